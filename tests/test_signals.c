/* test_signals.c - the signal strategies (simple, all_signals, buy_hold,
 * unprofit_shutdown), crypto's long-only rule, ms_strategy_signals for the
 * live day, and the signal evaluator with its checked values. Tolerance
 * 1e-12 unless stated: products and sums of a few decimal fractions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "strategy/strategy_internal.h"
#include "strategy_fixture.h"

#define TOL 1e-12

static void signals_of(ms_strategy strategy, const fixture_days *f,
                       const ms_strategy_params *params, int *signals)
{
    ms_window w = fixture_window(f);
    assert_int_equal(ms_strategy_signals(strategy, &w, params, signals), MS_OK);
}

static void test_evaluator_checked_values(void **state)
{
    (void)state;
    const int signals[5] = { 1, 1, -1, -1, 1 };
    const double returns[5] = { 0.02, 0.01, -0.01, -0.02, 0.03 };
    const double expected[5] = { 0.0195, 0.01, 0.009, 0.02, 0.029 };
    double net[5];
    double total = ms_signal_returns(signals, returns, 5, 0.0005, net);
    for (int d = 0; d < 5; d++)
        assert_near(net[d], expected[d], TOL);
    /* (1.0195)(1.01)(1.009)(1.02)(1.029) - 1 */
    assert_near(total, 0.0904740036028997, TOL);
}

static void test_evaluator_without_days_returns_zero(void **state)
{
    (void)state;
    assert_true(ms_signal_returns(NULL, NULL, 0, 0.0005, NULL) == 0.0);
}

static void test_evaluator_without_signals_returns_nan(void **state)
{
    (void)state;
    const double returns[1] = { 0.01 };
    assert_true(isnan(ms_signal_returns(NULL, returns, 1, 0.0005, NULL)));
}

static void test_simple_is_long_above_zero_else_short(void **state)
{
    (void)state;
    fixture_days f = { .days = 3, .close_pred = { 0.01, -0.02, 0.0 } };
    int s[3];
    signals_of(MS_STRATEGY_SIMPLE, &f, &stock_params, s);
    assert_int_equal(s[0], 1);
    assert_int_equal(s[1], -1);
    assert_int_equal(s[2], -1);
}

static void test_crypto_turns_every_short_into_flat(void **state)
{
    (void)state;
    fixture_days f = { .days = 3, .close_pred = { 0.01, -0.02, 0.0 } };
    int s[3];
    signals_of(MS_STRATEGY_SIMPLE, &f, &crypto_params, s);
    assert_int_equal(s[0], 1);
    assert_int_equal(s[1], 0);
    assert_int_equal(s[2], 0);
}

static void test_all_signals_needs_close_high_and_low_to_agree(void **state)
{
    (void)state;
    fixture_days f = {
        .days = 4, .close_pred = { 0.01, -0.01, 0.01, -0.01 },
        .high_change_pred = { 0.02, -0.02, 0.02, -0.02 },
        .low_change_pred = { 0.005, -0.005, -0.005, 0.0 },
    };
    int s[4];
    signals_of(MS_STRATEGY_ALL_SIGNALS, &f, &stock_params, s);
    assert_int_equal(s[0], 1);  /* all three > 0 */
    assert_int_equal(s[1], -1); /* all three < 0 */
    assert_int_equal(s[2], 0);  /* the low disagrees */
    assert_int_equal(s[3], 0);  /* a zero is neither */
}

static void test_buy_hold_is_long_or_flat(void **state)
{
    (void)state;
    fixture_days f = { .days = 3, .close_pred = { 0.01, -0.02, 0.0 } };
    int s[3];
    signals_of(MS_STRATEGY_BUY_HOLD, &f, &stock_params, s);
    assert_int_equal(s[0], 1);
    assert_int_equal(s[1], 0);
    assert_int_equal(s[2], 0);
}

static void test_unprofit_shutdown_stands_aside_after_a_losing_day(void **state)
{
    (void)state;
    /* s0 = sign(.01) = 1; day 1: 1 x -.02 < 0 -> 0; day 2: previous flat ->
     * sign(.01) = 1; day 3: 1 x .03 > 0 -> sign(-.01) = -1 */
    fixture_days f = {
        .days = 4, .close_pred = { 0.01, 0.01, 0.01, -0.01 },
        .close_actual = { -0.02, 0.01, 0.03, 0.01 },
    };
    int s[4];
    signals_of(MS_STRATEGY_UNPROFIT_SHUTDOWN, &f, &stock_params, s);
    assert_int_equal(s[0], 1);
    assert_int_equal(s[1], 0);
    assert_int_equal(s[2], 1);
    assert_int_equal(s[3], -1);
}

static void test_unprofit_shutdown_judges_the_position_actually_held(void **state)
{
    (void)state;
    /* day 0 short (-1) loses on a .05 rise, so a stock stands aside on day
     * 1; crypto held nothing on day 0 (short zeroed) and goes long. */
    fixture_days f = { .days = 2, .close_pred = { -0.01, 0.01 }, .close_actual = { 0.05, 0.0 } };
    int stock[2], crypto[2];
    signals_of(MS_STRATEGY_UNPROFIT_SHUTDOWN, &f, &stock_params, stock);
    signals_of(MS_STRATEGY_UNPROFIT_SHUTDOWN, &f, &crypto_params, crypto);
    assert_int_equal(stock[1], 0);
    assert_int_equal(crypto[0], 0);
    assert_int_equal(crypto[1], 1);
}

static void test_signals_accept_an_unknown_last_outcome(void **state)
{
    (void)state;
    fixture_days f = { .days = 2, .close_pred = { 0.01, -0.01 }, .close_actual = { 0.02, NAN } };
    f.high_actual[1] = NAN;
    f.low_actual[1] = NAN;
    int s[2];
    signals_of(MS_STRATEGY_UNPROFIT_SHUTDOWN, &f, &stock_params, s);
    assert_int_equal(s[1], -1);
}

static void test_signals_reject_a_non_finite_forecast_by_name(void **state)
{
    (void)state;
    fixture_days f = { .days = 2, .close_pred = { 0.01, NAN } };
    ms_window w = fixture_window(&f);
    int s[2];
    assert_int_equal(ms_strategy_signals(MS_STRATEGY_SIMPLE, &w, &stock_params, s),
                     MS_ERR_DATA);
    assert_non_null(strstr(ms_last_error(), "close_pred[1]"));
}

static void test_signals_refuse_maxdiff_kinds(void **state)
{
    (void)state;
    fixture_days f = { .days = 1 };
    ms_window w = fixture_window(&f);
    int s[1];
    assert_int_equal(ms_strategy_signals(MS_STRATEGY_MAXDIFF, &w, &stock_params, s),
                     MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "maxdiff"));
}

static void test_simple_evaluation_compounds_net_returns(void **state)
{
    (void)state;
    /* signals 1, 1, -1; net .02 - .0005 = .0195, -.01, .03 - 2 x .0005 =
     * .029; total 1.0195 x .99 x 1.029 - 1 = .038574845; mean .0385 / 3;
     * 2 of 3 days won; turnover 1 + 0 + 2 = 3; side = last signal -1 */
    fixture_days f = {
        .days = 3, .close_pred = { 0.01, 0.01, -0.01 }, .close_actual = { 0.02, -0.01, -0.03 },
    };
    ms_window w = fixture_window(&f);
    ms_strategy_result r;
    double daily[3];
    assert_int_equal(ms_strategy_evaluate(MS_STRATEGY_SIMPLE, &w, &stock_params, &r, daily),
                     MS_OK);
    assert_near(daily[2], 0.029, TOL);
    assert_near(r.metrics.total_return, 0.038574845, TOL);
    assert_near(r.metrics.avg_daily_return, 0.0385 / 3, TOL);
    assert_near(r.metrics.annual_return, 0.0385 / 3 * 252, 1e-10);
    assert_near(r.metrics.win_rate, 2.0 / 3.0, TOL);
    assert_int_equal(r.metrics.trades, 3);
    assert_near(r.metrics.turnover, 3.0, 0.0);
    assert_int_equal(r.side, -1);
}

static void test_buy_hold_evaluation_pays_to_step_aside(void **state)
{
    (void)state;
    /* signals 1, 0, 1; net .02 - .0005, 0 - .0005 (selling costs a fee),
     * -.01 - .0005: 1.0195 x .9995 x .9895 - 1 = .008290852375 */
    fixture_days f = {
        .days = 3, .close_pred = { 0.01, -0.01, 0.01 }, .close_actual = { 0.02, 0.03, -0.01 },
    };
    ms_strategy_result r = fixture_evaluate(MS_STRATEGY_BUY_HOLD, &f, &stock_params, NULL);
    assert_near(r.metrics.total_return, 0.008290852375, TOL);
    assert_near(r.metrics.turnover, 3.0, 0.0);
    assert_int_equal(r.side, 1);
}

static void test_all_signals_evaluation(void **state)
{
    (void)state;
    /* signals 1, -1, 0, 0; net .01 - .0005 = .0095, .02 - 2 x .0005 = .019,
     * -.0005, 0: 1.0095 x 1.019 x .9995 - 1 = .02816615975; 2 wins of 3
     * days with a return */
    fixture_days f = {
        .days = 4, .close_pred = { 0.01, -0.01, 0.01, -0.01 },
        .high_change_pred = { 0.02, -0.02, 0.02, -0.02 },
        .low_change_pred = { 0.005, -0.005, -0.005, 0.0 },
        .close_actual = { 0.01, -0.02, 0.05, 0.01 },
    };
    ms_strategy_result r = fixture_evaluate(MS_STRATEGY_ALL_SIGNALS, &f, &stock_params, NULL);
    assert_near(r.metrics.total_return, 0.02816615975, TOL);
    assert_int_equal(r.metrics.trades, 3);
    assert_near(r.metrics.win_rate, 2.0 / 3.0, TOL);
}

static void test_unprofit_shutdown_evaluation(void **state)
{
    (void)state;
    /* signals 1, 0, 1, -1; net -.02 - .0005, -.0005, .03 - .0005,
     * -.01 - 2 x .0005: .9795 x .9995 x 1.0295 x .989 - 1 */
    fixture_days f = {
        .days = 4, .close_pred = { 0.01, 0.01, 0.01, -0.01 },
        .close_actual = { -0.02, 0.01, 0.03, 0.01 },
    };
    ms_strategy_result r = fixture_evaluate(MS_STRATEGY_UNPROFIT_SHUTDOWN, &f, &stock_params, NULL);
    assert_near(r.metrics.total_return, -0.0031957492011247535, TOL);
    assert_near(r.metrics.turnover, 5.0, 0.0); /* 1 + 1 + 1 + 2 */
    assert_int_equal(r.side, -1);
}

static void test_signal_strategy_reports_one_set_of_metrics(void **state)
{
    (void)state;
    fixture_days f = { .days = 2, .close_pred = { 0.01, 0.01 }, .close_actual = { 0.02, 0.01 } };
    ms_strategy_result r = fixture_evaluate(MS_STRATEGY_BUY_HOLD, &f, &stock_params, NULL);
    assert_memory_equal(&r.baseline, &r.metrics, sizeof r.metrics);
    assert_memory_equal(&r.optimized, &r.metrics, sizeof r.metrics);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evaluator_checked_values),
        cmocka_unit_test(test_evaluator_without_days_returns_zero),
        cmocka_unit_test(test_evaluator_without_signals_returns_nan),
        cmocka_unit_test(test_simple_is_long_above_zero_else_short),
        cmocka_unit_test(test_crypto_turns_every_short_into_flat),
        cmocka_unit_test(test_all_signals_needs_close_high_and_low_to_agree),
        cmocka_unit_test(test_buy_hold_is_long_or_flat),
        cmocka_unit_test(test_unprofit_shutdown_stands_aside_after_a_losing_day),
        cmocka_unit_test(test_unprofit_shutdown_judges_the_position_actually_held),
        cmocka_unit_test(test_signals_accept_an_unknown_last_outcome),
        cmocka_unit_test(test_signals_reject_a_non_finite_forecast_by_name),
        cmocka_unit_test(test_signals_refuse_maxdiff_kinds),
        cmocka_unit_test(test_simple_evaluation_compounds_net_returns),
        cmocka_unit_test(test_buy_hold_evaluation_pays_to_step_aside),
        cmocka_unit_test(test_all_signals_evaluation),
        cmocka_unit_test(test_unprofit_shutdown_evaluation),
        cmocka_unit_test(test_signal_strategy_reports_one_set_of_metrics),
    };
    return cmocka_run_group_tests_name("signals", tests, NULL, NULL);
}
