/*
 * test_market_calendar.c - core's US stock market calendar: NYSE holidays
 * (checked against the exchange's published calendars for 2021-2027) and
 * the last session complete or under way at a moment, which the analyzer's
 * freshness rule uses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/core_internal.h"
#include "marketsim/data.h"

static int64_t day(int year, int month, int date)
{
    return ms_days_from_civil(year, month, date);
}

/* A UTC time on a date. */
static int64_t at(int year, int month, int date, int hour, int minute)
{
    return day(year, month, date) * MS_SECONDS_PER_DAY + hour * 3600 + minute * 60;
}

static void test_published_nyse_holidays_of_2024_to_2026_are_known(void **state)
{
    (void)state;
    static const int holidays[][3] = {
        { 2024, 1, 1 }, { 2024, 1, 15 }, { 2024, 2, 19 }, { 2024, 3, 29 }, { 2024, 5, 27 },
        { 2024, 6, 19 }, { 2024, 7, 4 }, { 2024, 9, 2 }, { 2024, 11, 28 }, { 2024, 12, 25 },
        { 2025, 1, 1 }, { 2025, 1, 9 }, { 2025, 1, 20 }, { 2025, 2, 17 }, { 2025, 4, 18 },
        { 2025, 5, 26 }, { 2025, 6, 19 }, { 2025, 7, 4 }, { 2025, 9, 1 }, { 2025, 11, 27 },
        { 2025, 12, 25 }, { 2026, 1, 1 }, { 2026, 1, 19 }, { 2026, 2, 16 }, { 2026, 4, 3 },
        { 2026, 5, 25 }, { 2026, 6, 19 }, { 2026, 7, 3 }, { 2026, 9, 7 }, { 2026, 11, 26 },
        { 2026, 12, 25 } };
    for (size_t i = 0; i < MS_ARRAY_LEN(holidays); i++) {
        int64_t d = day(holidays[i][0], holidays[i][1], holidays[i][2]);
        assert_true(ms_nyse_holiday(d));
        assert_false(ms_us_session_day(d));
    }
}

static void test_fixed_date_holidays_on_a_weekend_move_to_the_nearest_weekday(void **state)
{
    (void)state;
    assert_true(ms_nyse_holiday(day(2026, 7, 3)));     /* July 4th a Saturday */
    assert_true(ms_nyse_holiday(day(2027, 7, 5)));     /* July 4th a Sunday */
    assert_true(ms_nyse_holiday(day(2022, 6, 20)));    /* Juneteenth a Sunday */
    assert_true(ms_nyse_holiday(day(2027, 12, 24)));   /* Christmas a Saturday */
    assert_true(ms_us_session_day(day(2026, 7, 6)));
}

static void test_new_years_day_on_a_saturday_closes_no_friday(void **state)
{
    (void)state;
    assert_true(ms_us_session_day(day(2021, 12, 31)));
    assert_true(ms_us_session_day(day(2022, 1, 3)));
}

static void test_ordinary_weekdays_are_sessions_and_weekends_are_not(void **state)
{
    (void)state;
    assert_true(ms_us_session_day(day(2024, 6, 17)));    /* a Monday */
    assert_true(ms_us_session_day(day(2024, 11, 29)));   /* the early close after Thanksgiving */
    assert_false(ms_us_session_day(day(2024, 6, 15)));   /* Saturday */
    assert_false(ms_us_session_day(day(2024, 6, 16)));   /* Sunday */
}

static void test_before_the_open_the_last_session_is_the_day_before(void **state)
{
    (void)state;
    /* 2024-06-18 13:29Z is 09:29 EDT; 13:30Z is the open. */
    assert_int_equal(ms_us_last_session(at(2024, 6, 18, 13, 29)), day(2024, 6, 17));
    assert_int_equal(ms_us_last_session(at(2024, 6, 18, 13, 30)), day(2024, 6, 18));
    /* 2024-01-17 14:29Z is 09:29 EST. */
    assert_int_equal(ms_us_last_session(at(2024, 1, 17, 14, 29)), day(2024, 1, 16));
}

static void test_last_session_skips_weekends_and_holidays(void **state)
{
    (void)state;
    assert_int_equal(ms_us_last_session(at(2024, 6, 19, 18, 0)), day(2024, 6, 18));  /* Juneteenth */
    assert_int_equal(ms_us_last_session(at(2024, 6, 22, 18, 0)), day(2024, 6, 21));  /* Saturday */
    assert_int_equal(ms_us_last_session(at(2024, 4, 1, 12, 0)), day(2024, 3, 28));   /* after Good Friday */
}

static void test_last_session_follows_the_eastern_date_not_the_utc_one(void **state)
{
    (void)state;
    /* 2024-06-18 02:00Z is 2024-06-17 22:00 EDT. */
    assert_int_equal(ms_us_last_session(at(2024, 6, 18, 2, 0)), day(2024, 6, 17));
    /* 2024-01-16 03:00Z is 2024-01-15 22:00 EST, Martin Luther King Jr. Day. */
    assert_int_equal(ms_us_last_session(at(2024, 1, 16, 3, 0)), day(2024, 1, 12));
}

/* Friday 2026-01-16 + 1 bar is Tuesday 2026-01-20 (Martin Luther King Jr.
 * Day on the Monday), + 2 is Wednesday; a coin's next bar is the next day;
 * the time of day is kept. */
static void test_next_bar_time_skips_weekends_and_holidays_for_stocks_only(void **state)
{
    (void)state;
    int64_t friday = 1768521600 + 5 * 3600;   /* 2026-01-16 05:00 UTC */
    assert_int_equal(ms_next_bar_time(friday, MS_ASSET_STOCK, 1), friday + 4 * 86400);
    assert_int_equal(ms_next_bar_time(friday, MS_ASSET_STOCK, 2), friday + 5 * 86400);
    assert_int_equal(ms_next_bar_time(friday, MS_ASSET_CRYPTO, 1), friday + 86400);
    assert_int_equal(ms_next_bar_time(friday, MS_ASSET_STOCK, 0), friday);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_nyse_holidays_of_2024_to_2026_are_known),
        cmocka_unit_test(test_fixed_date_holidays_on_a_weekend_move_to_the_nearest_weekday),
        cmocka_unit_test(test_new_years_day_on_a_saturday_closes_no_friday),
        cmocka_unit_test(test_ordinary_weekdays_are_sessions_and_weekends_are_not),
        cmocka_unit_test(test_before_the_open_the_last_session_is_the_day_before),
        cmocka_unit_test(test_last_session_skips_weekends_and_holidays),
        cmocka_unit_test(test_last_session_follows_the_eastern_date_not_the_utc_one),
        cmocka_unit_test(test_next_bar_time_skips_weekends_and_holidays_for_stocks_only),
    };
    return cmocka_run_group_tests_name("market calendar", tests, NULL, NULL);
}
