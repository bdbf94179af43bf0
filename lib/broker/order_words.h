/*
 * order_words.h - the words for an order's side, type, time in force and
 * class (and the names of ms_order_status, ms_order_status_name). They
 * are Alpaca's API words; the simulated broker's journal, the
 * trade plan's text and JSON and the Alpaca order body all use these same
 * tables, so one order reads the same everywhere it is written.
 */
#ifndef MS_ORDER_WORDS_H
#define MS_ORDER_WORDS_H

#include "marketsim/broker.h"

/* How many values each enum has; the tables below are indexed by value. */
enum { MS_ORDER_TYPE_COUNT = 4, MS_TIME_IN_FORCE_COUNT = 6, MS_ORDER_CLASS_COUNT = 4,
       MS_ORDER_STATUS_COUNT = 18 };

extern const char *const ms_order_type_words[MS_ORDER_TYPE_COUNT];
extern const char *const ms_time_in_force_words[MS_TIME_IN_FORCE_COUNT];
extern const char *const ms_order_class_words[MS_ORDER_CLASS_COUNT];

/* "buy" for +1, "sell" for -1, "-" otherwise (a step with no order). */
const char *ms_order_side_word(int side);

/* The word for a value, or "?" for a value outside its enum: callers that
 * send orders reject such values first (ms_broker_submit does), so "?" only
 * ever shows up in a report of bad input. */
const char *ms_order_type_word(ms_order_type type);
const char *ms_time_in_force_word(ms_time_in_force time_in_force);
const char *ms_order_class_word(ms_order_class order_class);

/* Sets an order's state and, as its display word, the state's name: for a
 * broker whose words are marketsim's (the simulated broker). */
void ms_order_set_state(ms_order *order, ms_order_status state);

#endif
