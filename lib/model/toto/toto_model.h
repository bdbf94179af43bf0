/*
 * toto_model.h - the C++ side of the Toto port (C++ only; the C side is
 * toto_internal.h): the weights as ATen tensors (toto_weights.cpp), the
 * forward pass from raw series to per-step Student-t mixtures with an
 * optional key/value cache (toto_forward.cpp), the autoregressive
 * decoding over patches behind predict and sample paths (toto_decode.cpp),
 * and the backend state with the exception boundary shared by the entry
 * points (toto_backend.cpp, toto_trace.cpp). The Linear layers compute in
 * the model's precision (toto_precision.cpp).
 *
 * Shapes use R for rows (series, or series x sample chains), V variates,
 * T time steps (a multiple of the patch P), N patches, D embed_dim, K
 * mixture components. Raw series and the scaler's loc/scale are float32 as
 * in the official code; so is the residual stream between the Linear
 * layers, whatever precision those compute in.
 */
#ifndef MS_TOTO_MODEL_H
#define MS_TOTO_MODEL_H

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

#include "model/checkpoint.h"
#include "model/model_internal.h"
#include "model/torch_guard.h"

namespace toto {

/* What the backbone's Linear layers compute in (ms_model_options.precision). */
enum class Precision { fp32, bf16, int8 };

struct QuantizedWeights;  /* toto_precision.cpp */

/*
 * One Linear layer in the form its precision computes with, float32 in and
 * float32 out, so that the residual stream, the norms and the softmax
 * around it stay float32 (toto_precision.cpp). fp32: the loaded weights;
 * bf16: bfloat16 copies, the product in bfloat16 and the bias added in
 * float32; int8: the weights quantized per output channel and packed for
 * libtorch's quantized engine, the activations quantized per call.
 */
class Linear {
public:
    Linear() = default;
    Linear(at::Tensor weight, at::Tensor bias, Precision precision);
    at::Tensor operator()(const at::Tensor &x) const;

private:
    at::Tensor weight_, bias_;
    std::shared_ptr<const QuantizedWeights> quantized_;
};

struct Layer {
    bool spacewise;
    at::Tensor norm1, norm2;
    /* The checkpoint's weights as loaded; set_precision moves them into the
     * Linears below, which the forward pass uses. */
    at::Tensor qkv_weight, qkv_bias;  /* [3D, D]: channel qkv * D + d * H + h */
    at::Tensor out_weight, out_bias;  /* [D, D] over the head-major merge */
    at::Tensor w12_weight, w12_bias;  /* [2F, D]: gate rows first, then value */
    at::Tensor w3_weight, w3_bias;    /* [D, F] */
    Linear qkv, out, w12, w3;
};

struct Model {
    ms_toto_config config;
    size_t parameters;
    at::Device device = at::kCPU;
    at::ScalarType dtype = at::kFloat;  /* of the loaded weights and the activations */
    at::Tensor patch_weight, patch_bias;
    std::vector<Layer> layers;
    at::Tensor unembed_weight, unembed_bias;
    /* The four head projections stacked as [df | loc | scale | mixture]
     * rows ([4K, D]), float32: one product instead of four. */
    at::Tensor head_weight, head_bias;
    /* Rotary tables (float32, [head_dim / 2]): theta^(-2i/head_dim) and the
     * xPos bases (2i + 0.4 head_dim) / (1.4 head_dim). */
    at::Tensor inverse_frequencies, xpos_bases;
    /* The patch embedding and unembedding in the precision (set_precision). */
    Precision precision = Precision::fp32;
    Linear patch_embed, unembed;

    int64_t patch() const { return config.patch_size; }
};

/* Builds the model from a validated checkpoint on `device` in `dtype`;
 * float32 CPU weights share the checkpoint's read-only memory (never modify
 * them in place) and hold references to it, so the caller may close the
 * checkpoint afterwards. Throws on failure. */
Model load_model(const ms_toto_checkpoint *checkpoint, at::Device device, at::ScalarType dtype);

/* Builds the Linears of a loaded float32 model in `precision` (bfloat16
 * copies, int8 packing; int8 on the CPU only, as ms_precision_check_device
 * has checked), after loading so the loader stays one path; the float32
 * weights are released where the precision does not use them. Throws when
 * this libtorch cannot serve the precision. */
void set_precision(Model &model, Precision precision);

/* Keys and values of the time-wise layers for rows of R x V sequences:
 * [R*V, H, capacity, head_dim] per time-wise layer (undefined for
 * space-wise ones), rotated keys as they were when cached. */
struct KvCache {
    std::vector<at::Tensor> keys, values;
    int64_t length = 0;  /* patches cached so far */
};

KvCache allocate_cache(const Model &model, int64_t sequences, int64_t capacity);

/* The cache with every row repeated `times` times in place (row r becomes
 * rows r*times .. r*times+times-1): one context shared by sample chains. */
KvCache repeat_cache(const KvCache &cache, int64_t variates, int64_t times);

/* CausalPatchStdMeanScaler: per-step loc and scale (float32 [R, V, T],
 * constant within a patch) and the scaled series in float32. */
struct Scaled {
    at::Tensor values, loc, scale;
};

/* `observed` is false on left padding. Global statistics for the
 * stabilising clamp come from the first `prefix_length` steps only. */
Scaled scale_series(const Model &model, const at::Tensor &series, const at::Tensor &observed,
                    int64_t prefix_length);

/* Per-step mixture parameters, float32 [R, V, steps, K]: df, loc, scale in
 * normalised units and the normalised mixture weights. */
struct Mixture {
    at::Tensor df, loc, scale, probs, logits;
};

/* Everything one forward pass computed; the traced parts only on request. */
struct Forward {
    Scaled scaled;
    at::Tensor hidden;     /* [R, V, outputs * P, D]: unembedded outputs */
    Mixture mixture;       /* of the same steps */
    at::Tensor patch_embeddings;            /* traced: [R, V, n, D] */
    std::vector<at::Tensor> layer_outputs;  /* traced: one [R, V, n, D] per layer */

    /* loc and scale of the newest patch, float32 [R, V]: they de-normalise
     * the outputs of that patch, which forecast the next one. */
    at::Tensor newest_loc() const;
    at::Tensor newest_scale() const;
};

/*
 * One call of the backbone on series [R, V, T] (T a multiple of P).
 * Without a cache, or with an empty one, every patch runs through the
 * transformer (filling the cache when there is one); with a filled cache
 * only the newest patch runs, as the official decoding does. Only the
 * last `outputs` patches of the run are unembedded and given mixtures.
 */
Forward forward(const Model &model, const at::Tensor &series, const at::Tensor &observed,
                int64_t prefix_length, KvCache *cache, int64_t outputs, bool trace);

/* The mixture mean of every step in data units, float32 [R, V, steps],
 * computed as the official forecaster does (loc + scale * sum probs loc_k),
 * with non-finite and near-overflow values replaced by 0. */
at::Tensor mixture_mean(const Mixture &mixture, const at::Tensor &loc, const at::Tensor &scale);

/* Contexts left-padded with zeros to a multiple of P (the padding is
 * unobserved): series float32 [R, V, T] and observed bool [R, V, T]. */
struct Context {
    at::Tensor series, observed;
};

/* Called once per decoding step with the forward pass of that step; the
 * newest patch's mixtures forecast steps [step * P, step * P + P). */
using StepObserver = std::function<void(int64_t step, const Forward &pass)>;

/* The official mean path (TotoForecaster.generate_mean) for `steps`
 * patches: returns the context extended by the `steps` appended patches
 * of means. */
at::Tensor decode_mean_path(const Model &model, const Context &context, int64_t steps,
                            bool use_cache, const StepObserver &observe);

/* The backend's operations over ms_series (bucketed by padded length).
 * `passes` is increased by every backbone call. */
void predict_series(const Model &model, bool use_cache, const ms_series *series, size_t n_series,
                    size_t horizon, const ms_mixture_batch *out, size_t *passes);
void sample_series(const Model &model, bool use_cache, const ms_series *series, size_t n_series,
                   size_t horizon, size_t num_samples, double *samples, size_t *passes);

/* The state behind ms_forecaster for "toto": the model, used by one
 * thread at a time (libtorch's buffers and thread pool are shared). */
struct Backend {
    Model model;
    std::mutex lock;
    bool use_cache = true;
    int threads = 1;
};

using ms_torch::guard;  /* the C/C++ boundary of every entry point */

}  // namespace toto

#endif
