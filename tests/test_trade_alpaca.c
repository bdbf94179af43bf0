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

#include <string.h>

#include "marketsim/marketsim.h"
#include "support/fake_alpaca.h"

static ms_report *report;

/* Six symbols of the synthetic market: their analysis (baseline model,
 * seed 1) picks several entries, which is what the test needs. */
static int start(void **state)
{
    fake_alpaca_group_setup(state);
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
    assert_int_equal(ms_trade_cycle(broker, report, NULL, &result), MS_OK);

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
    assert_int_equal(ms_trade_cycle(broker, report, NULL, &result), MS_OK);
    assert_int_equal(ms_trade_result_summary(result)->sent, 1);
    assert_int_equal(ms_trade_result_summary(result)->failed, 0);
    assert_int_equal(fake_alpaca_orders(fake_alpaca_server), placed + 1);
    ms_trade_result_free(result);
    ms_broker_free(broker);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_refused_order_fails_alone_and_the_others_are_placed),
    };
    return cmocka_run_group_tests_name("trade_alpaca", tests, start, stop);
}
