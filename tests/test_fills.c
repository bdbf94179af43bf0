/* test_fills.c - the fill models on handmade one- and two-day bars: a limit
 * filled at the open when the open is already through it, the extreme
 * nearer the open coming first, ties taking the low first, a take profit
 * filled only after its entry, worst keeping the less favourable order,
 * and the other strategies trading only orders that can be placed.
 * Values are returns on the origin close, hand-computed in the comments
 * (fee 0.0005); tolerance 1e-12. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "strategy/strategy_internal.h"
#include "strategy_fixture.h"

#define TOL 1e-12
#define FEE 0.0005

static const ms_strategy_params bar_path = { FEE, 0, 252.0, MS_FILLS_BAR_PATH };
static const ms_strategy_params worst = { FEE, 0, 252.0, MS_FILLS_WORST };

/* One MaxDiff day: predicted high +2%, low -1%, so a long (|.02| > |.01|)
 * buying at -1% and taking profit at +2%; the day spans -3% .. +3%. */
static fixture_days maxdiff_day(double open, double close)
{
    return (fixture_days){
        .days = 1, .open_actual = { open }, .close_actual = { close },
        .high_actual = { 0.03 }, .low_actual = { -0.03 }, .close_pred = { 0.01 },
        .high_pred = { 0.02 }, .low_pred = { -0.01 },
    };
}

static double maxdiff_baseline_day(const fixture_days *f, const ms_strategy_params *params)
{
    double daily[1];
    fixture_evaluate(MS_STRATEGY_MAXDIFF, f, params, daily);
    return daily[0];
}

static void test_a_buy_limit_the_open_is_already_below_fills_at_the_open(void **state)
{
    (void)state;
    /* open -2% is below the -1% limit: bought at -2%, then +3% takes profit
     * at +2%: .02 - (-.02) - fee. The reference buys at the limit. */
    fixture_days f = maxdiff_day(-0.02, 0.0);
    assert_near(maxdiff_baseline_day(&f, &bar_path), 0.0395, TOL);
    assert_near(maxdiff_baseline_day(&f, &stock_params), 0.0295, TOL);
}

static void test_the_extreme_nearer_the_open_comes_first(void **state)
{
    (void)state;
    /* open +2% is nearer the high: +3% first, then -3% fills the buy at
     * -1%, and the take profit, reached only before the entry, does not
     * fill: out at the close 0: 0 - (-.01) - fee. */
    fixture_days f = maxdiff_day(0.02, 0.0);
    assert_near(maxdiff_baseline_day(&f, &bar_path), 0.0095, TOL);
    assert_near(maxdiff_baseline_day(&f, &stock_params), 0.0295, TOL);
}

static void test_a_tie_between_the_extremes_takes_the_low_first(void **state)
{
    (void)state;
    /* open 0, 3% from both extremes: low first, the buy fills at -1%, then
     * +3% takes profit at +2%: .03 - fee. */
    fixture_days f = maxdiff_day(0.0, 0.0);
    assert_near(maxdiff_baseline_day(&f, &bar_path), 0.0295, TOL);
}

static void test_worst_keeps_the_order_of_the_extremes_that_returns_less(void **state)
{
    (void)state;
    /* open 0: low first returns .0295, high first (the take profit before
     * the entry) .0095; worst takes .0095. */
    fixture_days f = maxdiff_day(0.0, 0.0);
    assert_near(maxdiff_baseline_day(&f, &worst), 0.0095, TOL);
}

static void test_a_take_profit_fills_only_on_the_path_after_its_entry(void **state)
{
    (void)state;
    /* A short leg on the tie day (low first): sold at +2% when +3% comes
     * second; its take profit at -1% was passed before, so it exits at the
     * close +1%: .02 - .01 - fee. */
    fixture_days f = maxdiff_day(0.0, 0.01);
    ms_window w = fixture_window(&f);
    ms_bar_path path = ms_bar_path_make(&w, 0, true);
    ms_limit_fill fill = ms_limit_leg_on_path(&path, -1, 0.02, -0.01, FEE, 0);
    assert_near(fill.profit, 0.0095, TOL);
    assert_near(fill.units, 1.0, 0.0);
}

static void test_always_on_worst_takes_the_worse_order_of_both_legs_together(void **state)
{
    (void)state;
    /* Both legs, open 0, close +1%. Low first: long .02 + .01 - fee =
     * .0295, short (see above) .0095: .039. High first: short sold at +2%
     * and covered at -1%, .0295; long bought at -1% and out at the close
     * +1%, .0195: .049. Worst: .039. */
    fixture_days f = maxdiff_day(0.0, 0.01);
    ms_window w = fixture_window(&f);
    ms_limit_plan plan = { &w, true, false, FEE, MS_FILLS_WORST };
    ms_maxdiff_choice at_levels = { 0.0, 0.0, 0 };
    assert_near(ms_limit_plan_run(&plan, &at_levels, NULL, NULL), 0.039, TOL);
}

static void test_path_models_need_the_open(void **state)
{
    (void)state;
    fixture_days f = maxdiff_day(0.0, 0.0);
    ms_window w = fixture_window(&f);
    w.open_actual = NULL;
    ms_strategy_result r;
    assert_int_equal(ms_strategy_evaluate(MS_STRATEGY_MAXDIFF, &w, &bar_path, &r, NULL),
                     MS_ERR_INVALID_ARG);
    assert_int_equal(ms_strategy_evaluate(MS_STRATEGY_MAXDIFF, &w, &stock_params, &r, NULL),
                     MS_OK);
}

static void test_highlow_takes_no_position_when_its_limit_is_not_reached(void **state)
{
    (void)state;
    /* Long (close predicted +1%), buy limit at the predicted low -2%; the
     * day only reaches -1%. The reference credits the close .005 - fee (a
     * buy at the previous close); bar-path has no position. */
    fixture_days f = {
        .days = 1, .open_actual = { 0.0 }, .close_actual = { 0.005 },
        .high_actual = { 0.01 }, .low_actual = { -0.01 }, .close_pred = { 0.01 },
        .high_pred = { 0.02 }, .low_pred = { -0.02 },
    };
    double daily[1];
    ms_strategy_result r = fixture_evaluate(MS_STRATEGY_HIGHLOW, &f, &bar_path, daily);
    assert_near(daily[0], 0.0, 0.0);
    assert_near(r.metrics.trades, 0.0, 0.0);
    fixture_evaluate(MS_STRATEGY_HIGHLOW, &f, &stock_params, daily);
    assert_near(daily[0], 0.0045, TOL);
}

static void test_highlow_takes_profit_at_the_predicted_close_after_its_entry(void **state)
{
    (void)state;
    /* Low first from the open 0: bought at -2%, then the high +3% passes
     * the take profit at the predicted close +1%: .01 - (-.02) - fee. */
    fixture_days f = {
        .days = 1, .open_actual = { 0.0 }, .close_actual = { -0.01 },
        .high_actual = { 0.03 }, .low_actual = { -0.025 }, .close_pred = { 0.01 },
        .high_pred = { 0.02 }, .low_pred = { -0.02 },
    };
    double daily[1];
    fixture_evaluate(MS_STRATEGY_HIGHLOW, &f, &bar_path, daily);
    assert_near(daily[0], 0.0295, TOL);
}

static void test_entry_takeprofit_holds_an_open_position_without_a_new_fee(void **state)
{
    (void)state;
    /* Day 0: long, buy limit at the previous close; the open -0.5% is
     * below it: bought at -0.5%, the take profit +2% is not reached, held
     * at the close +0.8%: .008 + .005 - fee = .0125. Day 1: still long,
     * held from the close (no entry, no fee), low first then +3% takes
     * profit at +2%: .02. */
    fixture_days f = {
        .days = 2, .open_actual = { -0.005, 0.0 }, .close_actual = { 0.008, 0.01 },
        .high_actual = { 0.01, 0.03 }, .low_actual = { -0.01, -0.01 },
        .close_pred = { 0.01, 0.01 }, .high_pred = { 0.02, 0.02 }, .low_pred = { -0.02, -0.02 },
    };
    double daily[2];
    ms_strategy_result r = fixture_evaluate(MS_STRATEGY_ENTRY_TAKEPROFIT, &f, &bar_path, daily);
    assert_near(daily[0], 0.0125, TOL);
    assert_near(daily[1], 0.02, TOL);
    assert_near(r.metrics.turnover, 1.0, 0.0);
}

static void test_entry_takeprofit_misses_a_day_that_opens_and_stays_above_its_entry(void **state)
{
    (void)state;
    /* Buy limit at the previous close; the day opens +1% and never comes
     * back below +0.5%: no position. The reference credits the take
     * profit .02 - fee. */
    fixture_days f = {
        .days = 1, .open_actual = { 0.01 }, .close_actual = { 0.015 },
        .high_actual = { 0.03 }, .low_actual = { 0.005 }, .close_pred = { 0.01 },
        .high_pred = { 0.02 }, .low_pred = { -0.02 },
    };
    double daily[1];
    fixture_evaluate(MS_STRATEGY_ENTRY_TAKEPROFIT, &f, &bar_path, daily);
    assert_near(daily[0], 0.0, 0.0);
    fixture_evaluate(MS_STRATEGY_ENTRY_TAKEPROFIT, &f, &stock_params, daily);
    assert_near(daily[0], 0.0195, TOL);
}

static void test_signal_strategies_trade_their_limit_orders_on_the_path(void **state)
{
    (void)state;
    /* simple, long: buy limit at the previous close, take profit at the
     * predicted close +1%. Low first: bought at 0 on the way to -0.5%,
     * then +2% takes profit: .01 - fee. The reference holds close to
     * close: .012 - fee. */
    fixture_days f = {
        .days = 1, .open_actual = { 0.005 }, .close_actual = { 0.012 },
        .high_actual = { 0.02 }, .low_actual = { -0.005 }, .close_pred = { 0.01 },
        .high_pred = { 0.02 }, .low_pred = { -0.02 },
    };
    double daily[1];
    fixture_evaluate(MS_STRATEGY_SIMPLE, &f, &bar_path, daily);
    assert_near(daily[0], 0.0095, TOL);
    fixture_evaluate(MS_STRATEGY_SIMPLE, &f, &stock_params, daily);
    assert_near(daily[0], 0.0115, TOL);
}

static void test_fill_model_names_parse_and_print(void **state)
{
    (void)state;
    ms_fill_model model = MS_FILLS_UNSET;
    assert_int_equal(ms_fill_model_parse("Bar-Path", &model), MS_OK);
    assert_int_equal(model, MS_FILLS_BAR_PATH);
    assert_string_equal(ms_fill_model_name(MS_FILLS_WORST), "worst");
    assert_null(ms_fill_model_name(MS_FILLS_UNSET));
    assert_int_equal(ms_fill_model_parse("optimistic", &model), MS_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_buy_limit_the_open_is_already_below_fills_at_the_open),
        cmocka_unit_test(test_the_extreme_nearer_the_open_comes_first),
        cmocka_unit_test(test_a_tie_between_the_extremes_takes_the_low_first),
        cmocka_unit_test(test_worst_keeps_the_order_of_the_extremes_that_returns_less),
        cmocka_unit_test(test_a_take_profit_fills_only_on_the_path_after_its_entry),
        cmocka_unit_test(test_always_on_worst_takes_the_worse_order_of_both_legs_together),
        cmocka_unit_test(test_path_models_need_the_open),
        cmocka_unit_test(test_highlow_takes_no_position_when_its_limit_is_not_reached),
        cmocka_unit_test(test_highlow_takes_profit_at_the_predicted_close_after_its_entry),
        cmocka_unit_test(test_entry_takeprofit_holds_an_open_position_without_a_new_fee),
        cmocka_unit_test(test_entry_takeprofit_misses_a_day_that_opens_and_stays_above_its_entry),
        cmocka_unit_test(test_signal_strategies_trade_their_limit_orders_on_the_path),
        cmocka_unit_test(test_fill_model_names_parse_and_print),
    };
    return cmocka_run_group_tests_name("fills", tests, NULL, NULL);
}
