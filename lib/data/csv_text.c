/*
 * csv_text.c - splitting CSV text into lines and fields, in place: no copy
 * and no allocation per line or field. Handles a UTF-8 byte order mark,
 * LF, CRLF and old-Mac CR line ends, whitespace around fields and simple double-quoted
 * fields (quotes may hold commas; quoted newlines are not supported, as no
 * bars file needs them).
 */
#include <ctype.h>
#include <string.h>

#include "data_internal.h"

void ms_csv_reader_init(ms_csv_reader *reader, const char *text, size_t len)
{
    static const char bom[] = "\xEF\xBB\xBF";
    if (len >= 3 && memcmp(text, bom, 3) == 0) {
        text += 3;
        len -= 3;
    }
    reader->at = text;
    reader->end = text + len;
    reader->line = 0;
}

bool ms_csv_is_utf16(const char *text, size_t len)
{
    return len >= 2 && ((text[0] == '\xFF' && text[1] == '\xFE') ||
                        (text[0] == '\xFE' && text[1] == '\xFF'));
}

void ms_csv_quote(char *out, size_t capacity, ms_text_span span, size_t limit)
{
    ms_quote_bytes(out, capacity, span.text, span.len < limit ? span.len : limit);
}

bool ms_csv_next_line(ms_csv_reader *reader, ms_text_span *line)
{
    if (reader->at >= reader->end)
        return false;
    const char *start = reader->at;
    const char *stop = start;
    while (stop < reader->end && *stop != '\n' && *stop != '\r')
        stop++;
    reader->at = stop;
    if (reader->at < reader->end && *reader->at == '\r')
        reader->at++;
    if (reader->at < reader->end && *reader->at == '\n')
        reader->at++;
    line->text = start;
    line->len = (size_t)(stop - start);
    reader->line++;
    return true;
}

bool ms_csv_line_is_blank(ms_text_span line)
{
    for (size_t i = 0; i < line.len; i++)
        if (!isspace((unsigned char)line.text[i]))
            return false;
    return true;
}

void ms_csv_fields_init(ms_csv_fields *fields, ms_text_span line)
{
    fields->at = line.text;
    fields->end = line.text + line.len;
    fields->done = false;
}

static const char *skip_space(const char *at, const char *end)
{
    while (at < end && isspace((unsigned char)*at))
        at++;
    return at;
}

/* Reads a quoted field starting at the opening quote; *after is left on
 * the character following the closing quote. */
static bool read_quoted(const char *quote, const char *end, ms_text_span *field,
                        const char **after)
{
    const char *at = quote + 1;
    for (;;) {
        const char *close = memchr(at, '"', (size_t)(end - at));
        if (close == NULL)
            return false;
        if (close + 1 < end && close[1] == '"') {
            at = close + 2;
            continue;
        }
        field->text = quote + 1;
        field->len = (size_t)(close - quote - 1);
        *after = close + 1;
        return true;
    }
}

ms_csv_field_result ms_csv_next_field(ms_csv_fields *fields, ms_text_span *field)
{
    if (fields->done)
        return MS_CSV_LINE_END;
    const char *start = skip_space(fields->at, fields->end);
    const char *stop;
    if (start < fields->end && *start == '"') {
        const char *after;
        if (!read_quoted(start, fields->end, field, &after))
            return MS_CSV_BAD_QUOTE;
        stop = skip_space(after, fields->end);
        if (stop < fields->end && *stop != ',')
            return MS_CSV_BAD_QUOTE;
    } else {
        const char *comma = memchr(start, ',', (size_t)(fields->end - start));
        stop = comma != NULL ? comma : fields->end;
        const char *last = stop;
        while (last > start && isspace((unsigned char)last[-1]))
            last--;
        field->text = start;
        field->len = (size_t)(last - start);
    }
    fields->done = stop >= fields->end;
    fields->at = fields->done ? fields->end : stop + 1;
    return MS_CSV_FIELD;
}
