/* clock.c - the monotonic clock used for every duration marketsim reports,
 * and sleeping for a duration (retry backoff, rate limits). */
#include <errno.h>
#include <math.h>
#include <time.h>

#include "core_internal.h"

MS_API double ms_clock_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

void ms_sleep_seconds(double seconds)
{
    if (!(seconds > 0))
        return;
    struct timespec remaining;
    remaining.tv_sec = (time_t)floor(seconds);
    remaining.tv_nsec = (long)((seconds - floor(seconds)) * 1e9);
    while (nanosleep(&remaining, &remaining) != 0 && errno == EINTR)
        continue;
}
