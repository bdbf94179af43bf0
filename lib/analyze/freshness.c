/*
 * freshness.c - whether each symbol's data is current at the report's
 * as_of (strategies.md, "Freshness"): stocks against the US market's last
 * session (core's market calendar), crypto against the calendar day. A
 * stale symbol keeps its rank and numbers but is never picked, so `trade`
 * opens nothing on data that stopped.
 */
#include "analyze_internal.h"
#include "core/core_internal.h"

/* A stamp at 00:00 UTC is a date-only bar (CSV dates): its UTC date. Other
 * stock bars are dated in US/Eastern (Alpaca stamps daily bars at midnight
 * Eastern, intraday bars within the session), crypto bars in UTC. */
int64_t ms_bar_day(int64_t t, ms_asset_class asset_class)
{
    if (asset_class == MS_ASSET_CRYPTO || t % MS_SECONDS_PER_DAY == 0)
        return ms_floor_div(t, MS_SECONDS_PER_DAY);
    return ms_floor_div(t + ms_eastern_offset(t), MS_SECONDS_PER_DAY);
}

/* The date a symbol's last bar stands for. */
static int64_t last_bar_day(const ms_symbol_report *r)
{
    return ms_bar_day(r->last_timestamp, r->asset_class);
}

/* Unset as_of: the end of the newest bar's day, so a historical data set is
 * judged against itself, not the wall clock; 0 when no symbol loaded. */
static int64_t newest_day_end(const ms_report *report)
{
    if (report->symbol_count == 0)
        return 0;
    int64_t newest = last_bar_day(&report->symbols[0]);
    for (size_t i = 1; i < report->symbol_count; i++) {
        int64_t day = last_bar_day(&report->symbols[i]);
        newest = day > newest ? day : newest;
    }
    return newest * MS_SECONDS_PER_DAY + MS_SECONDS_PER_DAY - 1;
}

static ms_status warn_stale(ms_report *report, const ms_symbol_report *r, int64_t limit)
{
    char last[MS_UTC_TIME_TEXT], due[MS_UTC_TIME_TEXT];
    ms_format_utc_time(r->last_timestamp, last);
    if (r->asset_class == MS_ASSET_CRYPTO) {
        ms_format_utc_time((limit + 1) * MS_SECONDS_PER_DAY, due);
        return ms_report_warn(report, "%s: stale data: last bar %s is more than a day before "
                              "%s; not picked", r->symbol, last, due);
    }
    ms_format_utc_time(limit * MS_SECONDS_PER_DAY, due);
    return ms_report_warn(report, "%s: stale data: last bar %s is before the market's last "
                          "session, %s; not picked", r->symbol, last, due);
}

ms_status ms_judge_freshness(ms_report *report)
{
    if (report->options.as_of == 0)
        report->options.as_of = newest_day_end(report);
    int64_t as_of = report->options.as_of;
    if (as_of == 0)
        return MS_OK;
    int64_t session = ms_us_last_session(as_of);
    /* Crypto trades every day: yesterday's bar is the newest a daily feed
     * may have completed, anything older has stopped. */
    int64_t oldest_crypto = ms_floor_div(as_of, MS_SECONDS_PER_DAY) - 1;
    ms_status status = MS_OK;
    for (size_t i = 0; i < report->symbol_count && status == MS_OK; i++) {
        ms_symbol_report *r = &report->symbols[i];
        int64_t limit = r->asset_class == MS_ASSET_CRYPTO ? oldest_crypto : session;
        r->stale = last_bar_day(r) < limit;
        if (r->stale)
            status = warn_stale(report, r, limit);
    }
    return status;
}
