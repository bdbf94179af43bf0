/*
 * random.c - the synthetic market's own pseudo-random numbers: FNV-1a to
 * hash symbol names, splitmix64 to seed, xoshiro256** to generate, and the
 * few distributions the market draws from. Written here rather than taken
 * from the C library (rand, random_r) so a seed gives the same raw stream
 * on every platform and no state is shared between threads.
 */
#include <math.h>

#include "data_internal.h"

/* Spelled out: M_PI is not part of C11. */
#define TWO_PI 6.28318530717958647692

uint64_t ms_fnv1a_byte(uint64_t hash, unsigned char byte)
{
    return (hash ^ byte) * 0x100000001b3ULL;
}

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void ms_xoshiro_seed(ms_xoshiro *rng, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&seed);
}

static uint64_t rotate_left(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t ms_xoshiro_next(ms_xoshiro *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotate_left(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotate_left(s[3], 45);
    return result;
}

double ms_xoshiro_uniform(ms_xoshiro *rng)
{
    /* The top 53 bits, shifted by half a step so neither 0 nor 1 occurs. */
    return ((double)(ms_xoshiro_next(rng) >> 11) + 0.5) * 0x1.0p-53;
}

double ms_xoshiro_normal(ms_xoshiro *rng)
{
    /* Box-Muller, one value per call: simpler than caching the pair, and
     * the market draws few enough numbers that the cost does not matter. */
    double radius = sqrt(-2.0 * log(ms_xoshiro_uniform(rng)));
    return radius * cos(TWO_PI * ms_xoshiro_uniform(rng));
}

double ms_xoshiro_student_t(ms_xoshiro *rng, int dof)
{
    double chi_square = 0.0;
    for (int i = 0; i < dof; i++) {
        double z = ms_xoshiro_normal(rng);
        chi_square += z * z;
    }
    double t = ms_xoshiro_normal(rng) / sqrt(chi_square / dof);
    /* Var(t) = dof / (dof - 2); rescale to unit variance. */
    return t * sqrt((dof - 2.0) / dof);
}

int ms_xoshiro_poisson(ms_xoshiro *rng, double rate)
{
    double limit = exp(-rate);
    double product = ms_xoshiro_uniform(rng);
    int count = 0;
    while (product > limit) {
        count++;
        product *= ms_xoshiro_uniform(rng);
    }
    return count;
}
