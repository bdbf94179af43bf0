/*
 * test_kronos_shapes.c - the Kronos port on shapes other than the
 * fixture's (random pairs from ms_kronos_checkpoint_init): unequal bit
 * widths, fixed-embedding key names, other depths and head counts. The
 * fixture cannot say whether these compute the official function; these
 * tests check what must hold whatever the shapes: the cache gives the
 * tokens of the recomputation, a series' greedy forecast does not depend
 * on the batch it is in, and sampled forecasts are finite and seeded.
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
#include "model/kronos/kronos_internal.h"
#include "model/kronos_checkpoint.h"
#include "support/temp_dir.h"

enum { LENGTH = 10, STEPS = 6, MAX_CONTEXT = 12, F = MS_KRONOS_FEATURES };

typedef struct shaped {
    char *dir;
    ms_kronos *kronos;
    float x[2][LENGTH][F];
    float x_stamp[2][LENGTH][MS_KRONOS_STAMPS];
    float y_stamp[2][STEPS][MS_KRONOS_STAMPS];
} shaped;

/* A random pair unlike the fixture's and two normalised daily series. */
static int shaped_setup(void **state)
{
    shaped *s = calloc(1, sizeof *s);
    s->dir = temp_dir_create();
    ms_kronos_tokenizer_config tokenizer;
    ms_kronos_model_config model;
    if (s->dir == NULL || ms_kronos_config_preset("kronos-tiny", &tokenizer, &model) != MS_OK)
        return -1;
    tokenizer.s1_bits = model.s1_bits = 5;
    tokenizer.s2_bits = model.s2_bits = 3;
    tokenizer.n_heads = 2;
    tokenizer.n_enc_layers = 2;
    tokenizer.n_dec_layers = 4;
    model.learn_te = false;
    model.n_heads = 4;
    model.n_layers = 3;
    ms_kronos_checkpoint *checkpoint = NULL;
    if (ms_kronos_checkpoint_init(s->dir, &tokenizer, &model, 5) != MS_OK
        || ms_kronos_checkpoint_open_pair(&checkpoint, s->dir) != MS_OK
        || ms_kronos_open(&s->kronos, checkpoint) != MS_OK)
        return -1;
    ms_kronos_checkpoint_close(checkpoint);
    ms_rng rng;
    ms_rng_init(&rng, 17, 0);
    int64_t start = ms_days_from_civil(2024, 3, 1) * MS_SECONDS_PER_DAY;
    int64_t times[LENGTH + STEPS];
    for (size_t t = 0; t < LENGTH + STEPS; t++)
        times[t] = start + (int64_t)t * MS_SECONDS_PER_DAY;
    for (size_t b = 0; b < 2; b++) {
        for (size_t t = 0; t < LENGTH; t++)
            for (size_t f = 0; f < F; f++)
                s->x[b][t][f] = (float)ms_rng_normal(&rng);
        ms_kronos_time_features(times, LENGTH, &s->x_stamp[b][0][0]);
        ms_kronos_time_features(times + LENGTH, STEPS, &s->y_stamp[b][0][0]);
    }
    *state = s;
    return 0;
}

static int shaped_teardown(void **state)
{
    shaped *s = *state;
    ms_kronos_free(s->kronos);
    temp_dir_remove(s->dir);
    free(s);
    return 0;
}

static const ms_kronos_sampling greedy = { 1.0, 1, 1.0, 1, 1, NULL };

static void the_cache_gives_the_tokens_of_the_recomputation(void **state)
{
    shaped *s = *state;
    ms_kronos_trace cached, recomputed;
    float preds_cached[2][STEPS][F], preds_recomputed[2][STEPS][F];
    assert_int_equal(ms_kronos_generate(s->kronos, &s->x[0][0][0], &s->x_stamp[0][0][0],
                                        &s->y_stamp[0][0][0], 2, LENGTH, STEPS, MAX_CONTEXT, 5.0,
                                        &greedy, true, &preds_cached[0][0][0], NULL, &cached),
                     MS_OK);
    assert_int_equal(ms_kronos_generate(s->kronos, &s->x[0][0][0], &s->x_stamp[0][0][0],
                                        &s->y_stamp[0][0][0], 2, LENGTH, STEPS, MAX_CONTEXT, 5.0,
                                        &greedy, false, &preds_recomputed[0][0][0], NULL,
                                        &recomputed), MS_OK);
    assert_memory_equal(cached.generated_s1, recomputed.generated_s1,
                        2 * STEPS * sizeof *cached.generated_s1);
    assert_memory_equal(cached.generated_s2, recomputed.generated_s2,
                        2 * STEPS * sizeof *cached.generated_s2);
    for (size_t i = 0; i < STEPS * 2 * 32; i++)
        assert_true(fabsf(cached.s1_logits_last[i] - recomputed.s1_logits_last[i]) <= 1e-4f);
    for (size_t i = 0; i < 2 * STEPS * F; i++)
        assert_true(fabsf((&preds_cached[0][0][0])[i] - (&preds_recomputed[0][0][0])[i])
                    <= 1e-5f);
    ms_kronos_trace_free(&cached);
    ms_kronos_trace_free(&recomputed);
}

static void a_greedy_forecast_does_not_depend_on_its_batch(void **state)
{
    shaped *s = *state;
    float together[2][STEPS][F], alone[STEPS][F];
    assert_int_equal(ms_kronos_generate(s->kronos, &s->x[0][0][0], &s->x_stamp[0][0][0],
                                        &s->y_stamp[0][0][0], 2, LENGTH, STEPS, MAX_CONTEXT, 5.0,
                                        &greedy, true, &together[0][0][0], NULL, NULL), MS_OK);
    assert_int_equal(ms_kronos_generate(s->kronos, &s->x[1][0][0], &s->x_stamp[1][0][0],
                                        &s->y_stamp[1][0][0], 1, LENGTH, STEPS, MAX_CONTEXT, 5.0,
                                        &greedy, true, &alone[0][0], NULL, NULL), MS_OK);
    for (size_t h = 0; h < STEPS; h++)
        for (size_t f = 0; f < F; f++)
            assert_true(fabsf(together[1][h][f] - alone[h][f]) <= 1e-5f);
}

static void sampled_forecasts_are_finite_and_repeat_with_their_seed(void **state)
{
    shaped *s = *state;
    ms_kronos_sampling sampling = { 0.9, 0, 0.8, 4, 99, NULL };
    float first[2][STEPS][F], second[2][STEPS][F], paths[2][4][STEPS][F];
    assert_int_equal(ms_kronos_generate(s->kronos, &s->x[0][0][0], &s->x_stamp[0][0][0],
                                        &s->y_stamp[0][0][0], 2, LENGTH, STEPS, MAX_CONTEXT, 5.0,
                                        &sampling, true, &first[0][0][0], &paths[0][0][0][0],
                                        NULL), MS_OK);
    assert_int_equal(ms_kronos_generate(s->kronos, &s->x[0][0][0], &s->x_stamp[0][0][0],
                                        &s->y_stamp[0][0][0], 2, LENGTH, STEPS, MAX_CONTEXT, 5.0,
                                        &sampling, true, &second[0][0][0], NULL, NULL), MS_OK);
    assert_memory_equal(first, second, sizeof first);
    for (size_t b = 0; b < 2; b++)
        for (size_t h = 0; h < STEPS; h++)
            for (size_t f = 0; f < F; f++) {
                float sum = 0.0f;
                for (size_t n = 0; n < 4; n++)
                    sum += paths[b][n][h][f];
                assert_true(isfinite(first[b][h][f]));
                assert_true(fabsf(sum / 4.0f - first[b][h][f]) <= 1e-5f);
            }
}

static void bad_sampling_settings_are_refused(void **state)
{
    shaped *s = *state;
    ms_kronos_sampling cold = { 0.0, 0, 0.9, 1, 1, NULL };
    float preds[STEPS][F];
    assert_int_equal(ms_kronos_generate(s->kronos, &s->x[0][0][0], &s->x_stamp[0][0][0],
                                        &s->y_stamp[0][0][0], 1, LENGTH, STEPS, MAX_CONTEXT, 5.0,
                                        &cold, true, &preds[0][0], NULL, NULL),
                     MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "temperature > 0"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_cache_gives_the_tokens_of_the_recomputation),
        cmocka_unit_test(a_greedy_forecast_does_not_depend_on_its_batch),
        cmocka_unit_test(sampled_forecasts_are_finite_and_repeat_with_their_seed),
        cmocka_unit_test(bad_sampling_settings_are_refused),
    };
    return cmocka_run_group_tests(tests, shaped_setup, shaped_teardown);
}
