/*
 * test_toto_checkpoint.c - Toto checkpoint directories: the official
 * fixture's weights by canonical name, the namings accepted (prefix,
 * unfused SwiGLU, rotary buffers, unknown tensors) and every checkpoint
 * refused.
 *
 * Broken checkpoints are the fixture rewritten with one change (a tensor
 * dropped, renamed, reshaped...) through ms_safetensors_write. Weights are
 * used in place from the mapped file where they can be; files that need a
 * conversion (BF16 tensors, F32 data at an offset that is not a multiple of
 * 4) are written here byte by byte.
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
#include <sys/stat.h>
#include <unistd.h>

#include "core/core_internal.h"
#include "model/checkpoint.h"
#include "support/temp_dir.h"

#define MAX_TENSORS 64

/* The fixture's tensors as float32, editable before being written out. */
typedef struct fixture_copy {
    size_t count;
    ms_tensor_out tensors[MAX_TENSORS];
    char names[MAX_TENSORS][128];
    float *values[MAX_TENSORS];
} fixture_copy;

/* $MARKETSIM_SOURCE_DIR/tests/fixtures/toto-tiny, or NULL outside `make test`. */
static char *fixture_dir(void)
{
    const char *source = getenv("MARKETSIM_SOURCE_DIR");
    return source != NULL ? temp_dir_path(source, "tests/fixtures/toto-tiny") : NULL;
}

static uint32_t float_bits(float value)
{
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buffer[4096];
    size_t size;
    while ((size = fread(buffer, 1, sizeof buffer, in)) > 0)
        assert_int_equal(fwrite(buffer, 1, size, out), size);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

static void write_text(const char *dir, const char *name, const char *text)
{
    char *path = temp_dir_path(dir, name);
    FILE *stream = fopen(path, "wb");
    assert_non_null(stream);
    fputs(text, stream);
    assert_int_equal(fclose(stream), 0);
    free(path);
}

/* Loads the fixture; false (test skipped by the caller) outside `make test`. */
static bool fixture_copy_load(fixture_copy *copy)
{
    char *dir = fixture_dir();
    if (dir == NULL)
        return false;
    char *path = temp_dir_path(dir, "model.safetensors");
    ms_safetensors *file = NULL;
    assert_int_equal(ms_safetensors_open(&file, path), MS_OK);
    copy->count = ms_safetensors_count(file);
    for (size_t i = 0; i < copy->count; i++) {
        const ms_tensor_view *view = ms_safetensors_at(file, i);
        snprintf(copy->names[i], sizeof copy->names[i], "%s", view->name);
        copy->values[i] = malloc(view->elements * sizeof(float) + 1);
        ms_tensor_to_f32(view, copy->values[i]);
        copy->tensors[i] = (ms_tensor_out){ copy->names[i], view->ndim, { 0 }, copy->values[i] };
        memcpy(copy->tensors[i].shape, view->shape, sizeof view->shape);
    }
    ms_safetensors_close(file);
    free(path);
    free(dir);
    return true;
}

static ms_tensor_out *fixture_copy_find(fixture_copy *copy, const char *name)
{
    for (size_t i = 0; i < copy->count; i++)
        if (strcmp(copy->names[i], name) == 0)
            return &copy->tensors[i];
    fail_msg("no tensor '%s' in the fixture", name);
    return NULL;
}

static void fixture_copy_rename(fixture_copy *copy, const char *from, const char *to)
{
    ms_tensor_out *tensor = fixture_copy_find(copy, from);
    snprintf(copy->names[tensor - copy->tensors], sizeof copy->names[0], "%s", to);
}

static void fixture_copy_add(fixture_copy *copy, const char *name, int64_t elements)
{
    size_t i = copy->count++;
    snprintf(copy->names[i], sizeof copy->names[i], "%s", name);
    copy->values[i] = calloc((size_t)elements, sizeof(float));
    copy->tensors[i] = (ms_tensor_out){ copy->names[i], 1, { elements }, copy->values[i] };
}

/* The last tensor takes the removed one's place. */
static void fixture_copy_remove(fixture_copy *copy, const char *name)
{
    size_t i = (size_t)(fixture_copy_find(copy, name) - copy->tensors);
    size_t last = --copy->count;
    free(copy->values[i]);
    memcpy(copy->names[i], copy->names[last], sizeof copy->names[i]);
    copy->values[i] = copy->values[last];
    copy->values[last] = NULL;
    copy->tensors[i] = copy->tensors[last];
    copy->tensors[i].name = copy->names[i];
}

static float *fixture_copy_values(fixture_copy *copy, const char *name)
{
    return copy->values[fixture_copy_find(copy, name) - copy->tensors];
}

/* Writes config.json and model.safetensors into `dir`, frees the copy. */
static void fixture_copy_write(fixture_copy *copy, const char *dir)
{
    char *fixture = fixture_dir();
    char *from = temp_dir_path(fixture, "config.json"), *to = temp_dir_path(dir, "config.json");
    copy_file(from, to);
    char *weights = temp_dir_path(dir, "model.safetensors");
    assert_int_equal(ms_safetensors_write(weights, copy->tensors, copy->count), MS_OK);
    for (size_t i = 0; i < MAX_TENSORS; i++)
        free(copy->values[i]);
    free(weights);
    free(to);
    free(from);
    free(fixture);
}

/* Expects `dir` to be refused with `status` and a message holding both
 * parts (the file, what is wrong). */
static void check_open_rejected(const char *dir, ms_status status, const char *where,
                                const char *message)
{
    ms_toto_checkpoint *checkpoint = (ms_toto_checkpoint *)1;
    assert_int_equal(ms_toto_checkpoint_open(&checkpoint, dir), status);
    assert_null(checkpoint);
    if (strstr(ms_last_error(), where) == NULL || strstr(ms_last_error(), message) == NULL)
        fail_msg("message '%s' lacks '%s' or '%s'", ms_last_error(), where, message);
}

static ms_toto_checkpoint *open_checkpoint(const char *dir)
{
    ms_toto_checkpoint *checkpoint = NULL;
    if (ms_toto_checkpoint_open(&checkpoint, dir) != MS_OK)
        fail_msg("%s", ms_last_error());
    return checkpoint;
}

/* Every weight of `checkpoint` equals the fixture's. */
static void check_fixture_weights(const ms_toto_checkpoint *checkpoint)
{
    fixture_copy fixture = { 0 };
    assert_true(fixture_copy_load(&fixture));
    for (size_t i = 0; i < fixture.count; i++) {
        const char *name = fixture.names[i] + strlen("model.");
        size_t elements = 0;
        const float *weight = ms_toto_checkpoint_weight(checkpoint, name, &elements);
        if (weight == NULL)
            fail_msg("no weight '%s'", name);
        assert_memory_equal(weight, fixture.values[i], elements * sizeof(float));
        free(fixture.values[i]);
    }
}

static void test_fixture_loads_52_weights_and_235344_parameters(void **state)
{
    (void)state;
    char *dir = fixture_dir();
    if (dir == NULL)
        skip();
    ms_toto_checkpoint *checkpoint = open_checkpoint(dir);
    assert_int_equal(ms_toto_checkpoint_parameters(checkpoint), 235344);
    const ms_toto_config *config = ms_toto_checkpoint_config(checkpoint);
    ms_toto_tensor_spec *specs = NULL;
    size_t count = 0;
    assert_int_equal(ms_toto_tensor_specs(config, &specs, &count), MS_OK);
    assert_int_equal(count, 52);
    for (size_t i = 0; i < count; i++) {
        size_t elements = 0;
        assert_non_null(ms_toto_checkpoint_weight(checkpoint, specs[i].name, &elements));
        assert_int_equal(elements, specs[i].elements);
    }
    free(specs);
    ms_toto_checkpoint_close(checkpoint);
    free(dir);
}

/* Expected bits read from the file with Python's struct.unpack('<f'). */
static void test_weights_by_canonical_name_are_the_file_floats(void **state)
{
    (void)state;
    char *dir = fixture_dir();
    if (dir == NULL)
        skip();
    ms_toto_checkpoint *checkpoint = open_checkpoint(dir);
    size_t elements = 0;
    const float *unembed = ms_toto_checkpoint_weight(checkpoint, "unembed.weight", &elements);
    assert_int_equal(elements, 1024 * 64);
    assert_int_equal(float_bits(unembed[0]), 0x3d9c6b39u);
    assert_int_equal(float_bits(unembed[1]), 0xbb20885cu);
    assert_int_equal(float_bits(unembed[elements - 1]), 0x3d0a6730u);
    const float *w3_bias = ms_toto_checkpoint_weight(checkpoint,
                                                     "transformer.layers.3.mlp.0.w3.bias", NULL);
    assert_int_equal(float_bits(w3_bias[0]), 0xbdec281cu);
    assert_null(ms_toto_checkpoint_weight(checkpoint, "model.unembed.weight", NULL));
    assert_null(ms_toto_checkpoint_weight(checkpoint, "transformer.layers.4.norm1.scale", NULL));
    ms_toto_checkpoint_close(checkpoint);
    free(dir);
}

static void test_missing_directory_and_files_are_not_found_naming_the_path(void **state)
{
    char *absent = temp_dir_path(*state, "absent");
    check_open_rejected(absent, MS_ERR_NOT_FOUND, absent, "no such checkpoint directory");
    check_open_rejected(*state, MS_ERR_NOT_FOUND, "/config.json", "no such file");
    char *fixture = fixture_dir();
    if (fixture != NULL) {
        char *config = temp_dir_path(fixture, "config.json");
        char *copied = temp_dir_path(*state, "config.json");
        copy_file(config, copied);
        check_open_rejected(*state, MS_ERR_NOT_FOUND, "/model.safetensors", "no such file");
        check_open_rejected(copied, MS_ERR_NOT_FOUND, copied, "not a checkpoint directory");
        free(copied);
        free(config);
    }
    free(fixture);
    free(absent);
}

static void test_missing_tensor_is_named_with_the_published_prefix(void **state)
{
    fixture_copy copy = { 0 };
    if (!fixture_copy_load(&copy))
        skip();
    fixture_copy_remove(&copy, "model.transformer.layers.3.norm1.scale");
    fixture_copy_write(&copy, *state);
    check_open_rejected(*state, MS_ERR_MODEL, "/model.safetensors: ",
                        "missing tensor 'model.transformer.layers.3.norm1.scale'");
}

static void test_wrong_shape_names_the_tensor_and_both_shapes(void **state)
{
    fixture_copy copy = { 0 };
    if (!fixture_copy_load(&copy))
        skip();
    ms_tensor_out *wqkv = fixture_copy_find(&copy,
                                            "model.transformer.layers.1.attention.wQKV.weight");
    wqkv->shape[0] = 64;
    wqkv->shape[1] = 192;
    fixture_copy_write(&copy, *state);
    check_open_rejected(*state, MS_ERR_MODEL, "/model.safetensors: ",
                        "tensor 'model.transformer.layers.1.attention.wQKV.weight': expected "
                        "shape [192, 64], found [64, 192]");
}

static void test_wrong_rank_names_the_tensor_and_both_shapes(void **state)
{
    fixture_copy copy = { 0 };
    if (!fixture_copy_load(&copy))
        skip();
    ms_tensor_out *bias = fixture_copy_find(&copy, "model.unembed.bias");
    bias->ndim = 2;
    bias->shape[0] = 1;
    bias->shape[1] = 1024;
    fixture_copy_write(&copy, *state);
    check_open_rejected(*state, MS_ERR_MODEL, "/model.safetensors: ",
                        "tensor 'model.unembed.bias': expected shape [1024], found [1, 1024]");
}

/* The naming of checkpoints saved without xFormers (Toto._map_state_dict_keys). */
static void test_unfused_swiglu_names_are_accepted(void **state)
{
    fixture_copy copy = { 0 };
    if (!fixture_copy_load(&copy))
        skip();
    for (int layer = 0; layer < 4; layer++) {
        char from[128], to[128];
        const char *parts[4][2] = { { "mlp.0.w12.weight", "mlp.0.weight" },
                                    { "mlp.0.w12.bias", "mlp.0.bias" },
                                    { "mlp.0.w3.weight", "mlp.2.weight" },
                                    { "mlp.0.w3.bias", "mlp.2.bias" } };
        for (int p = 0; p < 4; p++) {
            snprintf(from, sizeof from, "model.transformer.layers.%d.%s", layer, parts[p][0]);
            snprintf(to, sizeof to, "model.transformer.layers.%d.%s", layer, parts[p][1]);
            fixture_copy_rename(&copy, from, to);
        }
    }
    fixture_copy_write(&copy, *state);
    ms_toto_checkpoint *checkpoint = open_checkpoint(*state);
    check_fixture_weights(checkpoint);
    ms_toto_checkpoint_close(checkpoint);
}

static void test_names_without_the_model_prefix_are_accepted(void **state)
{
    fixture_copy copy = { 0 };
    if (!fixture_copy_load(&copy))
        skip();
    for (size_t i = 0; i < copy.count; i++)
        memmove(copy.names[i], copy.names[i] + strlen("model."),
                strlen(copy.names[i]) - strlen("model.") + 1);
    fixture_copy_write(&copy, *state);
    ms_toto_checkpoint *checkpoint = open_checkpoint(*state);
    check_fixture_weights(checkpoint);
    ms_toto_checkpoint_close(checkpoint);
}

static void test_rotary_buffers_and_unknown_tensors_are_ignored(void **state)
{
    fixture_copy copy = { 0 };
    if (!fixture_copy_load(&copy))
        skip();
    fixture_copy_add(&copy, "model.transformer.rotary_emb.freqs", 8);
    fixture_copy_add(&copy, "model.transformer.layers.0.attention.rotary_emb.freqs", 8);
    fixture_copy_add(&copy, "model.target_variate_label", 64);
    fixture_copy_write(&copy, *state);
    ms_toto_checkpoint *checkpoint = open_checkpoint(*state);
    assert_int_equal(ms_toto_checkpoint_parameters(checkpoint), 235344);
    check_fixture_weights(checkpoint);
    ms_toto_checkpoint_close(checkpoint);
}

static void test_two_tensors_for_one_weight_are_refused(void **state)
{
    fixture_copy copy = { 0 };
    if (!fixture_copy_load(&copy))
        skip();
    fixture_copy_add(&copy, "model.transformer.layers.2.mlp.2.bias", 64);
    fixture_copy_write(&copy, *state);
    check_open_rejected(*state, MS_ERR_MODEL, "/model.safetensors: ",
                        "are both weight 'transformer.layers.2.mlp.0.w3.bias'");
}

static void test_non_finite_weight_is_refused_naming_the_tensor(void **state)
{
    fixture_copy copy = { 0 };
    if (!fixture_copy_load(&copy))
        skip();
    fixture_copy_values(&copy, "model.transformer.layers.0.norm2.scale")[5] = NAN;
    fixture_copy_write(&copy, *state);
    check_open_rejected(*state, MS_ERR_MODEL, "/model.safetensors: ",
                        "tensor 'model.transformer.layers.0.norm2.scale': element 5 is not finite");
}

static void test_a_bad_config_is_refused_naming_config_json(void **state)
{
    fixture_copy copy = { 0 };
    if (!fixture_copy_load(&copy))
        skip();
    fixture_copy_write(&copy, *state);
    write_text(*state, "config.json", "{\"patch_size\": 16}");
    check_open_rejected(*state, MS_ERR_MODEL, "/config.json: ", "missing key 'stride'");
}

static void test_a_corrupt_safetensors_file_is_refused(void **state)
{
    fixture_copy copy = { 0 };
    if (!fixture_copy_load(&copy))
        skip();
    fixture_copy_write(&copy, *state);
    char *weights = temp_dir_path(*state, "model.safetensors");
    assert_int_equal(truncate(weights, 100000), 0);
    check_open_rejected(*state, MS_ERR_MODEL, weights, "beyond the data section");
    free(weights);
}

/* Writes the fixture copy as model.safetensors by hand: tensors whose index
 * is in `bf16_every` steps (0: none) as BF16 (the top half of each float),
 * the others as F32, with spaces after the JSON header so that the data
 * section starts at an offset of `misalignment` mod 8. Frees the copy. */
static void fixture_copy_write_raw(fixture_copy *copy, const char *dir, size_t bf16_every,
                                   size_t misalignment)
{
    json_t *header = json_object();
    size_t offset = 0;
    for (size_t i = 0; i < copy->count; i++) {
        const ms_tensor_out *tensor = &copy->tensors[i];
        json_t *shape = json_array();
        size_t elements = 1;
        for (size_t d = 0; d < tensor->ndim; d++) {
            json_array_append_new(shape, json_integer(tensor->shape[d]));
            elements *= (size_t)tensor->shape[d];
        }
        bool bf16 = bf16_every > 0 && i % bf16_every == 0;
        size_t bytes = elements * (bf16 ? 2 : 4);
        json_object_set_new(header, tensor->name,
                            json_pack("{s:s, s:o, s:[I, I]}", "dtype", bf16 ? "BF16" : "F32",
                                      "shape", shape, "data_offsets", (json_int_t)offset,
                                      (json_int_t)(offset + bytes)));
        offset += bytes;
    }
    char *text = json_dumps(header, JSON_COMPACT);
    size_t padding = (misalignment + 8 - (8 + strlen(text)) % 8) % 8;
    uint64_t length = strlen(text) + padding;
    unsigned char length_bytes[8];
    for (int b = 0; b < 8; b++)
        length_bytes[b] = (unsigned char)(length >> (8 * b));
    char *path = temp_dir_path(dir, "model.safetensors");
    FILE *out = fopen(path, "wb");
    assert_non_null(out);
    fwrite(length_bytes, 1, 8, out);
    fprintf(out, "%s%*s", text, (int)padding, "");
    for (size_t i = 0; i < copy->count; i++) {
        size_t elements = copy->tensors[i].ndim == 1 ? (size_t)copy->tensors[i].shape[0]
                          : (size_t)(copy->tensors[i].shape[0] * copy->tensors[i].shape[1]);
        for (size_t e = 0; e < elements; e++) {
            uint32_t bits = float_bits(copy->values[i][e]);
            bool bf16 = bf16_every > 0 && i % bf16_every == 0;
            for (int b = bf16 ? 2 : 0; b < 4; b++)
                fputc((int)((bits >> (8 * b)) & 0xff), out);
        }
    }
    assert_int_equal(fclose(out), 0);
    char *fixture = fixture_dir();
    char *from = temp_dir_path(fixture, "config.json"), *to = temp_dir_path(dir, "config.json");
    copy_file(from, to);
    for (size_t i = 0; i < MAX_TENSORS; i++)
        free(copy->values[i]);
    free(to);
    free(from);
    free(fixture);
    free(path);
    free(text);
    json_decref(header);
}

static void test_an_aligned_float32_checkpoint_is_used_in_place(void **state)
{
    (void)state;
    char *dir = fixture_dir();
    if (dir == NULL)
        skip();
    ms_toto_checkpoint *checkpoint = open_checkpoint(dir);
    assert_int_equal(ms_toto_checkpoint_mapped_parameters(checkpoint), 235344);
    ms_toto_checkpoint_close(checkpoint);
    free(dir);
}

/* Data starting at 2 mod 8 puts every F32 tensor at an offset of 2 mod 4. */
static void test_a_misaligned_float32_checkpoint_is_converted_to_the_same_weights(void **state)
{
    fixture_copy copy = { 0 };
    if (!fixture_copy_load(&copy))
        skip();
    fixture_copy_write_raw(&copy, *state, 0, 2);
    ms_toto_checkpoint *checkpoint = open_checkpoint(*state);
    assert_int_equal(ms_toto_checkpoint_mapped_parameters(checkpoint), 0);
    check_fixture_weights(checkpoint);
    ms_toto_checkpoint_close(checkpoint);
}

static void test_bfloat16_tensors_are_converted_and_float32_ones_mapped(void **state)
{
    fixture_copy copy = { 0 };
    if (!fixture_copy_load(&copy))
        skip();
    fixture_copy_write_raw(&copy, *state, 3, 0);
    fixture_copy fixture = { 0 };
    assert_true(fixture_copy_load(&fixture));
    ms_toto_checkpoint *checkpoint = open_checkpoint(*state);
    size_t mapped = 0;
    for (size_t i = 0; i < fixture.count; i++) {
        size_t elements = 0;
        const float *weight = ms_toto_checkpoint_weight(checkpoint, fixture.names[i] +
                                                        strlen("model."), &elements);
        assert_non_null(weight);
        uint32_t mask = i % 3 == 0 ? 0xffff0000u : 0xffffffffu;
        for (size_t e = 0; e < elements; e++)
            assert_int_equal(float_bits(weight[e]), float_bits(fixture.values[i][e]) & mask);
        mapped += i % 3 == 0 ? 0 : elements;
        free(fixture.values[i]);
    }
    assert_int_equal(ms_toto_checkpoint_mapped_parameters(checkpoint), mapped);
    ms_toto_checkpoint_close(checkpoint);
}

static void test_non_finite_weight_is_refused_when_converted_too(void **state)
{
    fixture_copy copy = { 0 };
    if (!fixture_copy_load(&copy))
        skip();
    fixture_copy_values(&copy, "model.unembed.weight")[65535] = -INFINITY;
    fixture_copy_write_raw(&copy, *state, 0, 1);
    check_open_rejected(*state, MS_ERR_MODEL, "/model.safetensors: ",
                        "tensor 'model.unembed.weight': element 65535 is not finite");
}

static void test_a_retained_checkpoint_keeps_its_weights_after_the_opener_closes(void **state)
{
    (void)state;
    char *dir = fixture_dir();
    if (dir == NULL)
        skip();
    ms_toto_checkpoint *opened = open_checkpoint(dir);
    ms_toto_checkpoint *kept = ms_toto_checkpoint_retain(opened);
    assert_ptr_equal(kept, opened);
    ms_toto_checkpoint_close(opened);
    const float *unembed = ms_toto_checkpoint_weight(kept, "unembed.weight", NULL);
    assert_int_equal(float_bits(unembed[0]), 0x3d9c6b39u);
    ms_toto_checkpoint_close(kept);
    free(dir);
}

#define TEMP_TEST(f) cmocka_unit_test_setup_teardown(f, temp_dir_setup, temp_dir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_loads_52_weights_and_235344_parameters),
        cmocka_unit_test(test_weights_by_canonical_name_are_the_file_floats),
        TEMP_TEST(test_missing_directory_and_files_are_not_found_naming_the_path),
        TEMP_TEST(test_missing_tensor_is_named_with_the_published_prefix),
        TEMP_TEST(test_wrong_shape_names_the_tensor_and_both_shapes),
        TEMP_TEST(test_wrong_rank_names_the_tensor_and_both_shapes),
        TEMP_TEST(test_unfused_swiglu_names_are_accepted),
        TEMP_TEST(test_names_without_the_model_prefix_are_accepted),
        TEMP_TEST(test_rotary_buffers_and_unknown_tensors_are_ignored),
        TEMP_TEST(test_two_tensors_for_one_weight_are_refused),
        TEMP_TEST(test_non_finite_weight_is_refused_naming_the_tensor),
        TEMP_TEST(test_a_bad_config_is_refused_naming_config_json),
        TEMP_TEST(test_a_corrupt_safetensors_file_is_refused),
        cmocka_unit_test(test_an_aligned_float32_checkpoint_is_used_in_place),
        TEMP_TEST(test_a_misaligned_float32_checkpoint_is_converted_to_the_same_weights),
        TEMP_TEST(test_bfloat16_tensors_are_converted_and_float32_ones_mapped),
        TEMP_TEST(test_non_finite_weight_is_refused_when_converted_too),
        cmocka_unit_test(test_a_retained_checkpoint_keeps_its_weights_after_the_opener_closes),
    };
    return cmocka_run_group_tests_name("toto_checkpoint", tests, NULL, NULL);
}
