/*
 * market_hours.c - the next scheduled cycle time for `marketsim trade
 * --loop`, in US/Eastern wall-clock times from UTC (core's market calendar,
 * lib/core/market_calendar.c, knows the daylight-saving rules). Calendar
 * arithmetic uses days since 1970-01-01 (proleptic Gregorian).
 */
#include <stdint.h>

#include "trade_internal.h"

#define SECONDS_PER_DAY 86400
#define EST (-5 * 3600)

MS_API int ms_us_eastern_offset(int64_t utc)
{
    return ms_eastern_offset(utc);
}

/* The UTC time of an Eastern wall-clock time (seconds since the epoch as
 * if Eastern were UTC). A time skipped in March resolves an hour later. */
static int64_t eastern_to_utc(int64_t local)
{
    int64_t utc = local - ms_us_eastern_offset(local - EST);
    return local - ms_us_eastern_offset(utc);
}

MS_API ms_status ms_trade_next_time(int64_t now, const int *times, size_t n, int every_day,
                                    int64_t *out)
{
    if (times == NULL || n == 0 || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_trade_next_time: no times or NULL out");
    for (size_t i = 0; i < n; i++)
        if (times[i] < 0 || times[i] >= SECONDS_PER_DAY)
            return ms_error(MS_ERR_INVALID_ARG, "cycle time %d is not within a day (0..86399 s)",
                            times[i]);
    int64_t today = ms_floor_div(now + ms_us_eastern_offset(now), SECONDS_PER_DAY);
    int64_t best = INT64_MAX;
    /* A week and a day always holds a weekday after `now`. */
    for (int64_t day = today; day <= today + 8 && best == INT64_MAX; day++) {
        int wd = ms_weekday(day);
        if (!every_day && (wd == 0 || wd == 6))
            continue;
        for (size_t i = 0; i < n; i++) {
            int64_t utc = eastern_to_utc(day * SECONDS_PER_DAY + times[i]);
            if (utc > now && utc < best)
                best = utc;
        }
    }
    *out = best;
    return MS_OK;
}
