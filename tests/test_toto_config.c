/*
 * test_toto_config.c - Toto's config.json: the fixture's values, the
 * official layer-type rule, the presets and their parameter counts, the
 * writer's output, and every config the reader refuses (message naming the
 * file and the key).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/core_internal.h"
#include "model/checkpoint.h"
#include "support/temp_dir.h"

/* The fixture's config.json text (malloc'ed), or NULL outside `make test`. */
static char *fixture_config_text(size_t *size)
{
    const char *source = getenv("MARKETSIM_SOURCE_DIR");
    if (source == NULL)
        return NULL;
    char *path = temp_dir_path(source, "tests/fixtures/toto-tiny/config.json");
    FILE *stream = fopen(path, "rb");
    free(path);
    assert_non_null(stream);
    char *text = calloc(1, 4096);
    *size = fread(text, 1, 4095, stream);
    fclose(stream);
    return text;
}

/* A valid config as a JSON object: the published keys, tiny sizes. */
static json_t *valid_config(void)
{
    return json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:f,s:i,s:s,s:[s],s:{s:i},s:b,s:b,s:b,s:f}",
                     "patch_size", 16, "stride", 16, "embed_dim", 64, "num_layers", 4,
                     "num_heads", 4, "mlp_hidden_dim", 128, "dropout", 0.0,
                     "spacewise_every_n_layers", 2,
                     "scaler_cls", "<class 'model.scaler.CausalPatchStdMeanScaler'>",
                     "output_distribution_classes",
                     "<class 'model.distribution.MixtureOfStudentTsOutput'>",
                     "output_distribution_kwargs", "k_components", 4, "spacewise_first", 0,
                     "use_memory_efficient_attention", 0, "stabilize_with_global", 1,
                     "scale_factor_exponent", 10.0);
}

static ms_status parse_json(json_t *root, ms_toto_config *out)
{
    char *text = json_dumps(root, 0);
    ms_status status = ms_toto_config_parse(text, strlen(text), "bad/config.json", out);
    free(text);
    json_decref(root);
    return status;
}

/* Expects `root` (consumed) to be refused, naming the file and `message`. */
static void check_rejected(json_t *root, const char *message)
{
    ms_toto_config config;
    assert_int_equal(parse_json(root, &config), MS_ERR_MODEL);
    if (strstr(ms_last_error(), "bad/config.json: ") == NULL ||
        strstr(ms_last_error(), message) == NULL)
        fail_msg("message '%s' lacks the file or '%s'", ms_last_error(), message);
}

static void check_value_rejected(const char *key, json_t *value, const char *message)
{
    json_t *root = valid_config();
    json_object_set_new(root, key, value);
    check_rejected(root, message);
}

static ms_toto_config preset(const char *name)
{
    ms_toto_config config;
    assert_int_equal(ms_toto_config_preset(name, &config), MS_OK);
    return config;
}

static void check_layer_types(const ms_toto_config *config, const char *expected)
{
    assert_int_equal(strlen(expected), config->num_layers);
    for (int layer = 0; layer < config->num_layers; layer++)
        if (ms_toto_layer_is_spacewise(config, layer) != (expected[layer] == 'S'))
            fail_msg("layer %d: expected %c in %s", layer, expected[layer], expected);
}

static void test_fixture_config_reads_every_value(void **state)
{
    (void)state;
    size_t size = 0;
    char *text = fixture_config_text(&size);
    if (text == NULL)
        skip();
    ms_toto_config config;
    assert_int_equal(ms_toto_config_parse(text, size, "config.json", &config), MS_OK);
    assert_int_equal(config.patch_size, 16);
    assert_int_equal(config.stride, 16);
    assert_int_equal(config.embed_dim, 64);
    assert_int_equal(config.num_layers, 4);
    assert_int_equal(config.num_heads, 4);
    assert_int_equal(config.mlp_hidden_dim, 128);
    assert_int_equal(config.k_components, 4);
    assert_int_equal(config.spacewise_every_n_layers, 2);
    assert_false(config.spacewise_first);
    assert_true(config.stabilize_with_global);
    assert_false(config.use_memory_efficient_attention);
    assert_true(config.scale_factor_exponent == 10.0);
    assert_true(config.dropout == 0.0);
    free(text);
}

static void test_fixture_layers_are_time_space_time_space(void **state)
{
    (void)state;
    ms_toto_config tiny = preset("tiny");
    check_layer_types(&tiny, "TSTS");
}

/* The official block is [SPACE] + (n-1) x [TIME] when spacewise_first. */
static void test_spacewise_first_puts_the_space_layer_first_in_each_block(void **state)
{
    (void)state;
    ms_toto_config config = preset("tiny");
    config.num_layers = 6;
    config.spacewise_every_n_layers = 3;
    config.spacewise_first = true;
    check_layer_types(&config, "STTSTT");
    config.spacewise_first = false;
    check_layer_types(&config, "TTSTTS");
}

static void test_minus_one_makes_every_layer_time_wise(void **state)
{
    (void)state;
    ms_toto_config config = preset("tiny");
    config.spacewise_every_n_layers = -1;
    check_layer_types(&config, "TTTT");
    config.spacewise_first = true;
    check_layer_types(&config, "TTTT");
}

/* A block of one layer holds no time-wise layer: all space-wise. */
static void test_one_makes_every_layer_space_wise(void **state)
{
    (void)state;
    ms_toto_config config = preset("tiny");
    config.spacewise_every_n_layers = 1;
    check_layer_types(&config, "SSSS");
    config.spacewise_first = true;
    check_layer_types(&config, "SSSS");
}

static void test_base_has_layers_0_to_10_time_wise_and_11_space_wise(void **state)
{
    (void)state;
    ms_toto_config base = preset("base");
    check_layer_types(&base, "TTTTTTTTTTTS");
}

static void test_base_preset_is_toto_open_base(void **state)
{
    (void)state;
    ms_toto_config base = preset("base");
    assert_int_equal(base.patch_size, 64);
    assert_int_equal(base.stride, 64);
    assert_int_equal(base.embed_dim, 768);
    assert_int_equal(base.num_layers, 12);
    assert_int_equal(base.num_heads, 12);
    assert_int_equal(base.mlp_hidden_dim, 3072);
    assert_int_equal(base.k_components, 24);
    assert_int_equal(base.spacewise_every_n_layers, 12);
    assert_false(base.spacewise_first);
    assert_true(base.stabilize_with_global);
    assert_true(base.use_memory_efficient_attention);
    assert_true(base.scale_factor_exponent == 10.0);
    assert_true(base.dropout == 0.1);
}

static void test_small_preset_is_a_quarter_of_base_width_with_last_layer_space_wise(void **state)
{
    (void)state;
    ms_toto_config small = preset("small");
    assert_int_equal(small.embed_dim * 4, preset("base").embed_dim);
    assert_int_equal(small.patch_size, 64);
    assert_int_equal(small.k_components, 24);
    assert_int_equal(small.embed_dim / small.num_heads, 64);
    check_layer_types(&small, "TTTTTS");
    assert_int_equal(ms_toto_config_check(&small, "small"), MS_OK);
}

static void test_unknown_preset_is_not_found(void **state)
{
    (void)state;
    ms_toto_config config;
    assert_int_equal(ms_toto_config_preset("huge", &config), MS_ERR_NOT_FOUND);
    assert_non_null(strstr(ms_last_error(), "'huge'"));
}

/* Published counts: fixture README (tiny), Toto-Open-Base-1.0 (base). */
static void test_parameter_counts_match_the_published_ones(void **state)
{
    (void)state;
    ms_toto_config tiny = preset("tiny"), small = preset("small"), base = preset("base");
    assert_int_equal(ms_toto_config_parameters(&tiny), 235344);
    assert_int_equal(ms_toto_config_parameters(&base), 151306080);
    assert_int_equal(ms_toto_config_parameters(&small), 5958816);
}

static void test_parameter_count_is_the_sum_over_the_tensor_list(void **state)
{
    (void)state;
    const char *names[] = { "tiny", "small", "base" };
    for (size_t p = 0; p < MS_ARRAY_LEN(names); p++) {
        ms_toto_config config = preset(names[p]);
        ms_toto_tensor_spec *specs = NULL;
        size_t count = 0, sum = 0;
        assert_int_equal(ms_toto_tensor_specs(&config, &specs, &count), MS_OK);
        assert_int_equal(count, 10 * (size_t)config.num_layers + 12);
        for (size_t i = 0; i < count; i++)
            sum += specs[i].elements;
        assert_int_equal(sum, ms_toto_config_parameters(&config));
        free(specs);
    }
}

/* Same keys, order, class strings and number spelling as the official file. */
static void test_writing_the_tiny_preset_reproduces_the_fixture_config(void **state)
{
    size_t size = 0;
    char *expected = fixture_config_text(&size);
    if (expected == NULL)
        skip();
    char *path = temp_dir_path(*state, "config.json");
    ms_toto_config tiny = preset("tiny");
    assert_int_equal(ms_toto_config_write(path, &tiny), MS_OK);
    FILE *stream = fopen(path, "rb");
    char written[4096] = { 0 };
    size_t written_size = fread(written, 1, sizeof written - 1, stream);
    fclose(stream);
    assert_int_equal(written_size, size);
    assert_string_equal(written, expected);
    free(expected);
    free(path);
}

static void test_every_preset_round_trips_through_the_file(void **state)
{
    const char *names[] = { "tiny", "small", "base" };
    char *path = temp_dir_path(*state, "config.json");
    for (size_t p = 0; p < MS_ARRAY_LEN(names); p++) {
        ms_toto_config config = preset(names[p]), read;
        assert_int_equal(ms_toto_config_write(path, &config), MS_OK);
        assert_int_equal(ms_toto_config_load(path, &read), MS_OK);
        assert_memory_equal(&read, &config, sizeof config);
    }
    free(path);
}

static void test_writer_refuses_an_invalid_config_and_writes_nothing(void **state)
{
    char *path = temp_dir_path(*state, "config.json");
    ms_toto_config config = preset("tiny");
    config.num_heads = 3;
    assert_int_equal(ms_toto_config_write(path, &config), MS_ERR_MODEL);
    assert_non_null(strstr(ms_last_error(), "'embed_dim' (64) is not divisible by num_heads"));
    struct stat info;
    assert_int_not_equal(stat(path, &info), 0);
    free(path);
}

static void test_load_of_a_missing_file_is_an_io_error_naming_it(void **state)
{
    char *path = temp_dir_path(*state, "config.json");
    ms_toto_config config;
    assert_int_equal(ms_toto_config_load(path, &config), MS_ERR_IO);
    assert_non_null(strstr(ms_last_error(), path));
    free(path);
}

static void test_unknown_keys_are_ignored(void **state)
{
    (void)state;
    json_t *root = valid_config();
    json_object_set_new(root, "pre_xformers_checkpoint", json_false());
    ms_toto_config config;
    assert_int_equal(parse_json(root, &config), MS_OK);
    assert_int_equal(config.embed_dim, 64);
}

static void test_rejects_malformed_json_and_non_objects(void **state)
{
    (void)state;
    ms_toto_config config;
    assert_int_equal(ms_toto_config_parse("{\"patch_size\": ", 15, "bad/config.json", &config),
                     MS_ERR_MODEL);
    assert_non_null(strstr(ms_last_error(), "bad/config.json: malformed JSON"));
    check_rejected(json_pack("[i]", 1), "not a JSON object");
}

static void test_rejects_every_missing_key_naming_it(void **state)
{
    (void)state;
    json_t *keys = valid_config();
    const char *key;
    json_t *value;
    json_object_foreach(keys, key, value) {
        json_t *root = valid_config();
        json_object_del(root, key);
        char message[96];
        snprintf(message, sizeof message, "missing key '%s'", key);
        check_rejected(root, message);
    }
    json_decref(keys);
    json_t *root = valid_config();
    json_object_set_new(root, "output_distribution_kwargs", json_object());
    check_rejected(root, "missing key 'output_distribution_kwargs.k_components'");
}

static void test_rejects_values_of_the_wrong_type_naming_the_key(void **state)
{
    (void)state;
    check_value_rejected("patch_size", json_string("16"),
                         "key 'patch_size' must be an integer, found a string");
    check_value_rejected("embed_dim", json_real(64.0),
                         "key 'embed_dim' must be an integer, found a real number");
    check_value_rejected("num_layers", json_integer(1LL << 40), "key 'num_layers': ");
    check_value_rejected("spacewise_first", json_integer(0),
                         "key 'spacewise_first' must be true or false, found an integer");
    check_value_rejected("dropout", json_string("0.1"), "key 'dropout' must be a number");
    check_value_rejected("scale_factor_exponent", json_null(),
                         "key 'scale_factor_exponent' must be a number, found null");
    check_value_rejected("output_distribution_kwargs", json_integer(4),
                         "key 'output_distribution_kwargs' must be an object");
    check_value_rejected("output_distribution_kwargs", json_pack("{s:s}", "k_components", "4"),
                         "key 'output_distribution_kwargs.k_components' must be an integer");
}

static void test_rejects_classes_this_port_does_not_implement(void **state)
{
    (void)state;
    check_value_rejected("scaler_cls", json_string("<class 'model.scaler.StdMeanScaler'>"),
                         "key 'scaler_cls' is \"<class 'model.scaler.StdMeanScaler'>\"; this port "
                         "implements only \"<class 'model.scaler.CausalPatchStdMeanScaler'>\"");
    check_value_rejected("scaler_cls", json_integer(1), "key 'scaler_cls' must be a string");
    check_value_rejected("output_distribution_classes",
                         json_pack("[s]", "<class 'model.distribution.StudentTOutput'>"),
                         "key 'output_distribution_classes' is \"<class "
                         "'model.distribution.StudentTOutput'>\"");
    check_value_rejected("output_distribution_classes", json_array(),
                         "key 'output_distribution_classes' must be a list of one class name");
    check_value_rejected("output_distribution_classes",
                         json_string("<class 'model.distribution.MixtureOfStudentTsOutput'>"),
                         "key 'output_distribution_classes' must be a list of one class name");
}

static void test_rejects_sizes_out_of_range_naming_the_key(void **state)
{
    (void)state;
    check_value_rejected("patch_size", json_integer(0), "key 'patch_size' is 0; expected 1 to");
    check_value_rejected("num_heads", json_integer(-4), "key 'num_heads' is -4");
    check_value_rejected("mlp_hidden_dim", json_integer(100000), "key 'mlp_hidden_dim' is 100000");
    check_value_rejected("output_distribution_kwargs", json_pack("{s:i}", "k_components", 0),
                         "key 'output_distribution_kwargs.k_components' is 0");
    check_value_rejected("dropout", json_real(1.5), "key 'dropout' is 1.5");
    check_value_rejected("scale_factor_exponent", json_real(-1.0),
                         "key 'scale_factor_exponent' is -1");
}

static void test_rejects_keys_that_disagree_with_each_other(void **state)
{
    (void)state;
    check_value_rejected("stride", json_integer(8),
                         "key 'stride' is 8 but this port needs it equal to patch_size (16)");
    check_value_rejected("embed_dim", json_integer(66),
                         "key 'embed_dim' (66) is not divisible by num_heads (4)");
    check_value_rejected("embed_dim", json_integer(60), "head size embed_dim / num_heads = 15");
    check_value_rejected("spacewise_every_n_layers", json_integer(3),
                         "key 'spacewise_every_n_layers' is 3; expected -1 or a divisor of "
                         "num_layers (4)");
    check_value_rejected("spacewise_every_n_layers", json_integer(0),
                         "key 'spacewise_every_n_layers' is 0");
    check_value_rejected("spacewise_every_n_layers", json_integer(-2),
                         "key 'spacewise_every_n_layers' is -2");
}

#define TEMP_TEST(f) cmocka_unit_test_setup_teardown(f, temp_dir_setup, temp_dir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_config_reads_every_value),
        cmocka_unit_test(test_fixture_layers_are_time_space_time_space),
        cmocka_unit_test(test_spacewise_first_puts_the_space_layer_first_in_each_block),
        cmocka_unit_test(test_minus_one_makes_every_layer_time_wise),
        cmocka_unit_test(test_one_makes_every_layer_space_wise),
        cmocka_unit_test(test_base_has_layers_0_to_10_time_wise_and_11_space_wise),
        cmocka_unit_test(test_base_preset_is_toto_open_base),
        cmocka_unit_test(test_small_preset_is_a_quarter_of_base_width_with_last_layer_space_wise),
        cmocka_unit_test(test_unknown_preset_is_not_found),
        cmocka_unit_test(test_parameter_counts_match_the_published_ones),
        cmocka_unit_test(test_parameter_count_is_the_sum_over_the_tensor_list),
        TEMP_TEST(test_writing_the_tiny_preset_reproduces_the_fixture_config),
        TEMP_TEST(test_every_preset_round_trips_through_the_file),
        TEMP_TEST(test_writer_refuses_an_invalid_config_and_writes_nothing),
        TEMP_TEST(test_load_of_a_missing_file_is_an_io_error_naming_it),
        cmocka_unit_test(test_unknown_keys_are_ignored),
        cmocka_unit_test(test_rejects_malformed_json_and_non_objects),
        cmocka_unit_test(test_rejects_every_missing_key_naming_it),
        cmocka_unit_test(test_rejects_values_of_the_wrong_type_naming_the_key),
        cmocka_unit_test(test_rejects_classes_this_port_does_not_implement),
        cmocka_unit_test(test_rejects_sizes_out_of_range_naming_the_key),
        cmocka_unit_test(test_rejects_keys_that_disagree_with_each_other),
    };
    return cmocka_run_group_tests_name("toto_config", tests, NULL, NULL);
}
