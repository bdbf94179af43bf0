/*
 * bars.c - the immutable OHLCV series: allocation, creation from caller
 * arrays (checked against the value rules of bar_rules.c), accessors.
 */
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"

static const char *const column_names[MS_COLUMN_COUNT] = {
    "open", "high", "low", "close", "volume"
};

const char *ms_column_name(ms_column column)
{
    if ((unsigned)column >= MS_COLUMN_COUNT)
        return "unknown";
    return column_names[column];
}

ms_status ms_bars_alloc(ms_bars **out, const char *symbol, size_t n)
{
    /* Timestamps and columns share one block: 8 bytes per entry each. */
    size_t per_bar = sizeof(int64_t) + MS_COLUMN_COUNT * sizeof(double);
    if (n == 0 || n > SIZE_MAX / per_bar)
        return ms_error(MS_ERR_INVALID_ARG, "bars '%s': %zu bars cannot be allocated",
                        symbol, n);
    ms_bars *bars = calloc(1, sizeof *bars);
    void *block = malloc(n * per_bar);
    char *name = ms_strdup(symbol);
    if (bars == NULL || block == NULL || name == NULL) {
        free(bars);
        free(block);
        free(name);
        return ms_error(MS_ERR_NOMEM, "bars '%s': out of memory for %zu bars", symbol, n);
    }
    bars->symbol = name;
    bars->len = n;
    bars->timestamps = block;
    double *column_block = (double *)(bars->timestamps + n);
    for (size_t c = 0; c < MS_COLUMN_COUNT; c++)
        bars->columns[c] = column_block + c * n;
    *out = bars;
    return MS_OK;
}

static ms_status check_create_args(ms_bars **out, const char *symbol, size_t n,
                                   const int64_t *timestamps, const double *open,
                                   const double *high, const double *low,
                                   const double *close)
{
    if (out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_bars_create: out is NULL");
    *out = NULL;
    if (symbol == NULL || *symbol == '\0')
        return ms_error(MS_ERR_INVALID_ARG, "ms_bars_create: symbol is NULL or empty");
    if (n == 0)
        return ms_error(MS_ERR_INVALID_ARG, "ms_bars_create: '%s' has no bars", symbol);
    if (timestamps == NULL || open == NULL || high == NULL || low == NULL || close == NULL)
        return ms_error(MS_ERR_INVALID_ARG,
                        "ms_bars_create: '%s': a timestamp or price array is NULL", symbol);
    return MS_OK;
}

/* Copies row i into the series after checking it; the site names the row. */
static ms_status put_row(ms_bars *bars, size_t i, const double *const inputs[],
                         const ms_bars_options *opts)
{
    ms_bar bar;
    for (size_t c = 0; c < MS_COLUMN_COUNT; c++)
        bar.values[c] = inputs[c] != NULL ? inputs[c][i] : 0.0;
    ms_bar_site site = { bars->symbol, i, false };
    ms_status status = ms_bar_check(&bar, opts, &site);
    if (status != MS_OK)
        return status;
    for (size_t c = 0; c < MS_COLUMN_COUNT; c++)
        bars->columns[c][i] = bar.values[c];
    return MS_OK;
}

/* Fills every row, checking that timestamps strictly increase. */
static ms_status fill_rows(ms_bars *bars, const int64_t *timestamps,
                           const double *const inputs[], const ms_bars_options *opts)
{
    for (size_t i = 0; i < bars->len; i++) {
        if (i > 0 && timestamps[i] <= timestamps[i - 1])
            return ms_error(MS_ERR_DATA,
                            "%s: row %zu: timestamp %lld is not after row %zu's %lld",
                            bars->symbol, i, (long long)timestamps[i], i - 1,
                            (long long)timestamps[i - 1]);
        ms_status status = put_row(bars, i, inputs, opts);
        if (status != MS_OK)
            return status;
        bars->timestamps[i] = timestamps[i];
    }
    return MS_OK;
}

MS_API ms_status ms_bars_create(ms_bars **out, const char *symbol, size_t n,
                                const int64_t *timestamps, const double *open,
                                const double *high, const double *low,
                                const double *close, const double *volume,
                                const ms_bars_options *opts)
{
    ms_bars_options rules;
    ms_status status = check_create_args(out, symbol, n, timestamps, open, high, low, close);
    if (status == MS_OK)
        status = ms_bars_options_resolve(opts, &rules);
    if (status != MS_OK)
        return status;
    ms_bars *bars = NULL;
    status = ms_bars_alloc(&bars, symbol, n);
    if (status != MS_OK)
        return status;
    const double *const inputs[MS_COLUMN_COUNT] = { open, high, low, close, volume };
    status = fill_rows(bars, timestamps, inputs, &rules);
    if (status != MS_OK) {
        ms_bars_free(bars);
        return status;
    }
    *out = bars;
    return MS_OK;
}

MS_API void ms_bars_free(ms_bars *bars)
{
    if (bars == NULL)
        return;
    free(bars->timestamps);
    free(bars->symbol);
    free(bars);
}

MS_API size_t ms_bars_len(const ms_bars *bars)
{
    return bars != NULL ? bars->len : 0;
}

MS_API const char *ms_bars_symbol(const ms_bars *bars)
{
    return bars != NULL ? bars->symbol : NULL;
}

MS_API const int64_t *ms_bars_timestamps(const ms_bars *bars)
{
    return bars != NULL ? bars->timestamps : NULL;
}

MS_API const double *ms_bars_column(const ms_bars *bars, ms_column column)
{
    if (bars == NULL || (unsigned)column >= MS_COLUMN_COUNT)
        return NULL;
    return bars->columns[column];
}
