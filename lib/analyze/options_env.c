/*
 * options_env.c - ms_analyzer_options_from_env: the reference system's
 * MARKETSIM_* variables, read into the options only when the caller asks
 * (the CLI and the Python bindings do). It fills exactly the fields
 * ms_analyzer_options_resolve would otherwise default, so a field the
 * caller set (a flag) still wins over the environment.
 */
#include "analyze_internal.h"
#include "core/core_internal.h"

/* A count that is unset when 0. */
static ms_status count_from_env(const char *variable, size_t *field)
{
    return *field == 0 ? ms_env_size(variable, field) : MS_OK;
}

/* A money field or fraction that is unset when negative. */
static ms_status amount_from_env(const char *variable, double *field)
{
    return *field < 0 ? ms_env_double(variable, field) : MS_OK;
}

/* A switch that is unset when negative. */
static ms_status switch_from_env(const char *variable, int *field)
{
    return *field < 0 ? ms_env_bool(variable, field) : MS_OK;
}

static ms_status workers_from_env(int *workers)
{
    if (*workers != 0)
        return MS_OK;
    size_t count = 0;
    ms_status status = ms_env_size("MARKETSIM_PARALLEL_WORKERS", &count);
    if (status == MS_OK && count > 1024)
        return ms_error(MS_ERR_INVALID_ARG, "environment variable MARKETSIM_PARALLEL_WORKERS=%zu "
                        "exceeds the limit of 1024", count);
    *workers = (int)count;
    return status;
}

static ms_status cache_from_env(const char **cache)
{
    return *cache == NULL || **cache == '\0' ? ms_env_text("MARKETSIM_CACHE", cache) : MS_OK;
}

MS_API ms_status ms_analyzer_options_from_env(ms_analyzer_options *opts)
{
    if (opts == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_analyzer_options_from_env: NULL options");
    ms_status status;
    if ((status = count_from_env("MARKETSIM_BACKTEST_SIMULATIONS", &opts->simulations)) != MS_OK
        || (status = switch_from_env("MARKETSIM_PARALLEL_ANALYSIS", &opts->parallel)) != MS_OK
        || (status = switch_from_env("MARKETSIM_WARMUP_MODELS", &opts->warmup)) != MS_OK
        || (status = workers_from_env(&opts->workers)) != MS_OK
        || (status = count_from_env("MARKETSIM_MAX_POSITIONS", &opts->max_positions)) != MS_OK
        || (status = amount_from_env("MARKETSIM_POSITION_SIZE", &opts->position_size)) != MS_OK
        || (status = amount_from_env("MARKETSIM_STOCK_FEE", &opts->stock_fee)) != MS_OK
        || (status = amount_from_env("MARKETSIM_CRYPTO_FEE", &opts->crypto_fee)) != MS_OK
        || (status = cache_from_env(&opts->cache)) != MS_OK)
        return status;
    return count_from_env("MARKETSIM_CACHE_MAX_ENTRIES", &opts->cache_max_entries);
}
