/*
 * test_analyzer_options.c - the sizing, fee and freshness options of the
 * analyzer: their documented defaults, 0 as a real fee or buying power
 * (unset is -1), the MARKETSIM_* variables behind them, the values that are
 * refused, and the as-of text parser.
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
#include "core/core_internal.h"

static const char *const sizing_variables[] = { "MARKETSIM_POSITION_SIZE",
                                                "MARKETSIM_MAX_POSITIONS",
                                                "MARKETSIM_STOCK_FEE", "MARKETSIM_CRYPTO_FEE" };

static int clear_environment(void **state)
{
    (void)state;
    for (size_t i = 0; i < MS_ARRAY_LEN(sizing_variables); i++)
        unsetenv(sizing_variables[i]);
    return 0;
}

static void test_defaults_are_ten_positions_of_a_tenth_of_equity_each(void **state)
{
    (void)state;
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_OK);
    assert_int_equal(opts.max_positions, 10);
    assert_true(opts.position_size == 0.1);
    assert_true(opts.equity == 100000.0);
    assert_true(opts.buying_power == 200000.0);
    assert_true(opts.stock_fee == 0.0005);
    assert_true(opts.crypto_fee == 0.001);
    assert_int_equal(opts.as_of, 0);
}

static void test_position_size_defaults_to_one_over_max_positions(void **state)
{
    (void)state;
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.max_positions = 4;
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_OK);
    assert_true(opts.position_size == 0.25);
}

static void test_fee_zero_is_honoured_not_replaced_by_the_default(void **state)
{
    (void)state;
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.stock_fee = 0;
    opts.crypto_fee = 0;
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_OK);
    assert_true(ms_symbol_strategy_params(MS_ASSET_STOCK, &opts).fee == 0.0);
    assert_true(ms_symbol_strategy_params(MS_ASSET_CRYPTO, &opts).fee == 0.0);
}

static void test_buying_power_zero_is_honoured(void **state)
{
    (void)state;
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.buying_power = 0;
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_OK);
    assert_true(opts.buying_power == 0.0);
}

static void test_environment_fills_unset_sizing_fields(void **state)
{
    (void)state;
    setenv("MARKETSIM_POSITION_SIZE", "0.2", 1);
    setenv("MARKETSIM_MAX_POSITIONS", "5", 1);
    setenv("MARKETSIM_STOCK_FEE", "0", 1);
    setenv("MARKETSIM_CRYPTO_FEE", "0.002", 1);
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    assert_int_equal(ms_analyzer_options_from_env(&opts), MS_OK);
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_OK);
    assert_true(opts.position_size == 0.2);
    assert_int_equal(opts.max_positions, 5);
    assert_true(opts.stock_fee == 0.0);
    assert_true(opts.crypto_fee == 0.002);
}

static void test_set_fields_win_over_the_environment(void **state)
{
    (void)state;
    setenv("MARKETSIM_POSITION_SIZE", "0.2", 1);
    setenv("MARKETSIM_STOCK_FEE", "0.01", 1);
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.position_size = 0.5;
    opts.stock_fee = 0;
    assert_int_equal(ms_analyzer_options_from_env(&opts), MS_OK);
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_OK);
    assert_true(opts.position_size == 0.5);
    assert_true(opts.stock_fee == 0.0);
}

static void test_malformed_sizing_variables_are_errors_naming_them(void **state)
{
    (void)state;
    static const char *const bad[] = { "abc", "-0.1", "nan", "0.1x" };
    for (size_t v = 0; v < MS_ARRAY_LEN(sizing_variables); v++) {
        for (size_t i = 0; i < MS_ARRAY_LEN(bad); i++) {
            setenv(sizing_variables[v], bad[i], 1);
            ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
            assert_int_equal(ms_analyzer_options_from_env(&opts), MS_ERR_INVALID_ARG);
            assert_non_null(strstr(ms_last_error(), sizing_variables[v]));
        }
        unsetenv(sizing_variables[v]);
    }
}

static void test_position_size_outside_zero_to_one_is_refused(void **state)
{
    (void)state;
    static const double bad[] = { 0.0, 1.5, NAN, INFINITY };
    for (size_t i = 0; i < MS_ARRAY_LEN(bad); i++) {
        ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
        opts.position_size = bad[i];
        assert_int_equal(ms_analyzer_options_resolve(&opts), MS_ERR_INVALID_ARG);
        assert_non_null(strstr(ms_last_error(), "position_size"));
    }
    setenv("MARKETSIM_POSITION_SIZE", "2", 1);
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    assert_int_equal(ms_analyzer_options_from_env(&opts), MS_OK);
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_ERR_INVALID_ARG);
}

static void test_non_finite_fee_or_buying_power_is_refused(void **state)
{
    (void)state;
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.crypto_fee = NAN;
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "crypto_fee"));
    opts = (ms_analyzer_options)MS_ANALYZER_OPTIONS_INIT;
    opts.buying_power = INFINITY;
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "buying_power"));
}

static void test_negative_as_of_is_refused(void **state)
{
    (void)state;
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.as_of = -5;
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "as_of"));
}

static void test_as_of_date_is_the_end_of_that_utc_day_and_a_time_is_utc(void **state)
{
    (void)state;
    int64_t day = ms_days_from_civil(2024, 6, 17) * MS_SECONDS_PER_DAY;
    int64_t as_of = 0;
    assert_int_equal(ms_as_of_parse("2024-06-17", &as_of), MS_OK);
    assert_int_equal(as_of, day + MS_SECONDS_PER_DAY - 1);
    assert_int_equal(ms_as_of_parse("2024-06-17T13:30", &as_of), MS_OK);
    assert_int_equal(as_of, day + 13 * 3600 + 30 * 60);
    assert_int_equal(ms_as_of_parse("2024-06-17 09:30-04:00", &as_of), MS_OK);
    assert_int_equal(as_of, day + 13 * 3600 + 30 * 60);
}

static void test_as_of_parse_refuses_malformed_text(void **state)
{
    (void)state;
    static const char *const bad[] = { "", "yesterday", "2024-13-01", "2024-06-17T25:00",
                                       "17/06/2024", "2024-06-17Tnoon" };
    int64_t as_of = 42;
    for (size_t i = 0; i < MS_ARRAY_LEN(bad); i++) {
        assert_int_equal(ms_as_of_parse(bad[i], &as_of), MS_ERR_INVALID_ARG);
        assert_int_equal(as_of, 42);
    }
    assert_int_equal(ms_as_of_parse(NULL, &as_of), MS_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults_are_ten_positions_of_a_tenth_of_equity_each,
                               clear_environment),
        cmocka_unit_test_setup(test_position_size_defaults_to_one_over_max_positions,
                               clear_environment),
        cmocka_unit_test_setup(test_fee_zero_is_honoured_not_replaced_by_the_default,
                               clear_environment),
        cmocka_unit_test_setup(test_buying_power_zero_is_honoured, clear_environment),
        cmocka_unit_test_setup(test_environment_fills_unset_sizing_fields, clear_environment),
        cmocka_unit_test_setup(test_set_fields_win_over_the_environment, clear_environment),
        cmocka_unit_test_setup(test_malformed_sizing_variables_are_errors_naming_them,
                               clear_environment),
        cmocka_unit_test_setup(test_position_size_outside_zero_to_one_is_refused,
                               clear_environment),
        cmocka_unit_test_setup(test_non_finite_fee_or_buying_power_is_refused, clear_environment),
        cmocka_unit_test_setup(test_negative_as_of_is_refused, clear_environment),
        cmocka_unit_test(test_as_of_date_is_the_end_of_that_utc_day_and_a_time_is_utc),
        cmocka_unit_test(test_as_of_parse_refuses_malformed_text),
    };
    return cmocka_run_group_tests_name("analyzer options", tests, NULL, NULL);
}
