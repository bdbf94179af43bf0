/*
 * test_sim_broker.c - the simulated broker (sim:PATH) trading: the fill
 * rules against hand-made bars (support/sim_fixture.h) with hand-computed
 * prices, OTO and bracket legs, day expiry, cancels, Alpaca's rejections
 * (duplicate ids, wash trades, buying power, short crypto) and the account.
 * Every order is placed after the fixture's sync to day 0 unless said
 * otherwise, so it works from day 1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "support/sim_fixture.h"

/* ---- Fill rules ---------------------------------------------------------- */

static void test_buy_limit_fills_at_limit_when_low_reaches_it(void **state)
{
    sim_fixture *f = *state;
    ms_order placed = sim_submit(f, sim_limit_order("b1", 1, 10, 98, MS_TIF_GTC));
    sim_sync_to(f, 1); /* day 1: low 97 <= 98, opens at 99 above the limit: fills at 98 */
    ms_order filled = sim_order_named(f, placed.id);
    assert_string_equal(filled.status, "filled");
    assert_true(filled.filled_avg_price == 98.0);
    assert_int_equal(filled.filled_at, SIM_DAY(1));
    assert_true(sim_position_qty(f, "AAA") == 10.0);
    assert_true(sim_cash(f) == 100000.0 - 980.0);
}

static void test_buy_limit_fills_at_open_when_bar_opens_below(void **state)
{
    sim_fixture *f = *state;
    ms_order placed = sim_submit(f, sim_limit_order("b1", 1, 10, 99.5, MS_TIF_GTC));
    sim_sync_to(f, 1); /* day 1 opens at 99 < 99.5: the open is the better price */
    assert_true(sim_order_named(f, placed.id).filled_avg_price == 99.0);
}

static void test_sell_limit_fills_when_high_reaches_it(void **state)
{
    sim_fixture *f = *state;
    ms_order placed = sim_submit(f, sim_limit_order("s1", -1, 10, 103, MS_TIF_GTC));
    sim_sync_to(f, 5); /* highs 100, 102, then 104 on day 3 (opens at 101): fills at 103 */
    ms_order filled = sim_order_named(f, placed.id);
    assert_true(filled.filled_avg_price == 103.0);
    assert_int_equal(filled.filled_at, SIM_DAY(3));
    assert_true(sim_position_qty(f, "AAA") == -10.0);
}

static void test_sell_limit_fills_at_open_when_bar_opens_above(void **state)
{
    sim_fixture *f = *state;
    ms_order placed = sim_submit(f, sim_limit_order("s1", -1, 10, 97, MS_TIF_GTC));
    sim_sync_to(f, 1); /* day 1 opens at 99 > 97 */
    assert_true(sim_order_named(f, placed.id).filled_avg_price == 99.0);
}

static void test_market_order_fills_at_next_open(void **state)
{
    sim_fixture *f = *state;
    sim_submit(f, sim_limit_order("b1", 1, 10, 98, MS_TIF_GTC));
    sim_sync_to(f, 1); /* bought 10 at 98; the clock is now day 1 */
    ms_order_request close = sim_limit_order("close", -1, 10, NAN, MS_TIF_DAY);
    close.type = MS_ORDER_MARKET;
    ms_order placed = sim_submit(f, close);
    sim_sync_to(f, 2); /* day 2 opens at 98 */
    assert_true(sim_order_named(f, placed.id).filled_avg_price == 98.0);
    assert_true(sim_position_qty(f, "AAA") == 0.0);
    assert_true(sim_cash(f) == 100000.0);
}

static void test_market_order_without_a_known_price_is_rejected(void **state)
{
    sim_fixture *f = *state;
    ms_order_request buy = sim_limit_order("m1", 1, 1, NAN, MS_TIF_DAY);
    buy.type = MS_ORDER_MARKET;
    ms_order order;
    assert_int_equal(ms_broker_submit(f->broker, &buy, &order), MS_ERR_BROKER);
    assert_non_null(strstr(ms_last_error(), "no price known for AAA"));
}

static void test_day_order_expires_after_its_first_bar(void **state)
{
    sim_fixture *f = *state;
    ms_order placed = sim_submit(f, sim_limit_order("b1", 1, 10, 96, MS_TIF_DAY));
    sim_sync_to(f, 5); /* day 1's low is 97 > 96: expired; day 3's 95 comes too late */
    ms_order expired = sim_order_named(f, placed.id);
    assert_string_equal(expired.status, "expired");
    assert_true(sim_position_qty(f, "AAA") == 0.0);
}

static void test_gtc_order_waits_until_a_bar_reaches_it(void **state)
{
    sim_fixture *f = *state;
    ms_order placed = sim_submit(f, sim_limit_order("b1", 1, 10, 96, MS_TIF_GTC));
    sim_sync_to(f, 2);
    assert_string_equal(sim_order_named(f, placed.id).status, "new");
    sim_sync_to(f, 3); /* day 3: low 95 <= 96, opens at 101: fills at 96 */
    ms_order filled = sim_order_named(f, placed.id);
    assert_string_equal(filled.status, "filled");
    assert_true(filled.filled_avg_price == 96.0);
}

static void test_sell_stop_fills_at_open_when_bar_gaps_through_it(void **state)
{
    sim_fixture *f = *state;
    sim_submit(f, sim_limit_order("b1", 1, 10, 98, MS_TIF_GTC));
    sim_sync_to(f, 3);
    ms_order_request stop = sim_limit_order("stop", -1, 10, NAN, MS_TIF_GTC);
    stop.type = MS_ORDER_STOP;
    stop.stop_price = 96;
    ms_order placed = sim_submit(f, stop);
    sim_sync_to(f, 4); /* day 4 opens at 95, below the stop: fills at 95 */
    assert_true(sim_order_named(f, placed.id).filled_avg_price == 95.0);
}

/* ---- OTO and bracket ---------------------------------------------------- */

static void test_gtc_oto_take_profit_fills_on_a_later_day(void **state)
{
    sim_fixture *f = *state;
    ms_order_request gtc = sim_oto("o1", 98, 103.5);
    gtc.time_in_force = MS_TIF_GTC;
    ms_order placed = sim_submit(f, gtc);
    assert_true(placed.take_profit_limit == 103.5);
    sim_sync_to(f, 5);
    /* Entry: day 1 (99 -> 100 -> 97) at 98. Take profit: the rest of day 1
     * and day 2's high 102 miss it, day 3's 104 reaches 103.5 (opens at
     * 101). Cash 100000 - 980 + 1035. */
    ms_order entry = sim_order_named(f, placed.id);
    ms_order take_profit = sim_order_named(f, "sim-000002");
    assert_string_equal(entry.status, "filled");
    assert_string_equal(take_profit.status, "filled");
    assert_int_equal(take_profit.side, -1);
    assert_true(take_profit.filled_avg_price == 103.5);
    assert_int_equal(take_profit.filled_at, SIM_DAY(3));
    assert_true(sim_position_qty(f, "AAA") == 0.0);
    assert_true(sim_cash(f) == 100055.0);
}

static void test_day_take_profit_expires_with_its_day(void **state)
{
    sim_fixture *f = *state;
    sim_submit(f, sim_oto("o1", 98, 103.5));
    sim_sync_to(f, 1);
    /* The entry fills on day 1; its day leg, as Alpaca gives it the entry's
     * time in force, is not reached that day and expires. */
    assert_string_equal(sim_order_named(f, "sim-000001").status, "filled");
    assert_string_equal(sim_order_named(f, "sim-000002").status, "expired");
    assert_true(sim_position_qty(f, "AAA") == 10.0);
}

static void test_take_profit_fills_later_on_its_entrys_bar_path(void **state)
{
    sim_fixture *f = *state;
    sim_sync_to(f, 1);
    sim_submit(f, sim_oto("o1", 97.8, 99.5));
    sim_sync_to(f, 2);
    /* Day 2 opens at 98 and goes to its nearer extreme, the low 97.5,
     * filling the entry at 97.8 on the way; then up to the high 102, which
     * passes the take profit at 99.5 after the entry: both fill on day 2. */
    ms_order entry = sim_order_named(f, "sim-000001");
    ms_order take_profit = sim_order_named(f, "sim-000002");
    assert_true(entry.filled_avg_price == 97.8);
    assert_int_equal(take_profit.filled_at, SIM_DAY(2));
    assert_true(take_profit.filled_avg_price == 99.5);
}

static void test_take_profit_never_fills_before_its_entry_on_the_path(void **state)
{
    sim_fixture *f = *state;
    sim_submit(f, sim_oto("o1", 98, 99.8));
    sim_sync_to(f, 1);
    /* Day 1 goes 99 -> 100 (past 99.8, but the entry has not filled yet)
     * -> 97 (the entry fills at 98) -> 98 (the close, below 99.8). */
    assert_string_equal(sim_order_named(f, "sim-000001").status, "filled");
    assert_string_equal(sim_order_named(f, "sim-000002").status, "expired");
}

static void test_oto_leg_is_held_until_the_entry_fills(void **state)
{
    sim_fixture *f = *state;
    sim_submit(f, sim_oto("o1", 90, 103.5));
    assert_string_equal(sim_order_named(f, "sim-000002").status, "held");
    sim_sync_to(f, 1); /* the day entry misses (low 97) and expires; its leg is canceled */
    assert_string_equal(sim_order_named(f, "sim-000001").status, "expired");
    assert_string_equal(sim_order_named(f, "sim-000002").status, "canceled");
}

static void test_bracket_leg_reached_first_on_the_path_fills(void **state)
{
    sim_fixture *f = *state;
    ms_order_request bracket = sim_oto("br", 98, 103.5);
    bracket.order_class = MS_CLASS_BRACKET;
    bracket.stop_loss_stop = 96;
    bracket.time_in_force = MS_TIF_GTC;
    sim_submit(f, bracket);
    sim_sync_to(f, 5);
    /* Entry day 1 at 98; day 3 (open 101) reaches both 103.5 (high 104) and
     * 96 (low 95): the high is nearer the open, so the path reaches the
     * take profit first and the stop is canceled. */
    assert_string_equal(sim_order_named(f, "sim-000003").status, "canceled");
    ms_order take_profit = sim_order_named(f, "sim-000002");
    assert_string_equal(take_profit.status, "filled");
    assert_true(take_profit.filled_avg_price == 103.5);
    assert_true(sim_cash(f) == 100000.0 - 980.0 + 1035.0);
}

static void test_cancel_entry_cancels_its_legs(void **state)
{
    sim_fixture *f = *state;
    ms_order placed = sim_submit(f, sim_oto("o1", 98, 103.5));
    assert_int_equal(ms_broker_cancel(f->broker, placed.id), MS_OK);
    assert_string_equal(sim_order_named(f, placed.id).status, "canceled");
    assert_string_equal(sim_order_named(f, "sim-000002").status, "canceled");
    assert_int_equal(ms_broker_cancel(f->broker, placed.id), MS_ERR_BROKER);
    assert_non_null(strstr(ms_last_error(), "not cancelable"));
    assert_int_equal(ms_broker_cancel(f->broker, "sim-999999"), MS_ERR_NOT_FOUND);
}

/* ---- Rejections ---------------------------------------------------------- */

static void test_duplicate_client_id_returns_the_existing_order(void **state)
{
    sim_fixture *f = *state;
    ms_order first = sim_submit(f, sim_limit_order("same-id", 1, 10, 98, MS_TIF_GTC));
    ms_order second = sim_submit(f, sim_limit_order("same-id", 1, 99, 97, MS_TIF_GTC));
    assert_string_equal(second.id, first.id);
    assert_true(second.qty == 10.0);
    ms_order *orders = NULL;
    size_t count = 0;
    assert_int_equal(ms_broker_orders(f->broker, "all", &orders, &count), MS_OK);
    assert_int_equal(count, 1);
    ms_free(orders);
}

static void test_opposite_resting_limits_are_a_wash_trade(void **state)
{
    sim_fixture *f = *state;
    sim_submit(f, sim_limit_order("buy", 1, 10, 98, MS_TIF_DAY));
    ms_order order;
    ms_order_request sell = sim_limit_order("sell", -1, 10, 103, MS_TIF_DAY);
    assert_int_equal(ms_broker_submit(f->broker, &sell, &order), MS_ERR_BROKER);
    assert_non_null(strstr(ms_last_error(), "potential wash trade"));
    assert_non_null(strstr(ms_last_error(), "40310000"));
    /* The same exit inside one OTO order is accepted. */
    sim_submit(f, sim_oto("oto", 97, 103));
}

static void test_insufficient_buying_power_is_rejected(void **state)
{
    sim_fixture *f = *state;
    /* 100000 cash: buying power 2 x 100000; 2001 x 100 is 200100 */
    ms_order order;
    ms_order_request too_big = sim_limit_order("big", 1, 2001, 100, MS_TIF_DAY);
    assert_int_equal(ms_broker_submit(f->broker, &too_big, &order), MS_ERR_BROKER);
    assert_non_null(strstr(ms_last_error(), "insufficient buying power"));
    sim_submit(f, sim_limit_order("fits", 1, 2000, 100, MS_TIF_DAY));
    /* The working order holds the rest of the buying power. */
    ms_order_request one_more = sim_limit_order("more", 1, 1, 100, MS_TIF_DAY);
    assert_int_equal(ms_broker_submit(f->broker, &one_more, &order), MS_ERR_BROKER);
}

static void test_crypto_cannot_be_sold_short_or_sent_for_a_day(void **state)
{
    sim_fixture *f = *state;
    ms_order order;
    ms_order_request sell = sim_limit_order("short", -1, 1, 103, MS_TIF_GTC);
    sell.symbol = "BTC/USD";
    assert_int_equal(ms_broker_submit(f->broker, &sell, &order), MS_ERR_BROKER);
    assert_non_null(strstr(ms_last_error(), "insufficient balance"));
    ms_order_request day = sim_limit_order("day", 1, 1, 98, MS_TIF_DAY);
    day.symbol = "BTC/USD";
    assert_int_equal(ms_broker_submit(f->broker, &day, &order), MS_ERR_BROKER);
    assert_non_null(strstr(ms_last_error(), "time_in_force"));
    ms_order_request oto = sim_oto("oto", 98, 103);
    oto.symbol = "BTC/USD";
    oto.time_in_force = MS_TIF_GTC;
    assert_int_equal(ms_broker_submit(f->broker, &oto, &order), MS_ERR_BROKER);
    assert_non_null(strstr(ms_last_error(), "crypto orders support only the simple order class"));
}

static void test_sale_of_shares_a_take_profit_holds_is_refused(void **state)
{
    sim_fixture *f = *state;
    ms_order_request gtc = sim_oto("o1", 98, 110);
    gtc.time_in_force = MS_TIF_GTC;
    sim_submit(f, gtc);
    sim_sync_to(f, 1);
    ms_order order;
    ms_order_request close = sim_limit_order("close", -1, 10, NAN, MS_TIF_DAY);
    close.type = MS_ORDER_MARKET;
    assert_int_equal(ms_broker_submit(f->broker, &close, &order), MS_ERR_BROKER);
    assert_non_null(strstr(ms_last_error(), "insufficient qty available"));
    assert_int_equal(ms_broker_cancel(f->broker, "sim-000002"), MS_OK);
    assert_int_equal(ms_broker_submit(f->broker, &close, &order), MS_OK);
}

static void test_sub_penny_stock_prices_are_refused(void **state)
{
    sim_fixture *f = *state;
    ms_order order;
    ms_order_request request = sim_limit_order("subpenny", 1, 10, 98.123, MS_TIF_DAY);
    assert_int_equal(ms_broker_submit(f->broker, &request, &order), MS_ERR_BROKER);
    assert_non_null(strstr(ms_last_error(), "sub-penny"));
}

static void test_sync_cannot_go_back_in_time(void **state)
{
    sim_fixture *f = *state;
    sim_sync_to(f, 2);
    assert_int_equal(ms_broker_sync(f->broker, f->prices, SIM_DAY(1)), MS_ERR_INVALID_ARG);
}

static void test_positions_are_valued_at_the_last_close(void **state)
{
    sim_fixture *f = *state;
    sim_submit(f, sim_limit_order("b1", 1, 10, 99.5, MS_TIF_GTC));
    sim_sync_to(f, 1); /* bought 10 at the open, 99; day 1 closes at 98 */
    ms_position *positions = NULL;
    size_t count = 0;
    assert_int_equal(ms_broker_positions(f->broker, &positions, &count), MS_OK);
    assert_int_equal(count, 1);
    assert_true(positions[0].avg_entry_price == 99.0);
    assert_true(positions[0].current_price == 98.0);
    assert_true(positions[0].market_value == 980.0);
    assert_true(positions[0].unrealized_pl == -10.0);
    ms_free(positions);
    ms_account account;
    assert_int_equal(ms_broker_account(f->broker, &account), MS_OK);
    assert_true(account.equity == 100000.0 - 990.0 + 980.0);
    ms_market_clock clock;
    assert_int_equal(ms_broker_clock(f->broker, &clock), MS_OK);
    assert_int_equal(clock.timestamp, SIM_DAY(1));
}

static void test_sim_states_alpacas_price_increments_and_id_rule(void **state)
{
    sim_fixture *f = *state;
    assert_true(ms_broker_price_increment(f->broker, "AAPL", 150.0) == 0.01);
    assert_true(ms_broker_price_increment(f->broker, "AAPL", 0.5) == 0.0001);
    assert_true(ms_broker_price_increment(f->broker, "BTC/USD", 60000.0) == 0);
    assert_true(isnan(ms_broker_price_increment(f->broker, "AAPL", -1)));
    assert_int_equal(ms_broker_client_id_max(f->broker), 48);
    assert_int_equal(ms_broker_check_client_id(f->broker, "ms-20260102-BRK.B-buy-entry"), MS_OK);
    char long_id[50];
    memset(long_id, 'a', 49);
    long_id[49] = '\0';
    assert_int_equal(ms_broker_check_client_id(f->broker, long_id), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "Alpaca takes 1 to 48"));
    assert_int_equal(ms_broker_check_client_id(f->broker, "has space"), MS_ERR_INVALID_ARG);
    ms_order order;
    ms_order_request request = { .symbol = "AAPL", .qty = 1, .side = 1, .type = MS_ORDER_MARKET,
                                 .limit_price = NAN, .stop_price = NAN, .take_profit_limit = NAN,
                                 .stop_loss_stop = NAN, .client_order_id = "with/slash" };
    assert_int_equal(ms_broker_submit(f->broker, &request, &order), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "letters, digits"));
}

#define FIXTURE_TEST(name) cmocka_unit_test_setup_teardown(name, sim_fixture_setup, sim_fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_sim_states_alpacas_price_increments_and_id_rule),
        FIXTURE_TEST(test_buy_limit_fills_at_limit_when_low_reaches_it),
        FIXTURE_TEST(test_buy_limit_fills_at_open_when_bar_opens_below),
        FIXTURE_TEST(test_sell_limit_fills_when_high_reaches_it),
        FIXTURE_TEST(test_sell_limit_fills_at_open_when_bar_opens_above),
        FIXTURE_TEST(test_market_order_fills_at_next_open),
        FIXTURE_TEST(test_market_order_without_a_known_price_is_rejected),
        FIXTURE_TEST(test_day_order_expires_after_its_first_bar),
        FIXTURE_TEST(test_gtc_order_waits_until_a_bar_reaches_it),
        FIXTURE_TEST(test_sell_stop_fills_at_open_when_bar_gaps_through_it),
        FIXTURE_TEST(test_gtc_oto_take_profit_fills_on_a_later_day),
        FIXTURE_TEST(test_day_take_profit_expires_with_its_day),
        FIXTURE_TEST(test_take_profit_fills_later_on_its_entrys_bar_path),
        FIXTURE_TEST(test_take_profit_never_fills_before_its_entry_on_the_path),
        FIXTURE_TEST(test_oto_leg_is_held_until_the_entry_fills),
        FIXTURE_TEST(test_bracket_leg_reached_first_on_the_path_fills),
        FIXTURE_TEST(test_cancel_entry_cancels_its_legs),
        FIXTURE_TEST(test_duplicate_client_id_returns_the_existing_order),
        FIXTURE_TEST(test_opposite_resting_limits_are_a_wash_trade),
        FIXTURE_TEST(test_insufficient_buying_power_is_rejected),
        FIXTURE_TEST(test_crypto_cannot_be_sold_short_or_sent_for_a_day),
        FIXTURE_TEST(test_sale_of_shares_a_take_profit_holds_is_refused),
        FIXTURE_TEST(test_sub_penny_stock_prices_are_refused),
        FIXTURE_TEST(test_sync_cannot_go_back_in_time),
        FIXTURE_TEST(test_positions_are_valued_at_the_last_close),
    };
    return cmocka_run_group_tests_name("sim_broker", tests, NULL, NULL);
}
