/* test_broker_http.c - the HTTP side's pure parts: the client-side rate
 * limiter, the retry delays, request URLs and timeframes
 * (lib/broker/net/rate_limiter.c, retry_policy.c, url.c, alpaca/alpaca_bars.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "broker/alpaca/alpaca_internal.h"

/* Waits are sums of a few multiples of 1/rate: exact up to rounding. */
#define WAIT_TOLERANCE 1e-9

static void test_rate_limiter_lets_a_burst_through_then_spaces_requests(void **state)
{
    (void)state;
    ms_rate_limiter limiter;
    assert_int_equal(ms_rate_limiter_init(&limiter, 600), MS_OK);   /* 10 a second, burst 30 */
    double start = limiter.updated;
    for (int i = 0; i < 30; i++)
        assert_true(ms_rate_limiter_reserve(&limiter, start) == 0.0);
    assert_true(fabs(ms_rate_limiter_reserve(&limiter, start) - 0.1) < WAIT_TOLERANCE);
    assert_true(fabs(ms_rate_limiter_reserve(&limiter, start) - 0.2) < WAIT_TOLERANCE);
    ms_rate_limiter_destroy(&limiter);
}

static void test_rate_limiter_refills_with_time_up_to_its_burst(void **state)
{
    (void)state;
    ms_rate_limiter limiter;
    assert_int_equal(ms_rate_limiter_init(&limiter, 600), MS_OK);
    double start = limiter.updated;
    for (int i = 0; i < 30; i++)
        ms_rate_limiter_reserve(&limiter, start);
    /* One second refills 10 tokens; an hour refills only up to the burst. */
    for (int i = 0; i < 10; i++)
        assert_true(ms_rate_limiter_reserve(&limiter, start + 1.0) == 0.0);
    assert_true(ms_rate_limiter_reserve(&limiter, start + 1.0) > 0.0);
    int free_tokens = 0;
    while (ms_rate_limiter_reserve(&limiter, start + 3600.0) == 0.0)
        free_tokens++;
    assert_int_equal(free_tokens, 30);
    ms_rate_limiter_destroy(&limiter);
}

static void test_rate_limiter_rejects_a_non_positive_rate(void **state)
{
    (void)state;
    ms_rate_limiter limiter;
    assert_int_equal(ms_rate_limiter_init(&limiter, 0), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "requests_per_minute"));
}

static void test_retry_after_429_waits_until_the_reset(void **state)
{
    (void)state;
    double wait = ms_retry_delay(0, 429, 1000, 998.5, 0.5);
    assert_true(fabs(wait - 1.55) < WAIT_TOLERANCE);
}

static void test_retry_after_429_caps_a_far_reset(void **state)
{
    (void)state;
    assert_true(ms_retry_delay(0, 429, 1000000, 10.0, 0.0) == MS_RETRY_MAX_WAIT);
}

static void test_retry_after_429_without_reset_backs_off(void **state)
{
    (void)state;
    assert_true(fabs(ms_retry_delay(0, 429, 0, 10.0, 0.0) - 0.25) < WAIT_TOLERANCE);
}

static void test_retry_backoff_doubles_with_jitter_and_is_capped(void **state)
{
    (void)state;
    /* Step 0.5 s doubled per attempt, capped at 8 s, times 0.5 to 1. */
    assert_true(fabs(ms_retry_delay(0, 500, 0, 0, 0.0) - 0.25) < WAIT_TOLERANCE);
    assert_true(fabs(ms_retry_delay(1, 500, 0, 0, 0.0) - 0.5) < WAIT_TOLERANCE);
    assert_true(fabs(ms_retry_delay(2, 503, 0, 0, 0.999) - 1.999) < WAIT_TOLERANCE);
    assert_true(fabs(ms_retry_delay(20, 0, 0, 0, 0.0) - 4.0) < WAIT_TOLERANCE);
    assert_true(ms_retry_delay(20, 0, 0, 0, 0.999) < 8.0);
}

static void test_url_percent_encodes_parameter_values(void **state)
{
    (void)state;
    ms_url url;
    ms_url_init(&url, "http://127.0.0.1:1", "/v1beta3/crypto/us/bars");
    ms_url_param(&url, "symbols", "BTC/USD,ETH/USD");
    ms_url_param(&url, "start", "2024-01-02T05:00:00Z");
    const char *text = NULL;
    assert_int_equal(ms_url_finish(&url, &text), MS_OK);
    assert_string_equal(text, "http://127.0.0.1:1/v1beta3/crypto/us/bars?symbols=BTC%2FUSD%2CETH%2FUSD"
                              "&start=2024-01-02T05%3A00%3A00Z");
    ms_url_release(&url);
}

static void test_where_names_method_and_path_without_host_or_query(void **state)
{
    (void)state;
    char where[MS_HTTP_WHERE_TEXT];
    ms_http_where("GET", "https://paper-api.alpaca.markets/v2/orders?status=open&limit=500", where);
    assert_string_equal(where, "GET /v2/orders");
    ms_http_where("DELETE", "http://127.0.0.1:8080", where);
    assert_string_equal(where, "DELETE /");
}

static void test_timeframes_follow_alpaca_rules(void **state)
{
    (void)state;
    const char *valid[] = { "1Min", "59Min", "1Hour", "23Hour", "1Day", "1Week", "6Month", "12Month" };
    const char *invalid[] = { "", "Day", "0Day", "2Day", "60Min", "24Hour", "5Month", "01Day", "1day", NULL };
    for (size_t i = 0; i < MS_ARRAY_LEN(valid); i++)
        assert_true(ms_alpaca_timeframe_valid(valid[i]));
    for (size_t i = 0; i < MS_ARRAY_LEN(invalid); i++)
        assert_false(ms_alpaca_timeframe_valid(invalid[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate_limiter_lets_a_burst_through_then_spaces_requests),
        cmocka_unit_test(test_rate_limiter_refills_with_time_up_to_its_burst),
        cmocka_unit_test(test_rate_limiter_rejects_a_non_positive_rate),
        cmocka_unit_test(test_retry_after_429_waits_until_the_reset),
        cmocka_unit_test(test_retry_after_429_caps_a_far_reset),
        cmocka_unit_test(test_retry_after_429_without_reset_backs_off),
        cmocka_unit_test(test_retry_backoff_doubles_with_jitter_and_is_capped),
        cmocka_unit_test(test_url_percent_encodes_parameter_values),
        cmocka_unit_test(test_where_names_method_and_path_without_host_or_query),
        cmocka_unit_test(test_timeframes_follow_alpaca_rules),
    };
    return cmocka_run_group_tests_name("broker_http", tests, NULL, NULL);
}
