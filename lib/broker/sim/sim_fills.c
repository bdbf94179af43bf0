/*
 * sim_fills.c - ms_broker_sync for the simulated broker: advance the clock
 * to `now`, walking each traded symbol's bars after the previous sync and
 * filling or expiring working orders bar by bar.
 *
 * Each bar is played as a path, as the strict test Alpaca server plays a
 * day: the open, the extreme nearer the open (the low on a tie), the other
 * extreme, the close. Along the path, in the order the path reaches them:
 *   market       fills at the open.
 *   buy limit    fills where the path reaches its limit, at the limit, or at
 *                the open when the bar opens below it; a sell limit mirrors.
 *   sell stop    fills where the path falls to its stop, at the stop, or at
 *                the open when the bar opens below it; a buy stop mirrors.
 *   legs         an OTO/bracket exit works from the point where its entry
 *                filled, so a take profit can fill later in the same bar;
 *                the leg reached first fills and cancels its sibling.
 *   day          an order (or leg) still working at the end of the bar
 *                expires; gtc orders wait.
 * Ties at one point go in submission order. Every fill and expiry is a
 * journal record; the sync ends with a record of the new clock and each
 * symbol's last close (the marks of positions).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

#define PATH_POINTS 4
#define NOT_ACTIVE (-1)

/* One bar's path and, per order, the segment and price from which it
 * works in this bar (NOT_ACTIVE: not yet). Segment 0 is the open itself;
 * segment k > 0 is the move from point k-1 to point k. */
typedef struct bar_walk {
    double point[PATH_POINTS];
    int *segment;
    double *from;
    int64_t time;
} bar_walk;

static bool is_symbol(const ms_sim_order *order, const char *symbol)
{
    char name[32];
    ms_symbol_canonical(order->order.symbol, name);
    return strcmp(name, symbol) == 0;
}

static bool triggered_at(const ms_order *order, double price)
{
    bool buy = order->side > 0;
    switch (order->type) {
    case MS_ORDER_MARKET:
        return true;
    case MS_ORDER_LIMIT:
        return buy ? price <= order->limit_price : price >= order->limit_price;
    case MS_ORDER_STOP:
        return buy ? price >= order->stop_price : price <= order->stop_price;
    case MS_ORDER_STOP_LIMIT:
        break;
    }
    return false;
}

/* How far along the move from `from` to `to` the order triggers, and its
 * fill price: at `from` when it holds there already (a gap, or a leg whose
 * entry filled there), else at its level. Negative when not reached. */
static double trigger_distance(const ms_order *order, double from, double to, double *price)
{
    if (triggered_at(order, from)) {
        *price = from;
        return 0.0;
    }
    double level = order->type == MS_ORDER_LIMIT ? order->limit_price : order->stop_price;
    if (order->type == MS_ORDER_MARKET || !triggered_at(order, to) ||
        level < fmin(from, to) || level > fmax(from, to))
        return -1.0;
    *price = level;
    return fabs(level - from);
}

/* The order working on this segment that the path reaches first. */
static size_t next_fill(const ms_sim *sim, const bar_walk *walk, int segment, double *price)
{
    double start = walk->point[segment > 0 ? segment - 1 : 0], end = walk->point[segment];
    size_t best = SIZE_MAX;
    double best_at = INFINITY;
    for (size_t i = 0; i < sim->order_count; i++) {
        if (walk->segment[i] == NOT_ACTIVE || walk->segment[i] > segment ||
            sim->orders[i].order.state != MS_ORDER_NEW)
            continue;
        double from = walk->segment[i] == segment ? walk->from[i] : start, at_price = 0;
        double distance = trigger_distance(&sim->orders[i].order, from, end, &at_price);
        if (distance < 0 || (segment > 0 && sim->orders[i].order.type == MS_ORDER_MARKET))
            continue;
        double at = fabs(from - start) + distance;
        if (at < best_at) {
            best_at = at;
            best = i;
            *price = at_price;
        }
    }
    return best;
}

/* Legs of a just-filled entry work from its fill on. */
static void activate_legs(const ms_sim *sim, bar_walk *walk, size_t entry, int segment, double price)
{
    for (size_t i = entry + 1; i < sim->order_count && sim->orders[i].leg != MS_SIM_ENTRY; i++)
        if (sim->orders[i].order.state == MS_ORDER_NEW) {
            walk->segment[i] = segment;
            walk->from[i] = price;
        }
}

static ms_status walk_segment(ms_sim *sim, bar_walk *walk, int segment)
{
    for (;;) {
        double price = 0;
        size_t index = next_fill(sim, walk, segment, &price);
        if (index == SIZE_MAX)
            return MS_OK;
        ms_status status = ms_sim_commit(sim, ms_sim_fill_record(sim->orders[index].order.id, price,
                                                                 walk->time));
        if (status != MS_OK)
            return status;
        if (sim->orders[index].leg == MS_SIM_ENTRY)
            activate_legs(sim, walk, index, segment, price);
    }
}

/* Day orders that worked in the bar and are still open expire with it. */
static ms_status expire_day_orders(ms_sim *sim, const bar_walk *walk)
{
    for (size_t i = 0; i < sim->order_count; i++) {
        const ms_order *order = &sim->orders[i].order;
        if (walk->segment[i] == NOT_ACTIVE || order->time_in_force != MS_TIF_DAY ||
            order->state != MS_ORDER_NEW)
            continue;
        ms_status status = ms_sim_commit(sim, ms_sim_expire_record(order->id, walk->time));
        if (status != MS_OK)
            return status;
    }
    return MS_OK;
}

static ms_status play_bar(ms_sim *sim, const char *symbol, const ms_bars *bars, size_t k,
                          bar_walk *walk)
{
    double open = ms_bars_column(bars, MS_COL_OPEN)[k];
    double high = ms_bars_column(bars, MS_COL_HIGH)[k];
    double low = ms_bars_column(bars, MS_COL_LOW)[k];
    bool low_first = fabs(open - low) <= fabs(high - open);
    walk->point[0] = open;
    walk->point[1] = low_first ? low : high;
    walk->point[2] = low_first ? high : low;
    walk->point[3] = ms_bars_column(bars, MS_COL_CLOSE)[k];
    walk->time = ms_bars_timestamps(bars)[k];
    for (size_t i = 0; i < sim->order_count; i++) {
        const ms_sim_order *order = &sim->orders[i];
        bool working = order->order.state == MS_ORDER_NEW && order->active_after < walk->time;
        walk->segment[i] = working && is_symbol(order, symbol) ? 0 : NOT_ACTIVE;
        walk->from[i] = open;
    }
    ms_status status = MS_OK;
    for (int segment = 0; segment < PATH_POINTS && status == MS_OK; segment++)
        status = walk_segment(sim, walk, segment);
    return status == MS_OK ? expire_day_orders(sim, walk) : status;
}

static ms_status trade_symbol(ms_sim *sim, const char *symbol, const ms_bars *bars, int64_t from,
                              int64_t now)
{
    bar_walk walk = { .segment = calloc(sim->order_count + 1, sizeof *walk.segment),
                      .from = calloc(sim->order_count + 1, sizeof *walk.from) };
    ms_status status = walk.segment != NULL && walk.from != NULL
                           ? MS_OK : ms_error(MS_ERR_NOMEM, "out of memory syncing the simulation");
    const int64_t *times = ms_bars_timestamps(bars);
    for (size_t k = 0; k < ms_bars_len(bars) && times[k] <= now && status == MS_OK; k++)
        if (times[k] > from)
            status = play_bar(sim, symbol, bars, k, &walk);
    free(walk.segment);
    free(walk.from);
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
