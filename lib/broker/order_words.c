/*
 * order_words.c - Alpaca's words for the order enums (order_words.h).
 */
#include "order_words.h"

/* The tables are indexed by the public enums' values: a value added there
 * must get its word here. */
_Static_assert(MS_ORDER_STOP_LIMIT + 1 == MS_ORDER_TYPE_COUNT, "a word per ms_order_type");
_Static_assert(MS_TIF_FOK + 1 == MS_TIME_IN_FORCE_COUNT, "a word per ms_time_in_force");
_Static_assert(MS_CLASS_OCO + 1 == MS_ORDER_CLASS_COUNT, "a word per ms_order_class");

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
