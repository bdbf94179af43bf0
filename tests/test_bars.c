/* test_bars.c - ms_bars_create: copying, accessors and the value rules. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "marketsim/data.h"

#define DAY 86400

/* Three valid bars; tests break one value at a time. */
typedef struct sample {
    int64_t timestamps[3];
    double open[3], high[3], low[3], close[3], volume[3];
} sample;

static sample valid_sample(void)
{
    sample s = {
        { 0, DAY, 2 * DAY },
        { 10.0, 11.0, 12.0 },
        { 11.0, 12.5, 12.5 },
        { 9.5, 10.5, 11.0 },
        { 10.5, 12.0, 11.5 },
        { 1000, 2000, 0 },
    };
    return s;
}

static ms_status create(ms_bars **out, const sample *s, const ms_bars_options *opts)
{
    return ms_bars_create(out, "TEST", 3, s->timestamps, s->open, s->high, s->low,
                          s->close, s->volume, opts);
}

static void test_create_copies_every_column(void **state)
{
    (void)state;
    sample s = valid_sample();
    ms_bars *bars = NULL;
    assert_int_equal(create(&bars, &s, NULL), MS_OK);
    s.close[0] = 99.0;   /* the series owns a copy */
    assert_int_equal(ms_bars_len(bars), 3);
    assert_string_equal(ms_bars_symbol(bars), "TEST");
    assert_int_equal(ms_bars_timestamps(bars)[2], 2 * DAY);
    assert_true(ms_bars_column(bars, MS_COL_OPEN)[1] == 11.0);
    assert_true(ms_bars_column(bars, MS_COL_HIGH)[0] == 11.0);
    assert_true(ms_bars_column(bars, MS_COL_LOW)[2] == 11.0);
    assert_true(ms_bars_column(bars, MS_COL_CLOSE)[0] == 10.5);
    assert_true(ms_bars_column(bars, MS_COL_VOLUME)[1] == 2000.0);
    ms_bars_free(bars);
}

static void test_create_without_volume_gives_zero_volume(void **state)
{
    (void)state;
    sample s = valid_sample();
    ms_bars *bars = NULL;
    assert_int_equal(ms_bars_create(&bars, "TEST", 3, s.timestamps, s.open, s.high, s.low,
                                    s.close, NULL, NULL), MS_OK);
    for (size_t i = 0; i < 3; i++)
        assert_true(ms_bars_column(bars, MS_COL_VOLUME)[i] == 0.0);
    ms_bars_free(bars);
}

static void test_column_rejects_unknown_column(void **state)
{
    (void)state;
    sample s = valid_sample();
    ms_bars *bars = NULL;
    assert_int_equal(create(&bars, &s, NULL), MS_OK);
    assert_null(ms_bars_column(bars, (ms_column)5));
    assert_null(ms_bars_column(NULL, MS_COL_OPEN));
    ms_bars_free(bars);
    ms_bars_free(NULL);
}

static void test_create_rejects_missing_arguments(void **state)
{
    (void)state;
    sample s = valid_sample();
    ms_bars *bars = NULL;
    assert_int_equal(ms_bars_create(&bars, "TEST", 0, s.timestamps, s.open, s.high, s.low,
                                    s.close, NULL, NULL), MS_ERR_INVALID_ARG);
    assert_int_equal(ms_bars_create(&bars, NULL, 3, s.timestamps, s.open, s.high, s.low,
                                    s.close, NULL, NULL), MS_ERR_INVALID_ARG);
    assert_int_equal(ms_bars_create(&bars, "TEST", 3, s.timestamps, s.open, NULL, s.low,
                                    s.close, NULL, NULL), MS_ERR_INVALID_ARG);
    assert_int_equal(ms_bars_create(NULL, "TEST", 3, s.timestamps, s.open, s.high, s.low,
                                    s.close, NULL, NULL), MS_ERR_INVALID_ARG);
    assert_null(bars);
}

static void test_create_rejects_bad_options_version(void **state)
{
    (void)state;
    sample s = valid_sample();
    ms_bars *bars = NULL;
    ms_bars_options opts = MS_BARS_OPTIONS_INIT;
    opts.version = 99;
    assert_int_equal(create(&bars, &s, &opts), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "version"));
}

static void test_create_rejects_repeated_timestamp_naming_rows(void **state)
{
    (void)state;
    sample s = valid_sample();
    s.timestamps[2] = s.timestamps[1];
    ms_bars *bars = NULL;
    assert_int_equal(create(&bars, &s, NULL), MS_ERR_DATA);
    assert_non_null(strstr(ms_last_error(), "TEST: row 2"));
    assert_non_null(strstr(ms_last_error(), "row 1"));
    assert_null(bars);
}

static void test_create_rejects_nan_naming_row_and_field(void **state)
{
    (void)state;
    sample s = valid_sample();
    s.low[1] = NAN;
    ms_bars *bars = NULL;
    assert_int_equal(create(&bars, &s, NULL), MS_ERR_DATA);
    assert_non_null(strstr(ms_last_error(), "row 1: field 'low'"));
    assert_non_null(strstr(ms_last_error(), "not finite"));
}

static void test_create_rejects_non_positive_price(void **state)
{
    (void)state;
    sample s = valid_sample();
    s.open[0] = 0.0;
    ms_bars *bars = NULL;
    assert_int_equal(create(&bars, &s, NULL), MS_ERR_DATA);
    assert_non_null(strstr(ms_last_error(), "row 0: field 'open'"));
}

static void test_create_rejects_negative_volume(void **state)
{
    (void)state;
    sample s = valid_sample();
    s.volume[2] = -1.0;
    ms_bars *bars = NULL;
    assert_int_equal(create(&bars, &s, NULL), MS_ERR_DATA);
    assert_non_null(strstr(ms_last_error(), "row 2: field 'volume'"));
}

static void test_create_rejects_high_below_close(void **state)
{
    (void)state;
    sample s = valid_sample();
    s.high[1] = 11.9;   /* close is 12.0 */
    ms_bars *bars = NULL;
    assert_int_equal(create(&bars, &s, NULL), MS_ERR_DATA);
    assert_non_null(strstr(ms_last_error(), "row 1: field 'high'"));
    assert_non_null(strstr(ms_last_error(), "below max(open, close)"));
}

static void test_create_rejects_low_above_open(void **state)
{
    (void)state;
    sample s = valid_sample();
    s.low[0] = 10.2;    /* open is 10.0 */
    ms_bars *bars = NULL;
    assert_int_equal(create(&bars, &s, NULL), MS_ERR_DATA);
    assert_non_null(strstr(ms_last_error(), "row 0: field 'low'"));
}

static void test_create_accepts_high_within_tolerance_unchanged(void **state)
{
    (void)state;
    sample s = valid_sample();
    /* 5e-7 relative below the close: inside the default tolerance of 1e-6. */
    s.high[1] = 12.0 * (1.0 - 5e-7);
    ms_bars *bars = NULL;
    assert_int_equal(create(&bars, &s, NULL), MS_OK);
    assert_true(ms_bars_column(bars, MS_COL_HIGH)[1] == s.high[1]);
    ms_bars_free(bars);
}

static void test_create_with_zero_tolerance_rejects_tiny_violation(void **state)
{
    (void)state;
    sample s = valid_sample();
    s.high[1] = 12.0 * (1.0 - 5e-7);
    ms_bars_options opts = MS_BARS_OPTIONS_INIT;
    opts.ohlc_tolerance = 0.0;
    ms_bars *bars = NULL;
    assert_int_equal(create(&bars, &s, &opts), MS_ERR_DATA);
}

static void test_create_repair_widens_high_and_low(void **state)
{
    (void)state;
    sample s = valid_sample();
    s.high[0] = 10.2;   /* below close 10.5 */
    s.low[2] = 11.7;    /* above close 11.5 */
    ms_bars_options opts = MS_BARS_OPTIONS_INIT;
    opts.ohlc_policy = MS_OHLC_REPAIR;
    ms_bars *bars = NULL;
    assert_int_equal(create(&bars, &s, &opts), MS_OK);
    assert_true(ms_bars_column(bars, MS_COL_HIGH)[0] == 10.5);
    assert_true(ms_bars_column(bars, MS_COL_LOW)[2] == 11.5);
    ms_bars_free(bars);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_copies_every_column),
        cmocka_unit_test(test_create_without_volume_gives_zero_volume),
        cmocka_unit_test(test_column_rejects_unknown_column),
        cmocka_unit_test(test_create_rejects_missing_arguments),
        cmocka_unit_test(test_create_rejects_bad_options_version),
        cmocka_unit_test(test_create_rejects_repeated_timestamp_naming_rows),
        cmocka_unit_test(test_create_rejects_nan_naming_row_and_field),
        cmocka_unit_test(test_create_rejects_non_positive_price),
        cmocka_unit_test(test_create_rejects_negative_volume),
        cmocka_unit_test(test_create_rejects_high_below_close),
        cmocka_unit_test(test_create_rejects_low_above_open),
        cmocka_unit_test(test_create_accepts_high_within_tolerance_unchanged),
        cmocka_unit_test(test_create_with_zero_tolerance_rejects_tiny_violation),
        cmocka_unit_test(test_create_repair_widens_high_and_low),
    };
    return cmocka_run_group_tests_name("bars", tests, NULL, NULL);
}
