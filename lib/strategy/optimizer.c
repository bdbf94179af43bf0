/*
 * optimizer.c - the MaxDiff offset optimiser (strategies.md, "MaxDiff"):
 * the (h, l) in [-0.03, 0.03]^2 that maximise the summed profit of a limit
 * plan, by a coarse-to-fine grid of 33x33, 17x17 and 9x9 points, for
 * close_at_eod false and true.
 *
 * Reading of the spec: each later window is 0.6 times the width of the
 * window actually scanned before it (after that one was cut at the box
 * edges), centred on the best point so far, then cut at the box edges.
 *
 * Speed: a unit leg's profit is (A - B) - fee when its entry fills, where A
 * depends on h alone and B on l alone (long: A = exit at the take-profit
 * level or the close, B = the buy level; short: A = the sell level, B =
 * exit at the low level or the close), and whether it fills depends on one
 * offset alone. So each day's levels, exits and fills are computed once per
 * grid axis and a grid point costs a few additions. The arithmetic is the
 * same as ms_limit_day's, operation for operation (a missing or unfilled
 * leg adds a signed zero), so the objective and its ties equal those of
 * ms_limit_plan_run exactly; tests/test_optimizer.c checks that. That
 * restatement is the reference fill model's; the path models run the plan
 * at every grid point (path_totals).
 */
#include <math.h>
#include <string.h>

#include "core/core_internal.h"
#include "strategy_internal.h"

#define MS_OFFSET_BOX 0.03
#define MS_WINDOW_SHRINK 0.6
/* Room for the largest stage (33 points) plus one padding point: rows are
 * padded to an even length so the compiler can vectorise the inner loop in
 * pairs without a scalar tail. Padding points are computed, never scanned. */
#define MS_GRID_MAX 34

static const size_t stage_points[] = { 33, 17, 9 };

/* One offset's grid: n points spread evenly over [lo, hi], then padding. */
typedef struct axis {
    double lo, hi;
    size_t n;
    double at[MS_GRID_MAX];
} axis;

static size_t padded(size_t n)
{
    return (n + 1) & ~(size_t)1;
}

static void axis_fill(axis *a)
{
    for (size_t i = 0; i < padded(a->n); i++)
        a->at[i] = a->lo + (a->hi - a->lo) * (double)i / (double)(a->n - 1);
}

static void axis_narrow(axis *a, double centre, size_t n)
{
    double width = MS_WINDOW_SHRINK * (a->hi - a->lo);
    a->lo = fmax(-MS_OFFSET_BOX, centre - width / 2.0);
    a->hi = fmin(MS_OFFSET_BOX, centre + width / 2.0);
    a->n = n;
}

/* One day's legs and their levels, exits and fills along both axes. */
typedef struct day_grid {
    bool long_leg;
    double sell_level[MS_GRID_MAX];   /* hp, by h */
    double long_exit[MS_GRID_MAX];    /* the long leg's A, by h */
    bool short_fills[MS_GRID_MAX];    /* a short leg exists and fills, by h */
    double buy_level[MS_GRID_MAX];    /* lp, by l */
    double short_exit[MS_GRID_MAX];   /* the short leg's B, by l */
    double long_fills[MS_GRID_MAX];   /* 1 when the long entry fills, else 0, by l */
} day_grid;

static void fill_day(day_grid *day, const axis *h, const axis *l, const ms_window *w,
                     size_t d, bool short_leg, int close_at_eod)
{
    double close = w->close_actual[d], high = w->high_actual[d], low = w->low_actual[d];
    for (size_t i = 0; i < h->n; i++) {
        double hp = ms_clamp(w->high_pred[d] + h->at[i], 0.0, 10.0);
        day->sell_level[i] = hp;
        day->long_exit[i] = !close_at_eod && hp <= high ? hp : close;
        day->short_fills[i] = short_leg && hp < high;
    }
    for (size_t j = 0; j < padded(l->n); j++) {
        double lp = ms_clamp(w->low_pred[d] + l->at[j], -1.0, 0.0);
        day->buy_level[j] = lp;
        day->short_exit[j] = !close_at_eod && lp >= low ? lp : close;
        day->long_fills[j] = lp > low ? 1.0 : 0.0;
    }
}

/* A unit long's profit, a signed zero when its entry does not fill. */
static inline double long_profit(double exit, double buy, double fills, double fee)
{
    return ((exit - buy) - fee) * fills;
}

/* A filled unit short's profit. */
static inline double short_profit(double sell, double exit, double fee)
{
    return (sell - exit) - fee;
}

/* Adds one day's return at every grid point to `totals` (row i = h_i). A
 * row loop per combination of legs keeps the common one-leg days cheap. */
static void add_day(double totals[][MS_GRID_MAX], const axis *h, const axis *l,
                    const day_grid *day, double fee)
{
    const double *restrict buy = day->buy_level, *restrict fills = day->long_fills;
    const double *restrict short_exit = day->short_exit;
    size_t length = padded(l->n);
    for (size_t i = 0; i < h->n; i++) {
        double long_exit = day->long_exit[i], sell = day->sell_level[i];
        double *restrict row = totals[i];
        if (day->long_leg && day->short_fills[i]) {
            for (size_t j = 0; j < length; j++)
                row[j] += long_profit(long_exit, buy[j], fills[j], fee)
                          + short_profit(sell, short_exit[j], fee);
        } else if (day->long_leg) {
            for (size_t j = 0; j < length; j++)
                row[j] += long_profit(long_exit, buy[j], fills[j], fee);
        } else if (day->short_fills[i]) {
            for (size_t j = 0; j < length; j++)
                row[j] += short_profit(sell, short_exit[j], fee);
        }
    }
}

typedef struct best_point {
    double h, l, total;
} best_point;

/* The path fill models: a leg's exit depends on both offsets (whether the
 * take profit comes after the entry depends on where the entry filled), so
 * each grid point runs the plan itself. */
static void path_totals(double totals[][MS_GRID_MAX], const ms_limit_plan *plan,
                        const axis *h, const axis *l, int close_at_eod)
{
    for (size_t i = 0; i < h->n; i++) {
        for (size_t j = 0; j < l->n; j++) {
            ms_maxdiff_choice choice = { h->at[i], l->at[j], close_at_eod };
            totals[i][j] = ms_limit_plan_run(plan, &choice, NULL, NULL);
        }
    }
}

/* The reference model's totals by the separable restatement above. */
static void reference_totals(double totals[][MS_GRID_MAX], const ms_limit_plan *plan,
                             const axis *h, const axis *l, int close_at_eod)
{
    day_grid day;
    for (size_t i = 0; i < h->n; i++)
        memset(totals[i], 0, padded(l->n) * sizeof totals[i][0]);
    for (size_t d = 0; d < plan->window->days; d++) {
        bool long_leg, short_leg;
        ms_limit_plan_legs(plan, d, &long_leg, &short_leg);
        if (!long_leg && !short_leg)
            continue;
        day.long_leg = long_leg;
        fill_day(&day, h, l, plan->window, d, short_leg, close_at_eod);
        add_day(totals, h, l, &day, plan->fee);
    }
}

/* Scans one stage's grid, h outer and l inner, keeping the earliest best. */
static void scan_stage(const ms_limit_plan *plan, const axis *h, const axis *l,
                       int close_at_eod, best_point *best)
{
    double totals[MS_GRID_MAX][MS_GRID_MAX];
    if (plan->fills == MS_FILLS_REFERENCE)
        reference_totals(totals, plan, h, l, close_at_eod);
    else
        path_totals(totals, plan, h, l, close_at_eod);
    best_point found = *best;
    for (size_t i = 0; i < h->n; i++)
        for (size_t j = 0; j < l->n; j++)
            if (totals[i][j] > found.total)
                found = (best_point){ h->at[i], l->at[j], totals[i][j] };
    *best = found;
}

static best_point search(const ms_limit_plan *plan, int close_at_eod)
{
    axis h = { -MS_OFFSET_BOX, MS_OFFSET_BOX, stage_points[0], { 0 } };
    axis l = h;
    best_point best = { 0.0, 0.0, -INFINITY };
    for (size_t stage = 0; stage < MS_ARRAY_LEN(stage_points); stage++) {
        if (stage > 0) {
            axis_narrow(&h, best.h, stage_points[stage]);
            axis_narrow(&l, best.l, stage_points[stage]);
        }
        axis_fill(&h);
        axis_fill(&l);
        scan_stage(plan, &h, &l, close_at_eod, &best);
    }
    return best;
}

double ms_maxdiff_optimize(const ms_limit_plan *plan, ms_maxdiff_choice *choice)
{
    best_point hold = search(plan, 0);
    best_point close = search(plan, 1);
    bool take_close = close.total > hold.total;
    const best_point *best = take_close ? &close : &hold;
    *choice = (ms_maxdiff_choice){ best->h, best->l, take_close };
    return best->total;
}
