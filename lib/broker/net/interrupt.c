/*
 * interrupt.c - the process-wide request to stop waiting on brokers and
 * market data (ms_interrupt_requests), which a SIGINT or SIGTERM handler
 * sets: retries are not started, a wait before one ends within
 * WAIT_SLICE, and a GET in flight is abandoned (http_client.c).
 *
 * Process-wide, not per handle, because a signal is: the handler cannot
 * know which handles are in use, and every one of them should stop.
 * A lock-free atomic is both safe in a signal handler and visible to the
 * other threads that load market data.
 */
#include <stdatomic.h>

#include "http.h"
#include "marketsim/broker.h"

/* How often a wait looks at the flag: a signal may land on another
 * thread, so nanosleep returning early cannot be relied on. */
#define WAIT_SLICE 0.05

static atomic_int interrupted = 0;

MS_API void ms_interrupt_requests(int stop)
{
    atomic_store_explicit(&interrupted, stop != 0, memory_order_relaxed);
}

bool ms_requests_interrupted(void)
{
    return atomic_load_explicit(&interrupted, memory_order_relaxed) != 0;
}

bool ms_wait_unless_interrupted(double seconds)
{
    double end = ms_clock_seconds() + seconds;
    for (;;) {
        if (ms_requests_interrupted())
            return false;
        double left = end - ms_clock_seconds();
        if (left <= 0)
            return true;
        ms_sleep_seconds(left < WAIT_SLICE ? left : WAIT_SLICE);
    }
}
