/*
 * test_cli_bad_input.c - every kind of bad bars file, end to end through
 * `marketsim analyze --json`: the symbol fails alone with a message naming
 * the file, the line and the field, the exit status is 1 and no numbers
 * are produced for it. A missing or too-short symbol fails the same way
 * while a good one beside it is still analysed.
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

#include "support/cli_run.h"

#define HEADER "Date,Open,High,Low,Close,Volume\n"
#define ROW1 "2024-01-02,10,11,9,10.5,1000\n"

typedef struct bad_input {
    const char *what;
    const char *text;
    const char *fragments[3];   /* each must appear in the message */
} bad_input;

static const bad_input cases[] = {
    { "missing column", "Date,Open,Low,Close\n2024-01-02,10,9,10\n", { "BAD.csv:1", "'high'" } },
    { "unparsable number", HEADER ROW1 "2024-01-03,10,abc,9,10,5\n", { "BAD.csv:3", "'high'", "abc" } },
    { "unparsable date", HEADER "2024-13-02,10,11,9,10,5\n", { "BAD.csv:2", "date" } },
    { "NaN price", HEADER ROW1 "2024-01-03,10,11,nan,10,5\n", { "BAD.csv:3", "'low'" } },
    { "infinite price", HEADER ROW1 "2024-01-03,inf,11,9,10,5\n", { "BAD.csv:3", "'open'" } },
    { "negative price", HEADER "2024-01-02,10,11,9,-10,5\n", { "BAD.csv:2", "'close'" } },
    { "zero price", HEADER "2024-01-02,0,11,9,10,5\n", { "BAD.csv:2", "'open'" } },
    { "negative volume", HEADER "2024-01-02,10,11,9,10,-5\n", { "BAD.csv:2", "'volume'" } },
    { "high below close", HEADER "2024-01-02,10,11,9,12,5\n", { "BAD.csv:2", "high" } },
    { "low above open", HEADER "2024-01-02,8,11,9,10,5\n", { "BAD.csv:2", "low" } },
    { "conflicting duplicate date", HEADER ROW1 "2024-01-02,10,12,9,11,5\n", { "BAD.csv:3", "2024-01-02" } },
    { "row with too few fields", HEADER "2024-01-02,10,11,9\n", { "BAD.csv:2" } },
    { "empty file", "", { "BAD.csv", "empty" } },
    { "header only", HEADER, { "BAD.csv", "no data rows" } },
    /* A message quoting raw Latin-1 would be invalid UTF-8, and a JSON
     * writer drops such a string: the failure must still be reported. */
    { "Latin-1 byte in a price", HEADER "2024-01-02,10,11,9,10\xE9,5\n",
      { "BAD.csv:2", "'close'", "10\\xE9" } },
    { "UTF-16 byte order mark", "\xFF\xFE" "D", { "BAD.csv:1", "UTF-16" } },
};

static char directory[] = "/tmp/marketsim-bad-XXXXXX";

static int make_directory(void **state)
{
    (void)state;
    return mkdtemp(directory) == NULL;
}

static int remove_directory(void **state)
{
    (void)state;
    char path[sizeof directory + 16];
    snprintf(path, sizeof path, "%s/BAD.csv", directory);
    unlink(path);
    return rmdir(directory);
}

static void write_bad_file(const char *bad_text)
{
    char path[sizeof directory + 16];
    snprintf(path, sizeof path, "%s/BAD.csv", directory);
    FILE *f = fopen(path, "w");
    fputs(bad_text, f);
    fclose(f);
}

static void test_every_bad_file_fails_alone_with_file_line_and_field(void **state)
{
    (void)state;
    char uri[sizeof directory + 8];
    snprintf(uri, sizeof uri, "csv:%s", directory);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_bad_file(cases[i].text);
        cli_run_result r = cli_run(NULL, "analyze", "--data", uri, "--symbols", "BAD",
                                   "--simulations", "1", "--eval-days", "1", "--json", NULL);
        if (r.exit_code != 1)
            fail_msg("%s: exit %d, expected 1", cases[i].what, r.exit_code);
        json_error_t error;
        json_t *root = json_loads(r.out, 0, &error);
        if (root == NULL)
            fail_msg("%s: stdout is not JSON: %s", cases[i].what, r.out);
        assert_int_equal(json_array_size(json_object_get(root, "symbols")), 0);
        const char *message = json_string_value(
            json_object_get(json_array_get(json_object_get(root, "errors"), 0), "message"));
        for (int k = 0; k < 3 && cases[i].fragments[k] != NULL; k++)
            if (message == NULL || strstr(message, cases[i].fragments[k]) == NULL)
                fail_msg("%s: message '%s' lacks '%s'", cases[i].what, message ? message : "(none)",
                         cases[i].fragments[k]);
        json_decref(root);
        cli_run_release(&r);
    }
}

static void test_unknown_symbol_fails_alone(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "analyze", "--data", cli_fixtures_uri(), "--symbols",
                               "GOOD,MISSING", "--simulations", "10", "--json", NULL);
    assert_int_equal(r.exit_code, 1);
    json_error_t error;
    json_t *root = json_loads(r.out, 0, &error);
    assert_int_equal(json_array_size(json_object_get(root, "symbols")), 1);
    json_t *failure = json_array_get(json_object_get(root, "errors"), 0);
    assert_string_equal(json_string_value(json_object_get(failure, "status")), "not found");
    assert_non_null(strstr(json_string_value(json_object_get(failure, "message")), "MISSING"));
    json_decref(root);
    cli_run_release(&r);
}

static void test_too_short_history_fails_alone_saying_what_is_needed(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "analyze", "--data", cli_fixtures_uri(), "--symbols",
                               "SHORT,GOOD", "--json", NULL);
    assert_int_equal(r.exit_code, 1);
    json_error_t error;
    json_t *root = json_loads(r.out, 0, &error);
    json_t *failure = json_array_get(json_object_get(root, "errors"), 0);
    const char *message = json_string_value(json_object_get(failure, "message"));
    /* 70 simulations + 6 days + 6 days the oldest walk-forward offsets are
     * fitted on + 32 bars of context: the defaults need 114 bars, and the
     * 120-bar GOOD file has them. */
    assert_non_null(strstr(message, "at least 114 bars"));
    assert_non_null(strstr(message, "found 20"));
    assert_int_equal(json_array_size(json_object_get(root, "symbols")), 1);
    json_decref(root);
    cli_run_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_bad_file_fails_alone_with_file_line_and_field),
        cmocka_unit_test(test_unknown_symbol_fails_alone),
        cmocka_unit_test(test_too_short_history_fails_alone_saying_what_is_needed),
    };
    return cmocka_run_group_tests_name("cli_bad_input", tests, make_directory, remove_directory);
}
