/*
 * report_series.c - the series a symbol's report keeps for charts and for
 * other tools to plot (analyze.h, ms_symbol_report): its recent bars and
 * the one-step forecast each of them had, and one non-overlapping
 * walk-forward of every strategy, the evaluation days of simulations 0, E,
 * 2E, ... laid end to end. The bars and the forecast table are freed once
 * the symbol is done; the report outlives them, so what it shows is copied
 * here.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"
#include "core/core_internal.h"

static ms_status nomem(void *a, void *b, const char *what)
{
    free(a);
    free(b);
    return ms_error(MS_ERR_NOMEM, "out of memory for %s", what);
}

/* The last `count` values of a bar column, copied. */
static double *copy_tail(const ms_bars *bars, ms_column column, size_t count)
{
    double *out = malloc((count ? count : 1) * sizeof *out);
    size_t n = ms_bars_len(bars);
    if (out != NULL)
        memcpy(out, ms_bars_column(bars, column) + n - count, count * sizeof *out);
    return out;
}

/* Recent bar b's forecast from origin b - 1, in prices: NaN when b - 1 is
 * no origin of the table with a known next bar. */
static void recent_forecasts(const ms_origin_table *table, const ms_bars *bars, size_t count,
                             double *close_out, double *high_out, double *low_out)
{
    size_t n = ms_bars_len(bars);
    const double *close = ms_bars_column(bars, MS_COL_CLOSE);
    for (size_t i = 0; i < count; i++) {
        size_t b = n - count + i;
        close_out[i] = high_out[i] = low_out[i] = NAN;
        if (b == 0 || b - 1 < table->first_origin || b - 1 - table->first_origin >= table->count)
            continue;
        size_t o = b - 1 - table->first_origin;
        close_out[i] = close[b - 1] * (1.0 + table->close_pred[o]);
        high_out[i] = close[b - 1] * (1.0 + table->high_pred[o]);
        low_out[i] = close[b - 1] * (1.0 + table->low_pred[o]);
    }
}

ms_status ms_keep_recent_bars(ms_symbol_report *report, const ms_bars *bars,
                              const ms_origin_table *table)
{
    size_t n = ms_bars_len(bars);
    size_t count = n < MS_REPORT_RECENT_BARS ? n : MS_REPORT_RECENT_BARS;
    int64_t *times = malloc((count ? count : 1) * sizeof *times);
    double *forecasts = malloc(3 * (count ? count : 1) * sizeof *forecasts);
    if (times == NULL || forecasts == NULL)
        return nomem(times, forecasts, "recent prices");
    memcpy(times, ms_bars_timestamps(bars) + n - count, count * sizeof *times);
    report->recent_time = times;
    report->recent_count = count;
    report->recent_forecast_close = forecasts;
    report->recent_forecast_high = forecasts + count;
    report->recent_forecast_low = forecasts + 2 * count;
    recent_forecasts(table, bars, count, forecasts, forecasts + count, forecasts + 2 * count);
    report->recent_close = copy_tail(bars, MS_COL_CLOSE, count);
    report->recent_open = copy_tail(bars, MS_COL_OPEN, count);
    report->recent_high = copy_tail(bars, MS_COL_HIGH, count);
    report->recent_low = copy_tail(bars, MS_COL_LOW, count);
    if (report->recent_close == NULL || report->recent_open == NULL ||
        report->recent_high == NULL || report->recent_low == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory for recent prices");
    return MS_OK;
}

void ms_release_recent_bars(ms_symbol_report *report)
{
    free((double *)report->recent_close);
    free((double *)report->recent_open);
    free((double *)report->recent_high);
    free((double *)report->recent_low);
    free((int64_t *)report->recent_time);
    free((double *)report->recent_forecast_close);   /* holds high and low too */
    report->recent_close = report->recent_open = report->recent_high = report->recent_low = NULL;
    report->recent_forecast_close = report->recent_forecast_high = NULL;
    report->recent_forecast_low = NULL;
    report->recent_time = NULL;
    report->recent_count = 0;
}

/* Windows of simulations 0, E, 2E, ... below N: ceil(N / E). */
static size_t window_count(size_t simulations, size_t eval_days)
{
    return eval_days > 0 && simulations > 0 ? (simulations - 1) / eval_days + 1 : 0;
}

ms_status ms_walk_forward_init(ms_symbol_report *report, const ms_bars *bars,
                               size_t simulations, size_t eval_days)
{
    size_t days = window_count(simulations, eval_days) * eval_days;
    int64_t *times = malloc((days ? days : 1) * sizeof *times);
    double *returns = malloc(MS_STRATEGY_COUNT * (days ? days : 1) * sizeof *returns);
    int *sides = calloc(MS_STRATEGY_COUNT * (days ? days : 1), sizeof *sides);
    if (times == NULL || returns == NULL || sides == NULL) {
        free(sides);
        return nomem(times, returns, "the walk-forward");
    }
    /* Day d of simulation k's window is origin n-1-k-E+d, trading bar n-k-E+d. */
    size_t n = ms_bars_len(bars);
    const int64_t *stamps = ms_bars_timestamps(bars);
    for (size_t d = 0; d < days; d++)
        times[d] = stamps[n - days + d];
    for (size_t i = 0; i < (size_t)MS_STRATEGY_COUNT * days; i++)
        returns[i] = NAN;
    report->walk_forward_time = times;
    report->walk_forward_days = days;
    ms_strategy_block *block = ms_strategy_block_of(report);
    for (int s = 0; s < MS_STRATEGY_COUNT; s++) {
        block->return_rows[s] = returns + (size_t)s * days;
        block->side_rows[s] = sides + (size_t)s * days;
    }
    return MS_OK;
}

size_t ms_walk_forward_offset(const ms_symbol_report *report, size_t simulation,
                              size_t eval_days)
{
    if (eval_days == 0 || simulation % eval_days != 0 ||
        (simulation / eval_days + 1) * eval_days > report->walk_forward_days)
        return SIZE_MAX;
    return report->walk_forward_days - (simulation / eval_days + 1) * eval_days;
}

void ms_release_walk_forward(ms_symbol_report *report)
{
    free((int64_t *)report->walk_forward_time);
    report->walk_forward_time = NULL;
    report->walk_forward_days = 0;
    ms_strategy_block *block = ms_strategy_block_of(report);
    if (block == NULL)
        return;
    free((double *)block->return_rows[0]);   /* one block of values for every strategy */
    free((int *)block->side_rows[0]);
    for (int s = 0; s < MS_STRATEGY_COUNT; s++) {
        block->return_rows[s] = NULL;
        block->side_rows[s] = NULL;
    }
}

void ms_equity_curve(const double *returns, size_t n, double *equity_pct, double *drawdown_pct)
{
    double equity = 1.0, peak = 1.0;
    for (size_t d = 0; d < n; d++) {
        if (isfinite(returns[d]))
            equity *= 1.0 + returns[d];
        peak = fmax(peak, equity);
        if (equity_pct != NULL)
            equity_pct[d] = (equity - 1.0) * 100.0;
        if (drawdown_pct != NULL)
            drawdown_pct[d] = (equity / peak - 1.0) * 100.0;
    }
}
