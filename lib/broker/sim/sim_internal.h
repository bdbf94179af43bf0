/*
 * sim_internal.h - the simulated broker (`sim:PATH`): a paper account kept
 * in memory and in an append-only journal at PATH.
 *
 * Every change is one journal record, written and fsync'ed before the call
 * that made it returns, then applied to the in-memory account by the same
 * function that replays the journal on open (sim_records.c), so the state
 * after a replay is exactly the state that was acknowledged.
 *
 *   sim_broker.c   opening, the ops table, reads (account, positions, orders)
 *   sim_journal.c  the file: lock, read and split lines, torn tail, append + fsync
 *   sim_records.c  the records as JSON; committing one (journal, then apply)
 *   sim_apply.c    applying a record to the account (replay and live alike)
 *   sim_book.c     the account's arithmetic: positions, cash, equity, buying power
 *   sim_submit.c   accepting or rejecting a new order, cancels
 *   sim_fills.c    ms_broker_sync: walking bars, the fill rules
 */
#ifndef MS_SIM_INTERNAL_H
#define MS_SIM_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "broker/broker_internal.h"
#include "broker/order_words.h"

/* A new journal's cash when the options give none. */
#define MS_SIM_DEFAULT_CASH 100000.0

/* Reg-T style margin: buying power is twice the equity not already used. */
#define MS_SIM_MARGIN_MULTIPLIER 2.0

/* ---- The journal file (sim_journal.c) ------------------------------------ */

typedef struct ms_sim_journal {
    char *path;
    int fd;                        /* open for appending, locked against other handles; -1 read-only */
    bool read_only;                /* a dry run's: read once, never written */
} ms_sim_journal;

/* One complete line of the journal, not NUL-terminated. */
typedef struct ms_sim_line {
    const char *text;
    size_t length;
    size_t number;                 /* 1-based */
} ms_sim_line;

/*
 * Opens (creating if needed) and locks the journal, reads it whole and
 * calls `each` for every complete line in order. A torn last line (bytes
 * after the final newline: a crash mid-append) is cut off with a warning so
 * the next append starts on a fresh line, once every complete line has
 * replayed. *created is true for a new or empty file. Errors: MS_ERR_IO
 * (cannot open, lock or read; not a regular file; another handle, in this
 * process or another, holds the journal), MS_ERR_PARSE (a non-empty file
 * with no complete line: not a journal), or what `each` returns; an
 * existing file is left unchanged on every error. read_only: no lock, no
 * file created, no tail cut, and appends do nothing (changes live in
 * memory only: what a dry run does).
 */
ms_status ms_sim_journal_open(ms_sim_journal *journal, const char *path, bool read_only,
                              ms_status (*each)(void *context, const ms_sim_line *line),
                              void *context, bool *created);

/* Appends `record` as one line with a single write, then fsyncs: when this
 * returns MS_OK the record survives a crash (read-only: does nothing).
 * Errors: MS_ERR_IO, MS_ERR_NOMEM. */
ms_status ms_sim_journal_append(ms_sim_journal *journal, const json_t *record);

void ms_sim_journal_close(ms_sim_journal *journal);

/* ---- The account in memory (sim_book.c) ---------------------------------- */

/* Which part of an order a sim order is: the entry, or an exit leg of an
 * OTO or bracket order, listed as an order of its own as Alpaca lists legs. */
typedef enum ms_sim_leg { MS_SIM_ENTRY = 0, MS_SIM_TAKE_PROFIT = 1, MS_SIM_STOP_LOSS = 2 } ms_sim_leg;

typedef struct ms_sim_order {
    ms_order order;                /* what callers see */
    ms_sim_leg leg;
    size_t entry;                  /* index of the entry order (itself for entries) */
    double stop_loss_stop;         /* the bracket's stop, on the entry; NAN otherwise */
    /* Bars strictly after this time can fill the order: its creation for an
     * entry, its entry's fill for a leg (an exit never fills in the bar its
     * entry filled in: daily bars do not say which came first). */
    int64_t active_after;
} ms_sim_order;

typedef struct ms_sim_position {
    char symbol[32];               /* Alpaca's position name: "AAPL", "BTCUSD" */
    double qty;                    /* > 0 long, < 0 short */
    double avg_entry_price;
} ms_sim_position;

typedef struct ms_sim {
    ms_sim_journal journal;
    bool has_account;              /* the account record has been applied */
    double cash;
    int64_t created_at;
    int64_t clock;                 /* the last sync's time; valid when synced */
    bool synced;
    double last_equity;            /* equity at the last sync of an earlier clock time */
    double synced_equity;          /* equity at the last sync */
    ms_sim_order *orders;          /* in submission order; legs follow their entry */
    size_t order_count, order_capacity;
    ms_sim_position *positions;
    size_t position_count, position_capacity;
    json_t *marks;                 /* position symbol -> the last close a sync saw */
    size_t *fill_log;              /* indexes of filled orders, in journal order */
    size_t fill_count, fill_capacity;
} ms_sim;

/* The simulation's clock: the last sync's time, or the wall clock before the first sync. */
int64_t ms_sim_now(const ms_sim *sim);

/* Whether an order is still working (new, or a held leg). */
bool ms_sim_order_open(const ms_sim_order *order);

/* The order with this id, or the entry with this client_order_id; NULL when none. */
ms_sim_order *ms_sim_find_order(ms_sim *sim, const char *id);
ms_sim_order *ms_sim_find_client_order(ms_sim *sim, const char *client_order_id);

/* The position in `symbol` (an order or position name); NULL when flat. */
ms_sim_position *ms_sim_find_position(const ms_sim *sim, const char *symbol);

/* Appends an order slot (zeroed); NULL when memory runs out. */
ms_sim_order *ms_sim_add_order(ms_sim *sim);

/* Books a fill of `qty` (signed: + bought, - sold) at `price`: cash, the
 * position and its average entry price. */
ms_status ms_sim_book_fill(ms_sim *sim, const char *symbol, double qty, double price);

/* A symbol's last close seen by a sync (any spelling); NAN when none yet. */
double ms_sim_mark(const ms_sim *sim, const char *symbol);

/* Where a position is valued: its mark, else its average entry price. */
double ms_sim_position_price(const ms_sim *sim, const ms_sim_position *position);

double ms_sim_equity(const ms_sim *sim);

/* 2 x equity, less the gross value of the positions and what open entry
 * orders that add exposure would cost at their prices; never below 0. */
double ms_sim_buying_power(const ms_sim *sim);

/* What an order would add to the gross exposure at `price`: 0 for an order
 * that only reduces the position in its symbol. */
double ms_sim_order_cost(const ms_sim *sim, const char *symbol, int side, double qty, double price);

void ms_sim_free_state(ms_sim *sim);

/* ---- Records (sim_records.c, sim_apply.c) --------------------------------- */

/* The journal format this build writes and reads. */
#define MS_SIM_JOURNAL_VERSION 1

/* Records a change: journal first (write + fsync), then apply. */
ms_status ms_sim_commit(ms_sim *sim, json_t *record);

/* Applies one record to the account (replay and live alike). Errors name
 * the field; the caller adds PATH:LINE. */
ms_status ms_sim_apply(ms_sim *sim, const json_t *record);

json_t *ms_sim_account_record(double cash, int64_t time);
json_t *ms_sim_submit_record(const ms_order_request *request, int64_t time);
json_t *ms_sim_cancel_record(const char *order_id, int64_t time);
json_t *ms_sim_fill_record(const char *order_id, double price, int64_t time);
json_t *ms_sim_expire_record(const char *order_id, int64_t time);
/* `closes` (symbol -> price) is stolen by the record. */
json_t *ms_sim_sync_record(int64_t time, json_t *closes);

/* ---- Operations (sim_submit.c, sim_fills.c) ------------------------------ */

ms_status ms_sim_submit(void *state, const ms_order_request *request, ms_order *out);
ms_status ms_sim_cancel(void *state, const char *order_id);
ms_status ms_sim_sync(void *state, ms_source *prices, int64_t now);

/* ---- Fill history (sim_fill_history.c) ----------------------------------- */

/* Notes that the order at `order` (an index) has just filled. Errors: MS_ERR_NOMEM. */
ms_status ms_sim_log_fill(ms_sim *sim, size_t order);

/* The fills operation (see ms_broker_fills). */
ms_status ms_sim_fills(void *state, int64_t after, ms_fills *out);

#endif
