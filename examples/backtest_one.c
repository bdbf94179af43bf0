/*
 * backtest_one.c - one strategy on one CSV file: load the bars, predict
 * each of the last days with a simple trailing-mean forecast, build the
 * strategy window those predictions make, evaluate the strategy and print
 * its metrics. (The analyzer does the same with a real model over many
 * simulations; this shows the strategy layer on its own.)
 *
 *   backtest_one FILE.csv [STRATEGY [DAYS]]
 *   defaults: STRATEGY maxdiff, DAYS 30
 *   e.g.      backtest_one ../shared/data/daily/AAPL.csv highlow 60
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <marketsim/marketsim.h>

/* Changes averaged per prediction: a stand-in for a model, only as good as
 * momentum is. */
#define TRAILING 20

/* The window's nine arrays, `days` values each, in one allocation. */
typedef struct window_storage {
    ms_window window;
    double *values;
} window_storage;

/* Mean of column[t]/column[t-1] - 1 over the TRAILING changes ending at t. */
static double trailing_change(const double *column, size_t t)
{
    double sum = 0.0;
    for (size_t j = t + 1 - TRAILING; j <= t; j++)
        sum += column[j] / column[j - 1] - 1.0;
    return sum / TRAILING;
}

/*
 * Day d is the origin t = first + d: predictions use bars up to t only;
 * actuals are bar t+1, all relative to the origin's close (the units of
 * ms_window, strategies.md "Day-level quantities").
 */
static int build_window(const ms_bars *bars, size_t days, window_storage *storage)
{
    const double *close = ms_bars_column(bars, MS_COL_CLOSE);
    const double *high = ms_bars_column(bars, MS_COL_HIGH);
    const double *low = ms_bars_column(bars, MS_COL_LOW);
    size_t first = ms_bars_len(bars) - 1 - days;
    const double *open = ms_bars_column(bars, MS_COL_OPEN);
    double *v = storage->values = malloc(9 * days * sizeof *v);
    if (v == NULL)
        return 0;
    ms_window *w = &storage->window;
    *w = (ms_window){ days, v, v + days, v + 2 * days, v + 3 * days, v + 4 * days,
                      v + 5 * days, v + 6 * days, v + 7 * days, v + 8 * days };
    for (size_t d = 0; d < days; d++) {
        size_t t = first + d;
        double c = close[t], rh = trailing_change(high, t), rl = trailing_change(low, t);
        v[d] = close[t + 1] / c - 1.0;                     /* close_actual */
        v[days + d] = high[t + 1] / c - 1.0;               /* high_actual */
        v[2 * days + d] = low[t + 1] / c - 1.0;            /* low_actual */
        v[3 * days + d] = trailing_change(close, t);       /* close_pred */
        v[4 * days + d] = high[t] * (1.0 + rh) / c - 1.0;  /* high_pred */
        v[5 * days + d] = low[t] * (1.0 + rl) / c - 1.0;   /* low_pred */
        v[6 * days + d] = rh;                              /* high_change_pred */
        v[7 * days + d] = rl;                              /* low_change_pred */
        v[8 * days + d] = open[t + 1] / c - 1.0;           /* open_actual */
    }
    return 1;
}

static void print_metrics(const char *label, const ms_period_metrics *m)
{
    printf("%-10s total %+.4f  daily %+.5f  annual %+.3f  sharpe %.2f  win %.1f%%  trades %.0f\n",
           label, m->total_return, m->avg_daily_return, m->annual_return, m->sharpe,
           m->win_rate * 100.0, m->trades);
}

static int evaluate(const ms_bars *bars, ms_strategy strategy, size_t days)
{
    window_storage storage;
    if (!build_window(bars, days, &storage)) {
        fprintf(stderr, "backtest_one: out of memory\n");
        return 1;
    }
    /* Fees and long-only follow the asset class, as in the analyzer, and
     * so does the fill model: limits filled along the day's path. */
    int crypto = ms_symbol_asset_class(ms_bars_symbol(bars)) == MS_ASSET_CRYPTO;
    ms_strategy_params params = { crypto ? 0.001 : 0.0005, crypto, crypto ? 365.0 : 252.0,
                                  MS_FILLS_BAR_PATH };
    ms_strategy_result result;
    ms_status status = ms_strategy_evaluate(strategy, &storage.window, &params, &result, NULL);
    free(storage.values);
    if (status != MS_OK) {
        fprintf(stderr, "backtest_one: evaluate: %s\n", ms_last_error());
        return 1;
    }
    printf("%s, %s, last %zu days\n", ms_bars_symbol(bars), ms_strategy_name(strategy), days);
    print_metrics("result", &result.metrics);
    if (strategy == MS_STRATEGY_MAXDIFF || strategy == MS_STRATEGY_MAXDIFF_ALWAYS_ON) {
        print_metrics("baseline", &result.baseline);
        print_metrics("optimized", &result.optimized);
    }
    return 0;
}

/* The symbol a file holds, by its name: "dir/AAPL.csv" -> "AAPL". */
static void symbol_from_path(const char *path, char *symbol, size_t size)
{
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    snprintf(symbol, size, "%s", name);
    char *extension = strrchr(symbol, '.');
    if (extension != NULL && extension != symbol)
        *extension = '\0';
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: backtest_one FILE.csv [STRATEGY [DAYS]]\n");
        return 2;
    }
    ms_strategy strategy = MS_STRATEGY_MAXDIFF;
    size_t days = argc > 3 ? strtoul(argv[3], NULL, 10) : 30;
    if (argc > 2 && ms_strategy_from_name(argv[2], &strategy) != MS_OK) {
        fprintf(stderr, "backtest_one: %s\n", ms_last_error());
        return 2;
    }
    ms_bars *bars = NULL;
    char symbol[64];
    symbol_from_path(argv[1], symbol, sizeof symbol);
    if (ms_bars_load_csv(&bars, argv[1], symbol, NULL) != MS_OK) {
        fprintf(stderr, "backtest_one: %s\n", ms_last_error());
        return 1;
    }
    int code = 1;
    if (days == 0 || ms_bars_len(bars) < days + TRAILING + 2)
        fprintf(stderr, "backtest_one: %s: %zu bars, need %zu for %zu days\n", argv[1],
                ms_bars_len(bars), days + TRAILING + 2, days);
    else
        code = evaluate(bars, strategy, days);
    ms_bars_free(bars);
    return code;
}
