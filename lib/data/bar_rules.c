/*
 * bar_rules.c - the value rules every bar obeys, wherever it comes from
 * (ms_bars_create, the CSV loader, the synthetic market), and the
 * validation options that tune them.
 *
 * A high or low off by no more than the relative tolerance is kept as it
 * is: data vendors round adjusted prices independently, and rewriting
 * such bars would silently change the data. Anything further off is
 * rejected, or widened under MS_OHLC_REPAIR with a warning.
 */
#include <math.h>
#include <stdio.h>

#include "data_internal.h"

MS_OPTIONS_DECLARE(ms_bars_options, bars, MS_BARS_OPTIONS, sizeof(ms_bars_options));

ms_status ms_bars_options_resolve(const ms_bars_options *caller, ms_bars_options *out)
{
    ms_status status = ms_options_import(&bars_layout, out, &bars_defaults, caller);
    const ms_bars_options *opts = out;
    if (status != MS_OK)
        return status;
    if (opts->ohlc_policy != MS_OHLC_REJECT && opts->ohlc_policy != MS_OHLC_REPAIR)
        return ms_error(MS_ERR_INVALID_ARG, "bars options: unknown ohlc_policy %d",
                        (int)opts->ohlc_policy);
    if (!(opts->ohlc_tolerance >= 0.0 && opts->ohlc_tolerance < 1.0))
        return ms_error(MS_ERR_INVALID_ARG,
                        "bars options: ohlc_tolerance %g is not in [0, 1)",
                        opts->ohlc_tolerance);
    return MS_OK;
}

/* "JD.csv:57" or "AAPL: row 56". */
static void format_site(char *buffer, size_t capacity, const ms_bar_site *site)
{
    if (site->is_line)
        snprintf(buffer, capacity, "%s:%zu", site->source, site->number);
    else
        snprintf(buffer, capacity, "%s: row %zu", site->source, site->number);
}

static ms_status check_finite_values(const ms_bar *bar, const ms_bar_site *site)
{
    char where[512];
    for (int c = 0; c < MS_COLUMN_COUNT; c++) {
        double value = bar->values[c];
        const char *problem = NULL;
        if (!isfinite(value))
            problem = "is not finite";
        else if (c == MS_COL_VOLUME && value < 0.0)
            problem = "is negative";
        else if (c != MS_COL_VOLUME && value <= 0.0)
            problem = "is not a positive price";
        if (problem != NULL) {
            format_site(where, sizeof where, site);
            return ms_error(MS_ERR_DATA, "%s: field '%s': %.10g %s", where,
                            ms_column_name((ms_column)c), value, problem);
        }
    }
    return MS_OK;
}

/* Rejects, or widens, one side of the range: `outside` is true when the
 * high (or low) leaves open/close uncovered beyond the tolerance. */
static ms_status settle_extreme(ms_bar *bar, ms_column column, double bound,
                                bool outside, const ms_bars_options *opts,
                                const ms_bar_site *site)
{
    if (!outside)
        return MS_OK;
    char where[512];
    format_site(where, sizeof where, site);
    const char *relation = column == MS_COL_HIGH ? "below max(open, close)"
                                                 : "above min(open, close)";
    double value = bar->values[column];
    if (opts->ohlc_policy == MS_OHLC_REJECT)
        return ms_error(MS_ERR_DATA, "%s: field '%s': %.10g is %s %.10g (tolerance %g)",
                        where, ms_column_name(column), value, relation, bound,
                        opts->ohlc_tolerance);
    MS_WARN("%s: field '%s': %.10g is %s %.10g; widened to %.10g", where,
            ms_column_name(column), value, relation, bound, bound);
    bar->values[column] = bound;
    return MS_OK;
}

ms_status ms_bar_check(ms_bar *bar, const ms_bars_options *opts, const ms_bar_site *site)
{
    ms_status status = check_finite_values(bar, site);
    if (status != MS_OK)
        return status;
    double open = bar->values[MS_COL_OPEN];
    double close = bar->values[MS_COL_CLOSE];
    double top = fmax(open, close);
    double bottom = fmin(open, close);
    double tolerance = opts->ohlc_tolerance;
    status = settle_extreme(bar, MS_COL_HIGH, top,
                            bar->values[MS_COL_HIGH] < top - tolerance * top, opts, site);
    if (status == MS_OK)
        status = settle_extreme(bar, MS_COL_LOW, bottom,
                                bar->values[MS_COL_LOW] > bottom + tolerance * bottom,
                                opts, site);
    return status;
}
