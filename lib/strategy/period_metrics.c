/*
 * period_metrics.c - the metrics of one strategy over one simulation's
 * evaluation days (strategies.md, "Metrics"), accumulated day by day.
 *
 * Turnover, for every strategy, is the number of units traded that pay the
 * fee: sum |s_d - s_{d-1}| for the signal strategies, the filled limit
 * entries for the MaxDiff kinds, and for the percent-move strategies (and
 * every strategy under a path fill model) the opening and closing fees
 * paid (percent_move.c).
 */
#include <math.h>

#include "strategy_internal.h"

ms_day_stats ms_day_stats_start(void)
{
    return (ms_day_stats){ .growth = 1.0 };
}

void ms_day_stats_add(ms_day_stats *stats, double daily_return, double units_traded)
{
    ms_moments_add(&stats->moments, daily_return);
    stats->growth *= 1.0 + daily_return;
    stats->wins += daily_return > 0.0;
    stats->nonzero += daily_return != 0.0;
    stats->turnover += units_traded;
}

ms_period_metrics ms_day_stats_finish(const ms_day_stats *stats, bool compounded,
                                      double days_per_year)
{
    double average = ms_moments_mean(&stats->moments);
    return (ms_period_metrics){
        .total_return = compounded ? stats->growth - 1.0 : stats->moments.sum,
        .avg_daily_return = average,
        .annual_return = average * days_per_year,
        .sharpe = ms_moments_sharpe(&stats->moments, days_per_year),
        .win_rate = stats->nonzero == 0 ? NAN : (double)stats->wins / (double)stats->nonzero,
        .turnover = stats->turnover,
        .trades = (int)stats->nonzero,
    };
}
