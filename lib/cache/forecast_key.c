/*
 * forecast_key.c - the forecast cache's keys: SHA-256 over the model's
 * digest, the forecast options and the context itself (cache_internal.h
 * lists what goes in and why collisions need no handling). Numbers are
 * hashed as their bytes in this machine's order: a cache file moved to a
 * machine of the other byte order only misses.
 */
#include <string.h>

#include "cache_internal.h"

static void absorb_size(ms_sha256 *ctx, size_t value)
{
    uint64_t wide = value;
    ms_sha256_update(ctx, &wide, sizeof wide);
}

void ms_forecast_key_prefix(ms_sha256 *prefix, const uint8_t model_digest[MS_SHA256_SIZE],
                            const ms_forecast_options *opts)
{
    ms_sha256_init(prefix);
    ms_sha256_update(prefix, model_digest, MS_SHA256_SIZE);
    absorb_size(prefix, opts->horizon);
    absorb_size(prefix, opts->num_samples);
    absorb_size(prefix, opts->num_aggregates);
    for (size_t a = 0; a < opts->num_aggregates; a++) {
        uint64_t kind = (uint64_t)opts->aggregates[a].kind;
        ms_sha256_update(prefix, &kind, sizeof kind);
        ms_sha256_update(prefix, &opts->aggregates[a].param, sizeof(double));
    }
}

void ms_forecast_key_of(const ms_sha256 *prefix, const ms_series *series, bool seeded,
                        ms_forecast_key *out)
{
    ms_sha256 ctx = *prefix;
    uint64_t seed = seeded ? series->seed : 0;
    ms_sha256_update(&ctx, &seed, sizeof seed);
    absorb_size(&ctx, series->variates);
    absorb_size(&ctx, series->length);
    ms_sha256_update(&ctx, series->values, series->variates * series->length * sizeof(double));
    ms_sha256_final(&ctx, out->bytes);
}
