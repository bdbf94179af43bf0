/*
 * alpaca_order_body.c - the JSON of POST /v2/orders. Quantities and prices
 * go as decimal strings, as Alpaca's own clients send them, so no binary
 * floating-point noise reaches the exchange: every price and quantity
 * keeps up to 9 decimals, enough for the noise to round away and for any
 * real increment. Nothing is moved onto a tick here: the trade plan puts
 * its prices on the asset's increment (order_rules.c) in the direction
 * that favours the order, and a caller's off-tick price reaches Alpaca as
 * given, to be refused there, never silently changed.
 */
#include <stdio.h>
#include <string.h>

#include "alpaca_internal.h"
#include "broker/order_words.h"

#define FINE_PLACES 9

/* `value` with `places` decimals, trailing zeros dropped, as a JSON string;
 * -1 when it cannot be added. */
static int set_decimal(json_t *object, const char *key, double value, int places)
{
    char text[64];
    snprintf(text, sizeof text, "%.*f", places, value);
    char *end = text + strlen(text);
    while (end > text && end[-1] == '0')
        end--;
    if (end > text && end[-1] == '.')
        end--;
    *end = '\0';
    return json_object_set_new(object, key, json_string(text));
}

/* The exit legs of OTO and bracket orders; -1 when they cannot be added. */
static int add_legs(json_t *order, const ms_order_request *request)
{
    int failed = 0;
    if (request->order_class == MS_CLASS_OTO || request->order_class == MS_CLASS_BRACKET) {
        json_t *take_profit = json_object();
        failed |= set_decimal(take_profit, "limit_price", request->take_profit_limit,
                              FINE_PLACES);
        failed |= json_object_set_new(order, "take_profit", take_profit);
    }
    if (request->order_class == MS_CLASS_BRACKET) {
        json_t *stop_loss = json_object();
        failed |= set_decimal(stop_loss, "stop_price", request->stop_loss_stop,
                              FINE_PLACES);
        failed |= json_object_set_new(order, "stop_loss", stop_loss);
    }
    return failed;
}

ms_status ms_alpaca_order_body(const ms_order_request *request, char **body)
{
    *body = NULL;
    char symbol[MS_ALPACA_SYMBOL_MAX];
    ms_status status = ms_alpaca_symbol(request->symbol, symbol);
    if (status != MS_OK)
        return status;
    json_t *order = json_object();
    int failed = json_object_set_new(order, "symbol", json_string(symbol));
    failed |= set_decimal(order, "qty", request->qty, FINE_PLACES);
    failed |= json_object_set_new(order, "side", json_string(ms_order_side_word(request->side)));
    failed |= json_object_set_new(order, "type", json_string(ms_order_type_word(request->type)));
    failed |= json_object_set_new(order, "time_in_force",
                                  json_string(ms_time_in_force_word(request->time_in_force)));
    if (request->type == MS_ORDER_LIMIT || request->type == MS_ORDER_STOP_LIMIT)
        failed |= set_decimal(order, "limit_price", request->limit_price, FINE_PLACES);
    if (request->type == MS_ORDER_STOP || request->type == MS_ORDER_STOP_LIMIT)
        failed |= set_decimal(order, "stop_price", request->stop_price, FINE_PLACES);
    failed |= json_object_set_new(order, "client_order_id", json_string(request->client_order_id));
    failed |= json_object_set_new(order, "order_class",
                                  json_string(ms_order_class_word(request->order_class)));
    failed |= add_legs(order, request);
    if (!failed)
        *body = json_dumps(order, JSON_COMPACT);
    json_decref(order);
    if (*body == NULL)
        return ms_error(MS_ERR_NOMEM, "order %s: out of memory building the request", request->symbol);
    return MS_OK;
}
