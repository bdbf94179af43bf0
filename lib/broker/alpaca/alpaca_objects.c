/*
 * alpaca_objects.c - Alpaca's account, position, clock and order objects
 * into the public structs. Fields a caller relies on (ids, money, sides)
 * are required; the rest may be null or absent and read as NAN, 0 or "".
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alpaca_internal.h"

#define WHERE_TEXT 224

ms_status ms_alpaca_parse_account(const json_t *json, const char *where, ms_account *out)
{
    memset(out, 0, sizeof *out);
    ms_json_fields fields;
    if (ms_json_fields_init(&fields, json, where) != MS_OK)
        return fields.status;
    ms_json_string(&fields, "id", out->id, sizeof out->id, MS_JSON_REQUIRED);
    ms_json_string(&fields, "status", out->status, sizeof out->status, MS_JSON_OPTIONAL);
    ms_json_string(&fields, "currency", out->currency, sizeof out->currency, MS_JSON_OPTIONAL);
    out->cash = ms_json_number(&fields, "cash", MS_JSON_REQUIRED);
    out->buying_power = ms_json_number(&fields, "buying_power", MS_JSON_REQUIRED);
    out->equity = ms_json_number(&fields, "equity", MS_JSON_REQUIRED);
    out->last_equity = ms_json_number(&fields, "last_equity", MS_JSON_OPTIONAL);
    out->portfolio_value = ms_json_number(&fields, "portfolio_value", MS_JSON_OPTIONAL);
    double multiplier = ms_json_number(&fields, "multiplier", MS_JSON_OPTIONAL);
    out->multiplier = isnan(multiplier) ? 1.0 : multiplier;
    out->pattern_day_trader = ms_json_flag(&fields, "pattern_day_trader");
    out->trading_blocked = ms_json_flag(&fields, "trading_blocked");
    out->account_blocked = ms_json_flag(&fields, "account_blocked");
    out->shorting_enabled = ms_json_flag(&fields, "shorting_enabled");
    double daytrades = ms_json_number(&fields, "daytrade_count", MS_JSON_OPTIONAL);
    /* Checked before the conversion: a count outside int is undefined to convert. */
    if (fields.status == MS_OK && !isnan(daytrades) && !(daytrades >= 0 && daytrades <= INT_MAX))
        return ms_error(MS_ERR_PARSE, "%s: field 'daytrade_count': %g is not a count", where,
                        daytrades);
    out->daytrade_count = isnan(daytrades) ? 0 : (int)daytrades;
    return fields.status;
}

ms_status ms_alpaca_parse_clock(const json_t *json, const char *where, ms_market_clock *out)
{
    memset(out, 0, sizeof *out);
    ms_json_fields fields;
    if (ms_json_fields_init(&fields, json, where) != MS_OK)
        return fields.status;
    out->timestamp = ms_json_time(&fields, "timestamp", MS_JSON_REQUIRED);
    out->is_open = ms_json_flag(&fields, "is_open");
    out->next_open = ms_json_time(&fields, "next_open", MS_JSON_REQUIRED);
    out->next_close = ms_json_time(&fields, "next_close", MS_JSON_REQUIRED);
    return fields.status;
}

static const ms_json_word asset_classes[] = {
    { "us_equity", MS_ASSET_STOCK }, { "crypto", MS_ASSET_CRYPTO },
};

static const ms_json_word position_sides[] = { { "long", 1 }, { "short", -1 } };

static ms_status parse_position(const json_t *json, const char *where, ms_position *out)
{
    memset(out, 0, sizeof *out);
    ms_json_fields fields;
    if (ms_json_fields_init(&fields, json, where) != MS_OK)
        return fields.status;
    ms_json_string(&fields, "symbol", out->symbol, sizeof out->symbol, MS_JSON_REQUIRED);
    out->asset_class = ms_json_enum(&fields, "asset_class", asset_classes, MS_ARRAY_LEN(asset_classes),
                                    ms_symbol_asset_class(out->symbol), MS_JSON_OPTIONAL);
    int side = ms_json_enum(&fields, "side", position_sides, MS_ARRAY_LEN(position_sides), 1,
                            MS_JSON_OPTIONAL);
    /* Alpaca sends a short's quantities negative already; the side makes
     * the sign certain either way. */
    out->qty = side * fabs(ms_json_number(&fields, "qty", MS_JSON_REQUIRED));
    out->qty_available = side * fabs(ms_json_number(&fields, "qty_available", MS_JSON_OPTIONAL));
    out->avg_entry_price = ms_json_number(&fields, "avg_entry_price", MS_JSON_OPTIONAL);
    out->market_value = ms_json_number(&fields, "market_value", MS_JSON_OPTIONAL);
    out->cost_basis = ms_json_number(&fields, "cost_basis", MS_JSON_OPTIONAL);
    out->unrealized_pl = ms_json_number(&fields, "unrealized_pl", MS_JSON_OPTIONAL);
    out->current_price = ms_json_number(&fields, "current_price", MS_JSON_OPTIONAL);
    return fields.status;
}

static const ms_json_word order_sides[] = { { "buy", 1 }, { "sell", -1 } };

/* A trailing stop is a stop whose level follows the market; its
 * stop_price holds the current level, so it reads as a stop. */
static const ms_json_word order_types[] = {
    { "market", MS_ORDER_MARKET }, { "limit", MS_ORDER_LIMIT }, { "stop", MS_ORDER_STOP },
    { "stop_limit", MS_ORDER_STOP_LIMIT }, { "trailing_stop", MS_ORDER_STOP },
};

static const ms_json_word times_in_force[] = {
    { "day", MS_TIF_DAY }, { "gtc", MS_TIF_GTC }, { "opg", MS_TIF_OPG },
    { "cls", MS_TIF_CLS }, { "ioc", MS_TIF_IOC }, { "fok", MS_TIF_FOK },
};

static const ms_json_word order_classes[] = {
    { "simple", MS_CLASS_SIMPLE }, { "oto", MS_CLASS_OTO },
    { "bracket", MS_CLASS_BRACKET }, { "oco", MS_CLASS_OCO },
};

/* The take-profit leg of an OTO or bracket order is its limit leg (the
 * stop-loss leg is a stop); legs are present when the order was read
 * nested (a lookup by id, or a nested listing). Leaves *out as it is when
 * there is none. */
/* Alpaca's order statuses (its order documentation lists these); any other
 * word reads as MS_ORDER_OTHER, kept in ms_order.status as sent. */
static const struct { const char *word; ms_order_status status; } order_statuses[] = {
    { "new", MS_ORDER_NEW }, { "accepted", MS_ORDER_ACCEPTED },
    { "pending_new", MS_ORDER_PENDING_NEW }, { "partially_filled", MS_ORDER_PARTIALLY_FILLED },
    { "filled", MS_ORDER_FILLED }, { "done_for_day", MS_ORDER_DONE_FOR_DAY },
    { "canceled", MS_ORDER_CANCELED }, { "expired", MS_ORDER_EXPIRED },
    { "replaced", MS_ORDER_REPLACED }, { "pending_cancel", MS_ORDER_PENDING_CANCEL },
    { "pending_replace", MS_ORDER_PENDING_REPLACE }, { "rejected", MS_ORDER_REJECTED },
    { "suspended", MS_ORDER_SUSPENDED }, { "stopped", MS_ORDER_STOPPED },
    { "calculated", MS_ORDER_CALCULATED }, { "accepted_for_bidding", MS_ORDER_ACCEPTED_FOR_BIDDING },
    { "held", MS_ORDER_HELD },
};

ms_order_status ms_alpaca_order_status(const char *word)
{
    for (size_t i = 0; i < MS_ARRAY_LEN(order_statuses); i++)
        if (strcmp(word, order_statuses[i].word) == 0)
            return order_statuses[i].status;
    return MS_ORDER_OTHER;
}

static ms_status read_take_profit(const json_t *order, const char *where, ms_order *out)
{
    const json_t *legs = json_object_get(order, "legs");
    size_t index;
    const json_t *leg;
    json_array_foreach(legs, index, leg) {
        char leg_where[WHERE_TEXT];
        snprintf(leg_where, sizeof leg_where, "%s: leg %zu", where, index);
        ms_json_fields fields;
        if (ms_json_fields_init(&fields, leg, leg_where) != MS_OK)
            return fields.status;
        const char *type = json_string_value(json_object_get(leg, "type"));
        if (type == NULL || strcmp(type, "limit") != 0)
            continue;
        out->take_profit_limit = ms_json_number(&fields, "limit_price", MS_JSON_REQUIRED);
        ms_json_string(&fields, "id", out->take_profit_id, sizeof out->take_profit_id,
                       MS_JSON_OPTIONAL);
        ms_json_string(&fields, "status", out->take_profit_status, sizeof out->take_profit_status,
                       MS_JSON_OPTIONAL);
        out->take_profit_state = ms_alpaca_order_status(out->take_profit_status);
        double filled = ms_json_number(&fields, "filled_qty", MS_JSON_OPTIONAL);
        out->take_profit_filled_qty = isnan(filled) ? 0.0 : filled;
        out->take_profit_filled_avg_price = ms_json_number(&fields, "filled_avg_price",
                                                           MS_JSON_OPTIONAL);
        return fields.status;
    }
    return MS_OK;
}

ms_status ms_alpaca_parse_order(const json_t *json, const char *where, ms_order *out)
{
    memset(out, 0, sizeof *out);
    ms_json_fields fields;
    if (ms_json_fields_init(&fields, json, where) != MS_OK)
        return fields.status;
    ms_json_string(&fields, "id", out->id, sizeof out->id, MS_JSON_REQUIRED);
    ms_json_string(&fields, "client_order_id", out->client_order_id, sizeof out->client_order_id,
                   MS_JSON_OPTIONAL);
    ms_json_string(&fields, "symbol", out->symbol, sizeof out->symbol, MS_JSON_REQUIRED);
    ms_json_string(&fields, "status", out->status, sizeof out->status, MS_JSON_REQUIRED);
    out->state = ms_alpaca_order_status(out->status);
    /* qty is null for notional orders. */
    out->qty = ms_json_number(&fields, "qty", MS_JSON_OPTIONAL);
    double filled = ms_json_number(&fields, "filled_qty", MS_JSON_OPTIONAL);
    out->filled_qty = isnan(filled) ? 0.0 : filled;
    out->filled_avg_price = ms_json_number(&fields, "filled_avg_price", MS_JSON_OPTIONAL);
    out->limit_price = ms_json_number(&fields, "limit_price", MS_JSON_OPTIONAL);
    out->stop_price = ms_json_number(&fields, "stop_price", MS_JSON_OPTIONAL);
    out->side = ms_json_enum(&fields, "side", order_sides, MS_ARRAY_LEN(order_sides), 0, MS_JSON_REQUIRED);
    out->type = ms_json_enum(&fields, "type", order_types, MS_ARRAY_LEN(order_types), MS_ORDER_MARKET,
                             MS_JSON_REQUIRED);
    out->time_in_force = ms_json_enum(&fields, "time_in_force", times_in_force,
                                      MS_ARRAY_LEN(times_in_force), MS_TIF_DAY, MS_JSON_REQUIRED);
    out->order_class = ms_json_enum(&fields, "order_class", order_classes, MS_ARRAY_LEN(order_classes),
                                    MS_CLASS_SIMPLE, MS_JSON_OPTIONAL);
    out->created_at = ms_json_time(&fields, "created_at", MS_JSON_OPTIONAL);
    out->submitted_at = ms_json_time(&fields, "submitted_at", MS_JSON_OPTIONAL);
    out->filled_at = ms_json_time(&fields, "filled_at", MS_JSON_OPTIONAL);
    out->take_profit_limit = NAN;
    out->take_profit_filled_avg_price = NAN;
    if (fields.status == MS_OK &&
        (out->order_class == MS_CLASS_OTO || out->order_class == MS_CLASS_BRACKET))
        fields.status = read_take_profit(json, where, out);
    return fields.status;
}

typedef ms_status (*parse_element_fn)(const json_t *json, const char *where, void *out);

static ms_status parse_position_element(const json_t *json, const char *where, void *out)
{
    return parse_position(json, where, out);
}

static ms_status parse_order_element(const json_t *json, const char *where, void *out)
{
    return ms_alpaca_parse_order(json, where, out);
}

/* A JSON array of `noun`s into a malloc'ed array of element_size items. */
static ms_status parse_array(const json_t *json, const char *where, const char *noun,
                             size_t element_size, parse_element_fn parse, void **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    if (!json_is_array(json))
        return ms_error(MS_ERR_PARSE, "%s: expected a JSON array of %ss", where, noun);
    size_t len = json_array_size(json);
    if (len == 0)
        return MS_OK;
    char *items = calloc(len, element_size);
    if (items == NULL)
        return ms_error(MS_ERR_NOMEM, "%s: out of memory for %zu %ss", where, len, noun);
    for (size_t i = 0; i < len; i++) {
        char element_where[WHERE_TEXT];
        snprintf(element_where, sizeof element_where, "%s: %s %zu", where, noun, i);
        ms_status status = parse(json_array_get(json, i), element_where, items + i * element_size);
        if (status != MS_OK) {
            free(items);
            return status;
        }
    }
    *out = items;
    *count = len;
    return MS_OK;
}

ms_status ms_alpaca_parse_positions(const json_t *json, const char *where, ms_position **out,
                                    size_t *count)
{
    void *items = NULL;
    ms_status status = parse_array(json, where, "position", sizeof **out, parse_position_element,
                                   &items, count);
    *out = items;
    return status;
}

ms_status ms_alpaca_parse_orders(const json_t *json, const char *where, ms_order **out, size_t *count)
{
    void *items = NULL;
    ms_status status = parse_array(json, where, "order", sizeof **out, parse_order_element, &items,
                                   count);
    *out = items;
    return status;
}
