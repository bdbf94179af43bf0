/*
 * test_model_forecast.c - ms_model_forecast end to end on the baseline:
 * output layout, analytic and sample-based summaries, sample determinism,
 * batching and statistics (argument checks: test_model_checks.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "model/model_internal.h"

/* The baseline's 0.975 quantile is loc + scale * t_5(0.975). */
#define T5_975 2.5705818356363155

static const double context_a[] = { 0.5, -1.2, 0.8, 0.1, -0.4, 1.6, -0.9, 0.3 };
static const double context_b[] = { -0.2, 0.4, 2.1, -1.7, 0.6, 0.0, 0.9, -0.5 };

static ms_model *open_baseline(size_t max_batch)
{
    ms_model_options opts = MS_MODEL_OPTIONS_INIT;
    opts.max_batch = max_batch;
    ms_model *model = NULL;
    assert_int_equal(ms_model_open(&model, "baseline", &opts), MS_OK);
    return model;
}

static double *nan_buffer(size_t n)
{
    double *buffer = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++)
        buffer[i] = NAN;
    return buffer;
}

/* Two series of two variates (rows a|b and b|a), horizon 3, two quantile
 * levels and three aggregates, analytic: every slot is written where
 * model.h says, and the summaries agree with each other. */
static void test_analytic_outputs_fill_the_documented_layout(void **state)
{
    (void)state;
    enum { B = 2, V = 2, H = 3, Q = 2, A = 3 };
    double rows[B][V * 8];
    memcpy(rows[0], context_a, sizeof context_a);
    memcpy(rows[0] + 8, context_b, sizeof context_b);
    memcpy(rows[1], context_b, sizeof context_b);
    memcpy(rows[1] + 8, context_a, sizeof context_a);
    ms_series series[B] = { { rows[0], 8, V, 1 }, { rows[1], 8, V, 2 } };
    const double levels[Q] = { 0.025, 0.975 };
    const ms_aggregate aggregates[A] = {
        { MS_AGG_MEAN, 0.0 }, { MS_AGG_MEDIAN, 0.0 }, { MS_AGG_QUANTILE, 0.975 } };
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    opts.horizon = H;
    opts.quantiles = levels;
    opts.num_quantiles = Q;
    opts.aggregates = aggregates;
    opts.num_aggregates = A;
    ms_forecast_output out = { nan_buffer(B * V * H), nan_buffer(B * Q * V * H),
                               nan_buffer(B * A * V * H), NULL };
    ms_model *model = open_baseline(0);
    assert_int_equal(ms_model_forecast(model, series, B, &opts, &out), MS_OK);
    for (size_t b = 0; b < B; b++)
        for (size_t v = 0; v < V; v++)
            for (size_t h = 0; h < H; h++) {
                double mean = out.mean[(b * V + v) * H + h];
                double lower = out.quantiles[((b * Q + 0) * V + v) * H + h];
                double upper = out.quantiles[((b * Q + 1) * V + v) * H + h];
                const double *agg = out.aggregates + b * A * V * H + v * H + h;
                double scale = (upper - mean) / T5_975;
                assert_true(scale > 0.0);
                /* symmetric: 1e-12 of the scale covers the quantile solver */
                assert_true(fabs((mean - lower) - (upper - mean)) < 1e-12 * scale);
                assert_true(agg[0] == mean);
                assert_true(fabs(agg[V * H] - mean) < 1e-12 * scale);
                assert_true(agg[2 * V * H] == upper);
            }
    /* series 1 variate 0 is series 0 variate 1 (same context b) */
    assert_true(out.mean[(1 * V + 0) * H] == out.mean[(0 * V + 1) * H]);
    ms_model_free(model);
    free(out.mean);
    free(out.quantiles);
    free(out.aggregates);
}

static void test_analytic_trimmed_mean_of_the_baseline_is_its_centre(void **state)
{
    (void)state;
    ms_series series = { context_a, 8, 1, 0 };
    const ms_aggregate trimmed = { MS_AGG_TRIMMED_MEAN, 0.1 };
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    opts.aggregates = &trimmed;
    opts.num_aggregates = 1;
    double mean, value;
    ms_forecast_output out = { &mean, NULL, &value, NULL };
    ms_model *model = open_baseline(0);
    assert_int_equal(ms_model_forecast(model, &series, 1, &opts, &out), MS_OK);
    /* the context's scale is about 1: 1e-12 absolute covers the solver */
    assert_true(fabs(value - mean) < 1e-12);
    ms_model_free(model);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* S = 101: the median is order statistic 50, quantile 0.25 is order
 * statistic 25 exactly, trimmed_mean_10 drops int(10.1) = 10 per tail. */
static void test_sample_summaries_are_numpy_and_scipy_statistics(void **state)
{
    (void)state;
    enum { S = 101, A = 4 };
    ms_series series = { context_b, 8, 1, 9 };
    const double level = 0.25;
    const ms_aggregate aggregates[A] = { { MS_AGG_MEAN, 0.0 }, { MS_AGG_MEDIAN, 0.0 },
                                         { MS_AGG_TRIMMED_MEAN, 0.1 },
                                         { MS_AGG_QUANTILE, 0.25 } };
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    opts.num_samples = S;
    opts.quantiles = &level;
    opts.num_quantiles = 1;
    opts.aggregates = aggregates;
    opts.num_aggregates = A;
    double samples[S], quantile, values[A], sorted[S];
    ms_forecast_output out = { NULL, &quantile, values, samples };
    ms_model *model = open_baseline(0);
    assert_int_equal(ms_model_forecast(model, &series, 1, &opts, &out), MS_OK);
    memcpy(sorted, samples, sizeof sorted);
    qsort(sorted, S, sizeof(double), compare_doubles);
    double sum = 0.0, central = 0.0;
    for (size_t s = 0; s < S; s++)
        sum += sorted[s];
    for (size_t s = 10; s < S - 10; s++)
        central += sorted[s];
    /* sums in a different order: 1e-12 relative */
    assert_true(fabs(values[0] - sum / S) <= 1e-12 * fabs(sum / S));
    assert_true(values[1] == sorted[50]);
    assert_true(fabs(values[2] - central / (S - 20)) <= 1e-12 * fabs(central / (S - 20)));
    assert_true(values[3] == sorted[25]);
    assert_true(quantile == sorted[25]);
    ms_model_free(model);
}

/* 100000 samples: mean within 5 standard errors (sd = scale * sqrt(5/3) for
 * df 5), the 0.1 and 0.9 sample quantiles within 5 standard errors
 * sqrt(p (1 - p) / n) / pdf(q) of the analytic ones. */
static void test_sample_statistics_agree_with_the_distribution(void **state)
{
    (void)state;
    enum { S = 100000 };
    ms_series series = { context_a, 8, 1, 77 };
    const double levels[3] = { 0.1, 0.9, 0.975 };
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    opts.quantiles = levels;
    opts.num_quantiles = 3;
    double mean, analytic[3], sampled[3];
    ms_forecast_output out = { &mean, analytic, NULL, NULL };
    ms_model *model = open_baseline(0);
    assert_int_equal(ms_model_forecast(model, &series, 1, &opts, &out), MS_OK);
    opts.num_samples = S;
    double *samples = malloc(S * sizeof(double));
    ms_forecast_output drawn = { NULL, sampled, NULL, samples };
    assert_int_equal(ms_model_forecast(model, &series, 1, &opts, &drawn), MS_OK);
    double scale = (analytic[2] - mean) / T5_975;
    double standard_error = scale * sqrt(5.0 / 3.0) / sqrt(S);
    assert_true(fabs(ms_values_mean(samples, S) - mean) < 5.0 * standard_error);
    double df = 5.0, one = 1.0;
    ms_mixture fitted = { 1, &one, &df, &mean, &scale };
    for (int i = 0; i < 2; i++) {
        double density = ms_mixture_pdf(&fitted, analytic[i]);
        double error = sqrt(levels[i] * (1.0 - levels[i]) / S) / density;
        assert_true(fabs(sampled[i] - analytic[i]) < 5.0 * error);
    }
    free(samples);
    ms_model_free(model);
}

/* Samples of series 0 with the given seed, forecast as member `position`
 * of a batch of `n` copies of other contexts, by a model of max_batch. */
static void samples_in_batch(uint64_t seed, size_t position, size_t n, size_t max_batch,
                             double *samples)
{
    enum { S = 50, H = 2 };
    ms_series batch[8];
    for (size_t i = 0; i < n; i++)
        batch[i] = (ms_series){ i % 2 ? context_a : context_b, 8, 1, 1000 + i };
    batch[position] = (ms_series){ context_a, 8, 1, seed };
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    opts.horizon = H;
    opts.num_samples = S;
    double all[8 * S * H];
    ms_forecast_output out = { NULL, NULL, NULL, all };
    ms_model *model = open_baseline(max_batch);
    assert_int_equal(ms_model_forecast(model, batch, n, &opts, &out), MS_OK);
    memcpy(samples, all + position * S * H, S * H * sizeof(double));
    ms_model_free(model);
}

static void test_samples_repeat_for_a_seed_and_change_with_it(void **state)
{
    (void)state;
    double first[100], again[100], other[100];
    samples_in_batch(5, 0, 1, 0, first);
    samples_in_batch(5, 0, 1, 0, again);
    samples_in_batch(6, 0, 1, 0, other);
    assert_memory_equal(first, again, sizeof first);
    for (size_t i = 0; i < 100; i++)
        assert_true(first[i] != other[i]);
}

static void test_samples_do_not_depend_on_batch_position_or_composition(void **state)
{
    (void)state;
    double alone[100], inside[100], chunked[100];
    samples_in_batch(5, 0, 1, 0, alone);
    samples_in_batch(5, 3, 6, 0, inside);
    samples_in_batch(5, 5, 7, 2, chunked);
    assert_memory_equal(alone, inside, sizeof alone);
    assert_memory_equal(alone, chunked, sizeof alone);
}

static void test_identical_variates_draw_from_different_streams(void **state)
{
    (void)state;
    enum { S = 20 };
    double rows[16];
    memcpy(rows, context_a, sizeof context_a);
    memcpy(rows + 8, context_a, sizeof context_a);
    ms_series series = { rows, 8, 2, 3 };
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    opts.num_samples = S;
    double samples[S * 2];
    ms_forecast_output out = { NULL, NULL, NULL, samples };
    ms_model *model = open_baseline(0);
    assert_int_equal(ms_model_forecast(model, &series, 1, &opts, &out), MS_OK);
    for (size_t s = 0; s < S; s++)
        assert_true(samples[s * 2] != samples[s * 2 + 1]);
    ms_model_free(model);
}

/* Every output of 10 series with max_batch 3 (4 passes) equals max_batch 64
 * (1 pass), bit for bit. */
static void test_chunking_changes_passes_but_not_outputs(void **state)
{
    (void)state;
    enum { B = 10, S = 30, Q = 1, A = 1, H = 2 };
    ms_series series[B];
    for (size_t i = 0; i < B; i++)
        series[i] = (ms_series){ i % 3 ? context_a : context_b, 5 + i % 4, 1, i };
    const double level = 0.3;
    const ms_aggregate trimmed = { MS_AGG_TRIMMED_MEAN, 0.2 };
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    opts.horizon = H;
    opts.num_samples = S;
    opts.quantiles = &level;
    opts.num_quantiles = Q;
    opts.aggregates = &trimmed;
    opts.num_aggregates = A;
    double results[2][B * H * (1 + Q + A + S)];
    const size_t max_batches[2] = { 3, 0 };
    const uint64_t passes[2] = { 4, 1 };
    for (int run = 0; run < 2; run++) {
        double *r = results[run];
        ms_forecast_output out = { r, r + B * H, r + B * H * (1 + Q), r + B * H * (1 + Q + A) };
        ms_model *model = open_baseline(max_batches[run]);
        assert_int_equal(ms_model_forecast(model, series, B, &opts, &out), MS_OK);
        ms_model_stats stats;
        assert_int_equal(ms_model_get_stats(model, &stats), MS_OK);
        assert_int_equal(stats.forward_passes, passes[run]);
        assert_int_equal(stats.contexts, B);
        ms_model_free(model);
    }
    assert_memory_equal(results[0], results[1], sizeof results[0]);
}

typedef struct worker_job {
    ms_model *model;
    ms_status status;
} worker_job;

static void *forecast_repeatedly(void *arg)
{
    worker_job *job = arg;
    ms_series series[3] = { { context_a, 8, 1, 1 }, { context_b, 8, 1, 2 },
                            { context_a, 4, 1, 3 } };
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    double mean[3];
    ms_forecast_output out = { mean, NULL, NULL, NULL };
    job->status = MS_OK;
    for (int call = 0; call < 25 && job->status == MS_OK; call++)
        job->status = ms_model_forecast(job->model, series, 3, &opts, &out);
    return NULL;
}

/* 4 threads x 25 calls x 3 series with max_batch 2: 100 calls, 300
 * contexts, 200 passes, none lost to a race. */
static void test_stats_count_concurrent_forecasts_exactly(void **state)
{
    (void)state;
    ms_model *model = open_baseline(2);
    pthread_t threads[4];
    worker_job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i].model = model;
        assert_int_equal(pthread_create(&threads[i], NULL, forecast_repeatedly, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(jobs[i].status, MS_OK);
    }
    ms_model_stats stats;
    assert_int_equal(ms_model_get_stats(model, &stats), MS_OK);
    assert_int_equal(stats.forecast_calls, 100);
    assert_int_equal(stats.contexts, 300);
    assert_int_equal(stats.forward_passes, 200);
    assert_true(stats.busy_seconds > 0.0);
    assert_int_equal(ms_model_get_stats(NULL, &stats), MS_ERR_INVALID_ARG);
    ms_model_free(model);
}

static void test_no_series_and_default_options_are_accepted(void **state)
{
    (void)state;
    ms_model *model = open_baseline(0);
    ms_forecast_output out = { NULL, NULL, NULL, NULL };
    assert_int_equal(ms_model_forecast(model, NULL, 0, NULL, &out), MS_OK);
    ms_series series = { context_a, 8, 1, 0 };
    double mean = NAN;
    out.mean = &mean;
    assert_int_equal(ms_model_forecast(model, &series, 1, NULL, &out), MS_OK);
    assert_true(isfinite(mean));
    ms_model_stats stats;
    assert_int_equal(ms_model_get_stats(model, &stats), MS_OK);
    assert_int_equal(stats.forecast_calls, 2);
    assert_int_equal(stats.forward_passes, 1);
    ms_model_free(model);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_analytic_outputs_fill_the_documented_layout),
        cmocka_unit_test(test_analytic_trimmed_mean_of_the_baseline_is_its_centre),
        cmocka_unit_test(test_sample_summaries_are_numpy_and_scipy_statistics),
        cmocka_unit_test(test_sample_statistics_agree_with_the_distribution),
        cmocka_unit_test(test_samples_repeat_for_a_seed_and_change_with_it),
        cmocka_unit_test(test_samples_do_not_depend_on_batch_position_or_composition),
        cmocka_unit_test(test_identical_variates_draw_from_different_streams),
        cmocka_unit_test(test_chunking_changes_passes_but_not_outputs),
        cmocka_unit_test(test_stats_count_concurrent_forecasts_exactly),
        cmocka_unit_test(test_no_series_and_default_options_are_accepted),
    };
    return cmocka_run_group_tests_name("model_forecast", tests, NULL, NULL);
}
