/*
 * sim_submit.c - placing and canceling orders on the simulated broker, with
 * Alpaca's rules: one order per client_order_id forever (a repeat returns
 * the order already placed), no two resting opposite orders on a symbol
 * (the wash-trade rejection MaxDiff must avoid with OTO orders), enough
 * buying power, no short crypto, crypto only good-till-canceled. Rejected
 * orders leave no trace, so a corrected retry may reuse the id.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim_internal.h"

/* Alpaca's codes: 403 40310000 (wash trade, buying power, balance) and
 * 422 42210000 (other refusals). */
#define CODE_FORBIDDEN 40310000L
#define CODE_UNPROCESSABLE 42210000L

/* Share counts and prices compare with this slack, as Alpaca's do in cents. */
#define TOLERANCE 1e-9

static ms_status reject(const ms_order_request *r, long code, const char *fmt, ...)
    MS_PRINTF(3, 4);

static ms_status reject(const ms_order_request *r, long code, const char *fmt, ...)
{
    char reason[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    return ms_error(MS_ERR_BROKER, "order %s (%s): rejected by the simulated broker (code %ld: %s)",
                    r->client_order_id, r->symbol, code, reason);
}

/* What the simulation does not model is refused outright rather than
 * filled by rules that would be made up. */
static ms_status check_supported(const ms_order_request *r)
{
    if (r->type == MS_ORDER_STOP_LIMIT || r->order_class == MS_CLASS_OCO)
        return ms_error(MS_ERR_UNSUPPORTED, "order %s: the simulated broker has no %s orders",
                        r->client_order_id, r->type == MS_ORDER_STOP_LIMIT ? "stop_limit" : "oco");
    if (r->time_in_force != MS_TIF_DAY && r->time_in_force != MS_TIF_GTC)
        return ms_error(MS_ERR_UNSUPPORTED, "order %s: the simulated broker takes time in force day "
                        "or gtc, not %s", r->client_order_id, ms_time_in_force_word(r->time_in_force));
    if (r->order_class != MS_CLASS_SIMPLE && r->type != MS_ORDER_LIMIT && r->type != MS_ORDER_MARKET)
        return reject(r, CODE_UNPROCESSABLE, "an oto or bracket entry must be a market or limit order");
    return MS_OK;
}

/* The price an entry is expected to fill at: its limit or stop, else the
 * symbol's last close. */
static double expected_price(const ms_sim *sim, const ms_order_request *r)
{
    if (isfinite(r->limit_price))
        return r->limit_price;
    return isfinite(r->stop_price) ? r->stop_price : ms_sim_mark(sim, r->symbol);
}

/* Exits must be on the profitable (take profit) and protective (stop)
 * side of the entry, as Alpaca requires of brackets. */
static ms_status check_exits(const ms_order_request *r, double entry)
{
    if (r->order_class == MS_CLASS_SIMPLE || !isfinite(entry))
        return MS_OK;
    if (r->side * (r->take_profit_limit - entry) <= 0)
        return reject(r, CODE_UNPROCESSABLE, "take_profit.limit_price %.4f must be %s the entry %.4f",
                      r->take_profit_limit, r->side > 0 ? "above" : "below", entry);
    if (r->order_class == MS_CLASS_BRACKET && r->side * (entry - r->stop_loss_stop) <= 0)
        return reject(r, CODE_UNPROCESSABLE, "stop_loss.stop_price %.4f must be %s the entry %.4f",
                      r->stop_loss_stop, r->side > 0 ? "below" : "above", entry);
    return MS_OK;
}

static ms_status check_crypto(const ms_sim *sim, const ms_order_request *r)
{
    if (ms_symbol_asset_class(r->symbol) != MS_ASSET_CRYPTO)
        return MS_OK;
    if (r->time_in_force != MS_TIF_GTC)
        return reject(r, CODE_UNPROCESSABLE, "crypto orders take time_in_force gtc");
    const ms_sim_position *position = ms_sim_find_position(sim, r->symbol);
    double held = position != NULL ? position->qty : 0.0;
    if (r->side < 0 && r->qty > held + TOLERANCE)
        return reject(r, CODE_FORBIDDEN, "insufficient balance: selling %g, holding %g (crypto "
                      "cannot be sold short)", r->qty, held);
    return MS_OK;
}

/* An opposite order already working on the symbol (legs still held behind
 * an unfilled entry are not working yet). */
static ms_status check_wash_trade(const ms_sim *sim, const ms_order_request *r)
{
    char symbol[32], other[32];
    ms_symbol_canonical(r->symbol, symbol);
    for (size_t i = 0; i < sim->order_count; i++) {
        const ms_order *o = &sim->orders[i].order;
        ms_symbol_canonical(o->symbol, other);
        if (o->side != r->side && strcmp(o->status, "new") == 0 && strcmp(symbol, other) == 0)
            return reject(r, CODE_FORBIDDEN, "potential wash trade detected. use complex orders "
                          "(opposite order %s is open)", o->id);
    }
    return MS_OK;
}

static ms_status check_buying_power(const ms_sim *sim, const ms_order_request *r, double entry)
{
    /* At a price of 1 the cost is the quantity that adds exposure. */
    double added = ms_sim_order_cost(sim, r->symbol, r->side, r->qty, 1.0);
    if (added > 0 && !isfinite(entry))
        return reject(r, CODE_UNPROCESSABLE, "no price known for %s yet: sync the simulation before "
                      "a market order", r->symbol);
    double cost = added > 0 ? added * entry : 0.0;
    double power = ms_sim_buying_power(sim);
    if (cost > power + TOLERANCE)
        return reject(r, CODE_FORBIDDEN, "insufficient buying power: the order needs %.2f, "
                      "buying power is %.2f", cost, power);
    return MS_OK;
}

ms_status ms_sim_submit(void *state, const ms_order_request *request, ms_order *out)
{
    ms_sim *sim = state;
    const ms_sim_order *existing = ms_sim_find_client_order(sim, request->client_order_id);
    if (existing != NULL) {
        MS_INFO("sim: client_order_id %s was placed before as %s: returning that order",
                request->client_order_id, existing->order.id);
        *out = existing->order;
        return MS_OK;
    }
    double entry = expected_price(sim, request);
    ms_status status = check_supported(request);
    if (status == MS_OK)
        status = check_exits(request, entry);
    if (status == MS_OK)
        status = check_crypto(sim, request);
    if (status == MS_OK)
        status = check_wash_trade(sim, request);
    if (status == MS_OK)
        status = check_buying_power(sim, request, entry);
    if (status == MS_OK)
        status = ms_sim_commit(sim, ms_sim_submit_record(request, ms_sim_now(sim)));
    if (status == MS_OK)
        *out = ms_sim_find_client_order(sim, request->client_order_id)->order;
    return status;
}

ms_status ms_sim_cancel(void *state, const char *order_id)
{
    ms_sim *sim = state;
    const ms_sim_order *order = ms_sim_find_order(sim, order_id);
    if (order == NULL)
        return ms_error(MS_ERR_NOT_FOUND, "sim: no order %s", order_id);
    if (!ms_sim_order_open(order))
        return ms_error(MS_ERR_BROKER, "sim: order %s is not cancelable: it is %s (code %ld)",
                        order_id, order->order.status, CODE_UNPROCESSABLE);
    return ms_sim_commit(sim, ms_sim_cancel_record(order_id, ms_sim_now(sim)));
}
