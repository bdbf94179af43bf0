/*
 * forecasts.c - ms_forecasts: a user's predicted close, high and low for
 * the bars of one symbol, one row per forecast bar, in time order, each row
 * remembering the file line it came from so later checks (against the bars,
 * in the analyze layer) can name it. The CSV reader is forecasts_csv.c.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"

struct ms_forecasts {
    char *source;
    ms_forecast_units units;
    size_t len;
    int64_t *timestamps;
    size_t *lines;
    double *columns[3];          /* close, high, low */
};

/* Where a column's values sit in `columns`; -1 for open and volume. */
static int column_slot(ms_column column)
{
    switch (column) {
    case MS_COL_CLOSE: return 0;
    case MS_COL_HIGH: return 1;
    case MS_COL_LOW: return 2;
    default: return -1;
    }
}

static const ms_column forecast_columns[3] = { MS_COL_CLOSE, MS_COL_HIGH, MS_COL_LOW };

ms_status ms_forecasts_alloc(ms_forecasts **out, size_t n, ms_forecast_units units,
                             const char *source)
{
    *out = NULL;
    if (units != MS_FORECAST_UNITS_AUTO && units != MS_FORECAST_UNITS_PRICES &&
        units != MS_FORECAST_UNITS_CHANGES)
        return ms_error(MS_ERR_INVALID_ARG, "%s: unknown forecast units %d", source, (int)units);
    if (n > SIZE_MAX / sizeof(int64_t))
        return ms_error(MS_ERR_INVALID_ARG, "%s: %zu forecasts cannot be allocated", source, n);
    ms_forecasts *f = calloc(1, sizeof *f);
    if (f != NULL) {
        f->source = ms_strdup(source);
        f->timestamps = malloc(n * sizeof *f->timestamps);
        f->lines = calloc(n, sizeof *f->lines);
        for (int c = 0; c < 3; c++)
            f->columns[c] = malloc(n * sizeof(double));
    }
    if (f == NULL || f->source == NULL || f->timestamps == NULL || f->lines == NULL ||
        f->columns[0] == NULL || f->columns[1] == NULL || f->columns[2] == NULL) {
        ms_forecasts_free(f);
        return ms_error(MS_ERR_NOMEM, "%s: out of memory for %zu forecasts", source, n);
    }
    f->units = units;
    f->len = n;
    *out = f;
    return MS_OK;
}

void ms_forecasts_set(ms_forecasts *f, size_t i, int64_t timestamp, size_t line,
                      double close, double high, double low)
{
    f->timestamps[i] = timestamp;
    f->lines[i] = line;
    f->columns[0][i] = close;
    f->columns[1][i] = high;
    f->columns[2][i] = low;
}

ms_status ms_forecasts_check_values(const ms_forecasts *f)
{
    for (size_t i = 0; i < f->len; i++)
        for (int c = 0; c < 3; c++) {
            if (isfinite(f->columns[c][i]))
                continue;
            const char *field = ms_column_name(forecast_columns[c]);
            if (f->lines[i] > 0)
                return ms_error(MS_ERR_DATA, "%s:%zu: field '%s': %g is not a finite number",
                                f->source, f->lines[i], field, f->columns[c][i]);
            return ms_error(MS_ERR_DATA, "%s: row %zu: field '%s': %g is not a finite number",
                            f->source, i, field, f->columns[c][i]);
        }
    return MS_OK;
}

MS_API ms_status ms_forecasts_create(ms_forecasts **out, size_t n, const int64_t *timestamps,
                                     const double *close, const double *high,
                                     const double *low, ms_forecast_units units,
                                     const char *source_name)
{
    if (out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_forecasts_create: NULL out");
    *out = NULL;
    if (source_name == NULL)
        source_name = "forecasts";
    if (n == 0 || timestamps == NULL || close == NULL || high == NULL || low == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "%s: no rows, or a NULL array", source_name);
    ms_forecasts *f = NULL;
    ms_status status = ms_forecasts_alloc(&f, n, units, source_name);
    for (size_t i = 0; i < n && status == MS_OK; i++) {
        if (i > 0 && timestamps[i] <= timestamps[i - 1])
            status = ms_error(MS_ERR_DATA, "%s: row %zu: timestamp %lld is not after row %zu's",
                              source_name, i, (long long)timestamps[i], i - 1);
        ms_forecasts_set(f, i, timestamps[i], 0, close[i], high[i], low[i]);
    }
    if (status == MS_OK)
        status = ms_forecasts_check_values(f);
    if (status != MS_OK) {
        ms_forecasts_free(f);
        return status;
    }
    *out = f;
    return MS_OK;
}

MS_API void ms_forecasts_free(ms_forecasts *forecasts)
{
    if (forecasts == NULL)
        return;
    free(forecasts->source);
    free(forecasts->timestamps);
    free(forecasts->lines);
    for (int c = 0; c < 3; c++)
        free(forecasts->columns[c]);
    free(forecasts);
}

MS_API size_t ms_forecasts_len(const ms_forecasts *forecasts)
{
    return forecasts ? forecasts->len : 0;
}

MS_API ms_forecast_units ms_forecasts_units(const ms_forecasts *forecasts)
{
    return forecasts ? forecasts->units : MS_FORECAST_UNITS_AUTO;
}

MS_API const char *ms_forecasts_source(const ms_forecasts *forecasts)
{
    return forecasts ? forecasts->source : NULL;
}

MS_API const int64_t *ms_forecasts_timestamps(const ms_forecasts *forecasts)
{
    return forecasts ? forecasts->timestamps : NULL;
}

MS_API const size_t *ms_forecasts_lines(const ms_forecasts *forecasts)
{
    return forecasts ? forecasts->lines : NULL;
}

MS_API const double *ms_forecasts_column(const ms_forecasts *forecasts, ms_column column)
{
    int slot = column_slot(column);
    return forecasts && slot >= 0 ? forecasts->columns[slot] : NULL;
}
