/*
 * test_cli_forecast.c - `marketsim forecast` and `marketsim model` as a user
 * runs them: series from JSON or a symbol, the JSON output's shape, bad
 * series files named precisely, a series beyond the maximum context cut
 * to its newest values, and checkpoints made and described.
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
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "marketsim/model.h"
#include "support/cli_run.h"

static char directory[] = "/tmp/marketsim-forecast-XXXXXX";
static char series_path[sizeof directory + 32];

static int make_directory(void **state)
{
    (void)state;
    if (mkdtemp(directory) == NULL)
        return 1;
    snprintf(series_path, sizeof series_path, "%s/series.json", directory);
    return 0;
}

static int remove_directory(void **state)
{
    (void)state;
    char command[sizeof directory + 16];
    snprintf(command, sizeof command, "rm -rf %s", directory);
    return system(command);
}

static void write_series(const char *text)
{
    FILE *f = fopen(series_path, "w");
    fputs(text, f);
    fclose(f);
}

static json_t *parse(const char *text)
{
    json_error_t error;
    json_t *root = json_loads(text, 0, &error);
    if (root == NULL)
        fail_msg("not JSON (%s): %s", error.text, text);
    return root;
}

static void test_forecast_json_has_mean_and_quantiles_per_variate_and_step(void **state)
{
    (void)state;
    write_series("{\"series\": [[0.01, -0.02, 0.015, 0.0, 0.01], [1, 2, 3, 2, 1]]}");
    cli_run_result r = cli_run(NULL, "forecast", "--series-json", series_path, "--horizon", "3",
                               "--samples", "10", "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    json_t *root = parse(r.out);
    json_t *mean = json_object_get(root, "mean");
    assert_int_equal(json_array_size(mean), 2);
    assert_int_equal(json_array_size(json_array_get(mean, 0)), 3);
    json_t *median = json_object_get(json_object_get(root, "quantiles"), "0.5");
    assert_int_equal(json_array_size(median), 2);
    assert_int_equal(json_array_size(json_object_get(root, "samples")), 10);
    assert_string_equal(json_string_value(json_object_get(root, "model")), "baseline");
    json_decref(root);
    cli_run_release(&r);
}

static void test_forecast_reads_a_symbol_from_a_data_source(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "forecast", "--data", cli_fixtures_uri(), "--symbol", "GOOD",
                               "--horizon", "2", "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    json_t *root = parse(r.out);
    /* 120 bars give 119 percent changes. */
    assert_int_equal(json_integer_value(json_object_get(root, "context_length")), 119);
    json_decref(root);
    cli_run_release(&r);
}

/* A symbol's close forecast also prints each step's date and price: the
 * synthetic market ends on Friday 2026-01-02, so the first step is Monday
 * 2026-01-05 for a stock and Saturday 2026-01-03 for a coin; the first
 * step's price is the last close moved by its percent change. */
static void test_forecast_of_a_symbol_prints_dates_and_prices_beside_changes(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "forecast", "--data", "synthetic", "--symbol", "AAPL",
                               "--horizon", "2", NULL);
    assert_int_equal(r.exit_code, 0);
    const char *dated = strstr(r.out, "AAPL close: last bar 2026-01-02 at ");
    assert_non_null(dated);
    double last = 0.0, change = 0.0, price = 0.0;
    assert_int_equal(sscanf(dated, "AAPL close: last bar 2026-01-02 at %lf", &last), 1);
    const char *step = strstr(dated, "\n1      2026-01-05 ");
    assert_non_null(step);
    assert_int_equal(sscanf(step, "\n1 2026-01-05 %lf %lf", &change, &price), 2);
    assert_float_equal(price, last * (1.0 + change / 100.0), 1e-3 * last);
    assert_non_null(strstr(dated, "\n2      2026-01-06 "));
    cli_run_release(&r);
    r = cli_run(NULL, "forecast", "--data", "synthetic", "--symbol", "BTCUSD", "--horizon", "1",
                NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "\n1      2026-01-03 "));
    cli_run_release(&r);
}

static void test_forecast_text_output_lists_every_step(void **state)
{
    (void)state;
    write_series("{\"series\": [[0.01, -0.02, 0.015]]}");
    cli_run_result r = cli_run(NULL, "forecast", "--series-json", series_path, "--horizon", "4", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "variate 0"));
    assert_non_null(strstr(r.out, "\n4 "));
    cli_run_release(&r);
}

static void test_forecast_names_the_bad_element_of_a_series_file(void **state)
{
    (void)state;
    write_series("{\"series\": [[1, 2, 3], [1, \"x\", 3]]}");
    cli_run_result r = cli_run(NULL, "forecast", "--series-json", series_path, "--horizon", "1", NULL);
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.err, "series[1][1] is not a finite number"));
    cli_run_release(&r);
}

static void test_forecast_rejects_ragged_variates(void **state)
{
    (void)state;
    write_series("{\"series\": [[1, 2, 3], [1, 2]]}");
    cli_run_result r = cli_run(NULL, "forecast", "--series-json", series_path, "--horizon", "1", NULL);
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.err, "series[1]"));
    cli_run_release(&r);
}

/* Runs `forecast --series-json` on `text` and expects exit 1 with `fragment`
 * on stderr. */
static void expect_series_failure(const char *text, const char *fragment)
{
    write_series(text);
    cli_run_result r = cli_run(NULL, "forecast", "--series-json", series_path, "--horizon", "1", NULL);
    assert_int_equal(r.exit_code, 1);
    if (strstr(r.err, fragment) == NULL || strstr(r.err, series_path) == NULL)
        fail_msg("stderr '%s' lacks '%s' or the path", r.err, fragment);
    cli_run_release(&r);
}

static void test_forecast_rejects_json_without_a_series_key(void **state)
{
    (void)state;
    expect_series_failure("{\"values\": [[1, 2, 3]]}", "expected an object with \"series\"");
}

static void test_forecast_rejects_an_empty_series(void **state)
{
    (void)state;
    expect_series_failure("{\"series\": []}", "at least one variate with at least one value");
}

static void test_forecast_rejects_a_series_of_empty_variates(void **state)
{
    (void)state;
    expect_series_failure("{\"series\": [[]]}", "at least one variate with at least one value");
}

static void test_forecast_names_a_missing_series_file_without_a_bogus_position(void **state)
{
    (void)state;
    char missing[sizeof directory + 32];
    snprintf(missing, sizeof missing, "%s/absent.json", directory);
    cli_run_result r = cli_run(NULL, "forecast", "--series-json", missing, "--horizon", "1", NULL);
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.err, missing));
    assert_non_null(strstr(r.err, "No such file"));
    assert_null(strstr(r.err, ":-1"));
    cli_run_release(&r);
}

/* One bar has no percent change to forecast from: exit 1 naming the
 * symbol, never an empty context. */
static void test_forecast_of_a_symbol_with_one_bar_is_refused(void **state)
{
    (void)state;
    char csv_path[sizeof directory + 32], uri[sizeof directory + 8];
    snprintf(csv_path, sizeof csv_path, "%s/ONE.csv", directory);
    snprintf(uri, sizeof uri, "csv:%s", directory);
    FILE *f = fopen(csv_path, "w");
    fputs("Date,Open,High,Low,Close\n2024-01-02,10,11,9,10.5\n", f);
    fclose(f);
    cli_run_result r = cli_run(NULL, "forecast", "--data", uri, "--symbol", "ONE",
                               "--horizon", "1", NULL);
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.err, "ONE has one bar: no percent change to forecast from"));
    cli_run_release(&r);
}

static void test_forecast_reports_malformed_json_with_its_position(void **state)
{
    (void)state;
    write_series("{\"series\": [[1, 2,, 3]]}");
    cli_run_result r = cli_run(NULL, "forecast", "--series-json", series_path, "--horizon", "1", NULL);
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.err, "series.json:1:"));
    cli_run_release(&r);
}

static void test_forecast_needs_a_horizon_and_one_input(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "forecast", "--series-json", series_path, NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "--horizon"));
    cli_run_release(&r);
    r = cli_run(NULL, "forecast", "--horizon", "1", NULL);
    assert_int_equal(r.exit_code, 2);
    cli_run_release(&r);
}

static void test_forecast_rejects_quantile_outside_unit_interval(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "forecast", "--series-json", series_path, "--horizon", "1",
                               "--quantiles", "0.1,1.5", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "--quantiles"));
    cli_run_release(&r);
}

static const char *toto_fixture(void)
{
    static char dir[4096];
    const char *root = getenv("MARKETSIM_SOURCE_DIR");
    snprintf(dir, sizeof dir, "%s/tests/fixtures/toto-tiny", root ? root : ".");
    return dir;
}

static void test_forecast_runs_the_tiny_toto_fixture_within_one_patch(void **state)
{
    (void)state;
    write_series("{\"series\": [[1, 2, 3, 2, 1, 2, 3, 4, 5, 4, 3, 4, 5, 6, 7, 6, 5, 6, 7, 8],"
                 " [5, 5, 6, 6, 5, 5, 6, 6, 5, 5, 6, 6, 5, 5, 6, 6, 5, 5, 6, 6]]}");
    cli_run_result r = cli_run(NULL, "forecast", "--model", toto_fixture(), "--series-json",
                               series_path, "--horizon", "16", "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    json_t *root = parse(r.out);
    assert_string_equal(json_string_value(json_object_get(root, "model")), "toto");
    json_t *mean = json_object_get(root, "mean");
    assert_int_equal(json_array_size(mean), 2);
    assert_int_equal(json_array_size(json_array_get(mean, 1)), 16);
    json_t *q10 = json_object_get(json_object_get(root, "quantiles"), "0.1");
    json_t *q90 = json_object_get(json_object_get(root, "quantiles"), "0.9");
    assert_true(json_real_value(json_array_get(json_array_get(q10, 0), 0)) <
                json_real_value(json_array_get(json_array_get(q90, 0), 0)));
    json_decref(root);
    cli_run_release(&r);
}

static void test_forecast_beyond_one_patch_draws_sample_paths(void **state)
{
    (void)state;
    write_series("{\"series\": [[1, 2, 3, 2, 1, 2, 3, 4, 5, 4, 3, 4, 5, 6, 7, 6, 5, 6, 7, 8]]}");
    cli_run_result r = cli_run(NULL, "forecast", "--model", toto_fixture(), "--series-json",
                               series_path, "--horizon", "20", "--samples", "64", "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    json_t *root = parse(r.out);
    assert_int_equal(json_array_size(json_array_get(json_object_get(root, "mean"), 0)), 20);
    assert_int_equal(json_array_size(json_object_get(root, "samples")), 64);
    json_decref(root);
    cli_run_release(&r);
    r = cli_run(NULL, "forecast", "--model", toto_fixture(), "--series-json", series_path,
                "--horizon", "20", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.err, "beyond one patch"));
    cli_run_release(&r);
}

/* A series file of `length` values of a wave, the last `length` of the
 * same sequence whatever the length (value i counts from the end). */
static void write_long_series(const char *path, size_t length)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"series\": [[", f);
    for (size_t t = 0; t < length; t++)
        fprintf(f, "%s%.6f", t > 0 ? "," : "", 0.01 * (double)((length - t) % 7) - 0.03);
    fputs("]]}", f);
    fclose(f);
}

/* The most memory any child process of this test has used, in KiB. */
static long children_peak_kib(void)
{
    struct rusage usage;
    assert_int_equal(getrusage(RUSAGE_CHILDREN, &usage), 0);
    return usage.ru_maxrss;
}

/* Caught by an attack: a 5,000,000-point series made libtorch try to
 * allocate 1.5 TB. Beyond MS_MODEL_MAX_CONTEXT, the newest values are
 * used, with a note: the forecast equals that of exactly those values. */
static void test_forecast_cuts_a_series_beyond_the_maximum_context_to_its_newest_values(void **state)
{
    (void)state;
    char newest[sizeof directory + 32];
    snprintf(newest, sizeof newest, "%s/newest.json", directory);
    write_long_series(series_path, MS_MODEL_MAX_CONTEXT + 5);
    write_long_series(newest, MS_MODEL_MAX_CONTEXT);
    cli_run_result cut = cli_run(NULL, "forecast", "--model", toto_fixture(), "--series-json",
                                 series_path, "--horizon", "4", "--json", NULL);
    if (cut.exit_code != 0)
        fail_msg("forecast exited %d: %s", cut.exit_code, cut.err);
    assert_non_null(strstr(cut.err, "16389 values per variate, more than the maximum context of "
                                    "16384: using the newest 16384"));
    /* 1024 patches of the tiny model: tens of MB of attention, not TB. */
    assert_true(children_peak_kib() < 1024L * 1024);
    cli_run_result whole = cli_run(NULL, "forecast", "--model", toto_fixture(), "--series-json",
                                   newest, "--horizon", "4", "--json", NULL);
    assert_int_equal(whole.exit_code, 0);
    assert_null(strstr(whole.err, "maximum context"));
    json_t *a = parse(cut.out), *b = parse(whole.out);
    assert_int_equal(json_integer_value(json_object_get(a, "context_length")), MS_MODEL_MAX_CONTEXT);
    assert_true(json_equal(json_object_get(a, "mean"), json_object_get(b, "mean")));
    assert_true(json_equal(json_object_get(a, "quantiles"), json_object_get(b, "quantiles")));
    json_decref(a);
    json_decref(b);
    cli_run_release(&cut);
    cli_run_release(&whole);
}

static void test_model_info_describes_baseline(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "model", "info", "baseline", "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    json_t *root = parse(r.out);
    assert_string_equal(json_string_value(json_object_get(root, "name")), "baseline");
    assert_non_null(json_object_get(root, "load_seconds"));
    json_decref(root);
    cli_run_release(&r);
}

static void test_model_init_rejects_unknown_preset(void **state)
{
    (void)state;
    char out[sizeof directory + 16];
    snprintf(out, sizeof out, "%s/huge", directory);
    cli_run_result r = cli_run(NULL, "model", "init", "--config", "huge", "--out", out, NULL);
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.err, "huge"));
    cli_run_release(&r);
}

static void test_model_init_then_info_round_trips_a_tiny_checkpoint(void **state)
{
    (void)state;
    char out[sizeof directory + 16];
    snprintf(out, sizeof out, "%s/tiny", directory);
    cli_run_result r = cli_run(NULL, "model", "init", "--config", "tiny", "--seed", "3", "--out", out, NULL);
    assert_int_equal(r.exit_code, 0);
    cli_run_release(&r);
    r = cli_run(NULL, "model", "info", out, "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    json_t *root = parse(r.out);
    assert_string_equal(json_string_value(json_object_get(root, "name")), "toto");
    assert_int_equal(json_integer_value(json_object_get(root, "parameters")), 235344);
    json_decref(root);
    cli_run_release(&r);
}

static void test_model_init_writes_a_kronos_pair_in_the_published_layout(void **state)
{
    (void)state;
    char out[sizeof directory + 16], file[sizeof directory + 64];
    snprintf(out, sizeof out, "%s/kronos", directory);
    cli_run_result r = cli_run(NULL, "model", "init", "--config", "kronos-tiny", "--out", out, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "kronos-tiny"));
    cli_run_release(&r);
    const char *const parts[] = { "tokenizer/config.json", "tokenizer/model.safetensors",
                                  "model/config.json", "model/model.safetensors" };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        snprintf(file, sizeof file, "%s/%s", out, parts[i]);
        struct stat info;
        if (stat(file, &info) != 0 || info.st_size == 0)
            fail_msg("%s is missing or empty", file);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forecast_json_has_mean_and_quantiles_per_variate_and_step),
        cmocka_unit_test(test_forecast_reads_a_symbol_from_a_data_source),
        cmocka_unit_test(test_forecast_text_output_lists_every_step),
        cmocka_unit_test(test_forecast_of_a_symbol_prints_dates_and_prices_beside_changes),
        cmocka_unit_test(test_forecast_names_the_bad_element_of_a_series_file),
        cmocka_unit_test(test_forecast_rejects_ragged_variates),
        cmocka_unit_test(test_forecast_reports_malformed_json_with_its_position),
        cmocka_unit_test(test_forecast_needs_a_horizon_and_one_input),
        cmocka_unit_test(test_forecast_rejects_quantile_outside_unit_interval),
        cmocka_unit_test(test_forecast_runs_the_tiny_toto_fixture_within_one_patch),
        cmocka_unit_test(test_forecast_beyond_one_patch_draws_sample_paths),
        cmocka_unit_test(test_forecast_cuts_a_series_beyond_the_maximum_context_to_its_newest_values),
        cmocka_unit_test(test_forecast_rejects_json_without_a_series_key),
        cmocka_unit_test(test_forecast_rejects_an_empty_series),
        cmocka_unit_test(test_forecast_rejects_a_series_of_empty_variates),
        cmocka_unit_test(test_forecast_names_a_missing_series_file_without_a_bogus_position),
        cmocka_unit_test(test_forecast_of_a_symbol_with_one_bar_is_refused),
        cmocka_unit_test(test_model_info_describes_baseline),
        cmocka_unit_test(test_model_init_rejects_unknown_preset),
        cmocka_unit_test(test_model_init_then_info_round_trips_a_tiny_checkpoint),
        cmocka_unit_test(test_model_init_writes_a_kronos_pair_in_the_published_layout),
    };
    return cmocka_run_group_tests_name("cli_forecast", tests, make_directory, remove_directory);
}
