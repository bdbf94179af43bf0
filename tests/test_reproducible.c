/*
 * test_reproducible.c - a symbol's analysis report is a function of its own
 * data, the model and the options: bit for bit the same for any worker
 * count, parallel or sequential, alone or among other symbols, under every
 * ablation, on a repeat, and with seeded samples. Checked with the tiny
 * Toto fixture and a `small` preset checkpoint written for the run, on the
 * hand-made bars of tests/fixtures/analyze (GOOD, OTHER, STALE; SHORT and
 * BADHIGH fail to load or are too short, and must not disturb the others).
 * The shared-batches ablation is the control: it mixes symbols in a batch,
 * and the same comparisons must then see a difference.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "marketsim/marketsim.h"
#include "support/temp_dir.h"

#define MODELS 2
#define SIMULATIONS 4

static const char *const everyone[] = { "GOOD", "SHORT", "OTHER", "BADHIGH", "STALE", 0 };
static const char *const good_alone[] = { "GOOD" };

typedef struct fixture {
    char *dir;                 /* holds the small checkpoint */
    ms_source *source;
    ms_model *models[MODELS];  /* the tiny fixture, the small preset */
} fixture;

typedef struct run {
    int parallel;
    int workers;
    unsigned ablations;
    size_t num_samples;
    uint64_t seed;
    int in_sample_offsets;     /* 0: walk-forward (the default); 1: in-sample */
} run;

static ms_model *open_model(const char *dir)
{
    ms_model_options opts = MS_MODEL_OPTIONS_INIT;
    opts.num_threads = 1;
    ms_model *model = NULL;
    assert_int_equal(ms_model_open(&model, dir, &opts), MS_OK);
    return model;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    const char *root = getenv("MARKETSIM_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof path, "csv:%s/tests/fixtures/analyze", root ? root : ".");
    assert_int_equal(ms_source_open(&f->source, path, NULL), MS_OK);
    snprintf(path, sizeof path, "%s/tests/fixtures/toto-tiny", root ? root : ".");
    f->models[0] = open_model(path);
    f->dir = temp_dir_create();
    assert_non_null(f->dir);
    char *small = temp_dir_path(f->dir, "small");
    assert_int_equal(ms_model_init_checkpoint(small, "small", 7), MS_OK);
    f->models[1] = open_model(small);
    free(small);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    for (int m = 0; m < MODELS; m++)
        ms_model_free(f->models[m]);
    ms_source_free(f->source);
    temp_dir_remove(f->dir);
    free(f);
    return 0;
}

static ms_report *analyze(const fixture *f, int model, const char *const *symbols, size_t n,
                          run how)
{
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.simulations = SIMULATIONS;
    opts.parallel = how.parallel;
    opts.workers = how.workers;
    opts.ablations = how.ablations;
    opts.num_samples = how.num_samples;
    opts.seed = how.seed;
    if (how.in_sample_offsets)
        opts.offsets = MS_OFFSETS_IN_SAMPLE;
    ms_analyzer *analyzer = NULL;
    ms_report *report = NULL;
    assert_int_equal(ms_analyzer_create(&analyzer, f->source, f->models[model], &opts), MS_OK);
    assert_int_equal(ms_analyzer_run(analyzer, symbols, n, &report), MS_OK);
    ms_analyzer_free(analyzer);
    return report;
}

static const ms_symbol_report *find_symbol(const ms_report *report, const char *symbol)
{
    for (size_t i = 0; i < ms_report_symbol_count(report); i++)
        if (strcmp(ms_report_symbol(report, i)->symbol, symbol) == 0)
            return ms_report_symbol(report, i);
    fail_msg("%s is not in the report", symbol);
    return NULL;
}

/* Whether two values have the same bits (NaN included). */
static int same(const void *a, const void *b, size_t size)
{
    return memcmp(a, b, size) == 0;
}

/* Whether every number of two reports of one symbol has the same bits,
 * timings aside; `what` names the first difference. */
static int same_symbol(const ms_symbol_report *x, const ms_symbol_report *y, const char **what)
{
#define SAME(field)                                              \
    if (!same(&x->field, &y->field, sizeof x->field)) {          \
        *what = #field;                                          \
        return 0;                                                \
    }
    SAME(bars) SAME(last_timestamp) SAME(stale) SAME(last_close)
    SAME(forecast_close) SAME(forecast_high) SAME(forecast_low)
    SAME(maxdiff_choice.high_offset) SAME(maxdiff_choice.low_offset)
    SAME(maxdiff_choice.close_at_eod) SAME(best_strategy) SAME(composite_score)
    SAME(side) SAME(entry_price) SAME(take_profit_price)
    for (int s = 0; s < MS_STRATEGY_COUNT; s++) {
        SAME(strategies[s]->mean) SAME(strategies[s]->baseline_mean)
        SAME(strategies[s]->optimized_mean) SAME(strategies[s]->total_return_std)
        SAME(strategies[s]->simulations)
        for (size_t k = 0; k < x->strategies[s]->simulations; k++)
            SAME(strategies[s]->simulation_returns[k])
    }
#undef SAME
    return 1;
}

/* Every symbol `expected` analysed is in `actual` with the same bits. */
static void assert_same_symbols(const ms_report *expected, const ms_report *actual,
                                const char *model)
{
    assert_true(ms_report_symbol_count(expected) > 0);
    for (size_t i = 0; i < ms_report_symbol_count(expected); i++) {
        const ms_symbol_report *x = ms_report_symbol(expected, i);
        const char *what = NULL;
        if (!same_symbol(x, find_symbol(actual, x->symbol), &what))
            fail_msg("%s with model %s: %s differs", x->symbol, model, what);
    }
}

static const char *const model_names[MODELS] = { "tiny", "small" };

/* For each model: `variant`'s report has `baseline`'s symbols bit for bit. */
static void assert_runs_agree(const fixture *f, const char *const *symbols, size_t n, run baseline,
                              const char *const *variant_symbols, size_t variant_n, run variant)
{
    for (int m = 0; m < MODELS; m++) {
        ms_report *expected = analyze(f, m, symbols, n, baseline);
        ms_report *actual = analyze(f, m, variant_symbols, variant_n, variant);
        assert_same_symbols(expected, actual, model_names[m]);
        ms_report_free(actual);
        ms_report_free(expected);
    }
}

static const run sequential = { 0, 1, 0, 0, 0, 0 };

static void test_a_report_is_the_same_for_one_and_eight_workers(void **state)
{
    assert_runs_agree(*state, everyone, 5, (run){ 1, 1, 0, 0, 0, 0 }, everyone, 5,
                      (run){ 1, 8, 0, 0, 0, 0 });
}

static void test_a_report_is_the_same_parallel_and_sequential(void **state)
{
    assert_runs_agree(*state, everyone, 5, sequential, everyone, 5, (run){ 1, 8, 0, 0, 0, 0 });
}

static void test_a_symbol_report_is_the_same_alone_and_among_other_symbols(void **state)
{
    assert_runs_agree(*state, good_alone, 1, sequential, everyone, 5, (run){ 1, 8, 0, 0, 0, 0 });
}

static void test_every_ablation_gives_the_same_report_bit_for_bit(void **state)
{
    const unsigned ablations[] = {
        MS_ABLATE_NO_DEDUP, MS_ABLATE_RERUN_SAMPLES, MS_ABLATE_SYMBOL_BATCHES,
        MS_ABLATE_NO_OVERLAP,
        MS_ABLATE_NO_DEDUP | MS_ABLATE_RERUN_SAMPLES | MS_ABLATE_SYMBOL_BATCHES |
            MS_ABLATE_NO_OVERLAP,
    };
    for (size_t a = 0; a < sizeof ablations / sizeof ablations[0]; a++) {
        assert_runs_agree(*state, everyone, 5, (run){ 1, 2, 0, 0, 0, 0 }, everyone, 5,
                          (run){ 1, 2, ablations[a], 0, 0, 0 });
        assert_runs_agree(*state, everyone, 5, sequential, everyone, 5,
                          (run){ 0, 1, ablations[a], 0, 0, 0 });
    }
}

static void test_a_repeated_run_gives_the_same_report(void **state)
{
    const run parallel = { 1, 8, 0, 0, 0, 0 };
    assert_runs_agree(*state, everyone, 5, parallel, everyone, 5, parallel);
}

static void test_seeded_samples_are_the_same_alone_among_others_and_in_every_mode(void **state)
{
    const run alone = { 0, 1, 0, 16, 42, 0 };
    assert_runs_agree(*state, good_alone, 1, alone, everyone, 5, (run){ 1, 8, 0, 16, 42, 0 });
    assert_runs_agree(*state, good_alone, 1, alone, everyone, 5,
                      (run){ 1, 3, MS_ABLATE_NO_DEDUP | MS_ABLATE_RERUN_SAMPLES, 16, 42, 0 });
}

/* The seeded comparisons above are not vacuous: the samples are drawn
 * and the seed reaches them. */
static void test_another_seed_draws_other_samples(void **state)
{
    const fixture *f = *state;
    for (int m = 0; m < MODELS; m++) {
        ms_report *a = analyze(f, m, good_alone, 1, (run){ 0, 1, 0, 16, 42, 0 });
        ms_report *b = analyze(f, m, good_alone, 1, (run){ 0, 1, 0, 16, 43, 0 });
        const char *what = NULL;
        assert_false(same_symbol(ms_report_symbol(a, 0), ms_report_symbol(b, 0), &what));
        ms_report_free(a);
        ms_report_free(b);
    }
}

/* The control: batches shared across symbols round a context's forecast
 * with its neighbours (docs/performance.md, "Reproducible batches"), and
 * the comparisons catch it. GOOD and OTHER have the same dates, so in
 * shared batches their contexts of each padded length always mix. With
 * in-sample offsets GOOD has 3 x (N + E) = 30 contexts, so OTHER's fill
 * GOOD's last, partial row tile; with walk-forward's 48 (a multiple of the
 * 12-row tile) the two would happen to split on a tile boundary. */
static void test_shared_batches_make_a_symbol_depend_on_the_others(void **state)
{
    const fixture *f = *state;
    const run shared_batches = { 1, 1, MS_ABLATE_SHARED_BATCHES, 0, 0, 1 };
    for (int m = 0; m < MODELS; m++) {
        ms_report *alone = analyze(f, m, good_alone, 1, shared_batches);
        ms_report *shared = analyze(f, m, everyone, 5, shared_batches);
        const char *what = NULL;
        assert_false(same_symbol(ms_report_symbol(alone, 0), find_symbol(shared, "GOOD"), &what));
        ms_report_free(alone);
        ms_report_free(shared);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_report_is_the_same_for_one_and_eight_workers),
        cmocka_unit_test(test_a_report_is_the_same_parallel_and_sequential),
        cmocka_unit_test(test_a_symbol_report_is_the_same_alone_and_among_other_symbols),
        cmocka_unit_test(test_every_ablation_gives_the_same_report_bit_for_bit),
        cmocka_unit_test(test_a_repeated_run_gives_the_same_report),
        cmocka_unit_test(test_seeded_samples_are_the_same_alone_among_others_and_in_every_mode),
        cmocka_unit_test(test_another_seed_draws_other_samples),
        cmocka_unit_test(test_shared_batches_make_a_symbol_depend_on_the_others),
    };
    return cmocka_run_group_tests_name("reproducible", tests, setup, teardown);
}
