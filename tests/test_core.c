/* test_core.c - status names, the thread-local last error, version, env parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"

static void test_every_status_has_a_distinct_name(void **state)
{
    (void)state;
    const char *seen[32];
    size_t n = 0;
    for (int s = MS_OK; s >= MS_ERR_INTERNAL; s--) {
        const char *name = ms_status_str((ms_status)s);
        assert_non_null(name);
        assert_string_not_equal(name, "unknown status");
        for (size_t i = 0; i < n; i++)
            assert_string_not_equal(seen[i], name);
        seen[n++] = name;
    }
    assert_string_equal(ms_status_str((ms_status)-99), "unknown status");
}

static void test_error_records_message_and_returns_status(void **state)
{
    (void)state;
    assert_int_equal(ms_error(MS_ERR_PARSE, "bars.csv:%d: bad", 12), MS_ERR_PARSE);
    assert_string_equal(ms_last_error(), "bars.csv:12: bad");
}

static void test_error_wrap_prefixes_context(void **state)
{
    (void)state;
    ms_error(MS_ERR_DATA, "line 3: high < low");
    assert_int_equal(ms_error_wrap(MS_ERR_DATA, "symbol %s", "JD"), MS_ERR_DATA);
    assert_string_equal(ms_last_error(), "symbol JD: line 3: high < low");
}

static void *record_other_error(void *arg)
{
    (void)arg;
    ms_error(MS_ERR_IO, "other thread");
    return NULL;
}

static void test_last_error_is_thread_local(void **state)
{
    (void)state;
    ms_error(MS_ERR_PARSE, "main thread");
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, record_other_error, NULL), 0);
    pthread_join(thread, NULL);
    assert_string_equal(ms_last_error(), "main thread");
}

static void test_version_matches_header(void **state)
{
    (void)state;
    assert_string_equal(ms_version(), MS_VERSION_STRING);
}

static void test_env_size_reads_and_rejects(void **state)
{
    (void)state;
    size_t value = 7;
    unsetenv("MS_TEST_SIZE");
    assert_int_equal(ms_env_size("MS_TEST_SIZE", &value), MS_OK);
    assert_int_equal(value, 7);
    setenv("MS_TEST_SIZE", "42", 1);
    assert_int_equal(ms_env_size("MS_TEST_SIZE", &value), MS_OK);
    assert_int_equal(value, 42);
    setenv("MS_TEST_SIZE", "7O", 1);
    assert_int_equal(ms_env_size("MS_TEST_SIZE", &value), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "MS_TEST_SIZE=7O"));
    setenv("MS_TEST_SIZE", "-1", 1);
    assert_int_equal(ms_env_size("MS_TEST_SIZE", &value), MS_ERR_INVALID_ARG);
    unsetenv("MS_TEST_SIZE");
}

static void test_env_bool_accepts_common_spellings(void **state)
{
    (void)state;
    int value = -1;
    setenv("MS_TEST_BOOL", "Yes", 1);
    assert_int_equal(ms_env_bool("MS_TEST_BOOL", &value), MS_OK);
    assert_int_equal(value, 1);
    setenv("MS_TEST_BOOL", "off", 1);
    assert_int_equal(ms_env_bool("MS_TEST_BOOL", &value), MS_OK);
    assert_int_equal(value, 0);
    setenv("MS_TEST_BOOL", "maybe", 1);
    assert_int_equal(ms_env_bool("MS_TEST_BOOL", &value), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "MS_TEST_BOOL=maybe"));
    unsetenv("MS_TEST_BOOL");
}

static void test_parse_double_is_strict(void **state)
{
    (void)state;
    double value = 0;
    assert_true(ms_parse_double(" 12.5 ", 6, &value));
    assert_true(value == 12.5);
    assert_true(ms_parse_double("1e-3", 4, &value));
    assert_true(value == 1e-3);
    assert_false(ms_parse_double("12.5x", 5, &value));
    assert_false(ms_parse_double("", 0, &value));
    assert_false(ms_parse_double("1,5", 3, &value));
}

static void test_clock_is_monotonic(void **state)
{
    (void)state;
    double a = ms_clock_seconds();
    double b = ms_clock_seconds();
    assert_true(b >= a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_status_has_a_distinct_name),
        cmocka_unit_test(test_error_records_message_and_returns_status),
        cmocka_unit_test(test_error_wrap_prefixes_context),
        cmocka_unit_test(test_last_error_is_thread_local),
        cmocka_unit_test(test_version_matches_header),
        cmocka_unit_test(test_env_size_reads_and_rejects),
        cmocka_unit_test(test_env_bool_accepts_common_spellings),
        cmocka_unit_test(test_parse_double_is_strict),
        cmocka_unit_test(test_clock_is_monotonic),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
