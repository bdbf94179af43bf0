/*
 * random.c - the library's one random number generator, behind forecast
 * samples and the synthetic market: xoshiro256** seeded through
 * splitmix64, uniform, normal (Marsaglia's polar method) and gamma
 * (Marsaglia-Tsang) variates, and FNV-1a for turning names into seeds. Our
 * own generator so a seed gives the same stream on every platform and
 * libc, and each stream is a plain value: no shared state, no locking.
 */
#include <math.h>

#include "core_internal.h"

uint64_t ms_fnv1a_byte(uint64_t hash, unsigned char byte)
{
    return (hash ^ byte) * 0x100000001b3ULL;
}

static uint64_t splitmix64(uint64_t *sequence)
{
    uint64_t z = (*sequence += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* The stream key is the seed's splitmix64 hash with the stream number
 * mixed in: two (seed, stream) pairs share a key only when their seed
 * hashes differ in exactly the low bits that the stream numbers do. The four
 * state words are splitmix64 outputs of that key, as the xoshiro authors
 * recommend (never all zero). */
void ms_rng_init(ms_rng *rng, uint64_t seed, uint64_t stream)
{
    uint64_t seed_sequence = seed;
    uint64_t key = splitmix64(&seed_sequence) ^ stream;
    for (int i = 0; i < 4; i++)
        rng->state[i] = splitmix64(&key);
    rng->spare_normal = 0.0;
    rng->has_spare = false;
}

static uint64_t rotate_left(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t ms_rng_next(ms_rng *rng)
{
    uint64_t *s = rng->state;
    uint64_t result = rotate_left(s[1] * 5, 7) * 9;
    uint64_t shifted = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= shifted;
    s[3] = rotate_left(s[3], 45);
    return result;
}

/* The top 53 bits, offset by half a step: never exactly 0 or 1, so logs
 * and powers of it stay finite. */
double ms_rng_uniform(ms_rng *rng)
{
    return ((double)(ms_rng_next(rng) >> 11) + 0.5) * 0x1.0p-53;
}

double ms_rng_normal(ms_rng *rng)
{
    if (rng->has_spare) {
        rng->has_spare = false;
        return rng->spare_normal;
    }
    double u, v, radius;
    do {
        u = 2.0 * ms_rng_uniform(rng) - 1.0;
        v = 2.0 * ms_rng_uniform(rng) - 1.0;
        radius = u * u + v * v;
    } while (radius >= 1.0 || radius == 0.0);
    double factor = sqrt(-2.0 * log(radius) / radius);
    rng->spare_normal = v * factor;
    rng->has_spare = true;
    return u * factor;
}

/* Marsaglia & Tsang (2000), "A simple method for generating gamma
 * variables"; shapes below 1 use Gamma(shape + 1) * U^(1/shape). */
double ms_rng_gamma(ms_rng *rng, double shape)
{
    if (shape < 1.0)
        return ms_rng_gamma(rng, shape + 1.0) * pow(ms_rng_uniform(rng), 1.0 / shape);
    double d = shape - 1.0 / 3.0;
    double c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = ms_rng_normal(rng);
        double v = 1.0 + c * x;
        if (v <= 0.0)
            continue;
        v = v * v * v;
        double u = ms_rng_uniform(rng);
        double x_squared = x * x;
        if (u < 1.0 - 0.0331 * x_squared * x_squared)
            return d * v; /* the cheap squeeze accepts ~98% of draws */
        if (log(u) < 0.5 * x_squared + d * (1.0 - v + log(v)))
            return d * v;
    }
}
