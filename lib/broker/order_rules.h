/*
 * order_rules.h - what Alpaca accepts of an order on its own terms, per
 * asset class: order classes, times in force, types, fractional
 * quantities, price increments and where an OTO or bracket exit may sit.
 * The account's side of the rules (buying power, held quantities, wash
 * trades) depends on the account and stays with each broker.
 *
 * One table serves three callers: the simulated broker refuses what Alpaca
 * would refuse, with Alpaca's code and words; the trade plan builds only
 * orders that pass; and tests submit the same requests to the simulated
 * broker and to the strict test Alpaca server, which must agree.
 */
#ifndef MS_ORDER_RULES_H
#define MS_ORDER_RULES_H

#include <stdbool.h>

#include "marketsim/broker.h"

/* Alpaca's error codes: 403 40310000 (the account's rules: buying power,
 * held quantity, wash trades) and 422 42210000 (the order's own rules). */
#define MS_ALPACA_CODE_FORBIDDEN 40310000L
#define MS_ALPACA_CODE_UNPROCESSABLE 42210000L

/* Whether Alpaca takes this order class for this asset class: crypto
 * takes simple orders only. */
bool ms_order_class_allowed(ms_asset_class asset, ms_order_class order_class);

/* The time in force an order of this asset class rests with until it fills
 * or is canceled at the end of the session: day for stocks, gtc for crypto
 * (which has no sessions and refuses day). */
ms_time_in_force ms_order_resting_time_in_force(ms_asset_class asset);

/*
 * What a broker states of the orders it takes beyond the request's fields
 * (ms_broker_price_increment, ms_broker_client_id_max): each broker points
 * ms_broker.limits at its own, and the trade plan builds prices and ids to
 * them instead of assuming Alpaca's.
 */
typedef struct ms_order_limits {
    const char *broker;                  /* whose limits, in messages: "Alpaca" */
    size_t client_id_max;                /* the longest client_order_id */
    const char *client_id_punctuation;   /* what an id may hold besides letters and digits */
    /* The price step for `asset` at `price`, 1/N of a dollar; 0 when any
     * price is taken. */
    double (*price_increment)(ms_asset_class asset, double price);
} ms_order_limits;

/* Alpaca's: client_order_id up to 48 characters; stocks in cents from $1 up
 * and in 0.0001 below (its sub-penny rule), crypto prices as sent (Alpaca's
 * per-pair increments are not read: marketsim sends crypto limits as the
 * analysis priced them). The simulated broker states these too. */
extern const ms_order_limits ms_alpaca_order_limits;

/* `price` moved onto the limits' increment for `asset`; unchanged when the
 * broker takes any price. direction: -1 down, +1 up, 0 nearest. */
double ms_order_limits_round(const ms_order_limits *limits, ms_asset_class asset, double price,
                             int direction);

/* MS_OK when the broker takes `id` as a client_order_id, else
 * MS_ERR_INVALID_ARG naming the broker's rule it breaks. */
ms_status ms_order_limits_check_id(const ms_order_limits *limits, const char *id);

/*
 * Whether Alpaca would refuse `request` on the order's own terms: true with
 * *code set to Alpaca's code and `reason` (size bytes) to Alpaca's words
 * (e.g. "crypto orders support only the simple order class"), so each
 * broker wraps them in its own message; false when the order passes.
 * `base_price` is the entry's expected price, which the exits of an OTO or
 * bracket order are checked against (its limit, else what the broker
 * knows of the market; NAN skips that check).
 */
bool ms_order_rules_refuse(const ms_order_request *request, double base_price, long *code,
                           char *reason, size_t size);

#endif
