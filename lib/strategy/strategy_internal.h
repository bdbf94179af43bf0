/*
 * strategy_internal.h - the strategy layer's private pieces shared between
 * its files: running moments and the Sharpe rule, one simulation's daily
 * statistics, the MaxDiff limit-order plan and its offset optimiser, and the
 * per-kind evaluators that ms_strategy_evaluate dispatches to.
 *
 * Nothing here allocates: daily values are streamed into accumulators, so a
 * strategy costs no memory beyond the caller's buffers.
 */
#ifndef MS_STRATEGY_INTERNAL_H
#define MS_STRATEGY_INTERNAL_H

#include <stdbool.h>

#include "marketsim/strategy.h"

/* ---- Running moments (moments.c) ------------------------------------------ */

/* Count, sum and deviation of a stream of values (Welford's update), and
 * whether every value so far was exactly equal: a zero deviation is decided
 * on the values themselves, never on a rounded standard deviation. Start
 * from a zero-initialised struct. */
typedef struct ms_moments {
    size_t count;
    double sum;
    double running_mean;
    double squared_deviations;
    double first;
    bool all_equal;
} ms_moments;

void ms_moments_add(ms_moments *moments, double value);

/* sum / count; NaN when empty. */
double ms_moments_mean(const ms_moments *moments);

/* Sample standard deviation (ddof 1); NaN for fewer than 2 values. */
double ms_moments_std(const ms_moments *moments);

/* mean / std(ddof 1) * sqrt(periods_per_year): NaN for fewer than 2 values;
 * for exactly equal values +inf or -inf by the sign of the mean, NaN when
 * the mean is 0. */
double ms_moments_sharpe(const ms_moments *moments, double periods_per_year);

/* ---- One simulation's daily statistics (period_metrics.c) ----------------- */

typedef struct ms_day_stats {
    ms_moments moments;
    double growth;          /* prod(1 + r) */
    size_t wins;            /* days with r > 0 */
    size_t nonzero;         /* days with r != 0 */
    double turnover;
} ms_day_stats;

ms_day_stats ms_day_stats_start(void);

/* Adds one day: its return and the units traded that day that pay the fee
 * (the strategy's turnover contribution). */
void ms_day_stats_add(ms_day_stats *stats, double daily_return, double units_traded);

/* The period metrics: total compounded (signal strategies) or summed. */
ms_period_metrics ms_day_stats_finish(const ms_day_stats *stats, bool compounded,
                                      double days_per_year);

/* ---- Limit orders (profit.c) ---------------------------------------------- */

/* value limited to [lo, hi]; the same as fmin(fmax(value, lo), hi) for the
 * finite values the strategies see, without a libm call in the optimiser's
 * per-day loops. */
static inline double ms_clamp(double value, double lo, double hi)
{
    return value < lo ? lo : value > hi ? hi : value;
}

/* One day of the limit-order profit function: its profit and the units
 * whose entry filled (and so paid the fee). */
typedef struct ms_limit_fill {
    double profit;
    double units;
} ms_limit_fill;

ms_limit_fill ms_limit_day(double close_actual, double high_actual, double high_level,
                           double low_actual, double low_level, double pos, double fee,
                           int close_at_eod);

/* ---- Fill models (fills.c) ------------------------------------------------ */

/* The day's path for the path fill models, in return units: the open, the
 * first extreme, the second, the close. */
#define MS_PATH_POINTS 4
typedef struct ms_bar_path {
    double at[MS_PATH_POINTS];
} ms_bar_path;

/* bar-path's order: the extreme nearer the open first, the low on a tie. */
bool ms_bar_path_low_first(double open, double high, double low);

/* The path of `day` of `window` (which has open_actual), low first or not. */
ms_bar_path ms_bar_path_make(const ms_window *window, size_t day, bool low_first);

/*
 * A limit order on the path from point `from` on: a buy (side > 0) at
 * `level` fills at the first point at or below it, a sell at or above it
 * (strictly beyond it when `strict`). Returns that point's index and sets
 * *price: the open at point 0 (already through), else the level; -1 when
 * it does not fill (*price untouched).
 */
int ms_path_limit(const ms_bar_path *path, int from, int side, double level, bool strict,
                  double *price);

/*
 * One unit leg of the MaxDiff limit plan on a path: side > 0 buys at
 * low_level and takes profit at high_level, side < 0 sells at high_level
 * and takes profit at low_level, the take profit only on the path after
 * the entry; without it (or with close_at_eod) the leg exits at the close.
 * The levels are clamped and the comparisons as strict as ms_limit_day's,
 * so the path models differ from the reference only by the order of the
 * day. Fee on a filled entry.
 */
ms_limit_fill ms_limit_leg_on_path(const ms_bar_path *path, int side, double high_level,
                                   double low_level, double fee, int close_at_eod);

/* ---- MaxDiff plans (maxdiff.c) -------------------------------------------- */

/*
 * The limit orders a MaxDiff kind offers on a window: every day either the
 * MaxDiff trade (one unit long or short, or nothing) or, always_on, a unit
 * long and a unit short (no short when long_only). A day's return is the
 * long leg's profit plus the short leg's, at levels high_pred + h and
 * low_pred + l, filled as `fills` says (worst: the worse order of the
 * extremes for both legs together).
 */
typedef struct ms_limit_plan {
    const ms_window *window;
    bool always_on;
    bool long_only;
    double fee;
    ms_fill_model fills;
} ms_limit_plan;

/* The MaxDiff trade of one day: +1, -1 or 0 (strategies.md, "MaxDiff"). */
int ms_maxdiff_trade(const ms_window *window, size_t day, bool long_only);

/* The unit legs `plan` offers on `day`. */
void ms_limit_plan_legs(const ms_limit_plan *plan, size_t day, bool *long_leg,
                        bool *short_leg);

/* Runs `plan` at one choice of offsets: each daily return goes to `stats`
 * and `daily` when they are not NULL. Returns the summed total, added day
 * by day from day 0 (the optimiser's objective, to the last bit). */
double ms_limit_plan_run(const ms_limit_plan *plan, const ms_maxdiff_choice *choice,
                         ms_day_stats *stats, double *daily);

/* ---- The offset optimiser (optimizer.c) ----------------------------------- */

/*
 * Chooses (h, l) and close_at_eod for `plan` by the coarse-to-fine grid of
 * strategies.md and returns the summed profit there, equal to the last bit
 * to ms_limit_plan_run at the choice.
 */
double ms_maxdiff_optimize(const ms_limit_plan *plan, ms_maxdiff_choice *choice);

/* ---- Per-kind evaluators (maxdiff.c, signals.c, percent_move.c) ----------- */

/* Arguments are validated by ms_strategy_evaluate before these run. */
/* The MaxDiff kinds choose their offsets on fit_window (window itself for
 * the in-sample rule) and are scored on window. */
void ms_maxdiff_evaluate(bool always_on, const ms_window *fit_window, const ms_window *window,
                         const ms_strategy_params *params, ms_strategy_result *result,
                         double *daily_returns);

void ms_signal_evaluate(ms_strategy strategy, const ms_window *window,
                        const ms_strategy_params *params, ms_strategy_result *result,
                        double *daily_returns);

void ms_percent_move_evaluate(ms_strategy strategy, const ms_window *window,
                              const ms_strategy_params *params, ms_strategy_result *result,
                              double *daily_returns);

/* The position signal of `day` for the signal and percent-move strategies,
 * given the previous day's signal (0 before the first day). */
int ms_signal_on_day(ms_strategy strategy, const ms_window *window, size_t day,
                     int previous, bool long_only);

/* A result whose baseline and optimised metrics equal `metrics` and whose
 * MaxDiff choices are zero: the shape of every non-MaxDiff strategy. */
ms_strategy_result ms_single_result(const ms_period_metrics *metrics, int side);

#endif
