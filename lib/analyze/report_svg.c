/*
 * report_svg.c - the HTML report's two charts per symbol, as inline SVG:
 * the recent closes with the next-day forecast band, and each strategy's
 * cumulative return across the simulations. Plain SVG elements only (no
 * xmlns: inline SVG in HTML needs none, and the page references no URL).
 * Non-finite values are gaps: a line breaks there, a range ignores them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "analyze_internal.h"
#include "core/core_internal.h"

#define CHART_WIDTH 760.0
#define CHART_HEIGHT 240.0
#define MARGIN_LEFT 70.0
#define MARGIN_RIGHT 190.0
#define MARGIN_Y 24.0

/* One colour per strategy, in ms_strategy order. */
static const char *const strategy_colors[MS_STRATEGY_COUNT] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
};

/* Maps data coordinates (x index 0..x_count-1, y in lo..hi) into the plot area. */
typedef struct chart_scale {
    size_t x_count;
    double lo;
    double hi;
} chart_scale;

static double scale_x(const chart_scale *scale, double index)
{
    double span = scale->x_count > 1 ? (double)(scale->x_count - 1) : 1.0;
    return MARGIN_LEFT + index / span * (CHART_WIDTH - MARGIN_LEFT - MARGIN_RIGHT);
}

static double scale_y(const chart_scale *scale, double value)
{
    double fraction = (value - scale->lo) / (scale->hi - scale->lo);
    return CHART_HEIGHT - MARGIN_Y - fraction * (CHART_HEIGHT - 2.0 * MARGIN_Y);
}

static void widen(chart_scale *scale, double value)
{
    if (!isfinite(value))
        return;
    scale->lo = fmin(scale->lo, value);
    scale->hi = fmax(scale->hi, value);
}

/* A flat or empty range still needs a height to divide by. */
static void finish_range(chart_scale *scale)
{
    if (scale->lo > scale->hi) {
        scale->lo = 0.0;
        scale->hi = 1.0;
    } else if (scale->hi - scale->lo < 1e-12 * fmax(1.0, fabs(scale->hi))) {
        scale->lo -= 0.5;
        scale->hi += 0.5;
    }
}

static void open_chart(FILE *f, const char *label)
{
    fprintf(f, "<svg class=\"chart\" role=\"img\" aria-label=\"%s\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\">\n", label, CHART_WIDTH, CHART_HEIGHT, CHART_WIDTH,
            CHART_HEIGHT);
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"plot\"/>\n",
            MARGIN_LEFT, MARGIN_Y, CHART_WIDTH - MARGIN_LEFT - MARGIN_RIGHT,
            CHART_HEIGHT - 2.0 * MARGIN_Y);
}

/* The y axis: its top and bottom values, printed with `format`. */
static void y_labels(FILE *f, const chart_scale *scale, const char *format)
{
    const double ends[2] = { scale->lo, scale->hi };
    for (int i = 0; i < 2; i++) {
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"end\">",
                MARGIN_LEFT - 6.0, scale_y(scale, ends[i]) + 4.0);
        fprintf(f, format, ends[i]);
        fputs("</text>\n", f);
    }
}

/* A polyline through the finite points, broken into pieces at each gap. */
static void polyline(FILE *f, const chart_scale *scale, const double *values, size_t n,
                     const char *color)
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
            fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"", color);
        fprintf(f, "%s%.1f,%.1f", open ? " " : "", scale_x(scale, (double)i),
                scale_y(scale, values[i]));
        open = 1;
    }
    if (open)
        fputs("\"/>\n", f);
}

static void date_label(FILE *f, double x, int64_t timestamp, const char *anchor)
{
    char text[16];
    if (!ms_report_date(timestamp, text, sizeof text))
        return;
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"%s\">%s</text>\n", x,
            CHART_HEIGHT - 6.0, anchor, text);
}

/* The next-day band: a bar from the predicted low to high at the day after
 * the last close, a dashed step from the last close to the predicted close. */
static void forecast_band(FILE *f, const chart_scale *scale, const ms_symbol_report *r)
{
    double x = scale_x(scale, (double)r->recent_count);
    if (isfinite(r->forecast_low) && isfinite(r->forecast_high))
        fprintf(f, "<rect class=\"band\" x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"%.1f\"/>\n",
                x - 4.0, scale_y(scale, r->forecast_high),
                scale_y(scale, r->forecast_low) - scale_y(scale, r->forecast_high));
    if (!isfinite(r->forecast_close))
        return;
    double y = scale_y(scale, r->forecast_close);
    if (r->recent_count > 0 && isfinite(r->recent_close[r->recent_count - 1]))
        fprintf(f, "<line class=\"step\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                scale_x(scale, (double)(r->recent_count - 1)),
                scale_y(scale, r->recent_close[r->recent_count - 1]), x, y);
    fprintf(f, "<circle class=\"forecast\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\"/>\n", x, y);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"legend\">next close %.4g</text>\n",
            x + 10.0, y + 4.0, r->forecast_close);
}

void ms_svg_price_chart(FILE *f, const ms_symbol_report *r)
{
    /* One x slot per recent close plus one for the forecast day. */
    chart_scale scale = { r->recent_count + 1, INFINITY, -INFINITY };
    for (size_t i = 0; i < r->recent_count; i++)
        widen(&scale, r->recent_close[i]);
    widen(&scale, r->forecast_low);
    widen(&scale, r->forecast_high);
    widen(&scale, r->forecast_close);
    finish_range(&scale);
    open_chart(f, "recent closes and next-day forecast");
    y_labels(f, &scale, "%.4g");
    polyline(f, &scale, r->recent_close, r->recent_count, "#1f77b4");
    if (r->recent_count > 0) {
        date_label(f, scale_x(&scale, 0.0), r->recent_time[0], "start");
        date_label(f, scale_x(&scale, (double)(r->recent_count - 1)),
                   r->recent_time[r->recent_count - 1], "end");
    }
    forecast_band(f, &scale, r);
    fputs("</svg>\n", f);
}

/*
 * Strategy s's cumulative return after each simulation, oldest simulation
 * (the highest index) first. Summed, not compounded: the simulations'
 * windows overlap, so they are not consecutive investments. A simulation
 * whose return is undefined adds nothing and its point is a gap.
 */
static void cumulative_returns(const ms_strategy_summary *summary, double *out)
{
    double sum = 0.0;
    for (size_t i = 0; i < summary->simulations; i++) {
        double value = summary->simulation_returns[summary->simulations - 1 - i];
        sum += isfinite(value) ? value : 0.0;
        out[i] = isfinite(value) ? sum * 100.0 : NAN;
    }
}

static void strategy_legend(FILE *f, int strategy, double final_percent)
{
    double y = MARGIN_Y + 12.0 + 16.0 * strategy;
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>\n",
            CHART_WIDTH - MARGIN_RIGHT + 10.0, y - 9.0, strategy_colors[strategy]);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"legend\">%s ", CHART_WIDTH - MARGIN_RIGHT + 24.0,
            y, ms_strategy_name((ms_strategy)strategy));
    if (isfinite(final_percent))
        fprintf(f, "%+.2f%%", final_percent);
    else
        fputs("-", f);
    fputs("</text>\n", f);
}

ms_status ms_svg_returns_chart(FILE *f, const ms_symbol_report *r)
{
    size_t n = r->strategies[0].simulations;
    double *curves = malloc((n ? n : 1) * MS_STRATEGY_COUNT * sizeof *curves);
    if (curves == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory for the returns chart of %s", r->symbol);
    chart_scale scale = { n, 0.0, 0.0 }; /* the range always shows zero */
    for (int s = 0; s < MS_STRATEGY_COUNT; s++) {
        cumulative_returns(&r->strategies[s], curves + (size_t)s * n);
        for (size_t i = 0; i < n; i++)
            widen(&scale, curves[(size_t)s * n + i]);
    }
    finish_range(&scale);
    open_chart(f, "cumulative return per strategy across simulations");
    y_labels(f, &scale, "%+.1f%%");
    fprintf(f, "<line class=\"zero\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
            MARGIN_LEFT, scale_y(&scale, 0.0), CHART_WIDTH - MARGIN_RIGHT, scale_y(&scale, 0.0));
    for (int s = 0; s < MS_STRATEGY_COUNT; s++) {
        const double *curve = curves + (size_t)s * n;
        polyline(f, &scale, curve, n, strategy_colors[s]);
        strategy_legend(f, s, n > 0 ? curve[n - 1] : NAN);
    }
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\">oldest simulation</text>\n"
               "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"end\">latest</text>\n",
            MARGIN_LEFT, CHART_HEIGHT - 6.0, CHART_WIDTH - MARGIN_RIGHT, CHART_HEIGHT - 6.0);
    fputs("</svg>\n", f);
    free(curves);
    return MS_OK;
}
