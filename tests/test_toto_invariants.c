/*
 * test_toto_invariants.c - properties of the Toto port that hold for any
 * weights, on a random checkpoint of another shape than the fixture's
 * (patch 8, space-wise layer first, two variates, contexts that are not
 * multiples of the patch): causality, left padding, batch independence,
 * one forward pass per padded length, thread safety, and the outputs of
 * the public API beyond one patch.
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
#include "model/checkpoint.h"
#include "model/model_internal.h"
#include "model/toto/toto_internal.h"
#include "support/temp_dir.h"

enum { P = 8, V = 2, K = 3 };

/* Writes a random checkpoint into the test's directory: patch 8, D 32, two
 * heads, layers [space, time, time], three components. */
static const char *random_checkpoint(void **state)
{
    const char *dir = *state;
    ms_toto_config config;
    assert_int_equal(ms_toto_config_preset("tiny", &config), MS_OK);
    config.patch_size = config.stride = P;
    config.embed_dim = 32;
    config.num_heads = 2;
    config.num_layers = 3;
    config.spacewise_every_n_layers = 3;
    config.spacewise_first = true;
    config.mlp_hidden_dim = 64;
    config.k_components = K;
    assert_int_equal(ms_toto_checkpoint_init(dir, &config, 7), MS_OK);
    return dir;
}

static ms_forecaster open_backend(void **state)
{
    ms_model_options opts = MS_MODEL_OPTIONS_INIT;
    opts.device = "cpu";
    opts.dtype = "float32";
    opts.precision = "fp32"; /* ms_toto_open takes options as ms_model_open resolves them */
    opts.max_batch = 64;
    ms_forecaster forecaster;
    assert_int_equal(ms_toto_open(random_checkpoint(state), &opts, &forecaster), MS_OK);
    return forecaster;
}

static ms_model *open_model(void **state)
{
    ms_model *model = NULL;
    assert_int_equal(ms_model_open(&model, random_checkpoint(state), NULL), MS_OK);
    return model;
}

/* A price-like random walk per variate, deterministic for `seed`. */
static void random_walk(double *values, size_t length, uint64_t seed)
{
    ms_rng rng;
    ms_rng_init(&rng, seed, 0);
    for (size_t v = 0; v < V; v++) {
        double level = 100.0 * (double)(v + 1);
        for (size_t t = 0; t < length; t++) {
            level += ms_rng_normal(&rng);
            values[v * length + t] = level;
        }
    }
}

static void to_floats(const double *values, float *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (float)values[i];
}

/* Changing a value of patch 4 leaves every output of patches 0-3 exactly
 * as it was (the same shapes take the same code paths, and masked
 * attention weights are exactly 0), and changes patch 4's. */
static void test_changing_a_later_value_leaves_earlier_patches_unchanged(void **state)
{
    enum { T = 37, PADDED = 40, CHANGED = 30 /* padded step 33: patch 4 */ };
    ms_forecaster forecaster = open_backend(state);
    double values[V * T];
    random_walk(values, T, 11);
    float before[V * T], after[V * T];
    to_floats(values, before, V * T);
    memcpy(after, before, sizeof before);
    after[T + CHANGED] += 25.0f; /* variate 1 */
    ms_toto_trace a, b;
    assert_int_equal(ms_toto_trace_forward(forecaster.state, before, 1, V, T, &a), MS_OK);
    assert_int_equal(ms_toto_trace_forward(forecaster.state, after, 1, V, T, &b), MS_OK);
    bool later_changed = false;
    for (size_t v = 0; v < V; v++)
        for (size_t t = 0; t < PADDED; t++)
            for (size_t k = 0; k < K; k++) {
                size_t at = (v * PADDED + t) * K + k;
                bool same = a.loc[at] == b.loc[at] && a.scale[at] == b.scale[at]
                            && a.df[at] == b.df[at] && a.mixture_probs[at] == b.mixture_probs[at];
                if (t < 32)
                    assert_true(same);
                else
                    later_changed = later_changed || !same;
            }
    assert_true(later_changed);
    ms_toto_trace_free(&a);
    ms_toto_trace_free(&b);
    forecaster.ops->destroy(forecaster.state);
}

/* 20 values padded to 24: the first patch holds 4 unobserved zeros and 4
 * values; its loc is the mean of those 4 values only, the last patch's the
 * mean of all 20, while the zeros are still scaled with the first patch's
 * statistics, (0 - loc) / scale, as the official code does. */
static void test_left_padding_is_left_out_of_the_statistics_but_embedded(void **state)
{
    enum { T = 20, PAD = 4, PADDED = 24 };
    ms_forecaster forecaster = open_backend(state);
    double values[V * T];
    random_walk(values, T, 12);
    float series[V * T];
    to_floats(values, series, V * T);
    ms_toto_trace trace;
    assert_int_equal(ms_toto_trace_forward(forecaster.state, series, 1, V, T, &trace), MS_OK);
    for (size_t v = 0; v < V; v++) {
        double first = 0.0, all = 0.0;
        for (size_t t = 0; t < T; t++) {
            all += series[v * T + t];
            if (t < P - PAD)
                first += series[v * T + t];
        }
        const float *loc = trace.scaler_loc + v * PADDED;
        const float *scale = trace.scaler_scale + v * PADDED;
        /* float64 statistics rounded to float32: one float32 ulp */
        assert_float_equal(loc[0], first / (P - PAD), 1e-6 * fabs(loc[0]));
        assert_float_equal(loc[PADDED - 1], all / T, 1e-6 * fabs(loc[PADDED - 1]));
        float scaled_zero = (0.0f - loc[0]) / scale[0];
        assert_true(trace.scaled_inputs[v * PADDED] == scaled_zero);
        assert_true(fabsf(scaled_zero) > 1.0f);
    }
    ms_toto_trace_free(&trace);
    forecaster.ops->destroy(forecaster.state);
}

/* Prepending observed zeros is not the same as the implicit left padding:
 * the padding is unobserved. */
static void test_left_padding_differs_from_observed_zeros(void **state)
{
    enum { T = 20, PAD = 4 };
    ms_forecaster forecaster = open_backend(state);
    double values[V * T];
    random_walk(values, T, 13);
    float implicit[V * T], explicit_zeros[V * (T + PAD)];
    to_floats(values, implicit, V * T);
    memset(explicit_zeros, 0, sizeof explicit_zeros);
    for (size_t v = 0; v < V; v++)
        memcpy(explicit_zeros + v * (T + PAD) + PAD, implicit + v * T, T * sizeof(float));
    ms_toto_trace a, b;
    assert_int_equal(ms_toto_trace_forward(forecaster.state, implicit, 1, V, T, &a), MS_OK);
    assert_int_equal(ms_toto_trace_forward(forecaster.state, explicit_zeros, 1, V, T + PAD, &b),
                     MS_OK);
    assert_int_equal(a.padded_length, b.padded_length);
    assert_true(a.scaler_loc[a.padded_length - 1] != b.scaler_loc[b.padded_length - 1]);
    assert_true(a.mean[a.padded_length - 1] != b.mean[b.padded_length - 1]);
    ms_toto_trace_free(&a);
    ms_toto_trace_free(&b);
    forecaster.ops->destroy(forecaster.state);
}

/* Within 1e-5 relative: other batch sizes may round differently. */
static void assert_close_arrays(const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_true(fabs(a[i] - b[i]) <= 1e-5 * fmax(1.0, fabs(b[i])));
}

/* Series A (37 steps) forecast alone and as the second of four series of
 * lengths 50, 37, 12 and 40 (40 shares A's padded length), beyond one
 * patch: the same mean path and the same sample paths. */
static void test_a_series_alone_equals_it_in_a_mixed_batch(void **state)
{
    enum { H = 2 * P + 3, S = 16, N = 4 };
    static const size_t lengths[N] = { 50, 37, 12, 40 };
    ms_model *model = open_model(state);
    double values[N][V * 50];
    ms_series batch[N];
    for (size_t i = 0; i < N; i++) {
        random_walk(values[i], lengths[i], 20 + i);
        batch[i] = (ms_series){ values[i], lengths[i], V, 100 + i };
    }
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    opts.horizon = H;
    opts.num_samples = S;
    double alone_mean[V * H], alone_samples[S * V * H];
    double mean[N * V * H], samples[N * S * V * H];
    ms_forecast_output alone = { alone_mean, NULL, NULL, alone_samples };
    ms_forecast_output together = { mean, NULL, NULL, samples };
    assert_int_equal(ms_model_forecast(model, &batch[1], 1, &opts, &alone), MS_OK);
    assert_int_equal(ms_model_forecast(model, batch, N, &opts, &together), MS_OK);
    assert_close_arrays(mean + V * H, alone_mean, V * H);
    assert_close_arrays(samples + S * V * H, alone_samples, S * V * H);
    ms_model_free(model);
}

/* Lengths 20 and 24 pad to 24, 30 to 32, 33 and 40 to 40: three forward
 * passes for a horizon within one patch, three per bucket beyond it
 * (horizon 2P + 1: three decoding steps). */
static void test_each_padded_length_is_one_forward_pass(void **state)
{
    enum { N = 5 };
    static const size_t lengths[N] = { 20, 24, 30, 33, 40 };
    ms_model *model = open_model(state);
    double values[N][V * 40];
    ms_series series[N];
    for (size_t i = 0; i < N; i++) {
        random_walk(values[i], lengths[i], 30 + i);
        series[i] = (ms_series){ values[i], lengths[i], V, i };
    }
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    double mean[N * V * (2 * P + 1)];
    ms_forecast_output out = { mean, NULL, NULL, NULL };
    ms_model_stats stats;
    opts.horizon = P;
    assert_int_equal(ms_model_forecast(model, series, N, &opts, &out), MS_OK);
    assert_int_equal(ms_model_get_stats(model, &stats), MS_OK);
    assert_int_equal(stats.forward_passes, 3);
    opts.horizon = 2 * P + 1;
    assert_int_equal(ms_model_forecast(model, series, N, &opts, &out), MS_OK);
    assert_int_equal(ms_model_get_stats(model, &stats), MS_OK);
    assert_int_equal(stats.forward_passes, 3 + 9);
    ms_model_free(model);
}

enum { THREADS = 4, THREAD_H = 2 * P };

typedef struct forecast_job {
    ms_model *model;
    const ms_series *series;
    double mean[V * THREAD_H];
    ms_status status;
} forecast_job;

static void *run_forecast(void *arg)
{
    forecast_job *job = arg;
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    opts.horizon = THREAD_H;
    ms_forecast_output out = { job->mean, NULL, NULL, NULL };
    for (int repeat = 0; repeat < 5 && job->status == MS_OK; repeat++)
        job->status = ms_model_forecast(job->model, job->series, 1, &opts, &out);
    return NULL;
}

/* Forecasts from several threads at once are serialised inside the
 * backend and give exactly the single-threaded result. */
static void test_concurrent_forecasts_equal_the_serial_one(void **state)
{
    ms_model *model = open_model(state);
    double values[V * 29];
    random_walk(values, 29, 40);
    ms_series series = { values, 29, V, 5 };
    forecast_job serial = { model, &series, { 0 }, MS_OK };
    run_forecast(&serial);
    assert_int_equal(serial.status, MS_OK);
    forecast_job jobs[THREADS];
    pthread_t threads[THREADS];
    for (size_t i = 0; i < THREADS; i++) {
        jobs[i] = (forecast_job){ model, &series, { 0 }, MS_OK };
        assert_int_equal(pthread_create(&threads[i], NULL, run_forecast, &jobs[i]), 0);
    }
    for (size_t i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(jobs[i].status, MS_OK);
        assert_memory_equal(jobs[i].mean, serial.mean, sizeof serial.mean);
    }
    ms_model_free(model);
}

/* Beyond one patch, quantiles and aggregates are those of the returned
 * sample paths (numpy's linear quantile of the sorted samples). */
static void test_quantiles_beyond_one_patch_are_those_of_the_sample_paths(void **state)
{
    enum { H = P + 5, S = 50, Q = 2 };
    ms_model *model = open_model(state);
    double values[V * 33];
    random_walk(values, 33, 50);
    ms_series series = { values, 33, V, 9 };
    const double levels[Q] = { 0.1, 0.9 };
    const ms_aggregate median = { MS_AGG_MEDIAN, 0.0 };
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    opts.horizon = H;
    opts.num_samples = S;
    opts.quantiles = levels;
    opts.num_quantiles = Q;
    opts.aggregates = &median;
    opts.num_aggregates = 1;
    double mean[V * H], quantiles[Q * V * H], aggregates[V * H], samples[S * V * H];
    ms_forecast_output out = { mean, quantiles, aggregates, samples };
    assert_int_equal(ms_model_forecast(model, &series, 1, &opts, &out), MS_OK);
    double sorted[S];
    for (size_t v = 0; v < V; v++)
        for (size_t h = 0; h < H; h++) {
            for (size_t s = 0; s < S; s++)
                sorted[s] = samples[(s * V + v) * H + h];
            ms_sort_doubles(sorted, S);
            for (size_t q = 0; q < Q; q++)
                assert_true(quantiles[(q * V + v) * H + h]
                            == ms_sorted_quantile(sorted, S, levels[q]));
            assert_true(aggregates[v * H + h] == ms_sorted_quantile(sorted, S, 0.5));
            assert_true(isfinite(mean[v * H + h]));
        }
    ms_model_free(model);
}

/* Without samples the mixtures beyond one patch are the mean path's, so
 * only the mean is served there. */
static void test_quantiles_beyond_one_patch_need_samples(void **state)
{
    ms_model *model = open_model(state);
    double values[V * 16];
    random_walk(values, 16, 60);
    ms_series series = { values, 16, V, 1 };
    const double level = 0.9;
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    opts.quantiles = &level;
    opts.num_quantiles = 1;
    double mean[V * (P + 1)], quantiles[V * (P + 1)];
    ms_forecast_output out = { mean, quantiles, NULL, NULL };
    opts.horizon = P;
    assert_int_equal(ms_model_forecast(model, &series, 1, &opts, &out), MS_OK);
    opts.horizon = P + 1;
    assert_int_equal(ms_model_forecast(model, &series, 1, &opts, &out), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "num_samples"));
    assert_non_null(strstr(ms_last_error(), "horizon 9"));
    ms_model_free(model);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_changing_a_later_value_leaves_earlier_patches_unchanged,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_left_padding_is_left_out_of_the_statistics_but_embedded,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_left_padding_differs_from_observed_zeros,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_a_series_alone_equals_it_in_a_mixed_batch,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_each_padded_length_is_one_forward_pass,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_forecasts_equal_the_serial_one,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_quantiles_beyond_one_patch_are_those_of_the_sample_paths,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_quantiles_beyond_one_patch_need_samples,
                                        temp_dir_setup, temp_dir_teardown),
    };
    return cmocka_run_group_tests_name("toto_invariants", tests, NULL, NULL);
}
