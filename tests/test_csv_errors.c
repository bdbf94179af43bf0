/* test_csv_errors.c - every bad CSV input is rejected with the right status
 * and a message naming the file, the line and, where there is one, the
 * field. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "marketsim/data.h"

#define HEADER "Date,close,high,low,open,volume\n"
#define GOOD_ROW "2024-01-02,10.5,11,9.5,10,1000\n"

/* Parses `text` as JD.csv, expects `status`, and checks that the message
 * holds every one of the NULL-terminated fragments. */
static void expect_error(const char *text, ms_status status, ...)
{
    ms_bars *bars = NULL;
    assert_int_equal(ms_bars_parse_csv(&bars, text, strlen(text), "JD.csv", "JD", NULL),
                     status);
    assert_null(bars);
    va_list fragments;
    va_start(fragments, status);
    for (const char *f = va_arg(fragments, const char *); f != NULL;
         f = va_arg(fragments, const char *))
        if (strstr(ms_last_error(), f) == NULL)
            fail_msg("message '%s' lacks '%s'", ms_last_error(), f);
    va_end(fragments);
}

static void test_rejects_unparsable_number_naming_line_and_field(void **state)
{
    (void)state;
    expect_error(HEADER GOOD_ROW "2024-01-03,10.5,abc,9.5,10,1000\n", MS_ERR_PARSE,
                 "JD.csv:3: field 'high': 'abc' is not a number", NULL);
}

static void test_rejects_empty_number(void **state)
{
    (void)state;
    expect_error(HEADER "2024-01-03,10.5,11,,10,1000\n", MS_ERR_PARSE,
                 "JD.csv:2: field 'low': '' is not a number", NULL);
}

static void test_rejects_missing_columns_naming_them(void **state)
{
    (void)state;
    expect_error("Date,close,open,volume\n2024-01-02,10,10,5\n", MS_ERR_PARSE,
                 "JD.csv:1", "missing column(s)", "'high'", "'low'", NULL);
}

static void test_rejects_missing_date_column(void **state)
{
    (void)state;
    expect_error("Day,open,high,low,close\n2024-01-02,10,11,9,10\n", MS_ERR_PARSE,
                 "JD.csv:1", "'date'", NULL);
}

static void test_adjusted_columns_do_not_stand_in_for_raw_ones(void **state)
{
    (void)state;
    expect_error("Date,Adj. Open,High,Low,Close\n2024-01-02,10,11,9,10\n", MS_ERR_PARSE,
                 "JD.csv:1", "'open'", NULL);
}

static void test_rejects_two_columns_for_one_role(void **state)
{
    (void)state;
    expect_error("Date,open,o,high,low,close\n2024-01-02,10,10,11,9,10\n", MS_ERR_PARSE,
                 "JD.csv:1", "columns 2 and 3", "open", NULL);
}

static void test_rejects_row_with_too_few_fields(void **state)
{
    (void)state;
    expect_error(HEADER GOOD_ROW "2024-01-03,10.5,11,9.5,10\n", MS_ERR_PARSE,
                 "JD.csv:3", "expected 6 fields", "found 5", NULL);
}

static void test_rejects_row_with_too_many_fields(void **state)
{
    (void)state;
    expect_error(HEADER "2024-01-03,10.5,11,9.5,10,1000,7\n", MS_ERR_PARSE,
                 "JD.csv:2", "found 7", NULL);
}

static void test_rejects_unterminated_quote(void **state)
{
    (void)state;
    expect_error(HEADER "2024-01-03,\"10.5,11,9.5,10,1000\n", MS_ERR_PARSE,
                 "JD.csv:2", "quote", NULL);
}

static void test_rejects_malformed_date(void **state)
{
    (void)state;
    expect_error(HEADER "01/03/2024,10.5,11,9.5,10,1000\n", MS_ERR_PARSE,
                 "JD.csv:2: field 'date': '01/03/2024'", NULL);
}

static void test_rejects_month_out_of_range(void **state)
{
    (void)state;
    expect_error(HEADER "2024-13-01,10.5,11,9.5,10,1000\n", MS_ERR_PARSE,
                 "JD.csv:2: field 'date'", "month out of range", NULL);
}

static void test_rejects_february_29_of_common_year(void **state)
{
    (void)state;
    expect_error(HEADER "2023-02-29,10.5,11,9.5,10,1000\n", MS_ERR_PARSE,
                 "JD.csv:2: field 'date'", "day out of range", NULL);
}

static void test_rejects_time_out_of_range(void **state)
{
    (void)state;
    expect_error(HEADER "2024-01-02 24:00:00,10.5,11,9.5,10,1000\n", MS_ERR_PARSE,
                 "JD.csv:2: field 'date'", "out of range", NULL);
}

static void test_rejects_bad_utc_offset(void **state)
{
    (void)state;
    expect_error(HEADER "2024-01-02 00:00:00+0x:00,10.5,11,9.5,10,1000\n", MS_ERR_PARSE,
                 "JD.csv:2: field 'date'", "offset", NULL);
}

static void test_rejects_nan_as_data_error(void **state)
{
    (void)state;
    expect_error(HEADER "2024-01-03,nan,11,9.5,10,1000\n", MS_ERR_DATA,
                 "JD.csv:2: field 'close'", "not finite", NULL);
}

static void test_rejects_infinity(void **state)
{
    (void)state;
    expect_error(HEADER "2024-01-03,10.5,inf,9.5,10,1000\n", MS_ERR_DATA,
                 "JD.csv:2: field 'high'", "not finite", NULL);
}

static void test_rejects_zero_price(void **state)
{
    (void)state;
    expect_error(HEADER GOOD_ROW "2024-01-03,10.5,11,9.5,0,1000\n", MS_ERR_DATA,
                 "JD.csv:3: field 'open'", "not a positive price", NULL);
}

static void test_rejects_negative_price(void **state)
{
    (void)state;
    expect_error(HEADER "2024-01-03,10.5,11,-9.5,10,1000\n", MS_ERR_DATA,
                 "JD.csv:2: field 'low'", NULL);
}

static void test_rejects_negative_volume(void **state)
{
    (void)state;
    expect_error(HEADER "2024-01-03,10.5,11,9.5,10,-1\n", MS_ERR_DATA,
                 "JD.csv:2: field 'volume'", "negative", NULL);
}

static void test_rejects_high_below_close(void **state)
{
    (void)state;
    expect_error(HEADER "2024-01-03,10.5,10.4,9.5,10,1000\n", MS_ERR_DATA,
                 "JD.csv:2: field 'high'", "below max(open, close)", NULL);
}

static void test_rejects_low_above_open(void **state)
{
    (void)state;
    expect_error(HEADER "2024-01-03,10.5,11,10.2,10,1000\n", MS_ERR_DATA,
                 "JD.csv:2: field 'low'", "above min(open, close)", NULL);
}

/* open = close = 10 with high 9 and low 11: the range is upside down. The
 * high is checked first, so it is the field named. */
static void test_rejects_high_below_low_naming_the_high(void **state)
{
    (void)state;
    expect_error(HEADER "2024-01-02,10,9,11,10,1000\n", MS_ERR_DATA,
                 "JD.csv:2: field 'high'", "below max(open, close)", NULL);
}

static void test_rejects_conflicting_duplicate_naming_both_lines(void **state)
{
    (void)state;
    expect_error(HEADER GOOD_ROW "2024-01-03,10.5,11,9.5,10,1000\n"
                 "2024-01-02,10.6,11,9.5,10,1000\n", MS_ERR_DATA,
                 "JD.csv:4", "2024-01-02", "line 2", NULL);
}

static void test_rejects_empty_file(void **state)
{
    (void)state;
    expect_error("", MS_ERR_PARSE, "JD.csv:1", "empty", NULL);
    expect_error("\n  \r\n", MS_ERR_PARSE, "JD.csv", "empty", NULL);
}

static void test_rejects_header_only_file(void **state)
{
    (void)state;
    expect_error(HEADER "\n", MS_ERR_PARSE, "JD.csv:1", "no data rows", NULL);
}

static void test_rejects_missing_file_as_io_error(void **state)
{
    (void)state;
    ms_bars *bars = NULL;
    assert_int_equal(ms_bars_load_csv(&bars, "/nonexistent/dir/JD.csv", "JD", NULL),
                     MS_ERR_IO);
    assert_non_null(strstr(ms_last_error(), "/nonexistent/dir/JD.csv"));
}

static void test_rejects_directory_as_io_error(void **state)
{
    (void)state;
    ms_bars *bars = NULL;
    assert_int_equal(ms_bars_load_csv(&bars, "/", "ROOT", NULL), MS_ERR_IO);
}

static void test_rejects_null_arguments(void **state)
{
    (void)state;
    ms_bars *bars = NULL;
    assert_int_equal(ms_bars_parse_csv(NULL, "x", 1, "a.csv", "A", NULL), MS_ERR_INVALID_ARG);
    assert_int_equal(ms_bars_parse_csv(&bars, "x", 1, "a.csv", NULL, NULL),
                     MS_ERR_INVALID_ARG);
    assert_int_equal(ms_bars_load_csv(&bars, NULL, "A", NULL), MS_ERR_INVALID_ARG);
}

static void test_rejects_bad_tolerance_option(void **state)
{
    (void)state;
    ms_bars_options opts = MS_BARS_OPTIONS_INIT;
    opts.ohlc_tolerance = -1.0;
    ms_bars *bars = NULL;
    const char *text = HEADER GOOD_ROW;
    assert_int_equal(ms_bars_parse_csv(&bars, text, strlen(text), "JD.csv", "JD", &opts),
                     MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "ohlc_tolerance"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rejects_unparsable_number_naming_line_and_field),
        cmocka_unit_test(test_rejects_empty_number),
        cmocka_unit_test(test_rejects_missing_columns_naming_them),
        cmocka_unit_test(test_rejects_missing_date_column),
        cmocka_unit_test(test_adjusted_columns_do_not_stand_in_for_raw_ones),
        cmocka_unit_test(test_rejects_two_columns_for_one_role),
        cmocka_unit_test(test_rejects_row_with_too_few_fields),
        cmocka_unit_test(test_rejects_row_with_too_many_fields),
        cmocka_unit_test(test_rejects_unterminated_quote),
        cmocka_unit_test(test_rejects_malformed_date),
        cmocka_unit_test(test_rejects_month_out_of_range),
        cmocka_unit_test(test_rejects_february_29_of_common_year),
        cmocka_unit_test(test_rejects_time_out_of_range),
        cmocka_unit_test(test_rejects_bad_utc_offset),
        cmocka_unit_test(test_rejects_nan_as_data_error),
        cmocka_unit_test(test_rejects_infinity),
        cmocka_unit_test(test_rejects_zero_price),
        cmocka_unit_test(test_rejects_negative_price),
        cmocka_unit_test(test_rejects_negative_volume),
        cmocka_unit_test(test_rejects_high_below_close),
        cmocka_unit_test(test_rejects_low_above_open),
        cmocka_unit_test(test_rejects_high_below_low_naming_the_high),
        cmocka_unit_test(test_rejects_conflicting_duplicate_naming_both_lines),
        cmocka_unit_test(test_rejects_empty_file),
        cmocka_unit_test(test_rejects_header_only_file),
        cmocka_unit_test(test_rejects_missing_file_as_io_error),
        cmocka_unit_test(test_rejects_directory_as_io_error),
        cmocka_unit_test(test_rejects_null_arguments),
        cmocka_unit_test(test_rejects_bad_tolerance_option),
    };
    return cmocka_run_group_tests_name("csv_errors", tests, NULL, NULL);
}
