/*
 * test_kronos_model.c - Kronos through the public API: ms_model_open on the
 * kronos-tiny pair (a directory, and a name under $MARKETSIM_KRONOS_DIR),
 * ms_model_forecast_bars against the fixture's greedy predict, its refused
 * inputs, per-context random streams, the model's identity, and
 * ms_bars_next_times for daily and 30-minute bars.
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
#include <sys/stat.h>

#include "core/core_internal.h"
#include "marketsim/marketsim.h"
#include "support/kronos_cases.h"
#include "support/temp_dir.h"

static char fixture_dir[4096];

static ms_model *open_tiny(void)
{
    const char *source = getenv("MARKETSIM_SOURCE_DIR");
    if (source == NULL)
        skip();
    snprintf(fixture_dir, sizeof fixture_dir, "%s/tests/fixtures/kronos-tiny", source);
    ms_model *model = NULL;
    assert_int_equal(ms_model_open(&model, fixture_dir, NULL), MS_OK);
    return model;
}

static ms_bar_context context_of(const kronos_case_bars *input)
{
    const ms_kronos_bars *b = &input->bars;
    return (ms_bar_context){ b->length, b->timestamps, b->open, b->high, b->low, b->close,
                             b->volume, b->amount, b->future, 0 };
}

static void a_directory_with_tokenizer_and_model_opens_as_kronos(void **state)
{
    (void)state;
    ms_model *model = open_tiny();
    assert_string_equal(ms_model_name(model), "kronos");
    ms_model_free(model);
}

/* The model's greedy bars of predict_ctx40 against the official predict. */
static void expect_official_greedy_bars(ms_model *model)
{
    json_t *c = kronos_case("predict_ctx40");
    kronos_case_bars input = kronos_bars_of(kronos_lookup(c, "inputs"));
    size_t steps = (size_t)json_integer_value(kronos_lookup(c, "inputs.pred_len"));
    ms_bar_context context = context_of(&input);
    ms_bar_forecast_options opts = MS_BAR_FORECAST_OPTIONS_INIT;
    opts.horizon = steps;
    opts.max_context = (size_t)json_integer_value(kronos_lookup(c, "inputs.max_context"));
    opts.top_k = 1;
    double *out = malloc(steps * MS_BAR_FIELDS * sizeof *out);
    assert_int_equal(ms_model_forecast_bars(model, &context, 1, &opts, out), MS_OK);
    float *ref = kronos_floats(kronos_lookup(c, "outputs.pred"));
    float *x_std = kronos_floats(kronos_lookup(c, "intermediate.x_std"));
    for (size_t i = 0; i < steps * MS_BAR_FIELDS; i++) {
        double allowed = 1e-5 * (x_std[i % MS_BAR_FIELDS] + 1e-5) + 2e-5 * fabs(ref[i]);
        assert_true(fabs(out[i] - ref[i]) <= allowed);
    }
    free(ref), free(x_std), free(out);
    kronos_free_bars(&input);
}

static void greedy_bars_match_the_official_predict(void **state)
{
    (void)state;
    ms_model *model = open_tiny();
    expect_official_greedy_bars(model);
    ms_model_free(model);
}

/* num_threads reaches libtorch for Kronos too; the bars stay the official ones. */
static void a_model_opened_with_one_thread_predicts_the_same_bars(void **state)
{
    (void)state;
    ms_model *model = open_tiny();   /* sets fixture_dir */
    ms_model_free(model);
    ms_model_options opts = MS_MODEL_OPTIONS_INIT;
    opts.num_threads = 1;
    assert_int_equal(ms_model_open(&model, fixture_dir, &opts), MS_OK);
    expect_official_greedy_bars(model);
    ms_model_free(model);
}

static void a_context_of_no_bars_is_refused(void **state)
{
    (void)state;
    ms_model *model = open_tiny();
    int64_t t = 0;
    double p = 1.0, out[MS_BAR_FIELDS];
    ms_bar_context context = { 0, &t, &p, &p, &p, &p, NULL, NULL, &t, 0 };
    assert_int_equal(ms_model_forecast_bars(model, &context, 1, NULL, out), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "at least one bar"));
    ms_model_free(model);
}

static void a_nan_price_is_refused_naming_column_and_bar(void **state)
{
    (void)state;
    ms_model *model = open_tiny();
    int64_t times[3] = { 86400, 2 * 86400, 3 * 86400 }, future = 4 * 86400;
    double open[3] = { 1, 1, 1 }, high[3] = { 1, 1, 1 }, low[3] = { 1, NAN, 1 };
    double out[MS_BAR_FIELDS];
    ms_bar_context context = { 3, times, open, high, low, open, NULL, NULL, &future, 0 };
    assert_int_equal(ms_model_forecast_bars(model, &context, 1, NULL, out), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "bar 1: low"));
    ms_model_free(model);
}

static void a_negative_volume_is_refused(void **state)
{
    (void)state;
    ms_model *model = open_tiny();
    int64_t times[2] = { 86400, 2 * 86400 }, future = 3 * 86400;
    double price[2] = { 1, 1 }, volume[2] = { 5, -1 }, out[MS_BAR_FIELDS];
    ms_bar_context context = { 2, times, price, price, price, price, volume, NULL, &future, 0 };
    assert_int_equal(ms_model_forecast_bars(model, &context, 1, NULL, out), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "volume"));
    ms_model_free(model);
}

static void series_forecasts_are_refused_by_a_bar_model(void **state)
{
    (void)state;
    ms_model *model = open_tiny();
    double values[4] = { 1, 2, 3, 4 }, mean[1];
    ms_series series = { values, 4, 1, 0 };
    ms_forecast_output out = { mean, NULL, NULL, NULL };
    assert_int_equal(ms_model_forecast(model, &series, 1, NULL, &out), MS_ERR_UNSUPPORTED);
    ms_model_free(model);
}

static void bar_forecasts_are_refused_by_a_series_model(void **state)
{
    (void)state;
    ms_model *model = NULL;
    assert_int_equal(ms_model_open(&model, "baseline", NULL), MS_OK);
    int64_t t = 0;
    double p = 1.0, out[MS_BAR_FIELDS];
    ms_bar_context context = { 1, &t, &p, &p, &p, &p, NULL, NULL, &t, 0 };
    assert_int_equal(ms_model_forecast_bars(model, &context, 1, NULL, out), MS_ERR_UNSUPPORTED);
    ms_model_free(model);
}

static void bad_sampling_settings_are_refused(void **state)
{
    (void)state;
    ms_model *model = open_tiny();
    int64_t t = 0;
    double p = 1.0, out[MS_BAR_FIELDS];
    ms_bar_context context = { 1, &t, &p, &p, &p, &p, NULL, NULL, &t, 0 };
    ms_bar_forecast_options opts = MS_BAR_FORECAST_OPTIONS_INIT;
    opts.top_p = 1.5;
    assert_int_equal(ms_model_forecast_bars(model, &context, 1, &opts, out), MS_ERR_INVALID_ARG);
    opts = (ms_bar_forecast_options)MS_BAR_FORECAST_OPTIONS_INIT;
    opts.temperature = 0.0;
    assert_int_equal(ms_model_forecast_bars(model, &context, 1, &opts, out), MS_ERR_INVALID_ARG);
    ms_model_free(model);
}

/* Sampled bars of a context are the same alone and beside another one. */
static void a_contexts_samples_do_not_depend_on_the_others_in_the_call(void **state)
{
    (void)state;
    ms_model *model = open_tiny();
    kronos_case_bars a = kronos_bars_of(kronos_lookup(kronos_case("predict_ctx40"), "inputs"));
    kronos_case_bars b = kronos_bars_of(kronos_lookup(kronos_case("sampling"), "inputs"));
    ms_bar_context both[2] = { context_of(&b), context_of(&a) };
    both[0].seed = 7, both[1].seed = 9;
    ms_bar_forecast_options opts = MS_BAR_FORECAST_OPTIONS_INIT;
    opts.horizon = 8, opts.max_context = 24, opts.num_samples = 4, opts.seed = 11;
    double alone[8 * MS_BAR_FIELDS], pair[2 * 8 * MS_BAR_FIELDS], other[8 * MS_BAR_FIELDS];
    assert_int_equal(ms_model_forecast_bars(model, &both[1], 1, &opts, alone), MS_OK);
    assert_int_equal(ms_model_forecast_bars(model, both, 2, &opts, pair), MS_OK);
    assert_memory_equal(alone, pair + 8 * MS_BAR_FIELDS, sizeof alone);
    both[1].seed = 10;   /* another stream draws other paths */
    assert_int_equal(ms_model_forecast_bars(model, &both[1], 1, &opts, other), MS_OK);
    assert_true(memcmp(alone, other, sizeof alone) != 0);
    kronos_free_bars(&a), kronos_free_bars(&b);
    ms_model_free(model);
}

/* Contexts of equal length run as one batch; each one's sampled bars are
 * those it gets alone (its own stream: the same tokens drawn), with the
 * window filling during generation and sliding after. Not bit for bit:
 * BLAS blocks a matrix product of more rows differently, which moves
 * float32 results by an ulp or two (about 1e-7 relative); 1e-5 relative
 * still tells a single different token, which moves a bar by far more. */
static void equal_length_contexts_batched_match_each_alone(void **state)
{
    (void)state;
    ms_model *model = open_tiny();
    kronos_case_bars a = kronos_bars_of(kronos_lookup(kronos_case("predict_ctx40"), "inputs"));
    enum { N = 3, H = 6 };
    ms_bar_context contexts[N];
    for (size_t i = 0; i < N; i++) {
        contexts[i] = context_of(&a);
        contexts[i].seed = 20 + i;
    }
    contexts[1].close = a.bars.open;   /* another series of the same length */
    ms_bar_forecast_options opts = MS_BAR_FORECAST_OPTIONS_INIT;
    opts.horizon = H, opts.max_context = a.bars.length + 2, opts.num_samples = 3;
    opts.top_k = 0, opts.top_p = 0.9, opts.seed = 5;
    double batch[N * H * MS_BAR_FIELDS], alone[H * MS_BAR_FIELDS];
    assert_int_equal(ms_model_forecast_bars(model, contexts, N, &opts, batch), MS_OK);
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(ms_model_forecast_bars(model, &contexts[i], 1, &opts, alone), MS_OK);
        for (size_t j = 0; j < H * MS_BAR_FIELDS; j++)
            assert_true(fabs(alone[j] - batch[i * H * MS_BAR_FIELDS + j])
                        <= 1e-5 * fabs(alone[j]) + 1e-9);
    }
    kronos_free_bars(&a);
    ms_model_free(model);
}

/* Aggregates of the sample paths: the trimmed mean with nothing trimmed is
 * the mean (the official one averages in normalised units: equal up to
 * float32 rounding), quantiles are ordered, the median of one path is it. */
static void aggregates_summarise_the_sample_paths_field_by_field(void **state)
{
    (void)state;
    ms_model *model = open_tiny();
    kronos_case_bars a = kronos_bars_of(kronos_lookup(kronos_case("predict_ctx40"), "inputs"));
    ms_bar_context context = context_of(&a);
    context.seed = 4;
    enum { H = 3, COUNT = H * MS_BAR_FIELDS };
    ms_bar_forecast_options opts = MS_BAR_FORECAST_OPTIONS_INIT;
    opts.horizon = H, opts.num_samples = 9, opts.seed = 2;
    const char *const names[] = { "mean", "trimmed_mean_0", "quantile_0.1", "median",
                                  "quantile_0.9" };
    double out[5][COUNT];
    for (size_t k = 0; k < 5; k++) {
        assert_int_equal(ms_aggregate_parse(names[k], &opts.aggregate), MS_OK);
        assert_int_equal(ms_model_forecast_bars(model, &context, 1, &opts, out[k]), MS_OK);
    }
    bool spread = false;
    for (size_t j = 0; j < COUNT; j++) {
        assert_true(fabs(out[1][j] - out[0][j]) <= 1e-5 * fabs(out[0][j]) + 1e-6);
        assert_true(out[2][j] <= out[3][j] && out[3][j] <= out[4][j]);
        spread = spread || out[2][j] < out[4][j];
    }
    assert_true(spread);
    opts.num_samples = 1;
    double one_mean[COUNT], one_median[COUNT];
    assert_int_equal(ms_aggregate_parse("median", &opts.aggregate), MS_OK);
    assert_int_equal(ms_model_forecast_bars(model, &context, 1, &opts, one_median), MS_OK);
    opts.aggregate = (ms_aggregate){ MS_AGG_MEAN, 0.0 };
    assert_int_equal(ms_model_forecast_bars(model, &context, 1, &opts, one_mean), MS_OK);
    assert_memory_equal(one_mean, one_median, sizeof one_mean);
    kronos_free_bars(&a);
    ms_model_free(model);
}

/* A version 1 options struct (before `aggregate`) still forecasts, the mean. */
static void version_one_options_mean_the_mean(void **state)
{
    (void)state;
    ms_model *model = open_tiny();
    kronos_case_bars a = kronos_bars_of(kronos_lookup(kronos_case("predict_ctx40"), "inputs"));
    ms_bar_context context = context_of(&a);
    ms_bar_forecast_options v2 = MS_BAR_FORECAST_OPTIONS_INIT, v1 = v2;
    v1.version = 1;
    v1.aggregate = (ms_aggregate){ (ms_aggregate_kind)99, 0.0 };   /* not read */
    double x[MS_BAR_FIELDS], y[MS_BAR_FIELDS];
    assert_int_equal(ms_model_forecast_bars(model, &context, 1, &v2, x), MS_OK);
    assert_int_equal(ms_model_forecast_bars(model, &context, 1, &v1, y), MS_OK);
    assert_memory_equal(x, y, sizeof x);
    kronos_free_bars(&a);
    ms_model_free(model);
}

static void the_identity_names_both_checkpoints(void **state)
{
    (void)state;
    ms_model *model = open_tiny();
    char *identity = NULL;
    assert_int_equal(ms_model_identity(model, &identity), MS_OK);
    assert_non_null(strstr(identity, "\"name\":\"kronos\""));
    assert_non_null(strstr(identity, "tokenizer/model.safetensors"));
    assert_non_null(strstr(identity, "model/model.safetensors"));
    assert_non_null(strstr(identity, "tokenizer/config.json"));
    ms_free(identity);
    ms_model_free(model);
}

static void a_name_is_found_under_marketsim_kronos_dir(void **state)
{
    ms_model *tiny = open_tiny();
    ms_model_free(tiny);
    char *link = temp_dir_path(*state, "kronos-small");
    assert_int_equal(symlink(fixture_dir, link), 0);
    setenv("MARKETSIM_KRONOS_DIR", *state, 1);
    ms_model *model = NULL;
    ms_model_options options = MS_MODEL_OPTIONS_INIT;
    assert_int_equal(ms_model_open(&model, "kronos-small", &options), MS_ERR_NOT_FOUND);
    assert_int_equal(ms_model_options_from_env(&options), MS_OK);
    assert_int_equal(ms_model_open(&model, "kronos-small", &options), MS_OK);
    assert_string_equal(ms_model_name(model), "kronos");
    ms_model_free(model);
    assert_int_equal(ms_model_open(&model, "kronos-base", &options), MS_ERR_NOT_FOUND);
    assert_non_null(strstr(ms_last_error(), "kronos-base"));
    unsetenv("MARKETSIM_KRONOS_DIR");
    free(link);
}

static void a_missing_tokenizer_is_named(void **state)
{
    ms_model *tiny = open_tiny();
    ms_model_free(tiny);
    char *model_dir = temp_dir_path(*state, "model"), target[4200];
    snprintf(target, sizeof target, "%s/model", fixture_dir);
    assert_int_equal(symlink(target, model_dir), 0);
    ms_model *model = NULL;
    assert_int_not_equal(ms_model_open(&model, *state, NULL), MS_OK);
    assert_null(model);
    assert_non_null(strstr(ms_last_error(), "tokenizer"));
    free(model_dir);
}

static int64_t utc(int year, int month, int day, int hour, int minute)
{
    return ms_days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60;
}

static void daily_bars_continue_on_the_next_sessions(void **state)
{
    (void)state;
    /* Thu 2024-03-28, then Good Friday (closed) and the weekend. */
    int64_t days[2] = { utc(2024, 3, 27, 0, 0), utc(2024, 3, 28, 0, 0) }, next[2];
    assert_int_equal(ms_bars_next_times(days, 2, 0, 2, next), MS_OK);
    assert_int_equal(next[0], utc(2024, 4, 1, 0, 0));
    assert_int_equal(next[1], utc(2024, 4, 2, 0, 0));
}

static void thirty_minute_bars_continue_at_the_next_session_open(void **state)
{
    (void)state;
    /* Fri 2024-03-08 (EST, UTC-5) 30-minute bar starts 09:30..15:30. */
    int64_t bars[13], next[3];
    for (int i = 0; i < 13; i++)
        bars[i] = utc(2024, 3, 8, 14, 30) + i * 1800;
    assert_int_equal(ms_bars_next_times(bars, 13, 0, 3, next), MS_OK);
    /* Monday 2024-03-11 is EDT (UTC-4): 09:30 Eastern is 13:30 UTC. */
    assert_int_equal(next[0], utc(2024, 3, 11, 13, 30));
    assert_int_equal(next[1], utc(2024, 3, 11, 14, 0));
    assert_int_equal(next[2], utc(2024, 3, 11, 14, 30));
    assert_int_equal(ms_bars_next_times(bars, 13, 1, 1, next), MS_OK);
    assert_int_equal(next[0], utc(2024, 3, 8, 21, 0));
}

static void thirty_minute_bars_forecast_through_the_api(void **state)
{
    (void)state;
    ms_model *model = open_tiny();
    enum { N = 30, H = 4 };
    int64_t times[N], future[H];
    double open[N], high[N], low[N], close[N], volume[N], out[H * MS_BAR_FIELDS];
    for (int i = 0; i < N; i++) {
        int day = i / 13, slot = i % 13;
        times[i] = utc(2024, 6, 3 + day, 13, 30) + slot * 1800;
        close[i] = 100.0 + 0.3 * sin(i), open[i] = close[i] - 0.1;
        high[i] = close[i] + 0.4, low[i] = open[i] - 0.4, volume[i] = 1000 + 10 * i;
    }
    assert_int_equal(ms_bars_next_times(times, N, 0, H, future), MS_OK);
    ms_bar_context context = { N, times, open, high, low, close, volume, NULL, future, 0 };
    ms_bar_forecast_options opts = MS_BAR_FORECAST_OPTIONS_INIT;
    opts.horizon = H, opts.top_k = 1;
    assert_int_equal(ms_model_forecast_bars(model, &context, 1, &opts, out), MS_OK);
    for (int i = 0; i < H * MS_BAR_FIELDS; i++)
        assert_true(isfinite(out[i]));
    assert_true(out[3] > 90.0 && out[3] < 110.0);
    ms_model_free(model);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_directory_with_tokenizer_and_model_opens_as_kronos),
        cmocka_unit_test(greedy_bars_match_the_official_predict),
        cmocka_unit_test(a_model_opened_with_one_thread_predicts_the_same_bars),
        cmocka_unit_test(a_context_of_no_bars_is_refused),
        cmocka_unit_test(a_nan_price_is_refused_naming_column_and_bar),
        cmocka_unit_test(a_negative_volume_is_refused),
        cmocka_unit_test(series_forecasts_are_refused_by_a_bar_model),
        cmocka_unit_test(bar_forecasts_are_refused_by_a_series_model),
        cmocka_unit_test(bad_sampling_settings_are_refused),
        cmocka_unit_test(a_contexts_samples_do_not_depend_on_the_others_in_the_call),
        cmocka_unit_test(equal_length_contexts_batched_match_each_alone),
        cmocka_unit_test(aggregates_summarise_the_sample_paths_field_by_field),
        cmocka_unit_test(version_one_options_mean_the_mean),
        cmocka_unit_test(the_identity_names_both_checkpoints),
        cmocka_unit_test_setup_teardown(a_name_is_found_under_marketsim_kronos_dir,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(a_missing_tokenizer_is_named, temp_dir_setup,
                                        temp_dir_teardown),
        cmocka_unit_test(daily_bars_continue_on_the_next_sessions),
        cmocka_unit_test(thirty_minute_bars_continue_at_the_next_session_open),
        cmocka_unit_test(thirty_minute_bars_forecast_through_the_api),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    kronos_fixture_release();
    return failed;
}
