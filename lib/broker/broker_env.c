/*
 * broker_env.c - the broker layer's one environment read: where its state
 * files (the sim journal, the trade ledger) go by default, read only when
 * the caller opted in with the broker option from_env (scripts/check-env).
 */
#include <stdio.h>
#include <stdlib.h>

#include "broker_internal.h"

ms_status ms_broker_state_file(bool from_env, const char *name, const char *what, char *path,
                               size_t size)
{
    if (!from_env)
        return ms_error(MS_ERR_INVALID_ARG, "no default %s: the library reads XDG_STATE_HOME and "
                        "HOME only with the broker option from_env", what);
    const char *state = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    int written = state && *state ? snprintf(path, size, "%s/marketsim/%s", state, name)
                  : home && *home ? snprintf(path, size, "%s/.local/state/marketsim/%s", home, name)
                                  : -1;
    if (written < 0 || (size_t)written >= size)
        return ms_error(MS_ERR_INVALID_ARG, "no default %s: set XDG_STATE_HOME or HOME", what);
    return MS_OK;
}
