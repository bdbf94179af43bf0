/*
 * toto_tensors.c - the weights a Toto config implies: canonical names and
 * shapes (the table of shared/spec/toto.md, which is the official
 * TotoBackbone's state_dict with fused xFormers SwiGLU names), and the
 * parameter count that follows from them.
 *
 * D = embed_dim, P = patch_size, F = mlp_hidden_dim, K = k_components. Every
 * Linear(in -> out) has weight [out, in] and bias [out].
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/core_internal.h"
#include "model/checkpoint.h"

/* Tensors per transformer layer: two norm scales, wQKV, wO, w12, w3. */
#define TENSORS_PER_LAYER 10
/* patch_embed (2), unembed (2), output_distribution (4 heads x 2). */
#define TENSORS_OUTSIDE_LAYERS 12

typedef struct spec_list {
    ms_toto_tensor_spec *specs;
    size_t count;
} spec_list;

static void add_norm(spec_list *list, const char *prefix, int64_t dim)
{
    ms_toto_tensor_spec *spec = &list->specs[list->count++];
    snprintf(spec->name, sizeof spec->name, "%s.scale", prefix);
    spec->ndim = 1;
    spec->shape[0] = dim;
    spec->shape[1] = 0;
    spec->elements = (size_t)dim;
    spec->fan_in = 0;
}

static void add_linear(spec_list *list, const char *prefix, int64_t in, int64_t out)
{
    ms_toto_tensor_spec *weight = &list->specs[list->count++];
    snprintf(weight->name, sizeof weight->name, "%s.weight", prefix);
    weight->ndim = 2;
    weight->shape[0] = out;
    weight->shape[1] = in;
    weight->elements = (size_t)out * (size_t)in;
    weight->fan_in = in;
    ms_toto_tensor_spec *bias = &list->specs[list->count++];
    snprintf(bias->name, sizeof bias->name, "%s.bias", prefix);
    bias->ndim = 1;
    bias->shape[0] = out;
    bias->shape[1] = 0;
    bias->elements = (size_t)out;
    bias->fan_in = in;
}

static void add_layer(spec_list *list, const ms_toto_config *c, int layer)
{
    int64_t d = c->embed_dim, f = c->mlp_hidden_dim;
    const char *parts[] = { "norm1", "norm2", "attention.wQKV", "attention.wO", "mlp.0.w12",
                            "mlp.0.w3" };
    char prefix[MS_ARRAY_LEN(parts)][64];
    for (size_t i = 0; i < MS_ARRAY_LEN(parts); i++)
        snprintf(prefix[i], sizeof prefix[i], "transformer.layers.%d.%s", layer, parts[i]);
    add_norm(list, prefix[0], d);
    add_norm(list, prefix[1], d);
    add_linear(list, prefix[2], d, 3 * d);
    add_linear(list, prefix[3], d, d);
    add_linear(list, prefix[4], d, 2 * f);   /* [gate | value] */
    add_linear(list, prefix[5], f, d);
}

ms_status ms_toto_tensor_specs(const ms_toto_config *config, ms_toto_tensor_spec **out,
                               size_t *count)
{
    size_t total = (size_t)config->num_layers * TENSORS_PER_LAYER + TENSORS_OUTSIDE_LAYERS;
    spec_list list = { calloc(total, sizeof *list.specs), 0 };
    if (list.specs == NULL)
        return ms_error(MS_ERR_NOMEM, "no memory for %zu tensor descriptions", total);
    int64_t d = config->embed_dim, p = config->patch_size, k = config->k_components;
    add_linear(&list, "patch_embed.projection", p, d);
    for (int layer = 0; layer < config->num_layers; layer++)
        add_layer(&list, config, layer);
    add_linear(&list, "unembed", d, p * d);
    const char *heads[] = { "df", "loc_proj", "scale_proj", "mixture_weights" };
    for (size_t i = 0; i < MS_ARRAY_LEN(heads); i++) {
        char prefix[64];
        snprintf(prefix, sizeof prefix, "output_distribution.%s", heads[i]);
        add_linear(&list, prefix, d, k);
    }
    *out = list.specs;
    *count = list.count;
    return MS_OK;
}

/* The closed form of the sum over ms_toto_tensor_specs, so it needs no
 * allocation: Linear(in -> out) holds (in + 1) * out parameters. */
size_t ms_toto_config_parameters(const ms_toto_config *config)
{
    size_t d = (size_t)config->embed_dim, p = (size_t)config->patch_size;
    size_t f = (size_t)config->mlp_hidden_dim, k = (size_t)config->k_components;
    size_t layer = 2 * d + (d + 1) * 3 * d + (d + 1) * d + (d + 1) * 2 * f + (f + 1) * d;
    return (p + 1) * d + (size_t)config->num_layers * layer + (d + 1) * p * d + 4 * (d + 1) * k;
}
