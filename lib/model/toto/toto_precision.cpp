/*
 * toto_precision.cpp - the backbone's Linear layers in the model's
 * precision: float32 as loaded, bfloat16 copies for bf16 (oneDNN's
 * AVX512_BF16/AMX kernels on the CPU, tensor cores on CUDA), and for int8
 * weights quantized per output channel and packed once for libtorch's
 * quantized engine, run as dynamic quantized products (the activations
 * quantized per call from their own range). Every Linear takes and returns
 * float32, so only the products change precision; the attention scores,
 * softmax, norms, scaler and mixture head stay float32 (toto_forward.cpp).
 */
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/native/quantized/PackedParams.h>

#include <stdexcept>
#include <utility>

#include "model/toto/toto_model.h"

namespace toto {

struct QuantizedWeights {
    c10::intrusive_ptr<LinearPackedParamsBase> packed;
    /* Without VNNI, x86 int8 products sum pairs of u8 x s8 in 16 bits,
     * which saturates: activations then use 7 bits (PyTorch's reduce_range). */
    bool reduce_range;
};

namespace {

/* Debian's libtorch 1.13 has oneDNN's quantized engine, not fbgemm;
 * builds with fbgemm choose it (X86 or FBGEMM) by default. QNNPACK (ARM)
 * has no per-channel dynamic products. */
void require_quantized_engine()
{
    at::QEngine engine = at::globalContext().qEngine();
    if (engine != at::QEngine::FBGEMM && engine != at::QEngine::X86 &&
        engine != at::QEngine::ONEDNN)
        throw std::runtime_error("precision 'int8' needs libtorch's fbgemm or oneDNN quantized "
                                 "engine, which this libtorch lacks (use fp32)");
}

/* Symmetric per-output-channel int8: row o is scaled by max |w_o| / 127. */
std::shared_ptr<const QuantizedWeights> quantize(const at::Tensor &weight, const at::Tensor &bias)
{
    require_quantized_engine();
    at::Tensor scales = weight.abs().amax(1).div(127.0).clamp_min(1e-12).to(at::kDouble);
    at::Tensor zero_points = at::zeros({ weight.size(0) }, at::kLong);
    at::Tensor quantized = at::quantize_per_channel(weight.contiguous(), scales, zero_points, 0,
                                                    at::kQInt8);
    static auto prepack =
        c10::Dispatcher::singleton()
            .findSchemaOrThrow("quantized::linear_prepack", "")
            .typed<c10::intrusive_ptr<LinearPackedParamsBase>(at::Tensor,
                                                              c10::optional<at::Tensor>)>();
    auto weights = std::make_shared<QuantizedWeights>();
    weights->packed = prepack.call(quantized, bias.contiguous());
    weights->reduce_range = !ms_cpu_features_detect().avx512_vnni;
    return weights;
}

}  // namespace

Linear::Linear(at::Tensor weight, at::Tensor bias, Precision precision)
{
    switch (precision) {
    case Precision::fp32:
        weight_ = std::move(weight);
        bias_ = std::move(bias);
        break;
    case Precision::bf16:
        weight_ = weight.to(at::kBFloat16);
        bias_ = std::move(bias);
        break;
    case Precision::int8:
        quantized_ = quantize(weight, bias);
        break;
    }
}

at::Tensor Linear::operator()(const at::Tensor &x) const
{
    if (quantized_ != nullptr)
        return quantized_->packed->apply_dynamic(x.contiguous(), quantized_->reduce_range);
    if (weight_.scalar_type() == at::kBFloat16)
        return at::linear(x.to(at::kBFloat16), weight_).to(at::kFloat).add_(bias_);
    return at::linear(x, weight_, bias_);
}

void set_precision(Model &model, Precision precision)
{
    model.precision = precision;
    for (Layer &layer : model.layers) {
        layer.qkv = Linear(std::move(layer.qkv_weight), std::move(layer.qkv_bias), precision);
        layer.out = Linear(std::move(layer.out_weight), std::move(layer.out_bias), precision);
        layer.w12 = Linear(std::move(layer.w12_weight), std::move(layer.w12_bias), precision);
        layer.w3 = Linear(std::move(layer.w3_weight), std::move(layer.w3_bias), precision);
    }
    /* The patch embedding reads the scaled series itself, whose outliers
     * would set one int8 range for the whole batch (on the tiny fixture it
     * alone took int8's largest error from 0.2 to 2 context scales); with
     * P inputs it is under 1% of the products, so it stays float32. */
    model.patch_embed = Linear(std::move(model.patch_weight), std::move(model.patch_bias),
                               Precision::fp32);
    model.unembed = Linear(std::move(model.unembed_weight), std::move(model.unembed_bias), precision);
}

}  // namespace toto
