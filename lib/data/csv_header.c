/*
 * csv_header.c - finding the date, open, high, low, close and volume
 * columns of a CSV file by header name (bars files, and the date, close,
 * high and low of forecasts files).
 *
 * Names are matched whole (after trimming and unquoting) and
 * case-insensitively, never by prefix or substring: Quandl exports carry
 * both "Open" and "Adj. Open", and Yahoo both "Close" and "Adj Close", and
 * the raw price is the one wanted (strategies.md: adjusted columns are
 * ignored). Every unrecognised column is ignored.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "data_internal.h"

/* Accepted names per role, indexed like ms_csv_layout.column_of. */
static const char *const role_names[MS_CSV_ROLE_COUNT][6] = {
    [MS_COL_OPEN] = { "open", "o", NULL },
    [MS_COL_HIGH] = { "high", "h", NULL },
    [MS_COL_LOW] = { "low", "l", NULL },
    [MS_COL_CLOSE] = { "close", "c", NULL },
    [MS_COL_VOLUME] = { "volume", "v", NULL },
    [MS_CSV_DATE] = { "date", "timestamp", "time", "t", "datetime", NULL },
};

static const char *role_label(int role)
{
    return role == MS_CSV_DATE ? "date" : ms_column_name((ms_column)role);
}

static bool span_ieq(ms_text_span span, const char *name)
{
    size_t len = strlen(name);
    if (span.len != len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (tolower((unsigned char)span.text[i]) != name[i])
            return false;
    return true;
}

/* The wanted role a header name gives its column, or -1. */
static int role_of_name(ms_text_span name, unsigned wanted)
{
    for (int role = 0; role < MS_CSV_ROLE_COUNT; role++)
        for (const char *const *alias = role_names[role]; *alias != NULL; alias++)
            if ((wanted & MS_CSV_ROLE(role)) && span_ieq(name, *alias))
                return role;
    return -1;
}

/* Names every required role the header lacks. */
static ms_status report_missing(const ms_csv_layout *layout, ms_text_span header,
                                const char *source_name, size_t line, unsigned required)
{
    char missing[128] = "";
    size_t used = 0;
    for (int role = 0; role < MS_CSV_ROLE_COUNT; role++) {
        if (layout->column_of[role] >= 0 || !(required & MS_CSV_ROLE(role)))
            continue;
        used += (size_t)snprintf(missing + used, sizeof missing - used, "%s'%s'",
                                 used > 0 ? ", " : "", role_label(role));
    }
    char shown[4 * 200 + 1];
    ms_csv_quote(shown, sizeof shown, header, 200);
    return ms_error(MS_ERR_PARSE, "%s:%zu: missing column(s) %s in header '%s'",
                    source_name, line, missing, shown);
}

ms_status ms_csv_find_columns(ms_csv_layout *layout, ms_text_span header,
                              const char *source_name, size_t line, unsigned wanted,
                              unsigned required)
{
    ms_csv_fields fields;
    ms_text_span name;
    ms_csv_field_result result;
    layout->columns = 0;
    for (int role = 0; role < MS_CSV_ROLE_COUNT; role++)
        layout->column_of[role] = -1;
    ms_csv_fields_init(&fields, header);
    while ((result = ms_csv_next_field(&fields, &name)) == MS_CSV_FIELD) {
        long column = (long)layout->columns++;
        int role = role_of_name(name, wanted);
        if (role < 0)
            continue;
        if (layout->column_of[role] >= 0)
            return ms_error(MS_ERR_PARSE, "%s:%zu: columns %ld and %ld are both '%s'",
                            source_name, line, layout->column_of[role] + 1, column + 1,
                            role_label(role));
        layout->column_of[role] = column;
    }
    if (result == MS_CSV_BAD_QUOTE)
        return ms_error(MS_ERR_PARSE, "%s:%zu: header: unterminated or misplaced quote",
                        source_name, line);
    for (int role = 0; role < MS_CSV_ROLE_COUNT; role++)
        if (layout->column_of[role] < 0 && (required & MS_CSV_ROLE(role)))
            return report_missing(layout, header, source_name, line, required);
    return MS_OK;
}

ms_status ms_csv_read_header(ms_csv_layout *layout, ms_text_span header,
                             const char *source_name, size_t line)
{
    unsigned all = MS_CSV_ROLE(MS_CSV_ROLE_COUNT) - 1;
    return ms_csv_find_columns(layout, header, source_name, line, all,
                               all & ~MS_CSV_ROLE(MS_COL_VOLUME));
}
