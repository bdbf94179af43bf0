/*
 * percent_move.c - entry_takeprofit and highlow (strategies.md): a position
 * each day on the side of the predicted close (simple's rule), entered or
 * exited at the predicted extremes.
 *
 * Fee rule (the original's evaluate_entry_takeprofit_strategy: "if we
 * remain in the same side as previous day, don't pay another opening
 * fee"): a day on a side other than the one held before it pays `fee` to
 * open, one more `fee` when the side held before was the opposite one (a
 * straight flip, 2 x fee); staying on the same side pays nothing; a flat
 * day pays nothing. Totals are sums, not compounded.
 *
 * Under the reference fill model a day is always in on its side, at the
 * returns the original credited (highlow "entering at the open" when its
 * limit is not reached is entering at the previous close, an order no one
 * can place). The path models trade the orders `trade` places
 * (docs/strategies.md, "What gets traded"): a buy limit (sell for shorts)
 * at the entry level with a take-profit limit, filled on the day's path;
 * an unfilled entry leaves the day flat, a position the take profit did
 * not close is held into the next day (no new entry, no fee when the side
 * stays), and a position on the other side is closed at the next open.
 * The signal strategies' orders are limits too (entry at the previous
 * close, take profit at the predicted close), so under the path models
 * they are evaluated here, on their own signals.
 */
#include <stdlib.h>

#include "strategy_internal.h"

/* Long: take profit at the predicted high when the day reaches it. Short
 * mirrors it at the predicted low. */
static double entry_takeprofit_gross(const ms_window *w, size_t d, int side)
{
    if (side > 0)
        return w->high_actual[d] >= w->high_pred[d] ? w->high_pred[d] : w->close_actual[d];
    return w->low_actual[d] <= w->low_pred[d] ? -w->low_pred[d] : -w->close_actual[d];
}

/* Long: buy at the predicted low when the day reaches it, else at the
 * previous close, and hold to the close. Short mirrors it at the predicted
 * high. */
static double highlow_gross(const ms_window *w, size_t d, int side)
{
    if (side > 0)
        return w->low_actual[d] <= w->low_pred[d] ? w->close_actual[d] - w->low_pred[d]
                                                  : w->close_actual[d];
    return w->high_actual[d] >= w->high_pred[d] ? w->high_pred[d] - w->close_actual[d]
                                                : -w->close_actual[d];
}

/* One day's outcome: its return, the units that paid the fee, and the side
 * held at its close (the path models carry it into the next day). */
typedef struct day_outcome {
    double day_return;
    double units;
    int held;
} day_outcome;

/* The orders `trade` places for a new position on `side` (backtest.c's
 * plan_levels): entry_takeprofit buys at the previous close and takes
 * profit at the predicted high; highlow buys at the predicted low and
 * takes profit at the predicted close; the signal strategies buy at the
 * previous close and take profit at the predicted close (shorts mirror
 * all three). */
static void order_levels(ms_strategy strategy, const ms_window *w, size_t d, int side,
                         double *entry, double *take_profit)
{
    switch (strategy) {
    case MS_STRATEGY_ENTRY_TAKEPROFIT:
        *entry = 0.0;
        *take_profit = side > 0 ? w->high_pred[d] : w->low_pred[d];
        break;
    case MS_STRATEGY_HIGHLOW:
        *entry = side > 0 ? w->low_pred[d] : w->high_pred[d];
        *take_profit = w->close_pred[d];
        break;
    default:
        *entry = 0.0;
        *take_profit = w->close_pred[d];
        break;
    }
}

/* One day on one path, `held` being the side held at the previous close. */
static day_outcome path_day(ms_strategy strategy, const ms_window *w, size_t d,
                            const ms_bar_path *path, int side, int held, double fee)
{
    day_outcome out = { 0.0, 0.0, 0 };
    if (held != 0 && held != side) { /* closed by a market order at the open */
        out.day_return += held * path->at[0] - fee;
        out.units += 1.0;
        held = 0;
    }
    if (side == 0)
        return out;
    double entry_level, take_profit, entry = 0.0, exit = path->at[MS_PATH_POINTS - 1];
    order_levels(strategy, w, d, side, &entry_level, &take_profit);
    int from = 0; /* a held position's take profit can fill at the open */
    if (held != side) {
        /* The plan refuses an entry whose take profit is not beyond it. */
        if (side * (take_profit - entry_level) <= 0)
            return out;
        int filled = ms_path_limit(path, 0, side, entry_level, false, &entry);
        if (filled < 0)
            return out;
        out.day_return -= fee;
        out.units += 1.0;
        from = filled + 1;
    }
    double sold;
    if (ms_path_limit(path, from, -side, take_profit, false, &sold) >= 0)
        exit = sold;
    else
        out.held = side;
    out.day_return += side * (exit - entry);
    return out;
}

static day_outcome reference_day(ms_strategy strategy, const ms_window *w, size_t d, int side,
                                 int previous, double fee)
{
    double gross = 0.0;
    if (side != 0)
        gross = strategy == MS_STRATEGY_HIGHLOW ? highlow_gross(w, d, side)
                                                : entry_takeprofit_gross(w, d, side);
    double units = (side != 0 && side != previous) + (side * previous < 0);
    return (day_outcome){ gross - units * fee, units, side };
}

static day_outcome evaluate_day(ms_strategy strategy, const ms_window *w, size_t d, int side,
                                int held, const ms_strategy_params *params)
{
    if (params->fills == MS_FILLS_REFERENCE)
        return reference_day(strategy, w, d, side, held, params->fee);
    bool low_first = ms_bar_path_low_first(w->open_actual[d], w->high_actual[d],
                                           w->low_actual[d]);
    ms_bar_path path = ms_bar_path_make(w, d, params->fills == MS_FILLS_WORST || low_first);
    day_outcome out = path_day(strategy, w, d, &path, side, held, params->fee);
    if (params->fills != MS_FILLS_WORST)
        return out;
    path = ms_bar_path_make(w, d, false);
    day_outcome high_first = path_day(strategy, w, d, &path, side, held, params->fee);
    return high_first.day_return < out.day_return ? high_first : out;
}

void ms_percent_move_evaluate(ms_strategy strategy, const ms_window *window,
                              const ms_strategy_params *params, ms_strategy_result *result,
                              double *daily_returns)
{
    ms_day_stats stats = ms_day_stats_start();
    int previous = 0, held = 0;
    for (size_t d = 0; d < window->days; d++) {
        int side = ms_signal_on_day(strategy, window, d, previous, params->long_only);
        day_outcome day = evaluate_day(strategy, window, d, side, held, params);
        ms_day_stats_add(&stats, day.day_return, day.units);
        if (daily_returns != NULL)
            daily_returns[d] = day.day_return;
        previous = side;
        held = day.held;
    }
    ms_period_metrics metrics = ms_day_stats_finish(&stats, false, params->days_per_year);
    *result = ms_single_result(&metrics, previous);
}
