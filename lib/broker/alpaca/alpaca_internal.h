/*
 * alpaca_internal.h - the Alpaca broker's pieces, shared between the
 * alpaca_*.c and bar_*.c files: configuration (keys, URLs, paper or live),
 * requests with Alpaca's error mapping, tolerant JSON readers, the objects
 * Alpaca returns, order bodies, symbols, bars and their on-disk cache.
 */
#ifndef MS_ALPACA_INTERNAL_H
#define MS_ALPACA_INTERNAL_H

#include <jansson.h>

#include "broker/broker_internal.h"
#include "broker/net/http.h"

/* ---- Configuration (alpaca_keys.c, alpaca_config.c) --------------------- */

typedef struct ms_alpaca_keys {
    bool present;
    char key_id[128];
    char secret_key[256];
} ms_alpaca_keys;

/* The keys from opts, else (with opts->from_env only)
 * APCA_API_KEY_ID/APCA_API_SECRET_KEY, else opts->key_file; present is false when none is configured. When keys are
 * configured the process is made non-dumpable (PR_SET_DUMPABLE 0,
 * RLIMIT_CORE 0) before they are read.
 * Errors: MS_ERR_INVALID_ARG (half a pair, a key file that is not a
 * regular file or is readable by group or others, a malformed key file),
 * MS_ERR_IO. Messages never carry a key. */
ms_status ms_alpaca_keys_resolve(const ms_broker_options *opts, ms_alpaca_keys *out);

/* Overwrites the keys so they do not linger in freed memory. */
void ms_alpaca_keys_wipe(ms_alpaca_keys *keys);

#define MS_ALPACA_URL_MAX MS_BASE_URL_MAX

typedef struct ms_alpaca_config {
    bool live;
    char trading_url[MS_ALPACA_URL_MAX];  /* ms_base_url's text: parsed, no trailing '/' */
    char data_url[MS_ALPACA_URL_MAX];
    ms_alpaca_keys keys;
    double connect_timeout;
    double timeout;
    int max_retries;
    double requests_per_minute;
} ms_alpaca_config;

/* Resolves opts, and the environment when opts->from_env, into *out. `trading`: also decide
 * paper or live and the trading URL. Errors: MS_ERR_INVALID_ARG (live
 * without the opt-in, a URL that ms_base_url_parse refuses, paper trading on
 * the live host, a bad number), those of ms_alpaca_keys_resolve. */
ms_status ms_alpaca_config_resolve(const ms_broker_options *opts, bool trading, ms_alpaca_config *out);

/* ---- The environment, with from_env only (alpaca_env.c) ------------------ */

/* `option` when set and not empty, else (with from_env) the variable when
 * set and not empty, else NULL. */
const char *ms_alpaca_option_or_env(const ms_broker_options *opts, const char *option,
                                    const char *variable);

/* Paper or live into *live. Paper is the default; live needs the option,
 * from_env and MARKETSIM_LIVE_TRADING=yes, and PAPER=1 forces paper (with
 * a warning). Errors: MS_ERR_INVALID_ARG (live without the opt-in, a PAPER
 * that is not a boolean). */
ms_status ms_alpaca_resolve_mode(const ms_broker_options *opts, bool *live);

/* APCA_API_KEY_ID and APCA_API_SECRET_KEY (NULL when unset) when opts asks
 * for the environment, and true; else both NULL, and false. */
bool ms_alpaca_env_keys(const ms_broker_options *opts, const char **key_id,
                        const char **secret_key);

/* The market-data cache's directory into `out`: the option cache_dir, else
 * (with from_env only) $XDG_CACHE_HOME/marketsim or $HOME/.cache/marketsim.
 * Errors: MS_ERR_INVALID_ARG (none of them, or longer than `size`). */
ms_status ms_alpaca_cache_dir(const ms_broker_options *opts, char *out, size_t size);

/* The HTTP settings of a config for requests to `base_url` (its
 * trading_url or data_url); the pointers point into it. */
ms_http_settings ms_alpaca_http_settings(const ms_alpaca_config *config, const char *base_url);

/* ---- Requests (alpaca_request.c) ---------------------------------------- */

typedef struct ms_alpaca_reply {
    long http_status;            /* 0 when no response arrived */
    long code;                   /* Alpaca's error code; 0 when none */
    char message[256];           /* Alpaca's error message; "" when none */
    json_t *json;                /* a success's body (owned); NULL when empty */
} ms_alpaca_reply;

/*
 * Sends a request (GETs retried, see ms_http_get) and reads the reply.
 * Errors, each naming the method and path: MS_ERR_TIMEOUT, MS_ERR_HTTP
 * (transport, 401, 5xx, unexpected statuses), MS_ERR_RATE_LIMIT (429),
 * MS_ERR_NOT_FOUND (404), MS_ERR_BROKER (other 4xx: Alpaca's code and
 * message), MS_ERR_PARSE (a success whose body is not JSON). *reply is
 * filled either way and must be released.
 */
ms_status ms_alpaca_request(ms_http_client *client, const char *method, const char *url,
                            const char *body, ms_alpaca_reply *reply);
void ms_alpaca_reply_release(ms_alpaca_reply *reply);

/* ---- Tolerant JSON readers (alpaca_json.c) ------------------------------ */

typedef enum ms_json_need { MS_JSON_OPTIONAL = 0, MS_JSON_REQUIRED = 1 } ms_json_need;

/* Reads the fields of one object; the first failure is kept in `status`
 * (recorded with ms_error, naming `where` and the field) and later reads
 * return their empty value, so a parser reads every field and checks once. */
typedef struct ms_json_fields {
    const json_t *object;
    const char *where;           /* e.g. "GET /v2/orders: order 3" */
    ms_status status;
} ms_json_fields;

/* Errors: MS_ERR_PARSE when `object` is not a JSON object. */
ms_status ms_json_fields_init(ms_json_fields *fields, const json_t *object, const char *where);

/* A number sent as a JSON number or a numeric string; NAN when null or
 * absent (an error when required). */
double ms_json_number(ms_json_fields *fields, const char *key, ms_json_need need);

/* A JSON boolean or "true"/"false"; false when null or absent. */
bool ms_json_flag(ms_json_fields *fields, const char *key);

/* An RFC 3339 time in UTC seconds; 0 when null or absent. */
int64_t ms_json_time(ms_json_fields *fields, const char *key, ms_json_need need);

/* A string copied into out[size]; "" when null or absent. Longer than
 * size - 1 is an error. */
void ms_json_string(ms_json_fields *fields, const char *key, char *out, size_t size, ms_json_need need);

/* One word of a fixed vocabulary and the value it stands for. */
typedef struct ms_json_word {
    const char *word;
    int value;
} ms_json_word;

/* The value of the word in `key`; `fallback` when null, absent or "" (an
 * error when required). A word outside `words` is an error. */
int ms_json_enum(ms_json_fields *fields, const char *key, const ms_json_word *words, size_t count,
                 int fallback, ms_json_need need);

/* ---- Objects (alpaca_objects.c) ----------------------------------------- */

/* Each reads one JSON object; `where` names it in messages. Errors:
 * MS_ERR_PARSE naming the field. */
ms_status ms_alpaca_parse_account(const json_t *json, const char *where, ms_account *out);
ms_status ms_alpaca_parse_clock(const json_t *json, const char *where, ms_market_clock *out);
ms_status ms_alpaca_parse_order(const json_t *json, const char *where, ms_order *out);

/* Alpaca's word for an order's status as marketsim's status; MS_ORDER_OTHER
 * for a word Alpaca has not documented. */
ms_order_status ms_alpaca_order_status(const char *word);

/* A JSON array into a malloc'ed array (NULL with count 0 when empty).
 * Errors: MS_ERR_PARSE naming the element, MS_ERR_NOMEM. */
ms_status ms_alpaca_parse_positions(const json_t *json, const char *where, ms_position **out,
                                    size_t *count);
ms_status ms_alpaca_parse_orders(const json_t *json, const char *where, ms_order **out, size_t *count);

/* ---- Order bodies (alpaca_order_body.c) --------------------------------- */

/* The POST /v2/orders JSON of a checked request (malloc'ed, free()).
 * Errors: MS_ERR_INVALID_ARG (a symbol Alpaca cannot name), MS_ERR_NOMEM. */
ms_status ms_alpaca_order_body(const ms_order_request *request, char **body);

/* ---- Symbols (alpaca_symbol.c) ------------------------------------------ */

#define MS_ALPACA_SYMBOL_MAX 32

/* Alpaca's name for a symbol: crypto pairs as "BTC/USD" (from BTCUSD,
 * BTC-USD or btc/usd), stocks upper-cased. Errors: MS_ERR_INVALID_ARG for
 * an empty or over-long name or characters outside [A-Za-z0-9./-]. */
ms_status ms_alpaca_symbol(const char *symbol, char out[MS_ALPACA_SYMBOL_MAX]);

/* ---- Bar rows (bar_rows.c) ---------------------------------------------- */

/* Growable OHLCV columns, the form bars take between pages, the cache and
 * ms_bars_create. Zero-initialise before use. */
typedef struct ms_bar_rows {
    int64_t *timestamps;
    double *open;
    double *high;
    double *low;
    double *close;
    double *volume;
    size_t len;
    size_t capacity;
} ms_bar_rows;

/* Appends one bar. Errors: MS_ERR_NOMEM. */
ms_status ms_bar_rows_append(ms_bar_rows *rows, int64_t timestamp, double open, double high,
                             double low, double close, double volume);
/* Drops the bars stamped at or after `timestamp`. */
void ms_bar_rows_truncate_from(ms_bar_rows *rows, int64_t timestamp);
void ms_bar_rows_release(ms_bar_rows *rows);

/* ---- Bars (alpaca_bars.c) ----------------------------------------------- */

/* Which series of a symbol's bars are asked for, part of the cache's key:
 * stocks from IEX (the feed every account may read) at raw prices
 * (adjusted history changes with every dividend, which would silently
 * invalidate the incremental cache); crypto pairs from the "us" location,
 * which has neither feed nor adjustment. */
#define MS_ALPACA_STOCK_FEED "iex"
#define MS_ALPACA_STOCK_ADJUSTMENT "raw"
#define MS_ALPACA_CRYPTO_LOCATION "us"

/* Whether Alpaca accepts the timeframe: {1-59}Min, {1-23}Hour, 1Day,
 * 1Week, {1,2,3,6,12}Month. */
bool ms_alpaca_timeframe_valid(const char *timeframe);

/*
 * Fetches the bars of `count` symbols of one asset class from `start` (UTC
 * seconds) on, following every page, and appends symbol i's bars to
 * rows[i] in time order. Errors: MS_ERR_INVALID_ARG (mixed asset classes, a
 * bad symbol), those of ms_alpaca_request, MS_ERR_PARSE naming the symbol
 * and bar.
 */
ms_status ms_alpaca_fetch_bars(ms_http_client *client, const char *data_url, const char *timeframe,
                               const char *const *symbols, size_t count, int64_t start,
                               ms_bar_rows *rows);

/* ---- Bar cache (bar_cache.c) -------------------------------------------- */

/* "<dir>/alpaca/<server>/<series>/<SYMBOL>.csv", '/' and '-' dropped from
 * the symbol. <server> names the data URL (a parsed base URL's text) by its
 * host and port and a hash of the whole URL; <series> is the timeframe with
 * the feed and adjustment ("1Day-iex-raw") or the crypto location
 * ("1Day-crypto-us"). Bars cached for one data URL, feed, adjustment or
 * timeframe are never read for another. Errors: MS_ERR_INVALID_ARG (a
 * symbol that is no file name, a path too long). */
ms_status ms_bar_cache_path(const char *dir, const char *data_url, const char *timeframe,
                            const char *symbol, char *path, size_t size);

/* The cached bars, none when the file does not exist. A cache that no
 * longer loads is dropped with a warning (it is refetched). */
ms_status ms_bar_cache_read(const char *path, const char *symbol, ms_bar_rows *rows);

/* Replaces the cache file atomically (a temporary file renamed over it),
 * creating its directories. Errors: MS_ERR_IO naming the path. */
ms_status ms_bar_cache_write(const char *path, const ms_bar_rows *rows);

/* ---- Trading (alpaca_broker.c, alpaca_submit.c) ------------------------- */

typedef struct ms_alpaca_trading {
    ms_alpaca_config config;
    ms_rate_limiter limiter;
    ms_http_client *http;
} ms_alpaca_trading;

/* Sends `method` to the finished `url` (released here) and reads the
 * reply; `where` receives "METHOD /path" for messages. */
ms_status ms_alpaca_trading_call(ms_alpaca_trading *trading, const char *method, ms_url *url,
                                 const char *body, ms_alpaca_reply *reply,
                                 char where[MS_HTTP_WHERE_TEXT]);

/* GET /v2/orders:by_client_order_id. Errors: MS_ERR_NOT_FOUND, those of
 * ms_alpaca_request. */
ms_status ms_alpaca_find_order(ms_alpaca_trading *trading, const char *client_order_id, ms_order *out);

/* The submit operation (see ms_broker_submit). */
ms_status ms_alpaca_submit(void *state, const ms_order_request *request, ms_order *out);

/* ---- Fills (alpaca_activities.c) ---------------------------------------- */

/* The fills operation (see ms_broker_fills): the FILL account activities. */
ms_status ms_alpaca_fills(void *state, int64_t after, ms_fills *out);

#endif
