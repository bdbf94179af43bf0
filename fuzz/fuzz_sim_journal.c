/*
 * fuzz_sim_journal.c - feeds arbitrary bytes, as the journal of a sim
 * broker, to its replay: ms_broker_open("sim:PATH") reads the journal
 * line by line (sim_journal.c), parses each record (sim_broker.c) and
 * applies it (sim_apply.c). PATH is an in-memory file (fuzz_input_file),
 * so the replay's truncation of a torn last line and the account record
 * it appends to an empty journal stay off the disk.
 *
 * Asserts, besides no crash, leak or undefined behaviour, of a journal
 * that replays: the account, positions and orders can be read; the
 * account's cash, equity and buying power are finite (a journal whose
 * numbers overflow is damaged, and must be refused rather than turn into
 * infinities); every position has a non-zero, finite quantity and a
 * positive average entry price; every order has a positive, finite
 * quantity and a side of +1 or -1; the orders listed as open and as
 * closed add up to all of them.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_support.h"
#include "marketsim/broker.h"

static void check_positions(ms_broker *broker)
{
    ms_position *positions = NULL;
    size_t count = 0;
    FUZZ_CHECK(ms_broker_positions(broker, &positions, &count) == MS_OK);
    for (size_t i = 0; i < count; i++) {
        FUZZ_CHECK(positions[i].qty != 0 && isfinite(positions[i].qty));
        FUZZ_CHECK(positions[i].avg_entry_price > 0);
    }
    ms_free(positions);
}

static size_t check_orders(ms_broker *broker, const char *status)
{
    ms_order *orders = NULL;
    size_t count = 0;
    FUZZ_CHECK(ms_broker_orders(broker, status, &orders, &count) == MS_OK);
    for (size_t i = 0; i < count; i++) {
        FUZZ_CHECK(orders[i].qty > 0 && isfinite(orders[i].qty));
        FUZZ_CHECK(orders[i].side == 1 || orders[i].side == -1);
    }
    ms_free(orders);
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char uri[80];
    snprintf(uri, sizeof uri, "sim:%s", fuzz_input_file(data, size));
    ms_broker_options options = MS_BROKER_OPTIONS_INIT;
    ms_broker *broker = NULL;
    if (ms_broker_open(&broker, uri, &options) != MS_OK)
        return 0;
    ms_account account;
    FUZZ_CHECK(ms_broker_account(broker, &account) == MS_OK);
    FUZZ_CHECK(isfinite(account.cash) && isfinite(account.equity));
    FUZZ_CHECK(isfinite(account.buying_power));
    check_positions(broker);
    size_t all = check_orders(broker, "all");
    FUZZ_CHECK(check_orders(broker, "open") + check_orders(broker, "closed") == all);
    ms_broker_free(broker);
    return 0;
}
