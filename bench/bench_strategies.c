/*
 * bench_strategies.c - times the strategy layer alone: all eight strategies
 * (MaxDiff optimisation included) on 70 simulations of E = 6 days, one
 * symbol's backtest, on one core, and prints the milliseconds per symbol.
 *
 * Inputs are random but shaped like real ones: daily moves of about 2%,
 * highs above and lows below the close, forecasts near the truth.
 *
 * Run with `make bench`.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "marketsim/strategy.h"

#define SIMULATIONS 70
#define EVAL_DAYS 6
#define DAYS (SIMULATIONS + EVAL_DAYS)
#define REPEATS 200

typedef struct series {
    double close_actual[DAYS], high_actual[DAYS], low_actual[DAYS];
    double close_pred[DAYS], high_pred[DAYS], low_pred[DAYS];
    double high_change_pred[DAYS], low_change_pred[DAYS];
} series;

/* xorshift64*: reproducible without the C library's rand(). */
static double uniform(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return (double)((*state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static double noise(uint64_t *state, double scale)
{
    return (uniform(state) * 2.0 - 1.0) * scale;
}

static void fill_series(series *s, uint64_t seed)
{
    for (size_t d = 0; d < DAYS; d++) {
        double close = noise(&seed, 0.02);
        s->close_actual[d] = close;
        s->high_actual[d] = fmax(close, 0.0) + uniform(&seed) * 0.015;
        s->low_actual[d] = fmin(close, 0.0) - uniform(&seed) * 0.015;
        s->close_pred[d] = close * 0.3 + noise(&seed, 0.01);
        s->high_pred[d] = s->high_actual[d] + noise(&seed, 0.01);
        s->low_pred[d] = s->low_actual[d] + noise(&seed, 0.01);
        s->high_change_pred[d] = noise(&seed, 0.02);
        s->low_change_pred[d] = noise(&seed, 0.02);
    }
}

static ms_window window_at(const series *s, size_t simulation)
{
    size_t first = SIMULATIONS - 1 - simulation;
    return (ms_window){
        EVAL_DAYS,
        s->close_actual + first, s->high_actual + first, s->low_actual + first,
        s->close_pred + first, s->high_pred + first, s->low_pred + first,
        s->high_change_pred + first, s->low_change_pred + first, NULL,
    };
}

/* One symbol's backtest; returns a checksum so nothing is optimised away. */
static double run_symbol(const series *s, const ms_strategy_params *params)
{
    double checksum = 0.0;
    for (size_t k = 0; k < SIMULATIONS; k++) {
        ms_window window = window_at(s, k);
        for (int strategy = 0; strategy < MS_STRATEGY_COUNT; strategy++) {
            ms_strategy_result result;
            if (ms_strategy_evaluate((ms_strategy)strategy, &window, params, &result,
                                     NULL) != MS_OK) {
                fprintf(stderr, "evaluate failed: %s\n", ms_last_error());
                exit(1);
            }
            checksum += result.metrics.total_return;
        }
    }
    return checksum;
}

int main(void)
{
    static series symbols[REPEATS];
    for (size_t r = 0; r < REPEATS; r++)
        fill_series(&symbols[r], 0x9E3779B97F4A7C15ULL + r);
    ms_strategy_params params = { 0.0005, 0, 252.0, MS_FILLS_REFERENCE }; /* no opens */
    double checksum = run_symbol(&symbols[0], &params); /* warm the caches */
    double started = ms_clock_seconds();
    for (size_t r = 0; r < REPEATS; r++)
        checksum += run_symbol(&symbols[r], &params);
    double elapsed = ms_clock_seconds() - started;
    printf("%d simulations x %d days x %d strategies: %.3f ms per symbol "
           "(mean of %d symbols, checksum %.6g)\n",
           SIMULATIONS, EVAL_DAYS, MS_STRATEGY_COUNT, elapsed * 1e3 / REPEATS, REPEATS,
           checksum);
    return 0;
}
