/*
 * strategy_fixture.h - shared by the strategy layer's tests: hand-written
 * evaluation windows (a few days of actual and predicted moves in fixed
 * arrays), the parameters of a stock and of a crypto symbol, an
 * evaluate-and-assert helper, and assert_near for doubles (CMocka's float assertion rounds to float).
 * Include after <cmocka.h>.
 */
#ifndef MS_TEST_STRATEGY_FIXTURE_H
#define MS_TEST_STRATEGY_FIXTURE_H

#include <math.h>
#include <stddef.h>

#include "marketsim/strategy.h"

#define FIXTURE_MAX_DAYS 16

typedef struct fixture_days {
    size_t days;
    double close_actual[FIXTURE_MAX_DAYS];
    double high_actual[FIXTURE_MAX_DAYS];
    double low_actual[FIXTURE_MAX_DAYS];
    double close_pred[FIXTURE_MAX_DAYS];
    double high_pred[FIXTURE_MAX_DAYS];
    double low_pred[FIXTURE_MAX_DAYS];
    double high_change_pred[FIXTURE_MAX_DAYS];
    double low_change_pred[FIXTURE_MAX_DAYS];
    double open_actual[FIXTURE_MAX_DAYS];
} fixture_days;

static inline ms_window fixture_window(const fixture_days *f)
{
    return (ms_window){
        f->days, f->close_actual, f->high_actual, f->low_actual, f->close_pred,
        f->high_pred, f->low_pred, f->high_change_pred, f->low_change_pred, f->open_actual,
    };
}

/* The reference fill model: the original's numbers, which the checked
 * values of strategies.md are. */
static const ms_strategy_params stock_params = { 0.0005, 0, 252.0, MS_FILLS_REFERENCE };
static const ms_strategy_params crypto_params = { 0.001, 1, 365.0, MS_FILLS_REFERENCE };

/* Evaluates a strategy on a fixture, asserting success; `daily` may be NULL. */
static inline ms_strategy_result fixture_evaluate(ms_strategy strategy, const fixture_days *f,
                                                  const ms_strategy_params *params,
                                                  double *daily)
{
    ms_window w = fixture_window(f);
    ms_strategy_result result;
    assert_int_equal(ms_strategy_evaluate(strategy, &w, params, &result, daily), MS_OK);
    return result;
}

#define assert_near(actual, expected, tolerance) \
    assert_near_at((actual), (expected), (tolerance), __FILE__, __LINE__)

static inline void assert_near_at(double actual, double expected, double tolerance,
                                  const char *file, int line)
{
    if (!(fabs(actual - expected) <= tolerance)) {
        print_error("%.17g is not %.17g within %g\n", actual, expected, tolerance);
        _fail(file, line);
    }
}

#endif
