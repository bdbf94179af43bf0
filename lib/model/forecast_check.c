/*
 * forecast_check.c - the checks at both edges of a backend call: the
 * caller's arguments to ms_model_forecast before a model sees them, and the
 * distributions a backend returns before anything is derived from them.
 * Every failure names what is wrong and where (series, variate, index).
 */
#include <math.h>

#include "core/core_internal.h"
#include "model/model_internal.h"

static ms_status check_values(const ms_series *one, size_t index)
{
    for (size_t v = 0; v < one->variates; v++) {
        const double *row = one->values + v * one->length;
        for (size_t t = 0; t < one->length; t++)
            if (!isfinite(row[t]))
                return ms_error(MS_ERR_INVALID_ARG,
                                "series %zu: variate %zu, index %zu: value %g is not finite",
                                index, v, t, row[t]);
    }
    return MS_OK;
}

static ms_status check_series(const ms_series *one, size_t index, size_t variates)
{
    if (one->values == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "series %zu: values is NULL", index);
    if (one->length == 0)
        return ms_error(MS_ERR_INVALID_ARG, "series %zu: length is 0 (need at least 1 value)",
                        index);
    if (one->length > MS_MODEL_MAX_CONTEXT)
        return ms_error(MS_ERR_INVALID_ARG, "series %zu: length %zu exceeds the maximum context "
                        "of %d values (MS_MODEL_MAX_CONTEXT): pass the newest %d", index,
                        one->length, MS_MODEL_MAX_CONTEXT, MS_MODEL_MAX_CONTEXT);
    if (one->variates == 0)
        return ms_error(MS_ERR_INVALID_ARG, "series %zu: variates is 0", index);
    if (one->variates != variates)
        return ms_error(MS_ERR_INVALID_ARG,
                        "series %zu has %zu variates but series 0 has %zu "
                        "(one call forecasts series of equal variates)",
                        index, one->variates, variates);
    return check_values(one, index);
}

static ms_status check_levels(const ms_forecast_options *opts)
{
    if (opts->num_quantiles > 0 && opts->quantiles == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "%zu quantile levels requested but quantiles is NULL",
                        opts->num_quantiles);
    for (size_t q = 0; q < opts->num_quantiles; q++) {
        double level = opts->quantiles[q];
        if (!(level > 0.0 && level < 1.0))
            return ms_error(MS_ERR_INVALID_ARG, "quantile level %zu is %g: must be inside (0, 1)",
                            q, level);
    }
    return MS_OK;
}

static ms_status check_aggregates(const ms_forecast_options *opts)
{
    if (opts->num_aggregates > 0 && opts->aggregates == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "%zu aggregates requested but aggregates is NULL",
                        opts->num_aggregates);
    for (size_t a = 0; a < opts->num_aggregates; a++)
        if (ms_aggregate_check(&opts->aggregates[a]) != MS_OK)
            return ms_error_wrap(MS_ERR_INVALID_ARG, "aggregate %zu", a);
    return MS_OK;
}

static ms_status check_options(const ms_forecast_options *opts)
{
    if (opts->horizon == 0)
        return ms_error(MS_ERR_INVALID_ARG, "horizon is 0 (need at least 1 step)");
    ms_status status = check_levels(opts);
    return status != MS_OK ? status : check_aggregates(opts);
}

ms_status ms_forecast_check(const ms_series *series, size_t n_series,
                            const ms_forecast_options *opts,
                            const ms_forecast_output *out)
{
    if (out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "forecast output is NULL");
    ms_status status = check_options(opts);
    if (status != MS_OK)
        return status;
    if (n_series > 0 && series == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "%zu series requested but series is NULL", n_series);
    for (size_t i = 0; i < n_series && status == MS_OK; i++)
        status = check_series(&series[i], i, series[0].variates);
    return status;
}

/* Why component k of a prediction is unusable, or NULL when it is fine. */
static const char *component_problem(const ms_mixture *point, size_t k)
{
    if (!(isfinite(point->weight[k]) && point->weight[k] >= 0.0))
        return "weight must be finite and >= 0";
    if (!(isfinite(point->df[k]) && point->df[k] > 1.0))
        return "df must be finite and > 1 (the mean must exist)";
    if (!isfinite(point->loc[k]))
        return "loc must be finite";
    if (!(isfinite(point->scale[k]) && point->scale[k] > 0.0))
        return "scale must be finite and > 0";
    return NULL;
}

static ms_status point_error(const char *model_name, size_t series, size_t variate,
                             size_t step, const char *problem)
{
    return ms_error(MS_ERR_MODEL,
                    "model '%s' returned an invalid distribution for series %zu, "
                    "variate %zu, step %zu: %s",
                    model_name, series, variate, step, problem);
}

/* Checks one point's components and rescales its weights to sum to 1. */
static ms_status check_point(ms_mixture_batch *batch, size_t b, size_t v, size_t h,
                             const char *model_name, size_t first_series)
{
    ms_mixture point = ms_mixture_batch_point(batch, b, v, h);
    double total = 0.0;
    for (size_t k = 0; k < point.components; k++) {
        const char *problem = component_problem(&point, k);
        if (problem != NULL)
            return point_error(model_name, first_series + b, v, h, problem);
        total += point.weight[k];
    }
    if (!(total > 0.0 && isfinite(total)))
        return point_error(model_name, first_series + b, v, h,
                           "weights must have a positive finite sum");
    double *weight = batch->weight + ms_mixture_batch_index(batch, b, v, h);
    for (size_t k = 0; k < point.components; k++)
        weight[k] /= total;
    return MS_OK;
}

ms_status ms_mixture_batch_check(ms_mixture_batch *batch, const char *model_name,
                                 size_t first_series)
{
    for (size_t b = 0; b < batch->n_series; b++)
        for (size_t v = 0; v < batch->variates; v++)
            for (size_t h = 0; h < batch->horizon; h++) {
                ms_status status = check_point(batch, b, v, h, model_name, first_series);
                if (status != MS_OK)
                    return status;
            }
    return MS_OK;
}
