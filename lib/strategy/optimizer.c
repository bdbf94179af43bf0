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
 * ms_limit_plan_run exactly; tests/test_optimizer.c checks that.
 */
#include <math.h>
#include <string.h>

#include "strategy_internal.h"

#define MS_OFFSET_BOX 0.03
#define MS_WINDOW_SHRINK 0.6
#define MS_GRID_MAX 33

static const size_t stage_points[] = { 33, 17, 9 };

/* One offset's grid: n points spread evenly over [lo, hi]. */
typedef struct axis {
    double lo, hi;
    size_t n;
    double at[MS_GRID_MAX];
} axis;

static void axis_fill(axis *a)
{
    for (size_t i = 0; i < a->n; i++)
        a->at[i] = a->lo + (a->hi - a->lo) * (double)i / (double)(a->n - 1);
}

static void axis_narrow(axis *a, double centre, size_t n)
{
    double width = MS_WINDOW_SHRINK * (a->hi - a->lo);
    a->lo = fmax(-MS_OFFSET_BOX, centre - width / 2.0);
    a->hi = fmin(MS_OFFSET_BOX, centre + width / 2.0);
    a->n = n;
}

/* One day's quantities along the h axis. */
typedef struct high_side {
    double sell_level[MS_GRID_MAX];   /* hp */
    double long_exit[MS_GRID_MAX];    /* A of the long leg */
    double short_scale[MS_GRID_MAX];  /* 1 when a short leg exists and fills */
} high_side;

/* One day's quantities along the l axis. */
typedef struct low_side {
    double buy_level[MS_GRID_MAX];    /* lp */
    double short_exit[MS_GRID_MAX];   /* B of the short leg */
    double long_scale[MS_GRID_MAX];   /* 1 when a long leg exists and fills */
} low_side;

static double clamp(double value, double lo, double hi)
{
    return fmin(fmax(value, lo), hi);
}

static void fill_high_side(high_side *side, const axis *h, const ms_window *w, size_t d,
                           bool short_leg, int close_at_eod)
{
    double close = w->close_actual[d], high = w->high_actual[d];
    for (size_t i = 0; i < h->n; i++) {
        double hp = clamp(w->high_pred[d] + h->at[i], 0.0, 10.0);
        side->sell_level[i] = hp;
        side->long_exit[i] = !close_at_eod && hp <= high ? hp : close;
        side->short_scale[i] = short_leg && hp < high ? 1.0 : 0.0;
    }
}

static void fill_low_side(low_side *side, const axis *l, const ms_window *w, size_t d,
                          bool long_leg, int close_at_eod)
{
    double close = w->close_actual[d], low = w->low_actual[d];
    for (size_t j = 0; j < l->n; j++) {
        double lp = clamp(w->low_pred[d] + l->at[j], -1.0, 0.0);
        side->buy_level[j] = lp;
        side->short_exit[j] = !close_at_eod && lp >= low ? lp : close;
        side->long_scale[j] = long_leg && lp > low ? 1.0 : 0.0;
    }
}

/* Adds one day's return at every grid point to `totals` (row i = h_i). */
static void add_day(double totals[][MS_GRID_MAX], const axis *h, const axis *l,
                    const high_side *hs, const low_side *ls, double fee)
{
    for (size_t i = 0; i < h->n; i++) {
        double long_exit = hs->long_exit[i], sell = hs->sell_level[i];
        double short_scale = hs->short_scale[i];
        double *row = totals[i];
        for (size_t j = 0; j < l->n; j++)
            row[j] += ((long_exit - ls->buy_level[j]) - fee) * ls->long_scale[j]
                      + ((sell - ls->short_exit[j]) - fee) * short_scale;
    }
}

typedef struct best_point {
    double h, l, total;
} best_point;

/* Scans one stage's grid, h outer and l inner, keeping the earliest best. */
static void scan_stage(const ms_limit_plan *plan, const axis *h, const axis *l,
                       int close_at_eod, best_point *best)
{
    double totals[MS_GRID_MAX][MS_GRID_MAX];
    high_side hs;
    low_side ls;
    for (size_t i = 0; i < h->n; i++)
        memset(totals[i], 0, l->n * sizeof totals[i][0]);
    for (size_t d = 0; d < plan->window->days; d++) {
        bool long_leg, short_leg;
        ms_limit_plan_legs(plan, d, &long_leg, &short_leg);
        if (!long_leg && !short_leg)
            continue;
        fill_high_side(&hs, h, plan->window, d, short_leg, close_at_eod);
        fill_low_side(&ls, l, plan->window, d, long_leg, close_at_eod);
        add_day(totals, h, l, &hs, &ls, plan->fee);
    }
    for (size_t i = 0; i < h->n; i++)
        for (size_t j = 0; j < l->n; j++)
            if (totals[i][j] > best->total)
                *best = (best_point){ h->at[i], l->at[j], totals[i][j] };
}

static best_point search(const ms_limit_plan *plan, int close_at_eod)
{
    axis h = { -MS_OFFSET_BOX, MS_OFFSET_BOX, stage_points[0], { 0 } };
    axis l = h;
    best_point best = { 0.0, 0.0, -INFINITY };
    for (size_t stage = 0; stage < sizeof stage_points / sizeof stage_points[0]; stage++) {
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
