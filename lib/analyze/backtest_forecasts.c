/*
 * backtest_forecasts.c - ms_backtest_forecasts: the report of one symbol
 * backtested on someone's own forecasts. The forecasts become the
 * contexts a model would have filled (user_forecasts.c); from there the
 * origin table (with its coherence rule), the walk-forward backtest, the
 * freshness judgement, the ranking and the picks are the analyzer's own,
 * so the report reads, prints and trades exactly like an analysis.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"
#include "core/core_internal.h"

static const char *units_name(ms_forecast_units units)
{
    return units == MS_FORECAST_UNITS_CHANGES ? "changes" : "prices";
}

/* A report of one symbol with no results yet: the model is the forecasts'
 * source, the aggregate their units (filled once known). */
static ms_report *new_report(const ms_analyzer_options *opts, ms_source *source,
                             const char *symbol, const ms_forecasts *forecasts)
{
    ms_report *report = calloc(1, sizeof *report);
    if (report == NULL)
        return NULL;
    report->options = *opts;
    report->source_uri = ms_strdup(ms_source_uri(source));
    size_t size = strlen(ms_forecasts_source(forecasts)) + sizeof "forecasts:";
    report->model_name = malloc(size);
    report->symbols = calloc(1, sizeof *report->symbols);
    report->errors = calloc(1, sizeof *report->errors);
    report->picks = calloc(1, sizeof *report->picks);
    if (report->model_name != NULL)
        snprintf(report->model_name, size, "forecasts:%s", ms_forecasts_source(forecasts));
    if (report->symbols != NULL) {
        report->symbol_count = 1; /* so ms_report_free releases it on any failure */
        report->symbols[0].symbol = ms_strdup(symbol);
    }
    if (report->source_uri == NULL || report->model_name == NULL || report->symbols == NULL ||
        report->symbols[0].symbol == NULL || report->errors == NULL || report->picks == NULL) {
        ms_report_free(report);
        return NULL;
    }
    report->symbols[0].asset_class = ms_symbol_asset_class(symbol);
    return report;
}

/* Without a forecast for the day after the last bar there is nothing to
 * trade (the backtest gives no side): a warning says why. */
static ms_status note_use(ms_report *report, const ms_user_forecasts_use *use,
                          const ms_forecasts *forecasts)
{
    ms_symbol_report *r = &report->symbols[0];
    ms_status status = MS_OK;
    if (use->ignored > 0)
        status = ms_report_warn(report, "%s: %zu forecast rows ignored: on or before the first "
                                "bar, or after the day after the last bar",
                                ms_forecasts_source(forecasts), use->ignored);
    if (status == MS_OK && !use->has_next) {
        char last[MS_UTC_TIME_TEXT];
        ms_format_utc_time(r->last_timestamp, last);
        status = ms_report_warn(report, "%s: no forecast after the last bar (%s) in %s: no "
                                "next-day plan", r->symbol, last, ms_forecasts_source(forecasts));
    }
    return status;
}

/* Forecasts -> contexts -> coherent origin table -> the walk-forward. */
static ms_status backtest(ms_report *report, const ms_bars *bars, const ms_forecasts *forecasts,
                          ms_user_forecasts_use *use)
{
    ms_symbol_report *r = &report->symbols[0];
    const ms_analyzer_options *opts = &report->options;
    ms_symbol_contexts contexts;
    ms_origin_table table;
    r->bars = ms_bars_len(bars);
    ms_status status = ms_user_contexts(&contexts, use, bars, r->asset_class, forecasts, opts);
    if (status == MS_OK)
        status = ms_origin_table_fill(&table, &contexts, opts->coherence);
    if (status == MS_OK) {
        status = ms_backtest_symbol(r, bars, &table, opts);
        ms_origin_table_release(&table);
    }
    ms_symbol_contexts_release(&contexts);
    return status;
}

static ms_status run(ms_report *report, ms_source *source, const ms_forecasts *forecasts)
{
    ms_symbol_report *r = &report->symbols[0];
    ms_bars *bars = NULL;
    ms_user_forecasts_use use;
    double started = ms_clock_seconds();
    ms_status status = ms_source_load(source, r->symbol, &bars);
    r->data_seconds = ms_clock_seconds() - started;
    if (status == MS_OK)
        status = backtest(report, bars, forecasts, &use);
    ms_bars_free(bars);
    r->strategy_seconds = ms_clock_seconds() - started - r->data_seconds;
    if (status != MS_OK)
        return status;
    report->aggregate_name = ms_strdup(units_name(use.units));
    if (report->aggregate_name == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory assembling the report");
    report->options.aggregate = report->aggregate_name;
    status = note_use(report, &use, forecasts);
    if (status == MS_OK)
        status = ms_judge_freshness(report);
    if (status == MS_OK)
        report->pick_count = ms_build_picks(report->symbols, 1, &report->options, report->picks);
    report->forecast_quality = r->forecast_quality;   /* one symbol: its own */
    report->timings.data = r->data_seconds;
    report->timings.strategies = r->strategy_seconds;
    return status;
}

MS_API ms_status ms_backtest_forecasts(ms_report **out, ms_source *source, const char *symbol,
                                       const ms_forecasts *forecasts,
                                       const ms_analyzer_options *opts)
{
    if (out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_backtest_forecasts: NULL out");
    *out = NULL;
    if (source == NULL || symbol == NULL || *symbol == '\0' || forecasts == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_backtest_forecasts: NULL argument or empty "
                        "symbol");
    ms_analyzer_options resolved;
    ms_status status = ms_analyzer_options_copy_resolved(opts, &resolved);
    if (status != MS_OK)
        return status;
    double started = ms_clock_seconds();
    ms_report *report = new_report(&resolved, source, symbol, forecasts);
    if (report == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory starting a backtest");
    status = run(report, source, forecasts);
    if (status != MS_OK) {
        ms_report_free(report);
        return status;
    }
    report->timings.total = ms_clock_seconds() - started;
    *out = report;
    return MS_OK;
}
