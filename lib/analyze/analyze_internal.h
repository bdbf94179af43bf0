/*
 * analyze_internal.h - the pieces of one analysis, in the order they run for
 * each symbol: forecast every origin once (origins.c), walk the simulations
 * forward over those forecasts (backtest.c), average over simulations
 * (summary.c), then, for all symbols, judge freshness (freshness.c), rank
 * and pick (ranking.c).
 */
#ifndef MS_ANALYZE_INTERNAL_H
#define MS_ANALYZE_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#include "cache/cache_internal.h"
#include "marketsim/analyze.h"
#include "marketsim/model_choice.h"
#include "marketsim/shard.h"
#include "marketsim/data.h"
#include "marketsim/model.h"

/* The columns forecast for each symbol, each its own univariate series. */
enum { MS_SERIES_CLOSE = 0, MS_SERIES_HIGH = 1, MS_SERIES_LOW = 2, MS_SERIES_COUNT = 3 };

/*
 * Day-level quantities for every forecast origin of one symbol, indexed by
 * origin - first_origin (strategies.md, "Day-level quantities"). Actuals of
 * the last origin (n - 1) are NaN: its next bar has not happened.
 */
typedef struct ms_origin_table {
    size_t first_origin;
    size_t count;
    double *close_pred;
    double *high_pred;
    double *low_pred;
    double *high_change_pred;   /* rH_hat */
    double *low_change_pred;    /* rL_hat */
    double *close_actual;
    double *high_actual;
    double *low_actual;
    size_t incoherent;          /* origins whose predicted triple contradicted itself */
} ms_origin_table;

/* The simulations whose windows are forecast: N, and with walk-forward
 * offsets E more, the windows before the oldest ones, where their offsets
 * are fitted (options.c). */
size_t ms_forecast_simulations(const ms_analyzer_options *opts);

/* *out = the caller's options (the defaults when opts is NULL), resolved
 * (ms_analyzer_options_resolve): what an analyzer or a backtest keeps. */
ms_status ms_analyzer_options_copy_resolved(const ms_analyzer_options *opts,
                                            ms_analyzer_options *out);

/* A caller's options of any known version (NULL: the defaults) read into
 * *out, the newest version; the fields its version lacks take their
 * defaults (options_versions.c). */
ms_status ms_analyzer_options_import(const ms_analyzer_options *opts, ms_analyzer_options *out);

/* ms_analyzer_options_resolve on a struct of the newest version (options.c). */
ms_status ms_analyzer_options_resolve_newest(ms_analyzer_options *opts);

/* The first origin the walk-forward needs: n - N - E (N: the forecast
 * simulations, ms_forecast_simulations). Fails with
 * MS_ERR_TOO_SHORT (message says how many bars are needed) when the history
 * cannot give every origin at least min_context percent changes. */
ms_status ms_first_origin(size_t bars, const ms_analyzer_options *opts,
                          size_t *first_origin);

/*
 * A symbol's forecast work (contexts.c): its percent-change series and, per
 * (series, origin), the predicted change once computed, at
 * forecasts[series * count + origin - first_origin].
 */
typedef struct ms_symbol_contexts {
    const ms_bars *bars;
    size_t first_origin;
    size_t count;                          /* origins first_origin .. n-1 */
    double *changes[MS_SERIES_COUNT];      /* X_j / X_{j-1} - 1; [0] undefined */
    double *forecasts;
} ms_symbol_contexts;

/* Checks the history is long enough (ms_first_origin) and computes the
 * percent changes. */
ms_status ms_symbol_contexts_prepare(ms_symbol_contexts *contexts, const ms_bars *bars,
                                     const ms_analyzer_options *opts);
void ms_symbol_contexts_release(ms_symbol_contexts *contexts);

/* The model input for (series, origin index): the last context_length
 * changes up to the origin, pointing into `changes` (nothing copied), with
 * a sampling seed that depends only on (seed, symbol, column, origin date). */
ms_series ms_symbol_context(const ms_symbol_contexts *contexts, int series, size_t origin_index,
                            const ms_analyzer_options *opts);

/* Allocates and fills the day-level table from forecast contexts, each
 * origin's predicted triple made coherent by `coherence` (ms_coherence) and
 * counted in table->incoherent. NaN predictions (no forecast) are left as
 * they are. */
ms_status ms_origin_table_fill(ms_origin_table *table, const ms_symbol_contexts *contexts,
                               int coherence);
void ms_origin_table_release(ms_origin_table *table);
/* The evaluation window of simulation k (origins e-E .. e-1, e = n-1-k);
 * with `include_next`, one more day: origin e, whose actuals are unknown. */
ms_window ms_origin_window(const ms_origin_table *table, size_t bars,
                           size_t simulation, size_t eval_days,
                           int include_next);

/* ---- A user's forecasts (user_forecasts.c, backtest_forecasts.c) ----------- */

/* How a user's forecasts were used. */
typedef struct ms_user_forecasts_use {
    ms_forecast_units units;       /* as given, or detected */
    int has_next;                  /* a row for the day after the last bar */
    size_t ignored;                /* rows on or before the first bar, or after the next day */
} ms_user_forecasts_use;

/* Fills `contexts` (bars borrowed; forecasts allocated: release with
 * ms_symbol_contexts_release) with the forecasts' rows as the model's
 * one-step changes for the origins n-N-E .. n-1 (NaN for the next day
 * without a row). Errors: MS_ERR_TOO_SHORT, MS_ERR_DATA naming the
 * forecasts' file, line and field (ms_backtest_forecasts), MS_ERR_NOMEM. */
ms_status ms_user_contexts(ms_symbol_contexts *contexts, ms_user_forecasts_use *use,
                           const ms_bars *bars, ms_asset_class asset_class,
                           const ms_forecasts *forecasts, const ms_analyzer_options *opts);

/* ---- Planning and batching (plan.c) ---------------------------------------- */

/* One context to forecast: series `series` of engine symbol `symbol` at
 * origin index `origin`, which `pairs` (simulation, day) pairs use. */
typedef struct ms_context_request {
    uint32_t symbol;
    uint32_t origin;
    uint8_t series;
    uint32_t pairs;
} ms_context_request;

typedef struct ms_request_list {
    ms_context_request *items;
    size_t count;
    size_t capacity;
} ms_request_list;

/* Appends the contexts one symbol's simulations need, each (series,
 * origin) once, series by series with origins ascending: a canonical order
 * that depends on the symbol's own history and the options only. */
ms_status ms_plan_symbol(ms_request_list *list, uint32_t symbol,
                         const ms_symbol_contexts *contexts, const ms_analyzer_options *opts);
void ms_request_list_release(ms_request_list *list);

typedef struct ms_bucket ms_bucket;

/* Requests queued by padded context length. */
typedef struct ms_batcher {
    size_t patch_size;
    ms_bucket *buckets;
    size_t bucket_count;
    size_t queued;
    uint64_t arrivals;
} ms_batcher;

void ms_batcher_init(ms_batcher *batcher, size_t patch_size);
ms_status ms_batcher_push(ms_batcher *batcher, ms_context_request request, size_t context_length);
/* Copies up to batch_size requests of one padded length to `out` and
 * returns how many: from a bucket holding a full batch, or with `flush` from
 * any non-empty one; the bucket whose oldest request came first wins.
 * 0 when there is no such bucket. */
size_t ms_batcher_pop(ms_batcher *batcher, size_t batch_size, int flush, ms_context_request *out);
/* Whether a full batch is queued. */
int ms_batcher_has_batch(ms_batcher *batcher, size_t batch_size);
void ms_batcher_release(ms_batcher *batcher);

/* ---- The engine (engine.c, engine_pipeline.c) ------------------------------ */

/* One symbol's way through an analysis. */
typedef struct ms_symbol_job {
    const char *symbol;
    ms_symbol_report report;       /* report.symbol is owned */
    ms_status status;
    char *message;                 /* the first failure's message, owned */
    ms_bars *bars;
    ms_symbol_contexts contexts;
    size_t pending;                /* planned contexts not yet forecast */
} ms_symbol_job;

/* What an analysis shares with the threads watching it
 * (ms_analyzer_cancel, ms_analyzer_progress): atomics, so a signal handler
 * may set `cancel` and any thread may read the counts. */
typedef struct ms_engine_watch {
    atomic_int cancel;               /* non-zero: stop between batches and symbols */
    atomic_size_t symbols_planned;   /* symbols whose contexts are planned */
    atomic_size_t contexts_planned;  /* their contexts, cached ones included */
    atomic_size_t contexts_done;     /* forecast or taken from the cache */
} ms_engine_watch;

typedef struct ms_engine {
    ms_source *source;
    ms_model *model;
    const ms_analyzer_options *options;
    ms_forecast_cache *cache;       /* NULL: none */
    ms_symbol_job *jobs;
    size_t job_count;
    /* Called once per symbol when it is done (analysed or failed), from
     * the driver or a worker thread, never two at a time. */
    void (*finished)(void *context, ms_symbol_job *job);
    void *finished_context;
    ms_engine_watch *watch;         /* the cancel request and the progress counts */
} ms_engine;

/* Whether the analysis was asked to stop; then the engine stops at its
 * next check (between batches, before a load or a symbol's strategies). */
bool ms_engine_cancelled(const ms_engine *engine);

/* Runs every job that has not already failed: sequentially (options->parallel
 * 0: one symbol at a time, batches within the symbol) or pipelined (loads
 * and strategies on the pool, one driver thread batching contexts across
 * symbols into the model). Per-symbol failures stay in the jobs.
 * Errors: MS_ERR_CANCELLED once the watch's cancel is set (the jobs are
 * then partial: no report may be made of them). */
ms_status ms_engine_run(ms_engine *engine);

/* Per-symbol strategy parameters: fees, long-only and days per year follow
 * the asset class. */
ms_strategy_params ms_symbol_strategy_params(ms_asset_class asset_class,
                                             const ms_analyzer_options *opts);

/* Runs every strategy over every simulation and fills the report's
 * strategies (with freshly allocated simulation_returns), recent prices, maxdiff_choice,
 * side, entry and take-profit levels. */
ms_status ms_backtest_symbol(ms_symbol_report *report, const ms_bars *bars,
                             const ms_origin_table *table,
                             const ms_analyzer_options *opts);

/* Accumulates one strategy's per-simulation metrics into its summary. */
typedef struct ms_summary_builder {
    ms_period_metrics sums[4];     /* top level, baseline, optimised, reference */
    ms_period_metrics counts[4];   /* finite values seen, per field */
} ms_summary_builder;

void ms_summary_add(ms_summary_builder *builder, const ms_strategy_result *result);

/* Adds one simulation's top-level metrics under the original's rules (the
 * reference figure); a builder given none has NaN reference means. */
void ms_summary_add_reference(ms_summary_builder *builder, const ms_period_metrics *metrics);

/* Writes the means (NaN where no simulation was finite) and the standard
 * deviation of the n simulations' total returns. */
void ms_summary_finish(const ms_summary_builder *builder, const double *totals,
                       size_t n, ms_strategy_summary *summary);

/* Picks the best strategy and composite score of one symbol. */
void ms_rank_symbol(ms_symbol_report *report);

/* Sorts symbols by composite score (descending, ties by name). */
void ms_sort_symbols(ms_symbol_report *symbols, size_t n);

/* Checks the symbol's next-day plan (entry, take-profit, side) against the
 * fee per side and sets report->plan_check. */
void ms_check_plan(ms_symbol_report *report, double fee);

/* Fills picks (at most opts->max_positions) from ranked symbols, skipping
 * stale ones and those whose plan_check failed, and sizing each from the
 * buying power the earlier picks left (strategies.md, "Sizing"); returns
 * the count. */
size_t ms_build_picks(const ms_symbol_report *symbols, size_t n,
                      const ms_analyzer_options *opts, ms_pick *picks);

/* ---- The series a symbol's report keeps (report_series.c) ------------------- */

/* Copies the last MS_REPORT_RECENT_BARS bars (times, open, high, low,
 * close) and each one's one-step forecast from the table into the report.
 * Errors: MS_ERR_NOMEM (what was copied is released with the report). */
ms_status ms_keep_recent_bars(ms_symbol_report *report, const ms_bars *bars,
                              const ms_origin_table *table);
void ms_release_recent_bars(ms_symbol_report *report);

/* Allocates the report's walk-forward: ceil(N / E) windows of E days, the
 * bar times filled, returns NaN and sides 0 until the simulations write
 * them; the rows go in the report's strategy block, which it must have.
 * Errors: MS_ERR_NOMEM. */
ms_status ms_walk_forward_init(ms_symbol_report *report, const ms_bars *bars,
                               size_t simulations, size_t eval_days);

/* Where simulation k's E daily values go in the walk-forward arrays, or
 * SIZE_MAX when k is not one of its simulations (0, E, 2E, ...). */
size_t ms_walk_forward_offset(const ms_symbol_report *report, size_t simulation,
                              size_t eval_days);
void ms_release_walk_forward(ms_symbol_report *report);

/* An account traded day after day: equity_pct[d] = (prod_{i<=d} (1 + r_i)
 * - 1) x 100, an undefined day's return counted as no change, and
 * drawdown_pct[d] = (equity / its running peak, the start included, - 1)
 * x 100 <= 0. Either output may be NULL. */
void ms_equity_curve(const double *returns, size_t n, double *equity_pct, double *drawdown_pct);

/* ---- Forecast quality (forecast_quality.c) --------------------------------- */

/* One column's errors over n origins: level[i] is X_t, predicted[i] the
 * forecast next value, actual[i] the actual one, q10/q90 the forecast's
 * quantiles (NULL: none, coverage NaN). Origins with a non-finite value or
 * a zero level are skipped. */
void ms_forecast_error_compute(const double *level, const double *predicted, const double *actual,
                               const double *q10, const double *q90, size_t n,
                               ms_forecast_error *out);

/* The close's, high's and low's errors over the table's origins with a
 * known next bar (the table's predictions as the strategies saw them).
 * Errors: MS_ERR_NOMEM. */
ms_status ms_forecast_quality_of(const ms_origin_table *table, const ms_bars *bars,
                                 ms_forecast_quality *out);

/* The symbols' forecast errors pooled: every origin counts once. */
void ms_forecast_quality_pool(const ms_symbol_report *symbols, size_t n,
                              ms_forecast_quality *out);

/* The report, assembled by the analyzer and read through analyze.h. */
struct ms_report {
    ms_analyzer_options options;    /* resolved; aggregate points at aggregate_name */
    char *aggregate_name;
    char *source_uri;
    char *model_name;
    ms_symbol_report *symbols;
    size_t symbol_count;
    ms_symbol_error *errors;
    size_t error_count;
    ms_pick *picks;
    size_t pick_count;
    char **warnings;
    size_t warning_count;
    ms_timings timings;
    ms_forecast_quality forecast_quality;   /* every symbol's pooled */
    ms_part_timings *parts;                 /* a merged report's parts (ms_report_set_job_timings) */
    size_t part_count;
};

/* Appends a printf-style warning to the report. Errors: MS_ERR_NOMEM. */
ms_status ms_report_warn(ms_report *report, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The date (days since 1970-01-01) a bar stamped `timestamp` stands for
 * (strategies.md, "Freshness"). */
int64_t ms_bar_day(int64_t timestamp, ms_asset_class asset_class);

/* Judges every symbol's freshness (freshness.c): resolves options.as_of
 * when unset (the end of the newest bar's UTC day), sets each symbol's
 * `stale` and warns about each stale one. Errors: MS_ERR_NOMEM. */
ms_status ms_judge_freshness(ms_report *report);

/* Frees what one symbol report owns (its symbol name, strategy block,
 * simulation returns, walk-forward and recent prices). */
void ms_symbol_report_release(ms_symbol_report *report);

/*
 * The per-strategy data a symbol report owns, one allocation: the pointer
 * arrays its strategies, walk_forward_returns and walk_forward_sides point
 * at, and the summaries. summary_rows comes first, so the block's address
 * is report->strategies (ms_strategy_block_of). The walk-forward rows
 * point into one block of values each (report_series.c).
 */
typedef struct ms_strategy_block {
    const ms_strategy_summary *summary_rows[MS_STRATEGY_COUNT];
    const double *return_rows[MS_STRATEGY_COUNT];
    const int *side_rows[MS_STRATEGY_COUNT];
    ms_strategy_summary summaries[MS_STRATEGY_COUNT];
} ms_strategy_block;

/* Points the report's per-strategy fields at `block` (strategy_count
 * MS_STRATEGY_COUNT, summary_rows[s] at summaries[s]), which the caller
 * keeps alive: a hand-made report's block may be its own. */
void ms_strategy_block_point(ms_symbol_report *report, ms_strategy_block *block);

/* Gives the report a zeroed block of its own (walk-forward rows NULL),
 * freed by ms_symbol_report_release. Errors: MS_ERR_NOMEM. */
ms_status ms_strategy_block_attach(ms_symbol_report *report);

/* The report's block (NULL before one is attached): where the library
 * writes what the report's const pointers show. */
ms_strategy_block *ms_strategy_block_of(const ms_symbol_report *report);

/* ---- Report rendering (report_text.c, report_html.c, report_svg.c) -------- */

/* Formats `value` with `format` into buf, or "-" when not finite; returns buf. */
const char *ms_report_number(char *buf, size_t size, const char *format, double value);

/* "buy", "sell" or "-" for a side of +1, -1 or 0. */
const char *ms_report_side_label(int side);

/* Why a plan was refused, for people ("take profit not beyond the entry"). */
const char *ms_report_plan_check_label(ms_plan_check check);

/* What was done with incoherent forecasts under `coherence` (ms_coherence),
 * for people. */
const char *ms_report_coherence_label(int coherence);

/* A timestamp's UTC date as YYYY-MM-DD; false when it cannot be formatted. */
bool ms_report_date(int64_t timestamp, char *out, size_t size);

/* Writes `text` with &, <, >, " and ' escaped for HTML text and attributes. */
void ms_html_escape(FILE *f, const char *text);

/* The forecast quality section of the text report: every symbol's close,
 * high and low errors beside the naive forecast's, then the pooled ones
 * (report_quality.c). */
void ms_report_write_forecast_quality_text(FILE *f, const ms_report *report);

/* One forecast quality as an HTML table, a row per column. */
void ms_html_forecast_quality(FILE *f, const ms_forecast_quality *quality);

/* A symbol's chart series as JSON (report_json_series.c): its recent bars
 * with their forecasts, the walk-forward of every strategy with equity and
 * drawdown, and the per-simulation returns. NULL when out of memory. */
struct json_t *ms_json_symbol_series(const ms_symbol_report *report);

/* A forecast quality as JSON ({"close", "high", "low"}). */
struct json_t *ms_json_forecast_quality(const ms_forecast_quality *quality);

#endif
