/*
 * alpaca_submit.c - placing an order exactly once per client_order_id.
 *
 * A POST whose outcome is unknown (a timeout, a transport failure, a 5xx
 * or 429, a success whose body does not parse) or that Alpaca rejects as a
 * duplicate id is never blindly sent again: the id is looked up and the
 * order found is adopted. The lookup is repeated a few times, since an
 * order accepted a moment ago may not be visible yet. Only when the outcome
 * was unknown and no order turns up is the order posted once more, and that
 * is safe: Alpaca keeps a client_order_id unique forever, so if the first
 * POST did land after all, the second is refused as a duplicate (resolved
 * by one more lookup) and can never create a second order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alpaca_internal.h"

#define LOOKUP_ATTEMPTS 3
#define LOOKUP_FIRST_PAUSE 0.5   /* seconds, doubled after each miss */

typedef enum post_outcome {
    POST_PLACED,      /* the order came back */
    POST_UNKNOWN,     /* it may or may not exist */
    POST_DUPLICATE,   /* an order with this client_order_id exists */
    POST_REFUSED      /* a definite rejection or failure */
} post_outcome;

static post_outcome classify(ms_status status, const ms_alpaca_reply *reply)
{
    long http = reply->http_status;
    if (status == MS_OK)
        return POST_PLACED;
    if (http == 422 && strstr(reply->message, "client_order_id") != NULL &&
        strstr(reply->message, "unique") != NULL)
        return POST_DUPLICATE;
    if (status == MS_ERR_TIMEOUT || status == MS_ERR_RATE_LIMIT || http == 0 || http >= 500 ||
        (status == MS_ERR_PARSE && http >= 200 && http < 300))
        return POST_UNKNOWN;
    return POST_REFUSED;
}

static post_outcome post_order(ms_alpaca_trading *trading, const char *body, ms_order *out,
                               ms_status *status)
{
    ms_url url;
    ms_url_init(&url, trading->config.trading_url, "/v2/orders");
    ms_alpaca_reply reply;
    char where[MS_HTTP_WHERE_TEXT];
    *status = ms_alpaca_trading_call(trading, "POST", &url, body, &reply, where);
    if (*status == MS_OK)
        *status = ms_alpaca_parse_order(reply.json, where, out);
    post_outcome outcome = classify(*status, &reply);
    ms_alpaca_reply_release(&reply);
    return outcome;
}

/* The order with this id, looked up a few times before MS_ERR_NOT_FOUND. */
static ms_status look_up(ms_alpaca_trading *trading, const char *client_order_id, ms_order *out)
{
    double pause = LOOKUP_FIRST_PAUSE;
    for (int attempt = 1;; attempt++) {
        ms_status status = ms_alpaca_find_order(trading, client_order_id, out);
        if (status != MS_ERR_NOT_FOUND || attempt == LOOKUP_ATTEMPTS)
            return status;
        ms_sleep_seconds(pause);
        pause *= 2;
    }
}

/* Adopts the order a duplicate-id rejection points at. */
static ms_status adopt_duplicate(ms_alpaca_trading *trading, const ms_order_request *request,
                                 ms_order *out)
{
    ms_status status = look_up(trading, request->client_order_id, out);
    if (status == MS_ERR_NOT_FOUND)
        return ms_error(MS_ERR_BROKER, "order %s: Alpaca refuses client_order_id %s as taken, yet no "
                        "order with it can be found", request->symbol, request->client_order_id);
    if (status == MS_OK)
        MS_INFO("order %s: client_order_id %s was placed before; adopted order %s (%s)",
                request->symbol, request->client_order_id, out->id, out->status);
    return status;
}

/* After an unknown outcome: adopt the order if it exists, else post once
 * more (safe, see the top of the file). */
static ms_status resolve_unknown(ms_alpaca_trading *trading, const ms_order_request *request,
                                 const char *body, ms_order *out)
{
    char post_error[512];
    snprintf(post_error, sizeof post_error, "%s", ms_last_error());
    ms_status status = look_up(trading, request->client_order_id, out);
    if (status == MS_OK) {
        MS_WARN("order %s: %s; adopted the order found by client_order_id %s (%s)", request->symbol,
                post_error, request->client_order_id, out->status);
        return MS_OK;
    }
    if (status != MS_ERR_NOT_FOUND)
        return ms_error(status, "order %s: unknown whether it was placed (%s), and looking up "
                        "client_order_id %s failed: %s", request->symbol, post_error,
                        request->client_order_id, ms_last_error());
    MS_WARN("order %s: %s; no order with client_order_id %s: posting it again", request->symbol,
            post_error, request->client_order_id);
    post_outcome outcome = post_order(trading, body, out, &status);
    if (outcome == POST_DUPLICATE)
        return adopt_duplicate(trading, request, out);
    return status;
}

ms_status ms_alpaca_submit(void *state, const ms_order_request *request, ms_order *out)
{
    ms_alpaca_trading *trading = state;
    char *body = NULL;
    ms_status status = ms_alpaca_order_body(request, &body);
    if (status != MS_OK)
        return status;
    MS_DEBUG("order %s: POST /v2/orders %s", request->symbol, body);
    switch (post_order(trading, body, out, &status)) {
    case POST_PLACED:
    case POST_REFUSED:
        break;
    case POST_DUPLICATE:
        status = adopt_duplicate(trading, request, out);
        break;
    case POST_UNKNOWN:
        status = resolve_unknown(trading, request, body, out);
        break;
    }
    free(body);
    return status;
}
