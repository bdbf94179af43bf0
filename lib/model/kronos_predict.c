/*
 * kronos_predict.c - KronosPredictor's data handling around the libtorch
 * generation (lib/model/kronos/): the six columns with the official
 * fill-ins, the time features, numpy's float32 normalisation statistics
 * reproduced operation for operation, and the de-normalisation.
 *
 * numpy details kept (fixture README, trap 11): the column means and
 * variances are float32 sums accumulated row by row and divided by
 * float32(T); std + 1e-5 is a float32 addition; everything after the
 * float64 -> float32 cast of the data stays float32.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "model/kronos/kronos_internal.h"

enum { OPEN, HIGH, LOW, CLOSE, VOLUME, AMOUNT };

static const char *const column_names[MS_KRONOS_FEATURES] = { "open", "high", "low", "close",
                                                              "volume", "amount" };

void ms_kronos_time_features(const int64_t *seconds, size_t count, float *stamps)
{
    for (size_t i = 0; i < count; i++) {
        int64_t days = ms_floor_div(seconds[i], MS_SECONDS_PER_DAY);
        int64_t of_day = seconds[i] - days * MS_SECONDS_PER_DAY, year;
        int month, day;
        ms_civil_from_days(days, &year, &month, &day);
        float *row = stamps + i * MS_KRONOS_STAMPS;
        row[0] = (float)(of_day % 3600 / 60);
        row[1] = (float)(of_day / 3600);
        row[2] = (float)((ms_weekday(days) + 6) % 7);   /* pandas: Monday = 0 */
        row[3] = (float)day;
        row[4] = (float)month;
    }
}

/* Row t of the six columns in float64, before the float32 cast. */
static void read_row(const ms_kronos_bars *bars, size_t t, double *row)
{
    row[OPEN] = bars->open[t];
    row[HIGH] = bars->high[t];
    row[LOW] = bars->low[t];
    row[CLOSE] = bars->close[t];
    /* No volume: the official predictor sets volume AND amount to 0, even
     * when an amount column exists. */
    row[VOLUME] = bars->volume != NULL ? bars->volume[t] : 0.0;
    if (bars->volume == NULL)
        row[AMOUNT] = 0.0;
    else if (bars->amount != NULL)
        row[AMOUNT] = bars->amount[t];
    else   /* pandas row mean of the four prices, in float64 */
        row[AMOUNT] = row[VOLUME] * ((((row[OPEN] + row[HIGH]) + row[LOW]) + row[CLOSE]) / 4.0);
}

static ms_status check_bars(const ms_kronos_bars *bars)
{
    if (bars->length < 1 || bars->open == NULL || bars->high == NULL || bars->low == NULL
        || bars->close == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "kronos: a context needs at least one bar with "
                        "open, high, low and close");
    double row[MS_KRONOS_FEATURES];
    for (size_t t = 0; t < bars->length; t++) {
        read_row(bars, t, row);
        for (int f = 0; f < MS_KRONOS_FEATURES; f++)
            if (!isfinite(row[f]) || row[f] < 0.0)
                return ms_error(MS_ERR_INVALID_ARG, "kronos: bar %zu: %s is %g; prices, volume "
                                "and amount must be finite and >= 0", t, column_names[f],
                                row[f]);
    }
    return MS_OK;
}

ms_status ms_kronos_normalise(const ms_kronos_bars *bars, double clip, float *x, float *mean,
                              float *std, float *x_norm)
{
    ms_status status = check_bars(bars);
    if (status != MS_OK)
        return status;
    const size_t T = bars->length, F = MS_KRONOS_FEATURES;
    double row[MS_KRONOS_FEATURES];
    float sum[MS_KRONOS_FEATURES] = { 0 }, squares[MS_KRONOS_FEATURES] = { 0 };
    for (size_t t = 0; t < T; t++) {
        read_row(bars, t, row);
        for (size_t f = 0; f < F; f++) {
            x[t * F + f] = (float)row[f];
            sum[f] += x[t * F + f];
        }
    }
    const float count = (float)T;
    for (size_t f = 0; f < F; f++)
        mean[f] = sum[f] / count;
    for (size_t t = 0; t < T; t++)
        for (size_t f = 0; f < F; f++) {
            float deviation = x[t * F + f] - mean[f];
            squares[f] += deviation * deviation;
        }
    const float bound = (float)clip;
    for (size_t f = 0; f < F; f++) {
        std[f] = sqrtf(squares[f] / count);
        float scale = std[f] + 1e-5f;
        for (size_t t = 0; t < T; t++) {
            float value = (x[t * F + f] - mean[f]) / scale;
            x_norm[t * F + f] = value < -bound ? -bound : value > bound ? bound : value;
        }
    }
    return MS_OK;
}

typedef struct predict_buffers {
    float *x, *x_norm, *x_stamp, *y_stamp, *mean, *std, *preds;
} predict_buffers;

static void free_buffers(predict_buffers *b)
{
    free(b->x), free(b->x_norm), free(b->x_stamp), free(b->y_stamp);
    free(b->mean), free(b->std), free(b->preds);
}

static bool allocate_buffers(predict_buffers *b, size_t n, size_t length, size_t horizon)
{
    const size_t F = MS_KRONOS_FEATURES, S = MS_KRONOS_STAMPS;
    b->x = malloc(n * length * F * sizeof(float));
    b->x_norm = malloc(n * length * F * sizeof(float));
    b->x_stamp = malloc(n * length * S * sizeof(float));
    b->y_stamp = malloc(n * horizon * S * sizeof(float));
    b->mean = malloc(n * F * sizeof(float));
    b->std = malloc(n * F * sizeof(float));
    b->preds = malloc(n * horizon * F * sizeof(float));
    return b->x && b->x_norm && b->x_stamp && b->y_stamp && b->mean && b->std && b->preds;
}

/* Normalises every series into the batch buffers. */
static ms_status prepare(const ms_kronos_bars *series, size_t n, size_t horizon, double clip,
                         predict_buffers *b)
{
    const size_t L = series[0].length, F = MS_KRONOS_FEATURES, S = MS_KRONOS_STAMPS;
    for (size_t i = 0; i < n; i++) {
        if (series[i].length != L || series[i].timestamps == NULL || series[i].future == NULL)
            return ms_error(MS_ERR_INVALID_ARG, "kronos: series %zu: every series of a batch "
                            "needs %zu bars with timestamps and %zu future timestamps", i, L,
                            horizon);
        ms_status status = ms_kronos_normalise(&series[i], clip, b->x + i * L * F,
                                               b->mean + i * F, b->std + i * F,
                                               b->x_norm + i * L * F);
        if (status != MS_OK)
            return status;
        ms_kronos_time_features(series[i].timestamps, L, b->x_stamp + i * L * S);
        ms_kronos_time_features(series[i].future, horizon, b->y_stamp + i * horizon * S);
    }
    return MS_OK;
}

/* x * (std + 1e-5) + mean of series i's `rows` rows of F features, in place. */
static void denormalise(const predict_buffers *b, size_t i, float *rows, size_t count)
{
    const size_t F = MS_KRONOS_FEATURES;
    for (size_t r = 0; r < count; r++)
        for (size_t f = 0; f < F; f++)
            rows[r * F + f] = rows[r * F + f] * (b->std[i * F + f] + 1e-5f) + b->mean[i * F + f];
}

ms_status ms_kronos_predict_paths(ms_kronos *kronos, const ms_kronos_bars *series,
                                  size_t n_series, size_t horizon, size_t max_context,
                                  double clip, const ms_kronos_sampling *sampling, float *out,
                                  float *paths)
{
    if (kronos == NULL || series == NULL || n_series < 1 || horizon < 1 || out == NULL
        || sampling == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_kronos_predict: a model, at least one series, "
                        "a horizon >= 1, sampling settings and an output buffer are required");
    const size_t L = series[0].length, F = MS_KRONOS_FEATURES;
    predict_buffers b = { 0 };
    ms_status status = allocate_buffers(&b, n_series, L, horizon)
                           ? prepare(series, n_series, horizon, clip, &b)
                           : ms_error(MS_ERR_NOMEM, "kronos: no memory for %zu series",
                                      n_series);
    if (status == MS_OK)
        status = ms_kronos_generate(kronos, b.x_norm, b.x_stamp, b.y_stamp, n_series, L,
                                    horizon, max_context, clip, sampling, true, b.preds, paths,
                                    NULL);
    const size_t per_path = horizon * F, per_series = sampling->sample_count * per_path;
    for (size_t i = 0; status == MS_OK && i < n_series; i++) {
        memcpy(out + i * per_path, b.preds + i * per_path, per_path * sizeof *out);
        denormalise(&b, i, out + i * per_path, horizon);
        if (paths != NULL)
            denormalise(&b, i, paths + i * per_series, sampling->sample_count * horizon);
    }
    free_buffers(&b);
    return status;
}

ms_status ms_kronos_predict(ms_kronos *kronos, const ms_kronos_bars *series, size_t n_series,
                            size_t horizon, size_t max_context, double clip,
                            const ms_kronos_sampling *sampling, float *out)
{
    return ms_kronos_predict_paths(kronos, series, n_series, horizon, max_context, clip,
                                   sampling, out, NULL);
}
