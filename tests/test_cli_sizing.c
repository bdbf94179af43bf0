/*
 * test_cli_sizing.c - the analysis flags and variables for sizing, fees
 * and freshness as a user meets them: spellings of one instrument merged
 * with a warning (exit 0), stale symbols marked in the text and JSON
 * reports, --position-size/--max-positions/--stock-fee/--crypto-fee/--as-of
 * and their MARKETSIM_* variables reaching the report, and bad values
 * refused as usage errors (exit 2) by `analyze` and `trade` alike.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <string.h>

#include "support/cli_run.h"

static json_t *parse(const char *text)
{
    json_error_t error;
    json_t *root = json_loads(text, 0, &error);
    assert_non_null(root);
    return root;
}

/* The symbol object named `name` in a report document. */
static json_t *symbol_named(json_t *root, const char *name)
{
    json_t *symbols = json_object_get(root, "symbols");
    for (size_t i = 0; i < json_array_size(symbols); i++) {
        json_t *symbol = json_array_get(symbols, i);
        if (strcmp(json_string_value(json_object_get(symbol, "symbol")), name) == 0)
            return symbol;
    }
    fail_msg("no symbol %s in the report", name);
    return NULL;
}

static double config_number(json_t *root, const char *field)
{
    return json_number_value(json_object_get(json_object_get(root, "config"), field));
}

static void test_spellings_of_one_instrument_exit_0_with_warnings_on_stderr(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "analyze", "--symbols", "SUIUSD,SUI-USD,sui/usd", "--simulations",
                               "5", "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    json_t *root = parse(r.out);
    assert_int_equal(json_array_size(json_object_get(root, "symbols")), 1);
    assert_int_equal(json_array_size(json_object_get(root, "errors")), 0);
    json_t *warnings = json_object_get(root, "warnings");
    assert_int_equal(json_array_size(warnings), 2);
    assert_string_equal(json_string_value(json_array_get(warnings, 1)),
                        "SUI/USD: the same instrument as SUIUSD; analysed once, as SUIUSD");
    assert_non_null(strstr(r.err, "marketsim analyze: warning: SUI-USD: the same instrument as "
                                  "SUIUSD"));
    json_decref(root);
    cli_run_release(&r);
}

static void test_stale_stock_is_marked_in_the_text_report(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "analyze", "--data", cli_fixtures_uri(), "--symbols", "GOOD,STALE",
                               "--simulations", "10", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "stale: last bar 2024-06-06"));
    assert_non_null(strstr(r.out, "warnings (1):\n  STALE: stale data: last bar 2024-06-06 is "
                                  "before the market's last session, 2024-06-17; not picked"));
    assert_non_null(strstr(r.err, "warning: STALE: stale data"));
    cli_run_release(&r);
}

static void test_stale_stock_is_marked_in_the_json_report(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "analyze", "--data", cli_fixtures_uri(), "--symbols", "GOOD,STALE",
                               "--simulations", "10", "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    json_t *root = parse(r.out);
    json_t *stale = symbol_named(root, "STALE");
    assert_true(json_is_true(json_object_get(stale, "stale")));
    assert_string_equal(json_string_value(json_object_get(stale, "last_bar")), "2024-06-06T00:00:00Z");
    assert_true(json_is_false(json_object_get(symbol_named(root, "GOOD"), "stale")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(root, "config"), "as_of")),
                        "2024-06-17T23:59:59Z");
    json_t *picks = json_object_get(root, "picks");
    for (size_t i = 0; i < json_array_size(picks); i++)
        assert_string_not_equal(json_string_value(json_object_get(json_array_get(picks, i), "symbol")),
                                "STALE");
    json_decref(root);
    cli_run_release(&r);
}

static void test_as_of_flag_judges_freshness_at_that_time(void **state)
{
    (void)state;
    /* GOOD ends 2024-06-17: stale once the session of 2024-06-18 has opened. */
    cli_run_result r = cli_run(NULL, "analyze", "--data", cli_fixtures_uri(), "--symbols", "GOOD",
                               "--simulations", "10", "--as-of", "2024-06-18T13:30", "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    json_t *root = parse(r.out);
    assert_true(json_is_true(json_object_get(symbol_named(root, "GOOD"), "stale")));
    assert_int_equal(json_array_size(json_object_get(root, "picks")), 0);
    json_decref(root);
    cli_run_release(&r);
}

static void test_sizing_flags_reach_the_report_and_size_the_picks(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "analyze", "--symbols", "AAPL,MSFT,BTCUSD,NVDA,ETHUSD,SPY",
                               "--simulations", "5", "--position-size", "0.2", "--max-positions",
                               "3", "--stock-fee", "0", "--crypto-fee", "0.002", "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    json_t *root = parse(r.out);
    assert_true(config_number(root, "position_size") == 0.2);
    assert_int_equal((int)config_number(root, "max_positions"), 3);
    assert_true(config_number(root, "stock_fee") == 0.0);
    assert_true(config_number(root, "crypto_fee") == 0.002);
    json_t *picks = json_object_get(root, "picks");
    assert_true(json_array_size(picks) > 0 && json_array_size(picks) <= 3);
    for (size_t i = 0; i < json_array_size(picks); i++) {
        json_t *pick = json_array_get(picks, i);
        double cost = json_number_value(json_object_get(pick, "quantity")) *
                      json_number_value(json_object_get(pick, "entry_price"));
        assert_true(cost <= 0.2 * 100000.0 && cost > 0);
    }
    json_decref(root);
    cli_run_release(&r);
}

static void test_sizing_variables_reach_the_report(void **state)
{
    (void)state;
    static const char *const settings[][2] = {
        { "MARKETSIM_POSITION_SIZE=0.3", "position_size" }, { "MARKETSIM_MAX_POSITIONS=2", "max_positions" },
        { "MARKETSIM_STOCK_FEE=0", "stock_fee" }, { "MARKETSIM_CRYPTO_FEE=0.003", "crypto_fee" } };
    static const double expected[] = { 0.3, 2, 0, 0.003 };
    for (size_t i = 0; i < 4; i++) {
        cli_run_result r = cli_run(settings[i][0], "analyze", "--symbols", "AAPL", "--simulations",
                                   "5", "--json", NULL);
        assert_int_equal(r.exit_code, 0);
        json_t *root = parse(r.out);
        assert_true(config_number(root, settings[i][1]) == expected[i]);
        json_decref(root);
        cli_run_release(&r);
    }
}

static void test_bad_sizing_flags_are_usage_errors_in_analyze_and_trade(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        { "--position-size", "0" }, { "--position-size", "1.5" }, { "--position-size", "20%" },
        { "--max-positions", "0" }, { "--max-positions", "-3" }, { "--stock-fee", "-0.001" },
        { "--stock-fee", "nan" }, { "--crypto-fee", "2" }, { "--as-of", "2024-02-30" },
        { "--as-of", "tomorrow" } };
    static const char *const commands[] = { "analyze", "trade" };
    for (size_t c = 0; c < 2; c++) {
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            cli_run_result r = cli_run(NULL, commands[c], "--symbols", "AAPL", bad[i][0], bad[i][1],
                                       NULL);
            assert_int_equal(r.exit_code, 2);
            assert_non_null(strstr(r.err, bad[i][0]));
            cli_run_release(&r);
        }
    }
}

static void test_bad_sizing_variables_are_usage_errors(void **state)
{
    (void)state;
    static const char *const bad[] = { "MARKETSIM_POSITION_SIZE=abc", "MARKETSIM_POSITION_SIZE=3",
                                       "MARKETSIM_MAX_POSITIONS=many", "MARKETSIM_STOCK_FEE=-1",
                                       "MARKETSIM_CRYPTO_FEE=0.1%" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cli_run_result r = cli_run(bad[i], "analyze", "--symbols", "AAPL", "--simulations", "5", NULL);
        assert_int_equal(r.exit_code, 2);
        char name[64];
        size_t length = strcspn(bad[i], "=");
        memcpy(name, bad[i], length);
        name[length] = '\0';
        assert_non_null(strstr(r.err, name));
        cli_run_release(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spellings_of_one_instrument_exit_0_with_warnings_on_stderr),
        cmocka_unit_test(test_stale_stock_is_marked_in_the_text_report),
        cmocka_unit_test(test_stale_stock_is_marked_in_the_json_report),
        cmocka_unit_test(test_as_of_flag_judges_freshness_at_that_time),
        cmocka_unit_test(test_sizing_flags_reach_the_report_and_size_the_picks),
        cmocka_unit_test(test_sizing_variables_reach_the_report),
        cmocka_unit_test(test_bad_sizing_flags_are_usage_errors_in_analyze_and_trade),
        cmocka_unit_test(test_bad_sizing_variables_are_usage_errors),
    };
    return cmocka_run_group_tests_name("cli sizing", tests, NULL, NULL);
}
