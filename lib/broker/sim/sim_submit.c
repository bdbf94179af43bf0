/*
 * sim_submit.c - placing and canceling orders on the simulated broker, with
 * Alpaca's rules: first the order's own (order_rules.c: classes, times in
 * force and fractions per asset class, price increments, where exits sit),
 * then the account's: one order per client_order_id forever (a repeat
 * returns the order already placed), no order beside a working opposite
 * order on its symbol (the wash-trade rejection MaxDiff avoids with OTO
 * orders), no sale of shares that working orders already
 * hold, no short crypto, enough buying power. Rejected orders leave no
 * trace, so a corrected retry may reuse the id.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "broker/order_rules.h"
#include "sim_internal.h"

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
        return reject(r, MS_ALPACA_CODE_UNPROCESSABLE,
                      "an oto or bracket entry must be a market or limit order");
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

static ms_status check_order_rules(const ms_order_request *r, double entry)
{
    long code = 0;
    char reason[160];
    if (ms_order_rules_refuse(r, entry, &code, reason, sizeof reason))
        return reject(r, code, "%s", reason);
    return MS_OK;
}

static bool same_symbol(const ms_order *order, const char *symbol)
{
    char name[32];
    ms_symbol_canonical(order->symbol, name);
    return strcmp(name, symbol) == 0;
}

/* An opposite working order on the symbol (legs still held behind an
 * unfilled entry are not working yet). Alpaca refuses any order with an
 * open opposite order on its symbol, whatever the prices: the strictest
 * reading of its rule, so a plan the simulation takes Alpaca takes too. */
static ms_status check_wash_trade(const ms_sim *sim, const ms_order_request *r)
{
    char symbol[32];
    ms_symbol_canonical(r->symbol, symbol);
    for (size_t i = 0; i < sim->order_count; i++) {
        const ms_order *o = &sim->orders[i].order;
        if (o->side != r->side && o->state == MS_ORDER_NEW && same_symbol(o, symbol))
            return reject(r, MS_ALPACA_CODE_FORBIDDEN, "potential wash trade detected. use complex "
                          "orders (opposite order %s is open)", o->id);
    }
    return MS_OK;
}

/* What working orders on the closing side already hold of a position. */
static double held_by_orders(const ms_sim *sim, const char *symbol, int closing_side)
{
    double held = 0.0;
    for (size_t i = 0; i < sim->order_count; i++) {
        const ms_order *o = &sim->orders[i].order;
        if (o->side == closing_side && o->state == MS_ORDER_NEW && same_symbol(o, symbol))
            held += o->qty;
    }
    return held;
}

/* An order against a position may sell (or buy back) only what no working
 * order holds, and never past flat; crypto cannot be sold short at all. */
static ms_status check_held_quantity(const ms_sim *sim, const ms_order_request *r)
{
    char symbol[32];
    ms_symbol_canonical(r->symbol, symbol);
    const ms_sim_position *position = ms_sim_find_position(sim, r->symbol);
    double qty = position != NULL ? position->qty : 0.0;
    bool crypto = ms_symbol_asset_class(r->symbol) == MS_ASSET_CRYPTO;
    if (r->side * qty >= 0) {
        if (crypto && r->side < 0)
            return reject(r, MS_ALPACA_CODE_FORBIDDEN, "insufficient balance for %s (requested: "
                          "%g, available: 0)", symbol, r->qty);
        return MS_OK;
    }
    double available = fabs(qty) - held_by_orders(sim, symbol, r->side);
    if (r->qty > available + TOLERANCE)
        return reject(r, MS_ALPACA_CODE_FORBIDDEN, "insufficient %s available for order "
                      "(requested: %g, available: %g)", crypto ? "balance" : "qty", r->qty,
                      available > 0 ? available : 0.0);
    return MS_OK;
}

static ms_status check_buying_power(const ms_sim *sim, const ms_order_request *r, double entry)
{
    /* At a price of 1 the cost is the quantity that adds exposure. */
    double added = ms_sim_order_cost(sim, r->symbol, r->side, r->qty, 1.0);
    if (added > 0 && !isfinite(entry))
        return reject(r, MS_ALPACA_CODE_UNPROCESSABLE, "no price known for %s yet: sync the "
                      "simulation before a market order", r->symbol);
    double cost = added > 0 ? added * entry : 0.0;
    double power = ms_sim_buying_power(sim);
    if (cost > power + TOLERANCE)
        return reject(r, MS_ALPACA_CODE_FORBIDDEN, "insufficient buying power: the order needs "
                      "%.2f, buying power is %.2f", cost, power);
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
    ms_status status = check_order_rules(request, entry);
    if (status == MS_OK)
        status = check_supported(request);
    if (status == MS_OK)
        status = check_held_quantity(sim, request);
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
                        order_id, order->order.status, MS_ALPACA_CODE_UNPROCESSABLE);
    return ms_sim_commit(sim, ms_sim_cancel_record(order_id, ms_sim_now(sim)));
}
