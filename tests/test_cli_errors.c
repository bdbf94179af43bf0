/*
 * test_cli_errors.c - errors that come early and say what is really wrong:
 * a mistyped command or flag gets the closest name, missing Alpaca keys
 * are named before any request is made, `trade --live` without keys says
 * so, and a symbol's failure reaches stderr as well as the report.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "support/cli_run.h"
#include "support/temp_dir.h"

static void test_a_mistyped_command_gets_the_closest_command(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "anlyze", "--symbols", "AAPL", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "unknown command 'anlyze' (did you mean 'analyze'?)"));
    cli_run_release(&r);
}

static void test_a_command_unlike_any_gets_no_suggestion(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "frobnicate", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "unknown command 'frobnicate'"));
    assert_null(strstr(r.err, "did you mean"));
    cli_run_release(&r);
}

static void test_a_mistyped_flag_gets_the_closest_flag(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "analyze", "--symbols", "AAPL", "--simulatons", "3", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "unknown option '--simulatons' (did you mean '--simulations'?)"));
    cli_run_release(&r);
    r = cli_run(NULL, "trade", "--symbols", "AAPL", "--dryrun", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "did you mean '--dry-run'?"));
    cli_run_release(&r);
}

/* Two neighbouring letters swapped are one slip, even in a short flag. */
static void test_a_flag_with_two_letters_swapped_gets_the_flag(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "analyze", "--symbols", "AAPL", "--jsno", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "unknown option '--jsno' (did you mean '--json'?)"));
    cli_run_release(&r);
    r = cli_run(NULL, "backtset", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "(did you mean 'backtest'?)"));
    cli_run_release(&r);
}

static void test_a_flag_without_its_value_says_it_needs_one(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "analyze", "--symbols", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "option '--symbols' needs a value"));
    cli_run_release(&r);
}

/* The data URL points at a closed port: a request would fail with a
 * connection error, so a message about the keys proves none was made. */
static void test_alpaca_stock_bars_without_keys_fail_at_once_naming_the_keys(void **state)
{
    char *dir = *state;
    unsetenv("APCA_API_KEY_ID");
    unsetenv("APCA_API_SECRET_KEY");
    setenv("APCA_API_DATA_URL", "http://127.0.0.1:9", 1);
    setenv("XDG_CACHE_HOME", dir, 1);
    cli_run_result r = cli_run(NULL, "analyze", "--data", "alpaca", "--symbols", "AAPL",
                               "--simulations", "2", NULL);
    unsetenv("APCA_API_DATA_URL");
    unsetenv("XDG_CACHE_HOME");
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.err, "AAPL failed"));
    assert_non_null(strstr(r.err, "need API keys, and none are set"));
    assert_non_null(strstr(r.err, "APCA_API_KEY_ID"));
    assert_null(strstr(r.err, "connect"));
    cli_run_release(&r);
}

static void test_live_trading_without_keys_says_the_keys_are_missing(void **state)
{
    (void)state;
    unsetenv("APCA_API_KEY_ID");
    unsetenv("APCA_API_SECRET_KEY");
    cli_run_result r = cli_run("MARKETSIM_LIVE_TRADING=yes", "trade", "--live", "--symbols", "AAPL",
                               NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "--live trades through Alpaca and needs its API keys"));
    assert_null(strstr(r.err, "simulated broker"));
    cli_run_release(&r);
}

static void test_a_failed_symbol_is_reported_on_stderr_as_well_as_in_the_report(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "analyze", "--data", cli_fixtures_uri(), "--symbols",
                               "GOOD,MISSING", "--simulations", "2", "--json", NULL);
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.err, "marketsim analyze: MISSING failed: "));
    assert_non_null(strstr(r.err, "MISSING.csv"));
    assert_non_null(strstr(r.out, "MISSING.csv"));
    assert_null(strstr(r.err, "GOOD failed"));
    cli_run_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_mistyped_command_gets_the_closest_command),
        cmocka_unit_test(test_a_command_unlike_any_gets_no_suggestion),
        cmocka_unit_test(test_a_mistyped_flag_gets_the_closest_flag),
        cmocka_unit_test(test_a_flag_with_two_letters_swapped_gets_the_flag),
        cmocka_unit_test(test_a_flag_without_its_value_says_it_needs_one),
        cmocka_unit_test_setup_teardown(test_alpaca_stock_bars_without_keys_fail_at_once_naming_the_keys,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test(test_live_trading_without_keys_says_the_keys_are_missing),
        cmocka_unit_test(test_a_failed_symbol_is_reported_on_stderr_as_well_as_in_the_report),
    };
    return cmocka_run_group_tests_name("cli errors", tests, NULL, NULL);
}
