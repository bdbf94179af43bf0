/* test_maxdiff.c - MaxDiff and MaxDiffAlwaysOn as ms_strategy_evaluate
 * reports them: the trade rule, baselines and their close_at_eod, the
 * 0.3 blend, what the top level takes from the baseline, both legs of
 * AlwaysOn, crypto's long-only rule and the majority side. Expected values
 * are worked out in the comments; tolerance 1e-12 (sums of a few decimal
 * fractions). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>

#include "strategy/strategy_internal.h"
#include "strategy_fixture.h"

#define TOL 1e-12

/* A long-trade day (|.012| > |-.01|) that fills and reaches its take-profit
 * level at every offset in the box (high .05, low -.05). */
static fixture_days long_day(double close)
{
    return (fixture_days){
        .days = 1, .close_actual = { close }, .high_actual = { 0.05 },
        .low_actual = { -0.05 }, .high_pred = { 0.012 }, .low_pred = { -0.01 },
    };
}

static void test_trade_follows_the_wider_predicted_extreme(void **state)
{
    (void)state;
    fixture_days f = {
        .days = 4, .high_pred = { 0.02, 0.01, 0.01, 0.01 },
        .low_pred = { -0.01, -0.02, -0.01, 0.01 },
    };
    ms_window w = fixture_window(&f);
    assert_int_equal(ms_maxdiff_trade(&w, 0, false), 1);  /* |.02| > |-.01| */
    assert_int_equal(ms_maxdiff_trade(&w, 1, false), -1); /* |.01| < |-.02| */
    assert_int_equal(ms_maxdiff_trade(&w, 2, false), -1); /* equal: not greater */
    assert_int_equal(ms_maxdiff_trade(&w, 3, false), 0);  /* low >= high: invalid */
    assert_int_equal(ms_maxdiff_trade(&w, 1, true), 0);   /* crypto: no short */
    assert_int_equal(ms_maxdiff_trade(&w, 0, true), 1);
}

static void test_baseline_keeps_close_at_eod_false_when_it_is_better(void **state)
{
    (void)state;
    fixture_days f = long_day(0.0);
    ms_strategy_result r = fixture_evaluate(MS_STRATEGY_MAXDIFF, &f, &stock_params, NULL);
    /* take profit: .012 - (-.01) - .0005 = .0215; at the close 0: .01 - .0005 */
    assert_int_equal(r.baseline_choice.close_at_eod, 0);
    assert_true(r.baseline_choice.high_offset == 0.0 && r.baseline_choice.low_offset == 0.0);
    assert_near(r.baseline.total_return, 0.0215, TOL);
}

static void test_baseline_takes_close_at_eod_when_it_is_better(void **state)
{
    (void)state;
    fixture_days f = long_day(0.05);
    ms_strategy_result r = fixture_evaluate(MS_STRATEGY_MAXDIFF, &f, &stock_params, NULL);
    /* at the close .05: .05 - (-.01) - .0005 = .0595 > take profit .0215 */
    assert_int_equal(r.baseline_choice.close_at_eod, 1);
    assert_near(r.baseline.total_return, 0.0595, TOL);
}

static void test_baseline_tie_keeps_close_at_eod_false(void **state)
{
    (void)state;
    fixture_days f = long_day(0.0);
    f.low_actual[0] = 0.0; /* the buy at -.01 never fills: 0 either way */
    ms_strategy_result r = fixture_evaluate(MS_STRATEGY_MAXDIFF, &f, &stock_params, NULL);
    assert_int_equal(r.baseline_choice.close_at_eod, 0);
    assert_near(r.baseline.total_return, 0.0, 0.0);
}

static void test_top_level_is_baseline_plus_three_tenths_optimized(void **state)
{
    (void)state;
    fixture_days f = long_day(0.0);
    ms_strategy_result r = fixture_evaluate(MS_STRATEGY_MAXDIFF, &f, &stock_params, NULL);
    /* baseline .0215; optimised at h = .03, l = -.03: .042 + .04 - .0005 =
     * .0815; top = .0215 + .3 x .0815 = .04595, one day so the same daily,
     * annualised x 252 = 11.5794; one day: Sharpe NaN. */
    assert_near(r.optimized.total_return, 0.0815, TOL);
    assert_near(r.optimized_choice.high_offset, 0.03, TOL);
    assert_near(r.optimized_choice.low_offset, -0.03, TOL);
    assert_near(r.metrics.total_return, 0.04595, TOL);
    assert_near(r.metrics.avg_daily_return, 0.04595, TOL);
    assert_near(r.metrics.annual_return, 11.5794, 1e-10);
    assert_true(isnan(r.metrics.sharpe));
}

static void test_top_level_sharpe_blends_with_the_same_weight(void **state)
{
    (void)state;
    fixture_days f = {
        .days = 3, .close_actual = { 0.01, -0.02, 0.005 }, .high_actual = { 0.03, 0.01, 0.012 },
        .low_actual = { -0.01, -0.03, -0.02 }, .high_pred = { 0.02, 0.005, 0.015 },
        .low_pred = { -0.005, -0.02, -0.01 },
    };
    ms_strategy_result r = fixture_evaluate(MS_STRATEGY_MAXDIFF, &f, &stock_params, NULL);
    assert_true(isfinite(r.baseline.sharpe) && isfinite(r.optimized.sharpe));
    assert_near(r.metrics.sharpe, r.baseline.sharpe + 0.3 * r.optimized.sharpe, TOL);
}

static void test_top_level_trades_win_rate_and_turnover_are_the_baseline_ones(void **state)
{
    (void)state;
    /* Day 2 (long: |.3| > |-.02|) misses its baseline buy at -.02 (low
     * -.015) but a raised buy level fills and takes a large profit (high
     * .5), so the optimised offsets fill both days. Baseline: 1 trade, 1
     * win, 1 unit filled; optimised: 2, 2, 2. */
    fixture_days f = long_day(0.0);
    f.days = 2;
    f.close_actual[1] = 0.0;
    f.high_actual[1] = 0.5;
    f.low_actual[1] = -0.015;
    f.high_pred[1] = 0.3;
    f.low_pred[1] = -0.02;
    ms_strategy_result r = fixture_evaluate(MS_STRATEGY_MAXDIFF, &f, &stock_params, NULL);
    assert_int_equal(r.baseline.trades, 1);
    assert_int_equal(r.optimized.trades, 2);
    assert_int_equal(r.metrics.trades, 1);
    assert_near(r.metrics.win_rate, 1.0, 0.0);
    assert_near(r.metrics.turnover, 1.0, 0.0);
    assert_near(r.optimized.turnover, 2.0, 0.0);
}

static void test_daily_returns_are_the_baseline_ones(void **state)
{
    (void)state;
    fixture_days f = long_day(0.0);
    double daily[1];
    fixture_evaluate(MS_STRATEGY_MAXDIFF, &f, &stock_params, daily);
    assert_near(daily[0], 0.0215, TOL);
}

static void test_invalid_forecast_day_has_no_maxdiff_trade(void **state)
{
    (void)state;
    fixture_days f = {
        .days = 1, .close_actual = { 0.005 }, .high_actual = { 0.02 },
        .low_actual = { -0.02 }, .high_pred = { -0.01 }, .low_pred = { 0.01 },
    };
    ms_strategy_result r = fixture_evaluate(MS_STRATEGY_MAXDIFF, &f, &stock_params, NULL);
    assert_near(r.metrics.total_return, 0.0, 0.0);
    assert_int_equal(r.metrics.trades, 0);
    assert_true(isnan(r.metrics.win_rate));
    assert_int_equal(r.side, 0);
}

static void test_always_on_trades_both_legs_on_invalid_forecast_days(void **state)
{
    (void)state;
    fixture_days f = {
        .days = 1, .close_actual = { 0.005 }, .high_actual = { 0.02 },
        .low_actual = { -0.02 }, .high_pred = { -0.01 }, .low_pred = { 0.01 },
    };
    ms_strategy_result r = fixture_evaluate(MS_STRATEGY_MAXDIFF_ALWAYS_ON, &f, &stock_params, NULL);
    /* Both levels clamp to 0 and both fill (low -.02 < 0 < high .02); each
     * leg takes profit at the other level, 0: long 0 - 0 - .0005, short
     * -(0 - 0) - .0005; the day returns -.001 on 2 filled units. */
    assert_near(r.baseline.total_return, -0.001, TOL);
    assert_near(r.baseline.turnover, 2.0, 0.0);
    assert_int_equal(r.baseline_choice.close_at_eod, 0);
}

static void test_always_on_day_sums_long_and_short_profit(void **state)
{
    (void)state;
    fixture_days f = {
        .days = 1, .close_actual = { 0.01 }, .high_actual = { 0.06 },
        .low_actual = { -0.06 }, .high_pred = { 0.05 }, .low_pred = { -0.05 },
    };
    ms_strategy_result r = fixture_evaluate(MS_STRATEGY_MAXDIFF_ALWAYS_ON, &f, &stock_params, NULL);
    /* long .05 - (-.05) - .0005 = .0995, short -1 x (-.05 - .05) - .0005 =
     * .0995: the day .199 */
    assert_near(r.baseline.total_return, 0.199, TOL);
}

static void test_always_on_crypto_has_no_short_leg(void **state)
{
    (void)state;
    fixture_days f = {
        .days = 1, .close_actual = { 0.01 }, .high_actual = { 0.06 },
        .low_actual = { -0.06 }, .high_pred = { 0.05 }, .low_pred = { -0.05 },
    };
    ms_strategy_result r = fixture_evaluate(MS_STRATEGY_MAXDIFF_ALWAYS_ON, &f, &crypto_params, NULL);
    /* the long alone, at the crypto fee: .1 - .001 = .099 */
    assert_near(r.baseline.total_return, 0.099, TOL);
    assert_near(r.baseline.turnover, 1.0, 0.0);
}

static void test_always_on_baseline_stays_at_close_at_eod_false(void **state)
{
    (void)state;
    /* Crypto (long only), closing at .05 above the take-profit .012:
     * holding would give .05 + .01 - .001 = .059, but AlwaysOn's baseline
     * takes profit: .012 + .01 - .001 = .021. */
    fixture_days f = long_day(0.05);
    ms_strategy_result r = fixture_evaluate(MS_STRATEGY_MAXDIFF_ALWAYS_ON, &f, &crypto_params, NULL);
    assert_int_equal(r.baseline_choice.close_at_eod, 0);
    assert_near(r.baseline.total_return, 0.021, TOL);
}

static void test_crypto_maxdiff_skips_short_trades(void **state)
{
    (void)state;
    /* a short-trade day (|.01| < |-.05|) that would profit as a short */
    fixture_days f = {
        .days = 1, .close_actual = { 0.0 }, .high_actual = { 0.06 },
        .low_actual = { -0.06 }, .high_pred = { 0.01 }, .low_pred = { -0.05 },
    };
    ms_strategy_result stock = fixture_evaluate(MS_STRATEGY_MAXDIFF, &f, &stock_params, NULL);
    ms_strategy_result crypto = fixture_evaluate(MS_STRATEGY_MAXDIFF, &f, &crypto_params, NULL);
    /* stock short: sell .01, buy back -.05: .06 - .0005 = .0595 */
    assert_near(stock.baseline.total_return, 0.0595, TOL);
    assert_near(crypto.metrics.total_return, 0.0, 0.0);
    assert_int_equal(stock.side, -1);
    assert_int_equal(crypto.side, 0);
}

/* Three days of trades +1, +1, -1 (by |high_pred| vs |low_pred|). */
static fixture_days two_longs_one_short(void)
{
    return (fixture_days){
        .days = 3, .close_actual = { 0.0, 0.0, 0.0 }, .high_actual = { 0.01, 0.01, 0.01 },
        .low_actual = { -0.01, -0.01, -0.01 }, .high_pred = { 0.02, 0.02, 0.01 },
        .low_pred = { -0.01, -0.01, -0.02 },
    };
}

static void test_side_is_the_majority_trade_sign(void **state)
{
    (void)state;
    fixture_days f = two_longs_one_short();
    assert_int_equal(fixture_evaluate(MS_STRATEGY_MAXDIFF, &f, &stock_params, NULL).side, 1);
    assert_int_equal(fixture_evaluate(MS_STRATEGY_MAXDIFF_ALWAYS_ON, &f, &stock_params, NULL).side, 1);
}

static void test_side_is_negative_when_shorts_are_the_majority(void **state)
{
    (void)state;
    fixture_days f = two_longs_one_short();
    f.high_pred[1] = 0.01; /* day 2 now short: +1, -1, -1 */
    f.low_pred[1] = -0.02;
    assert_int_equal(fixture_evaluate(MS_STRATEGY_MAXDIFF, &f, &stock_params, NULL).side, -1);
}

static void test_side_is_zero_on_a_tie(void **state)
{
    (void)state;
    fixture_days f = two_longs_one_short();
    f.days = 2; /* trades +1, -1 */
    f.high_pred[1] = 0.01;
    f.low_pred[1] = -0.02;
    assert_int_equal(fixture_evaluate(MS_STRATEGY_MAXDIFF, &f, &stock_params, NULL).side, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trade_follows_the_wider_predicted_extreme),
        cmocka_unit_test(test_baseline_keeps_close_at_eod_false_when_it_is_better),
        cmocka_unit_test(test_baseline_takes_close_at_eod_when_it_is_better),
        cmocka_unit_test(test_baseline_tie_keeps_close_at_eod_false),
        cmocka_unit_test(test_top_level_is_baseline_plus_three_tenths_optimized),
        cmocka_unit_test(test_top_level_sharpe_blends_with_the_same_weight),
        cmocka_unit_test(test_top_level_trades_win_rate_and_turnover_are_the_baseline_ones),
        cmocka_unit_test(test_daily_returns_are_the_baseline_ones),
        cmocka_unit_test(test_invalid_forecast_day_has_no_maxdiff_trade),
        cmocka_unit_test(test_always_on_trades_both_legs_on_invalid_forecast_days),
        cmocka_unit_test(test_always_on_day_sums_long_and_short_profit),
        cmocka_unit_test(test_always_on_crypto_has_no_short_leg),
        cmocka_unit_test(test_always_on_baseline_stays_at_close_at_eod_false),
        cmocka_unit_test(test_crypto_maxdiff_skips_short_trades),
        cmocka_unit_test(test_side_is_the_majority_trade_sign),
        cmocka_unit_test(test_side_is_negative_when_shorts_are_the_majority),
        cmocka_unit_test(test_side_is_zero_on_a_tie),
    };
    return cmocka_run_group_tests_name("maxdiff", tests, NULL, NULL);
}
