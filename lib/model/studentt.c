/*
 * studentt.c - the standard Student-t distribution in double precision:
 * log-gamma, the regularised incomplete beta function, and the t density,
 * distribution function and partial mean that the mixture math builds on.
 *
 * Own implementations instead of libm's lgamma: lgamma writes the global
 * `signgam`, which is a data race when threads forecast concurrently.
 */
#include <float.h>
#include <math.h>

#include "model/model_internal.h"

/* Lanczos approximation, g = 7 with 9 coefficients: about 1e-15 relative
 * over the positive reals, plenty for distribution functions that must be
 * right to 1e-12. */
static const double pi = 3.14159265358979323846;
static const double lanczos_g = 7.0;
static const double lanczos_coefficients[] = {
    0.99999999999980993,     676.5203681218851,      -1259.1392167224028,
    771.32342877765313,      -176.61502916214059,    12.507343278686905,
    -0.13857109526572012,    9.9843695780195716e-6,  1.5056327351493116e-7,
};

/* ln Gamma(x) for x > 0. */
static double log_gamma(double x)
{
    if (x < 0.5) /* reflection keeps the series in its accurate range */
        return log(pi / sin(pi * x)) - log_gamma(1.0 - x);
    x -= 1.0;
    double series = lanczos_coefficients[0];
    for (int i = 1; i < 9; i++)
        series += lanczos_coefficients[i] / (x + i);
    double t = x + lanczos_g + 0.5;
    return 0.5 * log(2.0 * pi) + (x + 0.5) * log(t) - t + log(series);
}

double ms_log_beta(double a, double b)
{
    return log_gamma(a) + log_gamma(b) - log_gamma(a + b);
}

/* Below this a Lentz denominator counts as zero and is nudged off it. */
#define LENTZ_TINY 1e-300
/* The fraction needs about sqrt(max(a, b)) terms; this bound is only a
 * guard against a non-converging input, never reached for df < 1e7. */
#define LENTZ_MAX_TERMS 10000

/* The continued fraction of I_x(a, b) (modified Lentz), which converges
 * quickly for x < (a + 1) / (a + b + 2). */
static double beta_continued_fraction(double a, double b, double x)
{
    double sum_ab = a + b, a_plus = a + 1.0, a_minus = a - 1.0;
    double c = 1.0;
    double d = 1.0 - sum_ab * x / a_plus;
    if (fabs(d) < LENTZ_TINY)
        d = LENTZ_TINY;
    d = 1.0 / d;
    double fraction = d;
    for (int m = 1; m <= LENTZ_MAX_TERMS; m++) {
        double two_m = 2.0 * m;
        double even = m * (b - m) * x / ((a_minus + two_m) * (a + two_m));
        d = 1.0 + even * d;
        d = fabs(d) < LENTZ_TINY ? 1.0 / LENTZ_TINY : 1.0 / d;
        c = 1.0 + even / c;
        if (fabs(c) < LENTZ_TINY)
            c = LENTZ_TINY;
        fraction *= d * c;
        double odd = -(a + m) * (sum_ab + m) * x / ((a + two_m) * (a_plus + two_m));
        d = 1.0 + odd * d;
        d = fabs(d) < LENTZ_TINY ? 1.0 / LENTZ_TINY : 1.0 / d;
        c = 1.0 + odd / c;
        if (fabs(c) < LENTZ_TINY)
            c = LENTZ_TINY;
        double delta = d * c;
        fraction *= delta;
        if (fabs(delta - 1.0) < DBL_EPSILON)
            break;
    }
    return fraction;
}

double ms_beta_regularized(double a, double b, double x, double y)
{
    if (x <= 0.0)
        return 0.0;
    if (y <= 0.0)
        return 1.0;
    double front = exp(a * log(x) + b * log(y) - ms_log_beta(a, b));
    if (x < (a + 1.0) / (a + b + 2.0))
        return front * beta_continued_fraction(a, b, x) / a;
    /* I_x(a, b) = 1 - I_y(b, a): evaluate the fraction where it converges. */
    return 1.0 - front * beta_continued_fraction(b, a, y) / b;
}

/* log(1 + z^2 / df) without overflowing z^2 for huge |z|. */
static double log1p_square_ratio(double df, double z)
{
    double magnitude = fabs(z);
    if (magnitude < 1e100)
        return log1p(z * z / df);
    return 2.0 * log(magnitude) - log(df);
}

static double studentt_log_pdf(double df, double z)
{
    return -0.5 * log(df) - ms_log_beta(0.5 * df, 0.5)
           - 0.5 * (df + 1.0) * log1p_square_ratio(df, z);
}

double ms_studentt_pdf(double df, double z)
{
    if (isinf(z))
        return 0.0;
    return exp(studentt_log_pdf(df, z));
}

/* P(T <= z) = I_x(df/2, 1/2) / 2 for z < 0 with x = df / (df + z^2); both x
 * and 1 - x are formed directly so neither tail loses precision. */
double ms_studentt_cdf(double df, double z)
{
    if (isnan(z))
        return z;
    if (isinf(z))
        return z < 0.0 ? 0.0 : 1.0;
    double square = z * z;
    double x = df / (df + square);
    double y = square / (df + square);
    double lower_tail = 0.5 * ms_beta_regularized(0.5 * df, 0.5, x, y);
    return z < 0.0 ? lower_tail : 1.0 - lower_tail;
}

/* E[T; T <= z] = -(df + z^2) / (df - 1) * pdf(z): differentiating gives
 * z * pdf(z), and it vanishes at -infinity when df > 1. Evaluated in logs
 * because (df + z^2) and pdf(z) over- and underflow far in the tails. */
double ms_studentt_partial_mean(double df, double z)
{
    if (isinf(z))
        return 0.0; /* 0 at -infinity, E[T] = 0 at +infinity */
    double log_spread = log(df) + log1p_square_ratio(df, z);
    return -exp(log_spread - log(df - 1.0) + studentt_log_pdf(df, z));
}
