/*
 * model_options.c - the versions of the model layer's options structs
 * (ms_model_options, ms_forecast_options, ms_bar_forecast_options): each
 * version's size, the public init functions and the import of a caller's
 * struct of any known version (core's ms_options_*).
 */
#include <stddef.h>

#include "core/core_internal.h"
#include "model_internal.h"

/* Version 2 appended precision, version 3 the model directories. */
static const size_t model_sizes[] = { offsetof(ms_model_options, precision),
                                      offsetof(ms_model_options, toto_dir),
                                      sizeof(ms_model_options) };
static const size_t forecast_sizes[] = { sizeof(ms_forecast_options) };
/* Version 2 appended aggregate (a version 1 caller gets the mean). */
static const size_t bar_forecast_sizes[] = { offsetof(ms_bar_forecast_options, aggregate),
                                             sizeof(ms_bar_forecast_options) };

_Static_assert(MS_ARRAY_LEN(model_sizes) == MS_MODEL_OPTIONS_VERSION, "a size per version");
_Static_assert(MS_ARRAY_LEN(forecast_sizes) == MS_FORECAST_OPTIONS_VERSION, "a size per version");
_Static_assert(MS_ARRAY_LEN(bar_forecast_sizes) == MS_BAR_FORECAST_OPTIONS_VERSION,
               "a size per version");

static const ms_options_layout model_layout = { "ms_model_options", model_sizes,
                                                MS_MODEL_OPTIONS_VERSION };
static const ms_options_layout forecast_layout = { "ms_forecast_options", forecast_sizes,
                                                   MS_FORECAST_OPTIONS_VERSION };
static const ms_options_layout bar_forecast_layout = { "ms_bar_forecast_options",
                                                       bar_forecast_sizes,
                                                       MS_BAR_FORECAST_OPTIONS_VERSION };

static const ms_model_options model_defaults = MS_MODEL_OPTIONS_INIT;
static const ms_forecast_options forecast_defaults = MS_FORECAST_OPTIONS_INIT;
static const ms_bar_forecast_options bar_forecast_defaults = MS_BAR_FORECAST_OPTIONS_INIT;

MS_API ms_status ms_model_options_init(ms_model_options *opts, int version)
{
    return ms_options_init(&model_layout, opts, &model_defaults, version);
}

MS_API ms_status ms_forecast_options_init(ms_forecast_options *opts, int version)
{
    return ms_options_init(&forecast_layout, opts, &forecast_defaults, version);
}

MS_API ms_status ms_bar_forecast_options_init(ms_bar_forecast_options *opts, int version)
{
    return ms_options_init(&bar_forecast_layout, opts, &bar_forecast_defaults, version);
}

ms_status ms_model_options_import(const ms_model_options *opts, ms_model_options *out)
{
    return ms_options_import(&model_layout, out, &model_defaults, opts);
}

ms_status ms_forecast_options_import(const ms_forecast_options *opts, ms_forecast_options *out)
{
    return ms_options_import(&forecast_layout, out, &forecast_defaults, opts);
}

ms_status ms_bar_forecast_options_import(const ms_bar_forecast_options *opts,
                                         ms_bar_forecast_options *out)
{
    return ms_options_import(&bar_forecast_layout, out, &bar_forecast_defaults, opts);
}
