/*
 * order_plan.c - a cycle's plan from plain inputs: positions first (close
 * those whose forecast flipped or whose strategy return turned negative, after
 * canceling their working orders; hold the rest), then the picks in
 * composite order (one OTO order each, sized within the buying power
 * left). Pure: no broker calls, so every rule is testable on its own.
 *
 * An order the broker already has under this cycle's id is adopted, not
 * planned again, and does not count against the buying power (the account
 * already reflects it): a re-run after a crash plans the same orders.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "trade_internal.h"

#define MIN_SHARES 1.0
#define MIN_COINS 0.001

static const ms_plan_signal *find_signal(const ms_plan_inputs *in, const char *key)
{
    char other[32];
    for (size_t i = 0; i < in->signal_count; i++) {
        ms_symbol_canonical(in->signals[i].symbol, other);
        if (strcmp(other, key) == 0)
            return &in->signals[i];
    }
    return NULL;
}

static const ms_position *find_position(const ms_plan_inputs *in, const char *key)
{
    char other[32];
    for (size_t i = 0; i < in->position_count; i++) {
        ms_symbol_canonical(in->positions[i].symbol, other);
        if (strcmp(other, key) == 0 && in->positions[i].qty != 0)
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
    char other[32];
    ms_symbol_canonical(in->orders[i].symbol, other);
    return ms_trade_order_working(in->orders[i].status) && strcmp(other, key) == 0;
}

static ms_status no_memory(void)
{
    return ms_error(MS_ERR_NOMEM, "out of memory building the trade plan");
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

static ms_status plan_close(const ms_plan_inputs *in, ms_trade_result *result,
                            const ms_position *position, const char *reason)
{
    char symbol[32], key[32], id[MS_TRADE_ID_SIZE];
    int held = position->qty > 0 ? 1 : -1;
    ms_symbol_canonical(position->symbol, key);
    ms_status status = ms_trade_broker_symbol(position->symbol, symbol);
    if (status == MS_OK)
        status = ms_trade_order_id(in->cycle_time, symbol, -held, "close", id, sizeof id);
    if (status != MS_OK)
        return status;
    /* Working orders would fight the close (a take profit selling the same
     * shares), except the close itself when an earlier run sent it. */
    for (size_t i = 0; i < in->order_count; i++) {
        if (!working_on(in, i, key) || strcmp(in->orders[i].client_order_id, id) == 0)
            continue;
        ms_trade_step *cancel = ms_trade_add_step(result, MS_TRADE_CANCEL, symbol);
        if (cancel == NULL)
            return no_memory();
        snprintf(cancel->order_id, sizeof cancel->order_id, "%s", in->orders[i].id);
        snprintf(cancel->reason, sizeof cancel->reason, "before closing: %.100s", reason);
        cancel->order = in->orders[i];
    }
    ms_trade_step *close = ms_trade_add_step(result, MS_TRADE_CLOSE, symbol);
    if (close == NULL)
        return no_memory();
    snprintf(close->reason, sizeof close->reason, "%s", reason);
    close->side = -held;
    close->qty = fabs(position->qty);
    close->type = MS_ORDER_MARKET;
    close->time_in_force = ms_symbol_asset_class(symbol) == MS_ASSET_CRYPTO ? MS_TIF_GTC : MS_TIF_DAY;
    close->order_class = MS_CLASS_SIMPLE;
    set_order(close, id, find_known(in, id));
    return MS_OK;
}

static ms_status plan_position(const ms_plan_inputs *in, ms_trade_result *result,
                               const ms_position *position)
{
    char key[32], reason[128];
    ms_symbol_canonical(position->symbol, key);
    int held = position->qty > 0 ? 1 : -1;
    const ms_plan_signal *signal = find_signal(in, key);
    const char *why = signal != NULL ? close_reason(signal, held, reason, sizeof reason) : NULL;
    if (why != NULL)
        return plan_close(in, result, position, why);
    ms_trade_step *hold = ms_trade_add_step(result, MS_TRADE_HOLD, position->symbol);
    if (hold == NULL)
        return no_memory();
    hold->side = held;
    hold->qty = fabs(position->qty);
    snprintf(hold->reason, sizeof hold->reason, "%s",
             signal == NULL ? "not in this analysis"
             : signal->side == held ? "forecast agrees" : "no new signal against it");
    return MS_OK;
}

/* Alpaca's stock ticks: cents from $1 up, 0.0001 below. Crypto prices pass
 * as they are. direction: -1 down, +1 up, 0 nearest. */
static double to_tick(double price, int direction, bool crypto)
{
    if (crypto)
        return price;
    double per_unit = price >= 1.0 ? 100.0 : 10000.0;
    double units = price * per_unit;
    /* The slack keeps a price that is already on a tick (64.03 * 100 =
     * 6402.999...) from moving a whole tick. */
    units = direction < 0 ? floor(units + 1e-6) : direction > 0 ? ceil(units - 1e-6) : round(units);
    return units / per_unit;
}

/* Why a pick cannot be entered now, or NULL. */
static const char *entry_blocker(const ms_plan_inputs *in, const ms_pick *pick, const char *key,
                                 bool crypto)
{
    const ms_position *position = find_position(in, key);
    if (crypto && pick->side < 0)
        return "crypto cannot be sold short";
    if (position != NULL && (position->qty > 0) == (pick->side > 0))
        return "a position in this direction is already open";
    if (position != NULL)
        return "closing the opposite position first";
    for (size_t i = 0; i < in->order_count; i++)
        if (working_on(in, i, key))
            return "an order is already working on the symbol";
    return NULL;
}

/* The pick's quantity, capped by what the buying power left buys. */
static double entry_qty(const ms_pick *pick, double price, double power, bool crypto)
{
    double affordable = power > 0 ? power / price : 0.0;
    affordable = crypto ? floor(affordable * 1000.0) / 1000.0 : floor(affordable);
    return pick->quantity < affordable ? pick->quantity : affordable;
}

static void fill_entry(ms_trade_step *step, const ms_pick *pick, bool crypto, double entry,
                       double take_profit, double qty)
{
    step->action = MS_TRADE_ENTER;
    step->side = pick->side;
    step->qty = qty;
    step->type = MS_ORDER_LIMIT;
    step->time_in_force = crypto ? MS_TIF_GTC : MS_TIF_DAY;
    step->order_class = MS_CLASS_OTO;
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
    bool crypto = ms_symbol_asset_class(pick->symbol) == MS_ASSET_CRYPTO;
    ms_symbol_canonical(pick->symbol, key);
    ms_status status = ms_trade_broker_symbol(pick->symbol, symbol);
    if (status == MS_OK)
        status = ms_trade_order_id(in->cycle_time, symbol, pick->side, "entry", id, sizeof id);
    ms_trade_step *step = status == MS_OK ? ms_trade_add_step(result, MS_TRADE_SKIP, symbol) : NULL;
    if (step == NULL)
        return status != MS_OK ? status : no_memory();
    step->strategy = pick->strategy;
    step->side = pick->side;
    const ms_order *known = find_known(in, id);
    if (known != NULL) {
        fill_entry(step, pick, crypto, known->limit_price, known->take_profit_limit, known->qty);
        snprintf(step->reason, sizeof step->reason, "placed earlier under this id");
        set_order(step, id, known);
        return MS_OK;
    }
    const char *blocker = entry_blocker(in, pick, key, crypto);
    double entry = to_tick(pick->entry_price, -pick->side, crypto);
    double take_profit = to_tick(pick->take_profit_price, 0, crypto);
    double qty = entry_qty(pick, entry, *power, crypto);
    if (blocker == NULL && pick->side * (take_profit - entry) <= 0)
        blocker = "the take profit is within a tick of the entry";
    if (blocker == NULL && qty < (crypto ? MIN_COINS : MIN_SHARES))
        blocker = "not enough buying power left";
    if (blocker != NULL) {
        snprintf(step->reason, sizeof step->reason, "%s", blocker);
        return MS_OK;
    }
    fill_entry(step, pick, crypto, entry, take_profit, qty);
    set_order(step, id, NULL);
    *power -= qty * entry;
    result->summary.planned_cost += qty * entry;
    return MS_OK;
}

ms_status ms_plan_build(const ms_plan_inputs *in, ms_trade_result *result)
{
    ms_status status = MS_OK;
    for (size_t i = 0; i < in->position_count && status == MS_OK; i++)
        if (in->positions[i].qty != 0)
            status = plan_position(in, result, &in->positions[i]);
    double power = in->buying_power;
    for (size_t i = 0; i < in->pick_count && status == MS_OK; i++)
        status = plan_pick(in, result, &in->picks[i], &power);
    return status;
}
