/*
 * ledger.h - marketsim's own orders in one account, kept in SQLite (why
 * SQLite: docs/trading.md). An account is shared with people and other
 * programs; the broker knows what exists, not who made it. The ledger
 * holds every order a cycle meant to send (written before it is sent) and
 * what the broker last said of it and of its take-profit leg, so a cycle
 * knows which working orders are its own and how much of each position its
 * own fills make up. Nothing else is ever canceled or closed.
 *
 * A read-only ledger (dry runs) is a copy in memory: it is updated like the
 * real one during the cycle and nothing reaches the file.
 */
#ifndef MS_TRADE_LEDGER_H
#define MS_TRADE_LEDGER_H

#include <stdbool.h>

#include "core/core_internal.h"
#include "marketsim/broker.h"

typedef struct ms_ledger ms_ledger;

typedef enum ms_ledger_kind {
    MS_LEDGER_ENTRY = 0,   /* opens a position (stocks: with its take-profit leg) */
    MS_LEDGER_EXIT = 1,    /* takes profit on a position the entry opened */
    MS_LEDGER_CLOSE = 2    /* closes the position at the market */
} ms_ledger_kind;

/* One order of ours and what the broker last said of it. */
typedef struct ms_ledger_order {
    char client_order_id[64];
    char cycle_date[9];            /* YYYYMMDD of the cycle that planned it */
    char symbol[32];               /* canonical: "AAPL", "BTCUSD" */
    ms_ledger_kind kind;
    int side;                      /* +1 buy, -1 sell */
    double qty;
    double take_profit;            /* entry: where its profit is taken; NAN otherwise */
    char broker_id[64];            /* "" until the broker acknowledged it */
    char status[24];               /* the broker's word, "" before */
    double filled_qty;
    char leg_id[64];               /* an entry's take-profit leg, "" when none */
    char leg_status[24];
    double leg_filled_qty;
    bool open;                     /* the order or its leg may still fill */
} ms_ledger_order;

/* Opens the ledger at `path`, creating it (and its directory) unless
 * read_only, which opens a copy in memory (empty when there is no file).
 * Errors: MS_ERR_IO (cannot open or create), MS_ERR_PARSE (a file that is
 * not a marketsim ledger, naming it), MS_ERR_NOMEM. */
ms_status ms_ledger_open(ms_ledger **out, const char *path, bool read_only);

/* Closes the ledger. NULL-safe. */
void ms_ledger_close(ms_ledger *ledger);

/* Records an order before it is sent; an order already recorded under its
 * id is kept as it is. Errors: MS_ERR_IO. */
ms_status ms_ledger_record(ms_ledger *ledger, const ms_ledger_order *order);

/* Writes what the broker said of a recorded order (status, fills, leg,
 * open). Errors: MS_ERR_IO. */
ms_status ms_ledger_update(ms_ledger *ledger, const ms_ledger_order *order);

/* The recorded order with this client_order_id into *out; false when none
 * (or on an error, which is then in ms_last_error). */
bool ms_ledger_find(ms_ledger *ledger, const char *client_order_id, ms_ledger_order *out);

/* The orders still open (*out malloc'ed, free with free; NULL when none).
 * Errors: MS_ERR_IO, MS_ERR_NOMEM. */
ms_status ms_ledger_open_orders(ms_ledger *ledger, ms_ledger_order **out, size_t *count);

/* Our quantity in `symbol` (canonical): what our fills bought less what
 * they sold, with the adjustments. Errors: MS_ERR_IO. */
ms_status ms_ledger_holding(ms_ledger *ledger, const char *symbol, double *qty);

/* The take profit of our latest filled entry in `symbol` and its side;
 * false when there is none. */
bool ms_ledger_entry_take_profit(ms_ledger *ledger, const char *symbol, int *side, double *price);

/* Whether an order with this broker id is ours: an order or a leg we know. */
bool ms_ledger_knows_broker_id(ms_ledger *ledger, const char *broker_id);

/* Records that our holding in `symbol` changed by `qty` without a fill of
 * ours (someone else closed part of it), with the reason. Errors: MS_ERR_IO. */
ms_status ms_ledger_adjust(ms_ledger *ledger, const char *symbol, double qty, const char *reason,
                           int64_t time);

/* The order of ours whose broker id or take-profit leg id is `broker_id`
 * into *out, *is_leg saying which; false when none (or on an error). */
bool ms_ledger_find_broker_id(ms_ledger *ledger, const char *broker_id, ms_ledger_order *out,
                              bool *is_leg);

/* The broker clock of the latest cycle recorded (ms_ledger_record_cycle)
 * into *time; false when none was (or on an error). */
bool ms_ledger_last_cycle(ms_ledger *ledger, int64_t *time);

/* Records that a cycle ran at broker clock `time`. Errors: MS_ERR_IO. */
ms_status ms_ledger_record_cycle(ms_ledger *ledger, int64_t time);

#endif
