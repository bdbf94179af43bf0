/*
 * rate_limiter.c - the client-side request budget: a token bucket refilled
 * at requests_per_minute, shared by every request of a handle so that a
 * burst of loads from several threads still stays under Alpaca's limit
 * instead of collecting 429s.
 */
#include "http.h"

/* Within any minute at most burst + requests_per_minute requests leave:
 * 1/20 of a minute's budget keeps the default 190 (+ 9.5) under Alpaca's
 * 200 while letting a handful of calls go out without waiting. */
#define BURST_FRACTION (1.0 / 20.0)

ms_status ms_rate_limiter_init(ms_rate_limiter *limiter, double requests_per_minute)
{
    if (!(requests_per_minute > 0))
        return ms_error(MS_ERR_INVALID_ARG, "requests_per_minute must be positive, got %g",
                        requests_per_minute);
    if (pthread_mutex_init(&limiter->lock, NULL) != 0)
        return ms_error(MS_ERR_NOMEM, "cannot create the rate limiter's lock");
    limiter->rate = requests_per_minute / 60.0;
    limiter->burst = requests_per_minute * BURST_FRACTION < 1.0 ? 1.0
                                                               : requests_per_minute * BURST_FRACTION;
    limiter->tokens = limiter->burst;
    limiter->updated = ms_clock_seconds();
    return MS_OK;
}

void ms_rate_limiter_destroy(ms_rate_limiter *limiter)
{
    pthread_mutex_destroy(&limiter->lock);
}

double ms_rate_limiter_reserve(ms_rate_limiter *limiter, double now)
{
    pthread_mutex_lock(&limiter->lock);
    double elapsed = now > limiter->updated ? now - limiter->updated : 0.0;
    limiter->tokens += elapsed * limiter->rate;
    if (limiter->tokens > limiter->burst)
        limiter->tokens = limiter->burst;
    limiter->updated = now > limiter->updated ? now : limiter->updated;
    /* Taking the token even when none is free queues this caller behind
     * the ones already waiting, so concurrent threads are served in turn. */
    limiter->tokens -= 1.0;
    double wait = limiter->tokens >= 0 ? 0.0 : -limiter->tokens / limiter->rate;
    pthread_mutex_unlock(&limiter->lock);
    return wait;
}

void ms_rate_limiter_acquire(ms_rate_limiter *limiter)
{
    double wait = ms_rate_limiter_reserve(limiter, ms_clock_seconds());
    if (wait > 0) {
        MS_DEBUG("rate limiter: waiting %.2f s for a request slot", wait);
        ms_sleep_seconds(wait);
    }
}
