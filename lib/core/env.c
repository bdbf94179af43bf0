/*
 * env.c - typed reads of environment variables, for the opt-in functions
 * only (ms_*_from_env; scripts/check-env keeps every other file of lib/
 * off the environment). A malformed value is an error, never silently the
 * default: a user who typed MARKETSIM_BACKTEST_SIMULATIONS=7O must hear
 * about it.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
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

/* Interned texts: a from_env function hands out strings that must outlive
 * both the call and later changes of the environment (setenv may free the
 * old value). Each distinct text is kept once, for the process. */
typedef struct interned {
    struct interned *next;
    char text[];
} interned;

static pthread_mutex_t interned_lock = PTHREAD_MUTEX_INITIALIZER;
static interned *interned_texts;

const char *ms_env_intern(const char *text)
{
    pthread_mutex_lock(&interned_lock);
    interned *found = interned_texts;
    while (found != NULL && strcmp(found->text, text) != 0)
        found = found->next;
    if (found == NULL && (found = malloc(sizeof *found + strlen(text) + 1)) != NULL) {
        strcpy(found->text, text);
        found->next = interned_texts;
        interned_texts = found;
    }
    pthread_mutex_unlock(&interned_lock);
    return found != NULL ? found->text : NULL;
}

ms_status ms_env_text(const char *name, const char **out)
{
    const char *value = getenv(name);
    if (value == NULL || *value == '\0')
        return MS_OK;
    const char *kept = ms_env_intern(value);
    if (kept == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory for environment variable %s", name);
    *out = kept;
    return MS_OK;
}

MS_API ms_status ms_log_level_from_env(void)
{
    static const struct { const char *name; ms_log_level level; } levels[] = {
        { "debug", MS_LOG_DEBUG }, { "info", MS_LOG_INFO }, { "warn", MS_LOG_WARN },
        { "warning", MS_LOG_WARN }, { "error", MS_LOG_ERROR } };
    const char *value = getenv("MARKETSIM_LOG");
    if (value == NULL || *value == '\0')
        return MS_OK;
    for (size_t i = 0; i < MS_ARRAY_LEN(levels); i++) {
        if (ms_str_ieq(value, levels[i].name)) {
            ms_log_set_level(levels[i].level);
            return MS_OK;
        }
    }
    ms_log_set_level(MS_LOG_WARN);
    return ms_error(MS_ERR_INVALID_ARG, "MARKETSIM_LOG=%s is not one of debug|info|warn|error; "
                    "using warn", value);
}
