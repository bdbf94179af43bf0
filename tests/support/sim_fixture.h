/*
 * sim_fixture.h - a simulated broker on hand-made bars for the sim tests:
 * a fresh journal in a scratch directory, synced to day 0 of symbol AAA's
 * six bars (BTC/USD has the same bars):
 *   day  open  high  low    close
 *    0   100   101   99     100
 *    1    99   100   97      98
 *    2    98   102   97.5   101
 *    3   101   104   95      96
 *    4    95    96   90      91
 *    5    92    99   91      98
 * Prices are exact binary fractions or sums of them: equalities are exact.
 * The helpers fail the running test (CMocka) when a call fails.
 */
#ifndef MS_TEST_SIM_FIXTURE_H
#define MS_TEST_SIM_FIXTURE_H

#include "marketsim/broker.h"

#define SIM_DAY0 1704153600LL /* 2024-01-02T00:00:00Z */
#define SIM_DAY(n) (SIM_DAY0 + (n) * 86400LL)

typedef struct sim_fixture {
    char *dir;
    char *journal;
    char uri[4200];
    ms_source *prices;
    ms_broker *broker;
} sim_fixture;

/* CMocka setup and teardown: *state is a sim_fixture synced to day 0. */
int sim_fixture_setup(void **state);
int sim_fixture_teardown(void **state);

/* Closes the broker and opens the journal again (a replay). */
void sim_fixture_reopen(sim_fixture *f);

/* A simple limit order for AAA (prices NAN where unused). */
ms_order_request sim_limit_order(const char *id, int side, double qty, double limit,
                                 ms_time_in_force tif);

/* A day OTO buy of 10 AAA: limit entry and take profit. */
ms_order_request sim_oto(const char *id, double entry, double take_profit);

ms_order sim_submit(sim_fixture *f, ms_order_request request);
ms_order sim_order_named(sim_fixture *f, const char *order_id);
double sim_position_qty(sim_fixture *f, const char *symbol);
double sim_cash(sim_fixture *f);
void sim_sync_to(sim_fixture *f, int day);

#endif
