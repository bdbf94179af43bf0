/*
 * fuzz_alpaca.c - feeds arbitrary bytes to the readers of Alpaca's JSON
 * responses. One target for every kind of response, because they share
 * one field reader (alpaca_json.c) and most field names, so a corpus
 * entry that reaches deep into one kind is a good start for the others.
 *
 * Input: byte 0 modulo KIND_COUNT picks the kind (the seeds use '0' + kind,
 * as '0' is a multiple of 12); the rest is the response body. Objects and
 * arrays (account, clock, order, positions, orders) are parsed with
 * jansson and given to their ms_alpaca_parse_* reader. Bars pages and
 * error bodies go through the real request path (ms_alpaca_fetch_bars,
 * ms_alpaca_request) over a fake transport: the link wraps ms_http_get and
 * ms_http_send (-Wl,--wrap, see mk/fuzz.mk) to answer every request with
 * the body and the kind's HTTP status. A bars page is answered again for
 * its next_page_token, which the reader must refuse as a repeat.
 *
 * Asserts, besides no crash, leak or undefined behaviour: accepted
 * objects carry finite numbers in the fields the readers require (cash,
 * equity, buying power, position quantities), order sides are +1 or -1,
 * accepted bars have finite prices and volume; an error reply always
 * fails, with a message that is printable and NUL-terminated within its
 * buffer.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "broker/alpaca/alpaca_internal.h"
#include "fuzz_support.h"

enum {
    KIND_ACCOUNT, KIND_CLOCK, KIND_ORDER, KIND_POSITIONS, KIND_ORDERS, KIND_STOCK_BARS,
    KIND_CRYPTO_BARS, KIND_ERROR_401, KIND_ERROR_404, KIND_ERROR_422, KIND_ERROR_429,
    KIND_ERROR_500, KIND_COUNT
};

static const long error_statuses[] = { 401, 404, 422, 429, 500 };

/* What the fake transport answers with. */
static struct {
    const char *body;
    size_t body_len;
    long status;
} reply_plan;

ms_status __wrap_ms_http_get(ms_http_client *client, const char *url, ms_http_response *response);
ms_status __wrap_ms_http_send(ms_http_client *client, const char *method, const char *url,
                              const char *body, ms_http_response *response);

ms_status __wrap_ms_http_get(ms_http_client *client, const char *url, ms_http_response *response)
{
    (void)client;
    (void)url;
    memset(response, 0, sizeof *response);
    response->status = reply_plan.status;
    if (reply_plan.body_len == 0)
        return MS_OK;
    /* As the real client: a NUL-terminated copy the caller releases. */
    response->body = malloc(reply_plan.body_len + 1);
    FUZZ_CHECK(response->body != NULL);
    memcpy(response->body, reply_plan.body, reply_plan.body_len);
    response->body[reply_plan.body_len] = '\0';
    response->body_len = reply_plan.body_len;
    return MS_OK;
}

ms_status __wrap_ms_http_send(ms_http_client *client, const char *method, const char *url,
                              const char *body, ms_http_response *response)
{
    (void)method;
    (void)body;
    return __wrap_ms_http_get(client, url, response);
}

static void check_object(int kind, const json_t *json)
{
    ms_account account;
    ms_market_clock clock;
    ms_order order;
    if (kind == KIND_ACCOUNT && ms_alpaca_parse_account(json, "fuzz account", &account) == MS_OK) {
        FUZZ_CHECK(isfinite(account.cash) && isfinite(account.equity));
        FUZZ_CHECK(isfinite(account.buying_power) && isfinite(account.multiplier));
    }
    if (kind == KIND_CLOCK)
        (void)ms_alpaca_parse_clock(json, "fuzz clock", &clock);
    if (kind == KIND_ORDER && ms_alpaca_parse_order(json, "fuzz order", &order) == MS_OK)
        FUZZ_CHECK(order.side == 1 || order.side == -1);
}

static void check_list(int kind, const json_t *json)
{
    size_t count = 0;
    if (kind == KIND_POSITIONS) {
        ms_position *positions = NULL;
        if (ms_alpaca_parse_positions(json, "fuzz positions", &positions, &count) == MS_OK)
            for (size_t i = 0; i < count; i++)
                FUZZ_CHECK(isfinite(positions[i].qty));
        free(positions);
    } else {
        ms_order *orders = NULL;
        if (ms_alpaca_parse_orders(json, "fuzz orders", &orders, &count) == MS_OK)
            for (size_t i = 0; i < count; i++)
                FUZZ_CHECK(orders[i].side == 1 || orders[i].side == -1);
        free(orders);
    }
}

static void check_bars(bool crypto)
{
    static const char *const stocks[] = { "AAPL", "MSFT", "BRK-B" };
    static const char *const pairs[] = { "BTCUSD", "ETH/USD" };
    const char *const *symbols = crypto ? pairs : stocks;
    size_t count = crypto ? MS_ARRAY_LEN(pairs) : MS_ARRAY_LEN(stocks);
    ms_bar_rows rows[3] = { { 0 } };
    reply_plan.status = 200;
    if (ms_alpaca_fetch_bars(NULL, "https://data.fuzz.invalid", "1Day", symbols, count, 0, rows) ==
        MS_OK)
        for (size_t s = 0; s < count; s++)
            for (size_t i = 0; i < rows[s].len; i++) {
                FUZZ_CHECK(isfinite(rows[s].open[i]) && isfinite(rows[s].high[i]));
                FUZZ_CHECK(isfinite(rows[s].low[i]) && isfinite(rows[s].close[i]));
                FUZZ_CHECK(isfinite(rows[s].volume[i]));
            }
    for (size_t s = 0; s < count; s++)
        ms_bar_rows_release(&rows[s]);
}

static void check_error_reply(long status)
{
    ms_alpaca_reply reply;
    reply_plan.status = status;
    FUZZ_CHECK(ms_alpaca_request(NULL, "GET", "https://api.fuzz.invalid/v2/account", NULL, &reply) !=
               MS_OK);
    size_t len = strnlen(reply.message, sizeof reply.message);
    FUZZ_CHECK(len < sizeof reply.message);
    for (size_t i = 0; i < len; i++)
        FUZZ_CHECK(isprint((unsigned char)reply.message[i]));
    ms_alpaca_reply_release(&reply);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int kind = data[0] % KIND_COUNT;
    reply_plan.body = (const char *)data + 1;
    reply_plan.body_len = size - 1;
    if (kind == KIND_STOCK_BARS || kind == KIND_CRYPTO_BARS) {
        check_bars(kind == KIND_CRYPTO_BARS);
        return 0;
    }
    if (kind >= KIND_ERROR_401) {
        check_error_reply(error_statuses[kind - KIND_ERROR_401]);
        return 0;
    }
    json_t *json = json_loadb(reply_plan.body, reply_plan.body_len, 0, NULL);
    if (json == NULL)
        return 0;
    if (kind == KIND_POSITIONS || kind == KIND_ORDERS)
        check_list(kind, json);
    else
        check_object(kind, json);
    json_decref(json);
    return 0;
}
