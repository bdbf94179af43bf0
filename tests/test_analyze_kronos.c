/*
 * test_analyze_kronos.c - the analysis engine with a bar model (the
 * kronos-tiny pair): one forecast per (symbol, origin) giving close, high
 * and low together, reproducible whatever the batch, workers and other
 * symbols (each context on its own stream seeded by seed, symbol and
 * origin date), the seed changing sampled forecasts, the forecast cache
 * serving a repeat bit for bit, and --aggregate's median and quantiles of
 * the sample paths.
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

#include "marketsim/marketsim.h"
#include "support/temp_dir.h"

typedef struct fixture {
    ms_source *source;
    ms_model *kronos;
} fixture;

static const char *const everyone[] = { "GOOD", "OTHER", "STALE" };

static int setup(void **state)
{
    const char *root = getenv("MARKETSIM_SOURCE_DIR");
    if (root == NULL)
        return -1;
    fixture *f = calloc(1, sizeof *f);
    char path[4096];
    snprintf(path, sizeof path, "csv:%s/tests/fixtures/analyze", root);
    assert_int_equal(ms_source_open(&f->source, path, NULL), MS_OK);
    snprintf(path, sizeof path, "%s/tests/fixtures/kronos-tiny", root);
    assert_int_equal(ms_model_open(&f->kronos, path, NULL), MS_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ms_model_free(f->kronos);
    ms_source_free(f->source);
    free(f);
    return 0;
}

static ms_analyzer_options options(int parallel, int workers, size_t batch, size_t samples,
                                   uint64_t seed)
{
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.simulations = 3;
    opts.parallel = parallel;
    opts.workers = workers;
    opts.batch_size = batch;
    opts.num_samples = samples;
    opts.seed = seed;
    opts.cache = "off";
    return opts;
}

static ms_report *analyze(const fixture *f, const char *const *symbols, size_t n,
                          ms_analyzer_options opts)
{
    ms_analyzer *analyzer = NULL;
    ms_report *report = NULL;
    assert_int_equal(ms_analyzer_create(&analyzer, f->source, f->kronos, &opts), MS_OK);
    assert_int_equal(ms_analyzer_run(analyzer, symbols, n, &report), MS_OK);
    ms_analyzer_free(analyzer);
    return report;
}

static const ms_symbol_report *find(const ms_report *report, const char *symbol)
{
    for (size_t i = 0; i < ms_report_symbol_count(report); i++)
        if (strcmp(ms_report_symbol(report, i)->symbol, symbol) == 0)
            return ms_report_symbol(report, i);
    fail_msg("%s is not in the report", symbol);
    return NULL;
}

static void one_forecast_per_origin_gives_close_high_and_low(void **state)
{
    ms_report *report = analyze(*state, everyone, 1, options(0, 1, 0, 0, 0));
    const ms_symbol_report *good = find(report, "GOOD");
    assert_true(isfinite(good->forecast_close) && good->forecast_close > 0.0);
    assert_true(isfinite(good->forecast_high) && isfinite(good->forecast_low));
    assert_int_equal(good->forecasts_computed, good->forecast_origins);
    ms_report_free(report);
}

static void same_bits(const ms_symbol_report *x, const ms_symbol_report *y)
{
    assert_memory_equal(&x->forecast_close, &y->forecast_close, sizeof x->forecast_close);
    assert_memory_equal(&x->forecast_high, &y->forecast_high, sizeof x->forecast_high);
    assert_memory_equal(&x->forecast_low, &y->forecast_low, sizeof x->forecast_low);
    assert_memory_equal(&x->composite_score, &y->composite_score, sizeof x->composite_score);
    for (int s = 0; s < MS_STRATEGY_COUNT; s++)
        for (size_t k = 0; k < x->strategies[s]->simulations; k++)
            assert_memory_equal(&x->strategies[s]->simulation_returns[k],
                                &y->strategies[s]->simulation_returns[k], sizeof(double));
}

static void sampled_results_do_not_depend_on_batches_workers_or_other_symbols(void **state)
{
    ms_report *alone = analyze(*state, everyone, 1, options(0, 1, 1, 4, 9));
    ms_report *among = analyze(*state, everyone, 3, options(1, 4, 5, 4, 9));
    same_bits(find(alone, "GOOD"), find(among, "GOOD"));
    ms_report_free(alone);
    ms_report_free(among);
}

static void the_seed_changes_sampled_forecasts(void **state)
{
    ms_report *one = analyze(*state, everyone, 1, options(0, 1, 0, 2, 1));
    ms_report *two = analyze(*state, everyone, 1, options(0, 1, 0, 2, 2));
    assert_true(memcmp(&find(one, "GOOD")->forecast_close, &find(two, "GOOD")->forecast_close,
                       sizeof(double)) != 0);
    ms_report_free(one);
    ms_report_free(two);
}

static void a_repeat_comes_from_the_forecast_cache_bit_for_bit(void **state)
{
    char *dir = temp_dir_create();
    char *file = temp_dir_path(dir, "forecasts.sqlite");
    ms_analyzer_options opts = options(0, 1, 0, 2, 5);
    opts.cache = file;
    ms_report *cold = analyze(*state, everyone, 1, opts);
    ms_report *warm = analyze(*state, everyone, 1, opts);
    const ms_symbol_report *first = find(cold, "GOOD"), *again = find(warm, "GOOD");
    assert_int_equal(first->forecasts_cached, 0);
    assert_int_equal(again->forecasts_computed, 0);
    assert_int_equal(again->forecasts_cached, first->forecasts_computed);
    same_bits(first, again);
    ms_report_free(cold);
    ms_report_free(warm);
    free(file);
    temp_dir_remove(dir);
}

/* --aggregate summarises each context's sample paths: the median and the
 * quartiles are other forecasts than the mean, ordered as quantiles are,
 * and as reproducible whatever the batch. */
static void aggregates_summarise_the_sample_paths(void **state)
{
    fixture *f = *state;
    const char *const aggregates[] = { "mean", "quantile_0.25", "median", "quantile_0.75" };
    ms_report *reports[4];
    for (size_t a = 0; a < 4; a++) {
        ms_analyzer_options opts = options(0, 1, 0, 8, 3);
        opts.aggregate = aggregates[a];
        reports[a] = analyze(f, everyone, 1, opts);
    }
    const ms_symbol_report *mean = find(reports[0], "GOOD"), *low = find(reports[1], "GOOD");
    const ms_symbol_report *median = find(reports[2], "GOOD"), *high = find(reports[3], "GOOD");
    assert_true(median->forecast_close != mean->forecast_close);
    assert_true(low->forecast_close <= median->forecast_close);
    assert_true(median->forecast_close <= high->forecast_close);
    assert_true(low->forecast_close < high->forecast_close);
    ms_analyzer_options batched = options(1, 2, 2, 8, 3);
    batched.aggregate = "median";
    ms_report *again = analyze(f, everyone, 3, batched);
    same_bits(median, find(again, "GOOD"));
    for (size_t a = 0; a < 4; a++)
        ms_report_free(reports[a]);
    ms_report_free(again);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_forecast_per_origin_gives_close_high_and_low),
        cmocka_unit_test(sampled_results_do_not_depend_on_batches_workers_or_other_symbols),
        cmocka_unit_test(the_seed_changes_sampled_forecasts),
        cmocka_unit_test(a_repeat_comes_from_the_forecast_cache_bit_for_bit),
        cmocka_unit_test(aggregates_summarise_the_sample_paths),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
