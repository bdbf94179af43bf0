/*
 * fills_since.c - what filled since the previous cycle: a take profit
 * reached between cycles, an entry filled overnight, someone else's order.
 * The ledger keeps the broker clock of every cycle; the broker lists the
 * fills after the latest one, each said to be ours (a take profit of
 * which entry) or not. They are information for the summary, not
 * an input of the plan (which reads positions and orders), so a broker
 * that cannot list them costs a warning, not the cycle.
 */
#include <stdio.h>

#include "trade_internal.h"

ms_status ms_trade_read_fills(ms_broker *broker, ms_trade_result *result)
{
    ms_trade_summary *summary = &result->summary;
    int64_t previous = 0;
    if (ms_ledger_last_cycle(result->ledger, &previous) && previous > 0) {
        summary->previous_cycle = previous;
        if (ms_broker_fills(broker, previous, &result->fills) != MS_OK)
            MS_WARN("listing the fills since the previous cycle failed (%s): the cycle goes on "
                    "without them", ms_last_error());
    }
    return ms_ledger_record_cycle(result->ledger, summary->clock.timestamp);
}

void ms_trade_fill_owner(ms_ledger *ledger, const ms_fill *fill, ms_fill_owner *out)
{
    ms_ledger_order order;
    bool is_leg = false;
    *out = (ms_fill_owner){ .ours = ms_ledger_find_broker_id(ledger, fill->order_id, &order, &is_leg) };
    if (out->ours) {
        out->take_profit = is_leg;
        snprintf(out->client_order_id, sizeof out->client_order_id, "%s", order.client_order_id);
    }
}

MS_API const ms_fills *ms_trade_result_fills(const ms_trade_result *result)
{
    return result != NULL ? result->fills : NULL;
}
