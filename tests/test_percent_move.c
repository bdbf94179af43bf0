/* test_percent_move.c - entry_takeprofit and highlow under the reference
 * fill model: their daily returns, the original's fee rule (fee to open a
 * side, 2 x fee on a straight flip, nothing while the side stays or when
 * flat), crypto's flat shorts and summed totals. Tolerance 1e-12: sums of
 * a few decimal fractions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "strategy/strategy_internal.h"
#include "strategy_fixture.h"

#define TOL 1e-12

/* Long, long, short (a flip), short; the take-profit or entry level is
 * reached on days 0 and 2 only. */
static fixture_days long_long_short_short(void)
{
    return (fixture_days){
        .days = 4, .close_pred = { 0.01, 0.01, -0.01, -0.01 },
        .close_actual = { 0.01, 0.005, -0.01, -0.004 },
        .high_actual = { 0.03, 0.01, 0.03, 0.01 }, .low_actual = { -0.03, -0.01, -0.03, -0.01 },
        .high_pred = { 0.02, 0.02, 0.02, 0.02 }, .low_pred = { -0.02, -0.02, -0.02, -0.02 },
    };
}

static void test_entry_takeprofit_daily_returns_and_fees(void **state)
{
    (void)state;
    fixture_days f = long_long_short_short();
    double daily[4];
    ms_strategy_result r = fixture_evaluate(MS_STRATEGY_ENTRY_TAKEPROFIT, &f, &stock_params, daily);
    assert_near(daily[0], 0.0195, TOL); /* high .03 >= .02: take .02, open fee */
    assert_near(daily[1], 0.005, TOL);  /* high .01 < .02: close .005, still long: no fee */
    assert_near(daily[2], 0.019, TOL);  /* low -.03 <= -.02: take .02, flip 2 x fee */
    assert_near(daily[3], 0.004, TOL);  /* low -.01 > -.02: -close .004, still short */
    assert_near(r.metrics.total_return, 0.0475, TOL); /* summed, not compounded */
    assert_near(r.metrics.turnover, 3.0, 0.0);         /* 1 + 0 + 2 + 0 */
    assert_int_equal(r.side, -1);
}

static void test_highlow_daily_returns_and_fees(void **state)
{
    (void)state;
    fixture_days f = long_long_short_short();
    double daily[4];
    ms_strategy_result r = fixture_evaluate(MS_STRATEGY_HIGHLOW, &f, &stock_params, daily);
    assert_near(daily[0], 0.0295, TOL); /* low reached: close .01 - (-.02) - fee */
    assert_near(daily[1], 0.005, TOL);  /* low missed: close .005, same side: no fee */
    assert_near(daily[2], 0.029, TOL);  /* high reached: .02 - (-.01) - 2 x fee */
    assert_near(daily[3], 0.004, TOL);  /* high missed: -(-.004), same side */
    assert_near(r.metrics.total_return, 0.0675, TOL);
    assert_int_equal(r.metrics.trades, 4);
    assert_near(r.metrics.win_rate, 1.0, 0.0);
}

static void test_crypto_short_days_are_flat_and_free(void **state)
{
    (void)state;
    fixture_days f = long_long_short_short();
    double daily[4];
    ms_strategy_result r = fixture_evaluate(MS_STRATEGY_ENTRY_TAKEPROFIT, &f, &crypto_params, daily);
    /* .02 - .001, .005 (still long), then flat */
    assert_near(daily[0], 0.019, TOL);
    assert_near(daily[1], 0.005, TOL);
    assert_near(daily[2], 0.0, 0.0);
    assert_near(daily[3], 0.0, 0.0);
    assert_near(r.metrics.total_return, 0.024, TOL);
    assert_int_equal(r.metrics.trades, 2);
    assert_int_equal(r.side, 0);
}

static void test_reentering_after_a_flat_day_costs_one_fee(void **state)
{
    (void)state;
    /* crypto long, flat, long; highs never reach .02: returns are closes */
    fixture_days f = {
        .days = 3, .close_pred = { 0.01, -0.01, 0.01 }, .close_actual = { 0.01, 0.02, 0.01 },
        .high_actual = { 0.015, 0.025, 0.015 }, .low_actual = { -0.01, -0.01, -0.01 },
        .high_pred = { 0.02, 0.02, 0.02 }, .low_pred = { -0.02, -0.02, -0.02 },
    };
    double daily[3];
    ms_strategy_result r = fixture_evaluate(MS_STRATEGY_ENTRY_TAKEPROFIT, &f, &crypto_params, daily);
    assert_near(daily[2], 0.009, TOL); /* .01 - .001 */
    assert_near(r.metrics.total_return, 0.018, TOL);
    assert_near(r.metrics.turnover, 2.0, 0.0);
}

static void test_percent_move_signals_follow_the_predicted_close(void **state)
{
    (void)state;
    fixture_days f = long_long_short_short();
    ms_window w = fixture_window(&f);
    int s[4];
    assert_int_equal(ms_strategy_signals(MS_STRATEGY_HIGHLOW, &w, &stock_params, s), MS_OK);
    assert_int_equal(s[0], 1);
    assert_int_equal(s[2], -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entry_takeprofit_daily_returns_and_fees),
        cmocka_unit_test(test_highlow_daily_returns_and_fees),
        cmocka_unit_test(test_crypto_short_days_are_flat_and_free),
        cmocka_unit_test(test_reentering_after_a_flat_day_costs_one_fee),
        cmocka_unit_test(test_percent_move_signals_follow_the_predicted_close),
    };
    return cmocka_run_group_tests_name("percent_move", tests, NULL, NULL);
}
