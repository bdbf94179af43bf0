/*
 * kronos_backend.c - the Kronos port behind ms_model: a bar model. It opens
 * a named pair (kronos_locate.c) or a directory holding tokenizer/ and
 * model/, keeps the libtorch network (lib/model/kronos/), and serves
 * ms_model_forecast_bars by running KronosPredictor (kronos_predict.c) over
 * the contexts of equal length together, each on its own random stream, so
 * a context's sample paths never depend on the others of the call.
 *
 * Each bar is the mean of the context's sample paths as the official
 * predictor computes it, or another aggregate of the de-normalised paths
 * (median, quantile, trimmed mean) when the options ask for one.
 *
 * Kronos predicts whole bars from tokens; it has no predictive
 * distribution to give ms_model_forecast, which it refuses.
 */
#define _XOPEN_SOURCE 700
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "model/kronos/kronos_internal.h"
#include "model/kronos_checkpoint.h"
#include "model/model_internal.h"

/* KronosPredictor's clip (constructor default, the same for every
 * published model). */
#define KRONOS_CLIP 5.0

/* The official README's max_context: 2048 for Kronos-mini, 512 for small
 * and base; a directory is taken for small/base-like. */
#define KRONOS_MINI_CONTEXT 2048
#define KRONOS_DEFAULT_CONTEXT 512

typedef struct kronos_backend {
    ms_kronos *net;
    pthread_mutex_t lock;   /* one generation at a time: the net's buffers are shared */
    size_t parameters;
    size_t max_context;
    char tokenizer_dir[PATH_MAX];
    char model_dir[PATH_MAX];
    ms_kronos_tokenizer_config tokenizer;
    ms_kronos_model_config model;
} kronos_backend;

static size_t one_component(const void *state)
{
    (void)state;
    return 1;
}

static ms_status refuse_series(void *state, const ms_series *series, size_t n_series,
                               size_t horizon, const ms_mixture_batch *out, size_t *passes)
{
    (void)state, (void)series, (void)n_series, (void)horizon, (void)out, (void)passes;
    return ms_error(MS_ERR_UNSUPPORTED, "Kronos predicts whole bars, not one series' "
                    "distribution: use ms_model_forecast_bars (marketsim forecast with bars)");
}

static void destroy(void *state)
{
    kronos_backend *backend = state;
    ms_kronos_free(backend->net);
    pthread_mutex_destroy(&backend->lock);
    free(backend);
}

/* The context's own torch seed: stream `context->seed` of the options'
 * seed, independent of its place in the call. */
static uint64_t context_seed(const ms_bar_forecast_options *opts, const ms_bar_context *context)
{
    ms_rng rng;
    ms_rng_init(&rng, opts->seed, context->seed);
    /* torch's CPU generator takes a 64-bit seed; keep it non-negative as
     * an int64 so it round-trips through at::Generator. */
    return ms_rng_next(&rng) >> 1;
}

/* Tokens (rows = contexts x sample paths, times the window) one generation
 * takes at most. Measured (docs/performance.md): at a 512-bar window one
 * row already gives GEMMs of 512 rows that fill the CPU, and batching 16
 * such contexts was 2.5x slower per context than one at a time (the L x L
 * scores and cached keys of every row outgrow the caches); short windows
 * are what batching helps. */
#define KRONOS_BATCH_TOKENS 512

/* Replaces each context's bars with the options' aggregate of its sample
 * paths (paths [n][samples][horizon][F]), field by field and step by step.
 * The mean is not done here: the official predictor averages in
 * normalised units, which ms_kronos_predict_paths' `out` already is. */
static ms_status summarise_paths(const float *paths, size_t n,
                                 const ms_bar_forecast_options *opts, float *bars)
{
    const size_t N = opts->num_samples, H = opts->horizon, F = MS_BAR_FIELDS;
    double *values = malloc(N * sizeof *values);
    if (values == NULL)
        return ms_error(MS_ERR_NOMEM, "kronos: no memory for %zu samples", N);
    for (size_t i = 0; i < n; i++)
        for (size_t h = 0; h < H; h++)
            for (size_t f = 0; f < F; f++) {
                for (size_t s = 0; s < N; s++)
                    values[s] = paths[((i * N + s) * H + h) * F + f];
                ms_sort_doubles(values, N);
                bars[(i * H + h) * F + f] = (float)ms_sorted_aggregate(values, N, &opts->aggregate);
            }
    free(values);
    return MS_OK;
}

/* One generation over `n` contexts of equal length (`which` their indices
 * in `contexts`), each on its own random stream: out rows in `which` order. */
static ms_status forecast_group(kronos_backend *backend, const ms_bar_context *contexts,
                                const size_t *which, size_t n,
                                const ms_bar_forecast_options *opts, float *bars)
{
    ms_kronos_bars *inputs = malloc(n * sizeof *inputs);
    uint64_t *seeds = malloc(n * sizeof *seeds);
    if (inputs == NULL || seeds == NULL) {
        free(inputs), free(seeds);
        return ms_error(MS_ERR_NOMEM, "kronos: no memory for %zu contexts", n);
    }
    for (size_t i = 0; i < n; i++) {
        const ms_bar_context *c = &contexts[which[i]];
        inputs[i] = (ms_kronos_bars){ c->length, c->open, c->high, c->low, c->close, c->volume,
                                      c->amount, c->timestamps, c->future_timestamps };
        seeds[i] = context_seed(opts, c);
    }
    ms_kronos_sampling sampling = { opts->temperature, opts->top_k, opts->top_p,
                                    opts->num_samples, 0, seeds };
    size_t window = opts->max_context > 0 ? opts->max_context : backend->max_context;
    bool mean = opts->aggregate.kind == MS_AGG_MEAN;
    float *paths = mean ? NULL : malloc(n * opts->num_samples * opts->horizon * MS_BAR_FIELDS
                                        * sizeof *paths);
    ms_status status = mean || paths != NULL
                           ? MS_OK
                           : ms_error(MS_ERR_NOMEM, "kronos: no memory for %zu sample paths",
                                      n * opts->num_samples);
    if (status == MS_OK) {
        pthread_mutex_lock(&backend->lock);
        status = ms_kronos_predict_paths(backend->net, inputs, n, opts->horizon, window,
                                         KRONOS_CLIP, &sampling, bars, paths);
        pthread_mutex_unlock(&backend->lock);
    }
    if (status == MS_OK && !mean)
        status = summarise_paths(paths, n, opts, bars);
    free(inputs), free(seeds), free(paths);
    return status;
}

/* The contexts from `first` on (not yet done) with the length of `first`,
 * up to `limit`: their indices in `which`, marked done; how many. */
static size_t gather_equal_length(const ms_bar_context *contexts, size_t n, size_t first,
                                  size_t limit, bool *done, size_t *which)
{
    size_t count = 0;
    for (size_t i = first; i < n && count < limit; i++)
        if (!done[i] && contexts[i].length == contexts[first].length) {
            done[i] = true;
            which[count++] = i;
        }
    return count;
}

/* How many contexts of `length` bars one generation takes: as many as
 * KRONOS_BATCH_TOKENS allows with their sample paths, at least one. */
static size_t group_limit(const kronos_backend *backend, size_t length,
                          const ms_bar_forecast_options *opts)
{
    size_t window = opts->max_context > 0 ? opts->max_context : backend->max_context;
    size_t tokens = (length < window ? length : window) * opts->num_samples;
    return tokens < KRONOS_BATCH_TOKENS ? KRONOS_BATCH_TOKENS / tokens : 1;
}

/* Contexts of equal length run as one generation (up to group_limit):
 * every context has its own stream, so the grouping changes the speed, not
 * the draws. */
static ms_status forecast_bars(void *state, const ms_bar_context *contexts, size_t n,
                               const ms_bar_forecast_options *opts, double *out, size_t *passes)
{
    kronos_backend *backend = state;
    const size_t per_context = opts->horizon * MS_BAR_FIELDS;
    float *bars = malloc(n * per_context * sizeof *bars);
    size_t *which = malloc(n * sizeof *which);
    bool *done = calloc(n, sizeof *done);
    ms_status status = bars != NULL && which != NULL && done != NULL
                           ? MS_OK
                           : ms_error(MS_ERR_NOMEM, "kronos: no memory for %zu contexts", n);
    for (size_t first = 0; first < n && status == MS_OK; first++) {
        if (done[first])
            continue;
        size_t limit = group_limit(backend, contexts[first].length, opts);
        size_t count = gather_equal_length(contexts, n, first, limit, done, which);
        status = forecast_group(backend, contexts, which, count, opts, bars);
        if (status != MS_OK) {
            status = ms_error_wrap(status, "contexts %zu..: %zu bars each", first,
                                   contexts[first].length);
            break;
        }
        for (size_t i = 0; i < count; i++)
            for (size_t j = 0; j < per_context; j++)
                out[which[i] * per_context + j] = bars[i * per_context + j];
        /* One decode_s1 + decode_s2 pass per generated bar. */
        *passes += opts->horizon;
    }
    free(bars), free(which), free(done);
    return status;
}

static json_t *identity_files(const void *state)
{
    const kronos_backend *backend = state;
    json_t *files = json_array();
    const char *dirs[] = { backend->tokenizer_dir, backend->model_dir };
    for (size_t d = 0; d < MS_ARRAY_LEN(dirs); d++) {
        json_array_append_new(files, json_sprintf("%s/config.json", dirs[d]));
        json_array_append_new(files, json_sprintf("%s/model.safetensors", dirs[d]));
    }
    return files;
}

static ms_status describe(const void *state, size_t *parameters, json_t **config)
{
    const kronos_backend *backend = state;
    const ms_kronos_tokenizer_config *t = &backend->tokenizer;
    const ms_kronos_model_config *m = &backend->model;
    *parameters = backend->parameters;
    *config = json_pack("{s:s, s:s, s:I, s:{s:i, s:i, s:i, s:i, s:i, s:i, s:i}, "
                        "s:{s:i, s:i, s:i, s:i, s:i, s:i, s:b}}",
                        "tokenizer_dir", backend->tokenizer_dir, "model_dir", backend->model_dir,
                        "max_context", (json_int_t)backend->max_context,
                        "tokenizer", "d_model", t->d_model, "n_heads", t->n_heads, "ff_dim",
                        t->ff_dim, "n_enc_layers", t->n_enc_layers, "n_dec_layers",
                        t->n_dec_layers, "s1_bits", t->s1_bits, "s2_bits", t->s2_bits,
                        "model", "d_model", m->d_model, "n_heads", m->n_heads, "ff_dim", m->ff_dim,
                        "n_layers", m->n_layers, "s1_bits", m->s1_bits, "s2_bits", m->s2_bits,
                        "learn_te", m->learn_te);
    return *config != NULL ? MS_OK : ms_error(MS_ERR_NOMEM, "kronos: no memory to describe");
}

static const ms_forecaster_ops kronos_ops = {
    .name = "kronos",
    .components = one_component,
    .predict = refuse_series,
    .destroy = destroy,
    .describe = describe,
    .forecast_bars = forecast_bars,
    .identity_files = identity_files,
};

/* Fills the backend's two directories (absolute when they resolve). */
static ms_status find_pair(const char *path, const ms_model_options *opts,
                           kronos_backend *backend)
{
    char tokenizer[PATH_MAX], model[PATH_MAX];
    if (ms_kronos_is_name(path)) {
        ms_status status = ms_kronos_locate(opts, path, tokenizer, model, sizeof tokenizer);
        if (status != MS_OK)
            return status;
    } else if (snprintf(tokenizer, sizeof tokenizer, "%s/tokenizer", path) >= (int)sizeof tokenizer
               || snprintf(model, sizeof model, "%s/model", path) >= (int)sizeof model) {
        return ms_error(MS_ERR_INVALID_ARG, "model '%s': path too long", path);
    }
    if (realpath(tokenizer, backend->tokenizer_dir) == NULL)
        snprintf(backend->tokenizer_dir, sizeof backend->tokenizer_dir, "%s", tokenizer);
    if (realpath(model, backend->model_dir) == NULL)
        snprintf(backend->model_dir, sizeof backend->model_dir, "%s", model);
    backend->max_context = strcmp(path, "kronos-mini") == 0 ? KRONOS_MINI_CONTEXT
                                                              : KRONOS_DEFAULT_CONTEXT;
    return MS_OK;
}

/* Loads and checks the pair, then builds the network from it. */
static ms_status load(kronos_backend *backend)
{
    ms_kronos_checkpoint *checkpoint = NULL;
    ms_status status = ms_kronos_checkpoint_open(&checkpoint, backend->tokenizer_dir,
                                                 backend->model_dir);
    if (status != MS_OK)
        return status;
    backend->tokenizer = *ms_kronos_checkpoint_tokenizer_config(checkpoint);
    backend->model = *ms_kronos_checkpoint_model_config(checkpoint);
    backend->parameters = ms_kronos_checkpoint_parameters(checkpoint);
    status = ms_kronos_open(&backend->net, checkpoint);
    ms_kronos_checkpoint_close(checkpoint);
    return status;
}

ms_status ms_kronos_backend_open(const char *path, const ms_model_options *opts,
                                 ms_forecaster *out)
{
    if (strcmp(opts->device, "cpu") != 0 || strcmp(opts->precision, "fp32") != 0)
        return ms_error(MS_ERR_UNSUPPORTED, "model '%s': Kronos runs on the cpu in fp32 only "
                        "(asked for device %s, precision %s)", path, opts->device,
                        opts->precision);
    kronos_backend *backend = calloc(1, sizeof *backend);
    if (backend == NULL)
        return ms_error(MS_ERR_NOMEM, "model '%s': no memory", path);
    ms_status status = find_pair(path, opts, backend);
    if (status == MS_OK)
        status = load(backend);
    /* Explicit, as Toto: num_threads, or one per core (on a loaded machine
     * fewer threads than cores is faster, docs/performance.md). */
    if (status == MS_OK)
        status = ms_kronos_set_threads(backend->net, opts->num_threads > 0
                                                         ? opts->num_threads
                                                         : (int)ms_cpu_count());
    if (status != MS_OK || pthread_mutex_init(&backend->lock, NULL) != 0) {
        ms_kronos_free(backend->net);
        free(backend);
        return status != MS_OK ? status : ms_error(MS_ERR_NOMEM, "model '%s': no mutex", path);
    }
    *out = (ms_forecaster){ &kronos_ops, backend };
    return MS_OK;
}
