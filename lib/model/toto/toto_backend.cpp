/*
 * toto_backend.cpp - the "toto" forecaster behind ms_forecaster_ops: opening
 * a checkpoint directory onto a device, and the C entry points, each one
 * serialised by the backend's mutex and run under libtorch's inference mode,
 * with every exception turned into an ms_error at this boundary.
 */
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <jansson.h>

#include <memory>
#include <string>

#include "model/toto/toto_model.h"

namespace toto {
namespace {

Backend &backend_of(void *state)
{
    return *static_cast<Backend *>(state);
}

const Backend &backend_of(const void *state)
{
    return *static_cast<const Backend *>(state);
}

size_t toto_components(const void *state)
{
    return static_cast<size_t>(backend_of(state).model.config.k_components);
}

size_t toto_single_pass_horizon(const void *state)
{
    return static_cast<size_t>(backend_of(state).model.config.patch_size);
}

/* Runs `body` with the backend to itself: libtorch's thread count is
 * process-wide and another model may have changed it, so it is checked at
 * every call. */
template <typename Body>
ms_status run_locked(void *state, const char *context, Body &&body)
{
    Backend &backend = backend_of(state);
    return guard(context, [&] {
        std::lock_guard<std::mutex> hold(backend.lock);
        /* Setting it also clears oneDNN's primitive cache: only on change. */
        if (at::get_num_threads() != backend.threads)
            at::set_num_threads(backend.threads);
        c10::InferenceMode inference;
        body(backend);
        return MS_OK;
    });
}

ms_status toto_predict(void *state, const ms_series *series, size_t n_series, size_t horizon,
                       const ms_mixture_batch *out, size_t *passes)
{
    return run_locked(state, "toto forward pass", [&](Backend &backend) {
        predict_series(backend.model, backend.use_cache, series, n_series, horizon, out, passes);
    });
}

ms_status toto_sample_paths(void *state, const ms_series *series, size_t n_series, size_t horizon,
                            size_t num_samples, double *samples, size_t *passes)
{
    return run_locked(state, "toto sample paths", [&](Backend &backend) {
        sample_series(backend.model, backend.use_cache, series, n_series, horizon, num_samples,
                      samples, passes);
    });
}

/* One forward pass over zero contexts of the requested shape (one variate). */
ms_status toto_warmup(void *state, size_t context_length, size_t batch_size)
{
    return run_locked(state, "toto warm-up", [&](Backend &backend) {
        const Model &model = backend.model;
        const int64_t P = model.patch(), length = static_cast<int64_t>(context_length);
        const int64_t padded = (length + P - 1) / P * P;
        at::TensorOptions options = at::TensorOptions().device(model.device);
        at::Tensor series = at::zeros({ static_cast<int64_t>(batch_size), 1, padded },
                                      options.dtype(at::kFloat));
        at::Tensor observed = at::ones_like(series, options.dtype(at::kBool));
        observed.narrow(-1, 0, padded - length).fill_(false);
        forward(model, series, observed, padded, nullptr, 1, false);
    });
}

json_t *config_json(const ms_toto_config &c)
{
    return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:f, s:i, s:b, s:{s:i}, s:b, s:b, s:f}",
                     "patch_size", c.patch_size, "stride", c.stride, "embed_dim", c.embed_dim,
                     "num_layers", c.num_layers, "num_heads", c.num_heads,
                     "mlp_hidden_dim", c.mlp_hidden_dim, "dropout", c.dropout,
                     "spacewise_every_n_layers", c.spacewise_every_n_layers,
                     "spacewise_first", static_cast<int>(c.spacewise_first),
                     "output_distribution_kwargs", "k_components", c.k_components,
                     "use_memory_efficient_attention",
                     static_cast<int>(c.use_memory_efficient_attention),
                     "stabilize_with_global", static_cast<int>(c.stabilize_with_global),
                     "scale_factor_exponent", c.scale_factor_exponent);
}

ms_status toto_describe(const void *state, size_t *parameters, json_t **config)
{
    const Model &model = backend_of(state).model;
    *parameters = model.parameters;
    *config = config_json(model.config);
    return *config != nullptr ? MS_OK : ms_error(MS_ERR_NOMEM, "toto describe: no memory");
}

void toto_destroy(void *state)
{
    delete static_cast<Backend *>(state);
}

const ms_forecaster_ops toto_ops = {
    "toto",
    toto_components,
    toto_predict,
    toto_warmup,
    toto_destroy,
    toto_single_pass_horizon,
    toto_sample_paths,
    toto_describe,
    nullptr,   /* forecast_bars: Toto forecasts series */
    nullptr,   /* identity_files: config.json + model.safetensors */
};

/* Device and precision as resolved by ms_model_open ("cpu"/"cuda";
 * "fp32"/"bf16"/"int8"), checked against this libtorch and CPU. */
ms_status choose_device(const char *path, const ms_model_options *opts, at::Device *device,
                        Precision *precision)
{
    bool cuda = std::string(opts->device) == "cuda";
    if (cuda && !at::hasCUDA())
        return ms_error(MS_ERR_UNSUPPORTED,
                        "model '%s': device 'cuda' requested but this libtorch has no CUDA "
                        "(use device 'cpu')", path);
    ms_status status = ms_precision_check_device(opts);
    if (status != MS_OK)
        return ms_error_wrap(status, "model '%s'", path);
    *device = cuda ? at::Device(at::kCUDA) : at::Device(at::kCPU);
    std::string name = opts->precision;
    *precision = name == "bf16" ? Precision::bf16 : name == "int8" ? Precision::int8
                                                                   : Precision::fp32;
    return MS_OK;
}

/* The device is checked before the checkpoint is read (base: 577 MB). */
ms_status open_backend(const char *path, const ms_model_options *opts, ms_forecaster *out)
{
    at::Device device = at::kCPU;
    Precision precision = Precision::fp32;
    ms_status status = choose_device(path, opts, &device, &precision);
    ms_toto_checkpoint *opened = nullptr;
    if (status == MS_OK)
        status = ms_toto_checkpoint_open(&opened, path);
    if (status != MS_OK)
        return status;
    /* The weights hold their own references: this one ends with loading. */
    std::unique_ptr<ms_toto_checkpoint, void (*)(ms_toto_checkpoint *)> checkpoint(
        opened, ms_toto_checkpoint_close);
    auto backend = std::make_unique<Backend>();
    backend->threads = opts->num_threads > 0 ? opts->num_threads : static_cast<int>(ms_cpu_count());
    backend->use_cache = opts->disable_kv_cache == 0;
    /* libtorch starts with one intra-op thread here: set it before loading. */
    at::set_num_threads(backend->threads);
    backend->model = load_model(checkpoint.get(), device, at::kFloat);
    set_precision(backend->model, precision);
    out->ops = &toto_ops;
    out->state = backend.release();
    return MS_OK;
}

}  // namespace
}  // namespace toto

extern "C" ms_status ms_toto_open(const char *path, const ms_model_options *opts,
                                  ms_forecaster *out)
{
    return toto::guard("model 'toto'", [&] { return toto::open_backend(path, opts, out); });
}
