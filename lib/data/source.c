/*
 * source.c - data sources named by URI: ms_source_open finds the scheme's
 * opener in the scheme table (source_schemes.c), and the data layer's own
 * two are here: "csv:DIR" and the synthetic market
 * ("synthetic[:seed=N][,bars=N]", the default). A source is read-only once
 * open, so ms_source_load may run on many threads at once.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "data_internal.h"

#define DEFAULT_SYNTHETIC_BARS 1000

/* Version 2 appended from_env (a version 1 caller reads no environment).
 * The bars options are embedded by value before it: if ms_bars_options
 * grows, this struct needs a new version whose layout moves from_env. */
MS_OPTIONS_DECLARE(ms_source_options, source, MS_SOURCE_OPTIONS,
                   offsetof(ms_source_options, from_env), sizeof(ms_source_options));

static ms_status resolve_options(const ms_source_options *opts, ms_source_options *out)
{
    ms_source_options caller;
    ms_status status = ms_options_import(&source_layout, &caller, &source_defaults, opts);
    if (status != MS_OK)
        return status;
    if (caller.synthetic_bars > MS_SYNTHETIC_MAX_BARS)
        return ms_error(MS_ERR_INVALID_ARG, "source options: synthetic_bars %zu is over %d",
                        caller.synthetic_bars, MS_SYNTHETIC_MAX_BARS);
    *out = caller;
    if (out->synthetic_bars == 0)
        out->synthetic_bars = DEFAULT_SYNTHETIC_BARS;
    return ms_bars_options_resolve(&caller.bars, &out->bars);
}

/* Reads a whole decimal number in [minimum, maximum]. */
static bool parse_count(const char *text, size_t len, uint64_t minimum, uint64_t maximum,
                        uint64_t *out)
{
    uint64_t value = 0;
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned digit = (unsigned)(text[i] - '0');
        if (digit > 9 || value > (UINT64_MAX - digit) / 10)
            return false;
        value = value * 10 + digit;
    }
    if (value < minimum || value > maximum)
        return false;
    *out = value;
    return true;
}

/* The parameters a synthetic URI may give, each at most once. */
enum { PARAMETER_SEED, PARAMETER_BARS, PARAMETER_COUNT };
static const char *const parameter_keys[PARAMETER_COUNT] = { "seed", "bars" };
static const uint64_t parameter_limits[PARAMETER_COUNT][2] = {
    { 0, UINT64_MAX }, { 1, MS_SYNTHETIC_MAX_BARS }
};

static int find_parameter(const char *key, size_t key_len)
{
    for (int k = 0; k < PARAMETER_COUNT; k++)
        if (key_len == strlen(parameter_keys[k]) && strncmp(key, parameter_keys[k], key_len) == 0)
            return k;
    return -1;
}

/* Applies one "key=value" parameter of a synthetic URI. */
static ms_status apply_parameter(ms_source *source, const char *text, size_t len,
                                 unsigned *seen)
{
    const char *equals = memchr(text, '=', len);
    int k = find_parameter(text, equals != NULL ? (size_t)(equals - text) : len);
    if (k < 0 || equals == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "synthetic source: unknown parameter '%.*s' "
                        "(expected seed=N, bars=N)", (int)len, text);
    if (*seen & (1u << k))
        return ms_error(MS_ERR_INVALID_ARG, "synthetic source: parameter '%.*s' repeats '%s'",
                        (int)len, text, parameter_keys[k]);
    uint64_t value = 0;
    const uint64_t *limits = parameter_limits[k];
    if (!parse_count(equals + 1, len - (size_t)(equals + 1 - text), limits[0], limits[1], &value))
        return ms_error(MS_ERR_INVALID_ARG,
                        "synthetic source: parameter '%.*s': not a whole number in %llu .. %llu",
                        (int)len, text, (unsigned long long)limits[0],
                        (unsigned long long)limits[1]);
    *seen |= 1u << k;
    if (k == PARAMETER_SEED)
        source->seed = value;
    else
        source->synthetic_bars = (size_t)value;
    return MS_OK;
}

static ms_status open_synthetic(ms_source *source, const char *parameters)
{
    source->kind = MS_SOURCE_SYNTHETIC;
    unsigned seen = 0;
    for (const char *at = parameters; *at != '\0';) {
        const char *comma = strchr(at, ',');
        size_t len = comma != NULL ? (size_t)(comma - at) : strlen(at);
        ms_status status = apply_parameter(source, at, len, &seen);
        if (status != MS_OK)
            return status;
        at += len + (comma != NULL);
    }
    char uri[96];
    snprintf(uri, sizeof uri, "synthetic:seed=%llu,bars=%zu",
             (unsigned long long)source->seed, source->synthetic_bars);
    source->uri = ms_strdup(uri);
    return source->uri != NULL ? MS_OK : ms_error(MS_ERR_NOMEM, "synthetic source: out of memory");
}

static ms_status open_csv(ms_source *source, const char *directory)
{
    source->kind = MS_SOURCE_CSV;
    size_t len = strlen(directory);
    /* Trailing slashes are dropped so "csv:d/" and "csv:d" are one URI. */
    while (len > 1 && directory[len - 1] == '/')
        len--;
    if (len == 0)
        return ms_error(MS_ERR_INVALID_ARG, "csv source: no directory (expected csv:DIR)");
    source->uri = malloc(len + 5);
    if (source->uri == NULL)
        return ms_error(MS_ERR_NOMEM, "csv source: out of memory");
    snprintf(source->uri, len + 5, "csv:%.*s", (int)len, directory);
    source->directory = source->uri + 4;
    struct stat info;
    if (stat(source->directory, &info) != 0)
        return ms_error(MS_ERR_NOT_FOUND, "csv source: directory '%s': %s", source->directory,
                        errno == ENOENT ? "does not exist" : "cannot be read");
    if (!S_ISDIR(info.st_mode))
        return ms_error(MS_ERR_NOT_FOUND, "csv source: '%s' is not a directory",
                        source->directory);
    return MS_OK;
}

/* A built-in source of `opts`, opened by `open_kind` from `rest`. */
static ms_status open_builtin(ms_source **out, const char *rest, const ms_source_options *opts,
                              ms_status (*open_kind)(ms_source *, const char *))
{
    ms_source *source = calloc(1, sizeof *source);
    if (source == NULL)
        return ms_error(MS_ERR_NOMEM, "ms_source_open: out of memory");
    source->synthetic_bars = opts->synthetic_bars;
    source->bars_options = opts->bars;
    ms_status status = open_kind(source, rest);
    if (status != MS_OK) {
        ms_source_free(source);
        return status;
    }
    *out = source;
    return MS_OK;
}

ms_status ms_source_open_synthetic_scheme(ms_source **out, const char *uri, const char *rest,
                                          const ms_source_options *opts)
{
    (void)uri;
    return open_builtin(out, rest, opts, open_synthetic);
}

ms_status ms_source_open_csv_scheme(ms_source **out, const char *uri, const char *rest,
                                    const ms_source_options *opts)
{
    (void)uri;
    return open_builtin(out, rest, opts, open_csv);
}

MS_API ms_status ms_source_open(ms_source **out, const char *uri,
                                const ms_source_options *opts)
{
    if (out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_source_open: out is NULL");
    *out = NULL;
    ms_source_options resolved;
    ms_status status = resolve_options(opts, &resolved);
    if (status != MS_OK)
        return status;
    if (uri == NULL || *uri == '\0')
        return ms_source_open_synthetic_scheme(out, "", "", &resolved);
    const char *colon = strchr(uri, ':');
    size_t scheme_len = colon != NULL ? (size_t)(colon - uri) : strlen(uri);
    ms_source_scheme_open_fn open = ms_source_scheme_find(uri, scheme_len);
    if (open == NULL) {
        char known[512];
        ms_source_schemes_describe(known, sizeof known);
        return ms_error(MS_ERR_INVALID_ARG, "data source '%s': unknown scheme '%.*s' (expected %s)",
                        uri, (int)scheme_len, uri, known);
    }
    return open(out, uri, colon != NULL ? colon + 1 : "", &resolved);
}

MS_API ms_status ms_source_open_custom(ms_source **out, const char *uri, ms_source_load_fn load,
                                       void (*free_context)(void *context), void *context)
{
    if (out == NULL || uri == NULL || load == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_source_open_custom: out, uri or load is NULL");
    ms_source *source = calloc(1, sizeof *source);
    char *copy = ms_strdup(uri);
    if (source == NULL || copy == NULL) {
        free(source);
        free(copy);
        return ms_error(MS_ERR_NOMEM, "ms_source_open_custom: out of memory");
    }
    source->kind = MS_SOURCE_CUSTOM;
    source->uri = copy;
    source->custom_load = load;
    source->custom_free = free_context;
    source->custom_context = context;
    *out = source;
    return MS_OK;
}

MS_API void ms_source_free(ms_source *source)
{
    if (source == NULL)
        return;
    if (source->kind == MS_SOURCE_CUSTOM && source->custom_free != NULL)
        source->custom_free(source->custom_context);
    free(source->uri);
    free(source);
}

MS_API const char *ms_source_uri(const ms_source *source)
{
    return source != NULL ? source->uri : NULL;
}

MS_API ms_status ms_source_load(ms_source *source, const char *symbol, ms_bars **out)
{
    if (source == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_source_load: source or out is NULL");
    if (symbol == NULL || *symbol == '\0')
        return ms_error(MS_ERR_INVALID_ARG, "ms_source_load: symbol is NULL or empty");
    if (source->kind == MS_SOURCE_SYNTHETIC)
        return ms_synthetic_bars(out, symbol, source->seed, source->synthetic_bars);
    if (source->kind == MS_SOURCE_CUSTOM)
        return source->custom_load(source->custom_context, symbol, out);
    return ms_csv_source_load(source, symbol, out);
}
