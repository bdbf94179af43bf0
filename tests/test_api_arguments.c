/*
 * test_api_arguments.c - the public API of the data, model, strategy,
 * metrics and analysis layers walked with bad arguments: NULL handles,
 * NULL outputs, NULL array entries, empty strings, huge counts and very
 * long strings. Each call returns an error status (or the documented
 * NULL / 0 / NaN / "" of an accessor) and never crashes; built under ASan
 * by `make sanitize`, which also catches a read past what was passed.
 * Brokers and trade cycles: test_api_arguments_trading.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "marketsim/marketsim.h"
#include "support/bad_arguments.h"
#include "support/cli_run.h"
#include "support/temp_dir.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static ms_bars *one_bar(void)
{
    const int64_t t[] = { 1704153600 };
    const double price[] = { 100 };
    ms_bars *bars = NULL;
    assert_int_equal(ms_bars_create(&bars, "AAA", 1, t, price, price, price, price, NULL, NULL),
                     MS_OK);
    return bars;
}

static void test_bars_functions_refuse_null_and_empty_arguments(void **state)
{
    (void)state;
    const int64_t t[] = { 1704153600 };
    const double p[] = { 100 };
    ms_bars *bars = (ms_bars *)0x1;
    assert_refused(MS_ERR_INVALID_ARG, ms_bars_create(NULL, "A", 1, t, p, p, p, p, NULL, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_bars_create(&bars, NULL, 1, t, p, p, p, p, NULL, NULL));
    assert_null(bars);
    assert_refused(MS_ERR_INVALID_ARG, ms_bars_create(&bars, "A", 1, NULL, p, p, p, p, NULL, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_bars_create(&bars, "A", 1, t, p, NULL, p, p, NULL, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_bars_create(&bars, "A", 0, t, p, p, p, p, NULL, NULL));
    assert_refused(MS_ERR_INVALID_ARG,
                   ms_bars_create(&bars, "A", HUGE_COUNT, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_bars_load_csv(NULL, "x.csv", "A", NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_bars_load_csv(&bars, NULL, "A", NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_bars_load_csv(&bars, "x.csv", NULL, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_bars_load_csv(&bars, "x.csv", "", NULL));
    bars = (ms_bars *)0x1;
    assert_refused(MS_ERR_IO, ms_bars_load_csv(&bars, "/nonexistent/x.csv", "A", NULL));
    assert_null(bars);
    assert_refused(MS_ERR_INVALID_ARG, ms_bars_parse_csv(NULL, "a", 1, NULL, "A", NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_bars_parse_csv(&bars, NULL, HUGE_COUNT, NULL, "A", NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_bars_parse_csv(&bars, "a", 1, NULL, "", NULL));
    assert_int_equal(ms_bars_len(NULL), 0);
    assert_null(ms_bars_symbol(NULL));
    assert_null(ms_bars_timestamps(NULL));
    assert_null(ms_bars_column(NULL, MS_COL_CLOSE));
    ms_bars *real = one_bar();
    assert_null(ms_bars_column(real, (ms_column)99));
    assert_null(ms_bars_column(real, (ms_column)-1));
    ms_bars_free(real);
}

static void test_bars_functions_fail_cleanly_on_very_long_strings(void **state)
{
    (void)state;
    char *path = long_text("/tmp/", LONG_TEXT, 'a');
    char *symbol = long_text("", LONG_TEXT, 'S');
    ms_bars *bars = NULL;
    assert_refused(MS_ERR_IO, ms_bars_load_csv(&bars, path, "A", NULL));
    assert_refused(MS_ERR_PARSE, ms_bars_parse_csv(&bars, symbol, strlen(symbol), path, symbol, NULL));
    assert_null(bars);
    free(path);
    free(symbol);
}

static void test_symbol_functions_accept_null_and_cut_long_names(void **state)
{
    (void)state;
    char out[MS_SYMBOL_CAPACITY];
    assert_int_equal(ms_symbol_asset_class(NULL), MS_ASSET_STOCK);
    assert_int_equal(ms_symbol_asset_class(""), MS_ASSET_STOCK);
    assert_string_equal(ms_asset_class_name((ms_asset_class)99), "unknown");
    ms_symbol_canonical(NULL, out);
    assert_string_equal(out, "");
    ms_symbol_canonical("aapl", NULL);
    char *symbol = long_text("btc/", LONG_TEXT, 'x');
    ms_symbol_canonical(symbol, out);
    assert_int_equal(strlen(out), MS_SYMBOL_CAPACITY - 1);
    free(symbol);
}

static void test_source_functions_refuse_null_empty_and_long_arguments(void **state)
{
    (void)state;
    ms_source *source = NULL;
    ms_bars *bars = NULL;
    char *uri = long_text("csv:/tmp/", LONG_TEXT, 'd');
    char *symbol = long_text("", LONG_TEXT, 'S');
    assert_refused(MS_ERR_INVALID_ARG, ms_source_open(NULL, "synthetic", NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_source_open(&source, "ftp://x", NULL));
    assert_true(ms_source_open(&source, uri, NULL) < 0);
    assert_null(source);
    assert_refused(MS_ERR_INVALID_ARG, ms_source_open_custom(NULL, "x", NULL, NULL, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_source_open_custom(&source, NULL, NULL, NULL, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_source_load(NULL, "AAPL", &bars));
    assert_null(ms_source_uri(NULL));
    assert_int_equal(ms_source_open(&source, "csv:/tmp", NULL), MS_OK);
    assert_refused(MS_ERR_INVALID_ARG, ms_source_load(source, NULL, &bars));
    assert_refused(MS_ERR_INVALID_ARG, ms_source_load(source, "", &bars));
    assert_refused(MS_ERR_INVALID_ARG, ms_source_load(source, "AAPL", NULL));
    assert_true(ms_source_load(source, symbol, &bars) < 0);
    assert_null(bars);
    ms_source_free(source);
    free(uri);
    free(symbol);
}

static void test_model_functions_refuse_null_handles_and_outputs(void **state)
{
    (void)state;
    ms_model *model = NULL;
    char *text = NULL;
    ms_model_shape shape;
    ms_model_stats stats;
    double value = 1, mean = 0;
    ms_series series = { &value, 1, 1, 0 };
    ms_forecast_output out = { &mean, NULL, NULL, NULL };
    assert_refused(MS_ERR_INVALID_ARG, ms_model_open(NULL, "baseline", NULL));
    assert_string_equal(ms_model_name(NULL), "");
    assert_refused(MS_ERR_INVALID_ARG, ms_model_warmup(NULL, 8, 1));
    assert_refused(MS_ERR_INVALID_ARG, ms_model_forecast(NULL, &series, 1, NULL, &out));
    assert_refused(MS_ERR_INVALID_ARG, ms_model_describe(NULL, &text));
    assert_refused(MS_ERR_INVALID_ARG, ms_model_get_shape(NULL, &shape));
    assert_refused(MS_ERR_INVALID_ARG, ms_model_get_stats(NULL, &stats));
    assert_int_equal(ms_model_open(&model, NULL, NULL), MS_OK);
    assert_refused(MS_ERR_INVALID_ARG, ms_model_warmup(model, 0, 1));
    assert_refused(MS_ERR_INVALID_ARG, ms_model_warmup(model, 8, 0));
    assert_refused(MS_ERR_INVALID_ARG, ms_model_forecast(model, NULL, 1, NULL, &out));
    assert_refused(MS_ERR_INVALID_ARG, ms_model_forecast(model, NULL, HUGE_COUNT, NULL, &out));
    assert_refused(MS_ERR_INVALID_ARG, ms_model_forecast(model, &series, 1, NULL, NULL));
    ms_series no_values = { NULL, HUGE_COUNT, 1, 0 };
    assert_refused(MS_ERR_INVALID_ARG, ms_model_forecast(model, &no_values, 1, NULL, &out));
    assert_refused(MS_ERR_INVALID_ARG, ms_model_describe(model, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_model_get_shape(model, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_model_get_stats(model, NULL));
    ms_model_free(model);
}

static void test_forecast_refuses_huge_counts_before_allocating(void **state)
{
    (void)state;
    ms_model *model = NULL;
    double values[4] = { 1, 2, 3, 4 }, mean = 0;
    ms_series series = { values, 4, 1, 0 };
    ms_forecast_output out = { &mean, NULL, NULL, NULL };
    assert_int_equal(ms_model_open(&model, NULL, NULL), MS_OK);
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    opts.num_quantiles = HUGE_COUNT;
    assert_refused(MS_ERR_INVALID_ARG, ms_model_forecast(model, &series, 1, &opts, &out));
    opts = (ms_forecast_options)MS_FORECAST_OPTIONS_INIT;
    opts.num_aggregates = HUGE_COUNT;
    assert_refused(MS_ERR_INVALID_ARG, ms_model_forecast(model, &series, 1, &opts, &out));
    opts = (ms_forecast_options)MS_FORECAST_OPTIONS_INIT;
    opts.horizon = HUGE_COUNT;
    assert_true(ms_model_forecast(model, &series, 1, &opts, &out) < 0);
    double level = 0.5, quantile = 0;
    opts = (ms_forecast_options)MS_FORECAST_OPTIONS_INIT;
    opts.num_samples = HUGE_COUNT;
    opts.quantiles = &level;
    opts.num_quantiles = 1;
    out.quantiles = &quantile;
    assert_true(ms_model_forecast(model, &series, 1, &opts, &out) < 0);
    ms_model_free(model);
}

static void test_model_paths_and_names_fail_cleanly_when_empty_or_long(void **state)
{
    char *dir = temp_dir_path(*state, "");
    char *long_dir = long_text(dir, 300, 'd');
    char *path = long_text("/tmp/", LONG_TEXT, 'm');
    ms_model *model = NULL;
    ms_aggregate aggregate = { MS_AGG_MEAN, 0 };
    char buf[8] = "x";
    assert_true(ms_model_open(&model, path, NULL) < 0);
    assert_null(model);
    assert_refused(MS_ERR_INVALID_ARG, ms_model_init_checkpoint(NULL, "tiny", 0));
    assert_refused(MS_ERR_INVALID_ARG, ms_model_init_checkpoint(*state, NULL, 0));
    assert_true(ms_model_init_checkpoint(*state, "", 0) < 0);
    assert_true(ms_model_init_checkpoint(*state, path, 0) < 0);
    assert_true(ms_model_init_checkpoint(long_dir, "tiny", 0) < 0);
    assert_refused(MS_ERR_INVALID_ARG, ms_aggregate_parse(NULL, &aggregate));
    assert_refused(MS_ERR_INVALID_ARG, ms_aggregate_parse("mean", NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_aggregate_parse("", &aggregate));
    assert_refused(MS_ERR_INVALID_ARG, ms_aggregate_parse(path, &aggregate));
    ms_aggregate_format(NULL, buf, sizeof buf);
    assert_string_equal(buf, "");
    ms_aggregate_format(&aggregate, NULL, 8);
    ms_aggregate_format(&aggregate, buf, 0);
    ms_aggregate quantile = { MS_AGG_QUANTILE, 0.123456789 };
    ms_aggregate_format(&quantile, buf, sizeof buf);
    assert_int_equal(strlen(buf), sizeof buf - 1);
    free(dir);
    free(long_dir);
    free(path);
}

static void test_strategy_and_metrics_functions_refuse_null_and_huge_inputs(void **state)
{
    (void)state;
    ms_strategy strategy;
    ms_metrics metrics;
    ms_strategy_result result;
    ms_strategy_params params = { 0.0005, 0, 252, MS_FILLS_REFERENCE };
    ms_window empty = { HUGE_COUNT, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL };
    int signals[1];
    const double r[] = { 0.01 };
    char *name = long_text("", LONG_TEXT, 'n');
    assert_refused(MS_ERR_INVALID_ARG, ms_metrics_compute(NULL, 5, NULL, &metrics));
    assert_refused(MS_ERR_INVALID_ARG, ms_metrics_compute(NULL, HUGE_COUNT, NULL, &metrics));
    assert_refused(MS_ERR_INVALID_ARG, ms_metrics_compute(r, 1, NULL, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_strategy_from_name(NULL, &strategy));
    assert_refused(MS_ERR_INVALID_ARG, ms_strategy_from_name("simple", NULL));
    assert_refused(MS_ERR_NOT_FOUND, ms_strategy_from_name("", &strategy));
    assert_refused(MS_ERR_NOT_FOUND, ms_strategy_from_name(name, &strategy));
    assert_null(ms_strategy_name((ms_strategy)-1));
    assert_null(ms_strategy_name(MS_STRATEGY_COUNT));
    for (int s = -1; s <= MS_STRATEGY_COUNT; s++) {
        assert_refused(MS_ERR_INVALID_ARG, ms_strategy_evaluate((ms_strategy)s, NULL, &params,
                                                                &result, NULL));
        assert_refused(MS_ERR_INVALID_ARG, ms_strategy_evaluate((ms_strategy)s, &empty, &params,
                                                                &result, NULL));
        assert_refused(MS_ERR_INVALID_ARG, ms_strategy_evaluate((ms_strategy)s, &empty, NULL,
                                                                &result, NULL));
        assert_refused(MS_ERR_INVALID_ARG, ms_strategy_signals((ms_strategy)s, &empty, &params,
                                                               signals));
        assert_refused(MS_ERR_INVALID_ARG, ms_strategy_signals((ms_strategy)s, NULL, &params,
                                                               signals));
    }
    assert_true(isnan(ms_signal_returns(NULL, NULL, HUGE_COUNT, 0.001, NULL)));
    free(name);
}

static void test_analysis_options_refuse_null_and_long_text(void **state)
{
    (void)state;
    unsigned flags = 0;
    char *text = long_text("no-dedup,", LONG_TEXT, 'z');
    assert_refused(MS_ERR_INVALID_ARG, ms_ablations_parse(NULL, &flags));
    assert_refused(MS_ERR_INVALID_ARG, ms_ablations_parse("", NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_ablations_parse(text, &flags));
    assert_refused(MS_ERR_INVALID_ARG, ms_analyzer_options_resolve(NULL));
    ms_analyzer_options options = MS_ANALYZER_OPTIONS_INIT;
    options.aggregate = text;
    assert_refused(MS_ERR_INVALID_ARG, ms_analyzer_options_resolve(&options));
    ms_source *source = NULL;
    ms_model *model = NULL;
    ms_analyzer *analyzer = NULL;
    assert_int_equal(ms_source_open(&source, NULL, NULL), MS_OK);
    assert_int_equal(ms_model_open(&model, NULL, NULL), MS_OK);
    assert_refused(MS_ERR_INVALID_ARG, ms_analyzer_create(NULL, source, model, NULL));
    analyzer = (ms_analyzer *)0x1;
    assert_refused(MS_ERR_INVALID_ARG, ms_analyzer_create(&analyzer, NULL, model, NULL));
    assert_null(analyzer);
    assert_refused(MS_ERR_INVALID_ARG, ms_analyzer_create(&analyzer, source, NULL, NULL));
    ms_model_free(model);
    ms_source_free(source);
    free(text);
}

/* An analyzer over the CSV fixtures (GOOD has enough history), where a
 * symbol without a file fails, unlike the synthetic market's. */
typedef struct analysis {
    ms_source *source;
    ms_model *model;
    ms_analyzer *analyzer;
} analysis;

static analysis *analysis_open(const ms_analyzer_options *options)
{
    analysis *a = calloc(1, sizeof *a);
    if (a == NULL || ms_source_open(&a->source, cli_fixtures_uri(), NULL) != MS_OK ||
        ms_model_open(&a->model, NULL, NULL) != MS_OK ||
        ms_analyzer_create(&a->analyzer, a->source, a->model, options) != MS_OK)
        fail_msg("cannot set up an analysis: %s", ms_last_error());
    return a;
}

static int analysis_setup(void **state)
{
    ms_analyzer_options options = MS_ANALYZER_OPTIONS_INIT;
    options.simulations = 2;
    *state = analysis_open(&options);
    return 0;
}

static void analysis_close(analysis *a)
{
    ms_analyzer_free(a->analyzer);
    ms_model_free(a->model);
    ms_source_free(a->source);
    free(a);
}

static int analysis_teardown(void **state)
{
    analysis_close(*state);
    return 0;
}

static void test_analyzer_run_refuses_a_null_symbol_entry_naming_its_index(void **state)
{
    analysis *a = *state;
    ms_report *report = (ms_report *)0x1;
    const char *const first[] = { NULL, "GOOD" };
    const char *const later[] = { "GOOD", "OTHER", NULL, "GOOD" };
    assert_refused(MS_ERR_INVALID_ARG, ms_analyzer_run(a->analyzer, first, 2, &report));
    assert_non_null(strstr(ms_last_error(), "symbols[0] is NULL"));
    assert_null(report);
    assert_refused(MS_ERR_INVALID_ARG, ms_analyzer_run(a->analyzer, later, 4, &report));
    assert_non_null(strstr(ms_last_error(), "symbols[2] is NULL"));
    assert_null(report);
}

static void test_analyzer_run_refuses_null_handles_and_huge_counts(void **state)
{
    analysis *a = *state;
    ms_report *report = NULL;
    const char *const symbols[] = { "GOOD" };
    assert_refused(MS_ERR_INVALID_ARG, ms_analyzer_run(NULL, symbols, 1, &report));
    assert_refused(MS_ERR_INVALID_ARG, ms_analyzer_run(a->analyzer, symbols, 1, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_analyzer_run(a->analyzer, NULL, 1, &report));
    assert_refused(MS_ERR_INVALID_ARG, ms_analyzer_run(a->analyzer, NULL, HUGE_COUNT, &report));
    assert_null(report);
}

static void test_analyzer_run_reports_empty_and_very_long_symbols_as_errors(void **state)
{
    analysis *a = *state;
    ms_report *report = NULL;
    char *name = long_text("", LONG_TEXT, 'S');
    const char *const symbols[] = { "", name, "GOOD" };
    assert_int_equal(ms_analyzer_run(a->analyzer, symbols, 3, &report), MS_OK);
    assert_int_equal(ms_report_symbol_count(report), 1);
    assert_int_equal(ms_report_error_count(report), 2);
    assert_int_equal(ms_report_error(report, 0)->status, MS_ERR_INVALID_ARG);
    assert_true(ms_report_error(report, 1)->status < 0);
    ms_report_free(report);
    free(name);
}

/* Counts whose sums overflow must not pass the history check (they once
 * wrapped to a small number and the planner wrote far out of bounds). */
static void test_analyzer_reports_huge_counts_as_too_short_history(void **state)
{
    (void)state;
    const size_t huge[][3] = { { HUGE_COUNT, HUGE_COUNT, 0 }, { HUGE_COUNT, 1, 0 },
                               { 2, HUGE_COUNT, 0 } };
    const char *const symbols[] = { "GOOD" };
    for (size_t i = 0; i < ARRAY_LEN(huge); i++) {
        ms_analyzer_options options = MS_ANALYZER_OPTIONS_INIT;
        options.simulations = huge[i][0];
        options.eval_days = huge[i][1];
        options.min_context = huge[i][2];
        options.context_length = MS_MODEL_MAX_CONTEXT;
        analysis *a = analysis_open(&options);
        ms_report *report = NULL;
        assert_int_equal(ms_analyzer_run(a->analyzer, symbols, 1, &report), MS_OK);
        assert_int_equal(ms_report_error_count(report), 1);
        assert_int_equal(ms_report_error(report, 0)->status, MS_ERR_TOO_SHORT);
        ms_report_free(report);
        analysis_close(a);
    }
    /* A context beyond the model's maximum, or a minimum beyond the
     * context, is refused before any run. */
    ms_source *source = NULL;
    ms_model *model = NULL;
    assert_int_equal(ms_source_open(&source, cli_fixtures_uri(), NULL), MS_OK);
    assert_int_equal(ms_model_open(&model, NULL, NULL), MS_OK);
    for (int refused = 0; refused < 2; refused++) {
        ms_analyzer_options options = MS_ANALYZER_OPTIONS_INIT;
        options.context_length = refused == 0 ? HUGE_COUNT : 0;
        options.min_context = refused == 1 ? HUGE_COUNT : 0;
        ms_analyzer *analyzer = NULL;
        assert_refused(MS_ERR_INVALID_ARG, ms_analyzer_create(&analyzer, source, model, &options));
        assert_null(analyzer);
    }
    ms_model_free(model);
    ms_source_free(source);
}

static void test_report_functions_refuse_null_and_out_of_range_arguments(void **state)
{
    analysis *a = *state;
    ms_report *report = NULL;
    char *text = NULL;
    const char *const symbols[] = { "GOOD" };
    char *path = long_text("/tmp/", LONG_TEXT, 'h');
    assert_int_equal(ms_report_symbol_count(NULL), 0);
    assert_int_equal(ms_report_error_count(NULL), 0);
    assert_int_equal(ms_report_pick_count(NULL), 0);
    assert_null(ms_report_symbol(NULL, 0));
    assert_null(ms_report_error(NULL, 0));
    assert_null(ms_report_pick(NULL, 0));
    assert_null(ms_report_timings(NULL));
    assert_null(ms_report_options(NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_report_to_json(NULL, &text));
    assert_refused(MS_ERR_INVALID_ARG, ms_report_to_text(NULL, &text));
    assert_refused(MS_ERR_INVALID_ARG, ms_report_to_html(NULL, &text));
    assert_refused(MS_ERR_INVALID_ARG, ms_report_write_html(NULL, "/tmp/x.html"));
    assert_int_equal(ms_analyzer_run(a->analyzer, symbols, 1, &report), MS_OK);
    assert_null(ms_report_symbol(report, HUGE_COUNT));
    assert_null(ms_report_error(report, HUGE_COUNT));
    assert_null(ms_report_pick(report, HUGE_COUNT));
    assert_refused(MS_ERR_INVALID_ARG, ms_report_to_json(report, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_report_to_text(report, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_report_to_html(report, NULL));
    assert_refused(MS_ERR_INVALID_ARG, ms_report_write_html(report, NULL));
    assert_true(ms_report_write_html(report, "") < 0);
    assert_true(ms_report_write_html(report, path) < 0);
    ms_report_free(report);
    free(path);
}

static void test_free_functions_and_status_names_accept_anything(void **state)
{
    (void)state;
    ms_free(NULL);
    ms_bars_free(NULL);
    ms_source_free(NULL);
    ms_model_free(NULL);
    ms_analyzer_free(NULL);
    ms_report_free(NULL);
    ms_broker_free(NULL);
    ms_trade_result_free(NULL);
    assert_string_equal(ms_status_str((ms_status)1), "unknown status");
    assert_string_equal(ms_status_str((ms_status)-1000), "unknown status");
    assert_non_null(ms_last_error());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bars_functions_refuse_null_and_empty_arguments),
        cmocka_unit_test(test_bars_functions_fail_cleanly_on_very_long_strings),
        cmocka_unit_test(test_symbol_functions_accept_null_and_cut_long_names),
        cmocka_unit_test(test_source_functions_refuse_null_empty_and_long_arguments),
        cmocka_unit_test(test_model_functions_refuse_null_handles_and_outputs),
        cmocka_unit_test(test_forecast_refuses_huge_counts_before_allocating),
        cmocka_unit_test_setup_teardown(test_model_paths_and_names_fail_cleanly_when_empty_or_long,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test(test_strategy_and_metrics_functions_refuse_null_and_huge_inputs),
        cmocka_unit_test(test_analysis_options_refuse_null_and_long_text),
        cmocka_unit_test_setup_teardown(test_analyzer_run_refuses_a_null_symbol_entry_naming_its_index,
                                        analysis_setup, analysis_teardown),
        cmocka_unit_test_setup_teardown(test_analyzer_run_refuses_null_handles_and_huge_counts,
                                        analysis_setup, analysis_teardown),
        cmocka_unit_test_setup_teardown(test_analyzer_run_reports_empty_and_very_long_symbols_as_errors,
                                        analysis_setup, analysis_teardown),
        cmocka_unit_test_setup_teardown(test_report_functions_refuse_null_and_out_of_range_arguments,
                                        analysis_setup, analysis_teardown),
        cmocka_unit_test(test_analyzer_reports_huge_counts_as_too_short_history),
        cmocka_unit_test(test_free_functions_and_status_names_accept_anything),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
