/*
 * test_kronos_fixture.c - the libtorch Kronos port against the official
 * code's numbers for the tiny pair (tests/fixtures/kronos-tiny, read its
 * README): tokenizer encode/decode, the sampling filter, decode_s1 /
 * decode_s2 logits, and greedy generation (tokens, per-step logits, the
 * final decode window) from the predictor's normalised inputs, with the
 * official recomputation of the window and with the cache. The
 * predictor's data handling and sampling: test_kronos_predict.c.
 *
 * Tolerances are the fixture's own (support/kronos_cases.h); token ids
 * must be equal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "support/kronos_cases.h"

#define TOKENIZER_TOLERANCE "tokenizer_decode_*.outputs.*"

static void encode_gives_the_official_tokens_and_pre_quantisation_values(void **state)
{
    (void)state;
    json_t *c = kronos_case("tokenizer_encode");
    json_t *x_node = kronos_lookup(c, "inputs.x");
    size_t batch = kronos_dim(x_node, 0), length = kronos_dim(x_node, 1);
    float *x = kronos_floats(x_node);
    int64_t *s1 = malloc(batch * length * sizeof *s1), *s2 = malloc(batch * length * sizeof *s2);
    float *z = malloc(batch * length * 8 * sizeof *z);
    assert_int_equal(ms_kronos_encode(kronos_fixture()->kronos, x, batch, length, s1, s2, z), MS_OK);
    kronos_compare_floats("encode z_pre_quant", z, kronos_lookup(c, "outputs.z_pre_quant"),
                   kronos_tolerance_of("tokenizer_encode.outputs.z_pre_quant / encoder_block_outputs / "
                                "embed_out"));
    kronos_compare_ids("encode s1", s1, kronos_lookup(c, "outputs.s1_ids"));
    kronos_compare_ids("encode s2", s2, kronos_lookup(c, "outputs.s2_ids"));
    /* half=False: one index over all bits, s1 in the low bits. */
    for (size_t i = 0; i < batch * length; i++)
        s1[i] |= s2[i] << 4;
    kronos_compare_ids("encode full_ids", s1, kronos_lookup(c, "outputs.full_ids"));
    free(x), free(s1), free(s2), free(z);
}

static void check_decode(const char *name)
{
    json_t *c = kronos_case(name);
    json_t *s1_node = kronos_lookup(c, "inputs.s1_ids");
    size_t batch = kronos_dim(s1_node, 0), length = kronos_dim(s1_node, 1);
    int64_t *s1 = kronos_longs(s1_node), *s2 = kronos_longs(kronos_lookup(c, "inputs.s2_ids"));
    float *x_hat = malloc(batch * length * MS_KRONOS_FEATURES * sizeof *x_hat);
    assert_int_equal(ms_kronos_decode(kronos_fixture()->kronos, s1, s2, batch, length, x_hat), MS_OK);
    kronos_compare_floats(name, x_hat, kronos_lookup(c, "outputs.x_hat"), kronos_tolerance_of(TOKENIZER_TOLERANCE));
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
    json_t *c = kronos_case("tokenizer_decode_full");
    json_t *ids_node = kronos_lookup(c, "inputs.full_ids");
    size_t batch = kronos_dim(ids_node, 0), length = kronos_dim(ids_node, 1);
    int64_t *ids = kronos_longs(ids_node);
    float *x_hat = malloc(batch * length * MS_KRONOS_FEATURES * sizeof *x_hat);
    float *bits = malloc(batch * length * 8 * sizeof *bits);
    assert_int_equal(ms_kronos_decode(kronos_fixture()->kronos, ids, NULL, batch, length, x_hat), MS_OK);
    assert_int_equal(ms_kronos_indices_to_bits(kronos_fixture()->kronos, ids, NULL, batch, length, bits),
                     MS_OK);
    kronos_tolerance exact = { 0.0, 0.0 };
    kronos_compare_floats("decode_full bits", bits, kronos_lookup(c, "outputs.bits"), exact);
    kronos_compare_floats("decode_full x_hat", x_hat, kronos_lookup(c, "outputs.x_hat"),
                   kronos_tolerance_of(TOKENIZER_TOLERANCE));
    free(ids), free(x_hat), free(bits);
}

static void check_bits(const char *name)
{
    json_t *c = kronos_case(name);
    json_t *s1_node = kronos_lookup(c, "inputs.s1_ids");
    size_t batch = kronos_dim(s1_node, 0), length = kronos_dim(s1_node, 1);
    int64_t *s1 = kronos_longs(s1_node), *s2 = kronos_longs(kronos_lookup(c, "inputs.s2_ids"));
    float *bits = malloc(batch * length * 8 * sizeof *bits);
    assert_int_equal(ms_kronos_indices_to_bits(kronos_fixture()->kronos, s1, s2, batch, length, bits),
                     MS_OK);
    kronos_tolerance exact = { 0.0, 0.0 };
    kronos_compare_floats(name, bits, kronos_lookup(c, "outputs.bits"), exact);
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
    assert_int_equal(ms_kronos_decode(kronos_fixture()->kronos, s1, s2, 1, 2, x_hat), MS_ERR_MODEL);
    assert_non_null(strstr(ms_last_error(), "s1 ids"));
}

static void the_sampling_filter_keeps_and_weighs_as_the_official_one(void **state)
{
    (void)state;
    json_t *c = kronos_case("sample_filter");
    json_t *logits_node = kronos_lookup(c, "inputs.logits");
    size_t rows = kronos_dim(logits_node, 0), vocab = kronos_dim(logits_node, 1);
    float *logits = kronos_floats(logits_node), *probs = malloc(rows * vocab * sizeof *probs);
    json_t *settings = json_object_get(c, "settings");
    assert_true(json_array_size(settings) >= 7);
    for (size_t i = 0; i < json_array_size(settings); i++) {
        json_t *setting = json_array_get(settings, i);
        ms_kronos_sampling sampling = {
            json_number_value(json_object_get(setting, "T")),
            (int)json_integer_value(json_object_get(setting, "top_k")),
            json_number_value(json_object_get(setting, "top_p")), 1, 0, NULL,
        };
        assert_int_equal(ms_kronos_sample_filter(logits, rows, vocab, &sampling, probs), MS_OK);
        char name[64];
        snprintf(name, sizeof name, "filter T=%g top_k=%d top_p=%g", sampling.temperature,
                 sampling.top_k, sampling.top_p);
        /* Same float32 operations in the same order: 1e-6 relative. */
        kronos_tolerance t = { 1e-6, 1e-8 };
        kronos_compare_floats(name, probs, kronos_lookup(setting, "probs"), t);
        json_t *kept = json_object_get(kronos_lookup(setting, "kept"), "data");
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
    json_t *c = kronos_case("model_decode_s1");
    json_t *s1_node = kronos_lookup(c, "inputs.s1_ids");
    size_t batch = kronos_dim(s1_node, 0), length = kronos_dim(s1_node, 1);
    int64_t *s1 = kronos_longs(s1_node), *s2 = kronos_longs(kronos_lookup(c, "inputs.s2_ids"));
    float *stamp = kronos_floats(kronos_lookup(c, "inputs.stamp"));
    float *logits = malloc(batch * length * 16 * sizeof *logits);
    float *context = malloc(batch * length * 32 * sizeof *context);
    assert_int_equal(ms_kronos_decode_s1(kronos_fixture()->kronos, s1, s2, stamp, batch, length, logits,
                                         context), MS_OK);
    kronos_compare_floats("decode_s1 context", context, kronos_lookup(c, "outputs.context"),
                   kronos_tolerance_of(MODEL_S1_TOLERANCE));
    kronos_compare_floats("decode_s1 s1_logits", logits, kronos_lookup(c, "outputs.s1_logits"),
                   kronos_tolerance_of(MODEL_S1_TOLERANCE));
    free(s1), free(s2), free(stamp), free(logits), free(context);
}

static void check_decode_s2(const char *name)
{
    json_t *context_node = kronos_lookup(kronos_case("model_decode_s1"), "outputs.context");
    size_t batch = kronos_dim(context_node, 0), length = kronos_dim(context_node, 1);
    json_t *c = kronos_case(name);
    json_t *s1_node = kronos_lookup(c, "inputs.s1_ids");
    float *context = kronos_floats(context_node), *logits = malloc(batch * length * 16 * sizeof *logits);
    int64_t *s1 = kronos_longs(s1_node);
    assert_int_equal(ms_kronos_decode_s2(kronos_fixture()->kronos, context, batch, length, s1,
                                         kronos_dim(s1_node, 1), logits), MS_OK);
    kronos_compare_floats(name, logits, kronos_lookup(c, "outputs.s2_logits"), kronos_tolerance_of(MODEL_S2_TOLERANCE));
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
    json_t *c = kronos_case(name);
    json_t *x_node = kronos_lookup(c, "intermediate.x_norm");
    size_t length = kronos_dim(x_node, 0);
    size_t steps = (size_t)json_integer_value(kronos_lookup(c, "inputs.pred_len"));
    size_t max_context = (size_t)json_integer_value(kronos_lookup(c, "inputs.max_context"));
    double clip = json_number_value(kronos_lookup(c, "inputs.clip"));
    float *x = kronos_floats(x_node), *x_stamp = kronos_floats(kronos_lookup(c, "intermediate.x_stamp"));
    float *y_stamp = kronos_floats(kronos_lookup(c, "intermediate.y_stamp"));
    float *preds = malloc(steps * MS_KRONOS_FEATURES * sizeof *preds);
    ms_kronos_sampling greedy = { 1.0, 1, 1.0, 1, 7, NULL };
    ms_kronos_trace trace;
    assert_int_equal(ms_kronos_generate(kronos_fixture()->kronos, x, x_stamp, y_stamp, 1, length, steps,
                                        max_context, clip, &greedy, use_cache, preds, NULL,
                                        &trace),
                     MS_OK);
    kronos_compare_ids("context_s1", trace.context_s1, kronos_lookup(c, "intermediate.context_s1"));
    kronos_compare_ids("context_s2", trace.context_s2, kronos_lookup(c, "intermediate.context_s2"));
    json_t *steps_node = kronos_lookup(c, "intermediate.steps");
    assert_int_equal(json_array_size(steps_node), steps);
    for (size_t i = 0; i < steps; i++) {
        json_t *step = json_array_get(steps_node, i);
        kronos_compare_floats("step s1_logits_last", trace.s1_logits_last + i * 16,
                       kronos_lookup(step, "s1_logits_last"), kronos_tolerance_of(LOGITS_TOLERANCE));
        kronos_compare_floats("step s2_logits_last", trace.s2_logits_last + i * 16,
                       kronos_lookup(step, "s2_logits_last"), kronos_tolerance_of(LOGITS_TOLERANCE));
    }
    kronos_compare_ids("generated_s1", trace.generated_s1, kronos_lookup(c, "intermediate.generated_s1"));
    kronos_compare_ids("generated_s2", trace.generated_s2, kronos_lookup(c, "intermediate.generated_s2"));
    kronos_compare_ids("decode_window_s1", trace.window_s1, kronos_lookup(c, "intermediate.decode_window_s1"));
    kronos_compare_ids("decode_window_s2", trace.window_s2, kronos_lookup(c, "intermediate.decode_window_s2"));
    kronos_compare_floats("decoded_norm", trace.decoded, kronos_lookup(c, "intermediate.decoded_norm"),
                   kronos_tolerance_of(DECODED_TOLERANCE));
    kronos_compare_floats("preds_norm", preds, kronos_lookup(c, "intermediate.preds_norm"),
                   kronos_tolerance_of(DECODED_TOLERANCE));
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
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    kronos_fixture_release();
    return failed;
}
