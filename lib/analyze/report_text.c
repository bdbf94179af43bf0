/*
 * report_text.c - the report as a ranked table for people: one row per
 * symbol (stale ones, refused plans and corrected forecasts noted), then the picks, the warnings, the errors and
 * the timings. Undefined numbers
 * print as "-". Also the formatting helpers the HTML report shares.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "analyze_internal.h"
#include "core/core_internal.h"

const char *ms_report_number(char *buf, size_t size, const char *format, double value)
{
    if (!isfinite(value))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, format, value);
    return buf;
}

const char *ms_report_side_label(int side)
{
    return side > 0 ? "buy" : side < 0 ? "sell" : "-";
}

const char *ms_report_plan_check_label(ms_plan_check check)
{
    switch (check) {
    case MS_PLAN_OK: return "ok";
    case MS_PLAN_TAKE_PROFIT_WRONG_SIDE: return "take profit not beyond the entry";
    case MS_PLAN_BELOW_FEES: return "move below the round-trip fees";
    }
    return "unknown plan check";
}

const char *ms_report_coherence_label(int coherence)
{
    return coherence == MS_COHERENCE_AS_FORECAST ? "incoherent (used as forecast)"
                                                 : "made coherent (high/low widened to the close)";
}

bool ms_report_date(int64_t timestamp, char *out, size_t size)
{
    time_t seconds = (time_t)timestamp;
    struct tm utc;
    return gmtime_r(&seconds, &utc) != NULL && strftime(out, size, "%Y-%m-%d", &utc) != 0;
}

static void write_header(FILE *f, const ms_report *report)
{
    const ms_analyzer_options *o = &report->options;
    fprintf(f, "marketsim %s | data %s | model %s (%s) | %zu simulations x %zu days | "
            "fills %s, offsets %s\n\n",
            ms_version(), report->source_uri, report->model_name, o->aggregate,
            o->simulations, o->eval_days, ms_fill_model_name(o->fills),
            ms_offsets_name(o->offsets));
    /* "reference": a MaxDiff kind's mean return under the original's rules. */
    fprintf(f, "%-4s %-10s %-6s %-18s %10s %10s %7s %6s %11s %11s %11s %-4s %11s %11s\n", "#",
            "symbol", "asset", "best strategy", "mean ret", "reference", "sharpe", "win%",
            "pred close", "pred high", "pred low", "side", "entry", "take profit");
}

static void write_symbol(FILE *f, size_t rank, const ms_symbol_report *r, int coherence)
{
    const ms_period_metrics *best = &r->strategies[r->best_strategy].mean;
    const ms_period_metrics *reference = &r->strategies[r->best_strategy].reference_mean;
    char b[9][32];
    fprintf(f, "%-4zu %-10s %-6s %-18s %10s %10s %7s %6s %11s %11s %11s %-4s %11s %11s", rank,
            r->symbol, ms_asset_class_name(r->asset_class), ms_strategy_name(r->best_strategy),
            ms_report_number(b[0], 32, "%+.5f", best->avg_daily_return),
            ms_report_number(b[8], 32, "%+.5f", reference->avg_daily_return),
            ms_report_number(b[1], 32, "%.2f", best->sharpe),
            ms_report_number(b[2], 32, "%.1f", best->win_rate * 100.0),
            ms_report_number(b[3], 32, "%.4f", r->forecast_close),
            ms_report_number(b[4], 32, "%.4f", r->forecast_high),
            ms_report_number(b[5], 32, "%.4f", r->forecast_low), ms_report_side_label(r->side),
            ms_report_number(b[6], 32, "%.4f", r->entry_price),
            ms_report_number(b[7], 32, "%.4f", r->take_profit_price));
    if (r->stale) {
        char last[MS_UTC_TIME_TEXT];
        ms_format_utc_time(r->last_timestamp, last);
        fprintf(f, "  stale: last bar %s", last);
    }
    if (r->plan_check != MS_PLAN_OK)
        fprintf(f, "  not picked: %s", ms_report_plan_check_label(r->plan_check));
    if (r->incoherent_forecasts > 0)
        fprintf(f, "  %zu of %zu forecasts %s", r->incoherent_forecasts, r->forecast_origins,
                ms_report_coherence_label(coherence));
    fputc('\n', f);
}

static void write_picks(FILE *f, const ms_report *report)
{
    fprintf(f, "\npicks (%zu):", report->pick_count);
    if (report->pick_count == 0)
        fprintf(f, " none passed (positive mean return and next-day edge)");
    fprintf(f, "\n");
    for (size_t i = 0; i < report->pick_count; i++) {
        const ms_pick *p = &report->picks[i];
        fprintf(f, "  %-4s %-10s %-18s qty %-12g entry %-12.4f take profit %.4f\n",
                ms_report_side_label(p->side), p->symbol, ms_strategy_name(p->strategy),
                p->quantity, p->entry_price, p->take_profit_price);
    }
}

static void write_footer(FILE *f, const ms_report *report)
{
    if (report->warning_count > 0) {
        fprintf(f, "\nwarnings (%zu):\n", report->warning_count);
        for (size_t i = 0; i < report->warning_count; i++)
            fprintf(f, "  %s\n", report->warnings[i]);
    }
    if (report->error_count > 0) {
        fprintf(f, "\nerrors (%zu):\n", report->error_count);
        for (size_t i = 0; i < report->error_count; i++)
            fprintf(f, "  %s: %s\n", report->errors[i].symbol, report->errors[i].message);
    }
    const ms_timings *t = &report->timings;
    fprintf(f, "\ntimings (s): warm-up %.3f, data %.3f, inference %.3f, strategies %.3f, "
               "ranking %.4f, total %.3f (%s, %d workers)\n", t->warmup, t->data, t->inference,
            t->strategies,
            t->ranking, t->total, report->options.parallel ? "parallel" : "sequential",
            report->options.parallel ? report->options.workers : 1);
    fprintf(f, "forecasts: %zu from the cache, %zu computed\n", t->forecasts_cached,
            t->forecasts_computed);
}

static ms_status write_report(FILE *f, const void *subject)
{
    const ms_report *report = subject;
    write_header(f, report);
    for (size_t i = 0; i < report->symbol_count; i++)
        write_symbol(f, i + 1, &report->symbols[i], report->options.coherence);
    write_picks(f, report);
    ms_report_write_forecast_quality_text(f, report);
    write_footer(f, report);
    return MS_OK;
}

MS_API ms_status ms_report_to_text(const ms_report *report, char **out)
{
    if (report == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_report_to_text: NULL argument");
    return ms_write_to_string("the text report", write_report, report, out);
}
