/* test_alpaca_json.c - reading Alpaca's JSON tolerantly (numbers as strings
 * or numbers, nulls, RFC 3339 times), the account, position, clock and order
 * objects, order request bodies and symbol names (lib/broker/alpaca/alpaca_*.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "broker/alpaca/alpaca_internal.h"

static json_t *parse(const char *text)
{
    json_error_t error;
    json_t *json = json_loads(text, 0, &error);
    if (json == NULL)
        fail_msg("bad fixture JSON: %s", error.text);
    return json;
}

static void test_number_reads_strings_numbers_and_nulls(void **state)
{
    (void)state;
    json_t *json = parse("{\"text\": \"1.5\", \"number\": 2, \"null\": null}");
    ms_json_fields fields;
    assert_int_equal(ms_json_fields_init(&fields, json, "test"), MS_OK);
    assert_true(ms_json_number(&fields, "text", MS_JSON_REQUIRED) == 1.5);
    assert_true(ms_json_number(&fields, "number", MS_JSON_REQUIRED) == 2.0);
    assert_true(isnan(ms_json_number(&fields, "null", MS_JSON_OPTIONAL)));
    assert_true(isnan(ms_json_number(&fields, "absent", MS_JSON_OPTIONAL)));
    assert_int_equal(fields.status, MS_OK);
    json_decref(json);
}

static void test_required_null_number_names_object_and_field(void **state)
{
    (void)state;
    json_t *json = parse("{\"cash\": null}");
    ms_json_fields fields;
    ms_json_fields_init(&fields, json, "GET /v2/account");
    ms_json_number(&fields, "cash", MS_JSON_REQUIRED);
    assert_int_equal(fields.status, MS_ERR_PARSE);
    assert_non_null(strstr(ms_last_error(), "GET /v2/account"));
    assert_non_null(strstr(ms_last_error(), "'cash'"));
    json_decref(json);
}

static void test_number_rejects_text_that_is_no_number(void **state)
{
    (void)state;
    json_t *json = parse("{\"qty\": \"ten\"}");
    ms_json_fields fields;
    ms_json_fields_init(&fields, json, "order");
    ms_json_number(&fields, "qty", MS_JSON_OPTIONAL);
    assert_int_equal(fields.status, MS_ERR_PARSE);
    assert_non_null(strstr(ms_last_error(), "'qty'"));
    json_decref(json);
}

static void test_flag_reads_booleans_and_their_strings(void **state)
{
    (void)state;
    json_t *json = parse("{\"a\": true, \"b\": \"true\", \"c\": \"false\", \"d\": null}");
    ms_json_fields fields;
    ms_json_fields_init(&fields, json, "test");
    assert_true(ms_json_flag(&fields, "a"));
    assert_true(ms_json_flag(&fields, "b"));
    assert_false(ms_json_flag(&fields, "c"));
    assert_false(ms_json_flag(&fields, "d"));
    assert_int_equal(fields.status, MS_OK);
    json_decref(json);
}

static void test_time_reads_offsets_and_nanoseconds_as_utc(void **state)
{
    (void)state;
    json_t *json = parse("{\"t\": \"2024-01-02T10:00:00.123456789-05:00\", \"z\": \"2024-01-02T15:00:00Z\"}");
    ms_json_fields fields;
    ms_json_fields_init(&fields, json, "test");
    int64_t expected = ms_days_from_civil(2024, 1, 2) * MS_SECONDS_PER_DAY + 15 * 3600;
    assert_int_equal(ms_json_time(&fields, "t", MS_JSON_REQUIRED), expected);
    assert_int_equal(ms_json_time(&fields, "z", MS_JSON_REQUIRED), expected);
    json_decref(json);
}

static void test_string_longer_than_its_buffer_is_an_error(void **state)
{
    (void)state;
    json_t *json = parse("{\"id\": \"0123456789\"}");
    ms_json_fields fields;
    ms_json_fields_init(&fields, json, "test");
    char id[8];
    ms_json_string(&fields, "id", id, sizeof id, MS_JSON_REQUIRED);
    assert_int_equal(fields.status, MS_ERR_PARSE);
    assert_non_null(strstr(ms_last_error(), "'id'"));
    json_decref(json);
}

static void test_account_reads_money_sent_as_strings_or_numbers(void **state)
{
    (void)state;
    json_t *strings = parse("{\"id\": \"a1\", \"status\": \"ACTIVE\", \"currency\": \"USD\", \"cash\": \"1000.5\","
                            " \"buying_power\": \"2001\", \"equity\": \"1000.5\", \"last_equity\": null,"
                            " \"multiplier\": \"2\", \"pattern_day_trader\": false, \"daytrade_count\": 3}");
    json_t *numbers = parse("{\"id\": \"a1\", \"cash\": 1000.5, \"buying_power\": 2001, \"equity\": 1000.5,"
                            " \"multiplier\": 2, \"shorting_enabled\": true, \"daytrade_count\": \"3\"}");
    ms_account from_strings, from_numbers;
    assert_int_equal(ms_alpaca_parse_account(strings, "account", &from_strings), MS_OK);
    assert_int_equal(ms_alpaca_parse_account(numbers, "account", &from_numbers), MS_OK);
    assert_true(from_strings.cash == 1000.5 && from_numbers.cash == 1000.5);
    assert_true(from_strings.buying_power == 2001 && from_numbers.buying_power == 2001);
    assert_true(from_strings.multiplier == 2 && from_numbers.multiplier == 2);
    assert_int_equal(from_strings.daytrade_count, 3);
    assert_int_equal(from_numbers.daytrade_count, 3);
    assert_true(isnan(from_strings.last_equity));
    assert_string_equal(from_strings.currency, "USD");
    assert_true(from_numbers.shorting_enabled);
    json_decref(strings);
    json_decref(numbers);
}

/* Under fuzz/fuzz_alpaca.c, UBSan reported converting 1e300 to int. */
static void test_account_rejects_daytrade_count_beyond_int_naming_the_field(void **state)
{
    (void)state;
    json_t *json = parse("{\"id\": \"a1\", \"cash\": 1, \"buying_power\": 1, \"equity\": 1,"
                         " \"daytrade_count\": 1e300}");
    ms_account account;
    assert_int_equal(ms_alpaca_parse_account(json, "account", &account), MS_ERR_PARSE);
    assert_non_null(strstr(ms_last_error(), "account: field 'daytrade_count': 1e+300 is not a count"));
    json_decref(json);
}

static void test_short_position_quantity_is_negative_whatever_sign_is_sent(void **state)
{
    (void)state;
    json_t *json = parse("[{\"symbol\": \"AAPL\", \"asset_class\": \"us_equity\", \"qty\": \"-5\", \"side\": \"short\"},"
                         " {\"symbol\": \"MSFT\", \"qty\": \"5\", \"side\": \"short\", \"qty_available\": 5},"
                         " {\"symbol\": \"BTCUSD\", \"asset_class\": \"crypto\", \"qty\": 0.25, \"side\": \"long\"}]");
    ms_position *positions = NULL;
    size_t count = 0;
    assert_int_equal(ms_alpaca_parse_positions(json, "positions", &positions, &count), MS_OK);
    assert_int_equal(count, 3);
    assert_true(positions[0].qty == -5 && positions[1].qty == -5 && positions[1].qty_available == -5);
    assert_true(positions[2].qty == 0.25);
    assert_int_equal(positions[2].asset_class, MS_ASSET_CRYPTO);
    assert_int_equal(positions[0].asset_class, MS_ASSET_STOCK);
    free(positions);
    json_decref(json);
}

static void test_clock_reads_times_with_offsets(void **state)
{
    (void)state;
    json_t *json = parse("{\"timestamp\": \"2024-01-02T10:00:00-05:00\", \"is_open\": true,"
                         " \"next_open\": \"2024-01-03T09:30:00-05:00\", \"next_close\": \"2024-01-02T16:00:00-05:00\"}");
    ms_market_clock clock;
    assert_int_equal(ms_alpaca_parse_clock(json, "clock", &clock), MS_OK);
    int64_t day = ms_days_from_civil(2024, 1, 2) * MS_SECONDS_PER_DAY;
    assert_int_equal(clock.timestamp, day + 15 * 3600);
    assert_int_equal(clock.next_close, day + 21 * 3600);
    assert_int_equal(clock.next_open, day + MS_SECONDS_PER_DAY + 14 * 3600 + 1800);
    assert_true(clock.is_open);
    json_decref(json);
}

#define ORDER_FIELDS "\"id\": \"o1\", \"client_order_id\": \"ms-1\", \"symbol\": \"AAPL\", \"status\": \"new\", " \
                     "\"side\": \"buy\", \"time_in_force\": \"day\", \"created_at\": \"2024-01-02T15:00:00.5Z\", "

static void test_oto_order_reads_the_take_profit_leg(void **state)
{
    (void)state;
    json_t *json = parse("{" ORDER_FIELDS "\"type\": \"limit\", \"qty\": \"3\", \"limit_price\": \"99.5\","
                         " \"order_class\": \"oto\", \"filled_qty\": null, \"filled_avg_price\": null,"
                         " \"legs\": [{\"type\": \"limit\", \"limit_price\": 110}]}");
    ms_order order;
    assert_int_equal(ms_alpaca_parse_order(json, "order", &order), MS_OK);
    assert_int_equal(order.order_class, MS_CLASS_OTO);
    assert_true(order.take_profit_limit == 110 && order.limit_price == 99.5 && order.qty == 3);
    assert_true(order.filled_qty == 0 && isnan(order.filled_avg_price) && isnan(order.stop_price));
    assert_int_equal(order.filled_at, 0);
    assert_int_equal(order.side, 1);
    json_decref(json);
}

static void test_bracket_take_profit_is_the_limit_leg_not_the_stop(void **state)
{
    (void)state;
    json_t *json = parse("{" ORDER_FIELDS "\"type\": \"limit\", \"qty\": 3, \"limit_price\": 99.5, \"order_class\": \"bracket\","
                         " \"legs\": [{\"type\": \"stop\", \"stop_price\": \"90\"}, {\"type\": \"limit\", \"limit_price\": \"111.25\"}]}");
    ms_order order;
    assert_int_equal(ms_alpaca_parse_order(json, "order", &order), MS_OK);
    assert_true(order.take_profit_limit == 111.25);
    json_decref(json);
}

static void test_order_status_words_become_marketsims_statuses(void **state)
{
    (void)state;
    json_t *json = parse("{\"id\": \"o1\", \"symbol\": \"AAPL\", \"status\": \"partially_filled\","
                         " \"side\": \"buy\", \"time_in_force\": \"day\", \"type\": \"limit\","
                         " \"order_class\": \"oto\", \"legs\": [{\"type\": \"limit\", \"limit_price\": 110,"
                         " \"id\": \"leg\", \"status\": \"held\"}]}");
    ms_order order;
    assert_int_equal(ms_alpaca_parse_order(json, "order", &order), MS_OK);
    assert_int_equal(order.state, MS_ORDER_PARTIALLY_FILLED);
    assert_string_equal(order.status, "partially_filled");
    assert_int_equal(order.take_profit_state, MS_ORDER_HELD);
    assert_true(ms_order_is_open(order.state) && ms_order_is_open(order.take_profit_state));
    json_decref(json);
    assert_int_equal(ms_alpaca_order_status("filled"), MS_ORDER_FILLED);
    assert_int_equal(ms_alpaca_order_status("done_for_day"), MS_ORDER_DONE_FOR_DAY);
    assert_int_equal(ms_alpaca_order_status("accepted_for_bidding"), MS_ORDER_ACCEPTED_FOR_BIDDING);
}

static void test_unknown_status_word_is_other_and_kept_for_display(void **state)
{
    (void)state;
    json_t *json = parse("{" ORDER_FIELDS "\"type\": \"market\"}");
    json_object_set_new(json, "status", json_string("being_reviewed"));
    ms_order order;
    assert_int_equal(ms_alpaca_parse_order(json, "order", &order), MS_OK);
    assert_int_equal(order.state, MS_ORDER_OTHER);
    assert_string_equal(order.status, "being_reviewed");
    /* Not known to be done, so it is treated as able to fill. */
    assert_true(ms_order_is_open(order.state));
    json_decref(json);
}

static void test_only_filled_canceled_expired_rejected_and_replaced_are_closed(void **state)
{
    (void)state;
    size_t closed = 0;
    for (int s = MS_ORDER_OTHER; s <= MS_ORDER_HELD; s++) {
        const char *name = ms_order_status_name((ms_order_status)s);
        bool done = strcmp(name, "filled") == 0 || strcmp(name, "canceled") == 0 ||
                    strcmp(name, "expired") == 0 || strcmp(name, "rejected") == 0 ||
                    strcmp(name, "replaced") == 0;
        closed += done;
        assert_int_equal(ms_order_is_open((ms_order_status)s), !done);
        /* Every name is Alpaca's word for the same status. */
        if (s != MS_ORDER_OTHER)
            assert_int_equal(ms_alpaca_order_status(name), s);
    }
    assert_int_equal(closed, 5);
    assert_string_equal(ms_order_status_name((ms_order_status)99), "?");
}

static void test_simple_order_has_no_take_profit(void **state)
{
    (void)state;
    json_t *json = parse("{" ORDER_FIELDS "\"type\": \"market\", \"qty\": \"1\", \"order_class\": \"\","
                         " \"filled_qty\": \"1\", \"filled_avg_price\": \"101.5\", \"filled_at\": \"2024-01-02T15:00:01Z\", \"legs\": null}");
    ms_order order;
    assert_int_equal(ms_alpaca_parse_order(json, "order", &order), MS_OK);
    assert_int_equal(order.order_class, MS_CLASS_SIMPLE);
    assert_true(isnan(order.take_profit_limit));
    assert_true(order.filled_avg_price == 101.5);
    assert_int_equal(order.filled_at - order.created_at, 1);
    json_decref(json);
}

static void test_trailing_stop_reads_as_a_stop(void **state)
{
    (void)state;
    json_t *json = parse("{" ORDER_FIELDS "\"type\": \"trailing_stop\", \"qty\": \"1\", \"stop_price\": \"95\"}");
    ms_order order;
    assert_int_equal(ms_alpaca_parse_order(json, "order", &order), MS_OK);
    assert_int_equal(order.type, MS_ORDER_STOP);
    json_decref(json);
}

static void test_order_list_error_names_the_order_and_field(void **state)
{
    (void)state;
    json_t *json = parse("[{" ORDER_FIELDS "\"type\": \"market\"}, {" ORDER_FIELDS "\"type\": \"teleport\"}]");
    ms_order *orders = NULL;
    size_t count = 0;
    assert_int_equal(ms_alpaca_parse_orders(json, "GET /v2/orders", &orders, &count), MS_ERR_PARSE);
    assert_non_null(strstr(ms_last_error(), "GET /v2/orders: order 1"));
    assert_non_null(strstr(ms_last_error(), "teleport"));
    assert_null(orders);
    json_decref(json);
}

static ms_order_request limit_request(const char *symbol, double limit)
{
    ms_order_request request = {
        .symbol = symbol, .qty = 2, .side = 1, .type = MS_ORDER_LIMIT, .time_in_force = MS_TIF_DAY,
        .limit_price = limit, .stop_price = NAN, .order_class = MS_CLASS_SIMPLE,
        .take_profit_limit = NAN, .stop_loss_stop = NAN, .client_order_id = "ms-2024-01-02-AAPL-buy-0",
    };
    return request;
}

static json_t *body_of(const ms_order_request *request)
{
    char *body = NULL;
    assert_int_equal(ms_alpaca_order_body(request, &body), MS_OK);
    json_t *json = parse(body);
    free(body);
    return json;
}

static const char *text_at(const json_t *json, const char *key)
{
    const char *text = json_string_value(json_object_get(json, key));
    return text != NULL ? text : "(not a string)";
}

static void test_oto_body_sends_prices_as_strings_with_take_profit(void **state)
{
    (void)state;
    ms_order_request request = limit_request("AAPL", 99.5);
    request.order_class = MS_CLASS_OTO;
    request.take_profit_limit = 110.25;
    json_t *json = body_of(&request);
    assert_string_equal(text_at(json, "symbol"), "AAPL");
    assert_string_equal(text_at(json, "qty"), "2");
    assert_string_equal(text_at(json, "side"), "buy");
    assert_string_equal(text_at(json, "type"), "limit");
    assert_string_equal(text_at(json, "time_in_force"), "day");
    assert_string_equal(text_at(json, "limit_price"), "99.5");
    assert_string_equal(text_at(json, "order_class"), "oto");
    assert_string_equal(text_at(json, "client_order_id"), "ms-2024-01-02-AAPL-buy-0");
    assert_string_equal(text_at(json_object_get(json, "take_profit"), "limit_price"), "110.25");
    assert_null(json_object_get(json, "stop_loss"));
    assert_null(json_object_get(json, "stop_price"));
    json_decref(json);
}

static void test_bracket_body_carries_the_stop_loss(void **state)
{
    (void)state;
    ms_order_request request = limit_request("AAPL", 99.5);
    request.side = -1;
    request.order_class = MS_CLASS_BRACKET;
    request.take_profit_limit = 90;
    request.stop_loss_stop = 105;
    json_t *json = body_of(&request);
    assert_string_equal(text_at(json, "side"), "sell");
    assert_string_equal(text_at(json, "order_class"), "bracket");
    assert_string_equal(text_at(json_object_get(json, "stop_loss"), "stop_price"), "105");
    json_decref(json);
}

static void test_prices_are_sent_as_given_without_binary_noise(void **state)
{
    (void)state;
    /* An off-tick price is Alpaca's to refuse, never moved in silence. */
    ms_order_request request = limit_request("AAPL", 123.4567);
    json_t *off_tick = body_of(&request);
    assert_string_equal(text_at(off_tick, "limit_price"), "123.4567");
    request.limit_price = 64.03; /* 64.0299999999999940314... in binary */
    json_t *on_tick = body_of(&request);
    assert_string_equal(text_at(on_tick, "limit_price"), "64.03");
    json_decref(off_tick);
    json_decref(on_tick);
}

static void test_crypto_body_uses_the_pair_name_and_fine_quantities(void **state)
{
    (void)state;
    ms_order_request request = limit_request("BTCUSD", 42123.123456);
    request.qty = 0.00123;
    request.time_in_force = MS_TIF_GTC;
    json_t *json = body_of(&request);
    assert_string_equal(text_at(json, "symbol"), "BTC/USD");
    assert_string_equal(text_at(json, "qty"), "0.00123");
    assert_string_equal(text_at(json, "limit_price"), "42123.123456");
    assert_string_equal(text_at(json, "time_in_force"), "gtc");
    json_decref(json);
}

static void test_symbol_names_crypto_pairs_with_a_slash(void **state)
{
    (void)state;
    char name[MS_ALPACA_SYMBOL_MAX];
    const char *spellings[] = { "BTCUSD", "btc-usd", "BTC/USD" };
    for (size_t i = 0; i < MS_ARRAY_LEN(spellings); i++) {
        assert_int_equal(ms_alpaca_symbol(spellings[i], name), MS_OK);
        assert_string_equal(name, "BTC/USD");
    }
    assert_int_equal(ms_alpaca_symbol("brk.b", name), MS_OK);
    assert_string_equal(name, "BRK.B");
    assert_int_equal(ms_alpaca_symbol("AA PL", name), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "AA PL"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_number_reads_strings_numbers_and_nulls),
        cmocka_unit_test(test_required_null_number_names_object_and_field),
        cmocka_unit_test(test_number_rejects_text_that_is_no_number),
        cmocka_unit_test(test_flag_reads_booleans_and_their_strings),
        cmocka_unit_test(test_time_reads_offsets_and_nanoseconds_as_utc),
        cmocka_unit_test(test_string_longer_than_its_buffer_is_an_error),
        cmocka_unit_test(test_account_reads_money_sent_as_strings_or_numbers),
        cmocka_unit_test(test_account_rejects_daytrade_count_beyond_int_naming_the_field),
        cmocka_unit_test(test_short_position_quantity_is_negative_whatever_sign_is_sent),
        cmocka_unit_test(test_clock_reads_times_with_offsets),
        cmocka_unit_test(test_oto_order_reads_the_take_profit_leg),
        cmocka_unit_test(test_bracket_take_profit_is_the_limit_leg_not_the_stop),
        cmocka_unit_test(test_simple_order_has_no_take_profit),
        cmocka_unit_test(test_trailing_stop_reads_as_a_stop),
        cmocka_unit_test(test_order_list_error_names_the_order_and_field),
        cmocka_unit_test(test_oto_body_sends_prices_as_strings_with_take_profit),
        cmocka_unit_test(test_bracket_body_carries_the_stop_loss),
        cmocka_unit_test(test_prices_are_sent_as_given_without_binary_noise),
        cmocka_unit_test(test_crypto_body_uses_the_pair_name_and_fine_quantities),
        cmocka_unit_test(test_symbol_names_crypto_pairs_with_a_slash),
        cmocka_unit_test(test_order_status_words_become_marketsims_statuses),
        cmocka_unit_test(test_unknown_status_word_is_other_and_kept_for_display),
        cmocka_unit_test(test_only_filled_canceled_expired_rejected_and_replaced_are_closed),
    };
    return cmocka_run_group_tests_name("alpaca_json", tests, NULL, NULL);
}
