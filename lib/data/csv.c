/*
 * csv.c - the CSV bars loader: reads a file whole, finds the header, parses
 * every data line in one pass into a single preallocated row array, orders
 * the rows and copies them into a new series. The forecasts loader
 * (forecasts_csv.c) reads its table the same way. The pieces live in
 * csv_text.c (lines, fields), csv_header.c (columns), csv_rows.c (one row),
 * csv_number.c (numbers) and csv_order.c (sorting, duplicates).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data_internal.h"

/* Rows can be no more than the lines left: one allocation suffices. */
static size_t count_lines(const ms_csv_reader *reader)
{
    ms_csv_reader counter = *reader;
    ms_text_span line;
    size_t lines = 1;
    while (ms_csv_next_line(&counter, &line))
        lines++;
    return lines;
}

/* The next line holding anything but whitespace; false at the end. */
static bool next_content_line(ms_csv_reader *reader, ms_text_span *line)
{
    while (ms_csv_next_line(reader, line))
        if (!ms_csv_line_is_blank(*line))
            return true;
    return false;
}

static ms_status read_rows(ms_csv_row *rows, size_t *count, ms_csv_reader *reader,
                           const ms_csv_layout *layout, const char *source_name,
                           const ms_bars_options *opts)
{
    ms_text_span line;
    *count = 0;
    while (next_content_line(reader, &line)) {
        ms_status status = opts != NULL
                               ? ms_csv_read_row(&rows[*count], line, reader->line, layout,
                                                 source_name, opts)
                               : ms_csv_parse_row(&rows[*count], line, reader->line, layout,
                                                  source_name);
        if (status != MS_OK)
            return status;
        (*count)++;
    }
    return MS_OK;
}

static ms_status rows_to_bars(ms_bars **out, const ms_csv_row *rows, size_t count,
                              const char *symbol)
{
    ms_bars *bars = NULL;
    ms_status status = ms_bars_alloc(&bars, symbol, count);
    if (status != MS_OK)
        return status;
    for (size_t i = 0; i < count; i++) {
        bars->timestamps[i] = rows[i].timestamp;
        for (int c = 0; c < MS_COLUMN_COUNT; c++)
            bars->columns[c][i] = rows[i].bar.values[c];
    }
    *out = bars;
    return MS_OK;
}

/* Header, rows, order: everything once the arguments are checked. */
static ms_status parse_table(ms_csv_table *table, ms_csv_reader *reader, const char *source_name,
                             unsigned wanted, unsigned required, const ms_bars_options *opts)
{
    ms_text_span header;
    if (!next_content_line(reader, &header))
        return ms_error(MS_ERR_PARSE, "%s:1: empty file (no header line)", source_name);
    size_t header_line = reader->line;
    ms_status status = ms_csv_find_columns(&table->layout, header, source_name, header_line,
                                           wanted, required);
    if (status != MS_OK)
        return status;
    size_t capacity = count_lines(reader);
    table->rows = malloc(capacity * sizeof *table->rows);
    if (table->rows == NULL)
        return ms_error(MS_ERR_NOMEM, "%s: out of memory for %zu rows", source_name, capacity);
    status = read_rows(table->rows, &table->count, reader, &table->layout, source_name, opts);
    if (status == MS_OK && table->count == 0)
        status = ms_error(MS_ERR_PARSE, "%s:%zu: header but no data rows", source_name,
                          header_line);
    if (status == MS_OK)
        status = ms_csv_order_rows(table->rows, table->count, &table->count, source_name);
    return status;
}

ms_status ms_csv_read_table(ms_csv_table *table, const char *text, size_t len,
                            const char *source_name, unsigned wanted, unsigned required,
                            const ms_bars_options *opts)
{
    *table = (ms_csv_table){ 0 };
    /* UTF-16 would otherwise read as a header of odd bytes and fail as
     * "missing columns", hiding the real problem. */
    if (text != NULL && ms_csv_is_utf16(text, len))
        return ms_error(MS_ERR_PARSE, "%s:1: the file is UTF-16 (it starts with a UTF-16 "
                        "byte order mark); CSV files must be UTF-8 or ASCII", source_name);
    ms_csv_reader reader;
    ms_csv_reader_init(&reader, text != NULL ? text : "", len);
    ms_status status = parse_table(table, &reader, source_name, wanted, required, opts);
    if (status != MS_OK) {
        free(table->rows);
        *table = (ms_csv_table){ 0 };
    }
    return status;
}

MS_API ms_status ms_bars_parse_csv(ms_bars **out, const char *text, size_t len,
                                   const char *source_name, const char *symbol,
                                   const ms_bars_options *opts)
{
    if (source_name == NULL)
        source_name = "(csv text)";
    if (out == NULL || (text == NULL && len > 0))
        return ms_error(MS_ERR_INVALID_ARG, "%s: out or text is NULL", source_name);
    if (symbol == NULL || *symbol == '\0')
        return ms_error(MS_ERR_INVALID_ARG, "%s: symbol is NULL or empty", source_name);
    ms_bars_options rules;
    ms_status status = ms_bars_options_resolve(opts, &rules);
    if (status != MS_OK)
        return status;
    unsigned all = MS_CSV_ROLE(MS_CSV_ROLE_COUNT) - 1;
    ms_csv_table table;
    status = ms_csv_read_table(&table, text, len, source_name, all,
                               all & ~MS_CSV_ROLE(MS_COL_VOLUME), &rules);
    if (status == MS_OK)
        status = rows_to_bars(out, table.rows, table.count, symbol);
    free(table.rows);
    return status;
}

static ms_status io_error(const char *what, const char *path, int error)
{
    char reason[128];
    if (strerror_r(error, reason, sizeof reason) != 0)
        snprintf(reason, sizeof reason, "error %d", error);
    return ms_error(MS_ERR_IO, "%s: cannot %s: %s", path, what, reason);
}

/* Reads an open stream to its end into a malloc'ed buffer; `capacity` is
 * the first guess (the file size plus one, so a regular file is read with
 * no regrowth; other files grow the buffer). Sets errno on failure. */
static char *read_stream(FILE *file, size_t capacity, size_t *len)
{
    char *buffer = NULL;
    size_t used = 0;
    for (;;) {
        if (buffer == NULL || used == capacity) {
            capacity = buffer == NULL ? capacity : capacity * 2;
            char *grown = realloc(buffer, capacity);
            if (grown == NULL) {
                free(buffer);
                errno = ENOMEM;
                return NULL;
            }
            buffer = grown;
        }
        used += fread(buffer + used, 1, capacity - used, file);
        if (used < capacity)
            break;
    }
    if (ferror(file)) {
        free(buffer);
        return NULL;
    }
    *len = used;
    return buffer;
}

ms_status ms_csv_read_file(const char *path, char **text, size_t *len)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return io_error("open", path, errno);
    struct stat info;
    size_t capacity = 4096;
    if (fstat(fileno(file), &info) == 0 && S_ISREG(info.st_mode))
        capacity = (size_t)info.st_size + 1;
    errno = 0;
    *text = read_stream(file, capacity, len);
    int error = errno != 0 ? errno : EIO;
    fclose(file);
    if (*text == NULL)
        return error == ENOMEM ? ms_error(MS_ERR_NOMEM, "%s: out of memory reading it", path)
                               : io_error("read", path, error);
    return MS_OK;
}

MS_API ms_status ms_bars_load_csv(ms_bars **out, const char *path, const char *symbol,
                                  const ms_bars_options *opts)
{
    if (out == NULL || path == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_bars_load_csv: out or path is NULL");
    *out = NULL;
    if (symbol == NULL || *symbol == '\0')
        return ms_error(MS_ERR_INVALID_ARG, "%s: symbol is NULL or empty", path);
    char *text = NULL;
    size_t len = 0;
    ms_status status = ms_csv_read_file(path, &text, &len);
    if (status != MS_OK)
        return status;
    status = ms_bars_parse_csv(out, text, len, path, symbol, opts);
    free(text);
    return status;
}
