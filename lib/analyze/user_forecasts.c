/*
 * user_forecasts.c - turning someone's forecasts of a symbol's bars into
 * the forecast contexts the walk-forward reads (the model's one-step
 * changes per origin), so the rest of a backtest is the analyzer's own:
 * pairing each forecast row with its bar by day, checking that every bar
 * the simulations score has one, telling prices from changes, and checking
 * the values. Messages name the forecasts' file, line and field.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "analyze_internal.h"
#include "core/core_internal.h"

/* What a forecast row's values mean relative to the bar before it (its
 * origin): a price is compared with that bar's value of the same column. */
static const ms_column forecast_columns[MS_SERIES_COUNT] = {
    [MS_SERIES_CLOSE] = MS_COL_CLOSE, [MS_SERIES_HIGH] = MS_COL_HIGH,
    [MS_SERIES_LOW] = MS_COL_LOW };

static const char *const series_names[MS_SERIES_COUNT] = { "close", "high", "low" };

/* "file:line" for a row read from a file, "name: row i" for one given as
 * arrays. */
static const char *row_site(char *buf, size_t size, const ms_forecasts *f, size_t row)
{
    size_t line = ms_forecasts_lines(f)[row];
    if (line > 0)
        snprintf(buf, size, "%s:%zu", ms_forecasts_source(f), line);
    else
        snprintf(buf, size, "%s: row %zu", ms_forecasts_source(f), row);
    return buf;
}

static const char *day_text(char *buf, int64_t day)
{
    ms_format_utc_time(day * MS_SECONDS_PER_DAY, buf);
    return buf;
}

/* Finds the row of every bar 1 .. n (n: the day after the last bar, the
 * next-day forecast): row_of[j] or -1. Rows on the first bar (no bar before
 * it), before it, or after the next day's are ignored and counted; a row
 * between bars, or a second row for one bar, is an error. */
static ms_status pair_rows(long *row_of, size_t *ignored, const ms_bars *bars,
                           ms_asset_class asset_class, const ms_forecasts *f)
{
    const int64_t *bar_times = ms_bars_timestamps(bars), *times = ms_forecasts_timestamps(f);
    size_t n = ms_bars_len(bars), rows = ms_forecasts_len(f), j = 0;
    char site[256], earlier[256], date[MS_UTC_TIME_TEXT];
    for (size_t b = 0; b <= n; b++)
        row_of[b] = -1;
    *ignored = 0;
    for (size_t i = 0; i < rows; i++) {
        int64_t day = ms_bar_day(times[i], asset_class);
        while (j < n && ms_bar_day(bar_times[j], asset_class) < day)
            j++;
        int on_bar = j < n && ms_bar_day(bar_times[j], asset_class) == day;
        if (j == 0 || (j == n && row_of[n] >= 0)) {
            (*ignored)++;
            continue;
        }
        if (j < n && !on_bar)
            return ms_error(MS_ERR_DATA, "%s: field 'date': %s is no bar of %s (bars are "
                            "trading days)", row_site(site, sizeof site, f, i),
                            day_text(date, day), ms_bars_symbol(bars));
        if (row_of[j] >= 0)
            return ms_error(MS_ERR_DATA, "%s: field 'date': a second forecast for %s (the "
                            "first is %s)", row_site(site, sizeof site, f, i), day_text(date, day),
                            row_site(earlier, sizeof earlier, f, (size_t)row_of[j]));
        row_of[j] = (long)i;
    }
    return MS_OK;
}

/* Every bar the simulations score (first_origin + 1 .. n - 1) needs its
 * row; the message says which are missing and how many simulations the
 * rows that end at the last bar would allow. */
static ms_status check_coverage(const long *row_of, const ms_bars *bars, size_t first_origin,
                                ms_asset_class asset_class, const ms_analyzer_options *opts,
                                const ms_forecasts *f)
{
    size_t n = ms_bars_len(bars), missing = 0, first_missing = 0, run = 0;
    for (size_t j = first_origin + 1; j < n; j++)
        if (row_of[j] < 0 && missing++ == 0)
            first_missing = j;
    if (missing == 0)
        return MS_OK;
    while (run < n - 1 && row_of[n - 1 - run] >= 0)
        run++;
    const int64_t *times = ms_bars_timestamps(bars);
    char first[MS_UTC_TIME_TEXT], from[MS_UTC_TIME_TEXT], to[MS_UTC_TIME_TEXT];
    day_text(first, ms_bar_day(times[first_missing], asset_class));
    day_text(from, ms_bar_day(times[first_origin + 1], asset_class));
    day_text(to, ms_bar_day(times[n - 1], asset_class));
    char allows[96] = "no simulation";
    size_t fitting_days = ms_forecast_simulations(opts) - opts->simulations;
    if (run + 1 > opts->eval_days + fitting_days)
        snprintf(allows, sizeof allows, "at most %zu simulations",
                 run + 1 - opts->eval_days - fitting_days);
    return ms_error(MS_ERR_DATA, "%s: no forecast for %zu of the %zu bars %s .. %s that %zu "
                    "simulations x %zu evaluation days score (the first: %s); the rows ending "
                    "at the last bar allow %s", ms_forecasts_source(f), missing,
                    n - 1 - first_origin, from, to, opts->simulations, opts->eval_days, first,
                    allows);
}

/* A used value relative to its column on the origin bar. */
static double ratio(const ms_bars *bars, const ms_forecasts *f, size_t j, long row, int series)
{
    ms_column column = forecast_columns[series];
    return ms_forecasts_column(f, column)[row] / ms_bars_column(bars, column)[j - 1];
}

/* Prices when every used value is within x0.5 .. x2 of its column on the
 * bar before; changes when every one is within (-0.5, 0.5): a day's move
 * of 50% or more is no forecast either way. */
static ms_status detect_units(ms_forecast_units *units, const long *row_of, size_t first_bar,
                              size_t n, const ms_bars *bars, const ms_forecasts *f)
{
    int prices = 1, changes = 1;
    for (size_t j = first_bar; j <= n; j++)
        for (int s = 0; s < MS_SERIES_COUNT && row_of[j] >= 0; s++) {
            double r = ratio(bars, f, j, row_of[j], s);
            double v = ms_forecasts_column(f, forecast_columns[s])[row_of[j]];
            prices &= r > 0.5 && r < 2.0;
            changes &= v > -0.5 && v < 0.5;
        }
    if (prices != changes) {
        *units = prices ? MS_FORECAST_UNITS_PRICES : MS_FORECAST_UNITS_CHANGES;
        return MS_OK;
    }
    return ms_error(MS_ERR_DATA, "%s: cannot tell whether the forecasts are prices or changes "
                    "(the values are %s); give the units (--units prices|changes)",
                    ms_forecasts_source(f),
                    prices ? "near the prices and below 0.5 both"
                           : "neither within x0.5 .. x2 of the bars nor changes within +-50%");
}

/* A price must be > 0; a change within (-1, 1): -100% is no price, and a
 * forecast of a day's doubling is almost surely a price given as a change. */
static ms_status check_values(const long *row_of, size_t first_bar, size_t n,
                              ms_forecast_units units, const ms_forecasts *f)
{
    int prices = units == MS_FORECAST_UNITS_PRICES;
    char site[256];
    for (size_t j = first_bar; j <= n; j++)
        for (int s = 0; s < MS_SERIES_COUNT && row_of[j] >= 0; s++) {
            double v = ms_forecasts_column(f, forecast_columns[s])[row_of[j]];
            if (prices ? v > 0 : v > -1 && v < 1)
                continue;
            return ms_error(MS_ERR_DATA, "%s: field '%s': %g is %s",
                            row_site(site, sizeof site, f, (size_t)row_of[j]), series_names[s],
                            v, prices ? "not a price above 0"
                                      : "not a change within (-100%, +100%) (prices? --units prices)");
        }
    return MS_OK;
}

/* The model's convention: each column's change from its own value on the
 * origin bar (contexts.c); NaN where a bar has no forecast. */
static void fill_changes(ms_symbol_contexts *contexts, const long *row_of,
                         ms_forecast_units units, const ms_forecasts *f)
{
    for (size_t o = 0; o < contexts->count; o++) {
        size_t j = contexts->first_origin + o + 1;
        for (int s = 0; s < MS_SERIES_COUNT; s++) {
            double *out = &contexts->forecasts[s * contexts->count + o];
            if (row_of[j] < 0)
                *out = NAN;
            else if (units == MS_FORECAST_UNITS_CHANGES)
                *out = ms_forecasts_column(f, forecast_columns[s])[row_of[j]];
            else
                *out = ratio(contexts->bars, f, j, row_of[j], s) - 1.0;
        }
    }
}

/* Walk-forward offsets are fitted on the E days before each window, so
 * they need E more scored bars (and rows) than the simulations themselves. */
static ms_status first_user_origin(size_t n, const ms_analyzer_options *opts, size_t *first)
{
    size_t simulations = ms_forecast_simulations(opts);
    size_t origins = simulations + opts->eval_days;
    if (origins < simulations || n < origins)
        return ms_error(MS_ERR_TOO_SHORT, "history too short: %zu simulations x %zu evaluation "
                        "days need at least %zu bars, found %zu%s", opts->simulations,
                        opts->eval_days, origins, n,
                        simulations > opts->simulations
                            ? " (walk-forward offsets are fitted on the evaluation days before "
                              "each window; --offsets in-sample needs fewer)" : "");
    *first = n - origins;
    return MS_OK;
}

static ms_status prepare(ms_symbol_contexts *contexts, const long *row_of,
                         ms_user_forecasts_use *use, const ms_forecasts *f)
{
    size_t n = ms_bars_len(contexts->bars), first_bar = contexts->first_origin + 1;
    ms_status status = MS_OK;
    use->units = ms_forecasts_units(f);
    if (use->units == MS_FORECAST_UNITS_AUTO)
        status = detect_units(&use->units, row_of, first_bar, n, contexts->bars, f);
    if (status == MS_OK)
        status = check_values(row_of, first_bar, n, use->units, f);
    if (status != MS_OK)
        return status;
    contexts->forecasts = malloc(MS_SERIES_COUNT * contexts->count * sizeof(double));
    if (contexts->forecasts == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory for %zu forecast origins", contexts->count);
    fill_changes(contexts, row_of, use->units, f);
    use->has_next = row_of[n] >= 0;
    return MS_OK;
}

ms_status ms_user_contexts(ms_symbol_contexts *contexts, ms_user_forecasts_use *use,
                           const ms_bars *bars, ms_asset_class asset_class,
                           const ms_forecasts *forecasts, const ms_analyzer_options *opts)
{
    size_t n = ms_bars_len(bars), first_origin = 0;
    *contexts = (ms_symbol_contexts){ .bars = bars };
    *use = (ms_user_forecasts_use){ 0 };
    ms_status status = first_user_origin(n, opts, &first_origin);
    if (status != MS_OK)
        return status;
    long *row_of = malloc((n + 1) * sizeof *row_of);
    if (row_of == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory pairing %zu bars", n);
    contexts->first_origin = first_origin;
    contexts->count = n - first_origin;
    status = pair_rows(row_of, &use->ignored, bars, asset_class, forecasts);
    if (status == MS_OK)
        status = check_coverage(row_of, bars, first_origin, asset_class, opts, forecasts);
    if (status == MS_OK)
        status = prepare(contexts, row_of, use, forecasts);
    free(row_of);
    return status;
}
