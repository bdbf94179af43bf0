/*
 * test_order_rules.c - one table of Alpaca's rules for an order on its own
 * terms (lib/broker/order_rules.c), checked three ways with the same
 * requests: the rules themselves, the simulated broker, and the strict test
 * Alpaca server (tests/servers/fake_alpaca.py). All three must accept and
 * refuse alike, so a plan the simulation takes is one Alpaca takes.
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

#include "broker/order_rules.h"
#include "support/fake_alpaca.h"
#include "support/temp_dir.h"

typedef struct rule_case {
    const char *name;
    const char *symbol;
    double qty;
    ms_time_in_force time_in_force;
    double limit;
    ms_order_class order_class;
    double take_profit;
    bool refused;
    const char *words;             /* in the refusal */
} rule_case;

static const rule_case cases[] = {
    { "crypto oto", "BTC/USD", 0.5, MS_TIF_GTC, 100, MS_CLASS_OTO, 110, true,
      "crypto orders support only the simple order class" },
    { "crypto day", "BTC/USD", 0.5, MS_TIF_DAY, 100, MS_CLASS_SIMPLE, NAN, true, "time_in_force" },
    { "crypto fraction gtc", "BTC/USD", 0.125, MS_TIF_GTC, 100.123456, MS_CLASS_SIMPLE, NAN, false,
      NULL },
    { "stock fraction limit", "AAPL", 2.5, MS_TIF_DAY, 100, MS_CLASS_SIMPLE, NAN, true, "fractional" },
    { "stock sub-penny", "AAPL", 3, MS_TIF_DAY, 98.123, MS_CLASS_SIMPLE, NAN, true, "sub-penny" },
    { "penny stock 4 places", "PENNY", 100, MS_TIF_DAY, 0.1234, MS_CLASS_SIMPLE, NAN, false, NULL },
    { "penny stock 5 places", "PENNY", 100, MS_TIF_DAY, 0.12345, MS_CLASS_SIMPLE, NAN, true,
      "sub-penny" },
    { "take profit below a buy", "AAPL", 3, MS_TIF_DAY, 100, MS_CLASS_OTO, 99.5, true,
      "take_profit" },
    { "stock oto", "AAPL", 3, MS_TIF_DAY, 100, MS_CLASS_OTO, 104.25, false, NULL },
    { "stock gtc limit", "AAPL", 3, MS_TIF_GTC, 100, MS_CLASS_SIMPLE, NAN, false, NULL },
};

static ms_order_request request_of(const rule_case *c, const char *client_order_id)
{
    return (ms_order_request){ .symbol = c->symbol, .qty = c->qty, .side = 1,
                               .type = MS_ORDER_LIMIT, .time_in_force = c->time_in_force,
                               .limit_price = c->limit, .stop_price = NAN,
                               .order_class = c->order_class, .take_profit_limit = c->take_profit,
                               .stop_loss_stop = NAN, .client_order_id = client_order_id };
}

static void expect_outcome(const rule_case *c, const char *where, ms_status status)
{
    if (c->refused && status != MS_ERR_BROKER)
        fail_msg("%s: %s was accepted (status %d)", where, c->name, status);
    if (!c->refused && status != MS_OK)
        fail_msg("%s: %s was refused: %s", where, c->name, ms_last_error());
    if (c->refused && strstr(ms_last_error(), c->words) == NULL)
        fail_msg("%s: %s: expected \"%s\" in: %s", where, c->name, c->words, ms_last_error());
}

static void test_rules_refuse_what_alpaca_refuses(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ms_order_request request = request_of(&cases[i], "rules");
        long code = 0;
        char reason[160] = "";
        bool refused = ms_order_rules_refuse(&request, request.limit_price, &code, reason,
                                             sizeof reason);
        if (refused != cases[i].refused)
            fail_msg("rules: %s: refused %d, expected %d (%s)", cases[i].name, refused,
                     cases[i].refused, reason);
        if (refused)
            assert_int_equal(code, MS_ALPACA_CODE_UNPROCESSABLE);
    }
}

static void test_simulated_broker_accepts_and_refuses_alike(void **state)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char name[32], uri[4300];
        snprintf(name, sizeof name, "case%zu.journal", i);
        char *journal = temp_dir_path(*state, name);
        snprintf(uri, sizeof uri, "sim:%s", journal);
        ms_broker *broker = NULL;
        assert_int_equal(ms_broker_open(&broker, uri, NULL), MS_OK);
        ms_order_request request = request_of(&cases[i], "ms-case");
        ms_order order;
        expect_outcome(&cases[i], "sim", ms_broker_submit(broker, &request, &order));
        ms_broker_free(broker);
        free(journal);
    }
}

static void test_strict_alpaca_server_accepts_and_refuses_alike(void **state)
{
    (void)state;
    if (fake_alpaca_server == NULL)
        skip();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_true(fake_alpaca_control(fake_alpaca_server, "{\"reset\": true, \"cash\": 100000}"));
        ms_broker_options opts = fake_alpaca_options(fake_alpaca_server, 5.0);
        ms_broker *broker = NULL;
        assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_OK);
        ms_order_request request = request_of(&cases[i], "ms-case");
        ms_order order;
        expect_outcome(&cases[i], "alpaca", ms_broker_submit(broker, &request, &order));
        ms_broker_free(broker);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules_refuse_what_alpaca_refuses),
        cmocka_unit_test_setup_teardown(test_simulated_broker_accepts_and_refuses_alike,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test(test_strict_alpaca_server_accepts_and_refuses_alike),
    };
    return cmocka_run_group_tests_name("order_rules", tests, fake_alpaca_group_setup,
                                       fake_alpaca_group_teardown);
}
