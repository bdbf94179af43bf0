/*
 * kronos_internal.h - the Kronos port's C entry points (implemented in C++
 * on libtorch, in lib/model/kronos/): the tokenizer's encode/decode, the
 * model's decode_s1/decode_s2, and the autoregressive generation of
 * KronosPredictor in normalised units, each with the official function's
 * semantics in eval mode (tests/fixtures/kronos-tiny/README.md, "Traps").
 * Library-internal: the fixture tests and the predictor (kronos_predict.c)
 * call them.
 *
 * Arrays are row-major float32 / int64 in caller-owned buffers: B rows
 * (series), L time steps, F = 6 features, D d_model, V1/V2 the s1/s2
 * vocabularies (2^bits), 5 stamp columns (minute, hour, weekday, day,
 * month, as float32 values).
 */
#ifndef MS_KRONOS_INTERNAL_H
#define MS_KRONOS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marketsim/common.h"
#include "model/kronos_checkpoint.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The number of time-stamp columns (minute, hour, weekday, day, month). */
#define MS_KRONOS_STAMPS 5

typedef struct ms_kronos ms_kronos;

/* The network of a validated checkpoint on the CPU (the weights are
 * copied: the checkpoint may be closed afterwards). Errors: MS_ERR_MODEL,
 * MS_ERR_NOMEM. */
ms_status ms_kronos_open(ms_kronos **out, const ms_kronos_checkpoint *checkpoint);
void ms_kronos_free(ms_kronos *kronos);

/* libtorch's intra-op threads for this network's generations (>= 1; set
 * before each, as Toto does: the count is process-wide). Until called,
 * libtorch's default. MS_ERR_INVALID_ARG for NULL or threads < 1. */
ms_status ms_kronos_set_threads(ms_kronos *kronos, int threads);

/* KronosTokenizer.encode(x [B][L][F], half=True): s1, s2 [B][L];
 * z_pre_quant [B][L][s1_bits + s2_bits] (may be NULL). */
ms_status ms_kronos_encode(ms_kronos *kronos, const float *x, size_t batch, size_t length,
                           int64_t *s1, int64_t *s2, float *z_pre_quant);

/* KronosTokenizer.decode([s1, s2], half=True) -> x_hat [B][L][F]; with s2
 * NULL, decode(s1, half=False) (s1 one index over all codebook bits, as
 * encode(half=False) gives). Ids outside their vocabulary are refused
 * (MS_ERR_MODEL naming them). */
ms_status ms_kronos_decode(ms_kronos *kronos, const int64_t *s1, const int64_t *s2,
                           size_t batch, size_t length, float *x_hat);

/* KronosTokenizer.indices_to_bits, the decoder's input [B][L][C] (C =
 * s1_bits + s2_bits), with decode's s2 convention; like the official
 * function it checks no range: bits beyond C / 2 (or C) are dropped. */
ms_status ms_kronos_indices_to_bits(ms_kronos *kronos, const int64_t *s1, const int64_t *s2,
                                    size_t batch, size_t length, float *bits);

/* Kronos.decode_s1(s1, s2, stamp [B][L][5]) -> s1_logits [B][L][V1],
 * context [B][L][D]. */
ms_status ms_kronos_decode_s1(ms_kronos *kronos, const int64_t *s1, const int64_t *s2,
                              const float *stamp, size_t batch, size_t length, float *s1_logits,
                              float *context);

/* Kronos.decode_s2(context [B][L][D], s1 [B][Lq]) with Lq = L or 1 ->
 * s2_logits [B][L][V2] (for Lq = 1 the official broadcast). */
ms_status ms_kronos_decode_s2(ms_kronos *kronos, const float *context, size_t batch,
                              size_t length, const int64_t *s1, size_t s1_length,
                              float *s2_logits);

/* sample_from_logits' settings. top_k > 0 ignores top_p (as the official
 * filter returns early); top_k = 1 is greedy. */
typedef struct ms_kronos_sampling {
    double temperature;   /* > 0 */
    int top_k;            /* >= 0 */
    double top_p;         /* in (0, 1] */
    size_t sample_count;  /* >= 1 paths per series, averaged */
    uint64_t seed;
    /* NULL: one torch stream seeded with `seed` draws every row of the batch
     * in order (the official code after torch.manual_seed). Else [batch]
     * seeds: series b's sample_count rows draw from their own stream, so a
     * series' paths are the same whatever else is in the batch. */
    const uint64_t *series_seeds;
} ms_kronos_sampling;

/* The official filter up to torch.multinomial: probs [rows][vocab] of
 * logits [rows][vocab] (softmax of the filtered logits / T; 0 where removed). */
ms_status ms_kronos_sample_filter(const float *logits, size_t rows, size_t vocab,
                                  const ms_kronos_sampling *sampling, float *probs);

/* What one generation did, for the tests (every array malloc'ed; rows R =
 * B x sample_count, series-major; W the final decode window). */
typedef struct ms_kronos_trace {
    size_t rows, steps, window;
    int64_t *context_s1, *context_s2;       /* [R][L] */
    int64_t *generated_s1, *generated_s2;   /* [R][steps] */
    float *s1_logits_last, *s2_logits_last; /* [steps][R][V] */
    int64_t *window_s1, *window_s2;         /* [R][W] */
    float *decoded;                         /* [R][W][F] */
} ms_kronos_trace;

void ms_kronos_trace_free(ms_kronos_trace *trace);

/*
 * auto_regressive_inference: x_norm [B][L][F] (already normalised; clipped
 * again to +-clip here), x_stamp [B][L][5], y_stamp [B][steps][5]. Every
 * series is repeated sample_count times, tokens are generated with the
 * sliding window of max_context, the last max_context tokens decoded, and
 * the paths averaged: preds [B][steps][F] in normalised units. `paths`
 * (may be NULL) receives every path [B][sample_count][steps][F]; `trace`
 * (may be NULL) the intermediates. With `use_cache`, the steps before the
 * window slides reuse the blocks' keys and values (the official code
 * recomputes the window every step; the results agree to rounding).
 */
ms_status ms_kronos_generate(ms_kronos *kronos, const float *x_norm, const float *x_stamp,
                             const float *y_stamp, size_t batch, size_t length, size_t steps,
                             size_t max_context, double clip, const ms_kronos_sampling *sampling,
                             bool use_cache, float *preds, float *paths, ms_kronos_trace *trace);

/* ---- KronosPredictor's data handling, in C (kronos_predict.c) ---------------- */

/* One series of bars: prices and times in UTC seconds. */
typedef struct ms_kronos_bars {
    size_t length;                 /* >= 1 context rows */
    const double *open, *high, *low, *close;
    const double *volume;          /* NULL: volume = amount = 0 (amount ignored) */
    const double *amount;          /* NULL: volume x mean(open, high, low, close) */
    const int64_t *timestamps;     /* [length] */
    const int64_t *future;         /* [horizon] the timestamps to predict */
} ms_kronos_bars;

/* calc_time_stamps: minute, hour, weekday (Monday = 0), day, month of
 * each UTC time, as float32 ([count][5]). */
void ms_kronos_time_features(const int64_t *seconds, size_t count, float *stamps);

/*
 * The predictor's input handling: the six columns as float32 x [L][F]
 * (missing volume and amount filled as the official code does; NaN,
 * infinite or negative values refused with MS_ERR_INVALID_ARG naming the
 * column and row), numpy's float32 mean and population std per column, and
 * x_norm = clip((x - mean) / (std + 1e-5), -clip, clip).
 */
ms_status ms_kronos_normalise(const ms_kronos_bars *bars, double clip, float *x, float *mean,
                              float *std, float *x_norm);

/*
 * KronosPredictor.predict_batch: every series (all of one length, as the
 * official batch requires) normalised on its own, generated together, and
 * de-normalised with preds * (std + 1e-5) + mean in float32: out
 * [n_series][horizon][F] (open, high, low, close, volume, amount).
 * `max_context` is the predictor's window (512 for the published small and
 * base, 2048 for mini). Errors: MS_ERR_INVALID_ARG for bad bars or
 * settings, MS_ERR_MODEL, MS_ERR_NOMEM.
 */
ms_status ms_kronos_predict(ms_kronos *kronos, const ms_kronos_bars *series, size_t n_series,
                            size_t horizon, size_t max_context, double clip,
                            const ms_kronos_sampling *sampling, float *out);

/* ms_kronos_predict that also de-normalises every sample path into `paths`
 * [n_series][sample_count][horizon][F] (in the same float32 arithmetic as
 * `out`), for summaries other than the official mean. */
ms_status ms_kronos_predict_paths(ms_kronos *kronos, const ms_kronos_bars *series,
                                  size_t n_series, size_t horizon, size_t max_context,
                                  double clip, const ms_kronos_sampling *sampling, float *out,
                                  float *paths);

#ifdef __cplusplus
}
#endif
#endif
