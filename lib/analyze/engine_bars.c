/*
 * engine_bars.c - the engine with a bar model (Kronos): one context per
 * (symbol, origin), the bars up to the origin, since one prediction of the
 * next bar gives the close, high and low forecasts together. The predicted
 * bar becomes the three one-step percent changes the strategies read, so
 * everything after the forecasts is the same as with a series model.
 *
 * Cache: each context's three changes are stored under keys of everything
 * the prediction reads (engine_cache.c).
 *
 * --samples sets the sample paths per context and --aggregate their
 * summary (the mean, as the official predictor, by default; median,
 * quantile or trimmed mean of the paths otherwise); the forecast cache's
 * keys hold both.
 *
 * Reproducibility: each context's random stream is its close context's
 * seed (seed, symbol, origin date; contexts.c), and ms_model_forecast_bars
 * draws every context on its own stream, so a symbol's sampled tokens do
 * not depend on the batch, the workers or the other symbols. Its bars do
 * not either, bit for bit, while a context's window runs alone (Kronos
 * batches only windows under 512 tokens, kronos_backend.c); batched short
 * windows may differ from alone by a float32 ulp (BLAS blocking).
 */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

bool ms_engine_bar_model(const ms_engine *engine)
{
    return strcmp(ms_model_name(engine->model), "kronos") == 0;
}

ms_status ms_engine_bars_init(ms_engine_state *run)
{
    run->bars = true;
    run->bar_contexts = malloc(run->batch_size * sizeof *run->bar_contexts);
    run->bar_future = malloc(run->batch_size * sizeof *run->bar_future);
    run->bar_out = malloc(run->batch_size * MS_BAR_FIELDS * sizeof *run->bar_out);
    if (run->bar_contexts == NULL || run->bar_future == NULL || run->bar_out == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory for batches of %zu bar contexts",
                        run->batch_size);
    return MS_OK;
}

void ms_engine_bars_release(ms_engine_state *run)
{
    free(run->bar_contexts);
    free(run->bar_future);
    free(run->bar_out);
}

void ms_engine_bars_plan(ms_request_list *list)
{
    size_t kept = 0;
    for (size_t i = 0; i < list->count; i++)
        if (list->items[i].series == 0)
            list->items[kept++] = list->items[i];
    list->count = kept;
}

/* The next bar's time, or for the live origin the next one of the
 * series' calendar. */
ms_status ms_engine_bar_context(const ms_symbol_contexts *contexts, size_t origin,
                                const ms_analyzer_options *opts, ms_bar_context *out,
                                int64_t *future)
{
    const ms_bars *bars = contexts->bars;
    size_t n = ms_bars_len(bars), t = contexts->first_origin + origin;
    size_t length = t + 1 < opts->context_length ? t + 1 : opts->context_length;
    size_t first = t + 1 - length;
    const int64_t *times = ms_bars_timestamps(bars);
    ms_status status = MS_OK;
    if (t + 1 < n)
        *future = times[t + 1];
    else
        status = ms_bars_next_times(times + first, length,
                                    ms_symbol_asset_class(ms_bars_symbol(bars)) == MS_ASSET_CRYPTO,
                                    1, future);
    ms_series close = ms_symbol_context(contexts, 0, origin, opts);
    *out = (ms_bar_context){ length, times + first,
                             ms_bars_column(bars, MS_COL_OPEN) + first,
                             ms_bars_column(bars, MS_COL_HIGH) + first,
                             ms_bars_column(bars, MS_COL_LOW) + first,
                             ms_bars_column(bars, MS_COL_CLOSE) + first,
                             ms_bars_column(bars, MS_COL_VOLUME) + first, NULL, future,
                             close.seed };
    return status;
}

ms_status ms_engine_forecast_bars(ms_engine_state *run, size_t n)
{
    const ms_analyzer_options *opts = run->engine->options;
    for (size_t i = 0; i < n; i++) {
        const ms_context_request *r = &run->batch[i];
        ms_status status = ms_engine_bar_context(&run->engine->jobs[r->symbol].contexts,
                                                 r->origin, opts, &run->bar_contexts[i],
                                                 &run->bar_future[i]);
        if (status != MS_OK)
            return status;
    }
    ms_bar_forecast_options forecast = MS_BAR_FORECAST_OPTIONS_INIT;
    forecast.num_samples = opts->num_samples > 0 ? opts->num_samples : 1;
    forecast.aggregate = run->aggregate;
    return ms_model_forecast_bars(run->engine->model, run->bar_contexts, n, &forecast,
                                  run->bar_out);
}

double ms_engine_bar_change(const ms_engine_state *run, size_t i, int series)
{
    static const ms_column columns[MS_SERIES_COUNT] = { MS_COL_CLOSE, MS_COL_HIGH, MS_COL_LOW };
    const ms_bar_context *context = &run->bar_contexts[i];
    const double *last[MS_SERIES_COUNT] = { context->close, context->high, context->low };
    double predicted = run->bar_out[i * MS_BAR_FIELDS + (size_t)columns[series]];
    return predicted / last[series][context->length - 1] - 1.0;
}

void ms_engine_bars_scatter(ms_engine_state *run, size_t i, ms_symbol_contexts *contexts)
{
    for (int s = 0; s < MS_SERIES_COUNT; s++)
        contexts->forecasts[s * contexts->count + run->batch[i].origin] =
            ms_engine_bar_change(run, i, s);
}
