/*
 * aggregate.c - named point summaries of a forecast ("mean", "median",
 * "trimmed_mean_10", "quantile_0.9"): parsing, range checks and the
 * canonical names that parse back to the same aggregate.
 */
#include <stdio.h>
#include <string.h>

#include "core/core_internal.h"
#include "model/model_internal.h"

#define TRIMMED_PREFIX "trimmed_mean_"
#define QUANTILE_PREFIX "quantile_"

ms_status ms_aggregate_check(const ms_aggregate *aggregate)
{
    double param = aggregate->param;
    switch (aggregate->kind) {
    case MS_AGG_MEAN:
    case MS_AGG_MEDIAN:
        return MS_OK;
    case MS_AGG_TRIMMED_MEAN:
        if (param >= 0.0 && param < 0.5)
            return MS_OK;
        return ms_error(MS_ERR_INVALID_ARG,
                        "trimmed mean tail fraction %g is outside [0, 0.5)", param);
    case MS_AGG_QUANTILE:
        if (param > 0.0 && param < 1.0)
            return MS_OK;
        return ms_error(MS_ERR_INVALID_ARG, "quantile level %g is outside (0, 1)", param);
    }
    return ms_error(MS_ERR_INVALID_ARG, "unknown aggregate kind %d", (int)aggregate->kind);
}

/* A plain decimal number: digits first, so signs, blanks, "nan" and "inf"
 * (which ms_parse_double would take) are refused. */
static bool parse_plain_number(const char *text, double *out)
{
    bool starts_well = (*text >= '0' && *text <= '9') || *text == '.';
    return starts_well && ms_parse_double(text, strlen(text), out);
}

static bool has_prefix(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

/* Reads the text after the kind's prefix as param = number / divisor and
 * checks its range. */
static ms_status parse_parameterised(const char *text, const char *prefix,
                                     ms_aggregate_kind kind, double divisor,
                                     ms_aggregate *out)
{
    double number;
    if (!parse_plain_number(text + strlen(prefix), &number))
        return ms_error(MS_ERR_INVALID_ARG, "aggregate '%s': '%s' is not a number",
                        text, text + strlen(prefix));
    ms_aggregate parsed = { kind, number / divisor };
    if (ms_aggregate_check(&parsed) != MS_OK)
        return ms_error_wrap(MS_ERR_INVALID_ARG, "aggregate '%s'", text);
    *out = parsed;
    return MS_OK;
}

MS_API ms_status ms_aggregate_parse(const char *text, ms_aggregate *out)
{
    if (text == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_aggregate_parse: text and out must not be NULL");
    if (strcmp(text, "mean") == 0) {
        *out = (ms_aggregate){ MS_AGG_MEAN, 0.0 };
        return MS_OK;
    }
    if (strcmp(text, "median") == 0) {
        *out = (ms_aggregate){ MS_AGG_MEDIAN, 0.0 };
        return MS_OK;
    }
    if (has_prefix(text, TRIMMED_PREFIX)) /* X percent from each tail */
        return parse_parameterised(text, TRIMMED_PREFIX, MS_AGG_TRIMMED_MEAN, 100.0, out);
    if (has_prefix(text, QUANTILE_PREFIX))
        return parse_parameterised(text, QUANTILE_PREFIX, MS_AGG_QUANTILE, 1.0, out);
    return ms_error(MS_ERR_INVALID_ARG,
                    "aggregate '%s': expected mean, median, trimmed_mean_X "
                    "(0 <= X < 50) or quantile_Q (0 < Q < 1)", text);
}

/* Writes prefix + param * multiplier with the fewest significant digits
 * (15 to 17) that parse back to exactly `param`. */
static void format_number(char *buf, size_t size, const char *prefix,
                          double param, double multiplier)
{
    char name[64];
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(name, sizeof name, "%s%.*g", prefix, digits, param * multiplier);
        /* printf follows LC_NUMERIC; names are always written with a dot. */
        char *comma = strchr(name, ',');
        if (comma != NULL)
            *comma = '.';
        double number;
        if (parse_plain_number(name + strlen(prefix), &number)
            && number / multiplier == param)
            break;
    }
    snprintf(buf, size, "%s", name);
}

MS_API void ms_aggregate_format(const ms_aggregate *aggregate, char *buf, size_t size)
{
    if (buf == NULL || size == 0)
        return;
    if (aggregate == NULL) {
        buf[0] = '\0';
        return;
    }
    switch (aggregate->kind) {
    case MS_AGG_MEAN:
        snprintf(buf, size, "mean");
        return;
    case MS_AGG_MEDIAN:
        snprintf(buf, size, "median");
        return;
    case MS_AGG_TRIMMED_MEAN:
        format_number(buf, size, TRIMMED_PREFIX, aggregate->param, 100.0);
        return;
    case MS_AGG_QUANTILE:
        format_number(buf, size, QUANTILE_PREFIX, aggregate->param, 1.0);
        return;
    }
    snprintf(buf, size, "unknown_aggregate_%d", (int)aggregate->kind);
}
