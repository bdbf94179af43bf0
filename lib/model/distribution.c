/*
 * distribution.c - the Student-t mixture that every model predicts: the
 * batch layout, the exact mean, density, distribution function, quantiles,
 * the analytic trimmed mean and one random draw.
 */
#include <math.h>

#include "model/model_internal.h"

size_t ms_mixture_batch_index(const ms_mixture_batch *batch, size_t series,
                              size_t variate, size_t step)
{
    size_t point = (series * batch->variates + variate) * batch->horizon + step;
    return point * batch->components;
}

ms_mixture ms_mixture_batch_point(const ms_mixture_batch *batch, size_t series,
                                  size_t variate, size_t step)
{
    size_t first = ms_mixture_batch_index(batch, series, variate, step);
    ms_mixture point = {
        batch->components, batch->weight + first, batch->df + first,
        batch->loc + first, batch->scale + first,
    };
    return point;
}

double ms_mixture_mean(const ms_mixture *mixture)
{
    double mean = 0.0;
    for (size_t k = 0; k < mixture->components; k++)
        mean += mixture->weight[k] * mixture->loc[k];
    return mean;
}

static double standardise(const ms_mixture *mixture, size_t k, double x)
{
    return (x - mixture->loc[k]) / mixture->scale[k];
}

double ms_mixture_pdf(const ms_mixture *mixture, double x)
{
    double density = 0.0;
    for (size_t k = 0; k < mixture->components; k++)
        density += mixture->weight[k] / mixture->scale[k]
                   * ms_studentt_pdf(mixture->df[k], standardise(mixture, k, x));
    return density;
}

double ms_mixture_cdf(const ms_mixture *mixture, double x)
{
    double probability = 0.0;
    for (size_t k = 0; k < mixture->components; k++)
        probability += mixture->weight[k]
                       * ms_studentt_cdf(mixture->df[k], standardise(mixture, k, x));
    return probability;
}

/* Newton steps stop when they move less than this, relative to |x| plus
 * the smallest scale (the natural unit near x = 0). */
#define QUANTILE_TOLERANCE 1e-13
/* Safeguarded Newton converges in well under 100 steps; bisection alone
 * from any finite bracket in about 1100. */
#define QUANTILE_MAX_STEPS 1200

/* An interval [lo, hi] with cdf(lo) <= p <= cdf(hi), grown from the span of
 * the component locations by doubling steps of the largest scale. */
static void quantile_bracket(const ms_mixture *mixture, double p, double *lo,
                             double *hi)
{
    double loc_min = mixture->loc[0], loc_max = mixture->loc[0];
    double scale_max = mixture->scale[0];
    for (size_t k = 1; k < mixture->components; k++) {
        loc_min = fmin(loc_min, mixture->loc[k]);
        loc_max = fmax(loc_max, mixture->loc[k]);
        scale_max = fmax(scale_max, mixture->scale[k]);
    }
    double step = scale_max;
    *lo = loc_min - step;
    while (ms_mixture_cdf(mixture, *lo) > p) {
        step *= 2.0;
        *lo = loc_min - step;
    }
    step = scale_max;
    *hi = loc_max + step;
    while (ms_mixture_cdf(mixture, *hi) < p) {
        step *= 2.0;
        *hi = loc_max + step;
    }
}

static double smallest_scale(const ms_mixture *mixture)
{
    double scale_min = mixture->scale[0];
    for (size_t k = 1; k < mixture->components; k++)
        scale_min = fmin(scale_min, mixture->scale[k]);
    return scale_min;
}

/* Newton's method on cdf(x) - p, falling back to bisection whenever a step
 * would leave the bracket, which shrinks with every evaluation. */
double ms_mixture_quantile(const ms_mixture *mixture, double p)
{
    double lo, hi;
    quantile_bracket(mixture, p, &lo, &hi);
    if (isinf(lo) || isinf(hi)) /* the quantile itself overflows */
        return isinf(lo) ? lo : hi;
    double unit = smallest_scale(mixture);
    double x = 0.5 * (lo + hi);
    for (int step = 0; step < QUANTILE_MAX_STEPS; step++) {
        double excess = ms_mixture_cdf(mixture, x) - p;
        if (excess == 0.0)
            return x;
        if (excess < 0.0)
            lo = x;
        else
            hi = x;
        double density = ms_mixture_pdf(mixture, x);
        double next = density > 0.0 ? x - excess / density : lo;
        if (!(next > lo && next < hi))
            next = 0.5 * (lo + hi);
        double tolerance = QUANTILE_TOLERANCE * (fabs(next) + unit);
        if (fabs(next - x) <= tolerance || hi - lo <= tolerance)
            return next;
        x = next;
    }
    return x;
}

/* Central mass below which a trimmed mean is the midpoint of its interval. */
#define NARROW_CENTRE 1e-6

/* Closed form through the components' partial means: the integral of the
 * quantile function over [tail, 1 - tail] is the integral of x dF(x)
 * between the two quantiles, which for component k is
 * loc_k * dF_k + scale_k * d(E[T_k; T_k <= z]). */
double ms_mixture_trimmed_mean(const ms_mixture *mixture, double tail)
{
    if (tail <= 0.0)
        return ms_mixture_mean(mixture);
    double lower = ms_mixture_quantile(mixture, tail);
    double upper = ms_mixture_quantile(mixture, 1.0 - tail);
    /* With almost no central mass the difference quotient below loses
     * eps / (1 - 2 tail) of precision, while the midpoint of the interval
     * is exact to second order in its width. */
    if (1.0 - 2.0 * tail < NARROW_CENTRE)
        return 0.5 * (lower + upper);
    double central = 0.0;
    for (size_t k = 0; k < mixture->components; k++) {
        double df = mixture->df[k];
        double z_lower = standardise(mixture, k, lower);
        double z_upper = standardise(mixture, k, upper);
        double mass = ms_studentt_cdf(df, z_upper) - ms_studentt_cdf(df, z_lower);
        double moment = ms_studentt_partial_mean(df, z_upper)
                        - ms_studentt_partial_mean(df, z_lower);
        central += mixture->weight[k]
                   * (mixture->loc[k] * mass + mixture->scale[k] * moment);
    }
    return central / (1.0 - 2.0 * tail);
}

void ms_mixture_cumulative(const ms_mixture *mixture, double *cumulative)
{
    double running = 0.0;
    for (size_t k = 0; k < mixture->components; k++) {
        running += mixture->weight[k];
        cumulative[k] = running;
    }
}

double ms_mixture_sample(const ms_mixture *mixture, const double *cumulative,
                         ms_rng *rng)
{
    size_t k = 0;
    size_t last = mixture->components - 1;
    if (last > 0) {
        /* Scaling by the total absorbs rounding in the running sum. */
        double target = ms_rng_uniform(rng) * cumulative[last];
        while (k < last && cumulative[k] <= target)
            k++;
    }
    double df = mixture->df[k];
    double chi_square = 2.0 * ms_rng_gamma(rng, 0.5 * df);
    return mixture->loc[k]
           + mixture->scale[k] * ms_rng_normal(rng) / sqrt(chi_square / df);
}
