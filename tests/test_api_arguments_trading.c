/*
 * test_api_arguments_trading.c - the public broker and trade API walked
 * with bad arguments: NULL handles and outputs, empty strings, very long
 * strings, incomplete order requests and huge counts. Each call returns an
 * error status (or the documented NULL / 0 of an accessor), never crashes,
 * and writes nothing to the journal. The other layers:
 * test_api_arguments.c.
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

#include "marketsim/marketsim.h"
#include "support/bad_arguments.h"
#include "support/temp_dir.h"

/* "sim:" + path, malloc'ed. */
static char *sim_uri(const char *path)
{
    char *uri = malloc(strlen(path) + 5);
    assert_non_null(uri);
    sprintf(uri, "sim:%s", path);
    return uri;
}

/* A sim broker in a scratch directory and a report of the synthetic
 * market to plan from. */
typedef struct trading {
    char *dir;
    ms_broker *broker;
    ms_report *report;
    ms_source *prices;
} trading;

static ms_report *synthetic_report(ms_source *source)
{
    ms_model *model = NULL;
    ms_analyzer *analyzer = NULL;
    ms_report *report = NULL;
    ms_analyzer_options options = MS_ANALYZER_OPTIONS_INIT;
    options.simulations = 2;
    const char *const symbols[] = { "AAPL", "BTCUSD" };
    if (ms_model_open(&model, NULL, NULL) == MS_OK &&
        ms_analyzer_create(&analyzer, source, model, &options) == MS_OK)
        ms_analyzer_run(analyzer, symbols, 2, &report);
    ms_analyzer_free(analyzer);
    ms_model_free(model);
    return report;
}

static int trading_setup(void **state)
{
    trading *t = calloc(1, sizeof *t);
    if (t == NULL || (t->dir = temp_dir_create()) == NULL)
        return -1;
    char *journal = temp_dir_path(t->dir, "sim.journal");
    char *uri = sim_uri(journal);
    ms_status status = ms_broker_open(&t->broker, uri, NULL);
    free(uri);
    free(journal);
    if (status != MS_OK || ms_source_open(&t->prices, "synthetic:seed=1,bars=200", NULL) != MS_OK ||
        (t->report = synthetic_report(t->prices)) == NULL)
        return -1;
    *state = t;
    return 0;
}

static int trading_teardown(void **state)
{
    trading *t = *state;
    ms_report_free(t->report);
    ms_broker_free(t->broker);
    ms_source_free(t->prices);
    temp_dir_remove(t->dir);
    free(t);
    return 0;
}

static size_t orders_in(ms_broker *broker)
{
    ms_order *orders = NULL;
    size_t count = 0;
    assert_int_equal(ms_broker_orders(broker, "all", &orders, &count), MS_OK);
    ms_free(orders);
    return count;
}

static void test_broker_open_refuses_null_unknown_and_long_arguments(void **state)
{
    ms_broker *broker = (ms_broker *)0x1;
    char *journal = temp_dir_path(*state, "sim.journal");
    char *uri = sim_uri(journal);
    char *long_path = long_text("sim:/tmp/", LONG_TEXT, 'j');
    char *name = long_text("", 300, 'j');
    char *long_name = temp_dir_path(*state, name);
    char *long_name_uri = sim_uri(long_name);
    ms_broker_options options = MS_BROKER_OPTIONS_INIT;
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_open(NULL, uri, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_open(&broker, "carrier-pigeon", NULL));
    assert_null(broker);
    options.version = 99;
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_open(&broker, uri, &options));
    assert_true(ms_broker_open(&broker, long_path, NULL) < 0);
    assert_true(ms_broker_open(&broker, long_name_uri, NULL) < 0);
    assert_null(broker);
    assert_null(ms_broker_name(NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_source_open_alpaca(NULL, NULL, NULL));
    options = (ms_broker_options)MS_BROKER_OPTIONS_INIT;
    options.key_id = "id";
    options.secret_key = "secret";
    ms_source *source = (ms_source *)0x1;
    assert_refused(MS_ERR_INVALID_ARG, ms_source_open_alpaca(&source, name, &options));
    assert_null(source);
    free(journal);
    free(uri);
    free(long_path);
    free(name);
    free(long_name);
    free(long_name_uri);
}

static void test_broker_calls_refuse_a_null_broker(void **state)
{
    trading *t = *state;
    ms_account account;
    ms_market_clock clock;
    ms_position *positions = NULL;
    ms_order *orders = NULL, order;
    size_t count = 0;
    ms_order_request request = { "AAPL", 1, 1, MS_ORDER_MARKET, MS_TIF_DAY, NAN, NAN,
                                 MS_CLASS_SIMPLE, NAN, NAN, "api-args-1" };
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_account(NULL, &account));
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_positions(NULL, &positions, &count));
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_clock(NULL, &clock));
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_submit(NULL, &request, &order));
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_orders(NULL, "all", &orders, &count));
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_order_by_client_id(NULL, "x", &order));
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_cancel(NULL, "x"));
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_sync(NULL, t->prices, 0));
}

static void test_broker_calls_refuse_null_outputs_and_empty_strings(void **state)
{
    trading *t = *state;
    ms_position *positions = NULL;
    ms_order *orders = NULL, order;
    size_t count = 0;
    char *id = long_text("", LONG_TEXT, 'i');
    ms_order_request request = { "AAPL", 1, 1, MS_ORDER_MARKET, MS_TIF_DAY, NAN, NAN,
                                 MS_CLASS_SIMPLE, NAN, NAN, "api-args-1" };
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_account(t->broker, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_positions(t->broker, NULL, &count));
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_positions(t->broker, &positions, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_clock(t->broker, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_submit(t->broker, NULL, &order));
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_submit(t->broker, &request, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_orders(t->broker, NULL, &orders, &count));
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_orders(t->broker, "", &orders, &count));
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_orders(t->broker, id, &orders, &count));
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_orders(t->broker, "all", NULL, &count));
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_orders(t->broker, "all", &orders, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_order_by_client_id(t->broker, NULL, &order));
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_order_by_client_id(t->broker, "", &order));
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_order_by_client_id(t->broker, "x", NULL));
    assert_true(ms_broker_order_by_client_id(t->broker, id, &order) < 0);
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_cancel(t->broker, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_cancel(t->broker, ""));
    assert_true(ms_broker_cancel(t->broker, id) < 0);
    assert_refused(MS_ERR_INVALID_ARG, ms_broker_sync(t->broker, NULL, 0));
    assert_int_equal(orders_in(t->broker), 0);
    free(id);
}

static void test_submit_refuses_incomplete_and_oversized_requests(void **state)
{
    trading *t = *state;
    ms_order order;
    char *symbol = long_text("", LONG_TEXT, 'S');
    char *id = long_text("", LONG_TEXT, 'i');
    const ms_order_request good = { "AAPL", 1, 1, MS_ORDER_LIMIT, MS_TIF_DAY, 100, NAN,
                                    MS_CLASS_SIMPLE, NAN, NAN, "api-args-1" };
    ms_order_request bad[14];
    for (size_t i = 0; i < 14; i++)
        bad[i] = good;
    bad[0].symbol = NULL;
    bad[1].symbol = "";
    bad[2].symbol = symbol;
    bad[3].client_order_id = NULL;
    bad[4].client_order_id = "";
    bad[5].client_order_id = id;
    bad[6].client_order_id = "0123456789012345678901234567890123456789012345678";
    bad[7].qty = 0;
    bad[8].qty = NAN;
    bad[9].qty = INFINITY;
    bad[10].side = 0;
    bad[11].limit_price = NAN;
    bad[12].type = (ms_order_type)99;
    bad[13].order_class = MS_CLASS_BRACKET;
    for (size_t i = 0; i < 14; i++) {
        ms_status status = ms_broker_submit(t->broker, &bad[i], &order);
        if (status != MS_ERR_INVALID_ARG)
            fail_msg("request %zu: status %d (%s)", i, status, ms_last_error());
    }
    assert_int_equal(orders_in(t->broker), 0);
    free(symbol);
    free(id);
}

static void test_trade_functions_refuse_null_handles_and_outputs(void **state)
{
    trading *t = *state;
    ms_trade_result *result = NULL;
    char *text = NULL;
    ms_trade_options options = MS_TRADE_OPTIONS_INIT;
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_plan(NULL, t->report, NULL, &result));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_plan(t->broker, NULL, NULL, &result));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_plan(t->broker, t->report, NULL, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_cycle(NULL, t->report, NULL, &result));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_cycle(t->broker, NULL, NULL, &result));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_cycle(t->broker, t->report, NULL, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_execute(NULL, NULL, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_execute(t->broker, NULL, NULL));
    assert_null(ms_trade_result_summary(NULL));
    assert_int_equal(ms_trade_result_step_count(NULL), 0);
    assert_null(ms_trade_result_step(NULL, 0));
    assert_null(ms_trade_result_fills(NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_plan_to_text(NULL, &text));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_result_to_text(NULL, &text));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_result_to_json(NULL, &text));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_step_to_json(NULL, &text));
    assert_int_equal(ms_trade_plan(t->broker, t->report, NULL, &result), MS_OK);
    assert_null(ms_trade_result_step(result, HUGE_COUNT));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_plan_to_text(result, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_result_to_text(result, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_result_to_json(result, NULL));
    if (ms_trade_result_step_count(result) > 0)
        assert_refused(MS_ERR_INVALID_ARG, ms_trade_step_to_json(ms_trade_result_step(result, 0), NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_execute(NULL, result, NULL));
    options.version = 99;
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_execute(t->broker, result, &options));
    ms_trade_result_free(result);
    assert_int_equal(orders_in(t->broker), 0);
}

static void test_trade_order_id_and_times_refuse_null_empty_and_oversized_arguments(void **state)
{
    (void)state;
    char out[64];
    int64_t next = 0;
    const int times[] = { 34200 };
    const int outside[] = { -1, 86400 };
    char *symbol = long_text("", LONG_TEXT, 'S');
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_order_id(0, NULL, 1, "entry", out, sizeof out));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_order_id(0, "AAPL", 1, NULL, out, sizeof out));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_order_id(0, "AAPL", 1, "entry", NULL, sizeof out));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_order_id(0, "AAPL", 1, "entry", out, 0));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_order_id(0, "AAPL", 1, "entry", out, 5));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_order_id(0, "AAPL", 1, "", out, sizeof out));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_order_id(0, "AAPL", 0, "entry", out, sizeof out));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_order_id(0, "", 1, "entry", out, sizeof out));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_order_id(0, symbol, 1, "entry", out, sizeof out));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_order_id(0, "AAPL", 1, symbol, out, sizeof out));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_next_time(0, NULL, 1, 0, &next));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_next_time(0, NULL, HUGE_COUNT, 0, &next));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_next_time(0, times, 0, 0, &next));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_next_time(0, times, 1, 0, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_next_time(0, outside, 1, 0, &next));
    assert_refused(MS_ERR_INVALID_ARG, ms_trade_next_time(0, outside + 1, 1, 0, &next));
    free(symbol);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_broker_open_refuses_null_unknown_and_long_arguments,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_broker_calls_refuse_a_null_broker,
                                        trading_setup, trading_teardown),
        cmocka_unit_test_setup_teardown(test_broker_calls_refuse_null_outputs_and_empty_strings,
                                        trading_setup, trading_teardown),
        cmocka_unit_test_setup_teardown(test_submit_refuses_incomplete_and_oversized_requests,
                                        trading_setup, trading_teardown),
        cmocka_unit_test_setup_teardown(test_trade_functions_refuse_null_handles_and_outputs,
                                        trading_setup, trading_teardown),
        cmocka_unit_test(test_trade_order_id_and_times_refuse_null_empty_and_oversized_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
