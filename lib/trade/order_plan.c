/*
 * order_plan.c - a cycle's plan from plain inputs (ms_trade_plan in trade.h
 * states the rules). Pure: no broker calls, so every rule is testable on
 * its own. In order:
 *   1. someone else's positions (or part of one) and orders: left alone,
 *      and listed so;
 *   2. our positions: closed (after canceling our orders on the symbol),
 *      or held, with a take profit placed when none of ours is working;
 *   3. our unfilled entries from earlier cycles: canceled;
 *   4. the picks: one entry each, sized within the buying power left.
 * An order the broker already has under this cycle's id is adopted, not
 * planned again, and does not count against the buying power (the account
 * already reflects it): a re-run after a crash plans the same orders.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "trade_internal.h"

/* The smallest entries: one share, a thousandth of a coin (the sizes the
 * analysis suggests in). */
#define MIN_SHARES 1.0
#define MIN_COINS 0.001

static double min_quantity(ms_asset_class asset)
{
    return asset == MS_ASSET_CRYPTO ? MIN_COINS : MIN_SHARES;
}

static ms_status no_memory(void)
{
    return ms_error(MS_ERR_NOMEM, "out of memory building the trade plan");
}

static bool same_symbol(const char *a, const char *key)
{
    char other[32];
    ms_symbol_canonical(a, other);
    return strcmp(other, key) == 0;
}

static const ms_plan_signal *find_signal(const ms_plan_inputs *in, const char *key)
{
    for (size_t i = 0; i < in->signal_count; i++)
        if (same_symbol(in->signals[i].symbol, key))
            return &in->signals[i];
    return NULL;
}

/* The position in the symbol, with its index; NULL when flat. */
static const ms_position *find_position(const ms_plan_inputs *in, const char *key, size_t *index)
{
    for (size_t i = 0; i < in->position_count; i++)
        if (in->positions[i].qty != 0 && same_symbol(in->positions[i].symbol, key)) {
            *index = i;
            return &in->positions[i];
        }
    return NULL;
}

static const ms_order *find_known(const ms_plan_inputs *in, const char *client_order_id)
{
    for (size_t i = 0; i < in->order_count; i++)
        if (strcmp(in->orders[i].client_order_id, client_order_id) == 0)
            return &in->orders[i];
    return NULL;
}

static bool working_on(const ms_plan_inputs *in, size_t i, const char *key)
{
    return ms_order_is_open(in->orders[i].state) && same_symbol(in->orders[i].symbol, key);
}

/* Someone else's working order on the symbol on `side`; NULL when none. */
static const ms_order *foreign_order_on(const ms_plan_inputs *in, const char *key, int side)
{
    for (size_t i = 0; i < in->order_count; i++)
        if (!in->own_orders[i] && working_on(in, i, key) && in->orders[i].side == side)
            return &in->orders[i];
    return NULL;
}

/* What someone else's working orders on `side` hold of a position. */
static double held_by_others(const ms_plan_inputs *in, const char *key, int side)
{
    double held = 0;
    for (size_t i = 0; i < in->order_count; i++)
        if (!in->own_orders[i] && working_on(in, i, key) && in->orders[i].side == side &&
            in->orders[i].state != MS_ORDER_HELD)
            held += in->orders[i].qty;
    return held;
}

/* Fills an order step; an order the broker already has is adopted. */
static void set_order(ms_trade_step *step, const char *client_order_id, const ms_order *known)
{
    snprintf(step->client_order_id, sizeof step->client_order_id, "%s", client_order_id);
    if (known == NULL)
        return;
    step->outcome = MS_TRADE_EXISTING;
    step->order = *known;
}

static ms_status order_id(const ms_plan_inputs *in, const char *symbol, int side, const char *leg,
                          char id[MS_TRADE_ID_SIZE])
{
    ms_status status = ms_trade_order_id(in->cycle_time, symbol, side, leg, id, MS_TRADE_ID_SIZE);
    return status == MS_OK ? ms_order_limits_check_id(in->limits, id) : status;
}

/* ---- 1. Someone else's -------------------------------------------------- */

static ms_status leave_foreign(const ms_plan_inputs *in, ms_trade_result *result)
{
    for (size_t i = 0; i < in->position_count; i++) {
        double others = in->positions[i].qty - in->holdings[i].qty;
        if (fabs(others) < 1e-9)
            continue;
        ms_trade_step *step = ms_trade_add_step(result, MS_TRADE_LEAVE, in->positions[i].symbol);
        if (step == NULL)
            return no_memory();
        step->side = others > 0 ? 1 : -1;
        step->qty = fabs(others);
        snprintf(step->reason, sizeof step->reason, "someone else's: %g of the %g held (%g ours)",
                 others, in->positions[i].qty, in->holdings[i].qty);
    }
    for (size_t i = 0; i < in->order_count; i++) {
        if (in->own_orders[i] || !ms_order_is_open(in->orders[i].state))
            continue;
        ms_trade_step *step = ms_trade_add_step(result, MS_TRADE_LEAVE, in->orders[i].symbol);
        if (step == NULL)
            return no_memory();
        step->side = in->orders[i].side;
        step->qty = in->orders[i].qty;
        step->order = in->orders[i];
        snprintf(step->reason, sizeof step->reason, "someone else's order (client id %.60s)",
                 in->orders[i].client_order_id);
    }
    return MS_OK;
}

/* ---- 2. Our positions --------------------------------------------------- */

/* Why a held position should go, or NULL to keep it. */
static const char *close_reason(const ms_plan_signal *signal, int held, char *text, size_t size)
{
    if (signal->side == -held)
        snprintf(text, size, "forecast flipped to %s", ms_order_side_word(signal->side));
    else if (signal->mean_return < 0)
        snprintf(text, size, "strategy return turned negative (%+.5f a day)", signal->mean_return);
    else
        return NULL;
    return text;
}

static ms_status hold(ms_trade_result *result, const char *symbol, double qty, const char *reason)
{
    ms_trade_step *step = ms_trade_add_step(result, MS_TRADE_HOLD, symbol);
    if (step == NULL)
        return no_memory();
    step->side = qty > 0 ? 1 : -1;
    step->qty = fabs(qty);
    snprintf(step->reason, sizeof step->reason, "%s", reason);
    return MS_OK;
}

/* Cancels our working orders on the symbol (a held leg goes with its
 * entry), except `keep` (a close an earlier run of this cycle sent). */
static ms_status cancel_ours(const ms_plan_inputs *in, ms_trade_result *result, const char *symbol,
                             const char *key, const char *keep, const char *why)
{
    for (size_t i = 0; i < in->order_count; i++) {
        const ms_order *order = &in->orders[i];
        if (!in->own_orders[i] || !working_on(in, i, key) || order->state == MS_ORDER_HELD ||
            strcmp(order->client_order_id, keep) == 0)
            continue;
        ms_trade_step *cancel = ms_trade_add_step(result, MS_TRADE_CANCEL, symbol);
        if (cancel == NULL)
            return no_memory();
        snprintf(cancel->order_id, sizeof cancel->order_id, "%s", order->id);
        snprintf(cancel->reason, sizeof cancel->reason, "%.120s", why);
        cancel->order = *order;
    }
    return MS_OK;
}

static ms_status plan_close(const ms_plan_inputs *in, ms_trade_result *result,
                            const ms_position *position, double ours, const char *reason)
{
    char symbol[32], key[32], id[MS_TRADE_ID_SIZE], why[160];
    int held = ours > 0 ? 1 : -1;
    ms_symbol_canonical(position->symbol, key);
    ms_status status = ms_trade_broker_symbol(position->symbol, symbol);
    if (status == MS_OK)
        status = order_id(in, symbol, -held, "close", id);
    if (status != MS_OK)
        return status;
    const ms_order *known = find_known(in, id);
    /* A market close would trade against someone else's order on the
     * other side: Alpaca refuses it as a potential wash trade. */
    const ms_order *blocking = foreign_order_on(in, key, held);
    double closable = fabs(position->qty) - held_by_others(in, key, -held);
    double qty = fmin(fabs(ours), closable);
    if (known == NULL && (blocking != NULL || qty <= 0)) {
        snprintf(why, sizeof why, "%.90s, but %s", reason,
                 blocking != NULL ? "someone else's order on the other side blocks a close"
                                  : "someone else's orders hold the shares");
        return hold(result, symbol, ours, why);
    }
    snprintf(why, sizeof why, "before closing: %.100s", reason);
    status = cancel_ours(in, result, symbol, key, id, why);
    ms_trade_step *close = status == MS_OK ? ms_trade_add_step(result, MS_TRADE_CLOSE, symbol) : NULL;
    if (close == NULL)
        return status != MS_OK ? status : no_memory();
    snprintf(close->reason, sizeof close->reason, "%s", reason);
    close->side = -held;
    close->qty = known != NULL ? known->qty : qty;
    close->type = MS_ORDER_MARKET;
    close->time_in_force = ms_order_resting_time_in_force(ms_symbol_asset_class(symbol));
    close->order_class = MS_CLASS_SIMPLE;
    set_order(close, id, known);
    return MS_OK;
}

/* Whether an order of ours on the closing side is working (a take-profit
 * leg, held or live, or an exit). */
static bool exit_working(const ms_plan_inputs *in, const char *key, int held)
{
    for (size_t i = 0; i < in->order_count; i++)
        if (in->own_orders[i] && working_on(in, i, key) && in->orders[i].side == -held)
            return true;
    return false;
}

/* A position of ours that is kept, and has no working take profit, gets
 * one: a limit at our entry's take profit for the quantity we hold. */
static ms_status plan_exit(const ms_plan_inputs *in, ms_trade_result *result,
                           const ms_position *position, const ms_plan_holding *ours,
                           const char *kept)
{
    char why[128];
    char symbol[32], key[32], id[MS_TRADE_ID_SIZE];
    int held = ours->qty > 0 ? 1 : -1;
    ms_symbol_canonical(position->symbol, key);
    ms_status status = ms_trade_broker_symbol(position->symbol, symbol);
    if (status == MS_OK)
        status = order_id(in, symbol, -held, "exit", id);
    if (status != MS_OK)
        return status;
    const ms_order *known = find_known(in, id);
    if (known == NULL && (!isfinite(ours->take_profit) || exit_working(in, key, held))) {
        snprintf(why, sizeof why, "%s%s", kept,
                 isfinite(ours->take_profit) ? "; its take profit is working" : "");
        return hold(result, symbol, ours->qty, why);
    }
    ms_asset_class asset = ms_symbol_asset_class(symbol);
    double price = ms_order_limits_round(in->limits, asset, ours->take_profit, held);
    double qty = fmin(fabs(ours->qty), fabs(position->qty) - held_by_others(in, key, -held));
    if (known == NULL && (qty <= 0 || foreign_order_on(in, key, held) != NULL)) {
        snprintf(why, sizeof why, "%s; someone else's orders leave no room for its take profit",
                 kept);
        return hold(result, symbol, ours->qty, why);
    }
    ms_trade_step *exit = ms_trade_add_step(result, MS_TRADE_EXIT, symbol);
    if (exit == NULL)
        return no_memory();
    snprintf(exit->reason, sizeof exit->reason, "take profit of our position (%g held)",
             fabs(ours->qty));
    exit->side = -held;
    exit->qty = known != NULL ? known->qty : qty;
    exit->type = MS_ORDER_LIMIT;
    exit->time_in_force = ms_order_resting_time_in_force(asset);
    exit->order_class = MS_CLASS_SIMPLE;
    exit->limit_price = known != NULL ? known->limit_price : price;
    set_order(exit, id, known);
    return MS_OK;
}

static ms_status plan_position(const ms_plan_inputs *in, ms_trade_result *result, size_t index)
{
    const ms_position *position = &in->positions[index];
    const ms_plan_holding *ours = &in->holdings[index];
    char key[32], reason[128];
    ms_symbol_canonical(position->symbol, key);
    int held = ours->qty > 0 ? 1 : -1;
    const ms_plan_signal *signal = find_signal(in, key);
    const char *why = signal != NULL ? close_reason(signal, held, reason, sizeof reason) : NULL;
    if (why != NULL)
        return plan_close(in, result, position, ours->qty, why);
    const char *kept = signal == NULL ? "not in this analysis"
                       : signal->side == held ? "forecast agrees" : "no new signal against it";
    return plan_exit(in, result, position, ours, kept);
}

/* ---- 3. Our entries from earlier cycles ---------------------------------- */

static bool canceled_in_plan(const ms_trade_result *result, const char *order_id)
{
    for (size_t i = 0; i < result->step_count; i++)
        if (result->steps[i].action == MS_TRADE_CANCEL &&
            strcmp(result->steps[i].order_id, order_id) == 0)
            return true;
    return false;
}

static bool earlier_entry(const ms_plan_inputs *in, const ms_order *order)
{
    char today[9];
    ms_trade_cycle_date(in->cycle_time, today);
    const char *id = order->client_order_id;
    size_t length = strlen(id), prefix = strlen(MS_TRADE_ID_PREFIX);
    return length > prefix + 8 && strcmp(id + length - 6, "-entry") == 0 &&
           strncmp(id + prefix, today, 8) != 0 && order->state != MS_ORDER_HELD;
}

static ms_status cancel_earlier_entries(const ms_plan_inputs *in, ms_trade_result *result,
                                        double *power)
{
    for (size_t i = 0; i < in->order_count; i++) {
        const ms_order *order = &in->orders[i];
        if (!in->own_orders[i] || !ms_order_is_open(order->state) ||
            !earlier_entry(in, order) || canceled_in_plan(result, order->id))
            continue;
        ms_trade_step *cancel = ms_trade_add_step(result, MS_TRADE_CANCEL, order->symbol);
        if (cancel == NULL)
            return no_memory();
        snprintf(cancel->order_id, sizeof cancel->order_id, "%s", order->id);
        snprintf(cancel->reason, sizeof cancel->reason, "our entry from an earlier cycle: this "
                 "cycle's analysis replaces it");
        cancel->order = *order;
        if (isfinite(order->limit_price))
            *power += (order->qty - order->filled_qty) * order->limit_price;
    }
    return MS_OK;
}

/* ---- 4. The picks ------------------------------------------------------- */

/* Why a pick cannot be entered now, or NULL. */
static const char *entry_blocker(const ms_plan_inputs *in, const ms_trade_result *result,
                                 const ms_pick *pick, const char *key, bool crypto)
{
    size_t index = 0;
    const ms_position *position = find_position(in, key, &index);
    double ours = position != NULL ? in->holdings[index].qty : 0.0;
    double others = position != NULL ? position->qty - ours : 0.0;
    if (crypto && pick->side < 0)
        return "crypto cannot be sold short";
    if (ours != 0 && (ours > 0) == (pick->side > 0))
        return "a position in this direction is already ours";
    if (ours != 0)
        return "closing our opposite position first";
    if (others * pick->side < -1e-9)
        return "someone else holds a position on the other side: this entry would trade it";
    for (size_t i = 0; i < in->order_count; i++) {
        if (!working_on(in, i, key) || canceled_in_plan(result, in->orders[i].id))
            continue;
        if (in->own_orders[i])
            return "an order of ours is already working on the symbol";
        if (in->orders[i].side != pick->side)
            return "someone else's order on the other side is working (a potential wash trade)";
    }
    return NULL;
}

/* The pick's quantity, capped by what the buying power left buys, in the
 * asset's steps. */
static double entry_qty(const ms_pick *pick, double price, double power, ms_asset_class asset)
{
    double step = min_quantity(asset);
    double affordable = power > 0 ? floor(power / price / step + 1e-9) * step : 0.0;
    return pick->quantity < affordable ? pick->quantity : affordable;
}

/* Stocks: one OTO order, so no opposite order ever rests beside the entry.
 * Crypto: a simple order (all Alpaca takes); its take profit is placed
 * once it has filled (plan_exit). */
static void fill_entry(ms_trade_step *step, const ms_pick *pick, ms_asset_class asset, double entry,
                       double take_profit, double qty)
{
    step->action = MS_TRADE_ENTER;
    step->side = pick->side;
    step->qty = qty;
    step->type = MS_ORDER_LIMIT;
    step->time_in_force = ms_order_resting_time_in_force(asset);
    step->order_class = ms_order_class_allowed(asset, MS_CLASS_OTO) ? MS_CLASS_OTO : MS_CLASS_SIMPLE;
    step->limit_price = entry;
    step->take_profit_limit = take_profit;
    if (qty < pick->quantity)
        snprintf(step->reason, sizeof step->reason, "sized down to the buying power left "
                 "(the pick suggested %g)", pick->quantity);
    else
        snprintf(step->reason, sizeof step->reason, "pick");
}

static ms_status plan_pick(const ms_plan_inputs *in, ms_trade_result *result, const ms_pick *pick,
                           double *power)
{
    char symbol[32], key[32], id[MS_TRADE_ID_SIZE];
    ms_asset_class asset = ms_symbol_asset_class(pick->symbol);
    ms_symbol_canonical(pick->symbol, key);
    ms_status status = ms_trade_broker_symbol(pick->symbol, symbol);
    if (status == MS_OK)
        status = order_id(in, symbol, pick->side, "entry", id);
    ms_trade_step *step = status == MS_OK ? ms_trade_add_step(result, MS_TRADE_SKIP, symbol) : NULL;
    if (step == NULL)
        return status != MS_OK ? status : no_memory();
    step->strategy = pick->strategy;
    step->side = pick->side;
    const ms_order *known = find_known(in, id);
    double entry = ms_order_limits_round(in->limits, asset, pick->entry_price, -pick->side);
    double take_profit = ms_order_limits_round(in->limits, asset, pick->take_profit_price, 0);
    if (known != NULL) {
        fill_entry(step, pick, asset, known->limit_price,
                   isfinite(known->take_profit_limit) ? known->take_profit_limit : take_profit,
                   known->qty);
        snprintf(step->reason, sizeof step->reason, "placed earlier under this id");
        set_order(step, id, known);
        return MS_OK;
    }
    const char *blocker = entry_blocker(in, result, pick, key, asset == MS_ASSET_CRYPTO);
    double qty = entry_qty(pick, entry, *power, asset);
    if (blocker == NULL && pick->side * (take_profit - entry) <= 0)
        blocker = "the take profit is within a tick of the entry";
    if (blocker == NULL && qty < min_quantity(asset))
        blocker = "not enough buying power left";
    if (blocker != NULL) {
        snprintf(step->reason, sizeof step->reason, "%s", blocker);
        return MS_OK;
    }
    fill_entry(step, pick, asset, entry, take_profit, qty);
    set_order(step, id, NULL);
    *power -= qty * entry;
    result->summary.planned_cost += qty * entry;
    return MS_OK;
}

ms_status ms_plan_build(const ms_plan_inputs *in, ms_trade_result *result)
{
    ms_status status = leave_foreign(in, result);
    for (size_t i = 0; i < in->position_count && status == MS_OK; i++)
        if (fabs(in->holdings[i].qty) > 1e-9)
            status = plan_position(in, result, i);
    double power = in->buying_power;
    if (status == MS_OK)
        status = cancel_earlier_entries(in, result, &power);
    for (size_t i = 0; i < in->pick_count && status == MS_OK; i++)
        status = plan_pick(in, result, &in->picks[i], &power);
    return status;
}
