/*
 * caller.c - a program built against the version 1 headers (tests/api_v1,
 * README.md) and run against the current shared library: its options
 * structs are the oldest layouts, filled by their INIT macros and by the
 * init functions at version 1; it runs an analysis with the baseline model
 * on synthetic data and reads the report through its accessors and its
 * fields. Built and run as the suite test_api_v1 (Makefile), and again as
 * test_api_v1_six_strategies with MS_STRATEGY_COUNT 6 in its strategy.h:
 * a caller built before the last two strategies were added.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include <marketsim/analyze.h>
#include <marketsim/records.h>

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

/* An analysis with the baseline model on synthetic data, as a version 1
 * caller runs one: N = 5 simulations of E = 2 days. */
typedef struct analysis {
    ms_source *source;
    ms_model *model;
    ms_analyzer *analyzer;
    ms_report *report;
} analysis;

static analysis run_analysis(const char *const *symbols, size_t n)
{
    analysis a = { NULL, NULL, NULL, NULL };
    ms_model_options model_opts = MS_MODEL_OPTIONS_INIT;
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.simulations = 5;
    opts.eval_days = 2;
    opts.parallel = 0;
    assert_int_equal(ms_source_open(&a.source, "synthetic", NULL), MS_OK);
    assert_int_equal(ms_model_open(&a.model, "baseline", &model_opts), MS_OK);
    assert_int_equal(ms_analyzer_create(&a.analyzer, a.source, a.model, &opts), MS_OK);
    assert_int_equal(ms_analyzer_run(a.analyzer, symbols, n, &a.report), MS_OK);
    assert_int_equal(ms_report_error_count(a.report), 0);
    assert_int_equal(ms_report_symbol_count(a.report), n);
    return a;
}

static void analysis_free(analysis *a)
{
    ms_report_free(a->report);
    ms_analyzer_free(a->analyzer);
    ms_model_free(a->model);
    ms_source_free(a->source);
}

static void test_a_version_1_caller_runs_an_analysis_and_reads_it_through_accessors(void **state)
{
    (void)state;
    const char *symbols[] = { "AAPL", "BTCUSD" };
    analysis a = run_analysis(symbols, 2);
    for (size_t i = 0; i < 2; i++) {
        const ms_symbol_report *symbol = ms_report_symbol(a.report, i);
        const ms_strategy_summary *simple = ms_symbol_report_strategy(symbol, MS_STRATEGY_SIMPLE);
        assert_non_null(simple);
        assert_int_equal(simple->simulations, 5);
        assert_non_null(ms_symbol_report_walk_forward_returns(symbol, MS_STRATEGY_BUY_HOLD));
        assert_null(ms_symbol_report_strategy(symbol, (ms_strategy)symbol->strategy_count));
        assert_true(symbol->walk_forward_days > 0);
    }
    ms_analyzer_options used;
    assert_int_equal(ms_analyzer_options_init(&used, MS_ANALYZER_OPTIONS_VERSION), MS_OK);
    assert_int_equal(ms_report_get_options(a.report, &used), MS_OK);
    assert_int_equal(used.version, 1);
    assert_int_equal(used.simulations, 5);
    assert_int_equal(used.eval_days, 2);
    assert_true(used.stock_fee == 0.0005 && used.crypto_fee == 0.001);
    assert_true(used.buying_power == 200000.0);
    analysis_free(&a);
}

/* The library's offset of field `name` of record `record` (records.h). */
static size_t library_offset(const char *record, const char *name)
{
    const ms_record *found = ms_record_find(record);
    assert_non_null(found);
    for (size_t i = 0; i < found->field_count; i++)
        if (strcmp(found->fields[i].name, name) == 0)
            return found->fields[i].offset;
    fail_msg("the library's %s has no field %s", record, name);
    return 0;
}

#define SAME_OFFSET(record, field) \
    assert_int_equal(library_offset(#record, #field), offsetof(record, field))
#define SAME_SIZE(record) assert_int_equal(ms_record_find(#record)->size, sizeof(record))

/* Built with this header's MS_STRATEGY_COUNT, or as a caller from before
 * the last strategies were added (test_api_v1_six_strategies: 6), the
 * report's fields lie where the library puts them, and the records it
 * embeds by value (frozen) have the size this header says. */
static void test_the_symbol_report_fields_lie_where_the_library_puts_them(void **state)
{
    (void)state;
    assert_true(ms_record_find("ms_symbol_report")->size >= sizeof(ms_symbol_report));
    SAME_OFFSET(ms_symbol_report, forecast_low);
    SAME_OFFSET(ms_symbol_report, strategy_count);
    SAME_OFFSET(ms_symbol_report, strategies);
    SAME_OFFSET(ms_symbol_report, maxdiff_choice);
    SAME_OFFSET(ms_symbol_report, best_strategy);
    SAME_OFFSET(ms_symbol_report, entry_price);
    SAME_OFFSET(ms_symbol_report, recent_count);
    SAME_OFFSET(ms_symbol_report, forecasts_computed);
    SAME_OFFSET(ms_symbol_report, walk_forward_returns);
    SAME_OFFSET(ms_symbol_report, walk_forward_sides);
    SAME_OFFSET(ms_symbol_report, walk_forward_days);
    SAME_OFFSET(ms_symbol_report, forecast_quality);
    SAME_OFFSET(ms_strategy_summary, simulations);
    SAME_OFFSET(ms_strategy_summary, reference_mean);
    SAME_SIZE(ms_period_metrics);
    SAME_SIZE(ms_maxdiff_choice);
    SAME_SIZE(ms_forecast_error);
    SAME_SIZE(ms_forecast_quality);
}

/* One symbol, so the report's pooled figures are the symbol's own: what
 * this caller reads in the fields after the per-strategy data is what the
 * library's accessors return, and the per-strategy pointers are theirs. */
static void test_a_caller_reads_the_fields_after_the_per_strategy_data_as_written(void **state)
{
    (void)state;
    const char *symbols[] = { "MSFT" };
    analysis a = run_analysis(symbols, 1);
    const ms_symbol_report *symbol = ms_report_symbol(a.report, 0);
    const ms_timings *timings = ms_report_timings(a.report);
    assert_true(symbol->strategy_count >= (size_t)MS_STRATEGY_COUNT);
    for (int s = 0; s < MS_STRATEGY_COUNT; s++) {
        assert_ptr_equal(symbol->strategies[s], ms_symbol_report_strategy(symbol, s));
        assert_ptr_equal(symbol->walk_forward_returns[s],
                         ms_symbol_report_walk_forward_returns(symbol, s));
        assert_ptr_equal(symbol->walk_forward_sides[s],
                         ms_symbol_report_walk_forward_sides(symbol, s));
        assert_int_equal(symbol->strategies[s]->simulations, 5);
    }
    assert_int_equal(symbol->walk_forward_days, 6);   /* ceil(5 / 2) windows of 2 days */
    assert_int_equal(symbol->forecasts_computed, timings->forecasts_computed);
    assert_int_equal(symbol->forecasts_cached, timings->forecasts_cached);
    assert_true(symbol->forecast_quality.close.count > 0);
    assert_memory_equal(&symbol->forecast_quality, ms_report_forecast_quality(a.report),
                        sizeof symbol->forecast_quality);
    analysis_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_writes_the_version_1_layout_and_nothing_beyond_it),
        cmocka_unit_test(test_resolving_a_version_1_struct_fills_its_defaults_in_its_layout),
        cmocka_unit_test(test_a_version_1_caller_runs_an_analysis_and_reads_it_through_accessors),
        cmocka_unit_test(test_the_symbol_report_fields_lie_where_the_library_puts_them),
        cmocka_unit_test(test_a_caller_reads_the_fields_after_the_per_strategy_data_as_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
