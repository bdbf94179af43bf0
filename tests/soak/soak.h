/*
 * soak.h - the pieces of the trade-loop soak (soak_trade.c): a seeded
 * random source, the fault mix injected into the fake Alpaca server before
 * each cycle (soak_faults.c) and the ledger of the orders the cycles meant
 * to place, checked against the server's orders at the end (soak_ledger.c).
 */
#ifndef MS_SOAK_H
#define MS_SOAK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "marketsim/trade.h"

/* ---- Random source (splitmix64: the same seed, the same run) ------------- */

typedef struct soak_rng {
    uint64_t state;
} soak_rng;

uint64_t soak_rng_next(soak_rng *rng);

/* Uniform in [0, bound). */
size_t soak_rng_below(soak_rng *rng, size_t bound);

/* ---- Faults --------------------------------------------------------------- */

/* The kinds of fault the soak injects, each counted under its label. */
typedef enum soak_fault_kind {
    SOAK_RATE_LIMIT,        /* 429 with X-Ratelimit-Reset a second ahead */
    SOAK_SERVER_ERROR,      /* 500, nothing done */
    SOAK_PROCESSED_ERROR,   /* 500 after the request was carried out */
    SOAK_ERROR_BURST,       /* 500 on a GET more times than the client retries */
    SOAK_DELAY,             /* the answer comes after the client's timeout */
    SOAK_RESET,             /* a connection reset before any byte, nothing done */
    SOAK_PROCESSED_RESET,   /* a connection reset before any byte, after the request was carried out */
    SOAK_DROP,              /* half the body, then a connection reset */
    SOAK_SHORT_BODY,        /* half the announced body, then a close */
    SOAK_TRUNCATED_JSON,    /* a 200 whose JSON is cut in half */
    SOAK_MALFORMED,         /* a 200 whose body is not JSON */
    SOAK_FAULT_KINDS
} soak_fault_kind;

const char *soak_fault_label(soak_fault_kind kind);

/* The methods faults go on. The server counts the requests each fault hit
 * under "<label> <method>" (its faults_taken). */
#define SOAK_METHODS 3
extern const char *const soak_fault_methods[SOAK_METHODS];

/*
 * A JSON array of up to `most` random faults, each on a random endpoint of
 * the trade cycle, for the server's "faults" control; their kinds are
 * added to queued[]. `timeout` is the client's request timeout in seconds
 * (a delay outlasts it). Returns a new reference.
 */
json_t *soak_fault_mix(soak_rng *rng, size_t most, double timeout, size_t queued[SOAK_FAULT_KINDS]);

/* ---- Ledger of intended orders -------------------------------------------- */

/* An order a cycle's plan meant to place (an ENTER or CLOSE step). */
typedef struct soak_order {
    char client_order_id[49];
    char symbol[32];
    int side;
    double qty;
    ms_order_type type;
    ms_time_in_force time_in_force;
    ms_order_class order_class;
    double limit_price;          /* NAN for a market close */
    double take_profit_limit;    /* NAN for a market close */
    bool working;                /* the soak has not expired it yet */
} soak_order;

typedef struct soak_ledger {
    soak_order *orders;
    size_t count, capacity;
} soak_ledger;

/* A ledger for `capacity` orders, its memory allocated and touched now so
 * that filling it later does not show as RSS growth. False without memory. */
bool soak_ledger_init(soak_ledger *ledger, size_t capacity);
void soak_ledger_release(soak_ledger *ledger);

/*
 * Records the ENTER and CLOSE steps of a cycle's result. A step whose id
 * is already recorded (a re-run adopting what an earlier attempt placed)
 * must carry the same order. False, with a message on stderr, on a
 * mismatch or when the ledger is full.
 */
bool soak_ledger_record(soak_ledger *ledger, const ms_trade_result *result);

/* The control command's "expire" array: the ids of working orders the soak
 * lets expire at the day's end (all market closes, most entries). Marks
 * them not working. Returns a new reference. */
json_t *soak_ledger_expire(soak_ledger *ledger, soak_rng *rng);

/* The symbol of a random order still working (by the soak's account), or
 * NULL when none is. */
const char *soak_ledger_working_symbol(const soak_ledger *ledger, soak_rng *rng);

/*
 * Compares the server's orders (the "orders" of GET /__control) with the
 * ledger, by client_order_id and fields: none duplicated, none missing,
 * none extra. Prints each difference; returns how many there are.
 */
size_t soak_ledger_compare(const soak_ledger *ledger, json_t *server_orders);

#endif
