/*
 * kronos_generate.cpp - the C entry points of the Kronos port
 * (kronos_internal.h) and the autoregressive loop of the official
 * auto_regressive_inference: the whole context tokenized, the last
 * max_context tokens kept in a window that slides once full, s1 then s2
 * sampled per step, the last max_context tokens decoded and the sample
 * paths averaged. Every entry point holds the network's lock, runs in
 * inference mode, and turns exceptions into ms_error.
 */
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "model/kronos/kronos_net.h"

struct ms_kronos {
    kronos::Net net;
};

namespace kronos {
namespace {

at::Tensor floats(const float *data, at::IntArrayRef shape)
{
    return at::from_blob(const_cast<float *>(data), shape, at::kFloat);
}

at::Tensor longs(const int64_t *data, at::IntArrayRef shape)
{
    return at::from_blob(const_cast<int64_t *>(data), shape, at::kLong);
}

template <typename T>
void copy_out(const at::Tensor &tensor, T *out)
{
    at::Tensor flat = tensor.contiguous();
    std::memcpy(out, flat.data_ptr<T>(), flat.numel() * sizeof(T));
}

template <typename T>
T *copy_new(const at::Tensor &tensor)
{
    T *out = static_cast<T *>(std::malloc(std::max<size_t>(1, tensor.numel()) * sizeof(T)));
    if (out == nullptr)
        throw std::bad_alloc();
    copy_out(tensor, out);
    return out;
}

template <typename Body>
ms_status run_locked(ms_kronos *kronos, const char *context, Body &&body)
{
    if (kronos == nullptr)
        return ms_error(MS_ERR_INVALID_ARG, "%s: no model", context);
    return guard(context, [&] {
        std::lock_guard<std::mutex> hold(kronos->net.lock);
        c10::InferenceMode inference;
        return body(kronos->net);
    });
}

void check_ids(const at::Tensor &ids, int bits, const char *what)
{
    if (ids.numel() > 0 && (ids.min().item<int64_t>() < 0 ||
                            ids.max().item<int64_t>() >= (int64_t{ 1 } << bits)))
        throw std::invalid_argument(std::string(what) + " ids must be in [0, 2^" +
                                    std::to_string(bits) + ")");
}

/* The random streams of a generation: one for the whole batch, or one
 * per series (ms_kronos_sampling.series_seeds). */
std::vector<at::Generator> make_generators(const ms_kronos_sampling &sampling, int64_t series)
{
    std::vector<at::Generator> generators;
    if (sampling.series_seeds == nullptr)
        generators.push_back(at::make_generator<at::CPUGeneratorImpl>(sampling.seed));
    else
        for (int64_t b = 0; b < series; b++)
            generators.push_back(at::make_generator<at::CPUGeneratorImpl>(sampling.series_seeds[b]));
    return generators;
}

/* One row of torch.multinomial(probs, 1) per row of `probs`; with one
 * stream per series, each series' sample_count rows are drawn from its own
 * stream, as the same series alone in a batch would be. */
at::Tensor draw(const at::Tensor &logits, const ms_kronos_sampling &sampling,
                std::vector<at::Generator> &generators)
{
    at::Tensor probs = sample_probabilities(logits, sampling);
    if (generators.size() == 1)
        return at::multinomial(probs, 1, false, generators[0]);
    const int64_t rows = static_cast<int64_t>(sampling.sample_count);
    std::vector<at::Tensor> drawn;
    for (size_t b = 0; b < generators.size(); b++)
        drawn.push_back(at::multinomial(probs.narrow(0, static_cast<int64_t>(b) * rows, rows), 1,
                                        false, generators[b]));
    return at::cat(drawn, 0);
}

struct Generation {
    at::Tensor context_s1, context_s2;       /* [R, L] */
    at::Tensor generated_s1, generated_s2;   /* [R, steps] */
    std::vector<at::Tensor> s1_last, s2_last;
    at::Tensor window_s1, window_s2;         /* [R, W] */
    at::Tensor decoded;                      /* [R, W, F] */
};

/* decode_s1 over the window [start, current) of the token buffers:
 * through the cache while the window starts at the first token (the new
 * tokens since the last call only), recomputed once it slides. */
std::pair<at::Tensor, at::Tensor> window_s1(const Model &model, const at::Tensor &s1_all,
                                            const at::Tensor &s2_all, const at::Tensor &stamp,
                                            int64_t start, int64_t current, Cache *cache)
{
    if (cache == nullptr || start > 0)
        return decode_s1(model, s1_all.narrow(1, start, current - start),
                         s2_all.narrow(1, start, current - start),
                         stamp.narrow(1, start, current - start));
    const int64_t from = cache->length;
    return decode_s1_cached(model, s1_all.narrow(1, from, current - from),
                            s2_all.narrow(1, from, current - from),
                            stamp.narrow(1, from, current - from), *cache);
}

/* auto_regressive_inference on rows already repeated per sample. */
Generation generate_rows(const Net &net, const at::Tensor &x, const at::Tensor &x_stamp,
                         const at::Tensor &y_stamp, int64_t steps, int64_t max_context,
                         const ms_kronos_sampling &sampling, bool use_cache)
{
    Generation g;
    const int64_t R = x.size(0), L = x.size(1);
    auto tokens = encode(net.tokenizer, x);
    g.context_s1 = tokens.first;
    g.context_s2 = tokens.second;
    at::Tensor full_stamp = at::cat({ x_stamp, y_stamp }, 1);
    at::Tensor s1_all = at::cat({ tokens.first, at::zeros({ R, steps }, tokens.first.options()) }, 1);
    at::Tensor s2_all = at::cat({ tokens.second, at::zeros({ R, steps }, tokens.second.options()) }, 1);
    std::vector<at::Generator> generators =
        make_generators(sampling, R / static_cast<int64_t>(sampling.sample_count));
    Cache cache;
    for (int64_t i = 0; i < steps; i++) {
        /* The window: the last min(cur, max_context) tokens, positions from 0. */
        const int64_t current = L + i, start = std::max<int64_t>(0, current - max_context);
        auto out = window_s1(net.model, s1_all, s2_all, full_stamp, start, current,
                             use_cache ? &cache : nullptr);
        at::Tensor s1_logits = out.first.select(1, -1);
        at::Tensor next_s1 = draw(s1_logits, sampling, generators);
        at::Tensor s2_logits = decode_s2_last(net.model, out.second, next_s1).select(1, -1);
        at::Tensor next_s2 = draw(s2_logits, sampling, generators);
        s1_all.select(1, current).copy_(next_s1.squeeze(-1));
        s2_all.select(1, current).copy_(next_s2.squeeze(-1));
        g.s1_last.push_back(s1_logits);
        g.s2_last.push_back(s2_logits);
    }
    g.generated_s1 = s1_all.narrow(1, L, steps);
    g.generated_s2 = s2_all.narrow(1, L, steps);
    const int64_t total = L + steps, start = std::max<int64_t>(0, total - max_context);
    g.window_s1 = s1_all.narrow(1, start, total - start);
    g.window_s2 = s2_all.narrow(1, start, total - start);
    g.decoded = decode(net.tokenizer, g.window_s1, g.window_s2);
    return g;
}

void fill_trace(const Generation &g, ms_kronos_trace *trace)
{
    std::memset(trace, 0, sizeof *trace);
    trace->rows = static_cast<size_t>(g.context_s1.size(0));
    trace->steps = g.s1_last.size();
    trace->window = static_cast<size_t>(g.window_s1.size(1));
    trace->context_s1 = copy_new<int64_t>(g.context_s1);
    trace->context_s2 = copy_new<int64_t>(g.context_s2);
    trace->generated_s1 = copy_new<int64_t>(g.generated_s1);
    trace->generated_s2 = copy_new<int64_t>(g.generated_s2);
    trace->s1_logits_last = copy_new<float>(at::stack(g.s1_last));
    trace->s2_logits_last = copy_new<float>(at::stack(g.s2_last));
    trace->window_s1 = copy_new<int64_t>(g.window_s1);
    trace->window_s2 = copy_new<int64_t>(g.window_s2);
    trace->decoded = copy_new<float>(g.decoded);
}

bool valid_sampling(const ms_kronos_sampling *s)
{
    return s != nullptr && s->temperature > 0 && s->top_k >= 0 && s->top_p > 0 &&
           s->top_p <= 1 && s->sample_count >= 1;
}

}  // namespace
}  // namespace kronos

using namespace kronos;

extern "C" {

ms_status ms_kronos_open(ms_kronos **out, const ms_kronos_checkpoint *checkpoint)
{
    if (out == nullptr || checkpoint == nullptr)
        return ms_error(MS_ERR_INVALID_ARG, "ms_kronos_open: arguments must not be NULL");
    *out = nullptr;
    return guard("kronos: loading the network", [&] {
        c10::InferenceMode inference;
        auto kronos = std::make_unique<ms_kronos>();
        load_net(kronos->net, checkpoint);
        *out = kronos.release();
        return MS_OK;
    });
}

void ms_kronos_free(ms_kronos *kronos)
{
    delete kronos;
}

ms_status ms_kronos_set_threads(ms_kronos *kronos, int threads)
{
    if (kronos == nullptr || threads < 1)
        return ms_error(MS_ERR_INVALID_ARG, "kronos: %d threads: a model and >= 1 thread are "
                        "required", threads);
    std::lock_guard<std::mutex> hold(kronos->net.lock);
    kronos->net.threads = threads;
    return MS_OK;
}

ms_status ms_kronos_encode(ms_kronos *kronos, const float *x, size_t batch, size_t length,
                           int64_t *s1, int64_t *s2, float *z_pre_quant)
{
    return run_locked(kronos, "kronos tokenizer encode", [&](const Net &net) {
        at::Tensor z;
        const int64_t B = batch, L = length;
        auto tokens = encode(net.tokenizer, floats(x, { B, L, MS_KRONOS_FEATURES }),
                             z_pre_quant != nullptr ? &z : nullptr);
        copy_out(tokens.first, s1);
        copy_out(tokens.second, s2);
        if (z_pre_quant != nullptr)
            copy_out(z, z_pre_quant);
        return MS_OK;
    });
}

ms_status ms_kronos_decode(ms_kronos *kronos, const int64_t *s1, const int64_t *s2, size_t batch,
                           size_t length, float *x_hat)
{
    return run_locked(kronos, "kronos tokenizer decode", [&](const Net &net) {
        const int64_t B = batch, L = length;
        const ms_kronos_tokenizer_config &c = net.tokenizer.config;
        at::Tensor first = longs(s1, { B, L }), second;
        if (s2 != nullptr) {
            second = longs(s2, { B, L });
            check_ids(first, c.s1_bits, "s1");
            check_ids(second, c.s2_bits, "s2");
        } else {
            check_ids(first, c.s1_bits + c.s2_bits, "full");
        }
        copy_out(decode(net.tokenizer, first, second), x_hat);
        return MS_OK;
    });
}

ms_status ms_kronos_indices_to_bits(ms_kronos *kronos, const int64_t *s1, const int64_t *s2,
                                    size_t batch, size_t length, float *bits)
{
    return run_locked(kronos, "kronos indices_to_bits", [&](const Net &net) {
        const int64_t B = batch, L = length;
        at::Tensor second = s2 != nullptr ? longs(s2, { B, L }) : at::Tensor();
        copy_out(indices_to_bits(net.tokenizer, longs(s1, { B, L }), second), bits);
        return MS_OK;
    });
}

ms_status ms_kronos_decode_s1(ms_kronos *kronos, const int64_t *s1, const int64_t *s2,
                              const float *stamp, size_t batch, size_t length, float *s1_logits,
                              float *context)
{
    return run_locked(kronos, "kronos decode_s1", [&](const Net &net) {
        const int64_t B = batch, L = length;
        auto out = decode_s1(net.model, longs(s1, { B, L }), longs(s2, { B, L }),
                             floats(stamp, { B, L, MS_KRONOS_STAMPS }));
        copy_out(out.first, s1_logits);
        copy_out(out.second, context);
        return MS_OK;
    });
}

ms_status ms_kronos_decode_s2(ms_kronos *kronos, const float *context, size_t batch,
                              size_t length, const int64_t *s1, size_t s1_length,
                              float *s2_logits)
{
    return run_locked(kronos, "kronos decode_s2", [&](const Net &net) {
        const int64_t B = batch, L = length, Q = s1_length;
        if (Q != L && Q != 1)
            throw std::invalid_argument("s1 must have the context's length or length 1");
        at::Tensor c = floats(context, { B, L, net.model.config.d_model });
        at::Tensor logits = decode_s2(net.model, c, longs(s1, { B, Q }));
        copy_out(logits.expand({ B, L, logits.size(2) }), s2_logits);
        return MS_OK;
    });
}

ms_status ms_kronos_sample_filter(const float *logits, size_t rows, size_t vocab,
                                  const ms_kronos_sampling *sampling, float *probs)
{
    if (!valid_sampling(sampling))
        return ms_error(MS_ERR_INVALID_ARG, "kronos sampling: temperature > 0, top_k >= 0, "
                        "0 < top_p <= 1 and sample_count >= 1 are required");
    return guard("kronos sample filter", [&] {
        c10::InferenceMode inference;
        const int64_t R = rows, V = vocab;
        copy_out(sample_probabilities(floats(logits, { R, V }), *sampling), probs);
        return MS_OK;
    });
}

void ms_kronos_trace_free(ms_kronos_trace *trace)
{
    if (trace == nullptr)
        return;
    for (void *array : { (void *)trace->context_s1, (void *)trace->context_s2,
                         (void *)trace->generated_s1, (void *)trace->generated_s2,
                         (void *)trace->s1_logits_last, (void *)trace->s2_logits_last,
                         (void *)trace->window_s1, (void *)trace->window_s2,
                         (void *)trace->decoded })
        std::free(array);
    std::memset(trace, 0, sizeof *trace);
}

ms_status ms_kronos_generate(ms_kronos *kronos, const float *x_norm, const float *x_stamp,
                             const float *y_stamp, size_t batch, size_t length, size_t steps,
                             size_t max_context, double clip, const ms_kronos_sampling *sampling,
                             bool use_cache, float *preds, float *paths, ms_kronos_trace *trace)
{
    if (!valid_sampling(sampling))
        return ms_error(MS_ERR_INVALID_ARG, "kronos sampling: temperature > 0, top_k >= 0, "
                        "0 < top_p <= 1 and sample_count >= 1 are required");
    if (batch < 1 || length < 1 || steps < 1 || max_context < 1 || !(clip > 0))
        return ms_error(MS_ERR_INVALID_ARG, "kronos generate: batch, context length, steps and "
                        "max_context must be >= 1 and clip > 0");
    return run_locked(kronos, "kronos generate", [&](const Net &net) {
        if (net.threads > 0 && at::get_num_threads() != net.threads)
            at::set_num_threads(net.threads);
        const int64_t B = batch, L = length, S = steps, N = sampling->sample_count;
        const int64_t F = MS_KRONOS_FEATURES, T = MS_KRONOS_STAMPS;
        /* Rows series-major: s0c0, s0c1, ..., s1c0, ... */
        auto repeat = [&](const at::Tensor &t) { return t.repeat_interleave(N, 0); };
        at::Tensor x = repeat(at::clamp(floats(x_norm, { B, L, F }), -clip, clip));
        Generation g = generate_rows(net, x, repeat(floats(x_stamp, { B, L, T })),
                                     repeat(floats(y_stamp, { B, S, T })), S,
                                     static_cast<int64_t>(max_context), *sampling, use_cache);
        const int64_t W = g.decoded.size(1);
        at::Tensor per_path = g.decoded.view({ B, N, W, F }).narrow(2, W - S, S);
        copy_out(per_path.mean(1), preds);
        if (paths != nullptr)
            copy_out(per_path, paths);
        if (trace != nullptr)
            fill_trace(g, trace);
        return MS_OK;
    });
}

}  // extern "C"
