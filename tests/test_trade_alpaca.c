/*
 * test_trade_alpaca.c - a whole trade cycle (ms_trade_cycle) against the
 * local Alpaca stand-in (tests/servers/fake_alpaca.py) when the broker
 * refuses one order of several: that step fails with Alpaca's answer, the
 * others are still placed, the counts say so, and a re-run places only
 * the refused one (its id was never used).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "marketsim/marketsim.h"
#include "support/fake_alpaca.h"
#include "support/temp_dir.h"
#include "broker/broker_internal.h"
#include "trade/trade_internal.h"

static ms_report *report;
static char *scratch;              /* the ledgers of this suite's cycles */

/* Six symbols of the synthetic market: their analysis (baseline model,
 * seed 1) picks several entries, which is what the test needs. */
static int start(void **state)
{
    fake_alpaca_group_setup(state);
    scratch = temp_dir_create();
    const char *symbols[] = { "AAPL", "MSFT", "NVDA", "SPY", "BTCUSD", "ETHUSD" };
    ms_source *source = NULL;
    ms_model *model = NULL;
    ms_analyzer *analyzer = NULL;
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.simulations = 5;
    opts.seed = 1;
    int failed = ms_source_open(&source, "synthetic", NULL) != MS_OK ||
                 ms_model_open(&model, "baseline", NULL) != MS_OK ||
                 ms_analyzer_create(&analyzer, source, model, &opts) != MS_OK ||
                 ms_analyzer_run(analyzer, symbols, 6, &report) != MS_OK;
    ms_analyzer_free(analyzer);
    ms_model_free(model);
    ms_source_free(source);
    return failed ? -1 : 0;
}

static int stop(void **state)
{
    (void)state;
    ms_report_free(report);
    temp_dir_remove(scratch);
    return fake_alpaca_group_teardown(state);
}

static size_t count_steps(const ms_trade_result *result, ms_trade_action action,
                          ms_trade_outcome outcome)
{
    size_t n = 0;
    for (size_t i = 0; i < ms_trade_result_step_count(result); i++) {
        const ms_trade_step *step = ms_trade_result_step(result, i);
        n += step->action == action && step->outcome == outcome;
    }
    return n;
}

static void test_one_refused_order_fails_alone_and_the_others_are_placed(void **state)
{
    (void)state;
    if (fake_alpaca_server == NULL)
        skip();
    assert_true(fake_alpaca_control(fake_alpaca_server, "{\"reset\": true, \"faults\": [{\"kind\": \"status\", "
                                            "\"status\": 403, \"method\": \"POST\", \"path\": "
                                            "\"/v2/orders\", \"body\": {\"code\": 40310000, "
                                            "\"message\": \"insufficient buying power\"}}]}"));
    ms_broker_options opts = fake_alpaca_options(fake_alpaca_server, 5.0);
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_OK);
    ms_trade_result *result = NULL;
    char *ledger = temp_dir_path(scratch, "refused.ledger");
    ms_trade_options trade_options = MS_TRADE_OPTIONS_INIT;
    trade_options.ledger_path = ledger;
    assert_int_equal(ms_trade_cycle(broker, report, &trade_options, &result), MS_OK);

    const ms_trade_summary *summary = ms_trade_result_summary(result);
    size_t placed = count_steps(result, MS_TRADE_ENTER, MS_TRADE_SENT);
    assert_true(placed >= 1);
    assert_int_equal(summary->failed, 1);
    assert_int_equal(summary->sent, placed);
    assert_int_equal(count_steps(result, MS_TRADE_ENTER, MS_TRADE_FAILED), 1);
    for (size_t i = 0; i < ms_trade_result_step_count(result); i++) {
        const ms_trade_step *step = ms_trade_result_step(result, i);
        if (step->outcome == MS_TRADE_FAILED)
            assert_non_null(strstr(step->error, "insufficient buying power"));
    }
    assert_int_equal(fake_alpaca_orders(fake_alpaca_server), placed);
    ms_trade_result_free(result);

    /* The re-run finds the placed ones by id and places only the refused one. */
    assert_int_equal(ms_trade_cycle(broker, report, &trade_options, &result), MS_OK);
    assert_int_equal(ms_trade_result_summary(result)->sent, 1);
    assert_int_equal(ms_trade_result_summary(result)->failed, 0);
    assert_int_equal(fake_alpaca_orders(fake_alpaca_server), placed + 1);
    ms_trade_result_free(result);
    ms_broker_free(broker);
    free(ledger);
}

/* The strict server's account after an OTO entry of ours filled: 10 AAPL
 * held, the gtc take-profit leg working and holding them. */
static ms_broker *account_with_a_working_take_profit(void)
{
    assert_true(fake_alpaca_control(fake_alpaca_server,
        "{\"reset\": true, \"cash\": 100000, \"set_time\": \"2024-01-02T16:05:00-05:00\", "
        "\"bars\": {\"AAPL\": [{\"t\": \"2024-01-03T05:00:00Z\", \"o\": 100, \"h\": 101, "
        "\"l\": 98, \"c\": 100.5, \"v\": 1000}]}}"));
    ms_broker_options opts = fake_alpaca_options(fake_alpaca_server, 5.0);
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_OK);
    ms_order_request entry = {
        .symbol = "AAPL", .qty = 10, .side = 1, .type = MS_ORDER_LIMIT,
        .time_in_force = MS_TIF_GTC, .limit_price = 99, .stop_price = NAN,
        .order_class = MS_CLASS_OTO, .take_profit_limit = 120, .stop_loss_stop = NAN,
        .client_order_id = "ms-20240102-AAPL-buy-entry" };
    ms_order placed;
    assert_int_equal(ms_broker_submit(broker, &entry, &placed), MS_OK);
    assert_true(fake_alpaca_control(fake_alpaca_server, "{\"play_day\": \"2024-01-03\", "
                                    "\"set_time\": \"2024-01-03T16:05:00-05:00\"}"));
    return broker;
}

static void test_close_is_refused_while_the_take_profit_holds_the_shares(void **state)
{
    (void)state;
    if (fake_alpaca_server == NULL)
        skip();
    ms_broker *broker = account_with_a_working_take_profit();
    ms_order_request close = {
        .symbol = "AAPL", .qty = 10, .side = -1, .type = MS_ORDER_MARKET,
        .time_in_force = MS_TIF_DAY, .limit_price = NAN, .stop_price = NAN,
        .order_class = MS_CLASS_SIMPLE, .take_profit_limit = NAN, .stop_loss_stop = NAN,
        .client_order_id = "naive-close" };
    ms_order order;
    assert_int_equal(ms_broker_submit(broker, &close, &order), MS_ERR_BROKER);
    assert_non_null(strstr(ms_last_error(), "insufficient qty available"));
    ms_broker_free(broker);
}

static void test_planned_close_cancels_our_take_profit_first_and_is_accepted(void **state)
{
    (void)state;
    if (fake_alpaca_server == NULL)
        skip();
    ms_broker *broker = account_with_a_working_take_profit();
    ms_position *positions = NULL;
    ms_order *orders = NULL;
    size_t position_count = 0, order_count = 0;
    assert_int_equal(ms_broker_positions(broker, &positions, &position_count), MS_OK);
    assert_int_equal(ms_broker_orders(broker, "open", &orders, &order_count), MS_OK);
    assert_int_equal(position_count, 1);
    assert_int_equal(order_count, 1); /* the leg: its filled entry is no longer open */
    ms_plan_holding ours = { .qty = 10, .take_profit = 120 };
    bool own[] = { true };
    ms_plan_signal signals[] = { { "AAPL", -1, 0.001 } };
    ms_plan_inputs in = { .cycle_time = 1704319500, .buying_power = 1e5, .signals = signals,
                          .signal_count = 1, .positions = positions, .holdings = &ours,
                          .position_count = 1, .orders = orders, .own_orders = own,
                          .order_count = 1, .limits = ms_broker_limits(broker) };
    ms_trade_result *result = ms_trade_result_new();
    assert_int_equal(ms_plan_build(&in, result), MS_OK);
    char *ledger = temp_dir_path(scratch, "close.ledger");
    assert_int_equal(ms_ledger_open(&result->ledger, ledger, false), MS_OK);
    assert_int_equal(ms_trade_execute(broker, result, NULL), MS_OK);
    assert_int_equal(ms_trade_result_step(result, 0)->action, MS_TRADE_CANCEL);
    assert_int_equal(ms_trade_result_step(result, 1)->action, MS_TRADE_CLOSE);
    assert_int_equal(ms_trade_result_summary(result)->sent, 2);
    assert_int_equal(ms_trade_result_summary(result)->failed, 0);
    assert_int_equal(fake_alpaca_count(fake_alpaca_server, "rejections"), 0);
    ms_trade_result_free(result);
    ms_free(positions);
    ms_free(orders);
    ms_broker_free(broker);
    free(ledger);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_refused_order_fails_alone_and_the_others_are_placed),
        cmocka_unit_test(test_close_is_refused_while_the_take_profit_holds_the_shares),
        cmocka_unit_test(test_planned_close_cancels_our_take_profit_first_and_is_accepted),
    };
    return cmocka_run_group_tests_name("trade_alpaca", tests, start, stop);
}
