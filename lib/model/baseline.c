/*
 * baseline.c - the "baseline" forecaster: a small, dependency-free
 * statistical model of the next value of a percent-change series, fitted
 * to each context and each variate independently.
 *
 *   drift       exponentially weighted mean with a half-life of 20 steps
 *               (about a trading month), started at 0: m_0 = 0,
 *               m_t = m_{t-1} + alpha (x_t - m_{t-1}), alpha = 1 - 2^(-1/20).
 *               Starting at zero shrinks short contexts toward no drift (the
 *               prior keeps weight (1 - alpha)^T), which is the honest
 *               default for daily returns, whose means are mostly noise.
 *   volatility  RiskMetrics (J.P. Morgan, 1996): s2_t = lambda s2_{t-1} +
 *               (1 - lambda) x_t^2 with lambda = 0.94, the daily value of
 *               the original. Squares are taken around zero, not around the
 *               drift, as in RiskMetrics: the size of the moves, drift
 *               included. s2_0 is the sample variance (denominator n - 1) of
 *               the first min(T, 20) values, 0 for a single value.
 *               sigma = max(sqrt(s2_T), 1e-8): the floor keeps a constant
 *               context's distribution valid.
 *   predictive  one Student-t component with df = 5 (fat tails, finite
 *               variance), loc = m_T and scale = sigma sqrt((df - 2) / df),
 *               so its variance is exactly sigma^2.
 *   horizon     every step gets the same distribution. The series are
 *               one-step percent changes, not levels: step h is the change
 *               on day T + h, modelled as independent of the others and as
 *               volatile as tomorrow's, so nothing grows with h (sqrt(h)
 *               growth would describe the cumulative change, a level).
 *
 * No weights and no state: opening costs nothing, predictions are
 * deterministic and threads may predict concurrently.
 */
#include <math.h>

#include "core/core_internal.h"
#include "model/model_internal.h"

#define BASELINE_MEAN_HALF_LIFE 20.0
#define BASELINE_VOLATILITY_LAMBDA 0.94
#define BASELINE_SEED_WINDOW 20
#define BASELINE_DF 5.0
#define BASELINE_SIGMA_FLOOR 1e-8

typedef struct baseline_fit {
    double drift;
    double sigma;
} baseline_fit;

/* Sample variance of the first values, the volatility recursion's start. */
static double seed_variance(const double *values, size_t length)
{
    size_t window = length < BASELINE_SEED_WINDOW ? length : BASELINE_SEED_WINDOW;
    if (window < 2)
        return 0.0;
    double mean = ms_values_mean(values, window);
    double squares = 0.0;
    for (size_t t = 0; t < window; t++)
        squares += (values[t] - mean) * (values[t] - mean);
    return squares / (double)(window - 1);
}

static baseline_fit fit_variate(const double *values, size_t length)
{
    double alpha = 1.0 - exp2(-1.0 / BASELINE_MEAN_HALF_LIFE);
    double lambda = BASELINE_VOLATILITY_LAMBDA;
    double drift = 0.0;
    double variance = seed_variance(values, length);
    for (size_t t = 0; t < length; t++) {
        drift += alpha * (values[t] - drift);
        variance = lambda * variance + (1.0 - lambda) * values[t] * values[t];
    }
    baseline_fit fit = { drift, fmax(sqrt(variance), BASELINE_SIGMA_FLOOR) };
    return fit;
}

static size_t baseline_components(const void *state)
{
    (void)state;
    return 1;
}

static ms_status baseline_predict(void *state, const ms_series *series,
                                  size_t n_series, size_t horizon,
                                  const ms_mixture_batch *out, size_t *passes)
{
    (void)state;
    ++*passes;
    double scale_per_sigma = sqrt((BASELINE_DF - 2.0) / BASELINE_DF);
    for (size_t b = 0; b < n_series; b++) {
        for (size_t v = 0; v < series[b].variates; v++) {
            const double *row = series[b].values + v * series[b].length;
            baseline_fit fit = fit_variate(row, series[b].length);
            for (size_t h = 0; h < horizon; h++) {
                size_t at = ms_mixture_batch_index(out, b, v, h);
                out->weight[at] = 1.0;
                out->df[at] = BASELINE_DF;
                out->loc[at] = fit.drift;
                out->scale[at] = fit.sigma * scale_per_sigma;
            }
        }
    }
    return MS_OK;
}

/* No trained parameters: the configuration is the model's constants. */
static ms_status baseline_describe(const void *state, size_t *parameters, json_t **config)
{
    (void)state;
    *parameters = 0;
    *config = json_pack("{s:f, s:f, s:i, s:f, s:f}", "mean_half_life", BASELINE_MEAN_HALF_LIFE,
                        "volatility_lambda", BASELINE_VOLATILITY_LAMBDA,
                        "seed_window", BASELINE_SEED_WINDOW, "df", BASELINE_DF,
                        "sigma_floor", BASELINE_SIGMA_FLOOR);
    return *config != NULL ? MS_OK : ms_error(MS_ERR_NOMEM, "baseline describe: no memory");
}

static const ms_forecaster_ops baseline_ops = {
    .name = "baseline",
    .components = baseline_components,
    .predict = baseline_predict,
    .warmup = NULL,
    .destroy = NULL,
    .single_pass_horizon = NULL,
    .sample_paths = NULL,
    .describe = baseline_describe,
};

ms_status ms_baseline_open(const char *path, const ms_model_options *opts,
                           ms_forecaster *out)
{
    (void)path;
    if (ms_str_ieq(opts->device, "cuda"))
        return ms_error(MS_ERR_UNSUPPORTED,
                        "model 'baseline' runs on the CPU only (device 'cuda' requested)");
    if (opts->precision != NULL && !ms_str_ieq(opts->precision, "fp32"))
        return ms_error(MS_ERR_UNSUPPORTED, "model 'baseline' computes in float64: precision "
                        "'%s' is for Toto checkpoints (use fp32)", opts->precision);
    out->ops = &baseline_ops;
    out->state = NULL;
    return MS_OK;
}
