/*
 * marketsim/trade.h - the trade cycle: an analysis report and a broker's
 * account, positions and working orders in; a plan of orders out (entries
 * for the picks, closes for positions whose forecast flipped or whose
 * strategy return turned negative); then the plan sent to the broker.
 *
 * Orders carry deterministic client_order_ids, "ms-<YYYYMMDD>-<SYMBOL>-
 * <side>-<leg>", built from the cycle date (the broker clock's UTC date),
 * the symbol without '/' or '-', buy or sell, and the leg: "entry" for an
 * entry (stocks: one OTO order, a limit entry and its take-profit exit;
 * crypto: a simple limit order), "exit" for a take profit placed on its
 * own and "close" for a market order closing a position. A cycle run
 * twice the same day, or re-run after a crash, finds its orders by id and
 * sends none twice. Orders with other ids, and the part of a position
 * that is not ours, are never touched (docs/trading.md).
 *
 * Thread safety: a result is used by one thread at a time, like the broker;
 * the report a plan reads may be shared. ms_trade_order_id and the market
 * time functions are pure: safe from any thread.
 *
 * Ownership: the report and broker are borrowed for each call; a result
 * copies what it keeps and is freed with ms_trade_result_free; what its
 * accessors return is owned by it and valid until then.
 *
 * Errors: a function returning ms_status returns MS_OK or one of the
 * negative codes its comment lists, and then ms_last_error() holds the
 * message (common.h).
 */
#ifndef MARKETSIM_TRADE_H
#define MARKETSIM_TRADE_H

#include <signal.h>

#include "analyze.h"
#include "broker.h"
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ms_trade_action {
    MS_TRADE_ENTER = 0,   /* send an entry: one OTO order, limit entry + take profit */
    MS_TRADE_CLOSE = 1,   /* send a market order closing a position */
    MS_TRADE_CANCEL = 2,  /* cancel a working order of a symbol about to be closed */
    MS_TRADE_SKIP = 3,    /* a pick left alone; `reason` says why */
    MS_TRADE_HOLD = 4,    /* a position of ours kept; `reason` says why */
    MS_TRADE_EXIT = 5,    /* send the take profit of a position of ours that has none working:
                             a limit order of the quantity held (crypto, or a lapsed stock leg) */
    MS_TRADE_LEAVE = 6    /* someone else's position, part of a position or working order: never
                             touched; `qty` and `order` say what it is */
} ms_trade_action;

typedef enum ms_trade_outcome {
    MS_TRADE_PENDING = 0,   /* not sent: a plan, a dry run, a skip or hold, or stopped before it */
    MS_TRADE_SENT = 1,      /* sent now and acknowledged (an order placed, a cancel done) */
    MS_TRADE_EXISTING = 2,  /* the broker already had this client_order_id: nothing sent */
    MS_TRADE_FAILED = 3     /* refused or failed: see `error` */
} ms_trade_outcome;

/* One step of a plan. Prices are NAN where they do not apply. */
typedef struct ms_trade_step {
    ms_trade_action action;
    char symbol[32];                  /* the broker's spelling: "AAPL", "BTC/USD" */
    ms_strategy strategy;             /* ENTER, SKIP: the pick's strategy */
    char reason[128];
    /* ENTER, CLOSE: the order */
    char client_order_id[49];
    int side;                         /* +1 buy, -1 sell */
    double qty;
    ms_order_type type;
    ms_time_in_force time_in_force;
    ms_order_class order_class;
    double limit_price;
    double take_profit_limit;
    /* CANCEL: the broker's id of the order to cancel */
    char order_id[64];
    /* Execution */
    ms_trade_outcome outcome;
    ms_order order;                   /* SENT, EXISTING: the broker's order; CANCEL: the one canceled */
    char error[256];                  /* FAILED: what the broker or the call said */
} ms_trade_step;

/* What the cycle saw and did, besides its steps. */
typedef struct ms_trade_summary {
    char broker[32];                  /* ms_broker_name */
    char cycle_date[9];               /* YYYYMMDD, as in the client_order_ids */
    ms_market_clock clock;
    ms_account account;               /* before the cycle */
    size_t positions;                 /* held before the cycle */
    size_t working_orders;            /* open before the cycle */
    double planned_cost;              /* buying power the new entries use */
    int executed;                     /* 1 once ms_trade_execute ran (0: a plan or dry run) */
    int stopped;                      /* 1 when a stop request ended execution early */
    size_t sent, existing, failed;    /* steps by outcome */
    /* The broker clock of the previous cycle in this account (from the
     * ledger); 0 when this is the first. The fills since then (a take
     * profit that filled between cycles, say) are ms_trade_result_fills. */
    int64_t previous_cycle;
} ms_trade_summary;

typedef struct ms_trade_result ms_trade_result;

typedef struct ms_trade_options {
    int version;                      /* MS_TRADE_OPTIONS_VERSION */
    int dry_run;                      /* ms_trade_cycle: plan only, send nothing */
    /* Called after each step is sent (whatever its outcome), e.g. to show
     * progress. NULL for none. */
    void (*on_step)(void *context, const ms_trade_step *step);
    void *context;
    /* When not NULL, checked before each step: once non-zero (e.g. set by
     * a signal handler), execution stops and the rest stays pending. */
    const volatile sig_atomic_t *stop;
    /* The ledger of marketsim's own orders in this account (docs/trading.md).
     * NULL: beside a sim journal (PATH.ledger), else
     * $XDG_STATE_HOME/marketsim/ledger/<broker>-<account id>.sqlite. A dry
     * run reads it and never writes it. */
    const char *ledger_path;
} ms_trade_options;

#define MS_TRADE_OPTIONS_VERSION 1
#define MS_TRADE_OPTIONS_INIT { MS_TRADE_OPTIONS_VERSION, 0, NULL, NULL, NULL, NULL }

/* Fills *opts with the defaults of version `version` (1 to
 * MS_TRADE_OPTIONS_VERSION; pass MS_TRADE_OPTIONS_VERSION), as MS_TRADE_OPTIONS_INIT does. Writes
 * only the fields that version has, so a caller built against an older
 * header gets a struct the size its header says. Errors: MS_ERR_INVALID_ARG
 * for a NULL opts or another version. */
MS_API ms_status ms_trade_options_init(ms_trade_options *opts, int version);

/*
 * Plans a cycle: reads the broker's clock, account, positions and every
 * working order, brings the ledger of marketsim's own orders up to date
 * (each order of ours still open is looked up by its client_order_id, with
 * its take-profit leg), and builds the steps. Only what is ours is ever
 * touched: orders with our client_order_ids and their legs, and the part
 * of each position our own fills make up; everything else is listed as
 * left alone (MS_TRADE_LEAVE).
 *  - each position of ours whose symbol's forecast side is now opposite,
 *    or whose best strategy's mean return is negative, is closed at the
 *    market for our quantity only, after canceling our working orders on
 *    the symbol (a take-profit leg holds the shares); others are held, and
 *    one whose take profit is not working (crypto, or a lapsed day leg)
 *    gets it (MS_TRADE_EXIT);
 *  - our unfilled entries from earlier cycles are canceled;
 *  - each pick becomes one entry: for stocks an OTO order (limit entry,
 *    take-profit leg; day), for crypto a simple gtc limit order whose take
 *    profit a later cycle places once it has filled (Alpaca takes only
 *    simple crypto orders). Its size is the pick's quantity capped by the
 *    buying power left. Picks are skipped when the symbol already has an
 *    order of ours working, a position of ours, someone else's order on
 *    the other side (a potential wash trade) or someone else's position on
 *    the other side, or is crypto to be sold short. Prices are moved onto
 *    the asset's increment: buy entries down, sell entries up.
 * Nothing is sent (and with opts->dry_run, the ledger file is not written:
 * ms_trade_execute then refuses the result). opts NULL = defaults. *out is
 * freed with ms_trade_result_free.
 * Errors: MS_ERR_INVALID_ARG (NULL argument, bad options version),
 * MS_ERR_NOMEM, MS_ERR_IO or MS_ERR_PARSE (the ledger), and the broker's
 * (broker.h; *out is then NULL: nothing planned).
 */
MS_API ms_status ms_trade_plan(ms_broker *broker, const ms_report *report,
                               const ms_trade_options *opts, ms_trade_result **out);

/*
 * Sends a plan's pending steps in order: cancels, closes, exits, entries.
 * Each order is recorded in the ledger before it is sent. A close waits
 * until the broker has finished canceling the orders before it (at most a
 * few seconds). A step the broker refuses is marked FAILED and the others
 * still go (a close whose cancel failed is not sent). Returns MS_OK even
 * then: the steps and the summary's counts say what happened. opts NULL =
 * defaults.
 * Errors: MS_ERR_INVALID_ARG (no broker or result, bad options version, a
 * result planned as a dry run).
 */
MS_API ms_status ms_trade_execute(ms_broker *broker, ms_trade_result *result,
                                  const ms_trade_options *opts);

/* ms_trade_plan, then ms_trade_execute unless opts->dry_run (opts NULL =
 * defaults; a dry run changes nothing, at the broker or on disk). *out, freed with ms_trade_result_free, holds the plan and what
 * was sent. Errors: those of ms_trade_plan and ms_trade_execute. */
MS_API ms_status ms_trade_cycle(ms_broker *broker, const ms_report *report,
                                const ms_trade_options *opts, ms_trade_result **out);

/* Frees a result and everything its accessors returned. NULL-safe. */
MS_API void ms_trade_result_free(ms_trade_result *result);

/* The result's summary, its number of steps, and step i (in plan order),
 * all owned by the result;
 * NULL (count 0) for a NULL result, NULL for i out of range. */
MS_API const ms_trade_summary *ms_trade_result_summary(const ms_trade_result *result);
MS_API size_t ms_trade_result_step_count(const ms_trade_result *result);
MS_API const ms_trade_step *ms_trade_result_step(const ms_trade_result *result, size_t i);

/* The account's fills since the previous cycle (summary.previous_cycle),
 * oldest first, owned by the result; NULL for the first cycle, a NULL
 * result, or when the broker could not list them (a warning is logged: the
 * plan does not depend on them). Their realised P&L is NAN (ms_fill). */
MS_API const ms_fills *ms_trade_result_fills(const ms_trade_result *result);

/* The plan for people: what the cycle saw and each step with its reason.
 * *out, NUL-terminated, freed with ms_free.
 * Errors: MS_ERR_INVALID_ARG (NULL argument), MS_ERR_NOMEM. */
MS_API ms_status ms_trade_plan_to_text(const ms_trade_result *result, char **out);

/* What was sent: each order and cancel with the broker's answer. *out,
 * NUL-terminated, freed with ms_free.
 * Errors: MS_ERR_INVALID_ARG (NULL argument), MS_ERR_NOMEM. */
MS_API ms_status ms_trade_result_to_text(const ms_trade_result *result, char **out);

/* Everything as one JSON document (docs/cli.md); non-finite numbers null.
 * *out, NUL-terminated, freed with ms_free.
 * Errors: MS_ERR_INVALID_ARG (NULL argument), MS_ERR_NOMEM. */
MS_API ms_status ms_trade_result_to_json(const ms_trade_result *result, char **out);

/* One step as the JSON object it is in the document's "steps" array, on
 * one line: for an on_step callback that reports progress, or a binding.
 * *out freed with ms_free. Errors: MS_ERR_INVALID_ARG (NULL), MS_ERR_NOMEM. */
MS_API ms_status ms_trade_step_to_json(const ms_trade_step *step, char **out);

/*
 * Writes the client_order_id of (cycle time, symbol, side, leg) into out:
 * "ms-20260102-BTCUSD-buy-entry" (side +1 buy, -1 sell; `leg` e.g. "entry"
 * or "close"). Errors: MS_ERR_INVALID_ARG for a NULL argument, an empty
 * leg, another side, or when the
 * symbol has characters other than letters, digits, '.', '/' and '-', or
 * the id would not fit `size`. Whether a broker takes the id is its own
 * rule: ms_broker_check_client_id (the trade plan checks every id so).
 */
MS_API ms_status ms_trade_order_id(int64_t cycle_time, const char *symbol, int side,
                                   const char *leg, char *out, size_t size);

/* ---- Market times (US/Eastern, computed from UTC: no tz database) -------- */

/* Seconds to add to UTC for US/Eastern at `utc`: -14400 (EDT) from the
 * second Sunday of March 07:00 UTC to the first Sunday of November 06:00
 * UTC (the 2007 rules), -18000 (EST) otherwise. Pure; no errors. */
MS_API int ms_us_eastern_offset(int64_t utc);

/*
 * The first time after `now` (UTC seconds) that is one of `times` (seconds
 * after midnight US/Eastern, 0..86399) on a weekday, or on any day when
 * `every_day` (crypto trades on weekends). Market holidays are not known.
 * `times` holds n values; the answer is written to *out.
 * Errors: MS_ERR_INVALID_ARG (NULL times or out, no times, one out of range).
 */
MS_API ms_status ms_trade_next_time(int64_t now, const int *times, size_t n, int every_day,
                                    int64_t *out);

#ifdef __cplusplus
}
#endif
#endif
