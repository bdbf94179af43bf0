/*
 * kronos_net.h - the C++ side of the Kronos port: the weights as ATen
 * tensors and the official modules' forward functions in eval mode
 * (kronos_net.cpp), used by the generation loop and the C entry points
 * (kronos_generate.cpp).
 *
 * Shapes: R rows, L time steps, D d_model, C = s1_bits + s2_bits.
 */
#ifndef MS_KRONOS_NET_H
#define MS_KRONOS_NET_H

#include <ATen/ATen.h>

#include <mutex>
#include <new>
#include <vector>

#include "core/core_internal.h"
#include "model/kronos/kronos_internal.h"
#include "model/kronos_checkpoint.h"
#include "model/torch_guard.h"

namespace kronos {

struct Linear {
    at::Tensor weight, bias;   /* bias undefined for the FFN's bias-free layers */
    at::Tensor operator()(const at::Tensor &x) const { return at::linear(x, weight, bias); }
};

struct Attention {
    int64_t heads;
    Linear q, k, v, out;
    at::Tensor inverse_frequencies;   /* rotary.inv_freq [head / 2], loaded */
};

struct Block {
    at::Tensor norm1, norm2;
    Attention attention;
    Linear w1, w2, w3;
};

struct Tokenizer {
    ms_kronos_tokenizer_config config;
    Linear embed, head, quant_embed, post_quant_embed;
    std::vector<Block> encoder, decoder;
};

struct Model {
    ms_kronos_model_config config;
    at::Tensor emb_s1, emb_s2;
    Linear fusion;
    at::Tensor time_tables[MS_KRONOS_STAMPS];   /* minute, hour, weekday, day, month */
    std::vector<Block> blocks;
    at::Tensor norm;
    Attention dependency;
    at::Tensor dependency_norm;
    Linear proj_s1, proj_s2;
};

struct Net {
    Tokenizer tokenizer;
    Model model;
    std::mutex lock;
    int threads = 0;   /* intra-op threads for generation; 0 = libtorch's default */
};

/* Copies every weight out of the checkpoint. Throws on failure. */
void load_net(Net &net, const ms_kronos_checkpoint *checkpoint);

/* KronosTokenizer.encode(x [R, L, 6], half=True): {s1, s2} int64 [R, L];
 * z_pre_quant (if not null) receives quant_embed's output [R, L, C]. */
std::pair<at::Tensor, at::Tensor> encode(const Tokenizer &tokenizer, const at::Tensor &x,
                                         at::Tensor *z_pre_quant = nullptr);

/* KronosTokenizer.indices_to_bits: with s2, half=True (codebook_dim / 2
 * LSB-first bits of EACH of s1 and s2, whatever s1_bits and s2_bits are:
 * the official quirk); with s2 undefined, half=False (s1 holds one index
 * over all codebook_dim bits). Values +-1/sqrt(codebook_dim): [R, L, C]. */
at::Tensor indices_to_bits(const Tokenizer &tokenizer, const at::Tensor &s1,
                           const at::Tensor &s2);

/* KronosTokenizer.decode: indices_to_bits, post_quant_embed, the decoder
 * blocks, head: [R, L, 6]. */
at::Tensor decode(const Tokenizer &tokenizer, const at::Tensor &s1, const at::Tensor &s2);

/* Kronos.decode_s1: {s1_logits [R, L, V1], context [R, L, D]}. */
std::pair<at::Tensor, at::Tensor> decode_s1(const Model &model, const at::Tensor &s1,
                                            const at::Tensor &s2, const at::Tensor &stamp);

/* Keys and values of every model block for positions 0..length-1 of a
 * window that starts at the first token, and the contexts (final norm
 * outputs) of those positions: the model is causal, so while the window
 * does not slide they never change. */
struct Cache {
    std::vector<at::Tensor> keys, values;   /* per block [R, H, length, E], rotated keys */
    at::Tensor context;                     /* [R, length, D] */
    int64_t length = 0;
};

/* decode_s1 for the tokens at positions cache.length.. (s1, s2, stamp of
 * those tokens only), extending the cache: {s1_logits of the LAST new
 * token [R, 1, V1], the context of every cached position}. Equal to decode_s1 over the whole
 * window up to rounding. */
std::pair<at::Tensor, at::Tensor> decode_s1_cached(const Model &model, const at::Tensor &s1,
                                                   const at::Tensor &s2, const at::Tensor &stamp,
                                                   Cache &cache);

/* Kronos.decode_s2 (eval: non-causal cross-attention): [R, L, V2]. */
at::Tensor decode_s2(const Model &model, const at::Tensor &context, const at::Tensor &s1);

/* decode_s2 of s1 [R, 1] for the last position of the context only:
 * [R, 1, V2], what generation reads (the dependency layer still attends
 * over the whole context). */
at::Tensor decode_s2_last(const Model &model, const at::Tensor &context, const at::Tensor &s1);

/* sample_from_logits' filter: probabilities [R, V] (0 where removed). */
at::Tensor sample_probabilities(const at::Tensor &logits, const ms_kronos_sampling &sampling);

using ms_torch::guard;  /* the C/C++ boundary of every entry point */

}  // namespace kronos

#endif
