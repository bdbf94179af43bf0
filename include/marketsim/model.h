/*
 * marketsim/model.h - forecasting models behind one interface.
 *
 * A model turns a batch of context series into, per series, variate and
 * horizon step, a predictive distribution (a mixture of Student-t
 * components). The library derives everything callers want from that
 * distribution in C: the exact mean, quantiles, named aggregates and samples.
 *
 * Models: "baseline" (pure C statistical forecaster, no weights, the
 * default), Toto checkpoints (a directory, or "toto"; see ms_model_open) and
 * Kronos pairs (kronos-mini|small|base or a directory holding tokenizer/
 * and model/; docs/kronos.md), which predict whole bars through
 * ms_model_forecast_bars.
 *
 * Thread safety: a model may be shared by threads; concurrent forecasts,
 * warm-ups, descriptions and counter reads are safe (serialised internally
 * where the implementation needs it); ms_model_free must not run alongside
 * them. The aggregate and checkpoint functions hold no shared state.
 *
 * Errors: a function returning ms_status returns MS_OK or one of the
 * negative codes its comment lists, and then ms_last_error() holds the
 * message (common.h).
 */
#ifndef MARKETSIM_MODEL_H
#define MARKETSIM_MODEL_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ms_model ms_model;

typedef struct ms_model_options {
    int version;          /* MS_MODEL_OPTIONS_VERSION */
    const char *device;   /* "cpu" (default) or "cuda" where available; NULL = "cpu" */
    int num_threads;      /* compute threads for the model; 0 = all cores */
    const char *dtype;    /* older spelling of precision: "float32" = "fp32", "bfloat16" =
                             "bf16"; NULL = from precision */
    size_t max_batch;     /* most contexts per forward pass; 0 = 64 */
    int disable_kv_cache; /* Toto, horizons beyond one patch: re-run the whole
                             sequence at every step instead of caching keys and
                             values (slower; the official default caches) */
    /* Since version 2. What Toto's Linear layers compute in: "fp32" (the
     * default), "bf16" (bfloat16 products: CUDA, or a CPU with AVX512_BF16
     * or AMX) or "int8" (CPU only: weights quantized per output channel,
     * activations per call). The scaler, normalisation, softmax, mixture
     * head and sampling stay float32/float64 in every precision; accuracy
     * against fp32 is in docs/performance.md. NULL = "fp32" (or
     * MARKETSIM_PRECISION through ms_model_options_from_env). The baseline
     * computes in float64 and takes "fp32" only. */
    const char *precision;
    /* Since version 3: where named models are found; ms_model_options_from_env
     * fills them from the environment. The checkpoint directory "toto"
     * stands for; NULL = the newest snapshot in hf_home. */
    const char *toto_dir;
    /* The directory holding <name>/tokenizer and <name>/model for the Kronos
     * names; NULL = the newest snapshots in hf_home. */
    const char *kronos_dir;
    /* The Hugging Face cache root (what HF_HOME names: it holds hub/); NULL =
     * none, so a named model without its directory above is not found. */
    const char *hf_home;
} ms_model_options;

/* Versions 1 (without precision) and 2 (without the directories) are still
 * accepted. */
#define MS_MODEL_OPTIONS_VERSION 3
#define MS_MODEL_OPTIONS_INIT \
    { MS_MODEL_OPTIONS_VERSION, NULL, 0, NULL, 0, 0, NULL, NULL, NULL, NULL }

/*
 * Opt-in: fills the unset (NULL) fields of *opts that the environment names,
 * as the CLI and the Python bindings do: precision from MARKETSIM_PRECISION
 * (when dtype is NULL too), toto_dir from MARKETSIM_TOTO_DIR, kronos_dir
 * from MARKETSIM_KRONOS_DIR, hf_home from HF_HOME, else
 * $HOME/.cache/huggingface. The texts it stores live as long as the
 * process. Nothing else of this header reads the environment.
 * Errors: MS_ERR_INVALID_ARG (NULL opts, a version before 3, a
 * MARKETSIM_PRECISION that is not fp32, bf16 or int8), MS_ERR_NOMEM.
 */
MS_API ms_status ms_model_options_from_env(ms_model_options *opts);

/*
 * The libtorch plugin file that Toto and Kronos models load on first use,
 * instead of the one installed beside libmarketsim (tests, a relocated
 * install); NULL or "" restores that one. The path is copied. The CLI sets
 * it from MARKETSIM_TORCH_PLUGIN. A process loads one plugin: once it is
 * loaded this has no effect. Builds that link libtorch into the library
 * (the static archive) load no plugin and ignore it.
 * Errors: MS_ERR_NOMEM.
 */
MS_API ms_status ms_model_set_plugin(const char *path);

/* Fills *opts with the defaults of version `version` (1 to
 * MS_MODEL_OPTIONS_VERSION; pass MS_MODEL_OPTIONS_VERSION), as MS_MODEL_OPTIONS_INIT does. Writes
 * only the fields that version has, so a caller built against an older
 * header gets a struct the size its header says. Errors: MS_ERR_INVALID_ARG
 * for a NULL opts or another version. */
MS_API ms_status ms_model_options_init(ms_model_options *opts, int version);

/*
 * Opens a model. `path` is "baseline", a checkpoint directory, or "toto"
 * (found in opts->toto_dir or the Hugging Face cache opts->hf_home), or a
 * Kronos pair: "kronos-mini", "kronos-small", "kronos-base" (found in
 * opts->kronos_dir/<name>/{tokenizer,model} or opts->hf_home) or a
 * directory holding tokenizer/ and model/. NULL or ""
 * means "baseline"; `opts` NULL means MS_MODEL_OPTIONS_INIT. On success
 * *out owns the model (free with ms_model_free); on failure it is NULL.
 * Errors: MS_ERR_INVALID_ARG (NULL out, bad options), MS_ERR_NOT_FOUND (no
 * such checkpoint), MS_ERR_MODEL (a checkpoint that fails to load),
 * MS_ERR_UNSUPPORTED (a device or precision this build or CPU lacks: the
 * message names the missing CPU feature), MS_ERR_NOMEM.
 */
MS_API ms_status ms_model_open(ms_model **out, const char *path,
                               const ms_model_options *opts);

/* Frees a model. No forecast may be running on it. NULL-safe. */
MS_API void ms_model_free(ms_model *model);

/* The model's kind, e.g. "baseline" or "toto"; owned by the model ("" for NULL). */
MS_API const char *ms_model_name(const ms_model *model);

/* The precision the model computes in, "fp32", "bf16" or "int8" (the
 * option as resolved at open; static storage, "" for NULL). It changes the
 * forecasts, so it is part of the model's identity wherever forecasts are
 * cached or compared. */
MS_API const char *ms_model_precision(const ms_model *model);

/*
 * Runs the model once on dummy contexts of the given length and batch size so
 * later calls of that shape pay no first-call costs. A no-op for models with
 * none (baseline).
 * Errors: MS_ERR_INVALID_ARG (NULL model, a zero length or batch size, a
 * length beyond MS_MODEL_MAX_CONTEXT), and those of ms_model_forecast.
 */
MS_API ms_status ms_model_warmup(ms_model *model, size_t context_length,
                                 size_t batch_size);

/*
 * The most values one variate of a context may have. Toto attends over
 * every patch of its context, and the attention scores grow as the square
 * of the patches: a 5,000,000-point context on the tiny preset (patch 16,
 * 4 heads) asked libtorch for 4 x 312,500^2 floats, 1.5 TB. 16384 points
 * are 1024 patches there (16 MB of scores per context) and 256 patches of
 * Toto-Open-Base-1.0's 64; the baseline's exponential weights have long
 * forgotten values that old. Callers with a longer history pass its newest
 * MS_MODEL_MAX_CONTEXT values.
 */
#define MS_MODEL_MAX_CONTEXT 16384

/* One context series: `variates` rows of `length` values, row-major
 * (values[v * length + t], oldest first), 1 <= length <=
 * MS_MODEL_MAX_CONTEXT. `seed` makes its samples reproducible whatever
 * batch it is forecast in. */
typedef struct ms_series {
    const double *values;
    size_t length;
    size_t variates;
    uint64_t seed;
} ms_series;

/* Point summaries of a predictive distribution. */
typedef enum ms_aggregate_kind {
    MS_AGG_MEAN = 0,          /* the exact mean of the distribution */
    MS_AGG_MEDIAN = 1,        /* the 0.5 quantile */
    MS_AGG_TRIMMED_MEAN = 2,  /* mean of the central part: `param` dropped from each tail */
    MS_AGG_QUANTILE = 3       /* the `param` quantile */
} ms_aggregate_kind;

typedef struct ms_aggregate {
    ms_aggregate_kind kind;
    double param;   /* tail fraction in [0, 0.5) for trimmed means; level in (0, 1) for quantiles */
} ms_aggregate;

/*
 * Parses an aggregate name: "mean", "median", "trimmed_mean_X" (X percent
 * dropped from each tail, 0 <= X < 50) or "quantile_Q" (0 < Q < 1, e.g.
 * "quantile_0.9"). Errors: MS_ERR_INVALID_ARG naming the text.
 */
MS_API ms_status ms_aggregate_parse(const char *text, ms_aggregate *out);

/* Writes the canonical name of an aggregate (as ms_aggregate_parse reads it)
 * into buf, at most size bytes with the NUL, cut if longer; "" for a NULL
 * aggregate, nothing for a NULL buf or size 0. */
MS_API void ms_aggregate_format(const ms_aggregate *aggregate, char *buf,
                                size_t size);

typedef struct ms_forecast_options {
    int version;                     /* MS_FORECAST_OPTIONS_VERSION */
    size_t horizon;                  /* steps ahead, >= 1 */
    size_t num_samples;              /* samples per series; 0 = none, aggregates analytic */
    const double *quantiles;         /* levels in (0, 1), or NULL */
    size_t num_quantiles;
    const ms_aggregate *aggregates;  /* or NULL */
    size_t num_aggregates;
} ms_forecast_options;

#define MS_FORECAST_OPTIONS_VERSION 1
#define MS_FORECAST_OPTIONS_INIT { MS_FORECAST_OPTIONS_VERSION, 1, 0, NULL, 0, NULL, 0 }

/* Fills *opts with the defaults of version `version` (1 to
 * MS_FORECAST_OPTIONS_VERSION; pass MS_FORECAST_OPTIONS_VERSION), as MS_FORECAST_OPTIONS_INIT does. Writes
 * only the fields that version has, so a caller built against an older
 * header gets a struct the size its header says. Errors: MS_ERR_INVALID_ARG
 * for a NULL opts or another version. */
MS_API ms_status ms_forecast_options_init(ms_forecast_options *opts, int version);

/*
 * Caller-owned output buffers; any may be NULL when not wanted. With B
 * series of V variates, horizon H, S samples, Q quantiles and A aggregates:
 *   mean        [B][V][H]
 *   quantiles   [B][Q][V][H]
 *   aggregates  [B][A][V][H]
 *   samples     [B][S][V][H]
 * Quantiles and aggregates come from the samples when num_samples > 0 (as
 * the reference system computed them) and from the distribution itself
 * otherwise; `mean` is always the distribution's exact mean.
 *
 * Horizons beyond the model's single pass (Toto: one patch, the
 * "single_pass_horizon" of ms_model_describe; baseline: unlimited) are
 * decoded autoregressively. `mean` is then the mean path (each step's exact
 * mean given the means before it, as the official forecast without
 * samples), and samples are whole sample paths, each feeding its own draws
 * back into the model. Quantiles and aggregates other than "mean" need
 * those samples there: with num_samples == 0 they are refused with
 * MS_ERR_INVALID_ARG.
 */
typedef struct ms_forecast_output {
    double *mean;
    double *quantiles;
    double *aggregates;
    double *samples;
} ms_forecast_output;

/*
 * Forecasts `n_series` contexts. All series of one call have the same number
 * of variates; lengths may differ. Every context value must be finite and
 * each series at least 1 and at most MS_MODEL_MAX_CONTEXT long (a longer
 * one is refused, not cut: which values to drop is the caller's choice).
 * `series` and the buffers of `out` are borrowed for the call; `opts` NULL
 * means MS_FORECAST_OPTIONS_INIT.
 * Errors: MS_ERR_INVALID_ARG (shapes, a context longer than
 * MS_MODEL_MAX_CONTEXT, options, non-finite values naming the series and
 * index), MS_ERR_MODEL, MS_ERR_NOMEM.
 */
MS_API ms_status ms_model_forecast(ms_model *model, const ms_series *series,
                                   size_t n_series,
                                   const ms_forecast_options *opts,
                                   ms_forecast_output *out);

/*
 * A JSON description of the model: {"name", "parameters", "components",
 * "single_pass_horizon" (null when unlimited), "config": {...}, "precision"} with the
 * checkpoint's config for Toto. *out is a NUL-terminated string to free
 * with ms_free. Errors: MS_ERR_INVALID_ARG (NULL model or out), MS_ERR_MODEL,
 * MS_ERR_NOMEM.
 */
MS_API ms_status ms_model_describe(const ms_model *model, char **out);

/*
 * Writes a Toto checkpoint directory (config.json + model.safetensors in the
 * published format) with random weights, deterministic for `seed`: for
 * benchmarks and tests, not for forecasting. `config` is a preset ("tiny":
 * the reference fixture's sizes; "small": about a quarter of base's width;
 * "base": Toto-Open-Base-1.0's sizes) or the path of a config.json; or a
 * Kronos preset ("kronos-mini", "kronos-small", "kronos-base": the
 * published sizes; "kronos-tiny": the reference fixture's), which writes
 * the published pair layout, DIR/tokenizer and DIR/model, each part
 * appearing whole or not at all.
 * Creates `dir` if needed; it must not exist or be an empty directory (an
 * existing checkpoint is not replaced). The two files are written into a
 * staging directory next to `dir` and renamed onto it together: on any
 * failure `dir` is left as it was, with no config.json and no partial file.
 * Errors: MS_ERR_INVALID_ARG (NULL dir or config), MS_ERR_NOT_FOUND
 * (unknown preset or file), MS_ERR_MODEL (invalid config), MS_ERR_IO (`dir`
 * not empty or not a directory, a write failing), MS_ERR_NOMEM.
 */
MS_API ms_status ms_model_init_checkpoint(const char *dir, const char *config,
                                          uint64_t seed);

/*
 * The shapes a model computes in: contexts are padded to a multiple of
 * `patch_size` (0 for a model that does not pad, whose batches may mix any
 * lengths), and horizons up to `single_pass_horizon` (0: unlimited) take one
 * forward pass. Batches whose contexts share a padded length run as one
 * pass: planners bucket by it.
 */
typedef struct ms_model_shape {
    size_t patch_size;
    size_t single_pass_horizon;
    size_t max_batch;
} ms_model_shape;

/* Copies the model's shapes into *out (max_batch as resolved from the
 * options). Errors: MS_ERR_INVALID_ARG (NULL model or out). */
MS_API ms_status ms_model_get_shape(const ms_model *model, ms_model_shape *out);

/*
 * What the model's forecasts depend on besides their inputs, for caches
 * keyed by it (the forecast cache, cache.h): one compact JSON object with
 * sorted keys, {"files": [...], "name": "...", "settings": {...}}.
 * "files" are the absolute paths of the checkpoint files whose content
 * makes the weights ([] for baseline: its algorithm is its identity, with
 * the library version); "settings" holds every model option that can
 * change a forecast's value ("device", "dtype", "precision", "kv_cache"), none that
 * only changes its speed (num_threads, max_batch). A backend gaining such
 * an option adds it here, so cached forecasts of the other setting are
 * never served. *out is freed with ms_free.
 * Errors: MS_ERR_INVALID_ARG (NULL model or out), MS_ERR_NOMEM.
 */
MS_API ms_status ms_model_identity(const ms_model *model, char **out);

/* Counters since the model was opened. */
typedef struct ms_model_stats {
    uint64_t forecast_calls;   /* ms_model_forecast calls */
    uint64_t contexts;         /* series forecast, summed over calls */
    uint64_t forward_passes;   /* model invocations: one per batch of equal padded
                                  length and decoding step */
    double busy_seconds;       /* wall time spent inside forecasts */
} ms_model_stats;

/* Copies the model's counters into *out. Safe while other threads forecast.
 * Errors: MS_ERR_INVALID_ARG (NULL model or out). */
MS_API ms_status ms_model_get_stats(const ms_model *model, ms_model_stats *out);

/* ---- Bar forecasts (Kronos) ------------------------------------------------- */

/* The columns of a forecast bar, in the order of ms_model_forecast_bars'
 * output: open, high, low, close, volume, amount. */
#define MS_BAR_FIELDS 6

/*
 * One context of bars for a bar model (Kronos, docs/kronos.md), oldest
 * first, with the times to predict. Times are UTC seconds; the model reads
 * their minute, hour, weekday, day and month, so intraday bars work like
 * daily ones. `volume` NULL: volume and amount are 0 (the official
 * predictor's fill-in, even when amount is given); `amount` NULL with a
 * volume: amount = volume x mean(open, high, low, close). Every value must
 * be finite and >= 0. `seed` picks the context's random stream (with the
 * options' seed), so its sample paths do not depend on the batch.
 */
typedef struct ms_bar_context {
    size_t length;                      /* >= 1 bars */
    const int64_t *timestamps;          /* [length] */
    const double *open, *high, *low, *close;   /* [length] each */
    const double *volume;               /* [length] or NULL */
    const double *amount;               /* [length] or NULL */
    const int64_t *future_timestamps;   /* [horizon]: the bars to predict */
    uint64_t seed;
} ms_bar_context;

/* KronosPredictor.predict's settings (defaults as the official ones). */
typedef struct ms_bar_forecast_options {
    int version;            /* MS_BAR_FORECAST_OPTIONS_VERSION */
    size_t horizon;         /* bars to predict, >= 1 */
    size_t max_context;     /* the predictor's window; 0 = the model's (2048 for
                               kronos-mini, else 512). Older bars still set the
                               normalisation and the tokens' causal history. */
    size_t num_samples;     /* sample paths per context, averaged (sample_count), >= 1 */
    double temperature;     /* > 0 (T) */
    int top_k;              /* >= 0; 0 = off; > 0 ignores top_p (as the official filter) */
    double top_p;           /* in (0, 1] */
    uint64_t seed;          /* with each context's seed, its random stream */
    /* Version 2: the summary of the num_samples paths per bar field and
     * step: mean (the official predictor's average, taken in normalised
     * units), median, quantile_Q or trimmed_mean_X of the paths' values.
     * Version 1 structs end before it and mean the mean. */
    ms_aggregate aggregate;
} ms_bar_forecast_options;

#define MS_BAR_FORECAST_OPTIONS_VERSION 2
#define MS_BAR_FORECAST_OPTIONS_INIT \
    { MS_BAR_FORECAST_OPTIONS_VERSION, 1, 0, 1, 1.0, 0, 0.9, 0, { MS_AGG_MEAN, 0.0 } }

/* Fills *opts with the defaults of version `version` (1 to
 * MS_BAR_FORECAST_OPTIONS_VERSION; pass MS_BAR_FORECAST_OPTIONS_VERSION), as MS_BAR_FORECAST_OPTIONS_INIT does. Writes
 * only the fields that version has, so a caller built against an older
 * header gets a struct the size its header says. Errors: MS_ERR_INVALID_ARG
 * for a NULL opts or another version. */
MS_API ms_status ms_bar_forecast_options_init(ms_bar_forecast_options *opts, int version);

/*
 * Predicts the next `horizon` bars of each of `n` contexts with a bar model
 * (ms_model_name "kronos"): out [n][horizon][MS_BAR_FIELDS] (caller-owned),
 * each bar the options' aggregate (by default the mean) of its num_samples
 * paths. Options of version 1 or 2 are read. `contexts`, their arrays and
 * `out` are borrowed for the call; `opts` NULL means
 * MS_BAR_FORECAST_OPTIONS_INIT. A context's result depends only on it, the
 * options and the model.
 * Errors: MS_ERR_INVALID_ARG (NULL arguments, options out of range, a
 * context of 0 bars, a NaN, infinite or negative value naming the context,
 * column and bar), MS_ERR_UNSUPPORTED (a model that forecasts series, not
 * bars), MS_ERR_MODEL, MS_ERR_NOMEM.
 */
MS_API ms_status ms_model_forecast_bars(ms_model *model, const ms_bar_context *contexts,
                                        size_t n, const ms_bar_forecast_options *opts,
                                        double *out);

#ifdef __cplusplus
}
#endif
#endif
