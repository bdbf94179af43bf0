/*
 * kronos_net.cpp - the official Kronos modules in eval mode on ATen: the
 * weights copied out of the validated checkpoint, the Transformer block
 * shared by the tokenizer and the model, the tokenizer's encode/decode, the
 * model's decode_s1/decode_s2 and the sampling filter. Each function
 * follows the official code's operations in its order and dtypes (float32
 * throughout, RMSNorm after .float()), so results agree with it to float32
 * rounding; see tests/fixtures/kronos-tiny/README.md for the quirks kept.
 */
#include "model/kronos/kronos_net.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace kronos {
namespace {

typedef const float *(*weight_getter)(const ms_kronos_checkpoint *, const char *, size_t *);

struct Reader {
    const ms_kronos_checkpoint *checkpoint;
    weight_getter get;

    /* A copy of one weight with the given shape (the checkpoint checked
     * it; the count is checked again so a mismatch cannot read past it). */
    at::Tensor operator()(const std::string &name, at::IntArrayRef shape) const
    {
        size_t elements = 0;
        const float *data = get(checkpoint, name.c_str(), &elements);
        int64_t expected = 1;
        for (int64_t size : shape)
            expected *= size;
        if (data == nullptr || static_cast<int64_t>(elements) != expected)
            throw std::runtime_error("checkpoint has no weight '" + name + "' of " +
                                     std::to_string(expected) + " values");
        return at::from_blob(const_cast<float *>(data), shape, at::kFloat).clone();
    }

    Linear linear(const std::string &prefix, int64_t in, int64_t out, bool bias = true) const
    {
        Linear layer;
        layer.weight = (*this)(prefix + ".weight", { out, in });
        if (bias)
            layer.bias = (*this)(prefix + ".bias", { out });
        return layer;
    }

    Attention attention(const std::string &prefix, int64_t d_model, int64_t heads) const
    {
        Attention a;
        a.heads = heads;
        a.q = linear(prefix + ".q_proj", d_model, d_model);
        a.k = linear(prefix + ".k_proj", d_model, d_model);
        a.v = linear(prefix + ".v_proj", d_model, d_model);
        a.out = linear(prefix + ".out_proj", d_model, d_model);
        a.inverse_frequencies = (*this)(prefix + ".rotary.inv_freq", { d_model / heads / 2 });
        return a;
    }

    Block block(const std::string &prefix, int64_t d_model, int64_t heads, int64_t ff_dim) const
    {
        Block b;
        b.norm1 = (*this)(prefix + ".norm1.weight", { d_model });
        b.norm2 = (*this)(prefix + ".norm2.weight", { d_model });
        b.attention = attention(prefix + ".self_attn", d_model, heads);
        b.w1 = linear(prefix + ".ffn.w1", d_model, ff_dim, false);
        b.w2 = linear(prefix + ".ffn.w2", ff_dim, d_model, false);
        b.w3 = linear(prefix + ".ffn.w3", d_model, ff_dim, false);
        return b;
    }
};

void load_tokenizer(Tokenizer &t, const ms_kronos_checkpoint *checkpoint)
{
    const Reader read = { checkpoint, ms_kronos_tokenizer_weight };
    const ms_kronos_tokenizer_config &c = *ms_kronos_checkpoint_tokenizer_config(checkpoint);
    const int64_t D = c.d_model, C = c.s1_bits + c.s2_bits;
    t.config = c;
    t.embed = read.linear("embed", c.d_in, D);
    t.head = read.linear("head", D, c.d_in);
    t.quant_embed = read.linear("quant_embed", D, C);
    t.post_quant_embed = read.linear("post_quant_embed", C, D);
    for (int i = 0; i < c.n_enc_layers - 1; i++)
        t.encoder.push_back(read.block("encoder." + std::to_string(i), D, c.n_heads, c.ff_dim));
    for (int i = 0; i < c.n_dec_layers - 1; i++)
        t.decoder.push_back(read.block("decoder." + std::to_string(i), D, c.n_heads, c.ff_dim));
}

void load_model(Model &m, const ms_kronos_checkpoint *checkpoint)
{
    const Reader read = { checkpoint, ms_kronos_model_weight };
    const ms_kronos_model_config &c = *ms_kronos_checkpoint_model_config(checkpoint);
    const int64_t D = c.d_model, V1 = int64_t{ 1 } << c.s1_bits, V2 = int64_t{ 1 } << c.s2_bits;
    static const char *const tables[MS_KRONOS_STAMPS] = { "minute", "hour", "weekday", "day",
                                                          "month" };
    static const int64_t rows[MS_KRONOS_STAMPS] = { 60, 24, 7, 32, 13 };
    m.config = c;
    m.emb_s1 = read("embedding.emb_s1.weight", { V1, D });
    m.emb_s2 = read("embedding.emb_s2.weight", { V2, D });
    m.fusion = read.linear("embedding.fusion_proj", 2 * D, D);
    for (int i = 0; i < MS_KRONOS_STAMPS; i++)
        m.time_tables[i] = read(std::string("time_emb.") + tables[i] +
                                    (c.learn_te ? "_embed.weight" : "_embed.emb.weight"),
                                { rows[i], D });
    for (int i = 0; i < c.n_layers; i++)
        m.blocks.push_back(read.block("transformer." + std::to_string(i), D, c.n_heads, c.ff_dim));
    m.norm = read("norm.weight", { D });
    m.dependency = read.attention("dep_layer.cross_attn", D, MS_KRONOS_DEPENDENCY_HEADS);
    m.dependency_norm = read("dep_layer.norm.weight", { D });
    m.proj_s1 = read.linear("head.proj_s1", D, V1);
    m.proj_s2 = read.linear("head.proj_s2", D, V2);
}

/* RMSNorm: computed on x.float(), cast back, then scaled (eps 1e-5). */
at::Tensor rms_norm(const at::Tensor &x, const at::Tensor &weight)
{
    at::Tensor f = x.to(at::kFloat);
    at::Tensor normed = f * at::rsqrt(at::mean(f * f, { -1 }, true) + 1e-5);
    return normed.to(x.scalar_type()) * weight;
}

at::Tensor rotate_half(const at::Tensor &x)
{
    std::vector<at::Tensor> halves = x.chunk(2, -1);
    return at::cat({ -halves[1], halves[0] }, -1);
}

/* RotaryPositionalEmbedding: cos/sin for positions offset..offset+length-1
 * (length: the QUERY's, broadcast over the keys), applied to q and k. The
 * official code always has offset 0; the cache rotates new tokens at their
 * place in the window. */
std::pair<at::Tensor, at::Tensor> rotate(const Attention &a, const at::Tensor &q,
                                         const at::Tensor &k, int64_t offset = 0)
{
    at::Tensor t = at::arange(offset, offset + q.size(-2), a.inverse_frequencies.options());
    at::Tensor freqs = at::outer(t, a.inverse_frequencies);
    at::Tensor angles = at::cat({ freqs, freqs }, -1).unsqueeze(0).unsqueeze(0);
    at::Tensor cos = angles.cos(), sin = angles.sin();
    return { q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin };
}

/* torch 2's scaled_dot_product_attention reference math, no dropout;
 * causal with the queries at positions offset.. of the keys. */
at::Tensor attend(const at::Tensor &q, const at::Tensor &k, const at::Tensor &v, bool causal,
                  int64_t offset)
{
    at::Tensor scores = at::matmul(q, k.transpose(-2, -1)) * (1.0 / std::sqrt(double(q.size(-1))));
    if (causal && q.size(-2) > 1) {
        at::Tensor future = at::ones({ q.size(-2), k.size(-2) }, q.options().dtype(at::kBool))
                                .triu(1 + offset);
        scores = scores.masked_fill(future, -std::numeric_limits<float>::infinity());
    }
    return at::matmul(at::softmax(scores, -1), v);
}

/* [R, L, D] -> [R, H, L, E] */
at::Tensor split_heads(const at::Tensor &x, int64_t heads)
{
    return x.view({ x.size(0), x.size(1), heads, x.size(2) / heads }).transpose(1, 2);
}

at::Tensor merge_heads(const Attention &a, const at::Tensor &x)
{
    return a.out(x.transpose(1, 2).contiguous().view({ x.size(0), x.size(2), -1 }));
}

/* MultiHeadCrossAttentionWithRoPE in eval mode: not causal. */
at::Tensor cross_attention(const Attention &a, const at::Tensor &query, const at::Tensor &memory)
{
    auto rotated = rotate(a, split_heads(a.q(query), a.heads), split_heads(a.k(memory), a.heads));
    return merge_heads(a, attend(rotated.first, rotated.second,
                                 split_heads(a.v(memory), a.heads), false, 0));
}

/* A TransformerBlock over tokens at positions offset.. of the window, after
 * the cached ones (none when keys and values are undefined): their keys
 * and values join the cache. With offset 0 and no cache it is the official
 * block exactly. */
at::Tensor block_forward_cached(const Block &b, const at::Tensor &x, at::Tensor &keys,
                                at::Tensor &values, int64_t offset)
{
    const Attention &a = b.attention;
    at::Tensor h = rms_norm(x, b.norm1);
    auto rotated = rotate(a, split_heads(a.q(h), a.heads), split_heads(a.k(h), a.heads), offset);
    at::Tensor v = split_heads(a.v(h), a.heads);
    keys = keys.defined() ? at::cat({ keys, rotated.second }, 2) : rotated.second;
    values = values.defined() ? at::cat({ values, v }, 2) : v;
    at::Tensor y = x + merge_heads(a, attend(rotated.first, keys, values, true, offset));
    h = rms_norm(y, b.norm2);
    return y + b.w2(at::silu(b.w1(h)) * b.w3(h));
}

at::Tensor block_forward(const Block &b, const at::Tensor &x)
{
    at::Tensor keys, values;
    return block_forward_cached(b, x, keys, values, 0);
}

/* sum_i bit[i] << i over the last dimension (LSB first). */
at::Tensor bits_to_index(const at::Tensor &bits)
{
    at::Tensor powers = at::pow(2, at::arange(bits.size(-1), bits.options().dtype(at::kLong)));
    return (bits.to(at::kLong) * powers).sum(-1);
}

/* HierarchicalEmbedding + TemporalEmbedding of the decode_s1 input. */
at::Tensor embed_tokens(const Model &m, const at::Tensor &s1, const at::Tensor &s2,
                        const at::Tensor &stamp)
{
    const double scale = std::sqrt(double(m.config.d_model));
    at::Tensor x = m.fusion(at::cat({ at::embedding(m.emb_s1, s1) * scale,
                                      at::embedding(m.emb_s2, s2) * scale }, -1));
    /* TemporalEmbedding: .long() of the float stamps, summed as hour +
     * weekday + day + month + minute. */
    at::Tensor index = stamp.to(at::kLong);
    auto table = [&](int column) {
        return at::embedding(m.time_tables[column], index.select(-1, column));
    };
    return x + (table(1) + table(2) + table(3) + table(4) + table(0));
}

}  // namespace

void load_net(Net &net, const ms_kronos_checkpoint *checkpoint)
{
    load_tokenizer(net.tokenizer, checkpoint);
    load_model(net.model, checkpoint);
}

std::pair<at::Tensor, at::Tensor> encode(const Tokenizer &t, const at::Tensor &x,
                                         at::Tensor *z_pre_quant)
{
    at::Tensor z = t.embed(x);
    for (const Block &b : t.encoder)
        z = block_forward(b, z);
    z = t.quant_embed(z);
    if (z_pre_quant != nullptr)
        *z_pre_quant = z;
    /* F.normalize (eps 1e-12) then the sign: bit = z > 0, exactly 0 -> 0. */
    at::Tensor normed = z / at::linalg_vector_norm(z, 2, { -1 }, true).clamp_min(1e-12);
    at::Tensor bits = normed > 0;
    const int64_t s1_bits = t.config.s1_bits;
    return { bits_to_index(bits.narrow(-1, 0, s1_bits)),
             bits_to_index(bits.narrow(-1, s1_bits, t.config.s2_bits)) };
}

at::Tensor indices_to_bits(const Tokenizer &t, const at::Tensor &s1, const at::Tensor &s2)
{
    const int64_t C = t.config.s1_bits + t.config.s2_bits;
    auto bits_of = [&](const at::Tensor &ids, int64_t count) {
        return ids.unsqueeze(-1).bitwise_and(at::pow(2, at::arange(count, ids.options()))) != 0;
    };
    at::Tensor bits = s2.defined() ? at::cat({ bits_of(s1, C / 2), bits_of(s2, C / 2) }, -1)
                                   : bits_of(s1, C);
    return (bits.to(at::kFloat) * 2 - 1) * (1.0 / std::sqrt(double(C)));
}

at::Tensor decode(const Tokenizer &t, const at::Tensor &s1, const at::Tensor &s2)
{
    at::Tensor z = t.post_quant_embed(indices_to_bits(t, s1, s2));
    for (const Block &b : t.decoder)
        z = block_forward(b, z);
    return t.head(z);
}

std::pair<at::Tensor, at::Tensor> decode_s1(const Model &m, const at::Tensor &s1,
                                            const at::Tensor &s2, const at::Tensor &stamp)
{
    at::Tensor x = embed_tokens(m, s1, s2, stamp);
    for (const Block &b : m.blocks)
        x = block_forward(b, x);
    at::Tensor context = rms_norm(x, m.norm);
    return { m.proj_s1(context), context };
}

std::pair<at::Tensor, at::Tensor> decode_s1_cached(const Model &m, const at::Tensor &s1,
                                                   const at::Tensor &s2, const at::Tensor &stamp,
                                                   Cache &cache)
{
    cache.keys.resize(m.blocks.size());
    cache.values.resize(m.blocks.size());
    at::Tensor x = embed_tokens(m, s1, s2, stamp);
    for (size_t i = 0; i < m.blocks.size(); i++)
        x = block_forward_cached(m.blocks[i], x, cache.keys[i], cache.values[i], cache.length);
    at::Tensor context = rms_norm(x, m.norm);
    cache.context = cache.context.defined() ? at::cat({ cache.context, context }, 1) : context;
    cache.length += s1.size(1);
    /* Generation reads the last token's logits only: projecting the whole
     * first window (512 x V1 per row) would cost as much as a tenth of a
     * block. */
    return { m.proj_s1(context.narrow(1, -1, 1)), cache.context };
}

at::Tensor decode_s2(const Model &m, const at::Tensor &context, const at::Tensor &s1)
{
    at::Tensor sibling = at::embedding(m.emb_s1, s1);   /* no sqrt(d_model) here */
    at::Tensor attended = cross_attention(m.dependency, sibling, context);
    return m.proj_s2(rms_norm(context + attended, m.dependency_norm));
}

at::Tensor decode_s2_last(const Model &m, const at::Tensor &context, const at::Tensor &s1)
{
    at::Tensor sibling = at::embedding(m.emb_s1, s1);
    at::Tensor attended = cross_attention(m.dependency, sibling, context);
    at::Tensor last = context.narrow(1, -1, 1) + attended.narrow(1, -1, 1);
    return m.proj_s2(rms_norm(last, m.dependency_norm));
}

at::Tensor sample_probabilities(const at::Tensor &raw, const ms_kronos_sampling &s)
{
    const float removed = -std::numeric_limits<float>::infinity();
    at::Tensor logits = raw / s.temperature;
    if (s.top_k > 0) {
        /* Keep logits >= the k-th largest (ties kept); top_p is ignored. */
        const int64_t k = std::min<int64_t>(s.top_k, logits.size(-1));
        at::Tensor kth = std::get<0>(at::topk(logits, k)).narrow(-1, k - 1, 1);
        logits = logits.masked_fill(logits < kth, removed);
    } else if (s.top_p < 1.0) {
        auto sorted = at::sort(logits, -1, true);
        at::Tensor cumulative = at::cumsum(at::softmax(std::get<0>(sorted), -1), -1);
        at::Tensor remove = cumulative > s.top_p;
        /* Shift right: the token crossing top_p stays, the best always stays. */
        at::Tensor shifted = at::zeros_like(remove);
        const int64_t V = remove.size(-1);
        shifted.narrow(-1, 1, V - 1).copy_(remove.narrow(-1, 0, V - 1));
        at::Tensor in_place = at::zeros_like(shifted).scatter(-1, std::get<1>(sorted), shifted);
        logits = logits.masked_fill(in_place, removed);
    }
    return at::softmax(logits, -1);
}

}  // namespace kronos
