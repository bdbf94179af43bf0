/*
 * marketsim/broker.h - brokers behind one interface: Alpaca (market data and
 * trading over HTTPS, paper by default) and a simulated broker with a local
 * journal (sim:PATH). Also the Alpaca market-data source for analyses.
 *
 * Thread safety: a broker handle is used by one thread at a time (distinct
 * handles may be used at once). ms_global_init is safe from any thread once
 * it has run. The Alpaca source is an ms_source: loads are safe from
 * several threads.
 * Secrets: API keys are never printed, logged or put in error messages.
 *
 * Errors: a function returning ms_status returns MS_OK or one of the
 * negative codes its comment lists, and then ms_last_error() holds the
 * message (common.h). Every call that talks to a broker may also fail with
 * MS_ERR_HTTP, MS_ERR_TIMEOUT, MS_ERR_RATE_LIMIT or MS_ERR_BROKER (Alpaca's
 * status and text in the message), or for sim with MS_ERR_IO writing its
 * journal; NULL handles or outputs are MS_ERR_INVALID_ARG.
 */
#ifndef MARKETSIM_BROKER_H
#define MARKETSIM_BROKER_H

#include "common.h"
#include "data.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One-time process setup for HTTP (libcurl's global init). Call before any
 * other thread starts; ms_broker_open and ms_source_open_alpaca call it too
 * (it is idempotent). Errors: MS_ERR_HTTP (libcurl failed to initialise). */
MS_API ms_status ms_global_init(void);

/*
 * Asks every broker and market-data request of this process to stop
 * waiting (stop 1) or lets them wait again (stop 0). While set: a failed
 * GET is not retried, a wait before a retry ends within 50 ms returning
 * the last answer, and a GET in flight is abandoned within about a second
 * (MS_ERR_HTTP, "a stop was requested"); a POST or DELETE already started
 * is finished, so its outcome is known. Async-signal-safe and safe from
 * any thread: meant for a SIGINT/SIGTERM handler (marketsim trade sets it).
 */
MS_API void ms_interrupt_requests(int stop);

/*
 * How a broker (or the Alpaca market-data source) is set up. The library
 * reads no environment variable unless `from_env` is 1 (as libgit2's
 * GIT_REPOSITORY_OPEN_FROM_ENV): then a setting the options leave unset
 * comes from the variable named beside it ($NAME below), and only then.
 * The marketsim CLI and the Python bindings opt in.
 */
typedef struct ms_broker_options {
    int version;                 /* MS_BROKER_OPTIONS_VERSION (1 still accepted: from_env 0) */
    int live;                    /* 1: live trading; needs from_env and MARKETSIM_LIVE_TRADING=yes
                                    too, and PAPER=1 overrides it. Default paper */
    const char *trading_url;     /* NULL: $APCA_API_BASE_URL, else the paper (or live) host */
    const char *data_url;        /* NULL: $APCA_API_DATA_URL, else https://data.alpaca.markets */
    const char *key_id;          /* NULL: $APCA_API_KEY_ID (with secret_key's), else key_file */
    const char *secret_key;      /* NULL: $APCA_API_SECRET_KEY, else key_file */
    const char *key_file;        /* "KEY_ID\nSECRET\n", must not be readable by group or others */
    double connect_timeout;      /* seconds; 0 = 10 */
    double timeout;              /* seconds for a whole request; 0 = 30 */
    int max_retries;             /* retries of a GET; 0 = 5, -1 = none */
    double requests_per_minute;  /* client-side limit; 0 = 190 */
    const char *cache_dir;       /* market-data cache; NULL = $XDG_CACHE_HOME/marketsim or $HOME/.cache/marketsim */
    double sim_cash;             /* sim: a new journal's starting cash; 0 = 100000 (an existing journal keeps its own) */
    int read_only;               /* 1: change nothing (a dry run): orders and cancels are refused;
                                    a sim journal is read, not locked, and syncs stay in memory */
    int from_env;                /* 1: read the $NAMEs above, and the ledger's default place
                                    ($XDG_STATE_HOME or $HOME), from the environment. Default 0 */
} ms_broker_options;

#define MS_BROKER_OPTIONS_VERSION 2
#define MS_BROKER_OPTIONS_INIT { MS_BROKER_OPTIONS_VERSION, 0, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, NULL, 0, 0, 0 }

/* Fills *opts with the defaults of version `version` (1 to
 * MS_BROKER_OPTIONS_VERSION; pass MS_BROKER_OPTIONS_VERSION), as MS_BROKER_OPTIONS_INIT does. Writes
 * only the fields that version has, so a caller built against an older
 * header gets a struct the size its header says. Errors: MS_ERR_INVALID_ARG
 * for a NULL opts or another version. */
MS_API ms_status ms_broker_options_init(ms_broker_options *opts, int version);

typedef struct ms_broker ms_broker;

/*
 * Opens the broker `uri` names, which must be explicit: "alpaca" (keys
 * from the options, else with from_env the environment, else the key
 * file; paper unless opts->live, from_env and MARKETSIM_LIVE_TRADING=yes)
 * or "sim:PATH" (a simulated account whose journal is PATH, created on
 * first use). NULL or "" is refused: no broker is picked behind the
 * caller's back (ms_broker_default_uri makes the CLI's choice for a caller
 * that wants it). `opts` NULL means MS_BROKER_OPTIONS_INIT; its strings are
 * copied. *out is freed with ms_broker_free.
 * Errors: MS_ERR_INVALID_ARG (NULL out, NULL, empty or unknown broker, bad
 * options version, live without the opt-in, no keys (the message names
 * where they may come from), a key file readable by others), MS_ERR_IO,
 * MS_ERR_PARSE (a corrupt journal, naming the line), MS_ERR_HTTP,
 * MS_ERR_NOMEM.
 */
MS_API ms_status ms_broker_open(ms_broker **out, const char *uri, const ms_broker_options *opts);

/*
 * Writes the broker marketsim's CLI uses when none is named into out
 * (`size` bytes): "alpaca" when Alpaca keys are configured in `opts` (key
 * pair or key file) or, with from_env, in APCA_API_KEY_ID and
 * APCA_API_SECRET_KEY; else "sim:" + the default journal,
 * $XDG_STATE_HOME/marketsim/sim.journal or
 * $HOME/.local/state/marketsim/sim.journal (with from_env only).
 * Errors: MS_ERR_INVALID_ARG (NULL argument, bad options version, no keys
 * and no state directory (without from_env there is none), or a path
 * longer than `size`).
 */
MS_API ms_status ms_broker_default_uri(const ms_broker_options *opts, char *out, size_t size);

/* Closes a broker, wiping its keys from memory. NULL-safe. */
MS_API void ms_broker_free(ms_broker *broker);

/* "alpaca-paper", "alpaca-live" or "sim": a static string (NULL for NULL). */
MS_API const char *ms_broker_name(const ms_broker *broker);

typedef struct ms_account {
    char id[64];
    char status[32];
    char currency[8];
    double cash;
    double buying_power;
    double equity;
    double last_equity;
    double portfolio_value;
    double multiplier;
    int pattern_day_trader;
    int trading_blocked;
    int account_blocked;
    int shorting_enabled;
    int daytrade_count;
} ms_account;

/* Fills *out with the account as the broker reports it now.
 * Errors: MS_ERR_INVALID_ARG (NULL argument), and the broker's (see above). */
MS_API ms_status ms_broker_account(ms_broker *broker, ms_account *out);

typedef struct ms_position {
    char symbol[32];
    ms_asset_class asset_class;
    double qty;                  /* > 0 long, < 0 short */
    double avg_entry_price;
    double market_value;
    double cost_basis;
    double unrealized_pl;
    double current_price;
    double qty_available;
} ms_position;

/* The open positions: *out, an array of *count entries (NULL when 0) to free
 * with ms_free. Errors: MS_ERR_INVALID_ARG (NULL argument), MS_ERR_NOMEM,
 * and the broker's. */
MS_API ms_status ms_broker_positions(ms_broker *broker, ms_position **out, size_t *count);

typedef struct ms_market_clock {
    int64_t timestamp;           /* UTC seconds */
    int is_open;
    int64_t next_open;
    int64_t next_close;
} ms_market_clock;

/* The market clock: now, whether the market is open and its next open and
 * close (sim: from its own clock and US/Eastern hours, holidays unknown).
 * Errors: MS_ERR_INVALID_ARG (NULL argument), and the broker's. */
MS_API ms_status ms_broker_clock(ms_broker *broker, ms_market_clock *out);

typedef enum ms_order_type {
    MS_ORDER_MARKET = 0, MS_ORDER_LIMIT = 1, MS_ORDER_STOP = 2, MS_ORDER_STOP_LIMIT = 3
} ms_order_type;

typedef enum ms_time_in_force {
    MS_TIF_DAY = 0, MS_TIF_GTC = 1, MS_TIF_OPG = 2, MS_TIF_CLS = 3, MS_TIF_IOC = 4, MS_TIF_FOK = 5
} ms_time_in_force;

typedef enum ms_order_class {
    MS_CLASS_SIMPLE = 0, MS_CLASS_OTO = 1, MS_CLASS_BRACKET = 2, MS_CLASS_OCO = 3
} ms_order_class;

/*
 * Where an order stands, in marketsim's words: each broker maps its own
 * (Alpaca's strings in its JSON, the simulated broker sets these directly),
 * and keeps its own word in ms_order.status for display. MS_ORDER_OTHER is
 * a word marketsim does not know; it counts as open, so an order is never
 * taken for done on a guess. Values may be added at the end.
 */
typedef enum ms_order_status {
    MS_ORDER_OTHER = 0,
    MS_ORDER_NEW = 1,                /* working at the broker */
    MS_ORDER_ACCEPTED = 2,           /* taken, not yet routed */
    MS_ORDER_PENDING_NEW = 3,
    MS_ORDER_PARTIALLY_FILLED = 4,
    MS_ORDER_FILLED = 5,
    MS_ORDER_DONE_FOR_DAY = 6,       /* resumes the next session */
    MS_ORDER_CANCELED = 7,
    MS_ORDER_EXPIRED = 8,
    MS_ORDER_REPLACED = 9,
    MS_ORDER_PENDING_CANCEL = 10,
    MS_ORDER_PENDING_REPLACE = 11,
    MS_ORDER_REJECTED = 12,
    MS_ORDER_SUSPENDED = 13,
    MS_ORDER_STOPPED = 14,
    MS_ORDER_CALCULATED = 15,
    MS_ORDER_ACCEPTED_FOR_BIDDING = 16,
    MS_ORDER_HELD = 17               /* an OTO/bracket leg waiting for its entry to fill */
} ms_order_status;

/* Whether an order in `status` may still fill: every status but filled,
 * canceled, expired, rejected and replaced (MS_ORDER_OTHER included). */
MS_API int ms_order_is_open(ms_order_status status);

/* marketsim's name of a status, a static string: "new", "partially_filled",
 * "filled", ..., "held", "other" for MS_ORDER_OTHER and "?" outside the
 * enum. The names read as Alpaca's words, so records written before the
 * enum existed (ledgers, journals) stay readable. */
MS_API const char *ms_order_status_name(ms_order_status status);

/* An order to place. Prices are NAN when not used. */
typedef struct ms_order_request {
    const char *symbol;              /* "AAPL", "BTC/USD" */
    double qty;                      /* > 0; fractional for crypto */
    int side;                        /* +1 buy, -1 sell */
    ms_order_type type;
    ms_time_in_force time_in_force;
    double limit_price;
    double stop_price;
    ms_order_class order_class;
    double take_profit_limit;        /* OTO / bracket exit leg */
    double stop_loss_stop;           /* bracket stop leg */
    const char *client_order_id;     /* required: deterministic, <= 48 chars */
} ms_order_request;

typedef struct ms_order {
    char id[64];
    char client_order_id[64];
    char symbol[32];
    char status[24];                 /* the broker's own word, for display; decide on `state` */
    double qty;
    double filled_qty;
    double filled_avg_price;         /* NAN before a fill */
    double limit_price;              /* NAN when none */
    double stop_price;
    int side;
    ms_order_type type;
    ms_time_in_force time_in_force;
    ms_order_class order_class;
    int64_t created_at;
    int64_t submitted_at;            /* UTC seconds; 0 when the broker does not say */
    int64_t filled_at;               /* 0 before a fill */
    double take_profit_limit;        /* the exit leg's limit for OTO/bracket, NAN otherwise */
    /* A leg listed as an order of its own: its parent's id when the broker
     * says (the simulated broker does; Alpaca's listings do not). "" for a
     * parent or a simple order. */
    char parent_id[64];
    /* An OTO/bracket parent's take-profit leg, when the broker reported its
     * legs (a lookup by client_order_id does): the leg's id, status and
     * filled quantity; "", "" and 0 otherwise. */
    char take_profit_id[64];
    char take_profit_status[24];
    double take_profit_filled_qty;
    double take_profit_filled_avg_price; /* NAN before a fill */
    ms_order_status state;           /* where the order stands (status is the broker's word for it) */
    ms_order_status take_profit_state; /* the take-profit leg's; meaningful when take_profit_id is set */
} ms_order;

/*
 * The smallest price step the broker takes for `symbol` at `price` (its
 * rule, not marketsim's): Alpaca and the simulated broker take stocks in
 * 0.01 from $1 up and 0.0001 below, and crypto at any price (0). NAN for a
 * NULL argument or a price that is not positive and finite.
 */
MS_API double ms_broker_price_increment(const ms_broker *broker, const char *symbol, double price);

/* The longest client_order_id the broker takes (Alpaca and the simulated
 * broker: 48); 0 for NULL. */
MS_API size_t ms_broker_client_id_max(const ms_broker *broker);

/* MS_OK when the broker takes `client_order_id` (1 to
 * ms_broker_client_id_max characters; Alpaca and the simulated broker:
 * letters, digits, '-', '_' and '.'). Errors: MS_ERR_INVALID_ARG (NULL
 * argument, or the rule it breaks). */
MS_API ms_status ms_broker_check_client_id(const ms_broker *broker, const char *client_order_id);

/*
 * Places an order, exactly once per client_order_id: a timeout, a 5xx or a
 * duplicate-id rejection is resolved by looking the id up and adopting the
 * order found, never by posting again. *out receives the order; `request`
 * is only read during the call.
 * Errors: MS_ERR_INVALID_ARG (NULL argument, an incomplete request: no
 * symbol or one over 31 characters, a client_order_id ms_broker_check_client_id refuses, qty <= 0, side not
 * +-1, a price the type or class needs missing), MS_ERR_BROKER (rejected: the message carries the broker's code and
 * text, e.g. a wash trade), MS_ERR_HTTP, MS_ERR_TIMEOUT, MS_ERR_RATE_LIMIT.
 */
MS_API ms_status ms_broker_submit(ms_broker *broker, const ms_order_request *request, ms_order *out);

/* Orders with `status` "open", "closed" or "all": *out, an array of *count
 * entries (NULL when 0) to free with ms_free. The list is complete (every
 * page the broker has is read) and flat: the legs of OTO and bracket orders
 * are orders of their own, so a working take-profit leg whose entry has
 * filled is listed as open.
 * Errors: MS_ERR_INVALID_ARG (NULL argument, another status), MS_ERR_NOMEM,
 * and the broker's. */
MS_API ms_status ms_broker_orders(ms_broker *broker, const char *status, ms_order **out, size_t *count);

/* Fills *out with the order with this client_order_id, with its
 * take-profit leg's id, status and fill (ms_order.take_profit_*).
 * Errors: MS_ERR_NOT_FOUND when there is none, MS_ERR_INVALID_ARG (NULL or
 * empty argument), and the broker's. */
MS_API ms_status ms_broker_order_by_client_id(ms_broker *broker, const char *client_order_id,
                                              ms_order *out);

/* Cancels the working order with the broker's `order_id` (ms_order.id).
 * Errors: MS_ERR_INVALID_ARG (NULL broker, no id), MS_ERR_NOT_FOUND (no
 * such order), and the broker's (e.g. an order already filled). */
MS_API ms_status ms_broker_cancel(ms_broker *broker, const char *order_id);

/*
 * Advances a simulated broker to `now` against the bars of its symbols,
 * filling what the bars reach (docs/trading.md); `prices` is borrowed for
 * the call. A no-op for real brokers (prices may then be NULL).
 * Errors: MS_ERR_INVALID_ARG (NULL broker; NULL prices for sim), those of
 * ms_source_load, MS_ERR_IO (journal).
 */
MS_API ms_status ms_broker_sync(ms_broker *broker, ms_source *prices, int64_t now);

/*
 * Opens the Alpaca market-data source: daily bars (or `timeframe`, e.g.
 * "1Hour") of any stock or crypto symbol, every page followed, cached on
 * disk so a later run fetches only bars newer than the cache. Loads are
 * safe from several threads. Keys, hosts and the cache directory come from
 * `opts` as for ms_broker_open (NULL = defaults); `timeframe` NULL or "" is
 * "1Day". *out is freed with ms_source_free.
 * Errors: MS_ERR_INVALID_ARG (NULL out, bad options version or timeframe,
 * no keys or cache directory), MS_ERR_HTTP (libcurl init), MS_ERR_NOMEM;
 * loads fail with MS_ERR_NOT_FOUND (no bars) and the broker errors above.
 */
MS_API ms_status ms_source_open_alpaca(ms_source **out, const char *timeframe,
                                       const ms_broker_options *opts);

/* ---- Fills and realised P&L (fill_list.c) -------------------------------- */

/* One execution: all or part of an order, as the broker booked it. */
typedef struct ms_fill {
    char id[64];                 /* the broker's id of the execution (Alpaca's activity id;
                                    sim: the order's id, since it fills orders whole) */
    char order_id[64];           /* ms_order.id of the order it filled */
    char client_order_id[64];    /* the order's client_order_id when the broker says (sim);
                                    "" for Alpaca, whose activities do not carry it */
    char symbol[32];             /* the position's spelling: "AAPL", "BTCUSD" */
    int side;                    /* +1 bought, -1 sold (a short sale too) */
    double qty;                  /* > 0 */
    double price;
    int64_t time;                /* UTC seconds */
    int partial;                 /* 1: the order had more left to fill after this one */
    /* At average cost (docs/trading.md), counting every fill of the list in
     * time order from a flat account: the signed position in `symbol` after
     * this fill, and the P&L this fill realised (0 for one that only opens
     * or adds). Both NAN in a list that does not start at the account's
     * first fill (ms_broker_fills with after > 0): the cost basis is then
     * unknown. Fees are not in it: neither broker reports one on a fill. */
    double position_after;
    double realized_pl;
} ms_fill;

/* A list of fills, oldest first: immutable, safe to read from any thread. */
typedef struct ms_fills ms_fills;

/*
 * The account's fills executed after `after` (UTC seconds; 0: every fill
 * the broker has, which gives each fill its realised P&L), oldest first,
 * in *out, freed with ms_fills_free. Alpaca: every page of the FILL account
 * activities is read (GET /v2/account/activities/FILL), so a whole history
 * costs one request per 100 fills. The simulated broker: the fills of its
 * journal.
 * Errors: MS_ERR_INVALID_ARG (NULL argument, after < 0), MS_ERR_NOMEM,
 * MS_ERR_PARSE (an activity Alpaca sent that is not a fill), and the
 * broker's.
 */
MS_API ms_status ms_broker_fills(ms_broker *broker, int64_t after, ms_fills **out);

/* The number of fills; 0 for NULL. */
MS_API size_t ms_fills_count(const ms_fills *fills);

/* Fill i (oldest first), owned by the list; NULL for NULL or i out of range. */
MS_API const ms_fill *ms_fills_at(const ms_fills *fills, size_t i);

/* 1 when the list starts at the account's first fill (after was 0), so its
 * realised P&L is known; 0 otherwise or for NULL. */
MS_API int ms_fills_complete(const ms_fills *fills);

/* The P&L realised by the fills at or after `since` (UTC seconds) in
 * `symbol` (any spelling), or in every symbol when `symbol` is NULL; NAN
 * for an incomplete list or NULL fills. */
MS_API double ms_fills_realized_pl(const ms_fills *fills, int64_t since, const char *symbol);

/* The fills at or after `since` as text for people, within 100 columns:
 * one line each (time, side, quantity, symbol, price to the instrument's
 * tick, order), then the realised P&L per symbol and in all when the list
 * is complete. *out, NUL-terminated, freed with ms_free.
 * Errors: MS_ERR_INVALID_ARG (NULL argument), MS_ERR_NOMEM. */
MS_API ms_status ms_fills_to_text(const ms_fills *fills, int64_t since, char **out);

/* The same as JSON: {"since", "complete", "fills": [{id, order_id,
 * client_order_id, symbol, side, qty, price, time, partial, position_after,
 * realized_pl}], "realized_pl": {"total", "by_symbol": {SYMBOL: P&L}}}
 * (unknown numbers null). *out freed with ms_free.
 * Errors: MS_ERR_INVALID_ARG (NULL argument), MS_ERR_NOMEM. */
MS_API ms_status ms_fills_to_json(const ms_fills *fills, int64_t since, char **out);

/* Frees a list and the fills it handed out. NULL-safe. */
MS_API void ms_fills_free(ms_fills *fills);

#ifdef __cplusplus
}
#endif
#endif
