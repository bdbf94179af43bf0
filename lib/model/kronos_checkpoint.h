/*
 * kronos_checkpoint.h - Kronos checkpoints on disk, in plain C (no
 * libtorch): the two config.json files (kronos_config.c), the tensors each
 * config implies (kronos_tensors.c), the validated tokenizer + model pair
 * (kronos_checkpoint.c) and where a named pair lives (kronos_locate.c).
 *
 * Published layout (NeoQuasar/Kronos-*, written by PyTorchModelHubMixin's
 * save_pretrained): a tokenizer directory and a model directory, each with
 * config.json (the constructor's keyword arguments) and model.safetensors
 * (the full state_dict). The libtorch port (lib/model/kronos/) reads its
 * weights only through ms_kronos_checkpoint: every tensor it asks for
 * exists, has the shape the config implies and is float32 in native order.
 */
#ifndef MS_MODEL_KRONOS_CHECKPOINT_H
#define MS_MODEL_KRONOS_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marketsim/common.h"
#include "marketsim/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- config.json ------------------------------------------------------------ */

/* KronosTokenizer.__init__'s arguments. The BSQ loss weights (beta,
 * gamma0, gamma, zeta) and group_size only matter in training; they are
 * read and checked for type so a file with a typo is refused. */
typedef struct ms_kronos_tokenizer_config {
    int d_in;
    int d_model;
    int n_heads;
    int ff_dim;
    int n_enc_layers;    /* the encoder has n_enc_layers - 1 blocks */
    int n_dec_layers;    /* the decoder has n_dec_layers - 1 blocks */
    int s1_bits;
    int s2_bits;
    int group_size;
    double ffn_dropout_p, attn_dropout_p, resid_dropout_p;
    double beta, gamma0, gamma, zeta;
} ms_kronos_tokenizer_config;

/* Kronos.__init__'s arguments. Dropouts do nothing in eval mode. */
typedef struct ms_kronos_model_config {
    int s1_bits;
    int s2_bits;
    int n_layers;
    int d_model;
    int n_heads;
    int ff_dim;
    bool learn_te;       /* time tables under <x>_embed.weight, else <x>_embed.emb.weight */
    double ffn_dropout_p, attn_dropout_p, resid_dropout_p, token_dropout_p;
} ms_kronos_model_config;

/* The heads of the model's dependency layer: DependencyAwareLayer's
 * default argument, whatever the config's n_heads says. */
#define MS_KRONOS_DEPENDENCY_HEADS 4

/* The number of OHLCV + amount columns a predictor feeds the tokenizer. */
#define MS_KRONOS_FEATURES 6

/*
 * Read and validate a config.json. Every constructor argument is required
 * (from_pretrained calls cls(**config), which has no defaults for them) and
 * an unknown key is refused (cls(**config) would raise; and a key this port
 * does not know may change the architecture). Sizes 1 to 65536, d_model
 * divisible by n_heads with an even head size (rotate-half RoPE), bits 1 to
 * 20, dropouts in [0, 1), the tokenizer's d_in = 6, the model's d_model
 * divisible by 4 heads with an even head size. Errors: MS_ERR_IO,
 * MS_ERR_MODEL naming `source_name` and the key.
 */
ms_status ms_kronos_tokenizer_config_parse(const char *text, size_t len, const char *source_name,
                                           ms_kronos_tokenizer_config *out);
ms_status ms_kronos_model_config_parse(const char *text, size_t len, const char *source_name,
                                       ms_kronos_model_config *out);

/* ---- The tensors a config implies -------------------------------------------- */

/* One tensor the port needs, under its state_dict name. */
typedef struct ms_kronos_tensor_spec {
    char name[96];
    size_t ndim;                /* 1 or 2 */
    int64_t shape[2];
    size_t elements;
} ms_kronos_tensor_spec;

/* Every tensor of a validated config, in state_dict module order. *out is
 * malloc'ed (free()). Errors: MS_ERR_NOMEM. */
ms_status ms_kronos_tokenizer_specs(const ms_kronos_tokenizer_config *config,
                                    ms_kronos_tensor_spec **out, size_t *count);
ms_status ms_kronos_model_specs(const ms_kronos_model_config *config,
                                ms_kronos_tensor_spec **out, size_t *count);

/* ---- The validated pair -------------------------------------------------------- */

typedef struct ms_kronos_checkpoint ms_kronos_checkpoint;

/*
 * Loads TOKENIZER_DIR/{config.json,model.safetensors} and
 * MODEL_DIR/{config.json,model.safetensors}: every tensor the configs imply
 * present with its shape (message names the file, the tensor, the expected
 * and found shapes), F16/BF16 converted to float32, non-finite values and
 * integer dtypes for weights refused; the tokenizer's BSQ index buffers
 * (tokenizer.bsq.*, training only) are not needed; other tensors are
 * ignored with a warning. The tokenizer's and the model's s1_bits and
 * s2_bits must agree. Errors: MS_ERR_NOT_FOUND (a directory or file
 * missing, naming it), MS_ERR_IO, MS_ERR_MODEL, MS_ERR_NOMEM.
 */
ms_status ms_kronos_checkpoint_open(ms_kronos_checkpoint **out, const char *tokenizer_dir,
                                    const char *model_dir);

/* The same for one directory holding tokenizer/ and model/. */
ms_status ms_kronos_checkpoint_open_pair(ms_kronos_checkpoint **out, const char *dir);

void ms_kronos_checkpoint_close(ms_kronos_checkpoint *checkpoint);

const ms_kronos_tokenizer_config *
ms_kronos_checkpoint_tokenizer_config(const ms_kronos_checkpoint *checkpoint);
const ms_kronos_model_config *
ms_kronos_checkpoint_model_config(const ms_kronos_checkpoint *checkpoint);

/* A tokenizer or model weight by state_dict name ("encoder.0.norm1.weight",
 * "embedding.emb_s1.weight", ...), float32, owned by the checkpoint; NULL
 * for an unknown name. `elements` (may be NULL) receives the count. */
const float *ms_kronos_tokenizer_weight(const ms_kronos_checkpoint *checkpoint,
                                        const char *name, size_t *elements);
const float *ms_kronos_model_weight(const ms_kronos_checkpoint *checkpoint, const char *name,
                                    size_t *elements);

/* Parameters of the tokenizer plus the model (buffers included). */
size_t ms_kronos_checkpoint_parameters(const ms_kronos_checkpoint *checkpoint);

/* ---- Presets and random pairs (kronos_init.c) --------------------------------- */

/* The configs of "kronos-tiny" (the fixture's), "kronos-mini",
 * "kronos-small" and "kronos-base" (published). Errors: MS_ERR_NOT_FOUND. */
ms_status ms_kronos_config_preset(const char *name, ms_kronos_tokenizer_config *tokenizer,
                                  ms_kronos_model_config *model);

/* Writes DIR/tokenizer and DIR/model (config.json + model.safetensors, F32,
 * the state_dict names) with random weights for the configs, deterministic
 * for `seed`, checked by the same rules as loading (bit widths agreeing,
 * every config valid) before anything is written. Each part appears whole
 * or not at all; DIR/tokenizer and DIR/model must not exist or be empty.
 * Errors: MS_ERR_MODEL, MS_ERR_IO, MS_ERR_NOMEM. */
ms_status ms_kronos_checkpoint_init(const char *dir, const ms_kronos_tokenizer_config *tokenizer,
                                    const ms_kronos_model_config *model, uint64_t seed);

/* ---- Where a named pair lives ------------------------------------------------ */

/* Whether `name` is a Kronos model name: kronos-mini, kronos-small, kronos-base. */
bool ms_kronos_is_name(const char *name);

/*
 * The tokenizer and model directories of `name`: <opts->kronos_dir>/<name>/
 * {tokenizer,model} when kronos_dir is set, else the newest snapshots of
 * NeoQuasar/Kronos-<size> and its tokenizer (Kronos-Tokenizer-2k for mini,
 * Kronos-Tokenizer-base otherwise) in the Hugging Face cache opts->hf_home.
 * Errors: MS_ERR_NOT_FOUND naming where it looked, MS_ERR_INVALID_ARG for
 * another name.
 */
ms_status ms_kronos_locate(const ms_model_options *opts, const char *name, char *tokenizer_dir,
                           char *model_dir, size_t size);

#ifdef __cplusplus
}
#endif
#endif
