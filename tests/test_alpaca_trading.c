/* test_alpaca_trading.c - the Alpaca broker against the local fake server
 * (tests/servers/fake_alpaca.py): every trading endpoint and its JSON
 * shapes, orders of each class, wash-trade and duplicate-id rejections, a
 * refusal under the strict rules recorded by the server,
 * and 401 (lib/broker/alpaca/alpaca_broker.c, alpaca_submit.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "marketsim/broker.h"
#include "support/fake_alpaca.h"

static ms_broker *open_broker(void)
{
    if (fake_alpaca_server == NULL)
        skip();
    ms_broker_options opts = fake_alpaca_options(fake_alpaca_server, 5.0);
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_OK);
    return broker;
}

static ms_order_request request_for(const char *symbol, int side, ms_order_type type, double limit,
                                    const char *client_order_id)
{
    ms_order_request request = {
        .symbol = symbol, .qty = 2, .side = side, .type = type, .time_in_force = MS_TIF_DAY,
        .limit_price = limit, .stop_price = NAN, .order_class = MS_CLASS_SIMPLE,
        .take_profit_limit = NAN, .stop_loss_stop = NAN, .client_order_id = client_order_id,
    };
    return request;
}

/* The server's stored copy of its only order, or NULL. Borrowed from `state`. */
static json_t *only_server_order(json_t *state)
{
    json_t *orders = json_object_get(state, "orders");
    return json_array_size(orders) == 1 ? json_array_get(orders, 0) : NULL;
}

static void test_account_reads_money_sent_as_strings(void **state)
{
    (void)state;
    ms_broker *broker = open_broker();
    ms_account account;
    assert_int_equal(ms_broker_account(broker, &account), MS_OK);
    assert_string_equal(account.id, "fa11ca7e-0000-4000-8000-000000000001");
    assert_string_equal(account.status, "ACTIVE");
    assert_true(account.cash == 100000.5 && account.buying_power == 200001 && account.multiplier == 2);
    assert_true(account.shorting_enabled && !account.pattern_day_trader);
    ms_broker_free(broker);
}

static void test_account_reads_money_sent_as_numbers(void **state)
{
    (void)state;
    ms_broker *broker = open_broker();
    assert_true(fake_alpaca_control(fake_alpaca_server, "{\"numbers\": \"numbers\"}"));
    ms_account account;
    assert_int_equal(ms_broker_account(broker, &account), MS_OK);
    assert_true(account.cash == 100000.5 && account.equity == 100000.5 && account.last_equity == 99000);
    ms_broker_free(broker);
}

static void test_positions_read_long_and_short_with_nulls(void **state)
{
    (void)state;
    ms_broker *broker = open_broker();
    assert_true(fake_alpaca_control(fake_alpaca_server, "{\"positions\": ["
        "{\"symbol\": \"AAPL\", \"asset_class\": \"us_equity\", \"qty\": \"10\", \"side\": \"long\","
        " \"avg_entry_price\": \"150.5\", \"market_value\": \"1600\", \"cost_basis\": \"1505\","
        " \"unrealized_pl\": \"95\", \"current_price\": \"160\", \"qty_available\": \"10\"},"
        "{\"symbol\": \"BTCUSD\", \"asset_class\": \"crypto\", \"qty\": \"-0.5\", \"side\": \"short\","
        " \"avg_entry_price\": 40000, \"market_value\": null, \"cost_basis\": null,"
        " \"unrealized_pl\": null, \"current_price\": null, \"qty_available\": null}]}"));
    ms_position *positions = NULL;
    size_t count = 0;
    assert_int_equal(ms_broker_positions(broker, &positions, &count), MS_OK);
    assert_int_equal(count, 2);
    assert_string_equal(positions[0].symbol, "AAPL");
    assert_true(positions[0].qty == 10 && positions[0].avg_entry_price == 150.5 &&
                positions[0].current_price == 160);
    assert_int_equal(positions[1].asset_class, MS_ASSET_CRYPTO);
    assert_true(positions[1].qty == -0.5 && positions[1].avg_entry_price == 40000);
    assert_true(isnan(positions[1].market_value));
    ms_free(positions);
    ms_broker_free(broker);
}

static void test_no_positions_is_an_empty_list(void **state)
{
    (void)state;
    ms_broker *broker = open_broker();
    ms_position *positions = NULL;
    size_t count = 7;
    assert_int_equal(ms_broker_positions(broker, &positions, &count), MS_OK);
    assert_int_equal(count, 0);
    assert_null(positions);
    ms_broker_free(broker);
}

static void test_clock_reads_times_with_nanoseconds_and_offsets(void **state)
{
    (void)state;
    ms_broker *broker = open_broker();
    ms_market_clock clock;
    assert_int_equal(ms_broker_clock(broker, &clock), MS_OK);
    /* 2024-01-02T10:00:00.123456789-05:00 is 1704207600 UTC seconds. */
    assert_int_equal(clock.timestamp, 1704207600);
    assert_int_equal(clock.next_close - clock.timestamp, 6 * 3600);
    assert_true(clock.is_open);
    ms_broker_free(broker);
}

static void test_market_order_is_placed_as_sent(void **state)
{
    (void)state;
    ms_broker *broker = open_broker();
    ms_order_request request = request_for("AAPL", 1, MS_ORDER_MARKET, NAN, "ms-market-1");
    ms_order order;
    assert_int_equal(ms_broker_submit(broker, &request, &order), MS_OK);
    assert_string_equal(order.client_order_id, "ms-market-1");
    assert_string_equal(order.status, "new");
    assert_true(order.qty == 2 && order.side == 1 && order.type == MS_ORDER_MARKET);
    json_t *state_json = fake_alpaca_state(fake_alpaca_server);
    json_t *stored = only_server_order(state_json);
    assert_non_null(stored);
    assert_string_equal(json_string_value(json_object_get(stored, "id")), order.id);
    assert_string_equal(json_string_value(json_object_get(stored, "qty")), "2");
    assert_string_equal(json_string_value(json_object_get(stored, "type")), "market");
    json_decref(state_json);
    ms_broker_free(broker);
}

static void test_bracket_order_is_placed_with_both_legs(void **state)
{
    (void)state;
    ms_broker *broker = open_broker();
    ms_order_request request = request_for("AAPL", 1, MS_ORDER_LIMIT, 99.5, "ms-bracket-1");
    request.order_class = MS_CLASS_BRACKET;
    request.take_profit_limit = 110;
    request.stop_loss_stop = 95;
    ms_order order;
    assert_int_equal(ms_broker_submit(broker, &request, &order), MS_OK);
    assert_int_equal(order.order_class, MS_CLASS_BRACKET);
    assert_true(order.limit_price == 99.5 && order.take_profit_limit == 110);
    json_t *state_json = fake_alpaca_state(fake_alpaca_server);
    json_t *legs = json_object_get(only_server_order(state_json), "legs");
    assert_int_equal(json_array_size(legs), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(legs, 1), "stop_price")), "95");
    json_decref(state_json);
    ms_broker_free(broker);
}

static void test_open_orders_are_listed_flat_with_their_legs(void **state)
{
    (void)state;
    ms_broker *broker = open_broker();
    ms_order_request request = request_for("MSFT", 1, MS_ORDER_LIMIT, 300, "ms-oto-1");
    request.order_class = MS_CLASS_OTO;
    request.take_profit_limit = 320.5;
    ms_order placed;
    assert_int_equal(ms_broker_submit(broker, &request, &placed), MS_OK);
    ms_order *orders = NULL;
    size_t count = 0;
    assert_int_equal(ms_broker_orders(broker, "open", &orders, &count), MS_OK);
    /* The entry and its held take-profit leg, each an order of its own. */
    assert_int_equal(count, 2);
    assert_string_equal(orders[0].client_order_id, "ms-oto-1");
    assert_int_equal(orders[1].side, -1);
    assert_true(orders[1].limit_price == 320.5);
    ms_free(orders);
    json_t *state_json = fake_alpaca_state(fake_alpaca_server);
    json_t *requests = json_object_get(state_json, "requests");
    json_t *query = json_object_get(json_array_get(requests, json_array_size(requests) - 1), "query");
    assert_string_equal(json_string_value(json_object_get(query, "status")), "open");
    assert_string_equal(json_string_value(json_object_get(query, "limit")), "500");
    assert_string_equal(json_string_value(json_object_get(query, "nested")), "false");
    assert_string_equal(json_string_value(json_object_get(query, "direction")), "asc");
    json_decref(state_json);
    ms_broker_free(broker);
}

static void test_orders_with_nulls_and_numbers_are_read(void **state)
{
    (void)state;
    ms_broker *broker = open_broker();
    assert_true(fake_alpaca_control(fake_alpaca_server, "{\"orders\": [{\"id\": \"61e69015-8549-4bfd-b9c3-01e75843f47d\","
        " \"client_order_id\": \"manual\", \"symbol\": \"BTC/USD\", \"status\": \"filled\", \"qty\": 0.5,"
        " \"filled_qty\": 0.5, \"filled_avg_price\": 42000.25, \"limit_price\": null, \"stop_price\": null,"
        " \"side\": \"sell\", \"type\": \"market\", \"time_in_force\": \"gtc\", \"order_class\": \"\","
        " \"created_at\": \"2024-01-02T15:00:00.123Z\", \"filled_at\": \"2024-01-02T15:00:01Z\", \"legs\": null}]}"));
    ms_order *orders = NULL;
    size_t count = 0;
    assert_int_equal(ms_broker_orders(broker, "closed", &orders, &count), MS_OK);
    assert_int_equal(count, 1);
    assert_true(orders[0].filled_avg_price == 42000.25 && orders[0].side == -1);
    assert_int_equal(orders[0].time_in_force, MS_TIF_GTC);
    assert_true(isnan(orders[0].limit_price));
    ms_free(orders);
    ms_broker_free(broker);
}

static void test_order_is_found_by_client_order_id(void **state)
{
    (void)state;
    ms_broker *broker = open_broker();
    ms_order_request request = request_for("AAPL", -1, MS_ORDER_LIMIT, 120, "ms-find-me");
    ms_order placed, found;
    assert_int_equal(ms_broker_submit(broker, &request, &placed), MS_OK);
    assert_int_equal(ms_broker_order_by_client_id(broker, "ms-find-me", &found), MS_OK);
    assert_string_equal(found.id, placed.id);
    assert_int_equal(ms_broker_order_by_client_id(broker, "ms-nobody", &found), MS_ERR_NOT_FOUND);
    assert_non_null(strstr(ms_last_error(), "404"));
    ms_broker_free(broker);
}

static void test_cancel_cancels_once_then_is_refused(void **state)
{
    (void)state;
    ms_broker *broker = open_broker();
    ms_order_request request = request_for("AAPL", 1, MS_ORDER_LIMIT, 90, "ms-cancel-1");
    ms_order placed, found;
    assert_int_equal(ms_broker_submit(broker, &request, &placed), MS_OK);
    assert_int_equal(ms_broker_cancel(broker, placed.id), MS_OK);
    assert_int_equal(ms_broker_order_by_client_id(broker, "ms-cancel-1", &found), MS_OK);
    assert_string_equal(found.status, "canceled");
    assert_int_equal(ms_broker_cancel(broker, placed.id), MS_ERR_BROKER);
    assert_non_null(strstr(ms_last_error(), "not cancelable"));
    assert_int_equal(ms_broker_cancel(broker, "00000000-0000-0000-0000-000000000000"), MS_ERR_NOT_FOUND);
    ms_broker_free(broker);
}

static void test_opposite_resting_limits_are_refused_as_a_wash_trade(void **state)
{
    (void)state;
    ms_broker *broker = open_broker();
    ms_order_request entry = request_for("AAPL", 1, MS_ORDER_LIMIT, 99, "ms-wash-buy");
    ms_order_request exit = request_for("AAPL", -1, MS_ORDER_LIMIT, 110, "ms-wash-sell");
    ms_order order;
    assert_int_equal(ms_broker_submit(broker, &entry, &order), MS_OK);
    assert_int_equal(ms_broker_submit(broker, &exit, &order), MS_ERR_BROKER);
    assert_non_null(strstr(ms_last_error(), "wash trade"));
    assert_non_null(strstr(ms_last_error(), "40310000"));
    assert_non_null(strstr(ms_last_error(), "POST /v2/orders"));
    assert_int_equal(fake_alpaca_orders(fake_alpaca_server), 1);
    ms_broker_free(broker);
}

static void test_duplicate_client_order_id_adopts_the_existing_order(void **state)
{
    (void)state;
    ms_broker *broker = open_broker();
    ms_order_request request = request_for("AAPL", 1, MS_ORDER_LIMIT, 99, "ms-2024-01-02-AAPL-buy-0");
    ms_order first, again;
    assert_int_equal(ms_broker_submit(broker, &request, &first), MS_OK);
    assert_int_equal(ms_broker_submit(broker, &request, &again), MS_OK);
    assert_string_equal(again.id, first.id);
    assert_int_equal(fake_alpaca_orders(fake_alpaca_server), 1);
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "POST", "/v2/orders"), 2);
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "GET", "/v2/orders:by_client_order_id"), 1);
    ms_broker_free(broker);
}

static void test_wrong_keys_get_401_named_in_the_error(void **state)
{
    (void)state;
    if (fake_alpaca_server == NULL)
        skip();
    ms_broker_options opts = fake_alpaca_options(fake_alpaca_server, 5.0);
    opts.secret_key = "not-the-secret";
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_OK);
    ms_account account;
    assert_int_equal(ms_broker_account(broker, &account), MS_ERR_HTTP);
    assert_non_null(strstr(ms_last_error(), "GET /v2/account: HTTP 401"));
    assert_non_null(strstr(ms_last_error(), "unauthorized."));
    assert_null(strstr(ms_last_error(), "not-the-secret"));
    ms_broker_free(broker);
}

static void test_strict_server_refuses_a_crypto_oto_and_records_the_refusal(void **state)
{
    (void)state;
    ms_broker *broker = open_broker();
    assert_true(fake_alpaca_control(fake_alpaca_server, "{\"cash\": 100000}"));
    ms_order_request request = request_for("BTC/USD", 1, MS_ORDER_LIMIT, 40000, "ms-crypto-oto");
    request.order_class = MS_CLASS_OTO;
    request.time_in_force = MS_TIF_GTC;
    request.take_profit_limit = 42000;
    ms_order order;
    assert_int_equal(ms_broker_submit(broker, &request, &order), MS_ERR_BROKER);
    assert_non_null(strstr(ms_last_error(), "crypto orders support only the simple order class"));
    assert_int_equal(fake_alpaca_count(fake_alpaca_server, "rejections"), 1);
    assert_int_equal(fake_alpaca_count(fake_alpaca_server, "orders"), 0);
    ms_broker_free(broker);
}

#define TEST(name) cmocka_unit_test_setup(name, fake_alpaca_reset)

/* `count` working orders of someone else's, submitted `spacing` seconds
 * apart from 2024-01-02 15:00:00 UTC, added to the server as they are. */
static void add_raw_orders(size_t count, double spacing)
{
    json_t *orders = json_array();
    for (size_t i = 0; i < count; i++) {
        char id[32], client[32], stamp[40];
        double offset = (double)i * spacing;
        int whole = (int)offset;
        snprintf(id, sizeof id, "raw-%05zu", i);
        snprintf(client, sizeof client, "manual-%05zu", i);
        snprintf(stamp, sizeof stamp, "2024-01-02T%02d:%02d:%02d.%06dZ", 15 + whole / 3600,
                 whole / 60 % 60, whole % 60, (int)((offset - whole) * 1e6));
        json_array_append_new(orders, json_pack(
            "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:n}", "id", id,
            "client_order_id", client, "symbol", "AAPL", "status", "new", "side", "buy",
            "type", "limit", "time_in_force", "gtc", "qty", "1", "limit_price", "10",
            "order_class", "simple", "submitted_at", stamp, "created_at", stamp, "legs"));
    }
    json_t *command = json_pack("{s:b,s:o}", "reset", 1, "orders", orders);
    char *text = json_dumps(command, JSON_COMPACT);
    assert_true(fake_alpaca_control(fake_alpaca_server, text));
    free(text);
    json_decref(command);
}

static void test_order_listing_reads_every_page_past_500(void **state)
{
    (void)state;
    ms_broker *broker = open_broker();
    add_raw_orders(1203, 0.25);
    ms_order *orders = NULL;
    size_t count = 0;
    assert_int_equal(ms_broker_orders(broker, "open", &orders, &count), MS_OK);
    assert_int_equal(count, 1203);
    for (size_t i = 0; i < count; i++) {
        char expected[32];
        snprintf(expected, sizeof expected, "raw-%05zu", i);
        assert_string_equal(orders[i].id, expected);
    }
    ms_free(orders);
    assert_true(fake_alpaca_requests(fake_alpaca_server, "GET", "/v2/orders") >= 3);
    ms_broker_free(broker);
}

static void test_more_than_a_page_in_one_second_is_refused_not_cut(void **state)
{
    (void)state;
    ms_broker *broker = open_broker();
    add_raw_orders(600, 0.0);
    ms_order *orders = NULL;
    size_t count = 0;
    assert_int_equal(ms_broker_orders(broker, "open", &orders, &count), MS_ERR_BROKER);
    assert_non_null(strstr(ms_last_error(), "more than 500 orders"));
    assert_null(orders);
    assert_int_equal(count, 0);
    ms_broker_free(broker);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_account_reads_money_sent_as_strings),
        TEST(test_order_listing_reads_every_page_past_500),
        TEST(test_more_than_a_page_in_one_second_is_refused_not_cut),
        TEST(test_account_reads_money_sent_as_numbers),
        TEST(test_positions_read_long_and_short_with_nulls),
        TEST(test_no_positions_is_an_empty_list),
        TEST(test_clock_reads_times_with_nanoseconds_and_offsets),
        TEST(test_market_order_is_placed_as_sent),
        TEST(test_bracket_order_is_placed_with_both_legs),
        TEST(test_open_orders_are_listed_flat_with_their_legs),
        TEST(test_orders_with_nulls_and_numbers_are_read),
        TEST(test_order_is_found_by_client_order_id),
        TEST(test_cancel_cancels_once_then_is_refused),
        TEST(test_opposite_resting_limits_are_refused_as_a_wash_trade),
        TEST(test_duplicate_client_order_id_adopts_the_existing_order),
        TEST(test_wrong_keys_get_401_named_in_the_error),
        TEST(test_strict_server_refuses_a_crypto_oto_and_records_the_refusal),
    };
    return cmocka_run_group_tests_name("alpaca_trading", tests, fake_alpaca_group_setup, fake_alpaca_group_teardown);
}
