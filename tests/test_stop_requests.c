/*
 * test_stop_requests.c - stopping during HTTP retries: ms_interrupt_requests
 * ends a GET's retries within a second in the library, and SIGTERM or
 * SIGINT to `marketsim trade` while every GET meets a 500 ends the run
 * within two seconds with exit 130: its analysis is cancelled, nothing is
 * planned (it used to take
 * 22 s and exit 0). Runs against tests/servers/fake_alpaca.py and skips
 * without python3.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "marketsim/marketsim.h"
#include "support/cli_run.h"
#include "support/fake_alpaca.h"
#include "support/trade_data.h"

/* Every GET under /v2/ answers 500, far more often than any retry budget. */
#define RETRY_STORM "{\"faults\": [{\"kind\": \"status\", \"status\": 500, \"method\": \"GET\", " \
                    "\"path\": \"/v2/\", \"count\": 100000}]}"

static const char *const fixture_symbols[] = { "GOOD", "OTHER" };

/* The suite's server plus a trade market per test in *state. */
static int setup(void **state)
{
    if (fake_alpaca_reset(state) != 0)
        return -1;
    return trade_market_setup(state);
}

static void storm(void)
{
    if (fake_alpaca_server == NULL)
        skip();
    assert_true(fake_alpaca_control(fake_alpaca_server, RETRY_STORM));
}

static void sleep_seconds(double seconds)
{
    struct timespec step = { (time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9) };
    nanosleep(&step, NULL);
}

typedef struct delayed_stop {
    double delay;
    pthread_t thread;
} delayed_stop;

static void *stop_after_delay(void *context)
{
    delayed_stop *stop = context;
    sleep_seconds(stop->delay);
    ms_interrupt_requests(1);
    return NULL;
}

static void test_interrupt_ends_get_retries_within_a_second(void **state)
{
    (void)state;
    storm();
    /* Ten retries would wait about 40 s between them. */
    ms_broker_options opts = fake_alpaca_options(fake_alpaca_server, 2.0);
    opts.max_retries = 10;
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_OK);
    delayed_stop stop = { .delay = 1.0 };
    assert_int_equal(pthread_create(&stop.thread, NULL, stop_after_delay, &stop), 0);
    double started = ms_clock_seconds();
    ms_account account;
    ms_status status = ms_broker_account(broker, &account);
    double took = ms_clock_seconds() - started;
    pthread_join(stop.thread, NULL);
    ms_interrupt_requests(0);
    assert_int_equal(status, MS_ERR_HTTP);
    assert_non_null(strstr(ms_last_error(), "HTTP 500"));
    assert_true(took < stop.delay + 1.0);
    assert_true(fake_alpaca_requests(fake_alpaca_server, "GET", "/v2/account") < 11);
    ms_broker_free(broker);
}

static void test_get_retries_again_once_the_interrupt_is_cleared(void **state)
{
    (void)state;
    if (fake_alpaca_server == NULL)
        skip();
    assert_true(fake_alpaca_control(fake_alpaca_server, "{\"faults\": [{\"kind\": \"status\", "
                                    "\"status\": 500, \"method\": \"GET\", \"path\": \"/v2/account\"}]}"));
    ms_interrupt_requests(1);
    ms_interrupt_requests(0);
    ms_broker *broker = fake_alpaca_faulty_broker(2, "[]");
    ms_account account;
    assert_int_equal(ms_broker_account(broker, &account), MS_OK);
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "GET", "/v2/account"), 2);
    ms_broker_free(broker);
}

/* `marketsim trade` on the Alpaca broker at the suite's server, with the
 * market's CSV data, stderr to err_path. */
static pid_t start_trade(const trade_market *m, const char *err_path)
{
    char url[128];
    snprintf(url, sizeof url, "APCA_API_BASE_URL=%s", fake_alpaca_server->url);
    const char *const env[] = { url, "APCA_API_KEY_ID=" FAKE_ALPACA_KEY_ID,
                                "APCA_API_SECRET_KEY=" FAKE_ALPACA_SECRET, NULL };
    return cli_spawn(err_path, env, "trade", "--broker", "alpaca", "--data", m->data_uri,
                     "--symbols", m->symbols, "--simulations", "10", (char *)NULL);
}

typedef struct stopped_run {
    int exit_code;       /* -1 when it did not exit on its own in time */
    double seconds;      /* from the signal to the exit */
    char err[8192];
} stopped_run;

/* Starts a trade during a retry storm, sends `signal_number` once the
 * server has answered a few 500s, and waits up to 10 s for the exit. */
static stopped_run stop_during_retries(trade_market *m, int signal_number)
{
    storm();
    assert_true(trade_market_bars(m, trade_fixture_dir(), fixture_symbols, 2, 0));
    char err_path[4200];
    snprintf(err_path, sizeof err_path, "%s/trade.err", m->dir);
    pid_t pid = start_trade(m, err_path);
    /* Any three answers of the storm: the cycle is then retrying. */
    for (int i = 0; i < 200 && fake_alpaca_count(fake_alpaca_server, "requests") < 3; i++)
        sleep_seconds(0.05);
    assert_true(fake_alpaca_count(fake_alpaca_server, "requests") >= 3);
    kill(pid, signal_number);
    double signalled = ms_clock_seconds();
    stopped_run run = { .exit_code = -1 };
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0 && ms_clock_seconds() - signalled < 10)
        sleep_seconds(0.02);
    run.seconds = ms_clock_seconds() - signalled;
    if (run.seconds >= 10) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    } else if (WIFEXITED(status)) {
        run.exit_code = WEXITSTATUS(status);
    }
    FILE *file = fopen(err_path, "r");
    if (file != NULL) {
        run.err[fread(run.err, 1, sizeof run.err - 1, file)] = '\0';
        fclose(file);
    }
    return run;
}

/* Fails naming what the run printed, which says why. */
static void assert_err_says(const stopped_run *run, const char *text)
{
    if (strstr(run->err, text) == NULL)
        fail_msg("expected '%s' on stderr (exit %d after %.2f s):\n%s", text, run->exit_code,
                 run->seconds, run->err);
}

static void test_sigterm_during_http_retries_ends_the_trade_within_two_seconds(void **state)
{
    stopped_run run = stop_during_retries(*state, SIGTERM);
    assert_true(run.seconds < 2.0);
    assert_err_says(&run, "stopped by a signal");
}

/* Stopped while the cycle reads the account, before its analysis: the
 * analysis is cancelled, nothing is planned, and the exit is 130, never
 * the 0 of a cycle that ran. */
static void test_cycle_stopped_before_its_analysis_exits_130_without_planning(void **state)
{
    stopped_run run = stop_during_retries(*state, SIGINT);
    assert_err_says(&run, "stopping");
    assert_err_says(&run, "stopped by a signal");
    assert_int_equal(run.exit_code, 130);
    assert_null(strstr(run.err, "planning"));
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, trade_market_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_interrupt_ends_get_retries_within_a_second, fake_alpaca_reset),
        cmocka_unit_test_setup(test_get_retries_again_once_the_interrupt_is_cleared, fake_alpaca_reset),
        TEST(test_sigterm_during_http_retries_ends_the_trade_within_two_seconds),
        TEST(test_cycle_stopped_before_its_analysis_exits_130_without_planning),
    };
    return cmocka_run_group_tests_name("stop_requests", tests, fake_alpaca_group_setup,
                                       fake_alpaca_group_teardown);
}
