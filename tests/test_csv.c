/* test_csv.c - the CSV loader reads every supported layout with the right
 * values: columns by name, text quirks, date forms, ordering, duplicates. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "marketsim/data.h"

#define JAN_1_2024 1704067200   /* 2024-01-01 00:00:00 UTC */
#define DAY 86400

static ms_bars *parse(const char *text)
{
    ms_bars *bars = NULL;
    ms_status status = ms_bars_parse_csv(&bars, text, strlen(text), "test.csv", "TEST", NULL);
    if (status != MS_OK)
        fail_msg("parse failed: %s", ms_last_error());
    return bars;
}

static double value(const ms_bars *bars, ms_column column, size_t i)
{
    return ms_bars_column(bars, column)[i];
}

static void test_reads_yahoo_lowercase_layout(void **state)
{
    (void)state;
    ms_bars *bars = parse("Date,close,high,low,open,volume\n"
                          "2020-01-02,34.23638153076172,34.26360256616924,"
                          "32.575832602887644,32.63027467370269,22688700\n"
                          "2020-01-03,34.472312927246094,34.971384919139275,"
                          "33.28361128786695,33.37435039131119,16929900\n");
    assert_int_equal(ms_bars_len(bars), 2);
    assert_int_equal(ms_bars_timestamps(bars)[0], 1577923200);   /* 2020-01-02 */
    assert_true(value(bars, MS_COL_CLOSE, 0) == 34.23638153076172);
    assert_true(value(bars, MS_COL_HIGH, 0) == 34.26360256616924);
    assert_true(value(bars, MS_COL_LOW, 0) == 32.575832602887644);
    assert_true(value(bars, MS_COL_OPEN, 1) == 33.37435039131119);
    assert_true(value(bars, MS_COL_VOLUME, 1) == 16929900.0);
    ms_bars_free(bars);
}

static void test_reads_exchange_layout_with_offset_timestamps(void **state)
{
    (void)state;
    ms_bars *bars = parse("timestamp,open,high,low,close,volume,trade_count,vwap,symbol\n"
                          "2024-01-01 00:00:00+00:00,0.7753,0.8478,0.7557,0.8438,"
                          "49861871.3,125973,0.799360480592713,SUIUSDT\n"
                          "2024-01-02 00:00:00+00:00,0.8438,0.932,0.84,0.9062,"
                          "84656192.4,254309,0.88390385574771,SUIUSDT\n");
    assert_int_equal(ms_bars_timestamps(bars)[0], JAN_1_2024);
    assert_int_equal(ms_bars_timestamps(bars)[1], JAN_1_2024 + DAY);
    assert_true(value(bars, MS_COL_OPEN, 0) == 0.7753);
    assert_true(value(bars, MS_COL_CLOSE, 0) == 0.8438);
    assert_true(value(bars, MS_COL_VOLUME, 1) == 84656192.4);
    ms_bars_free(bars);
}

static void test_reads_yahoo_layout_ignoring_adj_close(void **state)
{
    (void)state;
    ms_bars *bars = parse("Date,Open,High,Low,Close,Adj Close,Volume\n"
                          "2024-01-02,187.15,188.44,183.89,185.64,184.53,82488700\n");
    assert_true(value(bars, MS_COL_CLOSE, 0) == 185.64);
    assert_true(value(bars, MS_COL_OPEN, 0) == 187.15);
    assert_true(value(bars, MS_COL_VOLUME, 0) == 82488700.0);
    ms_bars_free(bars);
}

static void test_reads_yahoo_layout_with_volume_before_adj_close(void **state)
{
    (void)state;
    ms_bars *bars = parse("Date,High,Low,Open,Close,Volume,Adj Close\n"
                          "2024-01-02,188.44,183.89,187.15,185.64,82488700,184.53\n");
    assert_true(value(bars, MS_COL_HIGH, 0) == 188.44);
    assert_true(value(bars, MS_COL_LOW, 0) == 183.89);
    assert_true(value(bars, MS_COL_CLOSE, 0) == 185.64);
    assert_true(value(bars, MS_COL_VOLUME, 0) == 82488700.0);
    ms_bars_free(bars);
}

static void test_reads_quandl_wiki_newest_first_with_raw_prices(void **state)
{
    (void)state;
    ms_bars *bars = parse("Date,Open,High,Low,Close,Volume,Ex-Dividend,Split Ratio,"
                          "Adj. Open,Adj. High,Adj. Low,Adj. Close,Adj. Volume\n"
                          "2018-03-27,173.68,175.15,166.92,168.34,38962839,0,1,"
                          "1.5,1.6,1.4,1.55,38962839\n"
                          "2018-03-26,168.07,173.1,166.44,172.77,36272617,0,1,"
                          "1.5,1.6,1.4,1.55,36272617\n"
                          "2018-03-23,168.39,169.92,164.94,164.94,40248954,0,1,"
                          "1.5,1.6,1.4,1.55,40248954\n");
    assert_int_equal(ms_bars_len(bars), 3);
    const int64_t *t = ms_bars_timestamps(bars);
    assert_true(t[0] < t[1] && t[1] < t[2]);
    assert_true(value(bars, MS_COL_OPEN, 0) == 168.39);     /* 2018-03-23, not Adj. Open */
    assert_true(value(bars, MS_COL_CLOSE, 2) == 168.34);    /* 2018-03-27 */
    ms_bars_free(bars);
}

static void test_reads_alpaca_dump_with_short_names(void **state)
{
    (void)state;
    ms_bars *bars = parse("t,o,h,l,c,v,n,vw\n"
                          "2024-01-02T05:00:00Z,187.15,188.44,183.89,185.64,82488700,"
                          "1009074,185.9\n");
    assert_int_equal(ms_bars_timestamps(bars)[0], JAN_1_2024 + DAY + 5 * 3600);
    assert_true(value(bars, MS_COL_OPEN, 0) == 187.15);
    assert_true(value(bars, MS_COL_LOW, 0) == 183.89);
    ms_bars_free(bars);
}

static void test_volume_column_is_optional(void **state)
{
    (void)state;
    ms_bars *bars = parse("date,open,high,low,close\n2024-01-01,10,11,9,10.5\n");
    assert_true(value(bars, MS_COL_VOLUME, 0) == 0.0);
    ms_bars_free(bars);
}

static void test_header_names_match_case_insensitively(void **state)
{
    (void)state;
    ms_bars *bars = parse("DATE,OPEN,High,lOw,ClOsE,VOLUME\n2024-01-01,10,11,9,10.5,7\n");
    assert_true(value(bars, MS_COL_CLOSE, 0) == 10.5);
    assert_true(value(bars, MS_COL_VOLUME, 0) == 7.0);
    ms_bars_free(bars);
}

static void test_handles_bom_crlf_whitespace_quotes_and_blank_lines(void **state)
{
    (void)state;
    ms_bars *bars = parse("\xEF\xBB\xBF\"Date\", Open ,High,Low,Close,\"Note, free text\"\r\n"
                          " 2024-01-01 ,\"10\", 11 ,9,10.5,\"a, b\"\r\n"
                          "2024-01-02,10.5,12,10,11.5,\"\"\r\n"
                          "\r\n   \r\n\n");
    assert_int_equal(ms_bars_len(bars), 2);
    assert_int_equal(ms_bars_timestamps(bars)[0], JAN_1_2024);
    assert_true(value(bars, MS_COL_OPEN, 0) == 10.0);
    assert_true(value(bars, MS_COL_HIGH, 0) == 11.0);
    assert_true(value(bars, MS_COL_CLOSE, 1) == 11.5);
    ms_bars_free(bars);
}

static void test_reads_old_mac_cr_line_ends(void **state)
{
    (void)state;
    ms_bars *bars = parse("Date,Open,High,Low,Close\r2024-01-01,10,11,9,10.5\r2024-01-02,10.5,12,10,11.5\r");
    assert_int_equal(ms_bars_len(bars), 2);
    assert_true(value(bars, MS_COL_CLOSE, 1) == 11.5);
    ms_bars_free(bars);
}

static void test_counts_lines_the_same_for_every_line_end(void **state)
{
    (void)state;
    const char *texts[] = { "date,open,high,low,close\n2024-01-01,10,11,9,10\n2024-01-02,10,x,9,10\n",
                            "date,open,high,low,close\r\n2024-01-01,10,11,9,10\r\n2024-01-02,10,x,9,10\r\n",
                            "date,open,high,low,close\r2024-01-01,10,11,9,10\r2024-01-02,10,x,9,10\r" };
    for (size_t i = 0; i < 3; i++) {
        ms_bars *bars = NULL;
        assert_int_equal(ms_bars_parse_csv(&bars, texts[i], strlen(texts[i]), "ends.csv", "X", NULL),
                         MS_ERR_PARSE);
        assert_non_null(strstr(ms_last_error(), "ends.csv:3"));
    }
}

static void test_converts_every_date_form_to_utc(void **state)
{
    (void)state;
    ms_bars *bars = parse("date,open,high,low,close\n"
                          "2024-01-01,10,11,9,10\n"                           /* midnight */
                          "2024-01-02 00:00:00.250+00:00,10,11,9,10\n"        /* fraction */
                          "2024-01-03T00:00:00-05:00,10,11,9,10\n"            /* 05:00 UTC */
                          "2024-01-04T01:30:00+01:30,10,11,9,10\n"            /* midnight */
                          "2024-01-05T12:00:00.5Z,10,11,9,10\n"
                          "2024-01-06 09:30:15Z,10,11,9,10\n");
    const int64_t *t = ms_bars_timestamps(bars);
    assert_int_equal(t[0], JAN_1_2024);
    assert_int_equal(t[1], JAN_1_2024 + DAY);
    assert_int_equal(t[2], JAN_1_2024 + 2 * DAY + 5 * 3600);
    assert_int_equal(t[3], JAN_1_2024 + 3 * DAY);
    assert_int_equal(t[4], JAN_1_2024 + 4 * DAY + 12 * 3600);
    assert_int_equal(t[5], JAN_1_2024 + 5 * DAY + 9 * 3600 + 30 * 60 + 15);
    ms_bars_free(bars);
}

static void test_sorts_shuffled_rows(void **state)
{
    (void)state;
    ms_bars *bars = parse("date,open,high,low,close\n"
                          "2024-01-03,13,14,12,13\n"
                          "2024-01-01,11,12,10,11\n"
                          "2024-01-04,14,15,13,14\n"
                          "2024-01-02,12,13,11,12\n");
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(ms_bars_timestamps(bars)[i], JAN_1_2024 + (int64_t)i * DAY);
        assert_true(value(bars, MS_COL_CLOSE, i) == 11.0 + (double)i);
    }
    ms_bars_free(bars);
}

static void test_drops_exact_duplicate_rows(void **state)
{
    (void)state;
    ms_bars *bars = parse("date,open,high,low,close,volume\n"
                          "2024-01-01,11,12,10,11,5\n"
                          "2024-01-02,12,13,11,12,6\n"
                          "2024-01-01,11,12,10,11,5\n");
    assert_int_equal(ms_bars_len(bars), 2);
    assert_true(value(bars, MS_COL_CLOSE, 1) == 12.0);
    ms_bars_free(bars);
}

static void test_repair_policy_widens_high_and_low(void **state)
{
    (void)state;
    const char *text = "date,open,high,low,close\n2024-01-01,10,10.2,9.8,10.5\n"
                       "2024-01-02,10,11,10.1,10.5\n";
    ms_bars_options opts = MS_BARS_OPTIONS_INIT;
    opts.ohlc_policy = MS_OHLC_REPAIR;
    ms_bars *bars = NULL;
    assert_int_equal(ms_bars_parse_csv(&bars, text, strlen(text), "fix.csv", "FIX", &opts),
                     MS_OK);
    assert_true(value(bars, MS_COL_HIGH, 0) == 10.5);
    assert_true(value(bars, MS_COL_LOW, 1) == 10.0);
    ms_bars_free(bars);
}

static void test_text_need_not_be_nul_terminated(void **state)
{
    (void)state;
    const char text[] = "date,open,high,low,close\n2024-01-01,10,11,9,10.5\nGARBAGE";
    ms_bars *bars = NULL;
    size_t len = strlen(text) - strlen("GARBAGE");
    assert_int_equal(ms_bars_parse_csv(&bars, text, len, "cut.csv", "CUT", NULL), MS_OK);
    assert_int_equal(ms_bars_len(bars), 1);
    ms_bars_free(bars);
}

static void test_loads_fixture_file_keeping_symbol(void **state)
{
    (void)state;
    const char *root = getenv("MARKETSIM_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fixtures/csv/AAPL.csv", root != NULL ? root : ".");
    ms_bars *bars = NULL;
    assert_int_equal(ms_bars_load_csv(&bars, path, "AAPL", NULL), MS_OK);
    assert_string_equal(ms_bars_symbol(bars), "AAPL");
    assert_int_equal(ms_bars_len(bars), 5);
    assert_true(value(bars, MS_COL_CLOSE, 4) == 185.56);
    ms_bars_free(bars);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_yahoo_lowercase_layout),
        cmocka_unit_test(test_reads_exchange_layout_with_offset_timestamps),
        cmocka_unit_test(test_reads_yahoo_layout_ignoring_adj_close),
        cmocka_unit_test(test_reads_yahoo_layout_with_volume_before_adj_close),
        cmocka_unit_test(test_reads_quandl_wiki_newest_first_with_raw_prices),
        cmocka_unit_test(test_reads_alpaca_dump_with_short_names),
        cmocka_unit_test(test_volume_column_is_optional),
        cmocka_unit_test(test_header_names_match_case_insensitively),
        cmocka_unit_test(test_handles_bom_crlf_whitespace_quotes_and_blank_lines),
        cmocka_unit_test(test_reads_old_mac_cr_line_ends),
        cmocka_unit_test(test_counts_lines_the_same_for_every_line_end),
        cmocka_unit_test(test_converts_every_date_form_to_utc),
        cmocka_unit_test(test_sorts_shuffled_rows),
        cmocka_unit_test(test_drops_exact_duplicate_rows),
        cmocka_unit_test(test_repair_policy_widens_high_and_low),
        cmocka_unit_test(test_text_need_not_be_nul_terminated),
        cmocka_unit_test(test_loads_fixture_file_keeping_symbol),
    };
    return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
