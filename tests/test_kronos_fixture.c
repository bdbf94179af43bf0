/*
 * test_kronos_fixture.c - the libtorch Kronos port against the official
 * code's numbers for the tiny pair (tests/fixtures/kronos-tiny, read its
 * README): tokenizer encode/decode, the sampling filter, decode_s1 /
 * decode_s2 logits, and greedy generation (tokens, per-step logits, the
 * final decode window) from the predictor's normalised inputs.
 *
 * Tolerances are the fixture's own ("tolerances" in expected.json, [rtol,
 * atol], elementwise |port - ref| <= atol + rtol |ref|); token ids must be
 * equal. Each comparison prints its largest error in tolerance units.
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
#include "model/kronos/kronos_internal.h"
#include "model/kronos_checkpoint.h"

typedef struct fixture {
    json_t *expected;
    ms_kronos *kronos;
} fixture;

static fixture loaded;

/* The fixture and the network, loaded once; skips outside `make test`. */
static fixture *shared(void)
{
    if (loaded.kronos != NULL)
        return &loaded;
    const char *source = getenv("MARKETSIM_SOURCE_DIR");
    if (source == NULL)
        skip();
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/tests/fixtures/kronos-tiny", source);
    snprintf(path, sizeof path, "%s/expected.json", dir);
    json_error_t error;
    loaded.expected = json_load_file(path, 0, &error);
    assert_non_null(loaded.expected);
    ms_kronos_checkpoint *checkpoint = NULL;
    assert_int_equal(ms_kronos_checkpoint_open_pair(&checkpoint, dir), MS_OK);
    assert_int_equal(ms_kronos_open(&loaded.kronos, checkpoint), MS_OK);
    ms_kronos_checkpoint_close(checkpoint);
    return &loaded;
}

/* A node by a dotted path of object keys (digits index arrays). */
static json_t *lookup(json_t *node, const char *path)
{
    char key[128];
    while (node != NULL && *path != '\0') {
        size_t length = strcspn(path, ".");
        snprintf(key, sizeof key, "%.*s", (int)length, path);
        node = json_is_array(node) ? json_array_get(node, strtoul(key, NULL, 10))
                                   : json_object_get(node, key);
        path += length + (path[length] == '.');
    }
    assert_non_null(node);
    return node;
}

static json_t *case_node(const char *name)
{
    return lookup(json_object_get(shared()->expected, "cases"), name);
}

static size_t count_of(json_t *array_node)
{
    return json_array_size(json_object_get(array_node, "data"));
}

static float *floats_of(json_t *array_node)
{
    json_t *data = json_object_get(array_node, "data");
    float *values = malloc((json_array_size(data) + 1) * sizeof *values);
    for (size_t i = 0; i < json_array_size(data); i++)
        values[i] = (float)json_number_value(json_array_get(data, i));
    return values;
}

static int64_t *longs_of(json_t *array_node)
{
    json_t *data = json_object_get(array_node, "data");
    int64_t *values = malloc((json_array_size(data) + 1) * sizeof *values);
    for (size_t i = 0; i < json_array_size(data); i++)
        values[i] = (int64_t)json_integer_value(json_array_get(data, i));
    return values;
}

static size_t dim(json_t *array_node, size_t index)
{
    return (size_t)json_integer_value(json_array_get(json_object_get(array_node, "shape"),
                                                     index));
}

typedef struct tolerance {
    double rtol, atol;
} tolerance;

static tolerance tolerance_of(const char *key)
{
    json_t *pair = json_object_get(lookup(shared()->expected, "tolerances"), key);
    assert_non_null(pair);
    tolerance t = { json_number_value(json_array_get(pair, 0)),
                    json_number_value(json_array_get(pair, 1)) };
    return t;
}

static void compare_floats(const char *name, const float *port, json_t *reference, tolerance t)
{
    float *ref = floats_of(reference);
    size_t count = count_of(reference), failures = 0;
    assert_true(count > 0);
    double worst = 0.0;
    for (size_t i = 0; i < count; i++) {
        double error = fabs((double)port[i] - ref[i]);
        double allowed = t.atol + t.rtol * fabs(ref[i]);
        failures += !(error <= allowed);
        worst = fmax(worst, error / allowed);
    }
    print_message("%-48s n=%-5zu worst %.3g of tolerance\n", name, count, worst);
    free(ref);
    assert_int_equal(failures, 0);
}

static void compare_ids(const char *name, const int64_t *port, json_t *reference)
{
    int64_t *ref = longs_of(reference);
    size_t count = count_of(reference), differing = 0;
    for (size_t i = 0; i < count; i++)
        differing += port[i] != ref[i];
    print_message("%-48s n=%-5zu %zu differ\n", name, count, differing);
    free(ref);
    assert_int_equal(differing, 0);
}

#define TOKENIZER_TOLERANCE "tokenizer_decode_*.outputs.*"

static void encode_gives_the_official_tokens_and_pre_quantisation_values(void **state)
{
    (void)state;
    json_t *c = case_node("tokenizer_encode");
    json_t *x_node = lookup(c, "inputs.x");
    size_t batch = dim(x_node, 0), length = dim(x_node, 1);
    float *x = floats_of(x_node);
    int64_t *s1 = malloc(batch * length * sizeof *s1), *s2 = malloc(batch * length * sizeof *s2);
    float *z = malloc(batch * length * 8 * sizeof *z);
    assert_int_equal(ms_kronos_encode(shared()->kronos, x, batch, length, s1, s2, z), MS_OK);
    compare_floats("encode z_pre_quant", z, lookup(c, "outputs.z_pre_quant"),
                   tolerance_of("tokenizer_encode.outputs.z_pre_quant / encoder_block_outputs / "
                                "embed_out"));
    compare_ids("encode s1", s1, lookup(c, "outputs.s1_ids"));
    compare_ids("encode s2", s2, lookup(c, "outputs.s2_ids"));
    /* half=False: one index over all bits, s1 in the low bits. */
    for (size_t i = 0; i < batch * length; i++)
        s1[i] |= s2[i] << 4;
    compare_ids("encode full_ids", s1, lookup(c, "outputs.full_ids"));
    free(x), free(s1), free(s2), free(z);
}

static void check_decode(const char *name)
{
    json_t *c = case_node(name);
    json_t *s1_node = lookup(c, "inputs.s1_ids");
    size_t batch = dim(s1_node, 0), length = dim(s1_node, 1);
    int64_t *s1 = longs_of(s1_node), *s2 = longs_of(lookup(c, "inputs.s2_ids"));
    float *x_hat = malloc(batch * length * MS_KRONOS_FEATURES * sizeof *x_hat);
    assert_int_equal(ms_kronos_decode(shared()->kronos, s1, s2, batch, length, x_hat), MS_OK);
    compare_floats(name, x_hat, lookup(c, "outputs.x_hat"), tolerance_of(TOKENIZER_TOLERANCE));
    free(s1), free(s2), free(x_hat);
}

static void decode_of_encoded_tokens_matches(void **state)
{
    (void)state;
    check_decode("tokenizer_decode_encoded");
}

static void decode_of_random_tokens_matches(void **state)
{
    (void)state;
    check_decode("tokenizer_decode_random");
}

static void decode_of_full_indices_matches(void **state)
{
    (void)state;
    json_t *c = case_node("tokenizer_decode_full");
    json_t *ids_node = lookup(c, "inputs.full_ids");
    size_t batch = dim(ids_node, 0), length = dim(ids_node, 1);
    int64_t *ids = longs_of(ids_node);
    float *x_hat = malloc(batch * length * MS_KRONOS_FEATURES * sizeof *x_hat);
    float *bits = malloc(batch * length * 8 * sizeof *bits);
    assert_int_equal(ms_kronos_decode(shared()->kronos, ids, NULL, batch, length, x_hat), MS_OK);
    assert_int_equal(ms_kronos_indices_to_bits(shared()->kronos, ids, NULL, batch, length, bits),
                     MS_OK);
    tolerance exact = { 0.0, 0.0 };
    compare_floats("decode_full bits", bits, lookup(c, "outputs.bits"), exact);
    compare_floats("decode_full x_hat", x_hat, lookup(c, "outputs.x_hat"),
                   tolerance_of(TOKENIZER_TOLERANCE));
    free(ids), free(x_hat), free(bits);
}

static void check_bits(const char *name)
{
    json_t *c = case_node(name);
    json_t *s1_node = lookup(c, "inputs.s1_ids");
    size_t batch = dim(s1_node, 0), length = dim(s1_node, 1);
    int64_t *s1 = longs_of(s1_node), *s2 = longs_of(lookup(c, "inputs.s2_ids"));
    float *bits = malloc(batch * length * 8 * sizeof *bits);
    assert_int_equal(ms_kronos_indices_to_bits(shared()->kronos, s1, s2, batch, length, bits),
                     MS_OK);
    tolerance exact = { 0.0, 0.0 };
    compare_floats(name, bits, lookup(c, "outputs.bits"), exact);
    free(s1), free(s2), free(bits);
}

static void bits_of_encoded_tokens_are_the_official_decoder_input(void **state)
{
    (void)state;
    check_bits("tokenizer_decode_encoded");
}

static void bits_take_half_the_codebook_from_each_id_whatever_the_widths(void **state)
{
    (void)state;
    check_bits("indices_to_bits_s1_3_s2_5");
}

static void decode_refuses_ids_outside_the_vocabulary(void **state)
{
    (void)state;
    int64_t s1[2] = { 3, 16 }, s2[2] = { 0, 0 };
    float x_hat[2 * MS_KRONOS_FEATURES];
    assert_int_equal(ms_kronos_decode(shared()->kronos, s1, s2, 1, 2, x_hat), MS_ERR_MODEL);
    assert_non_null(strstr(ms_last_error(), "s1 ids"));
}

static void the_sampling_filter_keeps_and_weighs_as_the_official_one(void **state)
{
    (void)state;
    json_t *c = case_node("sample_filter");
    json_t *logits_node = lookup(c, "inputs.logits");
    size_t rows = dim(logits_node, 0), vocab = dim(logits_node, 1);
    float *logits = floats_of(logits_node), *probs = malloc(rows * vocab * sizeof *probs);
    json_t *settings = json_object_get(c, "settings");
    assert_true(json_array_size(settings) >= 7);
    for (size_t i = 0; i < json_array_size(settings); i++) {
        json_t *setting = json_array_get(settings, i);
        ms_kronos_sampling sampling = {
            json_number_value(json_object_get(setting, "T")),
            (int)json_integer_value(json_object_get(setting, "top_k")),
            json_number_value(json_object_get(setting, "top_p")), 1, 0,
        };
        assert_int_equal(ms_kronos_sample_filter(logits, rows, vocab, &sampling, probs), MS_OK);
        char name[64];
        snprintf(name, sizeof name, "filter T=%g top_k=%d top_p=%g", sampling.temperature,
                 sampling.top_k, sampling.top_p);
        /* Same float32 operations in the same order: 1e-6 relative. */
        tolerance t = { 1e-6, 1e-8 };
        compare_floats(name, probs, lookup(setting, "probs"), t);
        json_t *kept = json_object_get(lookup(setting, "kept"), "data");
        for (size_t k = 0; k < rows * vocab; k++)
            assert_int_equal(probs[k] > 0.0f, json_is_true(json_array_get(kept, k)));
    }
    free(logits), free(probs);
}

#define MODEL_S1_TOLERANCE "model_decode_s1.outputs.*"
#define MODEL_S2_TOLERANCE "model_decode_s2_*.outputs.*"

static void decode_s1_gives_the_official_logits_and_context(void **state)
{
    (void)state;
    json_t *c = case_node("model_decode_s1");
    json_t *s1_node = lookup(c, "inputs.s1_ids");
    size_t batch = dim(s1_node, 0), length = dim(s1_node, 1);
    int64_t *s1 = longs_of(s1_node), *s2 = longs_of(lookup(c, "inputs.s2_ids"));
    float *stamp = floats_of(lookup(c, "inputs.stamp"));
    float *logits = malloc(batch * length * 16 * sizeof *logits);
    float *context = malloc(batch * length * 32 * sizeof *context);
    assert_int_equal(ms_kronos_decode_s1(shared()->kronos, s1, s2, stamp, batch, length, logits,
                                         context), MS_OK);
    compare_floats("decode_s1 context", context, lookup(c, "outputs.context"),
                   tolerance_of(MODEL_S1_TOLERANCE));
    compare_floats("decode_s1 s1_logits", logits, lookup(c, "outputs.s1_logits"),
                   tolerance_of(MODEL_S1_TOLERANCE));
    free(s1), free(s2), free(stamp), free(logits), free(context);
}

static void check_decode_s2(const char *name)
{
    json_t *context_node = lookup(case_node("model_decode_s1"), "outputs.context");
    size_t batch = dim(context_node, 0), length = dim(context_node, 1);
    json_t *c = case_node(name);
    json_t *s1_node = lookup(c, "inputs.s1_ids");
    float *context = floats_of(context_node), *logits = malloc(batch * length * 16 * sizeof *logits);
    int64_t *s1 = longs_of(s1_node);
    assert_int_equal(ms_kronos_decode_s2(shared()->kronos, context, batch, length, s1,
                                         dim(s1_node, 1), logits), MS_OK);
    compare_floats(name, logits, lookup(c, "outputs.s2_logits"), tolerance_of(MODEL_S2_TOLERANCE));
    free(context), free(logits), free(s1);
}

static void decode_s2_over_the_whole_sequence_matches(void **state)
{
    (void)state;
    check_decode_s2("model_decode_s2_full");
}

static void decode_s2_with_one_s1_rotates_nothing_and_broadcasts(void **state)
{
    (void)state;
    check_decode_s2("model_decode_s2_last");
}

#define LOGITS_TOLERANCE "predict_*.intermediate.steps[*].s1_logits_last / s2_logits_last"
#define DECODED_TOLERANCE "predict_*.intermediate.decoded_norm / preds_norm"

/* Greedy generation from the case's normalised context and stamps, with
 * the official recomputation of the window at every step or the cache. */
static void check_generation(const char *name, bool use_cache)
{
    json_t *c = case_node(name);
    json_t *x_node = lookup(c, "intermediate.x_norm");
    size_t length = dim(x_node, 0);
    size_t steps = (size_t)json_integer_value(lookup(c, "inputs.pred_len"));
    size_t max_context = (size_t)json_integer_value(lookup(c, "inputs.max_context"));
    double clip = json_number_value(lookup(c, "inputs.clip"));
    float *x = floats_of(x_node), *x_stamp = floats_of(lookup(c, "intermediate.x_stamp"));
    float *y_stamp = floats_of(lookup(c, "intermediate.y_stamp"));
    float *preds = malloc(steps * MS_KRONOS_FEATURES * sizeof *preds);
    ms_kronos_sampling greedy = { 1.0, 1, 1.0, 1, 7 };
    ms_kronos_trace trace;
    assert_int_equal(ms_kronos_generate(shared()->kronos, x, x_stamp, y_stamp, 1, length, steps,
                                        max_context, clip, &greedy, use_cache, preds, NULL,
                                        &trace),
                     MS_OK);
    compare_ids("context_s1", trace.context_s1, lookup(c, "intermediate.context_s1"));
    compare_ids("context_s2", trace.context_s2, lookup(c, "intermediate.context_s2"));
    json_t *steps_node = lookup(c, "intermediate.steps");
    assert_int_equal(json_array_size(steps_node), steps);
    for (size_t i = 0; i < steps; i++) {
        json_t *step = json_array_get(steps_node, i);
        compare_floats("step s1_logits_last", trace.s1_logits_last + i * 16,
                       lookup(step, "s1_logits_last"), tolerance_of(LOGITS_TOLERANCE));
        compare_floats("step s2_logits_last", trace.s2_logits_last + i * 16,
                       lookup(step, "s2_logits_last"), tolerance_of(LOGITS_TOLERANCE));
    }
    compare_ids("generated_s1", trace.generated_s1, lookup(c, "intermediate.generated_s1"));
    compare_ids("generated_s2", trace.generated_s2, lookup(c, "intermediate.generated_s2"));
    compare_ids("decode_window_s1", trace.window_s1, lookup(c, "intermediate.decode_window_s1"));
    compare_ids("decode_window_s2", trace.window_s2, lookup(c, "intermediate.decode_window_s2"));
    compare_floats("decoded_norm", trace.decoded, lookup(c, "intermediate.decoded_norm"),
                   tolerance_of(DECODED_TOLERANCE));
    compare_floats("preds_norm", preds, lookup(c, "intermediate.preds_norm"),
                   tolerance_of(DECODED_TOLERANCE));
    ms_kronos_trace_free(&trace);
    free(x), free(x_stamp), free(y_stamp), free(preds);
}

static void greedy_generation_with_a_window_that_fills_matches(void **state)
{
    (void)state;
    check_generation("predict_ctx20", false);
}

static void greedy_generation_from_a_context_longer_than_the_window_matches(void **state)
{
    (void)state;
    check_generation("predict_ctx40", false);
}

static void the_cache_gives_the_official_tokens_and_values_until_the_window_slides(void **state)
{
    (void)state;
    check_generation("predict_ctx20", true);
}

static void the_cache_is_unused_when_the_context_fills_the_window(void **state)
{
    (void)state;
    check_generation("predict_ctx40", true);
}

static void greedy_generation_without_amount_matches(void **state)
{
    (void)state;
    check_generation("predict_no_amount", false);
}

static void greedy_generation_without_volume_matches(void **state)
{
    (void)state;
    check_generation("predict_no_volume", false);
}

/* The case's inputs as bars: columns absent from the frame stay NULL. */
typedef struct case_bars {
    ms_kronos_bars bars;
    double *columns[MS_KRONOS_FEATURES];
    int64_t *timestamps, *future;
} case_bars;

static int64_t *times_of(json_t *list)
{
    int64_t *seconds = malloc((json_array_size(list) + 1) * sizeof *seconds);
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *text = json_string_value(json_array_get(list, i)), *reason = NULL;
        assert_true(ms_parse_utc_time(text, strlen(text), &seconds[i], &reason));
    }
    return seconds;
}

static case_bars bars_of(json_t *inputs)
{
    static const char *const names[MS_KRONOS_FEATURES] = { "open", "high", "low", "close",
                                                           "volume", "amount" };
    case_bars c;
    memset(&c, 0, sizeof c);
    json_t *frame = json_object_get(inputs, "df");
    for (size_t f = 0; f < MS_KRONOS_FEATURES; f++) {
        json_t *column = json_object_get(frame, names[f]);
        if (column == NULL)
            continue;
        json_t *data = json_object_get(column, "data");
        c.columns[f] = malloc(json_array_size(data) * sizeof(double));
        for (size_t t = 0; t < json_array_size(data); t++)
            c.columns[f][t] = json_number_value(json_array_get(data, t));
        c.bars.length = json_array_size(data);
    }
    c.timestamps = times_of(json_object_get(inputs, "x_timestamp"));
    c.future = times_of(json_object_get(inputs, "y_timestamp"));
    c.bars.open = c.columns[0], c.bars.high = c.columns[1], c.bars.low = c.columns[2];
    c.bars.close = c.columns[3], c.bars.volume = c.columns[4], c.bars.amount = c.columns[5];
    c.bars.timestamps = c.timestamps;
    c.bars.future = c.future;
    return c;
}

static void free_case_bars(case_bars *c)
{
    for (size_t f = 0; f < MS_KRONOS_FEATURES; f++)
        free(c->columns[f]);
    free(c->timestamps), free(c->future);
}

/* outputs.pred's rule: rtol 2e-5 and atol 1e-5 x (x_std + 1e-5) per column. */
static void compare_prediction(const char *name, const float *port, json_t *reference,
                               json_t *x_std_node)
{
    float *ref = floats_of(reference), *x_std = floats_of(x_std_node);
    size_t count = count_of(reference), failures = 0;
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
    json_t *c = case_node(name);
    case_bars input = bars_of(lookup(c, "inputs"));
    size_t L = input.bars.length, F = MS_KRONOS_FEATURES;
    size_t steps = (size_t)json_integer_value(lookup(c, "inputs.pred_len"));
    float *x = malloc(L * F * sizeof *x), *x_norm = malloc(L * F * sizeof *x_norm);
    float mean[MS_KRONOS_FEATURES], std[MS_KRONOS_FEATURES];
    float *x_stamp = malloc(L * MS_KRONOS_STAMPS * sizeof *x_stamp);
    float *y_stamp = malloc(steps * MS_KRONOS_STAMPS * sizeof *y_stamp);
    float *pred = malloc(steps * F * sizeof *pred);
    double clip = json_number_value(lookup(c, "inputs.clip"));
    assert_int_equal(ms_kronos_normalise(&input.bars, clip, x, mean, std, x_norm), MS_OK);
    tolerance stats = tolerance_of("predict_*.intermediate.x_mean / x_std");
    compare_floats("x_mean", mean, lookup(c, "intermediate.x_mean"), stats);
    compare_floats("x_std", std, lookup(c, "intermediate.x_std"), stats);
    compare_floats("x_norm", x_norm, lookup(c, "intermediate.x_norm"),
                   tolerance_of("predict_*.intermediate.x_norm"));
    tolerance exact = { 0.0, 0.0 };
    ms_kronos_time_features(input.timestamps, L, x_stamp);
    ms_kronos_time_features(input.future, steps, y_stamp);
    compare_floats("x_stamp", x_stamp, lookup(c, "intermediate.x_stamp"), exact);
    compare_floats("y_stamp", y_stamp, lookup(c, "intermediate.y_stamp"), exact);
    ms_kronos_sampling greedy = { 1.0, 1, 1.0, 1, 3 };
    assert_int_equal(ms_kronos_predict(shared()->kronos, &input.bars, 1, steps,
                                       (size_t)json_integer_value(lookup(c, "inputs.max_context")),
                                       clip, &greedy, pred), MS_OK);
    compare_prediction("pred", pred, lookup(c, "outputs.pred"), lookup(c, "intermediate.x_std"));
    free_case_bars(&input);
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
    json_t *c = case_node("predict_batch");
    json_t *series = json_object_get(c, "series");
    size_t n = json_array_size(series), F = MS_KRONOS_FEATURES;
    size_t steps = (size_t)json_integer_value(lookup(c, "inputs.pred_len"));
    case_bars *inputs = calloc(n, sizeof *inputs);
    ms_kronos_bars *bars = calloc(n, sizeof *bars);
    for (size_t i = 0; i < n; i++) {
        inputs[i] = bars_of(lookup(json_array_get(series, i), "inputs"));
        bars[i] = inputs[i].bars;
    }
    float *pred = malloc(n * steps * F * sizeof *pred);
    ms_kronos_sampling greedy = { 1.0, 1, 1.0, 1, 5 };
    assert_int_equal(ms_kronos_predict(shared()->kronos, bars, n, steps,
                                       (size_t)json_integer_value(lookup(c, "inputs.max_context")),
                                       json_number_value(lookup(c, "inputs.clip")), &greedy,
                                       pred), MS_OK);
    for (size_t i = 0; i < n; i++) {
        json_t *one = json_array_get(series, i);
        compare_prediction("predict_batch pred", pred + i * steps * F,
                           lookup(one, "outputs.pred"), lookup(one, "intermediate.x_std"));
        free_case_bars(&inputs[i]);
    }
    free(inputs), free(bars), free(pred);
}

static void predict_refuses_a_negative_price_naming_it(void **state)
{
    (void)state;
    json_t *c = case_node("predict_ctx20");
    case_bars input = bars_of(lookup(c, "inputs"));
    input.columns[2][4] = -1.0;
    float pred[8 * MS_KRONOS_FEATURES];
    ms_kronos_sampling greedy = { 1.0, 1, 1.0, 1, 5 };
    assert_int_equal(ms_kronos_predict(shared()->kronos, &input.bars, 1, 8, 24, 5.0, &greedy,
                                       pred), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "bar 4: low is -1"));
    free_case_bars(&input);
}

static void without_volume_an_amount_column_is_ignored_as_officially(void **state)
{
    (void)state;
    json_t *c = case_node("predict_no_volume");
    case_bars input = bars_of(lookup(c, "inputs"));
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
    free_case_bars(&input);
    free(amount), free(x), free(x_norm);
}

static void a_context_without_bars_is_refused(void **state)
{
    (void)state;
    json_t *c = case_node("predict_ctx20");
    case_bars input = bars_of(lookup(c, "inputs"));
    input.bars.length = 0;
    float pred[8 * MS_KRONOS_FEATURES];
    ms_kronos_sampling greedy = { 1.0, 1, 1.0, 1, 5 };
    assert_int_equal(ms_kronos_predict(shared()->kronos, &input.bars, 1, 8, 24, 5.0, &greedy,
                                       pred), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "at least one bar"));
    free_case_bars(&input);
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
    float *ref = floats_of(reference), *tol = floats_of(tolerances);
    size_t count = count_of(reference), failures = 0;
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
    json_t *c = case_node("sampling");
    case_bars input = bars_of(lookup(c, "inputs"));
    const size_t L = input.bars.length, F = MS_KRONOS_FEATURES, N = 64;
    const size_t steps = (size_t)json_integer_value(lookup(c, "inputs.pred_len"));
    const double clip = json_number_value(lookup(c, "inputs.clip"));
    float *x = malloc(L * F * sizeof *x), *x_norm = malloc(L * F * sizeof *x_norm);
    float *x_stamp = malloc(L * MS_KRONOS_STAMPS * sizeof *x_stamp);
    float *y_stamp = malloc(steps * MS_KRONOS_STAMPS * sizeof *y_stamp);
    float *preds = malloc(steps * F * sizeof *preds), *paths = malloc(N * steps * F * sizeof *paths);
    float mean[MS_KRONOS_FEATURES], std[MS_KRONOS_FEATURES];
    assert_int_equal(ms_kronos_normalise(&input.bars, clip, x, mean, std, x_norm), MS_OK);
    ms_kronos_time_features(input.timestamps, L, x_stamp);
    ms_kronos_time_features(input.future, steps, y_stamp);
    ms_kronos_sampling sampling = { json_number_value(lookup(c, "inputs.T")),
                                    (int)json_integer_value(lookup(c, "inputs.top_k")),
                                    json_number_value(lookup(c, "inputs.top_p")), N, 20251204 };
    assert_int_equal(ms_kronos_generate(shared()->kronos, x_norm, x_stamp, y_stamp, 1, L, steps,
                                        (size_t)json_integer_value(lookup(c, "inputs.max_context")),
                                        clip, &sampling, true, preds, paths, NULL), MS_OK);
    double mean_path[8 * MS_KRONOS_FEATURES], quantiles[5 * 8], close[64];
    assert_true(steps <= 8);
    for (size_t i = 0; i < steps * F; i++)
        mean_path[i] = preds[i] * (std[i % F] + 1e-5f) + mean[i % F];
    json_t *levels = lookup(c, "outputs.quantile_levels");
    assert_int_equal(json_array_size(levels), 5);
    for (size_t h = 0; h < steps; h++) {
        for (size_t n = 0; n < N; n++)
            close[n] = paths[(n * steps + h) * F + 3] * (std[3] + 1e-5f) + mean[3];
        qsort(close, N, sizeof *close, by_value);
        for (size_t q = 0; q < 5; q++)
            quantiles[q * steps + h] = linear_quantile(close, N, json_number_value(
                                                                     json_array_get(levels, q)));
    }
    double avg_limit = json_number_value(lookup(c, "tolerance.avg_limit"));
    compare_statistic("sampled mean path", mean_path, lookup(c, "outputs.pooled_mean_path"),
                      lookup(c, "tolerance.mean_path_tol"), avg_limit);
    compare_statistic("sampled close quantiles", quantiles,
                      lookup(c, "outputs.pooled_close_quantiles"),
                      lookup(c, "tolerance.close_quantiles_tol"), avg_limit);
    free_case_bars(&input);
    free(x), free(x_norm), free(x_stamp), free(y_stamp), free(preds), free(paths);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encode_gives_the_official_tokens_and_pre_quantisation_values),
        cmocka_unit_test(decode_of_encoded_tokens_matches),
        cmocka_unit_test(decode_of_random_tokens_matches),
        cmocka_unit_test(decode_of_full_indices_matches),
        cmocka_unit_test(bits_of_encoded_tokens_are_the_official_decoder_input),
        cmocka_unit_test(bits_take_half_the_codebook_from_each_id_whatever_the_widths),
        cmocka_unit_test(decode_refuses_ids_outside_the_vocabulary),
        cmocka_unit_test(the_sampling_filter_keeps_and_weighs_as_the_official_one),
        cmocka_unit_test(decode_s1_gives_the_official_logits_and_context),
        cmocka_unit_test(decode_s2_over_the_whole_sequence_matches),
        cmocka_unit_test(decode_s2_with_one_s1_rotates_nothing_and_broadcasts),
        cmocka_unit_test(greedy_generation_with_a_window_that_fills_matches),
        cmocka_unit_test(greedy_generation_from_a_context_longer_than_the_window_matches),
        cmocka_unit_test(the_cache_gives_the_official_tokens_and_values_until_the_window_slides),
        cmocka_unit_test(the_cache_is_unused_when_the_context_fills_the_window),
        cmocka_unit_test(greedy_generation_without_amount_matches),
        cmocka_unit_test(greedy_generation_without_volume_matches),
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
    ms_kronos_free(loaded.kronos);
    json_decref(loaded.expected);
    return failed;
}
