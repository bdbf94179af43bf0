/*
 * test_market_hours.c - US/Eastern from UTC without a tz database (the
 * 2007 US daylight-saving rules) and the next scheduled cycle time of
 * `marketsim trade --loop`. Expected instants were computed with GNU date
 * and the tz database, e.g. `date -u -d "2026-03-08 07:00:00" +%s`.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "marketsim/trade.h"

#define HOURS(h) ((h) * 3600)
#define AT(h, m) ((h) * 3600 + (m) * 60)

static void test_daylight_time_starts_second_sunday_of_march_at_2am(void **state)
{
    (void)state;
    assert_int_equal(ms_us_eastern_offset(1772953199), HOURS(-5)); /* 2026-03-08 06:59:59Z */
    assert_int_equal(ms_us_eastern_offset(1772953200), HOURS(-4)); /* 2026-03-08 07:00:00Z */
    assert_int_equal(ms_us_eastern_offset(1710054000), HOURS(-4)); /* 2024-03-10 07:00:00Z */
}

static void test_standard_time_returns_first_sunday_of_november_at_2am(void **state)
{
    (void)state;
    assert_int_equal(ms_us_eastern_offset(1793512799), HOURS(-4)); /* 2026-11-01 05:59:59Z */
    assert_int_equal(ms_us_eastern_offset(1793512800), HOURS(-5)); /* 2026-11-01 06:00:00Z */
}

static void test_next_time_later_the_same_day(void **state)
{
    (void)state;
    int times[] = { AT(15, 50), AT(9, 35) };
    int64_t next = 0;
    /* 2026-07-01 13:00Z is 09:00 EDT: next 09:35 EDT = 13:35Z, then 15:50 EDT = 19:50Z */
    assert_int_equal(ms_trade_next_time(1782910800, times, 2, 0, &next), MS_OK);
    assert_int_equal(next, 1782912900);
    assert_int_equal(ms_trade_next_time(1782912900, times, 2, 0, &next), MS_OK);
    assert_int_equal(next, 1782935400);
}

static void test_next_time_skips_the_weekend_unless_every_day(void **state)
{
    (void)state;
    int times[] = { AT(9, 35) };
    int64_t next = 0;
    /* Friday 2026-11-20 21:00Z (16:00 EST): Monday 09:35 EST = 14:35Z */
    assert_int_equal(ms_trade_next_time(1795208400, times, 1, 0, &next), MS_OK);
    assert_int_equal(next, 1795444500);
    /* every day: Saturday 2026-11-21 09:35 EST */
    assert_int_equal(ms_trade_next_time(1795208400, times, 1, 1, &next), MS_OK);
    assert_int_equal(next, 1795271700);
}

static void test_next_time_rejects_times_outside_a_day(void **state)
{
    (void)state;
    int times[] = { HOURS(24) };
    int64_t next = 0;
    assert_int_equal(ms_trade_next_time(0, times, 1, 0, &next), MS_ERR_INVALID_ARG);
    assert_int_equal(ms_trade_next_time(0, times, 0, 0, &next), MS_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_daylight_time_starts_second_sunday_of_march_at_2am),
        cmocka_unit_test(test_standard_time_returns_first_sunday_of_november_at_2am),
        cmocka_unit_test(test_next_time_later_the_same_day),
        cmocka_unit_test(test_next_time_skips_the_weekend_unless_every_day),
        cmocka_unit_test(test_next_time_rejects_times_outside_a_day),
    };
    return cmocka_run_group_tests_name("market_hours", tests, NULL, NULL);
}
