/*
 * test_cli_config.c - the configuration file as a user writes it: a
 * section per command and [common], keys named like the long flags,
 * read from --config FILE or $XDG_CONFIG_HOME/marketsim/config.ini;
 * flags win over the environment, which wins over the file; `config
 * show` says where each setting came from; a wrong file names its line.
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
#include <sys/stat.h>

#include "support/cli_run.h"
#include "support/temp_dir.h"

/* Writes `text` to <dir>/config.ini and returns the path (malloc'ed). */
static char *write_config(const char *dir, const char *text)
{
    char *path = temp_dir_path(dir, "config.ini");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* The analysis' JSON config field `key`, from a `--json` run. */
static json_int_t json_config_integer(const char *out, const char *key)
{
    json_t *root = json_loads(out, 0, NULL);
    assert_non_null(root);
    json_int_t value = json_integer_value(json_object_get(json_object_get(root, "config"), key));
    json_decref(root);
    return value;
}

static size_t json_symbol_count(const char *out)
{
    json_t *root = json_loads(out, 0, NULL);
    assert_non_null(root);
    size_t count = json_array_size(json_object_get(root, "symbols"));
    json_decref(root);
    return count;
}

static void test_analyze_takes_its_symbols_and_counts_from_its_section(void **state)
{
    char *path = write_config(*state, "[analyze]\nsymbols = AAPL,BTCUSD\nsimulations = 3\n");
    cli_run_result r = cli_run(NULL, "analyze", "--config", path, "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(json_config_integer(r.out, "simulations"), 3);
    assert_int_equal(json_symbol_count(r.out), 2);
    cli_run_release(&r);
    free(path);
}

static void test_a_flag_wins_over_the_file_and_replaces_its_list(void **state)
{
    char *path = write_config(*state, "[analyze]\nsymbols = AAPL,BTCUSD\nsimulations = 3\n");
    cli_run_result r = cli_run(NULL, "--config", path, "analyze", "--symbols", "MSFT",
                               "--simulations", "4", "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(json_config_integer(r.out, "simulations"), 4);
    assert_int_equal(json_symbol_count(r.out), 1);
    assert_non_null(strstr(r.out, "\"MSFT\""));
    cli_run_release(&r);
    free(path);
}

static void test_the_environment_wins_over_the_file_and_a_flag_over_both(void **state)
{
    char *path = write_config(*state, "[analyze]\nsimulations = 3\nmax-positions = 4\n");
    setenv("MARKETSIM_BACKTEST_SIMULATIONS", "7", 1);
    cli_run_result r = cli_run(NULL, "config", "show", "analyze", "--config", path, NULL);
    cli_run_result flagged = cli_run(NULL, "config", "show", "analyze", "--config", path,
                                     "--simulations", "9", NULL);
    unsetenv("MARKETSIM_BACKTEST_SIMULATIONS");
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "simulations = 7  ; environment MARKETSIM_BACKTEST_SIMULATIONS"));
    char expected[512];
    snprintf(expected, sizeof expected, "max-positions = 4  ; %s:3", path);
    assert_non_null(strstr(r.out, expected));
    assert_non_null(strstr(flagged.out, "simulations = 9  ; flag"));
    cli_run_release(&r);
    cli_run_release(&flagged);
    free(path);
}

static void test_the_default_file_is_found_under_xdg_config_home(void **state)
{
    char *dir = temp_dir_path(*state, "marketsim");
    assert_int_equal(mkdir(dir, 0700), 0);
    char *path = write_config(dir, "[analyze]\nseed = 11\n");
    setenv("XDG_CONFIG_HOME", *state, 1);
    cli_run_result r = cli_run(NULL, "config", "show", "analyze", NULL);
    unsetenv("XDG_CONFIG_HOME");
    assert_int_equal(r.exit_code, 0);
    char expected[512];
    snprintf(expected, sizeof expected, "seed = 11  ; %s:2", path);
    assert_non_null(strstr(r.out, expected));
    cli_run_release(&r);
    free(path);
    free(dir);
}

static void test_a_missing_default_file_is_no_error_but_a_missing_chosen_one_is(void **state)
{
    setenv("XDG_CONFIG_HOME", *state, 1);
    cli_run_result r = cli_run(NULL, "config", "show", "analyze", NULL);
    unsetenv("XDG_CONFIG_HOME");
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "; configuration file: none"));
    cli_run_release(&r);
    r = cli_run(NULL, "analyze", "--config", "/nonexistent/marketsim.ini", "--symbols", "A", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "cannot read the configuration file /nonexistent/marketsim.ini"));
    cli_run_release(&r);
}

static void test_common_applies_to_every_command_and_a_section_overrides_it(void **state)
{
    char *path = write_config(*state, "[common]\nseed = 1\nmodel = baseline\nbroker = sim:x\n"
                                      "[analyze]\nseed = 2\n");
    cli_run_result r = cli_run(NULL, "config", "show", "analyze", "--config", path, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "seed = 2  ; "));
    assert_non_null(strstr(r.out, "model = baseline  ; "));
    assert_null(strstr(r.out, "broker"));
    cli_run_release(&r);
    r = cli_run(NULL, "config", "show", "trade", "--config", path, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "seed = 1  ; "));
    assert_non_null(strstr(r.out, "broker = sim:x  ; "));
    cli_run_release(&r);
    free(path);
}

static void test_a_section_list_replaces_the_common_one_and_continues_over_lines(void **state)
{
    char *path = write_config(*state, "[common]\nsymbols = MSFT\n"
                                      "[analyze]\nsymbols = AAPL,BTCUSD\n  ETHUSD\n");
    cli_run_result r = cli_run(NULL, "config", "show", "analyze", "--config", path, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "symbols = AAPL,BTCUSD,ETHUSD  ; "));
    cli_run_release(&r);
    r = cli_run(NULL, "analyze", "--config", path, "--simulations", "2", "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(json_symbol_count(r.out), 3);
    assert_null(strstr(r.out, "\"MSFT\""));
    cli_run_release(&r);
    free(path);
}

static void test_a_switch_is_set_by_true_and_left_off_by_false(void **state)
{
    char *path = write_config(*state, "[analyze]\nsequential = yes\nwarmup = false\n");
    cli_run_result r = cli_run(NULL, "config", "show", "analyze", "--config", path, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "sequential = true  ; "));
    assert_non_null(strstr(r.out, "; warmup = (built-in default)"));
    cli_run_release(&r);
    free(path);
    path = write_config(*state, "[analyze]\nsequential = maybe\n");
    r = cli_run(NULL, "analyze", "--config", path, "--symbols", "A", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "config.ini:2: 'sequential' is a switch: true or false, got 'maybe'"));
    cli_run_release(&r);
    free(path);
}

static void test_an_unknown_key_names_the_line_and_the_closest_flag(void **state)
{
    char *path = write_config(*state, "[analyze]\nsymbols = AAPL\nsimulatons = 3\n");
    cli_run_result r = cli_run(NULL, "analyze", "--config", path, NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "config.ini:3: [analyze] has no key 'simulatons' "
                                  "(did you mean 'simulations'?)"));
    cli_run_release(&r);
    free(path);
}

static void test_an_unknown_section_names_the_line_and_the_closest_command(void **state)
{
    char *path = write_config(*state, "[anlyze]\nsymbols = AAPL\n");
    cli_run_result r = cli_run(NULL, "analyze", "--config", path, "--symbols", "A", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "config.ini:2: key 'symbols' is in an unknown section [anlyze] "
                                  "(did you mean [analyze]?)"));
    cli_run_release(&r);
    free(path);
}

static void test_a_bad_value_is_checked_like_the_flag_and_names_file_line_and_key(void **state)
{
    char *path = write_config(*state, "[analyze]\n; the count\nsimulations = 0\n");
    cli_run_result r = cli_run(NULL, "analyze", "--config", path, "--symbols", "A", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "--simulations needs a positive integer, got '0'"));
    char expected[512];
    snprintf(expected, sizeof expected, "that value comes from %s:3 (key 'simulations')", path);
    assert_non_null(strstr(r.err, expected));
    cli_run_release(&r);
    free(path);
}

static void test_a_line_that_is_not_a_setting_is_named(void **state)
{
    char *path = write_config(*state, "[analyze]\nsymbols = A\njust words\n");
    cli_run_result r = cli_run(NULL, "analyze", "--config", path, NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "config.ini:3: expected 'key = value' or a [section]"));
    cli_run_release(&r);
    free(path);
}

static void test_a_key_before_any_section_is_an_error(void **state)
{
    char *path = write_config(*state, "symbols = A\n");
    cli_run_result r = cli_run(NULL, "analyze", "--config", path, NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "config.ini:1: key 'symbols' is outside a section"));
    cli_run_release(&r);
    free(path);
}

static void test_config_show_lists_every_flag_and_runs_nothing(void **state)
{
    char *path = write_config(*state, "[trade]\nsymbols = AAPL\ndry_run = true\n");
    cli_run_result r = cli_run(NULL, "config", "show", "trade", "--config", path, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "[trade]\n"));
    assert_non_null(strstr(r.out, "dry-run = true  ; "));
    assert_non_null(strstr(r.out, "; broker = (built-in default)"));
    assert_non_null(strstr(r.out, "; stock-fee = (built-in default)"));
    assert_null(strstr(r.out, "trade cycle"));
    cli_run_release(&r);
    free(path);
    r = cli_run(NULL, "config", "show", "anlyze", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "(did you mean 'analyze'?)"));
    cli_run_release(&r);
}

/* Each wrong use exits 2 with a message naming the flag. */
static void test_a_config_flag_given_wrong_is_a_usage_error_naming_it(void **state)
{
    static const struct {
        const char *args[4];
        const char *message;
    } wrong[] = {
        { { "show", "analyze", "--config", NULL }, "marketsim analyze: --config needs a FILE" },
        { { "--config", "FILE", "show", "analyze" },
          "marketsim config: '--config' goes after the command: config show COMMAND" },
        { { "show", "analyze", "--simulatons", "3" },
          "marketsim analyze: unknown option '--simulatons' (did you mean '--simulations'?)" },
    };
    char *path = write_config(*state, "[analyze]\nsimulations = 3\n");
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        cli_run_result r = cli_run(NULL, "config", wrong[i].args[0], wrong[i].args[1],
                                   wrong[i].args[2], wrong[i].args[3], "--config", path, NULL);
        assert_int_equal(r.exit_code, 2);
        if (strstr(r.err, wrong[i].message) == NULL)
            fail_msg("expected '%s' in:\n%s", wrong[i].message, r.err);
        cli_run_release(&r);
    }
    free(path);
}

/* mpirun has no settings: showing it would start the job (here a launcher
 * that fails, exit 1) instead of showing anything. */
static void test_config_show_refuses_mpirun_instead_of_starting_the_job(void **state)
{
    (void)state;
    cli_run_result r = cli_run("MARKETSIM_MPIRUN=false", "config", "show", "mpirun", "-n", "2",
                               "analyze", "--symbols", "AAPL", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "'mpirun' has no settings of its own"));
    assert_string_equal(r.out, "");
    cli_run_release(&r);
}

int main(void)
{
#define TEST(name) cmocka_unit_test_setup_teardown(name, temp_dir_setup, temp_dir_teardown)
    const struct CMUnitTest tests[] = {
        TEST(test_analyze_takes_its_symbols_and_counts_from_its_section),
        TEST(test_a_flag_wins_over_the_file_and_replaces_its_list),
        TEST(test_the_environment_wins_over_the_file_and_a_flag_over_both),
        TEST(test_the_default_file_is_found_under_xdg_config_home),
        TEST(test_a_missing_default_file_is_no_error_but_a_missing_chosen_one_is),
        TEST(test_common_applies_to_every_command_and_a_section_overrides_it),
        TEST(test_a_section_list_replaces_the_common_one_and_continues_over_lines),
        TEST(test_a_switch_is_set_by_true_and_left_off_by_false),
        TEST(test_an_unknown_key_names_the_line_and_the_closest_flag),
        TEST(test_an_unknown_section_names_the_line_and_the_closest_command),
        TEST(test_a_bad_value_is_checked_like_the_flag_and_names_file_line_and_key),
        TEST(test_a_line_that_is_not_a_setting_is_named),
        TEST(test_a_key_before_any_section_is_an_error),
        TEST(test_config_show_lists_every_flag_and_runs_nothing),
        TEST(test_a_config_flag_given_wrong_is_a_usage_error_naming_it),
        TEST(test_config_show_refuses_mpirun_instead_of_starting_the_job),
    };
    return cmocka_run_group_tests_name("cli config", tests, NULL, NULL);
}
