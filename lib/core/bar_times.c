/*
 * bar_times.c - the times of the bars after a series' last one, for models
 * that read the timestamps of the bars they predict (Kronos): daily bars
 * move to the next US market sessions (market_calendar.c), intraday bars
 * step by their interval within the hours the series itself trades,
 * continuing at the next session's first bar time. Continuous markets
 * (crypto) step by the interval on every day. ms_next_bar_time, the
 * daily step of one bar, lives here too, so there is one daily stepper.
 */
#include <stdbool.h>
#include <stdint.h>

#include "core/core_internal.h"
#include "marketsim/data.h"

/* Bars at least this far apart are daily (or coarser) bars: a session
 * never spans 20 hours, so no intraday interval reaches it. */
#define DAILY_GAP (20 * 3600)

/* The smallest positive gap between consecutive times: the bar interval
 * (larger gaps are nights, weekends and missing bars). 0 for one bar. */
static int64_t bar_interval(const int64_t *timestamps, size_t n)
{
    int64_t interval = 0;
    for (size_t i = 1; i < n; i++) {
        int64_t gap = timestamps[i] - timestamps[i - 1];
        if (gap > 0 && (interval == 0 || gap < interval))
            interval = gap;
    }
    return interval;
}

static int64_t eastern_day(int64_t utc)
{
    return ms_floor_div(utc + ms_eastern_offset(utc), MS_SECONDS_PER_DAY);
}

static int64_t eastern_time_of_day(int64_t utc)
{
    int64_t local = utc + ms_eastern_offset(utc);
    return local - ms_floor_div(local, MS_SECONDS_PER_DAY) * MS_SECONDS_PER_DAY;
}

/* The UTC time of Eastern wall-clock `seconds` into `day`. */
static int64_t eastern_to_utc(int64_t day, int64_t seconds)
{
    int64_t local = day * MS_SECONDS_PER_DAY + seconds;
    int64_t guess = local - ms_eastern_offset(local + 5 * 3600);
    return local - ms_eastern_offset(guess);
}

/* The one daily stepper (`marketsim forecast`'s dates and the bar models'
 * future times both use it): crypto moves by days, stocks by US session
 * days, at the bar's UTC time of day. */
MS_API int64_t ms_next_bar_time(int64_t timestamp, ms_asset_class asset_class, size_t steps)
{
    int64_t day = ms_floor_div(timestamp, MS_SECONDS_PER_DAY);
    int64_t time_of_day = timestamp - day * MS_SECONDS_PER_DAY;
    if (asset_class == MS_ASSET_CRYPTO)
        return timestamp + (int64_t)steps * MS_SECONDS_PER_DAY;
    for (size_t done = 0; done < steps;) {
        day++;
        done += ms_us_session_day(day);
    }
    return day * MS_SECONDS_PER_DAY + time_of_day;
}

/* Daily bars: the next session days, at the last bar's UTC time of day. */
static void next_sessions(int64_t last, bool every_day, size_t horizon, int64_t *out)
{
    ms_asset_class days = every_day ? MS_ASSET_CRYPTO : MS_ASSET_STOCK;
    for (size_t h = 0; h < horizon; h++)
        out[h] = ms_next_bar_time(h == 0 ? last : out[h - 1], days, 1);
}

/* Intraday bars of a session market: the series' own first and last
 * Eastern bar times of day bound each session (so bar-start and bar-end
 * stamps, regular and extended hours all continue as they were). */
static void next_session_bars(const int64_t *timestamps, size_t n, int64_t interval,
                              size_t horizon, int64_t *out)
{
    int64_t earliest = MS_SECONDS_PER_DAY, latest = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t seconds = eastern_time_of_day(timestamps[i]);
        earliest = seconds < earliest ? seconds : earliest;
        latest = seconds > latest ? seconds : latest;
    }
    int64_t at = timestamps[n - 1];
    for (size_t h = 0; h < horizon; h++) {
        at += interval;
        int64_t day = eastern_day(at);
        if (!ms_us_session_day(day) || eastern_time_of_day(at) > latest) {
            do
                day++;
            while (!ms_us_session_day(day));
            at = eastern_to_utc(day, earliest);
        } else if (eastern_time_of_day(at) < earliest) {
            at = eastern_to_utc(day, earliest);
        }
        out[h] = at;
    }
}

MS_API ms_status ms_bars_next_times(const int64_t *timestamps, size_t n, int every_day,
                                    size_t horizon, int64_t *out)
{
    if (timestamps == NULL || n == 0 || (horizon > 0 && out == NULL))
        return ms_error(MS_ERR_INVALID_ARG, "ms_bars_next_times: needs at least one timestamp "
                        "and an output");
    for (size_t i = 1; i < n; i++)
        if (timestamps[i] <= timestamps[i - 1])
            return ms_error(MS_ERR_INVALID_ARG, "ms_bars_next_times: timestamp %zu is not after "
                            "the one before it", i);
    int64_t interval = bar_interval(timestamps, n);
    if (interval == 0 || interval >= DAILY_GAP) {
        next_sessions(timestamps[n - 1], every_day, horizon, out);
        return MS_OK;
    }
    if (every_day) {
        for (size_t h = 0; h < horizon; h++)
            out[h] = timestamps[n - 1] + (int64_t)(h + 1) * interval;
        return MS_OK;
    }
    next_session_bars(timestamps, n, interval, horizon, out);
    return MS_OK;
}
