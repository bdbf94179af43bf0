/*
 * test_trade_loop_cache.c - `marketsim trade --loop` shares the forecast
 * cache across its cycles (issue 15): a same-day second cycle takes every
 * forecast from the cache the first one filled, computes none, and its
 * analysis equals the first one's byte for byte in --json, timings aside.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "marketsim/marketsim.h"
#include "support/cache_fixture.h"
#include "support/cli_run.h"
#include "support/trade_data.h"

static const char *const fixture_symbols[] = { "GOOD", "OTHER" };

/* --at lists its most times (16), one every few seconds from now on: the
 * two cycles run at the first two still ahead, however long the process
 * takes to start on a loaded machine (12 s seen) or a cycle takes. */
#define CYCLE_TIMES 16
#define CYCLE_STEP_SECONDS 6

/* `seconds` from now as US/Eastern HH:MM:SS, as --at takes it. */
static void eastern_time(char text[16], int seconds)
{
    time_t when = time(NULL) + seconds;
    time_t eastern = when + ms_us_eastern_offset(when);
    struct tm wall;
    gmtime_r(&eastern, &wall);
    strftime(text, 16, "%H:%M:%S", &wall);
}

/* Waits up to three minutes for the loop, past its last time; a loop
 * that missed them all would wait for tomorrow: it is killed and the test
 * fails. */
static void wait_for_loop(pid_t pid)
{
    int status = -1;
    for (int waited = 0; waited < 1800 && waitpid(pid, &status, WNOHANG) == 0; waited++) {
        struct timespec step = { 0, 100000000 };
        nanosleep(&step, NULL);
    }
    if (waitpid(pid, &status, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        fail_msg("the loop did not run its two cycles within three minutes");
    }
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* The "analysis" of the JSON document at *text; *text moves past it. */
static json_t *next_analysis(const char **text)
{
    json_error_t error;
    json_t *cycle = json_loads(*text, JSON_DISABLE_EOF_CHECK, &error);
    assert_non_null(cycle);
    *text += error.position;
    json_t *analysis = json_incref(json_object_get(cycle, "analysis"));
    json_decref(cycle);
    assert_non_null(analysis);
    return analysis;
}

static json_int_t timing_count(const json_t *analysis, const char *name)
{
    return json_integer_value(json_object_get(json_object_get(analysis, "timings"), name));
}

static char *without_timings(const json_t *analysis)
{
    char *json = json_dumps(analysis, JSON_REAL_PRECISION(17));
    char *text = cache_json_without_timings(json);
    free(json);
    return text;
}

static void test_a_same_day_second_cycle_takes_every_forecast_from_the_cache(void **state)
{
    trade_market *m = *state;
    assert_true(trade_market_bars(m, trade_fixture_dir(), fixture_symbols, 2, 0));
    char journal[4200], uri[4300], at[CYCLE_TIMES * 16] = "";
    char out_path[4200], err_path[4200], cache[4200];
    trade_market_journal(m, "loop.journal", journal, uri);
    snprintf(out_path, sizeof out_path, "%s/loop.json", m->dir);
    snprintf(err_path, sizeof err_path, "%s/loop.err", m->dir);
    snprintf(cache, sizeof cache, "%s/forecasts.sqlite", m->dir);
    for (int i = 0; i < CYCLE_TIMES; i++) {
        char when[16];
        eastern_time(when, CYCLE_STEP_SECONDS * (i + 1));
        strcat(strcat(at, i > 0 ? "," : ""), when);
    }
    pid_t pid = cli_spawn_to(out_path, err_path, NULL, "trade", "--broker", uri, "--data",
                             m->data_uri, "--symbols", m->symbols, "--simulations", "10",
                             "--dry-run", "--json", "--cache", cache, "--loop", "--cycles", "2",
                             "--all-days", "--at", at, (char *)NULL);
    wait_for_loop(pid);

    FILE *f = fopen(out_path, "r");
    assert_non_null(f);
    char output[1 << 18];
    size_t length = fread(output, 1, sizeof output - 1, f);
    fclose(f);
    output[length] = '\0';
    const char *text = output;
    json_t *cold = next_analysis(&text), *warm = next_analysis(&text);
    assert_true(timing_count(cold, "forecasts_computed") > 0);
    assert_int_equal(timing_count(cold, "forecasts_cached"), 0);
    assert_int_equal(timing_count(warm, "forecasts_computed"), 0);
    assert_int_equal(timing_count(warm, "forecasts_cached"),
                     timing_count(cold, "forecasts_computed"));
    char *cold_text = without_timings(cold), *warm_text = without_timings(warm);
    assert_string_equal(warm_text, cold_text);
    free(cold_text);
    free(warm_text);
    json_decref(cold);
    json_decref(warm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_a_same_day_second_cycle_takes_every_forecast_from_the_cache,
            trade_market_setup, trade_market_teardown),
    };
    return cmocka_run_group_tests_name("trade_loop_cache", tests, NULL, NULL);
}
