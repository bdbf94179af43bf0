/* clock.c - the monotonic clock used for every duration marketsim reports. */
#include <time.h>

#include "core_internal.h"

MS_API double ms_clock_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}
