/*
 * test_toto_fixture.c - the libtorch Toto port against the official code's
 * numbers for the tiny checkpoint (tests/fixtures/toto-tiny, case main:
 * B=2, V=3, T=100, read its README): every deterministic array, from the
 * scaler to the 40-step mean paths with and without the key/value cache,
 * then the public API's means and sample quantiles.
 *
 * Tolerances are the fixture's own ("tolerances" in expected.json, [rtol,
 * atol], elementwise |port - ref| <= atol + rtol |ref|); each comparison
 * prints its largest error in those units. MARKETSIM_TEST_DEVICE and
 * MARKETSIM_TEST_DTYPE choose where the port runs (support/test_device.h).
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

#include "core/core_internal.h"
#include "model/model_internal.h"
#include "model/toto/toto_internal.h"
#include "support/test_device.h"

enum { B = 2, V = 3, T = 100, HORIZON = 40 };

typedef struct fixture {
    char dir[4096];
    json_t *expected;
    json_t *main_case;
    float series[B * V * T];
} fixture;

/* The fixture, loaded once; skips when the tests do not run from `make
 * test` (no MARKETSIM_SOURCE_DIR). */
static fixture *shared_fixture(void)
{
    static fixture loaded;
    static bool ready = false;
    if (ready)
        return &loaded;
    const char *source = getenv("MARKETSIM_SOURCE_DIR");
    if (source == NULL)
        skip();
    snprintf(loaded.dir, sizeof loaded.dir, "%s/tests/fixtures/toto-tiny", source);
    char path[4200];
    snprintf(path, sizeof path, "%s/expected.json", loaded.dir);
    json_error_t error;
    loaded.expected = json_load_file(path, 0, &error);
    assert_non_null(loaded.expected);
    loaded.main_case = json_object_get(json_object_get(loaded.expected, "cases"), "main");
    json_t *data = json_object_get(json_object_get(json_object_get(loaded.main_case, "inputs"),
                                                   "series"), "data");
    assert_int_equal(json_array_size(data), B * V * T);
    for (size_t i = 0; i < B * V * T; i++)
        loaded.series[i] = (float)json_number_value(json_array_get(data, i));
    ready = true;
    return &loaded;
}

/* A node by a dotted path of object keys. */
static json_t *lookup(json_t *node, const char *path)
{
    char key[128];
    while (node != NULL && *path != '\0') {
        size_t length = strcspn(path, ".");
        snprintf(key, sizeof key, "%.*s", (int)length, path);
        node = json_object_get(node, key);
        path += length + (path[length] == '.');
    }
    assert_non_null(node);
    return node;
}

typedef struct tolerance {
    double rtol, atol;
} tolerance;

static tolerance tolerance_of(const char *key)
{
    json_t *pair = json_object_get(lookup(shared_fixture()->expected, "tolerances"), key);
    assert_non_null(pair);
    tolerance t = { json_number_value(json_array_get(pair, 0)),
                    json_number_value(json_array_get(pair, 1)) };
    return t;
}

/* Compares `count` port values with the reference array `node` (float32
 * decimals, cast back to float: bit-exact); `stride` > 1 takes every
 * stride-th port value, starting at `offset`. */
static void compare_strided(const char *name, const float *port, size_t offset, size_t stride,
                            json_t *node, tolerance t)
{
    json_t *data = json_object_get(node, "data");
    size_t count = json_array_size(data);
    assert_true(count > 0);
    double worst = 0.0, max_abs = 0.0, max_rel = 0.0;
    size_t failures = 0;
    for (size_t i = 0; i < count; i++) {
        double ref = (float)json_number_value(json_array_get(data, i));
        double error = fabs((double)port[offset + i * stride] - ref);
        double allowed = t.atol + t.rtol * fabs(ref);
        failures += !(error <= allowed);
        worst = fmax(worst, error / allowed);
        max_abs = fmax(max_abs, error);
        if (ref != 0.0)
            max_rel = fmax(max_rel, error / fabs(ref));
    }
    print_message("%-44s n=%-6zu max abs %.3g  max rel %.3g  worst %.3f of tolerance\n", name,
                  count, max_abs, max_rel, worst);
    assert_int_equal(failures, 0);
}

static void compare(const char *name, const float *port, const char *path, const char *tolerance_key)
{
    compare_strided(name, port, 0, 1, lookup(shared_fixture()->main_case, path),
                    tolerance_of(tolerance_key));
}

static ms_forecaster open_fixture_backend(int disable_kv_cache)
{
    ms_model_options opts = MS_MODEL_OPTIONS_INIT;
    test_device_options(&opts);
    /* ms_toto_open takes options as ms_model_open resolves them */
    opts.precision = strcmp(opts.dtype, "bfloat16") == 0 ? "bf16" : "fp32";
    opts.max_batch = 64;
    opts.disable_kv_cache = disable_kv_cache;
    ms_forecaster forecaster;
    assert_int_equal(ms_toto_open(shared_fixture()->dir, &opts, &forecaster), MS_OK);
    return forecaster;
}

static ms_toto_trace traced_forward(void)
{
    fixture *f = shared_fixture();
    ms_forecaster forecaster = open_fixture_backend(0);
    ms_toto_trace trace;
    assert_int_equal(ms_toto_trace_forward(forecaster.state, f->series, B, V, T, &trace), MS_OK);
    forecaster.ops->destroy(forecaster.state);
    assert_int_equal(trace.padded_length, 112);
    assert_int_equal(trace.patches, 7);
    return trace;
}

static void test_scaler_statistics_match_per_step_and_per_patch(void **state)
{
    (void)state;
    ms_toto_trace trace = traced_forward();
    compare("scaler.loc", trace.scaler_loc, "scaler.loc", "scaler.loc");
    compare("scaler.scale", trace.scaler_scale, "scaler.scale", "scaler.scale");
    compare("backbone.loc", trace.scaler_loc, "backbone.loc", "backbone.loc");
    compare("backbone.scale", trace.scaler_scale, "backbone.scale", "backbone.scale");
    /* Per patch: the value at each patch's first step ([..., ::P]). */
    json_t *main_case = shared_fixture()->main_case;
    compare_strided("scaler.loc_per_patch", trace.scaler_loc, 0, 16,
                    lookup(main_case, "scaler.loc_per_patch"), tolerance_of("scaler.loc_per_patch"));
    compare_strided("scaler.scale_per_patch", trace.scaler_scale, 0, 16,
                    lookup(main_case, "scaler.scale_per_patch"),
                    tolerance_of("scaler.scale_per_patch"));
    ms_toto_trace_free(&trace);
}

static void test_scaled_inputs_and_patch_embeddings_match(void **state)
{
    (void)state;
    ms_toto_trace trace = traced_forward();
    compare("scaler.scaled_inputs", trace.scaled_inputs, "scaler.scaled_inputs",
            "scaler.scaled_inputs");
    compare("backbone.patch_embeddings", trace.patch_embeddings, "backbone.patch_embeddings",
            "backbone.patch_embeddings");
    ms_toto_trace_free(&trace);
}

static void test_every_layer_output_and_the_hidden_states_match(void **state)
{
    (void)state;
    ms_toto_trace trace = traced_forward();
    assert_int_equal(trace.layers, 4);
    compare("backbone.layer_outputs", trace.layer_outputs, "backbone.layer_outputs",
            "backbone.layer_outputs");
    compare("backbone.hidden", trace.hidden, "backbone.hidden", "backbone.hidden");
    ms_toto_trace_free(&trace);
}

static void test_mixture_parameters_match(void **state)
{
    (void)state;
    ms_toto_trace trace = traced_forward();
    const char *key = "backbone.distribution.*";
    compare("distribution.df", trace.df, "backbone.distribution.df", key);
    compare("distribution.loc", trace.loc, "backbone.distribution.loc", key);
    compare("distribution.scale", trace.scale, "backbone.distribution.scale", key);
    compare("distribution.mixture_probs", trace.mixture_probs,
            "backbone.distribution.mixture_probs", key);
    compare("distribution.mixture_log_probs", trace.mixture_log_probs,
            "backbone.distribution.mixture_log_probs", key);
    compare("distribution.mixture_logits_raw", trace.mixture_logits,
            "backbone.distribution.mixture_logits_raw", key);
    ms_toto_trace_free(&trace);
}

static void test_distribution_means_match(void **state)
{
    (void)state;
    ms_toto_trace trace = traced_forward();
    compare("backbone.mean_normalized", trace.mean_normalized, "backbone.mean_normalized",
            "backbone.mean_normalized");
    compare("backbone.mean", trace.mean, "backbone.mean", "backbone.mean");
    ms_toto_trace_free(&trace);
}

/* The mean path and each autoregressive call's newest-patch statistics. */
static void check_mean_path(int use_cache, const char *forecast_key, const char *steps_key)
{
    fixture *f = shared_fixture();
    ms_forecaster forecaster = open_fixture_backend(0);
    ms_toto_decode_trace trace;
    assert_int_equal(ms_toto_trace_decode(forecaster.state, f->series, B, V, T, HORIZON,
                                          use_cache, &trace), MS_OK);
    forecaster.ops->destroy(forecaster.state);
    assert_int_equal(trace.steps, 3);
    compare(forecast_key, trace.forecast, forecast_key, forecast_key);
    json_t *steps = json_object_get(f->main_case, steps_key);
    char tolerance_key[64], name[96];
    snprintf(tolerance_key, sizeof tolerance_key, "%s[*].*", steps_key);
    tolerance t = tolerance_of(tolerance_key);
    for (size_t i = 0; i < trace.steps; i++) {
        json_t *step = json_array_get(steps, i);
        snprintf(name, sizeof name, "%s[%zu].loc_last_patch", steps_key, i);
        compare_strided(name, trace.loc_last_patch + i * B * V, 0, 1,
                        lookup(step, "loc_last_patch"), t);
        snprintf(name, sizeof name, "%s[%zu].scale_last_patch", steps_key, i);
        compare_strided(name, trace.scale_last_patch + i * B * V, 0, 1,
                        lookup(step, "scale_last_patch"), t);
        snprintf(name, sizeof name, "%s[%zu].mean_normalized", steps_key, i);
        compare_strided(name, trace.mean_normalized_last_patch + i * B * V * 16, 0, 1,
                        lookup(step, "mean_normalized_last_patch"), t);
    }
    ms_toto_decode_trace_free(&trace);
}

static void test_kv_cache_mean_path_matches_the_official_default(void **state)
{
    (void)state;
    check_mean_path(1, "forecast_mean_kv_cache", "ar_steps_kv_cache");
}

static void test_uncached_mean_path_matches_the_full_rerun(void **state)
{
    (void)state;
    check_mean_path(0, "forecast_mean_no_cache", "ar_steps_no_cache");
}

/* The fixture's contexts as ms_series (double, one seed per series). */
static void fixture_series(double *values, ms_series *series)
{
    fixture *f = shared_fixture();
    for (size_t i = 0; i < B * V * T; i++)
        values[i] = f->series[i];
    for (size_t b = 0; b < B; b++)
        series[b] = (ms_series){ values + b * V * T, T, V, 1000 + b };
}

static ms_model *open_fixture_model(int disable_kv_cache)
{
    ms_model_options opts = MS_MODEL_OPTIONS_INIT;
    test_device_options(&opts);
    opts.disable_kv_cache = disable_kv_cache;
    ms_model *model = NULL;
    assert_int_equal(ms_model_open(&model, shared_fixture()->dir, &opts), MS_OK);
    assert_string_equal(ms_model_name(model), "toto");
    return model;
}

/* ms_model_forecast's mean over 40 steps is the mean path (float64 means
 * of the same mixtures, so within the fixture's tolerance). */
static void check_public_mean(int disable_kv_cache, const char *forecast_key)
{
    static double values[B * V * T];
    ms_series series[B];
    fixture_series(values, series);
    ms_model *model = open_fixture_model(disable_kv_cache);
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    opts.horizon = HORIZON;
    double mean[B * V * HORIZON];
    ms_forecast_output out = { mean, NULL, NULL, NULL };
    assert_int_equal(ms_model_forecast(model, series, B, &opts, &out), MS_OK);
    float port[B * V * HORIZON];
    for (size_t i = 0; i < B * V * HORIZON; i++)
        port[i] = (float)mean[i];
    compare(forecast_key, port, forecast_key, forecast_key);
    ms_model_free(model);
}

static void test_public_forecast_mean_is_the_cached_mean_path(void **state)
{
    (void)state;
    check_public_mean(0, "forecast_mean_kv_cache");
}

static void test_public_forecast_mean_without_cache_is_the_rerun_mean_path(void **state)
{
    (void)state;
    check_public_mean(1, "forecast_mean_no_cache");
}

/*
 * 4096 sample paths against the official 4096 (another random generator,
 * so statistically only). The README's bound: per element |q_port - q_ref|
 * <= 0.4 (q90_ref - q10_ref), and the mean over all elements and the three
 * quantiles of |q_port - q_ref| / (q90_ref - q10_ref) <= 0.05. Two
 * official seeds differ by 0.014-0.018 on that mean.
 */
static void test_sample_path_quantiles_match_statistically(void **state)
{
    (void)state;
    enum { Q = 3, S = 4096, POINTS = B * V * HORIZON };
    static double values[B * V * T];
    ms_series series[B];
    fixture_series(values, series);
    ms_model *model = open_fixture_model(0);
    const double levels[Q] = { 0.1, 0.5, 0.9 };
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    opts.horizon = HORIZON;
    opts.num_samples = S;
    opts.quantiles = levels;
    opts.num_quantiles = Q;
    static double quantiles[B * Q * V * HORIZON];
    ms_forecast_output out = { NULL, quantiles, NULL, NULL };
    assert_int_equal(ms_model_forecast(model, series, B, &opts, &out), MS_OK);
    json_t *samples = lookup(shared_fixture()->main_case, "forecast_samples");
    const char *names[Q] = { "q10", "q50", "q90" };
    json_t *q10 = json_object_get(json_object_get(samples, "q10"), "data");
    json_t *q90 = json_object_get(json_object_get(samples, "q90"), "data");
    double total = 0.0, worst = 0.0;
    for (size_t q = 0; q < Q; q++) {
        json_t *ref = json_object_get(json_object_get(samples, names[q]), "data");
        for (size_t i = 0; i < POINTS; i++) {
            size_t b = i / (V * HORIZON), rest = i % (V * HORIZON);
            double port = quantiles[(b * Q + q) * V * HORIZON + rest];
            double width = json_number_value(json_array_get(q90, i))
                           - json_number_value(json_array_get(q10, i));
            double error = fabs(port - json_number_value(json_array_get(ref, i))) / width;
            assert_true(error <= 0.4);
            total += error;
            worst = fmax(worst, error);
        }
    }
    double mean_error = total / (Q * POINTS);
    print_message("sample quantiles: mean |dq|/(q90-q10) %.4f (bound 0.05), max %.3f (bound 0.4)\n",
                  mean_error, worst);
    assert_true(mean_error <= 0.05);
    ms_model_free(model);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scaler_statistics_match_per_step_and_per_patch),
        cmocka_unit_test(test_scaled_inputs_and_patch_embeddings_match),
        cmocka_unit_test(test_every_layer_output_and_the_hidden_states_match),
        cmocka_unit_test(test_mixture_parameters_match),
        cmocka_unit_test(test_distribution_means_match),
        cmocka_unit_test(test_kv_cache_mean_path_matches_the_official_default),
        cmocka_unit_test(test_uncached_mean_path_matches_the_full_rerun),
        cmocka_unit_test(test_public_forecast_mean_is_the_cached_mean_path),
        cmocka_unit_test(test_public_forecast_mean_without_cache_is_the_rerun_mean_path),
        cmocka_unit_test(test_sample_path_quantiles_match_statistically),
    };
    return cmocka_run_group_tests_name("toto_fixture", tests, NULL, NULL);
}
