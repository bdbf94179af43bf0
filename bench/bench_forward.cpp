/*
 * bench_forward.cpp - the Toto forward pass through the public API
 * (ms_model_forecast, horizon 1: one forward pass per batch) for the tiny,
 * small and base configurations with random weights, at context 512 and
 * batch sizes 1 to 64 (or --max-batch): forecasts/s, achieved FLOP/s
 * counting the matrix products, and that as a share of the GEMM peak
 * libtorch reaches on the same device and dtype in the same run.
 *
 * Checkpoints are made once with ms_model_init_checkpoint under
 * build/bench/checkpoints/. Usage: bench_forward [--device cpu|cuda]
 * [--dtype float32|bfloat16] [--max-batch N] [tiny|small|base ...]
 */
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "marketsim/marketsim.h"
#include "model/checkpoint.h"
#include "model/toto/torch_compat.h"

namespace {

constexpr size_t kContext = 512;

/* Where and how the model runs, from the command line. */
struct settings {
    const char *device = "cpu";
    const char *dtype = "float32";
    size_t max_batch = 64;

    bool cuda() const { return std::strcmp(device, "cuda") == 0; }
    /* FLOP/s are shown in TFLOP/s on a GPU, GFLOP/s on the CPU. */
    double flops_unit() const { return cuda() ? 1e12 : 1e9; }
    const char *flops_name() const { return cuda() ? "TFLOP/s" : "GFLOP/s"; }

    ms_model_options model_options() const
    {
        ms_model_options opts = MS_MODEL_OPTIONS_INIT;
        opts.device = device;
        opts.dtype = dtype;
        opts.max_batch = max_batch;
        return opts;
    }
};

double seconds_now()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/* Best of several runs of a square matmul in the model's dtype on its
 * device: the practical GEMM peak through the same libtorch and BLAS (or
 * cuBLAS) the model uses. 2048^3 on the CPU; 8192^3, 20 at a time, on a
 * GPU, which a smaller product or a single launch does not fill. */
double gemm_peak_flops(const settings &run)
{
    const int64_t n = run.cuda() ? 8192 : 2048;
    const int repeats = run.cuda() ? 20 : 1;
    at::TensorOptions options = at::TensorOptions()
        .device(run.cuda() ? at::Device(at::kCUDA) : at::Device(at::kCPU))
        .dtype(std::strcmp(run.dtype, "bfloat16") == 0 ? at::kBFloat16 : at::kFloat);
    at::Tensor a = at::randn({n, n}, options), b = at::randn({n, n}, options);
    at::Tensor c = at::matmul(a, b);
    toto::compat::synchronize(c);
    double best = 0;
    for (int attempt = 0; attempt < 5; attempt++) {
        double start = seconds_now();
        for (int r = 0; r < repeats; r++)
            c = at::matmul(a, b);
        toto::compat::synchronize(c);
        double elapsed = seconds_now() - start;
        best = std::max(best, 2.0 * n * n * n * repeats / elapsed);
    }
    return best;
}

/* Matrix-product FLOPs of one forward pass over `batch` univariate contexts
 * of kContext values: patch embedding, per layer the QKV, attention (full
 * N x N products, though time-wise attention is causal), output and SwiGLU
 * projections, then the unembedding and the four heads of the LAST patch
 * only, which is all a horizon within one patch computes. */
double forward_flops(const ms_toto_config &c, size_t batch)
{
    double P = c.patch_size, D = c.embed_dim, F = c.mlp_hidden_dim, K = c.k_components;
    double N = std::ceil(kContext / P);
    double per_layer = 2 * N * D * 3 * D + 2 * 2 * N * N * D + 2 * N * D * D + 2 * N * D * 2 * F + 2 * N * F * D;
    double last_patch = 2 * D * P * D + 2 * P * D * 4 * K;
    return (2 * N * P * D + c.num_layers * per_layer + last_patch) * batch;
}

bool ensure_checkpoint(const std::string &preset, std::string &dir)
{
    dir = "build/bench/checkpoints/" + preset;
    struct stat info;
    if (stat((dir + "/model.safetensors").c_str(), &info) == 0)
        return true;
    std::printf("  writing a random %s checkpoint to %s ...\n", preset.c_str(), dir.c_str());
    if (ms_model_init_checkpoint(dir.c_str(), preset.c_str(), 1) != MS_OK) {
        std::fprintf(stderr, "bench_forward: %s\n", ms_last_error());
        return false;
    }
    return true;
}

/* `batch` contexts of kContext random-walk percent changes, ready to
 * forecast (mean only, horizon 1). */
struct batch_input {
    std::vector<double> values;
    std::vector<ms_series> series;
    std::vector<double> mean;
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;

    explicit batch_input(size_t batch) : values(batch * kContext), series(batch), mean(batch)
    {
        uint64_t state = 88172645463325252ULL;
        for (double &v : values) {
            state ^= state << 13, state ^= state >> 7, state ^= state << 17;
            v = ((double)(state >> 11) * 0x1.0p-53 - 0.5) * 0.04;
        }
        for (size_t i = 0; i < batch; i++)
            series[i] = ms_series{ values.data() + i * kContext, kContext, 1, i };
    }

    /* Seconds of one forecast; NAN when it fails. */
    double time_call(ms_model *model)
    {
        ms_forecast_output out = { mean.data(), nullptr, nullptr, nullptr };
        double start = seconds_now();
        if (ms_model_forecast(model, series.data(), series.size(), &opts, &out) != MS_OK) {
            std::fprintf(stderr, "bench_forward: %s\n", ms_last_error());
            return NAN;
        }
        return seconds_now() - start;
    }
};

/* First-call latency with and without ms_model_warmup, in fresh models. */
void report_warmup(const std::string &dir, size_t batch, const settings &run)
{
    batch_input input(batch);
    ms_model *cold = nullptr, *warm = nullptr;
    ms_model_options opts = run.model_options();
    if (ms_model_open(&cold, dir.c_str(), &opts) != MS_OK)
        return;
    double first_cold = input.time_call(cold);
    double steady = input.time_call(cold);
    ms_model_free(cold);
    if (ms_model_open(&warm, dir.c_str(), &opts) != MS_OK)
        return;
    double start = seconds_now();
    ms_model_warmup(warm, kContext, batch);
    double warmup = seconds_now() - start;
    double first_warm = input.time_call(warm);
    ms_model_free(warm);
    std::printf("  batch %zu: first call %.1f ms without warm-up, %.1f ms after a %.1f ms warm-up; "
                "next call %.1f ms\n", batch, first_cold * 1e3, first_warm * 1e3, warmup * 1e3,
                steady * 1e3);
}

/* Median seconds of one forecast over `batch` contexts, after one untimed call. */
double time_batch(ms_model *model, size_t batch)
{
    batch_input input(batch);
    input.time_call(model);
    std::vector<double> runs;
    double budget_start = seconds_now();
    while (runs.size() < 3 || (runs.size() < 30 && seconds_now() - budget_start < 2.0))
        runs.push_back(input.time_call(model));
    std::sort(runs.begin(), runs.end());
    return runs[runs.size() / 2];
}

void bench_preset(const std::string &preset, double peak, const settings &run)
{
    std::string dir;
    if (!ensure_checkpoint(preset, dir))
        return;
    ms_toto_checkpoint *checkpoint = nullptr;
    if (ms_toto_checkpoint_open(&checkpoint, dir.c_str()) != MS_OK)
        return;
    ms_toto_config config = *ms_toto_checkpoint_config(checkpoint);
    size_t parameters = ms_toto_checkpoint_parameters(checkpoint);
    ms_toto_checkpoint_close(checkpoint);
    ms_model *model = nullptr;
    ms_model_options opts = run.model_options();
    double start = seconds_now();
    if (ms_model_open(&model, dir.c_str(), &opts) != MS_OK) {
        std::fprintf(stderr, "bench_forward: %s\n", ms_last_error());
        return;
    }
    std::printf("\n%s: %zu parameters, patch %d, embed %d, %d layers; load %.2f s\n", preset.c_str(),
                parameters, config.patch_size, config.embed_dim, config.num_layers, seconds_now() - start);
    std::printf("  %5s %12s %12s %10s %9s\n", "batch", "ms/pass", "forecasts/s", run.flops_name(),
                "of peak");
    for (size_t batch = 1; batch <= run.max_batch; batch *= 2) {
        double elapsed = time_batch(model, batch);
        double flops = forward_flops(config, batch) / elapsed;
        std::printf("  %5zu %12.3f %12.1f %10.2f %8.1f%%\n", batch, elapsed * 1e3, batch / elapsed,
                    flops / run.flops_unit(), 100.0 * flops / peak);
    }
    ms_model_free(model);
    report_warmup(dir, std::min<size_t>(64, run.max_batch), run);
}

} // namespace

int main(int argc, char **argv)
{
    settings run;
    std::vector<std::string> presets;
    for (int i = 1; i < argc; i++) {
        std::string arg = argv[i];
        if ((arg == "--device" || arg == "--dtype" || arg == "--max-batch") && i + 1 < argc) {
            const char *value = argv[++i];
            if (arg == "--device")
                run.device = value;
            else if (arg == "--dtype")
                run.dtype = value;
            else
                run.max_batch = std::max(1L, std::strtol(value, nullptr, 10));
        } else {
            presets.push_back(arg);
        }
    }
    if (presets.empty())
        presets = { "tiny", "small", "base" };
    if (run.cuda() && !at::hasCUDA()) {
        std::fprintf(stderr, "bench_forward: this libtorch (%s) has no CUDA\n",
                     toto::compat::libtorch_version());
        return 1;
    }
    at::set_num_threads((int)std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
    double peak = gemm_peak_flops(run);
    std::printf("forward pass, context %zu, horizon 1 (one pass per batch), libtorch %s, %s %s, "
                "%d CPU threads\n", kContext, toto::compat::libtorch_version(), run.device,
                run.dtype, at::get_num_threads());
    std::printf("%s GEMM peak through libtorch (%s matmul): %.2f %s\n", run.dtype,
                run.cuda() ? "8192^3" : "2048^3", peak / run.flops_unit(), run.flops_name());
    for (const std::string &preset : presets)
        bench_preset(preset, peak, run);
    return 0;
}
