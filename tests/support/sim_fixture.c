/* sim_fixture.c - see sim_fixture.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/sim_fixture.h"
#include "support/temp_dir.h"

static ms_status load_bars(void *context, const char *symbol, ms_bars **out)
{
    (void)context;
    static const double open[] = { 100, 99, 98, 101, 95, 92 };
    static const double high[] = { 101, 100, 102, 104, 96, 99 };
    static const double low[] = { 99, 97, 97.5, 95, 90, 91 };
    static const double close[] = { 100, 98, 101, 96, 91, 98 };
    int64_t times[6];
    for (int i = 0; i < 6; i++)
        times[i] = SIM_DAY(i);
    if (strcmp(symbol, "AAA") != 0 && strcmp(symbol, "BTC/USD") != 0 && strcmp(symbol, "BTCUSD") != 0)
        return MS_ERR_NOT_FOUND;
    return ms_bars_create(out, symbol, 6, times, open, high, low, close, NULL, NULL);
}

static void open_broker(sim_fixture *f)
{
    assert_int_equal(ms_broker_open(&f->broker, f->uri, NULL), MS_OK);
}

void sim_fixture_reopen(sim_fixture *f)
{
    ms_broker_free(f->broker);
    f->broker = NULL;
    open_broker(f);
}

int sim_fixture_setup(void **state)
{
    sim_fixture *f = calloc(1, sizeof *f);
    f->dir = temp_dir_create();
    f->journal = temp_dir_path(f->dir, "sim.journal");
    snprintf(f->uri, sizeof f->uri, "sim:%s", f->journal);
    assert_int_equal(ms_source_open_custom(&f->prices, "bars:test", load_bars, NULL, NULL), MS_OK);
    open_broker(f);
    assert_int_equal(ms_broker_sync(f->broker, f->prices, SIM_DAY(0)), MS_OK);
    *state = f;
    return 0;
}

int sim_fixture_teardown(void **state)
{
    sim_fixture *f = *state;
    ms_broker_free(f->broker);
    ms_source_free(f->prices);
    free(f->journal);
    temp_dir_remove(f->dir);
    free(f);
    return 0;
}

ms_order_request sim_limit_order(const char *id, int side, double qty, double limit,
                                    ms_time_in_force tif)
{
    return (ms_order_request){ .symbol = "AAA", .qty = qty, .side = side, .type = MS_ORDER_LIMIT,
                               .time_in_force = tif, .limit_price = limit, .stop_price = NAN,
                               .order_class = MS_CLASS_SIMPLE, .take_profit_limit = NAN,
                               .stop_loss_stop = NAN, .client_order_id = id };
}

ms_order sim_submit(sim_fixture *f, ms_order_request request)
{
    ms_order order;
    assert_int_equal(ms_broker_submit(f->broker, &request, &order), MS_OK);
    return order;
}

ms_order sim_order_named(sim_fixture *f, const char *order_id)
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

double sim_position_qty(sim_fixture *f, const char *symbol)
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

double sim_cash(sim_fixture *f)
{
    ms_account account;
    assert_int_equal(ms_broker_account(f->broker, &account), MS_OK);
    return account.cash;
}

void sim_sync_to(sim_fixture *f, int day)
{
    assert_int_equal(ms_broker_sync(f->broker, f->prices, SIM_DAY(day)), MS_OK);
}

ms_order_request sim_oto(const char *id, double entry, double take_profit)
{
    ms_order_request request = sim_limit_order(id, 1, 10, entry, MS_TIF_DAY);
    request.order_class = MS_CLASS_OTO;
    request.take_profit_limit = take_profit;
    return request;
}

