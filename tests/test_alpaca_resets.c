/* test_alpaca_resets.c - a connection reset before any byte of the answer
 * (the fake server's "reset" fault): a GET is retried; a POST's outcome is
 * unknown, so the order is looked up by client_order_id and adopted when
 * the request had been carried out, posted once more when it had not
 * (lib/broker/net/http_client.c, alpaca/alpaca_submit.c). The server never holds a
 * second order. */
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

static void test_get_reset_before_any_byte_is_retried(void **state)
{
    (void)state;
    ms_broker *broker = fake_alpaca_faulty_broker(0, "[{\"kind\": \"reset\", \"path\": \"/v2/account\"}]");
    ms_account account;
    assert_int_equal(ms_broker_account(broker, &account), MS_OK);
    assert_true(account.cash == 100000.5);
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "GET", "/v2/account"), 2);
    ms_broker_free(broker);
}

static void test_get_reset_without_retries_is_an_http_error_naming_the_endpoint(void **state)
{
    (void)state;
    ms_broker *broker = fake_alpaca_faulty_broker(-1, "[{\"kind\": \"reset\", \"path\": \"/v2/clock\"}]");
    ms_market_clock clock;
    assert_int_equal(ms_broker_clock(broker, &clock), MS_ERR_HTTP);
    assert_non_null(strstr(ms_last_error(), "GET /v2/clock"));
    ms_broker_free(broker);
}

static void test_post_reset_after_processing_adopts_the_order(void **state)
{
    (void)state;
    ms_broker *broker = fake_alpaca_faulty_broker(0, "[{\"kind\": \"reset\", \"method\": \"POST\", \"process\": true}]");
    ms_order order;
    assert_int_equal(fake_alpaca_submit_limit(broker, "ms-post-reset-done", &order), MS_OK);
    assert_string_equal(order.client_order_id, "ms-post-reset-done");
    assert_true(order.take_profit_limit == 105);
    assert_int_equal(fake_alpaca_orders(fake_alpaca_server), 1);
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "POST", "/v2/orders"), 1);
    ms_broker_free(broker);
}

static void test_post_reset_before_processing_is_posted_once_more(void **state)
{
    (void)state;
    ms_broker *broker = fake_alpaca_faulty_broker(0, "[{\"kind\": \"reset\", \"method\": \"POST\"}]");
    ms_order order;
    assert_int_equal(fake_alpaca_submit_limit(broker, "ms-post-reset-lost", &order), MS_OK);
    assert_string_equal(order.client_order_id, "ms-post-reset-lost");
    assert_int_equal(fake_alpaca_orders(fake_alpaca_server), 1);
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "POST", "/v2/orders"), 2);
    ms_broker_free(broker);
}

#define TEST(name) cmocka_unit_test_setup(name, fake_alpaca_reset)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_get_reset_before_any_byte_is_retried),
        TEST(test_get_reset_without_retries_is_an_http_error_naming_the_endpoint),
        TEST(test_post_reset_after_processing_adopts_the_order),
        TEST(test_post_reset_before_processing_is_posted_once_more),
    };
    return cmocka_run_group_tests_name("alpaca_resets", tests, fake_alpaca_group_setup, fake_alpaca_group_teardown);
}
