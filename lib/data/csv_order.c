/*
 * csv_order.c - putting parsed CSV rows in time order: ascending files are
 * left alone, newest-first files (Quandl/Nasdaq WIKI) are reversed, and
 * anything else is sorted. Rows repeating a timestamp are dropped when
 * they are exact copies (vendors' appended exports overlap) and rejected
 * when they disagree, since either could be the wrong one.
 */
#include <stdlib.h>

#include "data_internal.h"

/* By timestamp, then by line so that equal timestamps keep file order. */
static int compare_rows(const void *a, const void *b)
{
    const ms_csv_row *left = a;
    const ms_csv_row *right = b;
    if (left->timestamp != right->timestamp)
        return left->timestamp < right->timestamp ? -1 : 1;
    return left->line < right->line ? -1 : left->line > right->line;
}

static bool rows_ascending(const ms_csv_row *rows, size_t count)
{
    for (size_t i = 1; i < count; i++)
        if (rows[i].timestamp < rows[i - 1].timestamp)
            return false;
    return true;
}

static bool rows_descending(const ms_csv_row *rows, size_t count)
{
    for (size_t i = 1; i < count; i++)
        if (rows[i].timestamp > rows[i - 1].timestamp)
            return false;
    return true;
}

static void reverse_rows(ms_csv_row *rows, size_t count)
{
    for (size_t i = 0, j = count - 1; i < j; i++, j--) {
        ms_csv_row swap = rows[i];
        rows[i] = rows[j];
        rows[j] = swap;
    }
}

static bool same_values(const ms_bar *a, const ms_bar *b)
{
    for (int c = 0; c < MS_COLUMN_COUNT; c++)
        if (a->values[c] != b->values[c])
            return false;
    return true;
}

static ms_status report_conflict(const ms_csv_row *a, const ms_csv_row *b,
                                 const char *source_name)
{
    char date[MS_UTC_TIME_TEXT];
    ms_format_utc_time(a->timestamp, date);
    size_t first = a->line < b->line ? a->line : b->line;
    size_t second = a->line < b->line ? b->line : a->line;
    return ms_error(MS_ERR_DATA,
                    "%s:%zu: date %s repeats line %zu with different values",
                    source_name, second, date, first);
}

ms_status ms_csv_order_rows(ms_csv_row *rows, size_t count, size_t *kept,
                            const char *source_name)
{
    if (count > 1 && !rows_ascending(rows, count)) {
        if (rows_descending(rows, count))
            reverse_rows(rows, count);
        else
            qsort(rows, count, sizeof *rows, compare_rows);
    }
    size_t out = 0;
    for (size_t i = 0; i < count; i++) {
        if (out > 0 && rows[i].timestamp == rows[out - 1].timestamp) {
            if (!same_values(&rows[i].bar, &rows[out - 1].bar))
                return report_conflict(&rows[out - 1], &rows[i], source_name);
            continue;
        }
        rows[out++] = rows[i];
    }
    *kept = out;
    return MS_OK;
}
