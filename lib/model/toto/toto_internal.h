/*
 * toto_internal.h - debugging entry points of the Toto port, in C, for the
 * tests that compare its internals with the official code's (the fixture
 * under tests/fixtures/toto-tiny). Not exported from the shared library.
 *
 * `state` is the state of a forecaster opened with ms_toto_open
 * (model_internal.h). Inputs are float32 series [batch][variates][length]
 * with every value observed, left-padded with unobserved zeros to a
 * multiple of the patch size as TotoForecaster.forecast does. Every output
 * array is malloc'ed, row-major, and freed with the matching _free.
 */
#ifndef MS_TOTO_INTERNAL_H
#define MS_TOTO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "marketsim/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One forward pass over the whole padded context (T = padded length, N =
 * T / P patches, D embed_dim, L layers, K components). */
typedef struct ms_toto_trace {
    size_t padded_length, patches, embed_dim, layers, components;
    float *scaler_loc;        /* [B][V][T] per step, constant within a patch */
    float *scaler_scale;      /* [B][V][T] */
    float *scaled_inputs;     /* [B][V][T] */
    float *patch_embeddings;  /* [B][V][N][D] */
    float *layer_outputs;     /* [L][B][V][N][D] residual stream after each layer */
    float *hidden;            /* [B][V][T][D] unembedded outputs */
    float *df;                /* [B][V][T][K] */
    float *loc;               /* [B][V][T][K] normalised units */
    float *scale;             /* [B][V][T][K] normalised units */
    float *mixture_probs;     /* [B][V][T][K] */
    float *mixture_log_probs; /* [B][V][T][K] log(clamp(probs, eps, 1 - eps)) */
    float *mixture_logits;    /* [B][V][T][K] before the softmax */
    float *mean_normalized;   /* [B][V][T] sum_k probs_k loc_k */
    float *mean;              /* [B][V][T] loc + scale * mean_normalized */
} ms_toto_trace;

ms_status ms_toto_trace_forward(void *state, const float *series, size_t batch,
                                size_t variates, size_t length, ms_toto_trace *out);
void ms_toto_trace_free(ms_toto_trace *trace);

/* The mean path over `horizon` steps (TotoForecaster.generate_mean), with
 * the key/value cache or re-running the whole sequence at every step. */
typedef struct ms_toto_decode_trace {
    size_t steps, patch_size;
    float *forecast;                   /* [B][V][horizon] the appended means */
    float *loc_last_patch;             /* [steps][B][V] */
    float *scale_last_patch;           /* [steps][B][V] */
    float *mean_normalized_last_patch; /* [steps][B][V][P] */
} ms_toto_decode_trace;

ms_status ms_toto_trace_decode(void *state, const float *series, size_t batch, size_t variates,
                               size_t length, size_t horizon, bool use_cache,
                               ms_toto_decode_trace *out);
void ms_toto_decode_trace_free(ms_toto_decode_trace *trace);

#ifdef __cplusplus
}
#endif
#endif
