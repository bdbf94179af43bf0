/*
 * marketsim/strategy.h - the trading strategies of strategies.md, evaluated
 * on one simulation's evaluation days, and the limit-order profit function
 * they are built on.
 *
 * All quantities are returns relative to the origin day's close (see
 * ms_window). Caller-owned arrays are only read (or, for outputs, written)
 * during the call; nothing here allocates.
 *
 * Thread safety: functions here are pure, with no global state: safe from
 * any thread.
 *
 * Errors: a function returning ms_status returns MS_OK or one of the
 * negative codes its comment lists, and then ms_last_error() holds the
 * message (common.h). Functions returning a double report bad input as NaN.
 */
#ifndef MARKETSIM_STRATEGY_H
#define MARKETSIM_STRATEGY_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ms_strategy {
    MS_STRATEGY_MAXDIFF = 0,
    MS_STRATEGY_MAXDIFF_ALWAYS_ON = 1,
    MS_STRATEGY_SIMPLE = 2,
    MS_STRATEGY_ALL_SIGNALS = 3,
    MS_STRATEGY_BUY_HOLD = 4,
    MS_STRATEGY_UNPROFIT_SHUTDOWN = 5,
    MS_STRATEGY_ENTRY_TAKEPROFIT = 6,
    MS_STRATEGY_HIGHLOW = 7,
    MS_STRATEGY_COUNT = 8
} ms_strategy;

/* The strategy's report name ("maxdiff", "maxdiff_always_on", "simple", ...):
 * a static string; NULL if out of range. */
MS_API const char *ms_strategy_name(ms_strategy strategy);

/* Looks a strategy up by its report name (case-insensitive). Errors:
 * MS_ERR_NOT_FOUND, MS_ERR_INVALID_ARG (NULL name or out). */
MS_API ms_status ms_strategy_from_name(const char *name, ms_strategy *out);

/*
 * The limit-order profit of one day (strategies.md, "The limit-order profit
 * function"): a buy limit at `low_pred_level`, a sell limit at
 * `high_pred_level`, position `pos` (> 0 long, < 0 short, |pos| <= 10),
 * `fee` charged once on entry. With close_at_eod the position is closed at
 * the day's close, otherwise it takes profit at the opposite level. Actuals
 * and levels are returns relative to the origin close; the result is the
 * day's return on `pos`.
 */
MS_API double ms_limit_profit(double close_actual, double high_actual,
                              double high_level, double low_actual,
                              double low_level, double pos, double fee,
                              int close_at_eod);

/*
 * Where a limit order fills on a daily bar (docs/strategies.md, "Fill
 * models"). REFERENCE: whenever the day's range covers it, whatever the
 * order of the high and the low (the original's rule). BAR_PATH: the day
 * moves open -> the extreme nearer the open (the low on a tie) -> the other
 * extreme -> close; a limit fills where the path crosses it, at the limit,
 * or at the open when the open is already through it, and a take profit
 * only on the path after its entry. WORST: of the two orders of the
 * extremes, the one less favourable to the strategy. UNSET (-1) is for
 * options structs: their default, BAR_PATH.
 */
typedef enum ms_fill_model {
    MS_FILLS_UNSET = -1,
    MS_FILLS_REFERENCE = 0,
    MS_FILLS_BAR_PATH = 1,
    MS_FILLS_WORST = 2
} ms_fill_model;

/* The model's name ("reference", "bar-path", "worst"): a static string;
 * NULL for UNSET or out of range. */
MS_API const char *ms_fill_model_name(ms_fill_model model);

/* Parses a fill model name (case-insensitive). Errors: MS_ERR_INVALID_ARG
 * naming an unknown name, or a NULL argument. */
MS_API ms_status ms_fill_model_parse(const char *text, ms_fill_model *out);

/*
 * One simulation's evaluation days, each relative to that day's origin close
 * C_t: actual next-bar close/high/low (C_{t+1}/C_t - 1, H_{t+1}/C_t - 1,
 * L_{t+1}/C_t - 1), predicted next close/high/low in the same units, and the
 * predicted one-step changes of the high and low columns themselves
 * (rH_hat, rL_hat; the close's is close_pred), and the actual open. Arrays
 * hold `days` values.
 */
typedef struct ms_window {
    size_t days;
    const double *close_actual;
    const double *high_actual;
    const double *low_actual;
    const double *close_pred;
    const double *high_pred;
    const double *low_pred;
    const double *high_change_pred;
    const double *low_change_pred;
    /* The actual next-bar open, O_{t+1}/C_t - 1: needed by the path fill
     * models only (may be NULL with MS_FILLS_REFERENCE). */
    const double *open_actual;
} ms_window;

typedef struct ms_strategy_params {
    double fee;             /* per unit traded: 0.0005 stocks, 0.001 crypto */
    int long_only;          /* crypto: every short signal becomes 0 */
    double days_per_year;   /* 252 stocks, 365 crypto */
    /* The fill model. Every strategy's next-day order is a limit, so a
     * path model evaluates every strategy on the orders `trade` places
     * (docs/strategies.md, "What gets traded"); MS_FILLS_REFERENCE keeps
     * the original's formulas. 0, what a struct written before fill models
     * holds, is MS_FILLS_REFERENCE; UNSET is refused here. */
    ms_fill_model fills;
} ms_strategy_params;

/* Metrics of one strategy over one simulation's days (strategies.md, "Metrics"). */
typedef struct ms_period_metrics {
    double total_return;      /* summed (limit-order, percent-move) or compounded (signal) */
    double avg_daily_return;
    double annual_return;     /* avg_daily_return * days_per_year */
    double sharpe;            /* NaN (< 2 days or all-zero), +-inf (zero deviation) */
    double win_rate;          /* #(r > 0) / #(r != 0); NaN when no day traded */
    double turnover;          /* units traded that pay the fee: sum of |position change|
                                 (signal), filled limit entries (MaxDiff kinds), entries
                                 and closes paying the fee (percent-move, and every
                                 strategy under a path fill model) */
    double trades;            /* days with a non-zero return (a count; a double so
                                 averages over simulations keep their fraction) */
} ms_period_metrics;

/* Offsets chosen by the MaxDiff optimiser. */
typedef struct ms_maxdiff_choice {
    double high_offset;       /* h added to high_pred */
    double low_offset;        /* l added to low_pred */
    int close_at_eod;
} ms_maxdiff_choice;

typedef struct ms_strategy_result {
    ms_period_metrics metrics;     /* top level; MaxDiff kinds: baseline + 0.3 * optimised */
    ms_period_metrics baseline;    /* MaxDiff kinds only, else equal to metrics */
    ms_period_metrics optimized;   /* MaxDiff kinds only, else equal to metrics */
    ms_maxdiff_choice baseline_choice;   /* MaxDiff kinds only: h = l = 0 and its close_at_eod */
    ms_maxdiff_choice optimized_choice;  /* MaxDiff kinds only */
    int side;                      /* MaxDiff: majority sign of its trades (0 on a tie); others: last day's signal */
} ms_strategy_result;

/*
 * Evaluates one strategy on a window. `daily_returns`, when not NULL,
 * receives window->days values: the strategy's daily returns (for MaxDiff
 * kinds, those of the baseline). `result` may not be NULL.
 * Errors: MS_ERR_INVALID_ARG (NULL arrays,
 * zero days, unknown strategy, fee < 0, days_per_year <= 0, an unknown fill
 * model, a path fill model without open_actual), MS_ERR_DATA (a non-finite
 * value in the window, named with its day).
 */
MS_API ms_status ms_strategy_evaluate(ms_strategy strategy,
                                      const ms_window *window,
                                      const ms_strategy_params *params,
                                      ms_strategy_result *result,
                                      double *daily_returns);

/*
 * As ms_strategy_evaluate, but the MaxDiff kinds choose their offsets and
 * close_at_eod (optimised and baseline) on `fit_window`, the days before
 * `window`, and score those choices on `window`: offsets chosen before the
 * days they are scored on (walk-forward). fit_window NULL chooses them on
 * `window` itself, the original's in-sample rule (ms_strategy_evaluate).
 * The other strategies ignore fit_window. Errors as ms_strategy_evaluate,
 * for either window.
 */
MS_API ms_status ms_strategy_evaluate_fitted(ms_strategy strategy,
                                             const ms_window *fit_window,
                                             const ms_window *window,
                                             const ms_strategy_params *params,
                                             ms_strategy_result *result,
                                             double *daily_returns);

/*
 * The position signal each day for the signal and percent-move strategies
 * (simple, all_signals, buy_hold, unprofit_shutdown, entry_takeprofit,
 * highlow), in {-1, 0, +1}, shorts zeroed when long_only. Day d's signal
 * depends on predictions of day d and actual outcomes before d only, so a
 * window whose last day's actuals are unknown (NaN) still yields that day's
 * signal: the live decision. `signals` receives window->days values.
 * Errors as ms_strategy_evaluate, except that
 * the last day's actuals may be non-finite; MaxDiff kinds:
 * MS_ERR_INVALID_ARG.
 */
MS_API ms_status ms_strategy_signals(ms_strategy strategy,
                                     const ms_window *window,
                                     const ms_strategy_params *params,
                                     int *signals);

/*
 * The signal evaluator: turnover_d = |s_d - s_{d-1}| (s_{-1} = 0),
 * net_d = s_d * returns_d - turnover_d * fee. Writes `days` net returns to
 * `net` (may be NULL) and returns the compounded total prod(1 + net) - 1:
 * 0 for zero days, NaN when signals or returns is NULL with days > 0.
 */
MS_API double ms_signal_returns(const int *signals, const double *returns,
                                size_t days, double fee, double *net);

#ifdef __cplusplus
}
#endif
#endif
