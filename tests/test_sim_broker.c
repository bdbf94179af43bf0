/*
 * test_sim_broker.c - the simulated broker (sim:PATH): its journal (append +
 * fsync + replay, torn and corrupt lines), the fill rules against
 * hand-made bars with hand-computed prices, OTO and bracket legs, day
 * expiry, and Alpaca's rejections (duplicate ids, wash trades, buying
 * power, short crypto).
 *
 * Bars of AAA (one per day from 2024-01-02, UTC midnight):
 *   day  open  high  low    close
 *    0   100   101   99     100
 *    1    99   100   97      98
 *    2    98   102   97.5   101
 *    3   101   104   95      96
 *    4    95    96   90      91
 *    5    92    99   91      98
 * Every order below is placed after a sync to day 0 unless said otherwise,
 * so it works from day 1. Prices are exact binary fractions or sums of
 * them: equalities are exact.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "marketsim/broker.h"
#include "support/temp_dir.h"

#define DAY0 1704153600LL /* 2024-01-02T00:00:00Z */
#define DAY(n) (DAY0 + (n) * 86400LL)

static ms_status load_bars(void *context, const char *symbol, ms_bars **out)
{
    (void)context;
    static const double open[] = { 100, 99, 98, 101, 95, 92 };
    static const double high[] = { 101, 100, 102, 104, 96, 99 };
    static const double low[] = { 99, 97, 97.5, 95, 90, 91 };
    static const double close[] = { 100, 98, 101, 96, 91, 98 };
    int64_t times[6];
    for (int i = 0; i < 6; i++)
        times[i] = DAY(i);
    if (strcmp(symbol, "AAA") != 0 && strcmp(symbol, "BTC/USD") != 0 && strcmp(symbol, "BTCUSD") != 0)
        return MS_ERR_NOT_FOUND;
    return ms_bars_create(out, symbol, 6, times, open, high, low, close, NULL, NULL);
}

typedef struct fixture {
    char *dir;
    char *journal;
    char uri[4200];
    ms_source *prices;
    ms_broker *broker;
} fixture;

static void open_broker(fixture *f)
{
    assert_int_equal(ms_broker_open(&f->broker, f->uri, NULL), MS_OK);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = temp_dir_create();
    f->journal = temp_dir_path(f->dir, "sim.journal");
    snprintf(f->uri, sizeof f->uri, "sim:%s", f->journal);
    assert_int_equal(ms_source_open_custom(&f->prices, "bars:test", load_bars, NULL, NULL), MS_OK);
    open_broker(f);
    assert_int_equal(ms_broker_sync(f->broker, f->prices, DAY(0)), MS_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ms_broker_free(f->broker);
    ms_source_free(f->prices);
    free(f->journal);
    temp_dir_remove(f->dir);
    free(f);
    return 0;
}

static ms_order_request limit_order(const char *id, int side, double qty, double limit,
                                    ms_time_in_force tif)
{
    return (ms_order_request){ .symbol = "AAA", .qty = qty, .side = side, .type = MS_ORDER_LIMIT,
                               .time_in_force = tif, .limit_price = limit, .stop_price = NAN,
                               .order_class = MS_CLASS_SIMPLE, .take_profit_limit = NAN,
                               .stop_loss_stop = NAN, .client_order_id = id };
}

static ms_order submit(fixture *f, ms_order_request request)
{
    ms_order order;
    assert_int_equal(ms_broker_submit(f->broker, &request, &order), MS_OK);
    return order;
}

static ms_order order_named(fixture *f, const char *order_id)
{
    ms_order *orders = NULL;
    size_t count = 0;
    assert_int_equal(ms_broker_orders(f->broker, "all", &orders, &count), MS_OK);
    for (size_t i = 0; i < count; i++)
        if (strcmp(orders[i].id, order_id) == 0) {
            ms_order found = orders[i];
            ms_free(orders);
            return found;
        }
    ms_free(orders);
    fail_msg("no order %s", order_id);
    return (ms_order){ 0 };
}

static double position_qty(fixture *f, const char *symbol)
{
    ms_position *positions = NULL;
    size_t count = 0;
    double qty = 0;
    assert_int_equal(ms_broker_positions(f->broker, &positions, &count), MS_OK);
    for (size_t i = 0; i < count; i++)
        if (strcmp(positions[i].symbol, symbol) == 0)
            qty = positions[i].qty;
    ms_free(positions);
    return qty;
}

static double cash(fixture *f)
{
    ms_account account;
    assert_int_equal(ms_broker_account(f->broker, &account), MS_OK);
    return account.cash;
}

static void sync_to(fixture *f, int day)
{
    assert_int_equal(ms_broker_sync(f->broker, f->prices, DAY(day)), MS_OK);
}

/* ---- Fill rules ---------------------------------------------------------- */

static void test_buy_limit_fills_at_limit_when_low_reaches_it(void **state)
{
    fixture *f = *state;
    ms_order placed = submit(f, limit_order("b1", 1, 10, 98, MS_TIF_GTC));
    sync_to(f, 1); /* day 1: low 97 <= 98, opens at 99 above the limit: fills at 98 */
    ms_order filled = order_named(f, placed.id);
    assert_string_equal(filled.status, "filled");
    assert_true(filled.filled_avg_price == 98.0);
    assert_int_equal(filled.filled_at, DAY(1));
    assert_true(position_qty(f, "AAA") == 10.0);
    assert_true(cash(f) == 100000.0 - 980.0);
}

static void test_buy_limit_fills_at_open_when_bar_opens_below(void **state)
{
    fixture *f = *state;
    ms_order placed = submit(f, limit_order("b1", 1, 10, 99.5, MS_TIF_GTC));
    sync_to(f, 1); /* day 1 opens at 99 < 99.5: the open is the better price */
    assert_true(order_named(f, placed.id).filled_avg_price == 99.0);
}

static void test_sell_limit_fills_when_high_reaches_it(void **state)
{
    fixture *f = *state;
    ms_order placed = submit(f, limit_order("s1", -1, 10, 103, MS_TIF_GTC));
    sync_to(f, 5); /* highs 100, 102, then 104 on day 3 (opens at 101): fills at 103 */
    ms_order filled = order_named(f, placed.id);
    assert_true(filled.filled_avg_price == 103.0);
    assert_int_equal(filled.filled_at, DAY(3));
    assert_true(position_qty(f, "AAA") == -10.0);
}

static void test_sell_limit_fills_at_open_when_bar_opens_above(void **state)
{
    fixture *f = *state;
    ms_order placed = submit(f, limit_order("s1", -1, 10, 97, MS_TIF_GTC));
    sync_to(f, 1); /* day 1 opens at 99 > 97 */
    assert_true(order_named(f, placed.id).filled_avg_price == 99.0);
}

static void test_market_order_fills_at_next_open(void **state)
{
    fixture *f = *state;
    submit(f, limit_order("b1", 1, 10, 98, MS_TIF_GTC));
    sync_to(f, 1); /* bought 10 at 98; the clock is now day 1 */
    ms_order_request close = limit_order("close", -1, 10, NAN, MS_TIF_DAY);
    close.type = MS_ORDER_MARKET;
    ms_order placed = submit(f, close);
    sync_to(f, 2); /* day 2 opens at 98 */
    assert_true(order_named(f, placed.id).filled_avg_price == 98.0);
    assert_true(position_qty(f, "AAA") == 0.0);
    assert_true(cash(f) == 100000.0);
}

static void test_market_order_without_a_known_price_is_rejected(void **state)
{
    fixture *f = *state;
    ms_order_request buy = limit_order("m1", 1, 1, NAN, MS_TIF_DAY);
    buy.type = MS_ORDER_MARKET;
    ms_order order;
    assert_int_equal(ms_broker_submit(f->broker, &buy, &order), MS_ERR_BROKER);
    assert_non_null(strstr(ms_last_error(), "no price known for AAA"));
}

static void test_day_order_expires_after_its_first_bar(void **state)
{
    fixture *f = *state;
    ms_order placed = submit(f, limit_order("b1", 1, 10, 96, MS_TIF_DAY));
    sync_to(f, 5); /* day 1's low is 97 > 96: expired; day 3's 95 comes too late */
    ms_order expired = order_named(f, placed.id);
    assert_string_equal(expired.status, "expired");
    assert_true(position_qty(f, "AAA") == 0.0);
}

static void test_gtc_order_waits_until_a_bar_reaches_it(void **state)
{
    fixture *f = *state;
    ms_order placed = submit(f, limit_order("b1", 1, 10, 96, MS_TIF_GTC));
    sync_to(f, 2);
    assert_string_equal(order_named(f, placed.id).status, "new");
    sync_to(f, 3); /* day 3: low 95 <= 96, opens at 101: fills at 96 */
    ms_order filled = order_named(f, placed.id);
    assert_string_equal(filled.status, "filled");
    assert_true(filled.filled_avg_price == 96.0);
}

static void test_sell_stop_fills_at_open_when_bar_gaps_through_it(void **state)
{
    fixture *f = *state;
    submit(f, limit_order("b1", 1, 10, 98, MS_TIF_GTC));
    sync_to(f, 3);
    ms_order_request stop = limit_order("stop", -1, 10, NAN, MS_TIF_GTC);
    stop.type = MS_ORDER_STOP;
    stop.stop_price = 96;
    ms_order placed = submit(f, stop);
    sync_to(f, 4); /* day 4 opens at 95, below the stop: fills at 95 */
    assert_true(order_named(f, placed.id).filled_avg_price == 95.0);
}

/* ---- OTO and bracket ---------------------------------------------------- */

static ms_order_request oto(const char *id, double entry, double take_profit)
{
    ms_order_request request = limit_order(id, 1, 10, entry, MS_TIF_DAY);
    request.order_class = MS_CLASS_OTO;
    request.take_profit_limit = take_profit;
    return request;
}

static void test_oto_take_profit_fills_after_the_entry(void **state)
{
    fixture *f = *state;
    ms_order placed = submit(f, oto("o1", 98, 103.5));
    assert_true(placed.take_profit_limit == 103.5);
    sync_to(f, 5);
    /* Entry: day 1 at 98. Take profit: day 2's high 102 misses, day 3's
     * 104 reaches 103.5 (opens at 101). Cash 100000 - 980 + 1035. */
    ms_order entry = order_named(f, placed.id);
    ms_order take_profit = order_named(f, "sim-000002");
    assert_string_equal(entry.status, "filled");
    assert_string_equal(take_profit.status, "filled");
    assert_int_equal(take_profit.side, -1);
    assert_true(take_profit.filled_avg_price == 103.5);
    assert_int_equal(take_profit.filled_at, DAY(3));
    assert_true(position_qty(f, "AAA") == 0.0);
    assert_true(cash(f) == 100055.0);
}

static void test_oto_take_profit_never_fills_in_the_entry_bar(void **state)
{
    fixture *f = *state;
    submit(f, oto("o1", 98, 99.5));
    sync_to(f, 2);
    /* Day 1 fills the entry at 98 and its high 100 passes 99.5, but the
     * leg only works from day 2, which opens at 98 and reaches 102: 99.5. */
    ms_order take_profit = order_named(f, "sim-000002");
    assert_int_equal(take_profit.filled_at, DAY(2));
    assert_true(take_profit.filled_avg_price == 99.5);
}

static void test_oto_leg_is_held_until_the_entry_fills(void **state)
{
    fixture *f = *state;
    submit(f, oto("o1", 90, 103.5));
    assert_string_equal(order_named(f, "sim-000002").status, "held");
    sync_to(f, 1); /* the day entry misses (low 97) and expires; its leg is canceled */
    assert_string_equal(order_named(f, "sim-000001").status, "expired");
    assert_string_equal(order_named(f, "sim-000002").status, "canceled");
}

static void test_bracket_stop_fills_first_when_both_legs_could(void **state)
{
    fixture *f = *state;
    ms_order_request bracket = oto("br", 98, 103.5);
    bracket.order_class = MS_CLASS_BRACKET;
    bracket.stop_loss_stop = 96;
    submit(f, bracket);
    sync_to(f, 5);
    /* Entry day 1 at 98; day 3 reaches both 103.5 (high 104) and 96 (low
     * 95): the stop is assumed first, at 96 (opens at 101). */
    assert_string_equal(order_named(f, "sim-000002").status, "canceled");
    ms_order stop = order_named(f, "sim-000003");
    assert_string_equal(stop.status, "filled");
    assert_true(stop.filled_avg_price == 96.0);
    assert_true(cash(f) == 100000.0 - 980.0 + 960.0);
}

static void test_cancel_entry_cancels_its_legs(void **state)
{
    fixture *f = *state;
    ms_order placed = submit(f, oto("o1", 98, 103.5));
    assert_int_equal(ms_broker_cancel(f->broker, placed.id), MS_OK);
    assert_string_equal(order_named(f, placed.id).status, "canceled");
    assert_string_equal(order_named(f, "sim-000002").status, "canceled");
    assert_int_equal(ms_broker_cancel(f->broker, placed.id), MS_ERR_BROKER);
    assert_non_null(strstr(ms_last_error(), "not cancelable"));
    assert_int_equal(ms_broker_cancel(f->broker, "sim-999999"), MS_ERR_NOT_FOUND);
}

/* ---- Rejections ---------------------------------------------------------- */

static void test_duplicate_client_id_returns_the_existing_order(void **state)
{
    fixture *f = *state;
    ms_order first = submit(f, limit_order("same-id", 1, 10, 98, MS_TIF_GTC));
    ms_order second = submit(f, limit_order("same-id", 1, 99, 97, MS_TIF_GTC));
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
    fixture *f = *state;
    submit(f, limit_order("buy", 1, 10, 98, MS_TIF_DAY));
    ms_order order;
    ms_order_request sell = limit_order("sell", -1, 10, 103, MS_TIF_DAY);
    assert_int_equal(ms_broker_submit(f->broker, &sell, &order), MS_ERR_BROKER);
    assert_non_null(strstr(ms_last_error(), "potential wash trade"));
    assert_non_null(strstr(ms_last_error(), "40310000"));
    /* The same exit inside one OTO order is accepted. */
    submit(f, oto("oto", 97, 103));
}

static void test_insufficient_buying_power_is_rejected(void **state)
{
    fixture *f = *state;
    /* 100000 cash: buying power 2 x 100000; 2001 x 100 is 200100 */
    ms_order order;
    ms_order_request too_big = limit_order("big", 1, 2001, 100, MS_TIF_DAY);
    assert_int_equal(ms_broker_submit(f->broker, &too_big, &order), MS_ERR_BROKER);
    assert_non_null(strstr(ms_last_error(), "insufficient buying power"));
    submit(f, limit_order("fits", 1, 2000, 100, MS_TIF_DAY));
    /* The working order holds the rest of the buying power. */
    ms_order_request one_more = limit_order("more", 1, 1, 100, MS_TIF_DAY);
    assert_int_equal(ms_broker_submit(f->broker, &one_more, &order), MS_ERR_BROKER);
}

static void test_crypto_cannot_be_sold_short_or_sent_for_a_day(void **state)
{
    fixture *f = *state;
    ms_order order;
    ms_order_request sell = limit_order("short", -1, 1, 103, MS_TIF_GTC);
    sell.symbol = "BTC/USD";
    assert_int_equal(ms_broker_submit(f->broker, &sell, &order), MS_ERR_BROKER);
    assert_non_null(strstr(ms_last_error(), "cannot be sold short"));
    ms_order_request day = limit_order("day", 1, 1, 98, MS_TIF_DAY);
    day.symbol = "BTC/USD";
    assert_int_equal(ms_broker_submit(f->broker, &day, &order), MS_ERR_BROKER);
    assert_non_null(strstr(ms_last_error(), "gtc"));
}

static void test_sync_cannot_go_back_in_time(void **state)
{
    fixture *f = *state;
    sync_to(f, 2);
    assert_int_equal(ms_broker_sync(f->broker, f->prices, DAY(1)), MS_ERR_INVALID_ARG);
}

static void test_positions_are_valued_at_the_last_close(void **state)
{
    fixture *f = *state;
    submit(f, limit_order("b1", 1, 10, 99.5, MS_TIF_GTC));
    sync_to(f, 1); /* bought 10 at the open, 99; day 1 closes at 98 */
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
    assert_int_equal(clock.timestamp, DAY(1));
}

/* ---- Journal ------------------------------------------------------------- */

typedef struct snapshot {
    ms_account account;
    ms_position *positions;
    size_t position_count;
    ms_order *orders;
    size_t order_count;
    ms_market_clock clock;
} snapshot;

static snapshot take_snapshot(fixture *f)
{
    snapshot s = { 0 };
    assert_int_equal(ms_broker_account(f->broker, &s.account), MS_OK);
    assert_int_equal(ms_broker_positions(f->broker, &s.positions, &s.position_count), MS_OK);
    assert_int_equal(ms_broker_orders(f->broker, "all", &s.orders, &s.order_count), MS_OK);
    assert_int_equal(ms_broker_clock(f->broker, &s.clock), MS_OK);
    return s;
}

static void assert_same_state(const snapshot *a, const snapshot *b)
{
    assert_memory_equal(&a->account, &b->account, sizeof a->account);
    assert_int_equal(a->position_count, b->position_count);
    assert_int_equal(a->order_count, b->order_count);
    if (a->position_count > 0)
        assert_memory_equal(a->positions, b->positions, a->position_count * sizeof *a->positions);
    assert_memory_equal(a->orders, b->orders, a->order_count * sizeof *a->orders);
    assert_memory_equal(&a->clock, &b->clock, sizeof a->clock);
}

static void release_snapshot(snapshot *s)
{
    ms_free(s->positions);
    ms_free(s->orders);
}

static void reopen(fixture *f)
{
    ms_broker_free(f->broker);
    f->broker = NULL;
    open_broker(f);
}

/* A few days of trading: fills, an expiry, a cancel, positions. */
static void trade_a_little(fixture *f)
{
    submit(f, oto("o1", 98, 103.5));
    submit(f, limit_order("gtc", 1, 5, 96, MS_TIF_GTC));
    sync_to(f, 2);
    ms_order_request crypto = limit_order("later", 1, 3, 90, MS_TIF_GTC);
    crypto.symbol = "BTC/USD";
    ms_order resting = submit(f, crypto);
    assert_int_equal(ms_broker_cancel(f->broker, resting.id), MS_OK);
    sync_to(f, 4);
}

static void test_replay_rebuilds_the_same_state(void **state)
{
    fixture *f = *state;
    trade_a_little(f);
    snapshot before = take_snapshot(f);
    reopen(f);
    snapshot after = take_snapshot(f);
    assert_same_state(&before, &after);
    release_snapshot(&before);
    release_snapshot(&after);
}

static void append_text(const char *path, const char *text)
{
    FILE *file = fopen(path, "a");
    assert_non_null(file);
    fputs(text, file);
    fclose(file);
}

static void test_torn_last_line_is_ignored(void **state)
{
    fixture *f = *state;
    trade_a_little(f);
    snapshot before = take_snapshot(f);
    ms_broker_free(f->broker);
    f->broker = NULL;
    append_text(f->journal, "{\"type\":\"submit\",\"client_order_id\":\"torn\",\"sy");
    open_broker(f);
    snapshot after = take_snapshot(f);
    assert_same_state(&before, &after);
    /* The torn bytes are gone: the next record starts a line of its own. */
    submit(f, limit_order("next", 1, 1, 90, MS_TIF_GTC));
    reopen(f);
    ms_order found;
    assert_int_equal(ms_broker_order_by_client_id(f->broker, "next", &found), MS_OK);
    assert_int_equal(ms_broker_order_by_client_id(f->broker, "torn", &found), MS_ERR_NOT_FOUND);
    release_snapshot(&before);
    release_snapshot(&after);
}

static void assert_open_fails_naming(fixture *f, const char *line_text, const char *expected)
{
    ms_broker_free(f->broker);
    f->broker = NULL;
    append_text(f->journal, line_text);
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, f->uri, NULL), MS_ERR_PARSE);
    assert_null(broker);
    char where[4200];
    snprintf(where, sizeof where, "%s:%s", f->journal, expected);
    assert_non_null(strstr(ms_last_error(), where));
}

static void test_corrupt_line_is_rejected_naming_path_and_line(void **state)
{
    fixture *f = *state;
    /* line 1: account, line 2: the setup's sync */
    assert_open_fails_naming(f, "not json\n", "3: column");
}

static void test_record_of_unknown_order_is_rejected(void **state)
{
    fixture *f = *state;
    assert_open_fails_naming(f, "{\"type\":\"fill\",\"id\":\"sim-000042\",\"price\":1,\"time\":0}\n",
                             "3: order sim-000042 does not exist");
}

static void test_new_journal_takes_starting_cash_from_options(void **state)
{
    fixture *f = *state;
    char *path = temp_dir_path(f->dir, "rich.journal");
    char uri[4200];
    snprintf(uri, sizeof uri, "sim:%s", path);
    ms_broker_options options = MS_BROKER_OPTIONS_INIT;
    options.sim_cash = 25000;
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, uri, &options), MS_OK);
    ms_account account;
    assert_int_equal(ms_broker_account(broker, &account), MS_OK);
    assert_true(account.cash == 25000.0 && account.buying_power == 50000.0);
    assert_string_equal(ms_broker_name(broker), "sim");
    ms_broker_free(broker);
    free(path);
}

/* The journal is locked: a second process cannot append to it. */
static void test_second_process_cannot_open_the_journal(void **state)
{
    fixture *f = *state;
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        ms_broker *broker = NULL;
        ms_status status = ms_broker_open(&broker, f->uri, NULL);
        _exit(status == MS_ERR_IO && strstr(ms_last_error(), "in use by another process") ? 0 : 1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

#define FIXTURE_TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_buy_limit_fills_at_limit_when_low_reaches_it),
        FIXTURE_TEST(test_buy_limit_fills_at_open_when_bar_opens_below),
        FIXTURE_TEST(test_sell_limit_fills_when_high_reaches_it),
        FIXTURE_TEST(test_sell_limit_fills_at_open_when_bar_opens_above),
        FIXTURE_TEST(test_market_order_fills_at_next_open),
        FIXTURE_TEST(test_market_order_without_a_known_price_is_rejected),
        FIXTURE_TEST(test_day_order_expires_after_its_first_bar),
        FIXTURE_TEST(test_gtc_order_waits_until_a_bar_reaches_it),
        FIXTURE_TEST(test_sell_stop_fills_at_open_when_bar_gaps_through_it),
        FIXTURE_TEST(test_oto_take_profit_fills_after_the_entry),
        FIXTURE_TEST(test_oto_take_profit_never_fills_in_the_entry_bar),
        FIXTURE_TEST(test_oto_leg_is_held_until_the_entry_fills),
        FIXTURE_TEST(test_bracket_stop_fills_first_when_both_legs_could),
        FIXTURE_TEST(test_cancel_entry_cancels_its_legs),
        FIXTURE_TEST(test_duplicate_client_id_returns_the_existing_order),
        FIXTURE_TEST(test_opposite_resting_limits_are_a_wash_trade),
        FIXTURE_TEST(test_insufficient_buying_power_is_rejected),
        FIXTURE_TEST(test_crypto_cannot_be_sold_short_or_sent_for_a_day),
        FIXTURE_TEST(test_sync_cannot_go_back_in_time),
        FIXTURE_TEST(test_positions_are_valued_at_the_last_close),
        FIXTURE_TEST(test_replay_rebuilds_the_same_state),
        FIXTURE_TEST(test_torn_last_line_is_ignored),
        FIXTURE_TEST(test_corrupt_line_is_rejected_naming_path_and_line),
        FIXTURE_TEST(test_record_of_unknown_order_is_rejected),
        FIXTURE_TEST(test_new_journal_takes_starting_cash_from_options),
        FIXTURE_TEST(test_second_process_cannot_open_the_journal),
    };
    return cmocka_run_group_tests_name("sim_broker", tests, NULL, NULL);
}
