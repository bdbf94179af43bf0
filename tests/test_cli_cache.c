/*
 * test_cli_cache.c - `marketsim cache info|clear [--cache PATH]` as a user
 * runs it: info describes the file an analysis filled, clear empties it,
 * the file comes from --cache, the configuration file's [cache] section or
 * MARKETSIM_CACHE, and a flag given wrong is a usage error (exit 2) that
 * names it (the help: test_cli_help.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/cli_run.h"
#include "support/temp_dir.h"

/* <dir>/forecasts.sqlite, filled by a short analysis (malloc'ed). */
static char *filled_cache(const char *dir)
{
    char *path = temp_dir_path(dir, "forecasts.sqlite");
    cli_run_result r = cli_run(NULL, "analyze", "--symbols", "AAPL", "--simulations", "3",
                               "--quiet", "--cache", path, NULL);
    assert_int_equal(r.exit_code, 0);
    cli_run_release(&r);
    return path;
}

/* The count on the "forecasts:" line of `cache info`'s output. */
static long forecasts_listed(const char *out)
{
    const char *line = strstr(out, "forecasts:");
    assert_non_null(line);
    return strtol(line + strlen("forecasts:"), NULL, 10);
}

static void test_cache_info_describes_the_file_an_analysis_filled(void **state)
{
    char *path = filled_cache(*state);
    cli_run_result r = cli_run(NULL, "cache", "info", "--cache", path, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, path));
    assert_true(forecasts_listed(r.out) > 0);
    assert_null(strstr(r.out, "newest use:  -"));
    cli_run_release(&r);
    free(path);
}

static void test_cache_clear_empties_the_file_it_names(void **state)
{
    char *path = filled_cache(*state);
    cli_run_result r = cli_run(NULL, "cache", "clear", "--cache", path, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "cleared "));
    cli_run_release(&r);
    r = cli_run(NULL, "cache", "info", "--cache", path, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(forecasts_listed(r.out), 0);
    cli_run_release(&r);
    free(path);
}

static void test_cache_takes_its_file_from_the_configuration_file(void **state)
{
    char *path = filled_cache(*state), *config = temp_dir_path(*state, "config.ini");
    FILE *f = fopen(config, "w");
    assert_non_null(f);
    fprintf(f, "[cache]\ncache = %s\n", path);
    fclose(f);
    cli_run_result r = cli_run(NULL, "--config", config, "cache", "info", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_true(forecasts_listed(r.out) > 0);
    cli_run_release(&r);
    free(config);
    free(path);
}

static void test_cache_takes_its_file_from_marketsim_cache(void **state)
{
    char *path = filled_cache(*state), env[4200];
    snprintf(env, sizeof env, "MARKETSIM_CACHE=%s", path);
    cli_run_result r = cli_run(env, "cache", "info", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, path));
    assert_true(forecasts_listed(r.out) > 0);
    cli_run_release(&r);
    free(path);
}

static void test_cache_without_a_subcommand_prints_its_help_as_a_usage_error(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "cache", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "\n  --cache PATH"));
    cli_run_release(&r);
}

/* Each wrong use exits 2 with a message naming what was wrong. */
static void test_a_cache_flag_given_wrong_is_a_usage_error_naming_it(void **state)
{
    (void)state;
    static const struct {
        const char *args[3];
        const char *message;
    } wrong[] = {
        { { "info", "--cache", NULL }, "marketsim cache: option '--cache' needs a value" },
        { { "info", "--cahce", "x" }, "marketsim cache: unknown option '--cahce'" },
        { { "clear", "--cache", "off" }, "marketsim cache: --cache off names no cache file" },
        { { "info", "stray", NULL }, "marketsim cache: unexpected argument 'stray'" },
        { { "list", NULL, NULL }, "marketsim cache: unknown subcommand 'list' (info or clear)" },
    };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        cli_run_result r = cli_run(NULL, "cache", wrong[i].args[0], wrong[i].args[1],
                                   wrong[i].args[2], NULL);
        assert_int_equal(r.exit_code, 2);
        if (strstr(r.err, wrong[i].message) == NULL)
            fail_msg("expected '%s' in:\n%s", wrong[i].message, r.err);
        assert_non_null(strstr(r.err, "Try 'marketsim cache --help'."));
        cli_run_release(&r);
    }
}

int main(void)
{
#define TEST(name) cmocka_unit_test_setup_teardown(name, temp_dir_setup, temp_dir_teardown)
    const struct CMUnitTest tests[] = {
        TEST(test_cache_info_describes_the_file_an_analysis_filled),
        TEST(test_cache_clear_empties_the_file_it_names),
        TEST(test_cache_takes_its_file_from_the_configuration_file),
        TEST(test_cache_takes_its_file_from_marketsim_cache),
        TEST(test_cache_without_a_subcommand_prints_its_help_as_a_usage_error),
        TEST(test_a_cache_flag_given_wrong_is_a_usage_error_naming_it),
    };
    return cmocka_run_group_tests_name("cli cache", tests, NULL, NULL);
}
