/*
 * kronos_init.c - the published Kronos configurations and random-weight
 * tokenizer + model pairs in the published layout (DIR/tokenizer and
 * DIR/model, each config.json + model.safetensors), for benchmarks and for
 * tests with shapes other than the fixture's. Each part (tokenizer/,
 * model/) is written through core's ms_atomic_dir: it appears whole or not
 * at all.
 *
 * Weights are scaled so forward passes stay numerically sane: every Linear
 * weight [out, in] and its bias uniform in +-1/sqrt(in) (torch.nn.Linear's
 * default), embedding tables with standard deviation d_model^-0.5 (the
 * official _init_weights), norms at 1, and each rotary.inv_freq buffer
 * 1 / 10000^(2i / head) as the official module registers it. Tensor i of a
 * part draws from core's random stream (seed, part * 2^32 + i).
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "model/checkpoint.h"
#include "model/kronos_checkpoint.h"

typedef struct preset {
    const char *name;
    ms_kronos_tokenizer_config tokenizer;
    ms_kronos_model_config model;
} preset;

/* Published configs as tests/fixtures/kronos-tiny/README.md quotes them;
 * "kronos-tiny" is the fixture's. Kronos-base's sizes are its model card's
 * (d_model 832, 12 layers, 16 heads, ff_dim 2048, 10 + 10 bits: 102.3M
 * parameters, Kronos-Tokenizer-base's sizes as small's tokenizer); its
 * dropouts, unused in eval mode, are small's. */
static const preset presets[] = {
    { "kronos-tiny",
      { 6, 32, 4, 64, 3, 3, 4, 4, 4, 0.0, 0.0, 0.0, 0.05, 1.0, 1.1, 0.05 },
      { 4, 4, 2, 32, 2, 64, true, 0.25, 0.1, 0.25, 0.1 } },
    { "kronos-mini",
      { 6, 256, 4, 512, 4, 4, 10, 10, 4, 0.0, 0.0, 0.0, 0.05, 1.0, 1.1, 0.05 },
      { 10, 10, 4, 256, 4, 512, true, 0.2, 0.0, 0.2, 0.0 } },
    { "kronos-small",
      { 6, 256, 4, 512, 4, 4, 10, 10, 4, 0.0, 0.0, 0.0, 0.05, 1.0, 1.1, 0.05 },
      { 10, 10, 8, 512, 8, 1024, true, 0.25, 0.1, 0.25, 0.1 } },
    { "kronos-base",
      { 6, 256, 4, 512, 4, 4, 10, 10, 4, 0.0, 0.0, 0.0, 0.05, 1.0, 1.1, 0.05 },
      { 10, 10, 12, 832, 16, 2048, true, 0.25, 0.1, 0.25, 0.1 } },
};

ms_status ms_kronos_config_preset(const char *name, ms_kronos_tokenizer_config *tokenizer,
                                  ms_kronos_model_config *model)
{
    for (size_t i = 0; name != NULL && i < MS_ARRAY_LEN(presets); i++)
        if (strcmp(presets[i].name, name) == 0) {
            *tokenizer = presets[i].tokenizer;
            *model = presets[i].model;
            return MS_OK;
        }
    return ms_error(MS_ERR_NOT_FOUND, "no Kronos config '%s' (kronos-tiny, kronos-mini, "
                    "kronos-small, kronos-base)", name != NULL ? name : "(null)");
}

static bool ends_with(const char *text, const char *suffix)
{
    size_t n = strlen(text), m = strlen(suffix);
    return n >= m && strcmp(text + n - m, suffix) == 0;
}

/* Tensor `index` of `specs`; a bias takes its bound from the weight the
 * spec list puts just before it. */
static void init_tensor(const ms_kronos_tensor_spec *specs, size_t index, ms_rng *rng,
                        float *values)
{
    const ms_kronos_tensor_spec *spec = &specs[index];
    if (ends_with(spec->name, "rotary.inv_freq")) {
        float head = (float)(2 * spec->shape[0]);
        for (size_t i = 0; i < spec->elements; i++)
            values[i] = 1.0f / powf(10000.0f, (float)(2 * i) / head);
        return;
    }
    if (spec->ndim == 1 && !ends_with(spec->name, ".bias")) {   /* norm weights */
        for (size_t i = 0; i < spec->elements; i++)
            values[i] = 1.0f;
        return;
    }
    bool table = strstr(spec->name, "emb_s") != NULL || strstr(spec->name, "time_emb.") != NULL;
    double bound = table ? sqrt(3.0 / (double)spec->shape[1])
                   : spec->ndim == 2 ? 1.0 / sqrt((double)spec->shape[1])
                                     : 1.0 / sqrt((double)specs[index - 1].shape[1]);
    for (size_t i = 0; i < spec->elements; i++)
        values[i] = (float)((2.0 * ms_rng_uniform(rng) - 1.0) * bound);
}

static ms_status write_weights(const char *path, const ms_kronos_tensor_spec *specs,
                               size_t count, uint64_t seed, uint64_t part)
{
    size_t total = 0;
    for (size_t i = 0; i < count; i++)
        total += specs[i].elements;
    float *values = malloc(total * sizeof *values);
    ms_tensor_out *tensors = calloc(count, sizeof *tensors);
    ms_status status = MS_OK;
    if (values == NULL || tensors == NULL)
        status = ms_error(MS_ERR_NOMEM, "%s: no memory for %zu parameters", path, total);
    for (size_t i = 0, offset = 0; i < count && status == MS_OK; offset += specs[i].elements, i++) {
        ms_rng rng;
        ms_rng_init(&rng, seed, part << 32 | i);
        init_tensor(specs, i, &rng, values + offset);
        tensors[i] = (ms_tensor_out){ specs[i].name, specs[i].ndim,
                                      { specs[i].shape[0], specs[i].shape[1] }, values + offset };
    }
    if (status == MS_OK)
        status = ms_safetensors_write(path, tensors, count);
    free(values);
    free(tensors);
    return status;
}

static json_t *tokenizer_json(const ms_kronos_tokenizer_config *c)
{
    return json_pack("{s:f, s:f, s:i, s:i, s:i, s:f, s:f, s:f, s:i, s:i, s:i, s:i, s:f, s:i, "
                     "s:i, s:f}",
                     "attn_dropout_p", c->attn_dropout_p, "beta", c->beta, "d_in", c->d_in,
                     "d_model", c->d_model, "ff_dim", c->ff_dim, "ffn_dropout_p",
                     c->ffn_dropout_p, "gamma", c->gamma, "gamma0", c->gamma0, "group_size",
                     c->group_size, "n_dec_layers", c->n_dec_layers, "n_enc_layers",
                     c->n_enc_layers, "n_heads", c->n_heads, "resid_dropout_p",
                     c->resid_dropout_p, "s1_bits", c->s1_bits, "s2_bits", c->s2_bits, "zeta",
                     c->zeta);
}

static json_t *model_json(const ms_kronos_model_config *c)
{
    return json_pack("{s:f, s:i, s:i, s:f, s:b, s:i, s:i, s:f, s:i, s:i, s:f}",
                     "attn_dropout_p", c->attn_dropout_p, "d_model", c->d_model, "ff_dim",
                     c->ff_dim, "ffn_dropout_p", c->ffn_dropout_p, "learn_te", c->learn_te,
                     "n_heads", c->n_heads, "n_layers", c->n_layers, "resid_dropout_p",
                     c->resid_dropout_p, "s1_bits", c->s1_bits, "s2_bits", c->s2_bits,
                     "token_dropout_p", c->token_dropout_p);
}

/* Writes DIR/PART/config.json from `config` as PyTorchModelHubMixin does
 * (keys sorted, 2-space indent), reads it back through the validating
 * parser (an invalid config is refused before any weight is written), then
 * DIR/PART/model.safetensors; the part appears whole or not at all. */
static ms_status write_part(const char *dir, const char *part, json_t *config, bool tokenizer,
                            uint64_t seed)
{
    size_t size = strlen(dir) + strlen(part) + 2;
    char *target = malloc(size);
    char *text = config != NULL ? json_dumps(config, JSON_SORT_KEYS | JSON_INDENT(2) |
                                                         JSON_REAL_PRECISION(17))
                                : NULL;
    json_decref(config);
    if (target == NULL || text == NULL) {
        free(target), free(text);
        return ms_error(MS_ERR_NOMEM, "%s: no memory", dir);
    }
    snprintf(target, size, "%s/%s", dir, part);
    ms_kronos_tokenizer_config t;
    ms_kronos_model_config m;
    ms_kronos_tensor_spec *specs = NULL;
    size_t count = 0;
    ms_status status = tokenizer ? ms_kronos_tokenizer_config_parse(text, strlen(text), target, &t)
                                 : ms_kronos_model_config_parse(text, strlen(text), target, &m);
    if (status == MS_OK)
        status = tokenizer ? ms_kronos_tokenizer_specs(&t, &specs, &count)
                           : ms_kronos_model_specs(&m, &specs, &count);
    ms_atomic_dir staging = { NULL, NULL };
    if (status == MS_OK)
        status = ms_atomic_dir_open(&staging, target);
    char *config_path = status == MS_OK ? ms_atomic_dir_file(&staging, "config.json") : NULL;
    char *weights_path = status == MS_OK ? ms_atomic_dir_file(&staging, "model.safetensors")
                                         : NULL;
    FILE *out = config_path != NULL ? fopen(config_path, "w") : NULL;
    if (status == MS_OK && (out == NULL || fputs(text, out) < 0))
        status = ms_error(MS_ERR_IO, "%s/config.json: cannot write", target);
    if (out != NULL && fclose(out) != 0 && status == MS_OK)
        status = ms_error(MS_ERR_IO, "%s/config.json: cannot write", target);
    if (status == MS_OK)
        status = write_weights(weights_path, specs, count, seed, tokenizer ? 1 : 2);
    if (status == MS_OK)
        status = ms_atomic_dir_commit(&staging);
    else if (staging.path != NULL)
        ms_atomic_dir_discard(&staging);
    free(text), free(specs), free(target), free(config_path), free(weights_path);
    return status;
}

ms_status ms_kronos_checkpoint_init(const char *dir, const ms_kronos_tokenizer_config *tokenizer,
                                    const ms_kronos_model_config *model, uint64_t seed)
{
    if (dir == NULL || tokenizer == NULL || model == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_kronos_checkpoint_init: arguments must not be "
                        "NULL");
    if (tokenizer->s1_bits != model->s1_bits || tokenizer->s2_bits != model->s2_bits)
        return ms_error(MS_ERR_MODEL, "%s: tokenizer and model bit widths must agree", dir);
    ms_status status = write_part(dir, "tokenizer", tokenizer_json(tokenizer), true, seed);
    return status == MS_OK ? write_part(dir, "model", model_json(model), false, seed) : status;
}
