/*
 * test_broker_fills.c - ms_broker_fills on the simulated broker and the
 * realised P&L worked out from the fills (lib/broker/fill_list.c), checked
 * against numbers worked by hand. The journals are written by hand, so
 * every price and time is known: the records are the ones sim_records.c
 * writes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "marketsim/broker.h"
#include "support/temp_dir.h"

#define DAY 86400
#define T0 1767571200 /* 2026-01-05 00:00 UTC */

/* One market order submitted at `time` and filled a day later at `price`
 * (orders are numbered sim-000001... in submission order). */
static void write_trade(FILE *f, int number, const char *symbol, const char *side, double qty,
                        double price, long time)
{
    fprintf(f, "{\"type\":\"submit\",\"time\":%ld,\"client_order_id\":\"c-%d\",\"symbol\":\"%s\","
               "\"side\":\"%s\",\"qty\":%.17g,\"order_type\":\"market\",\"time_in_force\":\"day\","
               "\"order_class\":\"simple\",\"limit_price\":null,\"stop_price\":null,"
               "\"take_profit\":null,\"stop_loss\":null}\n",
            time - DAY, number, symbol, side, qty);
    fprintf(f, "{\"type\":\"fill\",\"id\":\"sim-%06d\",\"price\":%.17g,\"time\":%ld}\n", number,
            price, time);
}

/*
 * By hand, at average cost:
 *   day 1  buy 10 AAPL @ 100     long 10 @ 100
 *   day 2  buy 10 AAPL @ 110     long 20 @ 105
 *   day 3  sell 5 AAPL @ 120     realises 5 x (120 - 105) = +75; long 15 @ 105
 *   day 4  sell 20 AAPL @ 100    closes 15: 15 x (100 - 105) = -75; short 5 @ 100
 *   day 5  buy 5 AAPL @ 90       covers: 5 x (100 - 90) = +50; flat
 *   day 2  sell 2 BTCUSD @ 50000 (journaled last: a later sync of another symbol) short 2
 *   day 6  buy 1 BTC/USD @ 40000 covers half: 1 x (50000 - 40000) = +10000; short 1 @ 50000
 */
static ms_broker *open_worked_example(const char *dir)
{
    char *path = temp_dir_path(dir, "sim.journal");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "{\"type\":\"account\",\"version\":1,\"cash\":100000,\"time\":%d}\n", T0 - 10 * DAY);
    write_trade(f, 1, "AAPL", "buy", 10, 100, T0 + 1 * DAY);
    write_trade(f, 2, "AAPL", "buy", 10, 110, T0 + 2 * DAY);
    write_trade(f, 3, "AAPL", "sell", 5, 120, T0 + 3 * DAY);
    write_trade(f, 4, "AAPL", "sell", 20, 100, T0 + 4 * DAY);
    write_trade(f, 5, "AAPL", "buy", 5, 90, T0 + 5 * DAY);
    write_trade(f, 6, "BTCUSD", "sell", 2, 50000, T0 + 2 * DAY);
    write_trade(f, 7, "BTC/USD", "buy", 1, 40000, T0 + 6 * DAY);
    assert_int_equal(fclose(f), 0);
    char uri[4200];
    snprintf(uri, sizeof uri, "sim:%s", path);
    free(path);
    ms_broker_options options = MS_BROKER_OPTIONS_INIT;
    options.read_only = 1;
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, uri, &options), MS_OK);
    return broker;
}

static void test_sim_fills_come_from_the_journal_in_time_order(void **state)
{
    ms_broker *broker = open_worked_example(*state);
    ms_fills *fills = NULL;
    assert_int_equal(ms_broker_fills(broker, 0, &fills), MS_OK);
    assert_int_equal(ms_fills_count(fills), 7);
    assert_true(ms_fills_complete(fills));
    const ms_fill *second = ms_fills_at(fills, 2);
    assert_string_equal(second->symbol, "BTCUSD");
    assert_int_equal(second->time, T0 + 2 * DAY);
    for (size_t i = 1; i < 7; i++)
        assert_true(ms_fills_at(fills, i - 1)->time <= ms_fills_at(fills, i)->time);
    const ms_fill *first = ms_fills_at(fills, 0);
    assert_string_equal(first->order_id, "sim-000001");
    assert_string_equal(first->client_order_id, "c-1");
    assert_int_equal(first->side, 1);
    assert_true(first->qty == 10 && first->price == 100 && !first->partial);
    assert_null(ms_fills_at(fills, 7));
    ms_fills_free(fills);
    ms_broker_free(broker);
}

static const ms_fill *fill_of(const ms_fills *fills, const char *order_id)
{
    for (size_t i = 0; i < ms_fills_count(fills); i++)
        if (strcmp(ms_fills_at(fills, i)->order_id, order_id) == 0)
            return ms_fills_at(fills, i);
    fail_msg("no fill of %s", order_id);
    return NULL;
}

static void test_realised_pl_at_average_cost_matches_the_hand_worked_example(void **state)
{
    ms_broker *broker = open_worked_example(*state);
    ms_fills *fills = NULL;
    assert_int_equal(ms_broker_fills(broker, 0, &fills), MS_OK);
    assert_float_equal(fill_of(fills, "sim-000002")->realized_pl, 0, 1e-9);
    assert_float_equal(fill_of(fills, "sim-000003")->realized_pl, 75, 1e-9);
    assert_float_equal(fill_of(fills, "sim-000003")->position_after, 15, 1e-9);
    assert_float_equal(fill_of(fills, "sim-000004")->realized_pl, -75, 1e-9);
    assert_float_equal(fill_of(fills, "sim-000004")->position_after, -5, 1e-9);
    assert_float_equal(fill_of(fills, "sim-000005")->realized_pl, 50, 1e-9);
    assert_float_equal(fill_of(fills, "sim-000005")->position_after, 0, 1e-9);
    assert_float_equal(fill_of(fills, "sim-000007")->realized_pl, 10000, 1e-9);
    assert_float_equal(fill_of(fills, "sim-000007")->position_after, -1, 1e-9);
    assert_float_equal(ms_fills_realized_pl(fills, 0, NULL), 10050, 1e-9);
    assert_float_equal(ms_fills_realized_pl(fills, 0, "AAPL"), 50, 1e-9);
    assert_float_equal(ms_fills_realized_pl(fills, 0, "BTC/USD"), 10000, 1e-9);
    ms_fills_free(fills);
    ms_broker_free(broker);
}

static void test_pl_since_a_date_keeps_the_basis_of_earlier_fills(void **state)
{
    ms_broker *broker = open_worked_example(*state);
    ms_fills *fills = NULL;
    assert_int_equal(ms_broker_fills(broker, 0, &fills), MS_OK);
    /* From day 4 on: -75 + 50 (AAPL, whose basis of 105 came from days 1-2) + 10000. */
    assert_float_equal(ms_fills_realized_pl(fills, T0 + 4 * DAY, NULL), 9975, 1e-9);
    assert_float_equal(ms_fills_realized_pl(fills, T0 + 4 * DAY, "AAPL"), -25, 1e-9);
    assert_float_equal(ms_fills_realized_pl(fills, T0 + 7 * DAY, NULL), 0, 1e-9);
    ms_fills_free(fills);
    ms_broker_free(broker);
}

static void test_fills_after_a_time_have_no_realised_pl(void **state)
{
    ms_broker *broker = open_worked_example(*state);
    ms_fills *fills = NULL;
    assert_int_equal(ms_broker_fills(broker, T0 + 4 * DAY, &fills), MS_OK);
    assert_int_equal(ms_fills_count(fills), 2);
    assert_false(ms_fills_complete(fills));
    assert_string_equal(ms_fills_at(fills, 0)->order_id, "sim-000005");
    assert_true(isnan(ms_fills_at(fills, 0)->realized_pl));
    assert_true(isnan(ms_fills_at(fills, 0)->position_after));
    assert_true(isnan(ms_fills_realized_pl(fills, 0, NULL)));
    ms_fills_free(fills);
    ms_broker_free(broker);
}

static void test_fills_text_fits_100_columns_with_prices_to_the_tick(void **state)
{
    ms_broker *broker = open_worked_example(*state);
    ms_fills *fills = NULL;
    char *text = NULL;
    assert_int_equal(ms_broker_fills(broker, 0, &fills), MS_OK);
    assert_int_equal(ms_fills_to_text(fills, T0 + 4 * DAY, &text), MS_OK);
    assert_non_null(strstr(text, "fills since 2026-01-09:"));
    assert_non_null(strstr(text, "sell         20 AAPL      @ 100.00"));
    assert_non_null(strstr(text, "P&L -75.00"));
    assert_null(strstr(text, "sim-000003"));
    assert_non_null(strstr(text, "realised P&L (average cost): +9975.00 (AAPL -25.00, BTCUSD "
                                 "+10000.00)"));
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n"))
        assert_true(strlen(line) <= 100);
    ms_free(text);
    ms_fills_free(fills);
    ms_broker_free(broker);
}

static void test_fills_json_has_each_fill_and_the_realised_pl(void **state)
{
    ms_broker *broker = open_worked_example(*state);
    ms_fills *fills = NULL;
    char *text = NULL;
    assert_int_equal(ms_broker_fills(broker, 0, &fills), MS_OK);
    assert_int_equal(ms_fills_to_json(fills, T0 + 4 * DAY, &text), MS_OK);
    json_error_t error;
    json_t *root = json_loads(text, 0, &error);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "since")), "2026-01-09T00:00:00Z");
    json_t *list = json_object_get(root, "fills");
    assert_int_equal(json_array_size(list), 3);
    json_t *first = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(first, "side")), "sell");
    assert_float_equal(json_number_value(json_object_get(first, "realized_pl")), -75, 1e-9);
    json_t *realized = json_object_get(root, "realized_pl");
    assert_float_equal(json_number_value(json_object_get(realized, "total")), 9975, 1e-9);
    assert_float_equal(json_number_value(json_object_get(json_object_get(realized, "by_symbol"),
                                                         "BTCUSD")), 10000, 1e-9);
    json_decref(root);
    ms_free(text);
    ms_fills_free(fills);
    ms_broker_free(broker);
}

static void test_fills_refuse_null_arguments_and_a_negative_time(void **state)
{
    ms_broker *broker = open_worked_example(*state);
    ms_fills *fills = NULL;
    assert_int_equal(ms_broker_fills(NULL, 0, &fills), MS_ERR_INVALID_ARG);
    assert_int_equal(ms_broker_fills(broker, 0, NULL), MS_ERR_INVALID_ARG);
    assert_int_equal(ms_broker_fills(broker, -1, &fills), MS_ERR_INVALID_ARG);
    assert_null(fills);
    assert_int_equal(ms_fills_count(NULL), 0);
    assert_null(ms_fills_at(NULL, 0));
    assert_true(isnan(ms_fills_realized_pl(NULL, 0, NULL)));
    assert_false(ms_fills_complete(NULL));
    char *text = NULL;
    assert_int_equal(ms_fills_to_text(NULL, 0, &text), MS_ERR_INVALID_ARG);
    assert_int_equal(ms_fills_to_json(NULL, 0, &text), MS_ERR_INVALID_ARG);
    assert_int_equal(ms_broker_fills(broker, 0, &fills), MS_OK);
    assert_int_equal(ms_fills_to_text(fills, 0, NULL), MS_ERR_INVALID_ARG);
    assert_int_equal(ms_fills_to_json(fills, 0, NULL), MS_ERR_INVALID_ARG);
    ms_fills_free(fills);
    ms_fills_free(NULL);
    ms_broker_free(broker);
}

static void test_a_new_sim_account_has_no_fills(void **state)
{
    char *path = temp_dir_path(*state, "new.journal");
    char uri[4200];
    snprintf(uri, sizeof uri, "sim:%s", path);
    free(path);
    ms_broker *broker = NULL;
    ms_fills *fills = NULL;
    char *text = NULL;
    assert_int_equal(ms_broker_open(&broker, uri, NULL), MS_OK);
    assert_int_equal(ms_broker_fills(broker, 0, &fills), MS_OK);
    assert_int_equal(ms_fills_count(fills), 0);
    assert_int_equal(ms_fills_to_text(fills, 0, &text), MS_OK);
    assert_non_null(strstr(text, "no fills"));
    assert_non_null(strstr(text, "realised P&L (average cost): +0.00"));
    ms_free(text);
    ms_fills_free(fills);
    ms_broker_free(broker);
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, temp_dir_setup, temp_dir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_sim_fills_come_from_the_journal_in_time_order),
        TEST(test_realised_pl_at_average_cost_matches_the_hand_worked_example),
        TEST(test_pl_since_a_date_keeps_the_basis_of_earlier_fills),
        TEST(test_fills_after_a_time_have_no_realised_pl),
        TEST(test_fills_text_fits_100_columns_with_prices_to_the_tick),
        TEST(test_fills_json_has_each_fill_and_the_realised_pl),
        TEST(test_fills_refuse_null_arguments_and_a_negative_time),
        TEST(test_a_new_sim_account_has_no_fills),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
