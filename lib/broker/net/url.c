/*
 * url.c - request URLs: a base, a path and query parameters whose values
 * are percent-encoded (RFC 3986 unreserved characters kept), so symbols
 * such as "BTC/USD" and client order ids travel intact.
 */
#include <stdlib.h>
#include <string.h>

#include "http.h"

static void append(ms_url *url, const char *text, size_t len)
{
    if (url->failed)
        return;
    if (ms_reserve(&url->text, &url->capacity, url->len + len + 1, 1) != MS_OK) {
        url->failed = true;
        return;
    }
    memcpy(url->text + url->len, text, len);
    url->len += len;
    url->text[url->len] = '\0';
}

static bool unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

static void append_encoded(ms_url *url, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *c = (const unsigned char *)value; *c != '\0'; c++) {
        if (unreserved(*c)) {
            append(url, (const char *)c, 1);
            continue;
        }
        char escaped[3] = { '%', hex[*c >> 4], hex[*c & 15] };
        append(url, escaped, sizeof escaped);
    }
}

void ms_url_init(ms_url *url, const char *base, const char *path)
{
    memset(url, 0, sizeof *url);
    append(url, base, strlen(base));
    append(url, path, strlen(path));
}

void ms_url_param(ms_url *url, const char *name, const char *value)
{
    append(url, url->has_query ? "&" : "?", 1);
    url->has_query = true;
    append(url, name, strlen(name));
    append(url, "=", 1);
    append_encoded(url, value);
}

ms_status ms_url_finish(ms_url *url, const char **text)
{
    if (url->failed || url->text == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory building a request URL");
    *text = url->text;
    return MS_OK;
}

void ms_url_release(ms_url *url)
{
    free(url->text);
    memset(url, 0, sizeof *url);
}
