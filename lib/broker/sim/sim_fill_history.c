/*
 * sim_fill_history.c - the simulated broker's fills: every fill record of
 * the journal, replayed or new, notes its order here (sim_apply.c), so the
 * fills come back in the order the journal holds them. The sim fills an
 * order whole, so a fill is its order's quantity at the record's price and
 * time, and its id is the order's.
 */
#include <stdio.h>
#include <stdlib.h>

#include "broker/fills_internal.h"
#include "sim_internal.h"

ms_status ms_sim_log_fill(ms_sim *sim, size_t order)
{
    if (ms_reserve(&sim->fill_log, &sim->fill_capacity, sim->fill_count + 1, sizeof *sim->fill_log)
        != MS_OK)
        return ms_error(MS_ERR_NOMEM, "out of memory recording a fill");
    sim->fill_log[sim->fill_count++] = order;
    return MS_OK;
}

ms_status ms_sim_fills(void *state, int64_t after, ms_fills *out)
{
    const ms_sim *sim = state;
    ms_status status = MS_OK;
    for (size_t i = 0; i < sim->fill_count && status == MS_OK; i++) {
        const ms_order *order = &sim->orders[sim->fill_log[i]].order;
        if (after > 0 && order->filled_at <= after)
            continue;
        ms_fill fill = { .side = order->side, .qty = order->filled_qty,
                         .price = order->filled_avg_price, .time = order->filled_at };
        snprintf(fill.id, sizeof fill.id, "%s", order->id);
        snprintf(fill.order_id, sizeof fill.order_id, "%s", order->id);
        snprintf(fill.client_order_id, sizeof fill.client_order_id, "%s", order->client_order_id);
        snprintf(fill.symbol, sizeof fill.symbol, "%s", order->symbol);
        status = ms_fills_append(out, &fill);
    }
    return status;
}
