/*
 * sim_book.c - the simulated account's books: orders and positions in
 * memory, cash, average entry prices, equity and buying power. No I/O:
 * records (sim_records.c) are the only callers that change anything.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_internal.h"

/* A position smaller than this is flat: crypto quantities are sums of
 * 0.001 steps, which binary floating point does not always cancel exactly. */
#define FLAT_QUANTITY 1e-9

int64_t ms_sim_now(const ms_sim *sim)
{
    return sim->synced ? sim->clock : (int64_t)time(NULL);
}

bool ms_sim_order_open(const ms_sim_order *order)
{
    return order->order.state == MS_ORDER_NEW || order->order.state == MS_ORDER_HELD;
}

ms_sim_order *ms_sim_find_order(ms_sim *sim, const char *id)
{
    for (size_t i = 0; i < sim->order_count; i++)
        if (strcmp(sim->orders[i].order.id, id) == 0)
            return &sim->orders[i];
    return NULL;
}

ms_sim_order *ms_sim_find_client_order(ms_sim *sim, const char *client_order_id)
{
    for (size_t i = 0; i < sim->order_count; i++)
        if (sim->orders[i].leg == MS_SIM_ENTRY &&
            strcmp(sim->orders[i].order.client_order_id, client_order_id) == 0)
            return &sim->orders[i];
    return NULL;
}

ms_sim_position *ms_sim_find_position(const ms_sim *sim, const char *symbol)
{
    char name[32];
    ms_symbol_canonical(symbol, name);
    for (size_t i = 0; i < sim->position_count; i++)
        if (strcmp(sim->positions[i].symbol, name) == 0)
            return &sim->positions[i];
    return NULL;
}

ms_sim_order *ms_sim_add_order(ms_sim *sim)
{
    if (ms_reserve(&sim->orders, &sim->order_capacity, sim->order_count + 1, sizeof *sim->orders)
        != MS_OK)
        return NULL;
    ms_sim_order *order = &sim->orders[sim->order_count++];
    memset(order, 0, sizeof *order);
    return order;
}

static ms_sim_position *open_position(ms_sim *sim, const char *symbol)
{
    if (ms_reserve(&sim->positions, &sim->position_capacity, sim->position_count + 1,
                   sizeof *sim->positions) != MS_OK)
        return NULL;
    ms_sim_position *position = &sim->positions[sim->position_count++];
    memset(position, 0, sizeof *position);
    ms_symbol_canonical(symbol, position->symbol);
    return position;
}

/* Adding to a position averages its entry price; reducing keeps it;
 * crossing through flat starts the new side at the fill price. */
ms_status ms_sim_book_fill(ms_sim *sim, const char *symbol, double qty, double price)
{
    ms_sim_position *position = ms_sim_find_position(sim, symbol);
    if (position == NULL && (position = open_position(sim, symbol)) == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory booking a fill of %s", symbol);
    double before = position->qty, after = before + qty;
    if (before == 0 || (before > 0) == (qty > 0))
        position->avg_entry_price = (fabs(before) * position->avg_entry_price + fabs(qty) * price) /
                                    fabs(after);
    else if (fabs(qty) > fabs(before))
        position->avg_entry_price = price;
    position->qty = after;
    sim->cash -= qty * price;
    if (fabs(after) < FLAT_QUANTITY)
        *position = sim->positions[--sim->position_count];
    return MS_OK;
}

double ms_sim_mark(const ms_sim *sim, const char *symbol)
{
    char name[32];
    ms_symbol_canonical(symbol, name);
    json_t *mark = json_object_get(sim->marks, name);
    return mark != NULL ? json_real_value(mark) : NAN;
}

double ms_sim_position_price(const ms_sim *sim, const ms_sim_position *position)
{
    double mark = ms_sim_mark(sim, position->symbol);
    return isfinite(mark) ? mark : position->avg_entry_price;
}

double ms_sim_equity(const ms_sim *sim)
{
    double equity = sim->cash;
    for (size_t i = 0; i < sim->position_count; i++)
        equity += sim->positions[i].qty * ms_sim_position_price(sim, &sim->positions[i]);
    return equity;
}

double ms_sim_order_cost(const ms_sim *sim, const char *symbol, int side, double qty, double price)
{
    ms_sim_position *position = ms_sim_find_position(sim, symbol);
    double held = position != NULL ? position->qty : 0.0;
    double reduced = held * side < 0 ? fmin(qty, fabs(held)) : 0.0;
    return (qty - reduced) * price;
}

/* An open entry's price for reserving buying power: its limit or stop,
 * else (a market order) the symbol's mark. */
static double reserve_price(const ms_sim *sim, const ms_order *order)
{
    if (isfinite(order->limit_price))
        return order->limit_price;
    if (isfinite(order->stop_price))
        return order->stop_price;
    double mark = ms_sim_mark(sim, order->symbol);
    return isfinite(mark) ? mark : 0.0;
}

double ms_sim_buying_power(const ms_sim *sim)
{
    double power = MS_SIM_MARGIN_MULTIPLIER * ms_sim_equity(sim);
    for (size_t i = 0; i < sim->position_count; i++)
        power -= fabs(sim->positions[i].qty * ms_sim_position_price(sim, &sim->positions[i]));
    for (size_t i = 0; i < sim->order_count; i++) {
        const ms_sim_order *entry = &sim->orders[i];
        if (entry->leg == MS_SIM_ENTRY && ms_sim_order_open(entry))
            power -= ms_sim_order_cost(sim, entry->order.symbol, entry->order.side, entry->order.qty,
                                       reserve_price(sim, &entry->order));
    }
    return power > 0 ? power : 0.0;
}

void ms_sim_free_state(ms_sim *sim)
{
    ms_sim_journal_close(&sim->journal);
    free(sim->orders);
    free(sim->positions);
    free(sim->fill_log);
    json_decref(sim->marks);
    free(sim);
}
