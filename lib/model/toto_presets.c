/*
 * toto_presets.c - the named model sizes of `marketsim model init`.
 *
 * "tiny" is the fixture's model (tests/fixtures/toto-tiny), "base" is
 * Toto-Open-Base-1.0's config.json. "small" is a quarter of base's width
 * (embed_dim 192, with base's head size 64 and mlp ratio 4) at half its
 * depth (6 layers), 5,958,816 parameters: big enough to exercise every code
 * path of the port at realistic patch and mixture sizes (patch 64, 24
 * components), small enough for CPU experiments. Its single space-wise
 * layer comes last, as in base.
 */
#include <string.h>

#include "core/core_internal.h"
#include "model/checkpoint.h"

typedef struct preset {
    const char *name;
    ms_toto_config config;
} preset;

static const preset presets[] = {
    { "tiny", { .patch_size = 16, .stride = 16, .embed_dim = 64, .num_layers = 4,
                .num_heads = 4, .mlp_hidden_dim = 128, .k_components = 4,
                .spacewise_every_n_layers = 2, .spacewise_first = false,
                .stabilize_with_global = true, .scale_factor_exponent = 10.0,
                .use_memory_efficient_attention = false, .dropout = 0.0 } },
    { "small", { .patch_size = 64, .stride = 64, .embed_dim = 192, .num_layers = 6,
                 .num_heads = 3, .mlp_hidden_dim = 768, .k_components = 24,
                 .spacewise_every_n_layers = 6, .spacewise_first = false,
                 .stabilize_with_global = true, .scale_factor_exponent = 10.0,
                 .use_memory_efficient_attention = true, .dropout = 0.1 } },
    { "base", { .patch_size = 64, .stride = 64, .embed_dim = 768, .num_layers = 12,
                .num_heads = 12, .mlp_hidden_dim = 3072, .k_components = 24,
                .spacewise_every_n_layers = 12, .spacewise_first = false,
                .stabilize_with_global = true, .scale_factor_exponent = 10.0,
                .use_memory_efficient_attention = true, .dropout = 0.1 } },
};

ms_status ms_toto_config_preset(const char *name, ms_toto_config *out)
{
    if (name == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_toto_config_preset: name and out must not be "
                        "NULL");
    for (size_t i = 0; i < MS_ARRAY_LEN(presets); i++)
        if (strcmp(presets[i].name, name) == 0) {
            *out = presets[i].config;
            return MS_OK;
        }
    return ms_error(MS_ERR_NOT_FOUND, "model preset '%s': expected tiny, small or base", name);
}
