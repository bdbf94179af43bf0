/*
 * maxdiff.c - MaxDiff and MaxDiffAlwaysOn (strategies.md): limit entries at
 * the predicted high and low, scored at the baseline offsets and at the
 * optimised ones, and blended into the reference system's ranking value.
 */
#include <math.h>

#include "strategy_internal.h"

/* The top-level return metrics are baseline + this x optimised: the
 * reference system ranked by that sum, discounting the optimised offsets
 * because they are fitted on the very days they are scored on. */
#define MS_OPTIMIZED_WEIGHT 0.3

int ms_maxdiff_trade(const ms_window *window, size_t day, bool long_only)
{
    double high = window->high_pred[day], low = window->low_pred[day];
    if (low >= high)
        return 0;
    if (fabs(high) > fabs(low))
        return 1;
    return long_only ? 0 : -1;
}

void ms_limit_plan_legs(const ms_limit_plan *plan, size_t day, bool *long_leg,
                        bool *short_leg)
{
    if (plan->always_on) {
        *long_leg = true;
        *short_leg = !plan->long_only;
        return;
    }
    int trade = ms_maxdiff_trade(plan->window, day, plan->long_only);
    *long_leg = trade > 0;
    *short_leg = trade < 0;
}

double ms_limit_plan_run(const ms_limit_plan *plan, const ms_maxdiff_choice *choice,
                         ms_day_stats *stats, double *daily)
{
    const ms_window *w = plan->window;
    double total = 0.0;
    for (size_t d = 0; d < w->days; d++) {
        bool long_leg, short_leg;
        ms_limit_plan_legs(plan, d, &long_leg, &short_leg);
        double high_level = w->high_pred[d] + choice->high_offset;
        double low_level = w->low_pred[d] + choice->low_offset;
        ms_limit_fill legs[2] = { { 0.0, 0.0 }, { 0.0, 0.0 } };
        if (long_leg)
            legs[0] = ms_limit_day(w->close_actual[d], w->high_actual[d], high_level,
                                   w->low_actual[d], low_level, 1.0, plan->fee,
                                   choice->close_at_eod);
        if (short_leg)
            legs[1] = ms_limit_day(w->close_actual[d], w->high_actual[d], high_level,
                                   w->low_actual[d], low_level, -1.0, plan->fee,
                                   choice->close_at_eod);
        double day_return = legs[0].profit + legs[1].profit;
        total += day_return;
        if (stats != NULL)
            ms_day_stats_add(stats, day_return, legs[0].units + legs[1].units);
        if (daily != NULL)
            daily[d] = day_return;
    }
    return total;
}

static ms_period_metrics plan_metrics(const ms_limit_plan *plan,
                                      const ms_maxdiff_choice *choice,
                                      double days_per_year, double *daily)
{
    ms_day_stats stats = ms_day_stats_start();
    ms_limit_plan_run(plan, choice, &stats, daily);
    return ms_day_stats_finish(&stats, false, days_per_year);
}

/* MaxDiff's baseline keeps the better of close_at_eod false and true (ties
 * keep false); MaxDiffAlwaysOn's is close_at_eod false alone. */
static ms_maxdiff_choice baseline_choice(const ms_limit_plan *plan)
{
    ms_maxdiff_choice hold = { 0.0, 0.0, 0 }, close = { 0.0, 0.0, 1 };
    if (plan->always_on)
        return hold;
    double hold_total = ms_limit_plan_run(plan, &hold, NULL, NULL);
    double close_total = ms_limit_plan_run(plan, &close, NULL, NULL);
    return close_total > hold_total ? close : hold;
}

/* The majority sign of the MaxDiff trades over the window; 0 on a tie.
 * MaxDiffAlwaysOn trades both ways, so it takes the same rule. */
static int majority_side(const ms_window *window, bool long_only)
{
    int balance = 0;
    for (size_t d = 0; d < window->days; d++)
        balance += ms_maxdiff_trade(window, d, long_only);
    return (balance > 0) - (balance < 0);
}

static ms_period_metrics blend(const ms_period_metrics *baseline,
                               const ms_period_metrics *optimized)
{
    ms_period_metrics top = *baseline;
    top.total_return += MS_OPTIMIZED_WEIGHT * optimized->total_return;
    top.avg_daily_return += MS_OPTIMIZED_WEIGHT * optimized->avg_daily_return;
    top.annual_return += MS_OPTIMIZED_WEIGHT * optimized->annual_return;
    top.sharpe += MS_OPTIMIZED_WEIGHT * optimized->sharpe;
    return top;
}

void ms_maxdiff_evaluate(bool always_on, const ms_window *window,
                         const ms_strategy_params *params, ms_strategy_result *result,
                         double *daily_returns)
{
    ms_limit_plan plan = { window, always_on, params->long_only, params->fee };
    result->baseline_choice = baseline_choice(&plan);
    ms_maxdiff_optimize(&plan, &result->optimized_choice);
    result->baseline = plan_metrics(&plan, &result->baseline_choice,
                                    params->days_per_year, daily_returns);
    result->optimized = plan_metrics(&plan, &result->optimized_choice,
                                     params->days_per_year, NULL);
    result->metrics = blend(&result->baseline, &result->optimized);
    result->side = majority_side(window, plan.long_only);
}
