/*
 * signals.c - the signal strategies (simple, all_signals, buy_hold,
 * unprofit_shutdown), the position rule the percent-move strategies share
 * with simple, and the signal evaluator that scores a run of signals.
 */
#include <math.h>
#include <stdlib.h>

#include "strategy_internal.h"

static int sign_of(double value)
{
    return (value > 0.0) - (value < 0.0);
}

/* unprofit_shutdown: stand aside for a day after a losing day. */
static int unprofit_shutdown_signal(const ms_window *w, size_t day, int previous)
{
    if (day > 0 && previous != 0 && previous * w->close_actual[day - 1] < 0.0)
        return 0;
    return sign_of(w->close_pred[day]);
}

static int all_signals_signal(const ms_window *w, size_t day)
{
    double close = w->close_pred[day], high = w->high_change_pred[day];
    double low = w->low_change_pred[day];
    if (close > 0.0 && high > 0.0 && low > 0.0)
        return 1;
    if (close < 0.0 && high < 0.0 && low < 0.0)
        return -1;
    return 0;
}

int ms_signal_on_day(ms_strategy strategy, const ms_window *window, size_t day,
                     int previous, bool long_only)
{
    int signal;
    switch (strategy) {
    case MS_STRATEGY_ALL_SIGNALS:
        signal = all_signals_signal(window, day);
        break;
    case MS_STRATEGY_BUY_HOLD:
        signal = window->close_pred[day] > 0.0;
        break;
    case MS_STRATEGY_UNPROFIT_SHUTDOWN:
        signal = unprofit_shutdown_signal(window, day, previous);
        break;
    default: /* simple, entry_takeprofit, highlow */
        signal = window->close_pred[day] > 0.0 ? 1 : -1;
        break;
    }
    return long_only && signal < 0 ? 0 : signal;
}

/* Scores one day of a signal run: net_d = s_d * r_d - |s_d - s_{d-1}| * fee,
 * written to *net when net is not NULL. */
static void score_day(ms_day_stats *stats, int signal, int previous, double day_return,
                      double fee, double *net)
{
    double units = abs(signal - previous);
    double day_net = signal * day_return - units * fee;
    ms_day_stats_add(stats, day_net, units);
    if (net != NULL)
        *net = day_net;
}

MS_API double ms_signal_returns(const int *signals, const double *returns, size_t days,
                                double fee, double *net)
{
    if (days > 0 && (signals == NULL || returns == NULL))
        return NAN;
    ms_day_stats stats = ms_day_stats_start();
    for (size_t d = 0; d < days; d++)
        score_day(&stats, signals[d], d > 0 ? signals[d - 1] : 0, returns[d], fee,
                  net != NULL ? &net[d] : NULL);
    return stats.growth - 1.0;
}

void ms_signal_evaluate(ms_strategy strategy, const ms_window *window,
                        const ms_strategy_params *params, ms_strategy_result *result,
                        double *daily_returns)
{
    ms_day_stats stats = ms_day_stats_start();
    int previous = 0;
    for (size_t d = 0; d < window->days; d++) {
        int signal = ms_signal_on_day(strategy, window, d, previous, params->long_only);
        score_day(&stats, signal, previous, window->close_actual[d], params->fee,
                  daily_returns != NULL ? &daily_returns[d] : NULL);
        previous = signal;
    }
    ms_period_metrics metrics = ms_day_stats_finish(&stats, true, params->days_per_year);
    *result = ms_single_result(&metrics, previous);
}
