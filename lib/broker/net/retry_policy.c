/*
 * retry_policy.c - how long a GET waits before trying again: until the
 * server's rate-limit reset after a 429, else capped exponential backoff
 * with jitter so that clients failing together do not retry together.
 */
#include <math.h>

#include "http.h"

#define BACKOFF_FIRST 0.5     /* seconds before the first retry (before jitter) */
#define BACKOFF_CAP 8.0       /* the longest backoff step */

double ms_retry_delay(int attempt, long http_status, int64_t rate_limit_reset, double now_epoch,
                      double jitter)
{
    if (http_status == 429 && rate_limit_reset > 0) {
        /* The reset is whole epoch seconds: wait past it, not up to it. */
        double until_reset = (double)rate_limit_reset - now_epoch + 0.05;
        if (until_reset > 0)
            return fmin(until_reset, MS_RETRY_MAX_WAIT);
    }
    double step = fmin(BACKOFF_FIRST * ldexp(1.0, attempt < 30 ? attempt : 30), BACKOFF_CAP);
    /* Half the step is fixed so a retry never fires immediately; the other
     * half is spread by the jitter. */
    return step * (0.5 + 0.5 * jitter);
}
