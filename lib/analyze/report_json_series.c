/*
 * report_json_series.c - the JSON forms of what the HTML report charts, so
 * other tools can plot the same series: per symbol its recent bars with
 * each one's one-step forecast, the non-overlapping walk-forward of every
 * strategy (daily returns, sides, equity and drawdown in percent), the
 * per-simulation returns (simulation 0, the latest, first), and the
 * forecast quality, per symbol and pooled. Non-finite numbers are null.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>

#include "analyze_internal.h"
#include "core/core_internal.h"

static json_t *number(double value)
{
    return isfinite(value) ? json_real(value) : json_null();
}

/* n values as a JSON array; a NULL array is null. */
static json_t *numbers(const double *values, size_t n)
{
    if (values == NULL)
        return json_null();
    json_t *array = json_array();
    for (size_t i = 0; i < n && array != NULL; i++)
        if (json_array_append_new(array, number(values[i])) != 0) {
            json_decref(array);
            return NULL;
        }
    return array;
}

static json_t *dates(const int64_t *times, size_t n)
{
    json_t *array = json_array();
    for (size_t i = 0; i < n && array != NULL; i++) {
        char text[16];
        json_t *date = ms_report_date(times[i], text, sizeof text) ? json_string(text) : json_null();
        if (json_array_append_new(array, date) != 0) {
            json_decref(array);
            return NULL;
        }
    }
    return array;
}

static json_t *sides(const int *values, size_t n)
{
    json_t *array = json_array();
    for (size_t i = 0; i < n && array != NULL; i++)
        if (json_array_append_new(array, json_integer(values ? values[i] : 0)) != 0) {
            json_decref(array);
            return NULL;
        }
    return array;
}

static json_t *recent_object(const ms_symbol_report *r)
{
    size_t n = r->recent_count;
    return json_pack("{s:o,s:o,s:o,s:o,s:o,s:{s:o,s:o,s:o}}",
                     "date", dates(r->recent_time, n),
                     "open", numbers(r->recent_open, n),
                     "high", numbers(r->recent_high, n),
                     "low", numbers(r->recent_low, n),
                     "close", numbers(r->recent_close, n),
                     "forecast", "close", numbers(r->recent_forecast_close, n),
                     "high", numbers(r->recent_forecast_high, n),
                     "low", numbers(r->recent_forecast_low, n));
}

static json_t *walk_forward_strategy(const ms_symbol_report *r, int s, double *equity,
                                     double *drawdown)
{
    size_t n = r->walk_forward_days;
    ms_equity_curve(r->walk_forward_returns[s], n, equity, drawdown);
    return json_pack("{s:o,s:o,s:o,s:o}",
                     "returns", numbers(r->walk_forward_returns[s], n),
                     "sides", sides(r->walk_forward_sides[s], n),
                     "equity_pct", numbers(equity, n),
                     "drawdown_pct", numbers(drawdown, n));
}

static json_t *walk_forward_object(const ms_symbol_report *r)
{
    size_t n = r->walk_forward_days;
    double *curves = malloc(2 * (n ? n : 1) * sizeof *curves);
    json_t *strategies = json_object();
    if (curves == NULL || strategies == NULL) {
        free(curves);
        json_decref(strategies);
        return NULL;
    }
    int failed = 0;
    for (int s = 0; s < MS_STRATEGY_COUNT && n > 0; s++)
        failed |= json_object_set_new(strategies, ms_strategy_name((ms_strategy)s),
                                      walk_forward_strategy(r, s, curves, curves + n));
    free(curves);
    if (failed) {
        json_decref(strategies);
        return NULL;
    }
    return json_pack("{s:o,s:o}", "date", dates(r->walk_forward_time, n),
                     "strategies", strategies);
}

static json_t *simulation_returns(const ms_symbol_report *r)
{
    json_t *object = json_object();
    for (int s = 0; s < MS_STRATEGY_COUNT && object != NULL; s++)
        if (json_object_set_new(object, ms_strategy_name((ms_strategy)s),
                                numbers(r->strategies[s]->simulation_returns,
                                        r->strategies[s]->simulations)) != 0) {
            json_decref(object);
            return NULL;
        }
    return object;
}

json_t *ms_json_symbol_series(const ms_symbol_report *r)
{
    return json_pack("{s:o,s:o,s:o}", "recent", recent_object(r),
                     "walk_forward", walk_forward_object(r),
                     "simulation_returns", simulation_returns(r));
}

static json_t *error_object(const ms_forecast_error *e)
{
    return json_pack("{s:I,s:o,s:o,s:o,s:I,s:o,s:I,s:{s:o,s:o}}",
                     "count", (json_int_t)e->count,
                     "mae_pct", number(e->mae_pct),
                     "rmse_pct", number(e->rmse_pct),
                     "hit_rate", number(e->hit_rate),
                     "directions", (json_int_t)e->directions,
                     "coverage", number(e->coverage),
                     "covered_count", (json_int_t)e->covered_count,
                     "naive", "mae_pct", number(e->naive_mae_pct),
                     "rmse_pct", number(e->naive_rmse_pct));
}

json_t *ms_json_forecast_quality(const ms_forecast_quality *q)
{
    return json_pack("{s:o,s:o,s:o}", "close", error_object(&q->close),
                     "high", error_object(&q->high), "low", error_object(&q->low));
}
