/*
 * alpaca_activities.c - Alpaca's fills: GET /v2/account/activities/FILL,
 * oldest first (direction=asc), 100 a page (Alpaca's largest), each next
 * page asked for with the id of the last activity seen as page_token
 * (Alpaca then starts right after it) until a page comes back short. Every
 * field a fill needs is required and checked, so a changed API fails with
 * the activity and field named instead of turning into zeros.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alpaca_internal.h"
#include "broker/fills_internal.h"

#define PAGE_SIZE 100
#define WHERE_TEXT 224

static const ms_json_word sides[] = { { "buy", 1 }, { "sell", -1 }, { "sell_short", -1 } };
static const ms_json_word fill_types[] = { { "fill", 0 }, { "partial_fill", 1 } };
static const ms_json_word activity_types[] = { { "FILL", 1 } };

static ms_status positive(const char *where, const char *key, double value)
{
    return isfinite(value) && value > 0
               ? MS_OK : ms_error(MS_ERR_PARSE, "%s: field '%s': expected a positive number, got %g",
                                  where, key, value);
}

static ms_status parse_fill(const json_t *json, const char *where, ms_fill *out)
{
    memset(out, 0, sizeof *out);
    ms_json_fields fields;
    if (ms_json_fields_init(&fields, json, where) != MS_OK)
        return fields.status;
    ms_json_enum(&fields, "activity_type", activity_types, MS_ARRAY_LEN(activity_types), 0,
                 MS_JSON_REQUIRED);
    ms_json_string(&fields, "id", out->id, sizeof out->id, MS_JSON_REQUIRED);
    ms_json_string(&fields, "order_id", out->order_id, sizeof out->order_id, MS_JSON_REQUIRED);
    ms_json_string(&fields, "symbol", out->symbol, sizeof out->symbol, MS_JSON_REQUIRED);
    out->side = ms_json_enum(&fields, "side", sides, MS_ARRAY_LEN(sides), 0, MS_JSON_REQUIRED);
    out->qty = ms_json_number(&fields, "qty", MS_JSON_REQUIRED);
    out->price = ms_json_number(&fields, "price", MS_JSON_REQUIRED);
    out->time = ms_json_time(&fields, "transaction_time", MS_JSON_REQUIRED);
    out->partial = ms_json_enum(&fields, "type", fill_types, MS_ARRAY_LEN(fill_types), 0,
                                MS_JSON_REQUIRED);
    ms_json_number(&fields, "leaves_qty", MS_JSON_OPTIONAL);
    ms_json_number(&fields, "cum_qty", MS_JSON_OPTIONAL);
    ms_status status = fields.status;
    if (status == MS_OK)
        status = positive(where, "qty", out->qty);
    if (status == MS_OK)
        status = positive(where, "price", out->price);
    return status;
}

/* One page after `token` ("" for the first) appended to `out`; *count is
 * how many it held and `token` becomes the id of its last fill. */
static ms_status fills_page(ms_alpaca_trading *trading, int64_t after, char token[64],
                            ms_fills *out, size_t *count)
{
    ms_url url;
    ms_url_init(&url, trading->config.trading_url, "/v2/account/activities/FILL");
    ms_url_param(&url, "direction", "asc");
    char text[MS_UTC_TIME_TEXT];
    snprintf(text, sizeof text, "%d", PAGE_SIZE);
    ms_url_param(&url, "page_size", text);
    if (after > 0) {
        ms_format_rfc3339(after, text);
        ms_url_param(&url, "after", text);
    }
    if (*token != '\0')
        ms_url_param(&url, "page_token", token);
    ms_alpaca_reply reply;
    char where[MS_HTTP_WHERE_TEXT];
    ms_status status = ms_alpaca_trading_call(trading, "GET", &url, NULL, &reply, where);
    if (status == MS_OK && !json_is_array(reply.json))
        status = ms_error(MS_ERR_PARSE, "%s: expected a JSON array of activities", where);
    *count = status == MS_OK ? json_array_size(reply.json) : 0;
    for (size_t i = 0; i < *count && status == MS_OK; i++) {
        char item[WHERE_TEXT];
        snprintf(item, sizeof item, "%s: activity %zu", where, i);
        ms_fill fill;
        status = parse_fill(json_array_get(reply.json, i), item, &fill);
        /* A page that repeats the token's activity would page forever. */
        if (status == MS_OK && strcmp(fill.id, token) == 0)
            status = ms_error(MS_ERR_PARSE, "%s: the page after activity %s starts with it again",
                              where, token);
        if (status == MS_OK)
            status = ms_fills_append(out, &fill);
        if (status == MS_OK && i + 1 == *count)
            memcpy(token, fill.id, sizeof fill.id);
    }
    ms_alpaca_reply_release(&reply);
    return status;
}

ms_status ms_alpaca_fills(void *state, int64_t after, ms_fills *out)
{
    char token[64] = "";
    size_t count = PAGE_SIZE;
    ms_status status = MS_OK;
    while (status == MS_OK && count == PAGE_SIZE)
        status = fills_page(state, after, token, out, &count);
    return status;
}
