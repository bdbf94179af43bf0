/*
 * source_schemes.c - the URI schemes ms_source_open knows: the data layer's
 * own (synthetic, csv) and those the layers above it register with
 * ms_source_register_scheme (the broker layer's alpaca, at library load, from
 * lib/broker/alpaca/alpaca_source.c).
 * One table, so every caller (the C API, the CLI's --data, Python's Source)
 * opens a URI the same way and an unknown scheme's message lists them all.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "data_internal.h"

/* Room for the built-ins, the broker's and a caller's few: a table that
 * never grows needs no allocation and no teardown. */
#define MAX_SCHEMES 16
#define SCHEME_NAME_MAX 32
#define SCHEME_SHAPE_MAX 96

typedef struct scheme_entry {
    char name[SCHEME_NAME_MAX];
    char shape[SCHEME_SHAPE_MAX];
    ms_source_scheme_open_fn open;
} scheme_entry;

/* Registration may race with opens on other threads: the lock guards the
 * table; an opener is copied out and called after it is released. */
static pthread_mutex_t schemes_lock = PTHREAD_MUTEX_INITIALIZER;
static scheme_entry schemes[MAX_SCHEMES] = {
    { "csv", "csv:DIR", ms_source_open_csv_scheme },
    { "synthetic", "synthetic[:seed=N][,bars=N]", ms_source_open_synthetic_scheme },
};
static size_t schemes_len = 2;

/* RFC 3986: a letter, then letters, digits, '+', '-' or '.'. */
static bool scheme_name_valid(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len >= SCHEME_NAME_MAX || !isalpha((unsigned char)name[0]))
        return false;
    for (size_t i = 1; i < len; i++)
        if (!isalnum((unsigned char)name[i]) && strchr("+-.", name[i]) == NULL)
            return false;
    return true;
}

/* The entry named `name` (len bytes, case-insensitive); call locked. */
static const scheme_entry *find_locked(const char *name, size_t len)
{
    for (size_t i = 0; i < schemes_len; i++)
        if (strlen(schemes[i].name) == len && strncasecmp(schemes[i].name, name, len) == 0)
            return &schemes[i];
    return NULL;
}

MS_API ms_status ms_source_register_scheme(const char *scheme, const char *shape,
                                           ms_source_scheme_open_fn open)
{
    if (scheme == NULL || open == NULL || !scheme_name_valid(scheme))
        return ms_error(MS_ERR_INVALID_ARG, "ms_source_register_scheme: scheme '%s' is not a "
                        "letter then letters, digits, '+', '-' or '.' (under %d characters), "
                        "or open is NULL", scheme != NULL ? scheme : "(null)", SCHEME_NAME_MAX);
    ms_status status = MS_OK;
    pthread_mutex_lock(&schemes_lock);
    if (find_locked(scheme, strlen(scheme)) != NULL) {
        status = ms_error(MS_ERR_INVALID_ARG, "ms_source_register_scheme: scheme '%s' is "
                          "already registered", scheme);
    } else if (schemes_len == MAX_SCHEMES) {
        status = ms_error(MS_ERR_INVALID_ARG, "ms_source_register_scheme: scheme '%s': the "
                          "table holds %d schemes and is full", scheme, MAX_SCHEMES);
    } else {
        scheme_entry *entry = &schemes[schemes_len++];
        snprintf(entry->name, sizeof entry->name, "%s", scheme);
        snprintf(entry->shape, sizeof entry->shape, "%s", shape != NULL && *shape ? shape : scheme);
        entry->open = open;
    }
    pthread_mutex_unlock(&schemes_lock);
    return status;
}

ms_source_scheme_open_fn ms_source_scheme_find(const char *name, size_t len)
{
    pthread_mutex_lock(&schemes_lock);
    const scheme_entry *entry = find_locked(name, len);
    ms_source_scheme_open_fn open = entry != NULL ? entry->open : NULL;
    pthread_mutex_unlock(&schemes_lock);
    return open;
}

void ms_source_schemes_describe(char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    pthread_mutex_lock(&schemes_lock);
    for (size_t i = 0; i < schemes_len && used < size; i++) {
        const char *separator = i == 0 ? "" : i + 1 == schemes_len ? " or " : ", ";
        int written = snprintf(out + used, size - used, "%s%s", separator, schemes[i].shape);
        used += written > 0 ? (size_t)written : 0;
    }
    pthread_mutex_unlock(&schemes_lock);
}
