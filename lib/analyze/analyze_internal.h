/*
 * analyze_internal.h - the pieces of one analysis, in the order they run for
 * each symbol: forecast every origin once (origins.c), walk the simulations
 * forward over those forecasts (backtest.c), average over simulations
 * (summary.c), then, for all symbols, rank and pick (ranking.c).
 */
#ifndef MS_ANALYZE_INTERNAL_H
#define MS_ANALYZE_INTERNAL_H

#include "marketsim/analyze.h"
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
} ms_origin_table;

/* The first origin the walk-forward needs: n - N - E. Fails with
 * MS_ERR_TOO_SHORT (message says how many bars are needed) when the history
 * cannot give every origin at least min_context percent changes. */
ms_status ms_first_origin(size_t bars, const ms_analyzer_options *opts,
                          size_t *first_origin);

/* Forecasts every origin first_origin..n-1 of close, high and low, each
 * (series, origin) exactly once, in one batched model call. */
ms_status ms_origin_table_forecast(ms_origin_table *table, ms_model *model,
                                   const ms_bars *bars,
                                   const ms_analyzer_options *opts,
                                   size_t first_origin);
void ms_origin_table_release(ms_origin_table *table);

/* The evaluation window of simulation k (origins e-E .. e-1, e = n-1-k);
 * with `include_next`, one more day: origin e, whose actuals are unknown. */
ms_window ms_origin_window(const ms_origin_table *table, size_t bars,
                           size_t simulation, size_t eval_days,
                           int include_next);

/* Per-symbol strategy parameters: fees, long-only and days per year follow
 * the asset class. */
ms_strategy_params ms_symbol_strategy_params(ms_asset_class asset_class,
                                             const ms_analyzer_options *opts);

/* Runs every strategy over every simulation and fills the report's
 * strategies (with freshly allocated simulation_returns), maxdiff_choice,
 * side, entry and take-profit levels. */
ms_status ms_backtest_symbol(ms_symbol_report *report, const ms_bars *bars,
                             const ms_origin_table *table,
                             const ms_analyzer_options *opts);

/* Accumulates one strategy's per-simulation metrics into its summary. */
typedef struct ms_summary_builder {
    ms_period_metrics sums[3];     /* top level, baseline, optimised */
    ms_period_metrics counts[3];   /* finite values seen, per field */
} ms_summary_builder;

void ms_summary_add(ms_summary_builder *builder, const ms_strategy_result *result);

/* Writes the means (NaN where no simulation was finite) and the standard
 * deviation of the n simulations' total returns. */
void ms_summary_finish(const ms_summary_builder *builder, const double *totals,
                       size_t n, ms_strategy_summary *summary);

/* Picks the best strategy and composite score of one symbol. */
void ms_rank_symbol(ms_symbol_report *report);

/* Sorts symbols by composite score (descending, ties by name). */
void ms_sort_symbols(ms_symbol_report *symbols, size_t n);

/* Fills picks (at most opts->max_positions) from ranked symbols; returns the count. */
size_t ms_build_picks(const ms_symbol_report *symbols, size_t n,
                      const ms_analyzer_options *opts, ms_pick *picks);

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
    ms_timings timings;
};

/* Frees what one symbol report owns (its symbol name and simulation returns). */
void ms_symbol_report_release(ms_symbol_report *report);

#endif
