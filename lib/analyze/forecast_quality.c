/*
 * forecast_quality.c - how good a symbol's one-step forecasts were: for the
 * close, high and low over the backtest origins, the error of the predicted
 * next value against the actual one (MAE, RMSE, in percent of the origin's
 * value), how often the predicted move had the actual move's direction,
 * how often the actual fell inside the 10%..90% quantiles when there are
 * any, and the same errors for the naive "no change" forecast, so a model
 * can be judged against doing nothing (docs/report.md, "Forecast quality").
 * Pooling adds symbols' sums back up, so the report-wide figure weighs
 * every origin once.
 */
#include <math.h>
#include <stdlib.h>

#include "analyze_internal.h"
#include "core/core_internal.h"

/* Running sums of one column's errors. */
typedef struct error_sums {
    size_t count;
    double abs_error;       /* sum |P - A| / X */
    double squared_error;   /* sum ((P - A) / X)^2 */
    double naive_abs;
    double naive_squared;
    size_t directions;
    size_t hits;
    size_t covered_count;
    size_t covered;
} error_sums;

static int sign_of(double value)
{
    return (value > 0.0) - (value < 0.0);
}

static void add_origin(error_sums *sums, double level, double predicted, double actual,
                       double q10, double q90)
{
    double error = (predicted - actual) / level, naive = (level - actual) / level;
    sums->count++;
    sums->abs_error += fabs(error);
    sums->squared_error += error * error;
    sums->naive_abs += fabs(naive);
    sums->naive_squared += naive * naive;
    int predicted_move = sign_of(predicted - level), actual_move = sign_of(actual - level);
    if (predicted_move != 0 && actual_move != 0) {
        sums->directions++;
        sums->hits += (size_t)(predicted_move == actual_move);
    }
    if (isfinite(q10) && isfinite(q90)) {
        sums->covered_count++;
        sums->covered += (size_t)(actual >= q10 && actual <= q90);
    }
}

static double ratio(double part, size_t whole)
{
    return whole > 0 ? part / (double)whole : NAN;
}

static void finish(const error_sums *sums, ms_forecast_error *out)
{
    *out = (ms_forecast_error){
        .count = sums->count,
        .mae_pct = 100.0 * ratio(sums->abs_error, sums->count),
        .rmse_pct = 100.0 * sqrt(ratio(sums->squared_error, sums->count)),
        .hit_rate = ratio((double)sums->hits, sums->directions),
        .directions = sums->directions,
        .coverage = ratio((double)sums->covered, sums->covered_count),
        .covered_count = sums->covered_count,
        .naive_mae_pct = 100.0 * ratio(sums->naive_abs, sums->count),
        .naive_rmse_pct = 100.0 * sqrt(ratio(sums->naive_squared, sums->count)),
    };
}

/* The sums a finished figure stands for: finish() undone, so figures pool. */
static void add_finished(error_sums *sums, const ms_forecast_error *e)
{
    if (e->count == 0)
        return;
    double n = (double)e->count, rmse = e->rmse_pct / 100.0, naive_rmse = e->naive_rmse_pct / 100.0;
    sums->count += e->count;
    sums->abs_error += e->mae_pct / 100.0 * n;
    sums->squared_error += rmse * rmse * n;
    sums->naive_abs += e->naive_mae_pct / 100.0 * n;
    sums->naive_squared += naive_rmse * naive_rmse * n;
    sums->directions += e->directions;
    if (e->directions > 0)
        sums->hits += (size_t)llround(e->hit_rate * (double)e->directions);
    sums->covered_count += e->covered_count;
    if (e->covered_count > 0)
        sums->covered += (size_t)llround(e->coverage * (double)e->covered_count);
}

void ms_forecast_error_compute(const double *level, const double *predicted, const double *actual,
                               const double *q10, const double *q90, size_t n,
                               ms_forecast_error *out)
{
    error_sums sums = { 0 };
    for (size_t i = 0; i < n; i++) {
        if (!(isfinite(level[i]) && level[i] != 0.0 && isfinite(predicted[i]) &&
              isfinite(actual[i])))
            continue;
        add_origin(&sums, level[i], predicted[i], actual[i], q10 ? q10[i] : NAN,
                   q90 ? q90[i] : NAN);
    }
    finish(&sums, out);
}

/* One column of the table in prices: X_t, P and A for every origin (A NaN
 * at the last origin, whose next bar has not happened). */
static void column_levels(const ms_origin_table *table, const ms_bars *bars, ms_column column,
                          const double *pred, const double *actual_change, double *level,
                          double *predicted, double *actual)
{
    const double *close = ms_bars_column(bars, MS_COL_CLOSE);
    const double *values = ms_bars_column(bars, column);
    for (size_t o = 0; o < table->count; o++) {
        size_t t = table->first_origin + o;
        level[o] = values[t];
        predicted[o] = close[t] * (1.0 + pred[o]);
        actual[o] = close[t] * (1.0 + actual_change[o]);
    }
}

ms_status ms_forecast_quality_of(const ms_origin_table *table, const ms_bars *bars,
                                 ms_forecast_quality *out)
{
    size_t n = table->count;
    double *buffer = malloc(3 * (n ? n : 1) * sizeof *buffer);
    if (buffer == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory for forecast errors");
    double *level = buffer, *predicted = buffer + n, *actual = buffer + 2 * n;
    column_levels(table, bars, MS_COL_CLOSE, table->close_pred, table->close_actual, level,
                  predicted, actual);
    ms_forecast_error_compute(level, predicted, actual, NULL, NULL, n, &out->close);
    column_levels(table, bars, MS_COL_HIGH, table->high_pred, table->high_actual, level,
                  predicted, actual);
    ms_forecast_error_compute(level, predicted, actual, NULL, NULL, n, &out->high);
    column_levels(table, bars, MS_COL_LOW, table->low_pred, table->low_actual, level,
                  predicted, actual);
    ms_forecast_error_compute(level, predicted, actual, NULL, NULL, n, &out->low);
    free(buffer);
    return MS_OK;
}

void ms_forecast_quality_pool(const ms_symbol_report *symbols, size_t n,
                              ms_forecast_quality *out)
{
    error_sums close = { 0 }, high = { 0 }, low = { 0 };
    for (size_t i = 0; i < n; i++) {
        add_finished(&close, &symbols[i].forecast_quality.close);
        add_finished(&high, &symbols[i].forecast_quality.high);
        add_finished(&low, &symbols[i].forecast_quality.low);
    }
    finish(&close, &out->close);
    finish(&high, &out->high);
    finish(&low, &out->low);
}
