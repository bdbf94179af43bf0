/*
 * test_cli_kronos.c - `marketsim forecast --model <kronos>` as a user runs
 * it on the kronos-tiny pair: --bars-json reproducing the official greedy
 * predict, a symbol's 30-minute bars with the predicted times continuing
 * its sessions, and bad input named by file and field (a column, an empty
 * context, a model whose bit widths disagree with its tokenizer's).
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
#include "support/kronos_cases.h"
#include "support/temp_dir.h"

static char pair[4096];

static const char *tiny_pair(void)
{
    const char *source = getenv("MARKETSIM_SOURCE_DIR");
    if (source == NULL)
        skip();
    snprintf(pair, sizeof pair, "%s/tests/fixtures/kronos-tiny", source);
    return pair;
}

/* The predict_ctx40 inputs as a --bars-json file, with `drop` (NULL or a
 * key) left out. */
static char *write_bars_json(const char *dir, const char *drop)
{
    json_t *inputs = kronos_lookup(kronos_case("predict_ctx40"), "inputs");
    json_t *root = json_object();
    json_object_set(root, "timestamps", kronos_lookup(inputs, "x_timestamp"));
    json_object_set(root, "future_timestamps", kronos_lookup(inputs, "y_timestamp"));
    const char *columns[] = { "open", "high", "low", "close", "volume", "amount" };
    for (size_t c = 0; c < 6; c++) {
        char path[64];
        snprintf(path, sizeof path, "df.%s.data", columns[c]);
        json_object_set(root, columns[c], kronos_lookup(inputs, path));
    }
    if (drop != NULL)
        json_object_del(root, drop);
    char *file = temp_dir_path(dir, "bars.json");
    assert_int_equal(json_dump_file(root, file, 0), 0);
    json_decref(root);
    return file;
}

static void bars_json_reproduces_the_official_greedy_predict(void **state)
{
    const char *model = tiny_pair();
    char *file = write_bars_json(*state, NULL);
    cli_run_result r = cli_run(NULL, "forecast", "--model", model, "--bars-json", file,
                               "--context-length", "24", "--top-k", "1", "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    json_t *out = json_loads(r.out, 0, NULL);
    json_t *bars = json_object_get(out, "bars");
    assert_int_equal(json_array_size(bars), 8);
    float *ref = kronos_floats(kronos_lookup(kronos_case("predict_ctx40"), "outputs.pred"));
    const char *columns[] = { "open", "high", "low", "close", "volume", "amount" };
    for (size_t h = 0; h < 8; h++)
        for (size_t c = 0; c < 6; c++) {
            double value = json_number_value(json_object_get(json_array_get(bars, h), columns[c]));
            assert_true(fabs(value - ref[h * 6 + c]) <= 1e-4 * fabs(ref[h * 6 + c]) + 1e-4);
        }
    assert_string_equal(json_string_value(json_object_get(json_array_get(bars, 0), "timestamp")),
                        "2024-03-26T00:00:00Z");
    free(ref);
    json_decref(out);
    cli_run_release(&r);
    free(file);
}

static void a_missing_column_is_named_with_the_file(void **state)
{
    const char *model = tiny_pair();
    char *file = write_bars_json(*state, "close");
    cli_run_result r = cli_run(NULL, "forecast", "--model", model, "--bars-json", file, NULL);
    assert_int_not_equal(r.exit_code, 0);
    assert_non_null(strstr(r.err, file));
    assert_non_null(strstr(r.err, "\"close\""));
    cli_run_release(&r);
    free(file);
}

static void a_missing_amount_is_filled_not_refused(void **state)
{
    const char *model = tiny_pair();
    char *file = write_bars_json(*state, "amount");
    cli_run_result r = cli_run(NULL, "forecast", "--model", model, "--bars-json", file,
                               "--top-k", "1", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "2024-04-04T00:00:00Z"));
    cli_run_release(&r);
    free(file);
}

static void an_empty_context_is_refused_naming_the_file(void **state)
{
    const char *model = tiny_pair();
    char *file = temp_dir_path(*state, "empty.json");
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fprintf(f, "{\"timestamps\": [], \"open\": [], \"high\": [], \"low\": [], \"close\": [],"
               " \"future_timestamps\": [\"2024-01-02\"]}");
    fclose(f);
    cli_run_result r = cli_run(NULL, "forecast", "--model", model, "--bars-json", file, NULL);
    assert_int_not_equal(r.exit_code, 0);
    assert_non_null(strstr(r.err, file));
    assert_non_null(strstr(r.err, "\"timestamps\""));
    cli_run_release(&r);
    free(file);
}

/* A pair whose model config says 5 s1 bits against the tokenizer's 4. */
static void disagreeing_bit_widths_are_named(void **state)
{
    const char *fixture = tiny_pair();
    char command[12000];
    snprintf(command, sizeof command, "cp -r %s/tokenizer %s/model %s/ && sed -i "
             "'s/\"s1_bits\": 4/\"s1_bits\": 5/' %s/model/config.json", fixture, fixture,
             (const char *)*state, (const char *)*state);
    assert_int_equal(system(command), 0);
    char *file = write_bars_json(*state, NULL);
    cli_run_result r = cli_run(NULL, "forecast", "--model", (const char *)*state, "--bars-json",
                               file, NULL);
    assert_int_not_equal(r.exit_code, 0);
    assert_non_null(strstr(r.err, "s1_bits"));
    cli_run_release(&r);
    free(file);
}

static void sampling_flags_need_a_kronos_model(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "forecast", "--model", "baseline", "--data",
                               cli_fixtures_uri(), "--symbol", "GOOD", "--horizon", "2",
                               "--top-p", "0.5", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "Kronos"));
    cli_run_release(&r);
}

/* Two days of 30-minute bars (09:30..15:30 New York, EDT) for one symbol. */
static char *write_intraday_csv(const char *dir)
{
    char *file = temp_dir_path(dir, "HALF.csv");
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fprintf(f, "timestamp,open,high,low,close,volume\n");
    for (int day = 0; day < 2; day++)
        for (int slot = 0; slot < 13; slot++) {
            int minutes = 13 * 60 + 30 + slot * 30, i = day * 13 + slot;
            double close = 50.0 + 0.2 * sin(i);
            fprintf(f, "2024-06-%02dT%02d:%02d:00Z,%.4f,%.4f,%.4f,%.4f,%d\n", 3 + day,
                    minutes / 60, minutes % 60, close - 0.05, close + 0.2, close - 0.25, close,
                    1000 + 7 * i);
        }
    fclose(f);
    return file;
}

static void thirty_minute_bars_predict_the_next_session_bars(void **state)
{
    const char *model = tiny_pair();
    char *csv = write_intraday_csv(*state);
    char uri[4200];
    snprintf(uri, sizeof uri, "csv:%s", (const char *)*state);
    cli_run_result r = cli_run(NULL, "forecast", "--model", model, "--data", uri, "--symbol",
                               "HALF", "--horizon", "3", "--samples", "2", "--seed", "5",
                               "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    json_t *out = json_loads(r.out, 0, NULL);
    json_t *bars = json_object_get(out, "bars");
    assert_int_equal(json_array_size(bars), 3);
    /* Tuesday's last bar starts 15:30 New York; Wednesday opens 09:30. */
    const char *expected[] = { "2024-06-05T13:30:00Z", "2024-06-05T14:00:00Z",
                               "2024-06-05T14:30:00Z" };
    for (size_t h = 0; h < 3; h++) {
        json_t *bar = json_array_get(bars, h);
        assert_string_equal(json_string_value(json_object_get(bar, "timestamp")), expected[h]);
        double close = json_number_value(json_object_get(bar, "close"));
        assert_true(close > 45.0 && close < 55.0);
    }
    json_decref(out);
    cli_run_release(&r);
    free(csv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(bars_json_reproduces_the_official_greedy_predict,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(a_missing_column_is_named_with_the_file,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(a_missing_amount_is_filled_not_refused,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(an_empty_context_is_refused_naming_the_file,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(disagreeing_bit_widths_are_named, temp_dir_setup,
                                        temp_dir_teardown),
        cmocka_unit_test(sampling_flags_need_a_kronos_model),
        cmocka_unit_test_setup_teardown(thirty_minute_bars_predict_the_next_session_bars,
                                        temp_dir_setup, temp_dir_teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    kronos_fixture_release();
    return failed;
}
