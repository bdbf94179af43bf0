/*
 * alpaca_env.c - every environment read of the Alpaca layer, each made
 * only when the caller opted in with the broker option from_env: the
 * trading and data URLs (APCA_API_BASE_URL, APCA_API_DATA_URL), paper or
 * live (PAPER, MARKETSIM_LIVE_TRADING), the API keys (APCA_API_KEY_ID,
 * APCA_API_SECRET_KEY) and the market-data cache's directory
 * (XDG_CACHE_HOME, HOME). Kept in one file so that scripts/check-env's one
 * rule (reads only in files whose names end in "_env") covers them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alpaca_internal.h"

const char *ms_alpaca_option_or_env(const ms_broker_options *opts, const char *option,
                                    const char *variable)
{
    if (option != NULL && *option != '\0')
        return option;
    if (!opts->from_env)
        return NULL;
    const char *value = getenv(variable);
    return value != NULL && *value != '\0' ? value : NULL;
}

ms_status ms_alpaca_resolve_mode(const ms_broker_options *opts, bool *live)
{
    int paper = 0;
    ms_status status = opts->from_env ? ms_env_bool("PAPER", &paper) : MS_OK;
    *live = false;
    if (status != MS_OK || !opts->live)
        return status;
    if (!opts->from_env)
        return ms_error(MS_ERR_INVALID_ARG, "live trading needs MARKETSIM_LIVE_TRADING=yes in the "
                        "environment, read only with the broker option from_env: a second, "
                        "deliberate step so that no stray option trades real money");
    if (paper) {
        MS_WARN("PAPER=%s in the environment: trading on the paper account, not live",
                getenv("PAPER"));
        return MS_OK;
    }
    const char *opt_in = getenv("MARKETSIM_LIVE_TRADING");
    if (opt_in == NULL || strcmp(opt_in, "yes") != 0)
        return ms_error(MS_ERR_INVALID_ARG, "live trading needs MARKETSIM_LIVE_TRADING=yes in the "
                        "environment as well as the live option: a second, deliberate step so that "
                        "no stray flag trades real money");
    *live = true;
    return MS_OK;
}

bool ms_alpaca_env_keys(const ms_broker_options *opts, const char **key_id,
                        const char **secret_key)
{
    bool from_env = opts != NULL && opts->from_env;
    *key_id = from_env ? getenv("APCA_API_KEY_ID") : NULL;
    *secret_key = from_env ? getenv("APCA_API_SECRET_KEY") : NULL;
    return from_env;
}

ms_status ms_alpaca_cache_dir(const ms_broker_options *opts, char *out, size_t size)
{
    const char *xdg = opts->from_env ? getenv("XDG_CACHE_HOME") : NULL;
    const char *home = opts->from_env ? getenv("HOME") : NULL;
    const char *option = opts->cache_dir;
    int written = option != NULL && *option ? snprintf(out, size, "%s", option)
                  : xdg != NULL && *xdg ? snprintf(out, size, "%s/marketsim", xdg)
                  : home != NULL && *home ? snprintf(out, size, "%s/.cache/marketsim", home)
                                          : -1;
    if (written < 0 || (size_t)written >= size)
        return ms_error(MS_ERR_INVALID_ARG, "no market-data cache directory: set the cache_dir "
                        "option, or XDG_CACHE_HOME or HOME with the option from_env");
    return MS_OK;
}
