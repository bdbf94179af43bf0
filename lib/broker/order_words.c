/*
 * order_words.c - Alpaca's words for the order enums and marketsim's names
 * of an order's status (order_words.h), and which statuses are open.
 */
#include <stdio.h>

#include "order_words.h"

/* The tables are indexed by the public enums' values: a value added there
 * must get its word here. */
_Static_assert(MS_ORDER_STOP_LIMIT + 1 == MS_ORDER_TYPE_COUNT, "a word per ms_order_type");
_Static_assert(MS_TIF_FOK + 1 == MS_TIME_IN_FORCE_COUNT, "a word per ms_time_in_force");
_Static_assert(MS_CLASS_OCO + 1 == MS_ORDER_CLASS_COUNT, "a word per ms_order_class");
_Static_assert(MS_ORDER_HELD + 1 == MS_ORDER_STATUS_COUNT, "a name per ms_order_status");

const char *const ms_order_type_words[MS_ORDER_TYPE_COUNT] = { "market", "limit", "stop", "stop_limit" };
const char *const ms_time_in_force_words[MS_TIME_IN_FORCE_COUNT] = { "day", "gtc", "opg", "cls", "ioc", "fok" };
const char *const ms_order_class_words[MS_ORDER_CLASS_COUNT] = { "simple", "oto", "bracket", "oco" };

const char *ms_order_side_word(int side)
{
    return side > 0 ? "buy" : side < 0 ? "sell" : "-";
}

const char *ms_order_type_word(ms_order_type type)
{
    return (unsigned)type < MS_ORDER_TYPE_COUNT ? ms_order_type_words[type] : "?";
}

const char *ms_time_in_force_word(ms_time_in_force time_in_force)
{
    return (unsigned)time_in_force < MS_TIME_IN_FORCE_COUNT ? ms_time_in_force_words[time_in_force] : "?";
}

const char *ms_order_class_word(ms_order_class order_class)
{
    return (unsigned)order_class < MS_ORDER_CLASS_COUNT ? ms_order_class_words[order_class] : "?";
}

static const char *const status_names[MS_ORDER_STATUS_COUNT] = {
    [MS_ORDER_OTHER] = "other", [MS_ORDER_NEW] = "new", [MS_ORDER_ACCEPTED] = "accepted",
    [MS_ORDER_PENDING_NEW] = "pending_new", [MS_ORDER_PARTIALLY_FILLED] = "partially_filled",
    [MS_ORDER_FILLED] = "filled", [MS_ORDER_DONE_FOR_DAY] = "done_for_day",
    [MS_ORDER_CANCELED] = "canceled", [MS_ORDER_EXPIRED] = "expired",
    [MS_ORDER_REPLACED] = "replaced", [MS_ORDER_PENDING_CANCEL] = "pending_cancel",
    [MS_ORDER_PENDING_REPLACE] = "pending_replace", [MS_ORDER_REJECTED] = "rejected",
    [MS_ORDER_SUSPENDED] = "suspended", [MS_ORDER_STOPPED] = "stopped",
    [MS_ORDER_CALCULATED] = "calculated", [MS_ORDER_ACCEPTED_FOR_BIDDING] = "accepted_for_bidding",
    [MS_ORDER_HELD] = "held",
};

MS_API const char *ms_order_status_name(ms_order_status status)
{
    return (unsigned)status < MS_ORDER_STATUS_COUNT ? status_names[status] : "?";
}

/* An unknown status counts as open: taking a working order for done could
 * let a second one be placed beside it. */
MS_API int ms_order_is_open(ms_order_status status)
{
    switch (status) {
    case MS_ORDER_FILLED:
    case MS_ORDER_CANCELED:
    case MS_ORDER_EXPIRED:
    case MS_ORDER_REJECTED:
    case MS_ORDER_REPLACED:
        return 0;
    default:
        return 1;
    }
}

void ms_order_set_state(ms_order *order, ms_order_status state)
{
    order->state = state;
    snprintf(order->status, sizeof order->status, "%s", ms_order_status_name(state));
}
