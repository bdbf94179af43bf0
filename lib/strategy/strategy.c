/*
 * strategy.c - the strategies' names, argument checking, and the dispatch
 * of ms_strategy_evaluate and ms_strategy_signals to each kind's evaluator.
 *
 * Windows are checked before any arithmetic: a NaN forecast would silently
 * pick a side (every comparison with it is false), so non-finite inputs
 * are refused and named rather than turned into numbers.
 */
#include <math.h>

#include "core/core_internal.h"
#include "strategy_internal.h"

static const char *const strategy_names[MS_STRATEGY_COUNT] = {
    [MS_STRATEGY_MAXDIFF] = "maxdiff",
    [MS_STRATEGY_MAXDIFF_ALWAYS_ON] = "maxdiff_always_on",
    [MS_STRATEGY_SIMPLE] = "simple",
    [MS_STRATEGY_ALL_SIGNALS] = "all_signals",
    [MS_STRATEGY_BUY_HOLD] = "buy_hold",
    [MS_STRATEGY_UNPROFIT_SHUTDOWN] = "unprofit_shutdown",
    [MS_STRATEGY_ENTRY_TAKEPROFIT] = "entry_takeprofit",
    [MS_STRATEGY_HIGHLOW] = "highlow",
};

MS_API const char *ms_strategy_name(ms_strategy strategy)
{
    if ((int)strategy < 0 || strategy >= MS_STRATEGY_COUNT)
        return NULL;
    return strategy_names[strategy];
}

MS_API ms_status ms_strategy_from_name(const char *name, ms_strategy *out)
{
    if (name == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_strategy_from_name: NULL %s",
                        name == NULL ? "name" : "out");
    for (int s = 0; s < MS_STRATEGY_COUNT; s++) {
        if (ms_str_ieq(name, strategy_names[s])) {
            *out = (ms_strategy)s;
            return MS_OK;
        }
    }
    return ms_error(MS_ERR_NOT_FOUND,
                    "unknown strategy '%s' (expected maxdiff, maxdiff_always_on, simple, "
                    "all_signals, buy_hold, unprofit_shutdown, entry_takeprofit or highlow)",
                    name);
}

ms_strategy_result ms_single_result(const ms_period_metrics *metrics, int side)
{
    return (ms_strategy_result){
        .metrics = *metrics, .baseline = *metrics, .optimized = *metrics, .side = side,
    };
}

static bool is_maxdiff_kind(ms_strategy strategy)
{
    return strategy == MS_STRATEGY_MAXDIFF || strategy == MS_STRATEGY_MAXDIFF_ALWAYS_ON;
}


/* Checks one window array: present, and finite over its first `finite_days`. */
static ms_status check_series(const char *caller, const char *field, const double *values,
                              size_t finite_days)
{
    if (values == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "%s: window->%s is NULL", caller, field);
    for (size_t d = 0; d < finite_days; d++)
        if (!isfinite(values[d]))
            return ms_error(MS_ERR_DATA, "%s: window->%s[%zu] is %g, not finite", caller,
                            field, d, values[d]);
    return MS_OK;
}

/* Predictions must be finite on every day, and so must actuals, except on
 * the last day when `live_last_day` (the live decision has no outcome yet);
 * the open only when `with_open` (a path fill model reads it). */
static ms_status check_window(const char *caller, const ms_window *w, bool live_last_day,
                              bool with_open)
{
    if (w == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "%s: NULL window", caller);
    if (w->days == 0)
        return ms_error(MS_ERR_INVALID_ARG, "%s: window has zero days", caller);
    size_t actual_days = live_last_day ? w->days - 1 : w->days;
    const struct {
        const char *field;
        const double *values;
        size_t finite_days;
    } series[] = {
        { "close_actual", w->close_actual, actual_days },
        { "high_actual", w->high_actual, actual_days },
        { "low_actual", w->low_actual, actual_days },
        { "close_pred", w->close_pred, w->days },
        { "high_pred", w->high_pred, w->days },
        { "low_pred", w->low_pred, w->days },
        { "high_change_pred", w->high_change_pred, w->days },
        { "low_change_pred", w->low_change_pred, w->days },
    };
    for (size_t i = 0; i < MS_ARRAY_LEN(series); i++) {
        ms_status status = check_series(caller, series[i].field, series[i].values,
                                        series[i].finite_days);
        if (status != MS_OK)
            return status;
    }
    return with_open ? check_series(caller, "open_actual", w->open_actual, actual_days) : MS_OK;
}

static ms_status check_call(const char *caller, ms_strategy strategy,
                            const ms_strategy_params *params, const void *out)
{
    if (ms_strategy_name(strategy) == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "%s: unknown strategy %d", caller, (int)strategy);
    if (params == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "%s: NULL %s", caller,
                        params == NULL ? "params" : "output");
    if (!(isfinite(params->fee) && params->fee >= 0.0))
        return ms_error(MS_ERR_INVALID_ARG, "%s: fee %g is not a finite value >= 0", caller,
                        params->fee);
    if (!(isfinite(params->days_per_year) && params->days_per_year > 0.0))
        return ms_error(MS_ERR_INVALID_ARG, "%s: days_per_year %g is not a finite value > 0",
                        caller, params->days_per_year);
    if (ms_fill_model_name(params->fills) == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "%s: unknown fill model %d", caller,
                        (int)params->fills);
    return MS_OK;
}

static ms_status check_evaluation(const char *caller, ms_strategy strategy, const ms_window *w,
                                  const ms_strategy_params *params)
{
    bool with_open = params->fills != MS_FILLS_REFERENCE;
    ms_status status = check_window(caller, w, false, with_open);
    if (status != MS_OK)
        return ms_error_wrap(status, "strategy %s", ms_strategy_name(strategy));
    return MS_OK;
}

static ms_status evaluate(const char *caller, ms_strategy strategy, const ms_window *fit_window,
                          const ms_window *window, const ms_strategy_params *params,
                          ms_strategy_result *result, double *daily_returns)
{
    ms_status status = check_call(caller, strategy, params, result);
    if (status == MS_OK)
        status = check_evaluation(caller, strategy, window, params);
    if (status == MS_OK && fit_window != NULL && is_maxdiff_kind(strategy))
        status = check_evaluation(caller, strategy, fit_window, params);
    if (status != MS_OK)
        return status;
    switch (strategy) {
    case MS_STRATEGY_MAXDIFF:
    case MS_STRATEGY_MAXDIFF_ALWAYS_ON:
        ms_maxdiff_evaluate(strategy == MS_STRATEGY_MAXDIFF_ALWAYS_ON,
                            fit_window != NULL ? fit_window : window, window, params, result,
                            daily_returns);
        break;
    case MS_STRATEGY_ENTRY_TAKEPROFIT:
    case MS_STRATEGY_HIGHLOW:
        ms_percent_move_evaluate(strategy, window, params, result, daily_returns);
        break;
    default:
        /* Close to close at the reference's rule; the path models trade the
         * limit orders `trade` places for them (percent_move.c). */
        if (params->fills == MS_FILLS_REFERENCE)
            ms_signal_evaluate(strategy, window, params, result, daily_returns);
        else
            ms_percent_move_evaluate(strategy, window, params, result, daily_returns);
        break;
    }
    return MS_OK;
}

MS_API ms_status ms_strategy_evaluate(ms_strategy strategy, const ms_window *window,
                                      const ms_strategy_params *params,
                                      ms_strategy_result *result, double *daily_returns)
{
    return evaluate("ms_strategy_evaluate", strategy, NULL, window, params, result,
                    daily_returns);
}

MS_API ms_status ms_strategy_evaluate_fitted(ms_strategy strategy, const ms_window *fit_window,
                                             const ms_window *window,
                                             const ms_strategy_params *params,
                                             ms_strategy_result *result, double *daily_returns)
{
    return evaluate("ms_strategy_evaluate_fitted", strategy, fit_window, window, params, result,
                    daily_returns);
}

MS_API ms_status ms_strategy_signals(ms_strategy strategy, const ms_window *window,
                                     const ms_strategy_params *params, int *signals)
{
    static const char caller[] = "ms_strategy_signals";
    ms_status status = check_call(caller, strategy, params, signals);
    if (status == MS_OK && is_maxdiff_kind(strategy))
        status = ms_error(MS_ERR_INVALID_ARG, "%s: %s trades limit orders, not signals",
                          caller, ms_strategy_name(strategy));
    if (status != MS_OK)
        return status;
    status = check_window(caller, window, true, false);
    if (status != MS_OK)
        return ms_error_wrap(status, "strategy %s", ms_strategy_name(strategy));
    int previous = 0;
    for (size_t d = 0; d < window->days; d++) {
        signals[d] = ms_signal_on_day(strategy, window, d, previous, params->long_only);
        previous = signals[d];
    }
    return MS_OK;
}
