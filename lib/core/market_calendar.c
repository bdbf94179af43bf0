/*
 * market_calendar.c - the US stock market's calendar without a tz
 * database: US/Eastern from UTC (the daylight-saving rules since 2007), the
 * NYSE's full-day holidays, and the last session on or before a moment.
 * Lower layers judge data freshness with it (the analyzer) and the trade
 * layer schedules cycles with it, so it lives in core.
 */
#include "core_internal.h"

#define EST (-5 * 3600)
#define EDT (-4 * 3600)
#define SESSION_OPENS (9 * 3600 + 30 * 60)   /* 09:30 US/Eastern */

int64_t ms_floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The day of the nth `weekday` (0 = Sunday) of a month; n = -1 is the last. */
static int64_t nth_weekday(int64_t year, int month, int weekday, int n)
{
    if (n < 0) {
        int64_t last = ms_days_from_civil(year + (month == 12), month % 12 + 1, 1) - 1;
        return last - (ms_weekday(last) - weekday + 7) % 7;
    }
    int64_t first = ms_days_from_civil(year, month, 1);
    return first + (weekday - ms_weekday(first) + 7) % 7 + 7 * (n - 1);
}

int ms_eastern_offset(int64_t utc)
{
    /* The UTC year is the Eastern one whenever it matters: the switches
     * are in March and November, far from New Year. */
    int64_t year;
    int month, day;
    ms_civil_from_days(ms_floor_div(utc, MS_SECONDS_PER_DAY), &year, &month, &day);
    int64_t starts = nth_weekday(year, 3, 0, 2) * MS_SECONDS_PER_DAY + 2 * 3600 - EST;
    int64_t ends = nth_weekday(year, 11, 0, 1) * MS_SECONDS_PER_DAY + 2 * 3600 - EDT;
    return utc >= starts && utc < ends ? EDT : EST;
}

/* A fixed-date holiday on a Saturday is observed the Friday before, on a
 * Sunday the Monday after. */
static int64_t observed(int64_t day)
{
    int weekday = ms_weekday(day);
    return weekday == 6 ? day - 1 : weekday == 0 ? day + 1 : day;
}

/* Easter Sunday (the Meeus/Jones/Butcher Gregorian algorithm). */
static int64_t easter(int64_t y)
{
    int64_t a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
    int64_t f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
    int64_t i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
    int64_t m = (a + 11 * h + 22 * l) / 451;
    int64_t n = h + l - 7 * m + 114;
    return ms_days_from_civil(y, (int)(n / 31), (int)(n % 31 + 1));
}

/* Unscheduled closures (national days of mourning, storms, 9/11) since 2001. */
static bool special_closure(int64_t day)
{
    static const int closures[][3] = {
        { 2001, 9, 11 }, { 2001, 9, 12 }, { 2001, 9, 13 }, { 2001, 9, 14 }, { 2004, 6, 11 },
        { 2007, 1, 2 }, { 2012, 10, 29 }, { 2012, 10, 30 }, { 2018, 12, 5 }, { 2025, 1, 9 } };
    for (size_t i = 0; i < MS_ARRAY_LEN(closures); i++)
        if (ms_days_from_civil(closures[i][0], closures[i][1], closures[i][2]) == day)
            return true;
    return false;
}

bool ms_nyse_holiday(int64_t day)
{
    int64_t year;
    int month, date;
    ms_civil_from_days(day, &year, &month, &date);
    /* New Year's Day on a Saturday is not observed on the Friday before
     * (NYSE rule 7.2), so only a Sunday moves it. */
    int64_t new_year = ms_days_from_civil(year, 1, 1);
    int64_t holidays[] = {
        ms_weekday(new_year) == 0 ? new_year + 1 : new_year,
        year >= 1998 ? nth_weekday(year, 1, 1, 3) : -1,           /* Martin Luther King Jr. Day */
        nth_weekday(year, 2, 1, 3),                                /* Washington's Birthday */
        easter(year) - 2,                                          /* Good Friday */
        nth_weekday(year, 5, 1, -1),                               /* Memorial Day */
        year >= 2022 ? observed(ms_days_from_civil(year, 6, 19)) : -1,   /* Juneteenth */
        observed(ms_days_from_civil(year, 7, 4)),                  /* Independence Day */
        nth_weekday(year, 9, 1, 1),                                /* Labor Day */
        nth_weekday(year, 11, 4, 4),                               /* Thanksgiving */
        observed(ms_days_from_civil(year, 12, 25)),                /* Christmas */
    };
    for (size_t i = 0; i < MS_ARRAY_LEN(holidays); i++)
        if (holidays[i] == day)
            return true;
    return special_closure(day);
}

bool ms_us_session_day(int64_t day)
{
    int weekday = ms_weekday(day);
    return weekday != 0 && weekday != 6 && !ms_nyse_holiday(day);
}

int64_t ms_us_last_session(int64_t utc)
{
    int64_t local = utc + ms_eastern_offset(utc);
    int64_t day = ms_floor_div(local, MS_SECONDS_PER_DAY);
    if (local - day * MS_SECONDS_PER_DAY < SESSION_OPENS)
        day--;
    while (!ms_us_session_day(day))
        day--;
    return day;
}
