/*
 * model_options.c - the versions of the model layer's options structs
 * (ms_model_options, ms_forecast_options, ms_bar_forecast_options): each
 * version's size, the public init functions (MS_OPTIONS_DECLARE) and the
 * import of a caller's struct of any known version (core's ms_options_*).
 */
#include <stddef.h>

#include "core/core_internal.h"
#include "model_internal.h"

/* Version 2 appended precision, version 3 the model directories. */
MS_OPTIONS_DECLARE(ms_model_options, model, MS_MODEL_OPTIONS, offsetof(ms_model_options, precision),
                   offsetof(ms_model_options, toto_dir), sizeof(ms_model_options));
MS_OPTIONS_DECLARE(ms_forecast_options, forecast, MS_FORECAST_OPTIONS, sizeof(ms_forecast_options));
/* Version 2 appended aggregate (a version 1 caller gets the mean). */
MS_OPTIONS_DECLARE(ms_bar_forecast_options, bar_forecast, MS_BAR_FORECAST_OPTIONS,
                   offsetof(ms_bar_forecast_options, aggregate), sizeof(ms_bar_forecast_options));

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
