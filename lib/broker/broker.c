/*
 * broker.c - ms_broker: opening the broker its URI names (never one picked
 * behind the caller's back) and checking every call's arguments once, so
 * implementations only see valid requests.
 */
#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_internal.h"
#include "order_words.h"

ms_status ms_broker_ledger_path(const ms_broker *broker, const char *account_id, char *out,
                                size_t size)
{
    const char *file = broker->ops->account_file != NULL ? broker->ops->account_file(broker->state)
                                                         : NULL;
    if (file != NULL) {
        int written = snprintf(out, size, "%s.ledger", file);
        return written >= 0 && (size_t)written < size
                   ? MS_OK : ms_error(MS_ERR_INVALID_ARG, "ledger path beside %s is too long", file);
    }
    char name[160];
    size_t kept = (size_t)snprintf(name, sizeof name, "ledger/%s-", broker->name);
    for (const char *c = account_id; *c != '\0' && kept < sizeof name - 8; c++)
        if (isalnum((unsigned char)*c) || *c == '-')
            name[kept++] = *c;
    snprintf(name + kept, sizeof name - kept, ".sqlite");
    return ms_broker_state_file(broker->from_env, name, "ledger (pass a ledger path)", out, size);
}

static ms_status open_implementation(const char *uri, const ms_broker_options *opts, ms_broker *broker)
{
    if (uri == NULL || *uri == '\0')
        return ms_error(MS_ERR_INVALID_ARG, "no broker named: open \"alpaca\" or \"sim:PATH\"");
    if (ms_str_ieq(uri, "alpaca"))
        return ms_alpaca_broker_open(opts, broker);
    if (strncmp(uri, "sim:", 4) == 0 && uri[4] != '\0')
        return ms_sim_broker_open(uri + 4, opts, broker);
    return ms_error(MS_ERR_INVALID_ARG, "broker '%s': expected alpaca or sim:PATH", uri);
}

/* Version 2 appended from_env (a version 1 caller reads no environment). */
MS_OPTIONS_DECLARE(ms_broker_options, broker, MS_BROKER_OPTIONS,
                   offsetof(ms_broker_options, from_env), sizeof(ms_broker_options));

ms_status ms_broker_options_resolve(const ms_broker_options **opts, ms_broker_options *imported)
{
    ms_status status = ms_options_import(&broker_layout, imported, &broker_defaults, *opts);
    *opts = imported;
    return status;
}

MS_API ms_status ms_broker_default_uri(const ms_broker_options *opts, char *out, size_t size)
{
    if (out == NULL || size == 0)
        return ms_error(MS_ERR_INVALID_ARG, "ms_broker_default_uri: no room for the URI");
    ms_broker_options defaults;
    ms_status status = ms_broker_options_resolve(&opts, &defaults);
    if (status != MS_OK)
        return status;
    if (ms_alpaca_keys_configured(opts)) {
        int written = snprintf(out, size, "alpaca");
        return (size_t)written < size ? MS_OK
               : ms_error(MS_ERR_INVALID_ARG, "ms_broker_default_uri: no room for the URI");
    }
    if (size < 5)
        return ms_error(MS_ERR_INVALID_ARG, "ms_broker_default_uri: no room for the URI");
    memcpy(out, "sim:", 5);
    return ms_broker_state_file(opts->from_env, "sim.journal",
                                "sim journal (no Alpaca keys either)", out + 4, size - 4);
}

MS_API ms_status ms_broker_open(ms_broker **out, const char *uri, const ms_broker_options *opts)
{
    if (out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_broker_open: out is NULL");
    *out = NULL;
    ms_broker_options defaults;
    ms_status status = ms_broker_options_resolve(&opts, &defaults);
    if (status != MS_OK)
        return status;
    ms_broker *broker = calloc(1, sizeof *broker);
    if (broker == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory opening a broker");
    status = open_implementation(uri, opts, broker);
    if (status != MS_OK) {
        free(broker);
        return status;
    }
    broker->read_only = opts->read_only != 0;
    broker->from_env = opts->from_env != 0;
    *out = broker;
    return MS_OK;
}

MS_API void ms_broker_free(ms_broker *broker)
{
    if (broker == NULL)
        return;
    if (broker->ops->destroy != NULL)
        broker->ops->destroy(broker->state);
    free(broker);
}

MS_API const char *ms_broker_name(const ms_broker *broker)
{
    return broker != NULL ? broker->name : NULL;
}

#define REQUIRE(condition, ...) \
    do { if (!(condition)) return ms_error(MS_ERR_INVALID_ARG, __VA_ARGS__); } while (0)

MS_API ms_status ms_broker_account(ms_broker *broker, ms_account *out)
{
    REQUIRE(broker != NULL && out != NULL, "ms_broker_account: NULL argument");
    return broker->ops->account(broker->state, out);
}

MS_API ms_status ms_broker_positions(ms_broker *broker, ms_position **out, size_t *count)
{
    REQUIRE(broker != NULL && out != NULL && count != NULL, "ms_broker_positions: NULL argument");
    *out = NULL;
    *count = 0;
    return broker->ops->positions(broker->state, out, count);
}

MS_API ms_status ms_broker_clock(ms_broker *broker, ms_market_clock *out)
{
    REQUIRE(broker != NULL && out != NULL, "ms_broker_clock: NULL argument");
    return broker->ops->clock(broker->state, out);
}

/* Prices the order type needs are positive and finite; the others NAN. */
static ms_status check_request(const ms_broker *broker, const ms_order_request *r)
{
    REQUIRE(r->symbol != NULL && *r->symbol != '\0', "order: no symbol");
    /* Orders and positions keep the symbol in a char[32]: a longer one
     * would be cut and the order placed for another name. */
    REQUIRE(strlen(r->symbol) < sizeof ((ms_order *)0)->symbol,
            "order: symbol '%.40s...' is longer than %zu characters", r->symbol,
            sizeof ((ms_order *)0)->symbol - 1);
    REQUIRE(r->client_order_id != NULL, "order %s: no client_order_id", r->symbol);
    ms_status id = ms_order_limits_check_id(broker->limits, r->client_order_id);
    if (id != MS_OK)
        return ms_error_wrap(id, "order %s", r->symbol);
    REQUIRE(isfinite(r->qty) && r->qty > 0, "order %s: quantity must be positive, got %g", r->symbol, r->qty);
    REQUIRE(r->side == 1 || r->side == -1, "order %s: side must be +1 (buy) or -1 (sell)", r->symbol);
    /* Out-of-range enums come from bindings casting integers; sending a
     * guess (a market order, say) instead would be worse than refusing. */
    REQUIRE((unsigned)r->type < MS_ORDER_TYPE_COUNT, "order %s: unknown order type %d", r->symbol,
            (int)r->type);
    REQUIRE((unsigned)r->time_in_force < MS_TIME_IN_FORCE_COUNT, "order %s: unknown time in force %d",
            r->symbol, (int)r->time_in_force);
    REQUIRE((unsigned)r->order_class < MS_ORDER_CLASS_COUNT, "order %s: unknown order class %d",
            r->symbol, (int)r->order_class);
    int needs_limit = r->type == MS_ORDER_LIMIT || r->type == MS_ORDER_STOP_LIMIT;
    int needs_stop = r->type == MS_ORDER_STOP || r->type == MS_ORDER_STOP_LIMIT;
    REQUIRE(!needs_limit || (isfinite(r->limit_price) && r->limit_price > 0),
            "order %s: a limit order needs a positive limit price", r->symbol);
    REQUIRE(!needs_stop || (isfinite(r->stop_price) && r->stop_price > 0),
            "order %s: a stop order needs a positive stop price", r->symbol);
    int needs_take_profit = r->order_class == MS_CLASS_OTO || r->order_class == MS_CLASS_BRACKET;
    REQUIRE(!needs_take_profit || (isfinite(r->take_profit_limit) && r->take_profit_limit > 0),
            "order %s: an OTO or bracket order needs a positive take-profit limit", r->symbol);
    REQUIRE(r->order_class != MS_CLASS_BRACKET || (isfinite(r->stop_loss_stop) && r->stop_loss_stop > 0),
            "order %s: a bracket order needs a positive stop-loss price", r->symbol);
    return MS_OK;
}

MS_API ms_status ms_broker_submit(ms_broker *broker, const ms_order_request *request, ms_order *out)
{
    REQUIRE(broker != NULL && request != NULL && out != NULL, "ms_broker_submit: NULL argument");
    REQUIRE(!broker->read_only, "ms_broker_submit: the broker was opened read-only (a dry run)");
    ms_status status = check_request(broker, request);
    return status == MS_OK ? broker->ops->submit(broker->state, request, out) : status;
}

MS_API ms_status ms_broker_orders(ms_broker *broker, const char *status, ms_order **out, size_t *count)
{
    REQUIRE(broker != NULL && out != NULL && count != NULL, "ms_broker_orders: NULL argument");
    REQUIRE(status != NULL && (strcmp(status, "open") == 0 || strcmp(status, "closed") == 0 ||
                               strcmp(status, "all") == 0),
            "ms_broker_orders: status must be open, closed or all");
    *out = NULL;
    *count = 0;
    return broker->ops->orders(broker->state, status, out, count);
}

MS_API ms_status ms_broker_order_by_client_id(ms_broker *broker, const char *client_order_id,
                                              ms_order *out)
{
    REQUIRE(broker != NULL && out != NULL && client_order_id != NULL && *client_order_id != '\0',
            "ms_broker_order_by_client_id: NULL or empty argument");
    return broker->ops->order_by_client_id(broker->state, client_order_id, out);
}

MS_API ms_status ms_broker_cancel(ms_broker *broker, const char *order_id)
{
    REQUIRE(broker != NULL && order_id != NULL && *order_id != '\0', "ms_broker_cancel: no order id");
    REQUIRE(!broker->read_only, "ms_broker_cancel: the broker was opened read-only (a dry run)");
    return broker->ops->cancel(broker->state, order_id);
}

MS_API ms_status ms_broker_sync(ms_broker *broker, ms_source *prices, int64_t now)
{
    REQUIRE(broker != NULL, "ms_broker_sync: NULL broker");
    if (broker->ops->sync == NULL)
        return MS_OK;
    REQUIRE(prices != NULL, "ms_broker_sync: a simulated broker needs a price source");
    return broker->ops->sync(broker->state, prices, now);
}

MS_API double ms_broker_price_increment(const ms_broker *broker, const char *symbol, double price)
{
    if (broker == NULL || symbol == NULL || !isfinite(price) || price <= 0)
        return NAN;
    return broker->limits->price_increment(ms_symbol_asset_class(symbol), price);
}

MS_API size_t ms_broker_client_id_max(const ms_broker *broker)
{
    return broker != NULL ? broker->limits->client_id_max : 0;
}

MS_API ms_status ms_broker_check_client_id(const ms_broker *broker, const char *client_order_id)
{
    REQUIRE(broker != NULL && client_order_id != NULL, "ms_broker_check_client_id: NULL argument");
    return ms_order_limits_check_id(broker->limits, client_order_id);
}

const ms_order_limits *ms_broker_limits(const ms_broker *broker)
{
    return broker->limits;
}
