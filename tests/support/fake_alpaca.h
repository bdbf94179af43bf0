/*
 * fake_alpaca.h - runs tests/servers/fake_alpaca.py (a local Alpaca
 * stand-in on 127.0.0.1) as a child process for the Alpaca tests, steers
 * it through its control endpoint and reads back what it saw.
 */
#ifndef MS_TEST_FAKE_ALPACA_H
#define MS_TEST_FAKE_ALPACA_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "marketsim/broker.h"

/* The keys the server accepts. */
#define FAKE_ALPACA_KEY_ID "test-key-id"
#define FAKE_ALPACA_SECRET "test-secret-key"

typedef struct fake_alpaca {
    pid_t pid;
    int stdin_fd;        /* closing it stops the server */
    char url[64];        /* "http://127.0.0.1:PORT" */
} fake_alpaca;

/* Starts the server ($MARKETSIM_SOURCE_DIR/tests/servers/fake_alpaca.py,
 * else relative to the working directory). NULL when python3 or the script
 * is missing, so the suite can skip. Free with fake_alpaca_stop. */
fake_alpaca *fake_alpaca_start(void);

/* fake_alpaca_start for a run longer than the default two minutes: the
 * server exits on its own after max_seconds. */
fake_alpaca *fake_alpaca_start_for(int max_seconds);
void fake_alpaca_stop(fake_alpaca *server);

/* The one server of a suite: CMocka group fixtures start and stop it. It is
 * NULL when it could not start (no python3), and the tests then skip. */
extern fake_alpaca *fake_alpaca_server;
int fake_alpaca_group_setup(void **state);
int fake_alpaca_group_teardown(void **state);

/* The fault suites' request timeout: short, but ample for an unloaded
 * local server. */
#define FAKE_ALPACA_FAULT_TIMEOUT 0.5

/* A broker on the suite's server with FAKE_ALPACA_FAULT_TIMEOUT,
 * `max_retries` as in ms_broker_options, and `faults` (a JSON array)
 * queued. Skips the running test without a server; fails it when the
 * server or the broker refuses. */
ms_broker *fake_alpaca_faulty_broker(int max_retries, const char *faults);

/* Submits the fault suites' order: an OTO limit buy of 3 AAPL at 99.5, day,
 * take profit 105, under `client_order_id`. */
ms_status fake_alpaca_submit_limit(ms_broker *broker, const char *client_order_id,
                                   ms_order *order);

/* CMocka per-test setup: the suite's server forgets the previous test's
 * orders, faults, overrides and log (nothing to do without a server). */
int fake_alpaca_reset(void **state);

/* POSTs a control command (a JSON object's text); false on any failure.
 * The reply (the server's whole record) is read and dropped unbuffered. */
bool fake_alpaca_control(fake_alpaca *server, const char *command);

/* The server's record: {"requests": [{method, path, query}], "orders": [...]}.
 * NULL on failure; json_decref when done. */
json_t *fake_alpaca_state(fake_alpaca *server);

/* Requests seen with this method and path (the query ignored). */
size_t fake_alpaca_requests(fake_alpaca *server, const char *method, const char *path);

/* Orders the server holds (top level, legs not counted). */
size_t fake_alpaca_orders(fake_alpaca *server);

/* The length of one array of the server's record: "rejections" (refused
 * POST /v2/orders), "fills", "positions" (the simulated ones), "orders" (top
 * level) or "requests"; 0 when the record cannot be read. */
size_t fake_alpaca_count(fake_alpaca *server, const char *key);

/* Broker options aimed at the server with its keys, short timeouts
 * (timeout_seconds for a request), two GET retries and no practical
 * client-side rate limit. */
ms_broker_options fake_alpaca_options(const fake_alpaca *server, double timeout_seconds);

#endif
