/*
 * origins.c - the day-level table of one symbol: for every forecast origin
 * n-N-E .. n-1 (N simulations, E evaluation days), the predicted and actual
 * moves relative to the origin close, from which each simulation's
 * evaluation window is a slice. Each predicted triple is made coherent
 * (low <= close <= high) here, before anything uses it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"
#include "core/core_internal.h"

ms_status ms_first_origin(size_t bars, const ms_analyzer_options *opts,
                          size_t *first_origin)
{
    /* Origin t has t percent changes before it (the first bar has none).
     * Counts that overflow the sums (huge options) can never fit: no series
     * has that many bars, and a wrapped sum would pass the check. */
    size_t origins = ms_forecast_simulations(opts) + opts->eval_days;
    size_t needed = origins + opts->min_context;
    if (origins < opts->simulations || needed < origins)
        return ms_error(MS_ERR_TOO_SHORT,
                        "history too short: %zu simulations x %zu evaluation days after %zu bars "
                        "of context need more bars than a series can hold, found %zu",
                        opts->simulations, opts->eval_days, opts->min_context, bars);
    if (bars < needed)
        return ms_error(MS_ERR_TOO_SHORT,
                        "history too short: %zu simulations x %zu evaluation days need "
                        "at least %zu bars (%zu forecast origins after %zu bars of context), found %zu",
                        opts->simulations, opts->eval_days, needed, origins,
                        opts->min_context, bars);
    *first_origin = bars - origins;
    return MS_OK;
}

static ms_status allocate_table(ms_origin_table *table, size_t first_origin, size_t count)
{
    memset(table, 0, sizeof *table);
    table->first_origin = first_origin;
    table->count = count;
    double **fields[] = { &table->close_pred, &table->high_pred, &table->low_pred,
                          &table->high_change_pred, &table->low_change_pred,
                          &table->close_actual, &table->high_actual, &table->low_actual };
    for (size_t i = 0; i < MS_ARRAY_LEN(fields); i++) {
        *fields[i] = malloc(count * sizeof(double));
        if (*fields[i] == NULL) {
            ms_origin_table_release(table);
            return ms_error(MS_ERR_NOMEM, "out of memory for %zu forecast origins", count);
        }
    }
    return MS_OK;
}

void ms_origin_table_release(ms_origin_table *table)
{
    free(table->close_pred);
    free(table->high_pred);
    free(table->low_pred);
    free(table->high_change_pred);
    free(table->low_change_pred);
    free(table->close_actual);
    free(table->high_actual);
    free(table->low_actual);
    memset(table, 0, sizeof *table);
}

/* Relative to the origin close, exactly as strategies.md defines them. */
static void fill_day_quantities(ms_origin_table *table, const ms_bars *bars,
                                const double *change_pred)
{
    const double *high = ms_bars_column(bars, MS_COL_HIGH);
    const double *low = ms_bars_column(bars, MS_COL_LOW);
    const double *close = ms_bars_column(bars, MS_COL_CLOSE);
    size_t n = ms_bars_len(bars), count = table->count;
    for (size_t o = 0; o < count; o++) {
        size_t t = table->first_origin + o;
        double r_close = change_pred[MS_SERIES_CLOSE * count + o];
        double r_high = change_pred[MS_SERIES_HIGH * count + o];
        double r_low = change_pred[MS_SERIES_LOW * count + o];
        table->close_pred[o] = r_close;
        table->high_pred[o] = high[t] * (1.0 + r_high) / close[t] - 1.0;
        table->low_pred[o] = low[t] * (1.0 + r_low) / close[t] - 1.0;
        table->high_change_pred[o] = r_high;
        table->low_change_pred[o] = r_low;
        int known = t + 1 < n;
        table->close_actual[o] = known ? close[t + 1] / close[t] - 1.0 : NAN;
        table->high_actual[o] = known ? high[t + 1] / close[t] - 1.0 : NAN;
        table->low_actual[o] = known ? low[t + 1] / close[t] - 1.0 : NAN;
    }
}

/*
 * The coherence rule (strategies.md, "Coherent forecasts"): a predicted close
 * outside the predicted low .. high widens the range to it (high =
 * max(high, close), low = min(low, close)); the close itself is kept. The
 * high and low changes (rH_hat, rL_hat) follow, so every strategy and the
 * next-day plan see one consistent triple. Returns whether the triple
 * contradicted itself; `rule` MS_COHERENCE_AS_FORECAST only counts.
 */
static int make_coherent(ms_origin_table *table, size_t o, const ms_bars *bars, int rule)
{
    double close_pred = table->close_pred[o];
    int above = close_pred > table->high_pred[o], below = close_pred < table->low_pred[o];
    if (!(above || below) || rule == MS_COHERENCE_AS_FORECAST)
        return above || below;
    size_t t = table->first_origin + o;
    double close = ms_bars_column(bars, MS_COL_CLOSE)[t];
    if (above) {
        table->high_pred[o] = close_pred;
        table->high_change_pred[o] = (1.0 + close_pred) * close / ms_bars_column(bars, MS_COL_HIGH)[t] - 1.0;
    }
    if (below) {
        table->low_pred[o] = close_pred;
        table->low_change_pred[o] = (1.0 + close_pred) * close / ms_bars_column(bars, MS_COL_LOW)[t] - 1.0;
    }
    return 1;
}

ms_status ms_origin_table_fill(ms_origin_table *table, const ms_symbol_contexts *contexts,
                               int coherence)
{
    ms_status status = allocate_table(table, contexts->first_origin, contexts->count);
    if (status != MS_OK)
        return status;
    fill_day_quantities(table, contexts->bars, contexts->forecasts);
    for (size_t o = 0; o < table->count; o++)
        table->incoherent += (size_t)make_coherent(table, o, contexts->bars, coherence);
    return MS_OK;
}

ms_window ms_origin_window(const ms_origin_table *table, size_t bars,
                           size_t simulation, size_t eval_days, int include_next)
{
    size_t end_origin = bars - 1 - simulation; /* e */
    size_t first = end_origin - eval_days - table->first_origin;
    return (ms_window){
        .days = eval_days + (include_next ? 1 : 0),
        .close_actual = table->close_actual + first,
        .high_actual = table->high_actual + first,
        .low_actual = table->low_actual + first,
        .close_pred = table->close_pred + first,
        .high_pred = table->high_pred + first,
        .low_pred = table->low_pred + first,
        .high_change_pred = table->high_change_pred + first,
        .low_change_pred = table->low_change_pred + first,
    };
}

ms_strategy_params ms_symbol_strategy_params(ms_asset_class asset_class,
                                             const ms_analyzer_options *opts)
{
    int crypto = asset_class == MS_ASSET_CRYPTO;
    return (ms_strategy_params){
        .fee = crypto ? opts->crypto_fee : opts->stock_fee,
        .long_only = crypto,
        .days_per_year = crypto ? 365.0 : 252.0,
    };
}
