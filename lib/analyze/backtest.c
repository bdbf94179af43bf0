/*
 * backtest.c - the walk-forward backtest of one symbol: every strategy on
 * every simulation's evaluation window (slices of the shared forecast
 * table) under the run's fill model and offsets, the MaxDiff kinds also
 * under the original's rules, averaged into summaries (simulations 0, E,
 * 2E, ... day by day into the walk-forward, report_series.c), then the
 * next-day trade plan of the symbol's best strategy and the forecasts'
 * errors (forecast_quality.c).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"
#include "core/core_internal.h"

static int is_maxdiff_kind(ms_strategy strategy)
{
    return strategy == MS_STRATEGY_MAXDIFF || strategy == MS_STRATEGY_MAXDIFF_ALWAYS_ON;
}

/* The next-day side: MaxDiff kinds take simulation 0's majority trade side;
 * the others their signal for origin n-1, computed on simulation 0's window
 * extended by that day (its signal uses no outcome of that day). No
 * forecast for the next day (a user's forecasts may stop at the last bar)
 * is no side. */
static ms_status next_side(ms_strategy strategy, const ms_strategy_result *sim0,
                           const ms_origin_table *table, size_t bars,
                           const ms_analyzer_options *opts,
                           const ms_strategy_params *params, int *side)
{
    if (!isfinite(table->close_pred[table->count - 1])) {
        *side = 0;
        return MS_OK;
    }
    if (is_maxdiff_kind(strategy)) {
        *side = sim0[strategy].side;
        return MS_OK;
    }
    ms_window window = ms_origin_window(table, bars, 0, opts->eval_days, 1);
    int *signals = malloc(window.days * sizeof *signals);
    if (signals == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory for signals");
    ms_status status = ms_strategy_signals(strategy, &window, params, signals);
    *side = status == MS_OK ? signals[window.days - 1] : 0;
    free(signals);
    return status;
}

static double clamp(double value, double lo, double hi)
{
    return value < lo ? lo : value > hi ? hi : value;
}

/*
 * Entry and take-profit prices for the next day (docs/strategies.md):
 * MaxDiff kinds use their limit levels with simulation 0's optimised
 * offsets, clamped as in the backtest (a sell mirrors a buy);
 * entry_takeprofit enters at the market and takes profit at the predicted
 * extreme; highlow enters at the predicted extreme and exits at the
 * predicted close; the close-to-close signal strategies enter at the
 * market and exit at the predicted close.
 */
static void plan_levels(ms_symbol_report *report, const ms_strategy_result *sim0,
                        const ms_origin_table *table)
{
    size_t next = table->count - 1;
    double close = report->last_close;
    double high_level = report->forecast_high; /* = close * (1 + high_pred) */
    double low_level = report->forecast_low;
    int side = report->side;
    report->entry_price = NAN;
    report->take_profit_price = NAN;
    if (side == 0)
        return;
    switch (report->best_strategy) {
    case MS_STRATEGY_MAXDIFF:
    case MS_STRATEGY_MAXDIFF_ALWAYS_ON: {
        /* The same clamps as the profit function the backtest scored
         * (lp in [-1, 0], hp in [0, 10]): a live order never buys above or
         * sells below the close, just as no backtested trade did. */
        const ms_maxdiff_choice *choice = &sim0[report->best_strategy].optimized_choice;
        double buy_return = clamp(table->low_pred[next] + choice->low_offset, -1.0, 0.0);
        double sell_return = clamp(table->high_pred[next] + choice->high_offset, 0.0, 10.0);
        double buy = close * (1.0 + buy_return);
        double sell = close * (1.0 + sell_return);
        report->entry_price = side > 0 ? buy : sell;
        report->take_profit_price = side > 0 ? sell : buy;
        break;
    }
    case MS_STRATEGY_ENTRY_TAKEPROFIT:
        report->entry_price = close;
        report->take_profit_price = side > 0 ? high_level : low_level;
        break;
    case MS_STRATEGY_HIGHLOW:
        report->entry_price = side > 0 ? low_level : high_level;
        report->take_profit_price = report->forecast_close;
        break;
    default:
        report->entry_price = close;
        report->take_profit_price = report->forecast_close;
        break;
    }
}

static void fill_forecast_prices(ms_symbol_report *report, const ms_bars *bars,
                                 const ms_origin_table *table)
{
    size_t last = ms_bars_len(bars) - 1, next = table->count - 1;
    report->last_close = ms_bars_column(bars, MS_COL_CLOSE)[last];
    report->last_timestamp = ms_bars_timestamps(bars)[last];
    /* All three from the close and the coherent table: equal levels stay equal. */
    report->forecast_close = report->last_close * (1.0 + table->close_pred[next]);
    report->forecast_high = report->last_close * (1.0 + table->high_pred[next]);
    report->forecast_low = report->last_close * (1.0 + table->low_pred[next]);
    report->incoherent_forecasts = table->incoherent;
    report->forecast_origins = table->count;
}

/* One symbol's evaluation windows: slices of its forecast table, with the
 * actual next-bar opens the path fill models read (the table holds the
 * close, high and low only). */
typedef struct window_source {
    const ms_origin_table *table;
    size_t bars;
    size_t eval_days;
    double *open_actual;   /* O_{t+1}/C_t - 1 by origin index; NaN at the last */
} window_source;

static ms_status window_source_init(window_source *source, const ms_bars *bars,
                                    const ms_origin_table *table, size_t eval_days)
{
    size_t n = ms_bars_len(bars);
    *source = (window_source){ table, n, eval_days, malloc(table->count * sizeof(double)) };
    if (source->open_actual == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory for %zu opens", table->count);
    const double *open = ms_bars_column(bars, MS_COL_OPEN);
    const double *close = ms_bars_column(bars, MS_COL_CLOSE);
    for (size_t o = 0; o < table->count; o++) {
        size_t t = table->first_origin + o;
        source->open_actual[o] = t + 1 < n ? open[t + 1] / close[t] - 1.0 : NAN;
    }
    return MS_OK;
}

static ms_window window_at(const window_source *source, size_t simulation, int include_next)
{
    ms_window window = ms_origin_window(source->table, source->bars, simulation,
                                        source->eval_days, include_next);
    window.open_actual = source->open_actual + (window.close_actual - source->table->close_actual);
    return window;
}

/* One strategy on simulation k: its offsets fitted on the E days before
 * the window (walk-forward) or on the window itself, and for the MaxDiff
 * kinds the original's figure (reference fills, in-sample offsets). */
static ms_status evaluate_simulation(const window_source *source, size_t k, ms_strategy strategy,
                                     const ms_analyzer_options *opts,
                                     const ms_strategy_params *params,
                                     ms_strategy_result *result, ms_period_metrics *reference,
                                     double *daily_returns)
{
    ms_window window = window_at(source, k, 0);
    bool walk_forward = opts->offsets == MS_OFFSETS_WALK_FORWARD;
    ms_window fit = walk_forward ? window_at(source, k + opts->eval_days, 0) : window;
    ms_status status = ms_strategy_evaluate_fitted(strategy, walk_forward ? &fit : NULL, &window,
                                                   params, result, daily_returns);
    if (status != MS_OK || !is_maxdiff_kind(strategy))
        return status;
    *reference = result->metrics;
    if (!walk_forward && params->fills == MS_FILLS_REFERENCE)
        return MS_OK;
    ms_strategy_params original = *params;
    original.fills = MS_FILLS_REFERENCE;
    ms_strategy_result original_result;
    status = ms_strategy_evaluate(strategy, &window, &original, &original_result, NULL);
    *reference = original_result.metrics;
    return status;
}

static ms_status run_simulations(ms_symbol_report *report, const window_source *source,
                                 const ms_analyzer_options *opts,
                                 const ms_strategy_params *params, ms_strategy_result *sim0)
{
    size_t n_sims = opts->simulations;
    ms_summary_builder builders[MS_STRATEGY_COUNT] = { 0 };
    double *returns[MS_STRATEGY_COUNT] = { NULL };
    for (int s = 0; s < MS_STRATEGY_COUNT; s++) {
        returns[s] = malloc(n_sims * sizeof(double));
        if (returns[s] == NULL) {
            for (int i = 0; i < s; i++)
                free(returns[i]);
            return ms_error(MS_ERR_NOMEM, "out of memory for simulation returns");
        }
    }
    ms_status status = MS_OK;
    for (size_t k = 0; k < n_sims && status == MS_OK; k++) {
        size_t offset = ms_walk_forward_offset(report, k, opts->eval_days);
        for (int s = 0; s < MS_STRATEGY_COUNT && status == MS_OK; s++) {
            ms_strategy_result result;
            ms_period_metrics reference;
            double *daily = offset == SIZE_MAX ? NULL
                                               : (double *)report->walk_forward_returns[s] + offset;
            status = evaluate_simulation(source, k, (ms_strategy)s, opts, params, &result,
                                         &reference, daily);
            if (status == MS_OK && daily != NULL && !is_maxdiff_kind((ms_strategy)s)) {
                ms_window window = window_at(source, k, 0);
                status = ms_strategy_signals((ms_strategy)s, &window, params,
                                             (int *)report->walk_forward_sides[s] + offset);
            }
            ms_summary_add(&builders[s], &result);
            if (is_maxdiff_kind((ms_strategy)s))
                ms_summary_add_reference(&builders[s], &reference);
            returns[s][k] = result.metrics.total_return;
            if (k == 0)
                sim0[s] = result;
        }
    }
    ms_strategy_summary *summaries = ms_strategy_block_of(report)->summaries;
    for (int s = 0; s < MS_STRATEGY_COUNT; s++) {
        ms_summary_finish(&builders[s], returns[s], n_sims, &summaries[s]);
        summaries[s].simulation_returns = returns[s];
        summaries[s].simulations = n_sims;
    }
    return status;
}

/* The next day's MaxDiff offsets: fitted on the last E days with known
 * outcomes (simulation 0's window), all before the next day. With in-sample
 * offsets they are simulation 0's own; walk-forward fitted simulation 0's
 * on the days before it, so they are fitted here. */
static ms_status fit_next_day(const window_source *source, const ms_analyzer_options *opts,
                              const ms_strategy_params *params, ms_strategy_result *sim0)
{
    if (opts->offsets != MS_OFFSETS_WALK_FORWARD)
        return MS_OK;
    ms_window window = window_at(source, 0, 0);
    ms_status status = MS_OK;
    for (int s = 0; s < MS_STRATEGY_COUNT && status == MS_OK; s++)
        if (is_maxdiff_kind((ms_strategy)s))
            status = ms_strategy_evaluate((ms_strategy)s, &window, params, &sim0[s], NULL);
    return status;
}

ms_status ms_backtest_symbol(ms_symbol_report *report, const ms_bars *bars,
                             const ms_origin_table *table,
                             const ms_analyzer_options *opts)
{
    ms_strategy_params params = ms_symbol_strategy_params(report->asset_class, opts);
    params.fills = opts->fills;
    ms_strategy_result sim0[MS_STRATEGY_COUNT];
    size_t n = ms_bars_len(bars);
    window_source source;
    ms_status status = window_source_init(&source, bars, table, opts->eval_days);
    if (status == MS_OK && report->strategies == NULL)
        status = ms_strategy_block_attach(report);
    if (status == MS_OK)
        status = ms_walk_forward_init(report, bars, opts->simulations, opts->eval_days);
    if (status == MS_OK)
        status = run_simulations(report, &source, opts, &params, sim0);
    if (status == MS_OK)
        status = fit_next_day(&source, opts, &params, sim0);
    free(source.open_actual);
    if (status != MS_OK)
        return status;
    fill_forecast_prices(report, bars, table);
    status = ms_keep_recent_bars(report, bars, table);
    if (status == MS_OK)
        status = ms_forecast_quality_of(table, bars, &report->forecast_quality);
    if (status != MS_OK)
        return status;
    report->maxdiff_choice = sim0[MS_STRATEGY_MAXDIFF].optimized_choice;
    ms_rank_symbol(report);
    status = next_side(report->best_strategy, sim0, table, n, opts, &params, &report->side);
    if (status == MS_OK) {
        plan_levels(report, sim0, table);
        ms_check_plan(report, params.fee);
    }
    return status;
}
