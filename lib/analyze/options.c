/*
 * options.c - resolving analyzer options: explicit fields win, then the
 * defaults of strategies.md. The environment enters only through
 * ms_analyzer_options_from_env (options_env.c), which fills the same
 * unset fields before this runs.
 */
#include <math.h>
#include <string.h>

#include "analyze_internal.h"
#include "core/core_internal.h"

#define DEFAULT_SIMULATIONS 70
#define DEFAULT_EVAL_DAYS 6
#define DEFAULT_CONTEXT_LENGTH 512
#define DEFAULT_MIN_CONTEXT 32
#define MAX_SAMPLES 1000000
#define DEFAULT_STOCK_FEE 0.0005
#define DEFAULT_CRYPTO_FEE 0.001
#define DEFAULT_MAX_POSITIONS 10
#define DEFAULT_MIN_POSITIONS 4
#define DEFAULT_EQUITY 100000.0

static ms_status resolve_counts(ms_analyzer_options *opts)
{
    if (opts->simulations == 0)
        opts->simulations = DEFAULT_SIMULATIONS;
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
    if (opts->parallel < 0)
        opts->parallel = 1;
    if (opts->warmup < 0)
        opts->warmup = 0;
    if (opts->workers < 0)
        return ms_error(MS_ERR_INVALID_ARG, "workers must be >= 0, got %d", opts->workers);
    if (opts->workers == 0) {
        size_t automatic = ms_cpu_count() + 4;
        opts->workers = (int)(automatic < 32 ? automatic : 32);
    }
    if (opts->workers > 1024)
        return ms_error(MS_ERR_INVALID_ARG, "workers %d exceeds the limit of 1024", opts->workers);
    return MS_OK;
}

/* A money field that is unset when negative (-1): `fallback` then. 0 is a
 * real value. */
static ms_status resolve_unset(const char *name, double *field, double fallback)
{
    if (!isfinite(*field))
        return ms_error(MS_ERR_INVALID_ARG, "%s must be finite, got %g", name, *field);
    if (*field < 0)
        *field = fallback;
    return MS_OK;
}

static ms_status resolve_positions(ms_analyzer_options *opts)
{
    if (opts->max_positions == 0)
        opts->max_positions = DEFAULT_MAX_POSITIONS;
    if (opts->min_positions == 0)
        opts->min_positions = DEFAULT_MIN_POSITIONS;
    if (opts->min_positions > opts->max_positions)
        opts->min_positions = opts->max_positions;
    /* By default max_positions full-size positions use the equity once. */
    ms_status status = resolve_unset("position_size", &opts->position_size,
                                     1.0 / (double)opts->max_positions);
    if (status == MS_OK && !(opts->position_size > 0 && opts->position_size <= 1))
        return ms_error(MS_ERR_INVALID_ARG, "position_size (MARKETSIM_POSITION_SIZE) is a "
                        "fraction of equity in (0, 1] (0.2 for 20%%), got %g", opts->position_size);
    return status;
}

static ms_status resolve_trading(ms_analyzer_options *opts)
{
    if (opts->equity == 0)
        opts->equity = DEFAULT_EQUITY;
    if (!isfinite(opts->equity) || opts->equity < 0)
        return ms_error(MS_ERR_INVALID_ARG, "equity must be finite and > 0, got %g", opts->equity);
    ms_status status;
    if ((status = resolve_unset("stock_fee", &opts->stock_fee, DEFAULT_STOCK_FEE)) != MS_OK ||
        (status = resolve_unset("crypto_fee", &opts->crypto_fee, DEFAULT_CRYPTO_FEE)) != MS_OK ||
        (status = resolve_unset("buying_power", &opts->buying_power,
                                2.0 * opts->equity)) != MS_OK)
        return status;
    if (opts->as_of < 0)
        return ms_error(MS_ERR_INVALID_ARG, "as_of must be a time after 1970 (UTC seconds), "
                        "got %lld", (long long)opts->as_of);
    return resolve_positions(opts);
}

/* The cache is opt-in for library callers: unset is off. */
static void resolve_cache(ms_analyzer_options *opts)
{
    if (opts->cache == NULL || *opts->cache == '\0')
        opts->cache = "off";
    if (opts->cache_max_entries == 0)
        opts->cache_max_entries = MS_CACHE_DEFAULT_MAX_ENTRIES;
}

MS_API ms_status ms_ablations_parse(const char *text, unsigned *out)
{
    static const struct { const char *name; unsigned flag; } names[] = {
        { "no-dedup", MS_ABLATE_NO_DEDUP }, { "rerun-samples", MS_ABLATE_RERUN_SAMPLES },
        { "symbol-batches", MS_ABLATE_SYMBOL_BATCHES }, { "no-overlap", MS_ABLATE_NO_OVERLAP },
        { "shared-batches", MS_ABLATE_SHARED_BATCHES } };
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
                            "rerun-samples, symbol-batches, no-overlap or shared-batches)", (int)len,
                            start);
        flags |= names[i].flag;
        start += len + (start[len] == ',');
    }
    *out = flags;
    return MS_OK;
}

static const char *const offsets_names[] = {
    [MS_OFFSETS_IN_SAMPLE] = "in-sample",
    [MS_OFFSETS_WALK_FORWARD] = "walk-forward",
};

MS_API const char *ms_offsets_name(ms_offsets_mode mode)
{
    if ((int)mode < 0 || (size_t)mode >= MS_ARRAY_LEN(offsets_names))
        return NULL;
    return offsets_names[mode];
}

MS_API ms_status ms_offsets_parse(const char *text, ms_offsets_mode *out)
{
    if (text == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_offsets_parse: NULL argument");
    for (size_t m = 0; m < MS_ARRAY_LEN(offsets_names); m++) {
        if (ms_str_ieq(text, offsets_names[m])) {
            *out = (ms_offsets_mode)m;
            return MS_OK;
        }
    }
    return ms_error(MS_ERR_INVALID_ARG,
                    "unknown offsets mode '%s' (expected walk-forward or in-sample)", text);
}

/* Fill model and offsets: unset means the honest defaults (bar-path,
 * walk-forward); --reference sets both to the original's. */
static ms_status resolve_fills(ms_analyzer_options *opts)
{
    if (opts->fills == MS_FILLS_UNSET)
        opts->fills = MS_FILLS_BAR_PATH;
    if (opts->offsets == MS_OFFSETS_UNSET)
        opts->offsets = MS_OFFSETS_WALK_FORWARD;
    if (ms_fill_model_name(opts->fills) == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "unknown fill model %d", (int)opts->fills);
    if (ms_offsets_name(opts->offsets) == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "unknown offsets mode %d", (int)opts->offsets);
    return MS_OK;
}

ms_status ms_analyzer_options_copy_resolved(const ms_analyzer_options *opts,
                                            ms_analyzer_options *out)
{
    ms_status status = ms_analyzer_options_import(opts, out);
    return status != MS_OK ? status : ms_analyzer_options_resolve_newest(out);
}

size_t ms_forecast_simulations(const ms_analyzer_options *opts)
{
    return opts->simulations + (opts->offsets == MS_OFFSETS_WALK_FORWARD ? opts->eval_days : 0);
}

ms_status ms_analyzer_options_resolve_newest(ms_analyzer_options *opts)
{
    if (opts->aggregate == NULL || *opts->aggregate == '\0')
        opts->aggregate = "mean";
    ms_aggregate aggregate;
    ms_status status = ms_aggregate_parse(opts->aggregate, &aggregate);
    if (status != MS_OK)
        return status;
    if ((status = resolve_counts(opts)) != MS_OK || (status = resolve_parallelism(opts)) != MS_OK ||
        (status = resolve_fills(opts)) != MS_OK)
        return status;
    resolve_cache(opts);
    if (opts->coherence != MS_COHERENCE_WIDEN && opts->coherence != MS_COHERENCE_AS_FORECAST)
        return ms_error(MS_ERR_INVALID_ARG, "coherence must be MS_COHERENCE_WIDEN (0) or "
                        "MS_COHERENCE_AS_FORECAST (1), got %d", opts->coherence);
    return resolve_trading(opts);
}

MS_API ms_status ms_as_of_parse(const char *text, int64_t *out)
{
    if (text == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_as_of_parse: NULL argument");
    size_t len = strlen(text);
    int64_t seconds = 0;
    const char *reason = NULL;
    if (!ms_parse_utc_time(text, len, &seconds, &reason))
        return ms_error(MS_ERR_INVALID_ARG, "as-of '%s': %s", text, reason);
    /* A bare date stands for its whole day: judged once it is over. */
    if (strspn(text, "0123456789-") == len)
        seconds += MS_SECONDS_PER_DAY - 1;
    if (seconds <= 0)
        return ms_error(MS_ERR_INVALID_ARG, "as-of '%s' is not after 1970-01-01", text);
    *out = seconds;
    return MS_OK;
}
