/*
 * toto_trace.cpp - the debugging entry points of toto_internal.h: the
 * intermediate tensors of one forward pass and of the mean-path decoding,
 * copied out as float32 arrays, through the same code that predict runs.
 */
#include "model/toto/toto_internal.h"

#include <c10/core/InferenceMode.h>

#include <cfloat>
#include <cstdlib>
#include <cstring>
#include <new>

#include "model/toto/toto_model.h"

namespace toto {
namespace {

/* A malloc'ed float32 copy of a tensor, row-major. */
float *export_floats(const at::Tensor &t)
{
    at::Tensor host = t.to(at::kCPU).to(at::kFloat).contiguous();
    size_t bytes = static_cast<size_t>(host.numel()) * sizeof(float);
    auto *copy = static_cast<float *>(std::malloc(bytes > 0 ? bytes : 1));
    if (copy == nullptr)
        throw std::bad_alloc();
    std::memcpy(copy, host.data_ptr<float>(), bytes);
    return copy;
}

/* The input left-padded with unobserved zeros, as pad_array does. */
Context padded_context(const Model &model, const float *series, size_t batch, size_t variates,
                       size_t length)
{
    const int64_t B = static_cast<int64_t>(batch), V = static_cast<int64_t>(variates);
    const int64_t T = static_cast<int64_t>(length), P = model.patch();
    const int64_t pad = (T + P - 1) / P * P - T;
    at::Tensor values = at::from_blob(const_cast<float *>(series), { B, V, T }, at::kFloat);
    at::Tensor padded = at::cat({ at::zeros({ B, V, pad }, at::kFloat), values }, -1);
    at::Tensor observed = at::cat({ at::zeros({ B, V, pad }, at::kBool),
                                    at::ones({ B, V, T }, at::kBool) }, -1);
    return Context{ padded.to(model.device), observed.to(model.device) };
}

void fill_forward_trace(const Model &model, const Forward &pass, ms_toto_trace *out)
{
    const Mixture &m = pass.mixture;
    const double epsilon = FLT_EPSILON;
    out->padded_length = static_cast<size_t>(pass.scaled.loc.size(-1));
    out->patches = out->padded_length / static_cast<size_t>(model.patch());
    out->embed_dim = static_cast<size_t>(model.config.embed_dim);
    out->layers = pass.layer_outputs.size();
    out->components = static_cast<size_t>(model.config.k_components);
    out->scaler_loc = export_floats(pass.scaled.loc);
    out->scaler_scale = export_floats(pass.scaled.scale);
    out->scaled_inputs = export_floats(pass.scaled.values);
    out->patch_embeddings = export_floats(pass.patch_embeddings);
    out->layer_outputs = export_floats(at::stack(pass.layer_outputs, 0));
    out->hidden = export_floats(pass.hidden);
    out->df = export_floats(m.df);
    out->loc = export_floats(m.loc);
    out->scale = export_floats(m.scale);
    out->mixture_probs = export_floats(m.probs);
    out->mixture_log_probs = export_floats(at::log(m.probs.clamp(epsilon, 1.0 - epsilon)));
    out->mixture_logits = export_floats(m.logits);
    at::Tensor normalised = (m.probs * m.loc).sum(-1);
    out->mean_normalized = export_floats(normalised);
    out->mean = export_floats(normalised * pass.scaled.scale + pass.scaled.loc);
}

}  // namespace
}  // namespace toto

extern "C" ms_status ms_toto_trace_forward(void *state, const float *series, size_t batch,
                                           size_t variates, size_t length, ms_toto_trace *out)
{
    std::memset(out, 0, sizeof *out);
    auto *backend = static_cast<toto::Backend *>(state);
    ms_status status = toto::guard("toto trace", [&] {
        std::lock_guard<std::mutex> hold(backend->lock);
        c10::InferenceMode inference;
        const toto::Model &model = backend->model;
        toto::Context context = toto::padded_context(model, series, batch, variates, length);
        int64_t patches = context.series.size(-1) / model.patch();
        toto::Forward pass = toto::forward(model, context.series, context.observed,
                                           context.series.size(-1), nullptr, patches, true);
        toto::fill_forward_trace(model, pass, out);
        return MS_OK;
    });
    if (status != MS_OK)
        ms_toto_trace_free(out);
    return status;
}

extern "C" void ms_toto_trace_free(ms_toto_trace *trace)
{
    float *arrays[] = { trace->scaler_loc, trace->scaler_scale, trace->scaled_inputs,
                        trace->patch_embeddings, trace->layer_outputs, trace->hidden,
                        trace->df, trace->loc, trace->scale, trace->mixture_probs,
                        trace->mixture_log_probs, trace->mixture_logits,
                        trace->mean_normalized, trace->mean };
    for (float *array : arrays)
        std::free(array);
    std::memset(trace, 0, sizeof *trace);
}

extern "C" ms_status ms_toto_trace_decode(void *state, const float *series, size_t batch,
                                          size_t variates, size_t length, size_t horizon,
                                          bool use_cache, ms_toto_decode_trace *out)
{
    std::memset(out, 0, sizeof *out);
    auto *backend = static_cast<toto::Backend *>(state);
    ms_status status = toto::guard("toto decode trace", [&] {
        std::lock_guard<std::mutex> hold(backend->lock);
        c10::InferenceMode inference;
        const toto::Model &model = backend->model;
        const int64_t P = model.patch();
        const int64_t steps = (static_cast<int64_t>(horizon) + P - 1) / P;
        toto::Context context = toto::padded_context(model, series, batch, variates, length);
        std::vector<at::Tensor> locs, scales, means;
        at::Tensor extended = toto::decode_mean_path(
            model, context, steps, use_cache, [&](int64_t, const toto::Forward &pass) {
                const toto::Mixture &m = pass.mixture;
                at::Tensor newest = (m.probs * m.loc).sum(-1);
                means.push_back(newest.narrow(-1, newest.size(-1) - P, P));
                locs.push_back(pass.newest_loc());
                scales.push_back(pass.newest_scale());
            });
        out->steps = static_cast<size_t>(steps);
        out->patch_size = static_cast<size_t>(P);
        out->forecast = toto::export_floats(
            extended.narrow(-1, context.series.size(-1), static_cast<int64_t>(horizon)));
        out->loc_last_patch = toto::export_floats(at::stack(locs, 0));
        out->scale_last_patch = toto::export_floats(at::stack(scales, 0));
        out->mean_normalized_last_patch = toto::export_floats(at::stack(means, 0));
        return MS_OK;
    });
    if (status != MS_OK)
        ms_toto_decode_trace_free(out);
    return status;
}

extern "C" void ms_toto_decode_trace_free(ms_toto_decode_trace *trace)
{
    std::free(trace->forecast);
    std::free(trace->loc_last_patch);
    std::free(trace->scale_last_patch);
    std::free(trace->mean_normalized_last_patch);
    std::memset(trace, 0, sizeof *trace);
}
