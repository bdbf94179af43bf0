/*
 * report_html.c - the report as one self-contained HTML page a trader can
 * keep open: a header naming the generation time, data and model; a
 * summary (the ranking, each symbol's data marked fresh or stale, the
 * picks as a portfolio, the pooled forecast quality, the warnings and the
 * errors); then one section per symbol: recent candles with the one-step
 * forecasts, the forecast quality, the best strategy's equity and drawdown
 * over one non-overlapping walk-forward, its latest trades, and the spread
 * of every strategy's per-simulation returns (charts: report_svg*.c). The
 * page has no scripts and references no URL, so it opens the same offline,
 * from a mail attachment or a CI artifact. Every string from the data
 * (symbols, error messages, the data URI) is HTML-escaped.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core_internal.h"
#include "report_svg.h"

/* Sized for a laptop: a 1000 px column, charts 960 px wide. */
static const char page_style[] =
    "body{font-family:system-ui,sans-serif;margin:16px auto;max-width:1200px;color:#222}"
    "header p{margin:2px 0;color:#444}"
    "nav a{margin-right:10px}"
    "table{border-collapse:collapse;margin:8px 0 20px;font-size:13px}"
    "th,td{border:1px solid #ccc;padding:3px 7px;text-align:right}"
    "th:nth-child(2),td:nth-child(2){text-align:left}"
    "table.quality td:first-child,table.trades td:first-child{text-align:left}"
    "section.symbol{border-top:2px solid #888;margin-top:28px}"
    "svg.chart{display:block;margin:6px 0 14px;max-width:100%;height:auto}"
    ".plot{fill:#fbfbfb;stroke:#bbb}"
    ".grid{stroke:#e3e3e3}"
    ".axis{font-size:11px;fill:#555}"
    ".legend{font-size:11px;fill:#222}"
    ".zero{stroke:#888;stroke-dasharray:3 3}"
    ".wick{stroke-width:1}.wick.up{stroke:#2ca02c}.wick.down{stroke:#d62728}"
    ".candle.up{fill:#2ca02c}.candle.down{fill:#d62728}"
    ".band{fill:#ffbb78;fill-opacity:0.45}.band.next{fill:#ff7f0e;fill-opacity:0.45}"
    ".forecast-close{stroke:#ff7f0e;stroke-width:1.5}"
    ".close-line{stroke:#1f77b4;stroke-width:1.5}"
    ".equity{stroke-width:2}.buy-hold{stroke-width:1.2;stroke-dasharray:5 3}"
    ".drawdown{fill:#d62728;fill-opacity:0.35;stroke:#d62728}"
    ".whisker{stroke:#555}.median{stroke:#000;stroke-width:2}.point{fill-opacity:0.6}"
    ".better{color:#1a7f1a}.worse{color:#b00}"
    ".stale{color:#b00;font-weight:bold}";

void ms_html_escape(FILE *f, const char *text)
{
    for (const char *c = text ? text : ""; *c != '\0'; c++) {
        switch (*c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*c, f); break;
        }
    }
}

/* A table cell holding a number, "-" when not finite. */
static void number_cell(FILE *f, const char *format, double value)
{
    char text[32];
    fprintf(f, "<td>%s</td>", ms_report_number(text, sizeof text, format, value));
}

static void write_head(FILE *f, const ms_report *report)
{
    const ms_analyzer_options *o = &report->options;
    char generated[MS_UTC_TIME_TEXT];
    ms_format_rfc3339((int64_t)time(NULL), generated);
    /* The empty data: icon stops a browser from asking for /favicon.ico. */
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width\">\n"
          "<link rel=\"icon\" href=\"data:,\">\n<title>marketsim report</title>\n<style>", f);
    fputs(page_style, f);
    fprintf(f, "</style>\n</head>\n<body>\n<header>\n<h1>marketsim report</h1>\n"
               "<p class=\"generated\">Generated <time>%s</time> by marketsim %s</p>\n"
               "<p>Data <strong>", generated, ms_version());
    ms_html_escape(f, report->source_uri);
    fputs("</strong> | model <strong>", f);
    ms_html_escape(f, report->model_name);
    fputs("</strong> (", f);
    ms_html_escape(f, o->aggregate);
    fprintf(f, ") | %zu simulations x %zu days | fills %s, offsets %s</p>\n</header>\n",
            o->simulations, o->eval_days, ms_fill_model_name(o->fills),
            ms_offsets_name(o->offsets));
    fputs("<nav>", f);
    for (size_t i = 0; i < report->symbol_count; i++) {
        fprintf(f, "<a href=\"#symbol-%zu\">", i + 1);
        ms_html_escape(f, report->symbols[i].symbol);
        fputs("</a>", f);
    }
    fputs("</nav>\n", f);
}

static void write_ranking(FILE *f, const ms_report *report)
{
    fputs("<section class=\"summary\">\n<h2>Ranking</h2>\n<table class=\"ranking\">\n<tr><th>#</th><th>symbol</th>"
          "<th>best strategy</th><th>score</th><th>mean daily return</th>"
          "<th title=\"MaxDiff kinds: under the original's rules\">reference</th><th>sharpe</th>"
          "<th>win %</th><th>last close</th><th>pred close</th><th>pred high</th>"
          "<th>pred low</th><th>side</th><th>entry</th><th>take profit</th><th>data</th>"
          "<th>plan</th><th>incoherent forecasts</th></tr>\n",
          f);
    for (size_t i = 0; i < report->symbol_count; i++) {
        const ms_symbol_report *r = &report->symbols[i];
        const ms_period_metrics *best = &r->strategies[r->best_strategy]->mean;
        fprintf(f, "<tr><td>%zu</td><td><a href=\"#symbol-%zu\">", i + 1, i + 1);
        ms_html_escape(f, r->symbol);
        fprintf(f, "</a></td><td>%s</td>", ms_strategy_name(r->best_strategy));
        number_cell(f, "%.4f", r->composite_score);
        number_cell(f, "%+.5f", best->avg_daily_return);
        number_cell(f, "%+.5f", r->strategies[r->best_strategy]->reference_mean.avg_daily_return);
        number_cell(f, "%.2f", best->sharpe);
        number_cell(f, "%.1f", best->win_rate * 100.0);
        number_cell(f, "%.4f", r->last_close);
        number_cell(f, "%.4f", r->forecast_close);
        number_cell(f, "%.4f", r->forecast_high);
        number_cell(f, "%.4f", r->forecast_low);
        fprintf(f, "<td>%s</td>", ms_report_side_label(r->side));
        number_cell(f, "%.4f", r->entry_price);
        number_cell(f, "%.4f", r->take_profit_price);
        fprintf(f, "<td%s>%s</td>", r->stale ? " class=\"stale\"" : "",
                r->stale ? "stale" : "fresh");
        fprintf(f, "<td%s>%s</td><td>%zu of %zu</td></tr>\n",
                r->plan_check != MS_PLAN_OK ? " class=\"stale\"" : "",
                r->plan_check != MS_PLAN_OK ? ms_report_plan_check_label(r->plan_check) : "ok",
                r->incoherent_forecasts, r->forecast_origins);
    }
    fputs("</table>\n", f);
}

static void write_picks(FILE *f, const ms_report *report)
{
    fprintf(f, "<h2>Picks (%zu)</h2>\n", report->pick_count);
    if (report->pick_count == 0) {
        fputs("<p>None passed (positive mean return and next-day edge).</p>\n", f);
        return;
    }
    fputs("<table class=\"picks\">\n<tr><th>side</th><th>symbol</th><th>strategy</th>"
          "<th>quantity</th><th>entry</th><th>take profit</th><th>value at entry</th>"
          "<th>% of equity</th></tr>\n", f);
    double total = 0.0;
    for (size_t i = 0; i < report->pick_count; i++) {
        const ms_pick *p = &report->picks[i];
        double value = p->quantity * p->entry_price;
        fprintf(f, "<tr><td>%s</td><td>", ms_report_side_label(p->side));
        ms_html_escape(f, p->symbol);
        fprintf(f, "</td><td>%s</td>", ms_strategy_name(p->strategy));
        number_cell(f, "%g", p->quantity);
        number_cell(f, "%.4f", p->entry_price);
        number_cell(f, "%.4f", p->take_profit_price);
        number_cell(f, "%.2f", value);
        number_cell(f, "%.1f", 100.0 * value / report->options.equity);
        total += isfinite(value) ? value : 0.0;
    }
    fprintf(f, "<tr><td></td><td>portfolio</td><td></td><td></td><td></td><td></td>");
    number_cell(f, "%.2f", total);
    number_cell(f, "%.1f", 100.0 * total / report->options.equity);
    fputs("</tr>\n</table>\n", f);
}

static void write_warnings(FILE *f, const ms_report *report)
{
    if (report->warning_count == 0)
        return;
    fprintf(f, "<h2>Warnings (%zu)</h2>\n<ul class=\"warnings\">\n", report->warning_count);
    for (size_t i = 0; i < report->warning_count; i++) {
        fputs("<li>", f);
        ms_html_escape(f, report->warnings[i]);
        fputs("</li>\n", f);
    }
    fputs("</ul>\n", f);
}

static void write_errors(FILE *f, const ms_report *report)
{
    if (report->error_count == 0)
        return;
    fprintf(f, "<h2>Errors (%zu)</h2>\n<ul class=\"errors\">\n", report->error_count);
    for (size_t i = 0; i < report->error_count; i++) {
        fputs("<li>", f);
        ms_html_escape(f, report->errors[i].symbol);
        fputs(": ", f);
        ms_html_escape(f, report->errors[i].message);
        fputs("</li>\n", f);
    }
    fputs("</ul>\n", f);
}

/* Refused plans and incoherent forecasts, said in the symbol's section. */
static void write_symbol_notes(FILE *f, const ms_symbol_report *r, int coherence)
{
    if (r->plan_check != MS_PLAN_OK)
        fprintf(f, "<p class=\"stale\">Not picked: %s.</p>\n",
                ms_report_plan_check_label(r->plan_check));
    if (r->incoherent_forecasts > 0)
        fprintf(f, "<p>%zu of %zu forecasts %s.</p>\n", r->incoherent_forecasts,
                r->forecast_origins, ms_report_coherence_label(coherence));
}

/* The best strategy's days with a non-zero return in the latest windows of
 * the walk-forward, newest first, with the equity after each. */
#define TRADE_ROWS 20

static ms_status write_trades(FILE *f, const ms_symbol_report *r)
{
    size_t n = r->walk_forward_days;
    const double *returns = r->walk_forward_returns[r->best_strategy];
    const int *sides = r->walk_forward_sides[r->best_strategy];
    if (n == 0 || returns == NULL)
        return MS_OK;
    double *equity = malloc(n * sizeof *equity);
    if (equity == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory for the trades of %s", r->symbol);
    ms_equity_curve(returns, n, equity, NULL);
    fprintf(f, "<h3>Latest trades of %s (walk-forward days with a return)</h3>\n"
               "<table class=\"trades\">\n<tr><th>date</th><th>side</th><th>return %%</th>"
               "<th>equity after %%</th></tr>\n", ms_strategy_name(r->best_strategy));
    size_t shown = 0;
    for (size_t d = n; d-- > 0 && shown < TRADE_ROWS;) {
        if (!isfinite(returns[d]) || returns[d] == 0.0)
            continue;
        char date[16];
        int side = sides != NULL ? sides[d] : 0;
        fprintf(f, "<tr><td>%s</td><td>%s</td>",
                ms_report_date(r->walk_forward_time[d], date, sizeof date) ? date : "-",
                side != 0 ? ms_report_side_label(side) : "limit orders");
        number_cell(f, "%+.3f", 100.0 * returns[d]);
        number_cell(f, "%+.2f", equity[d]);
        fputs("</tr>\n", f);
        shown++;
    }
    fputs(shown == 0 ? "<tr><td>none</td><td></td><td></td><td></td></tr>\n</table>\n"
                     : "</table>\n", f);
    free(equity);
    return MS_OK;
}

static ms_status write_symbol(FILE *f, size_t rank, const ms_symbol_report *r, int coherence)
{
    char close[32], low[32], high[32], last[32], date[16];
    fprintf(f, "<section class=\"symbol\" id=\"symbol-%zu\">\n<h2>%zu. ", rank, rank);
    ms_html_escape(f, r->symbol);
    fprintf(f, " <small>(%s)</small></h2>\n<p>%sLast close %s on %s; next day predicted close %s, "
               "range %s .. %s.</p>\n<h3>Recent candles and one-step forecasts</h3>\n",
            ms_asset_class_name(r->asset_class),
            r->stale ? "<span class=\"stale\">Stale data: not picked.</span> " : "",
            ms_report_number(last, sizeof last, "%.4f", r->last_close),
            ms_report_date(r->last_timestamp, date, sizeof date) ? date : "-",
            ms_report_number(close, sizeof close, "%.4f", r->forecast_close),
            ms_report_number(low, sizeof low, "%.4f", r->forecast_low),
            ms_report_number(high, sizeof high, "%.4f", r->forecast_high));
    write_symbol_notes(f, r, coherence);
    ms_svg_candles_chart(f, r);
    fputs("<h3>Forecast quality</h3>\n", f);
    ms_html_forecast_quality(f, &r->forecast_quality);
    fprintf(f, "<h3>Equity of %s over one walk-forward (%zu days, windows laid end to end)</h3>\n",
            ms_strategy_name(r->best_strategy), r->walk_forward_days);
    ms_status status = ms_svg_equity_chart(f, r, r->best_strategy);
    if (status == MS_OK)
        status = write_trades(f, r);
    fputs("<h3>Return per simulation, each strategy</h3>\n", f);
    if (status == MS_OK)
        status = ms_svg_returns_spread(f, r);
    fputs("</section>\n", f);
    return status;
}

static void write_footer(FILE *f, const ms_report *report)
{
    const ms_timings *t = &report->timings;
    fprintf(f, "<p class=\"timings\">Timings (s): warm-up %.3f, data %.3f, inference %.3f, "
               "strategies %.3f, ranking %.4f, total %.3f.</p>\n</body>\n</html>\n",
            t->warmup, t->data, t->inference, t->strategies, t->ranking, t->total);
}

static ms_status write_report(FILE *f, const void *subject)
{
    const ms_report *report = subject;
    write_head(f, report);
    write_ranking(f, report);
    write_picks(f, report);
    if (report->symbol_count > 0) {
        fputs("<h2>Forecast quality, all symbols</h2>\n", f);
        ms_html_forecast_quality(f, &report->forecast_quality);
    }
    write_warnings(f, report);
    write_errors(f, report);
    fputs("</section>\n", f);
    ms_status status = MS_OK;
    for (size_t i = 0; i < report->symbol_count && status == MS_OK; i++)
        status = write_symbol(f, i + 1, &report->symbols[i], report->options.coherence);
    write_footer(f, report);
    return status;
}

MS_API ms_status ms_report_to_html(const ms_report *report, char **out)
{
    if (report == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_report_to_html: NULL argument");
    return ms_write_to_string("the HTML report", write_report, report, out);
}

MS_API ms_status ms_report_write_html(const ms_report *report, const char *path)
{
    if (path == NULL || *path == '\0')
        return ms_error(MS_ERR_INVALID_ARG, "ms_report_write_html: no path");
    char *html = NULL;
    ms_status status = ms_report_to_html(report, &html);
    ms_atomic_file file;
    if (status == MS_OK)
        status = ms_atomic_file_open(&file, path);
    if (status == MS_OK) {
        status = ms_atomic_file_write(&file, html, strlen(html));
        if (status == MS_OK)
            status = ms_atomic_file_commit(&file);
        else
            ms_atomic_file_discard(&file);
    }
    free(html);
    return status;
}
