/*
 * test_toto_precision.c - the tiny Toto fixture (tests/fixtures/toto-tiny)
 * in bf16 and int8 against fp32, through the public API: forecasts of the
 * fixture's own input (2 series x 3 variates x 100 steps) and of 24
 * random-walk percent-change contexts of 60 to 512 values, horizon 16 (one
 * forward pass), mean and the 10% / 90% quantiles.
 *
 * Two measures of a value's deviation from its fp32 counterpart: the
 * relative error |x - x_fp32| / |x_fp32|, and the error in units of its
 * context's scale, |x - x_fp32| / sqrt(var(context) + 0.1): the units the
 * model computes in (Toto's scaler divides by that, causally). Relative errors
 * are unbounded for values near zero, which percent changes often are, so
 * the test holds the median relative error and the median and maximum in
 * context units. Tolerances are stated per precision below, about twice
 * the measured figures (docs/performance.md lists them).
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

#include "marketsim/marketsim.h"
#include "model/model_internal.h"

enum { FIXTURE_SERIES = 2, VARIATES = 3, FIXTURE_LENGTH = 100, WALKS = 24, HORIZON = 16,
       LEVELS = 2 };

static const double levels[LEVELS] = { 0.1, 0.9 };

/* Mean and quantiles of one set of contexts, [series][variates][HORIZON]
 * and [series][LEVELS][variates][HORIZON]. */
typedef struct forecasts {
    size_t values;
    double *mean, *quantiles;
    double *context_scale;  /* per value: the scale of its context */
} forecasts;

static const char *fixture_dir(char *buf, size_t size)
{
    const char *source = getenv("MARKETSIM_SOURCE_DIR");
    if (source == NULL)
        skip();
    snprintf(buf, size, "%s/tests/fixtures/toto-tiny", source);
    return buf;
}

/* The fixture's input, as 2 series of 3 variates. */
static double *fixture_series(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/expected.json", dir);
    json_error_t error;
    json_t *expected = json_load_file(path, 0, &error);
    assert_non_null(expected);
    json_t *data = json_object_get(json_object_get(json_object_get(json_object_get(
        json_object_get(expected, "cases"), "main"), "inputs"), "series"), "data");
    size_t n = FIXTURE_SERIES * VARIATES * FIXTURE_LENGTH;
    assert_int_equal(json_array_size(data), n);
    double *values = malloc(n * sizeof *values);
    assert_non_null(values);
    for (size_t i = 0; i < n; i++)
        values[i] = (float)json_number_value(json_array_get(data, i));
    json_decref(expected);
    return values;
}

/* Percent changes of a random walk, lengths 60 + 19 i (60 .. 497). */
static double *walk_values(size_t *total)
{
    *total = 0;
    for (size_t i = 0; i < WALKS; i++)
        *total += 60 + 19 * i;
    double *values = malloc(*total * sizeof *values);
    assert_non_null(values);
    uint64_t state = 88172645463325252ULL;
    for (size_t i = 0; i < *total; i++) {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        values[i] = ((double)(state >> 11) * 0x1.0p-53 - 0.5) * 0.04;
    }
    return values;
}

/* The scale Toto's scaler reaches at the end of a context: sqrt(variance +
 * its minimum_scale 0.1). */
static double context_scale(const double *values, size_t n)
{
    double mean = 0, squares = 0;
    for (size_t i = 0; i < n; i++)
        mean += values[i] / (double)n;
    for (size_t i = 0; i < n; i++)
        squares += (values[i] - mean) * (values[i] - mean);
    return sqrt(squares / (double)n + 0.1);
}

static void forecasts_free(forecasts *f)
{
    free(f->mean);
    free(f->quantiles);
    free(f->context_scale);
}

static forecasts run(ms_model *model, const ms_series *series, size_t n, size_t variates)
{
    forecasts f = { n * variates * HORIZON, NULL, NULL, NULL };
    f.context_scale = malloc(f.values * sizeof *f.context_scale);
    assert_non_null(f.context_scale);
    for (size_t s = 0; s < n; s++)
        for (size_t v = 0; v < variates; v++)
            for (size_t h = 0; h < HORIZON; h++)
                f.context_scale[(s * variates + v) * HORIZON + h] =
                    context_scale(series[s].values + v * series[s].length, series[s].length);
    f.mean = calloc(f.values, sizeof *f.mean);
    f.quantiles = calloc(f.values * LEVELS, sizeof *f.quantiles);
    assert_true(f.mean != NULL && f.quantiles != NULL);
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    opts.horizon = HORIZON;
    opts.quantiles = levels;
    opts.num_quantiles = LEVELS;
    ms_forecast_output out = { f.mean, f.quantiles, NULL, NULL };
    assert_int_equal(ms_model_forecast(model, series, n, &opts, &out), MS_OK);
    return f;
}

/* Forecasts of every test context in one precision, series after series
 * of the two sets concatenated. */
static forecasts forecast_all(const char *precision)
{
    char dir[4096];
    fixture_dir(dir, sizeof dir);
    ms_model_options opts = MS_MODEL_OPTIONS_INIT;
    opts.precision = precision;
    opts.num_threads = 2;
    ms_model *model = NULL;
    ms_status status = ms_model_open(&model, dir, &opts);
    if (status == MS_ERR_UNSUPPORTED) {
        print_message("precision %s unsupported here: %s\n", precision, ms_last_error());
        skip();
    }
    assert_int_equal(status, MS_OK);
    assert_string_equal(ms_model_precision(model), precision);

    double *fixture = fixture_series(dir);
    ms_series multivariate[FIXTURE_SERIES];
    for (size_t b = 0; b < FIXTURE_SERIES; b++)
        multivariate[b] = (ms_series){ fixture + b * VARIATES * FIXTURE_LENGTH, FIXTURE_LENGTH,
                                       VARIATES, b };
    size_t total = 0;
    double *walks = walk_values(&total);
    ms_series univariate[WALKS];
    for (size_t i = 0, at = 0; i < WALKS; at += 60 + 19 * i, i++)
        univariate[i] = (ms_series){ walks + at, 60 + 19 * i, 1, i };
    forecasts a = run(model, multivariate, FIXTURE_SERIES, VARIATES);
    forecasts b = run(model, univariate, WALKS, 1);
    ms_model_free(model);
    free(fixture);
    free(walks);

    /* One array per output: [a's values | b's values], quantiles likewise
     * per level block. */
    forecasts all = { a.values + b.values, NULL, NULL, NULL };
    all.mean = malloc(all.values * sizeof *all.mean);
    all.context_scale = malloc(all.values * sizeof *all.context_scale);
    all.quantiles = malloc(all.values * LEVELS * sizeof *all.quantiles);
    assert_true(all.mean != NULL && all.quantiles != NULL && all.context_scale != NULL);
    memcpy(all.mean, a.mean, a.values * sizeof *a.mean);
    memcpy(all.mean + a.values, b.mean, b.values * sizeof *b.mean);
    memcpy(all.context_scale, a.context_scale, a.values * sizeof *a.mean);
    memcpy(all.context_scale + a.values, b.context_scale, b.values * sizeof *b.mean);
    /* Quantiles are [series][level][variates][H]: regroup per level. */
    size_t cell_a = VARIATES * HORIZON, cell_b = HORIZON;
    for (size_t q = 0; q < LEVELS; q++) {
        double *dest = all.quantiles + q * all.values;
        for (size_t s = 0; s < FIXTURE_SERIES; s++)
            memcpy(dest + s * cell_a, a.quantiles + (s * LEVELS + q) * cell_a,
                   cell_a * sizeof *dest);
        for (size_t s = 0; s < WALKS; s++)
            memcpy(dest + a.values + s * cell_b, b.quantiles + (s * LEVELS + q) * cell_b,
                   cell_b * sizeof *dest);
    }
    forecasts_free(&a);
    forecasts_free(&b);
    return all;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median, p95 and maximum of n values (sorted in place). */
typedef struct spread {
    double median, p95, max;
} spread;

static spread spread_of(double *values, size_t n)
{
    qsort(values, n, sizeof *values, compare_doubles);
    return (spread){ values[n / 2], values[n * 95 / 100], values[n - 1] };
}

typedef struct deviation {
    spread relative, context_units;
} deviation;

static deviation deviation_of(const double *port, const double *ref, const forecasts *fp32)
{
    size_t n = fp32->values;
    double *relative = malloc(n * sizeof *relative), *units = malloc(n * sizeof *units);
    assert_true(relative != NULL && units != NULL);
    for (size_t i = 0; i < n; i++) {
        double error = fabs(port[i] - ref[i]);
        relative[i] = ref[i] != 0 ? error / fabs(ref[i]) : error > 0 ? INFINITY : 0;
        units[i] = error / fp32->context_scale[i];
    }
    deviation d = { spread_of(relative, n), spread_of(units, n) };
    free(relative);
    free(units);
    return d;
}

typedef struct tolerances {
    double relative_median, units_median, units_max;
} tolerances;

static void check_precision(const char *precision, tolerances tol)
{
    forecasts fp32 = forecast_all("fp32");
    forecasts reduced = forecast_all(precision);
    const char *names[] = { "mean", "quantile 0.1", "quantile 0.9" };
    const double *ports[] = { reduced.mean, reduced.quantiles, reduced.quantiles + fp32.values };
    const double *refs[] = { fp32.mean, fp32.quantiles, fp32.quantiles + fp32.values };
    for (size_t k = 0; k < 3; k++) {
        deviation d = deviation_of(ports[k], refs[k], &fp32);
        print_message("%s %-12s n=%zu relative: median %.2e p95 %.2e max %.2e; context scale: "
                      "median %.2e p95 %.2e max %.2e\n", precision, names[k], fp32.values,
                      d.relative.median, d.relative.p95, d.relative.max, d.context_units.median,
                      d.context_units.p95, d.context_units.max);
        assert_true(d.relative.median <= tol.relative_median);
        assert_true(d.context_units.median <= tol.units_median);
        assert_true(d.context_units.max <= tol.units_max);
    }
    forecasts_free(&fp32);
    forecasts_free(&reduced);
}

static void test_bf16_forecasts_stay_within_stated_tolerances_of_fp32(void **state)
{
    (void)state;
    check_precision("bf16", (tolerances){ 0.02, 0.04, 0.7 });
}

static void test_int8_forecasts_stay_within_stated_tolerances_of_fp32(void **state)
{
    (void)state;
    check_precision("int8", (tolerances){ 0.05, 0.12, 0.9 });
}

/* The same precision twice gives the same numbers: a reduced precision is
 * a different model, not a noisy one. */
static void test_reduced_precisions_are_deterministic(void **state)
{
    (void)state;
    const char *precisions[] = { "bf16", "int8" };
    for (size_t p = 0; p < 2; p++) {
        forecasts first = forecast_all(precisions[p]);
        forecasts second = forecast_all(precisions[p]);
        assert_memory_equal(first.mean, second.mean, first.values * sizeof *first.mean);
        forecasts_free(&first);
        forecasts_free(&second);
    }
}

static void test_fp32_and_reduced_precisions_differ(void **state)
{
    (void)state;
    forecasts fp32 = forecast_all("fp32");
    forecasts int8 = forecast_all("int8");
    assert_true(memcmp(fp32.mean, int8.mean, fp32.values * sizeof *fp32.mean) != 0);
    forecasts_free(&fp32);
    forecasts_free(&int8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bf16_forecasts_stay_within_stated_tolerances_of_fp32),
        cmocka_unit_test(test_int8_forecasts_stay_within_stated_tolerances_of_fp32),
        cmocka_unit_test(test_reduced_precisions_are_deterministic),
        cmocka_unit_test(test_fp32_and_reduced_precisions_differ),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
