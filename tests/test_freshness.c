/*
 * test_freshness.c - which symbols' data are stale at the report's as_of
 * (strategies.md, "Freshness"): a stock whose last bar is before the US
 * market's last session complete or under way, a crypto pair whose last
 * bar is dated before the day before as_of's day; weekends and holidays are
 * no sessions. Reports are built by hand; ms_judge_freshness marks them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze_internal.h"
#include "core/core_internal.h"

static int64_t at(int year, int month, int date, int hour, int minute)
{
    return ms_days_from_civil(year, month, date) * MS_SECONDS_PER_DAY + hour * 3600 + minute * 60;
}

/* A date-only bar (00:00 UTC, as CSV dates load). */
static int64_t date(int year, int month, int day)
{
    return at(year, month, day, 0, 0);
}

typedef struct judged {
    ms_report report;
    ms_symbol_report symbols[3];
} judged;

/* Judges symbols named names[i] whose last bars are last[i], at as_of. */
static judged *judge(int64_t as_of, const char *const *names, const int64_t *last, size_t n)
{
    judged *j = calloc(1, sizeof *j);
    for (size_t i = 0; i < n; i++) {
        j->symbols[i].symbol = names[i];
        j->symbols[i].asset_class = ms_symbol_asset_class(names[i]);
        j->symbols[i].last_timestamp = last[i];
    }
    j->report.symbols = j->symbols;
    j->report.symbol_count = n;
    j->report.options.as_of = as_of;
    assert_int_equal(ms_judge_freshness(&j->report), MS_OK);
    return j;
}

static void release(judged *j)
{
    for (size_t i = 0; i < j->report.warning_count; i++)
        free(j->report.warnings[i]);
    free(j->report.warnings);
    free(j);
}

static int stale(int64_t as_of, const char *name, int64_t last)
{
    judged *j = judge(as_of, &name, &last, 1);
    int result = j->symbols[0].stale;
    release(j);
    return result;
}

static void test_stock_a_week_behind_the_others_is_stale_with_a_warning(void **state)
{
    (void)state;
    const char *names[] = { "AAPL", "MSFT" };
    int64_t last[] = { date(2024, 6, 17), date(2024, 6, 10) };
    judged *j = judge(0, names, last, 2);
    assert_int_equal(j->report.options.as_of, at(2024, 6, 17, 23, 59) + 59);
    assert_false(j->symbols[0].stale);
    assert_true(j->symbols[1].stale);
    assert_int_equal(j->report.warning_count, 1);
    assert_string_equal(j->report.warnings[0], "MSFT: stale data: last bar 2024-06-10 is before "
                                               "the market's last session, 2024-06-17; not picked");
    release(j);
}

static void test_stock_last_traded_friday_is_fresh_over_the_weekend(void **state)
{
    (void)state;
    assert_false(stale(at(2024, 6, 16, 18, 0), "AAPL", date(2024, 6, 14)));
    assert_false(stale(at(2024, 6, 17, 13, 0), "AAPL", date(2024, 6, 14)));   /* Monday 09:00 EDT */
}

static void test_stock_last_traded_before_a_holiday_is_fresh_on_it(void **state)
{
    (void)state;
    assert_false(stale(at(2024, 6, 19, 18, 0), "AAPL", date(2024, 6, 18)));  /* Juneteenth */
    assert_false(stale(at(2024, 4, 1, 12, 0), "AAPL", date(2024, 3, 28)));   /* after Good Friday */
}

static void test_stock_is_stale_once_the_next_session_has_opened(void **state)
{
    (void)state;
    assert_false(stale(at(2024, 6, 18, 13, 29), "AAPL", date(2024, 6, 17)));
    assert_true(stale(at(2024, 6, 18, 13, 30), "AAPL", date(2024, 6, 17)));
}

static void test_stock_bar_stamped_at_midnight_eastern_counts_for_its_date(void **state)
{
    (void)state;
    /* Alpaca's daily bar of 2024-06-17 is stamped 04:00Z (midnight EDT). */
    assert_false(stale(at(2024, 6, 17, 20, 0), "AAPL", at(2024, 6, 17, 4, 0)));
    assert_true(stale(at(2024, 6, 18, 20, 0), "AAPL", at(2024, 6, 17, 4, 0)));
}

static void test_crypto_is_stale_when_its_last_bar_is_before_the_day_before_as_of(void **state)
{
    (void)state;
    int64_t as_of = at(2024, 6, 17, 12, 0);
    assert_false(stale(as_of, "BTCUSD", date(2024, 6, 17)));
    assert_false(stale(as_of, "BTCUSD", date(2024, 6, 16)));
    assert_true(stale(as_of, "BTCUSD", date(2024, 6, 15)));
}

static void test_crypto_warning_names_the_day_it_was_judged_at(void **state)
{
    (void)state;
    const char *name = "ETH/USD";
    int64_t last = date(2024, 6, 14);
    judged *j = judge(at(2024, 6, 17, 12, 0), &name, &last, 1);
    assert_int_equal(j->report.warning_count, 1);
    assert_string_equal(j->report.warnings[0], "ETH/USD: stale data: last bar 2024-06-14 is more "
                                               "than a day before 2024-06-17; not picked");
    release(j);
}

static void test_unset_as_of_judges_stocks_at_the_newest_bar_of_any_class(void **state)
{
    (void)state;
    /* Crypto's newest bar is a Sunday: the stocks' last session is Friday. */
    const char *names[] = { "BTCUSD", "AAPL", "MSFT" };
    int64_t last[] = { date(2024, 6, 16), date(2024, 6, 14), date(2024, 6, 13) };
    judged *j = judge(0, names, last, 3);
    assert_false(j->symbols[0].stale);
    assert_false(j->symbols[1].stale);
    assert_true(j->symbols[2].stale);
    release(j);
}

static void test_no_symbols_leave_as_of_unset(void **state)
{
    (void)state;
    judged *j = judge(0, NULL, NULL, 0);
    assert_int_equal(j->report.options.as_of, 0);
    assert_int_equal(j->report.warning_count, 0);
    release(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stock_a_week_behind_the_others_is_stale_with_a_warning),
        cmocka_unit_test(test_stock_last_traded_friday_is_fresh_over_the_weekend),
        cmocka_unit_test(test_stock_last_traded_before_a_holiday_is_fresh_on_it),
        cmocka_unit_test(test_stock_is_stale_once_the_next_session_has_opened),
        cmocka_unit_test(test_stock_bar_stamped_at_midnight_eastern_counts_for_its_date),
        cmocka_unit_test(test_crypto_is_stale_when_its_last_bar_is_before_the_day_before_as_of),
        cmocka_unit_test(test_crypto_warning_names_the_day_it_was_judged_at),
        cmocka_unit_test(test_unset_as_of_judges_stocks_at_the_newest_bar_of_any_class),
        cmocka_unit_test(test_no_symbols_leave_as_of_unset),
    };
    return cmocka_run_group_tests_name("freshness", tests, NULL, NULL);
}
