/*
 * alpaca_broker.c - the Alpaca broker behind ms_broker: opening it (keys
 * required, paper unless live is opted into) and the read and cancel
 * operations, each one REST call. Submitting lives in alpaca_submit.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alpaca_internal.h"

/* Alpaca's largest page of orders. */
#define ORDERS_LIMIT 500

ms_status ms_alpaca_trading_call(ms_alpaca_trading *trading, const char *method, ms_url *url,
                                 const char *body, ms_alpaca_reply *reply,
                                 char where[MS_HTTP_WHERE_TEXT])
{
    memset(reply, 0, sizeof *reply);
    const char *text = NULL;
    ms_status status = ms_url_finish(url, &text);
    snprintf(where, MS_HTTP_WHERE_TEXT, "%s", method);
    if (status == MS_OK) {
        ms_http_where(method, text, where);
        status = ms_alpaca_request(trading->http, method, text, body, reply);
    }
    ms_url_release(url);
    return status;
}

/* GETs a path without parameters into *reply. */
static ms_status get_path(ms_alpaca_trading *trading, const char *path, ms_alpaca_reply *reply,
                          char where[MS_HTTP_WHERE_TEXT])
{
    ms_url url;
    ms_url_init(&url, trading->config.trading_url, path);
    return ms_alpaca_trading_call(trading, "GET", &url, NULL, reply, where);
}

static ms_status account(void *state, ms_account *out)
{
    ms_alpaca_reply reply;
    char where[MS_HTTP_WHERE_TEXT];
    ms_status status = get_path(state, "/v2/account", &reply, where);
    if (status == MS_OK)
        status = ms_alpaca_parse_account(reply.json, where, out);
    ms_alpaca_reply_release(&reply);
    return status;
}

static ms_status positions(void *state, ms_position **out, size_t *count)
{
    ms_alpaca_reply reply;
    char where[MS_HTTP_WHERE_TEXT];
    ms_status status = get_path(state, "/v2/positions", &reply, where);
    if (status == MS_OK)
        status = ms_alpaca_parse_positions(reply.json, where, out, count);
    ms_alpaca_reply_release(&reply);
    return status;
}

static ms_status market_clock(void *state, ms_market_clock *out)
{
    ms_alpaca_reply reply;
    char where[MS_HTTP_WHERE_TEXT];
    ms_status status = get_path(state, "/v2/clock", &reply, where);
    if (status == MS_OK)
        status = ms_alpaca_parse_clock(reply.json, where, out);
    ms_alpaca_reply_release(&reply);
    return status;
}

/* Adds the orders of `page` not already in the list (by id); *added
 * counts them and *newest is the latest submitted_at second seen. */
static ms_status merge_page(ms_order *page, size_t page_count, ms_order **list, size_t *count,
                            size_t *added, int64_t *newest)
{
    ms_order *grown = realloc(*list, (*count + page_count + 1) * sizeof *grown);
    if (grown == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory listing orders");
    *list = grown;
    *added = 0;
    for (size_t i = 0; i < page_count; i++) {
        bool seen = false;
        for (size_t j = 0; j < *count && !seen; j++)
            seen = strcmp(grown[j].id, page[i].id) == 0;
        if (page[i].submitted_at > *newest)
            *newest = page[i].submitted_at;
        if (!seen) {
            grown[(*count)++] = page[i];
            (*added)++;
        }
    }
    return MS_OK;
}

static ms_status orders_page(ms_alpaca_trading *trading, const char *order_status, int64_t after,
                             ms_order **out, size_t *count)
{
    ms_url url;
    ms_url_init(&url, trading->config.trading_url, "/v2/orders");
    ms_url_param(&url, "status", order_status);
    char text[MS_UTC_TIME_TEXT];
    snprintf(text, sizeof text, "%d", ORDERS_LIMIT);
    ms_url_param(&url, "limit", text);
    /* Flat: a take-profit leg whose entry has filled is a working order of
     * its own; nested, Alpaca hides it under a parent that is no longer
     * open. */
    ms_url_param(&url, "nested", "false");
    ms_url_param(&url, "direction", "asc");
    if (after > 0) {
        ms_format_rfc3339(after, text);
        ms_url_param(&url, "after", text);
    }
    ms_alpaca_reply reply;
    char where[MS_HTTP_WHERE_TEXT];
    ms_status status = ms_alpaca_trading_call(trading, "GET", &url, NULL, &reply, where);
    if (status == MS_OK)
        status = ms_alpaca_parse_orders(reply.json, where, out, count);
    ms_alpaca_reply_release(&reply);
    return status;
}

/*
 * Every order, page after page, oldest first. Alpaca answers at most 500 a
 * request and `after` is exclusive and compares submission times, which
 * several orders can share (legs share their parent's): each next page
 * starts a second before the newest submission seen, and orders seen twice
 * are dropped by id. A full page that brings nothing new would repeat
 * forever: more than 500 orders submitted within two seconds, refused
 * rather than listed incompletely.
 */
static ms_status orders(void *state, const char *order_status, ms_order **out, size_t *count)
{
    ms_alpaca_trading *trading = state;
    ms_status status = MS_OK;
    int64_t newest = 0;
    for (;;) {
        ms_order *page = NULL;
        size_t page_count = 0, added = 0;
        status = orders_page(trading, order_status, newest > 0 ? newest - 1 : 0, &page, &page_count);
        if (status == MS_OK)
            status = merge_page(page, page_count, out, count, &added, &newest);
        ms_free(page);
        if (status != MS_OK || page_count < ORDERS_LIMIT)
            break;
        if (added == 0) {
            status = ms_error(MS_ERR_BROKER, "listing %s orders: more than %d orders were submitted "
                              "within two seconds, which Alpaca's paging cannot list completely",
                              order_status, ORDERS_LIMIT);
            break;
        }
    }
    if (status != MS_OK || *count == 0) {
        ms_free(*out);
        *out = NULL;
        *count = 0;
    }
    return status;
}

ms_status ms_alpaca_find_order(ms_alpaca_trading *trading, const char *client_order_id, ms_order *out)
{
    ms_url url;
    ms_url_init(&url, trading->config.trading_url, "/v2/orders:by_client_order_id");
    ms_url_param(&url, "client_order_id", client_order_id);
    ms_alpaca_reply reply;
    char where[MS_HTTP_WHERE_TEXT];
    ms_status status = ms_alpaca_trading_call(trading, "GET", &url, NULL, &reply, where);
    if (status == MS_OK)
        status = ms_alpaca_parse_order(reply.json, where, out);
    ms_alpaca_reply_release(&reply);
    return status;
}

static ms_status order_by_client_id(void *state, const char *client_order_id, ms_order *out)
{
    return ms_alpaca_find_order(state, client_order_id, out);
}

/* Order ids go into the path: only the characters of Alpaca's UUIDs. */
static bool plain_id(const char *order_id)
{
    for (const char *c = order_id; *c != '\0'; c++)
        if (!isalnum((unsigned char)*c) && *c != '-')
            return false;
    return strlen(order_id) < 64;
}

static ms_status cancel(void *state, const char *order_id)
{
    ms_alpaca_trading *trading = state;
    if (!plain_id(order_id))
        return ms_error(MS_ERR_INVALID_ARG, "cancel: order id '%s' is not an Alpaca order id", order_id);
    char path[96];
    snprintf(path, sizeof path, "/v2/orders/%s", order_id);
    ms_url url;
    ms_url_init(&url, trading->config.trading_url, path);
    ms_alpaca_reply reply;
    char where[MS_HTTP_WHERE_TEXT];
    ms_status status = ms_alpaca_trading_call(trading, "DELETE", &url, NULL, &reply, where);
    ms_alpaca_reply_release(&reply);
    return status;
}

static void destroy(void *state)
{
    ms_alpaca_trading *trading = state;
    ms_http_client_free(trading->http);
    ms_rate_limiter_destroy(&trading->limiter);
    ms_alpaca_keys_wipe(&trading->config.keys);
    free(trading);
}

static const ms_broker_ops alpaca_ops = {
    .account = account,
    .positions = positions,
    .clock = market_clock,
    .submit = ms_alpaca_submit,
    .orders = orders,
    .order_by_client_id = order_by_client_id,
    .cancel = cancel,
    .sync = NULL,
    .destroy = destroy,
    .fills = ms_alpaca_fills,
};

static ms_status connect_trading(ms_alpaca_trading *trading, const ms_broker_options *opts)
{
    ms_status status = ms_alpaca_config_resolve(opts, true, &trading->config);
    if (status == MS_OK && !trading->config.keys.present)
        return ms_error(MS_ERR_INVALID_ARG, "alpaca: no API keys: give key_id and secret_key or a "
                        "key_file in the broker options, or set APCA_API_KEY_ID and "
                        "APCA_API_SECRET_KEY and open with from_env%s",
                        opts->from_env ? "" : " (the environment was not read: from_env is 0)");
    if (status == MS_OK)
        status = ms_rate_limiter_init(&trading->limiter, trading->config.requests_per_minute);
    if (status != MS_OK)
        return status;
    ms_http_settings settings = ms_alpaca_http_settings(&trading->config, trading->config.trading_url);
    status = ms_http_client_create(&trading->http, &settings, &trading->limiter);
    if (status != MS_OK)
        ms_rate_limiter_destroy(&trading->limiter);
    return status;
}

ms_status ms_alpaca_broker_open(const ms_broker_options *opts, ms_broker *out)
{
    ms_status status = ms_global_init();
    if (status != MS_OK)
        return status;
    ms_alpaca_trading *trading = calloc(1, sizeof *trading);
    if (trading == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory opening the alpaca broker");
    status = connect_trading(trading, opts);
    if (status != MS_OK) {
        ms_alpaca_keys_wipe(&trading->config.keys);
        free(trading);
        return status;
    }
    out->ops = &alpaca_ops;
    out->limits = &ms_alpaca_order_limits;
    out->state = trading;
    snprintf(out->name, sizeof out->name, "alpaca-%s", trading->config.live ? "live" : "paper");
    MS_INFO("broker %s at %s", out->name, trading->config.trading_url);
    return MS_OK;
}
