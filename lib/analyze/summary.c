/*
 * summary.c - averaging one strategy's per-simulation metrics. Each field is
 * the mean over the simulations where it is finite (strategies.md): one
 * simulation's undefined Sharpe must not turn the whole average into NaN.
 */
#include <math.h>

#include "analyze_internal.h"

enum { TOP = 0, BASELINE = 1, OPTIMIZED = 2, REFERENCE = 3 };

static void add_field(double value, double *sum, double *count)
{
    if (isfinite(value)) {
        *sum += value;
        *count += 1.0;
    }
}

static void add_metrics(ms_period_metrics *sum, ms_period_metrics *count,
                        const ms_period_metrics *m)
{
    add_field(m->total_return, &sum->total_return, &count->total_return);
    add_field(m->avg_daily_return, &sum->avg_daily_return, &count->avg_daily_return);
    add_field(m->annual_return, &sum->annual_return, &count->annual_return);
    add_field(m->sharpe, &sum->sharpe, &count->sharpe);
    add_field(m->win_rate, &sum->win_rate, &count->win_rate);
    add_field(m->turnover, &sum->turnover, &count->turnover);
    add_field(m->trades, &sum->trades, &count->trades);
}

void ms_summary_add(ms_summary_builder *builder, const ms_strategy_result *result)
{
    add_metrics(&builder->sums[TOP], &builder->counts[TOP], &result->metrics);
    add_metrics(&builder->sums[BASELINE], &builder->counts[BASELINE], &result->baseline);
    add_metrics(&builder->sums[OPTIMIZED], &builder->counts[OPTIMIZED], &result->optimized);
}

void ms_summary_add_reference(ms_summary_builder *builder, const ms_period_metrics *metrics)
{
    add_metrics(&builder->sums[REFERENCE], &builder->counts[REFERENCE], metrics);
}

static double mean_of(double sum, double count)
{
    return count > 0 ? sum / count : NAN;
}

static ms_period_metrics means(const ms_period_metrics *sum, const ms_period_metrics *count)
{
    return (ms_period_metrics){
        .total_return = mean_of(sum->total_return, count->total_return),
        .avg_daily_return = mean_of(sum->avg_daily_return, count->avg_daily_return),
        .annual_return = mean_of(sum->annual_return, count->annual_return),
        .sharpe = mean_of(sum->sharpe, count->sharpe),
        .win_rate = mean_of(sum->win_rate, count->win_rate),
        .turnover = mean_of(sum->turnover, count->turnover),
        .trades = mean_of(sum->trades, count->trades),
    };
}

/* Sample standard deviation (ddof 1) over the finite values, two-pass. */
static double finite_std(const double *values, size_t n)
{
    double sum = 0, count = 0;
    for (size_t i = 0; i < n; i++)
        add_field(values[i], &sum, &count);
    if (count < 2)
        return NAN;
    double mean = sum / count, squares = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(values[i]))
            squares += (values[i] - mean) * (values[i] - mean);
    return sqrt(squares / (count - 1));
}

void ms_summary_finish(const ms_summary_builder *builder, const double *totals,
                       size_t n, ms_strategy_summary *summary)
{
    summary->mean = means(&builder->sums[TOP], &builder->counts[TOP]);
    summary->baseline_mean = means(&builder->sums[BASELINE], &builder->counts[BASELINE]);
    summary->optimized_mean = means(&builder->sums[OPTIMIZED], &builder->counts[OPTIMIZED]);
    summary->reference_mean = means(&builder->sums[REFERENCE], &builder->counts[REFERENCE]);
    summary->total_return_std = finite_std(totals, n);
}
