/* test_log.c - the log sink (ms_log_set) and level (ms_log_set_level,
 * ms_log_level_from_env): lines reach the caller's function whole and one
 * at a time from any thread, and the environment counts only when asked. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"

#define THREADS 4
#define LINES_PER_THREAD 200

typedef struct captured {
    size_t lines;
    ms_log_level last_level;
    char last[128];
    int inside;                    /* calls running now: never above 1 */
    bool overlapped;
} captured;

static void capture(ms_log_level level, const char *message, void *user_data)
{
    captured *c = user_data;
    if (++c->inside > 1)
        c->overlapped = true;
    c->lines++;
    c->last_level = level;
    snprintf(c->last, sizeof c->last, "%s", message);
    c->inside--;
}

static int reset(void **state)
{
    (void)state;
    ms_log_set(NULL, NULL);
    ms_log_set_level(MS_LOG_WARN);
    unsetenv("MARKETSIM_LOG");
    return 0;
}

static void test_lines_at_or_above_the_level_reach_the_callback(void **state)
{
    (void)state;
    captured c = { 0 };
    ms_log_set(capture, &c);
    MS_WARN("disk %d%% full", 93);
    assert_int_equal(c.lines, 1);
    assert_int_equal(c.last_level, MS_LOG_WARN);
    assert_string_equal(c.last, "disk 93% full");
    MS_INFO("below the level");
    assert_int_equal(c.lines, 1);
    ms_log_set_level(MS_LOG_DEBUG);
    MS_DEBUG("now shown");
    assert_int_equal(c.lines, 2);
    assert_int_equal(c.last_level, MS_LOG_DEBUG);
}

static void test_null_restores_stderr_and_the_old_callback_is_not_called(void **state)
{
    (void)state;
    captured c = { 0 };
    ms_log_set(capture, &c);
    MS_WARN("to the callback");
    ms_log_set(NULL, NULL);
    MS_WARN("to stderr");
    assert_int_equal(c.lines, 1);
}

static void *log_lines(void *arg)
{
    (void)arg;
    for (int i = 0; i < LINES_PER_THREAD; i++)
        MS_WARN("line %d", i);
    return NULL;
}

static void test_lines_from_many_threads_arrive_one_at_a_time(void **state)
{
    (void)state;
    captured c = { 0 };
    ms_log_set(capture, &c);
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, log_lines, NULL), 0);
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    ms_log_set(NULL, NULL);
    assert_int_equal(c.lines, THREADS * LINES_PER_THREAD);
    assert_false(c.overlapped);
}

static void log_from_inside(ms_log_level level, const char *message, void *user_data)
{
    captured *c = user_data;
    capture(level, message, c);
    MS_WARN("logged by the callback itself");
}

static void test_a_line_the_callback_logs_goes_to_stderr_without_deadlock(void **state)
{
    (void)state;
    captured c = { 0 };
    ms_log_set(log_from_inside, &c);
    MS_WARN("first");
    ms_log_set(NULL, NULL);
    assert_int_equal(c.lines, 1);
    assert_string_equal(c.last, "first");
}

static void test_marketsim_log_counts_only_when_asked(void **state)
{
    (void)state;
    setenv("MARKETSIM_LOG", "debug", 1);
    assert_int_equal(ms_log_threshold(), MS_LOG_WARN);
    assert_int_equal(ms_log_level_from_env(), MS_OK);
    assert_int_equal(ms_log_threshold(), MS_LOG_DEBUG);
    setenv("MARKETSIM_LOG", "Error", 1);
    assert_int_equal(ms_log_level_from_env(), MS_OK);
    assert_int_equal(ms_log_threshold(), MS_LOG_ERROR);
    setenv("MARKETSIM_LOG", "loud", 1);
    assert_int_equal(ms_log_level_from_env(), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "MARKETSIM_LOG=loud"));
    assert_int_equal(ms_log_threshold(), MS_LOG_WARN);
    unsetenv("MARKETSIM_LOG");
    ms_log_set_level(MS_LOG_INFO);
    assert_int_equal(ms_log_level_from_env(), MS_OK);
    assert_int_equal(ms_log_threshold(), MS_LOG_INFO);
}

static void test_a_level_outside_the_enum_is_ignored(void **state)
{
    (void)state;
    ms_log_set_level(MS_LOG_ERROR);
    ms_log_set_level((ms_log_level)7);
    assert_int_equal(ms_log_threshold(), MS_LOG_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_lines_at_or_above_the_level_reach_the_callback, reset),
        cmocka_unit_test_setup(test_null_restores_stderr_and_the_old_callback_is_not_called,
                               reset),
        cmocka_unit_test_setup(test_lines_from_many_threads_arrive_one_at_a_time, reset),
        cmocka_unit_test_setup(test_a_line_the_callback_logs_goes_to_stderr_without_deadlock,
                               reset),
        cmocka_unit_test_setup(test_marketsim_log_counts_only_when_asked, reset),
        cmocka_unit_test_setup(test_a_level_outside_the_enum_is_ignored, reset),
    };
    return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
