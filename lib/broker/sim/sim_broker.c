/*
 * sim_broker.c - the simulated broker behind `sim:PATH`: opening (replaying
 * the journal, or starting a new account) and the read-only calls. Orders
 * are placed in sim_submit.c and filled in sim_fills.c.
 *
 * The account: cash (MS_SIM_DEFAULT_CASH unless the options say otherwise
 * when the journal is created), positions valued at the last close a sync
 * saw, margin buying power (2 x equity less what positions and working
 * entries use), shorting of stocks allowed, no commissions.
 *
 * The clock: the time of the last ms_broker_sync (the caller's `now`), or
 * the wall clock before the first sync. The simulation is always open: an
 * order placed now works from the next bar on.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_internal.h"

#define SECONDS_PER_DAY 86400

static ms_status sim_account(void *state, ms_account *out)
{
    const ms_sim *sim = state;
    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "sim");
    snprintf(out->status, sizeof out->status, "ACTIVE");
    snprintf(out->currency, sizeof out->currency, "USD");
    out->cash = sim->cash;
    out->equity = out->portfolio_value = ms_sim_equity(sim);
    out->last_equity = sim->last_equity;
    out->buying_power = ms_sim_buying_power(sim);
    out->multiplier = MS_SIM_MARGIN_MULTIPLIER;
    out->shorting_enabled = 1;
    return MS_OK;
}

static ms_status sim_positions(void *state, ms_position **out, size_t *count)
{
    const ms_sim *sim = state;
    if (sim->position_count == 0)
        return MS_OK;
    *out = calloc(sim->position_count, sizeof **out);
    if (*out == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory listing positions");
    for (size_t i = 0; i < sim->position_count; i++) {
        const ms_sim_position *held = &sim->positions[i];
        ms_position *p = &(*out)[i];
        snprintf(p->symbol, sizeof p->symbol, "%s", held->symbol);
        p->asset_class = ms_symbol_asset_class(held->symbol);
        p->qty = p->qty_available = held->qty;
        p->avg_entry_price = held->avg_entry_price;
        p->current_price = ms_sim_position_price(sim, held);
        p->market_value = held->qty * p->current_price;
        p->cost_basis = held->qty * held->avg_entry_price;
        p->unrealized_pl = p->market_value - p->cost_basis;
    }
    *count = sim->position_count;
    return MS_OK;
}

static ms_status sim_clock(void *state, ms_market_clock *out)
{
    out->timestamp = ms_sim_now(state);
    out->is_open = 1;
    out->next_open = out->next_close = out->timestamp + SECONDS_PER_DAY;
    return MS_OK;
}

/* In submission order (legs after their entry). */
static ms_status sim_orders(void *state, const char *status, ms_order **out, size_t *count)
{
    const ms_sim *sim = state;
    bool want_open = strcmp(status, "open") == 0, want_all = strcmp(status, "all") == 0;
    size_t matching = 0;
    for (size_t i = 0; i < sim->order_count; i++)
        matching += want_all || ms_sim_order_open(&sim->orders[i]) == want_open;
    if (matching == 0)
        return MS_OK;
    *out = calloc(matching, sizeof **out);
    if (*out == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory listing orders");
    for (size_t i = 0; i < sim->order_count; i++)
        if (want_all || ms_sim_order_open(&sim->orders[i]) == want_open)
            (*out)[(*count)++] = sim->orders[i].order;
    return MS_OK;
}

/* The entry with its take-profit leg's state, as Alpaca nests legs in a
 * lookup. Legs follow their entry in the order list. */
static ms_status sim_order_by_client_id(void *state, const char *client_order_id, ms_order *out)
{
    const ms_sim *sim = state;
    const ms_sim_order *order = ms_sim_find_client_order(state, client_order_id);
    if (order == NULL)
        return ms_error(MS_ERR_NOT_FOUND, "sim: no order with client_order_id %s", client_order_id);
    *out = order->order;
    for (const ms_sim_order *leg = order + 1;
         leg < sim->orders + sim->order_count && leg->leg != MS_SIM_ENTRY; leg++) {
        if (leg->leg != MS_SIM_TAKE_PROFIT)
            continue;
        snprintf(out->take_profit_id, sizeof out->take_profit_id, "%s", leg->order.id);
        snprintf(out->take_profit_status, sizeof out->take_profit_status, "%s", leg->order.status);
        out->take_profit_state = leg->order.state;
        out->take_profit_filled_qty = leg->order.filled_qty;
        out->take_profit_filled_avg_price = leg->order.filled_avg_price;
    }
    return MS_OK;
}

static const char *sim_account_file(void *state)
{
    const ms_sim *sim = state;
    return sim->journal.path;
}

static void sim_destroy(void *state)
{
    ms_sim_free_state(state);
}

static const ms_broker_ops sim_ops = {
    .account = sim_account,
    .account_file = sim_account_file,
    .positions = sim_positions,
    .clock = sim_clock,
    .submit = ms_sim_submit,
    .orders = sim_orders,
    .order_by_client_id = sim_order_by_client_id,
    .cancel = ms_sim_cancel,
    .sync = ms_sim_sync,
    .destroy = sim_destroy,
    .fills = ms_sim_fills,
};

static ms_status replay_line(void *context, const ms_sim_line *line)
{
    ms_sim *sim = context;
    json_error_t error;
    json_t *record = json_loadb(line->text, line->length, 0, &error);
    ms_status status = MS_OK;
    if (record == NULL)
        status = ms_error(MS_ERR_PARSE, "column %d: not JSON: %s", error.column, error.text);
    else if (!json_is_object(record))
        status = ms_error(MS_ERR_PARSE, "not a JSON object");
    else
        status = ms_sim_apply(sim, record);
    json_decref(record);
    return status == MS_OK ? MS_OK : ms_error_wrap(status, "sim journal %s:%zu", sim->journal.path,
                                                   line->number);
}

ms_status ms_sim_broker_open(const char *path, const ms_broker_options *opts, ms_broker *out)
{
    double cash = opts->sim_cash != 0 ? opts->sim_cash : MS_SIM_DEFAULT_CASH;
    if (!isfinite(cash) || cash < 0)
        return ms_error(MS_ERR_INVALID_ARG, "sim: starting cash must be a number >= 0, got %g", cash);
    ms_sim *sim = calloc(1, sizeof *sim);
    if (sim == NULL || (sim->marks = json_object()) == NULL) {
        free(sim);
        return ms_error(MS_ERR_NOMEM, "out of memory opening the sim broker");
    }
    bool created = false;
    ms_status status = ms_sim_journal_open(&sim->journal, path, opts->read_only != 0, replay_line, sim,
                                           &created);
    if (status == MS_OK && created)
        status = ms_sim_commit(sim, ms_sim_account_record(cash, (int64_t)time(NULL)));
    if (status != MS_OK) {
        ms_sim_free_state(sim);
        return status;
    }
    out->ops = &sim_ops;
    /* It stands in for Alpaca's paper account, so it takes what Alpaca
     * takes (docs/trading.md): a plan that passes here passes there. */
    out->limits = &ms_alpaca_order_limits;
    out->state = sim;
    snprintf(out->name, sizeof out->name, "sim");
    return MS_OK;
}
