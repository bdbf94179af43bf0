/* test_metrics.c - return-series metrics against the values empyrical's
 * own test suite publishes (docs/strategies.md), to 1e-9, plus the edge cases and
 * argument checks of ms_metrics_compute. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "marketsim/metrics.h"
#include "strategy_fixture.h"

#define PUBLISHED_TOL 1e-9
#define TOL 1e-12

static const double mixed[9] = { NAN, 0.01, 0.10, -0.04, 0.02, 0.03, 0.02, 0.01, -0.10 };
static const double positive[9] = { 0.01, 0.02, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01 };
static const double negative[9] = { 0.0, -0.06, -0.07, -0.01, -0.09, -0.02, -0.06, -0.08, -0.05 };

static ms_metrics compute(const double *returns, size_t n, double periods, double mar)
{
    ms_metrics_options opts = MS_METRICS_OPTIONS_INIT;
    opts.periods_per_year = periods;
    opts.mar = mar;
    ms_metrics m;
    assert_int_equal(ms_metrics_compute(returns, n, &opts, &m), MS_OK);
    return m;
}

static void test_mixed_returns_match_published_values(void **state)
{
    (void)state;
    ms_metrics m = compute(mixed, 9, 252.0, 0.0);
    assert_near(m.sharpe, 1.7238613961706866, PUBLISHED_TOL);
    assert_near(m.sortino, 2.605531251673693, PUBLISHED_TOL);
    assert_near(m.downside_risk, 0.60448325038829653, PUBLISHED_TOL);
    assert_near(m.annual_return, 1.9135925373194231, PUBLISHED_TOL);
    assert_near(m.annual_volatility, 0.9136465399704637, PUBLISHED_TOL);
    assert_near(m.calmar, 19.135925373194233, PUBLISHED_TOL);
    assert_near(m.max_drawdown, -0.1, PUBLISHED_TOL);
    assert_near(m.cumulative_return, 0.0389310917004804, PUBLISHED_TOL);
    assert_int_equal(m.periods, 9);
}

static void test_mixed_downside_risk_above_a_minimum_return(void **state)
{
    (void)state;
    assert_near(compute(mixed, 9, 252.0, 0.1).downside_risk, 1.7161730681956295,
                PUBLISHED_TOL);
}

static void test_weekly_values_read_nan_as_zero(void **state)
{
    (void)state;
    double weekly[9];
    memcpy(weekly, mixed, sizeof weekly);
    weekly[0] = 0.0;
    ms_metrics m = compute(weekly, 9, 52.0, 0.0);
    assert_near(m.annual_return, 0.24690830513998208, PUBLISHED_TOL);
    assert_near(m.annual_volatility, 0.38851569394870583, PUBLISHED_TOL);
}

static void test_positive_returns_have_infinite_sortino(void **state)
{
    (void)state;
    ms_metrics m = compute(positive, 9, 252.0, 0.0);
    assert_near(m.sharpe, 52.915026221291804, PUBLISHED_TOL);
    assert_true(m.sortino == INFINITY);
}

static void test_negative_returns_match_published_values(void **state)
{
    (void)state;
    ms_metrics m = compute(negative, 9, 252.0, 0.0);
    assert_near(m.sharpe, -24.406808633910085, PUBLISHED_TOL);
    assert_near(m.sortino, -13.532743075043401, PUBLISHED_TOL);
    assert_near(m.max_drawdown, -0.365907303498736, PUBLISHED_TOL);
    assert_near(m.cumulative_return, -0.365907303498736, PUBLISHED_TOL);
}

static void test_drawdown_is_measured_from_the_running_peak(void **state)
{
    (void)state;
    const double r[3] = { 0.10, -0.10, 0.10 };
    assert_near(compute(r, 3, 252.0, 0.0).max_drawdown, -0.10, PUBLISHED_TOL);
}

static void test_win_rate_and_profit_factor(void **state)
{
    (void)state;
    /* wins .02, .01 of 3 non-zero periods (NaN and 0 skipped); profit
     * factor (.02 + .01 + 0) / |-.01| = 3 */
    const double r[5] = { 0.02, 0.0, NAN, -0.01, 0.01 };
    ms_metrics m = compute(r, 5, 252.0, 0.0);
    assert_near(m.win_rate, 2.0 / 3.0, TOL);
    assert_near(m.profit_factor, 3.0, TOL);
}

static void test_gains_only_have_infinite_profit_factor_and_nan_calmar(void **state)
{
    (void)state;
    ms_metrics m = compute(positive, 9, 252.0, 0.0);
    assert_true(m.profit_factor == INFINITY);
    assert_near(m.max_drawdown, 0.0, 0.0);
    assert_true(isnan(m.calmar));
}

static void test_equal_returns_have_infinite_sharpe_and_zero_volatility(void **state)
{
    (void)state;
    const double r[3] = { 0.1, 0.1, 0.1 };
    ms_metrics m = compute(r, 3, 252.0, 0.0);
    assert_true(m.sharpe == INFINITY);
    assert_near(m.annual_volatility, 0.0, 0.0);
}

static void test_risk_free_rate_is_subtracted_for_sharpe(void **state)
{
    (void)state;
    /* r - rf = .01, .02, -.01 (r = .02, .03, 0; rf .01): 4 sqrt(3), as in
     * test_period_metrics */
    const double r[3] = { 0.02, 0.03, 0.0 };
    ms_metrics_options opts = MS_METRICS_OPTIONS_INIT;
    opts.risk_free = 0.01;
    ms_metrics m;
    assert_int_equal(ms_metrics_compute(r, 3, &opts, &m), MS_OK);
    assert_near(m.sharpe, 4.0 * sqrt(3.0), TOL);
}

static void test_one_period_has_no_sharpe_sortino_or_volatility(void **state)
{
    (void)state;
    const double r[1] = { -0.05 };
    ms_metrics m = compute(r, 1, 252.0, 0.0);
    assert_true(isnan(m.sharpe));
    assert_true(isnan(m.sortino));
    assert_true(isnan(m.annual_volatility));
    assert_near(m.cumulative_return, -0.05, TOL);
    assert_near(m.max_drawdown, -0.05, TOL);
}

static void test_empty_series_is_nan_with_zero_cumulative_return(void **state)
{
    (void)state;
    ms_metrics m;
    assert_int_equal(ms_metrics_compute(NULL, 0, NULL, &m), MS_OK);
    assert_true(m.cumulative_return == 0.0);
    assert_true(isnan(m.sharpe) && isnan(m.sortino) && isnan(m.downside_risk));
    assert_true(isnan(m.max_drawdown) && isnan(m.annual_return) && isnan(m.calmar));
    assert_true(isnan(m.annual_volatility) && isnan(m.win_rate) && isnan(m.profit_factor));
    assert_int_equal(m.periods, 0);
}

static void test_rejects_null_returns(void **state)
{
    (void)state;
    ms_metrics m;
    assert_int_equal(ms_metrics_compute(NULL, 3, NULL, &m), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "returns"));
}

static void test_rejects_non_positive_periods_per_year(void **state)
{
    (void)state;
    ms_metrics_options opts = MS_METRICS_OPTIONS_INIT;
    opts.periods_per_year = 0.0;
    ms_metrics m;
    assert_int_equal(ms_metrics_compute(positive, 9, &opts, &m), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "periods_per_year"));
}

static void test_rejects_unknown_options_version(void **state)
{
    (void)state;
    ms_metrics_options opts = MS_METRICS_OPTIONS_INIT;
    opts.version = 99;
    ms_metrics m;
    assert_int_equal(ms_metrics_compute(positive, 9, &opts, &m), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "version"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mixed_returns_match_published_values),
        cmocka_unit_test(test_mixed_downside_risk_above_a_minimum_return),
        cmocka_unit_test(test_weekly_values_read_nan_as_zero),
        cmocka_unit_test(test_positive_returns_have_infinite_sortino),
        cmocka_unit_test(test_negative_returns_match_published_values),
        cmocka_unit_test(test_drawdown_is_measured_from_the_running_peak),
        cmocka_unit_test(test_win_rate_and_profit_factor),
        cmocka_unit_test(test_gains_only_have_infinite_profit_factor_and_nan_calmar),
        cmocka_unit_test(test_equal_returns_have_infinite_sharpe_and_zero_volatility),
        cmocka_unit_test(test_risk_free_rate_is_subtracted_for_sharpe),
        cmocka_unit_test(test_one_period_has_no_sharpe_sortino_or_volatility),
        cmocka_unit_test(test_empty_series_is_nan_with_zero_cumulative_return),
        cmocka_unit_test(test_rejects_null_returns),
        cmocka_unit_test(test_rejects_non_positive_periods_per_year),
        cmocka_unit_test(test_rejects_unknown_options_version),
    };
    return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
