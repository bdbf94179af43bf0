/*
 * test_html_chromium.c - the page `marketsim analyze --html` writes, opened
 * in Debian's headless Chromium as a user would open it: it renders to a
 * real screenshot, logs no console message (an error in the page shows up
 * as a "CONSOLE" log line), and the DOM Chromium built has one section and
 * three charts per symbol, each with its axes. The screenshots, at a laptop
 * screen's width, of the summary and of the page down to the first
 * symbol's section are kept
 * in $MARKETSIM_TEST_ARTIFACTS (default build/test-artifacts) and named in
 * the test's output, so a person can look at what was rendered. Skips when
 * chromium is not installed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "support/cli_run.h"
#include "support/temp_dir.h"

/* Flags every run needs: --no-sandbox because tests may run as root, a
 * profile in the scratch directory so nothing is left in $HOME, and a hard
 * timeout so a hung browser cannot hang `make test`. */
#define CHROMIUM "timeout 30 chromium --headless --no-sandbox --disable-gpu " \
                 "--enable-logging=stderr --v=0 --window-size=1366,900 "

static size_t count_of(const char *text, const char *needle)
{
    size_t count = 0, length = strlen(needle);
    for (size_t i = 0; text[i] != '\0'; i++)
        count += strncmp(text + i, needle, length) == 0;
    return count;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    char *text = malloc((size_t)size + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
    text[size] = '\0';
    fclose(f);
    return text;
}

/* Writes the report of three synthetic symbols to <dir>/report.html. */
static char *write_report(const char *dir)
{
    char *html = temp_dir_path(dir, "report.html");
    cli_run_result r = cli_run(NULL, "analyze", "--symbols", "AAPL,MSFT,BTCUSD",
                               "--simulations", "10", "--html", html, NULL);
    assert_int_equal(r.exit_code, 0);
    cli_run_release(&r);
    return html;
}

/* Runs chromium on the page with `action` (a --screenshot=... or
 * --dump-dom); its stdout goes to <dir>/stdout, its log to <dir>/log. */
static void run_chromium(const char *dir, const char *html, const char *action)
{
    char command[4096];
    snprintf(command, sizeof command,
             CHROMIUM "--user-data-dir='%s/profile' %s 'file://%s' >'%s/stdout' 2>'%s/log'",
             dir, action, html, dir, dir);
    assert_int_equal(system(command), 0);
}

static int skip_without_chromium(void)
{
    return system("command -v chromium >/dev/null 2>&1") != 0;
}

/* Where screenshots are kept after the test: made if missing. */
static char *artifact_path(const char *name)
{
    const char *dir = getenv("MARKETSIM_TEST_ARTIFACTS");
    char command[1024], *path = malloc(1024);
    assert_non_null(path);
    dir = dir != NULL && *dir != '\0' ? dir : "build/test-artifacts";
    snprintf(command, sizeof command, "mkdir -p '%s'", dir);
    assert_int_equal(system(command), 0);
    snprintf(path, 1024, "%s/%s", dir, name);
    return path;
}

/* Screenshots `page` at `size` ("WIDTH,HEIGHT": a later --window-size
 * wins) into the artifacts as `name`, checks it is a real, non-blank PNG
 * and that Chromium logged no console message, and prints where it is. */
static void screenshot(const char *dir, const char *page, const char *size, const char *name)
{
    char *png = artifact_path(name);
    char action[1200];
    snprintf(action, sizeof action, "--window-size=%s --screenshot='%s'", size, png);
    run_chromium(dir, page, action);
    struct stat info;
    assert_int_equal(stat(png, &info), 0);
    /* A blank 1366x900 page compresses to a few kB; charts and tables
     * make it far larger (about 100 kB). */
    assert_true(info.st_size > 30000);
    char *image = read_file(png);
    assert_memory_equal(image, "\x89PNG", 4);
    char *log_path = temp_dir_path(dir, "log");
    char *log = read_file(log_path);
    assert_null(strstr(log, "CONSOLE"));
    printf("screenshot: %s (%lld bytes)\n", png, (long long)info.st_size);
    free(log);
    free(log_path);
    free(image);
    free(png);
}

static void test_page_renders_screenshots_without_console_messages(void **state)
{
    const char *dir = *state;
    if (skip_without_chromium())
        skip();
    char *html = write_report(dir);
    /* What a laptop shows first, then the summary and the first symbol. */
    screenshot(dir, html, "1366,900", "report-summary.png");
    screenshot(dir, html, "1366,3000", "report-first-symbol.png");
    free(html);
}

static void test_rendered_dom_has_one_section_and_three_charts_with_axes_per_symbol(void **state)
{
    const char *dir = *state;
    if (skip_without_chromium())
        skip();
    char *html = write_report(dir);
    run_chromium(dir, html, "--dump-dom");
    char *dom_path = temp_dir_path(dir, "stdout");
    char *dom = read_file(dom_path);
    assert_int_equal(count_of(dom, "<section class=\"symbol\""), 3);
    assert_int_equal(count_of(dom, "<svg"), 3 * 3);
    /* Candles, equity, drawdown and returns spread: a value axis each. */
    assert_int_equal(count_of(dom, "<g class=\"y-axis\">"), 3 * 4);
    assert_int_equal(count_of(dom, "<g class=\"x-axis\">"), 3 * 2);
    assert_int_equal(count_of(dom, "<polygon class=\"drawdown\""), 3);
    assert_int_equal(count_of(dom, "<g class=\"box\""), 3 * 8);
    assert_int_equal(count_of(dom, "<table class=\"trades\">"), 3);
    assert_non_null(strstr(dom, "<time>"));
    free(dom);
    free(dom_path);
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_page_renders_screenshots_without_console_messages,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(
            test_rendered_dom_has_one_section_and_three_charts_with_axes_per_symbol,
            temp_dir_setup, temp_dir_teardown),
    };
    return cmocka_run_group_tests_name("html_chromium", tests, NULL, NULL);
}
