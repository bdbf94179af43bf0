/*
 * test_cache_processes.c - the forecast cache shared between processes:
 * a later `marketsim analyze` reuses what an earlier one computed (its
 * --json equal byte for byte, timings aside), and two processes writing
 * one cache at once both finish cleanly with every forecast kept.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "marketsim/marketsim.h"
#include "support/cache_fixture.h"
#include "support/cli_run.h"
#include "support/temp_dir.h"

static size_t computed_in(const char *json)
{
    json_t *root = json_loads(json, 0, NULL);
    assert_non_null(root);
    json_t *count = json_object_get(json_object_get(root, "timings"), "forecasts_computed");
    assert_true(json_is_integer(count));
    size_t value = (size_t)json_integer_value(count);
    json_decref(root);
    return value;
}

static cli_run_result analyze_cli(const char *dir, const char *cache)
{
    char *data = temp_dir_path(dir, "data"), uri[4200];
    snprintf(uri, sizeof uri, "csv:%s", data);
    cli_run_result result = cli_run("MARKETSIM_LOG=warn", "analyze", "--symbols", "AAA,BBB",
                                    "--data", uri, "--simulations", "10", "--as-of",
                                    "2020-07-20", "--cache", cache, "--json", NULL);
    assert_int_equal(result.exit_code, 0);
    free(data);
    return result;
}

static void test_a_later_process_reuses_what_an_earlier_one_computed(void **state)
{
    const char *dir = *state;
    char *cache = temp_dir_path(dir, "forecasts.sqlite");
    cli_run_result cold = analyze_cli(dir, cache);
    cli_run_result warm = analyze_cli(dir, cache);
    assert_true(computed_in(cold.out) > 0);
    assert_int_equal(computed_in(warm.out), 0);
    char *cold_json = cache_json_without_timings(cold.out);
    char *warm_json = cache_json_without_timings(warm.out);
    assert_string_equal(warm_json, cold_json);
    assert_null(strstr(warm.err, "forecast cache"));
    free(cold_json);
    free(warm_json);
    cli_run_release(&cold);
    cli_run_release(&warm);
    free(cache);
}

/* A child that analyses `symbol` into `cache`, its stderr to `err`. */
static pid_t start_writer(const char *dir, const char *cache, const char *symbol,
                          const char *err)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid > 0)
        return pid;
    cache_redirect_stderr(err);
    const char *symbols[] = { symbol };
    for (int round = 0; round < 3; round++) {
        cache_analysis analysis = cache_analyze_with(dir, cache, round == 1 ? "median" : "mean",
                                                     "baseline", symbols, 1);
        cache_analysis_release(&analysis);
    }
    _exit(0);
}

/* Fails with the message a writer printed, if any. */
static void assert_no_cache_message(const char *err)
{
    FILE *f = fopen(err, "r");
    assert_non_null(f);
    char line[2048];
    while (fgets(line, sizeof line, f) != NULL)
        if (strstr(line, "forecast cache") != NULL)
            fail_msg("a writer bypassed the cache: %s", line);
    fclose(f);
}

static void test_two_processes_writing_one_cache_at_once_keep_every_forecast(void **state)
{
    const char *dir = *state;
    char *cache = temp_dir_path(dir, "forecasts.sqlite");
    char *err_a = temp_dir_path(dir, "a.err"), *err_b = temp_dir_path(dir, "b.err");
    pid_t a = start_writer(dir, cache, cache_symbols[0], err_a);
    pid_t b = start_writer(dir, cache, cache_symbols[1], err_b);
    int status_a = 0, status_b = 0;
    assert_int_equal(waitpid(a, &status_a, 0), a);
    assert_int_equal(waitpid(b, &status_b, 0), b);
    assert_true(WIFEXITED(status_a) && WEXITSTATUS(status_a) == 0);
    assert_true(WIFEXITED(status_b) && WEXITSTATUS(status_b) == 0);
    assert_no_cache_message(err_a);
    assert_no_cache_message(err_b);
    /* Two symbols x their contexts x two aggregates, each stored once. */
    ms_cache_info info;
    assert_int_equal(ms_cache_get_info(cache, &info), MS_OK);
    assert_int_equal(info.forecasts, 2 * CACHE_CONTEXTS * 2);
    cache_analysis both = cache_analyze(dir, cache, 0, cache_symbols, 2);
    assert_int_equal(both.computed, 0);
    cache_analysis_release(&both);
    free(err_a);
    free(err_b);
    free(cache);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_later_process_reuses_what_an_earlier_one_computed,
                                        cache_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(
            test_two_processes_writing_one_cache_at_once_keep_every_forecast, cache_setup,
            temp_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
