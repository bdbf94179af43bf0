/*
 * test_cli_backtest.c - `marketsim backtest` as a user runs it: handmade
 * bars in a csv: directory and a forecasts CSV, the report in the shape of
 * `analyze` (JSON, text, HTML) with returns computed by hand, the shared
 * strategy flags, and bad input named by file, line and field.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/cli_run.h"
#include "support/temp_dir.h"

/* Five trading days: closes 100, 100, 102 (+2%), 100.98 (-1%), 104.0094
 * (+3%), high and low 1 above and below. */
static const char bars_csv[] =
    "date,open,high,low,close\n"
    "2024-01-02,100,101,99,100\n"
    "2024-01-03,100,101,99,100\n"
    "2024-01-04,102,103,101,102\n"
    "2024-01-05,100.98,101.98,99.98,100.98\n"
    "2024-01-08,104.0094,105.0094,103.0094,104.0094\n";

/* Bars 2, 3, 4 and the next day; bar 3's close above its high. */
static const char forecasts_csv[] =
    "date,close,high,low\n"
    "2024-01-04,101,102.5,99.5\n"
    "2024-01-05,103,102.5,101\n"
    "2024-01-08,100,101.5,98.5\n"
    "2024-01-09,105,106,104\n";

typedef struct fixture {
    char *dir;
    char data[512];
    char *forecasts;
} fixture;

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    fx->dir = temp_dir_create();
    if (fx->dir == NULL)
        return 1;
    char *bars = temp_dir_path(fx->dir, "AAA.csv");
    write_file(bars, bars_csv);
    free(bars);
    fx->forecasts = temp_dir_path(fx->dir, "forecasts.csv");
    write_file(fx->forecasts, forecasts_csv);
    snprintf(fx->data, sizeof fx->data, "csv:%s", fx->dir);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    free(fx->forecasts);
    temp_dir_remove(fx->dir);
    free(fx);
    return 0;
}

static json_t *parse(const char *text)
{
    json_error_t error;
    json_t *root = json_loads(text, 0, &error);
    if (root == NULL)
        fail_msg("not JSON (%s): %s", error.text, text);
    return root;
}

static double number_at(json_t *object, const char *path)
{
    json_t *at = json_object_get(object, path);
    if (!json_is_number(at))
        fail_msg("no number at '%s'", path);
    return json_number_value(at);
}

static void test_json_has_the_analysis_shape_and_the_hand_computed_returns(void **state)
{
    fixture *fx = *state;
    cli_run_result r = cli_run(NULL, "backtest", "--data", fx->data, "--symbol", "AAA",
                               "--forecasts", fx->forecasts, "--simulations", "2",
                               "--eval-days", "2", "--stock-fee", "0.0005", "--fills", "reference",
                               "--offsets", "in-sample", "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    json_t *root = parse(r.out);
    json_t *config = json_object_get(root, "config");
    assert_string_equal(json_string_value(json_object_get(config, "aggregate")), "prices");
    assert_non_null(strstr(json_string_value(json_object_get(config, "model")), "forecasts:"));
    assert_int_equal(json_integer_value(json_object_get(config, "simulations")), 2);
    assert_string_equal(json_string_value(json_object_get(config, "fills")), "reference");
    json_t *symbol = json_array_get(json_object_get(root, "symbols"), 0);
    assert_string_equal(json_string_value(json_object_get(symbol, "symbol")), "AAA");
    assert_int_equal(json_integer_value(json_object_get(symbol, "incoherent_forecasts")), 1);
    assert_int_equal(json_integer_value(json_object_get(symbol, "forecast_origins")), 4);
    assert_non_null(json_string_value(json_object_get(symbol, "plan_check")));
    json_t *simple = json_object_get(json_object_get(symbol, "strategies"), "simple");
    /* Close to close under the reference fills: the mean of simulation 0
     * (buy -1%, sell +3%) and 1 (buy +2%, buy -1%). */
    double expected = ((0.9895 * 0.969 - 1.0) + (1.0195 * 0.99 - 1.0)) / 2.0;
    assert_true(fabs(number_at(simple, "total_return") - expected) < 1e-12);
    json_t *forecast = json_object_get(symbol, "forecast");
    assert_true(fabs(number_at(forecast, "close") - 105) < 1e-9);
    assert_true(json_is_array(json_object_get(root, "picks")));
    assert_int_equal(json_array_size(json_object_get(root, "errors")), 0);
    json_decref(root);
    cli_run_release(&r);
}

static void test_the_fee_flag_reaches_the_backtest(void **state)
{
    fixture *fx = *state;
    cli_run_result r = cli_run(NULL, "backtest", "--data", fx->data, "--symbol", "AAA",
                               "--forecasts", fx->forecasts, "--simulations", "2",
                               "--eval-days", "2", "--stock-fee", "0", "--fills", "reference",
                               "--offsets", "in-sample", "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    json_t *root = parse(r.out);
    json_t *symbol = json_array_get(json_object_get(root, "symbols"), 0);
    json_t *simple = json_object_get(json_object_get(symbol, "strategies"), "simple");
    double expected = ((0.99 * 0.97 - 1.0) + (1.02 * 0.99 - 1.0)) / 2.0;
    assert_true(fabs(number_at(simple, "total_return") - expected) < 1e-12);
    json_decref(root);
    cli_run_release(&r);
}

static void test_text_and_html_say_what_was_corrected(void **state)
{
    fixture *fx = *state;
    char *html = temp_dir_path(fx->dir, "report.html");
    cli_run_result r = cli_run(NULL, "backtest", "--data", fx->data, "--symbol", "AAA",
                               "--forecasts", fx->forecasts, "--simulations", "2",
                               "--eval-days", "2", "--offsets", "in-sample", "--html", html,
                               NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "(prices)"));
    assert_non_null(strstr(r.out, "1 of 4 forecasts made coherent"));
    FILE *f = fopen(html, "r");
    assert_non_null(f);
    char page[65536];
    size_t n = fread(page, 1, sizeof page - 1, f);
    page[n] = '\0';
    fclose(f);
    assert_non_null(strstr(page, "<th>incoherent forecasts</th>"));
    assert_non_null(strstr(page, "1 of 4 forecasts made coherent"));
    free(html);
    cli_run_release(&r);
}

static void test_a_bad_forecasts_file_is_named_by_file_line_and_field(void **state)
{
    fixture *fx = *state;
    char *bad = temp_dir_path(fx->dir, "bad.csv");
    write_file(bad, "date,close,high,low\n2024-01-04,101,102.5,99.5\n2024-01-05,103,x,101\n");
    cli_run_result r = cli_run(NULL, "backtest", "--data", fx->data, "--symbol", "AAA",
                               "--forecasts", bad, NULL);
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.err, "bad.csv:3: field 'high': 'x' is not a number"));
    assert_string_equal(r.out, "");
    free(bad);
    cli_run_release(&r);
}

static void test_a_forecast_dated_on_no_bar_is_named_by_its_line(void **state)
{
    fixture *fx = *state;
    char *bad = temp_dir_path(fx->dir, "weekend.csv");
    write_file(bad, "date,close,high,low\n2024-01-04,101,102.5,99.5\n2024-01-06,103,104,101\n");
    cli_run_result r = cli_run(NULL, "backtest", "--data", fx->data, "--symbol", "AAA",
                               "--forecasts", bad, "--simulations", "2", "--eval-days", "2",
                               "--offsets", "in-sample", NULL);
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.err, "weekend.csv:3: field 'date': 2024-01-06"));
    free(bad);
    cli_run_release(&r);
}

static void test_symbol_and_forecasts_are_required_and_model_flags_refused(void **state)
{
    fixture *fx = *state;
    cli_run_result r = cli_run(NULL, "backtest", "--data", fx->data, "--symbol", "AAA", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "--forecasts FILE is required"));
    cli_run_release(&r);
    r = cli_run(NULL, "backtest", "--data", fx->data, "--symbol", "AAA", "--forecasts",
                fx->forecasts, "--model", "baseline", NULL);
    assert_int_equal(r.exit_code, 2);
    cli_run_release(&r);
    r = cli_run(NULL, "backtest", "--help", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "--stock-fee F"));
    assert_non_null(strstr(r.out, "--units U"));
    cli_run_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_json_has_the_analysis_shape_and_the_hand_computed_returns,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_fee_flag_reaches_the_backtest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_and_html_say_what_was_corrected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_bad_forecasts_file_is_named_by_file_line_and_field,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_forecast_dated_on_no_bar_is_named_by_its_line,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_symbol_and_forecasts_are_required_and_model_flags_refused,
                                        setup, teardown),
    };
    return cmocka_run_group_tests_name("cli_backtest", tests, NULL, NULL);
}
