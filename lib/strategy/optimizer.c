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
 * restatement is the reference fill model's; the path models have their
 * own (path_totals), equal in the same way to ms_limit_plan_run.
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

/*
 * The path fill models: a leg's entry depends on its own level alone (where
 * on the path it fills, and at what price), and its exit on the other
 * level and on where the entry filled (the take profit is searched from
 * the next point). So per day and order of the extremes, entries are
 * computed once per axis and exits once per axis and start point; a grid
 * point picks them. The arithmetic is ms_limit_leg_on_path's: filled legs
 * are side * (exit - entry) - fee (for a short, (entry - exit) - fee, the
 * same value), missing or unfilled ones add 0.
 */
typedef struct path_leg_grid {
    int from[MS_GRID_MAX];                   /* the take profit's first point; 0: no fill */
    double entry[MS_GRID_MAX];               /* by the leg's own level */
    /* By the other level, per start point; start MS_PATH_POINTS (an entry
     * at the close, only on a window whose close is outside its range)
     * leaves nothing to search: the close. */
    double exit[MS_PATH_POINTS + 1][MS_GRID_MAX];
} path_leg_grid;

/* One leg's entries along `own` and exits along `other` on `path`. */
static void fill_path_leg(path_leg_grid *leg, const ms_bar_path *path, int side,
                          const double *own, size_t own_n, const double *other,
                          size_t other_n, int close_at_eod)
{
    double close = path->at[MS_PATH_POINTS - 1];
    for (size_t k = 0; k < own_n; k++)
        leg->from[k] = ms_path_limit(path, 0, side, own[k], true, &leg->entry[k]) + 1;
    for (int start = 1; start <= MS_PATH_POINTS; start++) {
        for (size_t k = 0; k < other_n; k++) {
            double exit = close;
            if (!close_at_eod)
                ms_path_limit(path, start, -side, other[k], false, &exit);
            leg->exit[start][k] = exit;
        }
    }
}

typedef struct path_day {
    bool long_leg, short_leg;
    path_leg_grid longs, shorts;   /* longs by l (exits by h); shorts by h (exits by l) */
} path_day;

static void fill_path_day(path_day *day, const ms_bar_path *path, const double *sell_levels,
                          size_t h_n, const double *buy_levels, size_t l_n, int close_at_eod)
{
    if (day->long_leg)
        fill_path_leg(&day->longs, path, 1, buy_levels, l_n, sell_levels, h_n, close_at_eod);
    if (day->short_leg)
        fill_path_leg(&day->shorts, path, -1, sell_levels, h_n, buy_levels, l_n, close_at_eod);
}

/* The day's return at grid point (i, j) on one order of the extremes. */
static inline double path_point(const path_day *day, size_t i, size_t j, double fee)
{
    /* A leg that is off has no fill table (fill_path_day skips it): read
     * `from` only for a leg that is on. */
    double long_profit = 0.0, short_profit = 0.0;
    int from = day->long_leg ? day->longs.from[j] : 0;
    if (from > 0)
        long_profit = (day->longs.exit[from][i] - day->longs.entry[j]) - fee;
    from = day->short_leg ? day->shorts.from[i] : 0;
    if (from > 0)
        short_profit = -1.0 * (day->shorts.exit[from][j] - day->shorts.entry[i]) - fee;
    return long_profit + short_profit;
}

static void path_totals(double totals[][MS_GRID_MAX], const ms_limit_plan *plan,
                        const axis *h, const axis *l, int close_at_eod)
{
    const ms_window *w = plan->window;
    bool worst = plan->fills == MS_FILLS_WORST;
    path_day orders[2];
    for (size_t i = 0; i < h->n; i++)
        memset(totals[i], 0, l->n * sizeof totals[i][0]);
    for (size_t d = 0; d < w->days; d++) {
        double sell[MS_GRID_MAX], buy[MS_GRID_MAX];
        bool long_leg, short_leg;
        ms_limit_plan_legs(plan, d, &long_leg, &short_leg);
        for (size_t i = 0; i < h->n; i++)
            sell[i] = ms_clamp(w->high_pred[d] + h->at[i], 0.0, 10.0);
        for (size_t j = 0; j < l->n; j++)
            buy[j] = ms_clamp(w->low_pred[d] + l->at[j], -1.0, 0.0);
        /* bar-path's order, or for worst low first then high first. */
        bool low_first = worst || ms_bar_path_low_first(w->open_actual[d], w->high_actual[d],
                                                        w->low_actual[d]);
        for (int o = 0; o < (worst ? 2 : 1); o++) {
            ms_bar_path path = ms_bar_path_make(w, d, o == 0 ? low_first : false);
            orders[o].long_leg = long_leg;
            orders[o].short_leg = short_leg;
            fill_path_day(&orders[o], &path, sell, h->n, buy, l->n, close_at_eod);
        }
        for (size_t i = 0; i < h->n; i++) {
            for (size_t j = 0; j < l->n; j++) {
                double day = path_point(&orders[0], i, j, plan->fee);
                if (worst) {
                    double high_first = path_point(&orders[1], i, j, plan->fee);
                    day = high_first < day ? high_first : day;
                }
                totals[i][j] += day;
            }
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
