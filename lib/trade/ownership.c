/*
 * ownership.c - what in an account is marketsim's: the ledger (ledger.c)
 * brought up to date with the broker, our part of each position, and which
 * working orders are ours.
 *
 * Each order of ours still open in the ledger is looked up by its
 * client_order_id: the lookup returns it with its take-profit leg, so a leg
 * that filled between two cycles is counted, and a working leg is known to
 * be ours although Alpaca gives it an id of its own. An order recorded but
 * never acknowledged (a crash between the record and the send) is closed
 * once its cycle's day has passed. Our part of a position is what our
 * fills add up to, never more than the broker holds on that side: when
 * someone else sold some of it, the difference is recorded as an
 * adjustment, so the ledger and the broker agree again.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trade_internal.h"

static void read_broker_order(const ms_order *order, ms_ledger_order *entry)
{
    snprintf(entry->broker_id, sizeof entry->broker_id, "%s", order->id);
    snprintf(entry->status, sizeof entry->status, "%s", order->status);
    entry->filled_qty = order->filled_qty;
    snprintf(entry->leg_id, sizeof entry->leg_id, "%s", order->take_profit_id);
    snprintf(entry->leg_status, sizeof entry->leg_status, "%s", order->take_profit_status);
    entry->leg_filled_qty = order->take_profit_filled_qty;
    entry->open = ms_order_is_open(order->state) ||
                  (*entry->leg_id != '\0' && ms_order_is_open(order->take_profit_state));
}

static ms_status refresh(ms_broker *broker, ms_ledger *ledger, ms_ledger_order *entry,
                         const char *cycle_date)
{
    ms_order order;
    ms_status status = ms_broker_order_by_client_id(broker, entry->client_order_id, &order);
    if (status == MS_ERR_NOT_FOUND) {
        /* Today's cycle may still send it; an earlier day's never will. */
        if (strcmp(entry->cycle_date, cycle_date) == 0)
            return MS_OK;
        snprintf(entry->status, sizeof entry->status, "never placed");
        entry->open = false;
        return ms_ledger_update(ledger, entry);
    }
    if (status != MS_OK)
        return ms_error_wrap(status, "looking up our order %s", entry->client_order_id);
    read_broker_order(&order, entry);
    return ms_ledger_update(ledger, entry);
}

ms_status ms_ownership_refresh(ms_broker *broker, ms_ledger *ledger, const char *cycle_date)
{
    ms_ledger_order *open = NULL;
    size_t count = 0;
    ms_status status = ms_ledger_open_orders(ledger, &open, &count);
    for (size_t i = 0; i < count && status == MS_OK; i++)
        status = refresh(broker, ledger, &open[i], cycle_date);
    free(open);
    return status;
}

ms_status ms_ownership_holding(ms_ledger *ledger, const ms_position *position, int64_t now,
                               ms_plan_holding *out)
{
    char symbol[32];
    ms_symbol_canonical(position->symbol, symbol);
    out->qty = 0;
    out->take_profit = NAN;
    double ours = 0;
    ms_status status = ms_ledger_holding(ledger, symbol, &ours);
    if (status != MS_OK || fabs(ours) < 1e-9)
        return status;
    /* Never more than the broker holds on our side. */
    double kept = ours * position->qty <= 0 ? 0.0
                  : fabs(ours) > fabs(position->qty) ? position->qty : ours;
    if (fabs(kept - ours) > 1e-9) {
        char reason[128];
        snprintf(reason, sizeof reason, "the broker holds %g, our fills %g: someone else traded it",
                 position->qty, ours);
        status = ms_ledger_adjust(ledger, symbol, kept - ours, reason, now);
    }
    out->qty = kept;
    int side = 0;
    double price = NAN;
    if (kept != 0 && ms_ledger_entry_take_profit(ledger, symbol, &side, &price) &&
        side * kept > 0)
        out->take_profit = price;
    return status;
}

bool ms_ownership_is_ours(ms_ledger *ledger, const ms_order *order)
{
    return strncmp(order->client_order_id, MS_TRADE_ID_PREFIX, strlen(MS_TRADE_ID_PREFIX)) == 0 ||
           ms_ledger_knows_broker_id(ledger, order->id) ||
           ms_ledger_knows_broker_id(ledger, order->parent_id);
}
