/*
 * report_svg_backtest.c - the HTML report's backtest charts: the chosen
 * strategy's equity and drawdown over one non-overlapping walk-forward (the
 * evaluation days of simulations 0, E, 2E, ... laid end to end and
 * compounded: one account traded day after day, which overlapping windows
 * summed are not), and the spread of every strategy's per-simulation
 * returns as box plots over the points.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "report_svg.h"

#define EQUITY_TOP 16.0
#define EQUITY_HEIGHT 230.0
#define DRAWDOWN_GAP 16.0
#define DRAWDOWN_HEIGHT 90.0
#define DATE_AXIS 34.0
#define SPREAD_HEIGHT 230.0
#define NAME_AXIS 30.0

static void legend_with_final(FILE *f, const svg_plot *plot, int row, const char *color,
                              ms_strategy strategy, const double *equity, size_t n)
{
    char label[64];
    double final = n > 0 ? equity[n - 1] : NAN;
    if (isfinite(final))
        snprintf(label, sizeof label, "%s %+.1f%%", ms_strategy_name(strategy), final);
    else
        snprintf(label, sizeof label, "%s -", ms_strategy_name(strategy));
    svg_legend(f, plot, row, color, label);
}

/* The drawdown panel: the area between 0 and the drawdown. */
static void drawdown_panel(FILE *f, const svg_plot *plot, const double *drawdown, size_t n)
{
    svg_value_axis(f, plot, "%.1f%%", "drawdown");
    fprintf(f, "<polygon class=\"drawdown\" points=\"%.1f,%.1f", svg_x(plot, 0.0),
            svg_y(plot, 0.0));
    for (size_t i = 0; i < n; i++)
        fprintf(f, " %.1f,%.1f", svg_x(plot, (double)i), svg_y(plot, drawdown[i]));
    fprintf(f, " %.1f,%.1f\"/>\n", svg_x(plot, (double)(n - 1)), svg_y(plot, 0.0));
}

ms_status ms_svg_equity_chart(FILE *f, const ms_symbol_report *r, ms_strategy strategy)
{
    size_t n = r->walk_forward_days;
    if (n == 0 || r->walk_forward_returns[strategy] == NULL) {
        fputs("<p>No walk-forward days.</p>\n", f);
        return MS_OK;
    }
    double *curves = malloc(3 * n * sizeof *curves);
    if (curves == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory for the equity chart of %s", r->symbol);
    double *equity = curves, *drawdown = curves + n, *hold = curves + 2 * n;
    ms_equity_curve(r->walk_forward_returns[strategy], n, equity, drawdown);
    ms_equity_curve(r->walk_forward_returns[MS_STRATEGY_BUY_HOLD], n, hold, NULL);
    svg_plot top = svg_plot_at(EQUITY_TOP, EQUITY_HEIGHT, n);
    svg_plot bottom = svg_plot_at(EQUITY_TOP + EQUITY_HEIGHT + DRAWDOWN_GAP, DRAWDOWN_HEIGHT, n);
    top.lo = top.hi = bottom.lo = bottom.hi = 0.0; /* both ranges show zero */
    for (size_t i = 0; i < n; i++) {
        svg_widen(&top, equity[i]);
        svg_widen(&top, hold[i]);
        svg_widen(&bottom, drawdown[i]);
    }
    svg_finish_range(&top);
    svg_finish_range(&bottom);
    bottom.hi = 0.0;
    svg_open(f, "equity and drawdown over the walk-forward",
             EQUITY_TOP + EQUITY_HEIGHT + DRAWDOWN_GAP + DRAWDOWN_HEIGHT + DATE_AXIS);
    svg_value_axis(f, &top, "%+.0f%%", "equity");
    svg_zero_line(f, &top);
    char attributes[64];
    snprintf(attributes, sizeof attributes, "class=\"equity\" stroke=\"%s\"",
             ms_svg_strategy_colors[strategy]);
    if (strategy != MS_STRATEGY_BUY_HOLD) {
        svg_polyline(f, &top, hold, n, "class=\"buy-hold\" stroke=\"#7f7f7f\"");
        legend_with_final(f, &top, 1, "#7f7f7f", MS_STRATEGY_BUY_HOLD, hold, n);
    }
    svg_polyline(f, &top, equity, n, attributes);
    legend_with_final(f, &top, 0, ms_svg_strategy_colors[strategy], strategy, equity, n);
    drawdown_panel(f, &bottom, drawdown, n);
    svg_date_axis(f, &bottom, r->walk_forward_time, n);
    fputs("</svg>\n", f);
    free(curves);
    return MS_OK;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The q-quantile of n sorted values, interpolated linearly. */
static double quantile(const double *sorted, size_t n, double q)
{
    double position = q * (double)(n - 1);
    size_t below = (size_t)floor(position);
    size_t above = below + 1 < n ? below + 1 : below;
    return sorted[below] + (position - (double)below) * (sorted[above] - sorted[below]);
}

/* One strategy's box at slot s: whiskers to the extremes, the box from the
 * first to the third quartile, the median, then every simulation as a dot
 * spread across the slot in simulation order. */
static void box(FILE *f, const svg_plot *plot, int s, const double *sorted, size_t count,
                const double *points, size_t n)
{
    double x = svg_x(plot, (double)s), half = 0.22 * plot->width / (double)plot->x_count;
    const char *color = ms_svg_strategy_colors[s];
    if (count > 0) {
        double q1 = quantile(sorted, count, 0.25), q3 = quantile(sorted, count, 0.75);
        fprintf(f, "<g class=\"box\" data-strategy=\"%s\">"
                   "<line class=\"whisker\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                   "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                   "fill-opacity=\"0.25\" stroke=\"%s\"/>"
                   "<line class=\"median\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/></g>\n",
                ms_strategy_name((ms_strategy)s), x, svg_y(plot, sorted[count - 1]), x,
                svg_y(plot, sorted[0]), x - half, svg_y(plot, q3), 2.0 * half,
                fmax(svg_y(plot, q1) - svg_y(plot, q3), 0.8), color, color, x - half,
                svg_y(plot, quantile(sorted, count, 0.5)), x + half,
                svg_y(plot, quantile(sorted, count, 0.5)));
    }
    for (size_t k = 0; k < n; k++)
        if (isfinite(points[k]))
            fprintf(f, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"2\" fill=\"%s\"/>\n",
                    x - half + 2.0 * half * ((double)k + 0.5) / (double)n,
                    svg_y(plot, 100.0 * points[k]), color);
    fprintf(f, "<text class=\"axis tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
            x, plot->top + plot->height + 18.0, ms_strategy_name((ms_strategy)s));
}

ms_status ms_svg_returns_spread(FILE *f, const ms_symbol_report *r)
{
    size_t n = r->strategies[0]->simulations;
    double *sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (sorted == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory for the returns chart of %s", r->symbol);
    svg_plot plot = svg_plot_at(EQUITY_TOP, SPREAD_HEIGHT, MS_STRATEGY_COUNT);
    plot.width = CHART_WIDTH - PLOT_LEFT - 16.0; /* names under the boxes: no legend */
    plot.lo = plot.hi = 0.0;
    for (int s = 0; s < MS_STRATEGY_COUNT; s++)
        for (size_t k = 0; k < r->strategies[s]->simulations; k++)
            svg_widen(&plot, 100.0 * r->strategies[s]->simulation_returns[k]);
    svg_finish_range(&plot);
    svg_open(f, "per-simulation return of each strategy", EQUITY_TOP + SPREAD_HEIGHT + NAME_AXIS);
    svg_value_axis(f, &plot, "%+.1f%%", "return per simulation");
    svg_zero_line(f, &plot);
    for (int s = 0; s < MS_STRATEGY_COUNT; s++) {
        const ms_strategy_summary *summary = r->strategies[s];
        size_t count = 0;
        for (size_t k = 0; k < summary->simulations && k < n; k++)
            if (isfinite(summary->simulation_returns[k]))
                sorted[count++] = 100.0 * summary->simulation_returns[k];
        qsort(sorted, count, sizeof *sorted, compare_doubles);
        box(f, &plot, s, sorted, count, summary->simulation_returns,
            summary->simulations < n ? summary->simulations : n);
    }
    fputs("</svg>\n", f);
    free(sorted);
    return MS_OK;
}
