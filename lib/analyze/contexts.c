/*
 * contexts.c - one symbol's model inputs: the percent-change series of
 * close, high and low, and for each forecast origin a context that points
 * into them (nothing is copied), with a seed of its own.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"
#include "core/core_internal.h"

static const ms_column series_columns[MS_SERIES_COUNT] = { MS_COL_CLOSE, MS_COL_HIGH, MS_COL_LOW };

static double *percent_changes(const double *prices, size_t n)
{
    double *changes = malloc(n * sizeof *changes);
    if (changes == NULL)
        return NULL;
    changes[0] = NAN; /* undefined: never fed to the model */
    for (size_t j = 1; j < n; j++)
        changes[j] = prices[j] / prices[j - 1] - 1.0;
    return changes;
}

ms_status ms_symbol_contexts_prepare(ms_symbol_contexts *contexts, const ms_bars *bars,
                                     const ms_analyzer_options *opts)
{
    memset(contexts, 0, sizeof *contexts);
    size_t n = ms_bars_len(bars);
    ms_status status = ms_first_origin(n, opts, &contexts->first_origin);
    if (status != MS_OK)
        return status;
    contexts->bars = bars;
    contexts->count = n - contexts->first_origin;
    contexts->forecasts = malloc(MS_SERIES_COUNT * contexts->count * sizeof(double));
    for (int s = 0; s < MS_SERIES_COUNT && contexts->forecasts != NULL; s++)
        if ((contexts->changes[s] = percent_changes(ms_bars_column(bars, series_columns[s]), n)) == NULL)
            break;
    if (contexts->forecasts == NULL || contexts->changes[MS_SERIES_COUNT - 1] == NULL) {
        ms_symbol_contexts_release(contexts);
        return ms_error(MS_ERR_NOMEM, "out of memory for %zu forecast origins", n);
    }
    return MS_OK;
}

void ms_symbol_contexts_release(ms_symbol_contexts *contexts)
{
    for (int s = 0; s < MS_SERIES_COUNT; s++)
        free(contexts->changes[s]);
    free(contexts->forecasts);
    memset(contexts, 0, sizeof *contexts);
}

/* A sampling seed that depends only on what is forecast (symbol, column,
 * origin date), never on batch position, so any batching or worker count
 * gives identical samples. */
static uint64_t context_seed(uint64_t seed, const char *symbol, int column, int64_t origin_time)
{
    uint64_t h = MS_FNV1A_OFFSET ^ seed;
    for (const unsigned char *p = (const unsigned char *)symbol; *p; p++)
        h = ms_fnv1a_byte(h, *p);
    h = ms_fnv1a_byte(h, (unsigned char)column);
    for (int shift = 0; shift < 64; shift += 8)
        h = ms_fnv1a_byte(h, (unsigned char)((uint64_t)origin_time >> shift));
    return h;
}

ms_series ms_symbol_context(const ms_symbol_contexts *contexts, int series, size_t origin_index,
                            const ms_analyzer_options *opts)
{
    size_t t = contexts->first_origin + origin_index;
    size_t length = t < opts->context_length ? t : opts->context_length;
    int64_t origin_time = ms_bars_timestamps(contexts->bars)[t];
    return (ms_series){
        .values = contexts->changes[series] + (t + 1 - length),
        .length = length,
        .variates = 1,
        .seed = context_seed(opts->seed, ms_bars_symbol(contexts->bars),
                             (int)series_columns[series], origin_time),
    };
}
