/*
 * test_cli.c - `marketsim` as a user runs it: exit codes (0 ok, 1 a symbol
 * or the run failed, 2 usage), messages on stderr naming what was wrong,
 * and the JSON document on stdout, and the library's default settings when no
 * flag sets them. Runs the built binary (cli_run.h).
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
#include <unistd.h>

#include "marketsim/marketsim.h"
#include "support/cli_run.h"

static void test_version_prints_library_version(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "--version", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "marketsim 0."));
    cli_run_release(&r);
}

static void test_help_lists_analyze(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "--help", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "analyze"));
    cli_run_release(&r);
    r = cli_run(NULL, "analyze", "--help", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "--symbols-file"));
    cli_run_release(&r);
}

static void test_unknown_command_is_a_usage_error(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "frobnicate", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "unknown command 'frobnicate'"));
    cli_run_release(&r);
}

static void test_analyze_without_symbols_is_a_usage_error(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "analyze", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "no symbols"));
    cli_run_release(&r);
}

static void test_malformed_count_flag_is_a_usage_error(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "analyze", "--symbols", "AAPL", "--simulations", "7O", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "--simulations needs a positive integer, got '7O'"));
    cli_run_release(&r);
}

static void test_unknown_flag_is_a_usage_error(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "analyze", "--symbols", "AAPL", "--turbo", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "--turbo"));
    cli_run_release(&r);
}

static void test_bad_data_uri_is_a_usage_error(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "analyze", "--symbols", "AAPL", "--data", "ftp://x", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "ftp://x"));
    cli_run_release(&r);
}

static void test_malformed_environment_variable_is_a_usage_error(void **state)
{
    (void)state;
    cli_run_result r = cli_run("MARKETSIM_BACKTEST_SIMULATIONS=lots", "analyze", "--symbols", "AAPL", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "MARKETSIM_BACKTEST_SIMULATIONS=lots"));
    cli_run_release(&r);
}

static void test_invalid_log_level_is_warned_about_and_the_run_goes_on(void **state)
{
    (void)state;
    cli_run_result r = cli_run("MARKETSIM_LOG=loud", "analyze", "--data", cli_fixtures_uri(),
                               "--symbols", "GOOD", "--simulations", "2", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.err, "MARKETSIM_LOG=loud is not one of debug|info|warn|error; using warn"));
    cli_run_release(&r);
}

static void test_analyze_synthetic_prints_ranked_table(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "analyze", "--symbols", "aapl,btcusd", "--simulations", "5", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "best strategy"));
    assert_non_null(strstr(r.out, "AAPL"));
    assert_non_null(strstr(r.out, "BTCUSD"));
    assert_non_null(strstr(r.out, "timings"));
    cli_run_release(&r);
}

static void test_analyze_json_is_one_document_on_stdout(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "analyze", "--symbols", "AAPL,MSFT", "--simulations", "5", "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    json_error_t error;
    json_t *root = json_loads(r.out, 0, &error);
    assert_non_null(root);
    assert_int_equal(json_array_size(json_object_get(root, "symbols")), 2);
    assert_int_equal(json_object_get(json_object_get(root, "config"), "simulations") != NULL, 1);
    json_decref(root);
    cli_run_release(&r);
}

/* The CLI fills its options with ms_analyzer_options_init: with no flag
 * and no MARKETSIM_* variable, the report's settings are the library's
 * defaults as ms_analyzer_options_resolve gives them. */
static void test_analyze_without_flags_runs_with_the_library_defaults(void **state)
{
    (void)state;
    static const char *const variables[] = { "MARKETSIM_BACKTEST_SIMULATIONS",
                                             "MARKETSIM_MAX_POSITIONS", "MARKETSIM_POSITION_SIZE",
                                             "MARKETSIM_STOCK_FEE", "MARKETSIM_CRYPTO_FEE" };
    for (size_t i = 0; i < sizeof variables / sizeof variables[0]; i++)
        unsetenv(variables[i]);
    ms_analyzer_options defaults;
    assert_int_equal(ms_analyzer_options_init(&defaults, MS_ANALYZER_OPTIONS_VERSION), MS_OK);
    assert_int_equal(ms_analyzer_options_resolve(&defaults), MS_OK);
    cli_run_result r = cli_run(NULL, "analyze", "--symbols", "AAPL", "--cache", "off", "--json",
                               NULL);
    assert_int_equal(r.exit_code, 0);
    json_t *root = json_loads(r.out, 0, NULL), *config = json_object_get(root, "config");
    assert_non_null(config);
    assert_int_equal(json_integer_value(json_object_get(config, "simulations")),
                     defaults.simulations);
    assert_int_equal(json_integer_value(json_object_get(config, "eval_days")), defaults.eval_days);
    assert_int_equal(json_integer_value(json_object_get(config, "context_length")),
                     defaults.context_length);
    assert_int_equal(json_integer_value(json_object_get(config, "max_positions")),
                     defaults.max_positions);
    assert_true(json_real_value(json_object_get(config, "stock_fee")) == defaults.stock_fee);
    assert_true(json_real_value(json_object_get(config, "crypto_fee")) == defaults.crypto_fee);
    assert_true(json_real_value(json_object_get(config, "position_size")) ==
                defaults.position_size);
    assert_string_equal(json_string_value(json_object_get(config, "fills")),
                        ms_fill_model_name(defaults.fills));
    json_decref(root);
    cli_run_release(&r);
}

static void test_failed_symbol_exits_1_and_still_reports_the_rest(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "analyze", "--data", cli_fixtures_uri(), "--symbols", "GOOD,BADHIGH",
                       "--simulations", "10", "--json", NULL);
    assert_int_equal(r.exit_code, 1);
    json_error_t error;
    json_t *root = json_loads(r.out, 0, &error);
    assert_non_null(root);
    assert_int_equal(json_array_size(json_object_get(root, "symbols")), 1);
    json_t *failure = json_array_get(json_object_get(root, "errors"), 0);
    assert_string_equal(json_string_value(json_object_get(failure, "symbol")), "BADHIGH");
    const char *message = json_string_value(json_object_get(failure, "message"));
    assert_non_null(strstr(message, "BADHIGH.csv:5"));
    assert_non_null(strstr(message, "high"));
    json_decref(root);
    cli_run_release(&r);
}

static void test_repair_flag_accepts_inconsistent_high(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "analyze", "--data", cli_fixtures_uri(), "--symbols", "BADHIGH",
                       "--simulations", "10", "--repair-ohlc", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.err, "BADHIGH.csv:5"));
    cli_run_release(&r);
}

static void test_missing_csv_directory_fails(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "analyze", "--data", "csv:/nonexistent/marketsim", "--symbols", "AAPL", NULL);
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.err, "/nonexistent/marketsim"));
    cli_run_release(&r);
}

static void test_symbols_file_is_read(void **state)
{
    (void)state;
    char path[] = "/tmp/marketsim-symbols-XXXXXX";
    int fd = mkstemp(path);
    const char text[] = "# universe\nAAPL, MSFT\nBTCUSD\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    cli_run_result r = cli_run(NULL, "analyze", "--symbols-file", path, "--simulations", "5", "--json", NULL);
    unlink(path);
    assert_int_equal(r.exit_code, 0);
    json_error_t error;
    json_t *root = json_loads(r.out, 0, &error);
    assert_int_equal(json_array_size(json_object_get(root, "symbols")), 3);
    json_decref(root);
    cli_run_release(&r);
}

static void test_missing_symbols_file_is_a_usage_error(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "analyze", "--symbols-file", "/nonexistent/list.txt", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "/nonexistent/list.txt"));
    cli_run_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_prints_library_version),
        cmocka_unit_test(test_help_lists_analyze),
        cmocka_unit_test(test_unknown_command_is_a_usage_error),
        cmocka_unit_test(test_analyze_without_symbols_is_a_usage_error),
        cmocka_unit_test(test_malformed_count_flag_is_a_usage_error),
        cmocka_unit_test(test_unknown_flag_is_a_usage_error),
        cmocka_unit_test(test_bad_data_uri_is_a_usage_error),
        cmocka_unit_test(test_malformed_environment_variable_is_a_usage_error),
        cmocka_unit_test(test_invalid_log_level_is_warned_about_and_the_run_goes_on),
        cmocka_unit_test(test_analyze_synthetic_prints_ranked_table),
        cmocka_unit_test(test_analyze_json_is_one_document_on_stdout),
        cmocka_unit_test(test_analyze_without_flags_runs_with_the_library_defaults),
        cmocka_unit_test(test_failed_symbol_exits_1_and_still_reports_the_rest),
        cmocka_unit_test(test_repair_flag_accepts_inconsistent_high),
        cmocka_unit_test(test_missing_csv_directory_fails),
        cmocka_unit_test(test_symbols_file_is_read),
        cmocka_unit_test(test_missing_symbols_file_is_a_usage_error),
    };
    return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
