/*
 * log.c - leveled logging to stderr or to the caller's function
 * (ms_log_set). The level and the sink are process-wide; the level is an
 * atomic read on every line so that a line below it costs no lock, and
 * the sink is called under a mutex so that lines never interleave and a
 * caller replacing the sink knows the old one is no longer running.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "core_internal.h"

static atomic_int threshold = MS_LOG_WARN;
static pthread_mutex_t sink_lock = PTHREAD_MUTEX_INITIALIZER;
static ms_log_fn sink;
static void *sink_data;
/* Set while this thread runs the sink: a line the sink itself logs goes
 * to stderr instead of deadlocking on sink_lock. */
static _Thread_local bool in_sink;

MS_API ms_log_level ms_log_threshold(void)
{
    return (ms_log_level)atomic_load_explicit(&threshold, memory_order_relaxed);
}

MS_API void ms_log_set_level(ms_log_level level)
{
    if (level >= MS_LOG_DEBUG && level <= MS_LOG_ERROR)
        atomic_store_explicit(&threshold, (int)level, memory_order_relaxed);
}

MS_API void ms_log_set(ms_log_fn fn, void *user_data)
{
    pthread_mutex_lock(&sink_lock);
    sink = fn;
    sink_data = user_data;
    pthread_mutex_unlock(&sink_lock);
}

static void write_stderr(ms_log_level level, const char *message)
{
    static const char *const names[] = { "debug", "info", "warn", "error" };
    /* One fprintf per line so lines from worker threads do not interleave. */
    fprintf(stderr, "marketsim: %s: %s\n", names[level], message);
}

void ms_log(ms_log_level level, const char *fmt, ...)
{
    if (level < ms_log_threshold())
        return;
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    if (in_sink) {
        write_stderr(level, message);
        return;
    }
    pthread_mutex_lock(&sink_lock);
    if (sink != NULL) {
        in_sink = true;
        sink(level, message, sink_data);
        in_sink = false;
    } else {
        write_stderr(level, message);
    }
    pthread_mutex_unlock(&sink_lock);
}
