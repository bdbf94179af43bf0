/*
 * metrics.c - performance metrics over a whole return series (metrics.md),
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

/* One pass over the returns. */
typedef struct series_sums {
    ms_moments excess;        /* r - rf, for Sharpe */
    ms_moments plain;         /* r, for volatility */
    ms_moments above_mar;     /* r - MAR, for Sortino's mean */
    double downside_squares;  /* sum of min(r - MAR, 0)^2 */
    double growth;            /* prod(1 + r), NaN as 0 */
    double max_drawdown;
    double gains, losses;     /* sums of r >= 0 and of r < 0 */
    size_t wins, nonzero;
} series_sums;

static void add_period(series_sums *sums, double r, double peak_before,
                       const ms_metrics_options *opts)
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
    (void)peak_before;
}

/* Equity starts at V_0 = 1, which counts as a peak. */
static series_sums sum_series(const double *returns, size_t n, const ms_metrics_options *opts)
{
    series_sums sums = { .growth = 1.0 };
    double peak = 1.0;
    for (size_t t = 0; t < n; t++) {
        double r = returns[t];
        if (!isnan(r))
            add_period(&sums, r, peak, opts);
        sums.growth *= 1.0 + (isnan(r) ? 0.0 : r);
        peak = fmax(peak, sums.growth);
        sums.max_drawdown = fmin(sums.max_drawdown, (sums.growth - peak) / peak);
    }
    return sums;
}
