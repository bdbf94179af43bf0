/*
 * csv_rows.c - turning one data line of a bars CSV into a checked row:
 * field count, the date, the numbers, then the value rules of bar_rules.c.
 */
#include "data_internal.h"

/* Longest field text quoted back in a message, and room for it with every
 * byte escaped. */
#define SHOWN_FIELD 40
#define SHOWN_CAPACITY (4 * SHOWN_FIELD + 1)

/* Picks out the field of every role; the line must have exactly as many
 * fields as the header. */
static ms_status split_row(ms_text_span cells[], ms_text_span line, size_t line_number,
                           const ms_csv_layout *layout, const char *source_name)
{
    ms_csv_fields fields;
    ms_text_span field;
    ms_csv_field_result result;
    size_t count = 0;
    ms_csv_fields_init(&fields, line);
    while ((result = ms_csv_next_field(&fields, &field)) == MS_CSV_FIELD) {
        for (int role = 0; role < MS_CSV_ROLE_COUNT; role++)
            if (layout->column_of[role] == (long)count)
                cells[role] = field;
        count++;
    }
    if (result == MS_CSV_BAD_QUOTE)
        return ms_error(MS_ERR_PARSE, "%s:%zu: unterminated or misplaced quote",
                        source_name, line_number);
    if (count != layout->columns)
        return ms_error(MS_ERR_PARSE,
                        "%s:%zu: expected %zu fields (as in the header), found %zu",
                        source_name, line_number, layout->columns, count);
    return MS_OK;
}

static ms_status read_values(ms_bar *bar, const ms_text_span cells[], size_t line_number,
                             const ms_csv_layout *layout, const char *source_name)
{
    for (int c = 0; c < MS_COLUMN_COUNT; c++) {
        bar->values[c] = 0.0;
        if (layout->column_of[c] < 0)
            continue;
        if (!ms_csv_parse_number(cells[c].text, cells[c].len, &bar->values[c])) {
            char shown[SHOWN_CAPACITY];
            ms_csv_quote(shown, sizeof shown, cells[c], SHOWN_FIELD);
            return ms_error(MS_ERR_PARSE, "%s:%zu: field '%s': '%s' is not a number",
                            source_name, line_number, ms_column_name((ms_column)c), shown);
        }
    }
    return MS_OK;
}

ms_status ms_csv_parse_row(ms_csv_row *row, ms_text_span line, size_t line_number,
                           const ms_csv_layout *layout, const char *source_name)
{
    ms_text_span cells[MS_CSV_ROLE_COUNT];
    ms_status status = split_row(cells, line, line_number, layout, source_name);
    if (status != MS_OK)
        return status;
    const char *reason = NULL;
    ms_text_span date = cells[MS_CSV_DATE];
    if (!ms_parse_utc_time(date.text, date.len, &row->timestamp, &reason)) {
        char shown[SHOWN_CAPACITY];
        ms_csv_quote(shown, sizeof shown, date, SHOWN_FIELD);
        return ms_error(MS_ERR_PARSE, "%s:%zu: field 'date': '%s': %s", source_name,
                        line_number, shown, reason);
    }
    row->line = line_number;
    return read_values(&row->bar, cells, line_number, layout, source_name);
}

ms_status ms_csv_read_row(ms_csv_row *row, ms_text_span line, size_t line_number,
                          const ms_csv_layout *layout, const char *source_name,
                          const ms_bars_options *opts)
{
    ms_status status = ms_csv_parse_row(row, line, line_number, layout, source_name);
    if (status != MS_OK)
        return status;
    ms_bar_site site = { source_name, line_number, true };
    return ms_bar_check(&row->bar, opts, &site);
}
