/*
 * test_forecast_cache.c - the persistent forecast cache through the
 * analyzer: a warm report equals the cold one that filled it, a next-day
 * series computes only its new contexts, a damaged, foreign or read-only
 * file is reported once and bypassed, the size bound holds, and "off"
 * writes nothing. test_cache_processes.c covers other processes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/cache_fixture.h"
#include "cache/cache_internal.h"
#include "marketsim/marketsim.h"
#include "support/temp_dir.h"

static void assert_sha256(const char *text, size_t repeat, const char *expected)
{
    ms_sha256 ctx;
    uint8_t digest[MS_SHA256_SIZE];
    char hex[2 * MS_SHA256_SIZE + 1];
    ms_sha256_init(&ctx);
    for (size_t i = 0; i < repeat; i++)
        ms_sha256_update(&ctx, text, strlen(text));
    ms_sha256_final(&ctx, digest);
    for (size_t b = 0; b < MS_SHA256_SIZE; b++)
        snprintf(hex + 2 * b, 3, "%02x", digest[b]);
    assert_string_equal(hex, expected);
}

/* FIPS 180-4's examples, and a million bytes fed in odd-sized pieces. */
static void test_sha256_gives_the_standard_digests(void **state)
{
    (void)state;
    assert_sha256("", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_sha256("abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
                  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char piece[126];
    memset(piece, 'a', 125);
    piece[125] = '\0';
    assert_sha256(piece, 8000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_a_warm_report_equals_the_cold_report_that_filled_it(void **state)
{
    const char *dir = *state;
    char *cache = temp_dir_path(dir, "forecasts.sqlite");
    cache_analysis cold = cache_analyze(dir, cache, 0, cache_symbols, 2);
    cache_analysis warm = cache_analyze(dir, cache, 0, cache_symbols, 2);
    assert_true(cold.computed > 0);
    assert_int_equal(cold.cached, 0);
    assert_int_equal(warm.cached, cold.computed);
    assert_int_equal(warm.computed, 0);
    assert_string_equal(warm.json, cold.json);
    cache_analysis_release(&cold);
    cache_analysis_release(&warm);
    free(cache);
}

static void test_a_next_day_series_computes_only_its_new_contexts(void **state)
{
    const char *dir = *state;
    char *cache = temp_dir_path(dir, "forecasts.sqlite");
    cache_analysis today = cache_analyze(dir, cache, 0, cache_symbols, 2);
    cache_write_series(dir, CACHE_BARS + 1);
    cache_analysis next_day = cache_analyze(dir, cache, 0, cache_symbols, 2);
    /* One new origin per symbol, three series each. */
    assert_int_equal(next_day.computed, 2 * 3);
    assert_int_equal(next_day.cached, today.computed - 2 * 3);
    cache_analysis_release(&today);
    cache_analysis_release(&next_day);
    free(cache);
}

static void test_a_different_aggregate_or_model_is_computed_again(void **state)
{
    const char *dir = *state;
    char *cache = temp_dir_path(dir, "forecasts.sqlite");
    cache_analysis mean = cache_analyze(dir, cache, 0, cache_symbols, 1);
    cache_analysis median = cache_analyze_with(dir, cache, "median", "baseline", cache_symbols, 1);
    assert_int_equal(median.cached, 0);
    assert_int_equal(median.computed, mean.computed);
    char *checkpoint = temp_dir_path(dir, "tiny");
    assert_int_equal(ms_model_init_checkpoint(checkpoint, "tiny", 1), MS_OK);
    cache_analysis toto = cache_analyze_with(dir, cache, "mean", checkpoint, cache_symbols, 1);
    assert_int_equal(toto.cached, 0);
    cache_analysis toto_again = cache_analyze_with(dir, cache, "mean", checkpoint, cache_symbols, 1);
    assert_int_equal(toto_again.computed, 0);
    assert_string_equal(toto_again.json, toto.json);
    cache_analysis_release(&mean);
    cache_analysis_release(&median);
    cache_analysis_release(&toto);
    cache_analysis_release(&toto_again);
    free(checkpoint);
    free(cache);
}

/* The report with a bad cache file equals the report without a cache,
 * and stderr names the problem exactly once. Forecasts read (and
 * checked) before the damage showed may have been served:
 * `served_at_most` bounds them. */
static void assert_bypassed_once(const char *dir, const char *cache, size_t served_at_most)
{
    cache_analysis plain = cache_analyze(dir, "off", 0, cache_symbols, 2);
    char *err = temp_dir_path(dir, "stderr.txt");
    int saved = cache_redirect_stderr(err);
    cache_analysis bypassed = cache_analyze(dir, cache, 0, cache_symbols, 2);
    cache_restore_stderr(saved);
    assert_int_equal(cache_count_lines(err, "forecast cache"), 1);
    assert_string_equal(bypassed.json, plain.json);
    assert_true(bypassed.cached <= served_at_most);
    cache_analysis_release(&plain);
    cache_analysis_release(&bypassed);
    free(err);
}

static void test_a_corrupt_file_is_reported_once_and_bypassed(void **state)
{
    const char *dir = *state;
    char *cache = temp_dir_path(dir, "forecasts.sqlite");
    FILE *f = fopen(cache, "wb");
    for (int i = 0; i < 16384; i++)
        fputc((i * 7919) % 251, f);
    fclose(f);
    assert_bypassed_once(dir, cache, 0);
    free(cache);
}

static void test_a_truncated_file_is_reported_once_and_bypassed(void **state)
{
    const char *dir = *state;
    char *cache = temp_dir_path(dir, "forecasts.sqlite");
    cache_analysis fill = cache_analyze(dir, cache, 0, cache_symbols, 2);
    cache_analysis_release(&fill);
    struct stat info;
    assert_int_equal(stat(cache, &info), 0);
    assert_int_equal(truncate(cache, info.st_size / 2), 0);
    assert_bypassed_once(dir, cache, CACHE_CONTEXTS);
    free(cache);
}

static void test_a_damaged_value_is_never_served(void **state)
{
    const char *dir = *state;
    char *cache = temp_dir_path(dir, "forecasts.sqlite");
    cache_analysis fill = cache_analyze(dir, cache, 0, cache_symbols, 2);
    cache_analysis_release(&fill);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(cache, &db), SQLITE_OK);
    /* One value changed without its check: what a flipped disk bit does. */
    assert_int_equal(sqlite3_exec(db, "UPDATE forecasts SET value = zeroblob(16) WHERE key = "
                                  "(SELECT key FROM forecasts LIMIT 1)", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_bypassed_once(dir, cache, CACHE_CONTEXTS);
    free(cache);
}

static void test_another_applications_database_is_reported_once_and_left_alone(void **state)
{
    const char *dir = *state;
    char *cache = temp_dir_path(dir, "forecasts.sqlite");
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(cache, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE notes(text); INSERT INTO notes VALUES('mine')",
                                  NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    char *before = cache_file_bytes(cache);
    assert_bypassed_once(dir, cache, 0);
    char *after = cache_file_bytes(cache);
    assert_memory_equal(before, after, 64);
    assert_int_equal(ms_cache_clear(cache), MS_ERR_PARSE);
    free(before);
    free(after);
    free(cache);
}

static void test_a_read_only_file_is_reported_once_and_left_alone(void **state)
{
    const char *dir = *state;
    char *cache = temp_dir_path(dir, "forecasts.sqlite");
    cache_analysis fill = cache_analyze(dir, cache, 0, cache_symbols, 1);
    cache_analysis_release(&fill);
    struct stat before;
    assert_int_equal(stat(cache, &before), 0);
    assert_int_equal(chmod(cache, 0444), 0);
    assert_bypassed_once(dir, cache, 0);
    struct stat after;
    assert_int_equal(stat(cache, &after), 0);
    assert_int_equal(after.st_size, before.st_size);
    assert_int_equal(after.st_mtime, before.st_mtime);
    free(cache);
}

static void test_eviction_keeps_the_size_bound_and_the_most_recently_used(void **state)
{
    const char *dir = *state;
    char *cache = temp_dir_path(dir, "forecasts.sqlite");
    /* Room for one symbol's forecasts and a little more, not for two. */
    const size_t bound = CACHE_CONTEXTS + 2;
    cache_analysis first = cache_analyze(dir, cache, bound, cache_symbols, 1);
    cache_analysis second = cache_analyze(dir, cache, bound, cache_symbols + 1, 1);
    assert_int_equal(first.computed, CACHE_CONTEXTS);
    ms_cache_info info;
    assert_int_equal(ms_cache_get_info(cache, &info), MS_OK);
    assert_int_equal(info.forecasts, bound);
    cache_analysis again = cache_analyze(dir, cache, bound, cache_symbols + 1, 1);
    assert_int_equal(again.cached, second.computed);
    cache_analysis_release(&first);
    cache_analysis_release(&second);
    cache_analysis_release(&again);
    free(cache);
}

static void test_off_writes_no_file_and_computes_every_forecast(void **state)
{
    const char *dir = *state;
    char *home = temp_dir_path(dir, "xdg");
    setenv("XDG_CACHE_HOME", home, 1);
    cache_analysis first = cache_analyze(dir, "off", 0, cache_symbols, 1);
    cache_analysis second = cache_analyze(dir, "off", 0, cache_symbols, 1);
    assert_int_equal(second.cached, 0);
    assert_int_equal(second.computed, first.computed);
    assert_int_equal(access(home, F_OK), -1);
    cache_analysis_release(&first);
    cache_analysis_release(&second);
    unsetenv("XDG_CACHE_HOME");
    free(home);
}

static void test_default_is_under_xdg_cache_home_and_clear_empties_it(void **state)
{
    const char *dir = *state;
    char *home = temp_dir_path(dir, "xdg");
    setenv("XDG_CACHE_HOME", home, 1);
    char *path = NULL;
    assert_int_equal(ms_cache_default_path(&path), MS_OK);
    char *expected = temp_dir_path(home, "marketsim/forecasts.sqlite");
    assert_string_equal(path, expected);
    cache_analysis fill = cache_analyze(dir, "default", 0, cache_symbols, 1);
    ms_cache_info info;
    assert_int_equal(ms_cache_get_info(NULL, &info), MS_OK);
    assert_int_equal(info.forecasts, fill.computed);
    assert_true(info.bytes > 0);
    assert_int_equal(ms_cache_clear(NULL), MS_OK);
    assert_int_equal(ms_cache_get_info(NULL, &info), MS_OK);
    assert_int_equal(info.forecasts, 0);
    cache_analysis_release(&fill);
    unsetenv("XDG_CACHE_HOME");
    ms_free(path);
    free(expected);
    free(home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_gives_the_standard_digests),
        cmocka_unit_test_setup_teardown(test_a_warm_report_equals_the_cold_report_that_filled_it,
                                        cache_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_a_next_day_series_computes_only_its_new_contexts,
                                        cache_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_a_different_aggregate_or_model_is_computed_again,
                                        cache_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_a_corrupt_file_is_reported_once_and_bypassed,
                                        cache_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_a_truncated_file_is_reported_once_and_bypassed,
                                        cache_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_a_damaged_value_is_never_served,
                                        cache_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(
            test_another_applications_database_is_reported_once_and_left_alone, cache_setup,
            temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_a_read_only_file_is_reported_once_and_left_alone,
                                        cache_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(
            test_eviction_keeps_the_size_bound_and_the_most_recently_used, cache_setup,
            temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_off_writes_no_file_and_computes_every_forecast,
                                        cache_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_default_is_under_xdg_cache_home_and_clear_empties_it,
                                        cache_setup, temp_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
