/*
 * options.c - resolving analyzer options: explicit fields win, then the
 * reference system's environment variables, then the defaults of
 * strategies.md. One place, so the CLI flags and the environment cannot
 * drift apart.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"
#include "core/core_internal.h"

#define DEFAULT_SIMULATIONS 70
#define DEFAULT_EVAL_DAYS 6
#define DEFAULT_CONTEXT_LENGTH 512
#define DEFAULT_MIN_CONTEXT 32
#define MAX_SAMPLES 1000000

static ms_status resolve_counts(ms_analyzer_options *opts)
{
    if (opts->simulations == 0) {
        size_t env = 0;
        ms_status status = ms_env_size("MARKETSIM_BACKTEST_SIMULATIONS", &env);
        if (status != MS_OK)
            return status;
        opts->simulations = env ? env : DEFAULT_SIMULATIONS;
    }
    if (opts->eval_days == 0)
        opts->eval_days = DEFAULT_EVAL_DAYS;
    if (opts->context_length == 0)
        opts->context_length = DEFAULT_CONTEXT_LENGTH;
    if (opts->min_context == 0)
        opts->min_context = DEFAULT_MIN_CONTEXT;
    if (opts->context_length > MS_MODEL_MAX_CONTEXT)
        return ms_error(MS_ERR_INVALID_ARG, "context_length %zu exceeds the maximum context of "
                        "%d values (MS_MODEL_MAX_CONTEXT)", opts->context_length,
                        MS_MODEL_MAX_CONTEXT);
    if (opts->min_context > opts->context_length)
        return ms_error(MS_ERR_INVALID_ARG, "min_context (%zu) exceeds context_length (%zu)",
                        opts->min_context, opts->context_length);
    if (opts->num_samples > MAX_SAMPLES)
        return ms_error(MS_ERR_INVALID_ARG, "num_samples %zu exceeds the limit of %d",
                        opts->num_samples, MAX_SAMPLES);
    return MS_OK;
}

/* Warm-up and parallelism. Workers: the reference system's auto rule,
 * min(32, cpus + 4), unless set. */
static ms_status resolve_parallelism(ms_analyzer_options *opts)
{
    if (opts->parallel < 0) {
        int env = 1;
        ms_status status = ms_env_bool("MARKETSIM_PARALLEL_ANALYSIS", &env);
        if (status != MS_OK)
            return status;
        opts->parallel = env;
    }
    if (opts->warmup < 0) {
        int env = 0;
        ms_status status = ms_env_bool("MARKETSIM_WARMUP_MODELS", &env);
        if (status != MS_OK)
            return status;
        opts->warmup = env;
    }
    if (opts->workers < 0)
        return ms_error(MS_ERR_INVALID_ARG, "workers must be >= 0, got %d", opts->workers);
    if (opts->workers == 0) {
        size_t env = 0;
        ms_status status = ms_env_size("MARKETSIM_PARALLEL_WORKERS", &env);
        if (status != MS_OK)
            return status;
        size_t automatic = ms_cpu_count() + 4;
        opts->workers = (int)(env ? env : (automatic < 32 ? automatic : 32));
    }
    if (opts->workers > 1024)
        return ms_error(MS_ERR_INVALID_ARG, "workers %d exceeds the limit of 1024", opts->workers);
    return MS_OK;
}

static ms_status check_money(const char *name, double value, double *field, double fallback)
{
    if (value == 0)
        value = fallback;
    if (!isfinite(value) || value < 0)
        return ms_error(MS_ERR_INVALID_ARG, "%s must be finite and >= 0, got %g", name, value);
    *field = value;
    return MS_OK;
}

static ms_status resolve_trading(ms_analyzer_options *opts)
{
    ms_status status;
    if ((status = check_money("stock_fee", opts->stock_fee, &opts->stock_fee, 0.0005)) != MS_OK ||
        (status = check_money("crypto_fee", opts->crypto_fee, &opts->crypto_fee, 0.001)) != MS_OK ||
        (status = check_money("equity", opts->equity, &opts->equity, 100000.0)) != MS_OK ||
        (status = check_money("buying_power", opts->buying_power, &opts->buying_power,
                              2.0 * opts->equity)) != MS_OK)
        return status;
    if (opts->max_positions == 0)
        opts->max_positions = 10;
    if (opts->min_positions == 0)
        opts->min_positions = 4;
    if (opts->min_positions > opts->max_positions)
        opts->min_positions = opts->max_positions;
    return MS_OK;
}

MS_API ms_status ms_ablations_parse(const char *text, unsigned *out)
{
    static const struct { const char *name; unsigned flag; } names[] = {
        { "no-dedup", MS_ABLATE_NO_DEDUP }, { "rerun-samples", MS_ABLATE_RERUN_SAMPLES },
        { "symbol-batches", MS_ABLATE_SYMBOL_BATCHES }, { "no-overlap", MS_ABLATE_NO_OVERLAP } };
    if (text == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_ablations_parse: NULL argument");
    unsigned flags = 0;
    for (const char *start = text; *start != '\0';) {
        size_t len = strcspn(start, ",");
        size_t i = 0;
        while (i < MS_ARRAY_LEN(names) && !(strlen(names[i].name) == len &&
                                            strncmp(start, names[i].name, len) == 0))
            i++;
        if (i == MS_ARRAY_LEN(names))
            return ms_error(MS_ERR_INVALID_ARG, "unknown ablation '%.*s' (expected no-dedup, "
                            "rerun-samples, symbol-batches or no-overlap)", (int)len, start);
        flags |= names[i].flag;
        start += len + (start[len] == ',');
    }
    *out = flags;
    return MS_OK;
}

MS_API ms_status ms_analyzer_options_resolve(ms_analyzer_options *opts)
{
    if (opts == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_analyzer_options_resolve: NULL options");
    if (opts->version != MS_ANALYZER_OPTIONS_VERSION)
        return ms_error(MS_ERR_INVALID_ARG, "analyzer options version %d, expected %d",
                        opts->version, MS_ANALYZER_OPTIONS_VERSION);
    if (opts->aggregate == NULL || *opts->aggregate == '\0')
        opts->aggregate = "mean";
    ms_aggregate aggregate;
    ms_status status = ms_aggregate_parse(opts->aggregate, &aggregate);
    if (status != MS_OK)
        return status;
    if ((status = resolve_counts(opts)) != MS_OK || (status = resolve_parallelism(opts)) != MS_OK)
        return status;
    return resolve_trading(opts);
}
