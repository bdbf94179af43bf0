/*
 * test_cli_progress.c - the progress line and stopping of a CLI analysis,
 * and the 100-column text: off a terminal a plain progress line every
 * MARKETSIM_PROGRESS_SECONDS goes to stderr, --quiet silences it; SIGINT
 * or SIGTERM stops an analysis within a bounded time with "stopping" and
 * exit 130, a second SIGINT exits at once, and a `trade` stopped during its
 * analysis places no order; every line of the default text reports is at
 * most 100 columns.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support/cli_run.h"
#include "support/temp_dir.h"
#include "support/trade_data.h"

/* 200 synthetic symbols of 3000 bars: an analysis of a few seconds. */
static char many_symbols[2048];

static void fill_many_symbols(void)
{
    size_t used = 0;
    for (int i = 0; i < 200; i++)
        used += (size_t)snprintf(many_symbols + used, sizeof many_symbols - used, "%sS%03d",
                                 i ? "," : "", i);
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static char *file_text(const char *path)
{
    static char content[65536];
    content[0] = '\0';
    FILE *file = fopen(path, "r");
    if (file != NULL) {
        content[fread(content, 1, sizeof content - 1, file)] = '\0';
        fclose(file);
    }
    return content;
}

/* Waits up to `seconds` for `text` in the file. */
static bool wait_for_text(const char *path, const char *text, double seconds)
{
    double end = now_seconds() + seconds;
    while (now_seconds() < end) {
        if (strstr(file_text(path), text) != NULL)
            return true;
        struct timespec step = { 0, 20 * 1000 * 1000 };
        nanosleep(&step, NULL);
    }
    return false;
}

/* Waits for the child; kills it after `seconds`. Returns the wait status. */
static int wait_exit(pid_t pid, double seconds, double *took)
{
    double start = now_seconds();
    int status = -1;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (now_seconds() - start > seconds) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        struct timespec step = { 0, 10 * 1000 * 1000 };
        nanosleep(&step, NULL);
    }
    *took = now_seconds() - start;
    return status;
}

static const char *const progress_env[] = { "MARKETSIM_PROGRESS_SECONDS=0.1", NULL };

/* An analysis under way in the background, its stderr in dir/err. */
static pid_t start_analysis(const char *err_path)
{
    return cli_spawn(err_path, progress_env, "analyze", "--symbols", many_symbols, "--bars",
                     "3000", "--simulations", "70", "--cache", "off", "--sequential",
                     (char *)NULL);
}

static void test_progress_lines_go_to_stderr_off_a_terminal(void **state)
{
    (void)state;
    char *dir = temp_dir_create(), *err = temp_dir_path(dir, "err");
    pid_t pid = start_analysis(err);
    assert_true(wait_for_text(err, "symbols,", 60));
    kill(pid, SIGTERM);
    double took;
    wait_exit(pid, 30, &took);
    regex_t line;
    assert_int_equal(regcomp(&line, "marketsim analyze: [0-9]+/200 symbols, [0-9]+ contexts "
                             "forecast, [0-9]+:[0-9][0-9] elapsed, ETA ([0-9:]+|\\?)\n",
                             REG_EXTENDED), 0);
    assert_int_equal(regexec(&line, file_text(err), 0, NULL, 0), 0);
    assert_null(strchr(file_text(err), '\r')); /* plain lines, never redrawn */
    regfree(&line);
    free(err);
    temp_dir_remove(dir);
}

static void test_quiet_prints_no_progress(void **state)
{
    (void)state;
    cli_run_result r = cli_run("MARKETSIM_PROGRESS_SECONDS=0.01", "analyze", "--symbols",
                               "A,B,C,D,E,F", "--bars", "3000", "--simulations", "70", "--cache",
                               "off", "--quiet", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_null(strstr(r.err, "symbols,"));
    cli_run_release(&r);
}

static void test_sigint_stops_an_analysis_within_a_second_with_stopping(void **state)
{
    (void)state;
    char *dir = temp_dir_create(), *err = temp_dir_path(dir, "err");
    pid_t pid = start_analysis(err);
    assert_true(wait_for_text(err, "symbols,", 60));
    kill(pid, SIGINT);
    double took;
    int status = wait_exit(pid, 30, &took);
    assert_true(took < 1.5); /* a second, and the scheduling of a shared machine */
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 130);
    assert_non_null(strstr(file_text(err), "stopping"));
    assert_non_null(strstr(file_text(err), "cancelled"));
    free(err);
    temp_dir_remove(dir);
}

static void test_second_sigint_exits_at_once(void **state)
{
    (void)state;
    char *dir = temp_dir_create(), *err = temp_dir_path(dir, "err");
    pid_t pid = start_analysis(err);
    assert_true(wait_for_text(err, "symbols,", 60));
    kill(pid, SIGINT);
    assert_true(wait_for_text(err, "stopping", 5));
    kill(pid, SIGINT);
    double took;
    int status = wait_exit(pid, 30, &took);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 130);
    /* Either the second signal found it still stopping and it exited at
     * once, or the first had already ended it. */
    assert_true(strstr(file_text(err), "stopping now") != NULL ||
                strstr(file_text(err), "cancelled") != NULL);
    free(err);
    temp_dir_remove(dir);
}

static void test_trade_stopped_during_its_analysis_places_no_order(void **state)
{
    trade_market *m = *state;
    char *err = temp_dir_path(m->dir, "trade.err");
    pid_t pid = cli_spawn(err, progress_env, "trade", "--broker", m->broker_uri, "--symbols",
                          many_symbols, "--bars", "3000", "--simulations", "70", "--cache", "off",
                          "--sequential", (char *)NULL);
    assert_true(wait_for_text(err, "symbols,", 120));
    kill(pid, SIGINT);
    double took;
    int status = wait_exit(pid, 30, &took);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 130);
    char ids[4][64];
    assert_true(trade_journal_submits(m->journal, ids, 4) <= 0);
    assert_non_null(strstr(file_text(err), "stopping"));
    free(err);
}

/* Every line of `text` at most 100 columns. */
static void assert_fits_100_columns(const char *what, const char *text)
{
    size_t number = 1;
    for (const char *line = text; *line != '\0'; number++) {
        size_t length = strcspn(line, "\n");
        if (length > 100)
            fail_msg("%s: line %zu has %zu columns: %.*s", what, number, length, (int)length,
                     line);
        line += length + (line[length] == '\n');
    }
}

static void test_default_text_reports_fit_100_columns(void **state)
{
    trade_market *m = *state;
    cli_run_result r = cli_run(NULL, "analyze", "--symbols", "GOOD,OTHER,STALE",
                               "--simulations", "5", "--cache", "off", "--data", cli_fixtures_uri(),
                               NULL);
    assert_fits_100_columns("analyze", r.out);
    assert_non_null(strstr(r.out, "ret %/day"));
    cli_run_release(&r);
    r = cli_run(NULL, "analyze", "--symbols", "AAPL,BTCUSD,SOLUSD,MSFT", "--simulations", "5",
                "--cache", "off", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_fits_100_columns("analyze synthetic", r.out);
    cli_run_release(&r);
    r = cli_run(NULL, "trade", "--broker", m->broker_uri, "--symbols", "AAPL,BTCUSD,MSFT",
                "--simulations", "5", "--cache", "off", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_fits_100_columns("trade", r.out);
    cli_run_release(&r);
    r = cli_run(NULL, "forecast", "--symbol", "AAPL", "--horizon", "5", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_fits_100_columns("forecast", r.out);
    cli_run_release(&r);
}

static void test_wide_text_is_wider(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "analyze", "--symbols", "AAPL", "--simulations", "5",
                               "--cache", "off", "--wide", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "pred high $"));
    assert_non_null(strstr(r.out, "ref %/day"));
    cli_run_release(&r);
}

#define MARKET_TEST(name) \
    cmocka_unit_test_setup_teardown(name, trade_market_setup, trade_market_teardown)

int main(void)
{
    fill_many_symbols();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_progress_lines_go_to_stderr_off_a_terminal),
        cmocka_unit_test(test_quiet_prints_no_progress),
        cmocka_unit_test(test_sigint_stops_an_analysis_within_a_second_with_stopping),
        cmocka_unit_test(test_second_sigint_exits_at_once),
        MARKET_TEST(test_trade_stopped_during_its_analysis_places_no_order),
        MARKET_TEST(test_default_text_reports_fit_100_columns),
        cmocka_unit_test(test_wide_text_is_wider),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
