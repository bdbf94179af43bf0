/*
 * model.c - the ms_model object: choosing and opening a backend, running
 * forecasts (series, or bars for Kronos) through it in batches of at most max_batch contexts (with
 * sample paths from the backend beyond its single forward pass), its JSON
 * description and the statistics counters. The math lives in
 * distribution.c, the outputs in forecast_output.c, the checks in
 * forecast_check.c.
 */
/* realpath is X/Open: the checkpoint's absolute path is its identity's. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/core_internal.h"
#include "model/kronos_checkpoint.h"
#include "model/model_internal.h"

#define DEFAULT_MAX_BATCH 64

/* Counters are atomics so forecasts on many threads update them without a
 * lock; busy time is kept in whole nanoseconds to stay an integer. */
struct ms_model {
    ms_forecaster forecaster;
    size_t components;
    size_t single_pass_horizon;  /* 0: unlimited */
    size_t max_batch;
    ms_model_options options;    /* resolved: what ms_model_identity reports */
    char *checkpoint;            /* the checkpoint directory; NULL for baseline */
    atomic_uint_fast64_t forecast_calls;
    atomic_uint_fast64_t contexts;
    atomic_uint_fast64_t forward_passes;
    atomic_uint_fast64_t busy_nanoseconds;
};

/* Fills `resolved` from the caller's options with every default applied
 * and the vocabulary checked; what a backend can serve is its own check. */
static ms_status resolve_options(const ms_model_options *opts, ms_model_options *resolved)
{
    ms_status status = ms_model_options_import(opts, resolved);
    if (status != MS_OK)
        return status;
    const char *device = resolved->device != NULL ? resolved->device : "cpu";
    if (!ms_str_ieq(device, "cpu") && !ms_str_ieq(device, "cuda"))
        return ms_error(MS_ERR_INVALID_ARG, "device '%s': expected cpu or cuda", device);
    resolved->device = ms_str_ieq(device, "cpu") ? "cpu" : "cuda";
    status = ms_precision_resolve(resolved);
    if (status != MS_OK)
        return status;
    if (resolved->num_threads < 0)
        return ms_error(MS_ERR_INVALID_ARG, "num_threads %d: must be >= 0 (0 = all cores)",
                        resolved->num_threads);
    if (resolved->max_batch == 0)
        resolved->max_batch = DEFAULT_MAX_BATCH;
    return MS_OK;
}

/* strerror_r (POSIX) rather than strerror, which may share one buffer
 * between threads. */
static ms_status checkpoint_unreadable(const char *path, int error)
{
    char reason[128];
    if (strerror_r(error, reason, sizeof reason) != 0)
        snprintf(reason, sizeof reason, "error %d", error);
    return ms_error(MS_ERR_MODEL, "model '%s': cannot read it: %s", path, reason);
}

/* A Kronos pair's directory holds tokenizer/ or model/ (a Toto checkpoint
 * holds config.json beside its weights): with either one, the pair's
 * loader names whichever is missing. */
static bool is_kronos_directory(const char *path)
{
    char part[PATH_MAX];
    struct stat info;
    const char *parts[] = { "tokenizer", "model" };
    for (size_t i = 0; i < MS_ARRAY_LEN(parts); i++)
        if (snprintf(part, sizeof part, "%s/%s", path, parts[i]) < (int)sizeof part
            && stat(part, &info) == 0 && S_ISDIR(info.st_mode))
            return true;
    return false;
}

/* The dispatch point: which backend serves `path`. `checkpoint` receives
 * the checkpoint directory opened ("" for none). */
static ms_status open_backend(const char *path, const ms_model_options *opts,
                              ms_forecaster *out, char checkpoint[PATH_MAX])
{
    checkpoint[0] = '\0';
    if (path[0] == '\0' || ms_str_ieq(path, "baseline"))
        return ms_baseline_open(path, opts, out);
    if (ms_kronos_is_name(path))
        return ms_kronos_backend_open(path, opts, out);
    if (ms_str_ieq(path, "toto")) {
        char dir[PATH_MAX];
        ms_status status = ms_toto_locate(opts, dir, sizeof dir);
        if (status == MS_OK && realpath(dir, checkpoint) == NULL)
            snprintf(checkpoint, PATH_MAX, "%s", dir);
        return status != MS_OK ? status : ms_toto_open(dir, opts, out);
    }
    struct stat info;
    if (stat(path, &info) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return ms_error(MS_ERR_NOT_FOUND,
                            "model '%s': no such model or checkpoint directory "
                            "(expected baseline, toto, kronos-mini, kronos-small, "
                            "kronos-base, a Toto checkpoint directory or a Kronos directory "
                            "with tokenizer/ and model/)", path);
        return checkpoint_unreadable(path, errno);
    }
    if (!S_ISDIR(info.st_mode))
        return ms_error(MS_ERR_MODEL, "model '%s': not a checkpoint directory "
                        "(expected a directory with config.json and model.safetensors)", path);
    if (is_kronos_directory(path))
        return ms_kronos_backend_open(path, opts, out);
    if (realpath(path, checkpoint) == NULL)
        snprintf(checkpoint, PATH_MAX, "%s", path);
    return ms_toto_open(path, opts, out);
}

static void close_forecaster(ms_forecaster *forecaster)
{
    if (forecaster->ops->destroy != NULL)
        forecaster->ops->destroy(forecaster->state);
}

MS_API ms_status ms_model_open(ms_model **out, const char *path, const ms_model_options *opts)
{
    if (out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_model_open: out is NULL");
    *out = NULL;
    ms_model_options resolved;
    ms_status status = resolve_options(opts, &resolved);
    if (status != MS_OK)
        return status;
    ms_forecaster forecaster;
    char checkpoint[PATH_MAX];
    status = open_backend(path != NULL ? path : "", &resolved, &forecaster, checkpoint);
    if (status != MS_OK)
        return status;
    size_t components = forecaster.ops->components(forecaster.state);
    if (components == 0) {
        close_forecaster(&forecaster);
        return ms_error(MS_ERR_MODEL, "model '%s' has no mixture components",
                        forecaster.ops->name);
    }
    ms_model *model = calloc(1, sizeof *model);
    if (model != NULL && checkpoint[0] != '\0' && (model->checkpoint = ms_strdup(checkpoint)) == NULL) {
        free(model);
        model = NULL;
    }
    if (model == NULL) {
        close_forecaster(&forecaster);
        return ms_error(MS_ERR_NOMEM, "model '%s': no memory", forecaster.ops->name);
    }
    model->forecaster = forecaster;
    model->components = components;
    if (forecaster.ops->single_pass_horizon != NULL)
        model->single_pass_horizon = forecaster.ops->single_pass_horizon(forecaster.state);
    model->max_batch = resolved.max_batch;
    model->options = resolved;
    /* Borrowed from the caller for the open only; the checkpoint keeps where. */
    model->options.toto_dir = model->options.kronos_dir = model->options.hf_home = NULL;
    *out = model;
    return MS_OK;
}

MS_API void ms_model_free(ms_model *model)
{
    if (model == NULL)
        return;
    close_forecaster(&model->forecaster);
    free(model->checkpoint);
    free(model);
}

MS_API const char *ms_model_name(const ms_model *model)
{
    return model != NULL ? model->forecaster.ops->name : "";
}

MS_API const char *ms_model_precision(const ms_model *model)
{
    return model != NULL ? model->options.precision : "";
}

MS_API ms_status ms_model_warmup(ms_model *model, size_t context_length, size_t batch_size)
{
    if (model == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_model_warmup: model is NULL");
    if (context_length == 0 || batch_size == 0)
        return ms_error(MS_ERR_INVALID_ARG,
                        "warm-up needs context_length and batch_size >= 1 (got %zu and %zu)",
                        context_length, batch_size);
    if (context_length > MS_MODEL_MAX_CONTEXT)
        return ms_error(MS_ERR_INVALID_ARG, "warm-up context_length %zu exceeds the maximum "
                        "context of %d values (MS_MODEL_MAX_CONTEXT)", context_length,
                        MS_MODEL_MAX_CONTEXT);
    const ms_forecaster_ops *ops = model->forecaster.ops;
    if (ops->warmup == NULL)
        return MS_OK;
    ms_status status = ops->warmup(model->forecaster.state, context_length, batch_size);
    if (status != MS_OK)
        return ms_error_wrap(status, "model '%s' warm-up", ops->name);
    return MS_OK;
}

/* The [n][V][H][K] arrays of one batch, allocated once per call for the
 * largest batch and reused for every chunk. */
static ms_status batch_alloc(ms_mixture_batch *batch, size_t n_series, size_t variates,
                             size_t horizon, size_t components)
{
    *batch = (ms_mixture_batch){ n_series, variates, horizon, components,
                                 NULL, NULL, NULL, NULL };
    size_t per_array = n_series;
    size_t bytes = 4 * sizeof(double);
    bool fits = ms_size_multiply(&per_array, variates) && ms_size_multiply(&per_array, horizon)
                && ms_size_multiply(&per_array, components)
                && ms_size_multiply(&bytes, per_array);
    double *block = fits ? malloc(bytes) : NULL;
    if (block == NULL)
        return ms_error(MS_ERR_NOMEM, "forecast: no memory for %zu series x %zu variates x "
                        "%zu steps x %zu components", n_series, variates, horizon, components);
    batch->weight = block;
    batch->df = block + per_array;
    batch->loc = block + 2 * per_array;
    batch->scale = block + 3 * per_array;
    return MS_OK;
}

/* Whether `horizon` lies beyond the steps one forward pass predicts. */
static bool beyond_single_pass(const ms_model *model, size_t horizon)
{
    return model->single_pass_horizon > 0 && horizon > model->single_pass_horizon;
}

/* Beyond the single pass the backend's mixtures follow the mean path: their
 * means are the forecast's, their spread is not, so every other summary
 * needs sample paths. */
static ms_status check_horizon(const ms_model *model, const ms_forecast_options *opts,
                               const ms_forecast_output *out)
{
    if (!beyond_single_pass(model, opts->horizon) || opts->num_samples > 0)
        return MS_OK;
    bool summaries = out->quantiles != NULL && opts->num_quantiles > 0;
    for (size_t a = 0; out->aggregates != NULL && a < opts->num_aggregates; a++)
        summaries = summaries || opts->aggregates[a].kind != MS_AGG_MEAN;
    if (!summaries)
        return MS_OK;
    return ms_error(MS_ERR_INVALID_ARG,
                    "horizon %zu is beyond the %zu steps model '%s' predicts in one pass: "
                    "there quantiles and aggregates other than the mean come from sample "
                    "paths only (set num_samples > 0)",
                    opts->horizon, model->single_pass_horizon, model->forecaster.ops->name);
}

/* Has the backend draw the sample paths of series [first, first + count)
 * into the caller's samples or the scratch; *paths tells where. */
static ms_status draw_paths(ms_model *model, const ms_series *series, size_t first,
                            size_t count, const ms_forecast_options *opts,
                            const ms_forecast_output *out, ms_output_scratch *scratch,
                            double **paths, size_t *passes)
{
    const ms_forecaster_ops *ops = model->forecaster.ops;
    size_t per_series = opts->num_samples * series[0].variates * opts->horizon;
    *paths = out->samples != NULL ? out->samples + first * per_series : scratch->paths;
    ms_status status = ops->sample_paths(model->forecaster.state, series + first, count,
                                         opts->horizon, opts->num_samples, *paths, passes);
    if (status != MS_OK)
        return ms_error_wrap(status, "model '%s' sample paths, series %zu to %zu", ops->name,
                             first, first + count - 1);
    return MS_OK;
}

/* Runs the backend on the series [first, first + count) and derives their
 * outputs. */
static ms_status forecast_chunk(ms_model *model, const ms_series *series, size_t first,
                                size_t count, const ms_forecast_options *opts,
                                const ms_forecast_output *out, ms_mixture_batch *batch,
                                ms_output_scratch *scratch)
{
    const ms_forecaster_ops *ops = model->forecaster.ops;
    batch->n_series = count;
    size_t passes = 0;
    ms_status status = ops->predict(model->forecaster.state, series + first, count,
                                    opts->horizon, batch, &passes);
    if (status != MS_OK)
        status = ms_error_wrap(status, "model '%s', series %zu to %zu", ops->name, first,
                               first + count - 1);
    else
        status = ms_mixture_batch_check(batch, ops->name, first);
    double *paths = NULL;
    if (status == MS_OK && beyond_single_pass(model, opts->horizon)
        && ms_forecast_needs_samples(opts, out))
        status = draw_paths(model, series, first, count, opts, out, scratch, &paths, &passes);
    atomic_fetch_add(&model->forward_passes, passes);
    if (status != MS_OK)
        return status;
    size_t per_series = opts->num_samples * series[0].variates * opts->horizon;
    for (size_t i = 0; i < count; i++)
        ms_forecast_derive(batch, i, &series[first + i], first + i, opts, out, scratch,
                           paths != NULL ? paths + i * per_series : NULL);
    return MS_OK;
}

static ms_status forecast_in_chunks(ms_model *model, const ms_series *series, size_t n_series,
                                    const ms_forecast_options *opts,
                                    const ms_forecast_output *out)
{
    size_t largest = n_series < model->max_batch ? n_series : model->max_batch;
    size_t variates = series[0].variates;
    ms_mixture_batch batch;
    ms_status status = batch_alloc(&batch, largest, variates, opts->horizon, model->components);
    if (status != MS_OK)
        return status;
    ms_output_scratch scratch;
    size_t path_series = beyond_single_pass(model, opts->horizon) ? largest : 0;
    status = ms_output_scratch_init(&scratch, opts, out, variates, model->components,
                                    path_series);
    for (size_t first = 0; first < n_series && status == MS_OK; first += largest) {
        size_t count = n_series - first < largest ? n_series - first : largest;
        status = forecast_chunk(model, series, first, count, opts, out, &batch, &scratch);
    }
    ms_output_scratch_free(&scratch);
    free(batch.weight);
    return status;
}

/* Counts every call that passes the argument checks; contexts only when
 * the whole call succeeds; forward passes as they run. */
MS_API ms_status ms_model_forecast(ms_model *model, const ms_series *series, size_t n_series,
                                   const ms_forecast_options *opts, ms_forecast_output *out)
{
    if (model == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_model_forecast: model is NULL");
    ms_forecast_options imported;
    ms_status status = ms_forecast_options_import(opts, &imported);
    opts = &imported;
    if (status == MS_OK)
        status = ms_forecast_check(series, n_series, opts, out);
    if (status == MS_OK)
        status = check_horizon(model, opts, out);
    if (status != MS_OK)
        return status;
    double start = ms_clock_seconds();
    if (n_series > 0)
        status = forecast_in_chunks(model, series, n_series, opts, out);
    atomic_fetch_add(&model->forecast_calls, 1);
    if (status == MS_OK)
        atomic_fetch_add(&model->contexts, n_series);
    double elapsed = ms_clock_seconds() - start;
    atomic_fetch_add(&model->busy_nanoseconds, (uint_fast64_t)(elapsed * 1e9));
    return status;
}

MS_API ms_status ms_model_describe(const ms_model *model, char **out)
{
    if (model == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_model_describe: model and out must not be NULL");
    *out = NULL;
    const ms_forecaster_ops *ops = model->forecaster.ops;
    size_t parameters = 0;
    json_t *config = NULL;
    if (ops->describe != NULL) {
        ms_status status = ops->describe(model->forecaster.state, &parameters, &config);
        if (status != MS_OK)
            return ms_error_wrap(status, "model '%s'", ops->name);
    }
    json_t *limit = model->single_pass_horizon > 0
                        ? json_integer((json_int_t)model->single_pass_horizon) : json_null();
    /* "o" hands both objects to the description, which frees them. */
    json_t *description = json_pack("{s:s, s:I, s:I, s:o, s:o, s:s}", "name", ops->name,
                                    "parameters", (json_int_t)parameters,
                                    "components", (json_int_t)model->components,
                                    "single_pass_horizon", limit,
                                    "config", config != NULL ? config : json_object(),
                                    "precision", model->options.precision);
    *out = description != NULL
               ? json_dumps(description, JSON_INDENT(2) | JSON_REAL_PRECISION(15)) : NULL;
    json_decref(description);
    if (*out == NULL)
        return ms_error(MS_ERR_NOMEM, "model '%s': no memory for its description", ops->name);
    return MS_OK;
}

/* Toto pads to its patch and forecasts one patch per pass, so the two are
 * the same number; a model without a single-pass limit does not pad. */
MS_API ms_status ms_model_get_shape(const ms_model *model, ms_model_shape *out)
{
    if (model == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_model_get_shape: NULL argument");
    out->single_pass_horizon = model->single_pass_horizon;
    out->patch_size = model->single_pass_horizon;
    out->max_batch = model->max_batch;
    return MS_OK;
}

MS_API ms_status ms_model_get_stats(const ms_model *model, ms_model_stats *out)
{
    if (model == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_model_get_stats: model and out must not be NULL");
    /* atomic_load takes a non-const pointer in C11; reading does not modify. */
    ms_model *counters = (ms_model *)model;
    out->forecast_calls = atomic_load(&counters->forecast_calls);
    out->contexts = atomic_load(&counters->contexts);
    out->forward_passes = atomic_load(&counters->forward_passes);
    out->busy_seconds = (double)atomic_load(&counters->busy_nanoseconds) * 1e-9;
    return MS_OK;
}

/* Only what can change a forecast: num_threads and max_batch change how
 * fast it comes, not its value. */
MS_API ms_status ms_model_identity(const ms_model *model, char **out)
{
    if (model == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_model_identity: model and out must not be NULL");
    *out = NULL;
    const ms_forecaster_ops *ops = model->forecaster.ops;
    json_t *files = ops->identity_files != NULL ? ops->identity_files(model->forecaster.state)
                                                : json_array();
    if (model->checkpoint != NULL) {
        json_array_append_new(files, json_sprintf("%s/config.json", model->checkpoint));
        json_array_append_new(files, json_sprintf("%s/model.safetensors", model->checkpoint));
    }
    json_t *identity = json_pack("{s:s, s:o, s:{s:s, s:s, s:s, s:b}}", "name",
                                 model->forecaster.ops->name, "files", files, "settings",
                                 "device", model->options.device, "dtype", model->options.dtype,
                                 "precision", model->options.precision,
                                 "kv_cache", !model->options.disable_kv_cache);
    *out = identity != NULL ? json_dumps(identity, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(identity);
    if (*out == NULL)
        return ms_error(MS_ERR_NOMEM, "model '%s': no memory for its identity",
                        model->forecaster.ops->name);
    return MS_OK;
}

/* Every argument of ms_model_forecast_bars, before the backend sees it. */
static ms_status check_bar_arguments(const ms_bar_context *contexts, size_t n,
                                     const ms_bar_forecast_options *opts, const double *out)
{
    if (ms_aggregate_check(&opts->aggregate) != MS_OK)
        return ms_error_wrap(MS_ERR_INVALID_ARG, "bar forecast");
    if (opts->horizon < 1 || opts->num_samples < 1)
        return ms_error(MS_ERR_INVALID_ARG, "bar forecast: horizon (%zu) and num_samples (%zu) "
                        "must be >= 1", opts->horizon, opts->num_samples);
    if (!(opts->temperature > 0.0) || !(opts->temperature < INFINITY) || opts->top_k < 0
        || !(opts->top_p > 0.0 && opts->top_p <= 1.0))
        return ms_error(MS_ERR_INVALID_ARG, "bar forecast: temperature %g must be > 0, top_k "
                        "%d >= 0 and top_p %g in (0, 1]", opts->temperature, opts->top_k,
                        opts->top_p);
    if (n > 0 && (contexts == NULL || out == NULL))
        return ms_error(MS_ERR_INVALID_ARG, "ms_model_forecast_bars: contexts and out must not "
                        "be NULL");
    for (size_t i = 0; i < n; i++) {
        const ms_bar_context *c = &contexts[i];
        if (c->length < 1)
            return ms_error(MS_ERR_INVALID_ARG, "bar context %zu: length is 0; a context needs "
                            "at least one bar", i);
        if (c->timestamps == NULL || c->open == NULL || c->high == NULL || c->low == NULL
            || c->close == NULL || c->future_timestamps == NULL)
            return ms_error(MS_ERR_INVALID_ARG, "bar context %zu: timestamps, open, high, low, "
                            "close and future_timestamps must not be NULL", i);
    }
    return MS_OK;
}

MS_API ms_status ms_model_forecast_bars(ms_model *model, const ms_bar_context *contexts,
                                        size_t n, const ms_bar_forecast_options *opts,
                                        double *out)
{
    if (model == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_model_forecast_bars: model is NULL");
    const ms_forecaster_ops *ops = model->forecaster.ops;
    if (ops->forecast_bars == NULL)
        return ms_error(MS_ERR_UNSUPPORTED, "model '%s' forecasts series, not bars: use "
                        "ms_model_forecast, or a Kronos model here", ops->name);
    ms_bar_forecast_options imported;
    ms_status status = ms_bar_forecast_options_import(opts, &imported);
    opts = &imported;
    if (status == MS_OK)
        status = check_bar_arguments(contexts, n, opts, out);
    if (status != MS_OK)
        return status;
    double start = ms_clock_seconds();
    size_t passes = 0;
    if (n > 0)
        status = ops->forecast_bars(model->forecaster.state, contexts, n, opts, out, &passes);
    atomic_fetch_add(&model->forward_passes, passes);
    atomic_fetch_add(&model->forecast_calls, 1);
    if (status == MS_OK)
        atomic_fetch_add(&model->contexts, n);
    double elapsed = ms_clock_seconds() - start;
    atomic_fetch_add(&model->busy_nanoseconds, (uint_fast64_t)(elapsed * 1e9));
    return status;
}
