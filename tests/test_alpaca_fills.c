/*
 * test_alpaca_fills.c - ms_broker_fills on Alpaca against the local fake
 * server (tests/servers/fake_alpaca.py): the FILL account activities read
 * page after page with page_token, each field checked, partial fills and
 * short sales understood, `after` passed on, and a fill with a field
 * missing refused with the field named (lib/broker/alpaca/alpaca_activities.c);
 * and `marketsim account` on them, which notes the positions its fills do
 * not add up to.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "marketsim/broker.h"
#include "support/cli_run.h"
#include "support/fake_alpaca.h"

#define FILLS_PATH "/v2/account/activities/FILL"

static ms_broker *open_broker(void)
{
    if (fake_alpaca_server == NULL)
        skip();
    ms_broker_options opts = fake_alpaca_options(fake_alpaca_server, 5.0);
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_OK);
    return broker;
}

/* A raw activity i: minute i after 2024-01-02 15:00 UTC. */
static json_t *raw_activity(int i, const char *symbol, const char *side, double qty, double price,
                            const char *type)
{
    char id[64], time[32], qty_text[32], price_text[32];
    snprintf(qty_text, sizeof qty_text, "%g", qty);
    snprintf(price_text, sizeof price_text, "%g", price);
    snprintf(id, sizeof id, "20240102%02d%02d00000::%08d-0000-4000-8000-000000000000",
             15 + i / 60, i % 60, i);
    snprintf(time, sizeof time, "2024-01-02T%02d:%02d:00.25Z", 15 + i / 60, i % 60);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", id, "activity_type",
                     "FILL", "transaction_time", time, "type", type, "price",
                     price_text, "qty", qty_text, "side", side, "symbol", symbol,
                     "leaves_qty", "0", "order_id", "0f0f0f0f-0000-4000-8000-000000000000",
                     "cum_qty", qty_text);
}

static void send_activities(json_t *list)
{
    json_t *command = json_pack("{s:o}", "activities", list);
    char *text = json_dumps(command, JSON_COMPACT);
    assert_true(fake_alpaca_control(fake_alpaca_server, text));
    free(text);
    json_decref(command);
}

static void test_fills_of_orders_the_server_filled_are_read(void **state)
{
    (void)state;
    ms_broker *broker = open_broker();
    assert_true(fake_alpaca_control(fake_alpaca_server, "{\"cash\": 100000, \"set_time\": "
                                    "\"2024-01-02T10:00:00-05:00\"}"));
    ms_order order;
    assert_int_equal(fake_alpaca_submit_limit(broker, "fills-1", &order), MS_OK);
    assert_true(fake_alpaca_control(fake_alpaca_server, "{\"fill\": {\"client_order_id\": "
                                    "\"fills-1\", \"price\": 99.25}}"));
    ms_fills *fills = NULL;
    assert_int_equal(ms_broker_fills(broker, 0, &fills), MS_OK);
    assert_int_equal(ms_fills_count(fills), 1);
    const ms_fill *fill = ms_fills_at(fills, 0);
    assert_string_equal(fill->order_id, order.id);
    assert_string_equal(fill->client_order_id, "");
    assert_string_equal(fill->symbol, "AAPL");
    assert_true(fill->side == 1 && fill->qty == 3 && fill->price == 99.25 && !fill->partial);
    assert_int_equal(fill->time, 1704207600); /* 2024-01-02 15:00 UTC */
    assert_float_equal(fill->position_after, 3, 1e-12);
    assert_float_equal(fill->realized_pl, 0, 1e-12);
    ms_fills_free(fills);
    ms_broker_free(broker);
}

static void test_every_page_is_read_with_the_last_id_as_page_token(void **state)
{
    (void)state;
    ms_broker *broker = open_broker();
    json_t *list = json_array();
    for (int i = 0; i < 150; i++)
        json_array_append_new(list, raw_activity(i, "MSFT", i % 2 ? "sell" : "buy", 1, 100 + i,
                                                 "fill"));
    send_activities(list);
    ms_fills *fills = NULL;
    assert_int_equal(ms_broker_fills(broker, 0, &fills), MS_OK);
    assert_int_equal(ms_fills_count(fills), 150);
    for (size_t i = 0; i < 150; i++)
        assert_float_equal(ms_fills_at(fills, i)->price, 100 + (double)i, 1e-12);
    /* Pairs bought at 100 + 2k, sold at 101 + 2k: +1 each. */
    assert_float_equal(ms_fills_realized_pl(fills, 0, "MSFT"), 75, 1e-9);
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "GET", FILLS_PATH), 2);
    json_t *server = fake_alpaca_state(fake_alpaca_server);
    json_t *requests = json_object_get(server, "requests");
    json_t *second = json_object_get(json_array_get(requests, json_array_size(requests) - 1), "query");
    assert_string_equal(json_string_value(json_object_get(second, "page_token")),
                        ms_fills_at(fills, 99)->id);
    assert_string_equal(json_string_value(json_object_get(second, "direction")), "asc");
    json_decref(server);
    ms_fills_free(fills);
    ms_broker_free(broker);
}

static void test_partial_fills_and_short_sales_are_understood(void **state)
{
    (void)state;
    ms_broker *broker = open_broker();
    json_t *list = json_array();
    json_array_append_new(list, raw_activity(0, "TSLA", "sell_short", 4, 250.5, "partial_fill"));
    json_array_append_new(list, raw_activity(1, "TSLA", "buy", 4, 240.5, "fill"));
    send_activities(list);
    ms_fills *fills = NULL;
    assert_int_equal(ms_broker_fills(broker, 0, &fills), MS_OK);
    assert_int_equal(ms_fills_count(fills), 2);
    assert_true(ms_fills_at(fills, 0)->side == -1 && ms_fills_at(fills, 0)->partial);
    assert_float_equal(ms_fills_at(fills, 0)->position_after, -4, 1e-12);
    assert_float_equal(ms_fills_at(fills, 1)->realized_pl, 40, 1e-9);
    ms_fills_free(fills);
    ms_broker_free(broker);
}

static void test_after_is_sent_and_only_later_fills_come_back(void **state)
{
    (void)state;
    ms_broker *broker = open_broker();
    json_t *list = json_array();
    for (int i = 0; i < 5; i++)
        json_array_append_new(list, raw_activity(i, "AAPL", "buy", 1, 10, "fill"));
    send_activities(list);
    ms_fills *fills = NULL;
    /* 15:02:00 UTC: the fills at 15:02:00.25, 15:03 and 15:04 are after it. */
    assert_int_equal(ms_broker_fills(broker, 1704207720, &fills), MS_OK);
    assert_int_equal(ms_fills_count(fills), 3);
    assert_false(ms_fills_complete(fills));
    assert_true(isnan(ms_fills_at(fills, 0)->realized_pl));
    json_t *server = fake_alpaca_state(fake_alpaca_server);
    json_t *requests = json_object_get(server, "requests");
    json_t *query = json_object_get(json_array_get(requests, json_array_size(requests) - 1), "query");
    assert_string_equal(json_string_value(json_object_get(query, "after")), "2024-01-02T15:02:00Z");
    json_decref(server);
    ms_fills_free(fills);
    ms_broker_free(broker);
}

static void test_a_fill_without_a_price_is_refused_naming_the_field(void **state)
{
    (void)state;
    ms_broker *broker = open_broker();
    json_t *list = json_array();
    json_t *broken = raw_activity(0, "AAPL", "buy", 1, 10, "fill");
    json_object_del(broken, "price");
    json_array_append_new(list, broken);
    send_activities(list);
    ms_fills *fills = NULL;
    assert_int_equal(ms_broker_fills(broker, 0, &fills), MS_ERR_PARSE);
    assert_null(fills);
    assert_non_null(strstr(ms_last_error(), "'price'"));
    assert_non_null(strstr(ms_last_error(), "activity 0"));
    ms_broker_free(broker);
}

static void test_an_unknown_side_is_refused(void **state)
{
    (void)state;
    ms_broker *broker = open_broker();
    json_t *list = json_array();
    json_array_append_new(list, raw_activity(0, "AAPL", "borrow", 1, 10, "fill"));
    send_activities(list);
    ms_fills *fills = NULL;
    assert_int_equal(ms_broker_fills(broker, 0, &fills), MS_ERR_PARSE);
    assert_non_null(strstr(ms_last_error(), "'side'"));
    ms_broker_free(broker);
}

/* `marketsim account --broker alpaca` against the server: its keys and
 * URLs from the environment the child inherits. */
static cli_run_result run_account(bool json)
{
    setenv("APCA_API_KEY_ID", FAKE_ALPACA_KEY_ID, 1);
    setenv("APCA_API_SECRET_KEY", FAKE_ALPACA_SECRET, 1);
    setenv("APCA_API_BASE_URL", fake_alpaca_server->url, 1);
    setenv("APCA_API_DATA_URL", fake_alpaca_server->url, 1);
    unsetenv("MARKETSIM_LIVE_TRADING");
    return cli_run(NULL, "account", "--broker", "alpaca", "--since", "2024-01-01",
                   json ? "--json" : NULL, NULL); /* without --json the first NULL ends them */
}

static void test_account_flags_positions_its_fills_do_not_add_up_to(void **state)
{
    (void)state;
    if (fake_alpaca_server == NULL)
        skip();
    /* MSFT held with no fill (a transfer in); AAPL filled with no position left. */
    assert_true(fake_alpaca_control(fake_alpaca_server, "{\"cash\": 100000, \"seed_position\": "
                                    "{\"symbol\": \"MSFT\", \"qty\": 5, \"avg_entry_price\": 100}}"));
    json_t *list = json_array();
    json_array_append_new(list, raw_activity(0, "AAPL", "buy", 2, 10, "fill"));
    send_activities(list);
    cli_run_result r = run_account(true);
    assert_int_equal(r.exit_code, 0);
    json_t *root = json_loads(r.out, 0, NULL);
    assert_non_null(root);
    json_t *incomplete = json_object_get(root, "basis_incomplete");
    assert_int_equal(json_array_size(incomplete), 2);
    assert_string_equal(json_string_value(json_array_get(incomplete, 0)), "AAPL");
    assert_string_equal(json_string_value(json_array_get(incomplete, 1)), "MSFT");
    assert_int_equal(json_array_size(json_object_get(root, "fills")), 1);
    json_decref(root);
    cli_run_release(&r);
    r = run_account(false);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "2024-01-02 15:00 buy           2 AAPL      @ 10.00"));
    assert_non_null(strstr(r.out, "note: the fills of MSFT do not add up to the position held"));
    cli_run_release(&r);
}

static void test_account_shows_a_round_trip_without_a_note(void **state)
{
    (void)state;
    if (fake_alpaca_server == NULL)
        skip();
    json_t *list = json_array();
    json_array_append_new(list, raw_activity(0, "AAPL", "buy", 2, 10, "fill"));
    json_array_append_new(list, raw_activity(1, "AAPL", "sell", 2, 12.5, "fill"));
    send_activities(list);
    cli_run_result r = run_account(false);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "realised P&L (average cost): +5.00 (AAPL +5.00)"));
    assert_null(strstr(r.out, "note:"));
    cli_run_release(&r);
}

#define TEST(name) cmocka_unit_test_setup(name, fake_alpaca_reset)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_fills_of_orders_the_server_filled_are_read),
        TEST(test_every_page_is_read_with_the_last_id_as_page_token),
        TEST(test_partial_fills_and_short_sales_are_understood),
        TEST(test_after_is_sent_and_only_later_fills_come_back),
        TEST(test_a_fill_without_a_price_is_refused_naming_the_field),
        TEST(test_an_unknown_side_is_refused),
        TEST(test_account_flags_positions_its_fills_do_not_add_up_to),
        TEST(test_account_shows_a_round_trip_without_a_note),
    };
    return cmocka_run_group_tests_name("alpaca_fills", tests, fake_alpaca_group_setup,
                                       fake_alpaca_group_teardown);
}
