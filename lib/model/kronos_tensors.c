/*
 * kronos_tensors.c - the state_dict a Kronos tokenizer or model config
 * implies: names and shapes as the official KronosTokenizer and Kronos
 * modules register them (github shiyu-coder/Kronos, model/kronos.py and
 * model/module.py).
 *
 * D = d_model, F = ff_dim, C = s1_bits + s2_bits (the codebook size), H =
 * head size. Every nn.Linear(in -> out) has weight [out, in] and bias
 * [out], except the FFN's w1/w2/w3 (bias=False). Each attention holds its
 * RoPE buffer rotary.inv_freq [H / 2], loaded rather than recomputed.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/core_internal.h"
#include "model/kronos_checkpoint.h"

/* Tensors of one TransformerBlock: 2 norms, 4 projections with bias,
 * rotary.inv_freq, 3 FFN weights. */
#define BLOCK_TENSORS 14
/* Of the dependency layer: 4 projections with bias, inv_freq, norm. */
#define DEPENDENCY_TENSORS 10

typedef struct spec_list {
    ms_kronos_tensor_spec *specs;
    size_t count;
} spec_list;

static void add(spec_list *list, const char *prefix, const char *suffix, int64_t rows,
                int64_t columns)
{
    ms_kronos_tensor_spec *spec = &list->specs[list->count++];
    snprintf(spec->name, sizeof spec->name, "%s%s", prefix, suffix);
    spec->ndim = columns > 0 ? 2 : 1;
    spec->shape[0] = rows;
    spec->shape[1] = columns;
    spec->elements = (size_t)rows * (size_t)(columns > 0 ? columns : 1);
}

static void add_linear(spec_list *list, const char *prefix, int64_t in, int64_t out)
{
    add(list, prefix, ".weight", out, in);
    add(list, prefix, ".bias", out, 0);
}

/* MultiHeadAttentionWithRoPE / MultiHeadCrossAttentionWithRoPE. */
static void add_attention(spec_list *list, const char *prefix, int64_t d_model, int64_t heads)
{
    const char *projections[] = { "q_proj", "k_proj", "v_proj", "out_proj" };
    char name[80];
    for (size_t i = 0; i < MS_ARRAY_LEN(projections); i++) {
        snprintf(name, sizeof name, "%s.%s", prefix, projections[i]);
        add_linear(list, name, d_model, d_model);
    }
    add(list, prefix, ".rotary.inv_freq", d_model / heads / 2, 0);
}

static void add_block(spec_list *list, const char *stack, int index, int64_t d_model,
                      int64_t heads, int64_t ff_dim)
{
    char prefix[64], attention[80];
    snprintf(prefix, sizeof prefix, "%s.%d", stack, index);
    snprintf(attention, sizeof attention, "%s.self_attn", prefix);
    add(list, prefix, ".norm1.weight", d_model, 0);
    add(list, prefix, ".norm2.weight", d_model, 0);
    add_attention(list, attention, d_model, heads);
    add(list, prefix, ".ffn.w1.weight", ff_dim, d_model);
    add(list, prefix, ".ffn.w2.weight", d_model, ff_dim);
    add(list, prefix, ".ffn.w3.weight", ff_dim, d_model);
}

static ms_status allocate(spec_list *list, size_t total)
{
    list->specs = calloc(total, sizeof *list->specs);
    list->count = 0;
    if (list->specs == NULL)
        return ms_error(MS_ERR_NOMEM, "no memory for %zu tensor descriptions", total);
    return MS_OK;
}

ms_status ms_kronos_tokenizer_specs(const ms_kronos_tokenizer_config *c,
                                    ms_kronos_tensor_spec **out, size_t *count)
{
    int encoder = c->n_enc_layers - 1, decoder = c->n_dec_layers - 1;
    int64_t d = c->d_model, codebook = c->s1_bits + c->s2_bits;
    spec_list list;
    ms_status status = allocate(&list, (size_t)(encoder + decoder) * BLOCK_TENSORS + 10);
    if (status != MS_OK)
        return status;
    add_linear(&list, "embed", c->d_in, d);
    add_linear(&list, "head", d, c->d_in);
    for (int i = 0; i < encoder; i++)
        add_block(&list, "encoder", i, d, c->n_heads, c->ff_dim);
    for (int i = 0; i < decoder; i++)
        add_block(&list, "decoder", i, d, c->n_heads, c->ff_dim);
    add_linear(&list, "quant_embed", d, codebook);
    /* Only KronosTokenizer.forward (training) uses it; it is in every
     * state_dict, so a file without it is not a published one. */
    add_linear(&list, "post_quant_embed_pre", c->s1_bits, d);
    add_linear(&list, "post_quant_embed", codebook, d);
    *out = list.specs;
    *count = list.count;
    return MS_OK;
}

/* TemporalEmbedding's tables, in its order: minute, hour, weekday, day, month. */
static void add_time_tables(spec_list *list, const ms_kronos_model_config *c)
{
    static const struct { const char *name; int64_t rows; } tables[] = {
        { "minute", 60 }, { "hour", 24 }, { "weekday", 7 }, { "day", 32 }, { "month", 13 },
    };
    /* learn_te false: FixedEmbedding wraps its nn.Embedding as `.emb`. */
    const char *suffix = c->learn_te ? "_embed.weight" : "_embed.emb.weight";
    char prefix[64];
    for (size_t i = 0; i < MS_ARRAY_LEN(tables); i++) {
        snprintf(prefix, sizeof prefix, "time_emb.%s", tables[i].name);
        add(list, prefix, suffix, tables[i].rows, c->d_model);
    }
}

ms_status ms_kronos_model_specs(const ms_kronos_model_config *c, ms_kronos_tensor_spec **out,
                                size_t *count)
{
    int64_t d = c->d_model;
    spec_list list;
    ms_status status = allocate(&list, (size_t)c->n_layers * BLOCK_TENSORS + DEPENDENCY_TENSORS
                                           + 15);
    if (status != MS_OK)
        return status;
    add(&list, "embedding.emb_s1", ".weight", (int64_t)1 << c->s1_bits, d);
    add(&list, "embedding.emb_s2", ".weight", (int64_t)1 << c->s2_bits, d);
    add_linear(&list, "embedding.fusion_proj", 2 * d, d);
    add_time_tables(&list, c);
    for (int i = 0; i < c->n_layers; i++)
        add_block(&list, "transformer", i, d, c->n_heads, c->ff_dim);
    add(&list, "norm", ".weight", d, 0);
    add_attention(&list, "dep_layer.cross_attn", d, MS_KRONOS_DEPENDENCY_HEADS);
    add(&list, "dep_layer.norm", ".weight", d, 0);
    add_linear(&list, "head.proj_s1", d, (int64_t)1 << c->s1_bits);
    add_linear(&list, "head.proj_s2", d, (int64_t)1 << c->s2_bits);
    *out = list.specs;
    *count = list.count;
    return MS_OK;
}
