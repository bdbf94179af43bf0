/*
 * test_forecast_quality.c - the one-step forecast errors every analysis
 * reports (forecast_quality.c), checked against figures worked out by hand
 * on tiny series: MAE and RMSE in percent of the column's value at the
 * origin, the direction hit rate, the 10-90% coverage, the naive no-change
 * forecast's errors, pooling across symbols, and an analysis filling them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze_internal.h"
#include "marketsim/marketsim.h"

#define TOLERANCE 1e-9

/*
 * By hand, origin by origin (X level, P predicted, A actual):
 *   X=100 P=102 A=101: error +1/100 = 0.01, naive -0.01, both up: hit
 *   X=110 P=99  A=121: error -22/110 = -0.2, naive -0.1, down vs up: miss
 *   X=100 P=100 A=90:  error 0.1, naive 0.1, no predicted move: no direction
 *   X=50  P=NaN:       skipped
 * MAE 0.31/3 = 10.3333%, RMSE sqrt(0.0501/3) = 12.92285%, hits 1 of 2,
 * naive MAE 0.21/3 = 7%, naive RMSE sqrt(0.0201/3) = 8.18535%.
 */
static const double levels[] = { 100.0, 110.0, 100.0, 50.0 };
static const double predicted[] = { 102.0, 99.0, 100.0, NAN };
static const double actuals[] = { 101.0, 121.0, 90.0, 55.0 };

static void test_errors_of_a_hand_checked_series_are_the_hand_figures(void **state)
{
    (void)state;
    ms_forecast_error e;
    ms_forecast_error_compute(levels, predicted, actuals, NULL, NULL, 4, &e);
    assert_int_equal(e.count, 3);
    assert_float_equal(e.mae_pct, 31.0 / 3.0, TOLERANCE);
    assert_float_equal(e.rmse_pct, 100.0 * sqrt(0.0501 / 3.0), TOLERANCE);
    assert_float_equal(e.rmse_pct, 12.922848, 1e-6);
    assert_int_equal(e.directions, 2);
    assert_float_equal(e.hit_rate, 0.5, TOLERANCE);
    assert_float_equal(e.naive_mae_pct, 7.0, TOLERANCE);
    assert_float_equal(e.naive_rmse_pct, 8.185353, 1e-6);
}

static void test_without_quantiles_coverage_is_undefined(void **state)
{
    (void)state;
    ms_forecast_error e;
    ms_forecast_error_compute(levels, predicted, actuals, NULL, NULL, 4, &e);
    assert_int_equal(e.covered_count, 0);
    assert_true(isnan(e.coverage));
}

/* 101 in [100, 103]: in; 121 in [100, 120]: out; 90 in [95, 105]: out. */
static void test_coverage_counts_actuals_inside_the_10_to_90_quantiles(void **state)
{
    (void)state;
    const double q10[] = { 100.0, 100.0, 95.0, 0.0 }, q90[] = { 103.0, 120.0, 105.0, 0.0 };
    ms_forecast_error e;
    ms_forecast_error_compute(levels, predicted, actuals, q10, q90, 4, &e);
    assert_int_equal(e.covered_count, 3);
    assert_float_equal(e.coverage, 1.0 / 3.0, TOLERANCE);
}

static void test_no_usable_origin_gives_undefined_errors(void **state)
{
    (void)state;
    const double nan_values[] = { NAN };
    ms_forecast_error e;
    ms_forecast_error_compute(levels, nan_values, actuals, NULL, NULL, 1, &e);
    assert_int_equal(e.count, 0);
    assert_true(isnan(e.mae_pct));
    assert_true(isnan(e.rmse_pct));
    assert_true(isnan(e.hit_rate));
    assert_true(isnan(e.naive_mae_pct));
}

/*
 * Bars (H, L, C): t0 (11, 9, 10), t1 (12, 9.5, 11), t2 (12.1, 10, 12);
 * origins 1 and 2 (2 has no next bar). At origin 1, relative to C=11:
 *   close: P = 11 x 1.1 = 12.1, A = 12: error 0.1/11 = 0.909091%, naive 1/11 = 9.090909%
 *   high:  P = 11 x 1.2 = 13.2, X = 12, A = 12.1: error 1.1/12 = 9.166667%,
 *          naive 0.1/12 = 0.833333%, both up: hit
 *   low:   P = 11 x 0.8 = 8.8, X = 9.5, A = 10: error 1.2/9.5 = 12.631579%,
 *          naive 0.5/9.5 = 5.263158%, down vs up: miss
 */
static void test_high_and_low_errors_are_relative_to_their_own_last_value(void **state)
{
    (void)state;
    const int64_t times[] = { 86400, 2 * 86400, 3 * 86400 };
    const double open[] = { 10, 10, 11 }, high[] = { 11, 12, 12.1 }, low[] = { 9, 9.5, 10 };
    const double close[] = { 10, 11, 12 }, volume[] = { 1, 1, 1 };
    ms_bars *bars = NULL;
    assert_int_equal(ms_bars_create(&bars, "T", 3, times, open, high, low, close, volume, NULL),
                     MS_OK);
    double close_pred[] = { 0.1, 0.0 }, high_pred[] = { 0.2, 0.1 }, low_pred[] = { -0.2, -0.1 };
    double close_actual[] = { 12.0 / 11.0 - 1.0, NAN }, high_actual[] = { 12.1 / 11.0 - 1.0, NAN };
    double low_actual[] = { 10.0 / 11.0 - 1.0, NAN };
    ms_origin_table table = {
        .first_origin = 1, .count = 2, .close_pred = close_pred, .high_pred = high_pred,
        .low_pred = low_pred, .close_actual = close_actual, .high_actual = high_actual,
        .low_actual = low_actual,
    };
    ms_forecast_quality q;
    assert_int_equal(ms_forecast_quality_of(&table, bars, &q), MS_OK);
    assert_int_equal(q.close.count, 1);
    assert_float_equal(q.close.mae_pct, 100.0 * 0.1 / 11.0, TOLERANCE);
    assert_float_equal(q.close.naive_mae_pct, 100.0 / 11.0, TOLERANCE);
    assert_float_equal(q.high.mae_pct, 9.166667, 1e-6);
    assert_float_equal(q.high.naive_mae_pct, 0.833333, 1e-6);
    assert_float_equal(q.high.hit_rate, 1.0, TOLERANCE);
    assert_float_equal(q.low.mae_pct, 12.631579, 1e-6);
    assert_float_equal(q.low.naive_mae_pct, 5.263158, 1e-6);
    assert_float_equal(q.low.hit_rate, 0.0, TOLERANCE);
    ms_bars_free(bars);
}

/* Symbol 1: 1 origin, |error| 0.02, hit; symbol 2: 3 origins, |errors|
 * 0.01 each (up/up, down/up, down/none: 1 hit of 2). Pooled: MAE (0.02 + 0.03)/4 = 1.25%, RMSE
 * sqrt((0.0004 + 3 x 0.0001)/4) = 1.322876%, hits 2 of 3. */
static void test_pooling_weighs_every_origin_once(void **state)
{
    (void)state;
    const double l1[] = { 100 }, p1[] = { 103 }, a1[] = { 101 };
    const double l2[] = { 100, 100, 100 }, p2[] = { 101, 99.5, 99 }, a2[] = { 102, 100.5, 100 };
    ms_symbol_report symbols[2];
    memset(symbols, 0, sizeof symbols);
    ms_forecast_error_compute(l1, p1, a1, NULL, NULL, 1, &symbols[0].forecast_quality.close);
    ms_forecast_error_compute(l2, p2, a2, NULL, NULL, 3, &symbols[1].forecast_quality.close);
    ms_forecast_quality pooled;
    ms_forecast_quality_pool(symbols, 2, &pooled);
    assert_int_equal(pooled.close.count, 4);
    assert_float_equal(pooled.close.mae_pct, 1.25, TOLERANCE);
    assert_float_equal(pooled.close.rmse_pct, 1.322876, 1e-6);
    assert_int_equal(pooled.close.directions, 3);
    assert_float_equal(pooled.close.hit_rate, 2.0 / 3.0, TOLERANCE);
    assert_int_equal(pooled.high.count, 0);
}

/* The naive forecast's MAE needs no model: the mean |C_{t+1}/C_t - 1| over
 * the origins with a next bar, computed here from the bars themselves. */
static void test_an_analysis_reports_each_symbols_errors_and_the_pooled_ones(void **state)
{
    (void)state;
    ms_source *source = NULL;
    ms_model *model = NULL;
    ms_analyzer *analyzer = NULL;
    ms_report *report = NULL;
    assert_int_equal(ms_source_open(&source, "synthetic:seed=3,bars=300", NULL), MS_OK);
    assert_int_equal(ms_model_open(&model, NULL, NULL), MS_OK);
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.simulations = 6;
    const char *const symbols[] = { "AAPL", "BTCUSD" };
    assert_int_equal(ms_analyzer_create(&analyzer, source, model, &opts), MS_OK);
    assert_int_equal(ms_analyzer_run(analyzer, symbols, 2, &report), MS_OK);
    size_t total = 0;
    for (size_t i = 0; i < ms_report_symbol_count(report); i++) {
        const ms_symbol_report *r = ms_report_symbol(report, i);
        ms_bars *bars = NULL;
        assert_int_equal(ms_source_load(source, r->symbol, &bars), MS_OK);
        const double *c = ms_bars_column(bars, MS_COL_CLOSE);
        size_t n = ms_bars_len(bars), origins = r->forecast_origins - 1;
        double naive = 0.0;
        for (size_t t = n - 1 - origins; t < n - 1; t++)
            naive += fabs(c[t + 1] / c[t] - 1.0);
        assert_int_equal(r->forecast_quality.close.count, origins);
        assert_float_equal(r->forecast_quality.close.naive_mae_pct, 100.0 * naive / origins, 1e-9);
        assert_true(isfinite(r->forecast_quality.high.rmse_pct));
        total += origins;
        ms_bars_free(bars);
    }
    const ms_forecast_quality *pooled = ms_report_forecast_quality(report);
    assert_int_equal(pooled->close.count, total);
    assert_null(ms_report_forecast_quality(NULL));
    ms_report_free(report);
    ms_analyzer_free(analyzer);
    ms_model_free(model);
    ms_source_free(source);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors_of_a_hand_checked_series_are_the_hand_figures),
        cmocka_unit_test(test_without_quantiles_coverage_is_undefined),
        cmocka_unit_test(test_coverage_counts_actuals_inside_the_10_to_90_quantiles),
        cmocka_unit_test(test_no_usable_origin_gives_undefined_errors),
        cmocka_unit_test(test_high_and_low_errors_are_relative_to_their_own_last_value),
        cmocka_unit_test(test_pooling_weighs_every_origin_once),
        cmocka_unit_test(test_an_analysis_reports_each_symbols_errors_and_the_pooled_ones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
