/*
 * test_coherence.c - coherent forecasts (strategies.md, "Coherent
 * forecasts"): a predicted triple whose close lies outside its low .. high
 * is widened to the close before the backtest or the next-day plan uses it,
 * and counted; the reference choice uses it as forecast and still counts it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>

#include "analyze/analyze_internal.h"
#include "strategy_fixture.h"

/* Two bars: origin 0 (close 100, high 104, low 98) and its outcome. */
static ms_bars *two_bars(void)
{
    int64_t times[] = { 86400, 2 * 86400 };
    double open[] = { 100, 100 }, high[] = { 104, 103 }, low[] = { 98, 99 };
    double close[] = { 100, 101 };
    ms_bars *bars = NULL;
    assert_int_equal(ms_bars_create(&bars, "AAA", 2, times, open, high, low, close, NULL, NULL),
                     MS_OK);
    return bars;
}

/* The table of origins 0 and 1 with the given one-step changes (close,
 * high, low: each its own column's change) for both origins. */
static ms_origin_table table_for(const ms_bars *bars, double r_close, double r_high,
                                 double r_low, int coherence)
{
    double forecasts[6] = { r_close, r_close, r_high, r_high, r_low, r_low };
    ms_symbol_contexts contexts = { .bars = bars, .first_origin = 0, .count = 2,
                                    .forecasts = forecasts };
    ms_origin_table table;
    assert_int_equal(ms_origin_table_fill(&table, &contexts, coherence), MS_OK);
    return table;
}

static void test_a_coherent_triple_is_used_as_forecast_and_not_counted(void **state)
{
    (void)state;
    ms_bars *bars = two_bars();
    /* close +1% (101), high 104 x 1.01 = 105.04, low 98 x 0.99 = 97.02. */
    ms_origin_table table = table_for(bars, 0.01, 0.01, -0.01, MS_COHERENCE_WIDEN);
    assert_int_equal(table.incoherent, 0);
    assert_near(table.high_pred[0], 0.0504, 1e-12);
    assert_near(table.low_pred[0], -0.0298, 1e-12);
    ms_origin_table_release(&table);
    ms_bars_free(bars);
}

static void test_a_close_above_the_predicted_high_widens_the_high_to_it(void **state)
{
    (void)state;
    ms_bars *bars = two_bars();
    /* close +6% (106) above the high 104 x 1.01 = 105.04. */
    ms_origin_table table = table_for(bars, 0.06, 0.01, -0.01, MS_COHERENCE_WIDEN);
    assert_int_equal(table.incoherent, 2);  /* origin 1 too: 107.06 above 103 x 1.01 */
    assert_true(table.high_pred[0] == table.close_pred[0]);
    assert_near(table.high_change_pred[0], 106.0 / 104.0 - 1.0, 1e-12);
    assert_near(table.low_pred[0], -0.0298, 1e-12);   /* untouched */
    assert_true(table.close_pred[0] == 0.06);                  /* the close is kept */
    ms_origin_table_release(&table);
    ms_bars_free(bars);
}

static void test_a_close_below_the_predicted_low_widens_the_low_to_it(void **state)
{
    (void)state;
    ms_bars *bars = two_bars();
    /* close -3% (97) below the low 98 x 0.995 = 97.51; origin 1: 97.97
     * below 99 x 0.995 = 98.505. */
    ms_origin_table table = table_for(bars, -0.03, 0.01, -0.005, MS_COHERENCE_WIDEN);
    assert_int_equal(table.incoherent, 2);
    assert_true(table.low_pred[0] == -0.03);
    assert_near(table.low_change_pred[0], 97.0 / 98.0 - 1.0, 1e-12);
    assert_true(table.low_pred[0] <= table.close_pred[0] &&
                table.close_pred[0] <= table.high_pred[0]);
    ms_origin_table_release(&table);
    ms_bars_free(bars);
}

static void test_a_low_above_the_high_collapses_to_the_close(void **state)
{
    (void)state;
    ms_bars *bars = two_bars();
    /* high 104 x 0.95 = 98.8, low 98 x 1.03 = 100.94, close 100: both wrong. */
    ms_origin_table table = table_for(bars, 0.0, -0.05, 0.03, MS_COHERENCE_WIDEN);
    assert_int_equal(table.incoherent, 2);
    for (int o = 0; o < 2; o++)
        assert_true(table.high_pred[o] == table.close_pred[o] &&
                    table.low_pred[o] == table.close_pred[o]);
    ms_origin_table_release(&table);
    ms_bars_free(bars);
}

static void test_the_reference_choice_counts_but_keeps_the_forecast(void **state)
{
    (void)state;
    ms_bars *bars = two_bars();
    ms_origin_table table = table_for(bars, 0.06, 0.01, -0.01, MS_COHERENCE_AS_FORECAST);
    assert_int_equal(table.incoherent, 2);
    assert_near(table.high_pred[0], 0.0504, 1e-12);
    assert_true(table.high_change_pred[0] == 0.01);
    ms_origin_table_release(&table);
    ms_bars_free(bars);
}

static void test_a_missing_forecast_is_not_counted(void **state)
{
    (void)state;
    ms_bars *bars = two_bars();
    ms_origin_table table = table_for(bars, NAN, NAN, NAN, MS_COHERENCE_WIDEN);
    assert_int_equal(table.incoherent, 0);
    assert_true(isnan(table.high_pred[0]));
    ms_origin_table_release(&table);
    ms_bars_free(bars);
}

static void test_options_refuse_an_unknown_coherence_rule(void **state)
{
    (void)state;
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.coherence = 7;
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_coherent_triple_is_used_as_forecast_and_not_counted),
        cmocka_unit_test(test_a_close_above_the_predicted_high_widens_the_high_to_it),
        cmocka_unit_test(test_a_close_below_the_predicted_low_widens_the_low_to_it),
        cmocka_unit_test(test_a_low_above_the_high_collapses_to_the_close),
        cmocka_unit_test(test_the_reference_choice_counts_but_keeps_the_forecast),
        cmocka_unit_test(test_a_missing_forecast_is_not_counted),
        cmocka_unit_test(test_options_refuse_an_unknown_coherence_rule),
    };
    return cmocka_run_group_tests_name("coherence", tests, NULL, NULL);
}
