/*
 * test_order_requests.c - ms_broker_submit refuses a malformed order before
 * any broker sees it: each test breaks one field of a valid limit order and
 * expects MS_ERR_INVALID_ARG with a message naming that field, and an empty
 * order book afterwards. The simulated broker stands in for every broker:
 * the checks run in broker.c, ahead of the dispatch.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "marketsim/marketsim.h"
#include "support/sim_fixture.h"

/* Submits `request`, expects the refusal naming `words`, and no order. */
static void assert_refused(sim_fixture *f, ms_order_request request, const char *words)
{
    ms_order order;
    assert_int_equal(ms_broker_submit(f->broker, &request, &order), MS_ERR_INVALID_ARG);
    if (strstr(ms_last_error(), words) == NULL)
        fail_msg("error \"%s\" does not say \"%s\"", ms_last_error(), words);
    ms_order *orders = NULL;
    size_t count = 1;
    assert_int_equal(ms_broker_orders(f->broker, "all", &orders, &count), MS_OK);
    assert_int_equal(count, 0);
    ms_free(orders);
}

static ms_order_request valid(void)
{
    return sim_limit_order("req-1", 1, 10, 98, MS_TIF_DAY);
}

static void test_a_valid_request_is_accepted(void **state)
{
    ms_order order = sim_submit(*state, valid());
    assert_string_equal(order.client_order_id, "req-1");
}

static void test_an_order_without_a_symbol_is_refused(void **state)
{
    ms_order_request r = valid();
    r.symbol = "";
    assert_refused(*state, r, "no symbol");
}

static void test_an_order_id_over_48_characters_is_refused(void **state)
{
    ms_order_request r = valid();
    r.client_order_id = "0123456789012345678901234567890123456789012345678";
    assert_refused(*state, r, "is 49 characters: Alpaca takes 1 to 48");
}

static void test_a_quantity_that_is_not_positive_and_finite_is_refused(void **state)
{
    const double bad[] = { 0, -1, NAN, INFINITY };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ms_order_request r = valid();
        r.qty = bad[i];
        assert_refused(*state, r, "quantity must be positive");
    }
}

static void test_a_side_other_than_plus_or_minus_one_is_refused(void **state)
{
    ms_order_request r = valid();
    r.side = 2;
    assert_refused(*state, r, "side must be +1 (buy) or -1 (sell)");
}

static void test_a_limit_order_without_a_limit_price_is_refused(void **state)
{
    ms_order_request r = valid();
    r.limit_price = NAN;
    assert_refused(*state, r, "a limit order needs a positive limit price");
}

static void test_a_stop_order_without_a_stop_price_is_refused(void **state)
{
    ms_order_request r = valid();
    r.type = MS_ORDER_STOP;
    assert_refused(*state, r, "a stop order needs a positive stop price");
}

/* Bindings pass these enums as integers: a value outside the enum must not
 * be sent as some default order type. */
static void test_an_unknown_order_type_is_refused(void **state)
{
    ms_order_request r = valid();
    r.type = (ms_order_type)7;
    assert_refused(*state, r, "unknown order type 7");
}

static void test_an_unknown_time_in_force_is_refused(void **state)
{
    ms_order_request r = valid();
    r.time_in_force = (ms_time_in_force)-1;
    assert_refused(*state, r, "unknown time in force -1");
}

static void test_an_unknown_order_class_is_refused(void **state)
{
    ms_order_request r = valid();
    r.order_class = (ms_order_class)4;
    assert_refused(*state, r, "unknown order class 4");
}

static void test_an_oto_order_without_a_take_profit_is_refused(void **state)
{
    ms_order_request r = sim_oto("req-oto", 98, NAN);
    assert_refused(*state, r, "needs a positive take-profit limit");
}

static void test_a_bracket_order_without_a_stop_loss_is_refused(void **state)
{
    ms_order_request r = sim_oto("req-bracket", 98, 103.5);
    r.order_class = MS_CLASS_BRACKET;
    r.stop_loss_stop = NAN;
    assert_refused(*state, r, "a bracket order needs a positive stop-loss price");
}

#define FIXTURE_TEST(name) cmocka_unit_test_setup_teardown(name, sim_fixture_setup, sim_fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_a_valid_request_is_accepted),
        FIXTURE_TEST(test_an_order_without_a_symbol_is_refused),
        FIXTURE_TEST(test_an_order_id_over_48_characters_is_refused),
        FIXTURE_TEST(test_a_quantity_that_is_not_positive_and_finite_is_refused),
        FIXTURE_TEST(test_a_side_other_than_plus_or_minus_one_is_refused),
        FIXTURE_TEST(test_a_limit_order_without_a_limit_price_is_refused),
        FIXTURE_TEST(test_a_stop_order_without_a_stop_price_is_refused),
        FIXTURE_TEST(test_an_unknown_order_type_is_refused),
        FIXTURE_TEST(test_an_unknown_time_in_force_is_refused),
        FIXTURE_TEST(test_an_unknown_order_class_is_refused),
        FIXTURE_TEST(test_an_oto_order_without_a_take_profit_is_refused),
        FIXTURE_TEST(test_a_bracket_order_without_a_stop_loss_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
