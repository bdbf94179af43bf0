/*
 * alpaca_bars.c - historical bars from Alpaca's market-data API: stocks
 * from /v2/stocks/bars (IEX feed, raw prices), crypto pairs from
 * /v1beta3/crypto/us/bars, several symbols per request, every page
 * followed through next_page_token, each symbol's bars concatenated in
 * time order. `bars` may be null or {} when there is nothing to return.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alpaca_internal.h"

/* Alpaca's largest page. */
#define PAGE_LIMIT "10000"

bool ms_alpaca_timeframe_valid(const char *timeframe)
{
    /* The longest valid timeframe is "12Month"; the length check also
     * keeps leading zeros out. */
    if (timeframe == NULL || !isdigit((unsigned char)timeframe[0]) || timeframe[0] == '0' ||
        strlen(timeframe) > 7)
        return false;
    char *unit = NULL;
    long count = strtol(timeframe, &unit, 10);
    if (strcmp(unit, "Min") == 0)
        return count >= 1 && count <= 59;
    if (strcmp(unit, "Hour") == 0)
        return count >= 1 && count <= 23;
    if (strcmp(unit, "Day") == 0 || strcmp(unit, "Week") == 0)
        return count == 1;
    if (strcmp(unit, "Month") == 0)
        return count == 1 || count == 2 || count == 3 || count == 6 || count == 12;
    return false;
}

/* One multi-symbol bars request, page after page. */
typedef struct bars_query {
    ms_http_client *client;
    const char *data_url;
    const char *timeframe;
    bool crypto;
    char start[MS_UTC_TIME_TEXT];
    char *symbol_list;                        /* "AAPL,MSFT" in Alpaca's names */
    char (*names)[MS_ALPACA_SYMBOL_MAX];      /* Alpaca's name of symbol i */
    size_t count;
    ms_bar_rows *rows;
} bars_query;

static ms_status name_symbols(bars_query *query, const char *const *symbols)
{
    size_t list_size = 1;
    for (size_t i = 0; i < query->count; i++) {
        ms_status status = ms_alpaca_symbol(symbols[i], query->names[i]);
        if (status != MS_OK)
            return status;
        if ((ms_symbol_asset_class(symbols[i]) == MS_ASSET_CRYPTO) != query->crypto)
            return ms_error(MS_ERR_INVALID_ARG, "bars of %s and %s: stocks and crypto pairs come "
                            "from different endpoints, request them separately", symbols[0], symbols[i]);
        list_size += strlen(query->names[i]) + 1;
    }
    query->symbol_list = malloc(list_size);
    if (query->symbol_list == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory listing %zu symbols", query->count);
    query->symbol_list[0] = '\0';
    for (size_t i = 0; i < query->count; i++) {
        if (i > 0)
            strcat(query->symbol_list, ",");
        strcat(query->symbol_list, query->names[i]);
    }
    return MS_OK;
}

static void build_url(const bars_query *query, const char *page_token, ms_url *url)
{
    ms_url_init(url, query->data_url, query->crypto ? "/v1beta3/crypto/" MS_ALPACA_CRYPTO_LOCATION "/bars"
                                                    : "/v2/stocks/bars");
    ms_url_param(url, "symbols", query->symbol_list);
    ms_url_param(url, "timeframe", query->timeframe);
    ms_url_param(url, "start", query->start);
    ms_url_param(url, "limit", PAGE_LIMIT);
    ms_url_param(url, "sort", "asc");
    if (!query->crypto) {
        ms_url_param(url, "adjustment", MS_ALPACA_STOCK_ADJUSTMENT);
        ms_url_param(url, "feed", MS_ALPACA_STOCK_FEED);
    }
    if (page_token != NULL)
        ms_url_param(url, "page_token", page_token);
}

static ms_status append_bar(const json_t *bar, const char *where, ms_bar_rows *rows)
{
    ms_json_fields fields;
    if (ms_json_fields_init(&fields, bar, where) != MS_OK)
        return fields.status;
    int64_t timestamp = ms_json_time(&fields, "t", MS_JSON_REQUIRED);
    double open = ms_json_number(&fields, "o", MS_JSON_REQUIRED);
    double high = ms_json_number(&fields, "h", MS_JSON_REQUIRED);
    double low = ms_json_number(&fields, "l", MS_JSON_REQUIRED);
    double close = ms_json_number(&fields, "c", MS_JSON_REQUIRED);
    double volume = ms_json_number(&fields, "v", MS_JSON_OPTIONAL);
    if (fields.status != MS_OK)
        return fields.status;
    return ms_bar_rows_append(rows, timestamp, open, high, low, close, isnan(volume) ? 0.0 : volume);
}

static ms_status append_symbol_bars(const bars_query *query, const char *name, const json_t *bars,
                                    const char *where)
{
    size_t index = 0;
    while (index < query->count && strcmp(query->names[index], name) != 0)
        index++;
    if (index == query->count)
        return ms_error(MS_ERR_PARSE, "%s: bars for %s, which was not requested", where, name);
    if (!json_is_array(bars))
        return ms_error(MS_ERR_PARSE, "%s: the bars of %s are not an array", where, name);
    size_t i;
    const json_t *bar;
    json_array_foreach(bars, i, bar) {
        char bar_where[MS_HTTP_WHERE_TEXT + 64];
        snprintf(bar_where, sizeof bar_where, "%s: %s bar %zu", where, name, query->rows[index].len);
        ms_status status = append_bar(bar, bar_where, &query->rows[index]);
        if (status != MS_OK)
            return status;
    }
    return MS_OK;
}

/* Appends one page's bars; *next_token receives a malloc'ed copy of the
 * next page's token, NULL on the last page. */
static ms_status read_page(const bars_query *query, const json_t *page, const char *where,
                           char **next_token)
{
    *next_token = NULL;
    if (!json_is_object(page))
        return ms_error(MS_ERR_PARSE, "%s: expected a JSON object", where);
    const json_t *bars = json_object_get(page, "bars");
    if (bars != NULL && !json_is_null(bars) && !json_is_object(bars))
        return ms_error(MS_ERR_PARSE, "%s: field 'bars' is neither an object nor null", where);
    const char *name;
    const json_t *symbol_bars;
    json_object_foreach((json_t *)bars, name, symbol_bars) {
        ms_status status = append_symbol_bars(query, name, symbol_bars, where);
        if (status != MS_OK)
            return status;
    }
    const json_t *token = json_object_get(page, "next_page_token");
    if (json_is_string(token) && json_string_length(token) > 0) {
        *next_token = ms_strdup(json_string_value(token));
        if (*next_token == NULL)
            return ms_error(MS_ERR_NOMEM, "%s: out of memory", where);
    } else if (token != NULL && !json_is_null(token) && !json_is_string(token)) {
        return ms_error(MS_ERR_PARSE, "%s: field 'next_page_token' is not a string", where);
    }
    return MS_OK;
}

/* Fetches the page at `page_token` (NULL: the first) and replaces
 * *page_token with the next one. */
static ms_status fetch_page(const bars_query *query, char **page_token)
{
    ms_url url;
    build_url(query, *page_token, &url);
    const char *text = NULL;
    ms_status status = ms_url_finish(&url, &text);
    ms_alpaca_reply reply = { 0 };
    char *next_token = NULL;
    if (status == MS_OK)
        status = ms_alpaca_request(query->client, "GET", text, NULL, &reply);
    if (status == MS_OK) {
        char where[MS_HTTP_WHERE_TEXT];
        ms_http_where("GET", text, where);
        status = read_page(query, reply.json, where, &next_token);
        if (status == MS_OK && next_token != NULL && *page_token != NULL &&
            strcmp(next_token, *page_token) == 0)
            status = ms_error(MS_ERR_PARSE, "%s: next_page_token repeats the page just read", where);
    }
    ms_alpaca_reply_release(&reply);
    ms_url_release(&url);
    free(*page_token);
    *page_token = status == MS_OK ? next_token : NULL;
    if (status != MS_OK)
        free(next_token);
    return status;
}

ms_status ms_alpaca_fetch_bars(ms_http_client *client, const char *data_url, const char *timeframe,
                               const char *const *symbols, size_t count, int64_t start,
                               ms_bar_rows *rows)
{
    if (count == 0)
        return MS_OK;
    if (!ms_alpaca_timeframe_valid(timeframe))
        return ms_error(MS_ERR_INVALID_ARG, "timeframe '%s': expected {1-59}Min, {1-23}Hour, 1Day, "
                        "1Week or {1,2,3,6,12}Month", timeframe != NULL ? timeframe : "");
    bars_query query = {
        .client = client, .data_url = data_url, .timeframe = timeframe, .count = count, .rows = rows,
        .crypto = ms_symbol_asset_class(symbols[0]) == MS_ASSET_CRYPTO,
    };
    ms_format_rfc3339(start, query.start);
    query.names = calloc(count, sizeof *query.names);
    ms_status status = query.names != NULL ? name_symbols(&query, symbols)
                                           : ms_error(MS_ERR_NOMEM, "out of memory naming symbols");
    char *page_token = NULL;
    size_t pages = 0;
    while (status == MS_OK && (pages == 0 || page_token != NULL)) {
        status = fetch_page(&query, &page_token);
        pages++;
    }
    MS_DEBUG("bars %s %s: %zu page(s)", timeframe, query.symbol_list ? query.symbol_list : "", pages);
    free(page_token);
    free(query.symbol_list);
    free(query.names);
    return status;
}
