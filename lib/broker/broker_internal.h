/*
 * broker_internal.h - the broker interface behind ms_broker: the functions
 * a broker implements (Alpaca in alpaca/, the simulated broker in
 * sim/) and how broker.c dispatches to them after checking arguments.
 */
#ifndef MS_BROKER_INTERNAL_H
#define MS_BROKER_INTERNAL_H

#include "core/core_internal.h"
#include "marketsim/broker.h"
#include "order_rules.h"

/*
 * One broker implementation. broker.c has checked every pointer argument
 * and the request's fields before a call. Functions return MS_OK or an
 * error recorded with ms_error; list results are malloc'ed arrays the caller
 * frees with ms_free (NULL with count 0 when empty).
 */
typedef struct ms_broker_ops {
    ms_status (*account)(void *state, ms_account *out);
    ms_status (*positions)(void *state, ms_position **out, size_t *count);
    ms_status (*clock)(void *state, ms_market_clock *out);
    /* Idempotent per request->client_order_id (see ms_broker_submit). */
    ms_status (*submit)(void *state, const ms_order_request *request, ms_order *out);
    ms_status (*orders)(void *state, const char *status, ms_order **out, size_t *count);
    ms_status (*order_by_client_id)(void *state, const char *client_order_id, ms_order *out);
    ms_status (*cancel)(void *state, const char *order_id);
    /* NULL for brokers that fill orders themselves (Alpaca). */
    ms_status (*sync)(void *state, ms_source *prices, int64_t now);
    /* The file the account lives in (the sim journal); NULL for a remote one. */
    const char *(*account_file)(void *state);
    void (*destroy)(void *state);
    /* Appends the fills after `after` (0: all) to `out`, in any order
     * (fill_list.c sorts them); see ms_broker_fills. */
    ms_status (*fills)(void *state, int64_t after, ms_fills *out);
} ms_broker_ops;

struct ms_broker {
    const ms_broker_ops *ops;
    void *state;
    char name[32];               /* "alpaca-paper", "alpaca-live", "sim" */
    const ms_order_limits *limits; /* the broker's own: increments, client_order_id rule */
    bool read_only;              /* opened to change nothing: submit and cancel refuse */
    bool from_env;               /* the caller let it read the environment (ms_broker_options) */
};

/* Opens Alpaca into *out (ops, state, name): keys, URLs, paper/live
 * resolved from opts and the environment (alpaca_broker.c). */
/* The caller's options of any known version (NULL: the defaults) read into
 * *imported, the newest version, and *opts pointed at it. Errors:
 * MS_ERR_INVALID_ARG for a version outside 1 to MS_BROKER_OPTIONS_VERSION. */
ms_status ms_broker_options_resolve(const ms_broker_options **opts, ms_broker_options *imported);

/* $XDG_STATE_HOME/marketsim/NAME, or ~/.local/state/marketsim/NAME, into
 * `path` (broker_env.c): read from the environment only when the caller
 * opted in (`from_env`). Errors: MS_ERR_INVALID_ARG naming `what` (no
 * from_env, neither variable set, a path longer than `size`). */
ms_status ms_broker_state_file(bool from_env, const char *name, const char *what, char *path,
                               size_t size);

ms_status ms_alpaca_broker_open(const ms_broker_options *opts, ms_broker *out);

/* The broker's order limits (never NULL for an open broker): what the
 * trade plan builds prices and ids to. */
const ms_order_limits *ms_broker_limits(const ms_broker *broker);

/* Where the trade layer keeps the ledger of its own orders in this
 * account by default: beside a local account's file ("PATH.ledger"), else
 * $XDG_STATE_HOME/marketsim/ledger/<broker name>-<account id>.sqlite (the
 * id reduced to letters, digits and '-'; the environment is read only for
 * a broker opened with from_env). Errors: MS_ERR_INVALID_ARG (no state
 * directory, or a path longer than `size`). */
ms_status ms_broker_ledger_path(const ms_broker *broker, const char *account_id, char *out,
                                size_t size);

/* Opens the simulated broker with its journal at `path` (sim_broker.c). */
ms_status ms_sim_broker_open(const char *path, const ms_broker_options *opts, ms_broker *out);

/* Whether Alpaca keys are configured (options, the environment when
 * opts->from_env, or a key file): ms_broker_default_uri then names Alpaca. */
bool ms_alpaca_keys_configured(const ms_broker_options *opts);

#endif
