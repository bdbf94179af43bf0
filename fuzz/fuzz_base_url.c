/*
 * fuzz_base_url.c - feeds arbitrary bytes to ms_base_url_parse, the check
 * every trading and data URL passes before API keys are sent to it, and
 * to ms_base_url_covers, the check of every request URL.
 *
 * Input: the bytes up to the first newline are the base URL; the rest, if
 * any, is a request URL checked against it.
 *
 * Asserts, besides no crash, leak or undefined behaviour, for an accepted
 * base URL: libcurl, parsing the rebuilt text again, finds no user or
 * password and the very host and port that were checked (so the host the
 * live-host and loopback rules judged is the one connected to); the host
 * is lower case without a trailing dot; plain http only to loopback; the
 * rebuilt text is accepted again unchanged; request URLs built from it the
 * way the broker builds them (base + path + query) are covered, and one
 * with user-info in front of the host is not.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/net/http.h"
#include "fuzz_support.h"

static char *part_of(CURLU *handle, CURLUPart part)
{
    char *value = NULL;
    return curl_url_get(handle, part, &value, 0) == CURLUE_OK ? value : NULL;
}

/* What libcurl itself makes of the rebuilt text. */
static void check_libcurl_agrees(const ms_base_url *url)
{
    CURLU *handle = curl_url();
    FUZZ_CHECK(handle != NULL);
    FUZZ_CHECK(curl_url_set(handle, CURLUPART_URL, url->text, 0) == CURLUE_OK);
    char *user = part_of(handle, CURLUPART_USER), *password = part_of(handle, CURLUPART_PASSWORD);
    char *host = part_of(handle, CURLUPART_HOST), *port = part_of(handle, CURLUPART_PORT);
    FUZZ_CHECK(user == NULL && password == NULL);
    FUZZ_CHECK(host != NULL && strcmp(host, url->host) == 0);
    FUZZ_CHECK(port != NULL ? atol(port) == url->port : url->port == (url->https ? 443 : 80));
    curl_free(user);
    curl_free(password);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(handle);
}

static void check_accepted(const ms_base_url *url)
{
    check_libcurl_agrees(url);
    size_t host_len = strlen(url->host);
    FUZZ_CHECK(host_len > 0 && url->host[host_len - 1] != '.');
    for (const char *c = url->host; *c != '\0'; c++)
        FUZZ_CHECK(!isupper((unsigned char)*c));
    FUZZ_CHECK(url->https || url->loopback);
    ms_base_url again;
    FUZZ_CHECK(ms_base_url_parse(url->text, "fuzz URL", &again) == MS_OK);
    FUZZ_CHECK(strcmp(again.text, url->text) == 0 && strcmp(again.host, url->host) == 0);
    char request[MS_BASE_URL_MAX + 64];
    snprintf(request, sizeof request, "%s/v2/orders?status=open&limit=500", url->text);
    FUZZ_CHECK(ms_base_url_covers(url, request));
    const char *rest = strstr(url->text, "://") + 3;
    snprintf(request, sizeof request, "%s://evil.example@%s", url->https ? "https" : "http", rest);
    FUZZ_CHECK(!ms_base_url_covers(url, request));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    FUZZ_CHECK(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    char *request = strchr(text, '\n');
    if (request != NULL)
        *request++ = '\0';
    ms_base_url url;
    if (ms_base_url_parse(text, "fuzz URL", &url) == MS_OK) {
        check_accepted(&url);
        if (request != NULL)
            ms_base_url_covers(&url, request);
    }
    free(text);
    return 0;
}
