/*
 * test_model_baseline.c - opening models (dispatch, options) and the
 * baseline forecaster's fit, checked by hand on short series.
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
#include <unistd.h>

#include "core/core_internal.h"
#include "model/model_internal.h"

/* The baseline's documented constants, restated so the test checks them. */
#define HALF_LIFE 20.0
#define LAMBDA 0.94
#define DF 5.0

/* The fit is a handful of floating-point operations: 1e-13 relative. */
#define FIT_TOLERANCE 1e-13

typedef struct fitted {
    double df, loc, scale, weight;
} fitted;

/* Runs the baseline's predict directly on one series and returns the
 * component of (variate, step). */
static fitted baseline_point(const ms_series *series, size_t horizon, size_t variate,
                             size_t step)
{
    ms_model_options opts = MS_MODEL_OPTIONS_INIT;
    opts.device = "cpu";
    opts.dtype = "float32";
    opts.max_batch = 64;
    ms_forecaster baseline;
    assert_int_equal(ms_baseline_open("baseline", &opts, &baseline), MS_OK);
    assert_int_equal(baseline.ops->components(baseline.state), 1);
    size_t points = series->variates * horizon;
    double *arrays = calloc(4 * points, sizeof(double));
    ms_mixture_batch batch = { 1, series->variates, horizon, 1, arrays, arrays + points,
                               arrays + 2 * points, arrays + 3 * points };
    size_t passes = 0;
    assert_int_equal(baseline.ops->predict(baseline.state, series, 1, horizon, &batch, &passes),
                     MS_OK);
    size_t at = ms_mixture_batch_index(&batch, 0, variate, step);
    fitted point = { batch.df[at], batch.loc[at], batch.scale[at], batch.weight[at] };
    free(arrays);
    return point;
}

static void assert_relative(double actual, double expected, double tolerance)
{
    if (!(fabs(actual - expected) <= tolerance * fabs(expected)))
        fail_msg("got %.17g, expected %.17g", actual, expected);
}

static void test_open_defaults_to_baseline(void **state)
{
    (void)state;
    const char *paths[] = { NULL, "", "baseline", "BASELINE" };
    for (size_t i = 0; i < MS_ARRAY_LEN(paths); i++) {
        ms_model *model = NULL;
        assert_int_equal(ms_model_open(&model, paths[i], NULL), MS_OK);
        assert_string_equal(ms_model_name(model), "baseline");
        ms_model_free(model);
    }
    ms_model_free(NULL);
}

static void test_open_missing_path_is_not_found(void **state)
{
    (void)state;
    ms_model *model = NULL;
    assert_int_equal(ms_model_open(&model, "/nonexistent/toto-checkpoint", NULL),
                     MS_ERR_NOT_FOUND);
    assert_non_null(strstr(ms_last_error(), "/nonexistent/toto-checkpoint"));
}

static void test_open_regular_file_is_not_a_checkpoint(void **state)
{
    (void)state;
    char file[] = "/tmp/ms_model_file_XXXXXX";
    int fd = mkstemp(file);
    assert_true(fd >= 0);
    close(fd);
    ms_model *model = NULL;
    assert_int_equal(ms_model_open(&model, file, NULL), MS_ERR_MODEL);
    assert_non_null(strstr(ms_last_error(), "not a checkpoint directory"));
    unlink(file);
}

static void check_open_rejected(const ms_model_options *opts, ms_status status,
                                const char *message)
{
    ms_model *model = NULL;
    assert_int_equal(ms_model_open(&model, "baseline", opts), status);
    assert_null(model);
    assert_non_null(strstr(ms_last_error(), message));
}

static void test_open_checks_options(void **state)
{
    (void)state;
    ms_model_options opts = MS_MODEL_OPTIONS_INIT;
    opts.device = "cuda";
    check_open_rejected(&opts, MS_ERR_UNSUPPORTED, "CPU only");
    opts.device = "tpu";
    check_open_rejected(&opts, MS_ERR_INVALID_ARG, "device 'tpu'");
    opts.device = "cpu";
    opts.dtype = "bfloat16";
    check_open_rejected(&opts, MS_ERR_UNSUPPORTED, "computes in float64");
    opts.dtype = "float16";
    check_open_rejected(&opts, MS_ERR_INVALID_ARG, "dtype 'float16'");
    opts.dtype = NULL;
    opts.num_threads = -2;
    check_open_rejected(&opts, MS_ERR_INVALID_ARG, "num_threads -2");
    opts.num_threads = 0;
    opts.version = 99;
    check_open_rejected(&opts, MS_ERR_INVALID_ARG, "version 99");
    assert_int_equal(ms_model_open(NULL, "baseline", NULL), MS_ERR_INVALID_ARG);
}

static void test_open_accepts_cpu_and_ignores_threads(void **state)
{
    (void)state;
    ms_model_options opts = MS_MODEL_OPTIONS_INIT;
    opts.device = "cpu";
    opts.dtype = "float32";
    opts.num_threads = 3;
    ms_model *model = NULL;
    assert_int_equal(ms_model_open(&model, "baseline", &opts), MS_OK);
    ms_model_free(model);
}

static void test_warmup_is_a_checked_no_op(void **state)
{
    (void)state;
    ms_model *model = NULL;
    assert_int_equal(ms_model_open(&model, NULL, NULL), MS_OK);
    assert_int_equal(ms_model_warmup(model, 512, 64), MS_OK);
    assert_int_equal(ms_model_warmup(model, 0, 64), MS_ERR_INVALID_ARG);
    assert_int_equal(ms_model_warmup(model, 512, 0), MS_ERR_INVALID_ARG);
    assert_int_equal(ms_model_warmup(NULL, 512, 64), MS_ERR_INVALID_ARG);
    ms_model_stats stats;
    assert_int_equal(ms_model_get_stats(model, &stats), MS_OK);
    assert_int_equal(stats.forward_passes, 0);
    ms_model_free(model);
}

/* Context [1, -2, 3], by hand: seed variance of all three values (fewer
 * than 20) is ((1/3)^2 + (8/3)^2 + (7/3)^2) / 2 = 19/3; the drift starts at
 * 0 with alpha = 1 - 2^(-1/20). */
static void test_baseline_fits_a_short_series_by_the_documented_formulas(void **state)
{
    (void)state;
    const double values[] = { 1.0, -2.0, 3.0 };
    ms_series series = { values, 3, 1, 0 };
    double alpha = 1.0 - pow(2.0, -1.0 / HALF_LIFE);
    double drift = alpha * 1.0;
    drift += alpha * (-2.0 - drift);
    drift += alpha * (3.0 - drift);
    double variance = 19.0 / 3.0;
    variance = LAMBDA * variance + (1.0 - LAMBDA) * 1.0;
    variance = LAMBDA * variance + (1.0 - LAMBDA) * 4.0;
    variance = LAMBDA * variance + (1.0 - LAMBDA) * 9.0;
    fitted point = baseline_point(&series, 1, 0, 0);
    assert_true(point.weight == 1.0);
    assert_true(point.df == DF);
    assert_relative(point.loc, drift, FIT_TOLERANCE);
    assert_relative(point.scale, sqrt(variance) * sqrt((DF - 2.0) / DF), FIT_TOLERANCE);
}

/* Only the first 20 values seed the variance; the recursion runs over all. */
static void test_baseline_seeds_volatility_from_the_first_twenty_values(void **state)
{
    (void)state;
    double values[25];
    for (int t = 0; t < 25; t++)
        values[t] = t < 20 ? (t % 2 ? 0.5 : -0.5) : 0.0;
    ms_series series = { values, 25, 1, 0 };
    double variance = 0.25 * 20.0 / 19.0; /* mean 0, sum of squares 5, n - 1 = 19 */
    for (int t = 0; t < 25; t++)
        variance = LAMBDA * variance + (1.0 - LAMBDA) * values[t] * values[t];
    fitted point = baseline_point(&series, 1, 0, 0);
    assert_relative(point.scale, sqrt(variance * (DF - 2.0) / DF), FIT_TOLERANCE);
}

static void test_baseline_floors_the_volatility_of_a_constant_zero_series(void **state)
{
    (void)state;
    const double zeros[40] = { 0.0 };
    ms_series series = { zeros, 40, 1, 0 };
    fitted point = baseline_point(&series, 1, 0, 0);
    assert_true(point.loc == 0.0);
    assert_relative(point.scale, 1e-8 * sqrt((DF - 2.0) / DF), FIT_TOLERANCE);
}

static void test_baseline_fits_a_single_value(void **state)
{
    (void)state;
    const double value = 2.0;
    ms_series series = { &value, 1, 1, 0 };
    double alpha = 1.0 - pow(2.0, -1.0 / HALF_LIFE);
    fitted point = baseline_point(&series, 1, 0, 0);
    assert_relative(point.loc, alpha * 2.0, FIT_TOLERANCE);
    /* seed 0, then (1 - lambda) * 4 */
    assert_relative(point.scale, sqrt((1.0 - LAMBDA) * 4.0 * (DF - 2.0) / DF), FIT_TOLERANCE);
}

/* Variate 1 of a two-variate series is fitted as if it were alone. */
static void test_baseline_fits_variates_independently(void **state)
{
    (void)state;
    const double both[] = { 5.0, 5.0, -7.0, 1.0, -2.0, 3.0 };
    const double second[] = { 1.0, -2.0, 3.0 };
    ms_series pair = { both, 3, 2, 0 };
    ms_series alone = { second, 3, 1, 0 };
    fitted from_pair = baseline_point(&pair, 1, 1, 0);
    fitted from_alone = baseline_point(&alone, 1, 0, 0);
    assert_true(from_pair.loc == from_alone.loc);
    assert_true(from_pair.scale == from_alone.scale);
    assert_true(baseline_point(&pair, 1, 0, 0).loc != from_alone.loc);
}

static void test_baseline_predicts_the_same_distribution_at_every_step(void **state)
{
    (void)state;
    const double values[] = { 0.4, -1.1, 0.3, 0.9, -0.2 };
    ms_series series = { values, 5, 1, 0 };
    fitted first = baseline_point(&series, 4, 0, 0);
    for (size_t h = 1; h < 4; h++) {
        fitted later = baseline_point(&series, 4, 0, h);
        assert_true(later.loc == first.loc && later.scale == first.scale);
        assert_true(later.df == first.df);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_defaults_to_baseline),
        cmocka_unit_test(test_open_missing_path_is_not_found),
        cmocka_unit_test(test_open_regular_file_is_not_a_checkpoint),
        cmocka_unit_test(test_open_checks_options),
        cmocka_unit_test(test_open_accepts_cpu_and_ignores_threads),
        cmocka_unit_test(test_warmup_is_a_checked_no_op),
        cmocka_unit_test(test_baseline_fits_a_short_series_by_the_documented_formulas),
        cmocka_unit_test(test_baseline_seeds_volatility_from_the_first_twenty_values),
        cmocka_unit_test(test_baseline_floors_the_volatility_of_a_constant_zero_series),
        cmocka_unit_test(test_baseline_fits_a_single_value),
        cmocka_unit_test(test_baseline_fits_variates_independently),
        cmocka_unit_test(test_baseline_predicts_the_same_distribution_at_every_step),
    };
    return cmocka_run_group_tests_name("model_baseline", tests, NULL, NULL);
}
