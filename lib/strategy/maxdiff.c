/*
 * maxdiff.c - MaxDiff and MaxDiffAlwaysOn (strategies.md): limit entries at
 * the predicted high and low, scored at the baseline offsets and at the
 * optimised ones, and blended into the reference system's ranking value.
 */
#include <math.h>

#include "strategy_internal.h"

/* The top-level return metrics are baseline + this x optimised: the
 * reference system ranked by that sum, discounting the optimised offsets
 * because it fitted them on the very days they are scored on (walk-forward
 * fits them on the days before; the weight is kept, so rankings compare). */
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

/* The unit legs of one day under the reference rule or on one path (a
 * missing leg adds a zero). */
static ms_limit_fill day_legs(const ms_window *w, size_t d, const ms_bar_path *path,
                              bool long_leg, bool short_leg, double high_level,
                              double low_level, double fee, int close_at_eod)
{
    ms_limit_fill legs[2] = { { 0.0, 0.0 }, { 0.0, 0.0 } };
    for (int leg = 0; leg < 2; leg++) {
        if (!(leg == 0 ? long_leg : short_leg))
            continue;
        int side = leg == 0 ? 1 : -1;
        legs[leg] = path == NULL
                        ? ms_limit_day(w->close_actual[d], w->high_actual[d], high_level,
                                       w->low_actual[d], low_level, side, fee, close_at_eod)
                        : ms_limit_leg_on_path(path, side, high_level, low_level, fee,
                                               close_at_eod);
    }
    return (ms_limit_fill){ legs[0].profit + legs[1].profit, legs[0].units + legs[1].units };
}

/* One day of the plan under its fill model; worst keeps the order of the
 * extremes that returns less (the low first on a tie). */
static ms_limit_fill plan_day(const ms_limit_plan *plan, const ms_maxdiff_choice *choice,
                              size_t d)
{
    const ms_window *w = plan->window;
    bool long_leg, short_leg;
    ms_limit_plan_legs(plan, d, &long_leg, &short_leg);
    double high_level = w->high_pred[d] + choice->high_offset;
    double low_level = w->low_pred[d] + choice->low_offset;
    int eod = choice->close_at_eod;
    if (plan->fills == MS_FILLS_REFERENCE)
        return day_legs(w, d, NULL, long_leg, short_leg, high_level, low_level, plan->fee, eod);
    bool low_first = ms_bar_path_low_first(w->open_actual[d], w->high_actual[d],
                                           w->low_actual[d]);
    ms_bar_path path = ms_bar_path_make(w, d, plan->fills == MS_FILLS_WORST || low_first);
    ms_limit_fill fill = day_legs(w, d, &path, long_leg, short_leg, high_level, low_level,
                                  plan->fee, eod);
    if (plan->fills != MS_FILLS_WORST)
        return fill;
    path = ms_bar_path_make(w, d, false);
    ms_limit_fill high_first = day_legs(w, d, &path, long_leg, short_leg, high_level, low_level,
                                        plan->fee, eod);
    return high_first.profit < fill.profit ? high_first : fill;
}

double ms_limit_plan_run(const ms_limit_plan *plan, const ms_maxdiff_choice *choice,
                         ms_day_stats *stats, double *daily)
{
    double total = 0.0;
    for (size_t d = 0; d < plan->window->days; d++) {
        ms_limit_fill day = plan_day(plan, choice, d);
        total += day.profit;
        if (stats != NULL)
            ms_day_stats_add(stats, day.profit, day.units);
        if (daily != NULL)
            daily[d] = day.profit;
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

void ms_maxdiff_evaluate(bool always_on, const ms_window *fit_window, const ms_window *window,
                         const ms_strategy_params *params, ms_strategy_result *result,
                         double *daily_returns)
{
    ms_limit_plan fit = { fit_window, always_on, params->long_only, params->fee, params->fills };
    ms_limit_plan plan = fit;
    plan.window = window;
    result->baseline_choice = baseline_choice(&fit);
    ms_maxdiff_optimize(&fit, &result->optimized_choice);
    result->baseline = plan_metrics(&plan, &result->baseline_choice,
                                    params->days_per_year, daily_returns);
    result->optimized = plan_metrics(&plan, &result->optimized_choice,
                                     params->days_per_year, NULL);
    result->metrics = blend(&result->baseline, &result->optimized);
    result->side = majority_side(window, plan.long_only);
}
