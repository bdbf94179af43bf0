/*
 * bar_cache.c - the market-data cache on disk: one CSV per (data URL, feed,
 * adjustment, timeframe, symbol) with Alpaca's column names (t,o,h,l,c,v),
 * so the data layer's CSV loader reads it back. Everything that decides
 * which bars a request returns is in the path: bars from a test server or
 * another feed must never be served as the real ones. Files are replaced atomically (a temporary file in
 * the same directory, synced, then renamed over the old one), so a crash or
 * a concurrent load never leaves half a cache.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alpaca_internal.h"

/* Host and port for people ("127.0.0.1_18777"), the hash for uniqueness:
 * the readable part drops characters and is cut short. */
static void server_name(const char *data_url, char name[96])
{
    uint64_t hash = MS_FNV1A_OFFSET;
    for (const char *c = data_url; *c != '\0'; c++)
        hash = ms_fnv1a_byte(hash, (unsigned char)*c);
    const char *host = strstr(data_url, "://");
    host = host != NULL ? host + 3 : data_url;
    size_t len = 0;
    for (const char *c = host; *c != '\0' && *c != '/' && len < 64; c++)
        name[len++] = isalnum((unsigned char)*c) || *c == '.' || *c == '-' ? *c : '_';
    snprintf(name + len, 96 - len, "-%016llx", (unsigned long long)hash);
}

ms_status ms_bar_cache_path(const char *dir, const char *data_url, const char *timeframe,
                            const char *symbol, char *path, size_t size)
{
    char name[MS_ALPACA_SYMBOL_MAX];
    size_t len = 0;
    for (const char *c = symbol; *c != '\0'; c++) {
        if (*c == '/' || *c == '-')
            continue;
        if ((!isalnum((unsigned char)*c) && *c != '.') || len + 1 == sizeof name)
            return ms_error(MS_ERR_INVALID_ARG, "symbol '%s' cannot name a cache file", symbol);
        name[len++] = (char)toupper((unsigned char)*c);
    }
    name[len] = '\0';
    /* A leading dot would make a hidden file, or ".." with its meaning. */
    if (len == 0 || name[0] == '.')
        return ms_error(MS_ERR_INVALID_ARG, "symbol '%s' cannot name a cache file", symbol);
    char server[96];
    server_name(data_url, server);
    bool crypto = ms_symbol_asset_class(symbol) == MS_ASSET_CRYPTO;
    int written = snprintf(path, size, "%s/alpaca/%s/%s-%s-%s/%s.csv", dir, server, timeframe,
                           crypto ? "crypto" : MS_ALPACA_STOCK_FEED,
                           crypto ? MS_ALPACA_CRYPTO_LOCATION : MS_ALPACA_STOCK_ADJUSTMENT, name);
    if (written < 0 || (size_t)written >= size)
        return ms_error(MS_ERR_INVALID_ARG, "cache path for %s under %s is too long", symbol, dir);
    return MS_OK;
}

ms_status ms_bar_cache_read(const char *path, const char *symbol, ms_bar_rows *rows)
{
    struct stat info;
    if (stat(path, &info) != 0 && errno == ENOENT)
        return MS_OK;
    ms_bars *bars = NULL;
    if (ms_bars_load_csv(&bars, path, symbol, NULL) != MS_OK) {
        MS_WARN("bar cache %s does not load (%s): fetching its bars again", path, ms_last_error());
        return MS_OK;
    }
    const int64_t *timestamps = ms_bars_timestamps(bars);
    const double *columns[MS_COL_VOLUME + 1];
    for (int column = MS_COL_OPEN; column <= MS_COL_VOLUME; column++)
        columns[column] = ms_bars_column(bars, (ms_column)column);
    ms_status status = MS_OK;
    for (size_t i = 0; i < ms_bars_len(bars) && status == MS_OK; i++)
        status = ms_bar_rows_append(rows, timestamps[i], columns[MS_COL_OPEN][i],
                                    columns[MS_COL_HIGH][i], columns[MS_COL_LOW][i],
                                    columns[MS_COL_CLOSE][i], columns[MS_COL_VOLUME][i]);
    ms_bars_free(bars);
    return status;
}

/* The shortest decimal that reads back as exactly `value`, so a cached
 * bar equals the fetched one. */
static void format_number(double value, char text[32])
{
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(text, 32, "%.*g", digits, value);
        if (strtod(text, NULL) == value)
            return;
    }
}

static ms_status write_rows(FILE *file, const ms_bar_rows *rows)
{
    fputs("t,o,h,l,c,v\n", file);
    for (size_t i = 0; i < rows->len; i++) {
        char time[MS_UTC_TIME_TEXT], open[32], high[32], low[32], close[32], volume[32];
        ms_format_rfc3339(rows->timestamps[i], time);
        format_number(rows->open[i], open);
        format_number(rows->high[i], high);
        format_number(rows->low[i], low);
        format_number(rows->close[i], close);
        format_number(rows->volume[i], volume);
        fprintf(file, "%s,%s,%s,%s,%s,%s\n", time, open, high, low, close, volume);
    }
    return ferror(file) ? MS_ERR_IO : MS_OK; /* flushed and synced on commit */
}

ms_status ms_bar_cache_write(const char *path, const ms_bar_rows *rows)
{
    ms_status status = ms_make_directories(path, 0, 0700);
    ms_atomic_file file;
    if (status == MS_OK)
        status = ms_atomic_file_open(&file, path);
    if (status != MS_OK)
        return status;
    if (write_rows(file.stream, rows) != MS_OK) {
        ms_atomic_file_discard(&file);
        return ms_error(MS_ERR_IO, "cannot write the bar cache %s", path);
    }
    return ms_atomic_file_commit(&file);
}
