/*
 * engine_cache.c - the engine's side of the forecast cache (lib/cache/):
 * planning skips the contexts the cache holds, filling their forecasts
 * straight away, and every batch the model computes is stored. Kept apart
 * from the batching in engine.c, which calls it at three points: when the
 * run starts and ends (ms_engine_state_init/_release), after a symbol is
 * planned (ms_job_plan) and after a batch is forecast (ms_run_batch).
 *
 * Ablations measure the engine's own work, so they run without the cache.
 * A bar model's context (engine_bars.c) is stored as its three changes,
 * each under a key of the bars it reads and the series.
 */
#include <stdlib.h>

#include "engine_internal.h"

struct ms_engine_cache {
    ms_forecast_cache *cache;    /* borrowed from the analyzer */
    ms_sha256 prefix;            /* model digest and forecast options, absorbed once */
    bool seeded;                 /* samples drawn: the context's seed is in the key */
    ms_forecast_key *keys;       /* batch_size each: a batch's keys */
};

static bool cache_wanted(const ms_engine *engine)
{
    return engine->options->ablations == 0 && ms_forecast_cache_usable(engine->cache);
}

ms_status ms_engine_cache_start(ms_engine_state *run)
{
    ms_engine *engine = run->engine;
    uint8_t digest[MS_SHA256_SIZE];
    if (!cache_wanted(engine) || !ms_forecast_cache_model_digest(engine->cache, engine->model,
                                                                 digest))
        return MS_OK;
    ms_engine_cache *state = calloc(1, sizeof *state);
    ms_forecast_key *keys = malloc(run->batch_size * sizeof *keys);
    if (state == NULL || keys == NULL) {
        free(state);
        free(keys);
        return ms_error(MS_ERR_NOMEM, "out of memory for the forecast cache's keys");
    }
    *state = (ms_engine_cache){ .cache = engine->cache, .seeded = run->forecast.num_samples > 0,
                                .keys = keys };
    ms_forecast_key_prefix(&state->prefix, digest, &run->forecast);
    run->cache = state;
    return MS_OK;
}

void ms_engine_cache_finish(ms_engine_state *run)
{
    if (run->cache == NULL)
        return;
    ms_forecast_cache_trim(run->cache->cache);
    free(run->cache->keys);
    free(run->cache);
    run->cache = NULL;
}

/* Looks one symbol's planned contexts up; hits are written to their
 * forecasts and dropped from the list. The list is left whole when
 * memory runs out: every context is then forecast. */
/* The key of series `series` of a bar context: everything the prediction
 * reads, after a tag no series key starts with. */
static void bar_key(const ms_sha256 *prefix, const ms_bar_context *c, int series,
                    ms_forecast_key *out)
{
    static const char tag[] = "bars";
    ms_sha256 ctx = *prefix;
    ms_sha256_update(&ctx, tag, sizeof tag);
    uint64_t fields[3] = { (uint64_t)series, c->length, c->seed };
    ms_sha256_update(&ctx, fields, sizeof fields);
    ms_sha256_update(&ctx, c->timestamps, c->length * sizeof *c->timestamps);
    const double *columns[] = { c->open, c->high, c->low, c->close, c->volume };
    for (size_t i = 0; i < sizeof columns / sizeof columns[0]; i++)
        ms_sha256_update(&ctx, columns[i], c->length * sizeof(double));
    ms_sha256_update(&ctx, c->future_timestamps, sizeof *c->future_timestamps);
    ms_sha256_final(&ctx, out->bytes);
}

/* A bar model's fill: a context is served when all three changes are. */
static void fill_bars(ms_engine_cache *state, const ms_analyzer_options *opts,
                      ms_symbol_job *job, ms_request_list *list)
{
    size_t keys_count = MS_SERIES_COUNT * list->count;
    ms_forecast_key *keys = malloc(keys_count * sizeof *keys);
    double *values = malloc(keys_count * sizeof *values);
    bool *found = malloc(keys_count * sizeof *found);
    bool ok = keys != NULL && values != NULL && found != NULL;
    for (size_t i = 0; ok && i < list->count; i++) {
        ms_bar_context context;
        int64_t future;
        ok = ms_engine_bar_context(&job->contexts, list->items[i].origin, opts, &context,
                                   &future) == MS_OK;
        for (int s = 0; ok && s < MS_SERIES_COUNT; s++)
            bar_key(&state->prefix, &context, s, &keys[i * MS_SERIES_COUNT + s]);
    }
    if (ok) {
        ms_forecast_cache_lookup(state->cache, keys, keys_count, values, found);
        size_t kept = 0;
        for (size_t i = 0; i < list->count; i++) {
            const ms_context_request *r = &list->items[i];
            const bool *hit = &found[i * MS_SERIES_COUNT];
            if (!(hit[0] && hit[1] && hit[2])) {
                list->items[kept++] = *r;
                continue;
            }
            for (int s = 0; s < MS_SERIES_COUNT; s++)
                job->contexts.forecasts[s * job->contexts.count + r->origin] =
                    values[i * MS_SERIES_COUNT + s];
        }
        job->report.forecasts_cached += list->count - kept;
        list->count = kept;
    }
    free(keys);
    free(values);
    free(found);
}

void ms_engine_cache_fill(ms_engine_state *run, ms_symbol_job *job, ms_request_list *list)
{
    ms_engine_cache *state = run->cache;
    if (state == NULL || list->count == 0)
        return;
    if (run->bars) {
        fill_bars(state, run->engine->options, job, list);
        return;
    }
    const ms_analyzer_options *opts = run->engine->options;
    ms_forecast_key *keys = malloc(list->count * sizeof *keys);
    double *values = malloc(list->count * sizeof *values);
    bool *found = malloc(list->count * sizeof *found);
    if (keys != NULL && values != NULL && found != NULL) {
        for (size_t i = 0; i < list->count; i++) {
            ms_series context = ms_symbol_context(&job->contexts, list->items[i].series,
                                                  list->items[i].origin, opts);
            ms_forecast_key_of(&state->prefix, &context, state->seeded, &keys[i]);
        }
        ms_forecast_cache_lookup(state->cache, keys, list->count, values, found);
        size_t kept = 0;
        for (size_t i = 0; i < list->count; i++) {
            const ms_context_request *r = &list->items[i];
            if (found[i])
                job->contexts.forecasts[r->series * job->contexts.count + r->origin] = values[i];
            else
                list->items[kept++] = *r;
        }
        job->report.forecasts_cached += list->count - kept;
        list->count = kept;
    }
    free(keys);
    free(values);
    free(found);
}

void ms_engine_cache_store(ms_engine_state *run, size_t n)
{
    for (size_t i = 0; i < n; i++)
        run->engine->jobs[run->batch[i].symbol].report.forecasts_computed++;
    ms_engine_cache *state = run->cache;
    if (state == NULL)
        return;
    if (run->bars) {
        /* Three keys a context: stored one series at a time in the batch's keys. */
        for (int s = 0; s < MS_SERIES_COUNT; s++) {
            for (size_t i = 0; i < n; i++) {
                bar_key(&state->prefix, &run->bar_contexts[i], s, &state->keys[i]);
                run->outputs[i] = ms_engine_bar_change(run, i, s);
            }
            ms_forecast_cache_store(state->cache, state->keys, run->outputs, n);
        }
        return;
    }
    for (size_t i = 0; i < n; i++)
        ms_forecast_key_of(&state->prefix, &run->series[i], state->seeded, &state->keys[i]);
    ms_forecast_cache_store(state->cache, state->keys, run->outputs, n);
}
