/*
 * model_internal.h - the library-internal side of the model layer.
 *
 * 1. The forecaster interface: the table of functions a model backend
 *    implements behind the opaque `struct ms_model` (baseline.c in C; the
 *    Toto port in lib/model/toto/ in C++ through extern "C"). Everything
 *    here is plain C structs and function pointers so a C++ file can include
 *    this header inside `extern "C" { }` and fill the same table.
 * 2. The Student-t mixture math (studentt.c, distribution.c), sampled
 *    with core's random streams (ms_rng) and the sample statistics (samples.c)
 *    from which ms_model_forecast derives every output.
 *
 * Every number is float64. A backend computing in float32 converts when it
 * writes its ms_mixture_batch.
 */
#ifndef MS_MODEL_INTERNAL_H
#define MS_MODEL_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core_internal.h"
#include "marketsim/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Predictive distributions --------------------------------------------- */

/*
 * One point's predictive distribution: sum_k weight[k] * StudentT(df[k],
 * loc[k], scale[k]), in the units of the context series. The four arrays
 * hold `components` values each. Weights are >= 0 and sum to 1, df > 1 (so
 * the mean exists), scale > 0.
 */
typedef struct ms_mixture {
    size_t components;
    const double *weight;
    const double *df;
    const double *loc;
    const double *scale;
} ms_mixture;

/*
 * The predictions of one backend call: for every (series b, variate v, step
 * h) point, `components` (K) Student-t components. Component k of point
 * (b, v, h) is at index ((b * variates + v) * horizon + h) * components + k
 * of each of the four arrays, so one point's components are contiguous.
 *
 * ms_model_forecast allocates the arrays and sets the sizes; the backend's
 * `predict` writes every element. It writes parameters of the distribution
 * of the series' own values, already de-normalised (Toto: Y = loc_p +
 * scale_p * Z becomes loc = loc_p + scale_p * loc_k and scale = scale_p *
 * scale_k). Weights only need to be >= 0 with a positive sum (a float32
 * softmax does not sum to exactly 1): the layer checks every value, rejects
 * non-finite ones, df <= 1 and scale <= 0 with MS_ERR_MODEL, and normalises
 * the weights before using them.
 */
typedef struct ms_mixture_batch {
    size_t n_series;
    size_t variates;
    size_t horizon;
    size_t components;
    double *weight;
    double *df;
    double *loc;
    double *scale;
} ms_mixture_batch;

/* The index of component 0 of point (series, variate, step) in the arrays. */
size_t ms_mixture_batch_index(const ms_mixture_batch *batch, size_t series,
                              size_t variate, size_t step);

/* The point (series, variate, step) of a batch as an ms_mixture. */
ms_mixture ms_mixture_batch_point(const ms_mixture_batch *batch, size_t series,
                                  size_t variate, size_t step);

/* ---- The forecaster interface ---------------------------------------------- */

/*
 * The functions of one backend. `state` is the backend's own object, created
 * by its open function (below) and passed back to every call.
 *
 * Threads: ms_model is shared by threads, so `predict` may run on several
 * threads at once with the same state. A backend that cannot run
 * concurrently (one device, one set of buffers) serialises inside `predict`
 * with its own mutex. C++ backends catch every exception at this boundary
 * and turn it into a status and message (ms_error).
 */
typedef struct ms_forecaster_ops {
    /* The model's kind as ms_model_name reports it ("baseline", "toto"). */
    const char *name;

    /* K, the number of mixture components of every point; constant for the
     * life of the state (Toto: config's k_components). */
    size_t (*components)(const void *state);

    /*
     * Predicts `n_series` contexts (1 <= n_series <= the model's max_batch).
     * The layer has checked them: values non-NULL and finite, length >= 1,
     * every series with the same variates V >= 1; lengths may differ.
     * horizon >= 1. `out` has n_series x V x horizon points of
     * components(state) components; write all of them. Returns MS_OK or an
     * error recorded with ms_error (MS_ERR_MODEL for a failed run,
     * MS_ERR_NOMEM, MS_ERR_UNSUPPORTED for a shape the backend cannot serve).
     * `passes` (never NULL) is increased by the number of model
     * invocations the call made: the model's forward_passes statistic.
     * A series' prediction must not depend on the other series of the
     * batch (beyond rounding): forecasts, samples included, are
     * reproducible per series whatever batch it lands in.
     *
     * Beyond single_pass_horizon the backend decodes autoregressively
     * along the mean path: the mixture of step h is conditioned on the
     * means of the steps before it, so its mean is the forecast's mean
     * while its spread is not the forecast's spread (sample_paths is).
     */
    ms_status (*predict)(void *state, const ms_series *series, size_t n_series,
                         size_t horizon, const ms_mixture_batch *out, size_t *passes);

    /* Pays first-call costs for contexts of `context_length` values in
     * batches of `batch_size` (both >= 1). NULL when there are none. */
    ms_status (*warmup)(void *state, size_t context_length, size_t batch_size);

    /* Frees the state. NULL when the state needs no cleanup. */
    void (*destroy)(void *state);

    /* The longest horizon whose steps one forward pass predicts jointly
     * (Toto: its patch size). NULL when unlimited: every step's mixture is
     * then the step's marginal distribution (baseline). */
    size_t (*single_pass_horizon)(const void *state);

    /*
     * For horizons beyond single_pass_horizon (NULL when that is
     * unlimited): `num_samples` sample paths per series, each chain
     * feeding its own draws back into the model, written to samples
     * [n_series][num_samples][V][horizon]. Draws come from core's ms_rng
     * seeded from each series' seed, so they do not depend on the batch.
     * Same arguments, checks, errors and `passes` as predict.
     */
    ms_status (*sample_paths)(void *state, const ms_series *series, size_t n_series,
                              size_t horizon, size_t num_samples, double *samples,
                              size_t *passes);

    /* The number of trained parameters and a new JSON object describing
     * the model's configuration (owned by the caller). NULL: 0 and {}. */
    ms_status (*describe)(const void *state, size_t *parameters, json_t **config);

    /* Bar models (Kronos): ms_model_forecast_bars on checked arguments
     * (opts complete and in range, every context with its arrays and
     * length >= 1); `passes` as for predict. NULL for series models. */
    ms_status (*forecast_bars)(void *state, const ms_bar_context *contexts, size_t n,
                               const ms_bar_forecast_options *opts, double *out,
                               size_t *passes);

    /* The absolute paths of the files whose content makes the weights, as
     * a new JSON array, for ms_model_identity. NULL: the checkpoint
     * directory's config.json and model.safetensors. */
    json_t *(*identity_files)(const void *state);
} ms_forecaster_ops;

/* A backend instance: its functions and its state. */
typedef struct ms_forecaster {
    const ms_forecaster_ops *ops;
    void *state;
} ms_forecaster;

/*
 * Opens the pure C statistical forecaster (baseline.c); every backend's open
 * function has this signature. `path` is what the caller passed to
 * ms_model_open (never NULL); `opts` is complete: version current, device
 * "cpu" or "cuda", precision "fp32", "bf16" or "int8" as the device and CPU
 * allow (dtype "bfloat16" for bf16, else "float32"), max_batch >= 1. A
 * backend rejects what it cannot serve with MS_ERR_UNSUPPORTED (baseline:
 * device "cuda", a precision other than fp32). On success it fills *out.
 *
 * Adding a backend: implement ms_forecaster_ops and an open function like
 * this one, declare it here, and route the paths it serves to it in
 * open_backend (model.c).
 */
ms_status ms_baseline_open(const char *path, const ms_model_options *opts,
                           ms_forecaster *out);

/* Opens the libtorch Toto port (lib/model/toto/) on the checkpoint
 * directory `path` (config.json + model.safetensors, see checkpoint.h).
 * Errors: those of ms_toto_checkpoint_open, MS_ERR_UNSUPPORTED for device
 * "cuda" without a CUDA libtorch, MS_ERR_MODEL or MS_ERR_NOMEM for a
 * failure inside libtorch. */
ms_status ms_toto_open(const char *path, const ms_model_options *opts, ms_forecaster *out);

/* Opens the Kronos port (kronos_backend.c) on a model name ("kronos-small",
 * see ms_kronos_locate) or a directory holding tokenizer/ and model/: a
 * bar model, whose series forecasts are refused with MS_ERR_UNSUPPORTED.
 * CPU and fp32 only. Errors: those of ms_kronos_locate and
 * ms_kronos_checkpoint_open, MS_ERR_UNSUPPORTED, MS_ERR_MODEL, MS_ERR_NOMEM. */
ms_status ms_kronos_backend_open(const char *path, const ms_model_options *opts,
                                 ms_forecaster *out);

/* The checkpoint directory the model name "toto" stands for
 * (toto_locate.c): opts->toto_dir when set, else the newest snapshot of
 * Datadog/Toto-Open-Base-1.0 under <opts->hf_home>/hub, written into dir
 * (size bytes). Errors: MS_ERR_NOT_FOUND naming every place looked. */
ms_status ms_toto_locate(const ms_model_options *opts, char *dir, size_t size);

/* The newest snapshot of hub repository `repo` ("Datadog/Toto-Open-Base-1.0")
 * under the cache root `hf_home` (NULL or "": none): the most recently modified directory in
 * <root>/hub/models--<owner>--<name>/snapshots. False when there is none;
 * `snapshots` (may be NULL) receives the directory searched. */
bool ms_hf_newest_snapshot(const char *hf_home, const char *repo, char *found, size_t size,
                           char *snapshots, size_t snapshots_size);

/* The plugin file ms_model_set_plugin chose (plugin_choice.c), copied
 * into path: false when none was chosen. *fits is false when it does not
 * fit in `size` bytes. */
bool ms_model_chosen_plugin(char *path, size_t size, bool *fits);

/* ---- Precision (precision.c) ------------------------------------------------ */

/* The canonical name of a precision (fp32, bf16, int8; any case), or NULL. */
const char *ms_precision_canonical(const char *text);

/* Sets resolved->precision from precision, the older dtype (the two must
 * agree when both are set) or "fp32", as its canonical name, and dtype to
 * match. Errors: MS_ERR_INVALID_ARG naming
 * the unknown value or the contradiction. */
ms_status ms_precision_resolve(ms_model_options *resolved);

/* The CPU features the precisions use, as cpuid and the OS report them. */
typedef struct ms_cpu_features {
    bool avx512_bf16;  /* bfloat16 dot products (vdpbf16ps) */
    bool amx_bf16;     /* bfloat16 tile products, with the OS's tile state */
    bool avx512_vnni;  /* int8 dot products without 16-bit saturation */
} ms_cpu_features;

ms_cpu_features ms_cpu_features_detect(void);

/* NULL when a CPU with `cpu` serves canonical `precision`, else the names
 * of the feature it lacks ("AVX512_BF16 or AMX-BF16" for bf16). */
const char *ms_precision_missing_cpu_feature(const char *precision, const ms_cpu_features *cpu);

/* Whether the resolved device serves the resolved precision: int8 runs on
 * the CPU only; bf16 on the CPU needs this CPU's bfloat16 instructions.
 * Errors: MS_ERR_UNSUPPORTED naming the device or the missing feature. */
ms_status ms_precision_check_device(const ms_model_options *resolved);

/* ---- Student-t math (studentt.c) ----------------------------------------- */

/* ln B(a, b) for a, b > 0. */
double ms_log_beta(double a, double b);

/* The regularised incomplete beta I_x(a, b) for a, b > 0, 0 <= x <= 1; `y`
 * is 1 - x, passed separately so callers keep its precision near x = 1. */
double ms_beta_regularized(double a, double b, double x, double y);

/* The standard Student-t (loc 0, scale 1) with `df` > 0 degrees of freedom:
 * density, distribution function, and the partial mean E[T; T <= z]
 * (defined for df > 1). */
double ms_studentt_pdf(double df, double z);
double ms_studentt_cdf(double df, double z);
double ms_studentt_partial_mean(double df, double z);

/* ---- Mixture math (distribution.c) ----------------------------------------- */

/* The exact mean, sum_k weight_k * loc_k. */
double ms_mixture_mean(const ms_mixture *mixture);
double ms_mixture_pdf(const ms_mixture *mixture, double x);
double ms_mixture_cdf(const ms_mixture *mixture, double x);

/* The p quantile for 0 < p < 1, to about 1e-12 relative (see distribution.c). */
double ms_mixture_quantile(const ms_mixture *mixture, double p);

/* The mean of the central part with `tail` (0 <= tail < 0.5) of the
 * probability dropped from each side: the integral of the quantile function
 * over [tail, 1 - tail] divided by 1 - 2 tail. tail 0 is the mean. */
double ms_mixture_trimmed_mean(const ms_mixture *mixture, double tail);

/* Fills cumulative[k] = weight_0 + ... + weight_k, the table that
 * ms_mixture_sample uses to pick a component. */
void ms_mixture_cumulative(const ms_mixture *mixture, double *cumulative);

/* One draw: k ~ Cat(weight) through `cumulative` (ms_mixture_cumulative),
 * then loc_k + scale_k * N(0,1) / sqrt(chi2(df_k) / df_k). */
double ms_mixture_sample(const ms_mixture *mixture, const double *cumulative,
                         ms_rng *rng);

/* ---- Sample statistics (samples.c) ----------------------------------------- */

/* Sorts n values ascending in place. */
void ms_sort_doubles(double *values, size_t n);

/* On sorted values (n >= 1): the `level` quantile by linear interpolation
 * between order statistics (numpy's default method), and the mean after
 * dropping floor(tail * n) values from each end (scipy.stats.trim_mean). */
double ms_sorted_quantile(const double *sorted, size_t n, double level);
double ms_sorted_trimmed_mean(const double *sorted, size_t n, double tail);

/* The arithmetic mean of n >= 1 values. */
double ms_values_mean(const double *values, size_t n);

/* An aggregate (mean, median, quantile, trimmed mean) of n >= 1 sorted
 * values (forecast_output.c; Toto's samples and Kronos' sample paths). */
double ms_sorted_aggregate(const double *sorted, size_t n, const ms_aggregate *aggregate);

/* ---- Forecast outputs (forecast_output.c, forecast_check.c) ------------- */

/* *product *= factor unless that overflows size_t (then false, unchanged). */
static inline bool ms_size_multiply(size_t *product, size_t factor)
{
    if (factor != 0 && *product > SIZE_MAX / factor)
        return false;
    *product *= factor;
    return true;
}

/* Checks an aggregate's kind and parameter range; MS_ERR_INVALID_ARG
 * describing the problem otherwise (aggregate.c). */
ms_status ms_aggregate_check(const ms_aggregate *aggregate);

/* A caller's options struct of any version it may hold (1 to the newest)
 * read into *out, the newest version, with the defaults in the fields the
 * caller's version lacks; NULL opts: the defaults (model_options.c). */
ms_status ms_model_options_import(const ms_model_options *opts, ms_model_options *out);
ms_status ms_forecast_options_import(const ms_forecast_options *opts, ms_forecast_options *out);
ms_status ms_bar_forecast_options_import(const ms_bar_forecast_options *opts,
                                         ms_bar_forecast_options *out);

/* Checks every argument of ms_model_forecast (opts imported, not NULL). */
ms_status ms_forecast_check(const ms_series *series, size_t n_series,
                            const ms_forecast_options *opts,
                            const ms_forecast_output *out);

/* Checks a backend's predictions and normalises their weights. */
ms_status ms_mixture_batch_check(ms_mixture_batch *batch, const char *model_name,
                                 size_t first_series);

/* Whether samples are needed: asked for, or the source of the quantiles
 * and aggregates the caller wants (num_samples > 0). */
bool ms_forecast_needs_samples(const ms_forecast_options *opts, const ms_forecast_output *out);

/* Working memory for deriving one series' outputs, reused across series. */
typedef struct ms_output_scratch {
    double *samples;     /* [S][V][H] drawn here when the caller wants none */
    double *paths;       /* [n][S][V][H] backend sample paths when the caller wants none */
    double *cumulative;  /* [H][K] */
    double *sorted;      /* [S] */
} ms_output_scratch;

/* Sizes the scratch for one call; `out` tells which buffers the caller
 * has. `path_series` > 0 when the backend draws sample paths (horizons
 * beyond its single pass) for chunks of up to that many series. */
ms_status ms_output_scratch_init(ms_output_scratch *scratch,
                                 const ms_forecast_options *opts,
                                 const ms_forecast_output *out,
                                 size_t variates, size_t components,
                                 size_t path_series);
void ms_output_scratch_free(ms_output_scratch *scratch);

/* Writes the outputs of batch series `local` into the rows of caller series
 * `global` (see ms_forecast_output). `paths` holds the series' sample
 * paths [S][V][H] drawn by the backend, or is NULL: samples, when needed,
 * are then drawn here from the batch's mixtures. */
void ms_forecast_derive(const ms_mixture_batch *batch, size_t local,
                        const ms_series *series, size_t global,
                        const ms_forecast_options *opts,
                        const ms_forecast_output *out,
                        ms_output_scratch *scratch, const double *paths);

#ifdef __cplusplus
}
#endif
#endif
