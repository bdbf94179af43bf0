/*
 * profit.c - the limit-order profit function of strategies.md, the core of
 * both MaxDiff strategies: a buy limit at the low level, a sell limit at
 * the high level, each filled when the day's extreme crosses it.
 *
 * Written line for line as the spec states it, so the optimiser's fast
 * restatement (optimizer.c) can be checked against it bit for bit. That is
 * the reference fill model; ms_limit_leg_on_path is one leg of the same
 * plan under the path models (fills.c).
 */
#include <math.h>

#include "strategy_internal.h"

ms_limit_fill ms_limit_day(double close_actual, double high_actual, double high_level,
                           double low_actual, double low_level, double pos, double fee,
                           int close_at_eod)
{
    double lp = ms_clamp(low_level, -1.0, 0.0);
    double hp = ms_clamp(high_level, 0.0, 10.0);
    double long_units = ms_clamp(pos, 0.0, 10.0);
    double short_units = ms_clamp(pos, -10.0, 0.0);
    int long_in = lp > low_actual;
    int short_in = hp < high_actual;
    double units = long_units * long_in + fabs(short_units) * short_in;
    double long_profit, short_profit;
    if (close_at_eod) {
        long_profit = long_units * long_in * (close_actual - lp);
        short_profit = short_units * short_in * (close_actual - hp);
    } else {
        /* Take profit at the opposite level when the day reaches it. */
        long_profit = long_units * long_in * (hp <= high_actual ? hp - lp : close_actual - lp);
        short_profit = short_units * short_in * (lp >= low_actual ? lp - hp : close_actual - hp);
    }
    return (ms_limit_fill){ long_profit + short_profit - units * fee, units };
}

MS_API double ms_limit_profit(double close_actual, double high_actual, double high_level,
                              double low_actual, double low_level, double pos, double fee,
                              int close_at_eod)
{
    return ms_limit_day(close_actual, high_actual, high_level, low_actual, low_level, pos,
                        fee, close_at_eod).profit;
}

ms_limit_fill ms_limit_leg_on_path(const ms_bar_path *path, int side, double high_level,
                                   double low_level, double fee, int close_at_eod)
{
    double lp = ms_clamp(low_level, -1.0, 0.0);
    double hp = ms_clamp(high_level, 0.0, 10.0);
    double entry_level = side > 0 ? lp : hp, exit_level = side > 0 ? hp : lp;
    double entry, exit = path->at[MS_PATH_POINTS - 1];
    int filled = ms_path_limit(path, 0, side, entry_level, true, &entry);
    if (filled < 0)
        return (ms_limit_fill){ 0.0, 0.0 };
    double take_profit;
    if (!close_at_eod && ms_path_limit(path, filled + 1, -side, exit_level, false,
                                       &take_profit) >= 0)
        exit = take_profit;
    return (ms_limit_fill){ side * (exit - entry) - fee, 1.0 };
}
