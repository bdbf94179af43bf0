/*
 * caller.c - a program built against the version 1 headers (tests/api_v1,
 * README.md) and run against the current shared library: its options
 * structs are the oldest layouts, filled by their INIT macros and by the
 * init functions at version 1; it runs an analysis with the baseline model
 * on synthetic data and reads the report through its accessors. Built and
 * run as the suite test_api_v1 (Makefile).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include <marketsim/analyze.h>

/* The caller's struct with guard bytes after it: the library must write
 * nothing beyond version 1's size. */
typedef struct guarded_options {
    ms_analyzer_options opts;
    unsigned char guard[64];
} guarded_options;

static void assert_guard_untouched(const guarded_options *g)
{
    for (size_t b = 0; b < sizeof g->guard; b++)
        assert_int_equal(g->guard[b], 0xAB);
}

static void test_init_writes_the_version_1_layout_and_nothing_beyond_it(void **state)
{
    (void)state;
    guarded_options g;
    memset(&g, 0xAB, sizeof g);
    assert_int_equal(ms_analyzer_options_init(&g.opts, MS_ANALYZER_OPTIONS_VERSION), MS_OK);
    assert_guard_untouched(&g);
    assert_int_equal(g.opts.version, 1);
    assert_int_equal(g.opts.parallel, -1);
    assert_int_equal(g.opts.warmup, -1);
    assert_true(g.opts.stock_fee == 0 && g.opts.buying_power == 0);
    assert_null(g.opts.progress);
}

static void test_resolving_a_version_1_struct_fills_its_defaults_in_its_layout(void **state)
{
    (void)state;
    guarded_options g;
    memset(&g, 0xAB, sizeof g);
    g.opts = (ms_analyzer_options)MS_ANALYZER_OPTIONS_INIT;
    g.opts.equity = 50000;
    g.opts.crypto_fee = 0.002;
    assert_int_equal(ms_analyzer_options_resolve(&g.opts), MS_OK);
    assert_guard_untouched(&g);
    assert_int_equal(g.opts.version, 1);
    assert_true(g.opts.buying_power == 100000.0);   /* 2 x equity */
    assert_true(g.opts.crypto_fee == 0.002);
    assert_int_equal(g.opts.max_positions, 10);
    assert_string_equal(g.opts.aggregate, "mean");
}

static void test_a_version_1_caller_runs_an_analysis_and_reads_it_through_accessors(void **state)
{
    (void)state;
    ms_source *source = NULL;
    ms_model *model = NULL;
    ms_analyzer *analyzer = NULL;
    ms_report *report = NULL;
    ms_model_options model_opts = MS_MODEL_OPTIONS_INIT;
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.simulations = 5;
    opts.eval_days = 2;
    opts.parallel = 0;
    assert_int_equal(ms_source_open(&source, "synthetic", NULL), MS_OK);
    assert_int_equal(ms_model_open(&model, "baseline", &model_opts), MS_OK);
    assert_int_equal(ms_analyzer_create(&analyzer, source, model, &opts), MS_OK);
    const char *symbols[] = { "AAPL", "BTCUSD" };
    assert_int_equal(ms_analyzer_run(analyzer, symbols, 2, &report), MS_OK);
    assert_int_equal(ms_report_error_count(report), 0);
    assert_int_equal(ms_report_symbol_count(report), 2);
    for (size_t i = 0; i < 2; i++) {
        const ms_symbol_report *symbol = ms_report_symbol(report, i);
        const ms_strategy_summary *simple = ms_symbol_report_strategy(symbol, MS_STRATEGY_SIMPLE);
        assert_non_null(simple);
        assert_int_equal(simple->simulations, 5);
        assert_non_null(ms_symbol_report_walk_forward_returns(symbol, MS_STRATEGY_BUY_HOLD));
        assert_null(ms_symbol_report_strategy(symbol, MS_STRATEGY_COUNT));
        assert_true(symbol->walk_forward_days > 0);
    }
    ms_analyzer_options used;
    assert_int_equal(ms_analyzer_options_init(&used, MS_ANALYZER_OPTIONS_VERSION), MS_OK);
    assert_int_equal(ms_report_get_options(report, &used), MS_OK);
    assert_int_equal(used.version, 1);
    assert_int_equal(used.simulations, 5);
    assert_int_equal(used.eval_days, 2);
    assert_true(used.stock_fee == 0.0005 && used.crypto_fee == 0.001);
    assert_true(used.buying_power == 200000.0);
    ms_report_free(report);
    ms_analyzer_free(analyzer);
    ms_model_free(model);
    ms_source_free(source);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_writes_the_version_1_layout_and_nothing_beyond_it),
        cmocka_unit_test(test_resolving_a_version_1_struct_fills_its_defaults_in_its_layout),
        cmocka_unit_test(test_a_version_1_caller_runs_an_analysis_and_reads_it_through_accessors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
