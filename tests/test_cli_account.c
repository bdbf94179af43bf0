/*
 * test_cli_account.c - `marketsim account --broker sim:PATH`: after a
 * trade cycle it shows the sim's cash, equity and the working orders the
 * cycle placed, as text and as JSON, and reading it changes nothing;
 * --since takes a day (fills and realised P&L: tests/test_trade_fills.c);
 * a flag given wrong exits 2 naming it (the help: test_cli_help.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <string.h>

#include "marketsim/data.h"
#include "support/cli_run.h"
#include "support/trade_data.h"

/* A trade cycle on the sim broker, then `account --json` of it (exit 0). */
static cli_run_result account_after_a_trade(const trade_market *m)
{
    cli_run_result r = cli_run(NULL, "trade", "--broker", m->broker_uri, "--symbols",
                               "AAPL,BTCUSD,MSFT", "--simulations", "5", "--cache", "off", NULL);
    assert_int_equal(r.exit_code, 0);
    cli_run_release(&r);
    r = cli_run(NULL, "account", "--broker", m->broker_uri, "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    return r;
}

static void test_account_shows_the_orders_a_trade_placed(void **state)
{
    trade_market *m = *state;
    cli_run_result r = account_after_a_trade(m);
    json_error_t error;
    json_t *root = json_loads(r.out, 0, &error);
    assert_non_null(root);
    assert_true(json_real_value(json_object_get(root, "cash")) > 0);
    size_t orders = json_array_size(json_object_get(root, "orders"));
    assert_true(orders >= 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(root, "orders"), 0), "status")), "new");
    json_decref(root);
    cli_run_release(&r);
    r = cli_run(NULL, "account", "--broker", m->broker_uri, NULL);
    assert_int_equal(r.exit_code, 0);
    char expected[64];
    snprintf(expected, sizeof expected, "working orders (%zu):", orders);
    assert_non_null(strstr(r.out, expected));
    assert_non_null(strstr(r.out, "cash $"));
    cli_run_release(&r);
}

static void test_account_prints_order_prices_to_the_instruments_tick(void **state)
{
    trade_market *m = *state;
    cli_run_result r = account_after_a_trade(m);
    json_t *root = json_loads(r.out, 0, NULL);
    assert_non_null(root);
    cli_run_release(&r);
    r = cli_run(NULL, "account", "--broker", m->broker_uri, NULL);
    assert_int_equal(r.exit_code, 0);
    json_t *orders = json_object_get(root, "orders");
    assert_true(json_array_size(orders) >= 1);
    size_t index;
    json_t *order;
    json_array_foreach(orders, index, order) {
        const char *symbol = json_string_value(json_object_get(order, "symbol"));
        double limit = json_number_value(json_object_get(order, "limit_price"));
        char expected[64];
        snprintf(expected, sizeof expected, "limit %.*f ",
                 ms_price_decimals(ms_symbol_asset_class(symbol), limit), limit);
        assert_non_null(strstr(r.out, expected));
    }
    json_decref(root);
    cli_run_release(&r);
}

static void test_account_of_an_unknown_broker_is_an_error(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "account", "--broker", "nowhere:x", NULL);
    assert_int_not_equal(r.exit_code, 0);
    assert_non_null(strstr(r.err, "marketsim account"));
    cli_run_release(&r);
}

static void test_account_refuses_a_since_that_is_not_a_day(void **state)
{
    trade_market *m = *state;
    const char *const bad[] = { "2026-02-30", "2026-1-05", "yesterday", "2026-01-05T10:00" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cli_run_result r = cli_run(NULL, "account", "--broker", m->broker_uri, "--since", bad[i],
                                   NULL);
        assert_int_equal(r.exit_code, 2);
        assert_non_null(strstr(r.err, "--since needs a date YYYY-MM-DD"));
        cli_run_release(&r);
    }
}

static void test_account_of_a_new_sim_lists_no_fills_since_the_day_given(void **state)
{
    trade_market *m = *state;
    cli_run_result r = cli_run(NULL, "account", "--broker", m->broker_uri, "--since", "2026-01-05",
                               NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "fills since 2026-01-05:\n  no fills\n"));
    assert_non_null(strstr(r.out, "realised P&L (average cost): +0.00"));
    cli_run_release(&r);
}

static void test_an_account_flag_given_wrong_is_a_usage_error_naming_it(void **state)
{
    trade_market *m = *state;
    cli_run_result r = cli_run(NULL, "account", "--broker", m->broker_uri, "--since", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "marketsim account: option '--since' needs a value"));
    cli_run_release(&r);
    r = cli_run(NULL, "account", "--broker", m->broker_uri, "--jsn", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "marketsim account: unknown option '--jsn' (did you mean "
                                  "'--json'?)"));
    cli_run_release(&r);
}

#define MARKET_TEST(name) \
    cmocka_unit_test_setup_teardown(name, trade_market_setup, trade_market_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        MARKET_TEST(test_account_shows_the_orders_a_trade_placed),
        MARKET_TEST(test_account_prints_order_prices_to_the_instruments_tick),
        MARKET_TEST(test_account_of_an_unknown_broker_is_an_error),
        MARKET_TEST(test_account_refuses_a_since_that_is_not_a_day),
        MARKET_TEST(test_account_of_a_new_sim_lists_no_fills_since_the_day_given),
        MARKET_TEST(test_an_account_flag_given_wrong_is_a_usage_error_naming_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
