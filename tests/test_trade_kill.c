/*
 * test_trade_kill.c - a trade cycle killed with SIGKILL after its 1st, 2nd,
 * 3rd acknowledged order (the CLI's test hook
 * MARKETSIM_TEST_KILL_AFTER_SUBMITS), then run again, must leave the sim
 * journal holding exactly the orders of an uninterrupted run: none twice,
 * none lost, each with the same quantity and prices.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "marketsim/marketsim.h"
#include "support/cli_run.h"
#include "support/trade_data.h"

#define MAX_ORDERS 16

static const char *const fixture_symbols[] = { "GOOD", "OTHER" };
static const char *const daily_symbols[] = { "AEM", "ALNY", "JD", "NIO", "PDD", "SUIUSD" };

/* --reference: the fixture bars were chosen to give two picks under the
 * original's rules; what is tested is the orders' idempotence, not them. */
static cli_run_result trade(const trade_market *m, const char *uri, const char *env)
{
    return cli_run(env, "trade", "--broker", uri, "--data", m->data_uri, "--symbols", m->symbols,
                   "--simulations", "10", "--reference", NULL);
}

/* An order as the journal holds it under `id`. */
static ms_order order_in(const char *uri, const char *id)
{
    ms_broker *broker = NULL;
    ms_order order;
    assert_int_equal(ms_broker_open(&broker, uri, NULL), MS_OK);
    assert_int_equal(ms_broker_order_by_client_id(broker, id, &order), MS_OK);
    ms_broker_free(broker);
    return order;
}

/* Kills a run after `kill_after` orders, re-runs it, and compares the
 * journal with the uninterrupted run's (`reference`). */
static void kill_then_rerun(const trade_market *m, size_t kill_after, const char *reference_uri,
                            char (*reference)[64], long reference_count)
{
    char path[4200], uri[4300], name[32], env[64], ids[MAX_ORDERS][64];
    snprintf(name, sizeof name, "killed-%zu.journal", kill_after);
    trade_market_journal(m, name, path, uri);
    snprintf(env, sizeof env, "MARKETSIM_TEST_KILL_AFTER_SUBMITS=%zu", kill_after);
    cli_run_result r = trade(m, uri, env);
    assert_int_equal(r.exit_code, -1); /* died by the signal */
    cli_run_release(&r);
    assert_int_equal(trade_journal_submits(path, ids, MAX_ORDERS), (long)kill_after);
    r = trade(m, uri, NULL);
    if (r.exit_code != 0)
        fail_msg("re-run after a kill at %zu exited %d: %s", kill_after, r.exit_code, r.err);
    cli_run_release(&r);
    assert_int_equal(trade_journal_submits(path, ids, MAX_ORDERS), reference_count);
    for (long i = 0; i < reference_count; i++) {
        assert_string_equal(ids[i], reference[i]);
        ms_order expected = order_in(reference_uri, reference[i]), found = order_in(uri, ids[i]);
        assert_true(found.qty == expected.qty);
        assert_true(found.limit_price == expected.limit_price);
        assert_true(found.take_profit_limit == expected.take_profit_limit);
    }
}

static void check_kills(const trade_market *m, size_t most)
{
    char path[4200], uri[4300], reference[MAX_ORDERS][64];
    trade_market_journal(m, "reference.journal", path, uri);
    cli_run_result r = trade(m, uri, NULL);
    assert_int_equal(r.exit_code, 0);
    cli_run_release(&r);
    long count = trade_journal_submits(path, reference, MAX_ORDERS);
    assert_true(count >= (long)most);
    for (size_t kill_after = 1; kill_after <= most; kill_after++)
        kill_then_rerun(m, kill_after, uri, reference, count);
}

static void test_kill_9_after_each_order_then_rerun_places_each_once(void **state)
{
    trade_market *m = *state;
    assert_true(trade_market_bars(m, trade_fixture_dir(), fixture_symbols, 2, 22));
    check_kills(m, 2);
}

static void test_kill_9_on_shared_daily_data_after_1_2_3_orders(void **state)
{
    trade_market *m = *state;
    const char *daily = trade_shared_daily_dir();
    if (daily == NULL)
        skip();
    assert_true(trade_market_bars(m, daily, daily_symbols, 6, 0));
    check_kills(m, 3);
}

#define MARKET_TEST(name) \
    cmocka_unit_test_setup_teardown(name, trade_market_setup, trade_market_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        MARKET_TEST(test_kill_9_after_each_order_then_rerun_places_each_once),
        MARKET_TEST(test_kill_9_on_shared_daily_data_after_1_2_3_orders),
    };
    return cmocka_run_group_tests_name("trade_kill", tests, NULL, NULL);
}
