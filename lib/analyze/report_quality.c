/*
 * report_quality.c - forecast quality in the report's text and HTML forms:
 * per column (close, high, low) the model's MAE, RMSE and direction hit
 * rate beside the naive no-change forecast's, and the 10-90% coverage when
 * there are quantiles. A section of its own, so the text report's layout
 * (report_text.c) can change around it.
 */
#include <math.h>
#include <stdio.h>

#include "analyze_internal.h"

static const char *const column_names[3] = { "close", "high", "low" };

static const ms_forecast_error *column_of(const ms_forecast_quality *q, int column)
{
    return column == 0 ? &q->close : column == 1 ? &q->high : &q->low;
}

/* "better", "worse" or "" for the model's MAE against the naive one. */
static const char *verdict(const ms_forecast_error *e)
{
    if (!(isfinite(e->mae_pct) && isfinite(e->naive_mae_pct)))
        return "";
    return e->mae_pct < e->naive_mae_pct ? "better" : "worse";
}

static void text_rows(FILE *f, const char *label, const ms_forecast_quality *q)
{
    for (int c = 0; c < 3; c++) {
        const ms_forecast_error *e = column_of(q, c);
        char mae[16], rmse[16], hit[16], cover[16], naive_mae[16], naive_rmse[16];
        fprintf(f, "%-10s %-5s %5zu %8s %8s %6s %8s %10s %10s  %s\n", c == 0 ? label : "",
                column_names[c], e->count, ms_report_number(mae, sizeof mae, "%.3f", e->mae_pct),
                ms_report_number(rmse, sizeof rmse, "%.3f", e->rmse_pct),
                ms_report_number(hit, sizeof hit, "%.1f", 100.0 * e->hit_rate),
                ms_report_number(cover, sizeof cover, "%.1f", 100.0 * e->coverage),
                ms_report_number(naive_mae, sizeof naive_mae, "%.3f", e->naive_mae_pct),
                ms_report_number(naive_rmse, sizeof naive_rmse, "%.3f", e->naive_rmse_pct),
                verdict(e));
    }
}

void ms_report_write_forecast_quality_text(FILE *f, const ms_report *report)
{
    if (report->symbol_count == 0)
        return;
    fputs("\nForecast quality (one step ahead, over the backtest origins; % of the last value)\n",
          f);
    fprintf(f, "%-10s %-5s %5s %8s %8s %6s %8s %10s %10s  %s\n", "symbol", "col", "n", "MAE%",
            "RMSE%", "hit%", "cover%", "naiveMAE%", "naiveRMSE%", "vs naive");
    for (size_t i = 0; i < report->symbol_count; i++)
        text_rows(f, report->symbols[i].symbol, &report->symbols[i].forecast_quality);
    if (report->symbol_count > 1)
        text_rows(f, "all", &report->forecast_quality);
}

static void cell(FILE *f, const char *format, double value)
{
    char text[32];
    fprintf(f, "<td>%s</td>", ms_report_number(text, sizeof text, format, value));
}

void ms_html_forecast_quality(FILE *f, const ms_forecast_quality *q)
{
    fputs("<table class=\"quality\">\n<tr><th>column</th><th>origins</th><th>MAE %</th>"
          "<th>RMSE %</th><th>direction hit %</th><th>10-90% coverage</th>"
          "<th>naive MAE %</th><th>naive RMSE %</th><th>vs naive</th></tr>\n", f);
    for (int c = 0; c < 3; c++) {
        const ms_forecast_error *e = column_of(q, c);
        fprintf(f, "<tr><td>%s</td><td>%zu</td>", column_names[c], e->count);
        cell(f, "%.3f", e->mae_pct);
        cell(f, "%.3f", e->rmse_pct);
        cell(f, "%.1f", 100.0 * e->hit_rate);
        cell(f, "%.1f", 100.0 * e->coverage);
        cell(f, "%.3f", e->naive_mae_pct);
        cell(f, "%.3f", e->naive_rmse_pct);
        fprintf(f, "<td class=\"%s\">%s</td></tr>\n", verdict(e), verdict(e));
    }
    fputs("</table>\n", f);
}
