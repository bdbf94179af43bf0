/*
 * marketsim/analyze.h - the batch analyzer: symbols -> bars -> walk-forward
 * forecasts -> strategies -> metrics -> ranking -> picks, on a thread pool,
 * and the report it produces (as structs, text or JSON).
 *
 * Thread safety: an analyzer runs one analysis at a time (ms_analyzer_run is
 * not reentrant on one analyzer; distinct analyzers may run at once, even
 * over one source and model); reports are immutable and may be read from
 * any thread. The option parsers hold no shared state.
 *
 * Ownership: everything a report's accessors return (structs, strings,
 * arrays) is owned by the report and valid until ms_report_free.
 *
 * Errors: a function returning ms_status returns MS_OK or one of the
 * negative codes its comment lists, and then ms_last_error() holds the
 * message (common.h).
 */
#ifndef MARKETSIM_ANALYZE_H
#define MARKETSIM_ANALYZE_H

#include "common.h"
#include "data.h"
#include "cache.h"
#include "model.h"
#include "strategy.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Where a simulation's MaxDiff offsets (and close_at_eod choices) are
 * chosen (docs/strategies.md, "Offsets"): WALK_FORWARD on the E days before
 * its window, so no day scores offsets fitted on it; IN_SAMPLE on its own
 * window, as the original did. UNSET (-1): the default, WALK_FORWARD.
 */
typedef enum ms_offsets_mode {
    MS_OFFSETS_UNSET = -1,
    MS_OFFSETS_IN_SAMPLE = 0,
    MS_OFFSETS_WALK_FORWARD = 1
} ms_offsets_mode;

/* Parses "walk-forward" or "in-sample" (case-insensitive). Errors:
 * MS_ERR_INVALID_ARG naming an unknown name, or a NULL argument. */
MS_API ms_status ms_offsets_parse(const char *text, ms_offsets_mode *out);

/* The mode's name ("walk-forward", "in-sample"): a static string; NULL for
 * UNSET or out of range. */
MS_API const char *ms_offsets_name(ms_offsets_mode mode);

/*
 * Analysis settings, version 1 (the layout before version 2 inserted
 * position_size and as_of): fees, equity and buying power take their
 * defaults at 0.
 */
typedef struct ms_analyzer_options {
    int version;              /* MS_ANALYZER_OPTIONS_VERSION */
    size_t simulations;       /* N; default 70 */
    size_t eval_days;         /* E; default 6 */
    size_t context_length;    /* most percent changes fed to the model; default 512 */
    size_t min_context;       /* fewest percent changes an origin needs; default 32 */
    int parallel;             /* -1: default (on); 0 off; 1 on */
    int workers;              /* 0: min(32, cpus + 4) */
    const char *aggregate;    /* point forecast: "mean" (default), "median", ... */
    size_t num_samples;       /* samples per forecast; 0 = exact (analytic) aggregates */
    uint64_t seed;            /* sampling seed */
    double stock_fee;         /* default 0.0005 */
    double crypto_fee;        /* default 0.001 */
    size_t max_positions;     /* picks at most; default 10 */
    size_t min_positions;     /* picks target; default 4 */
    double equity;            /* for sizing; default 100000 */
    double buying_power;      /* default 2 x equity */
    int warmup;               /* -1: default (off); 0 off; 1 on */
    size_t batch_size;        /* contexts per model call; 0 = the model's max_batch */
    unsigned ablations;       /* MS_ABLATE_* flags */
    void (*progress)(void *context, size_t done, size_t total, const char *symbol);
    void *progress_context;
} ms_analyzer_options;

#define MS_ANALYZER_OPTIONS_VERSION 1
#define MS_ANALYZER_OPTIONS_INIT \
    { MS_ANALYZER_OPTIONS_VERSION, 0, 0, 0, 0, -1, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, NULL, NULL }

MS_API ms_status ms_analyzer_options_init(ms_analyzer_options *opts, int version);

/*
 * Close, high and low are forecast as separate series, so a next-day triple
 * can contradict itself (a predicted close above the predicted high or below
 * the predicted low). docs/strategies.md, "Coherent forecasts".
 */
typedef enum ms_coherence {
    MS_COHERENCE_WIDEN = 0,        /* default: high = max(high, close), low = min(low, close) */
    MS_COHERENCE_AS_FORECAST = 1   /* used as forecast, as the original system did;
                                      still counted */
} ms_coherence;

/*
 * Ablations: each switches one of the engine's savings off, to measure what
 * it is worth (docs/performance.md). Results are bit for bit identical with
 * any of them; only the work done changes. One context per model call is
 * batch_size = 1. A symbol's report is a function of its own data, the
 * model and the options: batches never mix symbols, so neither the worker
 * count, the engine mode, the other symbols nor thread timing change it.
 * MS_ABLATE_SYMBOL_BATCHES, once an ablation, is that default and changes
 * nothing. MS_ABLATE_SHARED_BATCHES is the one exception: it restores the
 * cross-symbol batches formed in load order, whose float32 rounding depends
 * on the batch, to measure what reproducibility costs.
 */
#define MS_ABLATE_NO_DEDUP 0x1u          /* forecast every (simulation, day) pair, N x E per series */
#define MS_ABLATE_RERUN_SAMPLES 0x2u     /* re-run each batch once per reference sample batch (8) */
#define MS_ABLATE_SYMBOL_BATCHES 0x4u    /* batch within one symbol only: the default */
#define MS_ABLATE_NO_OVERLAP 0x8u        /* load everything, then infer everything, then strategies */
#define MS_ABLATE_SHARED_BATCHES 0x10u   /* batch across symbols in load order: not reproducible */

/* Parses a comma-separated list of ablation names (no-dedup, rerun-samples,
 * symbol-batches, no-overlap, shared-batches) into flags; "" is none. Errors:
 * MS_ERR_INVALID_ARG naming an unknown name, or a NULL argument. */
MS_API ms_status ms_ablations_parse(const char *text, unsigned *out);

/*
 * Resolves every unset field of *opts from the environment and the defaults,
 * in place, in the layout of its version (any of 1 to
 * MS_ANALYZER_OPTIONS_VERSION; the fields an older version lacks are
 * resolved to their defaults and not written). as_of stays 0 when unset:
 * the analysis resolves it from its bars. A version newer than the
 * library's is MS_ERR_INVALID_ARG naming ms_analyzer_options.
 * Errors: MS_ERR_INVALID_ARG naming a malformed variable or field (a fee or
 * buying power not finite, a position size outside (0, 1], a negative as_of).
 */
MS_API ms_status ms_analyzer_options_resolve(ms_analyzer_options *opts);

/*
 * Parses a reference time for as_of: "YYYY-MM-DD" is the end of that UTC day
 * (23:59:59: its bars and sessions are complete), "YYYY-MM-DDTHH:MM[:SS]"
 * (or with a space) a UTC time. Errors: MS_ERR_INVALID_ARG saying what is
 * wrong, or a NULL argument.
 */
MS_API ms_status ms_as_of_parse(const char *text, int64_t *out);

typedef struct ms_analyzer ms_analyzer;

/*
 * Creates an analyzer over a data source and a model, both borrowed: they
 * must outlive the analyzer. opts NULL = defaults and environment; the
 * options are copied and resolved (ms_analyzer_options_resolve). *out is
 * freed with ms_analyzer_free.
 * Errors: MS_ERR_INVALID_ARG (NULL out, source or model; bad options),
 * MS_ERR_NOMEM.
 */
MS_API ms_status ms_analyzer_create(ms_analyzer **out, ms_source *source,
                                    ms_model *model,
                                    const ms_analyzer_options *opts);

/* Frees an analyzer (not its source or model). NULL-safe. */
MS_API void ms_analyzer_free(ms_analyzer *analyzer);

/* ---- Report --------------------------------------------------------------- */

/* A strategy's results averaged over the simulations where each is finite.
 * Report records grow only at their end; a record embedded by value in
 * another (ms_period_metrics, ms_maxdiff_choice, ms_forecast_error,
 * ms_forecast_quality) is frozen: growing it would move later fields. */
typedef struct ms_strategy_summary {
    ms_period_metrics mean;            /* NaN where no simulation had a finite value */
    ms_period_metrics baseline_mean;   /* MaxDiff kinds */
    ms_period_metrics optimized_mean;  /* MaxDiff kinds */
    double total_return_std;           /* ddof 1 over simulations */
    const double *simulation_returns;  /* total return of simulation k at [k], `simulations` values */
    size_t simulations;
    /* The same means under the original's rules (reference fills, in-sample
     * offsets), beside the run's own figures so their optimism is visible:
     * MaxDiff kinds only, NaN for the others. */
    ms_period_metrics reference_mean;
} ms_strategy_summary;

/*
 * Why a next-day plan is refused (docs/strategies.md, "Ranking, the
 * next-day plan and picks"); checked on every symbol with a side and an
 * entry price.
 */
typedef enum ms_plan_check {
    MS_PLAN_OK = 0,
    MS_PLAN_TAKE_PROFIT_WRONG_SIDE = 1,   /* the take-profit is not beyond the entry in the
                                             trade's direction */
    MS_PLAN_BELOW_FEES = 2                /* the move to the take-profit does not pay the fees
                                             of both sides: side x (tp - entry) <= fee x
                                             (entry + tp) */
} ms_plan_check;

/* "ok", "take_profit_wrong_side" or "below_fees" (the JSON report's
 * plan_check); "unknown" for other values. A static string. */
MS_API const char *ms_plan_check_name(ms_plan_check check);

/*
 * One column's one-step forecast errors over a set of origins (docs/report.md,
 * "Forecast quality"). At origin t the column's value is X_t, the model's
 * predicted next value P and the actual next value A; errors are percent of
 * X_t, so they are the errors of the column's predicted percent change. The
 * naive forecast predicts no change (P = X_t).
 */
typedef struct ms_forecast_error {
    size_t count;            /* origins with a finite forecast and a known next value */
    double mae_pct;          /* mean |P - A| / X_t x 100; NaN when count is 0 */
    double rmse_pct;         /* sqrt(mean ((P - A) / X_t)^2) x 100 */
    double hit_rate;         /* fraction of the `directions` origins where P - X_t and
                                A - X_t have the same sign */
    size_t directions;       /* origins where both moves are non-zero */
    double coverage;         /* fraction of actuals inside the forecast's 10%..90% quantiles;
                                NaN when the forecasts carry no quantiles */
    size_t covered_count;    /* origins with quantiles */
    double naive_mae_pct;    /* the same errors for the no-change forecast */
    double naive_rmse_pct;
} ms_forecast_error;

/* The close's, high's and low's forecast errors. */
typedef struct ms_forecast_quality {
    ms_forecast_error close;
    ms_forecast_error high;
    ms_forecast_error low;
} ms_forecast_quality;

typedef struct ms_symbol_report {
    const char *symbol;
    ms_asset_class asset_class;
    size_t bars;
    int64_t last_timestamp;         /* the last bar's time (Unix seconds) */
    /* 1 when the last bar is older than the report's as_of allows: stocks
     * before the last US session (weekdays less NYSE holidays) complete or
     * under way at as_of, crypto dated (UTC) before the day before as_of's
     * day (docs/strategies.md, "Freshness"). A stale symbol is ranked and
     * shown, never picked. */
    int stale;
    double last_close;
    double forecast_close;          /* next bar, prices */
    double forecast_high;
    double forecast_low;
    /* strategies[s]: strategy s's summary, s below strategy_count (this
     * library's MS_STRATEGY_COUNT). Pointers, so neither a caller's own
     * MS_STRATEGY_COUNT nor a field appended to the summary moves a field
     * here; ms_symbol_report_strategy reads them checked. */
    size_t strategy_count;
    const ms_strategy_summary *const *strategies;
    ms_maxdiff_choice maxdiff_choice;   /* the next day's MaxDiff offsets: optimised on
                                           simulation 0's window */
    ms_strategy best_strategy;
    double composite_score;
    int side;                       /* +1 buy, -1 sell, 0 none: the best strategy's next-day side */
    double entry_price;             /* the best strategy's entry level for the next day */
    double take_profit_price;
    double data_seconds;
    double inference_seconds;
    double strategy_seconds;
    /* The last closes (oldest first, at most MS_REPORT_RECENT_BARS) and
     * their bar timestamps (Unix seconds), owned by the report: the price
     * history the HTML report charts. */
    const double *recent_close;
    const int64_t *recent_time;
    size_t recent_count;
    /* Forecast origins (the backtest's and the next day's) whose predicted
     * close lay outside the predicted low .. high, of `forecast_origins`;
     * made coherent unless options.coherence is MS_COHERENCE_AS_FORECAST. */
    size_t incoherent_forecasts;
    size_t forecast_origins;
    /* Whether the next-day plan can be traded at a profit; a symbol whose
     * plan fails is ranked and shown with the reason, never picked. */
    ms_plan_check plan_check;
    /* Forecasts this symbol took from the forecast cache, and computed by
     * the model (contexts forecast; a context recomputed by an ablation
     * counts each time). */
    size_t forecasts_cached;
    size_t forecasts_computed;
    /* The recent bars' open, high and low beside recent_close (recent_count
     * values each), and the one-step forecast of each recent bar made at
     * the bar before, in prices (NaN where that bar was no forecast origin's
     * next bar): the candles and forecast band the HTML report draws. */
    const double *recent_open;
    const double *recent_high;
    const double *recent_low;
    const double *recent_forecast_close;
    const double *recent_forecast_high;
    const double *recent_forecast_low;
    /* One non-overlapping walk-forward: the evaluation days of simulations
     * 0, E, 2E, ... (E = eval_days, below N) laid end to end, oldest day
     * first, `walk_forward_days` of them. walk_forward_time[d] is the time
     * of the bar day d trades (Unix seconds); walk_forward_returns[s][d] is
     * strategy s's return that day (the MaxDiff kinds: their baseline's),
     * so prod(1 + r) - 1 over a prefix is the equity curve.
     * walk_forward_sides[s][d] is the signal strategies' position that day
     * (+1, 0, -1), 0 for the MaxDiff kinds (no signal). strategy_count rows each. */
    const int64_t *walk_forward_time;
    const double *const *walk_forward_returns;
    const int *const *walk_forward_sides;
    size_t walk_forward_days;
    /* One-step forecast errors of the close, high and low over the
     * backtest origins (forecast_quality.c), beside the naive forecast's. */
    ms_forecast_quality forecast_quality;
} ms_symbol_report;

/* How many of a symbol's last closes a report keeps (recent_close). */
#define MS_REPORT_RECENT_BARS 60

typedef struct ms_symbol_error {
    const char *symbol;
    ms_status status;
    const char *message;
} ms_symbol_error;

typedef struct ms_pick {
    const char *symbol;
    ms_strategy strategy;
    int side;
    double entry_price;
    double take_profit_price;
    double forecast_close;
    double forecast_high;
    double forecast_low;
    double quantity;                /* whole shares for stocks, 0.001 steps for crypto: what
                                       equity x position_size and the buying power left buy */
} ms_pick;

/* Wall-clock seconds of the whole run (warm-up included), of the warm-up and
 * the ranking, and per phase summed over symbols; and the forecast counts. */
typedef struct ms_timings {
    double warmup;       /* wall time of the model warm-up (0 when off) */
    double data;
    double inference;
    double strategies;
    double ranking;
    double total;
    /* What varies between runs of one analysis besides time: forecasts
     * from the cache and computed, summed over symbols. */
    size_t forecasts_cached;
    size_t forecasts_computed;
} ms_timings;

typedef struct ms_report ms_report;

/*
 * Runs the analysis of `n` symbols. Symbols that fail (missing file, bad
 * data, too-short history) are recorded in the report's errors and the
 * others still run; *out receives the report (free with ms_report_free) even
 * then. Spellings of one instrument (SUIUSD, SUI-USD, sui/usd: one
 * ms_symbol_canonical name) are analysed once, under the first spelling;
 * the others are dropped with a report warning, as is each stale symbol.
 * Results are identical for any worker count. `symbols` (n strings)
 * is borrowed for the call; the report copies what it keeps.
 * Errors (no report): MS_ERR_INVALID_ARG (NULL analyzer or out, NULL
 * symbols with n > 0, a NULL entry: the message names its index, checked
 * before any work), MS_ERR_NOMEM.
 */
MS_API ms_status ms_analyzer_run(ms_analyzer *analyzer,
                                 const char *const *symbols, size_t n,
                                 ms_report **out);

/*
 * Backtests the strategies on someone's own forecasts of one symbol instead
 * of a model's: loads `symbol` from `source`, pairs each bar with the
 * forecast row of its day (row dated D = the forecast of D's bar, made at
 * the bar before), and runs the same walk-forward simulations, coherence
 * rule, ranking, next-day plan and picks as ms_analyzer_run, into a report
 * of one symbol with the same accessors and text, JSON and HTML forms. The
 * N simulations x E evaluation days need forecasts for the last N + E - 1
 * bars (the bars they score); a row dated after the last bar is the
 * next-day forecast (without one there is no next-day plan and a warning
 * says so); rows on or before the first bar, or after the next-day one, are
 * ignored with a warning. Forecasts given in MS_FORECAST_UNITS_AUTO are
 * prices when every used value lies within x0.5 .. x2 of its column's value
 * on the bar before, changes when every one lies within (-0.5, 0.5), and an
 * error otherwise (docs/cli.md, "marketsim backtest"). The report's model
 * is "forecasts:<source>" and its aggregate the units ("prices" or
 * "changes"); options min_context, context_length, aggregate, samples,
 * parallelism and ablations do not apply. `source`, `symbol` and
 * `forecasts` are borrowed for the call (several calls may share them at
 * once); *out receives a report to free with ms_report_free.
 * Errors (no report; the message names the forecasts' file, line and
 * field where one is at fault): MS_ERR_INVALID_ARG (a NULL argument or
 * empty symbol, bad options), those of ms_source_load, MS_ERR_TOO_SHORT
 * (fewer than N + E bars), MS_ERR_DATA (a row dated between bars, two rows
 * for one bar, a bar the simulations score without a forecast, units that
 * cannot be told apart, a price <= 0 or a change outside (-1, 1)),
 * MS_ERR_NOMEM.
 */
MS_API ms_status ms_backtest_forecasts(ms_report **out, ms_source *source, const char *symbol,
                                       const ms_forecasts *forecasts,
                                       const ms_analyzer_options *opts);

/* Frees a report and everything its accessors returned. NULL-safe. */
MS_API void ms_report_free(ms_report *report);

/* Symbols analysed successfully, sorted by composite score (descending, ties
 * by name): the count, and symbol i, owned by the report (NULL when i is out
 * of range or report is NULL; the count is then 0). */
MS_API size_t ms_report_symbol_count(const ms_report *report);
MS_API const ms_symbol_report *ms_report_symbol(const ms_report *report, size_t i);

/* A symbol report's backtest summary, walk-forward returns and sides
 * (walk_forward_days values each) of `strategy`, owned by the report: NULL
 * for a NULL report or a strategy outside 0 to strategy_count - 1. */
MS_API const ms_strategy_summary *ms_symbol_report_strategy(const ms_symbol_report *report,
                                                            ms_strategy strategy);
MS_API const double *ms_symbol_report_walk_forward_returns(const ms_symbol_report *report,
                                                           ms_strategy strategy);
MS_API const int *ms_symbol_report_walk_forward_sides(const ms_symbol_report *report,
                                                      ms_strategy strategy);

/* Symbols that failed, in the order they were given; error i is owned by
 * the report (NULL out of range). */
MS_API size_t ms_report_error_count(const ms_report *report);
MS_API const ms_symbol_error *ms_report_error(const ms_report *report, size_t i);

/* Picks in composite order, sized pick by pick from the buying power
 * (docs/strategies.md, "Sizing"); pick i is owned by the report (NULL out
 * of range). */
MS_API size_t ms_report_pick_count(const ms_report *report);
MS_API const ms_pick *ms_report_pick(const ms_report *report, size_t i);

/* Warnings of the run, in the order they arose (merged spellings, then
 * stale symbols): the count, and warning i as one line of text owned by the
 * report (NULL when i is out of range or report is NULL; the count is then
 * 0). They are in the text, JSON ("warnings") and HTML forms too. */
MS_API size_t ms_report_warning_count(const ms_report *report);
MS_API const char *ms_report_warning(const ms_report *report, size_t i);

/* The forecast errors of every analysed symbol pooled (each origin
 * counts once), owned by the report (NULL for NULL); a symbol's own are
 * its report's forecast_quality. */
MS_API const ms_forecast_quality *ms_report_forecast_quality(const ms_report *report);

/* The run's timings, owned by the report (NULL for NULL). */
MS_API const ms_timings *ms_report_timings(const ms_report *report);


/* Writes the report's options (as ms_report_options) into *out in the
 * layout of out->version, which the caller sets (ms_analyzer_options_init):
 * never a field that version lacks. Errors: MS_ERR_INVALID_ARG for a NULL
 * argument or a version outside 1 to MS_ANALYZER_OPTIONS_VERSION. */
MS_API ms_status ms_report_get_options(const ms_report *report, ms_analyzer_options *out);

/*
 * The report as one JSON document ({"version", "config", "timings",
 * "symbols", "picks", "errors", "warnings", "forecast_quality"}; each
 * symbol with its chart "series" and "forecast_quality", docs/report.md;
 * non-finite numbers as null). *out is a
 * NUL-terminated string to free with ms_free.
 * Errors: MS_ERR_INVALID_ARG (NULL argument), MS_ERR_NOMEM.
 */
MS_API ms_status ms_report_to_json(const ms_report *report, char **out);

/* The report as a human-readable ranked table, every line at most 100
 * columns (ms_report_to_text_layout with no flags): a NUL-terminated *out
 * freed with ms_free. Errors: MS_ERR_INVALID_ARG (NULL argument), MS_ERR_NOMEM. */
MS_API ms_status ms_report_to_text(const ms_report *report, char **out);

/*
 * The report as one self-contained HTML page (docs/report.md): the time it
 * was generated, data and model; a summary with the ranking, the picks as
 * a portfolio and the pooled forecast quality; then per symbol inline SVG
 * charts of its recent candles with their one-step forecasts and the
 * next day's, its forecast quality, the best strategy's equity and
 * drawdown over the walk-forward with its latest trades, and a box plot of
 * each strategy's per-simulation returns. No scripts, no external
 * resources; every string is HTML-escaped and non-finite numbers print as
 * "-" (charts skip them). *out is a NUL-terminated string to free with
 * ms_free.
 * Errors: MS_ERR_INVALID_ARG (NULL argument), MS_ERR_NOMEM.
 */
MS_API ms_status ms_report_to_html(const ms_report *report, char **out);

/*
 * Writes the HTML page (ms_report_to_html) to `path` whole or not at all:
 * a temporary file in the same directory, synced, then renamed over `path`.
 * Errors: MS_ERR_INVALID_ARG, MS_ERR_NOMEM, MS_ERR_IO naming the path.
 */
MS_API ms_status ms_report_write_html(const ms_report *report, const char *path);

/* ---- Sharded analyses ------------------------------------------------------ */

/*
 * The report's per-symbol results (every symbol report, whole, and every
 * error) as bytes for ms_analyzer_merge in another process of the same
 * build: a process that analysed a share of the symbols packs its report
 * and sends the bytes (marketsim under mpirun: docs/scaling.md). Doubles
 * travel as their bits. *out (*size bytes) is freed with ms_free.
 * Errors: MS_ERR_INVALID_ARG (NULL argument), MS_ERR_NOMEM.
 */
MS_API ms_status ms_report_pack(const ms_report *report, void **out, size_t *size);

/*
 * The report ms_analyzer_run(analyzer, symbols, n) would have made, from
 * `count` packs (ms_report_pack: parts[i], sizes[i] bytes) of runs that
 * analysed the symbols between them, on analyzers with the same source,
 * model and options: bit for bit the same symbol reports, errors,
 * warnings, ranking and picks (timings aside: they are the parts'), because
 * a symbol's results depend only on its own data, the model and the
 * options, and what depends on all symbols (spellings of one instrument,
 * freshness, ranking, picks) is judged here over all of them. A symbol in
 * several parts is taken from the first. Nothing is analysed here. *out
 * is freed with ms_report_free. Errors: MS_ERR_INVALID_ARG (a NULL
 * argument; a symbol no part has a result for, named), MS_ERR_DATA (a pack
 * cut short or made by another build), MS_ERR_NOMEM.
 */
MS_API ms_status ms_analyzer_merge(ms_analyzer *analyzer, const char *const *symbols, size_t n,
                                   const void *const *parts, const size_t *sizes, size_t count,
                                   ms_report **out);

/* ---- Cancelling and watching a run ----------------------------------------- */

/*
 * Asks the analysis running on `analyzer` to stop. It stops at its next
 * check (before each symbol's load and strategies, between model batches:
 * a batch already in the model is finished first) and ms_analyzer_run
 * returns MS_ERR_CANCELLED without a report, never a partial one. A
 * request made while no run is under way stops the next run at its start;
 * every run clears the request when it returns (a request that came too
 * late to stop a run is then dropped and its report is whole). One atomic
 * store: safe from any thread and from a signal handler. NULL-safe.
 */
MS_API void ms_analyzer_cancel(ms_analyzer *analyzer);

/* Where the analyzer's current (or last) run stands. */
typedef struct ms_analysis_progress {
    int running;              /* 1 while ms_analyzer_run is under way */
    size_t symbols_total;     /* symbols of the run (spellings of one instrument merged) */
    size_t symbols_done;      /* analysed or failed */
    size_t symbols_planned;   /* whose forecast contexts are planned */
    size_t contexts_planned;  /* those symbols' contexts */
    size_t contexts_done;     /* of them, forecast by the model or taken from the cache */
    double elapsed;           /* seconds since the run started (0 before the first) */
    /* The share of the work done, in [0, 1]: the mean of the symbols' share
     * and the contexts' share of the contexts the run will plan (estimated
     * from the symbols planned so far). For an ETA: elapsed x (1 - f) / f. */
    double fraction;
} ms_analysis_progress;

/*
 * Writes where the analyzer's run stands to *out: safe from any thread
 * while the run goes on (a progress display polls it; ms_analyzer_options'
 * progress callback is called per symbol instead).
 * Errors: MS_ERR_INVALID_ARG (NULL argument).
 */
MS_API ms_status ms_analyzer_progress(ms_analyzer *analyzer, ms_analysis_progress *out);

/* ---- Text layouts ------------------------------------------------------------ */

/* ms_report_to_text_layout's flags: the wide layout (about 150 columns)
 * adds the asset class, the reference return and the forecast high and low
 * to each row. */
#define MS_REPORT_TEXT_WIDE 0x1u

/*
 * The text report in a layout: with no flags, what ms_report_to_text
 * writes (every line at most 100 columns: notes under their row, long
 * messages wrapped); MS_REPORT_TEXT_WIDE for the wide table. Returns are
 * in percent per day, prices to the instrument's tick (stocks in cents,
 * 0.0001 under $1; crypto to six significant digits). *out is freed with
 * ms_free. Errors: MS_ERR_INVALID_ARG (NULL argument), MS_ERR_NOMEM.
 */
MS_API ms_status ms_report_to_text_layout(const ms_report *report, unsigned flags, char **out);

#ifdef __cplusplus
}
#endif
#endif
