/* test_alpaca_faults.c - what the Alpaca client does when the server
 * misbehaves (faults injected into tests/servers/fake_alpaca.py): GETs are
 * retried on 429 (after the reset), 5xx, timeouts and cut connections;
 * bad JSON is a parse error naming the endpoint; a POST with an unknown
 * outcome is resolved by looking its client_order_id up, so the server
 * never holds a second order (lib/broker/net/http_client.c, alpaca/alpaca_submit.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "marketsim/broker.h"
#include "support/fake_alpaca.h"

/* Short enough to keep the suite fast, long enough for a loaded machine
 * to answer a request that is not delayed on purpose. */
#define DELAY "1.5"

static ms_status read_account(ms_broker *broker)
{
    ms_account account;
    ms_status status = ms_broker_account(broker, &account);
    if (status == MS_OK)
        assert_true(account.cash == 100000.5);
    return status;
}

static void test_get_waits_out_a_429_until_the_reset_then_succeeds(void **state)
{
    (void)state;
    ms_broker *broker = fake_alpaca_faulty_broker(0, "[{\"kind\": \"status\", \"status\": 429, \"reset_in\": 1}]");
    assert_int_equal(read_account(broker), MS_OK);
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "GET", "/v2/account"), 2);
    ms_broker_free(broker);
}

static void test_429_past_every_retry_is_a_rate_limit_error(void **state)
{
    (void)state;
    ms_broker *broker = fake_alpaca_faulty_broker(2, "[{\"kind\": \"status\", \"status\": 429, \"reset_in\": 0, \"count\": 3}]");
    assert_int_equal(read_account(broker), MS_ERR_RATE_LIMIT);
    assert_non_null(strstr(ms_last_error(), "GET /v2/account: HTTP 429"));
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "GET", "/v2/account"), 3);
    ms_broker_free(broker);
}

static void test_get_retries_a_500_then_succeeds(void **state)
{
    (void)state;
    ms_broker *broker = fake_alpaca_faulty_broker(0, "[{\"kind\": \"status\", \"status\": 500}]");
    assert_int_equal(read_account(broker), MS_OK);
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "GET", "/v2/account"), 2);
    ms_broker_free(broker);
}

static void test_500_past_every_retry_is_an_http_error_with_alpacas_code(void **state)
{
    (void)state;
    ms_broker *broker = fake_alpaca_faulty_broker(2, "[{\"kind\": \"status\", \"status\": 500, \"count\": 3}]");
    assert_int_equal(read_account(broker), MS_ERR_HTTP);
    assert_non_null(strstr(ms_last_error(), "GET /v2/account: HTTP 500 (code 50010000: fault 500)"));
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "GET", "/v2/account"), 3);
    ms_broker_free(broker);
}

/* Under fuzz/fuzz_alpaca.c, UBSan reported converting a code of 1e300 to
 * long (on x86 it read as LONG_MIN). */
static void test_error_code_beyond_long_is_no_code(void **state)
{
    (void)state;
    ms_broker *broker = fake_alpaca_faulty_broker(-1, "[{\"kind\": \"status\", \"status\": 422, "
                                        "\"body\": {\"code\": 1e300, \"message\": \"huge code\"}}]");
    assert_int_equal(read_account(broker), MS_ERR_BROKER);
    assert_non_null(strstr(ms_last_error(), "HTTP 422 (huge code)"));
    ms_broker_free(broker);
}

static void test_error_body_that_is_not_json_is_quoted(void **state)
{
    (void)state;
    ms_broker *broker = fake_alpaca_faulty_broker(-1, "[{\"kind\": \"status\", \"status\": 503, "
                                        "\"body\": \"<html>Service Unavailable</html>\"}]");
    assert_int_equal(read_account(broker), MS_ERR_HTTP);
    assert_non_null(strstr(ms_last_error(), "HTTP 503"));
    assert_non_null(strstr(ms_last_error(), "Service Unavailable"));
    ms_broker_free(broker);
}

static void test_slow_get_times_out_and_is_retried(void **state)
{
    (void)state;
    ms_broker *broker = fake_alpaca_faulty_broker(0, "[{\"kind\": \"delay\", \"seconds\": " DELAY "}]");
    assert_int_equal(read_account(broker), MS_OK);
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "GET", "/v2/account"), 2);
    ms_broker_free(broker);
}

static void test_slow_get_without_retries_is_a_timeout(void **state)
{
    (void)state;
    ms_broker *broker = fake_alpaca_faulty_broker(-1, "[{\"kind\": \"delay\", \"seconds\": " DELAY "}]");
    assert_int_equal(read_account(broker), MS_ERR_TIMEOUT);
    assert_non_null(strstr(ms_last_error(), "GET /v2/account: timed out"));
    ms_broker_free(broker);
}

static void test_malformed_json_is_a_parse_error_naming_the_endpoint(void **state)
{
    (void)state;
    ms_broker *broker = fake_alpaca_faulty_broker(0, "[{\"kind\": \"malformed\"}]");
    assert_int_equal(read_account(broker), MS_ERR_PARSE);
    assert_non_null(strstr(ms_last_error(), "GET /v2/account: malformed JSON"));
    ms_broker_free(broker);
}

static void test_truncated_json_is_a_parse_error(void **state)
{
    (void)state;
    ms_broker *broker = fake_alpaca_faulty_broker(0, "[{\"kind\": \"truncated_json\", \"path\": \"/v2/clock\"}]");
    ms_market_clock clock;
    assert_int_equal(ms_broker_clock(broker, &clock), MS_ERR_PARSE);
    assert_non_null(strstr(ms_last_error(), "GET /v2/clock"));
    ms_broker_free(broker);
}

static void test_body_shorter_than_announced_is_retried(void **state)
{
    (void)state;
    ms_broker *broker = fake_alpaca_faulty_broker(0, "[{\"kind\": \"short_body\"}]");
    assert_int_equal(read_account(broker), MS_OK);
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "GET", "/v2/account"), 2);
    ms_broker_free(broker);
}

static void test_body_shorter_than_announced_without_retries_is_an_http_error(void **state)
{
    (void)state;
    ms_broker *broker = fake_alpaca_faulty_broker(-1, "[{\"kind\": \"short_body\"}]");
    assert_int_equal(read_account(broker), MS_ERR_HTTP);
    assert_non_null(strstr(ms_last_error(), "GET /v2/account"));
    ms_broker_free(broker);
}

static void test_connection_dropped_mid_body_is_retried(void **state)
{
    (void)state;
    ms_broker *broker = fake_alpaca_faulty_broker(0, "[{\"kind\": \"drop\"}]");
    assert_int_equal(read_account(broker), MS_OK);
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "GET", "/v2/account"), 2);
    ms_broker_free(broker);
}

static void test_connection_dropped_without_retries_is_an_http_error(void **state)
{
    (void)state;
    ms_broker *broker = fake_alpaca_faulty_broker(-1, "[{\"kind\": \"drop\"}]");
    assert_int_equal(read_account(broker), MS_ERR_HTTP);
    assert_non_null(strstr(ms_last_error(), "GET /v2/account"));
    ms_broker_free(broker);
}

static void test_slow_post_is_resolved_by_lookup_without_a_second_order(void **state)
{
    (void)state;
    ms_broker *broker = fake_alpaca_faulty_broker(0, "[{\"kind\": \"delay\", \"seconds\": " DELAY ", \"method\": \"POST\"}]");
    ms_order order;
    assert_int_equal(fake_alpaca_submit_limit(broker, "ms-slow-post", &order), MS_OK);
    assert_string_equal(order.client_order_id, "ms-slow-post");
    assert_true(order.take_profit_limit == 105);
    assert_int_equal(fake_alpaca_orders(fake_alpaca_server), 1);
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "POST", "/v2/orders"), 1);
    ms_broker_free(broker);
}

static void test_post_500_before_processing_is_posted_once_more(void **state)
{
    (void)state;
    ms_broker *broker = fake_alpaca_faulty_broker(0, "[{\"kind\": \"status\", \"status\": 500, \"method\": \"POST\"}]");
    ms_order order;
    assert_int_equal(fake_alpaca_submit_limit(broker, "ms-post-500", &order), MS_OK);
    assert_int_equal(fake_alpaca_orders(fake_alpaca_server), 1);
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "POST", "/v2/orders"), 2);
    ms_broker_free(broker);
}

static void test_post_500_after_processing_adopts_the_order(void **state)
{
    (void)state;
    ms_broker *broker = fake_alpaca_faulty_broker(0, "[{\"kind\": \"status\", \"status\": 502, \"method\": \"POST\", "
                                       "\"process\": true}]");
    ms_order order;
    assert_int_equal(fake_alpaca_submit_limit(broker, "ms-post-502", &order), MS_OK);
    assert_string_equal(order.client_order_id, "ms-post-502");
    assert_int_equal(fake_alpaca_orders(fake_alpaca_server), 1);
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "POST", "/v2/orders"), 1);
    ms_broker_free(broker);
}

static void test_post_reply_dropped_mid_body_adopts_the_order(void **state)
{
    (void)state;
    ms_broker *broker = fake_alpaca_faulty_broker(0, "[{\"kind\": \"drop\", \"method\": \"POST\"}]");
    ms_order order;
    assert_int_equal(fake_alpaca_submit_limit(broker, "ms-post-drop", &order), MS_OK);
    assert_int_equal(fake_alpaca_orders(fake_alpaca_server), 1);
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "POST", "/v2/orders"), 1);
    ms_broker_free(broker);
}

static void test_malformed_post_reply_adopts_the_order(void **state)
{
    (void)state;
    ms_broker *broker = fake_alpaca_faulty_broker(0, "[{\"kind\": \"malformed\", \"method\": \"POST\"}]");
    ms_order order;
    assert_int_equal(fake_alpaca_submit_limit(broker, "ms-post-malformed", &order), MS_OK);
    assert_int_equal(fake_alpaca_orders(fake_alpaca_server), 1);
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "POST", "/v2/orders"), 1);
    ms_broker_free(broker);
}

#define TEST(name) cmocka_unit_test_setup(name, fake_alpaca_reset)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_get_waits_out_a_429_until_the_reset_then_succeeds),
        TEST(test_429_past_every_retry_is_a_rate_limit_error),
        TEST(test_get_retries_a_500_then_succeeds),
        TEST(test_500_past_every_retry_is_an_http_error_with_alpacas_code),
        TEST(test_error_code_beyond_long_is_no_code),
        TEST(test_error_body_that_is_not_json_is_quoted),
        TEST(test_slow_get_times_out_and_is_retried),
        TEST(test_slow_get_without_retries_is_a_timeout),
        TEST(test_malformed_json_is_a_parse_error_naming_the_endpoint),
        TEST(test_truncated_json_is_a_parse_error),
        TEST(test_body_shorter_than_announced_is_retried),
        TEST(test_body_shorter_than_announced_without_retries_is_an_http_error),
        TEST(test_connection_dropped_mid_body_is_retried),
        TEST(test_connection_dropped_without_retries_is_an_http_error),
        TEST(test_slow_post_is_resolved_by_lookup_without_a_second_order),
        TEST(test_post_500_before_processing_is_posted_once_more),
        TEST(test_post_500_after_processing_adopts_the_order),
        TEST(test_post_reply_dropped_mid_body_adopts_the_order),
        TEST(test_malformed_post_reply_adopts_the_order),
    };
    return cmocka_run_group_tests_name("alpaca_faults", tests, fake_alpaca_group_setup, fake_alpaca_group_teardown);
}
