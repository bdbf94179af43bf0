/*
 * dates.c - calendar arithmetic and date parsing, in UTC seconds.
 *
 * The conversion is done by hand (Howard Hinnant's days_from_civil) rather
 * than with timegm/mktime: those depend on TZ and the C library, and the
 * result must be the same on every machine.
 */
#include <ctype.h>
#include <stdio.h>

#include "core_internal.h"

#define DATE_SHAPE "expected YYYY-MM-DD, optionally with [ T]HH:MM:SS[.fff][Z|+HH:MM]"

int64_t ms_days_from_civil(int64_t year, int month, int day)
{
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t year_of_era = year - era * 400;                            /* [0, 399] */
    int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

int ms_weekday(int64_t days)
{
    /* 1970-01-01 was a Thursday (4). */
    return (int)(((days % 7) + 11) % 7);
}

void ms_civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t day_of_era = days - era * 146097;                           /* [0, 146096] */
    int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 -
                           day_of_era / 146096) / 365;                  /* [0, 399] */
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t month_index = (5 * day_of_year + 2) / 153;                  /* March = 0 */
    *day = (int)(day_of_year - (153 * month_index + 2) / 5 + 1);
    *month = (int)(month_index < 10 ? month_index + 3 : month_index - 9);
    *year = year_of_era + era * 400 + (*month <= 2);
}

/* Splits UTC seconds into a civil date and the seconds into its day. */
static void split_utc_time(int64_t seconds, int64_t *year, int *month, int *day, int64_t *clock)
{
    int64_t days = seconds / MS_SECONDS_PER_DAY;
    *clock = seconds % MS_SECONDS_PER_DAY;
    if (*clock < 0) {
        days--;
        *clock += MS_SECONDS_PER_DAY;
    }
    ms_civil_from_days(days, year, month, day);
}

void ms_format_utc_time(int64_t seconds, char text[MS_UTC_TIME_TEXT])
{
    int64_t year, clock;
    int month, day;
    split_utc_time(seconds, &year, &month, &day, &clock);
    if (clock == 0)
        snprintf(text, MS_UTC_TIME_TEXT, "%04lld-%02d-%02d", (long long)year, month, day);
    else
        snprintf(text, MS_UTC_TIME_TEXT, "%04lld-%02d-%02d %02d:%02d:%02d", (long long)year,
                 month, day, (int)(clock / 3600), (int)(clock / 60 % 60), (int)(clock % 60));
}

void ms_format_rfc3339(int64_t seconds, char text[MS_UTC_TIME_TEXT])
{
    int64_t year, clock;
    int month, day;
    split_utc_time(seconds, &year, &month, &day, &clock);
    snprintf(text, MS_UTC_TIME_TEXT, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)year, month, day,
             (int)(clock / 3600), (int)(clock / 60 % 60), (int)(clock % 60));
}

static int days_in_month(int64_t year, int month)
{
    static const int lengths[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : lengths[month - 1];
}

/* A cursor over the text being parsed. */
typedef struct date_cursor {
    const char *at;
    const char *end;
} date_cursor;

/* Reads exactly `digits` decimal digits; false when there are fewer. */
static bool read_number(date_cursor *cursor, int digits, int *value)
{
    if (cursor->end - cursor->at < digits)
        return false;
    int result = 0;
    for (int i = 0; i < digits; i++) {
        if (!isdigit((unsigned char)cursor->at[i]))
            return false;
        result = result * 10 + (cursor->at[i] - '0');
    }
    cursor->at += digits;
    *value = result;
    return true;
}

static bool read_char(date_cursor *cursor, char expected)
{
    if (cursor->at == cursor->end || *cursor->at != expected)
        return false;
    cursor->at++;
    return true;
}

/* YYYY-MM-DD into days since the epoch. */
static bool read_calendar_date(date_cursor *cursor, int64_t *days, const char **reason)
{
    int year, month, day;
    *reason = "not a date (" DATE_SHAPE ")";
    if (!read_number(cursor, 4, &year) || !read_char(cursor, '-') ||
        !read_number(cursor, 2, &month) || !read_char(cursor, '-') ||
        !read_number(cursor, 2, &day))
        return false;
    if (month < 1 || month > 12) {
        *reason = "month out of range";
        return false;
    }
    if (day < 1 || day > days_in_month(year, month)) {
        *reason = "day out of range for its month";
        return false;
    }
    *days = ms_days_from_civil(year, month, day);
    return true;
}

/* HH:MM[:SS][.fff] into seconds since midnight; fractions are dropped
 * because bars are stamped to the second. */
static bool read_clock(date_cursor *cursor, int64_t *seconds, const char **reason)
{
    int hour, minute, second = 0;
    *reason = "not a time of day (" DATE_SHAPE ")";
    if (!read_number(cursor, 2, &hour) || !read_char(cursor, ':') ||
        !read_number(cursor, 2, &minute))
        return false;
    if (read_char(cursor, ':') && !read_number(cursor, 2, &second))
        return false;
    if (read_char(cursor, '.')) {
        const char *digits = cursor->at;
        while (cursor->at < cursor->end && isdigit((unsigned char)*cursor->at))
            cursor->at++;
        if (cursor->at == digits)
            return false;
    }
    if (hour > 23 || minute > 59 || second > 59) {
        *reason = "time of day out of range";
        return false;
    }
    *seconds = hour * 3600 + minute * 60 + second;
    return true;
}

/* Z, +HH:MM, -HH:MM (or +HHMM, +HH) into seconds east of UTC. */
static bool read_offset(date_cursor *cursor, int64_t *offset, const char **reason)
{
    *offset = 0;
    if (cursor->at == cursor->end || read_char(cursor, 'Z') || read_char(cursor, 'z'))
        return true;
    int sign = *cursor->at == '-' ? -1 : 1;
    int hours, minutes = 0;
    *reason = "bad UTC offset (expected Z, +HH:MM or -HH:MM)";
    if (!read_char(cursor, '+') && !read_char(cursor, '-'))
        return false;
    if (!read_number(cursor, 2, &hours))
        return false;
    if (cursor->at < cursor->end) {
        read_char(cursor, ':');
        if (!read_number(cursor, 2, &minutes))
            return false;
    }
    if (hours > 23 || minutes > 59)
        return false;
    *offset = sign * (hours * 3600 + minutes * 60);
    return true;
}

bool ms_parse_utc_time(const char *text, size_t len, int64_t *seconds, const char **reason)
{
    date_cursor cursor = { text, text + len };
    while (cursor.at < cursor.end && isspace((unsigned char)*cursor.at))
        cursor.at++;
    while (cursor.end > cursor.at && isspace((unsigned char)cursor.end[-1]))
        cursor.end--;
    int64_t days, clock = 0, offset = 0;
    if (!read_calendar_date(&cursor, &days, reason))
        return false;
    if (cursor.at < cursor.end) {
        if (!read_char(&cursor, ' ') && !read_char(&cursor, 'T') && !read_char(&cursor, 't')) {
            *reason = "unexpected text after the date (" DATE_SHAPE ")";
            return false;
        }
        if (!read_clock(&cursor, &clock, reason) || !read_offset(&cursor, &offset, reason))
            return false;
    }
    if (cursor.at != cursor.end) {
        *reason = "unexpected text after the time (" DATE_SHAPE ")";
        return false;
    }
    *seconds = days * MS_SECONDS_PER_DAY + clock - offset;
    return true;
}
