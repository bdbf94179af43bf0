/*
 * status.c - status names, the thread-local last-error message, the version
 * and ms_free: the error convention every other file relies on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"

/* Long enough for a file path, a line number and a field name with context. */
#define MS_ERROR_CAPACITY 1024

static _Thread_local char last_error[MS_ERROR_CAPACITY];

MS_API const char *ms_status_str(ms_status status)
{
    switch (status) {
    case MS_OK: return "ok";
    case MS_ERR_INVALID_ARG: return "invalid argument";
    case MS_ERR_NOMEM: return "out of memory";
    case MS_ERR_IO: return "i/o error";
    case MS_ERR_PARSE: return "parse error";
    case MS_ERR_DATA: return "invalid data";
    case MS_ERR_NOT_FOUND: return "not found";
    case MS_ERR_TOO_SHORT: return "history too short";
    case MS_ERR_MODEL: return "model error";
    case MS_ERR_UNSUPPORTED: return "unsupported";
    case MS_ERR_HTTP: return "http error";
    case MS_ERR_TIMEOUT: return "timeout";
    case MS_ERR_RATE_LIMIT: return "rate limited";
    case MS_ERR_BROKER: return "broker error";
    case MS_ERR_INTERNAL: return "internal error";
    case MS_ERR_CANCELLED: return "cancelled";
    }
    return "unknown status";
}

MS_API const char *ms_last_error(void)
{
    return last_error;
}

MS_API const char *ms_version(void)
{
    return MS_VERSION_STRING;
}

MS_API void ms_free(void *ptr)
{
    free(ptr);
}

ms_status ms_error(ms_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    MS_DEBUG("error (%s): %s", ms_status_str(status), last_error);
    return status;
}

ms_status ms_error_wrap(ms_status status, const char *fmt, ...)
{
    char prefix[256];
    char previous[MS_ERROR_CAPACITY];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(previous, last_error, sizeof previous);
    /* A message longer than the buffer is cut short on purpose. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-truncation"
    snprintf(last_error, sizeof last_error, "%s: %s", prefix, previous);
#pragma GCC diagnostic pop
    return status;
}
