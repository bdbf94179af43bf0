/*
 * http_client.c - the libcurl client: the one global init, a connection
 * per client, and sending one request with the key headers, connect and
 * total timeouts, no redirects (a redirected POST could change meaning, and
 * libcurl would carry the key headers to whatever host the redirect names),
 * TLS verification on, and a capped response body. GETs are retried here
 * too, unless ms_interrupt_requests asked to stop (interrupt.c).
 *
 * Where keys go: every request URL is checked against the client's base
 * URL (scheme, host and port, as libcurl parses them) before it is sent,
 * and plain http to loopback bypasses any proxy from the environment
 * (http_proxy would otherwise carry the keys in clear text off the machine).
 *
 * Secrets: the API keys exist only in the header lists (wiped on free);
 * debug logs print "<redacted>" in their place and no message carries them.
 * CURLOPT_VERBOSE is never set, since it would print the headers.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"
#include "marketsim/broker.h"

struct ms_http_client {
    CURL *curl;
    struct curl_slist *headers;        /* for GET and DELETE */
    struct curl_slist *body_headers;   /* the same plus the JSON content type */
    ms_http_settings settings;         /* key and base URL pointers cleared after create */
    ms_base_url origin;                /* where every request must go */
    bool has_keys;                     /* whether the headers carry keys */
    ms_rate_limiter *limiter;
    ms_rng jitter;
    char curl_error[CURL_ERROR_SIZE];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result = CURLE_FAILED_INIT;

static void init_curl(void)
{
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

MS_API ms_status ms_global_init(void)
{
    pthread_once(&curl_once, init_curl);
    if (curl_init_result != CURLE_OK)
        return ms_error(MS_ERR_HTTP, "libcurl failed to initialise: %s",
                        curl_easy_strerror(curl_init_result));
    return MS_OK;
}

/* Overwrites a secret in a way the compiler may not drop as a dead store. */
static void wipe(char *text)
{
    for (volatile char *c = text; *c != '\0'; c++)
        *c = '\0';
}

static void free_headers(struct curl_slist *headers)
{
    for (struct curl_slist *header = headers; header != NULL; header = header->next)
        wipe(header->data);
    curl_slist_free_all(headers);
}

static struct curl_slist *add_header(struct curl_slist *headers, bool *failed, const char *name,
                                     const char *value)
{
    char line[512];
    int written = snprintf(line, sizeof line, "%s: %s", name, value);
    struct curl_slist *grown = *failed || written < 0 || (size_t)written >= sizeof line
                                   ? NULL : curl_slist_append(headers, line);
    wipe(line);
    if (grown == NULL)
        *failed = true;
    return grown != NULL ? grown : headers;
}

static struct curl_slist *build_headers(const ms_http_settings *settings, bool json_body)
{
    bool failed = false;
    struct curl_slist *headers = add_header(NULL, &failed, "Accept", "application/json");
    if (settings->key_id != NULL && settings->secret_key != NULL) {
        headers = add_header(headers, &failed, "APCA-API-KEY-ID", settings->key_id);
        headers = add_header(headers, &failed, "APCA-API-SECRET-KEY", settings->secret_key);
    }
    if (json_body)
        headers = add_header(headers, &failed, "Content-Type", "application/json");
    if (failed) {
        free_headers(headers);
        return NULL;
    }
    return headers;
}

ms_status ms_http_client_create(ms_http_client **out, const ms_http_settings *settings,
                                ms_rate_limiter *limiter)
{
    *out = NULL;
    ms_status status = ms_global_init();
    if (status != MS_OK)
        return status;
    if (settings->base_url == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "an HTTP client needs the base URL its requests go to");
    ms_http_client *client = calloc(1, sizeof *client);
    if (client == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory creating an HTTP client");
    status = ms_base_url_parse(settings->base_url, "base URL", &client->origin);
    if (status != MS_OK) {
        free(client);
        return status;
    }
    client->curl = curl_easy_init();
    client->headers = build_headers(settings, false);
    client->body_headers = build_headers(settings, true);
    if (client->curl == NULL || client->headers == NULL || client->body_headers == NULL) {
        ms_http_client_free(client);
        return ms_error(MS_ERR_HTTP, "libcurl could not create a connection handle");
    }
    client->settings = *settings;
    client->has_keys = settings->key_id != NULL && settings->secret_key != NULL;
    client->settings.key_id = NULL;
    client->settings.secret_key = NULL;
    client->settings.base_url = NULL;
    client->limiter = limiter;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    ms_rng_init(&client->jitter, (uint64_t)now.tv_nsec ^ (uint64_t)now.tv_sec, (uintptr_t)client);
    *out = client;
    return MS_OK;
}

void ms_http_client_free(ms_http_client *client)
{
    if (client == NULL)
        return;
    if (client->curl != NULL)
        curl_easy_cleanup(client->curl);
    free_headers(client->headers);
    free_headers(client->body_headers);
    free(client);
}

void ms_http_response_release(ms_http_response *response)
{
    free(response->body);
    memset(response, 0, sizeof *response);
}

void ms_http_where(const char *method, const char *url, char where[MS_HTTP_WHERE_TEXT])
{
    const char *scheme_end = strstr(url, "://");
    const char *path = strchr(scheme_end != NULL ? scheme_end + 3 : url, '/');
    if (path == NULL)
        path = "/";
    size_t path_len = strcspn(path, "?#");
    snprintf(where, MS_HTTP_WHERE_TEXT, "%s %.*s", method, (int)path_len, path);
}

/* The response body as it arrives, refused past MS_HTTP_MAX_BODY. */
typedef struct body_buffer {
    char *data;
    size_t len;
    size_t capacity;
    bool oversized;
} body_buffer;

static size_t collect_body(char *chunk, size_t size, size_t count, void *context)
{
    body_buffer *body = context;
    size_t len = size * count;
    if (len > MS_HTTP_MAX_BODY - body->len) {
        body->oversized = true;
        return 0;
    }
    if (ms_reserve(&body->data, &body->capacity, body->len + len + 1, 1) != MS_OK)
        return 0;
    memcpy(body->data + body->len, chunk, len);
    body->len += len;
    body->data[body->len] = '\0';
    return len;
}

/* A GET in flight is abandoned once a stop is requested (libcurl calls
 * this about once a second even while nothing arrives); a POST or DELETE
 * is finished, so its outcome is known. */
static int abandon_if_interrupted(void *context, curl_off_t download_total, curl_off_t downloaded,
                                  curl_off_t upload_total, curl_off_t uploaded)
{
    (void)context;
    (void)download_total;
    (void)downloaded;
    (void)upload_total;
    (void)uploaded;
    return ms_requests_interrupted() ? 1 : 0;
}

static void configure(ms_http_client *client, const char *method, const char *url, const char *body,
                      body_buffer *collected)
{
    CURL *curl = client->curl;
    /* A reset keeps the connection cache, so keep-alive still works. */
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    if (client->origin.loopback)
        curl_easy_setopt(curl, CURLOPT_PROXY, "");
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)(client->settings.connect_timeout * 1000));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)(client->settings.timeout * 1000));
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "marketsim/" MS_VERSION_STRING);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, client->curl_error);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, collected);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, body != NULL ? client->body_headers : client->headers);
    if (body != NULL) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, abandon_if_interrupted);
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    }
}

/* Failures that repeating the same request cannot fix. */
static bool permanent_failure(CURLcode code)
{
    return code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL ||
           code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
           code == CURLE_OUT_OF_MEMORY || code == CURLE_ABORTED_BY_CALLBACK;
}

static ms_status transport_error(const ms_http_client *client, const char *where, CURLcode code,
                                 const body_buffer *collected, ms_http_response *response)
{
    const char *detail = client->curl_error[0] != '\0' ? client->curl_error : curl_easy_strerror(code);
    response->retryable = !collected->oversized && !permanent_failure(code);
    if (code == CURLE_OPERATION_TIMEDOUT)
        return ms_error(MS_ERR_TIMEOUT, "%s: timed out (connect limit %.1f s, request limit %.1f s): %s",
                        where, client->settings.connect_timeout, client->settings.timeout, detail);
    if (collected->oversized)
        return ms_error(MS_ERR_HTTP, "%s: response body larger than %zu MiB", where,
                        MS_HTTP_MAX_BODY >> 20);
    if (code == CURLE_ABORTED_BY_CALLBACK)
        return ms_error(MS_ERR_HTTP, "%s: abandoned: a stop was requested", where);
    return ms_error(MS_ERR_HTTP, "%s: %s (%s)", where, curl_easy_strerror(code), detail);
}

static int64_t rate_limit_reset(CURL *curl)
{
    struct curl_header *header = NULL;
    if (curl_easy_header(curl, "X-Ratelimit-Reset", 0, CURLH_HEADER, -1, &header) != CURLHE_OK)
        return 0;
    char *end = NULL;
    long long reset = strtoll(header->value, &end, 10);
    return end != header->value && reset > 0 ? (int64_t)reset : 0;
}

ms_status ms_http_send(ms_http_client *client, const char *method, const char *url, const char *body,
                       ms_http_response *response)
{
    memset(response, 0, sizeof *response);
    char where[MS_HTTP_WHERE_TEXT];
    ms_http_where(method, url, where);
    if (!ms_base_url_covers(&client->origin, url))
        return ms_error(MS_ERR_INVALID_ARG, "%s: refused: the URL does not go to %s, the only host "
                        "this client sends its keys to", where, client->origin.text);
    ms_rate_limiter_acquire(client->limiter);
    body_buffer collected = { 0 };
    configure(client, method, url, body, &collected);
    client->curl_error[0] = '\0';
    MS_DEBUG("%s %s%s", method, url,
             client->has_keys ? " (APCA-API-KEY-ID: <redacted>, APCA-API-SECRET-KEY: <redacted>)" : "");
    double started = ms_clock_seconds();
    CURLcode code = curl_easy_perform(client->curl);
    if (code != CURLE_OK) {
        free(collected.data);
        return transport_error(client, where, code, &collected, response);
    }
    curl_easy_getinfo(client->curl, CURLINFO_RESPONSE_CODE, &response->status);
    response->body = collected.data;
    response->body_len = collected.len;
    response->rate_limit_reset = rate_limit_reset(client->curl);
    MS_DEBUG("%s: HTTP %ld, %zu bytes in %.3f s", where, response->status, response->body_len,
             ms_clock_seconds() - started);
    return MS_OK;
}

static bool worth_retrying(ms_status status, const ms_http_response *response)
{
    if (status != MS_OK)
        return response->retryable;
    return response->status == 429 || response->status >= 500;
}

static double epoch_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

ms_status ms_http_get(ms_http_client *client, const char *url, ms_http_response *response)
{
    char where[MS_HTTP_WHERE_TEXT];
    ms_http_where("GET", url, where);
    for (int attempt = 0;; attempt++) {
        ms_status status = ms_http_send(client, "GET", url, NULL, response);
        if (!worth_retrying(status, response) || attempt >= client->settings.max_retries ||
            ms_requests_interrupted())
            return status;
        double wait = ms_retry_delay(attempt, response->status, response->rate_limit_reset,
                                     epoch_seconds(), ms_rng_uniform(&client->jitter));
        if (status != MS_OK)
            MS_INFO("%s; retry %d of %d in %.2f s", ms_last_error(), attempt + 1,
                    client->settings.max_retries, wait);
        else
            MS_INFO("%s: HTTP %ld; retry %d of %d in %.2f s", where, response->status, attempt + 1,
                    client->settings.max_retries, wait);
        /* The last answer is kept until the wait is over: a stop during
         * the wait returns it as the result. */
        if (!ms_wait_unless_interrupted(wait)) {
            MS_INFO("%s: retry %d abandoned: a stop was requested", where, attempt + 1);
            return status;
        }
        ms_http_response_release(response);
    }
}
