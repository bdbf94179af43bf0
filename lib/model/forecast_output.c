/*
 * forecast_output.c - everything ms_model_forecast hands back, derived from
 * one series' predicted mixtures: the exact mean, then either samples and
 * the quantiles and aggregates of those samples (num_samples > 0, as the
 * reference system computed them) or quantiles and aggregates of the
 * distribution itself.
 *
 * Samples of variate v of a series come from random stream v of the
 * series' seed (ms_rng_init), drawn sample by sample and step by step, so
 * they depend on the series and its predictions only, never on the batch.
 * Beyond a backend's single pass the backend draws whole sample paths
 * itself (sample_paths) and only their summaries are computed here.
 */
#include <stdlib.h>

#include "core/core_internal.h"
#include "model/model_internal.h"

/* A malloc'ed array of a * b * c doubles, or NULL on overflow or failure. */
static double *alloc_doubles(size_t a, size_t b, size_t c)
{
    size_t bytes = sizeof(double);
    if (!ms_size_multiply(&bytes, a) || !ms_size_multiply(&bytes, b)
        || !ms_size_multiply(&bytes, c))
        return NULL;
    return malloc(bytes > 0 ? bytes : 1);
}

bool ms_forecast_needs_samples(const ms_forecast_options *opts, const ms_forecast_output *out)
{
    bool summaries = (out->quantiles != NULL && opts->num_quantiles > 0)
                     || (out->aggregates != NULL && opts->num_aggregates > 0);
    return opts->num_samples > 0 && (out->samples != NULL || summaries);
}

ms_status ms_output_scratch_init(ms_output_scratch *scratch,
                                 const ms_forecast_options *opts,
                                 const ms_forecast_output *out,
                                 size_t variates, size_t components,
                                 size_t path_series)
{
    *scratch = (ms_output_scratch){ NULL, NULL, NULL, NULL };
    if (!ms_forecast_needs_samples(opts, out))
        return MS_OK;
    size_t samples = opts->num_samples;
    scratch->sorted = alloc_doubles(samples, 1, 1);
    bool ok = scratch->sorted != NULL;
    if (ok && path_series > 0 && out->samples == NULL) {
        size_t per_series = samples;
        ok = ms_size_multiply(&per_series, variates)
             && (scratch->paths = alloc_doubles(path_series, per_series, opts->horizon)) != NULL;
    } else if (ok && path_series == 0) {
        scratch->cumulative = alloc_doubles(opts->horizon, components, 1);
        ok = scratch->cumulative != NULL;
        if (ok && out->samples == NULL) {
            scratch->samples = alloc_doubles(samples, variates, opts->horizon);
            ok = scratch->samples != NULL;
        }
    }
    if (ok)
        return MS_OK;
    ms_output_scratch_free(scratch);
    return ms_error(MS_ERR_NOMEM, "forecast: no memory for %zu samples of %zu variates x %zu steps",
                    samples, variates, opts->horizon);
}

void ms_output_scratch_free(ms_output_scratch *scratch)
{
    free(scratch->samples);
    free(scratch->paths);
    free(scratch->cumulative);
    free(scratch->sorted);
    *scratch = (ms_output_scratch){ NULL, NULL, NULL, NULL };
}

static double mixture_aggregate(const ms_mixture *point, const ms_aggregate *aggregate)
{
    switch (aggregate->kind) {
    case MS_AGG_MEDIAN:
        return ms_mixture_quantile(point, 0.5);
    case MS_AGG_TRIMMED_MEAN:
        return ms_mixture_trimmed_mean(point, aggregate->param);
    case MS_AGG_QUANTILE:
        return ms_mixture_quantile(point, aggregate->param);
    case MS_AGG_MEAN:
        break;
    }
    return ms_mixture_mean(point);
}

double ms_sorted_aggregate(const double *sorted, size_t n, const ms_aggregate *aggregate)
{
    switch (aggregate->kind) {
    case MS_AGG_MEDIAN:
        return ms_sorted_quantile(sorted, n, 0.5);
    case MS_AGG_TRIMMED_MEAN:
        return ms_sorted_trimmed_mean(sorted, n, aggregate->param);
    case MS_AGG_QUANTILE:
        return ms_sorted_quantile(sorted, n, aggregate->param);
    case MS_AGG_MEAN:
        break;
    }
    return ms_values_mean(sorted, n);
}

/* Where the derived values of one series go: the rows of `global` in the
 * caller's arrays, and the sizes that index them. */
typedef struct series_rows {
    double *quantiles;   /* [Q][V][H] or NULL */
    double *aggregates;  /* [A][V][H] or NULL */
    size_t variates;
    size_t horizon;
} series_rows;

static size_t row_at(const series_rows *rows, size_t row, size_t v, size_t h)
{
    return (row * rows->variates + v) * rows->horizon + h;
}

static void write_analytic(const ms_mixture *point, size_t v, size_t h,
                           const ms_forecast_options *opts, const series_rows *rows)
{
    if (rows->quantiles != NULL)
        for (size_t q = 0; q < opts->num_quantiles; q++)
            rows->quantiles[row_at(rows, q, v, h)] =
                ms_mixture_quantile(point, opts->quantiles[q]);
    if (rows->aggregates != NULL)
        for (size_t a = 0; a < opts->num_aggregates; a++)
            rows->aggregates[row_at(rows, a, v, h)] =
                mixture_aggregate(point, &opts->aggregates[a]);
}

static void write_from_samples(const double *sorted, size_t n, size_t v, size_t h,
                               const ms_forecast_options *opts, const series_rows *rows)
{
    if (rows->quantiles != NULL)
        for (size_t q = 0; q < opts->num_quantiles; q++)
            rows->quantiles[row_at(rows, q, v, h)] =
                ms_sorted_quantile(sorted, n, opts->quantiles[q]);
    if (rows->aggregates != NULL)
        for (size_t a = 0; a < opts->num_aggregates; a++)
            rows->aggregates[row_at(rows, a, v, h)] =
                ms_sorted_aggregate(sorted, n, &opts->aggregates[a]);
}

/* Draws samples[s][v][h] for every s and h of variate v from its stream. */
static void draw_variate(const ms_mixture_batch *batch, size_t local, size_t v,
                         uint64_t seed, size_t num_samples, double *samples,
                         double *cumulative)
{
    size_t horizon = batch->horizon, stride = batch->variates * horizon;
    for (size_t h = 0; h < horizon; h++) {
        ms_mixture point = ms_mixture_batch_point(batch, local, v, h);
        ms_mixture_cumulative(&point, cumulative + h * batch->components);
    }
    ms_rng rng;
    ms_rng_init(&rng, seed, v);
    for (size_t s = 0; s < num_samples; s++)
        for (size_t h = 0; h < horizon; h++) {
            ms_mixture point = ms_mixture_batch_point(batch, local, v, h);
            samples[s * stride + v * horizon + h] =
                ms_mixture_sample(&point, cumulative + h * batch->components, &rng);
        }
}

/* The quantiles and aggregates of samples [S][V][H], per variate and step. */
static void summarise_samples(const double *samples, size_t num_samples, size_t variates,
                              size_t horizon, const ms_forecast_options *opts,
                              const series_rows *rows, double *sorted)
{
    size_t stride = variates * horizon;
    for (size_t v = 0; v < variates; v++)
        for (size_t h = 0; h < horizon; h++) {
            for (size_t s = 0; s < num_samples; s++)
                sorted[s] = samples[s * stride + v * horizon + h];
            ms_sort_doubles(sorted, num_samples);
            write_from_samples(sorted, num_samples, v, h, opts, rows);
        }
}

void ms_forecast_derive(const ms_mixture_batch *batch, size_t local,
                        const ms_series *series, size_t global,
                        const ms_forecast_options *opts,
                        const ms_forecast_output *out,
                        ms_output_scratch *scratch, const double *paths)
{
    size_t variates = batch->variates, horizon = batch->horizon;
    size_t points = variates * horizon;
    series_rows rows = {
        out->quantiles ? out->quantiles + global * opts->num_quantiles * points : NULL,
        out->aggregates ? out->aggregates + global * opts->num_aggregates * points : NULL,
        variates, horizon,
    };
    for (size_t v = 0; v < variates; v++)
        for (size_t h = 0; h < horizon; h++) {
            ms_mixture point = ms_mixture_batch_point(batch, local, v, h);
            if (out->mean != NULL)
                out->mean[global * points + v * horizon + h] = ms_mixture_mean(&point);
            if (opts->num_samples == 0)
                write_analytic(&point, v, h, opts, &rows);
        }
    if (!ms_forecast_needs_samples(opts, out))
        return;
    const double *samples = paths;
    if (samples == NULL) {
        double *drawn = out->samples != NULL ? out->samples + global * opts->num_samples * points
                                             : scratch->samples;
        for (size_t v = 0; v < variates; v++)
            draw_variate(batch, local, v, series->seed, opts->num_samples, drawn,
                         scratch->cumulative);
        samples = drawn;
    }
    if (rows.quantiles != NULL || rows.aggregates != NULL)
        summarise_samples(samples, opts->num_samples, variates, horizon, opts, &rows,
                          scratch->sorted);
}
