/*
 * alpaca_source.c - the "alpaca:<timeframe>" market-data source for
 * analyses: a load reads the symbol's cached bars, fetches only what is
 * newer, rewrites the cache and returns the whole series. Loads may run on
 * several threads: each has its own connection and all share the handle's
 * rate limiter. The source registers its "alpaca" URI scheme with the data
 * layer's scheme table, so ms_source_open opens it too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alpaca_internal.h"

#define CACHE_PATH_MAX 4096

typedef struct alpaca_source {
    ms_alpaca_config config;
    ms_rate_limiter limiter;
    char timeframe[16];
    char cache_dir[CACHE_PATH_MAX];
} alpaca_source;

/* How far back a symbol's first fetch reaches: daily and longer bars from
 * 2016 (Alpaca's IEX history begins about then), intraday bars a window
 * that stays a few pages long. */
static int64_t history_start(const char *timeframe)
{
    int64_t now = (int64_t)time(NULL);
    if (strstr(timeframe, "Min") != NULL)
        return now - 30 * (int64_t)MS_SECONDS_PER_DAY;
    if (strstr(timeframe, "Hour") != NULL)
        return now - 730 * (int64_t)MS_SECONDS_PER_DAY;
    return ms_days_from_civil(2016, 1, 1) * MS_SECONDS_PER_DAY;
}

static ms_status fetch_from(alpaca_source *source, const char *symbol, int64_t start, ms_bar_rows *fresh)
{
    ms_http_settings settings = ms_alpaca_http_settings(&source->config, source->config.data_url);
    ms_http_client *client = NULL;
    ms_status status = ms_http_client_create(&client, &settings, &source->limiter);
    if (status == MS_OK)
        status = ms_alpaca_fetch_bars(client, source->config.data_url, source->timeframe, &symbol, 1,
                                      start, fresh);
    ms_http_client_free(client);
    return status;
}

/* The fresh bars replace the cached ones from their first timestamp on. */
static ms_status merge_fresh(ms_bar_rows *bars, const ms_bar_rows *fresh)
{
    if (fresh->len == 0)
        return MS_OK;
    ms_bar_rows_truncate_from(bars, fresh->timestamps[0]);
    ms_status status = MS_OK;
    for (size_t i = 0; i < fresh->len && status == MS_OK; i++)
        status = ms_bar_rows_append(bars, fresh->timestamps[i], fresh->open[i], fresh->high[i],
                                    fresh->low[i], fresh->close[i], fresh->volume[i]);
    return status;
}

/* Cached bars plus the newer ones; the cache is rewritten when any came. */
static ms_status update_bars(alpaca_source *source, const char *symbol, ms_bar_rows *bars)
{
    char path[CACHE_PATH_MAX + 128];
    ms_status status = ms_bar_cache_path(source->cache_dir, source->config.data_url, source->timeframe,
                                         symbol, path, sizeof path);
    if (status == MS_OK)
        status = ms_bar_cache_read(path, symbol, bars);
    if (status != MS_OK)
        return status;
    /* The last cached bar is fetched again: it may have been cached while
     * still forming (today's bar, loaded during the session). */
    int64_t start = bars->len > 0 ? bars->timestamps[bars->len - 1] : history_start(source->timeframe);
    ms_bar_rows fresh = { 0 };
    status = fetch_from(source, symbol, start, &fresh);
    if (status == MS_OK)
        status = merge_fresh(bars, &fresh);
    /* A cache that cannot be written costs a refetch next time, not this load. */
    if (status == MS_OK && fresh.len > 0 && ms_bar_cache_write(path, bars) != MS_OK)
        MS_WARN("%s", ms_last_error());
    ms_bar_rows_release(&fresh);
    return status;
}

/* Alpaca serves stock bars only to a key holder: without keys the request
 * could only fail, after its retries, with a message about the network or
 * a 401 rather than the missing keys. Said at once instead. */
static ms_status check_keys(const alpaca_source *source, const char *symbol)
{
    if (source->config.keys.present || ms_symbol_asset_class(symbol) == MS_ASSET_CRYPTO)
        return MS_OK;
    return ms_error(MS_ERR_INVALID_ARG, "stock bars from Alpaca need API keys, and none are set: "
                    "set APCA_API_KEY_ID and APCA_API_SECRET_KEY (or the key_file option); only "
                    "crypto bars are served without them");
}

static ms_status load_symbol(void *context, const char *symbol, ms_bars **out)
{
    alpaca_source *source = context;
    ms_bar_rows bars = { 0 };
    ms_status status = check_keys(source, symbol);
    if (status == MS_OK)
        status = update_bars(source, symbol, &bars);
    if (status == MS_OK && bars.len == 0)
        status = ms_error(MS_ERR_NOT_FOUND, "alpaca: no %s bars for %s", source->timeframe, symbol);
    if (status == MS_OK)
        status = ms_bars_create(out, symbol, bars.len, bars.timestamps, bars.open, bars.high, bars.low,
                                bars.close, bars.volume, NULL);
    ms_bar_rows_release(&bars);
    return status == MS_OK ? MS_OK : ms_error_wrap(status, "alpaca %s", symbol);
}

static void free_source(void *context)
{
    alpaca_source *source = context;
    ms_alpaca_keys_wipe(&source->config.keys);
    ms_rate_limiter_destroy(&source->limiter);
    free(source);
}

static ms_status open_source(alpaca_source *source, const char *timeframe, const ms_broker_options *opts)
{
    ms_status status = ms_alpaca_config_resolve(opts, false, &source->config);
    if (status == MS_OK)
        status = ms_alpaca_cache_dir(opts, source->cache_dir, sizeof source->cache_dir);
    if (status == MS_OK)
        status = ms_rate_limiter_init(&source->limiter, source->config.requests_per_minute);
    if (status != MS_OK)
        return status;
    snprintf(source->timeframe, sizeof source->timeframe, "%s", timeframe);
    if (!source->config.keys.present)
        MS_INFO("alpaca market data without API keys: only crypto bars are served");
    return MS_OK;
}

MS_API ms_status ms_source_open_alpaca(ms_source **out, const char *timeframe,
                                       const ms_broker_options *opts)
{
    if (out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_source_open_alpaca: out is NULL");
    *out = NULL;
    ms_broker_options defaults;
    ms_status status = ms_broker_options_resolve(&opts, &defaults);
    if (status != MS_OK)
        return status;
    if (timeframe == NULL || *timeframe == '\0')
        timeframe = "1Day";
    if (!ms_alpaca_timeframe_valid(timeframe))
        return ms_error(MS_ERR_INVALID_ARG, "alpaca timeframe '%s': expected {1-59}Min, {1-23}Hour, "
                        "1Day, 1Week or {1,2,3,6,12}Month", timeframe);
    status = ms_global_init();
    if (status != MS_OK)
        return status;
    alpaca_source *source = calloc(1, sizeof *source);
    if (source == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory opening the alpaca source");
    status = open_source(source, timeframe, opts);
    if (status != MS_OK) {
        ms_alpaca_keys_wipe(&source->config.keys);
        free(source);
        return status;
    }
    char uri[32];
    snprintf(uri, sizeof uri, "alpaca:%s", source->timeframe);
    status = ms_source_open_custom(out, uri, load_symbol, free_source, source);
    if (status != MS_OK)
        free_source(source);
    return status;
}

/* The "alpaca[:TIMEFRAME]" scheme's opener (ms_source_open hands it
 * resolved options): default broker options, with the environment read
 * (keys, URLs, cache directory) only when the source options opt in. */
static ms_status open_alpaca_scheme(ms_source **out, const char *uri, const char *rest,
                                    const ms_source_options *opts)
{
    (void)uri;
    ms_broker_options broker = MS_BROKER_OPTIONS_INIT;
    broker.from_env = opts->from_env;
    return ms_source_open_alpaca(out, rest, &broker);
}

/* The data layer cannot name the broker layer, so the broker adds its
 * scheme when the library is loaded (before main, one thread). A failure
 * can only be a bug in the table's size or the name. */
__attribute__((constructor)) static void register_alpaca_scheme(void)
{
    if (ms_source_register_scheme("alpaca", "alpaca[:TIMEFRAME]", open_alpaca_scheme) != MS_OK)
        MS_WARN("%s", ms_last_error());
}
