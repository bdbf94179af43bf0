/*
 * sim_fills.c - ms_broker_sync for the simulated broker: advance the clock
 * to `now`, walking each traded symbol's bars after the previous sync and
 * filling or expiring working orders bar by bar.
 *
 * Rules, per bar (t, open, high, low), for an order working before t:
 *   market       fills at the open.
 *   buy limit    fills when low <= limit, at the limit (at the open when it
 *                opens below); a sell limit mirrors it with the high.
 *   sell stop    fills when low <= stop, at the stop (the open when it gaps
 *                below); a buy stop mirrors it with the high.
 *   stops first  when a bracket's stop and take profit could both fill in
 *                one bar, the stop does and the take profit is canceled:
 *                daily bars do not say which came first, so assume the worse.
 *   legs         an OTO/bracket exit works from the bar after its entry fills.
 *   day          an unfilled day order expires at the end of its first bar;
 *                gtc orders wait.
 * Every fill and expiry is a journal record; the sync ends with a record of
 * the new clock and each symbol's last close (the marks of positions).
 */
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

bool ms_sim_fill_price(const ms_order *order, double open, double high, double low, double *price)
{
    bool buy = order->side > 0;
    switch (order->type) {
    case MS_ORDER_MARKET:
        *price = open;
        return true;
    case MS_ORDER_LIMIT:
        *price = buy ? (open < order->limit_price ? open : order->limit_price)
                     : (open > order->limit_price ? open : order->limit_price);
        return buy ? low <= order->limit_price : high >= order->limit_price;
    case MS_ORDER_STOP:
        *price = buy ? (open > order->stop_price ? open : order->stop_price)
                     : (open < order->stop_price ? open : order->stop_price);
        return buy ? high >= order->stop_price : low <= order->stop_price;
    case MS_ORDER_STOP_LIMIT:
        break;
    }
    return false;
}

static bool works_in_bar(const ms_sim_order *order, const char *symbol, int64_t time)
{
    char name[32];
    ms_symbol_canonical(order->order.symbol, name);
    return strcmp(order->order.status, "new") == 0 && order->active_after < time &&
           strcmp(name, symbol) == 0;
}

/* One pass over the working orders of `symbol`: stops (stop_pass) or the rest. */
static ms_status trade_pass(ms_sim *sim, const char *symbol, const ms_bars *bars, size_t k,
                            bool stop_pass)
{
    int64_t time = ms_bars_timestamps(bars)[k];
    double open = ms_bars_column(bars, MS_COL_OPEN)[k];
    double high = ms_bars_column(bars, MS_COL_HIGH)[k];
    double low = ms_bars_column(bars, MS_COL_LOW)[k];
    for (size_t i = 0; i < sim->order_count; i++) {
        const ms_sim_order *order = &sim->orders[i];
        if (!works_in_bar(order, symbol, time) || (order->order.type == MS_ORDER_STOP) != stop_pass)
            continue;
        double price = 0;
        ms_status status = MS_OK;
        if (ms_sim_fill_price(&order->order, open, high, low, &price))
            status = ms_sim_commit(sim, ms_sim_fill_record(order->order.id, price, time));
        else if (order->order.time_in_force == MS_TIF_DAY)
            status = ms_sim_commit(sim, ms_sim_expire_record(order->order.id, time));
        if (status != MS_OK)
            return status;
    }
    return MS_OK;
}

static ms_status trade_symbol(ms_sim *sim, const char *symbol, const ms_bars *bars, int64_t from,
                              int64_t now)
{
    const int64_t *times = ms_bars_timestamps(bars);
    ms_status status = MS_OK;
    for (size_t k = 0; k < ms_bars_len(bars) && times[k] <= now && status == MS_OK; k++)
        if (times[k] > from) {
            status = trade_pass(sim, symbol, bars, k, true);
            if (status == MS_OK)
                status = trade_pass(sim, symbol, bars, k, false);
        }
    return status;
}

/* The symbols a sync must walk: those of working orders and positions,
 * each once (by position name), kept as first spelled for loading. */
typedef struct sim_symbols {
    char (*names)[32];             /* position names */
    const char **load_as;
    ms_bars **bars;
    size_t count;
} sim_symbols;

static void add_symbol(sim_symbols *symbols, const char *symbol)
{
    char name[32];
    ms_symbol_canonical(symbol, name);
    for (size_t i = 0; i < symbols->count; i++)
        if (strcmp(symbols->names[i], name) == 0)
            return;
    memcpy(symbols->names[symbols->count], name, sizeof name);
    symbols->load_as[symbols->count++] = symbol;
}

/* Loads every symbol's bars before anything is filled, so a missing
 * file fails the sync before it has changed the account. */
static ms_status load_symbols(const ms_sim *sim, ms_source *prices, sim_symbols *symbols)
{
    size_t most = sim->order_count + sim->position_count;
    symbols->names = calloc(most + 1, sizeof *symbols->names);
    symbols->load_as = calloc(most + 1, sizeof *symbols->load_as);
    symbols->bars = calloc(most + 1, sizeof *symbols->bars);
    if (symbols->names == NULL || symbols->load_as == NULL || symbols->bars == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory syncing the simulation");
    for (size_t i = 0; i < sim->order_count; i++)
        if (ms_sim_order_open(&sim->orders[i]))
            add_symbol(symbols, sim->orders[i].order.symbol);
    for (size_t i = 0; i < sim->position_count; i++)
        add_symbol(symbols, sim->positions[i].symbol);
    for (size_t i = 0; i < symbols->count; i++) {
        ms_status status = ms_source_load(prices, symbols->load_as[i], &symbols->bars[i]);
        if (status != MS_OK)
            return ms_error_wrap(status, "sim sync: bars of %s", symbols->load_as[i]);
    }
    return MS_OK;
}

static void release_symbols(sim_symbols *symbols)
{
    for (size_t i = 0; i < symbols->count; i++)
        ms_bars_free(symbols->bars[i]);
    free(symbols->names);
    free(symbols->load_as);
    free(symbols->bars);
}

/* The last close at or before `now` of each symbol that has one. */
static json_t *closes_at(const sim_symbols *symbols, int64_t now)
{
    json_t *closes = json_object();
    for (size_t i = 0; i < symbols->count && closes != NULL; i++) {
        const int64_t *times = ms_bars_timestamps(symbols->bars[i]);
        size_t n = ms_bars_len(symbols->bars[i]);
        while (n > 0 && times[n - 1] > now)
            n--;
        if (n > 0)
            json_object_set_new(closes, symbols->names[i],
                                json_real(ms_bars_column(symbols->bars[i], MS_COL_CLOSE)[n - 1]));
    }
    return closes;
}

ms_status ms_sim_sync(void *state, ms_source *prices, int64_t now)
{
    ms_sim *sim = state;
    if (sim->synced && now < sim->clock)
        return ms_error(MS_ERR_INVALID_ARG, "sim: cannot sync back to %lld: the simulation is at %lld",
                        (long long)now, (long long)sim->clock);
    int64_t from = sim->synced ? sim->clock : INT64_MIN;
    sim_symbols symbols = { 0 };
    ms_status status = load_symbols(sim, prices, &symbols);
    for (size_t i = 0; i < symbols.count && status == MS_OK; i++)
        status = trade_symbol(sim, symbols.names[i], symbols.bars[i], from, now);
    if (status == MS_OK) {
        json_t *closes = closes_at(&symbols, now);
        status = closes == NULL ? ms_error(MS_ERR_NOMEM, "out of memory syncing the simulation")
                                : ms_sim_commit(sim, ms_sim_sync_record(now, closes));
    }
    release_symbols(&symbols);
    return status;
}
