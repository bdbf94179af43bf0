/*
 * bad_arguments.c - the oversized strings of the API argument suites.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "support/bad_arguments.h"

char *long_text(const char *prefix, size_t len, char c)
{
    size_t start = strlen(prefix);
    char *text = malloc(start + len + 1);
    assert_non_null(text);
    memcpy(text, prefix, start);
    memset(text + start, c, len);
    text[start + len] = '\0';
    return text;
}
