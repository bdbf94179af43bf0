/*
 * test_trade_plan.c - the trade plan built from plain inputs
 * (order_plan.c): one OTO order per pick, deterministic client_order_ids, sizes capped by the
 * buying power, closes for flipped forecasts and negative returns (their
 * working orders canceled first), long-only crypto, orders found under
 * this cycle's ids adopted instead of planned again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trade/trade_internal.h"

#define CYCLE_TIME 1767312000LL /* 2026-01-02T00:00:00Z */

static ms_pick pick(const char *symbol, int side, double entry, double take_profit, double qty)
{
    return (ms_pick){ .symbol = symbol, .strategy = MS_STRATEGY_MAXDIFF, .side = side,
                      .entry_price = entry, .take_profit_price = take_profit, .quantity = qty };
}

static ms_position position(const char *symbol, double qty)
{
    ms_position held = { .qty = qty, .avg_entry_price = 100 };
    strcpy(held.symbol, symbol);
    return held;
}

static ms_order working_order(const char *id, const char *client_order_id, const char *symbol,
                              int side)
{
    ms_order order = { .side = side, .qty = 10, .limit_price = 100, .take_profit_limit = NAN };
    strcpy(order.id, id);
    strcpy(order.client_order_id, client_order_id);
    strcpy(order.symbol, symbol);
    ms_order_set_state(&order, MS_ORDER_NEW);
    return order;
}

#define MOST 16

/* Fills in what a test leaves unset: buying power 1e6, the cycle time,
 * Alpaca's order limits; every position wholly ours (with no take profit
 * recorded) and every order ours. */
static ms_plan_inputs prepare(ms_plan_inputs in)
{
    static ms_plan_holding holdings[MOST];
    static bool own_orders[MOST];
    if (in.buying_power == 0)
        in.buying_power = 1e6;
    in.cycle_time = CYCLE_TIME;
    assert_true(in.position_count <= MOST && in.order_count <= MOST);
    if (in.holdings == NULL) {
        for (size_t i = 0; i < in.position_count; i++)
            holdings[i] = (ms_plan_holding){ .qty = in.positions[i].qty, .take_profit = NAN };
        in.holdings = holdings;
    }
    if (in.own_orders == NULL) {
        for (size_t i = 0; i < in.order_count; i++)
            own_orders[i] = true;
        in.own_orders = own_orders;
    }
    if (in.limits == NULL)
        in.limits = &ms_alpaca_order_limits;
    return in;
}

/* Builds the plan of `in` as prepare() completes it. */
static ms_trade_result *plan(ms_plan_inputs in)
{
    in = prepare(in);
    ms_trade_result *result = ms_trade_result_new();
    assert_non_null(result);
    assert_int_equal(ms_plan_build(&in, result), MS_OK);
    return result;
}

static const ms_trade_step *step(const ms_trade_result *result, size_t i)
{
    assert_true(i < ms_trade_result_step_count(result));
    return ms_trade_result_step(result, i);
}

static void test_order_ids_are_deterministic_per_date_symbol_side_leg(void **state)
{
    (void)state;
    char id[64], again[64];
    assert_int_equal(ms_trade_order_id(CYCLE_TIME + 3600, "AAPL", 1, "entry", id, sizeof id), MS_OK);
    assert_string_equal(id, "ms-20260102-AAPL-buy-entry");
    assert_int_equal(ms_trade_order_id(CYCLE_TIME, "AAPL", 1, "entry", again, sizeof again), MS_OK);
    assert_string_equal(again, id);
    assert_int_equal(ms_trade_order_id(CYCLE_TIME, "BTC/USD", -1, "close", id, sizeof id), MS_OK);
    assert_string_equal(id, "ms-20260102-BTCUSD-sell-close");
    assert_int_equal(ms_trade_order_id(CYCLE_TIME, "btcusd", -1, "close", again, sizeof again), MS_OK);
    assert_string_equal(again, id);
}

static void test_order_id_rejects_odd_symbols_and_ids_that_do_not_fit(void **state)
{
    (void)state;
    char id[64];
    assert_int_equal(ms_trade_order_id(CYCLE_TIME, "AA PL", 1, "entry", id, sizeof id),
                     MS_ERR_INVALID_ARG);
    assert_int_equal(ms_trade_order_id(CYCLE_TIME, "ABCDEFGHIJKLMNOPQRSTUVWXYZA", 1, "entry", id,
                                       40), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "room for 39"));
}

/* A broker of nickels and 24-character ids: the plan follows its limits,
 * not Alpaca's. */
static double nickels(ms_asset_class asset, double price)
{
    (void)asset;
    (void)price;
    return 0.05;
}

static const ms_order_limits nickel_broker = {
    .broker = "the nickel broker", .client_id_max = 26, .client_id_punctuation = "-",
    .price_increment = nickels,
};

static void test_plan_prices_and_ids_follow_the_brokers_limits(void **state)
{
    (void)state;
    ms_pick picks[] = { pick("AAPL", 1, 100.04, 103.46, 5) };
    ms_trade_result *result = plan((ms_plan_inputs){ .picks = picks, .pick_count = 1,
                                                     .limits = &nickel_broker });
    assert_true(step(result, 0)->limit_price == 100.00);
    assert_true(step(result, 0)->take_profit_limit == 103.45);
    ms_trade_result_free(result);
    ms_pick longer[] = { pick("GOOGL", 1, 100, 110, 5) };
    ms_plan_inputs in = prepare((ms_plan_inputs){ .picks = longer, .pick_count = 1,
                                                  .limits = &nickel_broker });
    result = ms_trade_result_new();
    assert_int_equal(ms_plan_build(&in, result), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "the nickel broker takes 1 to 26"));
    ms_trade_result_free(result);
}

static void test_maxdiff_pick_becomes_one_oto_order(void **state)
{
    (void)state;
    ms_pick picks[] = { pick("AAPL", 1, 100.004, 103.456, 50) };
    ms_trade_result *result = plan((ms_plan_inputs){ .picks = picks, .pick_count = 1 });
    assert_int_equal(ms_trade_result_step_count(result), 1);
    const ms_trade_step *entry = step(result, 0);
    assert_int_equal(entry->action, MS_TRADE_ENTER);
    assert_int_equal(entry->order_class, MS_CLASS_OTO);
    assert_int_equal(entry->type, MS_ORDER_LIMIT);
    assert_int_equal(entry->time_in_force, MS_TIF_DAY);
    assert_string_equal(entry->client_order_id, "ms-20260102-AAPL-buy-entry");
    /* A buy entry rounds down to the cent, the take profit to the nearest. */
    assert_true(entry->limit_price == 100.00);
    assert_true(entry->take_profit_limit == 103.46);
    assert_true(entry->qty == 50);
    assert_int_equal(entry->outcome, MS_TRADE_PENDING);
    ms_trade_result_free(result);
}

static void test_sell_entry_rounds_up_to_the_cent(void **state)
{
    (void)state;
    ms_pick picks[] = { pick("MSFT", -1, 200.001, 195.5, 5) };
    ms_trade_result *result = plan((ms_plan_inputs){ .picks = picks, .pick_count = 1 });
    assert_true(step(result, 0)->limit_price == 200.01);
    assert_int_equal(step(result, 0)->side, -1);
    ms_trade_result_free(result);
}

static void test_crypto_pick_is_gtc_under_the_pair_name(void **state)
{
    (void)state;
    ms_pick picks[] = { pick("BTCUSD", 1, 60000.123456, 61000.5, 0.5) };
    ms_trade_result *result = plan((ms_plan_inputs){ .picks = picks, .pick_count = 1 });
    const ms_trade_step *entry = step(result, 0);
    assert_string_equal(entry->symbol, "BTC/USD");
    assert_string_equal(entry->client_order_id, "ms-20260102-BTCUSD-buy-entry");
    assert_int_equal(entry->time_in_force, MS_TIF_GTC);
    assert_true(entry->limit_price == 60000.123456);
    ms_trade_result_free(result);
}

static void test_crypto_is_long_only(void **state)
{
    (void)state;
    ms_pick picks[] = { pick("ETHUSD", -1, 3000, 2900, 1) };
    ms_trade_result *result = plan((ms_plan_inputs){ .picks = picks, .pick_count = 1 });
    assert_int_equal(step(result, 0)->action, MS_TRADE_SKIP);
    assert_non_null(strstr(step(result, 0)->reason, "crypto cannot be sold short"));
    ms_trade_result_free(result);
}

static void test_sizes_are_capped_by_the_buying_power_left(void **state)
{
    (void)state;
    /* 10000 of buying power: 100 shares at 100 (the pick wanted 500), then
     * nothing for the second pick; crypto floors to 0.001 coin. */
    ms_pick picks[] = { pick("AAPL", 1, 100, 110, 500), pick("MSFT", 1, 50, 60, 10) };
    ms_trade_result *result = plan((ms_plan_inputs){ .picks = picks, .pick_count = 2,
                                                     .buying_power = 10000 });
    assert_true(step(result, 0)->qty == 100);
    assert_non_null(strstr(step(result, 0)->reason, "suggested 500"));
    assert_int_equal(step(result, 1)->action, MS_TRADE_SKIP);
    assert_non_null(strstr(step(result, 1)->reason, "buying power"));
    assert_true(ms_trade_result_summary(result)->planned_cost == 10000);
    ms_trade_result_free(result);
    ms_pick coins[] = { pick("BTCUSD", 1, 30000, 31000, 1) };
    result = plan((ms_plan_inputs){ .picks = coins, .pick_count = 1, .buying_power = 1000 });
    assert_true(fabs(step(result, 0)->qty - 0.033) < 1e-12); /* 1000 / 30000 = 0.0333.. */
    ms_trade_result_free(result);
}

static void test_flipped_forecast_closes_after_canceling_working_orders(void **state)
{
    (void)state;
    ms_position positions[] = { position("AAPL", 10) };
    ms_plan_signal signals[] = { { "AAPL", -1, 0.002 } };
    ms_order orders[] = { working_order("o-tp", "leg", "AAPL", -1) };
    ms_trade_result *result = plan((ms_plan_inputs){
        .positions = positions, .position_count = 1, .signals = signals, .signal_count = 1,
        .orders = orders, .order_count = 1 });
    assert_int_equal(ms_trade_result_step_count(result), 2);
    assert_int_equal(step(result, 0)->action, MS_TRADE_CANCEL);
    assert_string_equal(step(result, 0)->order_id, "o-tp");
    const ms_trade_step *close = step(result, 1);
    assert_int_equal(close->action, MS_TRADE_CLOSE);
    assert_int_equal(close->type, MS_ORDER_MARKET);
    assert_int_equal(close->side, -1);
    assert_true(close->qty == 10);
    assert_string_equal(close->client_order_id, "ms-20260102-AAPL-sell-close");
    assert_non_null(strstr(close->reason, "forecast flipped to sell"));
    ms_trade_result_free(result);
}

static void test_negative_strategy_return_closes_a_short(void **state)
{
    (void)state;
    ms_position positions[] = { position("TSLA", -4) };
    ms_plan_signal signals[] = { { "TSLA", -1, -0.001 } };
    ms_trade_result *result = plan((ms_plan_inputs){
        .positions = positions, .position_count = 1, .signals = signals, .signal_count = 1 });
    const ms_trade_step *close = step(result, 0);
    assert_int_equal(close->action, MS_TRADE_CLOSE);
    assert_int_equal(close->side, 1);
    assert_true(close->qty == 4);
    assert_non_null(strstr(close->reason, "turned negative"));
    ms_trade_result_free(result);
}

static void test_agreeing_position_is_held_and_its_pick_skipped(void **state)
{
    (void)state;
    ms_position positions[] = { position("AAPL", 10), position("IBM", 3) };
    ms_plan_signal signals[] = { { "AAPL", 1, 0.002 } };
    ms_pick picks[] = { pick("AAPL", 1, 100, 110, 5) };
    ms_trade_result *result = plan((ms_plan_inputs){
        .positions = positions, .position_count = 2, .signals = signals, .signal_count = 1,
        .picks = picks, .pick_count = 1 });
    assert_int_equal(step(result, 0)->action, MS_TRADE_HOLD);
    assert_string_equal(step(result, 0)->reason, "forecast agrees");
    assert_int_equal(step(result, 1)->action, MS_TRADE_HOLD);
    assert_string_equal(step(result, 1)->reason, "not in this analysis");
    assert_int_equal(step(result, 2)->action, MS_TRADE_SKIP);
    assert_non_null(strstr(step(result, 2)->reason, "position in this direction"));
    ms_trade_result_free(result);
}

static void test_working_order_on_the_symbol_skips_its_pick(void **state)
{
    (void)state;
    ms_pick picks[] = { pick("AAPL", 1, 100, 110, 5) };
    ms_order orders[] = { working_order("o1", "someone-else", "AAPL", 1) };
    ms_trade_result *result = plan((ms_plan_inputs){ .picks = picks, .pick_count = 1,
                                                     .orders = orders, .order_count = 1 });
    assert_int_equal(step(result, 0)->action, MS_TRADE_SKIP);
    assert_non_null(strstr(step(result, 0)->reason, "already working"));
    ms_trade_result_free(result);
}

static void test_order_under_this_cycles_id_is_adopted_not_planned_again(void **state)
{
    (void)state;
    /* The first entry was placed by a run that died: it is adopted, costs
     * no buying power again, and the second pick gets its full size. */
    ms_pick picks[] = { pick("AAPL", 1, 100, 110, 50), pick("MSFT", 1, 100, 110, 50) };
    ms_order orders[] = { working_order("o1", "ms-20260102-AAPL-buy-entry", "AAPL", 1) };
    ms_trade_result *result = plan((ms_plan_inputs){ .picks = picks, .pick_count = 2,
                                                     .orders = orders, .order_count = 1,
                                                     .buying_power = 5000 });
    assert_int_equal(step(result, 0)->action, MS_TRADE_ENTER);
    assert_int_equal(step(result, 0)->outcome, MS_TRADE_EXISTING);
    assert_string_equal(step(result, 0)->order.id, "o1");
    assert_true(step(result, 1)->qty == 50);
    ms_trade_result_free(result);
}

static void test_close_sent_earlier_is_neither_canceled_nor_sent_again(void **state)
{
    (void)state;
    ms_position positions[] = { position("AAPL", 10) };
    ms_plan_signal signals[] = { { "AAPL", -1, 0.002 } };
    ms_order orders[] = { working_order("c1", "ms-20260102-AAPL-sell-close", "AAPL", -1) };
    ms_trade_result *result = plan((ms_plan_inputs){
        .positions = positions, .position_count = 1, .signals = signals, .signal_count = 1,
        .orders = orders, .order_count = 1 });
    assert_int_equal(ms_trade_result_step_count(result), 1);
    assert_int_equal(step(result, 0)->action, MS_TRADE_CLOSE);
    assert_int_equal(step(result, 0)->outcome, MS_TRADE_EXISTING);
    ms_trade_result_free(result);
}

static void test_plan_json_lists_every_step(void **state)
{
    (void)state;
    ms_pick picks[] = { pick("AAPL", 1, 100, 110, 5), pick("ETHUSD", -1, 3000, 2900, 1) };
    ms_trade_result *result = plan((ms_plan_inputs){ .picks = picks, .pick_count = 2 });
    char *text = NULL;
    assert_int_equal(ms_trade_result_to_json(result, &text), MS_OK);
    json_error_t error;
    json_t *document = json_loads(text, 0, &error);
    assert_non_null(document);
    json_t *steps = json_object_get(document, "steps");
    assert_int_equal(json_array_size(steps), 2);
    json_t *entry = json_array_get(steps, 0);
    assert_string_equal(json_string_value(json_object_get(entry, "action")), "enter");
    assert_string_equal(json_string_value(json_object_get(entry, "order_class")), "oto");
    assert_string_equal(json_string_value(json_object_get(entry, "outcome")), "pending");
    json_t *skip = json_array_get(steps, 1);
    assert_string_equal(json_string_value(json_object_get(skip, "action")), "skip");
    json_decref(document);
    ms_free(text);
    assert_int_equal(ms_trade_plan_to_text(result, &text), MS_OK);
    assert_non_null(strstr(text, "ms-20260102-AAPL-buy-entry"));
    ms_free(text);
    ms_trade_result_free(result);
}

static void test_one_step_json_equals_its_entry_in_the_document(void **state)
{
    (void)state;
    ms_pick picks[] = { pick("AAPL", 1, 100, 110, 5) };
    ms_trade_result *result = plan((ms_plan_inputs){ .picks = picks, .pick_count = 1 });
    char *whole = NULL, *one = NULL;
    assert_int_equal(ms_trade_result_to_json(result, &whole), MS_OK);
    assert_int_equal(ms_trade_step_to_json(step(result, 0), &one), MS_OK);
    json_t *document = json_loads(whole, 0, NULL);
    json_t *alone = json_loads(one, 0, NULL);
    assert_true(json_equal(json_array_get(json_object_get(document, "steps"), 0), alone));
    assert_null(strchr(one, '\n'));
    json_decref(alone);
    json_decref(document);
    ms_free(one);
    ms_free(whole);
    assert_int_equal(ms_trade_step_to_json(NULL, &one), MS_ERR_INVALID_ARG);
    ms_trade_result_free(result);
}

static void test_someone_elses_position_is_left_alone_and_listed(void **state)
{
    (void)state;
    ms_position positions[] = { position("NIO", -1000) };
    ms_plan_holding holdings[] = { { .qty = 0, .take_profit = NAN } };
    ms_plan_signal signals[] = { { "NIO", 1, 0.002 } };
    ms_trade_result *result = plan((ms_plan_inputs){
        .positions = positions, .holdings = holdings, .position_count = 1,
        .signals = signals, .signal_count = 1 });
    assert_int_equal(ms_trade_result_step_count(result), 1);
    assert_int_equal(step(result, 0)->action, MS_TRADE_LEAVE);
    assert_true(step(result, 0)->qty == 1000);
    assert_int_equal(step(result, 0)->side, -1);
    assert_non_null(strstr(step(result, 0)->reason, "someone else's"));
    ms_trade_result_free(result);
}

static void test_close_sells_only_our_part_of_a_shared_position(void **state)
{
    (void)state;
    ms_position positions[] = { position("AAPL", 30) };
    ms_plan_holding holdings[] = { { .qty = 10, .take_profit = NAN } };
    ms_plan_signal signals[] = { { "AAPL", -1, 0.002 } };
    ms_trade_result *result = plan((ms_plan_inputs){
        .positions = positions, .holdings = holdings, .position_count = 1,
        .signals = signals, .signal_count = 1 });
    assert_int_equal(step(result, 0)->action, MS_TRADE_LEAVE);
    assert_true(step(result, 0)->qty == 20);
    assert_int_equal(step(result, 1)->action, MS_TRADE_CLOSE);
    assert_true(step(result, 1)->qty == 10);
    ms_trade_result_free(result);
}

static void test_close_cancels_our_take_profit_leg_but_not_someone_elses_order(void **state)
{
    (void)state;
    ms_position positions[] = { position("AAPL", 10) };
    ms_plan_signal signals[] = { { "AAPL", -1, 0.002 } };
    ms_order orders[] = { working_order("leg1", "alpaca-made-leg-id", "AAPL", -1),
                          working_order("theirs", "manual-1", "AAPL", -1) };
    bool own[] = { true, false };
    orders[1].qty = 5;
    positions[0].qty = 15;
    ms_plan_holding holdings[] = { { .qty = 10, .take_profit = NAN } };
    ms_trade_result *result = plan((ms_plan_inputs){
        .positions = positions, .holdings = holdings, .position_count = 1,
        .signals = signals, .signal_count = 1, .orders = orders, .own_orders = own,
        .order_count = 2 });
    size_t cancels = 0;
    for (size_t i = 0; i < ms_trade_result_step_count(result); i++) {
        const ms_trade_step *s = step(result, i);
        if (s->action == MS_TRADE_CANCEL) {
            cancels++;
            assert_string_equal(s->order_id, "leg1");
        }
        if (s->action == MS_TRADE_CLOSE)
            assert_true(s->qty == 10);
    }
    assert_int_equal(cancels, 1);
    ms_trade_result_free(result);
}

static void test_someone_elses_order_on_the_other_side_blocks_a_close(void **state)
{
    (void)state;
    ms_position positions[] = { position("AAPL", 10) };
    ms_plan_signal signals[] = { { "AAPL", -1, 0.002 } };
    ms_order orders[] = { working_order("theirs", "manual-1", "AAPL", 1) };
    bool own[] = { false };
    ms_trade_result *result = plan((ms_plan_inputs){
        .positions = positions, .position_count = 1, .signals = signals, .signal_count = 1,
        .orders = orders, .own_orders = own, .order_count = 1 });
    assert_int_equal(step(result, 0)->action, MS_TRADE_LEAVE);
    assert_int_equal(step(result, 1)->action, MS_TRADE_HOLD);
    assert_non_null(strstr(step(result, 1)->reason, "blocks a close"));
    ms_trade_result_free(result);
}

static void test_someone_elses_opposite_order_skips_a_pick(void **state)
{
    (void)state;
    ms_pick picks[] = { pick("AAPL", 1, 100, 110, 5) };
    ms_order orders[] = { working_order("theirs", "manual-1", "AAPL", -1) };
    bool own[] = { false };
    ms_trade_result *result = plan((ms_plan_inputs){ .picks = picks, .pick_count = 1,
                                                     .orders = orders, .own_orders = own,
                                                     .order_count = 1 });
    assert_int_equal(step(result, 1)->action, MS_TRADE_SKIP);
    assert_non_null(strstr(step(result, 1)->reason, "wash trade"));
    ms_trade_result_free(result);
}

static void test_crypto_entry_is_a_simple_gtc_limit_order(void **state)
{
    (void)state;
    ms_pick picks[] = { pick("BTCUSD", 1, 40000.123456, 41000.5, 0.25) };
    ms_trade_result *result = plan((ms_plan_inputs){ .picks = picks, .pick_count = 1 });
    const ms_trade_step *entry = step(result, 0);
    assert_int_equal(entry->action, MS_TRADE_ENTER);
    assert_string_equal(entry->symbol, "BTC/USD");
    assert_int_equal(entry->order_class, MS_CLASS_SIMPLE);
    assert_int_equal(entry->time_in_force, MS_TIF_GTC);
    assert_true(entry->limit_price == 40000.123456);
    assert_true(entry->take_profit_limit == 41000.5);
    ms_trade_result_free(result);
}

static void test_position_without_a_working_take_profit_gets_its_exit(void **state)
{
    (void)state;
    ms_position positions[] = { position("BTCUSD", 0.25) };
    ms_plan_holding holdings[] = { { .qty = 0.25, .take_profit = 41000.5 } };
    ms_plan_signal signals[] = { { "BTCUSD", 1, 0.002 } };
    ms_trade_result *result = plan((ms_plan_inputs){
        .positions = positions, .holdings = holdings, .position_count = 1,
        .signals = signals, .signal_count = 1 });
    const ms_trade_step *exit = step(result, 0);
    assert_int_equal(exit->action, MS_TRADE_EXIT);
    assert_int_equal(exit->side, -1);
    assert_true(exit->qty == 0.25);
    assert_int_equal(exit->order_class, MS_CLASS_SIMPLE);
    assert_int_equal(exit->time_in_force, MS_TIF_GTC);
    assert_true(exit->limit_price == 41000.5);
    assert_string_equal(exit->client_order_id, "ms-20260102-BTCUSD-sell-exit");
    ms_trade_result_free(result);
}

static void test_working_take_profit_means_no_second_exit(void **state)
{
    (void)state;
    ms_position positions[] = { position("AAPL", 10) };
    ms_plan_holding holdings[] = { { .qty = 10, .take_profit = 110 } };
    ms_plan_signal signals[] = { { "AAPL", 1, 0.002 } };
    ms_order orders[] = { working_order("leg1", "alpaca-made-leg-id", "AAPL", -1) };
    ms_trade_result *result = plan((ms_plan_inputs){
        .positions = positions, .holdings = holdings, .position_count = 1,
        .signals = signals, .signal_count = 1, .orders = orders, .order_count = 1 });
    assert_int_equal(ms_trade_result_step_count(result), 1);
    assert_int_equal(step(result, 0)->action, MS_TRADE_HOLD);
    ms_trade_result_free(result);
}

static void test_our_unfilled_entry_from_an_earlier_cycle_is_canceled(void **state)
{
    (void)state;
    ms_order orders[] = { working_order("old", "ms-20251231-BTCUSD-buy-entry", "BTC/USD", 1) };
    ms_trade_result *result = plan((ms_plan_inputs){ .orders = orders, .order_count = 1 });
    assert_int_equal(ms_trade_result_step_count(result), 1);
    assert_int_equal(step(result, 0)->action, MS_TRADE_CANCEL);
    assert_string_equal(step(result, 0)->order_id, "old");
    ms_trade_result_free(result);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_ids_are_deterministic_per_date_symbol_side_leg),
        cmocka_unit_test(test_order_id_rejects_odd_symbols_and_ids_that_do_not_fit),
        cmocka_unit_test(test_plan_prices_and_ids_follow_the_brokers_limits),
        cmocka_unit_test(test_maxdiff_pick_becomes_one_oto_order),
        cmocka_unit_test(test_sell_entry_rounds_up_to_the_cent),
        cmocka_unit_test(test_crypto_pick_is_gtc_under_the_pair_name),
        cmocka_unit_test(test_crypto_is_long_only),
        cmocka_unit_test(test_sizes_are_capped_by_the_buying_power_left),
        cmocka_unit_test(test_flipped_forecast_closes_after_canceling_working_orders),
        cmocka_unit_test(test_negative_strategy_return_closes_a_short),
        cmocka_unit_test(test_agreeing_position_is_held_and_its_pick_skipped),
        cmocka_unit_test(test_working_order_on_the_symbol_skips_its_pick),
        cmocka_unit_test(test_order_under_this_cycles_id_is_adopted_not_planned_again),
        cmocka_unit_test(test_close_sent_earlier_is_neither_canceled_nor_sent_again),
        cmocka_unit_test(test_plan_json_lists_every_step),
        cmocka_unit_test(test_one_step_json_equals_its_entry_in_the_document),
        cmocka_unit_test(test_someone_elses_position_is_left_alone_and_listed),
        cmocka_unit_test(test_close_sells_only_our_part_of_a_shared_position),
        cmocka_unit_test(test_close_cancels_our_take_profit_leg_but_not_someone_elses_order),
        cmocka_unit_test(test_someone_elses_order_on_the_other_side_blocks_a_close),
        cmocka_unit_test(test_someone_elses_opposite_order_skips_a_pick),
        cmocka_unit_test(test_crypto_entry_is_a_simple_gtc_limit_order),
        cmocka_unit_test(test_position_without_a_working_take_profit_gets_its_exit),
        cmocka_unit_test(test_working_take_profit_means_no_second_exit),
        cmocka_unit_test(test_our_unfilled_entry_from_an_earlier_cycle_is_canceled),
    };
    return cmocka_run_group_tests_name("trade_plan", tests, NULL, NULL);
}
