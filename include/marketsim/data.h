/*
 * marketsim/data.h - the data layer: daily OHLCV bars, the CSV loader and
 * data sources (CSV directories, the built-in synthetic market), and a
 * user's forecasts of one symbol's bars (ms_forecasts).
 *
 * Thread safety: an ms_bars is immutable once created and may be read from
 * any number of threads. An ms_source may be shared by threads: loads are
 * independent of each other; only ms_source_free must not run alongside
 * them. The symbol functions are pure.
 *
 * Errors: a function returning ms_status returns MS_OK or one of the
 * negative codes its comment lists, and then ms_last_error() holds the
 * message (common.h); *out is NULL after a failure.
 */
#ifndef MARKETSIM_DATA_H
#define MARKETSIM_DATA_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Asset classes ------------------------------------------------------ */

typedef enum ms_asset_class {
    MS_ASSET_STOCK = 0,
    MS_ASSET_CRYPTO = 1
} ms_asset_class;

/* "stock" or "crypto" (a static string; "unknown" out of range). */
MS_API const char *ms_asset_class_name(ms_asset_class asset_class);

/*
 * The asset class a symbol name implies: crypto when, with '/' and '-'
 * removed, it ends in USD and the rest is a known crypto asset (BTCUSD,
 * BTC/USD, BTC-USD), case-insensitively; stock otherwise (NULL included).
 */
MS_API ms_asset_class ms_symbol_asset_class(const char *symbol);

/*
 * The decimals a price of the asset class is shown with, as every text
 * form of marketsim prints prices: stocks trade in cents from $1 up and in
 * 0.0001 below (Alpaca's tick, which the order rules enforce); crypto has
 * no tick in marketsim, so its prices show six significant digits, 2 to 8
 * decimals. A non-finite price gives 2.
 */
MS_API int ms_price_decimals(ms_asset_class asset_class, double price);

/*
 * The time of the daily bar `steps` bars after the one stamped `timestamp`
 * (Unix seconds): `steps` days later for crypto; for stocks the `steps`-th
 * US session day (weekdays less NYSE holidays) after the bar's UTC date, at
 * the same time of day. steps 0 is `timestamp` itself.
 */
MS_API int64_t ms_next_bar_time(int64_t timestamp, ms_asset_class asset_class, size_t steps);

/* The length of a buffer ms_symbol_canonical fills. */
#define MS_SYMBOL_CAPACITY 32

/*
 * The canonical name of a symbol, as positions, orders and files compare
 * them: upper case, and for crypto without '/' and '-' (BTC/USD, btc-usd
 * and BTCUSD are all BTCUSD; BRK-B stays BRK-B). Writes at most
 * MS_SYMBOL_CAPACITY - 1 characters and a NUL to `out` (longer names are
 * cut). A NULL `symbol` gives ""; a NULL `out` is left alone.
 */
MS_API void ms_symbol_canonical(const char *symbol, char out[MS_SYMBOL_CAPACITY]);

/* ---- Bars ---------------------------------------------------------------- */

typedef struct ms_bars ms_bars;

/* Columns of a bar series. */
typedef enum ms_column {
    MS_COL_OPEN = 0,
    MS_COL_HIGH = 1,
    MS_COL_LOW = 2,
    MS_COL_CLOSE = 3,
    MS_COL_VOLUME = 4
} ms_column;

/* What to do with a bar whose high/low does not contain its open/close. */
typedef enum ms_ohlc_policy {
    MS_OHLC_REJECT = 0,   /* fail with a message naming the bar (default) */
    MS_OHLC_REPAIR = 1    /* widen high/low to contain open/close, log a warning */
} ms_ohlc_policy;

/* Validation options for creating or loading bars. */
typedef struct ms_bars_options {
    int version;                 /* MS_BARS_OPTIONS_VERSION */
    ms_ohlc_policy ohlc_policy;  /* default MS_OHLC_REJECT */
    double ohlc_tolerance;       /* relative tolerance for high/low checks, default 1e-6 */
} ms_bars_options;

#define MS_BARS_OPTIONS_VERSION 1
#define MS_BARS_OPTIONS_INIT { MS_BARS_OPTIONS_VERSION, MS_OHLC_REJECT, 1e-6 }

/* Fills *opts with the defaults of version `version` (1 to
 * MS_BARS_OPTIONS_VERSION; pass MS_BARS_OPTIONS_VERSION), as MS_BARS_OPTIONS_INIT does. Writes
 * only the fields that version has, so a caller built against an older
 * header gets a struct the size its header says. Errors: MS_ERR_INVALID_ARG
 * for a NULL opts or another version. */
MS_API ms_status ms_bars_options_init(ms_bars_options *opts, int version);

/*
 * Creates a bar series for `symbol` from n rows of caller-owned arrays, which
 * are copied. Timestamps are UTC seconds and must be strictly increasing.
 * `volume` may be NULL (all zero). Every price must be finite and > 0,
 * volume finite and >= 0, and high >= max(open, close), low <= min(open,
 * close) within the tolerance (or repaired, per opts). n may not be 0.
 * `opts` NULL means MS_BARS_OPTIONS_INIT.
 * On success *out owns a new series; free it with ms_bars_free.
 * Errors: MS_ERR_INVALID_ARG (NULL out, symbol or price array, n = 0, a bad
 * options version or tolerance), MS_ERR_DATA (message names the row and
 * field), MS_ERR_NOMEM.
 */
MS_API ms_status ms_bars_create(ms_bars **out, const char *symbol, size_t n,
                                const int64_t *timestamps, const double *open,
                                const double *high, const double *low,
                                const double *close, const double *volume,
                                const ms_bars_options *opts);

/* Frees a series and every array its accessors returned. NULL-safe. */
MS_API void ms_bars_free(ms_bars *bars);

/* Number of bars (>= 1; 0 for NULL). */
MS_API size_t ms_bars_len(const ms_bars *bars);

/* The symbol, as given at creation; owned by the series (NULL for NULL). */
MS_API const char *ms_bars_symbol(const ms_bars *bars);

/* Timestamps (UTC seconds), ascending, ms_bars_len() entries, owned by the
 * series (NULL for NULL). */
MS_API const int64_t *ms_bars_timestamps(const ms_bars *bars);

/* One column, ms_bars_len() entries, owned by the series; NULL for a NULL
 * series or a bad column. */
MS_API const double *ms_bars_column(const ms_bars *bars, ms_column column);

/* ---- CSV ------------------------------------------------------------------ */

/*
 * Loads bars from a CSV file. Columns are found by header name,
 * case-insensitively: a date column (date, timestamp, time, t, datetime) and
 * open/high/low/close (or o/h/l/c), volume (v) optional; every other column
 * (adjusted prices, vwap, trade counts, symbol) is ignored. Dates are
 * YYYY-MM-DD, YYYY-MM-DD HH:MM:SS with an optional +00:00 offset, or
 * ISO-8601 with T and Z. Rows are sorted ascending; exact duplicate rows are
 * dropped; conflicting rows for one date are an error. `symbol` (not NULL or
 * empty) names the series; `opts` NULL means MS_BARS_OPTIONS_INIT. On success *out owns a new series (free with
 * ms_bars_free).
 * Errors (message names the file, line and field): MS_ERR_INVALID_ARG (NULL
 * out or path, no symbol, bad options), MS_ERR_IO, MS_ERR_PARSE (missing column, bad
 * number or date, empty file), MS_ERR_DATA (NaN/Inf, non-positive price,
 * high/low inconsistent, conflicting duplicate date), MS_ERR_NOMEM.
 */
MS_API ms_status ms_bars_load_csv(ms_bars **out, const char *path,
                                  const char *symbol,
                                  const ms_bars_options *opts);

/*
 * The same as ms_bars_load_csv over text in memory; `source_name` is used in
 * messages in place of a file name (NULL: "(csv text)"). `text` need not be
 * NUL-terminated, may be NULL when len is 0, and is only read during the call. *out is freed with ms_bars_free.
 * Errors: those of ms_bars_load_csv except MS_ERR_IO.
 */
MS_API ms_status ms_bars_parse_csv(ms_bars **out, const char *text, size_t len,
                                   const char *source_name, const char *symbol,
                                   const ms_bars_options *opts);

/* ---- Sources -------------------------------------------------------------- */

typedef struct ms_source ms_source;

typedef struct ms_source_options {
    int version;                 /* MS_SOURCE_OPTIONS_VERSION (1 still accepted: from_env 0) */
    size_t synthetic_bars;       /* bars per synthetic symbol; 0 = 1000 */
    ms_bars_options bars;        /* validation of loaded bars */
    int from_env;                /* 1: a scheme may read its settings from the environment
                                    (alpaca: as the broker option from_env). Default 0 */
} ms_source_options;

#define MS_SOURCE_OPTIONS_VERSION 2
#define MS_SOURCE_OPTIONS_INIT { MS_SOURCE_OPTIONS_VERSION, 0, MS_BARS_OPTIONS_INIT, 0 }

/* Fills *opts with the defaults of version `version` (1 to
 * MS_SOURCE_OPTIONS_VERSION; pass MS_SOURCE_OPTIONS_VERSION), as MS_SOURCE_OPTIONS_INIT does. Writes
 * only the fields that version has, so a caller built against an older
 * header gets a struct the size its header says. Errors: MS_ERR_INVALID_ARG
 * for a NULL opts or another version. */
MS_API ms_status ms_source_options_init(ms_source_options *opts, int version);

/*
 * Opens a data source from a URI "SCHEME[:REST]", the scheme matched
 * case-insensitively against the scheme table (ms_source_register_scheme):
 *   "csv:DIR"               symbol X is DIR/X.csv (file name matched
 *                           case-insensitively; "BTC/USD" and "BTC-USD" map
 *                           to BTCUSD.csv)
 *   "synthetic[:seed=N][,bars=N]"
 *                           the built-in market: deterministic daily bars for
 *                           any symbol name per (seed, symbol); the default
 *                           source when uri is NULL or "".
 *   "alpaca[:TIMEFRAME]"    Alpaca market data (broker.h,
 *                           ms_source_open_alpaca with default broker
 *                           options and opts->from_env; TIMEFRAME defaults to 1Day), registered
 *                           by the broker layer when the library is loaded.
 *                           A program linking the static archive has it when
 *                           it links the broker layer's market-data source
 *                           (any call to ms_source_open_alpaca).
 * `opts` NULL means MS_SOURCE_OPTIONS_INIT (it shapes csv: and synthetic:;
 * another scheme's opener receives it resolved). On success *out owns the
 * source (free with ms_source_free).
 * Errors: MS_ERR_INVALID_ARG (NULL out, bad parameters or options version,
 * an unknown scheme: the message lists the registered ones),
 * MS_ERR_NOT_FOUND (the CSV directory does not exist), MS_ERR_NOMEM, and
 * those of the scheme's opener (e.g. ms_source_open_alpaca's).
 */
MS_API ms_status ms_source_open(ms_source **out, const char *uri,
                                const ms_source_options *opts);

/* Frees a source (running a custom source's free_context). Bars it loaded
 * are independent of it and stay valid. NULL-safe. */
MS_API void ms_source_free(ms_source *source);

/* The URI the source was opened with, normalised (e.g.
 * "synthetic:seed=0,bars=1000"); owned by the source (NULL for NULL). */
MS_API const char *ms_source_uri(const ms_source *source);

/*
 * Loads the bars of one symbol. Safe to call from several threads at once.
 * On success *out owns a new series (free with ms_bars_free).
 * Errors: MS_ERR_INVALID_ARG (NULL source or out, NULL or empty symbol),
 * MS_ERR_NOT_FOUND (no file for the symbol), those of ms_bars_load_csv, and
 * for a custom source whatever its load returns.
 */
MS_API ms_status ms_source_load(ms_source *source, const char *symbol,
                                ms_bars **out);

/*
 * The load function of a custom source: loads `symbol` into a new *out the
 * caller frees with ms_bars_free, or returns an error recorded with its
 * message, as ms_source_load does. Called from several threads at once.
 */
typedef ms_status (*ms_source_load_fn)(void *context, const char *symbol, ms_bars **out);

/*
 * A source whose loads call `load(context, symbol, &bars)`: how layers above
 * data (the Alpaca market-data source) plug in. `load` must be safe from
 * several threads at once and follow ms_source_load's contract. `context` is
 * borrowed until ms_source_free, which then calls `free_context(context)`
 * (may be NULL); on failure neither is called and the caller keeps it.
 * `uri` (copied) names the source in reports (e.g. "alpaca:1Day"). *out is
 * freed with ms_source_free.
 * Errors: MS_ERR_INVALID_ARG (NULL out, uri or load), MS_ERR_NOMEM.
 */
MS_API ms_status ms_source_open_custom(ms_source **out, const char *uri, ms_source_load_fn load,
                                       void (*free_context)(void *context), void *context);

/*
 * The opener of a registered URI scheme: opens `uri` (whole, as given) into
 * *out; `rest` is the text after the scheme's ':' ("" when there is none)
 * and `opts` the caller's source options resolved (never NULL). It follows
 * ms_source_open's contract (an error recorded with its message, *out
 * untouched on failure) and may be called from several threads at once.
 */
typedef ms_status (*ms_source_scheme_open_fn)(ms_source **out, const char *uri, const char *rest,
                                              const ms_source_options *opts);

/*
 * Adds scheme `scheme` to the table ms_source_open consults: how a layer
 * above data (the broker layer's "alpaca") or an application makes its
 * sources openable by URI, from the CLI's --data and Python alike. `shape`
 * (copied; NULL: the scheme's name) is how the scheme's URIs look, listed in
 * ms_source_open's unknown-scheme message (e.g. "alpaca[:TIMEFRAME]").
 * Schemes are never removed; the table holds 16. Safe from any thread.
 * Errors: MS_ERR_INVALID_ARG (NULL open; a name that is not a letter then
 * letters, digits, '+', '-' or '.', under 32 characters; a scheme already
 * registered, compared case-insensitively; a full table).
 */
MS_API ms_status ms_source_register_scheme(const char *scheme, const char *shape,
                                           ms_source_scheme_open_fn open);

/* ---- Forecasts of one symbol's bars (marketsim backtest) -------------------- */

/* How a forecasts series gives its values. */
typedef enum ms_forecast_units {
    MS_FORECAST_UNITS_AUTO = 0,     /* decided against the bars (ms_backtest_forecasts) */
    MS_FORECAST_UNITS_PRICES = 1,   /* predicted close, high and low prices */
    MS_FORECAST_UNITS_CHANGES = 2   /* each column's one-step change from the same column of
                                       the bar before, as a fraction (0.01 = +1%): what the
                                       models forecast */
} ms_forecast_units;

/*
 * Someone's forecasts of a symbol's bars: row i is the predicted close, high
 * and low of the bar at timestamps[i], made before that bar (from the bars
 * before it). Immutable once created; any number of threads may read it.
 */
typedef struct ms_forecasts ms_forecasts;

/*
 * Creates forecasts from n rows of caller-owned arrays, which are copied.
 * Timestamps are UTC seconds, strictly increasing; a date-only forecast is
 * the date's 00:00 UTC. Values must be finite (checked against the bars
 * when backtested). `source_name` names the series in messages (NULL:
 * "forecasts"). *out is freed with ms_forecasts_free.
 * Errors: MS_ERR_INVALID_ARG (NULL out or array, n = 0, an unknown units),
 * MS_ERR_DATA naming the row and field (a value not finite, timestamps not
 * increasing), MS_ERR_NOMEM.
 */
MS_API ms_status ms_forecasts_create(ms_forecasts **out, size_t n, const int64_t *timestamps,
                                     const double *close, const double *high,
                                     const double *low, ms_forecast_units units,
                                     const char *source_name);

/*
 * Loads forecasts from a CSV file: a date column (date, timestamp, time, t,
 * datetime) and close, high and low (or c, h, l), found by header name as
 * in ms_bars_load_csv; every other column is ignored. Dates as in bars
 * files; rows are sorted, exact duplicates dropped. *out is freed with
 * ms_forecasts_free.
 * Errors (message names the file, line and field): MS_ERR_INVALID_ARG (NULL
 * out or path, unknown units), MS_ERR_IO, MS_ERR_PARSE (missing column, bad
 * number or date, empty file), MS_ERR_DATA (a value not finite, a date
 * repeated with other values), MS_ERR_NOMEM.
 */
MS_API ms_status ms_forecasts_load_csv(ms_forecasts **out, const char *path,
                                       ms_forecast_units units);

/* The same over CSV text in memory, `source_name` used in messages (NULL:
 * "(csv text)"); `text` is only read during the call. *out is freed with
 * ms_forecasts_free. Errors: those of ms_forecasts_load_csv except
 * MS_ERR_IO. */
MS_API ms_status ms_forecasts_parse_csv(ms_forecasts **out, const char *text, size_t len,
                                        const char *source_name, ms_forecast_units units);

/* Frees forecasts. NULL-safe. */
MS_API void ms_forecasts_free(ms_forecasts *forecasts);

/* The number of rows (0 for NULL). */
MS_API size_t ms_forecasts_len(const ms_forecasts *forecasts);

/* The units given at creation (MS_FORECAST_UNITS_AUTO for NULL). */
MS_API ms_forecast_units ms_forecasts_units(const ms_forecasts *forecasts);

/* The name messages use: the file, or the name given to
 * ms_forecasts_create; owned by the forecasts (NULL for NULL). */
MS_API const char *ms_forecasts_source(const ms_forecasts *forecasts);

/* The rows' timestamps, ascending, and the line of the file each row came
 * from (0 for created rows); arrays of ms_forecasts_len values owned by the
 * forecasts (NULL for NULL). */
MS_API const int64_t *ms_forecasts_timestamps(const ms_forecasts *forecasts);
MS_API const size_t *ms_forecasts_lines(const ms_forecasts *forecasts);

/* The predicted MS_COL_CLOSE, MS_COL_HIGH or MS_COL_LOW values, owned by
 * the forecasts; NULL for another column or NULL forecasts. */
MS_API const double *ms_forecasts_column(const ms_forecasts *forecasts, ms_column column);

/*
 * The times of the `horizon` bars after a series' last one (UTC seconds,
 * strictly increasing `timestamps`, n >= 1), for models that read the
 * times of the bars they predict: bars at least 20 hours apart (or a single
 * bar) are daily and continue on the next US market sessions (weekdays less
 * NYSE holidays) at the last bar's UTC time of day; intraday bars step by
 * their interval (the smallest gap) within the Eastern hours the series
 * trades (its earliest to its latest bar time of day), continuing at the
 * next session's earliest bar time. `every_day` (crypto) steps by the
 * interval, or by days, with no calendar (nonzero = true). out [horizon] is caller-owned.
 * Errors: MS_ERR_INVALID_ARG (NULL arguments, n = 0, times not increasing).
 */
MS_API ms_status ms_bars_next_times(const int64_t *timestamps, size_t n, int every_day,
                                    size_t horizon, int64_t *out);

#ifdef __cplusplus
}
#endif
#endif
