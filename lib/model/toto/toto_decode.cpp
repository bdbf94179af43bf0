/*
 * toto_decode.cpp - forecasting with the backbone as TotoForecaster does:
 * contexts grouped by padded length (one batch per length, never padded to
 * the longest), one forward pass when the horizon fits in one patch, and
 * autoregressive decoding over patches beyond it, appending either the
 * mixture mean (the mean path) or, per sample chain, a patch drawn in C
 * from the mixtures with core's ms_rng.
 */
#include "model/toto/toto_model.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <map>

namespace toto {
namespace {

/* Most rows (series x sample chains) decoded together: bounds the memory
 * of the chains' key/value caches, which grow with the context. */
constexpr int64_t kChainRows = 512;

int64_t padded_length(size_t length, int64_t patch)
{
    return (static_cast<int64_t>(length) + patch - 1) / patch * patch;
}

int64_t patches_for(size_t horizon, int64_t patch)
{
    return (static_cast<int64_t>(horizon) + patch - 1) / patch;
}

/* Indices of the series of each padded length, shortest length first;
 * within a bucket the callers' order. */
std::vector<std::vector<size_t>> bucket_by_length(const ms_series *series, size_t n_series,
                                                  int64_t patch)
{
    std::map<int64_t, std::vector<size_t>> by_length;
    for (size_t i = 0; i < n_series; i++)
        by_length[padded_length(series[i].length, patch)].push_back(i);
    std::vector<std::vector<size_t>> buckets;
    for (auto &entry : by_length)
        buckets.push_back(std::move(entry.second));
    return buckets;
}

/* The bucket's series as float32, right-aligned in [R, V, padded]. */
Context build_context(const Model &model, const ms_series *series,
                      const std::vector<size_t> &bucket)
{
    const int64_t R = static_cast<int64_t>(bucket.size());
    const int64_t V = static_cast<int64_t>(series[bucket[0]].variates);
    const int64_t T = padded_length(series[bucket[0]].length, model.patch());
    at::Tensor values = at::zeros({ R, V, T }, at::kFloat);
    at::Tensor observed = at::zeros({ R, V, T }, at::kBool);
    float *value_data = values.data_ptr<float>();
    bool *observed_data = observed.data_ptr<bool>();
    for (int64_t r = 0; r < R; r++) {
        const ms_series &one = series[bucket[r]];
        const int64_t length = static_cast<int64_t>(one.length);
        for (int64_t v = 0; v < V; v++) {
            int64_t row = (r * V + v) * T + (T - length);
            for (int64_t t = 0; t < length; t++) {
                value_data[row + t] = static_cast<float>(one.values[v * length + t]);
                observed_data[row + t] = true;
            }
        }
    }
    return Context{ values.to(model.device), observed.to(model.device) };
}

/* A tensor's values as doubles on the host, row-major. */
std::vector<double> host_doubles(const at::Tensor &t)
{
    at::Tensor host = t.to(at::kCPU).to(at::kDouble).contiguous();
    const double *data = host.data_ptr<double>();
    return std::vector<double>(data, data + host.numel());
}

/* The newest patch's mixtures in data units (Y = loc_p + scale_p Z), in
 * double on the host: component k of (row, variate, step) at index(...). */
struct HostMixtures {
    int64_t variates = 0, steps = 0, components = 0;
    std::vector<double> weight, df, loc, scale;

    size_t index(int64_t row, int64_t variate, int64_t step) const
    {
        return static_cast<size_t>(((row * variates + variate) * steps + step) * components);
    }

    ms_mixture point(int64_t row, int64_t variate, int64_t step) const
    {
        size_t at = index(row, variate, step);
        return ms_mixture{ static_cast<size_t>(components), &weight[at], &df[at], &loc[at],
                           &scale[at] };
    }
};

HostMixtures newest_mixtures(const Forward &pass, int64_t patch)
{
    const Mixture &m = pass.mixture;
    int64_t first = m.df.size(2) - patch;
    at::Tensor loc_p = pass.newest_loc().to(at::kDouble).unsqueeze(-1).unsqueeze(-1);
    at::Tensor scale_p = pass.newest_scale().to(at::kDouble).unsqueeze(-1).unsqueeze(-1);
    HostMixtures host;
    host.variates = m.df.size(1);
    host.steps = patch;
    host.components = m.df.size(3);
    host.weight = host_doubles(m.probs.narrow(2, first, patch));
    host.df = host_doubles(m.df.narrow(2, first, patch));
    host.loc = host_doubles(loc_p + scale_p * m.loc.narrow(2, first, patch).to(at::kDouble));
    host.scale = host_doubles(scale_p * m.scale.narrow(2, first, patch).to(at::kDouble));
    return host;
}

/* Copies the mixtures of steps [offset, offset + P) that lie within the
 * horizon into the batch rows of the bucket's series. */
void write_points(const HostMixtures &mixtures, const std::vector<size_t> &bucket,
                  int64_t offset, const ms_mixture_batch *out)
{
    const size_t K = static_cast<size_t>(mixtures.components);
    for (size_t r = 0; r < bucket.size(); r++)
        for (int64_t v = 0; v < mixtures.variates; v++)
            for (int64_t h = 0; h < mixtures.steps && offset + h < static_cast<int64_t>(out->horizon); h++) {
                size_t from = mixtures.index(static_cast<int64_t>(r), v, h);
                size_t to = ms_mixture_batch_index(out, bucket[r], static_cast<size_t>(v),
                                                   static_cast<size_t>(offset + h));
                std::copy_n(&mixtures.weight[from], K, out->weight + to);
                std::copy_n(&mixtures.df[from], K, out->df + to);
                std::copy_n(&mixtures.loc[from], K, out->loc + to);
                std::copy_n(&mixtures.scale[from], K, out->scale + to);
            }
}

/* One value as the official forecaster appends it: float32, with
 * non-finite and near-overflow values replaced by 0. */
float appended_value(double draw)
{
    float value = static_cast<float>(draw);
    return std::isfinite(value) && std::fabs(value) < FLT_MAX / 2 ? value : 0.0f;
}

/* Sample chains c0 .. c0 + count - 1 of every series of a bucket; chain
 * row q = r * count + c. Each (chain, variate) draws from its own stream
 * (number chain * V + variate of the series' seed), so a series' samples
 * depend neither on the batch nor on how chains are grouped. */
struct ChainGroup {
    const std::vector<size_t> &bucket;
    int64_t first, count, variates, patch, horizon, num_samples;
    std::vector<ms_rng> streams;

    ChainGroup(const ms_series *series, const std::vector<size_t> &members, int64_t first_chain,
               int64_t chains, int64_t V, int64_t P, size_t horizon_steps, size_t samples)
        : bucket(members), first(first_chain), count(chains), variates(V), patch(P),
          horizon(static_cast<int64_t>(horizon_steps)), num_samples(static_cast<int64_t>(samples)),
          streams(members.size() * chains * V)
    {
        for (size_t r = 0; r < bucket.size(); r++)
            for (int64_t c = 0; c < count; c++)
                for (int64_t v = 0; v < variates; v++)
                    ms_rng_init(&stream(static_cast<int64_t>(r) * count + c, v),
                                series[bucket[r]].seed,
                                static_cast<uint64_t>((first + c) * variates + v));
    }

    ms_rng &stream(int64_t row, int64_t v) { return streams[row * variates + v]; }

    /*
     * Draws every chain's patch for decoding step `step`: chain row q
     * draws from mixture row q, or from its series' row when `shared`
     * (step 0: all chains of a series continue the same context). Writes
     * the steps within the horizon to samples [n][S][V][H] and returns the
     * patch to append, float32 [rows, V, P].
     */
    at::Tensor draw(const HostMixtures &mixtures, bool shared, int64_t step, double *samples)
    {
        const int64_t rows = static_cast<int64_t>(bucket.size()) * count;
        at::Tensor patch_values = at::empty({ rows, variates, patch }, at::kFloat);
        float *values = patch_values.data_ptr<float>();
        std::vector<double> cumulative(static_cast<size_t>(mixtures.components));
        for (int64_t q = 0; q < rows; q++) {
            int64_t r = q / count, s = first + q % count;
            for (int64_t v = 0; v < variates; v++)
                for (int64_t j = 0; j < patch; j++) {
                    ms_mixture point = mixtures.point(shared ? r : q, v, j);
                    ms_mixture_cumulative(&point, cumulative.data());
                    float value = appended_value(
                        ms_mixture_sample(&point, cumulative.data(), &stream(q, v)));
                    values[(q * variates + v) * patch + j] = value;
                    int64_t h = step * patch + j;
                    if (h < horizon)
                        samples[((static_cast<int64_t>(bucket[r]) * num_samples + s) * variates + v)
                                    * horizon + h] = value;
                }
        }
        return patch_values;
    }
};

at::Tensor append_patch(const at::Tensor &series, const at::Tensor &patch_values)
{
    return at::cat({ series, patch_values.to(series.device()) }, -1);
}

at::Tensor append_observed(const at::Tensor &observed, int64_t patch)
{
    return at::cat({ observed, at::ones({ observed.size(0), observed.size(1), patch },
                                        observed.options()) }, -1);
}

/* Decodes steps 1 .. steps-1 of one group of chains whose step 0 was
 * drawn from the context's mixtures. */
void decode_chains(const Model &model, const Context &context, const KvCache *context_cache,
                   const HostMixtures &first_patch, ChainGroup &group, int64_t steps,
                   double *samples, size_t *passes)
{
    const int64_t P = model.patch(), prefix = context.series.size(-1);
    at::Tensor drawn = group.draw(first_patch, true, 0, samples);
    at::Tensor series = context.series.repeat_interleave(group.count, 0);
    at::Tensor observed = context.observed.repeat_interleave(group.count, 0);
    KvCache cache;
    if (context_cache != nullptr)
        cache = repeat_cache(*context_cache, group.variates, group.count);
    for (int64_t step = 1; step < steps; step++) {
        series = append_patch(series, drawn);
        observed = append_observed(observed, P);
        Forward pass = forward(model, series, observed, prefix,
                               context_cache != nullptr ? &cache : nullptr, 1, false);
        ++*passes;
        drawn = group.draw(newest_mixtures(pass, P), false, step, samples);
    }
}

}  // namespace

at::Tensor decode_mean_path(const Model &model, const Context &context, int64_t steps,
                            bool use_cache, const StepObserver &observe)
{
    const int64_t P = model.patch(), prefix = context.series.size(-1);
    at::Tensor series = context.series, observed = context.observed;
    bool cached = use_cache && steps > 1;
    KvCache cache;
    if (cached)
        cache = allocate_cache(model, series.size(0) * series.size(1), prefix / P + steps - 1);
    for (int64_t step = 0; step < steps; step++) {
        Forward pass = forward(model, series, observed, prefix, cached ? &cache : nullptr, 1, false);
        observe(step, pass);
        at::Tensor mean = mixture_mean(pass.mixture, pass.newest_loc().unsqueeze(-1),
                                       pass.newest_scale().unsqueeze(-1));
        series = append_patch(series, mean);
        observed = append_observed(observed, P);
    }
    return series;
}

void predict_series(const Model &model, bool use_cache, const ms_series *series, size_t n_series,
                    size_t horizon, const ms_mixture_batch *out, size_t *passes)
{
    const int64_t P = model.patch(), steps = patches_for(horizon, P);
    for (const std::vector<size_t> &bucket : bucket_by_length(series, n_series, P)) {
        Context context = build_context(model, series, bucket);
        decode_mean_path(model, context, steps, use_cache, [&](int64_t step, const Forward &pass) {
            write_points(newest_mixtures(pass, P), bucket, step * P, out);
            ++*passes;
        });
    }
}

void sample_series(const Model &model, bool use_cache, const ms_series *series, size_t n_series,
                   size_t horizon, size_t num_samples, double *samples, size_t *passes)
{
    const int64_t P = model.patch(), steps = patches_for(horizon, P);
    const int64_t S = static_cast<int64_t>(num_samples);
    for (const std::vector<size_t> &bucket : bucket_by_length(series, n_series, P)) {
        Context context = build_context(model, series, bucket);
        const int64_t R = context.series.size(0), V = context.series.size(1);
        const int64_t prefix = context.series.size(-1);
        bool cached = use_cache && steps > 1;
        KvCache cache;
        if (cached)
            cache = allocate_cache(model, R * V, prefix / P + steps - 1);
        /* The context is the same for every chain: run it once. */
        Forward first = forward(model, context.series, context.observed, prefix,
                                cached ? &cache : nullptr, 1, false);
        ++*passes;
        HostMixtures first_patch = newest_mixtures(first, P);
        const int64_t per_group = std::max<int64_t>(1, kChainRows / R);
        for (int64_t chain = 0; chain < S; chain += per_group) {
            ChainGroup group(series, bucket, chain, std::min(per_group, S - chain), V, P, horizon,
                             num_samples);
            decode_chains(model, context, cached ? &cache : nullptr, first_patch, group, steps,
                          samples, passes);
        }
    }
}

}  // namespace toto
