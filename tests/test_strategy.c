/* test_strategy.c - strategy names and the argument checks of
 * ms_strategy_evaluate and ms_strategy_signals. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "strategy_fixture.h"

static void test_names_round_trip(void **state)
{
    (void)state;
    for (int s = 0; s < MS_STRATEGY_COUNT; s++) {
        ms_strategy found;
        assert_int_equal(ms_strategy_from_name(ms_strategy_name((ms_strategy)s), &found), MS_OK);
        assert_int_equal(found, s);
    }
    assert_string_equal(ms_strategy_name(MS_STRATEGY_MAXDIFF_ALWAYS_ON), "maxdiff_always_on");
}

static void test_name_lookup_ignores_case(void **state)
{
    (void)state;
    ms_strategy found;
    assert_int_equal(ms_strategy_from_name("HighLow", &found), MS_OK);
    assert_int_equal(found, MS_STRATEGY_HIGHLOW);
}

static void test_unknown_name_is_not_found(void **state)
{
    (void)state;
    ms_strategy found;
    assert_int_equal(ms_strategy_from_name("momentum", &found), MS_ERR_NOT_FOUND);
    assert_non_null(strstr(ms_last_error(), "momentum"));
}

static void test_out_of_range_strategy_has_no_name(void **state)
{
    (void)state;
    assert_null(ms_strategy_name(MS_STRATEGY_COUNT));
    assert_null(ms_strategy_name((ms_strategy)-1));
}

/* A valid two-day window to break one piece at a time. */
static fixture_days valid_days(void)
{
    return (fixture_days){
        .days = 2, .close_actual = { 0.01, -0.01 }, .high_actual = { 0.02, 0.01 },
        .low_actual = { -0.01, -0.02 }, .close_pred = { 0.005, -0.005 },
        .high_pred = { 0.01, 0.01 }, .low_pred = { -0.01, -0.01 },
    };
}

static ms_status evaluate(ms_strategy strategy, const ms_window *w,
                          const ms_strategy_params *params)
{
    ms_strategy_result result;
    return ms_strategy_evaluate(strategy, w, params, &result, NULL);
}

static void test_evaluate_rejects_unknown_strategy(void **state)
{
    (void)state;
    fixture_days f = valid_days();
    ms_window w = fixture_window(&f);
    assert_int_equal(evaluate(MS_STRATEGY_COUNT, &w, &stock_params), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "unknown strategy"));
}

static void test_evaluate_rejects_null_window_and_result(void **state)
{
    (void)state;
    fixture_days f = valid_days();
    ms_window w = fixture_window(&f);
    assert_int_equal(evaluate(MS_STRATEGY_SIMPLE, NULL, &stock_params), MS_ERR_INVALID_ARG);
    assert_int_equal(ms_strategy_evaluate(MS_STRATEGY_SIMPLE, &w, &stock_params, NULL, NULL),
                     MS_ERR_INVALID_ARG);
    assert_int_equal(evaluate(MS_STRATEGY_SIMPLE, &w, NULL), MS_ERR_INVALID_ARG);
}

static void test_evaluate_rejects_zero_days(void **state)
{
    (void)state;
    fixture_days f = valid_days();
    f.days = 0;
    ms_window w = fixture_window(&f);
    assert_int_equal(evaluate(MS_STRATEGY_MAXDIFF, &w, &stock_params), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "zero days"));
}

static void test_evaluate_names_a_missing_array(void **state)
{
    (void)state;
    fixture_days f = valid_days();
    ms_window w = fixture_window(&f);
    w.low_change_pred = NULL;
    assert_int_equal(evaluate(MS_STRATEGY_SIMPLE, &w, &stock_params), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "low_change_pred"));
}

static void test_evaluate_names_a_non_finite_value_and_its_day(void **state)
{
    (void)state;
    fixture_days f = valid_days();
    f.high_actual[1] = NAN;
    ms_window w = fixture_window(&f);
    assert_int_equal(evaluate(MS_STRATEGY_MAXDIFF, &w, &stock_params), MS_ERR_DATA);
    assert_non_null(strstr(ms_last_error(), "maxdiff"));
    assert_non_null(strstr(ms_last_error(), "high_actual[1]"));
}

static void test_evaluate_rejects_negative_fee(void **state)
{
    (void)state;
    fixture_days f = valid_days();
    ms_window w = fixture_window(&f);
    ms_strategy_params params = { -0.001, 0, 252.0, MS_FILLS_REFERENCE };
    assert_int_equal(evaluate(MS_STRATEGY_SIMPLE, &w, &params), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "fee"));
}

static void test_evaluate_rejects_zero_days_per_year(void **state)
{
    (void)state;
    fixture_days f = valid_days();
    ms_window w = fixture_window(&f);
    ms_strategy_params params = { 0.0005, 0, 0.0, MS_FILLS_REFERENCE };
    assert_int_equal(evaluate(MS_STRATEGY_SIMPLE, &w, &params), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "days_per_year"));
}

static void test_every_strategy_evaluates_a_valid_window(void **state)
{
    (void)state;
    fixture_days f = valid_days();
    ms_window w = fixture_window(&f);
    for (int s = 0; s < MS_STRATEGY_COUNT; s++)
        assert_int_equal(evaluate((ms_strategy)s, &w, &crypto_params), MS_OK);
}

static void test_signals_reject_null_output(void **state)
{
    (void)state;
    fixture_days f = valid_days();
    ms_window w = fixture_window(&f);
    assert_int_equal(ms_strategy_signals(MS_STRATEGY_SIMPLE, &w, &stock_params, NULL),
                     MS_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_name_lookup_ignores_case),
        cmocka_unit_test(test_unknown_name_is_not_found),
        cmocka_unit_test(test_out_of_range_strategy_has_no_name),
        cmocka_unit_test(test_evaluate_rejects_unknown_strategy),
        cmocka_unit_test(test_evaluate_rejects_null_window_and_result),
        cmocka_unit_test(test_evaluate_rejects_zero_days),
        cmocka_unit_test(test_evaluate_names_a_missing_array),
        cmocka_unit_test(test_evaluate_names_a_non_finite_value_and_its_day),
        cmocka_unit_test(test_evaluate_rejects_negative_fee),
        cmocka_unit_test(test_evaluate_rejects_zero_days_per_year),
        cmocka_unit_test(test_every_strategy_evaluates_a_valid_window),
        cmocka_unit_test(test_signals_reject_null_output),
    };
    return cmocka_run_group_tests_name("strategy", tests, NULL, NULL);
}
