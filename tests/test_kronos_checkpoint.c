/*
 * test_kronos_checkpoint.c - loading a Kronos tokenizer + model pair
 * (kronos_checkpoint.c, kronos_config.c, kronos_tensors.c,
 * kronos_locate.c): the tiny fixture loads with every tensor, and each
 * kind of broken pair is refused with a message naming the file and the
 * field or tensor. Broken pairs are copies of tests/fixtures/kronos-tiny
 * with one thing changed.
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
#include <sys/stat.h>

#include "core/core_internal.h"
#include "marketsim/model.h"
#include "model/checkpoint.h"
#include "model/kronos_checkpoint.h"
#include "support/temp_dir.h"

/* The fixture's parameters (its README's counts) plus the rotary.inv_freq
 * buffers the port loads: 4 tokenizer blocks x 4, 2 model blocks x 8 and
 * the dependency layer's 4. */
enum { TOKENIZER_FLOATS = 42862 + 4 * 4, MODEL_FLOATS = 33664 + 2 * 8 + 4 };

static const char *fixture_dir(void)
{
    static char dir[4096];
    const char *source = getenv("MARKETSIM_SOURCE_DIR");
    if (source == NULL)
        skip();
    snprintf(dir, sizeof dir, "%s/tests/fixtures/kronos-tiny", source);
    return dir;
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buffer[65536];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, in)) > 0)
        assert_int_equal(fwrite(buffer, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

/* A copy of the fixture pair under `root` (tokenizer/ and model/). */
static void copy_fixture(const char *root)
{
    const char *parts[] = { "tokenizer", "model" }, *files[] = { "config.json",
                                                                   "model.safetensors" };
    for (size_t p = 0; p < 2; p++) {
        char dir[4200];
        snprintf(dir, sizeof dir, "%s/%s", root, parts[p]);
        assert_int_equal(mkdir(dir, 0755), 0);
        for (size_t f = 0; f < 2; f++) {
            char from[4400], to[4400];
            snprintf(from, sizeof from, "%s/%s/%s", fixture_dir(), parts[p], files[f]);
            snprintf(to, sizeof to, "%s/%s", dir, files[f]);
            copy_file(from, to);
        }
    }
}

static void write_text(const char *root, const char *relative, const char *text)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", root, relative);
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    fputs(text, out);
    assert_int_equal(fclose(out), 0);
}

static void assert_refused(const char *root, ms_status expected, const char *needle1,
                           const char *needle2)
{
    ms_kronos_checkpoint *checkpoint = (ms_kronos_checkpoint *)1;
    assert_int_equal(ms_kronos_checkpoint_open_pair(&checkpoint, root), expected);
    assert_null(checkpoint);
    const char *message = ms_last_error();
    print_message("refused: %s\n", message);
    assert_non_null(strstr(message, needle1));
    assert_non_null(strstr(message, needle2));
}

/* Rewrites root/model/model.safetensors as F32 through `edit`, which may
 * drop a tensor (return false) or change its values. */
typedef bool (*tensor_edit)(const char *name, float *values, size_t count, int64_t *shape);

static void rewrite_model_weights(const char *root, tensor_edit edit)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/model/model.safetensors", root);
    ms_safetensors *file = NULL;
    assert_int_equal(ms_safetensors_open(&file, path), MS_OK);
    size_t count = ms_safetensors_count(file), kept = 0;
    ms_tensor_out *tensors = calloc(count, sizeof *tensors);
    float **values = calloc(count, sizeof *values);
    for (size_t i = 0; i < count; i++) {
        const ms_tensor_view *view = ms_safetensors_at(file, i);
        values[i] = malloc(view->elements * sizeof(float));
        ms_tensor_to_f32(view, values[i]);
        ms_tensor_out *out = &tensors[kept];
        out->name = view->name;
        out->ndim = view->ndim;
        memcpy(out->shape, view->shape, sizeof out->shape);
        out->data = values[i];
        kept += edit(view->name, values[i], view->elements, out->shape);
    }
    char temporary[4410];
    snprintf(temporary, sizeof temporary, "%s.new", path);
    assert_int_equal(ms_safetensors_write(temporary, tensors, kept), MS_OK);
    ms_safetensors_close(file);
    assert_int_equal(rename(temporary, path), 0);
    for (size_t i = 0; i < count; i++)
        free(values[i]);
    free(values);
    free(tensors);
}

static void the_fixture_pair_loads_with_every_tensor(void **state)
{
    (void)state;
    ms_kronos_checkpoint *checkpoint = NULL;
    assert_int_equal(ms_kronos_checkpoint_open_pair(&checkpoint, fixture_dir()), MS_OK);
    const ms_kronos_tokenizer_config *t = ms_kronos_checkpoint_tokenizer_config(checkpoint);
    const ms_kronos_model_config *m = ms_kronos_checkpoint_model_config(checkpoint);
    assert_int_equal(t->d_model, 32);
    assert_int_equal(t->n_enc_layers, 3);
    assert_int_equal(m->n_layers, 2);
    assert_true(m->learn_te);
    assert_int_equal(ms_kronos_checkpoint_parameters(checkpoint),
                     TOKENIZER_FLOATS + MODEL_FLOATS);
    size_t elements = 0;
    const float *rotary = ms_kronos_model_weight(checkpoint,
                                                 "dep_layer.cross_attn.rotary.inv_freq",
                                                 &elements);
    assert_non_null(rotary);
    assert_int_equal(elements, 4);   /* 4 heads of 8, whatever n_heads says */
    assert_float_equal(rotary[0], 1.0, 0.0);
    assert_non_null(ms_kronos_tokenizer_weight(checkpoint, "decoder.1.ffn.w3.weight", NULL));
    assert_null(ms_kronos_tokenizer_weight(checkpoint, "tokenizer.bsq.basis", NULL));
    ms_kronos_checkpoint_close(checkpoint);
}

static void a_missing_tokenizer_directory_is_not_found(void **state)
{
    const char *root = *state;
    copy_fixture(root);
    char tokenizer[4200];
    snprintf(tokenizer, sizeof tokenizer, "%s/tokenizer", root);
    char moved[4200];
    snprintf(moved, sizeof moved, "%s/elsewhere", root);
    assert_int_equal(rename(tokenizer, moved), 0);
    assert_refused(root, MS_ERR_NOT_FOUND, tokenizer, "no such directory");
}

static void bit_widths_that_disagree_are_refused(void **state)
{
    const char *root = *state;
    copy_fixture(root);
    write_text(root, "tokenizer/config.json",
               "{\"attn_dropout_p\": 0.0, \"beta\": 0.05, \"d_in\": 6, \"d_model\": 32, "
               "\"ff_dim\": 64, \"ffn_dropout_p\": 0.0, \"gamma\": 1.1, \"gamma0\": 1.0, "
               "\"group_size\": 4, \"n_dec_layers\": 3, \"n_enc_layers\": 3, \"n_heads\": 4, "
               "\"resid_dropout_p\": 0.0, \"s1_bits\": 3, \"s2_bits\": 5, \"zeta\": 0.05}");
    assert_refused(root, MS_ERR_MODEL, "s1_bits 3, s2_bits 5", "must agree");
}

static void an_unknown_config_key_is_refused(void **state)
{
    const char *root = *state;
    copy_fixture(root);
    write_text(root, "model/config.json",
               "{\"attn_dropout_p\": 0.1, \"d_model\": 32, \"ff_dim\": 64, \"ffn_dropout_p\": "
               "0.25, \"learn_te\": true, \"n_heads\": 2, \"n_layers\": 2, \"resid_dropout_p\": "
               "0.25, \"s1_bits\": 4, \"s2_bits\": 4, \"token_dropout_p\": 0.1, "
               "\"n_kv_heads\": 1}");
    assert_refused(root, MS_ERR_MODEL, "model/config.json", "unknown key 'n_kv_heads'");
}

static void a_missing_config_key_is_refused(void **state)
{
    const char *root = *state;
    copy_fixture(root);
    write_text(root, "model/config.json",
               "{\"attn_dropout_p\": 0.1, \"d_model\": 32, \"ff_dim\": 64, \"ffn_dropout_p\": "
               "0.25, \"n_heads\": 2, \"n_layers\": 2, \"resid_dropout_p\": 0.25, "
               "\"s1_bits\": 4, \"s2_bits\": 4, \"token_dropout_p\": 0.1}");
    assert_refused(root, MS_ERR_MODEL, "model/config.json", "missing key 'learn_te'");
}

static bool drop_fusion_bias(const char *name, float *values, size_t count, int64_t *shape)
{
    (void)values, (void)count, (void)shape;
    return strcmp(name, "embedding.fusion_proj.bias") != 0;
}

static void a_missing_tensor_is_named(void **state)
{
    const char *root = *state;
    copy_fixture(root);
    rewrite_model_weights(root, drop_fusion_bias);
    assert_refused(root, MS_ERR_MODEL, "model/model.safetensors",
                   "missing tensor 'embedding.fusion_proj.bias'");
}

static bool poison_norm(const char *name, float *values, size_t count, int64_t *shape)
{
    (void)shape;
    if (strcmp(name, "norm.weight") == 0)
        values[count - 1] = NAN;
    return true;
}

static void a_nan_weight_is_refused(void **state)
{
    const char *root = *state;
    copy_fixture(root);
    rewrite_model_weights(root, poison_norm);
    assert_refused(root, MS_ERR_MODEL, "'norm.weight'", "element 31 is not finite");
}

static bool reshape_head(const char *name, float *values, size_t count, int64_t *shape)
{
    (void)values, (void)count;
    if (strcmp(name, "head.proj_s2.weight") == 0) {
        shape[0] = 32;
        shape[1] = 16;
    }
    return true;
}

static void a_tensor_of_the_wrong_shape_is_named_with_both_shapes(void **state)
{
    const char *root = *state;
    copy_fixture(root);
    rewrite_model_weights(root, reshape_head);
    assert_refused(root, MS_ERR_MODEL, "'head.proj_s2.weight'", "expected shape [16, 32], "
                   "found [32, 16]");
}

static void a_name_is_found_under_the_kronos_directory(void **state)
{
    const char *root = *state;
    char pair[4200];
    snprintf(pair, sizeof pair, "%s/kronos-small", root);
    assert_int_equal(mkdir(pair, 0755), 0);
    copy_fixture(pair);
    ms_model_options options = MS_MODEL_OPTIONS_INIT;
    options.kronos_dir = root;
    char tokenizer[4096], model[4096];
    assert_int_equal(ms_kronos_locate(&options, "kronos-small", tokenizer, model,
                                      sizeof tokenizer), MS_OK);
    char expected[4300];
    snprintf(expected, sizeof expected, "%s/tokenizer", pair);
    assert_string_equal(tokenizer, expected);
    assert_int_equal(ms_kronos_locate(&options, "kronos-mini", tokenizer, model, sizeof tokenizer),
                     MS_ERR_NOT_FOUND);
    assert_non_null(strstr(ms_last_error(), "kronos-mini"));
}

static void a_name_is_found_in_the_hugging_face_cache(void **state)
{
    const char *root = *state;
    const char *repos[] = { "models--NeoQuasar--Kronos-mini",
                            "models--NeoQuasar--Kronos-Tokenizer-2k" };
    char path[4400];
    snprintf(path, sizeof path, "%s/hub", root);
    assert_int_equal(mkdir(path, 0755), 0);
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/hub/%s", root, repos[i]);
        assert_int_equal(mkdir(path, 0755), 0);
        strcat(path, "/snapshots");
        assert_int_equal(mkdir(path, 0755), 0);
        strcat(path, "/abc123");
        assert_int_equal(mkdir(path, 0755), 0);
    }
    ms_model_options options = MS_MODEL_OPTIONS_INIT;
    options.hf_home = root;
    char tokenizer[4096], model[4096];
    assert_int_equal(ms_kronos_locate(&options, "kronos-mini", tokenizer, model,
                                      sizeof tokenizer), MS_OK);
    assert_non_null(strstr(tokenizer, "Kronos-Tokenizer-2k/snapshots/abc123"));
    assert_non_null(strstr(model, "Kronos-mini/snapshots/abc123"));
    assert_int_equal(ms_kronos_locate(&options, "kronos-base", tokenizer, model, sizeof tokenizer),
                     MS_ERR_NOT_FOUND);
    assert_int_equal(ms_kronos_locate(&options, "kronos-huge", tokenizer, model, sizeof tokenizer),
                     MS_ERR_INVALID_ARG);
    assert_false(ms_kronos_is_name("toto"));
}

/* Parameters of a model config (buffers excluded), from its tensor list. */
static double model_parameters(const char *preset)
{
    ms_kronos_tokenizer_config tokenizer;
    ms_kronos_model_config model;
    assert_int_equal(ms_kronos_config_preset(preset, &tokenizer, &model), MS_OK);
    ms_kronos_tensor_spec *specs = NULL;
    size_t count = 0, total = 0;
    assert_int_equal(ms_kronos_model_specs(&model, &specs, &count), MS_OK);
    for (size_t i = 0; i < count; i++)
        if (strstr(specs[i].name, "inv_freq") == NULL)
            total += specs[i].elements;
    free(specs);
    return (double)total;
}

static void the_published_configs_imply_the_published_parameter_counts(void **state)
{
    (void)state;
    /* The official README: Kronos-mini 4.1M, Kronos-small 24.7M, Kronos-base 102.3M. */
    assert_true(fabs(model_parameters("kronos-mini") - 4.1e6) < 0.05e6);
    assert_true(fabs(model_parameters("kronos-small") - 24.7e6) < 0.05e6);
    /* The model card: Kronos-base 102.3M. */
    assert_true(fabs(model_parameters("kronos-base") - 102.3e6) < 0.05e6);
    assert_int_equal(model_parameters("kronos-tiny"), 33664);
}

static void a_random_pair_loads_with_the_configs_it_was_made_from(void **state)
{
    const char *root = *state;
    ms_kronos_tokenizer_config tokenizer;
    ms_kronos_model_config model;
    assert_int_equal(ms_kronos_config_preset("kronos-tiny", &tokenizer, &model), MS_OK);
    tokenizer.s1_bits = model.s1_bits = 5;
    tokenizer.s2_bits = model.s2_bits = 3;
    model.learn_te = false;
    assert_int_equal(ms_kronos_checkpoint_init(root, &tokenizer, &model, 11), MS_OK);
    ms_kronos_checkpoint *checkpoint = NULL;
    assert_int_equal(ms_kronos_checkpoint_open_pair(&checkpoint, root), MS_OK);
    assert_int_equal(ms_kronos_checkpoint_model_config(checkpoint)->s1_bits, 5);
    assert_false(ms_kronos_checkpoint_model_config(checkpoint)->learn_te);
    size_t elements = 0;
    assert_non_null(ms_kronos_model_weight(checkpoint, "time_emb.day_embed.emb.weight",
                                           &elements));
    assert_int_equal(elements, 32 * 32);
    assert_non_null(ms_kronos_model_weight(checkpoint, "embedding.emb_s1.weight", &elements));
    assert_int_equal(elements, 32 * 32);
    ms_kronos_checkpoint_close(checkpoint);
}

static void a_random_pair_with_disagreeing_bit_widths_is_not_written(void **state)
{
    const char *root = *state;
    ms_kronos_tokenizer_config tokenizer;
    ms_kronos_model_config model;
    assert_int_equal(ms_kronos_config_preset("kronos-tiny", &tokenizer, &model), MS_OK);
    model.s1_bits = 6;
    assert_int_equal(ms_kronos_checkpoint_init(root, &tokenizer, &model, 11), MS_ERR_MODEL);
    char path[4200];
    snprintf(path, sizeof path, "%s/tokenizer", root);
    struct stat info;
    assert_int_not_equal(stat(path, &info), 0);
}

/* Every tensor `specs` lists has its spec's element count in the pair. */
static size_t check_tensors(const ms_kronos_checkpoint *checkpoint, const ms_kronos_tensor_spec *specs,
                            size_t count, bool tokenizer)
{
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        size_t elements = 0;
        const float *data = tokenizer ? ms_kronos_tokenizer_weight(checkpoint, specs[i].name, &elements)
                                      : ms_kronos_model_weight(checkpoint, specs[i].name, &elements);
        if (data == NULL || elements != specs[i].elements)
            fail_msg("%s: %zu values, expected %zu", specs[i].name, elements, specs[i].elements);
        total += elements;
    }
    return total;
}

static void model_init_of_a_kronos_preset_writes_a_pair_the_loader_opens_with_its_shapes(void **state)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/mini", (const char *)*state);
    assert_int_equal(ms_model_init_checkpoint(dir, "kronos-mini", 3), MS_OK);
    ms_kronos_tokenizer_config tokenizer;
    ms_kronos_model_config model;
    assert_int_equal(ms_kronos_config_preset("kronos-mini", &tokenizer, &model), MS_OK);
    ms_kronos_checkpoint *checkpoint = NULL;
    assert_int_equal(ms_kronos_checkpoint_open_pair(&checkpoint, dir), MS_OK);
    const ms_kronos_tokenizer_config *t = ms_kronos_checkpoint_tokenizer_config(checkpoint);
    const ms_kronos_model_config *m = ms_kronos_checkpoint_model_config(checkpoint);
    assert_int_equal(t->d_model, tokenizer.d_model);
    assert_int_equal(t->n_enc_layers, tokenizer.n_enc_layers);
    assert_int_equal(t->n_dec_layers, tokenizer.n_dec_layers);
    assert_int_equal(m->d_model, model.d_model);
    assert_int_equal(m->n_layers, model.n_layers);
    assert_int_equal(m->n_heads, model.n_heads);
    assert_int_equal(m->ff_dim, model.ff_dim);
    assert_int_equal(m->s1_bits, model.s1_bits);
    assert_int_equal(m->s2_bits, model.s2_bits);
    ms_kronos_tensor_spec *specs = NULL;
    size_t count = 0, total = 0;
    assert_int_equal(ms_kronos_tokenizer_specs(&tokenizer, &specs, &count), MS_OK);
    total += check_tensors(checkpoint, specs, count, true);
    free(specs);
    assert_int_equal(ms_kronos_model_specs(&model, &specs, &count), MS_OK);
    total += check_tensors(checkpoint, specs, count, false);
    free(specs);
    assert_int_equal(ms_kronos_checkpoint_parameters(checkpoint), total);
    ms_kronos_checkpoint_close(checkpoint);
}

static void model_init_names_an_unknown_kronos_preset(void **state)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/huge", (const char *)*state);
    assert_int_equal(ms_model_init_checkpoint(dir, "kronos-huge", 3), MS_ERR_NOT_FOUND);
    assert_non_null(strstr(ms_last_error(), "'kronos-huge'"));
    assert_non_null(strstr(ms_last_error(), "kronos-base"));
    struct stat info;
    assert_int_not_equal(stat(dir, &info), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_fixture_pair_loads_with_every_tensor),
        cmocka_unit_test_setup_teardown(a_missing_tokenizer_directory_is_not_found,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(bit_widths_that_disagree_are_refused, temp_dir_setup,
                                        temp_dir_teardown),
        cmocka_unit_test_setup_teardown(an_unknown_config_key_is_refused, temp_dir_setup,
                                        temp_dir_teardown),
        cmocka_unit_test_setup_teardown(a_missing_config_key_is_refused, temp_dir_setup,
                                        temp_dir_teardown),
        cmocka_unit_test_setup_teardown(a_missing_tensor_is_named, temp_dir_setup,
                                        temp_dir_teardown),
        cmocka_unit_test_setup_teardown(a_nan_weight_is_refused, temp_dir_setup,
                                        temp_dir_teardown),
        cmocka_unit_test_setup_teardown(a_tensor_of_the_wrong_shape_is_named_with_both_shapes,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(a_name_is_found_under_the_kronos_directory,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(a_name_is_found_in_the_hugging_face_cache,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test(the_published_configs_imply_the_published_parameter_counts),
        cmocka_unit_test_setup_teardown(
            model_init_of_a_kronos_preset_writes_a_pair_the_loader_opens_with_its_shapes,
            temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(model_init_names_an_unknown_kronos_preset, temp_dir_setup,
                                        temp_dir_teardown),
        cmocka_unit_test_setup_teardown(a_random_pair_loads_with_the_configs_it_was_made_from,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(a_random_pair_with_disagreeing_bit_widths_is_not_written,
                                        temp_dir_setup, temp_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
