/*
 * test_analyzer.c - the batch analyzer end to end on the synthetic market
 * and hand-made CSVs: one forecast per (series, origin), identical results
 * for any worker count or parallel switch, per-symbol errors that do not
 * stop the others, spellings of one instrument merged, stale symbols never
 * picked, ranking order and timings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze_internal.h"
#include "core/core_internal.h"
#include "marketsim/marketsim.h"

typedef struct fixture {
    ms_source *source;
    ms_model *model;
} fixture;

static int open_synthetic(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_int_equal(ms_source_open(&f->source, "synthetic:seed=3,bars=400", NULL), MS_OK);
    assert_int_equal(ms_model_open(&f->model, "baseline", NULL), MS_OK);
    *state = f;
    return 0;
}

static int open_csv_fixtures(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    char uri[4096];
    const char *root = getenv("MARKETSIM_SOURCE_DIR");
    snprintf(uri, sizeof uri, "csv:%s/tests/fixtures/analyze", root ? root : ".");
    assert_int_equal(ms_source_open(&f->source, uri, NULL), MS_OK);
    assert_int_equal(ms_model_open(&f->model, "baseline", NULL), MS_OK);
    *state = f;
    return 0;
}

static int close_fixture(void **state)
{
    fixture *f = *state;
    ms_model_free(f->model);
    ms_source_free(f->source);
    free(f);
    return 0;
}

static ms_report *analyze(fixture *f, const char *const *symbols, size_t n,
                          size_t simulations, int parallel, int workers)
{
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.simulations = simulations;
    opts.eval_days = 6;
    opts.parallel = parallel;
    opts.workers = workers;
    ms_analyzer *analyzer = NULL;
    assert_int_equal(ms_analyzer_create(&analyzer, f->source, f->model, &opts), MS_OK);
    ms_report *report = NULL;
    assert_int_equal(ms_analyzer_run(analyzer, symbols, n, &report), MS_OK);
    ms_analyzer_free(analyzer);
    return report;
}

static const char *const universe[] = { "AAPL", "MSFT", "BTCUSD", "NVDA", "ETHUSD", "SPY" };

static void test_each_series_origin_is_forecast_once(void **state)
{
    fixture *f = *state;
    ms_model_stats before, after;
    ms_model_get_stats(f->model, &before);
    ms_report *report = analyze(f, universe, 3, 20, 1, 2);
    ms_model_get_stats(f->model, &after);
    /* N + E = 26 origins for each of close, high and low of 3 symbols, and
     * E more for the walk-forward offsets, not N x E = 120 per series as
     * the reference system computed. */
    assert_int_equal(after.contexts - before.contexts, 3 * 3 * (20 + 6 + 6));
    assert_int_equal(ms_report_symbol_count(report), 3);
    ms_report_free(report);
}

static void assert_same_metrics(const ms_period_metrics *a, const ms_period_metrics *b)
{
    assert_memory_equal(a, b, sizeof *a);
}

static void assert_same_reports(const ms_report *a, const ms_report *b)
{
    assert_int_equal(ms_report_symbol_count(a), ms_report_symbol_count(b));
    for (size_t i = 0; i < ms_report_symbol_count(a); i++) {
        const ms_symbol_report *x = ms_report_symbol(a, i), *y = ms_report_symbol(b, i);
        assert_string_equal(x->symbol, y->symbol);
        assert_int_equal(x->best_strategy, y->best_strategy);
        assert_memory_equal(&x->composite_score, &y->composite_score, sizeof(double));
        assert_memory_equal(&x->forecast_close, &y->forecast_close, 3 * sizeof(double));
        assert_memory_equal(&x->entry_price, &y->entry_price, 2 * sizeof(double));
        for (int s = 0; s < MS_STRATEGY_COUNT; s++) {
            assert_same_metrics(&x->strategies[s]->mean, &y->strategies[s]->mean);
            assert_memory_equal(x->strategies[s]->simulation_returns,
                                y->strategies[s]->simulation_returns,
                                x->strategies[s]->simulations * sizeof(double));
        }
    }
    assert_int_equal(ms_report_pick_count(a), ms_report_pick_count(b));
    for (size_t i = 0; i < ms_report_pick_count(a); i++)
        assert_string_equal(ms_report_pick(a, i)->symbol, ms_report_pick(b, i)->symbol);
}

static void test_results_are_identical_for_1_2_and_8_workers(void **state)
{
    fixture *f = *state;
    ms_report *one = analyze(f, universe, 6, 30, 1, 1);
    ms_report *two = analyze(f, universe, 6, 30, 1, 2);
    ms_report *eight = analyze(f, universe, 6, 30, 1, 8);
    ms_report *sequential = analyze(f, universe, 6, 30, 0, 8);
    assert_same_reports(one, two);
    assert_same_reports(one, eight);
    assert_same_reports(one, sequential);
    ms_report_free(one);
    ms_report_free(two);
    ms_report_free(eight);
    ms_report_free(sequential);
}

static void test_symbols_are_sorted_by_composite_then_name(void **state)
{
    fixture *f = *state;
    ms_report *report = analyze(f, universe, 6, 10, 1, 4);
    for (size_t i = 1; i < ms_report_symbol_count(report); i++) {
        const ms_symbol_report *prev = ms_report_symbol(report, i - 1);
        const ms_symbol_report *cur = ms_report_symbol(report, i);
        assert_true(prev->composite_score > cur->composite_score ||
                    (prev->composite_score == cur->composite_score &&
                     strcmp(prev->symbol, cur->symbol) < 0));
    }
    ms_report_free(report);
}

static void test_crypto_symbols_never_sell(void **state)
{
    fixture *f = *state;
    ms_report *report = analyze(f, universe, 6, 10, 1, 2);
    for (size_t i = 0; i < ms_report_symbol_count(report); i++) {
        const ms_symbol_report *r = ms_report_symbol(report, i);
        if (r->asset_class == MS_ASSET_CRYPTO)
            assert_true(r->side >= 0);
    }
    ms_report_free(report);
}

static void test_best_strategy_has_highest_mean_daily_return(void **state)
{
    fixture *f = *state;
    ms_report *report = analyze(f, universe, 6, 10, 1, 2);
    for (size_t i = 0; i < ms_report_symbol_count(report); i++) {
        const ms_symbol_report *r = ms_report_symbol(report, i);
        double best = r->strategies[r->best_strategy]->mean.avg_daily_return;
        for (int s = 0; s < MS_STRATEGY_COUNT; s++)
            assert_false(r->strategies[s]->mean.avg_daily_return > best);
        assert_true(r->composite_score == (best > 0 ? best : 0));
    }
    ms_report_free(report);
}

static void test_timings_cover_every_phase(void **state)
{
    fixture *f = *state;
    ms_report *report = analyze(f, universe, 2, 10, 0, 1);
    const ms_timings *t = ms_report_timings(report);
    assert_true(t->data > 0 && t->inference > 0 && t->strategies > 0);
    assert_true(t->ranking >= 0);
    assert_true(t->total >= t->data + t->inference + t->strategies);
    ms_report_free(report);
}

static void test_missing_and_short_symbols_fail_alone(void **state)
{
    fixture *f = *state;
    const char *const symbols[] = { "GOOD", "NOPE", "SHORT", "OTHER" };
    ms_report *report = analyze(f, symbols, 4, 10, 1, 2);
    assert_int_equal(ms_report_symbol_count(report), 2);
    assert_int_equal(ms_report_error_count(report), 2);
    const ms_symbol_error *missing = ms_report_error(report, 0);
    assert_string_equal(missing->symbol, "NOPE");
    assert_int_equal(missing->status, MS_ERR_NOT_FOUND);
    const ms_symbol_error *short_history = ms_report_error(report, 1);
    assert_string_equal(short_history->symbol, "SHORT");
    assert_int_equal(short_history->status, MS_ERR_TOO_SHORT);
    /* 10 simulations + 6 days + 6 days the oldest offsets are fitted on
     * + 32 bars of context = 54 bars needed. */
    assert_non_null(strstr(short_history->message, "at least 54 bars"));
    assert_non_null(strstr(short_history->message, "found 20"));
    ms_report_free(report);
}

static void test_bad_bars_are_reported_with_file_and_line(void **state)
{
    fixture *f = *state;
    const char *const symbols[] = { "BADHIGH", "GOOD" };
    ms_report *report = analyze(f, symbols, 2, 10, 1, 2);
    assert_int_equal(ms_report_symbol_count(report), 1);
    assert_int_equal(ms_report_error_count(report), 1);
    const ms_symbol_error *error = ms_report_error(report, 0);
    assert_int_equal(error->status, MS_ERR_DATA);
    assert_non_null(strstr(error->message, "BADHIGH.csv"));
    assert_non_null(strstr(error->message, ":5"));
    ms_report_free(report);
}

static void test_a_symbol_listed_twice_is_analysed_once_with_a_warning(void **state)
{
    fixture *f = *state;
    const char *const symbols[] = { "GOOD", "GOOD" };
    ms_report *report = analyze(f, symbols, 2, 10, 1, 2);
    assert_int_equal(ms_report_symbol_count(report), 1);
    assert_int_equal(ms_report_error_count(report), 0);
    assert_int_equal(ms_report_warning_count(report), 1);
    assert_string_equal(ms_report_warning(report, 0), "GOOD: listed more than once; analysed once");
    assert_null(ms_report_warning(report, 1));
    ms_report_free(report);
}

static void test_spellings_of_one_instrument_give_one_symbol_report_and_warnings(void **state)
{
    fixture *f = *state;
    const char *const symbols[] = { "SUIUSD", "SUI-USD", "SUI/USD", "btcusd", "BTC/USD", "BRK-B" };
    ms_report *report = analyze(f, symbols, 6, 5, 1, 2);
    assert_int_equal(ms_report_symbol_count(report), 3);
    assert_int_equal(ms_report_error_count(report), 0);
    int sui = 0, btc = 0;
    for (size_t i = 0; i < ms_report_symbol_count(report); i++) {
        sui += strcmp(ms_report_symbol(report, i)->symbol, "SUIUSD") == 0;
        btc += strcmp(ms_report_symbol(report, i)->symbol, "btcusd") == 0;
    }
    assert_int_equal(sui + btc, 2);   /* each under its first spelling */
    assert_int_equal(ms_report_warning_count(report), 3);
    assert_string_equal(ms_report_warning(report, 0),
                        "SUI-USD: the same instrument as SUIUSD; analysed once, as SUIUSD");
    assert_string_equal(ms_report_warning(report, 2),
                        "BTC/USD: the same instrument as btcusd; analysed once, as btcusd");
    ms_report_free(report);
}

/* STALE's last bar (2024-06-06) is seven sessions before GOOD's. */
static void test_stale_stock_is_flagged_and_not_picked(void **state)
{
    fixture *f = *state;
    const char *const alone[] = { "STALE" };
    ms_report *report = analyze(f, alone, 1, 10, 1, 2);
    assert_false(ms_report_symbol(report, 0)->stale);     /* judged against itself */
    assert_int_equal(ms_report_pick_count(report), 1);
    ms_report_free(report);
    const char *const both[] = { "STALE", "GOOD" };
    report = analyze(f, both, 2, 10, 1, 2);
    assert_int_equal(ms_report_symbol_count(report), 2);
    for (size_t i = 0; i < 2; i++) {
        const ms_symbol_report *r = ms_report_symbol(report, i);
        assert_int_equal(r->stale, strcmp(r->symbol, "STALE") == 0);
    }
    for (size_t i = 0; i < ms_report_pick_count(report); i++)
        assert_string_not_equal(ms_report_pick(report, i)->symbol, "STALE");
    assert_int_equal(ms_report_warning_count(report), 1);
    assert_non_null(strstr(ms_report_warning(report, 0), "STALE: stale data"));
    ms_report_free(report);
}

static void test_walk_forward_windows_slide_one_origin_per_simulation(void **state)
{
    (void)state;
    /* 100 bars, N = 10, E = 6: origins 84..99; simulation k ends at
     * e = 99 - k and evaluates origins e-6 .. e-1. */
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.simulations = 10;
    opts.eval_days = 6;
    opts.offsets = MS_OFFSETS_IN_SAMPLE;
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_OK);
    size_t first = 0;
    assert_int_equal(ms_first_origin(100, &opts, &first), MS_OK);
    assert_int_equal(first, 84);
    /* Walk-forward: simulation 9's offsets are fitted on origins 78..83. */
    opts.offsets = MS_OFFSETS_WALK_FORWARD;
    assert_int_equal(ms_first_origin(100, &opts, &first), MS_OK);
    assert_int_equal(first, 78);
    double values[16];
    for (int i = 0; i < 16; i++)
        values[i] = 84 + i; /* each origin's own index */
    ms_origin_table table = { .first_origin = 84, .count = 16, .close_pred = values,
                              .close_actual = values, .high_actual = values, .low_actual = values,
                              .high_pred = values, .low_pred = values,
                              .high_change_pred = values, .low_change_pred = values };
    ms_window oldest = ms_origin_window(&table, 100, 9, 6, 0);
    assert_int_equal(oldest.days, 6);
    assert_true(oldest.close_pred[0] == 84 && oldest.close_pred[5] == 89);
    ms_window newest = ms_origin_window(&table, 100, 0, 6, 1);
    assert_int_equal(newest.days, 7);
    assert_true(newest.close_pred[0] == 93 && newest.close_pred[6] == 99);
}

static void test_options_take_environment_on_request_then_defaults(void **state)
{
    (void)state;
    setenv("MARKETSIM_BACKTEST_SIMULATIONS", "12", 1);
    setenv("MARKETSIM_PARALLEL_ANALYSIS", "0", 1);
    setenv("MARKETSIM_PARALLEL_WORKERS", "3", 1);
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    assert_int_equal(ms_analyzer_options_from_env(&opts), MS_OK);
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_OK);
    assert_int_equal(opts.simulations, 12);
    assert_int_equal(opts.parallel, 0);
    assert_int_equal(opts.workers, 3);
    assert_int_equal(opts.eval_days, 6);
    assert_string_equal(opts.aggregate, "mean");
    ms_analyzer_options explicit = MS_ANALYZER_OPTIONS_INIT;
    explicit.simulations = 5;
    explicit.workers = 7;
    assert_int_equal(ms_analyzer_options_from_env(&explicit), MS_OK);
    assert_int_equal(ms_analyzer_options_resolve(&explicit), MS_OK);
    assert_int_equal(explicit.simulations, 5);
    assert_int_equal(explicit.workers, 7);
    unsetenv("MARKETSIM_BACKTEST_SIMULATIONS");
    unsetenv("MARKETSIM_PARALLEL_ANALYSIS");
    unsetenv("MARKETSIM_PARALLEL_WORKERS");
    ms_analyzer_options defaults = MS_ANALYZER_OPTIONS_INIT;
    assert_int_equal(ms_analyzer_options_resolve(&defaults), MS_OK);
    assert_int_equal(defaults.simulations, 70);
    assert_int_equal(defaults.parallel, 1);
    size_t automatic = ms_cpu_count() + 4;
    assert_int_equal(defaults.workers, automatic < 32 ? automatic : 32);
}

static void test_options_ignore_the_environment_unless_asked(void **state)
{
    (void)state;
    setenv("MARKETSIM_BACKTEST_SIMULATIONS", "12", 1);
    setenv("MARKETSIM_PARALLEL_ANALYSIS", "0", 1);
    setenv("MARKETSIM_CACHE", "/nonexistent/forecasts.sqlite", 1);
    setenv("MARKETSIM_STOCK_FEE", "0.5", 1);
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_OK);
    assert_int_equal(opts.simulations, 70);
    assert_int_equal(opts.parallel, 1);
    assert_string_equal(opts.cache, "off");
    assert_true(opts.stock_fee == 0.0005);
    ms_analyzer_options asked = MS_ANALYZER_OPTIONS_INIT;
    assert_int_equal(ms_analyzer_options_from_env(&asked), MS_OK);
    assert_int_equal(ms_analyzer_options_resolve(&asked), MS_OK);
    assert_string_equal(asked.cache, "/nonexistent/forecasts.sqlite");
    assert_true(asked.stock_fee == 0.5);
    unsetenv("MARKETSIM_BACKTEST_SIMULATIONS");
    unsetenv("MARKETSIM_PARALLEL_ANALYSIS");
    unsetenv("MARKETSIM_CACHE");
    unsetenv("MARKETSIM_STOCK_FEE");
}

static void test_malformed_environment_is_an_error(void **state)
{
    (void)state;
    setenv("MARKETSIM_BACKTEST_SIMULATIONS", "seventy", 1);
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    assert_int_equal(ms_analyzer_options_from_env(&opts), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "MARKETSIM_BACKTEST_SIMULATIONS=seventy"));
    unsetenv("MARKETSIM_BACKTEST_SIMULATIONS");
    ms_analyzer_options bad_aggregate = MS_ANALYZER_OPTIONS_INIT;
    bad_aggregate.aggregate = "average";
    assert_int_equal(ms_analyzer_options_resolve(&bad_aggregate), MS_ERR_INVALID_ARG);
}

static void test_context_length_beyond_the_model_maximum_is_refused(void **state)
{
    (void)state;
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.context_length = MS_MODEL_MAX_CONTEXT + 1;
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "context_length 16385 exceeds the maximum context"));
    opts.context_length = MS_MODEL_MAX_CONTEXT;
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_each_series_origin_is_forecast_once, open_synthetic, close_fixture),
        cmocka_unit_test_setup_teardown(test_results_are_identical_for_1_2_and_8_workers, open_synthetic, close_fixture),
        cmocka_unit_test_setup_teardown(test_symbols_are_sorted_by_composite_then_name, open_synthetic, close_fixture),
        cmocka_unit_test_setup_teardown(test_crypto_symbols_never_sell, open_synthetic, close_fixture),
        cmocka_unit_test_setup_teardown(test_best_strategy_has_highest_mean_daily_return, open_synthetic, close_fixture),
        cmocka_unit_test_setup_teardown(test_timings_cover_every_phase, open_synthetic, close_fixture),
        cmocka_unit_test_setup_teardown(test_missing_and_short_symbols_fail_alone, open_csv_fixtures, close_fixture),
        cmocka_unit_test_setup_teardown(test_bad_bars_are_reported_with_file_and_line, open_csv_fixtures, close_fixture),
        cmocka_unit_test_setup_teardown(test_a_symbol_listed_twice_is_analysed_once_with_a_warning, open_csv_fixtures, close_fixture),
        cmocka_unit_test_setup_teardown(test_spellings_of_one_instrument_give_one_symbol_report_and_warnings, open_synthetic, close_fixture),
        cmocka_unit_test_setup_teardown(test_stale_stock_is_flagged_and_not_picked, open_csv_fixtures, close_fixture),
        cmocka_unit_test(test_walk_forward_windows_slide_one_origin_per_simulation),
        cmocka_unit_test(test_options_take_environment_on_request_then_defaults),
        cmocka_unit_test(test_options_ignore_the_environment_unless_asked),
        cmocka_unit_test(test_malformed_environment_is_an_error),
        cmocka_unit_test(test_context_length_beyond_the_model_maximum_is_refused),
    };
    return cmocka_run_group_tests_name("analyzer", tests, NULL, NULL);
}
