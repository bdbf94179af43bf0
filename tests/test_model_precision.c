/*
 * test_model_precision.c - the precision option of ms_model_open
 * (precision.c, model.c): its vocabulary, the older dtype spelling, the
 * MARKETSIM_PRECISION variable, version 1 option structs, and the devices
 * and CPU features a precision needs. Forecast accuracy per precision is
 * test_toto_precision.c's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "marketsim/marketsim.h"
#include "model/model_internal.h"

static ms_status open_baseline(const ms_model_options *opts, const char **precision)
{
    ms_model *model = NULL;
    ms_status status = ms_model_open(&model, "baseline", opts);
    if (status == MS_OK && precision != NULL)
        *precision = ms_model_precision(model);
    ms_model_free(model);
    return status;
}

static ms_model_options resolved(const char *device, const char *precision, const char *dtype)
{
    ms_model_options opts = MS_MODEL_OPTIONS_INIT;
    opts.device = device;
    opts.precision = precision;
    opts.dtype = dtype;
    return opts;
}

static void test_precision_defaults_to_fp32(void **state)
{
    (void)state;
    unsetenv("MARKETSIM_PRECISION");
    const char *precision = NULL;
    assert_int_equal(open_baseline(NULL, &precision), MS_OK);
    assert_string_equal(precision, "fp32");
    assert_string_equal(ms_model_precision(NULL), "");
}

static void test_precision_names_are_checked_and_made_canonical(void **state)
{
    (void)state;
    ms_model_options opts = resolved("cpu", "INT8", NULL);
    assert_int_equal(ms_precision_resolve(&opts), MS_OK);
    assert_string_equal(opts.precision, "int8");
    assert_string_equal(opts.dtype, "float32");
    opts = resolved("cpu", "fp16", NULL);
    assert_int_equal(ms_precision_resolve(&opts), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "precision 'fp16'"));
}

static void test_dtype_is_the_older_spelling_of_precision(void **state)
{
    (void)state;
    ms_model_options opts = resolved("cuda", NULL, "bfloat16");
    assert_int_equal(ms_precision_resolve(&opts), MS_OK);
    assert_string_equal(opts.precision, "bf16");
    opts = resolved("cpu", "bf16", "bfloat16");
    assert_int_equal(ms_precision_resolve(&opts), MS_OK);
    opts = resolved("cpu", "int8", "float32");
    assert_int_equal(ms_precision_resolve(&opts), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "contradicts"));
}

/* resolved() after ms_model_options_from_env, then ms_precision_resolve. */
static ms_status precision_from_env(const char *precision, const char *dtype,
                                    ms_model_options *opts)
{
    *opts = resolved("cpu", precision, dtype);
    ms_status status = ms_model_options_from_env(opts);
    return status != MS_OK ? status : ms_precision_resolve(opts);
}

static void test_the_environment_sets_the_precision_unless_an_option_does(void **state)
{
    (void)state;
    setenv("MARKETSIM_PRECISION", "int8", 1);
    ms_model_options opts;
    assert_int_equal(precision_from_env(NULL, NULL, &opts), MS_OK);
    assert_string_equal(opts.precision, "int8");
    assert_int_equal(precision_from_env("fp32", NULL, &opts), MS_OK);
    assert_string_equal(opts.precision, "fp32");
    assert_int_equal(precision_from_env(NULL, "float32", &opts), MS_OK);
    assert_string_equal(opts.precision, "fp32");
    setenv("MARKETSIM_PRECISION", "half", 1);
    assert_int_equal(precision_from_env(NULL, NULL, &opts), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "MARKETSIM_PRECISION=half"));
    unsetenv("MARKETSIM_PRECISION");
}

static void test_the_precision_ignores_the_environment_unless_asked(void **state)
{
    (void)state;
    setenv("MARKETSIM_PRECISION", "int8", 1);
    ms_model_options opts = resolved("cpu", NULL, NULL);
    assert_int_equal(ms_precision_resolve(&opts), MS_OK);
    assert_string_equal(opts.precision, "fp32");
    unsetenv("MARKETSIM_PRECISION");
}

static void test_the_baseline_refuses_reduced_precisions(void **state)
{
    (void)state;
    ms_model_options opts = MS_MODEL_OPTIONS_INIT;
    opts.precision = "int8";
    assert_int_equal(open_baseline(&opts, NULL), MS_ERR_UNSUPPORTED);
    assert_non_null(strstr(ms_last_error(), "precision 'int8' is for Toto"));
}

/* A version 1 struct ends before precision: whatever lies after it is
 * never read. */
static void test_version_1_options_are_still_accepted(void **state)
{
    (void)state;
    ms_model_options opts = MS_MODEL_OPTIONS_INIT;
    opts.version = 1;
    opts.precision = "not read";
    const char *precision = NULL;
    assert_int_equal(open_baseline(&opts, &precision), MS_OK);
    assert_string_equal(precision, "fp32");
}

static void test_bf16_on_the_cpu_needs_bfloat16_instructions(void **state)
{
    (void)state;
    ms_cpu_features none = { false, false, false };
    ms_cpu_features avx512 = { true, false, false }, amx = { false, true, false };
    const char *missing = ms_precision_missing_cpu_feature("bf16", &none);
    assert_non_null(missing);
    assert_non_null(strstr(missing, "AVX512_BF16"));
    assert_null(ms_precision_missing_cpu_feature("bf16", &avx512));
    assert_null(ms_precision_missing_cpu_feature("bf16", &amx));
    assert_null(ms_precision_missing_cpu_feature("fp32", &none));
    assert_null(ms_precision_missing_cpu_feature("int8", &none));
}

/* This machine's answer, whichever it is, names the feature when it is no. */
static void test_bf16_on_this_cpu_is_served_or_refused_naming_the_feature(void **state)
{
    (void)state;
    ms_model_options opts = resolved("cpu", "bf16", NULL);
    assert_int_equal(ms_precision_resolve(&opts), MS_OK);
    ms_cpu_features cpu = ms_cpu_features_detect();
    if (cpu.avx512_bf16 || cpu.amx_bf16) {
        assert_int_equal(ms_precision_check_device(&opts), MS_OK);
    } else {
        assert_int_equal(ms_precision_check_device(&opts), MS_ERR_UNSUPPORTED);
        assert_non_null(strstr(ms_last_error(), "AVX512_BF16 or AMX-BF16"));
    }
}

static void test_int8_runs_on_the_cpu_only(void **state)
{
    (void)state;
    ms_model_options opts = resolved("cuda", "int8", NULL);
    assert_int_equal(ms_precision_resolve(&opts), MS_OK);
    assert_int_equal(ms_precision_check_device(&opts), MS_ERR_UNSUPPORTED);
    assert_non_null(strstr(ms_last_error(), "device 'cpu' only"));
    opts = resolved("cuda", "bf16", NULL);
    assert_int_equal(ms_precision_resolve(&opts), MS_OK);
    assert_int_equal(ms_precision_check_device(&opts), MS_OK);
}

static void test_the_description_reports_the_precision(void **state)
{
    (void)state;
    ms_model *model = NULL;
    assert_int_equal(ms_model_open(&model, "baseline", NULL), MS_OK);
    char *description = NULL;
    assert_int_equal(ms_model_describe(model, &description), MS_OK);
    assert_non_null(strstr(description, "\"precision\": \"fp32\""));
    ms_free(description);
    ms_model_free(model);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_precision_defaults_to_fp32),
        cmocka_unit_test(test_precision_names_are_checked_and_made_canonical),
        cmocka_unit_test(test_dtype_is_the_older_spelling_of_precision),
        cmocka_unit_test(test_the_environment_sets_the_precision_unless_an_option_does),
        cmocka_unit_test(test_the_precision_ignores_the_environment_unless_asked),
        cmocka_unit_test(test_the_baseline_refuses_reduced_precisions),
        cmocka_unit_test(test_version_1_options_are_still_accepted),
        cmocka_unit_test(test_bf16_on_the_cpu_needs_bfloat16_instructions),
        cmocka_unit_test(test_bf16_on_this_cpu_is_served_or_refused_naming_the_feature),
        cmocka_unit_test(test_int8_runs_on_the_cpu_only),
        cmocka_unit_test(test_the_description_reports_the_precision),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
