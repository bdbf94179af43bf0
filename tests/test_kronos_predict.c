/*
 * test_kronos_predict.c - KronosPredictor's side of the port against the
 * kronos-tiny fixture: the data handling in C (fill-ins for missing volume
 * and amount, numpy's float32 normalisation, time features), greedy
 * predict and predict_batch end to end in price units, refused inputs, and
 * the statistics of the port's own sample paths (the fixture's bounds on
 * the mean path and the close quantiles).
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

#include "core/core_internal.h"
#include "support/kronos_cases.h"

static void compare_prediction(const char *name, const float *port, json_t *reference,
                               json_t *x_std_node)
{
    float *ref = kronos_floats(reference), *x_std = kronos_floats(x_std_node);
    size_t count = kronos_count(reference), failures = 0;
    double worst = 0.0;
    for (size_t i = 0; i < count; i++) {
        double atol = 1e-5 * (x_std[i % MS_KRONOS_FEATURES] + 1e-5);
        double allowed = atol + 2e-5 * fabs(ref[i]), error = fabs((double)port[i] - ref[i]);
        failures += !(error <= allowed);
        worst = fmax(worst, error / allowed);
    }
    print_message("%-48s n=%-5zu worst %.3g of tolerance\n", name, count, worst);
    free(ref), free(x_std);
    assert_int_equal(failures, 0);
}

static void check_prediction(const char *name)
{
    json_t *c = kronos_case(name);
    kronos_case_bars input = kronos_bars_of(kronos_lookup(c, "inputs"));
    size_t L = input.bars.length, F = MS_KRONOS_FEATURES;
    size_t steps = (size_t)json_integer_value(kronos_lookup(c, "inputs.pred_len"));
    float *x = malloc(L * F * sizeof *x), *x_norm = malloc(L * F * sizeof *x_norm);
    float mean[MS_KRONOS_FEATURES], std[MS_KRONOS_FEATURES];
    float *x_stamp = malloc(L * MS_KRONOS_STAMPS * sizeof *x_stamp);
    float *y_stamp = malloc(steps * MS_KRONOS_STAMPS * sizeof *y_stamp);
    float *pred = malloc(steps * F * sizeof *pred);
    double clip = json_number_value(kronos_lookup(c, "inputs.clip"));
    assert_int_equal(ms_kronos_normalise(&input.bars, clip, x, mean, std, x_norm), MS_OK);
    kronos_tolerance stats = kronos_tolerance_of("predict_*.intermediate.x_mean / x_std");
    kronos_compare_floats("x_mean", mean, kronos_lookup(c, "intermediate.x_mean"), stats);
    kronos_compare_floats("x_std", std, kronos_lookup(c, "intermediate.x_std"), stats);
    kronos_compare_floats("x_norm", x_norm, kronos_lookup(c, "intermediate.x_norm"),
                   kronos_tolerance_of("predict_*.intermediate.x_norm"));
    kronos_tolerance exact = { 0.0, 0.0 };
    ms_kronos_time_features(input.timestamps, L, x_stamp);
    ms_kronos_time_features(input.future, steps, y_stamp);
    kronos_compare_floats("x_stamp", x_stamp, kronos_lookup(c, "intermediate.x_stamp"), exact);
    kronos_compare_floats("y_stamp", y_stamp, kronos_lookup(c, "intermediate.y_stamp"), exact);
    ms_kronos_sampling greedy = { 1.0, 1, 1.0, 1, 3, NULL };
    assert_int_equal(ms_kronos_predict(kronos_fixture()->kronos, &input.bars, 1, steps,
                                       (size_t)json_integer_value(kronos_lookup(c, "inputs.max_context")),
                                       clip, &greedy, pred), MS_OK);
    compare_prediction("pred", pred, kronos_lookup(c, "outputs.pred"), kronos_lookup(c, "intermediate.x_std"));
    kronos_free_bars(&input);
    free(x), free(x_norm), free(x_stamp), free(y_stamp), free(pred);
}

static void predict_with_a_window_that_fills_matches(void **state)
{
    (void)state;
    check_prediction("predict_ctx20");
}

static void predict_from_a_context_longer_than_the_window_matches(void **state)
{
    (void)state;
    check_prediction("predict_ctx40");
}

static void predict_fills_a_missing_amount_from_volume_and_prices(void **state)
{
    (void)state;
    check_prediction("predict_no_amount");
}

static void predict_fills_missing_volume_and_amount_with_zeros(void **state)
{
    (void)state;
    check_prediction("predict_no_volume");
}

static void predict_batch_matches_every_series(void **state)
{
    (void)state;
    json_t *c = kronos_case("predict_batch");
    json_t *series = json_object_get(c, "series");
    size_t n = json_array_size(series), F = MS_KRONOS_FEATURES;
    size_t steps = (size_t)json_integer_value(kronos_lookup(c, "inputs.pred_len"));
    kronos_case_bars *inputs = calloc(n, sizeof *inputs);
    ms_kronos_bars *bars = calloc(n, sizeof *bars);
    for (size_t i = 0; i < n; i++) {
        inputs[i] = kronos_bars_of(kronos_lookup(json_array_get(series, i), "inputs"));
        bars[i] = inputs[i].bars;
    }
    float *pred = malloc(n * steps * F * sizeof *pred);
    ms_kronos_sampling greedy = { 1.0, 1, 1.0, 1, 5, NULL };
    assert_int_equal(ms_kronos_predict(kronos_fixture()->kronos, bars, n, steps,
                                       (size_t)json_integer_value(kronos_lookup(c, "inputs.max_context")),
                                       json_number_value(kronos_lookup(c, "inputs.clip")), &greedy,
                                       pred), MS_OK);
    for (size_t i = 0; i < n; i++) {
        json_t *one = json_array_get(series, i);
        compare_prediction("predict_batch pred", pred + i * steps * F,
                           kronos_lookup(one, "outputs.pred"), kronos_lookup(one, "intermediate.x_std"));
        kronos_free_bars(&inputs[i]);
    }
    free(inputs), free(bars), free(pred);
}

static void predict_refuses_a_negative_price_naming_it(void **state)
{
    (void)state;
    json_t *c = kronos_case("predict_ctx20");
    kronos_case_bars input = kronos_bars_of(kronos_lookup(c, "inputs"));
    input.columns[2][4] = -1.0;
    float pred[8 * MS_KRONOS_FEATURES];
    ms_kronos_sampling greedy = { 1.0, 1, 1.0, 1, 5, NULL };
    assert_int_equal(ms_kronos_predict(kronos_fixture()->kronos, &input.bars, 1, 8, 24, 5.0, &greedy,
                                       pred), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "bar 4: low is -1"));
    kronos_free_bars(&input);
}

static void without_volume_an_amount_column_is_ignored_as_officially(void **state)
{
    (void)state;
    json_t *c = kronos_case("predict_no_volume");
    kronos_case_bars input = kronos_bars_of(kronos_lookup(c, "inputs"));
    const size_t L = input.bars.length, F = MS_KRONOS_FEATURES;
    double *amount = malloc(L * sizeof *amount);
    for (size_t t = 0; t < L; t++)
        amount[t] = 1000.0 + (double)t;
    float *x = malloc(L * F * sizeof *x), *x_norm = malloc(L * F * sizeof *x_norm);
    float mean[MS_KRONOS_FEATURES], std[MS_KRONOS_FEATURES];
    input.bars.amount = amount;
    assert_int_equal(ms_kronos_normalise(&input.bars, 5.0, x, mean, std, x_norm), MS_OK);
    for (size_t t = 0; t < L; t++)
        assert_true(x[t * F + 4] == 0.0f && x[t * F + 5] == 0.0f && x_norm[t * F + 5] == 0.0f);
    kronos_free_bars(&input);
    free(amount), free(x), free(x_norm);
}

static void a_context_without_bars_is_refused(void **state)
{
    (void)state;
    json_t *c = kronos_case("predict_ctx20");
    kronos_case_bars input = kronos_bars_of(kronos_lookup(c, "inputs"));
    input.bars.length = 0;
    float pred[8 * MS_KRONOS_FEATURES];
    ms_kronos_sampling greedy = { 1.0, 1, 1.0, 1, 5, NULL };
    assert_int_equal(ms_kronos_predict(kronos_fixture()->kronos, &input.bars, 1, 8, 24, 5.0, &greedy,
                                       pred), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "at least one bar"));
    kronos_free_bars(&input);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* numpy.quantile's default (linear) of `count` sorted values. */
static double linear_quantile(const double *sorted, size_t count, double level)
{
    double position = level * (double)(count - 1);
    size_t below = (size_t)floor(position);
    size_t above = below + 1 < count ? below + 1 : below;
    return sorted[below] + (position - (double)below) * (sorted[above] - sorted[below]);
}

/* |port - ref| <= tol elementwise and mean(|port - ref| / tol) <= avg_limit. */
static void compare_statistic(const char *name, const double *port, json_t *reference,
                              json_t *tolerances, double avg_limit)
{
    float *ref = kronos_floats(reference), *tol = kronos_floats(tolerances);
    size_t count = kronos_count(reference), failures = 0;
    double worst = 0.0, total = 0.0;
    for (size_t i = 0; i < count; i++) {
        double ratio = fabs(port[i] - ref[i]) / tol[i];
        failures += !(ratio <= 1.0);
        worst = fmax(worst, ratio);
        total += ratio;
    }
    print_message("%-48s n=%-5zu worst %.3g, average %.3g of tolerance\n", name, count, worst,
                  total / (double)count);
    free(ref), free(tol);
    assert_int_equal(failures, 0);
    assert_true(total / (double)count <= avg_limit);
}

static void sampled_paths_have_the_official_mean_and_quantiles(void **state)
{
    (void)state;
    json_t *c = kronos_case("sampling");
    kronos_case_bars input = kronos_bars_of(kronos_lookup(c, "inputs"));
    const size_t L = input.bars.length, F = MS_KRONOS_FEATURES, N = 64;
    const size_t steps = (size_t)json_integer_value(kronos_lookup(c, "inputs.pred_len"));
    const double clip = json_number_value(kronos_lookup(c, "inputs.clip"));
    float *x = malloc(L * F * sizeof *x), *x_norm = malloc(L * F * sizeof *x_norm);
    float *x_stamp = malloc(L * MS_KRONOS_STAMPS * sizeof *x_stamp);
    float *y_stamp = malloc(steps * MS_KRONOS_STAMPS * sizeof *y_stamp);
    float *preds = malloc(steps * F * sizeof *preds), *paths = malloc(N * steps * F * sizeof *paths);
    float mean[MS_KRONOS_FEATURES], std[MS_KRONOS_FEATURES];
    assert_int_equal(ms_kronos_normalise(&input.bars, clip, x, mean, std, x_norm), MS_OK);
    ms_kronos_time_features(input.timestamps, L, x_stamp);
    ms_kronos_time_features(input.future, steps, y_stamp);
    ms_kronos_sampling sampling = { json_number_value(kronos_lookup(c, "inputs.T")),
                                    (int)json_integer_value(kronos_lookup(c, "inputs.top_k")),
                                    json_number_value(kronos_lookup(c, "inputs.top_p")), N, 20251204, NULL };
    assert_int_equal(ms_kronos_generate(kronos_fixture()->kronos, x_norm, x_stamp, y_stamp, 1, L, steps,
                                        (size_t)json_integer_value(kronos_lookup(c, "inputs.max_context")),
                                        clip, &sampling, true, preds, paths, NULL), MS_OK);
    double mean_path[8 * MS_KRONOS_FEATURES], quantiles[5 * 8], close[64];
    assert_true(steps <= 8);
    for (size_t i = 0; i < steps * F; i++)
        mean_path[i] = preds[i] * (std[i % F] + 1e-5f) + mean[i % F];
    json_t *levels = kronos_lookup(c, "outputs.quantile_levels");
    assert_int_equal(json_array_size(levels), 5);
    for (size_t h = 0; h < steps; h++) {
        for (size_t n = 0; n < N; n++)
            close[n] = paths[(n * steps + h) * F + 3] * (std[3] + 1e-5f) + mean[3];
        qsort(close, N, sizeof *close, by_value);
        for (size_t q = 0; q < 5; q++)
            quantiles[q * steps + h] = linear_quantile(close, N, json_number_value(
                                                                     json_array_get(levels, q)));
    }
    double avg_limit = json_number_value(kronos_lookup(c, "tolerance.avg_limit"));
    compare_statistic("sampled mean path", mean_path, kronos_lookup(c, "outputs.pooled_mean_path"),
                      kronos_lookup(c, "tolerance.mean_path_tol"), avg_limit);
    compare_statistic("sampled close quantiles", quantiles,
                      kronos_lookup(c, "outputs.pooled_close_quantiles"),
                      kronos_lookup(c, "tolerance.close_quantiles_tol"), avg_limit);
    kronos_free_bars(&input);
    free(x), free(x_norm), free(x_stamp), free(y_stamp), free(preds), free(paths);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(predict_with_a_window_that_fills_matches),
        cmocka_unit_test(predict_from_a_context_longer_than_the_window_matches),
        cmocka_unit_test(predict_fills_a_missing_amount_from_volume_and_prices),
        cmocka_unit_test(predict_fills_missing_volume_and_amount_with_zeros),
        cmocka_unit_test(predict_batch_matches_every_series),
        cmocka_unit_test(predict_refuses_a_negative_price_naming_it),
        cmocka_unit_test(without_volume_an_amount_column_is_ignored_as_officially),
        cmocka_unit_test(a_context_without_bars_is_refused),
        cmocka_unit_test(sampled_paths_have_the_official_mean_and_quantiles),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    kronos_fixture_release();
    return failed;
}
