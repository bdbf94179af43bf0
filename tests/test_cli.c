/*
 * test_cli.c - `marketsim` as a user runs it: exit codes (0 ok, 1 a symbol
 * or the run failed, 2 usage), messages on stderr naming what was wrong,
 * and the JSON document on stdout. Runs the built binary ($MARKETSIM_BIN).
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

typedef struct run_result {
    int exit_code;
    char *out;
    char *err;
} run_result;

static char *slurp(FILE *f)
{
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    char *text = calloc(1, (size_t)size + 1);
    if (fread(text, 1, (size_t)size, f) != (size_t)size)
        text[0] = '\0';
    fclose(f);
    return text;
}

/* Runs marketsim with the given arguments (NULL-terminated) and an optional
 * extra environment variable "NAME=VALUE". */
static run_result run(const char *env, ...)
{
    const char *bin = getenv("MARKETSIM_BIN");
    if (bin == NULL)
        bin = "build/bin/marketsim";
    char *argv[32] = { (char *)bin };
    va_list ap;
    va_start(ap, env);
    for (int i = 1; i < 31 && (argv[i] = va_arg(ap, char *)) != NULL; i++)
        ;
    va_end(ap);
    FILE *out = tmpfile(), *err = tmpfile();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fileno(out), STDOUT_FILENO);
        dup2(fileno(err), STDERR_FILENO);
        if (env) {
            char assignment[256];
            snprintf(assignment, sizeof assignment, "%s", env);
            char *value = strchr(assignment, '=');
            *value = '\0';
            setenv(assignment, value + 1, 1);
        }
        execv(bin, argv);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return (run_result){ WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err) };
}

static void release(run_result *r)
{
    free(r->out);
    free(r->err);
}

static const char *fixtures_uri(void)
{
    static char uri[4096];
    const char *root = getenv("MARKETSIM_SOURCE_DIR");
    snprintf(uri, sizeof uri, "csv:%s/tests/fixtures/analyze", root ? root : ".");
    return uri;
}

static void test_version_prints_library_version(void **state)
{
    (void)state;
    run_result r = run(NULL, "--version", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "marketsim 0."));
    release(&r);
}

static void test_help_lists_analyze(void **state)
{
    (void)state;
    run_result r = run(NULL, "--help", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "analyze"));
    release(&r);
    r = run(NULL, "analyze", "--help", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "--symbols-file"));
    release(&r);
}

static void test_unknown_command_is_a_usage_error(void **state)
{
    (void)state;
    run_result r = run(NULL, "frobnicate", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "unknown command 'frobnicate'"));
    release(&r);
}

static void test_analyze_without_symbols_is_a_usage_error(void **state)
{
    (void)state;
    run_result r = run(NULL, "analyze", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "no symbols"));
    release(&r);
}

static void test_malformed_count_flag_is_a_usage_error(void **state)
{
    (void)state;
    run_result r = run(NULL, "analyze", "--symbols", "AAPL", "--simulations", "7O", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "--simulations needs a positive integer, got '7O'"));
    release(&r);
}

static void test_unknown_flag_is_a_usage_error(void **state)
{
    (void)state;
    run_result r = run(NULL, "analyze", "--symbols", "AAPL", "--turbo", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "--turbo"));
    release(&r);
}

static void test_bad_data_uri_is_a_usage_error(void **state)
{
    (void)state;
    run_result r = run(NULL, "analyze", "--symbols", "AAPL", "--data", "ftp://x", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "ftp://x"));
    release(&r);
}

static void test_malformed_environment_variable_is_a_usage_error(void **state)
{
    (void)state;
    run_result r = run("MARKETSIM_BACKTEST_SIMULATIONS=lots", "analyze", "--symbols", "AAPL", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "MARKETSIM_BACKTEST_SIMULATIONS=lots"));
    release(&r);
}

static void test_analyze_synthetic_prints_ranked_table(void **state)
{
    (void)state;
    run_result r = run(NULL, "analyze", "--symbols", "aapl,btcusd", "--simulations", "5", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "best strategy"));
    assert_non_null(strstr(r.out, "AAPL"));
    assert_non_null(strstr(r.out, "BTCUSD"));
    assert_non_null(strstr(r.out, "timings"));
    release(&r);
}

static void test_analyze_json_is_one_document_on_stdout(void **state)
{
    (void)state;
    run_result r = run(NULL, "analyze", "--symbols", "AAPL,MSFT", "--simulations", "5", "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    json_error_t error;
    json_t *root = json_loads(r.out, 0, &error);
    assert_non_null(root);
    assert_int_equal(json_array_size(json_object_get(root, "symbols")), 2);
    assert_int_equal(json_object_get(json_object_get(root, "config"), "simulations") != NULL, 1);
    json_decref(root);
    release(&r);
}

static void test_failed_symbol_exits_1_and_still_reports_the_rest(void **state)
{
    (void)state;
    run_result r = run(NULL, "analyze", "--data", fixtures_uri(), "--symbols", "GOOD,BADHIGH",
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
    release(&r);
}

static void test_repair_flag_accepts_inconsistent_high(void **state)
{
    (void)state;
    run_result r = run(NULL, "analyze", "--data", fixtures_uri(), "--symbols", "BADHIGH",
                       "--simulations", "10", "--repair-ohlc", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.err, "BADHIGH.csv:5"));
    release(&r);
}

static void test_missing_csv_directory_fails(void **state)
{
    (void)state;
    run_result r = run(NULL, "analyze", "--data", "csv:/nonexistent/marketsim", "--symbols", "AAPL", NULL);
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.err, "/nonexistent/marketsim"));
    release(&r);
}

static void test_symbols_file_is_read(void **state)
{
    (void)state;
    char path[] = "/tmp/marketsim-symbols-XXXXXX";
    int fd = mkstemp(path);
    const char text[] = "# universe\nAAPL, MSFT\nBTCUSD\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    run_result r = run(NULL, "analyze", "--symbols-file", path, "--simulations", "5", "--json", NULL);
    unlink(path);
    assert_int_equal(r.exit_code, 0);
    json_error_t error;
    json_t *root = json_loads(r.out, 0, &error);
    assert_int_equal(json_array_size(json_object_get(root, "symbols")), 3);
    json_decref(root);
    release(&r);
}

static void test_missing_symbols_file_is_a_usage_error(void **state)
{
    (void)state;
    run_result r = run(NULL, "analyze", "--symbols-file", "/nonexistent/list.txt", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "/nonexistent/list.txt"));
    release(&r);
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
        cmocka_unit_test(test_analyze_synthetic_prints_ranked_table),
        cmocka_unit_test(test_analyze_json_is_one_document_on_stdout),
        cmocka_unit_test(test_failed_symbol_exits_1_and_still_reports_the_rest),
        cmocka_unit_test(test_repair_flag_accepts_inconsistent_high),
        cmocka_unit_test(test_missing_csv_directory_fails),
        cmocka_unit_test(test_symbols_file_is_read),
        cmocka_unit_test(test_missing_symbols_file_is_a_usage_error),
    };
    return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
