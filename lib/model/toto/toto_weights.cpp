/*
 * toto_weights.cpp - the Toto weights as ATen tensors: every tensor the
 * config implies, taken from the validated checkpoint (which checked names,
 * shapes and finiteness) onto the model's device and dtype, and the rotary
 * and xPos tables the official code recomputes instead of loading.
 *
 * No copy is made where none is needed: a weight is a from_blob tensor over
 * the checkpoint's float32 data (for an aligned F32 file, the read-only
 * mapping itself), and `.to(options)` returns that same tensor for float32
 * on the CPU. Each such tensor holds a checkpoint reference, released by its
 * deleter, so the mapping lives exactly as long as some tensor uses it
 * (CUDA or bfloat16 models copy at `.to` and let it go after loading).
 * The pages are read-only: the port never modifies a parameter in place
 * (an in-place op on one would fault, not corrupt the file's weights).
 */
#include "model/toto/toto_model.h"

#include <stdexcept>
#include <string>

namespace toto {
namespace {

/* One checkpoint weight with the given shape, float32 on the CPU, sharing
 * the checkpoint's memory and keeping the checkpoint open. */
at::Tensor read_weight(const ms_toto_checkpoint *checkpoint, const std::string &name,
                       at::IntArrayRef shape)
{
    size_t elements = 0;
    const float *data = ms_toto_checkpoint_weight(checkpoint, name.c_str(), &elements);
    int64_t expected = 1;
    for (int64_t size : shape)
        expected *= size;
    if (data == nullptr || static_cast<int64_t>(elements) != expected)
        throw std::runtime_error("checkpoint has no weight '" + name + "' of " +
                                 std::to_string(expected) + " values");
    ms_toto_checkpoint *reference = ms_toto_checkpoint_retain(checkpoint);
    try {
        return at::from_blob(const_cast<float *>(data), shape,
                             [reference](void *) { ms_toto_checkpoint_close(reference); },
                             at::TensorOptions().dtype(at::kFloat));
    } catch (...) {
        ms_toto_checkpoint_close(reference);
        throw;
    }
}

Layer read_layer(const ms_toto_checkpoint *checkpoint, const ms_toto_config &config, int index,
                 const at::TensorOptions &options)
{
    const int64_t D = config.embed_dim, F = config.mlp_hidden_dim;
    const std::string prefix = "transformer.layers." + std::to_string(index) + ".";
    auto weight = [&](const char *name, at::IntArrayRef shape) {
        return read_weight(checkpoint, prefix + name, shape).to(options);
    };
    Layer layer;
    layer.spacewise = ms_toto_layer_is_spacewise(&config, index);
    layer.norm1 = weight("norm1.scale", { D });
    layer.norm2 = weight("norm2.scale", { D });
    layer.qkv_weight = weight("attention.wQKV.weight", { 3 * D, D });
    layer.qkv_bias = weight("attention.wQKV.bias", { 3 * D });
    layer.out_weight = weight("attention.wO.weight", { D, D });
    layer.out_bias = weight("attention.wO.bias", { D });
    layer.w12_weight = weight("mlp.0.w12.weight", { 2 * F, D });
    layer.w12_bias = weight("mlp.0.w12.bias", { 2 * F });
    layer.w3_weight = weight("mlp.0.w3.weight", { D, F });
    layer.w3_bias = weight("mlp.0.w3.bias", { D });
    return layer;
}

/* The head stays float32 whatever the compute dtype: its clamps use the
 * float32 epsilon and its outputs feed double arithmetic in C. */
void read_head(Model &model, const ms_toto_checkpoint *checkpoint)
{
    const int64_t D = model.config.embed_dim, K = model.config.k_components;
    std::vector<at::Tensor> weights, biases;
    for (const char *part : { "df", "loc_proj", "scale_proj", "mixture_weights" }) {
        std::string name = std::string("output_distribution.") + part;
        weights.push_back(read_weight(checkpoint, name + ".weight", { K, D }));
        biases.push_back(read_weight(checkpoint, name + ".bias", { K }));
    }
    model.head_weight = at::cat(weights, 0).to(model.device);
    model.head_bias = at::cat(biases, 0).to(model.device);
}

/* rotary_embedding_torch (lang frequencies, use_xpos): both tables are
 * computed in float32 with the same operations as the reference, so the
 * angles and scales agree to the last bit. */
void make_rotary_tables(Model &model)
{
    const int64_t head_dim = model.config.embed_dim / model.config.num_heads;
    at::Tensor even = at::arange(0, head_dim, 2, at::kLong);
    at::Tensor exponents = even.to(at::kFloat) / static_cast<double>(head_dim);
    model.inverse_frequencies = at::reciprocal(at::pow(10000.0, exponents)).to(model.device);
    model.xpos_bases = ((even + 0.4 * head_dim) / (1.4 * head_dim)).to(model.device);
}

}  // namespace

Model load_model(const ms_toto_checkpoint *checkpoint, at::Device device, at::ScalarType dtype)
{
    Model model;
    model.config = *ms_toto_checkpoint_config(checkpoint);
    model.parameters = ms_toto_checkpoint_parameters(checkpoint);
    model.device = device;
    model.dtype = dtype;
    const ms_toto_config &config = model.config;
    const int64_t D = config.embed_dim, P = config.patch_size;
    at::TensorOptions options = at::TensorOptions().device(device).dtype(dtype);
    model.patch_weight = read_weight(checkpoint, "patch_embed.projection.weight", { D, P }).to(options);
    model.patch_bias = read_weight(checkpoint, "patch_embed.projection.bias", { D }).to(options);
    for (int i = 0; i < config.num_layers; i++)
        model.layers.push_back(read_layer(checkpoint, config, i, options));
    model.unembed_weight = read_weight(checkpoint, "unembed.weight", { P * D, D }).to(options);
    model.unembed_bias = read_weight(checkpoint, "unembed.bias", { P * D }).to(options);
    read_head(model, checkpoint);
    make_rotary_tables(model);
    return model;
}

}  // namespace toto
