/*
 * test_trade_loop.c - `marketsim trade --loop`: it stops cleanly (exit 0,
 * a message) on SIGTERM or SIGINT while it waits for its next cycle, and runs the
 * bounded number of cycles (--cycles) at the scheduled US/Eastern time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "marketsim/marketsim.h"
#include "support/cli_run.h"
#include "support/trade_data.h"

#define MAX_ORDERS 16

static const char *const fixture_symbols[] = { "GOOD", "OTHER" };

/* Starts `marketsim trade --loop` in the background, stderr to a file. */
static pid_t start_loop(const trade_market *m, const char *uri, const char *err_path)
{
    return cli_spawn(err_path, NULL, "trade", "--broker", uri, "--data", m->data_uri, "--symbols",
                     m->symbols, "--simulations", "10", "--loop", "--all-days", "--at", "03:00",
                     (char *)NULL);
}

static bool file_contains(const char *path, const char *text)
{
    char content[8192] = "";
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return false;
    size_t length = fread(content, 1, sizeof content - 1, file);
    content[length] = '\0';
    fclose(file);
    return strstr(content, text) != NULL;
}

/* Polls every 50 ms for up to `seconds`. */
static bool wait_for(bool (*done)(const void *context), const void *context, double seconds)
{
    for (int i = 0; i < seconds * 20; i++) {
        if (done(context))
            return true;
        struct timespec step = { 0, 50 * 1000 * 1000 };
        nanosleep(&step, NULL);
    }
    return done(context);
}

static bool loop_is_waiting(const void *err_path)
{
    return file_contains(err_path, "next cycle at");
}

typedef struct child { pid_t pid; int status; bool exited; } child;

static bool child_exited(const void *context)
{
    child *c = (child *)context;
    c->exited = c->exited || waitpid(c->pid, &c->status, WNOHANG) == c->pid;
    return c->exited;
}

/* Sends `signal_number` to a loop waiting for its next cycle and expects a
 * clean stop: exit 0 and the message. */
static void expect_clean_stop_on(trade_market *m, int signal_number)
{
    assert_true(trade_market_bars(m, trade_fixture_dir(), fixture_symbols, 2, 0));
    char path[4200], uri[4300], err_path[4200];
    trade_market_journal(m, "loop.journal", path, uri);
    snprintf(err_path, sizeof err_path, "%s/loop.err", m->dir);
    child loop = { .pid = start_loop(m, uri, err_path) };
    assert_true(wait_for(loop_is_waiting, err_path, 20));
    kill(loop.pid, signal_number);
    assert_true(wait_for(child_exited, &loop, 5));
    assert_true(WIFEXITED(loop.status));
    assert_int_equal(WEXITSTATUS(loop.status), 0);
    assert_true(file_contains(err_path, "stopped by a signal"));
}

static void test_sigterm_stops_the_loop_cleanly(void **state)
{
    expect_clean_stop_on(*state, SIGTERM);
}

/* Ctrl-C at a terminal. */
static void test_sigint_stops_the_loop_cleanly(void **state)
{
    expect_clean_stop_on(*state, SIGINT);
}

static void test_loop_runs_its_cycles_at_the_scheduled_time(void **state)
{
    trade_market *m = *state;
    assert_true(trade_market_bars(m, trade_fixture_dir(), fixture_symbols, 2, 22));
    char path[4200], uri[4300], at[16], err_path[4200], ids[MAX_ORDERS][64];
    trade_market_journal(m, "timed.journal", path, uri);
    snprintf(err_path, sizeof err_path, "%s/timed.err", m->dir);
    /* Ten seconds from now, US/Eastern: the loop waits, runs once, ends. A
     * loop that started too late would wait for tomorrow: it is killed
     * after a minute and the test fails instead of hanging. */
    time_t when = time(NULL) + 10;
    time_t eastern = when + ms_us_eastern_offset(when);
    struct tm wall;
    gmtime_r(&eastern, &wall);
    strftime(at, sizeof at, "%H:%M:%S", &wall);
    pid_t pid = cli_spawn(err_path, NULL, "trade", "--broker", uri, "--data", m->data_uri,
                          "--symbols", m->symbols, "--simulations", "10", "--loop", "--cycles", "1",
                          "--all-days", "--at", at, (char *)NULL);
    int status = -1;
    for (int waited = 0; waited < 600 && waitpid(pid, &status, WNOHANG) == 0; waited++) {
        struct timespec step = { 0, 100000000 };
        nanosleep(&step, NULL);
    }
    if (waitpid(pid, &status, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        fail_msg("the loop did not run its cycle at %s within a minute", at);
    }
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_true(time(NULL) >= when);
    assert_true(trade_journal_submits(path, ids, MAX_ORDERS) >= 1);
}

#define MARKET_TEST(name) \
    cmocka_unit_test_setup_teardown(name, trade_market_setup, trade_market_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        MARKET_TEST(test_sigterm_stops_the_loop_cleanly),
        MARKET_TEST(test_sigint_stops_the_loop_cleanly),
        MARKET_TEST(test_loop_runs_its_cycles_at_the_scheduled_time),
    };
    return cmocka_run_group_tests_name("trade_loop", tests, NULL, NULL);
}
