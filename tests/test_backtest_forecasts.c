/*
 * test_backtest_forecasts.c - ms_backtest_forecasts on handmade bars and
 * forecasts, with results computed by hand: the rows paired with their
 * bars, the walk-forward windows, the coherence rule and the next-day
 * plan, prices and changes alike; and every bad forecasts file named by
 * file, line and field.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "marketsim/marketsim.h"
#include "strategy_fixture.h"

#define DAY 86400
#define JAN(d) ((int64_t)(19722 + (d)) * DAY)   /* 2024-01-d, 00:00 UTC */

/* Five trading days: closes 100, 100, 102 (+2%), 100.98 (-1%), 104.0094
 * (+3%); open = close, high = close + 1, low = close - 1. */
static const int64_t bar_times[] = { JAN(2), JAN(3), JAN(4), JAN(5), JAN(8) };
static const double bar_close[] = { 100, 100, 102, 100.98, 104.0094 };

static ms_status load_bars(void *context, const char *symbol, ms_bars **out)
{
    (void)context;
    double high[5], low[5];
    for (int i = 0; i < 5; i++) {
        high[i] = bar_close[i] + 1;
        low[i] = bar_close[i] - 1;
    }
    return ms_bars_create(out, symbol, 5, bar_times, bar_close, high, low, bar_close, NULL, NULL);
}

static ms_source *handmade_source(void)
{
    ms_source *source = NULL;
    assert_int_equal(ms_source_open_custom(&source, "handmade", load_bars, NULL, NULL), MS_OK);
    return source;
}

/* N = 2 simulations x E = 2 days over 5 bars: origins 1 .. 4, scoring
 * bars 2 .. 4; simulation 0 evaluates origins 2, 3, simulation 1 origins
 * 1, 2. Reference fills: the signal strategies trade close to close, which
 * the hand computations below follow (the bar-path and worst fills have
 * their own handmade cases in test_fills.c); in-sample offsets, since
 * walk-forward ones need E more bars than five. */
static ms_analyzer_options two_by_two(void)
{
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.simulations = 2;
    opts.eval_days = 2;
    opts.stock_fee = 0.0005;
    opts.fills = MS_FILLS_REFERENCE;
    opts.offsets = MS_OFFSETS_IN_SAMPLE;
    return opts;
}

/* Forecasts of bars 2, 3, 4 and the next day (2024-01-09). Bar 3's close
 * (103) is above its high (102.5): one incoherent triple. */
static const char prices_csv[] =
    "date,close,high,low\n"
    "2024-01-04,101,102.5,99.5\n"
    "2024-01-05,103,102.5,101\n"
    "2024-01-08,100,101.5,98.5\n"
    "2024-01-09,105,106,104\n";

static ms_report *backtest_text(const char *csv, ms_forecast_units units)
{
    ms_forecasts *forecasts = NULL;
    assert_int_equal(ms_forecasts_parse_csv(&forecasts, csv, strlen(csv), "f.csv", units), MS_OK);
    ms_source *source = handmade_source();
    ms_analyzer_options opts = two_by_two();
    ms_report *report = NULL;
    ms_status status = ms_backtest_forecasts(&report, source, "AAA", forecasts, &opts);
    if (status != MS_OK)
        fail_msg("%s", ms_last_error());
    ms_source_free(source);
    ms_forecasts_free(forecasts);
    return report;
}

/* The error message of a backtest expected to fail with `expected`. */
static const char *backtest_error(const char *csv, ms_status expected)
{
    ms_forecasts *forecasts = NULL;
    ms_status status = ms_forecasts_parse_csv(&forecasts, csv, strlen(csv), "f.csv",
                                              MS_FORECAST_UNITS_AUTO);
    if (status == MS_OK) {
        ms_source *source = handmade_source();
        ms_analyzer_options opts = two_by_two();
        ms_report *report = NULL;
        status = ms_backtest_forecasts(&report, source, "AAA", forecasts, &opts);
        assert_null(report);
        ms_source_free(source);
        ms_forecasts_free(forecasts);
    }
    assert_int_equal(status, expected);
    return ms_last_error();
}

static const ms_strategy_summary *simple_of(const ms_report *report)
{
    assert_int_equal(ms_report_symbol_count(report), 1);
    return ms_report_symbol(report, 0)->strategies[MS_STRATEGY_SIMPLE];
}

static void test_simple_strategy_returns_are_the_hand_computed_ones(void **state)
{
    (void)state;
    ms_report *report = backtest_text(prices_csv, MS_FORECAST_UNITS_AUTO);
    const ms_strategy_summary *simple = simple_of(report);
    assert_int_equal(simple->simulations, 2);
    /* Simulation 0, origins 2 and 3: predicted 103 > 102 (buy), 100 < 100.98
     * (sell); actual -1%, +3%: (1 - 0.01 - 0.0005)(1 - 0.03 - 2 x 0.0005) - 1. */
    assert_near(simple->simulation_returns[0], 0.9895 * 0.969 - 1.0, 1e-12);
    /* Simulation 1, origins 1 and 2: buy, buy; actual +2%, -1%. */
    assert_near(simple->simulation_returns[1], 1.0195 * 0.99 - 1.0, 1e-12);
    ms_report_free(report);
}

static void test_the_next_day_forecast_is_the_row_after_the_last_bar(void **state)
{
    (void)state;
    ms_report *report = backtest_text(prices_csv, MS_FORECAST_UNITS_AUTO);
    const ms_symbol_report *r = ms_report_symbol(report, 0);
    assert_near(r->last_close, 104.0094, 1e-12);
    assert_near(r->forecast_close, 105, 1e-9);
    assert_near(r->forecast_high, 106, 1e-9);
    assert_near(r->forecast_low, 104, 1e-9);
    assert_int_equal(r->bars, 5);
    assert_int_equal(ms_report_warning_count(report), 0);
    ms_report_free(report);
}

static void test_a_self_contradicting_row_is_corrected_and_counted(void **state)
{
    (void)state;
    ms_report *report = backtest_text(prices_csv, MS_FORECAST_UNITS_AUTO);
    const ms_symbol_report *r = ms_report_symbol(report, 0);
    assert_int_equal(r->incoherent_forecasts, 1);
    assert_int_equal(r->forecast_origins, 4);
    char *json = NULL;
    assert_int_equal(ms_report_to_json(report, &json), MS_OK);
    assert_non_null(strstr(json, "\"incoherent_forecasts\": 1"));
    ms_free(json);
    ms_report_free(report);
}

static void test_an_incoherent_next_day_forecast_is_widened_before_the_plan(void **state)
{
    (void)state;
    static const char csv[] =
        "date,close,high,low\n"
        "2024-01-04,101,102.5,99.5\n"
        "2024-01-05,103,104,101\n"
        "2024-01-08,100,101.5,98.5\n"
        "2024-01-09,105,104.5,104\n";   /* close above the high */
    ms_report *report = backtest_text(csv, MS_FORECAST_UNITS_AUTO);
    const ms_symbol_report *r = ms_report_symbol(report, 0);
    assert_int_equal(r->incoherent_forecasts, 1);
    assert_true(r->forecast_high == r->forecast_close);
    assert_near(r->forecast_high, 105, 1e-9);
    assert_near(r->forecast_low, 104, 1e-9);
    ms_report_free(report);
}

static void test_the_reference_choice_keeps_an_incoherent_next_day_forecast(void **state)
{
    (void)state;
    static const char csv[] = "date,close,high,low\n2024-01-04,101,102.5,99.5\n"
                              "2024-01-05,103,104,101\n2024-01-08,100,101.5,98.5\n"
                              "2024-01-09,105,104.5,104\n";
    ms_forecasts *forecasts = NULL;
    assert_int_equal(ms_forecasts_parse_csv(&forecasts, csv, strlen(csv), "f.csv",
                                            MS_FORECAST_UNITS_AUTO), MS_OK);
    ms_source *source = handmade_source();
    ms_analyzer_options opts = two_by_two();
    opts.coherence = MS_COHERENCE_AS_FORECAST;
    ms_report *report = NULL;
    assert_int_equal(ms_backtest_forecasts(&report, source, "AAA", forecasts, &opts), MS_OK);
    const ms_symbol_report *r = ms_report_symbol(report, 0);
    assert_int_equal(r->incoherent_forecasts, 1);
    assert_near(r->forecast_high, 104.5, 1e-9);   /* below the close of 105, as forecast */
    char *json = NULL;
    assert_int_equal(ms_report_to_json(report, &json), MS_OK);
    assert_non_null(strstr(json, "\"coherence\": \"as_forecast\""));
    ms_free(json);
    ms_report_free(report);
    ms_source_free(source);
    ms_forecasts_free(forecasts);
}

/* Each column's change from its own value on the bar before. */
static void test_changes_give_the_same_report_as_prices(void **state)
{
    (void)state;
    static const double close[] = { 101, 103, 100, 105 }, high[] = { 102.5, 102.5, 101.5, 106 };
    static const double low[] = { 99.5, 101, 98.5, 104 };
    char csv[1024] = "date,close,high,low\n";
    static const char *const dates[] = { "2024-01-04", "2024-01-05", "2024-01-08", "2024-01-09" };
    for (int i = 0; i < 4; i++) {
        double origin = bar_close[i + 1];
        char row[160];
        snprintf(row, sizeof row, "%s,%.17g,%.17g,%.17g\n", dates[i], close[i] / origin - 1,
                 high[i] / (origin + 1) - 1, low[i] / (origin - 1) - 1);
        strcat(csv, row);
    }
    ms_report *from_prices = backtest_text(prices_csv, MS_FORECAST_UNITS_AUTO);
    ms_report *from_changes = backtest_text(csv, MS_FORECAST_UNITS_AUTO);
    assert_string_equal(ms_report_options(from_prices)->aggregate, "prices");
    assert_string_equal(ms_report_options(from_changes)->aggregate, "changes");
    const ms_symbol_report *a = ms_report_symbol(from_prices, 0);
    const ms_symbol_report *b = ms_report_symbol(from_changes, 0);
    for (int s = 0; s < MS_STRATEGY_COUNT; s++)
        for (int k = 0; k < 2; k++)
            assert_near(a->strategies[s]->simulation_returns[k],
                        b->strategies[s]->simulation_returns[k], 1e-12);
    assert_near(a->forecast_close, b->forecast_close, 1e-9);
    assert_near(a->forecast_low, b->forecast_low, 1e-9);
    assert_int_equal(a->incoherent_forecasts, b->incoherent_forecasts);
    ms_report_free(from_prices);
    ms_report_free(from_changes);
}

static void test_without_a_row_after_the_last_bar_there_is_no_plan_and_a_warning(void **state)
{
    (void)state;
    static const char csv[] = "date,close,high,low\n2024-01-04,101,102.5,99.5\n"
                              "2024-01-05,103,104,101\n2024-01-08,100,101.5,98.5\n";
    ms_report *report = backtest_text(csv, MS_FORECAST_UNITS_AUTO);
    const ms_symbol_report *r = ms_report_symbol(report, 0);
    assert_int_equal(r->side, 0);
    assert_true(isnan(r->forecast_close));
    assert_int_equal(ms_report_pick_count(report), 0);
    assert_int_equal(ms_report_warning_count(report), 1);
    assert_non_null(strstr(ms_report_warning(report, 0), "no forecast after the last bar"));
    ms_report_free(report);
}

static void test_a_bar_the_simulations_score_without_a_forecast_names_it(void **state)
{
    (void)state;
    const char *message = backtest_error("date,close,high,low\n2024-01-04,101,102.5,99.5\n"
                                         "2024-01-08,100,101.5,98.5\n", MS_ERR_DATA);
    assert_non_null(strstr(message, "f.csv: no forecast for 1 of the 3 bars"));
    assert_non_null(strstr(message, "2024-01-05"));
    assert_non_null(strstr(message, "the rows ending at the last bar allow no simulation"));
}

static void test_a_row_dated_on_no_bar_names_its_line_and_field(void **state)
{
    (void)state;
    const char *message = backtest_error("date,close,high,low\n2024-01-04,101,102.5,99.5\n"
                                         "2024-01-06,103,104,101\n", MS_ERR_DATA);
    assert_non_null(strstr(message, "f.csv:3: field 'date': 2024-01-06"));
}

static void test_a_price_not_above_zero_names_its_line_and_field(void **state)
{
    (void)state;
    ms_forecasts *forecasts = NULL;
    static const char csv[] = "date,close,high,low\n2024-01-04,101,102.5,99.5\n"
                              "2024-01-05,103,104,-101\n2024-01-08,100,101.5,98.5\n";
    assert_int_equal(ms_forecasts_parse_csv(&forecasts, csv, strlen(csv), "f.csv",
                                            MS_FORECAST_UNITS_PRICES), MS_OK);
    ms_source *source = handmade_source();
    ms_analyzer_options opts = two_by_two();
    ms_report *report = NULL;
    assert_int_equal(ms_backtest_forecasts(&report, source, "AAA", forecasts, &opts),
                     MS_ERR_DATA);
    assert_non_null(strstr(ms_last_error(), "f.csv:3: field 'low': -101 is not a price above 0"));
    ms_source_free(source);
    ms_forecasts_free(forecasts);
}

static void test_values_neither_prices_nor_changes_ask_for_the_units(void **state)
{
    (void)state;
    const char *message = backtest_error("date,close,high,low\n2024-01-04,1010,1025,995\n"
                                         "2024-01-05,1030,1040,1010\n2024-01-08,1000,1015,985\n",
                                         MS_ERR_DATA);
    assert_non_null(strstr(message, "cannot tell whether the forecasts are prices or changes"));
}

static void test_more_simulations_than_bars_is_too_short(void **state)
{
    (void)state;
    ms_forecasts *forecasts = NULL;
    assert_int_equal(ms_forecasts_parse_csv(&forecasts, prices_csv, strlen(prices_csv), "f.csv",
                                            MS_FORECAST_UNITS_AUTO), MS_OK);
    ms_source *source = handmade_source();
    ms_analyzer_options opts = two_by_two();
    opts.simulations = 4;
    ms_report *report = NULL;
    assert_int_equal(ms_backtest_forecasts(&report, source, "AAA", forecasts, &opts),
                     MS_ERR_TOO_SHORT);
    assert_non_null(strstr(ms_last_error(), "need at least 6 bars, found 5"));
    ms_source_free(source);
    ms_forecasts_free(forecasts);
}

static void test_walk_forward_offsets_need_e_more_bars_and_say_so(void **state)
{
    (void)state;
    ms_forecasts *forecasts = NULL;
    assert_int_equal(ms_forecasts_parse_csv(&forecasts, prices_csv, strlen(prices_csv), "f.csv",
                                            MS_FORECAST_UNITS_AUTO), MS_OK);
    ms_source *source = handmade_source();
    ms_analyzer_options opts = two_by_two();
    opts.offsets = MS_OFFSETS_WALK_FORWARD; /* 2 + 2 simulations' windows + 2 days: 6 bars */
    ms_report *report = NULL;
    assert_int_equal(ms_backtest_forecasts(&report, source, "AAA", forecasts, &opts),
                     MS_ERR_TOO_SHORT);
    assert_null(report);
    assert_non_null(strstr(ms_last_error(), "need at least 6 bars, found 5"));
    assert_non_null(strstr(ms_last_error(), "--offsets in-sample needs fewer"));
    ms_source_free(source);
    ms_forecasts_free(forecasts);
}

static void test_a_csv_without_a_high_column_names_file_and_line(void **state)
{
    (void)state;
    const char *message = backtest_error("date,close,low\n2024-01-04,101,99.5\n", MS_ERR_PARSE);
    assert_non_null(strstr(message, "f.csv:1: missing column(s) 'high'"));
}

static void test_a_csv_number_that_is_not_one_names_line_and_field(void **state)
{
    (void)state;
    const char *message = backtest_error("date,close,high,low\n2024-01-04,101,102.5,99.5\n"
                                         "2024-01-05,103,104,abc\n", MS_ERR_PARSE);
    assert_non_null(strstr(message, "f.csv:3: field 'low': 'abc' is not a number"));
}

static void test_a_csv_value_that_is_not_finite_names_line_and_field(void **state)
{
    (void)state;
    const char *message = backtest_error("date,close,high,low\n2024-01-04,101,inf,99.5\n",
                                         MS_ERR_DATA);
    assert_non_null(strstr(message, "f.csv:2: field 'high'"));
}

static void test_a_csv_date_repeated_with_other_values_names_both_lines(void **state)
{
    (void)state;
    const char *message = backtest_error("date,close,high,low\n2024-01-04,101,102.5,99.5\n"
                                         "2024-01-04,102,102.5,99.5\n", MS_ERR_DATA);
    assert_non_null(strstr(message, "f.csv:3: date 2024-01-04"));
    assert_non_null(strstr(message, "line 2"));
}

static void test_forecasts_from_arrays_keep_their_rows(void **state)
{
    (void)state;
    int64_t times[] = { JAN(4), JAN(5) };
    double close[] = { 101, 103 }, high[] = { 102, 104 }, low[] = { 99, 101 };
    ms_forecasts *forecasts = NULL;
    assert_int_equal(ms_forecasts_create(&forecasts, 2, times, close, high, low,
                                         MS_FORECAST_UNITS_PRICES, NULL), MS_OK);
    assert_int_equal(ms_forecasts_len(forecasts), 2);
    assert_string_equal(ms_forecasts_source(forecasts), "forecasts");
    assert_true(ms_forecasts_column(forecasts, MS_COL_HIGH)[1] == 104);
    assert_null(ms_forecasts_column(forecasts, MS_COL_OPEN));
    assert_int_equal(ms_forecasts_units(forecasts), MS_FORECAST_UNITS_PRICES);
    ms_forecasts_free(forecasts);
    times[1] = JAN(4);
    assert_int_equal(ms_forecasts_create(&forecasts, 2, times, close, high, low,
                                         MS_FORECAST_UNITS_PRICES, NULL), MS_ERR_DATA);
    assert_null(forecasts);
}

static void test_forecasts_and_backtest_functions_refuse_bad_arguments(void **state)
{
    (void)state;
    int64_t t[] = { JAN(4) };
    double v[] = { 101 };
    ms_forecasts *forecasts = NULL;
    assert_int_equal(ms_forecasts_create(NULL, 1, t, v, v, v, MS_FORECAST_UNITS_AUTO, NULL),
                     MS_ERR_INVALID_ARG);
    assert_int_equal(ms_forecasts_create(&forecasts, 0, t, v, v, v, MS_FORECAST_UNITS_AUTO, NULL),
                     MS_ERR_INVALID_ARG);
    assert_int_equal(ms_forecasts_create(&forecasts, 1, t, NULL, v, v, MS_FORECAST_UNITS_AUTO,
                                         NULL), MS_ERR_INVALID_ARG);
    assert_int_equal(ms_forecasts_create(&forecasts, SIZE_MAX, t, v, v, v,
                                         MS_FORECAST_UNITS_AUTO, NULL), MS_ERR_INVALID_ARG);
    assert_int_equal(ms_forecasts_create(&forecasts, 1, t, v, v, v, (ms_forecast_units)9, NULL),
                     MS_ERR_INVALID_ARG);
    assert_null(forecasts);
    assert_int_equal(ms_forecasts_load_csv(NULL, "f.csv", MS_FORECAST_UNITS_AUTO),
                     MS_ERR_INVALID_ARG);
    assert_int_equal(ms_forecasts_load_csv(&forecasts, NULL, MS_FORECAST_UNITS_AUTO),
                     MS_ERR_INVALID_ARG);
    assert_int_equal(ms_forecasts_load_csv(&forecasts, "/nonexistent/f.csv",
                                           MS_FORECAST_UNITS_AUTO), MS_ERR_IO);
    assert_int_equal(ms_forecasts_parse_csv(&forecasts, NULL, 3, NULL, MS_FORECAST_UNITS_AUTO),
                     MS_ERR_INVALID_ARG);
    assert_int_equal(ms_forecasts_parse_csv(&forecasts, "", 0, NULL, MS_FORECAST_UNITS_AUTO),
                     MS_ERR_PARSE);
    assert_int_equal(ms_forecasts_len(NULL), 0);
    assert_null(ms_forecasts_source(NULL));
    assert_null(ms_forecasts_timestamps(NULL));
    assert_null(ms_forecasts_lines(NULL));
    assert_null(ms_forecasts_column(NULL, MS_COL_CLOSE));
    ms_forecasts_free(NULL);

    assert_int_equal(ms_forecasts_create(&forecasts, 1, t, v, v, v, MS_FORECAST_UNITS_AUTO, NULL),
                     MS_OK);
    ms_source *source = handmade_source();
    ms_report *report = NULL;
    assert_int_equal(ms_backtest_forecasts(NULL, source, "AAA", forecasts, NULL),
                     MS_ERR_INVALID_ARG);
    assert_int_equal(ms_backtest_forecasts(&report, NULL, "AAA", forecasts, NULL),
                     MS_ERR_INVALID_ARG);
    assert_int_equal(ms_backtest_forecasts(&report, source, "", forecasts, NULL),
                     MS_ERR_INVALID_ARG);
    assert_int_equal(ms_backtest_forecasts(&report, source, "AAA", NULL, NULL),
                     MS_ERR_INVALID_ARG);
    ms_analyzer_options bad = MS_ANALYZER_OPTIONS_INIT;
    bad.version = MS_ANALYZER_OPTIONS_VERSION + 1;
    assert_int_equal(ms_backtest_forecasts(&report, source, "AAA", forecasts, &bad),
                     MS_ERR_INVALID_ARG);
    assert_null(report);
    assert_string_equal(ms_plan_check_name((ms_plan_check)42), "unknown");
    ms_source_free(source);
    ms_forecasts_free(forecasts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_strategy_returns_are_the_hand_computed_ones),
        cmocka_unit_test(test_the_next_day_forecast_is_the_row_after_the_last_bar),
        cmocka_unit_test(test_a_self_contradicting_row_is_corrected_and_counted),
        cmocka_unit_test(test_an_incoherent_next_day_forecast_is_widened_before_the_plan),
        cmocka_unit_test(test_the_reference_choice_keeps_an_incoherent_next_day_forecast),
        cmocka_unit_test(test_changes_give_the_same_report_as_prices),
        cmocka_unit_test(test_without_a_row_after_the_last_bar_there_is_no_plan_and_a_warning),
        cmocka_unit_test(test_a_bar_the_simulations_score_without_a_forecast_names_it),
        cmocka_unit_test(test_a_row_dated_on_no_bar_names_its_line_and_field),
        cmocka_unit_test(test_a_price_not_above_zero_names_its_line_and_field),
        cmocka_unit_test(test_values_neither_prices_nor_changes_ask_for_the_units),
        cmocka_unit_test(test_more_simulations_than_bars_is_too_short),
        cmocka_unit_test(test_walk_forward_offsets_need_e_more_bars_and_say_so),
        cmocka_unit_test(test_a_csv_without_a_high_column_names_file_and_line),
        cmocka_unit_test(test_a_csv_number_that_is_not_one_names_line_and_field),
        cmocka_unit_test(test_a_csv_value_that_is_not_finite_names_line_and_field),
        cmocka_unit_test(test_a_csv_date_repeated_with_other_values_names_both_lines),
        cmocka_unit_test(test_forecasts_from_arrays_keep_their_rows),
        cmocka_unit_test(test_forecasts_and_backtest_functions_refuse_bad_arguments),
    };
    return cmocka_run_group_tests_name("backtest_forecasts", tests, NULL, NULL);
}
