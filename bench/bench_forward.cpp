/*
 * bench_forward.cpp - the Toto forward pass through the public API
 * (ms_model_forecast, horizon 1: one forward pass per batch) for the tiny,
 * small and base configurations with random weights, at context 512 and
 * batch sizes 1 to 64 (or --max-batch), in each precision (fp32, bf16,
 * int8 on the CPU; fp32 and bf16 on CUDA; one the machine lacks is
 * skipped): forecasts/s, achieved FLOP/s counting the matrix products, that
 * as a share of the same precision's GEMM peak libtorch reaches on the same
 * device in the same run (float32 and bfloat16 matmul; for int8 the
 * dynamic quantized Linear the model uses), and the speed-up over fp32.
 * The precisions are timed interleaved, round by round, so that their
 * ratios hold on a shared machine (bench_precisions).
 *
 * Kronos ("kronos-mini", "kronos-small", "kronos-base": the Kronos section
 * below) is timed on the CPU in fp32 through the port's predictor
 * (ms_kronos_predict: one generated token per series), against the fp32
 * peak.
 *
 * Checkpoints are made once with ms_model_init_checkpoint under
 * build/bench/checkpoints/. Usage: bench_forward [--device cpu|cuda]
 * [--precision fp32|bf16|int8 (or --dtype float32|bfloat16), repeatable]
 * [--max-batch N | --batch N (that size only)] [--rounds N (default 5)]
 * [tiny|small|base|kronos-small ...]
 */
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/native/quantized/PackedParams.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "marketsim/marketsim.h"
#include "model/checkpoint.h"
#include "model/kronos/kronos_internal.h"
#include "model/kronos_checkpoint.h"
#include "model/toto/torch_compat.h"

namespace {

constexpr size_t kContext = 512;

/* Where and how the model runs, from the command line. */
struct settings {
    const char *device = "cpu";
    std::vector<std::string> precisions;  /* empty: every precision the device serves */
    size_t min_batch = 1, max_batch = 64;  /* batch sizes min, 2 min, ... up to max */
    size_t rounds = 5;                     /* interleaved rounds per batch size, at least */

    bool cuda() const { return std::strcmp(device, "cuda") == 0; }
    /* FLOP/s are shown in TFLOP/s on a GPU, GFLOP/s on the CPU. */
    double flops_unit() const { return cuda() ? 1e12 : 1e9; }
    const char *flops_name() const { return cuda() ? "TFLOP/s" : "GFLOP/s"; }

    ms_model_options model_options(const std::string &precision) const
    {
        ms_model_options opts = MS_MODEL_OPTIONS_INIT;
        opts.device = device;
        opts.precision = precision.c_str();
        opts.max_batch = max_batch;
        return opts;
    }
};

double seconds_now()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/* Best of several runs of a square product in `precision` on the run's
 * device: the practical GEMM peak through the same libtorch kernels the
 * model uses (BLAS or cuBLAS for float32, oneDNN or cuBLAS for bfloat16,
 * the quantized engine's dynamic Linear with per-channel weights for int8,
 * CPU only). 2048^3 on the CPU; 8192^3, 20 at a time, on a GPU, which a
 * smaller product or a single launch does not fill. */
double gemm_peak_flops(const settings &run, const std::string &precision)
{
    const int64_t n = run.cuda() ? 8192 : 2048;
    const int repeats = run.cuda() ? 20 : 1;
    c10::InferenceMode inference;
    at::TensorOptions options = at::TensorOptions().device(
        run.cuda() ? at::Device(at::kCUDA) : at::Device(at::kCPU));
    at::Tensor a = at::randn({ n, n }, options), b = at::randn({ n, n }, options);
    at::Tensor a16 = a.to(at::kBFloat16), b16 = b.to(at::kBFloat16), c;
    std::function<void()> product = [&] { c = at::matmul(a, b); };
    c10::intrusive_ptr<LinearPackedParamsBase> packed;
    if (precision == "bf16") {
        product = [&] { c = at::matmul(a16, b16); };
    } else if (precision == "int8") {
        at::Tensor scales = b.abs().amax(1).div(127.0).to(at::kDouble);
        at::Tensor weight = at::quantize_per_channel(b, scales, at::zeros({ n }, at::kLong), 0,
                                                     at::kQInt8);
        packed = c10::Dispatcher::singleton()
                     .findSchemaOrThrow("quantized::linear_prepack", "")
                     .typed<c10::intrusive_ptr<LinearPackedParamsBase>(
                         at::Tensor, c10::optional<at::Tensor>)>()
                     .call(weight, c10::nullopt);
        product = [&] { c = packed->apply_dynamic(a, false); };
    }
    product();
    toto::compat::synchronize(c);
    double best = 0;
    for (int attempt = 0; attempt < 5; attempt++) {
        double start = seconds_now();
        for (int r = 0; r < repeats; r++)
            product();
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
    ms_model_options opts = run.model_options(run.precisions.front());
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

/* The median of `values` (sorted in place). */
double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

/*
 * Every precision's table for one preset, measured interleaved: the models
 * are open side by side and each round times one call per precision in
 * turn, so a load change on a shared machine hits all of them alike. A
 * precision's time is its median over the rounds; its speed-up over the
 * first precision is the median of the per-round ratios. Rounds: at least
 * run.rounds, more while under two seconds have passed (at most 30).
 */
void bench_precisions(const std::string &dir, const ms_toto_config &config, const settings &run,
                      const std::vector<double> &peaks)
{
    std::vector<ms_model *> models;
    std::vector<std::string> names;
    std::vector<double> used_peaks;
    for (size_t p = 0; p < run.precisions.size(); p++) {
        ms_model *model = nullptr;
        ms_model_options opts = run.model_options(run.precisions[p]);
        double start = seconds_now();
        if (ms_model_open(&model, dir.c_str(), &opts) != MS_OK) {
            std::printf("  %s: skipped: %s\n", run.precisions[p].c_str(), ms_last_error());
            continue;
        }
        std::printf("  %s loaded in %.2f s\n", run.precisions[p].c_str(), seconds_now() - start);
        models.push_back(model);
        names.push_back(run.precisions[p]);
        used_peaks.push_back(peaks[p]);
    }
    for (size_t batch = run.min_batch; batch <= run.max_batch && !models.empty(); batch *= 2) {
        batch_input input(batch);
        for (ms_model *model : models)
            input.time_call(model);
        std::vector<std::vector<double>> seconds(models.size()), ratios(models.size());
        double start = seconds_now();
        for (size_t round = 0; round < run.rounds || (round < 30 && seconds_now() - start < 2.0);
             round++)
            for (size_t p = 0; p < models.size(); p++) {
                seconds[p].push_back(input.time_call(models[p]));
                ratios[p].push_back(seconds[0].back() / seconds[p].back());
            }
        std::printf("  batch %zu, %zu rounds interleaved\n  %-9s %12s %12s %10s %9s %14s\n",
                    batch, seconds[0].size(), "precision", "ms/pass", "forecasts/s",
                    run.flops_name(), "of peak", "speed-up");
        for (size_t p = 0; p < models.size(); p++) {
            double elapsed = median(seconds[p]);
            double flops = forward_flops(config, batch) / elapsed;
            std::printf("  %-9s %12.3f %12.1f %10.2f %8.1f%% %8.2fx %s\n", names[p].c_str(),
                        elapsed * 1e3, batch / elapsed, flops / run.flops_unit(),
                        100.0 * flops / used_peaks[p], median(ratios[p]), names[0].c_str());
        }
    }
    for (ms_model *model : models)
        ms_model_free(model);
}

void bench_preset(const std::string &preset, const std::vector<double> &peaks, const settings &run)
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
    std::printf("\n%s: %zu parameters, patch %d, embed %d, %d layers\n", preset.c_str(),
                parameters, config.patch_size, config.embed_dim, config.num_layers);
    bench_precisions(dir, config, run, peaks);
    report_warmup(dir, std::min<size_t>(64, run.max_batch), run);
}

/* ---- Kronos ------------------------------------------------------------------ */

/* Matrix-product FLOPs of one TransformerBlock over `length` tokens of
 * width D with feed-forward width F: q, k, v and out projections, the full
 * L x L score and value products (the causal mask skips none of them) and
 * the SwiGLU feed-forward (w1, w3, w2). */
double kronos_block_flops(double length, double D, double F)
{
    return 2 * length * 4 * D * D + 2 * 2 * length * length * D + 2 * length * 3 * D * F;
}

/* Matrix-product FLOPs of one series' horizon-1 forecast as the port
 * computes it (per generated token): the tokenizer's encoder over the
 * context (embed, n_enc_layers - 1 blocks, quant_embed), the model over the
 * window (fusion, the blocks, proj_s1 of the last token), decode_s2 (the
 * dependency layer's one query against the window's keys and values,
 * proj_s2 of the last token) and the tokenizer's decoder over the window it
 * decodes (post_quant_embed, n_dec_layers - 1 blocks, head). Embedding
 * look-ups, norms and softmax are not counted. */
double kronos_flops(const ms_kronos_tokenizer_config &t, const ms_kronos_model_config &m,
                    double length)
{
    const double Dt = t.d_model, Ft = t.ff_dim, C = t.s1_bits + t.s2_bits, In = t.d_in;
    const double D = m.d_model, F = m.ff_dim;
    const double V1 = std::ldexp(1.0, m.s1_bits), V2 = std::ldexp(1.0, m.s2_bits);
    double encoder = 2 * length * In * Dt + (t.n_enc_layers - 1) * kronos_block_flops(length, Dt, Ft) +
                     2 * length * Dt * C;
    double model = 2 * length * 2 * D * D + m.n_layers * kronos_block_flops(length, D, F) +
                   2 * D * V1;
    double dependency = 2 * D * D + 2 * 2 * length * D * D + 2 * 2 * length * D + 2 * D * D +
                        2 * D * V2;
    double decoder = 2 * length * C * Dt + (t.n_dec_layers - 1) * kronos_block_flops(length, Dt, Ft) +
                     2 * length * Dt * In;
    return encoder + model + dependency + decoder;
}

bool ensure_kronos_checkpoint(const std::string &preset, std::string &dir)
{
    dir = "build/bench/checkpoints/" + preset;
    struct stat info;
    if (stat((dir + "/model/model.safetensors").c_str(), &info) == 0)
        return true;
    std::printf("  writing a random %s pair to %s ...\n", preset.c_str(), dir.c_str());
    if (ms_model_init_checkpoint(dir.c_str(), preset.c_str(), 1) != MS_OK) {
        std::fprintf(stderr, "bench_forward: %s\n", ms_last_error());
        return false;
    }
    return true;
}

/* `batch` series of kContext daily bars (a random walk from 100, spreads
 * and volumes around it), one future day each, for the predictor. */
struct kronos_input {
    std::vector<double> columns[5];
    std::vector<int64_t> timestamps, future;
    std::vector<ms_kronos_bars> bars;
    std::vector<float> out;

    explicit kronos_input(size_t batch) : timestamps(kContext), future(1), bars(batch),
                                          out(batch * MS_KRONOS_FEATURES)
    {
        uint64_t state = 88172645463325252ULL;
        auto uniform = [&] {
            state ^= state << 13, state ^= state >> 7, state ^= state << 17;
            return (double)(state >> 11) * 0x1.0p-53;
        };
        for (std::vector<double> &column : columns)
            column.resize(batch * kContext);
        for (size_t i = 0; i < batch * kContext; i++) {
            double close = 100 * std::exp(0.02 * (uniform() - 0.5) * (double)(i % kContext + 1) /
                                          std::sqrt((double)kContext));
            columns[0][i] = close * (1 + 0.01 * (uniform() - 0.5));
            columns[1][i] = std::max(columns[0][i], close) * (1 + 0.01 * uniform());
            columns[2][i] = std::min(columns[0][i], close) * (1 - 0.01 * uniform());
            columns[3][i] = close;
            columns[4][i] = 1e6 * (0.5 + uniform());
        }
        const int64_t day = 86400, first = 1577923200;   /* 2020-01-02 */
        for (size_t t = 0; t < kContext; t++)
            timestamps[t] = first + (int64_t)t * day;
        future[0] = first + (int64_t)kContext * day;
        for (size_t b = 0; b < batch; b++) {
            const size_t at = b * kContext;
            bars[b] = ms_kronos_bars{ kContext, &columns[0][at], &columns[1][at], &columns[2][at],
                                      &columns[3][at], &columns[4][at], nullptr,
                                      timestamps.data(), future.data() };
        }
    }

    /* Seconds of one greedy horizon-1 forecast of every series; NAN when it fails. */
    double time_call(ms_kronos *kronos)
    {
        const ms_kronos_sampling greedy = { 1.0, 1, 1.0, 1, 0, nullptr };
        double start = seconds_now();
        if (ms_kronos_predict(kronos, bars.data(), bars.size(), 1, kContext, 5.0, &greedy,
                              out.data()) != MS_OK) {
            std::fprintf(stderr, "bench_forward: %s\n", ms_last_error());
            return NAN;
        }
        return seconds_now() - start;
    }
};

/* Median seconds of a forecast over `batch` series after one untimed call:
 * at least 2 runs, more while under 2 s in all (a Kronos-small batch of 64
 * takes seconds on a few cores). */
double time_kronos_batch(ms_kronos *kronos, size_t batch)
{
    kronos_input input(batch);
    input.time_call(kronos);
    std::vector<double> runs;
    double budget_start = seconds_now();
    while (runs.size() < 2 || (runs.size() < 30 && seconds_now() - budget_start < 2.0))
        runs.push_back(input.time_call(kronos));
    std::sort(runs.begin(), runs.end());
    return runs[runs.size() / 2];
}

/* Batches 1, 8 and 64 (up to --max-batch) of a Kronos preset, fp32 on the
 * CPU: forecasts/s and FLOP/s as a share of the fp32 GEMM peak. */
void bench_kronos(const std::string &preset, double fp32_peak, const settings &run)
{
    if (run.cuda()) {
        std::printf("\n%s: skipped: the Kronos port runs on the CPU only\n", preset.c_str());
        return;
    }
    std::string dir;
    ms_kronos_checkpoint *checkpoint = nullptr;
    ms_kronos *kronos = nullptr;
    double start = seconds_now();
    if (!ensure_kronos_checkpoint(preset, dir) ||
        ms_kronos_checkpoint_open_pair(&checkpoint, dir.c_str()) != MS_OK ||
        ms_kronos_open(&kronos, checkpoint) != MS_OK) {
        std::printf("\n%s: skipped: %s\n", preset.c_str(), ms_last_error());
        ms_kronos_checkpoint_close(checkpoint);
        return;
    }
    const ms_kronos_tokenizer_config tokenizer = *ms_kronos_checkpoint_tokenizer_config(checkpoint);
    const ms_kronos_model_config model = *ms_kronos_checkpoint_model_config(checkpoint);
    std::printf("\n%s: %zu parameters (tokenizer + model), d_model %d, %d layers; fp32 on the CPU "
                "(load %.2f s), %.2f GFLOP per forecast\n  %5s %12s %12s %10s %9s\n",
                preset.c_str(), ms_kronos_checkpoint_parameters(checkpoint), model.d_model,
                model.n_layers, seconds_now() - start, kronos_flops(tokenizer, model, kContext) / 1e9,
                "batch", "ms/call", "forecasts/s", run.flops_name(), "of peak");
    ms_kronos_checkpoint_close(checkpoint);
    for (size_t batch : { 1, 8, 64 }) {
        if (batch > run.max_batch)
            break;
        double elapsed = time_kronos_batch(kronos, batch);
        double flops = kronos_flops(tokenizer, model, kContext) * batch / elapsed;
        std::printf("  %5zu %12.3f %12.2f %10.2f %8.1f%%\n", batch, elapsed * 1e3, batch / elapsed,
                    flops / run.flops_unit(), 100.0 * flops / fp32_peak);
    }
    ms_kronos_free(kronos);
}

} // namespace

/* The fp32 peak measured for the Toto tables, or measured now when the
 * run's precisions left fp32 out. */
double kronos_fp32_peak(const settings &run, const std::vector<double> &peaks)
{
    for (size_t p = 0; p < run.precisions.size(); p++)
        if (run.precisions[p] == "fp32")
            return peaks[p];
    return gemm_peak_flops(run, "fp32");
}

/* --dtype is the older spelling: float32 is fp32, bfloat16 bf16. */
std::string precision_argument(const std::string &flag, const std::string &value)
{
    if (flag == "--dtype")
        return value == "bfloat16" ? "bf16" : value == "float32" ? "fp32" : value;
    return value;
}

int main(int argc, char **argv)
{
    settings run;
    std::vector<std::string> presets;
    for (int i = 1; i < argc; i++) {
        std::string arg = argv[i];
        bool valued = arg == "--device" || arg == "--dtype" || arg == "--precision" ||
                      arg == "--max-batch" || arg == "--batch" || arg == "--rounds";
        if (valued && i + 1 < argc) {
            const char *value = argv[++i];
            if (arg == "--device")
                run.device = value;
            else if (arg == "--max-batch")
                run.max_batch = std::max(1L, std::strtol(value, nullptr, 10));
            else if (arg == "--batch")
                run.min_batch = run.max_batch = std::max(1L, std::strtol(value, nullptr, 10));
            else if (arg == "--rounds")
                run.rounds = std::max(1L, std::strtol(value, nullptr, 10));
            else
                run.precisions.push_back(precision_argument(arg, value));
        } else {
            presets.push_back(arg);
        }
    }
    if (presets.empty())
        presets = { "tiny", "small", "base", "kronos-small" };
    if (run.precisions.empty())
        run.precisions = run.cuda() ? std::vector<std::string>{ "fp32", "bf16" }
                                    : std::vector<std::string>{ "fp32", "bf16", "int8" };
    if (run.cuda() && !at::hasCUDA()) {
        std::fprintf(stderr, "bench_forward: this libtorch (%s) has no CUDA\n",
                     toto::compat::libtorch_version());
        return 1;
    }
    at::set_num_threads((int)std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
    std::printf("forward pass, context %zu, horizon 1 (one pass per batch), libtorch %s, %s, "
                "%d CPU threads\n", kContext, toto::compat::libtorch_version(), run.device,
                at::get_num_threads());
    std::vector<double> peaks;
    for (const std::string &precision : run.precisions) {
        peaks.push_back(gemm_peak_flops(run, precision));
        std::printf("%s GEMM peak through libtorch (%s): %.2f %s\n", precision.c_str(),
                    run.cuda() ? "8192^3" : "2048^3", peaks.back() / run.flops_unit(),
                    run.flops_name());
    }
    for (const std::string &preset : presets) {
        if (preset.rfind("kronos-", 0) == 0)
            bench_kronos(preset, kronos_fp32_peak(run, peaks), run);
        else
            bench_preset(preset, peaks, run);
    }
    return 0;
}
