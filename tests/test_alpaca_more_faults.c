/* test_alpaca_more_faults.c - faults of tests/servers/fake_alpaca.py that
 * test_alpaca_faults.c does not inject: a 429 on the order POST (the
 * client_order_id keeps it to one order on the fake_alpaca_server) and faults on the
 * market-data bars endpoint (retried like any GET; bad JSON names it). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "broker/alpaca/alpaca_internal.h"
#include "support/fake_alpaca.h"

static void control(const char *command)
{
    if (fake_alpaca_server == NULL)
        skip();
    assert_true(fake_alpaca_control(fake_alpaca_server, command));
}

static ms_status submit_limit(const char *client_order_id, ms_order *order)
{
    ms_broker_options opts = fake_alpaca_options(fake_alpaca_server, 2.0);
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_OK);
    ms_order_request request = {
        .symbol = "AAPL", .qty = 3, .side = 1, .type = MS_ORDER_LIMIT, .time_in_force = MS_TIF_DAY,
        .limit_price = 99.5, .stop_price = NAN, .order_class = MS_CLASS_SIMPLE,
        .take_profit_limit = NAN, .stop_loss_stop = NAN, .client_order_id = client_order_id,
    };
    ms_status status = ms_broker_submit(broker, &request, order);
    ms_broker_free(broker);
    return status;
}

static void test_post_429_before_processing_ends_with_one_order(void **state)
{
    (void)state;
    control("{\"faults\": [{\"kind\": \"status\", \"status\": 429, \"reset_in\": 0, \"method\": \"POST\"}]}");
    ms_order order;
    assert_int_equal(submit_limit("ms-post-429", &order), MS_OK);
    assert_string_equal(order.client_order_id, "ms-post-429");
    assert_int_equal(fake_alpaca_orders(fake_alpaca_server), 1);
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "POST", "/v2/orders"), 2);
}

static void test_post_429_after_processing_adopts_the_order(void **state)
{
    (void)state;
    control("{\"faults\": [{\"kind\": \"status\", \"status\": 429, \"reset_in\": 0, \"method\": \"POST\","
            " \"process\": true}]}");
    ms_order order;
    assert_int_equal(submit_limit("ms-post-429-done", &order), MS_OK);
    assert_string_equal(order.client_order_id, "ms-post-429-done");
    assert_int_equal(fake_alpaca_orders(fake_alpaca_server), 1);
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "POST", "/v2/orders"), 1);
}

/* Fetches AAPL's daily bars since 2024-01-01 with `max_retries` retries. */
static ms_status fetch_aapl(int max_retries, ms_bar_rows *rows)
{
    control("{\"generate_bars\": {\"AAPL\": {\"start\": \"2024-01-02\", \"days\": 5}}}");
    ms_rate_limiter limiter;
    assert_int_equal(ms_rate_limiter_init(&limiter, 60000), MS_OK);
    ms_http_settings settings = { 2.0, 5.0, max_retries, FAKE_ALPACA_KEY_ID, FAKE_ALPACA_SECRET,
                                  fake_alpaca_server->url };
    ms_http_client *client = NULL;
    assert_int_equal(ms_http_client_create(&client, &settings, &limiter), MS_OK);
    const char *symbols[] = { "AAPL" };
    int64_t start = ms_days_from_civil(2024, 1, 1) * MS_SECONDS_PER_DAY;
    ms_status status = ms_alpaca_fetch_bars(client, fake_alpaca_server->url, "1Day", symbols, 1, start, rows);
    ms_http_client_free(client);
    ms_rate_limiter_destroy(&limiter);
    return status;
}

static void test_bars_500_is_retried_then_succeeds(void **state)
{
    (void)state;
    control("{\"faults\": [{\"kind\": \"status\", \"status\": 500, \"path\": \"/v2/stocks/bars\"}]}");
    ms_bar_rows rows = { 0 };
    assert_int_equal(fetch_aapl(2, &rows), MS_OK);
    assert_int_equal(rows.len, 5);
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "GET", "/v2/stocks/bars"), 2);
    ms_bar_rows_release(&rows);
}

static void test_bars_500_past_every_retry_names_the_endpoint(void **state)
{
    (void)state;
    control("{\"faults\": [{\"kind\": \"status\", \"status\": 503, \"count\": 5, "
            "\"path\": \"/v2/stocks/bars\"}]}");
    ms_bar_rows rows = { 0 };
    assert_int_equal(fetch_aapl(1, &rows), MS_ERR_HTTP);
    assert_non_null(strstr(ms_last_error(), "GET /v2/stocks/bars"));
    assert_non_null(strstr(ms_last_error(), "HTTP 503"));
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "GET", "/v2/stocks/bars"), 2);
    ms_bar_rows_release(&rows);
}

static void test_bars_malformed_json_is_a_parse_error_naming_the_endpoint(void **state)
{
    (void)state;
    control("{\"faults\": [{\"kind\": \"malformed\", \"path\": \"/v2/stocks/bars\"}]}");
    ms_bar_rows rows = { 0 };
    assert_int_equal(fetch_aapl(2, &rows), MS_ERR_PARSE);
    assert_non_null(strstr(ms_last_error(), "GET /v2/stocks/bars"));
    assert_int_equal(rows.len, 0);
    ms_bar_rows_release(&rows);
}

static void test_bars_connection_dropped_mid_body_is_retried(void **state)
{
    (void)state;
    control("{\"faults\": [{\"kind\": \"drop\", \"path\": \"/v2/stocks/bars\"}]}");
    ms_bar_rows rows = { 0 };
    assert_int_equal(fetch_aapl(2, &rows), MS_OK);
    assert_int_equal(rows.len, 5);
    ms_bar_rows_release(&rows);
}

#define SERVER_TEST(name) cmocka_unit_test_setup(name, fake_alpaca_reset)

int main(void)
{
    const struct CMUnitTest tests[] = {
        SERVER_TEST(test_post_429_before_processing_ends_with_one_order),
        SERVER_TEST(test_post_429_after_processing_adopts_the_order),
        SERVER_TEST(test_bars_500_is_retried_then_succeeds),
        SERVER_TEST(test_bars_500_past_every_retry_names_the_endpoint),
        SERVER_TEST(test_bars_malformed_json_is_a_parse_error_naming_the_endpoint),
        SERVER_TEST(test_bars_connection_dropped_mid_body_is_retried),
    };
    return cmocka_run_group_tests_name("alpaca_more_faults", tests, fake_alpaca_group_setup, fake_alpaca_group_teardown);
}
