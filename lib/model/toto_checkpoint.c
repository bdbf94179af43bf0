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
 * Weights are not copied where the file already holds them as the port
 * wants them: a little-endian F32 tensor at a 4-byte aligned address (the
 * usual case: writers pad the header to 8 bytes) is used in place, from the
 * read-only mapping, which the checkpoint keeps open. Copying a 600 MB file
 * twice at open cost seconds of page faults and memmove and doubled the
 * peak memory (issue 15). Every other tensor (F16, BF16, or F32 at an
 * offset that is not a multiple of 4, which float loads may not read) is
 * converted once into one allocation owned by the checkpoint. Non-finite
 * weights are rejected here, in both cases, so no forecast is ever computed
 * from them.
 *
 * The checkpoint is reference-counted because tensors built on its weights
 * (the libtorch port's from_blob tensors) may outlive the code that opened
 * it: each holds a reference, and the mapping goes with the last one.
 *
 * The mapping is MAP_PRIVATE and read-only: writing a weight faults. A
 * file replaced by rename (as marketsim writes checkpoints) leaves the
 * mapped old file intact; a file rewritten in place while a model is
 * loaded changes the weights under it (bypassing the NaN check) and a
 * truncated one kills the process with SIGBUS at the next read. Replace
 * checkpoints, never edit them in place (docs/performance.md).
 */
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
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
    const float **weights;   /* of each spec: in the mapping or in `converted` */
    float *converted;        /* the weights that could not be used in place */
    ms_safetensors *file;    /* kept open: in-place weights point into its mapping */
    size_t parameters;
    size_t mapped_parameters;
    atomic_size_t references;
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

/* Whether the port may read the tensor's bytes as floats where they lie. */
static bool usable_in_place(const ms_tensor_view *view)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return view->dtype == MS_DTYPE_F32 && (uintptr_t)view->data % _Alignof(float) == 0;
#else
    (void)view;
    return false;
#endif
}

/* The index of the first non-finite value, or `count`. Blocks are scanned
 * without a branch per element (a loop the compiler can vectorise), the
 * exact element found only in a block that has one: the scan reads all
 * 600 MB of a base checkpoint at every load. */
static size_t first_non_finite(const float *values, size_t count)
{
    enum { BLOCK = 1024 };
    for (size_t start = 0; start < count; start += BLOCK) {
        size_t length = count - start < BLOCK ? count - start : BLOCK;
        const float *block = values + start;
        uint32_t exponent_all_ones = 0;
        for (size_t i = 0; i < length; i++) {
            uint32_t bits;
            memcpy(&bits, &block[i], sizeof bits);
            exponent_all_ones |= (bits & 0x7f800000u) == 0x7f800000u;
        }
        if (exponent_all_ones)
            for (size_t i = 0; i < length; i++)
                if (!isfinite(block[i]))
                    return start + i;
    }
    return count;
}

static ms_status place_weight(ms_toto_checkpoint *checkpoint, const char *path, size_t index,
                              const ms_tensor_view *view, float **next_converted)
{
    if (usable_in_place(view)) {
        checkpoint->weights[index] = view->data;
        checkpoint->mapped_parameters += view->elements;
    } else {
        ms_tensor_to_f32(view, *next_converted);
        checkpoint->weights[index] = *next_converted;
        *next_converted += view->elements;
    }
    size_t bad = first_non_finite(checkpoint->weights[index], view->elements);
    if (bad < view->elements)
        return ms_error(MS_ERR_MODEL, "%s: tensor '%s': element %zu is not finite", path,
                        view->name, bad);
    return MS_OK;
}

/* One allocation for the weights that must be converted (none for an
 * aligned F32 file), then every weight placed and checked. */
static ms_status place_weights(ms_toto_checkpoint *checkpoint, const char *path,
                               const ms_tensor_view **matches)
{
    size_t to_convert = 0;
    for (size_t i = 0; i < checkpoint->count; i++) {
        checkpoint->parameters += matches[i]->elements;
        if (!usable_in_place(matches[i]))
            to_convert += matches[i]->elements;
    }
    checkpoint->weights = calloc(checkpoint->count, sizeof *checkpoint->weights);
    checkpoint->converted = malloc((to_convert > 0 ? to_convert : 1) * sizeof(float));
    if (checkpoint->weights == NULL || checkpoint->converted == NULL)
        return ms_error(MS_ERR_NOMEM, "no memory for %zu parameters", to_convert);
    float *next_converted = checkpoint->converted;
    ms_status status = MS_OK;
    for (size_t i = 0; i < checkpoint->count && status == MS_OK; i++)
        status = place_weight(checkpoint, path, i, matches[i], &next_converted);
    return status;
}

/* Pairs every file tensor with its spec (the file tensor providing each
 * spec, in spec order, in `matches`), then places them. */
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
        status = place_weights(checkpoint, path, matches);
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
    if (status == MS_OK && (status = check_exists(weights_path, false)) == MS_OK)
        status = ms_safetensors_open(&checkpoint->file, weights_path);
    if (status == MS_OK)
        status = load_weights(checkpoint, weights_path, checkpoint->file);
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
    atomic_init(&checkpoint->references, 1);
    ms_status status = open_files(checkpoint, dir);
    if (status != MS_OK) {
        ms_toto_checkpoint_close(checkpoint);
        return status;
    }
    *out = checkpoint;
    return MS_OK;
}

/* The count is bookkeeping, not part of the checkpoint's value: retaining
 * a checkpoint seen through a const pointer is allowed (as strchr hands back
 * a non-const pointer), since every checkpoint is allocated writable here. */
ms_toto_checkpoint *ms_toto_checkpoint_retain(const ms_toto_checkpoint *checkpoint)
{
    ms_toto_checkpoint *writable = (ms_toto_checkpoint *)checkpoint;
    atomic_fetch_add_explicit(&writable->references, 1, memory_order_relaxed);
    return writable;
}

void ms_toto_checkpoint_close(ms_toto_checkpoint *checkpoint)
{
    if (checkpoint == NULL ||
        atomic_fetch_sub_explicit(&checkpoint->references, 1, memory_order_acq_rel) > 1)
        return;
    ms_safetensors_close(checkpoint->file);
    free(checkpoint->specs);
    free(checkpoint->weights);
    free(checkpoint->converted);
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
    return checkpoint->weights[index];
}

size_t ms_toto_checkpoint_parameters(const ms_toto_checkpoint *checkpoint)
{
    return checkpoint->parameters;
}

size_t ms_toto_checkpoint_mapped_parameters(const ms_toto_checkpoint *checkpoint)
{
    return checkpoint->mapped_parameters;
}
