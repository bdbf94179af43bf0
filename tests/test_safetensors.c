/*
 * test_safetensors.c - the safetensors reader and writer: the official
 * fixture's tensors and values, F16/BF16 conversion, every malformed file
 * the reader refuses (status and a message naming the file and the
 * tensor), and the writer's round trip and layout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core_internal.h"
#include "model/checkpoint.h"
#include "support/temp_dir.h"

/* $MARKETSIM_SOURCE_DIR/tests/fixtures/toto-tiny/model.safetensors, or NULL
 * when the tests do not run from `make test`. */
static char *fixture_weights(void)
{
    const char *source = getenv("MARKETSIM_SOURCE_DIR");
    if (source == NULL)
        return NULL;
    char *dir = temp_dir_path(source, "tests/fixtures/toto-tiny");
    char *path = temp_dir_path(dir, "model.safetensors");
    free(dir);
    return path;
}

static void write_bytes(const char *path, const void *bytes, size_t size)
{
    FILE *stream = fopen(path, "wb");
    assert_non_null(stream);
    assert_int_equal(fwrite(bytes, 1, size, stream), size);
    assert_int_equal(fclose(stream), 0);
}

/* A file with `header` as JSON, the length field saying `declared` bytes,
 * then `data`. */
static char *write_raw(const char *dir, const char *header, uint64_t declared,
                       const void *data, size_t data_size)
{
    size_t header_size = strlen(header);
    unsigned char *bytes = malloc(8 + header_size + data_size);
    for (int i = 0; i < 8; i++)
        bytes[i] = (unsigned char)(declared >> (8 * i));
    memcpy(bytes + 8, header, header_size);
    if (data_size > 0)
        memcpy(bytes + 8 + header_size, data, data_size);
    char *path = temp_dir_path(dir, "test.safetensors");
    write_bytes(path, bytes, 8 + header_size + data_size);
    free(bytes);
    return path;
}

static char *write_file(const char *dir, const char *header, const void *data, size_t data_size)
{
    return write_raw(dir, header, strlen(header), data, data_size);
}

static uint32_t float_bits(float value)
{
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

/* Expects `header` + `data_size` zero bytes to be refused with
 * MS_ERR_MODEL and a message naming the file and containing `message`. */
static void check_rejected_raw(const char *dir, const char *header, uint64_t declared,
                               size_t data_size, const char *message)
{
    void *data = calloc(1, data_size + 1);
    char *path = write_raw(dir, header, declared, data, data_size);
    ms_safetensors *file = (ms_safetensors *)1;
    assert_int_equal(ms_safetensors_open(&file, path), MS_ERR_MODEL);
    assert_null(file);
    if (strstr(ms_last_error(), path) == NULL || strstr(ms_last_error(), message) == NULL)
        fail_msg("message '%s' lacks '%s' or '%s'", ms_last_error(), path, message);
    free(data);
    free(path);
}

static void check_rejected(const char *dir, const char *header, size_t data_size,
                           const char *message)
{
    check_rejected_raw(dir, header, strlen(header), data_size, message);
}

static void test_fixture_has_52_f32_tensors_with_their_shapes(void **state)
{
    (void)state;
    char *path = fixture_weights();
    if (path == NULL)
        skip();
    ms_safetensors *file = NULL;
    assert_int_equal(ms_safetensors_open(&file, path), MS_OK);
    assert_int_equal(ms_safetensors_count(file), 52);
    size_t parameters = 0;
    for (size_t i = 0; i < ms_safetensors_count(file); i++) {
        assert_int_equal(ms_safetensors_at(file, i)->dtype, MS_DTYPE_F32);
        parameters += ms_safetensors_at(file, i)->elements;
    }
    assert_int_equal(parameters, 235344);
    const ms_tensor_view *unembed = ms_safetensors_find(file, "model.unembed.weight");
    assert_non_null(unembed);
    assert_int_equal(unembed->ndim, 2);
    assert_int_equal(unembed->shape[0], 1024);
    assert_int_equal(unembed->shape[1], 64);
    assert_int_equal(unembed->nbytes, 1024 * 64 * 4);
    assert_null(ms_safetensors_find(file, "unembed.weight"));
    assert_null(ms_safetensors_at(file, 52));
    ms_safetensors_close(file);
    free(path);
}

/* Expected bits read from the file with Python's struct.unpack('<f'). */
static void test_fixture_values_are_the_file_floats_bit_for_bit(void **state)
{
    (void)state;
    char *path = fixture_weights();
    if (path == NULL)
        skip();
    ms_safetensors *file = NULL;
    assert_int_equal(ms_safetensors_open(&file, path), MS_OK);
    const ms_tensor_view *patch = ms_safetensors_find(file, "model.patch_embed.projection.weight");
    assert_non_null(patch);
    float *values = malloc(patch->elements * sizeof *values);
    ms_tensor_to_f32(patch, values);
    assert_int_equal(float_bits(values[0]), 0xbe11a426u);
    assert_int_equal(float_bits(values[1]), 0xbe2a2c93u);
    assert_int_equal(float_bits(values[patch->elements - 1]), 0xbd693c48u);
    free(values);
    const ms_tensor_view *w3_bias = ms_safetensors_find(file,
                                                        "model.transformer.layers.3.mlp.0.w3.bias");
    assert_non_null(w3_bias);
    float bias[64];
    ms_tensor_to_f32(w3_bias, bias);
    assert_int_equal(float_bits(bias[0]), 0xbdec281cu);
    assert_int_equal(float_bits(bias[1]), 0x3baf66dcu);
    assert_int_equal(float_bits(bias[63]), 0xbc62542eu);
    ms_safetensors_close(file);
    free(path);
}

static void test_f16_values_convert_exactly(void **state)
{
    /* 1, -2, 0.5, 65504 (largest), 2^-24 (smallest subnormal), -0, inf, NaN */
    const unsigned char data[] = { 0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38, 0xff, 0x7b,
                                   0x01, 0x00, 0x00, 0x80, 0x00, 0x7c, 0x00, 0x7e };
    char *path = write_file(*state, "{\"h\":{\"dtype\":\"F16\",\"shape\":[2,4],"
                            "\"data_offsets\":[0,16]}}", data, sizeof data);
    ms_safetensors *file = NULL;
    assert_int_equal(ms_safetensors_open(&file, path), MS_OK);
    const ms_tensor_view *half = ms_safetensors_find(file, "h");
    assert_int_equal(half->dtype, MS_DTYPE_F16);
    float values[8];
    ms_tensor_to_f32(half, values);
    assert_true(values[0] == 1.0f && values[1] == -2.0f && values[2] == 0.5f);
    assert_true(values[3] == 65504.0f);
    assert_true(values[4] == ldexpf(1.0f, -24));
    assert_int_equal(float_bits(values[5]), 0x80000000u);
    assert_true(isinf(values[6]) && values[6] > 0);
    assert_true(isnan(values[7]));
    ms_safetensors_close(file);
    free(path);
}

static void test_bf16_values_convert_exactly(void **state)
{
    /* 1, -3, 0x3e20 = 0.15625, inf, smallest subnormal 2^-133 */
    const unsigned char data[] = { 0x80, 0x3f, 0x40, 0xc0, 0x20, 0x3e, 0x80, 0x7f, 0x01, 0x00 };
    char *path = write_file(*state, "{\"b\":{\"dtype\":\"BF16\",\"shape\":[5],"
                            "\"data_offsets\":[0,10]}}", data, sizeof data);
    ms_safetensors *file = NULL;
    assert_int_equal(ms_safetensors_open(&file, path), MS_OK);
    const ms_tensor_view *bfloat = ms_safetensors_find(file, "b");
    assert_int_equal(bfloat->dtype, MS_DTYPE_BF16);
    float values[5];
    ms_tensor_to_f32(bfloat, values);
    assert_true(values[0] == 1.0f && values[1] == -3.0f && values[2] == 0.15625f);
    assert_true(isinf(values[3]));
    assert_true(values[4] == ldexpf(1.0f, -133));
    ms_safetensors_close(file);
    free(path);
}

static void test_i64_buffers_are_read_as_their_values(void **state)
{
    /* 1, -2, 2^40: little-endian int64, as Kronos' tokenizer.bsq buffers */
    const unsigned char data[] = { 1, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0, 0, 0, 0, 0, 1, 0, 0 };
    char *path = write_file(*state, "{\"basis\":{\"dtype\":\"I64\",\"shape\":[3],"
                            "\"data_offsets\":[0,24]}}", data, sizeof data);
    ms_safetensors *file = NULL;
    assert_int_equal(ms_safetensors_open(&file, path), MS_OK);
    const ms_tensor_view *basis = ms_safetensors_find(file, "basis");
    assert_int_equal(basis->dtype, MS_DTYPE_I64);
    float values[3];
    ms_tensor_to_f32(basis, values);
    assert_true(values[0] == 1.0f && values[1] == -2.0f && values[2] == ldexpf(1.0f, 40));
    ms_safetensors_close(file);
    free(path);
}

static void test_metadata_and_empty_tensors_are_accepted(void **state)
{
    const unsigned char data[4] = { 0, 0, 0x80, 0x3f };
    char *path = write_file(*state, "{\"__metadata__\":{\"format\":\"pt\"},"
                            "\"empty\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[0,0]},"
                            "\"one\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}",
                            data, sizeof data);
    ms_safetensors *file = NULL;
    assert_int_equal(ms_safetensors_open(&file, path), MS_OK);
    assert_int_equal(ms_safetensors_count(file), 2);
    assert_null(ms_safetensors_find(file, "__metadata__"));
    assert_int_equal(ms_safetensors_find(file, "empty")->elements, 0);
    float one;
    ms_tensor_to_f32(ms_safetensors_find(file, "one"), &one);
    assert_true(one == 1.0f);
    ms_safetensors_close(file);
    free(path);
}

static void test_unopenable_file_is_an_io_error_naming_it(void **state)
{
    char *path = temp_dir_path(*state, "absent.safetensors");
    ms_safetensors *file = NULL;
    assert_int_equal(ms_safetensors_open(&file, path), MS_ERR_IO);
    assert_non_null(strstr(ms_last_error(), path));
    free(path);
}

static void test_rejects_a_file_shorter_than_the_length_field(void **state)
{
    char *path = temp_dir_path(*state, "short.safetensors");
    write_bytes(path, "\x05\x00\x00", 3);
    ms_safetensors *file = NULL;
    assert_int_equal(ms_safetensors_open(&file, path), MS_ERR_MODEL);
    assert_non_null(strstr(ms_last_error(), path));
    assert_non_null(strstr(ms_last_error(), "3 bytes, too short"));
    free(path);
}

static void test_rejects_a_header_length_beyond_the_file(void **state)
{
    check_rejected_raw(*state, "{}", 4000, 0, "header length 4000 is beyond the file (10 bytes)");
}

/* A sparse file larger than the limit, so the length is inside the file
 * but still refused. */
static void test_rejects_an_absurd_header_length(void **state)
{
    char *path = temp_dir_path(*state, "huge.safetensors");
    FILE *stream = fopen(path, "wb");
    const unsigned char length[8] = { 0x01, 0xe1, 0xf5, 0x05 };   /* 100000001 */
    assert_int_equal(fwrite(length, 1, 8, stream), 8);
    assert_int_equal(fclose(stream), 0);
    assert_int_equal(truncate(path, 100000016), 0);
    ms_safetensors *file = NULL;
    assert_int_equal(ms_safetensors_open(&file, path), MS_ERR_MODEL);
    assert_non_null(strstr(ms_last_error(), path));
    assert_non_null(strstr(ms_last_error(), "header length 100000001 is absurd"));
    free(path);
}

static void test_rejects_malformed_or_non_object_json(void **state)
{
    check_rejected(*state, "{\"a\": {\"dtype\": ", 0, "malformed JSON header");
    check_rejected(*state, "[1, 2]", 0, "the header is not a JSON object");
    check_rejected(*state, "{\"__metadata__\": 3}", 0, "'__metadata__' is not an object");
}

static void test_rejects_a_tensor_named_twice(void **state)
{
    check_rejected(*state, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                   "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8,
                   "a tensor is named twice in the header (duplicate object key near '\"w\"')");
}

static void test_rejects_unknown_dtypes_naming_the_tensor(void **state)
{
    check_rejected(*state, "{\"w\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8,
                   "tensor 'w': dtype 'F64' is not supported");
    check_rejected(*state, "{\"q\":{\"dtype\":\"I8\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4,
                   "tensor 'q': dtype 'I8' is not supported");
    check_rejected(*state, "{\"q\":{\"dtype\":8,\"shape\":[4],\"data_offsets\":[0,4]}}", 4,
                   "tensor 'q': 'dtype' must be a string");
}

static void test_rejects_bad_entries_shapes_and_offsets_naming_the_tensor(void **state)
{
    check_rejected(*state, "{\"w\": [1, 2]}", 0, "tensor 'w': entry is not an object");
    check_rejected(*state, "{\"w\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}", 8,
                   "tensor 'w': 'shape' must be an array");
    check_rejected(*state, "{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8,
                   "tensor 'w': 'shape' must be an array");
    check_rejected(*state, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],"
                   "\"data_offsets\":[0,4]}}", 4, "tensor 'w': 'shape' must be an array");
    check_rejected(*state, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8,
                   "tensor 'w': 'data_offsets' must be two non-negative integers");
    check_rejected(*state, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8,
                   "tensor 'w': 'data_offsets' must be two non-negative integers");
    check_rejected(*state, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[\"0\",8]}}",
                   8, "tensor 'w': 'data_offsets' must be two non-negative integers");
}

static void test_rejects_a_shape_that_does_not_fill_its_byte_range(void **state)
{
    check_rejected(*state, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}",
                   20, "tensor 'w': shape [2, 3] of F32 does not fill data_offsets [0, 20] "
                   "(20 bytes)");
    check_rejected(*state, "{\"w\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,12]}}",
                   12, "tensor 'w': shape [3] of BF16 does not fill");
}

static void test_rejects_truncated_data_naming_the_tensor(void **state)
{
    check_rejected(*state, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                   "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", 12,
                   "tensor 'b': data_offsets [8, 24] are beyond the data section (12 bytes)");
}

static void test_rejects_overlapping_tensors(void **state)
{
    check_rejected(*state, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                   "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12,
                   "tensors 'a' and 'b' overlap");
    check_rejected(*state, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                   "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8,
                   "overlap");
}

static void test_rejects_bytes_that_belong_to_no_tensor(void **state)
{
    check_rejected(*state, "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                   "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12,
                   "4 bytes between tensors 'a' and 'b' belong to no tensor");
    check_rejected(*state, "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8,
                   "4 bytes before tensor 'a' belong to no tensor");
    check_rejected(*state, "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 12,
                   "8 bytes after tensor 'a' belong to no tensor");
    check_rejected(*state, "{}", 4, "the data section holds 4 bytes but no tensor");
}

static void test_writer_round_trips_shapes_and_values(void **state)
{
    const float matrix[6] = { 1.5f, -2.25f, 3e-8f, -0.0f, 1e30f, 7.0f };
    const float vector[3] = { 0.1f, 0.2f, 0.3f };
    ms_tensor_out tensors[2] = { { "layer.weight", 2, { 2, 3 }, matrix },
                                 { "layer.bias", 1, { 3 }, vector } };
    char *path = temp_dir_path(*state, "out.safetensors");
    assert_int_equal(ms_safetensors_write(path, tensors, 2), MS_OK);
    ms_safetensors *file = NULL;
    assert_int_equal(ms_safetensors_open(&file, path), MS_OK);
    assert_int_equal(ms_safetensors_count(file), 2);
    const ms_tensor_view *weight = ms_safetensors_find(file, "layer.weight");
    assert_int_equal(weight->ndim, 2);
    assert_int_equal(weight->shape[0], 2);
    assert_int_equal(weight->shape[1], 3);
    float values[6];
    ms_tensor_to_f32(weight, values);
    assert_memory_equal(values, matrix, sizeof matrix);
    ms_tensor_to_f32(ms_safetensors_find(file, "layer.bias"), values);
    assert_memory_equal(values, vector, sizeof vector);
    ms_safetensors_close(file);
    free(path);
}

static void test_writer_pads_the_header_to_8_bytes_with_pt_metadata(void **state)
{
    const float value = 2.0f;
    ms_tensor_out tensor = { "x", 1, { 1 }, &value };
    char *path = temp_dir_path(*state, "out.safetensors");
    assert_int_equal(ms_safetensors_write(path, &tensor, 1), MS_OK);
    FILE *stream = fopen(path, "rb");
    unsigned char bytes[256];
    size_t size = fread(bytes, 1, sizeof bytes, stream);
    fclose(stream);
    uint64_t length = 0;
    for (int i = 7; i >= 0; i--)
        length = (length << 8) | bytes[i];
    assert_int_equal((8 + length) % 8, 0);
    assert_int_equal(size, 8 + length + 4);
    bytes[8 + length] = '\0';
    assert_non_null(strstr((char *)bytes + 8, "\"__metadata__\":{\"format\":\"pt\"}"));
    const char *end = strrchr((char *)bytes + 8, '}');
    assert_int_equal(strspn(end + 1, " "), strlen(end + 1));
    free(path);
}

static size_t count_entries(const char *dir)
{
    DIR *entries = opendir(dir);
    size_t count = 0;
    for (struct dirent *entry; (entry = readdir(entries)) != NULL; )
        count += entry->d_name[0] != '.';
    closedir(entries);
    return count;
}

static void test_writer_leaves_no_temporary_file(void **state)
{
    const float value = 2.0f;
    ms_tensor_out tensor = { "x", 1, { 1 }, &value };
    char *path = temp_dir_path(*state, "out.safetensors");
    assert_int_equal(ms_safetensors_write(path, &tensor, 1), MS_OK);
    assert_int_equal(ms_safetensors_write(path, &tensor, 1), MS_OK);
    assert_int_equal(count_entries(*state), 1);
    free(path);
}

static void test_writer_rejects_duplicate_names_and_unwritable_paths(void **state)
{
    const float value = 2.0f;
    ms_tensor_out twice[2] = { { "x", 1, { 1 }, &value }, { "x", 1, { 1 }, &value } };
    char *path = temp_dir_path(*state, "out.safetensors");
    assert_int_equal(ms_safetensors_write(path, twice, 2), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "tensor 'x' given twice"));
    assert_int_equal(count_entries(*state), 0);
    char *nowhere = temp_dir_path(*state, "missing/out.safetensors");
    assert_int_equal(ms_safetensors_write(nowhere, twice, 1), MS_ERR_IO);
    assert_non_null(strstr(ms_last_error(), nowhere));
    free(nowhere);
    free(path);
}

#define TEMP_TEST(f) cmocka_unit_test_setup_teardown(f, temp_dir_setup, temp_dir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_has_52_f32_tensors_with_their_shapes),
        cmocka_unit_test(test_fixture_values_are_the_file_floats_bit_for_bit),
        TEMP_TEST(test_f16_values_convert_exactly),
        TEMP_TEST(test_bf16_values_convert_exactly),
        TEMP_TEST(test_i64_buffers_are_read_as_their_values),
        TEMP_TEST(test_metadata_and_empty_tensors_are_accepted),
        TEMP_TEST(test_unopenable_file_is_an_io_error_naming_it),
        TEMP_TEST(test_rejects_a_file_shorter_than_the_length_field),
        TEMP_TEST(test_rejects_a_header_length_beyond_the_file),
        TEMP_TEST(test_rejects_an_absurd_header_length),
        TEMP_TEST(test_rejects_malformed_or_non_object_json),
        TEMP_TEST(test_rejects_a_tensor_named_twice),
        TEMP_TEST(test_rejects_unknown_dtypes_naming_the_tensor),
        TEMP_TEST(test_rejects_bad_entries_shapes_and_offsets_naming_the_tensor),
        TEMP_TEST(test_rejects_a_shape_that_does_not_fill_its_byte_range),
        TEMP_TEST(test_rejects_truncated_data_naming_the_tensor),
        TEMP_TEST(test_rejects_overlapping_tensors),
        TEMP_TEST(test_rejects_bytes_that_belong_to_no_tensor),
        TEMP_TEST(test_writer_round_trips_shapes_and_values),
        TEMP_TEST(test_writer_pads_the_header_to_8_bytes_with_pt_metadata),
        TEMP_TEST(test_writer_leaves_no_temporary_file),
        TEMP_TEST(test_writer_rejects_duplicate_names_and_unwritable_paths),
    };
    return cmocka_run_group_tests_name("safetensors", tests, NULL, NULL);
}
