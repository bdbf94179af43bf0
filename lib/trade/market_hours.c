/*
 * market_hours.c - US/Eastern wall-clock times from UTC without a tz
 * database: the US daylight-saving rules since 2007 (EDT from the second
 * Sunday of March, 2:00 local, to the first Sunday of November, 2:00
 * local), and the next scheduled cycle time for `marketsim trade --loop`.
 * Calendar arithmetic uses days since 1970-01-01 (proleptic Gregorian).
 */
#include <stdint.h>

#include "trade_internal.h"

#define SECONDS_PER_DAY 86400
#define EST (-5 * 3600)
#define EDT (-4 * 3600)

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Days since 1970-01-01 of a civil date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t year, int month, int day)
{
    year -= month <= 2;
    int64_t era = floor_div(year, 400);
    int64_t year_of_era = year - era * 400;
    int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

static int64_t year_of_days(int64_t days)
{
    int64_t shifted = days + 719468;
    int64_t era = floor_div(shifted, 146097);
    int64_t day_of_era = shifted - era * 146097;
    int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t month_index = (5 * day_of_year + 2) / 153;   /* 0 = March */
    return year_of_era + era * 400 + (month_index >= 10);
}

/* 0 = Sunday ... 6 = Saturday; 1970-01-01 was a Thursday. */
static int weekday(int64_t days)
{
    return (int)(((days + 4) % 7 + 7) % 7);
}

static int64_t nth_sunday(int64_t year, int month, int n)
{
    int64_t first = days_from_civil(year, month, 1);
    return first + (7 - weekday(first)) % 7 + 7 * (n - 1);
}

MS_API int ms_us_eastern_offset(int64_t utc)
{
    /* The UTC year is the Eastern one whenever it matters: the switches
     * are in March and November, far from New Year. */
    int64_t year = year_of_days(floor_div(utc, SECONDS_PER_DAY));
    int64_t starts = nth_sunday(year, 3, 2) * SECONDS_PER_DAY + 2 * 3600 - EST;
    int64_t ends = nth_sunday(year, 11, 1) * SECONDS_PER_DAY + 2 * 3600 - EDT;
    return utc >= starts && utc < ends ? EDT : EST;
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
    int64_t today = floor_div(now + ms_us_eastern_offset(now), SECONDS_PER_DAY);
    int64_t best = INT64_MAX;
    /* A week and a day always holds a weekday after `now`. */
    for (int64_t day = today; day <= today + 8 && best == INT64_MAX; day++) {
        int wd = weekday(day);
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
