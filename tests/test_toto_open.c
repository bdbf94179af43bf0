/*
 * test_toto_open.c - opening Toto models through ms_model_open: a
 * checkpoint directory, the name "toto" ($MARKETSIM_TOTO_DIR, then the
 * Hugging Face cache's newest snapshot), the errors naming where it
 * looked, devices, warm-up and ms_model_describe.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/core_internal.h"
#include "model/checkpoint.h"
#include "marketsim/model.h"
#include "support/temp_dir.h"

/* A random checkpoint with the fixture's sizes in `dir`. */
static void write_checkpoint(const char *dir)
{
    ms_toto_config config;
    assert_int_equal(ms_toto_config_preset("tiny", &config), MS_OK);
    assert_int_equal(ms_toto_checkpoint_init(dir, &config, 3), MS_OK);
}

/* Points the "toto" search at the test's directory only. */
static void isolate_environment(const char *dir)
{
    unsetenv("MARKETSIM_TOTO_DIR");
    setenv("HF_HOME", dir, 1);
}

/* Opens "toto" as the CLI does: options from the environment. */
static ms_status open_toto_from_env(ms_model **model)
{
    ms_model_options options = MS_MODEL_OPTIONS_INIT;
    ms_status status = ms_model_options_from_env(&options);
    return status != MS_OK ? status : ms_model_open(model, "toto", &options);
}

static void test_a_checkpoint_directory_opens_as_toto(void **state)
{
    write_checkpoint(*state);
    ms_model *model = NULL;
    assert_int_equal(ms_model_open(&model, *state, NULL), MS_OK);
    assert_string_equal(ms_model_name(model), "toto");
    ms_model_free(model);
}

static void test_an_empty_directory_names_the_missing_config(void **state)
{
    ms_model *model = NULL;
    assert_int_equal(ms_model_open(&model, *state, NULL), MS_ERR_NOT_FOUND);
    assert_null(model);
    assert_non_null(strstr(ms_last_error(), *state));
    assert_non_null(strstr(ms_last_error(), "config.json"));
}

static void test_toto_opens_marketsim_toto_dir(void **state)
{
    isolate_environment(*state);
    char *checkpoint = temp_dir_path(*state, "explicit");
    write_checkpoint(checkpoint);
    setenv("MARKETSIM_TOTO_DIR", checkpoint, 1);
    ms_model *model = NULL;
    assert_int_equal(open_toto_from_env(&model), MS_OK);
    assert_string_equal(ms_model_name(model), "toto");
    ms_model_free(model);
    unsetenv("MARKETSIM_TOTO_DIR");
    free(checkpoint);
}

static void test_toto_ignores_the_environment_unless_asked(void **state)
{
    isolate_environment(*state);
    char *checkpoint = temp_dir_path(*state, "explicit");
    write_checkpoint(checkpoint);
    setenv("MARKETSIM_TOTO_DIR", checkpoint, 1);
    ms_model *model = NULL;
    assert_int_equal(ms_model_open(&model, "toto", NULL), MS_ERR_NOT_FOUND);
    assert_null(model);
    assert_non_null(strstr(ms_last_error(), "toto_dir"));
    unsetenv("MARKETSIM_TOTO_DIR");
    unsetenv("HF_HOME");
    ms_model_options options = MS_MODEL_OPTIONS_INIT;
    options.toto_dir = checkpoint;
    assert_int_equal(ms_model_open(&model, "toto", &options), MS_OK);
    ms_model_free(model);
    free(checkpoint);
}

static void test_toto_rejects_a_marketsim_toto_dir_that_is_missing(void **state)
{
    isolate_environment(*state);
    setenv("MARKETSIM_TOTO_DIR", "/nonexistent/toto", 1);
    ms_model *model = NULL;
    assert_int_equal(open_toto_from_env(&model), MS_ERR_NOT_FOUND);
    assert_non_null(strstr(ms_last_error(), "MARKETSIM_TOTO_DIR"));
    assert_non_null(strstr(ms_last_error(), "/nonexistent/toto"));
    unsetenv("MARKETSIM_TOTO_DIR");
}

/* Two snapshots; the one modified last is opened (the older one holds no
 * checkpoint, so opening it would fail). */
static void test_toto_opens_the_newest_hugging_face_snapshot(void **state)
{
    isolate_environment(*state);
    char *hub = temp_dir_path(*state, "hub/models--Datadog--Toto-Open-Base-1.0/snapshots/old");
    write_checkpoint(hub);
    char *old_config = temp_dir_path(hub, "config.json");
    assert_int_equal(unlink(old_config), 0);
    struct timespec past[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
    assert_int_equal(utimensat(AT_FDCWD, hub, past, 0), 0);
    char *newest = temp_dir_path(*state, "hub/models--Datadog--Toto-Open-Base-1.0/snapshots/new");
    write_checkpoint(newest);
    ms_model *model = NULL;
    assert_int_equal(open_toto_from_env(&model), MS_OK);
    ms_model_free(model);
    free(old_config);
    free(hub);
    free(newest);
}

static void test_toto_without_checkpoint_names_every_place_looked(void **state)
{
    isolate_environment(*state);
    ms_model *model = NULL;
    assert_int_equal(open_toto_from_env(&model), MS_ERR_NOT_FOUND);
    assert_non_null(strstr(ms_last_error(), "MARKETSIM_TOTO_DIR"));
    assert_non_null(strstr(ms_last_error(), *state));
    assert_non_null(strstr(ms_last_error(), "models--Datadog--Toto-Open-Base-1.0/snapshots"));
}

static void test_cuda_without_a_cuda_libtorch_is_unsupported(void **state)
{
    write_checkpoint(*state);
    ms_model_options opts = MS_MODEL_OPTIONS_INIT;
    opts.device = "cuda";
    ms_model *model = NULL;
    ms_status status = ms_model_open(&model, *state, &opts);
    if (status == MS_OK) {
        /* a CUDA build of libtorch on a machine with a GPU */
        ms_model_free(model);
        skip();
    }
    assert_int_equal(status, MS_ERR_UNSUPPORTED);
    assert_non_null(strstr(ms_last_error(), "no CUDA"));
}

static void test_warmup_runs_the_requested_shape(void **state)
{
    write_checkpoint(*state);
    ms_model *model = NULL;
    assert_int_equal(ms_model_open(&model, *state, NULL), MS_OK);
    assert_int_equal(ms_model_warmup(model, 37, 3), MS_OK);
    ms_model_free(model);
}

static void test_describe_reports_the_checkpoint(void **state)
{
    write_checkpoint(*state);
    ms_model *model = NULL;
    assert_int_equal(ms_model_open(&model, *state, NULL), MS_OK);
    char *text = NULL;
    assert_int_equal(ms_model_describe(model, &text), MS_OK);
    json_t *description = json_loads(text, 0, NULL);
    assert_non_null(description);
    assert_string_equal(json_string_value(json_object_get(description, "name")), "toto");
    /* the fixture's parameter count (its README) */
    assert_int_equal(json_integer_value(json_object_get(description, "parameters")), 235344);
    assert_int_equal(json_integer_value(json_object_get(description, "components")), 4);
    assert_int_equal(json_integer_value(json_object_get(description, "single_pass_horizon")), 16);
    json_t *config = json_object_get(description, "config");
    assert_int_equal(json_integer_value(json_object_get(config, "embed_dim")), 64);
    assert_int_equal(json_integer_value(json_object_get(config, "spacewise_every_n_layers")), 2);
    json_decref(description);
    ms_free(text);
    ms_model_free(model);
}

static void test_describe_baseline_has_no_single_pass_limit(void **state)
{
    (void)state;
    ms_model *model = NULL;
    assert_int_equal(ms_model_open(&model, "baseline", NULL), MS_OK);
    char *text = NULL;
    assert_int_equal(ms_model_describe(model, &text), MS_OK);
    json_t *description = json_loads(text, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(description, "name")), "baseline");
    assert_int_equal(json_integer_value(json_object_get(description, "parameters")), 0);
    assert_true(json_is_null(json_object_get(description, "single_pass_horizon")));
    assert_true(json_is_object(json_object_get(description, "config")));
    json_decref(description);
    ms_free(text);
    ms_model_free(model);
}

int main(void)
{
#define WITH_DIR(test) cmocka_unit_test_setup_teardown(test, temp_dir_setup, temp_dir_teardown)
    const struct CMUnitTest tests[] = {
        WITH_DIR(test_a_checkpoint_directory_opens_as_toto),
        WITH_DIR(test_an_empty_directory_names_the_missing_config),
        WITH_DIR(test_toto_opens_marketsim_toto_dir),
        WITH_DIR(test_toto_ignores_the_environment_unless_asked),
        WITH_DIR(test_toto_rejects_a_marketsim_toto_dir_that_is_missing),
        WITH_DIR(test_toto_opens_the_newest_hugging_face_snapshot),
        WITH_DIR(test_toto_without_checkpoint_names_every_place_looked),
        WITH_DIR(test_cuda_without_a_cuda_libtorch_is_unsupported),
        WITH_DIR(test_warmup_runs_the_requested_shape),
        WITH_DIR(test_describe_reports_the_checkpoint),
        cmocka_unit_test(test_describe_baseline_has_no_single_pass_limit),
    };
    return cmocka_run_group_tests_name("toto_open", tests, NULL, NULL);
}
