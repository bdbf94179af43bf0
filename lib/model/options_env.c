/*
 * options_env.c - ms_model_options_from_env: the variables that used to
 * steer model look-up and precision behind the caller's back, read into
 * the options only when the caller asks (the CLI and the Python bindings
 * do). Unset fields only, so an explicit option still wins.
 */
#include <stdio.h>
#include <stdlib.h>

#include "model/model_internal.h"

static ms_status precision_from_env(ms_model_options *opts)
{
    if (opts->precision != NULL || opts->dtype != NULL)
        return MS_OK;
    const char *value = NULL;
    ms_status status = ms_env_text("MARKETSIM_PRECISION", &value);
    if (status != MS_OK || value == NULL)
        return status;
    if (ms_precision_canonical(value) == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "environment variable MARKETSIM_PRECISION=%s: "
                        "expected fp32, bf16 or int8", value);
    opts->precision = value;
    return MS_OK;
}

/* HF_HOME, else where huggingface_hub puts its cache by default. */
static ms_status hf_home_from_env(const char **hf_home)
{
    if (*hf_home != NULL)
        return MS_OK;
    ms_status status = ms_env_text("HF_HOME", hf_home);
    const char *home = getenv("HOME");
    if (status != MS_OK || *hf_home != NULL || home == NULL || *home == '\0')
        return status;
    char root[4096];
    if (snprintf(root, sizeof root, "%s/.cache/huggingface", home) >= (int)sizeof root)
        return MS_OK;
    *hf_home = ms_env_intern(root);
    return *hf_home != NULL ? MS_OK : ms_error(MS_ERR_NOMEM, "out of memory for HOME");
}

MS_API ms_status ms_model_options_from_env(ms_model_options *opts)
{
    if (opts == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_model_options_from_env: NULL options");
    if (opts->version < 3 || opts->version > MS_MODEL_OPTIONS_VERSION)
        return ms_error(MS_ERR_INVALID_ARG, "ms_model_options_from_env: options version %d, "
                        "expected 3 to %d (the fields it fills)", opts->version,
                        MS_MODEL_OPTIONS_VERSION);
    ms_status status;
    if ((status = precision_from_env(opts)) != MS_OK
        || (opts->toto_dir == NULL
            && (status = ms_env_text("MARKETSIM_TOTO_DIR", &opts->toto_dir)) != MS_OK)
        || (opts->kronos_dir == NULL
            && (status = ms_env_text("MARKETSIM_KRONOS_DIR", &opts->kronos_dir)) != MS_OK))
        return status;
    return hf_home_from_env(&opts->hf_home);
}
