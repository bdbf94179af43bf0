/*
 * cache_env.c - the forecast cache's default place, the XDG base
 * directory the user's environment names: the one function of the cache
 * that reads the environment, called only when a caller asks for the
 * default place (ms_cache_default_path, a NULL path for info and clear,
 * the analyzer's cache "default").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_internal.h"
#include "core/core_internal.h"

#define CACHE_FILE_NAME "marketsim/forecasts.sqlite"

MS_API ms_status ms_cache_default_path(char **out)
{
    if (out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_cache_default_path: out is NULL");
    *out = NULL;
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    const char *base = xdg != NULL && *xdg == '/' ? xdg : NULL;
    const char *middle = "";
    if (base == NULL && home != NULL && *home != '\0') {
        base = home;
        middle = "/.cache";
    }
    if (base == NULL)
        return ms_error(MS_ERR_NOT_FOUND, "no place for the forecast cache: set XDG_CACHE_HOME "
                        "or HOME, or name a file (--cache PATH)");
    size_t size = strlen(base) + strlen(middle) + sizeof "/" CACHE_FILE_NAME;
    if ((*out = malloc(size)) == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory for the cache path");
    snprintf(*out, size, "%s%s/%s", base, middle, CACHE_FILE_NAME);
    return MS_OK;
}
