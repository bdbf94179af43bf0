/*
 * bad_arguments.h - what the API argument suites share: the check that a
 * call is refused with a reason, and the oversized strings they pass.
 */
#ifndef MS_TEST_BAD_ARGUMENTS_H
#define MS_TEST_BAD_ARGUMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "marketsim/common.h"

#define HUGE_COUNT SIZE_MAX
#define LONG_TEXT (1u << 20)

/* A call must fail with `expected` and say why. */
#define assert_refused(expected, call)                      \
    do {                                                    \
        ms_status refused_status = (call);                  \
        assert_int_equal(refused_status, (expected));       \
        assert_true(ms_last_error()[0] != '\0');            \
    } while (0)

/* `prefix` followed by `len` copies of `c`, NUL-terminated (malloc'ed). */
char *long_text(const char *prefix, size_t len, char c);

#endif
