/* test_profit.c - the limit-order profit function (strategies.md, "The
 * limit-order profit function"): its checked table, both exits, clamps,
 * position size and the fee. Tolerance 1e-12: the values are sums of a
 * few decimal fractions, exact to about 1e-17. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "strategy/strategy_internal.h"
#include "strategy_fixture.h"

#define FEE 0.0005
#define TOL 1e-12

static void test_checked_row_long_takes_profit_at_high(void **state)
{
    (void)state;
    /* buy at -.05 (low -.06 touches it), sell at .05 (high .06): .10 - fee */
    assert_near(ms_limit_profit(0.0, 0.06, 0.05, -0.06, -0.05, 1.0, FEE, 0), 0.0995,
                        TOL);
}

static void test_checked_row_short_takes_profit_at_low(void **state)
{
    (void)state;
    /* sell at .05, buy back at -.05: -1 * (-.05 - .05) - fee = .0995 */
    assert_near(ms_limit_profit(0.0, 0.06, 0.05, -0.06, -0.05, -1.0, FEE, 0), 0.0995,
                        TOL);
}

static void test_checked_row_missed_entry_earns_nothing(void **state)
{
    (void)state;
    /* low -.03 never reaches the buy level -.05: no entry, no fee */
    assert_near(ms_limit_profit(0.0, 0.05, 0.05, -0.03, -0.05, 1.0, FEE, 0), 0.0,
                        TOL);
}

static void test_checked_three_days(void **state)
{
    (void)state;
    const double high[3] = { 0.06, 0.03, 0.06 }, low[3] = { -0.06, -0.02, -0.06 };
    const double pos[3] = { 1.0, 1.0, -1.0 }, expected[3] = { 0.0995, 0.0, 0.0995 };
    for (int d = 0; d < 3; d++)
        assert_near(ms_limit_profit(0.0, high[d], 0.05, low[d], -0.05, pos[d], FEE, 0),
                            expected[d], TOL);
}

static void test_long_exits_at_close_when_high_is_not_reached(void **state)
{
    (void)state;
    /* high .04 < sell .05: close .01 - buy -.05 - fee = .0595 */
    assert_near(ms_limit_profit(0.01, 0.04, 0.05, -0.06, -0.05, 1.0, FEE, 0), 0.0595,
                        TOL);
}

static void test_short_exits_at_close_when_low_is_not_reached(void **state)
{
    (void)state;
    /* low -.04 > buy-back -.05: -1 * (close .01 - sell .05) - fee = .0395 */
    assert_near(ms_limit_profit(0.01, 0.06, 0.05, -0.04, -0.05, -1.0, FEE, 0), 0.0395,
                        TOL);
}

static void test_close_at_eod_ignores_the_take_profit_level(void **state)
{
    (void)state;
    /* both levels touched, but exit at the close .01:
     * long  .01 - (-.05) - fee = .0595; short -1 * (.01 - .05) - fee = .0395 */
    assert_near(ms_limit_profit(0.01, 0.06, 0.05, -0.06, -0.05, 1.0, FEE, 1), 0.0595,
                        TOL);
    assert_near(ms_limit_profit(0.01, 0.06, 0.05, -0.06, -0.05, -1.0, FEE, 1), 0.0395,
                        TOL);
}

static void test_levels_are_clamped_to_their_side_of_the_close(void **state)
{
    (void)state;
    /* buy level +.01 clamps to 0 (low -.02 touches it), sell level -.01
     * clamps to 0 and high .03 passes it: take profit 0 - 0 - fee */
    assert_near(ms_limit_profit(0.02, 0.03, -0.01, -0.02, 0.01, 1.0, FEE, 0), -FEE,
                        TOL);
    /* sell .05 reached: .05 - 0 - fee = .0495 */
    assert_near(ms_limit_profit(0.02, 0.06, 0.05, -0.02, 0.01, 1.0, FEE, 0), 0.0495,
                        TOL);
}

static void test_position_scales_profit_and_fee(void **state)
{
    (void)state;
    /* 2 x (.10) - 2 x fee = .199; pos 20 clamps to 10: 10 x .0995 = .995 */
    assert_near(ms_limit_profit(0.0, 0.06, 0.05, -0.06, -0.05, 2.0, FEE, 0), 0.199,
                        TOL);
    assert_near(ms_limit_profit(0.0, 0.06, 0.05, -0.06, -0.05, 20.0, FEE, 0), 0.995,
                        TOL);
}

static void test_flat_position_earns_nothing(void **state)
{
    (void)state;
    assert_near(ms_limit_profit(0.01, 0.06, 0.05, -0.06, -0.05, 0.0, FEE, 0), 0.0,
                        TOL);
}

static void test_limit_day_reports_filled_units(void **state)
{
    (void)state;
    ms_limit_fill filled = ms_limit_day(0.0, 0.06, 0.05, -0.06, -0.05, 2.0, FEE, 0);
    ms_limit_fill missed = ms_limit_day(0.0, 0.05, 0.05, -0.03, -0.05, 1.0, FEE, 0);
    assert_near(filled.units, 2.0, 0.0);
    assert_near(missed.units, 0.0, 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checked_row_long_takes_profit_at_high),
        cmocka_unit_test(test_checked_row_short_takes_profit_at_low),
        cmocka_unit_test(test_checked_row_missed_entry_earns_nothing),
        cmocka_unit_test(test_checked_three_days),
        cmocka_unit_test(test_long_exits_at_close_when_high_is_not_reached),
        cmocka_unit_test(test_short_exits_at_close_when_low_is_not_reached),
        cmocka_unit_test(test_close_at_eod_ignores_the_take_profit_level),
        cmocka_unit_test(test_levels_are_clamped_to_their_side_of_the_close),
        cmocka_unit_test(test_position_scales_profit_and_fee),
        cmocka_unit_test(test_flat_position_earns_nothing),
        cmocka_unit_test(test_limit_day_reports_filled_units),
    };
    return cmocka_run_group_tests_name("profit", tests, NULL, NULL);
}
