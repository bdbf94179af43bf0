/*
 * report_text.c - the report as a ranked table for people: one row per
 * symbol (stale ones, refused plans and corrected forecasts noted), then
 * the picks, the warnings, the errors and the timings. Undefined numbers
 * print as "-". Also the formatting helpers the HTML report shares.
 *
 * Every line fits TEXT_WIDTH columns by default, so a terminal or a log
 * viewer never wraps it: the row keeps what a decision needs (return,
 * Sharpe, win rate, side, forecast close, entry, take profit), notes go on
 * lines of their own and long messages are wrapped. The wide layout
 * (MS_REPORT_TEXT_WIDE) adds the asset class, the reference return and the
 * forecast high and low, and keeps notes on the row. Returns are in percent
 * per day; prices are printed to the instrument's tick
 * (ms_price_decimals).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze_internal.h"
#include "core/core_internal.h"
#include "data/data_internal.h"

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

#define TEXT_WIDTH 100

/* A price to the decimals of its instrument's tick; "-" when undefined. */
static const char *price_text(char *buf, size_t size, ms_asset_class asset, double price)
{
    if (!isfinite(price))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.*f", ms_price_decimals(asset, price), price);
    return buf;
}

/* `text` after `indent` spaces, wrapped to the layout's width. */
static void write_wrapped(FILE *f, int indent, const char *text)
{
    ms_write_wrapped(f, text, indent, indent, TEXT_WIDTH);
}

static void write_header(FILE *f, const ms_report *report, bool wide)
{
    const ms_analyzer_options *o = &report->options;
    char data[1024], run[512];
    snprintf(data, sizeof data, "marketsim %s | data %s", ms_version(), report->source_uri);
    snprintf(run, sizeof run, "model %s (%s) | %zu simulations x %zu days | fills %s, offsets %s",
             report->model_name, o->aggregate, o->simulations, o->eval_days,
             ms_fill_model_name(o->fills), ms_offsets_name(o->offsets));
    if (wide) {
        fprintf(f, "%s | %s\n\n", data, run);
    } else {
        write_wrapped(f, 0, data);
        write_wrapped(f, 0, run);
        fputc('\n', f);
    }
    /* "ref": a MaxDiff kind's mean return under the original's rules. */
    if (wide)
        fprintf(f, "%-4s %-10s %-6s %-18s %9s %9s %7s %6s %-4s %12s %12s %12s %12s %12s\n", "#",
                "symbol", "asset", "best strategy", "ret %/day", "ref %/day", "sharpe", "win %",
                "side", "pred close $", "pred high $", "pred low $", "entry $", "take profit $");
    else
        fprintf(f, "%-3s %-9s %-18s %9s %6s %5s %-4s %12s %12s %13s\n", "#", "symbol",
                "best strategy", "ret %/day", "sharpe", "win %", "side", "pred close $",
                "entry $", "take profit $");
}

/* The notes of a row: after it in the wide layout, else indented below it. */
static void write_notes(FILE *f, const ms_symbol_report *r, int coherence, bool wide)
{
    char note[256];
    const char *lead = wide ? "  " : "    ";
    if (r->stale) {
        char last[MS_UTC_TIME_TEXT];
        ms_format_utc_time(r->last_timestamp, last);
        fprintf(f, "%sstale: last bar %s%s", lead, last, wide ? "" : "\n");
    }
    if (r->plan_check != MS_PLAN_OK)
        fprintf(f, "%snot picked: %s%s", lead, ms_report_plan_check_label(r->plan_check),
                wide ? "" : "\n");
    if (r->incoherent_forecasts > 0) {
        snprintf(note, sizeof note, "%zu of %zu forecasts %s", r->incoherent_forecasts,
                 r->forecast_origins, ms_report_coherence_label(coherence));
        if (wide)
            fprintf(f, "  %s", note);
        else
            write_wrapped(f, 4, note);
    }
    if (wide)
        fputc('\n', f);
}

static void write_symbol(FILE *f, size_t rank, const ms_symbol_report *r, int coherence, bool wide)
{
    const ms_period_metrics *best = &r->strategies[r->best_strategy]->mean;
    const ms_period_metrics *reference = &r->strategies[r->best_strategy]->reference_mean;
    ms_asset_class asset = r->asset_class;
    char b[10][32];
    ms_report_number(b[0], 32, "%+.3f", best->avg_daily_return * 100.0);
    ms_report_number(b[1], 32, "%.2f", best->sharpe);
    ms_report_number(b[2], 32, "%.1f", best->win_rate * 100.0);
    price_text(b[3], 32, asset, r->forecast_close);
    price_text(b[4], 32, asset, r->entry_price);
    price_text(b[5], 32, asset, r->take_profit_price);
    if (wide)
        fprintf(f, "%-4zu %-10s %-6s %-18s %9s %9s %7s %6s %-4s %12s %12s %12s %12s %12s", rank,
                r->symbol, ms_asset_class_name(asset), ms_strategy_name(r->best_strategy), b[0],
                ms_report_number(b[6], 32, "%+.3f", reference->avg_daily_return * 100.0), b[1],
                b[2], ms_report_side_label(r->side), b[3],
                price_text(b[7], 32, asset, r->forecast_high),
                price_text(b[8], 32, asset, r->forecast_low), b[4], b[5]);
    else
        fprintf(f, "%-3zu %-9s %-18s %9s %6s %5s %-4s %12s %12s %13s\n", rank, r->symbol,
                ms_strategy_name(r->best_strategy), b[0], b[1], b[2],
                ms_report_side_label(r->side), b[3], b[4], b[5]);
    write_notes(f, r, coherence, wide);
}

static void write_picks(FILE *f, const ms_report *report)
{
    fprintf(f, "\npicks (%zu):", report->pick_count);
    if (report->pick_count == 0)
        fprintf(f, " none passed (positive mean return and next-day edge)");
    fprintf(f, "\n");
    for (size_t i = 0; i < report->pick_count; i++) {
        const ms_pick *p = &report->picks[i];
        ms_asset_class asset = ms_symbol_asset_class(p->symbol);
        char entry[32], take_profit[32];
        fprintf(f, "  %-4s %-10s %-18s qty %-12g entry $%-12s take profit $%s\n",
                ms_report_side_label(p->side), p->symbol, ms_strategy_name(p->strategy),
                p->quantity, price_text(entry, sizeof entry, asset, p->entry_price),
                price_text(take_profit, sizeof take_profit, asset, p->take_profit_price));
    }
}

static void write_footer(FILE *f, const ms_report *report)
{
    char line[2048];
    if (report->warning_count > 0) {
        fprintf(f, "\nwarnings (%zu):\n", report->warning_count);
        for (size_t i = 0; i < report->warning_count; i++)
            write_wrapped(f, 2, report->warnings[i]);
    }
    if (report->error_count > 0) {
        fprintf(f, "\nerrors (%zu):\n", report->error_count);
        for (size_t i = 0; i < report->error_count; i++) {
            snprintf(line, sizeof line, "%s: %s", report->errors[i].symbol,
                     report->errors[i].message);
            write_wrapped(f, 2, line);
        }
    }
    const ms_timings *t = &report->timings;
    fprintf(f, "\ntimings (s): warm-up %.3f, data %.3f, inference %.3f, strategies %.3f, "
               "ranking %.4f\n", t->warmup, t->data, t->inference, t->strategies, t->ranking);
    fprintf(f, "total %.3f s (%s, %d workers); forecasts: %zu from the cache, %zu computed\n",
            t->total, report->options.parallel ? "parallel" : "sequential",
            report->options.parallel ? report->options.workers : 1, t->forecasts_cached,
            t->forecasts_computed);
}

typedef struct text_subject {
    const ms_report *report;
    bool wide;
} text_subject;

static ms_status write_report(FILE *f, const void *subject)
{
    const text_subject *text = subject;
    const ms_report *report = text->report;
    write_header(f, report, text->wide);
    for (size_t i = 0; i < report->symbol_count; i++)
        write_symbol(f, i + 1, &report->symbols[i], report->options.coherence, text->wide);
    write_picks(f, report);
    ms_report_write_forecast_quality_text(f, report);
    write_footer(f, report);
    return MS_OK;
}

MS_API ms_status ms_report_to_text(const ms_report *report, char **out)
{
    return ms_report_to_text_layout(report, 0, out);
}

MS_API ms_status ms_report_to_text_layout(const ms_report *report, unsigned flags, char **out)
{
    if (report == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_report_to_text: NULL argument");
    text_subject subject = { report, (flags & MS_REPORT_TEXT_WIDE) != 0 };
    return ms_write_to_string("the text report", write_report, &subject, out);
}
