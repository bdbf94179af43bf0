/*
 * env.c - typed reads of MARKETSIM_* environment variables. A malformed
 * value is an error, never silently the default: a user who typed
 * MARKETSIM_BACKTEST_SIMULATIONS=7O must hear about it.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"

ms_status ms_env_size(const char *name, size_t *out)
{
    const char *value = getenv(name);
    if (value == NULL || *value == '\0')
        return MS_OK;
    char *end = NULL;
    errno = 0;
    unsigned long long parsed = strtoull(value, &end, 10);
    if (errno != 0 || *end != '\0' || value[0] == '-' || value[0] == '+')
        return ms_error(MS_ERR_INVALID_ARG,
                        "environment variable %s=%s is not a non-negative integer",
                        name, value);
    *out = (size_t)parsed;
    return MS_OK;
}

ms_status ms_env_bool(const char *name, int *out)
{
    const char *value = getenv(name);
    if (value == NULL || *value == '\0')
        return MS_OK;
    static const char *const yes[] = { "1", "true", "yes", "on" };
    static const char *const no[] = { "0", "false", "no", "off" };
    for (size_t i = 0; i < MS_ARRAY_LEN(yes); i++) {
        if (ms_str_ieq(value, yes[i])) {
            *out = 1;
            return MS_OK;
        }
        if (ms_str_ieq(value, no[i])) {
            *out = 0;
            return MS_OK;
        }
    }
    return ms_error(MS_ERR_INVALID_ARG,
                    "environment variable %s=%s is not a boolean (1/0, true/false, yes/no, on/off)",
                    name, value);
}

ms_status ms_env_double(const char *name, double *out)
{
    const char *value = getenv(name);
    if (value == NULL || *value == '\0')
        return MS_OK;
    double parsed;
    if (!ms_parse_double(value, strlen(value), &parsed) || !isfinite(parsed) || parsed < 0)
        return ms_error(MS_ERR_INVALID_ARG,
                        "environment variable %s=%s is not a finite number >= 0", name, value);
    *out = parsed;
    return MS_OK;
}
