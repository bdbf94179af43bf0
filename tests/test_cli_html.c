/*
 * test_cli_html.c - `marketsim analyze --html FILE`: the page is written in
 * addition to the normal output, replaces an existing file whole (no
 * temporary file left beside it), and a path that cannot be written fails
 * the command with a message naming it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/cli_run.h"
#include "support/temp_dir.h"

static size_t entries_in(const char *dir)
{
    size_t count = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d))
        count += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return count;
}

static cli_run_result analyze_to(const char *html)
{
    return cli_run(NULL, "analyze", "--symbols", "AAPL,BTCUSD", "--simulations", "4",
                   "--html", html, NULL);
}

static void test_html_flag_writes_the_page_and_still_prints_the_table(void **state)
{
    const char *dir = *state;
    char *html = temp_dir_path(dir, "report.html");
    cli_run_result r = analyze_to(html);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "best strategy"));
    FILE *f = fopen(html, "r");
    assert_non_null(f);
    char head[16] = { 0 };
    assert_int_equal(fread(head, 1, 15, f), 15);
    assert_string_equal(head, "<!DOCTYPE html>");
    fclose(f);
    cli_run_release(&r);
    free(html);
}

static void test_html_flag_replaces_an_existing_file_leaving_no_temporary(void **state)
{
    const char *dir = *state;
    char *html = temp_dir_path(dir, "report.html");
    FILE *f = fopen(html, "w");
    assert_non_null(f);
    fputs("old", f);
    fclose(f);
    cli_run_result r = analyze_to(html);
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(entries_in(dir), 1);
    f = fopen(html, "r");
    char head[4] = { 0 };
    assert_int_equal(fread(head, 1, 3, f), 3);
    assert_string_not_equal(head, "old");
    fclose(f);
    cli_run_release(&r);
    free(html);
}

static void test_html_flag_naming_a_missing_directory_fails_naming_it(void **state)
{
    const char *dir = *state;
    char *html = temp_dir_path(dir, "missing/report.html");
    cli_run_result r = analyze_to(html);
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.err, "missing/report.html"));
    cli_run_release(&r);
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_html_flag_writes_the_page_and_still_prints_the_table,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_html_flag_replaces_an_existing_file_leaving_no_temporary,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_html_flag_naming_a_missing_directory_fails_naming_it,
                                        temp_dir_setup, temp_dir_teardown),
    };
    return cmocka_run_group_tests_name("cli_html", tests, NULL, NULL);
}
