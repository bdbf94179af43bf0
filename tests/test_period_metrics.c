/* test_period_metrics.c - one simulation's metrics from its daily returns:
 * totals summed or compounded, averages, Sharpe with its edge cases, win
 * rate, trades and turnover. Tolerance 1e-12 unless stated. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>

#include "strategy/strategy_internal.h"
#include "strategy_fixture.h"

#define TOL 1e-12

static ms_period_metrics metrics_of(const double *returns, size_t days, bool compounded)
{
    ms_day_stats stats = ms_day_stats_start();
    for (size_t d = 0; d < days; d++)
        ms_day_stats_add(&stats, returns[d], 1.0);
    return ms_day_stats_finish(&stats, compounded, 252.0);
}

static void test_sharpe_is_mean_over_sample_deviation_annualised(void **state)
{
    (void)state;
    /* mean .02/3, deviations 1/300, 4/300, -5/300: std(ddof 1) =
     * sqrt(42/90000 / 2); Sharpe = mean / std x sqrt(252) = 4 sqrt(3) */
    const double r[3] = { 0.01, 0.02, -0.01 };
    ms_period_metrics m = metrics_of(r, 3, false);
    assert_near(m.sharpe, 4.0 * sqrt(3.0), TOL);
    assert_near(m.avg_daily_return, 0.02 / 3, TOL);
    assert_near(m.annual_return, 0.02 / 3 * 252, 1e-10);
}

static void test_sharpe_is_nan_for_one_day(void **state)
{
    (void)state;
    const double r[1] = { 0.01 };
    ms_period_metrics m = metrics_of(r, 1, false);
    assert_true(isnan(m.sharpe));
    assert_near(m.avg_daily_return, 0.01, 0.0);
}

static void test_sharpe_is_plus_infinity_for_equal_gains(void **state)
{
    (void)state;
    /* .1 three times: a rounded deviation would be tiny but not 0 */
    const double r[3] = { 0.1, 0.1, 0.1 };
    assert_true(metrics_of(r, 3, false).sharpe == INFINITY);
}

static void test_sharpe_is_minus_infinity_for_equal_losses(void **state)
{
    (void)state;
    const double r[2] = { -0.02, -0.02 };
    assert_true(metrics_of(r, 2, false).sharpe == -INFINITY);
}

static void test_all_zero_days_have_nan_sharpe_and_win_rate(void **state)
{
    (void)state;
    const double r[3] = { 0.0, 0.0, 0.0 };
    ms_period_metrics m = metrics_of(r, 3, false);
    assert_true(isnan(m.sharpe));
    assert_true(isnan(m.win_rate));
    assert_int_equal(m.trades, 0);
}

static void test_win_rate_counts_only_days_with_a_return(void **state)
{
    (void)state;
    const double r[4] = { 0.01, 0.0, -0.02, 0.03 };
    ms_period_metrics m = metrics_of(r, 4, false);
    assert_near(m.win_rate, 2.0 / 3.0, TOL);
    assert_int_equal(m.trades, 3);
}

static void test_total_is_summed_or_compounded(void **state)
{
    (void)state;
    const double r[2] = { 0.1, -0.1 };
    assert_near(metrics_of(r, 2, false).total_return, 0.0, TOL);
    assert_near(metrics_of(r, 2, true).total_return, -0.01, TOL); /* 1.1 x .9 - 1 */
}

static void test_turnover_sums_units_traded(void **state)
{
    (void)state;
    ms_day_stats stats = ms_day_stats_start();
    ms_day_stats_add(&stats, 0.01, 1.0);
    ms_day_stats_add(&stats, 0.0, 0.0);
    ms_day_stats_add(&stats, -0.01, 2.0);
    assert_near(ms_day_stats_finish(&stats, true, 365.0).turnover, 3.0, 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sharpe_is_mean_over_sample_deviation_annualised),
        cmocka_unit_test(test_sharpe_is_nan_for_one_day),
        cmocka_unit_test(test_sharpe_is_plus_infinity_for_equal_gains),
        cmocka_unit_test(test_sharpe_is_minus_infinity_for_equal_losses),
        cmocka_unit_test(test_all_zero_days_have_nan_sharpe_and_win_rate),
        cmocka_unit_test(test_win_rate_counts_only_days_with_a_return),
        cmocka_unit_test(test_total_is_summed_or_compounded),
        cmocka_unit_test(test_turnover_sums_units_traded),
    };
    return cmocka_run_group_tests_name("period_metrics", tests, NULL, NULL);
}
