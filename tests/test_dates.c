/* test_dates.c - calendar arithmetic and date parsing (lib/core/dates.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/core_internal.h"

static int64_t parse_ok(const char *text)
{
    int64_t seconds = 0;
    const char *reason = NULL;
    if (!ms_parse_utc_time(text, strlen(text), &seconds, &reason))
        fail_msg("'%s' rejected: %s", text, reason);
    return seconds;
}

static const char *parse_reason(const char *text)
{
    int64_t seconds = 0;
    const char *reason = NULL;
    assert_false(ms_parse_utc_time(text, strlen(text), &seconds, &reason));
    assert_non_null(reason);
    return reason;
}

static void test_days_from_civil_matches_known_dates(void **state)
{
    (void)state;
    assert_int_equal(ms_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(ms_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(ms_days_from_civil(2024, 2, 29), 19782);
    assert_int_equal(ms_days_from_civil(2026, 1, 2), 20455);
    assert_int_equal(ms_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(ms_days_from_civil(1600, 1, 1), -135140);
}

static void test_weekday_counts_from_thursday_epoch(void **state)
{
    (void)state;
    assert_int_equal(ms_weekday(0), 4);                                 /* Thursday */
    assert_int_equal(ms_weekday(ms_days_from_civil(2026, 1, 2)), 5);    /* Friday */
    assert_int_equal(ms_weekday(ms_days_from_civil(2024, 1, 7)), 0);    /* Sunday */
    assert_int_equal(ms_weekday(-1), 3);                                /* Wednesday */
}

static void test_format_round_trips_dates_and_times(void **state)
{
    (void)state;
    char text[MS_UTC_TIME_TEXT];
    ms_format_utc_time(parse_ok("2024-02-29"), text);
    assert_string_equal(text, "2024-02-29");
    ms_format_utc_time(parse_ok("1969-12-31 23:59:59"), text);
    assert_string_equal(text, "1969-12-31 23:59:59");
}

static void test_rfc3339_format_always_has_time_and_zone(void **state)
{
    (void)state;
    char text[MS_UTC_TIME_TEXT];
    ms_format_rfc3339(parse_ok("2024-01-02"), text);
    assert_string_equal(text, "2024-01-02T00:00:00Z");
    ms_format_rfc3339(parse_ok("1969-12-31T23:59:59Z"), text);
    assert_string_equal(text, "1969-12-31T23:59:59Z");
    assert_int_equal(parse_ok(text), -1);
}

static void test_parses_every_accepted_form(void **state)
{
    (void)state;
    int64_t midnight = 1704153600;   /* 2024-01-02 00:00:00 UTC */
    assert_int_equal(parse_ok("2024-01-02"), midnight);
    assert_int_equal(parse_ok("  2024-01-02  "), midnight);
    assert_int_equal(parse_ok("2024-01-02 00:00:00"), midnight);
    assert_int_equal(parse_ok("2024-01-02 00:00:00+00:00"), midnight);
    assert_int_equal(parse_ok("2024-01-02T00:00:00Z"), midnight);
    assert_int_equal(parse_ok("2024-01-02T00:00:00.123456Z"), midnight);
    assert_int_equal(parse_ok("2024-01-02 00:00"), midnight);
    assert_int_equal(parse_ok("2024-01-01T19:00:00-05:00"), midnight);
    assert_int_equal(parse_ok("2024-01-02T05:30:00+0530"), midnight);
}

static void test_rejects_impossible_calendar_dates(void **state)
{
    (void)state;
    assert_non_null(strstr(parse_reason("2024-00-10"), "month"));
    assert_non_null(strstr(parse_reason("2024-04-31"), "day"));
    assert_non_null(strstr(parse_reason("2100-02-29"), "day"));
    assert_non_null(strstr(parse_reason("2024-01-02 12:60:00"), "out of range"));
}

static void test_rejects_malformed_text(void **state)
{
    (void)state;
    parse_reason("");
    parse_reason("2024-1-2");
    parse_reason("20240102");
    parse_reason("2024-01-02 10");
    parse_reason("2024-01-02T10:00:00.Z");
    parse_reason("2024-01-02T10:00:00+");
    parse_reason("2024-01-02T10:00:00 UTC");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days_from_civil_matches_known_dates),
        cmocka_unit_test(test_weekday_counts_from_thursday_epoch),
        cmocka_unit_test(test_format_round_trips_dates_and_times),
        cmocka_unit_test(test_rfc3339_format_always_has_time_and_zone),
        cmocka_unit_test(test_parses_every_accepted_form),
        cmocka_unit_test(test_rejects_impossible_calendar_dates),
        cmocka_unit_test(test_rejects_malformed_text),
    };
    return cmocka_run_group_tests_name("dates", tests, NULL, NULL);
}
