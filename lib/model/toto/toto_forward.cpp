/*
 * toto_forward.cpp - one call of the Toto backbone, following the official
 * TotoBackbone at commit 46bd92a operation by operation: the causal patch
 * scaler in float64, patch embedding, pre-norm layers alternating
 * time-wise attention (causal, rotary + xPos) and
 * space-wise attention (across variates), SwiGLU, no final norm, the
 * unembedding to P outputs per patch and the Student-t mixture head.
 */
#include "model/toto/toto_model.h"

#include <cfloat>
#include <cmath>

namespace toto {
namespace {

/* The official scaler's minimum_scale and RMSNorm's epsilon. */
constexpr double kMinimumScale = 0.1;
constexpr double kNormEpsilon = 1e-8;
/* rotary_embedding_torch's default xpos_scale_base. */
constexpr double kXposScaleBase = 512.0;

/* compute_causal_statistics' clamp with the context's global statistics:
 * scale within [max(0.1, g 10^-e), g 10^e], g = sqrt(variance + 0.1) of
 * the observed values among the first `prefix` steps (no Bessel
 * correction there, as in the official code). */
at::Tensor clamp_to_global(const at::Tensor &causal_scale, const at::Tensor &values,
                           const at::Tensor &weights, int64_t prefix, double exponent)
{
    at::Tensor prefix_weights = at::zeros_like(weights);
    prefix_weights.narrow(-1, 0, prefix).fill_(1.0);
    prefix_weights *= weights;
    at::Tensor count = prefix_weights.sum(-1, true).clamp_min(1.0);
    at::Tensor mean = at::nan_to_num((values * prefix_weights).sum(-1, true) / count);
    at::Tensor variance = ((values - mean) * prefix_weights).pow(2).sum(-1, true) / count;
    at::Tensor global_scale = at::sqrt(variance + kMinimumScale);
    /* The official lower bound compares with torch.tensor(minimum_scale),
     * a float32 0.1, promoted to float64. */
    at::Tensor lower = at::clamp_min(global_scale * std::pow(10.0, -exponent),
                                     static_cast<double>(static_cast<float>(kMinimumScale)));
    at::Tensor upper = global_scale * std::pow(10.0, exponent);
    return at::min(at::max(causal_scale, lower), upper);
}

/* Per-patch statistics: each patch takes the values of its last step. */
at::Tensor last_step_of_patch(const at::Tensor &per_step, int64_t patch)
{
    at::Tensor patches = per_step.unflatten(-1, { per_step.size(-1) / patch, patch });
    return patches.select(-1, patch - 1).unsqueeze(-1).expand_as(patches).flatten(-2);
}

at::Tensor rms_norm(const at::Tensor &x, const at::Tensor &scale)
{
    return x / at::sqrt((x * x).mean(-1, true) + kNormEpsilon) * scale;
}

/* rotate_half of rotary_embedding_torch: interleaved pairs (x0, x1) ->
 * (-x1, x0). */
at::Tensor rotate_pairs(const at::Tensor &x)
{
    at::Tensor pairs = x.unflatten(-1, { x.size(-1) / 2, 2 });
    return at::stack({ -pairs.select(-1, 1), pairs.select(-1, 0) }, -1).flatten(-2);
}

/*
 * TimeAwareRotaryEmbedding.rotate_queries_and_keys on q, k [S, H, L, hd]
 * at positions offset .. offset + L - 1 (float32 even in reduced
 * precision). Angles use interleaved pairs (dim d: frequency d / 2); the
 * xPos scale vector is cat(s^p, s^p) (dim d: base d mod hd/2) with power
 * (pos - floor(max pos of this call / 2)) / 512, so cached keys keep the
 * centring of the call that produced them, as in the official decoding.
 */
void rotate(const Model &model, at::Tensor &q, at::Tensor &k, int64_t offset)
{
    const int64_t length = q.size(2);
    at::TensorOptions float_options = at::TensorOptions().device(model.device).dtype(at::kFloat);
    at::Tensor positions = at::arange(length, float_options) + static_cast<double>(offset);
    at::Tensor angles = positions.unsqueeze(-1) * model.inverse_frequencies;
    angles = angles.repeat_interleave(2, -1);
    at::Tensor centre = at::floor_divide(positions.max(), 2);
    at::Tensor power = (positions - centre) / kXposScaleBase;
    at::Tensor half = at::pow(model.xpos_bases, power.unsqueeze(-1));
    at::Tensor scale = at::cat({ half, half }, -1);
    at::Tensor inverse = scale.pow(-1);
    at::Tensor cos = angles.cos(), sin = angles.sin();
    at::Tensor qf = q.to(at::kFloat), kf = k.to(at::kFloat);
    q = (qf * cos * scale + rotate_pairs(qf) * sin * scale).to(q.scalar_type());
    k = (kf * cos * inverse + rotate_pairs(kf) * sin * inverse).to(k.scalar_type());
}

/* Scaled dot-product attention over [S, H, L, hd] queries and [S, H, Lk,
 * hd] keys/values; with `offset` >= 0, query i (position offset + i) sees
 * keys 0 .. offset + i (causal), otherwise every key (space-wise: all
 * variates share one id, so the id mask allows everything). */
at::Tensor attend(const at::Tensor &q, const at::Tensor &k, const at::Tensor &v, int64_t offset)
{
    double factor = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
    at::Tensor scores = at::matmul(q, k.transpose(-2, -1)) * factor;
    if (offset >= 0) {
        at::Tensor future = at::ones({ q.size(2), k.size(2) },
                                     at::TensorOptions().device(q.device()).dtype(at::kBool))
                                .triu(offset + 1);
        scores = scores.masked_fill(future, -INFINITY);
    }
    return at::matmul(at::softmax(scores, -1), v);
}

/* Multi-head attention of one layer on x [R, V, N, D]. Time-wise: the
 * sequences are (r, v) over patches; space-wise: (r, n) over variates. */
at::Tensor attention(const Model &model, const Layer &layer, size_t index, const at::Tensor &x,
                     KvCache *cache)
{
    const int64_t R = x.size(0), V = x.size(1), N = x.size(2), D = x.size(3);
    const int64_t H = model.config.num_heads, hd = D / H;
    at::Tensor tokens = layer.spacewise ? x.transpose(1, 2).reshape({ R * N, V, D })
                                        : x.reshape({ R * V, N, D });
    const int64_t S = tokens.size(0), L = tokens.size(1);
    /* The (qkv, head_dim, n_heads) split: head h takes channels h, h+H, ... */
    at::Tensor qkv = layer.qkv(tokens)
                         .view({ S, L, 3, hd, H })
                         .permute({ 2, 0, 4, 1, 3 });
    at::Tensor q = qkv[0], k = qkv[1], v = qkv[2];
    int64_t offset = -1;
    if (!layer.spacewise) {
        offset = cache != nullptr ? cache->length : 0;
        rotate(model, q, k, offset);
        if (cache != nullptr) {
            cache->keys[index].narrow(2, offset, L).copy_(k);
            cache->values[index].narrow(2, offset, L).copy_(v);
            k = cache->keys[index].narrow(2, 0, offset + L);
            v = cache->values[index].narrow(2, 0, offset + L);
        }
    }
    /* Head-major merge (n_heads, head_dim) before wO. */
    at::Tensor merged = attend(q, k, v, offset).permute({ 0, 2, 1, 3 }).reshape({ S, L, D });
    at::Tensor output = layer.spacewise ? merged.view({ R, N, V, D }).transpose(1, 2)
                                        : merged.view({ R, V, N, D });
    return layer.out(output);
}

/* SwiGLU with the gate in the first half of w12's outputs. */
at::Tensor feed_forward(const Layer &layer, const at::Tensor &x)
{
    std::vector<at::Tensor> halves = layer.w12(x).chunk(2, -1);
    return layer.w3(at::silu(halves[0]) * halves[1]);
}

Mixture mixture_head(const Model &model, const at::Tensor &hidden)
{
    const float epsilon = FLT_EPSILON;
    std::vector<at::Tensor> raw =
        at::linear(hidden.to(at::kFloat), model.head_weight, model.head_bias).chunk(4, -1);
    Mixture mixture;
    mixture.df = 2.0 + at::softplus(raw[0]).clamp_min(epsilon);
    mixture.loc = raw[1];
    mixture.scale = at::softplus(raw[2]).clamp_min(epsilon);
    mixture.logits = raw[3];
    /* torch's Categorical(probs=...) divides the softmax by its sum again. */
    at::Tensor probs = at::softmax(raw[3], -1);
    mixture.probs = probs / probs.sum(-1, true);
    return mixture;
}

}  // namespace

Scaled scale_series(const Model &model, const at::Tensor &series, const at::Tensor &observed,
                    int64_t prefix_length)
{
    at::Tensor values = series.to(at::kDouble);
    at::Tensor weights = observed.to(at::kDouble);
    at::Tensor count = at::cumsum(weights, -1).clamp_min(1.0);
    at::Tensor mean = at::cumsum(weights * values, -1) / count;
    /* Welford: M2_t = sum_s (x_s - m_{s-1}) (x_s - m_s) w_s, m_{-1} = 0. */
    at::Tensor previous_mean = at::zeros_like(mean);
    previous_mean.narrow(-1, 1, mean.size(-1) - 1).copy_(mean.narrow(-1, 0, mean.size(-1) - 1));
    at::Tensor m2 = at::cumsum((values - previous_mean) * (values - mean) * weights, -1);
    at::Tensor variance = m2 / (count - 1.0).clamp_min(1.0);
    at::Tensor scale = at::sqrt(variance + kMinimumScale);
    if (model.config.stabilize_with_global)
        scale = clamp_to_global(scale, values, weights, prefix_length,
                                model.config.scale_factor_exponent);
    Scaled scaled;
    scaled.loc = last_step_of_patch(mean.to(at::kFloat), model.patch());
    scaled.scale = last_step_of_patch(scale.to(at::kFloat), model.patch());
    scaled.values = (series - scaled.loc) / scaled.scale;
    return scaled;
}

KvCache allocate_cache(const Model &model, int64_t sequences, int64_t capacity)
{
    const int64_t H = model.config.num_heads, hd = model.config.embed_dim / H;
    at::TensorOptions options = at::TensorOptions().device(model.device).dtype(model.dtype);
    KvCache cache;
    for (const Layer &layer : model.layers) {
        bool cached = !layer.spacewise;
        cache.keys.push_back(cached ? at::zeros({ sequences, H, capacity, hd }, options) : at::Tensor());
        cache.values.push_back(cached ? at::zeros({ sequences, H, capacity, hd }, options) : at::Tensor());
    }
    return cache;
}

KvCache repeat_cache(const KvCache &cache, int64_t variates, int64_t times)
{
    KvCache repeated;
    repeated.length = cache.length;
    auto repeat_rows = [&](const at::Tensor &t) {
        if (!t.defined())
            return t;
        /* [R*V, ...] -> [R, 1, V, ...] -> [R, times, V, ...] -> [R*times*V, ...] */
        at::Tensor rows = t.unflatten(0, { t.size(0) / variates, variates }).unsqueeze(1);
        std::vector<int64_t> sizes(rows.sizes().begin(), rows.sizes().end());
        sizes[1] = times;
        return rows.expand(sizes).flatten(0, 2).contiguous();
    };
    for (size_t i = 0; i < cache.keys.size(); i++) {
        repeated.keys.push_back(repeat_rows(cache.keys[i]));
        repeated.values.push_back(repeat_rows(cache.values[i]));
    }
    return repeated;
}

at::Tensor Forward::newest_loc() const
{
    return scaled.loc.select(-1, scaled.loc.size(-1) - 1);
}

at::Tensor Forward::newest_scale() const
{
    return scaled.scale.select(-1, scaled.scale.size(-1) - 1);
}

Forward forward(const Model &model, const at::Tensor &series, const at::Tensor &observed,
                int64_t prefix_length, KvCache *cache, int64_t outputs, bool trace)
{
    const int64_t P = model.patch(), D = model.config.embed_dim;
    Forward pass;
    pass.scaled = scale_series(model, series, observed, prefix_length);
    /* With a filled cache only the newest patch is new to the transformer. */
    int64_t start = cache != nullptr ? cache->length * P : 0;
    at::Tensor patches = pass.scaled.values.narrow(-1, start, series.size(-1) - start);
    patches = patches.unflatten(-1, { patches.size(-1) / P, P }).to(model.dtype);
    at::Tensor x = model.patch_embed(patches);
    if (trace)
        pass.patch_embeddings = x;
    for (size_t i = 0; i < model.layers.size(); i++) {
        const Layer &layer = model.layers[i];
        at::Tensor h = x + attention(model, layer, i, rms_norm(x, layer.norm1), cache);
        x = h + feed_forward(layer, rms_norm(h, layer.norm2));
        if (trace)
            pass.layer_outputs.push_back(x);
    }
    if (cache != nullptr)
        cache->length += x.size(2);
    at::Tensor last = x.narrow(2, x.size(2) - outputs, outputs);
    at::Tensor unembedded = model.unembed(last);
    pass.hidden = unembedded.view({ x.size(0), x.size(1), outputs * P, D });
    pass.mixture = mixture_head(model, pass.hidden);
    return pass;
}

at::Tensor mixture_mean(const Mixture &mixture, const at::Tensor &loc, const at::Tensor &scale)
{
    at::Tensor normalised = (mixture.probs * mixture.loc).sum(-1);
    at::Tensor mean = loc + scale * normalised;
    /* toto's replace_extreme_values: inf, nan and |x| >= max / 2 become 0. */
    at::Tensor extreme = at::isinf(mean) | at::isnan(mean) | (mean.abs() >= FLT_MAX / 2.0);
    return mean.masked_fill(extreme, 0.0);
}

}  // namespace toto
