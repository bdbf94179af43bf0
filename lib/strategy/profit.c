/*
 * profit.c - the limit-order profit function of strategies.md, the core of
 * both MaxDiff strategies: a buy limit at the low level, a sell limit at
 * the high level, each filled when the day's extreme crosses it.
 *
 * Written line for line as the spec states it, so the optimiser's fast
 * restatement (optimizer.c) can be checked against it bit for bit.
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
