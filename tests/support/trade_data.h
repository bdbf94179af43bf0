/*
 * trade_data.h - the market of the trade cycle tests: a scratch directory
 * with copies of daily bar files, their last rows cut off (the market as
 * it was a few days earlier), sim journals in it, and the submit records
 * a journal holds.
 */
#ifndef MS_TEST_TRADE_DATA_H
#define MS_TEST_TRADE_DATA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct trade_market {
    char *dir;                     /* scratch directory, removed by the teardown */
    char data_uri[4200];           /* csv:<dir>/data */
    char symbols[256];             /* the symbols copied, comma-separated */
    char journal[4200];            /* <dir>/sim.journal */
    char broker_uri[4300];         /* sim:<journal> */
} trade_market;

/* CMocka setup and teardown: *state is a fresh trade_market. */
int trade_market_setup(void **state);
int trade_market_teardown(void **state);

/* Copies `from`/<symbol>.csv into the market's data directory without
 * their last `drop` rows (0: whole), and makes them the market's symbols.
 * False when a file cannot be read or written. */
bool trade_market_bars(trade_market *market, const char *from, const char *const *symbols,
                       size_t n, size_t drop);

/* Another journal of the market: <dir>/<name> and its sim: URI. */
void trade_market_journal(const trade_market *market, const char *name, char path[4200],
                          char uri[4300]);

/* tests/fixtures/analyze under $MARKETSIM_SOURCE_DIR (else "."). */
const char *trade_fixture_dir(void);

/* $MARKETSIM_SHARED/data/daily, or NULL when it is not there. */
const char *trade_shared_daily_dir(void);

/* The client_order_ids of the journal's submit records, in journal order,
 * into ids (at most `max`); returns how many there are (-1: unreadable). */
long trade_journal_submits(const char *path, char (*ids)[64], size_t max);

#endif
