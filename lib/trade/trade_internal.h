/*
 * trade_internal.h - the trade layer's pieces: symbols and order ids
 * (symbols.c), the plan built from plain inputs (order_plan.c, pure, so
 * tests can drive it without a broker), the result and its steps (result.c),
 * the cycle against a broker (cycle.c) and the plan as text and JSON
 * (plan_text.c, plan_json.c).
 */
#ifndef MS_TRADE_INTERNAL_H
#define MS_TRADE_INTERNAL_H

#include "broker/order_rules.h"
#include "broker/order_words.h"
#include "core/core_internal.h"
#include "ledger.h"
#include "marketsim/trade.h"

struct ms_trade_result {
    ms_trade_summary summary;
    ms_trade_step *steps;
    size_t step_count, step_capacity;
    ms_ledger *ledger;             /* owned: where execution records our orders */
    bool dry_run;                  /* planned read-only: never executed */
    ms_fills *fills;               /* owned: since the previous cycle; NULL when none */
};

/* Every client_order_id marketsim makes starts with this. */
#define MS_TRADE_ID_PREFIX "ms-"

/* ---- Symbols and ids (symbols.c) ----------------------------------------- */

/* Room for a client_order_id (48 characters) and its terminator. */
#define MS_TRADE_ID_SIZE sizeof(((ms_trade_step *)0)->client_order_id)

/* Alpaca's spelling for orders: "BTCUSD" -> "BTC/USD"; stocks upper case.
 * Errors: MS_ERR_INVALID_ARG (empty or too long). */
ms_status ms_trade_broker_symbol(const char *symbol, char out[32]);

/* YYYYMMDD of a UTC time. */
void ms_trade_cycle_date(int64_t time, char out[9]);

/* ---- Ownership (ownership.c) --------------------------------------------- */

/* Our part of one position, and where its profit is to be taken. */
typedef struct ms_plan_holding {
    double qty;                  /* ours, signed like the position; 0 when none is ours */
    double take_profit;          /* our latest filled entry's take profit; NAN when unknown */
} ms_plan_holding;

/* Looks every order of ours still open in the ledger up at the broker and
 * records what it says. Errors: the broker's (other than not found), the
 * ledger's. */
ms_status ms_ownership_refresh(ms_broker *broker, ms_ledger *ledger, const char *cycle_date);

/* Our part of `position` (after a refresh), recording an adjustment when
 * the broker holds less than our fills add up to. Errors: the ledger's. */
ms_status ms_ownership_holding(ms_ledger *ledger, const ms_position *position, int64_t now,
                               ms_plan_holding *out);

/* Whether a working order is ours: one of our client_order_ids, or a leg
 * of one of our orders. */
bool ms_ownership_is_ours(ms_ledger *ledger, const ms_order *order);

/* ---- The plan (order_plan.c) --------------------------------------------- */

/* One analysed symbol's view for the next day. */
typedef struct ms_plan_signal {
    const char *symbol;          /* as analysed: "AAPL", "BTCUSD" */
    int side;                    /* the best strategy's next-day side; 0 none */
    double mean_return;          /* the best strategy's mean average daily return */
} ms_plan_signal;

/* Everything a plan is built from; all borrowed. */
typedef struct ms_plan_inputs {
    int64_t cycle_time;          /* the broker clock: gives the ids' date */
    double buying_power;
    const ms_pick *picks;
    size_t pick_count;
    const ms_plan_signal *signals;
    size_t signal_count;
    const ms_position *positions;
    const ms_plan_holding *holdings;   /* ours, one per position */
    size_t position_count;
    /* Working orders, plus any order the broker already has under one of
     * this cycle's ids (whatever its status), and whether each is ours. */
    const ms_order *orders;
    const bool *own_orders;
    size_t order_count;
    const ms_order_limits *limits;     /* the broker's: price increments, id rule */
} ms_plan_inputs;

/* Appends the plan's steps to `result` (see ms_trade_plan for the rules)
 * and sets its planned cost. Errors: MS_ERR_NOMEM, MS_ERR_INVALID_ARG (a
 * symbol no id can be made of). */
ms_status ms_plan_build(const ms_plan_inputs *in, ms_trade_result *result);

/* ---- Fills since the previous cycle (fills_since.c) ---------------------- */

/* Reads the previous cycle's time from the ledger into the summary, the
 * fills since then from the broker into result->fills (a failure only
 * warns), and records this cycle's clock in the ledger.
 * Errors: MS_ERR_IO (recording the cycle). */
ms_status ms_trade_read_fills(ms_broker *broker, ms_trade_result *result);

/* Whose a fill is, by its order's broker id in the ledger. */
typedef struct ms_fill_owner {
    bool ours;
    bool take_profit;              /* the take-profit leg of one of our entries */
    char client_order_id[64];      /* ours: our order (for a leg, its entry); "" otherwise */
} ms_fill_owner;

void ms_trade_fill_owner(ms_ledger *ledger, const ms_fill *fill, ms_fill_owner *out);

/* ---- Results (result.c) -------------------------------------------------- */

/* A new empty result; NULL when memory runs out. */
ms_trade_result *ms_trade_result_new(void);

/* Appends a step for `symbol` with every price NAN and outcome pending;
 * NULL when memory runs out. */
ms_trade_step *ms_trade_add_step(ms_trade_result *result, ms_trade_action action, const char *symbol);

/* Recounts the summary's sent, existing and failed steps. */
void ms_trade_count_outcomes(ms_trade_result *result);

/* Whether a step sends something to the broker (an order or a cancel). */
bool ms_trade_action_sends(ms_trade_action action);

/* Names used by the text and JSON writers. */
const char *ms_trade_action_name(ms_trade_action action);
const char *ms_trade_outcome_name(ms_trade_outcome outcome);

#endif
