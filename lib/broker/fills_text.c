/*
 * fills_text.c - fills for people and programs: the text of `marketsim
 * account` and of a trade cycle's summary (one line a fill, within 100
 * columns, prices to the instrument's tick), and the JSON both print.
 * Realised P&L is shown only for a complete list: a partial one does not
 * know the cost basis (fill_list.c).
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "data/data_internal.h"
#include "fills_internal.h"

#define TEXT_WIDTH 100

/* "YYYY-MM-DD HH:MM" of a UTC time. */
static void minute_text(int64_t time, char text[MS_UTC_TIME_TEXT])
{
    ms_format_rfc3339(time, text);
    text[10] = ' ';
    text[16] = '\0';
}

static void write_fill(FILE *f, const ms_fill *fill, int indent, ms_fill_note note, void *context)
{
    char when[MS_UTC_TIME_TEXT], line[512], pl[32] = "", words[160] = "";
    if (note != NULL)
        note(context, fill, words, sizeof words);
    minute_text(fill->time, when);
    if (isfinite(fill->realized_pl) && fill->realized_pl != 0)
        snprintf(pl, sizeof pl, "P&L %+.2f ", fill->realized_pl);
    int decimals = ms_price_decimals(ms_symbol_asset_class(fill->symbol), fill->price);
    snprintf(line, sizeof line, "%s %-4s %10.10g %-9s @ %-12.*f %s%s%s%s%s", when,
             fill->side > 0 ? "buy" : "sell", fill->qty, fill->symbol, decimals, fill->price, pl,
             *fill->client_order_id != '\0' ? fill->client_order_id : fill->order_id,
             fill->partial ? " (partial)" : "", *words != '\0' ? " " : "", words);
    ms_write_wrapped(f, line, indent, indent + 17, TEXT_WIDTH);
}

/* Whether `symbol` is among the fills at or after `since` before index `before`. */
static bool seen_before(const ms_fills *fills, int64_t since, size_t before, const char *symbol)
{
    for (size_t i = 0; i < before; i++) {
        const ms_fill *fill = ms_fills_at(fills, i);
        if (fill->time >= since && strcmp(fill->symbol, symbol) == 0)
            return true;
    }
    return false;
}

static void write_realized(FILE *f, const ms_fills *fills, int64_t since, int indent)
{
    if (!ms_fills_complete(fills)) {
        ms_write_wrapped(f, "realised P&L: not known from these fills alone (the cost basis of "
                            "what they close is older)", indent, indent + 2, TEXT_WIDTH);
        return;
    }
    char line[4096];
    size_t used = (size_t)snprintf(line, sizeof line, "realised P&L (average cost): %+.2f",
                                   ms_fills_realized_pl(fills, since, NULL));
    const char *separator = " (";
    for (size_t i = 0; i < ms_fills_count(fills) && used < sizeof line; i++) {
        const ms_fill *fill = ms_fills_at(fills, i);
        if (fill->time < since || seen_before(fills, since, i, fill->symbol))
            continue;
        used += (size_t)snprintf(line + used, sizeof line - used, "%s%s %+.2f", separator,
                                 fill->symbol, ms_fills_realized_pl(fills, since, fill->symbol));
        separator = ", ";
    }
    if (*separator == ',' && used < sizeof line)
        snprintf(line + used, sizeof line - used, ")");
    ms_write_wrapped(f, line, indent, indent + 2, TEXT_WIDTH);
}

void ms_fills_write_text(FILE *f, const ms_fills *fills, int64_t since, int indent, bool realized,
                         ms_fill_note note, void *context)
{
    size_t shown = 0;
    for (size_t i = 0; i < ms_fills_count(fills); i++)
        if (ms_fills_at(fills, i)->time >= since) {
            write_fill(f, ms_fills_at(fills, i), indent, note, context);
            shown++;
        }
    if (shown == 0)
        fprintf(f, "%*sno fills\n", indent, "");
    if (realized)
        write_realized(f, fills, since, indent);
}

typedef struct text_subject {
    const ms_fills *fills;
    int64_t since;
} text_subject;

static ms_status write_document(FILE *f, const void *subject)
{
    const text_subject *s = subject;
    char when[MS_UTC_TIME_TEXT] = "the first";
    if (s->since > 0)
        ms_format_utc_time(s->since, when);
    fprintf(f, "fills since %s:\n", when);
    ms_fills_write_text(f, s->fills, s->since, 2, true, NULL, NULL);
    return MS_OK;
}

MS_API ms_status ms_fills_to_text(const ms_fills *fills, int64_t since, char **out)
{
    if (fills == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_fills_to_text: NULL argument");
    text_subject subject = { fills, since };
    return ms_write_to_string("the fills", write_document, &subject, out);
}

static json_t *number(double value)
{
    return isfinite(value) ? json_real(value) : json_null();
}

static json_t *fill_object(const ms_fill *fill)
{
    char when[MS_UTC_TIME_TEXT];
    ms_format_rfc3339(fill->time, when);
    return json_pack("{s:o,s:o,s:o,s:o,s:s,s:o,s:o,s:s,s:b,s:o,s:o}", "id", ms_json_text(fill->id),
                     "order_id", ms_json_text(fill->order_id), "client_order_id",
                     ms_json_text(fill->client_order_id), "symbol", ms_json_text(fill->symbol),
                     "side", fill->side > 0 ? "buy" : "sell", "qty", number(fill->qty), "price",
                     number(fill->price), "time", when, "partial", fill->partial,
                     "position_after", number(fill->position_after), "realized_pl",
                     number(fill->realized_pl));
}

json_t *ms_fills_json_array(const ms_fills *fills, int64_t since)
{
    json_t *array = json_array();
    for (size_t i = 0; array != NULL && i < ms_fills_count(fills); i++) {
        const ms_fill *fill = ms_fills_at(fills, i);
        if (fill->time >= since && json_array_append_new(array, fill_object(fill)) != 0) {
            json_decref(array);
            array = NULL;
        }
    }
    return array;
}

static json_t *realized_object(const ms_fills *fills, int64_t since)
{
    json_t *by_symbol = json_object();
    for (size_t i = 0; by_symbol != NULL && i < ms_fills_count(fills); i++) {
        const ms_fill *fill = ms_fills_at(fills, i);
        if (fill->time >= since)
            json_object_set_new(by_symbol, fill->symbol,
                                number(ms_fills_realized_pl(fills, since, fill->symbol)));
    }
    return json_pack("{s:o,s:o}", "total", number(ms_fills_realized_pl(fills, since, NULL)),
                     "by_symbol", by_symbol);
}

MS_API ms_status ms_fills_to_json(const ms_fills *fills, int64_t since, char **out)
{
    if (fills == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_fills_to_json: NULL argument");
    char when[MS_UTC_TIME_TEXT];
    ms_format_rfc3339(since, when);
    json_t *document = json_pack("{s:s,s:b,s:o,s:o}", "since", when, "complete",
                                 ms_fills_complete(fills), "fills", ms_fills_json_array(fills, since),
                                 "realized_pl", realized_object(fills, since));
    *out = document != NULL ? json_dumps(document, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(document);
    return *out != NULL ? MS_OK : ms_error(MS_ERR_NOMEM, "out of memory writing the fills JSON");
}
