/*
 * log.c - leveled logging to stderr. The threshold comes from MARKETSIM_LOG
 * and is read once: logging must not race with a test changing the
 * environment, and a per-call getenv would cost more than the message.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core_internal.h"

static ms_log_level threshold = MS_LOG_WARN;
static pthread_once_t threshold_once = PTHREAD_ONCE_INIT;

static void read_threshold(void)
{
    const char *value = getenv("MARKETSIM_LOG");
    if (value == NULL || *value == '\0')
        return;
    if (ms_str_ieq(value, "debug"))
        threshold = MS_LOG_DEBUG;
    else if (ms_str_ieq(value, "info"))
        threshold = MS_LOG_INFO;
    else if (ms_str_ieq(value, "warn") || ms_str_ieq(value, "warning"))
        threshold = MS_LOG_WARN;
    else if (ms_str_ieq(value, "error"))
        threshold = MS_LOG_ERROR;
    else
        fprintf(stderr, "marketsim: warn: MARKETSIM_LOG=%s is not one of "
                        "debug|info|warn|error; using warn\n", value);
}

MS_API ms_log_level ms_log_threshold(void)
{
    pthread_once(&threshold_once, read_threshold);
    return threshold;
}

void ms_log(ms_log_level level, const char *fmt, ...)
{
    static const char *const names[] = { "debug", "info", "warn", "error" };
    if (level < ms_log_threshold())
        return;
    /* One fprintf per line so lines from worker threads do not interleave. */
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    fprintf(stderr, "marketsim: %s: %s\n", names[level], message);
}
