/*
 * http.h - the broker layer's HTTP side, independent of Alpaca's JSON: a
 * client-side rate limiter, a libcurl client that sends one request (with
 * the API key headers, timeouts, no redirects, TLS verified) or a GET with
 * retries, the retry policy, and building request URLs.
 */
#ifndef MS_BROKER_HTTP_H
#define MS_BROKER_HTTP_H

#include <pthread.h>
#include <stdbool.h>

#include "core/core_internal.h"

/* ---- Rate limiter (rate_limiter.c) -------------------------------------- */

/* A token bucket shared by every request of one broker or source handle;
 * safe from several threads. */
typedef struct ms_rate_limiter {
    pthread_mutex_t lock;
    double rate;        /* tokens per second */
    double burst;       /* bucket capacity */
    double tokens;      /* may go negative: requests already queued */
    double updated;     /* clock seconds of the last refill */
} ms_rate_limiter;

/* requests_per_minute > 0. Errors: MS_ERR_INVALID_ARG. */
ms_status ms_rate_limiter_init(ms_rate_limiter *limiter, double requests_per_minute);
void ms_rate_limiter_destroy(ms_rate_limiter *limiter);

/* Takes one token at clock time `now` (seconds) and returns how long the
 * caller must wait before sending: 0 when a token was free. */
double ms_rate_limiter_reserve(ms_rate_limiter *limiter, double now);

/* Reserves a token on the monotonic clock and sleeps until it is due. */
void ms_rate_limiter_acquire(ms_rate_limiter *limiter);

/* ---- Retry policy (retry_policy.c) -------------------------------------- */

/* The longest wait before one retry, whatever the server asks. */
#define MS_RETRY_MAX_WAIT 30.0

/* Seconds to wait before retry number `attempt` (0-based) of a GET: until
 * `rate_limit_reset` (epoch seconds, 0 when absent) for a 429 that names
 * it, else capped exponential backoff scaled by `jitter` in [0, 1).
 * `now_epoch` is the wall clock in seconds. */
double ms_retry_delay(int attempt, long http_status, int64_t rate_limit_reset, double now_epoch,
                      double jitter);

/* ---- Stopping (interrupt.c) ---------------------------------------------- */

/* Whether ms_interrupt_requests(1) is in force. */
bool ms_requests_interrupted(void);

/* Sleeps `seconds` unless a stop is requested first or meanwhile; false
 * when stopped (within 50 ms of the request). */
bool ms_wait_unless_interrupted(double seconds);

/* ---- Base URLs (base_url.c) ---------------------------------------------- */

#define MS_BASE_URL_MAX 512

/* A server's base URL as libcurl parses it, rebuilt from its parts. */
typedef struct ms_base_url {
    char text[MS_BASE_URL_MAX];  /* "scheme://host[:port][/path]", lower-case scheme and host,
                                    no trailing '.' on the host, no trailing '/' */
    char host[256];              /* as in text; IPv6 in brackets */
    long port;                   /* the one given, else 443 or 80 */
    bool https;
    bool loopback;               /* 127.0.0.0/8, [::1] or localhost */
} ms_base_url;

/*
 * Parses a base URL; `what` ("trading URL") names it in messages. Refused
 * with MS_ERR_INVALID_ARG: what libcurl cannot parse, bytes outside
 * printable ASCII, a scheme other than http and https, user-info (a user
 * or password before '@', even empty), a query, fragment or IPv6 zone id,
 * plain http to a host that is not loopback, text of MS_BASE_URL_MAX or
 * more. Errors: MS_ERR_NOMEM.
 */
ms_status ms_base_url_parse(const char *text, const char *what, ms_base_url *out);

/* Whether the request URL `url`, as libcurl parses it, goes to the scheme,
 * host and port of `base` without user-info. */
bool ms_base_url_covers(const ms_base_url *base, const char *url);

/* ---- Client (http_client.c) --------------------------------------------- */

/* The longest response body kept; a larger one is an error. */
#define MS_HTTP_MAX_BODY ((size_t)64 << 20)

typedef struct ms_http_settings {
    double connect_timeout;  /* seconds, > 0 */
    double timeout;          /* seconds for a whole exchange, > 0 */
    int max_retries;         /* extra attempts of a GET, >= 0 */
    const char *key_id;      /* NULL: requests carry no credentials */
    const char *secret_key;
    /* Every request must go to this base URL's scheme, host and port (a
     * parsed base URL's text); plain http to it never goes through a proxy. */
    const char *base_url;
} ms_http_settings;

typedef struct ms_http_response {
    long status;             /* HTTP status; 0 when no response arrived */
    char *body;              /* NUL-terminated, owned; NULL when empty */
    size_t body_len;
    int64_t rate_limit_reset;/* X-Ratelimit-Reset in epoch seconds; 0 when absent */
    bool retryable;          /* after a transport failure: whether trying again may help */
} ms_http_response;

typedef struct ms_http_client ms_http_client;

/* A client with its own connection (one thread at a time) drawing on
 * `limiter`, which must outlive it. The key strings are copied into the
 * request headers, which are wiped when the client is freed.
 * Errors: MS_ERR_NOMEM, MS_ERR_HTTP (libcurl could not start),
 * MS_ERR_INVALID_ARG (settings->base_url refused by ms_base_url_parse). */
ms_status ms_http_client_create(ms_http_client **out, const ms_http_settings *settings,
                                ms_rate_limiter *limiter);
void ms_http_client_free(ms_http_client *client);

/*
 * Sends one request (`body`: JSON for POST, else NULL) once. MS_OK when a
 * response arrived, whatever its status; *response is filled either way and
 * must be released. Errors (messages name the method and path):
 * MS_ERR_TIMEOUT, MS_ERR_HTTP (transport failures, a body over the cap),
 * MS_ERR_INVALID_ARG (a URL off the client's base URL: nothing is sent).
 */
ms_status ms_http_send(ms_http_client *client, const char *method, const char *url, const char *body,
                       ms_http_response *response);

/* A GET repeated on transport failures, 429 and 5xx, up to the client's
 * max_retries, waiting per ms_retry_delay. Same contract as ms_http_send,
 * for the last attempt. */
ms_status ms_http_get(ms_http_client *client, const char *url, ms_http_response *response);

void ms_http_response_release(ms_http_response *response);

/* "GET /v2/orders": the method and the URL's path without host or query,
 * for messages. */
#define MS_HTTP_WHERE_TEXT 160
void ms_http_where(const char *method, const char *url, char where[MS_HTTP_WHERE_TEXT]);

/* ---- URLs (url.c) -------------------------------------------------------- */

/* A URL under construction; after an allocation failure `failed` is set and
 * further appends do nothing. */
typedef struct ms_url {
    char *text;
    size_t len;
    size_t capacity;
    bool failed;
    bool has_query;
} ms_url;

/* Starts base + path ("https://host" + "/v2/orders"). */
void ms_url_init(ms_url *url, const char *base, const char *path);
/* Appends "?name=value" or "&name=value", percent-encoding the value. */
void ms_url_param(ms_url *url, const char *name, const char *value);
/* The finished text, or MS_ERR_NOMEM when an append failed. */
ms_status ms_url_finish(ms_url *url, const char **text);
void ms_url_release(ms_url *url);

#endif
