/*
 * bar_rows.c - growable OHLCV columns: pages of bars and the cache are
 * gathered here before they become an ms_bars.
 */
#include <stdlib.h>
#include <string.h>

#include "alpaca_internal.h"

/* Each column is reserved on a copy of the capacity, so the columns that
 * grew before one could not are merely larger than rows->capacity says. */
static ms_status grow(ms_bar_rows *rows)
{
    size_t wanted = rows->len + 1, capacity = rows->capacity;
    if (ms_reserve(&rows->timestamps, &capacity, wanted, sizeof *rows->timestamps) != MS_OK)
        return ms_error(MS_ERR_NOMEM, "out of memory for %zu bars", wanted);
    double **columns[] = { &rows->open, &rows->high, &rows->low, &rows->close, &rows->volume };
    for (size_t i = 0; i < MS_ARRAY_LEN(columns); i++) {
        size_t column_capacity = rows->capacity;
        if (ms_reserve(columns[i], &column_capacity, wanted, sizeof **columns[i]) != MS_OK)
            return ms_error(MS_ERR_NOMEM, "out of memory for %zu bars", wanted);
    }
    rows->capacity = capacity;
    return MS_OK;
}

ms_status ms_bar_rows_append(ms_bar_rows *rows, int64_t timestamp, double open, double high,
                             double low, double close, double volume)
{
    if (rows->len == rows->capacity) {
        ms_status status = grow(rows);
        if (status != MS_OK)
            return status;
    }
    size_t i = rows->len++;
    rows->timestamps[i] = timestamp;
    rows->open[i] = open;
    rows->high[i] = high;
    rows->low[i] = low;
    rows->close[i] = close;
    rows->volume[i] = volume;
    return MS_OK;
}

void ms_bar_rows_truncate_from(ms_bar_rows *rows, int64_t timestamp)
{
    while (rows->len > 0 && rows->timestamps[rows->len - 1] >= timestamp)
        rows->len--;
}

void ms_bar_rows_release(ms_bar_rows *rows)
{
    free(rows->timestamps);
    free(rows->open);
    free(rows->high);
    free(rows->low);
    free(rows->close);
    free(rows->volume);
    memset(rows, 0, sizeof *rows);
}
