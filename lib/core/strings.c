/* strings.c - the few string helpers C lacks (locale-independent), writing
 * a text into a malloc'ed string, wrapping it into lines, and quoting
 * outside bytes for messages. */
#define _GNU_SOURCE
#include <ctype.h>
#include <locale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"

ms_status ms_write_to_string(const char *what, ms_text_writer write, const void *subject, char **out)
{
    size_t size = 0;
    *out = NULL;
    FILE *f = open_memstream(out, &size);
    if (f == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory writing %s", what);
    ms_status status = write(f, subject);
    /* The stream's buffer is only complete (or known to be) after fclose. */
    if (fclose(f) != 0 && status == MS_OK)
        status = ms_error(MS_ERR_NOMEM, "out of memory writing %s", what);
    if (status != MS_OK) {
        free(*out);
        *out = NULL;
    }
    return status;
}

char *ms_strdup(const char *s)
{
    if (s == NULL)
        return NULL;
    size_t len = strlen(s) + 1;
    char *copy = malloc(len);
    if (copy != NULL)
        memcpy(copy, s, len);
    return copy;
}

void ms_quote_bytes(char *out, size_t capacity, const char *bytes, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < len; i++) {
        unsigned char byte = (unsigned char)bytes[i];
        size_t need = byte >= 0x20 && byte < 0x7F ? 1 : 4;
        if (used + need >= capacity)
            break;
        if (need == 1)
            out[used] = (char)byte;
        else
            snprintf(out + used, 5, "\\x%02X", byte);
        used += need;
        out[used] = '\0';
    }
}

bool ms_str_ieq(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
    return *a == *b;
}

/* strtod honours LC_NUMERIC, which a host program may have set to a
 * decimal-comma locale; strtod_l with the "C" locale never does. The locale
 * object is created once and lives as long as the process. */
static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void create_c_locale(void)
{
    c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

bool ms_parse_double(const char *s, size_t len, double *out)
{
    char buf[64];
    while (len > 0 && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    pthread_once(&c_locale_once, create_c_locale);
    char *end = NULL;
    double value = c_locale ? strtod_l(buf, &end, c_locale) : strtod(buf, &end);
    if (end != buf + len)
        return false;
    *out = value;
    return true;
}

void ms_write_wrapped(FILE *f, const char *text, int indent, int hanging, int width)
{
    for (int margin = indent; *text != '\0'; margin = hanging) {
        size_t room = width > margin + 1 ? (size_t)(width - margin) : 1;
        size_t take = strlen(text);
        if (take > room) {
            take = room;
            while (take > 0 && text[take] != ' ')
                take--;
            if (take == 0)
                take = room;
        }
        fprintf(f, "%*s%.*s\n", margin, "", (int)take, text);
        text += take;
        while (*text == ' ')
            text++;
    }
}
