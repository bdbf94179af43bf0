/*
 * report_svg.c - the drawing primitives of the HTML report's charts
 * (report_svg.h) and its price chart: recent daily candles with each bar's
 * one-step forecast range and the next day's. Plain SVG elements only (no
 * xmlns: inline SVG in HTML needs none, and the page references no URL).
 * Non-finite values are gaps: a line breaks there, a range ignores them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "report_svg.h"

#define PLOT_HEIGHT 260.0
#define PLOT_TOP 16.0
#define DATE_AXIS 34.0     /* below a plot: tick labels */

const char *const ms_svg_strategy_colors[MS_STRATEGY_COUNT] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
};

svg_plot svg_plot_at(double top, double height, size_t x_count)
{
    return (svg_plot){ PLOT_LEFT, top, CHART_WIDTH - PLOT_LEFT - PLOT_RIGHT, height, x_count,
                       INFINITY, -INFINITY };
}

double svg_x(const svg_plot *plot, double slot)
{
    /* Half a slot of room at each end, so candles and boxes stay inside. */
    double slots = plot->x_count > 0 ? (double)plot->x_count : 1.0;
    return plot->left + (slot + 0.5) / slots * plot->width;
}

double svg_y(const svg_plot *plot, double value)
{
    return plot->top + plot->height * (1.0 - (value - plot->lo) / (plot->hi - plot->lo));
}

void svg_widen(svg_plot *plot, double value)
{
    if (!isfinite(value))
        return;
    plot->lo = fmin(plot->lo, value);
    plot->hi = fmax(plot->hi, value);
}

void svg_finish_range(svg_plot *plot)
{
    if (plot->lo > plot->hi) {
        plot->lo = 0.0;
        plot->hi = 1.0;
    } else if (plot->hi - plot->lo < 1e-12 * fmax(1.0, fabs(plot->hi))) {
        plot->lo -= 0.5;
        plot->hi += 0.5;
    }
    /* A little air above and below the extremes. */
    double pad = 0.04 * (plot->hi - plot->lo);
    plot->lo -= pad;
    plot->hi += pad;
}

void svg_open(FILE *f, const char *label, double height)
{
    fprintf(f, "<svg class=\"chart\" role=\"img\" aria-label=\"%s\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\">\n<title>%s</title>\n", label, CHART_WIDTH, height,
            CHART_WIDTH, height, label);
}

/* A round step (1, 2 or 5 x 10^k) giving at most about six ticks. */
static double tick_step(double span)
{
    double raw = span / 6.0, power = pow(10.0, floor(log10(raw)));
    double fraction = raw / power;
    return power * (fraction <= 1.0 ? 1.0 : fraction <= 2.0 ? 2.0 : fraction <= 5.0 ? 5.0 : 10.0);
}

void svg_value_axis(FILE *f, const svg_plot *plot, const char *format, const char *unit)
{
    fprintf(f, "<rect class=\"plot\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n",
            plot->left, plot->top, plot->width, plot->height);
    double step = tick_step(plot->hi - plot->lo);
    fputs("<g class=\"y-axis\">\n", f);
    for (double v = ceil(plot->lo / step) * step; v <= plot->hi; v += step) {
        double y = svg_y(plot, v), value = fabs(v) < step * 1e-9 ? 0.0 : v;
        fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                   "<text class=\"axis tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
                plot->left, y, plot->left + plot->width, y, plot->left - 6.0, y + 4.0);
        fprintf(f, format, value);
        fputs("</text>\n", f);
    }
    fprintf(f, "<text class=\"axis\" transform=\"translate(14 %.1f) rotate(-90)\" "
               "text-anchor=\"middle\">%s</text>\n</g>\n", plot->top + plot->height / 2.0, unit);
}

void svg_date_axis(FILE *f, const svg_plot *plot, const int64_t *times, size_t n)
{
    if (n == 0 || times == NULL)
        return;
    size_t every = n > 6 ? (n + 5) / 6 : 1;
    double y = plot->top + plot->height;
    fputs("<g class=\"x-axis\">\n", f);
    for (size_t i = 0; i < n; i += every) {
        char date[16];
        if (!ms_report_date(times[i], date, sizeof date))
            continue;
        double x = svg_x(plot, (double)i);
        fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                   "<text class=\"axis tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
                x, y, x, y + 5.0, x, y + 18.0, date);
    }
    fputs("</g>\n", f);
}

void svg_zero_line(FILE *f, const svg_plot *plot)
{
    if (plot->lo > 0.0 || plot->hi < 0.0)
        return;
    fprintf(f, "<line class=\"zero\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
            plot->left, svg_y(plot, 0.0), plot->left + plot->width, svg_y(plot, 0.0));
}

void svg_polyline(FILE *f, const svg_plot *plot, const double *values, size_t n,
                  const char *attributes)
{
    int open = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(values[i])) {
            if (open)
                fputs("\"/>\n", f);
            open = 0;
            continue;
        }
        if (!open)
            fprintf(f, "<polyline fill=\"none\" %s points=\"", attributes);
        fprintf(f, "%s%.1f,%.1f", open ? " " : "", svg_x(plot, (double)i),
                svg_y(plot, values[i]));
        open = 1;
    }
    if (open)
        fputs("\"/>\n", f);
}

void svg_legend(FILE *f, const svg_plot *plot, int row, const char *color, const char *label)
{
    double x = plot->left + plot->width + 12.0, y = plot->top + 12.0 + 16.0 * row;
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
               "<text class=\"legend\" x=\"%.1f\" y=\"%.1f\">", x, y - 9.0, color, x + 14.0, y);
    ms_html_escape(f, label);
    fputs("</text>\n", f);
}

static int finite_at(const double *values, size_t i)
{
    return values != NULL && isfinite(values[i]);
}

/* Bar i's candle: a wick from low to high, a body from open to close. */
static void candle(FILE *f, const svg_plot *plot, const ms_symbol_report *r, size_t i)
{
    if (!(finite_at(r->recent_open, i) && finite_at(r->recent_high, i) &&
          finite_at(r->recent_low, i) && finite_at(r->recent_close, i)))
        return;
    double x = svg_x(plot, (double)i), half = 0.3 * plot->width / (double)plot->x_count;
    double top = svg_y(plot, fmax(r->recent_open[i], r->recent_close[i]));
    double bottom = svg_y(plot, fmin(r->recent_open[i], r->recent_close[i]));
    const char *kind = r->recent_close[i] >= r->recent_open[i] ? "up" : "down";
    fprintf(f, "<line class=\"wick %s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
               "<rect class=\"candle %s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n",
            kind, x, svg_y(plot, r->recent_high[i]), x, svg_y(plot, r->recent_low[i]), kind,
            x - half, top, 2.0 * half, fmax(bottom - top, 0.8));
}

/* Bar i's forecast from the bar before: its range behind the candle, its
 * close as a tick. `next` is the next day's (class next). */
static void forecast_range(FILE *f, const svg_plot *plot, double slot, double low, double high,
                           double close, int next)
{
    double x = svg_x(plot, slot), half = 0.45 * plot->width / (double)plot->x_count;
    if (isfinite(low) && isfinite(high))
        fprintf(f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n",
                next ? "band next" : "band", x - half, svg_y(plot, high), 2.0 * half,
                fmax(svg_y(plot, low) - svg_y(plot, high), 0.8));
    if (isfinite(close))
        fprintf(f, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                next ? "forecast-close next" : "forecast-close", x - half, svg_y(plot, close),
                x + half, svg_y(plot, close));
}

void ms_svg_candles_chart(FILE *f, const ms_symbol_report *r)
{
    size_t n = r->recent_count;
    svg_plot plot = svg_plot_at(PLOT_TOP, PLOT_HEIGHT, n + 1); /* + the next day */
    for (size_t i = 0; i < n; i++) {
        svg_widen(&plot, r->recent_close[i]);
        if (r->recent_high != NULL)
            svg_widen(&plot, r->recent_high[i]);
        if (r->recent_low != NULL)
            svg_widen(&plot, r->recent_low[i]);
    }
    svg_widen(&plot, r->forecast_low);
    svg_widen(&plot, r->forecast_high);
    svg_widen(&plot, r->forecast_close);
    svg_finish_range(&plot);
    svg_open(f, "recent daily candles with the one-step forecast range", PLOT_TOP + PLOT_HEIGHT +
             DATE_AXIS);
    svg_value_axis(f, &plot, "%.4g", "price");
    svg_date_axis(f, &plot, r->recent_time, n);
    for (size_t i = 0; i < n; i++) {
        if (r->recent_forecast_close != NULL)
            forecast_range(f, &plot, (double)i, r->recent_forecast_low[i],
                           r->recent_forecast_high[i], r->recent_forecast_close[i], 0);
        candle(f, &plot, r, i);
    }
    if (r->recent_open == NULL) /* closes only: a line */
        svg_polyline(f, &plot, r->recent_close, n, "class=\"close-line\"");
    forecast_range(f, &plot, (double)n, r->forecast_low, r->forecast_high, r->forecast_close, 1);
    svg_legend(f, &plot, 0, "#2ca02c", "up day");
    svg_legend(f, &plot, 1, "#d62728", "down day");
    svg_legend(f, &plot, 2, "#ffbb78", "forecast low..high");
    svg_legend(f, &plot, 3, "#ff7f0e", "forecast close");
    fputs("</svg>\n", f);
}
