/*
 * percent_move.c - entry_takeprofit and highlow (strategies.md): a position
 * each day on the side of the predicted close (simple's rule), entered or
 * exited at the predicted extremes.
 *
 * Fee rule: these strategies open a new position every day (they exit at
 * the take-profit level or at the close), so each day in a position on
 * side p != 0 pays `fee` to open it; a day flipping straight from the
 * opposite side the day before pays one more `fee` to close that side (2 x
 * fee in all); a flat day pays nothing. Totals are sums, not compounded.
 */
#include <stdlib.h>

#include "strategy_internal.h"

/* Long: take profit at the predicted high when the day reaches it. Short
 * mirrors it at the predicted low. */
static double entry_takeprofit_gross(const ms_window *w, size_t d, int side)
{
    if (side > 0)
        return w->high_actual[d] >= w->high_pred[d] ? w->high_pred[d] : w->close_actual[d];
    return w->low_actual[d] <= w->low_pred[d] ? -w->low_pred[d] : -w->close_actual[d];
}

/* Long: buy at the predicted low when the day reaches it, else at the
 * open, and hold to the close. Short mirrors it at the predicted high. */
static double highlow_gross(const ms_window *w, size_t d, int side)
{
    if (side > 0)
        return w->low_actual[d] <= w->low_pred[d] ? w->close_actual[d] - w->low_pred[d]
                                                  : w->close_actual[d];
    return w->high_actual[d] >= w->high_pred[d] ? w->high_pred[d] - w->close_actual[d]
                                                : -w->close_actual[d];
}

void ms_percent_move_evaluate(ms_strategy strategy, const ms_window *window,
                              const ms_strategy_params *params, ms_strategy_result *result,
                              double *daily_returns)
{
    ms_day_stats stats = ms_day_stats_start();
    int previous = 0;
    for (size_t d = 0; d < window->days; d++) {
        int side = ms_signal_on_day(strategy, window, d, previous, params->long_only);
        double gross = 0.0;
        if (side != 0)
            gross = strategy == MS_STRATEGY_HIGHLOW ? highlow_gross(window, d, side)
                                                    : entry_takeprofit_gross(window, d, side);
        double units = abs(side) + (side * previous < 0);
        double day_return = gross - units * params->fee;
        ms_day_stats_add(&stats, day_return, units);
        if (daily_returns != NULL)
            daily_returns[d] = day_return;
        previous = side;
    }
    ms_period_metrics metrics = ms_day_stats_finish(&stats, false, params->days_per_year);
    *result = ms_single_result(&metrics, previous);
}
