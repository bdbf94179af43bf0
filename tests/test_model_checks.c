/*
 * test_model_checks.c - every argument ms_model_forecast refuses, with its
 * status and message, and the checks on what a backend returns.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "model/model_internal.h"

static const double context_a[] = { 0.5, -1.2, 0.8, 0.1, -0.4, 1.6, -0.9, 0.3 };
static const double context_b[] = { -0.2, 0.4, 2.1, -1.7, 0.6, 0.0, 0.9, -0.5 };

static ms_model *open_baseline(void)
{
    ms_model *model = NULL;
    assert_int_equal(ms_model_open(&model, "baseline", NULL), MS_OK);
    return model;
}

/* Expects the forecast to fail with `status` and a message containing
 * `message`, without counting a call. */
static void check_rejected(const ms_series *series, size_t n, const ms_forecast_options *opts,
                           const char *message)
{
    ms_model *model = open_baseline();
    double buffer[64];
    ms_forecast_output out = { buffer, buffer, buffer, buffer };
    assert_int_equal(ms_model_forecast(model, series, n, opts, &out), MS_ERR_INVALID_ARG);
    if (strstr(ms_last_error(), message) == NULL)
        fail_msg("message '%s' lacks '%s'", ms_last_error(), message);
    ms_model_stats stats;
    assert_int_equal(ms_model_get_stats(model, &stats), MS_OK);
    assert_int_equal(stats.forecast_calls, 0);
    ms_model_free(model);
}

static void test_forecast_rejects_null_model_output_and_series(void **state)
{
    (void)state;
    ms_series series = { context_a, 8, 1, 0 };
    ms_forecast_output out = { NULL, NULL, NULL, NULL };
    assert_int_equal(ms_model_forecast(NULL, &series, 1, NULL, &out), MS_ERR_INVALID_ARG);
    ms_model *model = open_baseline();
    assert_int_equal(ms_model_forecast(model, &series, 1, NULL, NULL), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "output is NULL"));
    ms_model_free(model);
    check_rejected(NULL, 2, NULL, "2 series requested but series is NULL");
}

static void test_forecast_rejects_missing_values_naming_the_series(void **state)
{
    (void)state;
    ms_series series[2] = { { context_a, 8, 1, 0 }, { NULL, 8, 1, 0 } };
    check_rejected(series, 2, NULL, "series 1: values is NULL");
}

static void test_forecast_rejects_an_empty_series_naming_it(void **state)
{
    (void)state;
    ms_series series[3] = { { context_a, 8, 1, 0 }, { context_b, 8, 1, 0 },
                            { context_a, 0, 1, 0 } };
    check_rejected(series, 3, NULL, "series 2: length is 0");
    series[2] = (ms_series){ context_a, 8, 0, 0 };
    check_rejected(series, 3, NULL, "series 2: variates is 0");
}

static void test_forecast_rejects_mixed_variates(void **state)
{
    (void)state;
    ms_series series[2] = { { context_a, 8, 1, 0 }, { context_a, 4, 2, 0 } };
    check_rejected(series, 2, NULL, "series 1 has 2 variates but series 0 has 1");
}

static void test_forecast_rejects_non_finite_values_naming_their_position(void **state)
{
    (void)state;
    double rows[8];
    memcpy(rows, context_a, sizeof rows);
    rows[6] = NAN; /* variate 1, index 2 of a 2 x 4 series */
    ms_series series[2] = { { context_b, 4, 2, 0 }, { rows, 4, 2, 0 } };
    check_rejected(series, 2, NULL, "series 1: variate 1, index 2: value nan is not finite");
    rows[6] = 0.0;
    rows[0] = -INFINITY;
    check_rejected(series, 2, NULL, "series 1: variate 0, index 0: value -inf");
}

static void test_forecast_rejects_zero_horizon_and_wrong_version(void **state)
{
    (void)state;
    ms_series series = { context_a, 8, 1, 0 };
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    opts.horizon = 0;
    check_rejected(&series, 1, &opts, "horizon is 0");
    opts.horizon = 1;
    opts.version = 7;
    check_rejected(&series, 1, &opts, "ms_forecast_options version 7");
}

static void test_forecast_rejects_quantile_levels_outside_the_unit_interval(void **state)
{
    (void)state;
    ms_series series = { context_a, 8, 1, 0 };
    double levels[2] = { 0.5, 1.5 };
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    opts.quantiles = levels;
    opts.num_quantiles = 2;
    check_rejected(&series, 1, &opts, "quantile level 1 is 1.5");
    levels[1] = 0.0;
    check_rejected(&series, 1, &opts, "quantile level 1 is 0");
    levels[0] = NAN;
    check_rejected(&series, 1, &opts, "quantile level 0 is nan");
    opts.quantiles = NULL;
    check_rejected(&series, 1, &opts, "2 quantile levels requested but quantiles is NULL");
}

static void test_forecast_rejects_invalid_aggregates(void **state)
{
    (void)state;
    ms_series series = { context_a, 8, 1, 0 };
    ms_aggregate aggregates[2] = { { MS_AGG_MEAN, 0.0 }, { MS_AGG_TRIMMED_MEAN, 0.5 } };
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    opts.aggregates = aggregates;
    opts.num_aggregates = 2;
    check_rejected(&series, 1, &opts, "aggregate 1: trimmed mean tail fraction 0.5");
    aggregates[1] = (ms_aggregate){ MS_AGG_QUANTILE, 1.0 };
    check_rejected(&series, 1, &opts, "aggregate 1: quantile level 1 is outside (0, 1)");
    aggregates[1] = (ms_aggregate){ (ms_aggregate_kind)9, 0.0 };
    check_rejected(&series, 1, &opts, "aggregate 1: unknown aggregate kind 9");
    opts.aggregates = NULL;
    check_rejected(&series, 1, &opts, "2 aggregates requested but aggregates is NULL");
}

/* ---- checks on what a backend returns ------------------------------------ */

static void test_backend_output_check_names_the_bad_component(void **state)
{
    (void)state;
    double weight[4] = { 1, 1, 1, 1 }, df[4] = { 5, 5, 5, 5 }, loc[4] = { 0 };
    double scale[4] = { 1, 1, 1, NAN };
    ms_mixture_batch batch = { 2, 1, 2, 1, weight, df, loc, scale };
    assert_int_equal(ms_mixture_batch_check(&batch, "fake", 10), MS_ERR_MODEL);
    assert_non_null(strstr(ms_last_error(), "model 'fake' returned an invalid distribution "
                                            "for series 11, variate 0, step 1: scale"));
    scale[3] = 1.0;
    df[0] = 1.0;
    assert_int_equal(ms_mixture_batch_check(&batch, "fake", 0), MS_ERR_MODEL);
    assert_non_null(strstr(ms_last_error(), "series 0, variate 0, step 0: df must be"));
}

static void test_backend_weights_are_normalised(void **state)
{
    (void)state;
    double weight[3] = { 2.0, 1.0, 1.0 }, df[3] = { 5, 6, 7 }, loc[3] = { 0 };
    double scale[3] = { 1, 1, 1 };
    ms_mixture_batch batch = { 1, 1, 1, 3, weight, df, loc, scale };
    assert_int_equal(ms_mixture_batch_check(&batch, "fake", 0), MS_OK);
    assert_true(weight[0] == 0.5 && weight[1] == 0.25 && weight[2] == 0.25);
    weight[0] = weight[1] = weight[2] = 0.0;
    assert_int_equal(ms_mixture_batch_check(&batch, "fake", 0), MS_ERR_MODEL);
    assert_non_null(strstr(ms_last_error(), "positive finite sum"));
}

/* Caught by an attack: a 5,000,000-point context made Toto ask for 1.5 TB.
 * One value more than the maximum is refused before any backend runs; the
 * maximum itself forecasts. */
static void test_forecast_refuses_a_context_longer_than_the_maximum(void **state)
{
    (void)state;
    double *values = calloc(MS_MODEL_MAX_CONTEXT + 1, sizeof *values);
    assert_non_null(values);
    for (size_t t = 0; t <= MS_MODEL_MAX_CONTEXT; t++)
        values[t] = context_a[t % 8];
    ms_series series[2] = { { values, 8, 1, 0 }, { values, MS_MODEL_MAX_CONTEXT + 1, 1, 0 } };
    check_rejected(series, 2, NULL, "series 1: length 16385 exceeds the maximum context of 16384");
    ms_model *model = open_baseline();
    double mean[2];
    ms_forecast_output out = { mean, NULL, NULL, NULL };
    series[1].length = MS_MODEL_MAX_CONTEXT;
    assert_int_equal(ms_model_forecast(model, series, 2, NULL, &out), MS_OK);
    ms_model_free(model);
    free(values);
}

static void test_warmup_refuses_a_context_longer_than_the_maximum(void **state)
{
    (void)state;
    ms_model *model = open_baseline();
    assert_int_equal(ms_model_warmup(model, MS_MODEL_MAX_CONTEXT + 1, 1), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "exceeds the maximum context of 16384"));
    assert_int_equal(ms_model_warmup(model, MS_MODEL_MAX_CONTEXT, 1), MS_OK);
    ms_model_free(model);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forecast_rejects_null_model_output_and_series),
        cmocka_unit_test(test_forecast_rejects_missing_values_naming_the_series),
        cmocka_unit_test(test_forecast_rejects_an_empty_series_naming_it),
        cmocka_unit_test(test_forecast_rejects_mixed_variates),
        cmocka_unit_test(test_forecast_rejects_non_finite_values_naming_their_position),
        cmocka_unit_test(test_forecast_rejects_zero_horizon_and_wrong_version),
        cmocka_unit_test(test_forecast_rejects_quantile_levels_outside_the_unit_interval),
        cmocka_unit_test(test_forecast_rejects_invalid_aggregates),
        cmocka_unit_test(test_backend_output_check_names_the_bad_component),
        cmocka_unit_test(test_backend_weights_are_normalised),
        cmocka_unit_test(test_forecast_refuses_a_context_longer_than_the_maximum),
        cmocka_unit_test(test_warmup_refuses_a_context_longer_than_the_maximum),
    };
    return cmocka_run_group_tests_name("model_checks", tests, NULL, NULL);
}
