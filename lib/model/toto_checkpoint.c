/*
 * toto_checkpoint.c - a Toto checkpoint directory (config.json +
 * model.safetensors) turned into the validated set of float32 weights the
 * libtorch port reads.
 *
 * Names in the file are mapped to canonical names as the official
 * Toto.load_from_checkpoint does: the "model." prefix of the published file
 * is optional (state dicts saved from a bare TotoBackbone lack it), the
 * unfused mlp.0 / mlp.2 names become mlp.0.w12 / mlp.0.w3, names ending in
 * rotary_emb.freqs are dropped (recomputed buffers), other names the
 * config does not use are ignored with a warning. Two file tensors that map
 * to one canonical name are an error, not a silent choice.
 *
 * Every weight is converted to float32 once, at open, into one allocation
 * owned by the checkpoint, even when the file is F32 and aligned: the
 * checkpoint then does not depend on the mapping staying valid, and one
 * copy of a 600 MB file at open is cheap next to a forward pass. Non-finite
 * weights are rejected here so no forecast is ever computed from them.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/core_internal.h"
#include "model/checkpoint.h"

struct ms_toto_checkpoint {
    ms_toto_config config;
    ms_toto_tensor_spec *specs;
    size_t count;
    size_t *offsets;   /* of each spec's elements in `weights` */
    float *weights;
    size_t parameters;
};

static bool has_suffix(const char *text, const char *suffix)
{
    size_t text_len = strlen(text), suffix_len = strlen(suffix);
    return text_len >= suffix_len && strcmp(text + text_len - suffix_len, suffix) == 0;
}

/* The canonical name of a file tensor name, or false when it has none
 * (the name is too long to be one of ours). */
static bool canonical_name(const char *file_name, char *out, size_t size)
{
    static const struct { const char *unfused, *fused; } renames[] = {
        { ".mlp.0.weight", ".mlp.0.w12.weight" }, { ".mlp.0.bias", ".mlp.0.w12.bias" },
        { ".mlp.2.weight", ".mlp.0.w3.weight" }, { ".mlp.2.bias", ".mlp.0.w3.bias" },
    };
    const char *name = file_name;
    if (strncmp(name, MS_TOTO_PUBLISHED_PREFIX, strlen(MS_TOTO_PUBLISHED_PREFIX)) == 0)
        name += strlen(MS_TOTO_PUBLISHED_PREFIX);
    size_t len = strlen(name);
    if (len >= size)
        return false;
    memcpy(out, name, len + 1);
    for (size_t i = 0; i < MS_ARRAY_LEN(renames); i++)
        if (has_suffix(out, renames[i].unfused)) {
            size_t stem = len - strlen(renames[i].unfused);
            if (stem + strlen(renames[i].fused) >= size)
                return false;
            strcpy(out + stem, renames[i].fused);
            break;
        }
    return true;
}

static size_t find_spec(const ms_toto_checkpoint *checkpoint, const char *name)
{
    for (size_t i = 0; i < checkpoint->count; i++)
        if (strcmp(checkpoint->specs[i].name, name) == 0)
            return i;
    return checkpoint->count;
}

static ms_status check_shape(const char *path, const ms_tensor_view *view,
                             const ms_toto_tensor_spec *spec)
{
    bool same = view->ndim == spec->ndim;
    for (size_t d = 0; same && d < spec->ndim; d++)
        same = view->shape[d] == spec->shape[d];
    if (same)
        return MS_OK;
    char expected[64], found[160];
    ms_shape_format(expected, sizeof expected, spec->ndim, spec->shape);
    ms_shape_format(found, sizeof found, view->ndim, view->shape);
    return ms_error(MS_ERR_MODEL, "%s: tensor '%s': expected shape %s, found %s", path,
                    view->name, expected, found);
}

/* Pairs one file tensor with its spec, or ignores it. */
static ms_status match_tensor(const ms_toto_checkpoint *checkpoint, const char *path,
                              const ms_tensor_view *view, const ms_tensor_view **matches)
{
    char name[sizeof checkpoint->specs[0].name];
    if (has_suffix(view->name, "rotary_emb.freqs"))
        return MS_OK;
    size_t index = canonical_name(view->name, name, sizeof name) ? find_spec(checkpoint, name)
                                                                 : checkpoint->count;
    if (index == checkpoint->count) {
        MS_WARN("%s: ignoring tensor '%s', which the config does not use", path, view->name);
        return MS_OK;
    }
    if (matches[index] != NULL)
        return ms_error(MS_ERR_MODEL, "%s: tensors '%s' and '%s' are both weight '%s'", path,
                        matches[index]->name, view->name, name);
    matches[index] = view;
    return check_shape(path, view, &checkpoint->specs[index]);
}

static ms_status convert_weight(ms_toto_checkpoint *checkpoint, const char *path, size_t index,
                                const ms_tensor_view *view)
{
    float *weight = checkpoint->weights + checkpoint->offsets[index];
    ms_tensor_to_f32(view, weight);
    for (size_t i = 0; i < view->elements; i++)
        if (!isfinite(weight[i]))
            return ms_error(MS_ERR_MODEL, "%s: tensor '%s': element %zu is not finite", path,
                            view->name, i);
    return MS_OK;
}

static ms_status allocate_weights(ms_toto_checkpoint *checkpoint)
{
    checkpoint->offsets = malloc(checkpoint->count * sizeof *checkpoint->offsets);
    if (checkpoint->offsets == NULL)
        return ms_error(MS_ERR_NOMEM, "no memory for %zu tensors", checkpoint->count);
    for (size_t i = 0; i < checkpoint->count; i++) {
        checkpoint->offsets[i] = checkpoint->parameters;
        checkpoint->parameters += checkpoint->specs[i].elements;
    }
    checkpoint->weights = malloc(checkpoint->parameters * sizeof *checkpoint->weights);
    if (checkpoint->weights == NULL)
        return ms_error(MS_ERR_NOMEM, "no memory for %zu parameters", checkpoint->parameters);
    return MS_OK;
}

/* Pairs every file tensor with its spec (the file tensor providing each
 * spec, in spec order, in `matches`), then converts them. */
static ms_status load_weights(ms_toto_checkpoint *checkpoint, const char *path,
                              const ms_safetensors *file)
{
    const ms_tensor_view **matches = calloc(checkpoint->count, sizeof *matches);
    if (matches == NULL)
        return ms_error(MS_ERR_NOMEM, "%s: no memory", path);
    ms_status status = MS_OK;
    for (size_t i = 0; i < ms_safetensors_count(file) && status == MS_OK; i++)
        status = match_tensor(checkpoint, path, ms_safetensors_at(file, i), matches);
    for (size_t i = 0; i < checkpoint->count && status == MS_OK; i++)
        if (matches[i] == NULL)
            status = ms_error(MS_ERR_MODEL, "%s: missing tensor '" MS_TOTO_PUBLISHED_PREFIX
                              "%s'", path, checkpoint->specs[i].name);
    if (status == MS_OK)
        status = allocate_weights(checkpoint);
    for (size_t i = 0; i < checkpoint->count && status == MS_OK; i++)
        status = convert_weight(checkpoint, path, i, matches[i]);
    free(matches);
    return status;
}

/* MS_ERR_NOT_FOUND for what does not exist, so callers can tell "no such
 * checkpoint" from "a broken one". */
static ms_status check_exists(const char *path, bool directory)
{
    struct stat info;
    if (stat(path, &info) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return ms_error(MS_ERR_NOT_FOUND, "%s: no such %s", path,
                            directory ? "checkpoint directory" : "file");
        return ms_error(MS_ERR_IO, "%s: cannot access: %s", path, strerror(errno));
    }
    if (directory && !S_ISDIR(info.st_mode))
        return ms_error(MS_ERR_NOT_FOUND, "%s: not a checkpoint directory", path);
    return MS_OK;
}

char *ms_toto_checkpoint_file(const char *dir, const char *name)
{
    size_t size = strlen(dir) + strlen(name) + 2;
    char *path = malloc(size);
    if (path != NULL)
        snprintf(path, size, "%s/%s", dir, name);
    return path;
}

static ms_status open_files(ms_toto_checkpoint *checkpoint, const char *dir)
{
    char *config_path = ms_toto_checkpoint_file(dir, "config.json");
    char *weights_path = ms_toto_checkpoint_file(dir, "model.safetensors");
    ms_status status = check_exists(dir, true);
    if (config_path == NULL || weights_path == NULL)
        status = ms_error(MS_ERR_NOMEM, "%s: no memory", dir);
    if (status == MS_OK && (status = check_exists(config_path, false)) == MS_OK)
        status = ms_toto_config_load(config_path, &checkpoint->config);
    if (status == MS_OK)
        status = ms_toto_tensor_specs(&checkpoint->config, &checkpoint->specs, &checkpoint->count);
    ms_safetensors *file = NULL;
    if (status == MS_OK && (status = check_exists(weights_path, false)) == MS_OK)
        status = ms_safetensors_open(&file, weights_path);
    if (status == MS_OK)
        status = load_weights(checkpoint, weights_path, file);
    ms_safetensors_close(file);
    free(config_path);
    free(weights_path);
    return status;
}

ms_status ms_toto_checkpoint_open(ms_toto_checkpoint **out, const char *dir)
{
    if (out == NULL || dir == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_toto_checkpoint_open: out and dir must not be "
                        "NULL");
    *out = NULL;
    ms_toto_checkpoint *checkpoint = calloc(1, sizeof *checkpoint);
    if (checkpoint == NULL)
        return ms_error(MS_ERR_NOMEM, "%s: no memory", dir);
    ms_status status = open_files(checkpoint, dir);
    if (status != MS_OK) {
        ms_toto_checkpoint_close(checkpoint);
        return status;
    }
    *out = checkpoint;
    return MS_OK;
}

void ms_toto_checkpoint_close(ms_toto_checkpoint *checkpoint)
{
    if (checkpoint == NULL)
        return;
    free(checkpoint->specs);
    free(checkpoint->offsets);
    free(checkpoint->weights);
    free(checkpoint);
}

const ms_toto_config *ms_toto_checkpoint_config(const ms_toto_checkpoint *checkpoint)
{
    return &checkpoint->config;
}

const float *ms_toto_checkpoint_weight(const ms_toto_checkpoint *checkpoint, const char *name,
                                       size_t *elements)
{
    size_t index = name != NULL ? find_spec(checkpoint, name) : checkpoint->count;
    if (index == checkpoint->count)
        return NULL;
    if (elements != NULL)
        *elements = checkpoint->specs[index].elements;
    return checkpoint->weights + checkpoint->offsets[index];
}

size_t ms_toto_checkpoint_parameters(const ms_toto_checkpoint *checkpoint)
{
    return checkpoint->parameters;
}
