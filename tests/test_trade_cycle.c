/*
 * test_trade_cycle.c - `marketsim trade --broker sim:...` end to end on CSV
 * data: the orders a cycle places, and the fills the simulated broker
 * finds once later bars arrive, checked against the bars by the fill
 * rules (recomputed here, independently of the broker's code); re-runs
 * that send nothing twice; --dry-run; the live-trading refusals.
 *
 * The market "before" is the data with its last rows cut off; the second
 * run sees every row, syncs the broker to the last bar (filling what the
 * new bars reached) and, with --dry-run, sends nothing new.
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
#include <sys/stat.h>

#include "marketsim/marketsim.h"
#include "support/cli_run.h"
#include "support/trade_data.h"

static const char *const fixture_symbols[] = { "GOOD", "OTHER" };

/* Shared daily files in both layouts (Yahoo and exchange) and one crypto pair. */
static const char *const daily_symbols[] = { "AEM", "ALNY", "JD", "NIO", "PDD", "SUIUSD" };

static cli_run_result trade(trade_market *m, const char *env, const char *flag)
{
    return cli_run(env, "trade", "--broker", m->broker_uri, "--data", m->data_uri, "--symbols",
                   m->symbols, "--simulations", "10", flag, NULL);
}

static void trade_ok(trade_market *m, const char *flag)
{
    cli_run_result r = trade(m, NULL, flag);
    if (r.exit_code != 0)
        fail_msg("trade exited %d: %s", r.exit_code, r.err);
    cli_run_release(&r);
}

static ms_broker *open_journal(trade_market *m)
{
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, m->broker_uri, NULL), MS_OK);
    return broker;
}

/* ---- The fill rules, recomputed from the bars ----------------------------- */

typedef struct expectation {
    const char *status;   /* "filled", "expired" (a day order past its first bar) or "new" */
    double price;
    int64_t at;
} expectation;

/* A bar's path as the simulated broker plays it: the open, the extreme
 * nearer the open (the low on a tie), the other extreme, the close. */
static void bar_path(const ms_bars *bars, size_t k, double path[4])
{
    double open = ms_bars_column(bars, MS_COL_OPEN)[k];
    double high = ms_bars_column(bars, MS_COL_HIGH)[k];
    double low = ms_bars_column(bars, MS_COL_LOW)[k];
    bool low_first = fabs(open - low) <= fabs(high - open);
    path[0] = open;
    path[1] = low_first ? low : high;
    path[2] = low_first ? high : low;
    path[3] = ms_bars_column(bars, MS_COL_CLOSE)[k];
}

/* Where a limit order working from price `from` on segment `segment` of
 * bar `first` fills: the first point the path reaches it, at the limit, or
 * at `from` when it is through already. A day order lives one bar. */
typedef struct path_start {
    size_t bar;
    int segment;            /* 0: the open; s > 0: the move from point s-1 to point s */
    double from;
} path_start;

static expectation expect_limit_from(const ms_bars *bars, int side, double limit, path_start start,
                                     bool day, path_start *filled)
{
    for (size_t k = start.bar; k < ms_bars_len(bars); k++) {
        double path[4];
        bar_path(bars, k, path);
        for (int segment = k == start.bar ? start.segment : 0; segment < 4; segment++) {
            double begin = k == start.bar && segment == start.segment ? start.from
                           : path[segment > 0 ? segment - 1 : 0];
            double end = path[segment];
            double price = NAN;
            if (side > 0 ? begin <= limit : begin >= limit)
                price = begin;
            else if (limit >= fmin(begin, end) && limit <= fmax(begin, end))
                price = limit;
            if (!isnan(price)) {
                *filled = (path_start){ k, segment, price };
                return (expectation){ "filled", price, ms_bars_timestamps(bars)[k] };
            }
        }
        if (day)
            return (expectation){ "expired", NAN, 0 };
    }
    return (expectation){ "new", NAN, 0 };
}

/* An entry works from the open of the first bar after it was placed. */
static expectation expect_limit(const ms_bars *bars, int side, double limit, int64_t after, bool day,
                                path_start *filled)
{
    size_t k = 0;
    while (k < ms_bars_len(bars) && ms_bars_timestamps(bars)[k] <= after)
        k++;
    double open = k < ms_bars_len(bars) ? ms_bars_column(bars, MS_COL_OPEN)[k] : NAN;
    return expect_limit_from(bars, side, limit, (path_start){ k, 0, open }, day, filled);
}

static void assert_matches(const ms_order *order, expectation expected)
{
    assert_string_equal(order->status, expected.status);
    if (strcmp(expected.status, "filled") == 0) {
        assert_true(order->filled_avg_price == expected.price);
        assert_int_equal(order->filled_at, expected.at);
    }
}

typedef struct fill_counts {
    size_t entries, entries_filled, exits_filled;
    double cash;          /* what the fills leave of the starting 100000 */
} fill_counts;

/* Checks one entry (orders[i]) and its take-profit leg (orders[i + 1]). */
static void check_entry(const ms_order *orders, size_t i, ms_source *source, fill_counts *counts)
{
    const ms_order *entry = &orders[i], *exit = &orders[i + 1];
    assert_int_equal(entry->order_class, MS_CLASS_OTO);
    assert_int_equal(exit->side, -entry->side);
    assert_true(exit->limit_price == entry->take_profit_limit);
    ms_bars *bars = NULL;
    assert_int_equal(ms_source_load(source, entry->symbol, &bars), MS_OK);
    path_start entry_fill = { 0 }, exit_fill = { 0 };
    bool day = entry->time_in_force == MS_TIF_DAY;
    expectation entered = expect_limit(bars, entry->side, entry->limit_price, entry->created_at, day,
                                       &entry_fill);
    assert_matches(entry, entered);
    counts->entries++;
    if (strcmp(entered.status, "filled") == 0) {
        counts->entries_filled++;
        counts->cash -= entry->side * entry->qty * entered.price;
        /* The take profit works from the entry's fill on, with its time in force. */
        expectation exited = expect_limit_from(bars, exit->side, exit->limit_price, entry_fill, day,
                                               &exit_fill);
        assert_matches(exit, exited);
        if (strcmp(exited.status, "filled") == 0) {
            counts->exits_filled++;
            counts->cash -= exit->side * exit->qty * exited.price;
        }
    } else {
        /* An entry still waiting holds its leg; one that expired took it along. */
        assert_string_equal(exit->status, strcmp(entered.status, "new") == 0 ? "held" : "canceled");
    }
    ms_bars_free(bars);
}

/* Every entry in the journal against the bars of `data_uri`; the account's
 * cash must be what the fills imply (to 1e-6: the broker adds the same
 * products in another order). */
static fill_counts check_fills(trade_market *m)
{
    fill_counts counts = { .cash = 100000.0 };
    ms_source *source = NULL;
    assert_int_equal(ms_source_open(&source, m->data_uri, NULL), MS_OK);
    ms_broker *broker = open_journal(m);
    ms_order *orders = NULL;
    size_t count = 0;
    assert_int_equal(ms_broker_orders(broker, "all", &orders, &count), MS_OK);
    /* Stock entries: an OTO order whose leg follows it. */
    for (size_t i = 0; i < count; i++)
        if (strncmp(orders[i].client_order_id, "ms-", 3) == 0 &&
            orders[i].order_class == MS_CLASS_OTO)
            check_entry(orders, i, source, &counts);
    ms_account account;
    assert_int_equal(ms_broker_account(broker, &account), MS_OK);
    assert_true(fabs(account.cash - counts.cash) < 1e-6);
    ms_free(orders);
    ms_broker_free(broker);
    ms_source_free(source);
    return counts;
}

/* ---- Tests ---------------------------------------------------------------- */

static void test_cycle_places_one_oto_order_per_entry_step(void **state)
{
    trade_market *m = *state;
    assert_true(trade_market_bars(m, trade_fixture_dir(), fixture_symbols, 2, 22));
    cli_run_result r = trade(m, NULL, "--json");
    assert_int_equal(r.exit_code, 0);
    json_t *document = json_loads(r.out, 0, NULL);
    assert_non_null(document);
    json_t *steps = json_object_get(json_object_get(document, "trade"), "steps");
    ms_broker *broker = open_journal(m);
    size_t entries = 0;
    for (size_t i = 0; i < json_array_size(steps); i++) {
        json_t *step = json_array_get(steps, i);
        if (strcmp(json_string_value(json_object_get(step, "action")), "enter") != 0)
            continue;
        assert_string_equal(json_string_value(json_object_get(step, "outcome")), "sent");
        ms_order order;
        const char *id = json_string_value(json_object_get(step, "client_order_id"));
        assert_int_equal(ms_broker_order_by_client_id(broker, id, &order), MS_OK);
        assert_int_equal(order.order_class, MS_CLASS_OTO);
        assert_true(order.qty == json_number_value(json_object_get(step, "qty")));
        assert_true(order.limit_price == json_number_value(json_object_get(step, "limit_price")));
        assert_true(order.take_profit_limit == json_number_value(json_object_get(step, "take_profit")));
        entries++;
    }
    assert_true(entries >= 1);
    ms_broker_free(broker);
    json_decref(document);
    cli_run_release(&r);
}

/*
 * With the fixture's last 22 rows cut, the cycle of 2024-05-16 buys OTHER
 * (1252 at 47.92, take profit 49.65) and GOOD (909 at 65.96, take profit
 * 66.45), given today's baseline model. By hand, from the rows that follow:
 *   OTHER 05-17: open 49.6481, low 47.2714 <= 47.92: bought at 47.92;
 *         05-20 to 05-21 highs 49.2253, 49.4260 < 49.65; 05-22 high 49.7138
 *         (open 49.2447): sold at 49.65.
 *   GOOD  05-17: open 66.3659, low 64.1940 <= 65.96: bought at 65.96; sold
 *         at 66.45 on 06-05 (open 65.2654, high 68.0908), the first high
 *         above 66.45 since.
 *   cash: 100000 + 1252 x 1.73 + 909 x 0.49 = 102611.37.
 * The test recomputes all of it from the bars, so another model's picks
 * are checked the same way.
 */
static void test_fills_after_later_bars_follow_the_bars(void **state)
{
    trade_market *m = *state;
    assert_true(trade_market_bars(m, trade_fixture_dir(), fixture_symbols, 2, 22));
    trade_ok(m, NULL);
    assert_true(trade_market_bars(m, trade_fixture_dir(), fixture_symbols, 2, 0));
    trade_ok(m, NULL);
    fill_counts counts = check_fills(m);
    assert_true(counts.entries >= 1);
    assert_true(counts.entries_filled >= 1);
}

static void test_second_run_the_same_day_sends_nothing_new(void **state)
{
    trade_market *m = *state;
    assert_true(trade_market_bars(m, trade_fixture_dir(), fixture_symbols, 2, 22));
    trade_ok(m, NULL);
    char first[16][64], second[16][64];
    long placed = trade_journal_submits(m->journal, first, 16);
    cli_run_result r = trade(m, NULL, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "sent 0"));
    cli_run_release(&r);
    assert_int_equal(trade_journal_submits(m->journal, second, 16), placed);
}

static void test_dry_run_plans_but_sends_nothing(void **state)
{
    trade_market *m = *state;
    assert_true(trade_market_bars(m, trade_fixture_dir(), fixture_symbols, 2, 22));
    cli_run_result r = trade(m, NULL, "--dry-run");
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "plan ("));
    assert_non_null(strstr(r.out, "dry run, nothing sent"));
    cli_run_release(&r);
    /* Nothing on disk: not even a new journal or ledger. */
    struct stat info;
    assert_int_not_equal(stat(m->journal, &info), 0);
    char ledger[sizeof m->journal + 8];
    snprintf(ledger, sizeof ledger, "%s.ledger", m->journal);
    assert_int_not_equal(stat(ledger, &info), 0);
}

/* The whole file, malloc'ed, or NULL when it cannot be read. */
static char *file_text(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *text = malloc(1 << 22);
    *size = text != NULL ? fread(text, 1, 1 << 22, f) : 0;
    fclose(f);
    return text;
}

static void test_dry_run_after_real_cycles_changes_no_file(void **state)
{
    trade_market *m = *state;
    assert_true(trade_market_bars(m, trade_fixture_dir(), fixture_symbols, 2, 22));
    trade_ok(m, NULL);
    /* Later bars would fill and expire orders if the dry run synced for real. */
    assert_true(trade_market_bars(m, trade_fixture_dir(), fixture_symbols, 2, 0));
    char ledger[sizeof m->journal + 8];
    snprintf(ledger, sizeof ledger, "%s.ledger", m->journal);
    size_t journal_size = 0, ledger_size = 0, after_size = 0;
    char *journal_before = file_text(m->journal, &journal_size);
    char *ledger_before = file_text(ledger, &ledger_size);
    assert_non_null(journal_before);
    assert_non_null(ledger_before);
    trade_ok(m, "--dry-run");
    char *journal_after = file_text(m->journal, &after_size);
    assert_int_equal(after_size, journal_size);
    assert_memory_equal(journal_after, journal_before, journal_size);
    free(journal_after);
    char *ledger_after = file_text(ledger, &after_size);
    assert_int_equal(after_size, ledger_size);
    assert_memory_equal(ledger_after, ledger_before, ledger_size);
    free(ledger_after);
    /* A real run afterwards syncs forward as if the dry run never was. */
    trade_ok(m, NULL);
    free(journal_before);
    free(ledger_before);
}

static void test_full_cycle_on_shared_daily_data_fills_by_the_bars(void **state)
{
    trade_market *m = *state;
    const char *daily = trade_shared_daily_dir();
    if (daily == NULL)
        skip();
    assert_true(trade_market_bars(m, daily, daily_symbols, 6, 10));
    trade_ok(m, NULL);
    assert_true(trade_market_bars(m, daily, daily_symbols, 6, 0));
    trade_ok(m, NULL);
    fill_counts counts = check_fills(m);
    assert_true(counts.entries >= 3);
}

static void test_live_without_the_opt_in_is_refused(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "trade", "--broker", "alpaca", "--live", "--symbols", "AAPL", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "live trading needs MARKETSIM_LIVE_TRADING=yes"));
    assert_null(strstr(r.out, "trade cycle"));
    cli_run_release(&r);
}

static void test_synthetic_prices_for_a_real_broker_are_refused(void **state)
{
    (void)state;
    /* Keys make the Alpaca broker open; nothing is ever sent to the URL. */
    setenv("APCA_API_KEY_ID", "key", 1);
    setenv("APCA_API_SECRET_KEY", "secret", 1);
    setenv("APCA_API_BASE_URL", "http://127.0.0.1:9", 1);
    cli_run_result r = cli_run(NULL, "trade", "--broker", "alpaca", "--data", "synthetic",
                               "--symbols", "AAPL,MSFT", NULL);
    unsetenv("APCA_API_KEY_ID");
    unsetenv("APCA_API_SECRET_KEY");
    unsetenv("APCA_API_BASE_URL");
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "the synthetic market is made up"));
    assert_null(strstr(r.out, "trade cycle"));
    cli_run_release(&r);
}

static void test_live_on_the_sim_broker_is_a_usage_error(void **state)
{
    trade_market *m = *state;
    assert_true(trade_market_bars(m, trade_fixture_dir(), fixture_symbols, 2, 0));
    cli_run_result r = trade(m, "MARKETSIM_LIVE_TRADING=yes", "--live");
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "no live account"));
    cli_run_release(&r);
}

static void test_analyze_flags_are_checked_by_trade_too(void **state)
{
    trade_market *m = *state;
    cli_run_result r = cli_run(NULL, "trade", "--broker", m->broker_uri, "--symbols", "AAPL",
                               "--simulations", "0", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "--simulations needs a positive integer"));
    cli_run_release(&r);
}

#define MARKET_TEST(name) \
    cmocka_unit_test_setup_teardown(name, trade_market_setup, trade_market_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        MARKET_TEST(test_cycle_places_one_oto_order_per_entry_step),
        MARKET_TEST(test_fills_after_later_bars_follow_the_bars),
        MARKET_TEST(test_second_run_the_same_day_sends_nothing_new),
        MARKET_TEST(test_dry_run_plans_but_sends_nothing),
        MARKET_TEST(test_dry_run_after_real_cycles_changes_no_file),
        MARKET_TEST(test_full_cycle_on_shared_daily_data_fills_by_the_bars),
        MARKET_TEST(test_live_without_the_opt_in_is_refused),
        MARKET_TEST(test_live_on_the_sim_broker_is_a_usage_error),
        MARKET_TEST(test_synthetic_prices_for_a_real_broker_are_refused),
        MARKET_TEST(test_analyze_flags_are_checked_by_trade_too),
    };
    return cmocka_run_group_tests_name("trade_cycle", tests, NULL, NULL);
}
