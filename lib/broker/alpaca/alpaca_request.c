/*
 * alpaca_request.c - one call to Alpaca: send (GETs retried), then turn the
 * reply into JSON or into an error that names the method, the path, the
 * HTTP status and Alpaca's own code and message from the error body.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alpaca_internal.h"

/* How much of a non-JSON error body (a proxy's HTML page) a message shows. */
#define BODY_SNIPPET 120

static void copy_printable(char *out, size_t size, const char *text, size_t len)
{
    size_t kept = 0;
    for (size_t i = 0; i < len && kept + 1 < size; i++)
        out[kept++] = isprint((unsigned char)text[i]) ? text[i] : ' ';
    out[kept] = '\0';
}

/* Alpaca's {"code": 40010001, "message": "..."}; some 401s carry only a
 * message and proxies answer with HTML, of which a snippet is kept. */
static void read_error_body(const ms_http_response *response, ms_alpaca_reply *reply)
{
    if (response->body_len == 0)
        return;
    json_t *json = json_loadb(response->body, response->body_len, 0, NULL);
    if (!json_is_object(json)) {
        size_t len = response->body_len < BODY_SNIPPET ? response->body_len : BODY_SNIPPET;
        copy_printable(reply->message, sizeof reply->message, response->body, len);
        json_decref(json);
        return;
    }
    ms_json_fields fields;
    ms_json_fields_init(&fields, json, "error body");
    double code = ms_json_number(&fields, "code", MS_JSON_OPTIONAL);
    /* Alpaca's codes have 8 digits; a number long cannot hold is no code
     * (and undefined to convert). */
    reply->code = fabs(code) < 1e18 ? (long)code : 0;
    const char *message = json_string_value(json_object_get(json, "message"));
    if (message != NULL)
        copy_printable(reply->message, sizeof reply->message, message, strlen(message));
    json_decref(json);
}

static ms_status status_error(const char *where, const ms_alpaca_reply *reply)
{
    char detail[sizeof reply->message + 32];
    if (reply->code != 0)
        snprintf(detail, sizeof detail, "code %ld: %s", reply->code, reply->message);
    else
        snprintf(detail, sizeof detail, "%s", reply->message[0] ? reply->message : "no message");
    long http = reply->http_status;
    if (http == 401)
        return ms_error(MS_ERR_HTTP, "%s: HTTP 401 unauthorized (%s): check the API keys (paper "
                        "and live accounts have different keys)", where, detail);
    if (http == 404)
        return ms_error(MS_ERR_NOT_FOUND, "%s: HTTP 404 not found (%s)", where, detail);
    if (http == 429)
        return ms_error(MS_ERR_RATE_LIMIT, "%s: HTTP 429 rate limited (%s)", where, detail);
    if (http >= 400 && http < 500)
        return ms_error(MS_ERR_BROKER, "%s: rejected by Alpaca, HTTP %ld (%s)", where, http, detail);
    return ms_error(MS_ERR_HTTP, "%s: HTTP %ld (%s)", where, http, detail);
}

static ms_status parse_body(const char *where, const ms_http_response *response, ms_alpaca_reply *reply)
{
    json_error_t error;
    reply->json = json_loadb(response->body, response->body_len, 0, &error);
    if (reply->json == NULL)
        return ms_error(MS_ERR_PARSE, "%s: malformed JSON in the response (%zu bytes; line %d, "
                        "column %d: %s)", where, response->body_len, error.line, error.column,
                        error.text);
    return MS_OK;
}

ms_status ms_alpaca_request(ms_http_client *client, const char *method, const char *url,
                            const char *body, ms_alpaca_reply *reply)
{
    memset(reply, 0, sizeof *reply);
    char where[MS_HTTP_WHERE_TEXT];
    ms_http_where(method, url, where);
    ms_http_response response;
    ms_status status = strcmp(method, "GET") == 0 ? ms_http_get(client, url, &response)
                                                  : ms_http_send(client, method, url, body, &response);
    reply->http_status = response.status;
    if (status == MS_OK && (response.status < 200 || response.status >= 300)) {
        read_error_body(&response, reply);
        status = status_error(where, reply);
    } else if (status == MS_OK && response.body_len > 0) {
        status = parse_body(where, &response, reply);
    }
    ms_http_response_release(&response);
    return status;
}

void ms_alpaca_reply_release(ms_alpaca_reply *reply)
{
    json_decref(reply->json);
    memset(reply, 0, sizeof *reply);
}
