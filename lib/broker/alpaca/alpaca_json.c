/*
 * alpaca_json.c - reading Alpaca's JSON fields tolerantly: numbers arrive
 * as strings ("123.45") or as numbers, booleans sometimes as strings, and
 * many fields are null. Each reader names the object and field when a
 * value is of the wrong kind, so a changed API fails loudly instead of
 * turning into zeros.
 */
#include <math.h>
#include <string.h>

#include "alpaca_internal.h"

ms_status ms_json_fields_init(ms_json_fields *fields, const json_t *object, const char *where)
{
    fields->object = object;
    fields->where = where;
    fields->status = MS_OK;
    if (!json_is_object(object))
        fields->status = ms_error(MS_ERR_PARSE, "%s: expected a JSON object", where);
    return fields->status;
}

/* The field's value, or NULL when it is null or absent (an error when
 * required) or an earlier read failed. */
static const json_t *field(ms_json_fields *fields, const char *key, ms_json_need need)
{
    if (fields->status != MS_OK)
        return NULL;
    const json_t *value = json_object_get(fields->object, key);
    if (json_is_null(value))
        value = NULL;
    if (value == NULL && need == MS_JSON_REQUIRED)
        fields->status = ms_error(MS_ERR_PARSE, "%s: field '%s' is missing or null", fields->where, key);
    return value;
}

static void wrong_kind(ms_json_fields *fields, const char *key, const char *expected)
{
    fields->status = ms_error(MS_ERR_PARSE, "%s: field '%s': expected %s", fields->where, key, expected);
}

double ms_json_number(ms_json_fields *fields, const char *key, ms_json_need need)
{
    const json_t *value = field(fields, key, need);
    if (value == NULL)
        return NAN;
    if (json_is_number(value))
        return json_number_value(value);
    const char *text = json_string_value(value);
    double number;
    if (text != NULL && ms_parse_double(text, strlen(text), &number) && isfinite(number))
        return number;
    if (text != NULL && *text == '\0' && need == MS_JSON_OPTIONAL)
        return NAN;
    wrong_kind(fields, key, "a number or a numeric string");
    return NAN;
}

bool ms_json_flag(ms_json_fields *fields, const char *key)
{
    const json_t *value = field(fields, key, MS_JSON_OPTIONAL);
    if (value == NULL)
        return false;
    if (json_is_boolean(value))
        return json_is_true(value);
    const char *text = json_string_value(value);
    if (text != NULL && (strcmp(text, "true") == 0 || strcmp(text, "false") == 0))
        return strcmp(text, "true") == 0;
    wrong_kind(fields, key, "true or false");
    return false;
}

int64_t ms_json_time(ms_json_fields *fields, const char *key, ms_json_need need)
{
    const json_t *value = field(fields, key, need);
    if (value == NULL)
        return 0;
    const char *text = json_string_value(value);
    int64_t seconds = 0;
    const char *reason = "expected an RFC 3339 time string";
    if (text != NULL && ms_parse_utc_time(text, strlen(text), &seconds, &reason))
        return seconds;
    fields->status = ms_error(MS_ERR_PARSE, "%s: field '%s': %s", fields->where, key, reason);
    return 0;
}

void ms_json_string(ms_json_fields *fields, const char *key, char *out, size_t size, ms_json_need need)
{
    out[0] = '\0';
    const json_t *value = field(fields, key, need);
    if (value == NULL)
        return;
    const char *text = json_string_value(value);
    if (text == NULL) {
        wrong_kind(fields, key, "a string");
        return;
    }
    size_t len = strlen(text);
    if (len >= size) {
        fields->status = ms_error(MS_ERR_PARSE, "%s: field '%s' is %zu characters, at most %zu expected",
                                  fields->where, key, len, size - 1);
        return;
    }
    memcpy(out, text, len + 1);
}

int ms_json_enum(ms_json_fields *fields, const char *key, const ms_json_word *words, size_t count,
                 int fallback, ms_json_need need)
{
    const json_t *value = field(fields, key, need);
    const char *text = value != NULL ? json_string_value(value) : "";
    if (text == NULL) {
        wrong_kind(fields, key, "a string");
        return fallback;
    }
    if (*text == '\0' && need == MS_JSON_OPTIONAL)
        return fallback;
    for (size_t i = 0; i < count; i++)
        if (strcmp(text, words[i].word) == 0)
            return words[i].value;
    if (fields->status == MS_OK)
        fields->status = ms_error(MS_ERR_PARSE, "%s: field '%s': unknown value \"%s\"", fields->where,
                                  key, text);
    return fallback;
}
