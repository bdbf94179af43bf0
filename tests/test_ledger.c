/*
 * test_ledger.c - the ledger of our own orders (lib/trade/ledger.c): what
 * is recorded survives a reopen, holdings add our fills and legs and the
 * adjustments, a dry run's copy never reaches the file, and a file that is
 * not a ledger is refused untouched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "support/temp_dir.h"
#include "trade/ledger.h"

static ms_ledger_order entry_order(const char *id, const char *symbol, int side, double qty)
{
    ms_ledger_order order = { .kind = MS_LEDGER_ENTRY, .side = side, .qty = qty,
                              .take_profit = 110.0, .open = true };
    snprintf(order.client_order_id, sizeof order.client_order_id, "%s", id);
    snprintf(order.cycle_date, sizeof order.cycle_date, "20260102");
    snprintf(order.symbol, sizeof order.symbol, "%s", symbol);
    return order;
}

static ms_ledger *open_ledger(const char *dir, bool read_only)
{
    char *path = temp_dir_path(dir, "state/account.ledger");
    ms_ledger *ledger = NULL;
    assert_int_equal(ms_ledger_open(&ledger, path, read_only), MS_OK);
    free(path);
    return ledger;
}

static double holding(ms_ledger *ledger, const char *symbol)
{
    double qty = NAN;
    assert_int_equal(ms_ledger_holding(ledger, symbol, &qty), MS_OK);
    return qty;
}

static void test_recorded_order_survives_a_reopen(void **state)
{
    ms_ledger *ledger = open_ledger(*state, false);
    ms_ledger_order order = entry_order("ms-20260102-AAPL-buy-entry", "AAPL", 1, 10);
    assert_int_equal(ms_ledger_record(ledger, &order), MS_OK);
    ms_ledger_close(ledger);
    ledger = open_ledger(*state, false);
    ms_ledger_order found;
    assert_true(ms_ledger_find(ledger, "ms-20260102-AAPL-buy-entry", &found));
    assert_string_equal(found.symbol, "AAPL");
    assert_true(found.qty == 10 && found.take_profit == 110.0 && found.open);
    ms_ledger_close(ledger);
}

static void test_recording_an_id_twice_keeps_the_first(void **state)
{
    ms_ledger *ledger = open_ledger(*state, false);
    ms_ledger_order order = entry_order("ms-1", "AAPL", 1, 10);
    assert_int_equal(ms_ledger_record(ledger, &order), MS_OK);
    order.qty = 99;
    assert_int_equal(ms_ledger_record(ledger, &order), MS_OK);
    ms_ledger_order found;
    assert_true(ms_ledger_find(ledger, "ms-1", &found));
    assert_true(found.qty == 10);
    ms_ledger_close(ledger);
}

static void test_holding_adds_fills_less_take_profit_fills_and_adjustments(void **state)
{
    ms_ledger *ledger = open_ledger(*state, false);
    ms_ledger_order entry = entry_order("ms-1", "AAPL", 1, 10);
    assert_int_equal(ms_ledger_record(ledger, &entry), MS_OK);
    snprintf(entry.broker_id, sizeof entry.broker_id, "b-1");
    snprintf(entry.leg_id, sizeof entry.leg_id, "leg-1");
    entry.filled_qty = 10;
    entry.leg_filled_qty = 4;
    assert_int_equal(ms_ledger_update(ledger, &entry), MS_OK);
    assert_true(holding(ledger, "AAPL") == 6);
    assert_int_equal(ms_ledger_adjust(ledger, "AAPL", -2, "someone sold 2", 0), MS_OK);
    assert_true(holding(ledger, "AAPL") == 4);
    assert_true(holding(ledger, "MSFT") == 0);
    assert_true(ms_ledger_knows_broker_id(ledger, "b-1"));
    assert_true(ms_ledger_knows_broker_id(ledger, "leg-1"));
    assert_false(ms_ledger_knows_broker_id(ledger, "someone-elses"));
    assert_false(ms_ledger_knows_broker_id(ledger, ""));
    int side = 0;
    double price = NAN;
    assert_true(ms_ledger_entry_take_profit(ledger, "AAPL", &side, &price));
    assert_true(side == 1 && price == 110.0);
    ms_ledger_close(ledger);
}

static void test_only_open_orders_are_listed_open(void **state)
{
    ms_ledger *ledger = open_ledger(*state, false);
    ms_ledger_order first = entry_order("ms-1", "AAPL", 1, 10);
    ms_ledger_order second = entry_order("ms-2", "MSFT", 1, 5);
    assert_int_equal(ms_ledger_record(ledger, &first), MS_OK);
    assert_int_equal(ms_ledger_record(ledger, &second), MS_OK);
    first.open = false;
    assert_int_equal(ms_ledger_update(ledger, &first), MS_OK);
    ms_ledger_order *open = NULL;
    size_t count = 0;
    assert_int_equal(ms_ledger_open_orders(ledger, &open, &count), MS_OK);
    assert_int_equal(count, 1);
    assert_string_equal(open[0].client_order_id, "ms-2");
    free(open);
    ms_ledger_close(ledger);
}

static void test_read_only_ledger_never_writes_the_file(void **state)
{
    char *path = temp_dir_path(*state, "state/account.ledger");
    ms_ledger *ledger = open_ledger(*state, true);
    ms_ledger_order order = entry_order("ms-1", "AAPL", 1, 10);
    assert_int_equal(ms_ledger_record(ledger, &order), MS_OK);
    ms_ledger_close(ledger);
    struct stat info;
    assert_int_not_equal(stat(path, &info), 0);
    ledger = open_ledger(*state, false);
    assert_int_equal(ms_ledger_record(ledger, &order), MS_OK);
    ms_ledger_close(ledger);
    ledger = open_ledger(*state, true);
    ms_ledger_order found;
    assert_true(ms_ledger_find(ledger, "ms-1", &found));
    found.filled_qty = 10;
    assert_int_equal(ms_ledger_update(ledger, &found), MS_OK);
    ms_ledger_close(ledger);
    ledger = open_ledger(*state, false);
    assert_true(holding(ledger, "AAPL") == 0);
    ms_ledger_close(ledger);
    free(path);
}

static void test_a_file_that_is_not_a_ledger_is_refused_untouched(void **state)
{
    char *path = temp_dir_path(*state, "notes.txt");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("my trading notes\n", f);
    fclose(f);
    ms_ledger *ledger = NULL;
    assert_int_equal(ms_ledger_open(&ledger, path, false), MS_ERR_PARSE);
    assert_non_null(strstr(ms_last_error(), "not a marketsim ledger"));
    assert_null(ledger);
    char text[64] = "";
    f = fopen(path, "r");
    assert_non_null(fgets(text, sizeof text, f));
    fclose(f);
    assert_string_equal(text, "my trading notes\n");
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_recorded_order_survives_a_reopen, temp_dir_setup,
                                        temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_recording_an_id_twice_keeps_the_first, temp_dir_setup,
                                        temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_holding_adds_fills_less_take_profit_fills_and_adjustments,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_only_open_orders_are_listed_open, temp_dir_setup,
                                        temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_read_only_ledger_never_writes_the_file, temp_dir_setup,
                                        temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_a_file_that_is_not_a_ledger_is_refused_untouched,
                                        temp_dir_setup, temp_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
