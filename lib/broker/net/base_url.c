/*
 * base_url.c - the base URLs of the servers the API keys are sent to,
 * parsed by libcurl's URL API (the parser that later connects), never
 * compared as text: "http://127.0.0.1:x@evil.example" starts like loopback
 * but is user "127.0.0.1" on host evil.example, and API.ALPACA.MARKETS or
 * "api.alpaca.markets." is Alpaca's live host in another spelling.
 *
 * A base URL is rebuilt from its parts (lower-case scheme and host, no
 * trailing dot, no user-info), so the text later requests are built from
 * names the very host that was checked; each request is checked against
 * it again before it is sent (ms_base_url_covers).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

/* The parts of a URL that decide where it connects. */
typedef struct url_parts {
    char *scheme;
    char *host;
    char *port;        /* NULL when the URL gives none */
    char *path;
    bool user_info;    /* a user or password, even an empty one */
    bool extra;        /* a query, a fragment or an IPv6 zone id */
} url_parts;

static void release_parts(url_parts *parts)
{
    curl_free(parts->scheme);
    curl_free(parts->host);
    curl_free(parts->port);
    curl_free(parts->path);
    memset(parts, 0, sizeof *parts);
}

static bool has_part(CURLU *handle, CURLUPart part)
{
    char *value = NULL;
    bool present = curl_url_get(handle, part, &value, 0) == CURLUE_OK;
    curl_free(value);
    return present;
}

/* Host names compare case-insensitively and "host." is "host": both are
 * folded here, once, so every later comparison is a plain one. */
static void fold_host(char *host)
{
    for (char *c = host; *c != '\0'; c++)
        *c = (char)tolower((unsigned char)*c);
    size_t len = strlen(host);
    if (len > 0 && host[len - 1] == '.')
        host[len - 1] = '\0';
}

/* CURLUE_OK, or why libcurl refused the URL. */
static CURLUcode split_url(const char *text, url_parts *parts)
{
    memset(parts, 0, sizeof *parts);
    CURLU *handle = curl_url();
    if (handle == NULL)
        return CURLUE_OUT_OF_MEMORY;
    CURLUcode code = curl_url_set(handle, CURLUPART_URL, text, 0);
    if (code == CURLUE_OK)
        code = curl_url_get(handle, CURLUPART_SCHEME, &parts->scheme, 0);
    if (code == CURLUE_OK)
        code = curl_url_get(handle, CURLUPART_HOST, &parts->host, 0);
    if (code == CURLUE_OK)
        code = curl_url_get(handle, CURLUPART_PATH, &parts->path, 0);
    if (code == CURLUE_OK && curl_url_get(handle, CURLUPART_PORT, &parts->port, 0) != CURLUE_OK)
        parts->port = NULL;
    if (code == CURLUE_OK) {
        parts->user_info = has_part(handle, CURLUPART_USER) || has_part(handle, CURLUPART_PASSWORD) ||
                           has_part(handle, CURLUPART_OPTIONS);
        parts->extra = has_part(handle, CURLUPART_QUERY) || has_part(handle, CURLUPART_FRAGMENT) ||
                       has_part(handle, CURLUPART_ZONEID);
        for (char *c = parts->scheme; *c != '\0'; c++)
            *c = (char)tolower((unsigned char)*c);
        fold_host(parts->host);
    }
    curl_url_cleanup(handle);
    if (code != CURLUE_OK)
        release_parts(parts);
    return code;
}

/* 127.0.0.0/8, ::1 or the name localhost; libcurl has already written
 * numeric hosts in their standard form (127.1 and 0x7f.0.0.1 become
 * 127.0.0.1), so inet_pton sees what will be connected to. */
static bool loopback_host(const char *host)
{
    if (strcmp(host, "localhost") == 0)
        return true;
    struct in_addr v4;
    if (inet_pton(AF_INET, host, &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    size_t len = strlen(host);
    char inner[64];
    struct in6_addr v6;
    if (len < 2 || len - 2 >= sizeof inner || host[0] != '[' || host[len - 1] != ']')
        return false;
    memcpy(inner, host + 1, len - 2);
    inner[len - 2] = '\0';
    return inet_pton(AF_INET6, inner, &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

/* Printable ASCII only: no space, control byte or UTF-8 for a parser to
 * read one way and a resolver another. */
static bool printable(const char *text)
{
    for (const unsigned char *c = (const unsigned char *)text; *c != '\0'; c++)
        if (*c <= ' ' || *c > '~')
            return false;
    return true;
}

/* Letters, digits, '-', '_' and '.' in a name, hex digits, ':' and '.' in
 * brackets (IPv6); not empty, no trailing dot left. libcurl decodes %XX in
 * a host once, so "%2533" reads as "%33", which would read as "3" when
 * the rebuilt text is parsed again (found by fuzzing): a host is only
 * accepted in a form that parses to itself. */
static bool plain_host(const char *host)
{
    size_t len = strlen(host);
    if (len == 0 || host[len - 1] == '.')
        return false;
    bool bracketed = host[0] == '[';
    if (bracketed)
        return len > 2 && host[len - 1] == ']' && strspn(host + 1, "0123456789abcdef:.") == len - 2;
    for (const char *c = host; *c != '\0'; c++)
        if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.')
            return false;
    return true;
}

/* The URL for a message, unless it may carry a password before an '@'. */
static const char *shown(const char *text)
{
    return strchr(text, '@') == NULL ? text : "(not shown: it has an '@')";
}

static ms_status check_parts(const url_parts *parts, const char *text, const char *what)
{
    if (parts->user_info)
        return ms_error(MS_ERR_INVALID_ARG, "%s %s: a user name or password before '@' is refused: "
                        "it hides which host the keys go to", what, shown(text));
    bool https = strcmp(parts->scheme, "https") == 0;
    if (!https && strcmp(parts->scheme, "http") != 0)
        return ms_error(MS_ERR_INVALID_ARG, "%s %s: expected https://HOST (the scheme is %s)", what,
                        shown(text), parts->scheme);
    if (!plain_host(parts->host))
        return ms_error(MS_ERR_INVALID_ARG, "%s %s: expected a host name of letters, digits, '-', "
                        "'_' and '.', or an IPv6 address in brackets", what, shown(text));
    if (parts->extra)
        return ms_error(MS_ERR_INVALID_ARG, "%s %s: a base URL has no query, fragment or zone id",
                        what, shown(text));
    if (!https && !loopback_host(parts->host))
        return ms_error(MS_ERR_INVALID_ARG, "%s %s: expected https://HOST (plain http only to "
                        "127.0.0.0/8, localhost or [::1]): keys must not travel in clear text",
                        what, shown(text));
    return MS_OK;
}

static ms_status rebuild(const url_parts *parts, const char *what, ms_base_url *out)
{
    size_t path_len = strlen(parts->path);
    while (path_len > 0 && parts->path[path_len - 1] == '/')
        path_len--;
    int written = snprintf(out->text, sizeof out->text, "%s://%s%s%s%.*s", parts->scheme, parts->host,
                           parts->port != NULL ? ":" : "", parts->port != NULL ? parts->port : "",
                           (int)path_len, parts->path);
    int host_written = snprintf(out->host, sizeof out->host, "%s", parts->host);
    if (written < 0 || (size_t)written >= sizeof out->text || host_written < 0 ||
        (size_t)host_written >= sizeof out->host)
        return ms_error(MS_ERR_INVALID_ARG, "%s is longer than %d characters", what,
                        MS_BASE_URL_MAX - 1);
    out->https = strcmp(parts->scheme, "https") == 0;
    out->port = parts->port != NULL ? atol(parts->port) : out->https ? 443 : 80;
    out->loopback = loopback_host(parts->host);
    return MS_OK;
}

static ms_status parse_once(const char *text, const char *what, ms_base_url *out)
{
    memset(out, 0, sizeof *out);
    if (strlen(text) >= MS_BASE_URL_MAX)
        return ms_error(MS_ERR_INVALID_ARG, "%s is longer than %d characters", what,
                        MS_BASE_URL_MAX - 1);
    if (!printable(text))
        return ms_error(MS_ERR_INVALID_ARG, "%s: only printable ASCII without spaces is accepted",
                        what);
    url_parts parts;
    CURLUcode code = split_url(text, &parts);
    if (code == CURLUE_OUT_OF_MEMORY)
        return ms_error(MS_ERR_NOMEM, "out of memory parsing the %s", what);
    if (code != CURLUE_OK)
        return ms_error(MS_ERR_INVALID_ARG, "%s %s: expected https://HOST[:PORT][/PATH] (%s)", what,
                        shown(text), curl_url_strerror(code));
    ms_status status = check_parts(&parts, text, what);
    if (status == MS_OK)
        status = rebuild(&parts, what, out);
    release_parts(&parts);
    return status;
}

/* The rebuilt text must parse to itself: folding can turn a name into a
 * number libcurl writes otherwise ("7.0.0." -> "7.0.0", which it reads
 * as 7.0.0.0: found by fuzzing), and the host that was checked must be
 * the one connected to. */
ms_status ms_base_url_parse(const char *text, const char *what, ms_base_url *out)
{
    ms_status status = parse_once(text, what, out);
    ms_base_url again;
    if (status == MS_OK)
        status = parse_once(out->text, what, &again);
    if (status == MS_OK && strcmp(again.text, out->text) != 0)
        status = ms_error(MS_ERR_INVALID_ARG, "%s %s: write the host in its standard form (%s)",
                          what, shown(text), again.host);
    if (status != MS_OK)
        memset(out, 0, sizeof *out);
    return status;
}

bool ms_base_url_covers(const ms_base_url *base, const char *url)
{
    url_parts parts;
    if (split_url(url, &parts) != CURLUE_OK)
        return false;
    bool https = strcmp(parts.scheme, "https") == 0;
    long port = parts.port != NULL ? atol(parts.port) : https ? 443 : 80;
    bool same = !parts.user_info && https == base->https && (https || strcmp(parts.scheme, "http") == 0) &&
                strcmp(parts.host, base->host) == 0 && port == base->port;
    release_parts(&parts);
    return same;
}
