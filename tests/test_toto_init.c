/*
 * test_toto_init.c - random-weight checkpoints (ms_toto_checkpoint_init):
 * deterministic per seed, in the published naming, with torch.nn.Linear's
 * default scales, loading back through ms_toto_checkpoint_open with every
 * shape right for the tiny and small presets (base is 600 MB: its
 * parameter count is checked from the config in test_toto_config.c);
 * written into a new or empty directory only, both files or none
 * (test_write_failures.c fills the disk halfway).
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
#include "model/checkpoint.h"
#include "support/temp_dir.h"

static ms_toto_checkpoint *open_checkpoint(const char *dir)
{
    ms_toto_checkpoint *checkpoint = NULL;
    if (ms_toto_checkpoint_open(&checkpoint, dir) != MS_OK)
        fail_msg("%s", ms_last_error());
    return checkpoint;
}

static ms_toto_config preset(const char *name)
{
    ms_toto_config config;
    assert_int_equal(ms_toto_config_preset(name, &config), MS_OK);
    return config;
}

static unsigned char *read_file(const char *dir, const char *name, size_t *size)
{
    char *path = temp_dir_path(dir, name);
    FILE *stream = fopen(path, "rb");
    assert_non_null(stream);
    fseek(stream, 0, SEEK_END);
    *size = (size_t)ftell(stream);
    rewind(stream);
    unsigned char *bytes = malloc(*size);
    assert_int_equal(fread(bytes, 1, *size, stream), *size);
    fclose(stream);
    free(path);
    return bytes;
}

static bool same_weights(const char *dir, const char *a, const char *b)
{
    char *path_a = temp_dir_path(dir, a), *path_b = temp_dir_path(dir, b);
    size_t size_a, size_b;
    unsigned char *bytes_a = read_file(path_a, "model.safetensors", &size_a);
    unsigned char *bytes_b = read_file(path_b, "model.safetensors", &size_b);
    bool same = size_a == size_b && memcmp(bytes_a, bytes_b, size_a) == 0;
    free(bytes_a);
    free(bytes_b);
    free(path_a);
    free(path_b);
    return same;
}

static void init_into(const char *dir, const char *name, const ms_toto_config *config,
                      uint64_t seed)
{
    char *path = temp_dir_path(dir, name);
    if (ms_toto_checkpoint_init(path, config, seed) != MS_OK)
        fail_msg("%s", ms_last_error());
    free(path);
}

static void test_init_is_deterministic_per_seed(void **state)
{
    ms_toto_config tiny = preset("tiny");
    init_into(*state, "a", &tiny, 42);
    init_into(*state, "b", &tiny, 42);
    init_into(*state, "c", &tiny, 43);
    assert_true(same_weights(*state, "a", "b"));
    assert_false(same_weights(*state, "a", "c"));
}

/* torch.nn.Linear's default bounds, RMSNorm scales 1, and values that
 * actually spread over the bound (not all zero or equal). */
static void check_init_scales(const ms_toto_checkpoint *checkpoint, const ms_toto_tensor_spec *spec)
{
    size_t elements = 0;
    const float *weight = ms_toto_checkpoint_weight(checkpoint, spec->name, &elements);
    assert_non_null(weight);
    assert_int_equal(elements, spec->elements);
    float bound = spec->fan_in > 0 ? 1.0f / sqrtf((float)spec->fan_in) : 1.0f;
    float largest = 0.0f;
    for (size_t i = 0; i < elements; i++) {
        if (spec->fan_in == 0 && weight[i] != 1.0f)
            fail_msg("%s[%zu] = %g, expected 1", spec->name, i, weight[i]);
        if (fabsf(weight[i]) > bound)
            fail_msg("%s[%zu] = %g beyond +-%g", spec->name, i, weight[i], bound);
        largest = fmaxf(largest, fabsf(weight[i]));
    }
    /* Uniform draws: the largest of even 4 values exceeds a tenth of the
     * bound with probability 1 - 0.1^4. */
    assert_true(largest > 0.1f * bound);
}

static void check_init_loads(const char *dir, const char *preset_name)
{
    ms_toto_config config = preset(preset_name);
    init_into(dir, preset_name, &config, 7);
    char *path = temp_dir_path(dir, preset_name);
    ms_toto_checkpoint *checkpoint = open_checkpoint(path);
    assert_memory_equal(ms_toto_checkpoint_config(checkpoint), &config, sizeof config);
    assert_int_equal(ms_toto_checkpoint_parameters(checkpoint), ms_toto_config_parameters(&config));
    ms_toto_tensor_spec *specs = NULL;
    size_t count = 0;
    assert_int_equal(ms_toto_tensor_specs(&config, &specs, &count), MS_OK);
    for (size_t i = 0; i < count; i++)
        check_init_scales(checkpoint, &specs[i]);
    free(specs);
    ms_toto_checkpoint_close(checkpoint);
    free(path);
}

static void test_init_tiny_loads_back_with_every_shape_and_scale(void **state)
{
    check_init_loads(*state, "tiny");
}

static void test_init_small_loads_back_with_every_shape_and_scale(void **state)
{
    check_init_loads(*state, "small");
}

static void test_init_writes_the_published_names(void **state)
{
    ms_toto_config tiny = preset("tiny");
    init_into(*state, "tiny", &tiny, 1);
    char *dir = temp_dir_path(*state, "tiny");
    char *path = temp_dir_path(dir, "model.safetensors");
    ms_safetensors *file = NULL;
    assert_int_equal(ms_safetensors_open(&file, path), MS_OK);
    assert_int_equal(ms_safetensors_count(file), 52);
    assert_non_null(ms_safetensors_find(file, "model.transformer.layers.3.mlp.0.w12.weight"));
    for (size_t i = 0; i < ms_safetensors_count(file); i++)
        assert_int_equal(strncmp(ms_safetensors_at(file, i)->name, "model.", 6), 0);
    ms_safetensors_close(file);
    free(path);
    free(dir);
}

static void test_init_creates_missing_parent_directories(void **state)
{
    ms_toto_config tiny = preset("tiny");
    init_into(*state, "models/toto/tiny", &tiny, 1);
    char *dir = temp_dir_path(*state, "models/toto/tiny");
    ms_toto_checkpoint_close(open_checkpoint(dir));
    free(dir);
}

static void test_init_refuses_an_invalid_config_before_creating_anything(void **state)
{
    ms_toto_config config = preset("tiny");
    config.spacewise_every_n_layers = 3;
    char *dir = temp_dir_path(*state, "bad");
    assert_int_equal(ms_toto_checkpoint_init(dir, &config, 1), MS_ERR_MODEL);
    assert_non_null(strstr(ms_last_error(), "spacewise_every_n_layers"));
    struct stat info;
    assert_int_not_equal(stat(dir, &info), 0);
    free(dir);
}

static void test_init_over_a_file_is_an_io_error(void **state)
{
    char *taken = temp_dir_path(*state, "taken");
    FILE *stream = fopen(taken, "wb");
    assert_non_null(stream);
    fclose(stream);
    free(taken);
    ms_toto_config tiny = preset("tiny");
    char *dir = temp_dir_path(*state, "taken");
    assert_int_equal(ms_toto_checkpoint_init(dir, &tiny, 1), MS_ERR_IO);
    assert_non_null(strstr(ms_last_error(), dir));
    free(dir);
}

/* The names in `dir` besides . and .., sorted, joined by spaces. */
static char *listing(const char *dir)
{
    char command[4300];
    snprintf(command, sizeof command, "ls -A '%s' | tr '\\n' ' '", dir);
    FILE *pipe = popen(command, "r");
    assert_non_null(pipe);
    static char names[4096];
    size_t len = fread(names, 1, sizeof names - 1, pipe);
    names[len] = '\0';
    pclose(pipe);
    return names;
}

static void test_init_leaves_exactly_both_files_and_no_staging_directory(void **state)
{
    ms_toto_config tiny = preset("tiny");
    init_into(*state, "made", &tiny, 1);
    char *dir = temp_dir_path(*state, "made");
    assert_string_equal(listing(dir), "config.json model.safetensors ");
    assert_string_equal(listing(*state), "made ");
    free(dir);
}

/* A directory made beforehand (mkdir -p) is filled; a trailing slash
 * names the same directory, not a parent for the staging directory. */
static void test_init_fills_an_empty_directory_given_with_a_trailing_slash(void **state)
{
    char *dir = temp_dir_path(*state, "empty");
    assert_int_equal(mkdir(dir, 0755), 0);
    ms_toto_config tiny = preset("tiny");
    init_into(*state, "empty/", &tiny, 1);
    assert_string_equal(listing(dir), "config.json model.safetensors ");
    assert_string_equal(listing(*state), "empty ");
    ms_toto_checkpoint_close(open_checkpoint(dir));
    free(dir);
}

/* An existing checkpoint, or anything else, is not replaced: no file of
 * it changes and nothing new appears. */
static void test_init_refuses_a_directory_that_is_not_empty_and_leaves_it(void **state)
{
    ms_toto_config tiny = preset("tiny");
    init_into(*state, "kept", &tiny, 1);
    char *dir = temp_dir_path(*state, "kept");
    size_t size_before, size_after;
    unsigned char *before = read_file(dir, "model.safetensors", &size_before);
    assert_int_equal(ms_toto_checkpoint_init(dir, &tiny, 2), MS_ERR_IO);
    assert_non_null(strstr(ms_last_error(), "directory is not empty"));
    assert_non_null(strstr(ms_last_error(), dir));
    unsigned char *after = read_file(dir, "model.safetensors", &size_after);
    assert_int_equal(size_before, size_after);
    assert_memory_equal(before, after, size_before);
    assert_string_equal(listing(dir), "config.json model.safetensors ");
    assert_string_equal(listing(*state), "kept ");
    free(before);
    free(after);
    free(dir);
}

#define TEMP_TEST(f) cmocka_unit_test_setup_teardown(f, temp_dir_setup, temp_dir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEMP_TEST(test_init_is_deterministic_per_seed),
        TEMP_TEST(test_init_tiny_loads_back_with_every_shape_and_scale),
        TEMP_TEST(test_init_small_loads_back_with_every_shape_and_scale),
        TEMP_TEST(test_init_writes_the_published_names),
        TEMP_TEST(test_init_creates_missing_parent_directories),
        TEMP_TEST(test_init_refuses_an_invalid_config_before_creating_anything),
        TEMP_TEST(test_init_over_a_file_is_an_io_error),
        TEMP_TEST(test_init_leaves_exactly_both_files_and_no_staging_directory),
        TEMP_TEST(test_init_fills_an_empty_directory_given_with_a_trailing_slash),
        TEMP_TEST(test_init_refuses_a_directory_that_is_not_empty_and_leaves_it),
    };
    return cmocka_run_group_tests_name("toto_init", tests, NULL, NULL);
}
