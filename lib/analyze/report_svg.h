/*
 * report_svg.h - the drawing primitives the HTML report's inline SVG charts
 * share (report_svg.c): a plot area mapping (slot index, value) to pixels,
 * y axes with round ticks and grid lines, x axes with dated ticks, lines
 * broken at gaps. Charts are CHART_WIDTH pixels wide: a laptop screen's
 * page column.
 */
#ifndef MS_REPORT_SVG_H
#define MS_REPORT_SVG_H

#include <stdint.h>
#include <stdio.h>

#include "analyze_internal.h"

#define CHART_WIDTH 960.0
#define PLOT_LEFT 72.0
#define PLOT_RIGHT 180.0   /* room for a legend right of the plot */

/* One colour per strategy, in ms_strategy order. */
extern const char *const ms_svg_strategy_colors[MS_STRATEGY_COUNT];

/* A plot area: x slots 0 .. x_count-1 spread over [left, left + width],
 * values lo .. hi over [top + height, top]. */
typedef struct svg_plot {
    double left, top, width, height;
    size_t x_count;
    double lo, hi;
} svg_plot;

/* A plot of `height` pixels at `top`, the standard width, an empty range. */
svg_plot svg_plot_at(double top, double height, size_t x_count);
double svg_x(const svg_plot *plot, double slot);
double svg_y(const svg_plot *plot, double value);
/* Widens the range to a finite value (others are ignored). */
void svg_widen(svg_plot *plot, double value);
/* Gives an empty or flat range a height to divide by. */
void svg_finish_range(svg_plot *plot);

/* <svg ...> of the standard width and `height`, labelled for screen readers. */
void svg_open(FILE *f, const char *label, double height);
/* The plot's background, round value ticks with grid lines and labels
 * printed with `format` (a printf format for one double), and the axis
 * title `unit` left of the labels. */
void svg_value_axis(FILE *f, const svg_plot *plot, const char *format, const char *unit);
/* About six dated ticks under the plot from times[slot] (n slots). */
void svg_date_axis(FILE *f, const svg_plot *plot, const int64_t *times, size_t n);
/* A dashed line at value 0 when 0 is inside the range. */
void svg_zero_line(FILE *f, const svg_plot *plot);
/* A polyline through the finite values, broken at each gap; `attributes`
 * go into each <polyline> (class, stroke). */
void svg_polyline(FILE *f, const svg_plot *plot, const double *values, size_t n,
                  const char *attributes);
/* A coloured square and a label at legend row `row`, right of the plot. */
void svg_legend(FILE *f, const svg_plot *plot, int row, const char *color, const char *label);

/* The symbol's recent daily candles, each bar's one-step forecast range
 * (low..high) and close made the bar before, and the next day's. */
void ms_svg_candles_chart(FILE *f, const ms_symbol_report *report);

/* Equity and drawdown of `strategy` over the walk-forward (buy-and-hold
 * beside it), in percent. Errors: MS_ERR_NOMEM. */
ms_status ms_svg_equity_chart(FILE *f, const ms_symbol_report *report, ms_strategy strategy);

/* Each strategy's per-simulation returns as a box (quartiles, median,
 * whiskers to the extremes) over the points themselves, in percent.
 * Errors: MS_ERR_NOMEM. */
ms_status ms_svg_returns_spread(FILE *f, const ms_symbol_report *report);

#endif
