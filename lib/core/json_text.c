/*
 * json_text.c - outside strings as JSON strings that survive any bytes:
 * valid UTF-8 is kept as it is, anything else is quoted the way error
 * messages quote bytes (ms_quote_bytes), so a document never loses a
 * symbol or an error because its text is not UTF-8.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"

json_t *ms_json_text(const char *text)
{
    if (text == NULL)
        return json_null();
    json_t *string = json_string(text);
    if (string != NULL)
        return string;
    size_t len = strlen(text);
    if (len > (SIZE_MAX - 1) / 4)
        return NULL;
    char *quoted = malloc(4 * len + 1);
    if (quoted == NULL)
        return NULL;
    ms_quote_bytes(quoted, 4 * len + 1, text, len);
    string = json_string(quoted);
    free(quoted);
    return string;
}
