/*
 * test_options_versions.c - how the public options structs grow: each
 * ms_<thing>_options_init fills its INIT macro's defaults for any version
 * from 1 to the newest and writes no byte beyond that version's struct; a
 * struct of an older version still works (the fields it lacks take their
 * defaults); a version 0 or newer than the library's is refused with a
 * message naming the struct; 0 is a real fee, -1 the unset one. A caller
 * built against the version 1 headers:
 * tests/api_v1.
 */
#define _DEFAULT_SOURCE   /* MAP_ANONYMOUS */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "marketsim/marketsim.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

typedef ms_status (*init_fn)(void *opts, int version);

static const struct {
    const char *name;
    init_fn init;
    int newest;
} inits[] = {
    { "ms_analyzer_options", (init_fn)ms_analyzer_options_init, MS_ANALYZER_OPTIONS_VERSION },
    { "ms_bars_options", (init_fn)ms_bars_options_init, MS_BARS_OPTIONS_VERSION },
    { "ms_source_options", (init_fn)ms_source_options_init, MS_SOURCE_OPTIONS_VERSION },
    { "ms_metrics_options", (init_fn)ms_metrics_options_init, MS_METRICS_OPTIONS_VERSION },
    { "ms_model_options", (init_fn)ms_model_options_init, MS_MODEL_OPTIONS_VERSION },
    { "ms_forecast_options", (init_fn)ms_forecast_options_init, MS_FORECAST_OPTIONS_VERSION },
    { "ms_bar_forecast_options", (init_fn)ms_bar_forecast_options_init,
      MS_BAR_FORECAST_OPTIONS_VERSION },
    { "ms_broker_options", (init_fn)ms_broker_options_init, MS_BROKER_OPTIONS_VERSION },
    { "ms_trade_options", (init_fn)ms_trade_options_init, MS_TRADE_OPTIONS_VERSION },
};

static void test_every_init_refuses_version_zero_and_newer_versions_naming_its_struct(void **state)
{
    (void)state;
    unsigned char buffer[1024];
    for (size_t i = 0; i < ARRAY_LEN(inits); i++) {
        const int bad[] = { 0, -1, inits[i].newest + 1 };
        for (size_t b = 0; b < ARRAY_LEN(bad); b++) {
            assert_int_equal(inits[i].init(buffer, bad[b]), MS_ERR_INVALID_ARG);
            assert_non_null(strstr(ms_last_error(), inits[i].name));
        }
        assert_int_equal(inits[i].init(NULL, inits[i].newest), MS_ERR_INVALID_ARG);
        for (int v = 1; v <= inits[i].newest; v++) {
            assert_int_equal(inits[i].init(buffer, v), MS_OK);
            int version;
            memcpy(&version, buffer, sizeof version);
            assert_int_equal(version, v);
        }
    }
}

static const ms_analyzer_options analyzer_macro = MS_ANALYZER_OPTIONS_INIT;
static const ms_bars_options bars_macro = MS_BARS_OPTIONS_INIT;
static const ms_source_options source_macro = MS_SOURCE_OPTIONS_INIT;
static const ms_metrics_options metrics_macro = MS_METRICS_OPTIONS_INIT;
static const ms_model_options model_macro = MS_MODEL_OPTIONS_INIT;
static const ms_forecast_options forecast_macro = MS_FORECAST_OPTIONS_INIT;
static const ms_bar_forecast_options bar_forecast_macro = MS_BAR_FORECAST_OPTIONS_INIT;
static const ms_broker_options broker_macro = MS_BROKER_OPTIONS_INIT;
static const ms_trade_options trade_macro = MS_TRADE_OPTIONS_INIT;
static const void *const macros[] = { &analyzer_macro, &bars_macro, &source_macro,
                                      &metrics_macro, &model_macro, &forecast_macro,
                                      &bar_forecast_macro, &broker_macro, &trade_macro };

/* The bytes of a field's value (its padding aside), from records.h. */
static size_t field_bytes(const ms_record_field *field)
{
    if (field->type == MS_FIELD_RECORD)
        return ms_record_find(field->target)->size;
    if (field->type == MS_FIELD_INT || field->type == MS_FIELD_UNSIGNED)
        return sizeof(int);
    return field->type == MS_FIELD_CHARS ? field->count : 8;
}

static void test_each_init_gives_its_init_macros_value_field_by_field(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(inits); i++) {
        const ms_record *record = ms_record_find(inits[i].name);
        assert_non_null(record);
        assert_int_equal(record->version, inits[i].newest);
        unsigned char buffer[1024];
        assert_int_equal(inits[i].init(buffer, inits[i].newest), MS_OK);
        for (size_t f = 0; f < record->field_count; f++) {
            const ms_record_field *field = &record->fields[f];
            if (memcmp(buffer + field->offset, (const char *)macros[i] + field->offset,
                       field_bytes(field)) != 0)
                fail_msg("%s.%s: the init function and the INIT macro differ", record->name,
                         field->name);
        }
    }
}

static void test_init_of_the_newest_version_gives_the_init_macros_values(void **state)
{
    (void)state;
    ms_analyzer_options analyzer;
    assert_int_equal(ms_analyzer_options_init(&analyzer, MS_ANALYZER_OPTIONS_VERSION), MS_OK);
    assert_true(analyzer.stock_fee == -1 && analyzer.crypto_fee == -1);
    assert_true(analyzer.buying_power == -1 && analyzer.position_size == -1);
    assert_int_equal(analyzer.fills, MS_FILLS_UNSET);
    assert_int_equal(analyzer.offsets, MS_OFFSETS_UNSET);
    ms_bar_forecast_options bars;
    assert_int_equal(ms_bar_forecast_options_init(&bars, MS_BAR_FORECAST_OPTIONS_VERSION), MS_OK);
    assert_true(bars.top_p == 0.9 && bars.temperature == 1.0 && bars.num_samples == 1);
    ms_metrics_options metrics;
    assert_int_equal(ms_metrics_options_init(&metrics, MS_METRICS_OPTIONS_VERSION), MS_OK);
    assert_true(metrics.periods_per_year == 252.0);
    ms_source_options source;
    assert_int_equal(ms_source_options_init(&source, MS_SOURCE_OPTIONS_VERSION), MS_OK);
    assert_int_equal(source.bars.version, MS_BARS_OPTIONS_VERSION);
    assert_true(source.bars.ohlc_tolerance == 1e-6);
}

static void test_init_of_an_older_version_writes_only_that_versions_fields(void **state)
{
    (void)state;
    ms_model_options opts;
    memset(&opts, 0xAB, sizeof opts);
    assert_int_equal(ms_model_options_init(&opts, 1), MS_OK);
    const unsigned char *bytes = (const unsigned char *)&opts;
    for (size_t b = offsetof(ms_model_options, precision); b < sizeof opts; b++)
        assert_int_equal(bytes[b], 0xAB);
    assert_int_equal(opts.version, 1);
    assert_null(opts.device);
}

static void test_an_older_model_options_version_never_reads_the_fields_it_lacks(void **state)
{
    (void)state;
    /* The baseline refuses any precision but fp32: read, "int8" would fail. */
    ms_model_options opts;
    assert_int_equal(ms_model_options_init(&opts, MS_MODEL_OPTIONS_VERSION), MS_OK);
    opts.precision = "int8";
    ms_model *model = NULL;
    assert_int_equal(ms_model_open(&model, "baseline", &opts), MS_ERR_UNSUPPORTED);
    opts.version = 1;
    assert_int_equal(ms_model_open(&model, "baseline", &opts), MS_OK);
    assert_string_equal(ms_model_precision(model), "fp32");
    ms_model_free(model);
}

/* `size` bytes that end where an inaccessible page begins: a read past them
 * is a segmentation fault. Freed with release_guarded. */
static void *guarded(size_t size, void **mapping)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    char *base = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                      -1, 0);
    assert_true(base != MAP_FAILED);
    assert_int_equal(mprotect(base + page, page, PROT_NONE), 0);
    *mapping = base;
    return base + page - size;
}

static void release_guarded(void *mapping)
{
    munmap(mapping, 2 * (size_t)sysconf(_SC_PAGESIZE));
}

static void test_an_older_struct_is_never_read_past_its_versions_size(void **state)
{
    (void)state;
    void *mapping;
    ms_model_options *model_opts = guarded(offsetof(ms_model_options, precision), &mapping);
    assert_int_equal(ms_model_options_init(model_opts, 1), MS_OK);
    ms_model *model = NULL;
    assert_int_equal(ms_model_open(&model, "baseline", model_opts), MS_OK);
    release_guarded(mapping);
    ms_analyzer_options *opts = guarded(offsetof(ms_analyzer_options, fills), &mapping);
    assert_int_equal(ms_analyzer_options_init(opts, 2), MS_OK);
    opts->simulations = 3;
    assert_int_equal(ms_analyzer_options_resolve(opts), MS_OK);
    assert_int_equal(opts->simulations, 3);
    ms_source *source = NULL;
    ms_analyzer *analyzer = NULL;
    assert_int_equal(ms_source_open(&source, "synthetic", NULL), MS_OK);
    assert_int_equal(ms_analyzer_create(&analyzer, source, model, opts), MS_OK);
    release_guarded(mapping);
    ms_analyzer_free(analyzer);
    ms_source_free(source);
    ms_model_free(model);
}

static void test_a_newer_options_version_is_refused_by_the_function_reading_it(void **state)
{
    (void)state;
    ms_model_options model_opts = MS_MODEL_OPTIONS_INIT;
    model_opts.version = MS_MODEL_OPTIONS_VERSION + 1;
    ms_model *model = NULL;
    assert_int_equal(ms_model_open(&model, "baseline", &model_opts), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "ms_model_options version"));
    assert_non_null(strstr(ms_last_error(), "newer header"));
    ms_source_options source_opts = MS_SOURCE_OPTIONS_INIT;
    source_opts.version = MS_SOURCE_OPTIONS_VERSION + 1;
    ms_source *source = NULL;
    assert_int_equal(ms_source_open(&source, "synthetic", &source_opts), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "ms_source_options"));
    ms_analyzer_options analyzer_opts = MS_ANALYZER_OPTIONS_INIT;
    analyzer_opts.version = MS_ANALYZER_OPTIONS_VERSION + 1;
    assert_int_equal(ms_analyzer_options_resolve(&analyzer_opts), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "ms_analyzer_options"));
}

static void test_a_version_2_analyzer_struct_resolves_in_its_own_size(void **state)
{
    (void)state;
    ms_analyzer_options opts;
    memset(&opts, 0xAB, sizeof opts);
    assert_int_equal(ms_analyzer_options_init(&opts, 2), MS_OK);
    opts.stock_fee = 0;
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_OK);
    assert_int_equal(opts.version, 2);
    assert_true(opts.stock_fee == 0.0 && opts.crypto_fee == 0.001);
    assert_int_equal(opts.simulations, 70);
    const unsigned char *bytes = (const unsigned char *)&opts;
    for (size_t b = offsetof(ms_analyzer_options, fills); b < sizeof opts; b++)
        assert_int_equal(bytes[b], 0xAB);
}

/* Buy-and-hold's summed simulation returns on AAPL with stock_fee `fee`
 * (-1: unset), and the fee the report says it used. */
static double buy_hold_returns(double fee, double *used_fee)
{
    ms_source *source = NULL;
    ms_model *model = NULL;
    ms_analyzer *analyzer = NULL;
    ms_report *report = NULL;
    ms_analyzer_options opts;
    assert_int_equal(ms_analyzer_options_init(&opts, MS_ANALYZER_OPTIONS_VERSION), MS_OK);
    opts.simulations = 5;
    opts.eval_days = 2;
    opts.parallel = 0;
    opts.stock_fee = fee;
    assert_int_equal(ms_source_open(&source, "synthetic", NULL), MS_OK);
    assert_int_equal(ms_model_open(&model, "baseline", NULL), MS_OK);
    assert_int_equal(ms_analyzer_create(&analyzer, source, model, &opts), MS_OK);
    const char *symbols[] = { "AAPL" };
    assert_int_equal(ms_analyzer_run(analyzer, symbols, 1, &report), MS_OK);
    const ms_strategy_summary *summary =
        ms_symbol_report_strategy(ms_report_symbol(report, 0), MS_STRATEGY_BUY_HOLD);
    assert_non_null(summary);
    double sum = 0;
    for (size_t k = 0; k < summary->simulations; k++)
        sum += summary->simulation_returns[k];
    *used_fee = ms_report_options(report)->stock_fee;
    ms_report_free(report);
    ms_analyzer_free(analyzer);
    ms_model_free(model);
    ms_source_free(source);
    return sum;
}

static void test_a_stock_fee_of_zero_is_a_real_value_that_an_analysis_charges(void **state)
{
    (void)state;
    unsetenv("MARKETSIM_STOCK_FEE");
    double free_fee, unset_fee, high_fee;
    double free_returns = buy_hold_returns(0, &free_fee);
    double unset_returns = buy_hold_returns(-1, &unset_fee);
    double high_returns = buy_hold_returns(0.01, &high_fee);
    assert_true(free_fee == 0.0);
    assert_true(unset_fee == 0.0005);
    assert_true(high_fee == 0.01);
    assert_true(free_returns > unset_returns);
    assert_true(unset_returns > high_returns);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_init_refuses_version_zero_and_newer_versions_naming_its_struct),
        cmocka_unit_test(test_init_of_the_newest_version_gives_the_init_macros_values),
        cmocka_unit_test(test_each_init_gives_its_init_macros_value_field_by_field),
        cmocka_unit_test(test_init_of_an_older_version_writes_only_that_versions_fields),
        cmocka_unit_test(test_an_older_model_options_version_never_reads_the_fields_it_lacks),
        cmocka_unit_test(test_an_older_struct_is_never_read_past_its_versions_size),
        cmocka_unit_test(test_a_newer_options_version_is_refused_by_the_function_reading_it),
        cmocka_unit_test(test_a_version_2_analyzer_struct_resolves_in_its_own_size),
        cmocka_unit_test(test_a_stock_fee_of_zero_is_a_real_value_that_an_analysis_charges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
