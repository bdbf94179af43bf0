/*
 * checkpoint.h - Toto checkpoints on disk, in plain C (no libtorch): the
 * safetensors container (safetensors.c), config.json (toto_config.c), the
 * validated set of weights a Toto model needs (toto_checkpoint.c) and
 * random-weight checkpoints for `marketsim model init` (toto_init.c).
 *
 * The libtorch port (lib/model/toto/) reads its weights only through
 * ms_toto_checkpoint: every tensor it asks for exists, has the shape the
 * config implies and is float32 in native byte order.
 */
#ifndef MS_MODEL_CHECKPOINT_H
#define MS_MODEL_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "marketsim/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- safetensors --------------------------------------------------------- */

typedef enum ms_dtype {
    MS_DTYPE_F32 = 0,
    MS_DTYPE_F16 = 1,
    MS_DTYPE_BF16 = 2,
    MS_DTYPE_I64 = 3     /* buffers (Kronos' BSQ index bases); never a weight */
} ms_dtype;

#define MS_TENSOR_MAX_DIMS 8

/* One tensor of a safetensors file: a view into the mapped file. */
typedef struct ms_tensor_view {
    const char *name;
    ms_dtype dtype;
    size_t ndim;
    int64_t shape[MS_TENSOR_MAX_DIMS];
    size_t elements;
    const void *data;      /* little-endian, possibly unaligned */
    size_t nbytes;
} ms_tensor_view;

typedef struct ms_safetensors ms_safetensors;

/*
 * Maps a .safetensors file and parses its header (8-byte little-endian
 * length, JSON header, data). Rejects with MS_ERR_MODEL and a message naming
 * the file (and the tensor where there is one): a file shorter than 8
 * bytes, a header length beyond the file, malformed JSON, an unknown dtype,
 * a shape whose size disagrees with its byte range, offsets out of range,
 * overlapping or not covering the data section. MS_ERR_IO when the file
 * cannot be opened or mapped.
 */
ms_status ms_safetensors_open(ms_safetensors **out, const char *path);
void ms_safetensors_close(ms_safetensors *file);
size_t ms_safetensors_count(const ms_safetensors *file);
const ms_tensor_view *ms_safetensors_at(const ms_safetensors *file, size_t index);
/* NULL when the file has no tensor of that name. */
const ms_tensor_view *ms_safetensors_find(const ms_safetensors *file, const char *name);

/* Converts a tensor's elements (F32, F16, BF16; I64 rounded to the nearest
 * float) to float32 in `out` (tensor->elements values). */
void ms_tensor_to_f32(const ms_tensor_view *tensor, float *out);

/* A float32 tensor to write. */
typedef struct ms_tensor_out {
    const char *name;
    size_t ndim;
    int64_t shape[MS_TENSOR_MAX_DIMS];
    const float *data;
} ms_tensor_out;

/* Writes tensors as one F32 safetensors file (header padded so the data is
 * 8-byte aligned, "__metadata__": {"format": "pt"}), atomically: a temporary
 * file renamed into place. Errors: MS_ERR_IO; MS_ERR_INVALID_ARG for a
 * tensor without name or data, a name given twice or a negative dimension. */
ms_status ms_safetensors_write(const char *path, const ms_tensor_out *tensors, size_t count);

/* Formats a shape for messages: "[192, 64]" (truncated to `size`). */
void ms_shape_format(char *text, size_t size, size_t ndim, const int64_t *shape);

/* ---- config.json ------------------------------------------------------------ */

typedef struct ms_toto_config {
    int patch_size;
    int stride;
    int embed_dim;
    int num_layers;
    int num_heads;
    int mlp_hidden_dim;
    int k_components;
    int spacewise_every_n_layers;    /* -1: every layer time-wise */
    bool spacewise_first;
    bool stabilize_with_global;
    double scale_factor_exponent;
    bool use_memory_efficient_attention;
    double dropout;
} ms_toto_config;

/* Reads and validates config.json (every published key required, unknown
 * keys ignored with a warning; sizes 1 to 65536, embed_dim divisible by
 * num_heads, head_dim even, spacewise_every_n_layers -1 or a divisor of
 * num_layers, patch_size == stride, 0 <= dropout < 1, scale_factor_exponent
 * finite and >= 0, the scaler and output distribution classes the ones this
 * port implements). Errors: MS_ERR_IO, MS_ERR_MODEL naming the file and key. */
ms_status ms_toto_config_load(const char *path, ms_toto_config *out);

/* The same over JSON text in memory (`source_name` names it in messages). */
ms_status ms_toto_config_parse(const char *text, size_t len, const char *source_name,
                               ms_toto_config *out);

/* The checks of ms_toto_config_load on a config in memory. Errors:
 * MS_ERR_MODEL naming `source_name` (NULL: "config") and the key. */
ms_status ms_toto_config_check(const ms_toto_config *config, const char *source_name);

/* Writes config.json with the published keys and class strings, in the
 * published order, atomically. Errors: MS_ERR_MODEL for a config that
 * ms_toto_config_check rejects (nothing is written), MS_ERR_IO. */
ms_status ms_toto_config_write(const char *path, const ms_toto_config *config);

/* Whether layer i is space-wise, by the official Transformer._get_layer_types rule. */
bool ms_toto_layer_is_spacewise(const ms_toto_config *config, int layer);

/* The named presets of `marketsim model init`: "tiny" (the fixture's sizes),
 * "small" (about a quarter of base's width) and "base" (Toto-Open-Base-1.0).
 * Errors: MS_ERR_NOT_FOUND. */
ms_status ms_toto_config_preset(const char *name, ms_toto_config *out);

/* ---- The tensors a config implies -------------------------------------------- */

/* The prefix of every tensor name in published checkpoints (the official
 * Toto module holds its TotoBackbone as `model`). */
#define MS_TOTO_PUBLISHED_PREFIX "model."

/* One weight a Toto model needs, under its canonical name (no "model."
 * prefix, fused mlp.0.w12 / mlp.0.w3 names). */
typedef struct ms_toto_tensor_spec {
    char name[96];
    size_t ndim;                /* 1 or 2 */
    int64_t shape[2];
    size_t elements;
    int64_t fan_in;             /* input size of the Linear it belongs to; 0 for norm scales */
} ms_toto_tensor_spec;

/* Every tensor of `config` (validated), in a fixed order: patch_embed,
 * layers 0..L-1, unembed, output_distribution. *out is malloc'ed (free()).
 * Errors: MS_ERR_NOMEM. */
ms_status ms_toto_tensor_specs(const ms_toto_config *config, ms_toto_tensor_spec **out,
                               size_t *count);

/* The number of parameters a checkpoint of `config` (validated) holds
 * (Toto-Open-Base-1.0: 151,306,080). */
size_t ms_toto_config_parameters(const ms_toto_config *config);

/* ---- The validated checkpoint ----------------------------------------------- */

typedef struct ms_toto_checkpoint ms_toto_checkpoint;

/*
 * Loads DIR/config.json and DIR/model.safetensors and checks that every
 * tensor the config implies is present with the right shape (message names
 * the tensor, the expected and the found shape). Both namings are accepted
 * (fused mlp.0.w12 / mlp.0.w3 and unfused mlp.0 / mlp.2), with or without
 * the "model." prefix; `rotary_emb` buffers are ignored, other unknown
 * tensors are ignored with a warning; non-finite weights are refused.
 * Aligned F32 weights stay in the read-only mapping of model.safetensors
 * (never write through them); the others are converted to float32 once.
 * The file must not be rewritten in place while the checkpoint is open
 * (replace it by rename). The checkpoint starts with one reference.
 * Errors: MS_ERR_NOT_FOUND (no directory or file, message naming the path),
 * MS_ERR_IO, MS_ERR_MODEL, MS_ERR_NOMEM.
 */
ms_status ms_toto_checkpoint_open(ms_toto_checkpoint **out, const char *dir);

/* Adds a reference (thread-safe) and returns the checkpoint: whatever keeps
 * pointers to its weights beyond the opener's use holds one. */
ms_toto_checkpoint *ms_toto_checkpoint_retain(const ms_toto_checkpoint *checkpoint);

/* Drops a reference (thread-safe); the last one unmaps the file and frees
 * the checkpoint. NULL is ignored. */
void ms_toto_checkpoint_close(ms_toto_checkpoint *checkpoint);

/* "<dir>/<name>" (name: "config.json", "model.safetensors"), malloc'ed;
 * NULL when memory runs out. */
char *ms_toto_checkpoint_file(const char *dir, const char *name);

const ms_toto_config *ms_toto_checkpoint_config(const ms_toto_checkpoint *checkpoint);

/*
 * A weight by its canonical name, without the "model." prefix and with the
 * fused names: "patch_embed.projection.weight",
 * "transformer.layers.3.mlp.0.w12.bias", "unembed.weight",
 * "output_distribution.df.weight", ... as float32 in native order, owned by
 * the checkpoint (valid until its last reference is closed; read-only). NULL for an unknown name.
 * `elements` (may be NULL) receives the element count.
 */
const float *ms_toto_checkpoint_weight(const ms_toto_checkpoint *checkpoint,
                                       const char *name, size_t *elements);

/* Total number of parameters (the elements of every weight). */
size_t ms_toto_checkpoint_parameters(const ms_toto_checkpoint *checkpoint);

/* How many of those parameters are read in place from the mapped file
 * (the rest were converted: F16, BF16 or misaligned F32). */
size_t ms_toto_checkpoint_mapped_parameters(const ms_toto_checkpoint *checkpoint);

/*
 * Writes a checkpoint directory (config.json + model.safetensors) with
 * random weights for `config`, deterministic for `seed`, in the published
 * format and naming: the official default initialisation's scales (linear
 * weights and biases uniform in +-1/sqrt(fan_in), as torch.nn.Linear;
 * documented in toto_init.c), norms at 1. Creates DIR (and its parents) if
 * needed; DIR must not exist or be an empty directory. Both files appear
 * together or not at all: a failure leaves DIR as it was. Errors:
 * MS_ERR_MODEL for an invalid config (checked before anything is created),
 * MS_ERR_IO (DIR not empty or not a directory, a write failing),
 * MS_ERR_NOMEM.
 */
ms_status ms_toto_checkpoint_init(const char *dir, const ms_toto_config *config,
                                  uint64_t seed);

#ifdef __cplusplus
}
#endif
#endif
