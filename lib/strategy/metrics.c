/*
 * metrics.c - performance metrics over a whole return series (docs/strategies.md),
 * with empyrical's conventions so results can be cross-checked against it.
 *
 * NaN periods: read as 0 in products (cumulative return, CAGR, drawdown);
 * skipped in means and deviations (Sharpe, Sortino, downside risk,
 * volatility) and in the win rate and profit factor; still counted as a
 * period for CAGR's number of years and for `periods`. Sharpe and Sortino
 * need 2 non-NaN values. Calmar is NaN where empyrical's is: no drawdown,
 * or an infinite ratio.
 */
#include <math.h>

#include "core/core_internal.h"
#include "marketsim/metrics.h"
#include "strategy_internal.h"

/* Everything the metrics need, gathered in one pass. */
typedef struct series_sums {
    ms_moments excess;        /* r - rf, for Sharpe */
    ms_moments plain;         /* r, for volatility */
    ms_moments above_mar;     /* r - MAR, for Sortino's mean */
    double downside_squares;  /* sum of min(r - MAR, 0)^2 */
    double growth;            /* prod(1 + r) */
    double max_drawdown;
    double gains, losses;     /* sums of r >= 0 and of r < 0 */
    size_t wins, nonzero;
} series_sums;

static void add_valid_period(series_sums *sums, double r, const ms_metrics_options *opts)
{
    ms_moments_add(&sums->excess, r - opts->risk_free);
    ms_moments_add(&sums->plain, r);
    ms_moments_add(&sums->above_mar, r - opts->mar);
    double shortfall = fmin(r - opts->mar, 0.0);
    sums->downside_squares += shortfall * shortfall;
    if (r >= 0.0)
        sums->gains += r;
    else
        sums->losses += r;
    sums->wins += r > 0.0;
    sums->nonzero += r != 0.0;
}

/* Equity starts at V_0 = 1, which counts as a peak. */
static series_sums sum_series(const double *returns, size_t n, const ms_metrics_options *opts)
{
    series_sums sums = { .growth = 1.0 };
    double peak = 1.0;
    for (size_t t = 0; t < n; t++) {
        double r = returns[t];
        if (isnan(r))
            r = 0.0;
        else
            add_valid_period(&sums, r, opts);
        sums.growth *= 1.0 + r;
        peak = fmax(peak, sums.growth);
        sums.max_drawdown = fmin(sums.max_drawdown, (sums.growth - peak) / peak);
    }
    return sums;
}

static double downside_risk(const series_sums *sums, double periods_per_year)
{
    size_t count = sums->above_mar.count;
    if (count == 0)
        return NAN;
    return sqrt(sums->downside_squares / (double)count) * sqrt(periods_per_year);
}

/* mean(r - MAR) * N / downside risk: +inf with no downside and a positive
 * mean, NaN with neither (IEEE division gives both). */
static double sortino(const series_sums *sums, double periods_per_year)
{
    if (sums->above_mar.count < 2)
        return NAN;
    return ms_moments_mean(&sums->above_mar) * periods_per_year
           / downside_risk(sums, periods_per_year);
}

static double calmar(double cagr, double max_drawdown)
{
    if (!(max_drawdown < 0.0))
        return NAN;
    double ratio = cagr / fabs(max_drawdown);
    return isinf(ratio) ? NAN : ratio;
}

MS_OPTIONS_DECLARE(ms_metrics_options, metrics, MS_METRICS_OPTIONS, sizeof(ms_metrics_options));

/* The caller's options (any known version; NULL: the defaults) into *out,
 * checked. */
static ms_status resolve_options(const ms_metrics_options *caller, ms_metrics_options *out)
{
    ms_status status = ms_options_import(&metrics_layout, out, &metrics_defaults, caller);
    const ms_metrics_options *opts = out;
    if (status != MS_OK)
        return status;
    if (!(isfinite(opts->periods_per_year) && opts->periods_per_year > 0.0))
        return ms_error(MS_ERR_INVALID_ARG,
                        "metrics options: periods_per_year %g is not a finite value > 0",
                        opts->periods_per_year);
    if (!isfinite(opts->risk_free) || !isfinite(opts->mar))
        return ms_error(MS_ERR_INVALID_ARG, "metrics options: %s %g is not finite",
                        isfinite(opts->risk_free) ? "mar" : "risk_free",
                        isfinite(opts->risk_free) ? opts->mar : opts->risk_free);
    return MS_OK;
}

MS_API ms_status ms_metrics_compute(const double *returns, size_t n,
                                    const ms_metrics_options *opts, ms_metrics *out)
{
    if (out == NULL || (returns == NULL && n > 0))
        return ms_error(MS_ERR_INVALID_ARG, "ms_metrics_compute: NULL %s",
                        out == NULL ? "output" : "returns");
    ms_metrics_options o;
    ms_status status = resolve_options(opts, &o);
    if (status != MS_OK)
        return status;
    series_sums sums = sum_series(returns, n, &o);
    double periods = o.periods_per_year;
    double cagr = n == 0 ? NAN : pow(sums.growth, periods / (double)n) - 1.0;
    double max_drawdown = n == 0 ? NAN : sums.max_drawdown;
    *out = (ms_metrics){
        .sharpe = ms_moments_sharpe(&sums.excess, periods),
        .sortino = sortino(&sums, periods),
        .downside_risk = downside_risk(&sums, periods),
        .max_drawdown = max_drawdown,
        .cumulative_return = sums.growth - 1.0,
        .annual_return = cagr,
        .annual_volatility = ms_moments_std(&sums.plain) * sqrt(periods),
        .calmar = calmar(cagr, max_drawdown),
        .win_rate = sums.nonzero == 0 ? NAN : (double)sums.wins / (double)sums.nonzero,
        .profit_factor = sums.gains / fabs(sums.losses),
        .periods = n,
    };
    return MS_OK;
}
