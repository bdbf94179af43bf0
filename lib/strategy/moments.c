/*
 * moments.c - running count, mean and deviation of a stream of values, and
 * the Sharpe rule built on them, shared by one simulation's metrics and
 * the library-level return-series metrics.
 *
 * Welford's update keeps the deviation accurate without storing the values,
 * so neither caller needs a buffer.
 */
#include <math.h>

#include "strategy_internal.h"

void ms_moments_add(ms_moments *moments, double value)
{
    if (moments->count == 0) {
        moments->first = value;
        moments->all_equal = true;
    } else if (value != moments->first) {
        moments->all_equal = false;
    }
    moments->count++;
    moments->sum += value;
    double before = value - moments->running_mean;
    moments->running_mean += before / (double)moments->count;
    moments->squared_deviations += before * (value - moments->running_mean);
}

double ms_moments_mean(const ms_moments *moments)
{
    return moments->count == 0 ? NAN : moments->sum / (double)moments->count;
}

double ms_moments_std(const ms_moments *moments)
{
    if (moments->count < 2)
        return NAN;
    if (moments->all_equal)
        return 0.0;
    return sqrt(moments->squared_deviations / (double)(moments->count - 1));
}

double ms_moments_sharpe(const ms_moments *moments, double periods_per_year)
{
    if (moments->count < 2)
        return NAN;
    double mean = ms_moments_mean(moments);
    double deviation = ms_moments_std(moments);
    if (deviation == 0.0)
        return mean > 0.0 ? INFINITY : mean < 0.0 ? -INFINITY : NAN;
    return mean / deviation * sqrt(periods_per_year);
}
