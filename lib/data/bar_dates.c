/*
 * bar_dates.c - when the next bars of a series fall: every day for crypto,
 * US session days (weekdays less NYSE holidays) for stocks. Forecasts are
 * by step; this puts a date on each step (`marketsim forecast`).
 */
#include "core/core_internal.h"
#include "marketsim/data.h"

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
