/*
 * market_draws.c - the two distributions the synthetic market draws from
 * beyond core's uniform and normal: unit-variance Student-t shocks (fat
 * tails) and Poisson jump counts.
 */
#include <math.h>

#include "data_internal.h"

double ms_draw_student_t(ms_rng *rng, int dof)
{
    double chi_square = 2.0 * ms_rng_gamma(rng, 0.5 * dof);
    double t = ms_rng_normal(rng) / sqrt(chi_square / dof);
    /* Var(t) = dof / (dof - 2); rescale to unit variance. */
    return t * sqrt((dof - 2.0) / dof);
}

/* Knuth's multiplication method: exact, and cheap for the small daily
 * jump rates the market uses. */
int ms_draw_poisson(ms_rng *rng, double rate)
{
    double limit = exp(-rate);
    double product = ms_rng_uniform(rng);
    int count = 0;
    while (product > limit) {
        count++;
        product *= ms_rng_uniform(rng);
    }
    return count;
}
