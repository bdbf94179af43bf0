/*
 * kronos_checkpoint.c - a Kronos tokenizer + model pair on disk turned into
 * the validated float32 weights the libtorch port reads.
 *
 * Each part is a directory with config.json and model.safetensors. Every
 * tensor its config implies must be in the file with that shape and a float
 * dtype; it is converted to float32 once, here, into one allocation per
 * part, and non-finite values are refused so no forecast is ever computed
 * from them. The official from_pretrained loads with strict=False, so a
 * missing key would silently keep a random init there: here it is an error.
 * The tokenizer's tokenizer.bsq.* buffers (MSB-first index bases used only
 * by training metrics) are not needed; any other extra tensor is ignored
 * with a warning.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/core_internal.h"
#include "model/checkpoint.h"
#include "model/kronos_checkpoint.h"

/* Config files are a few hundred bytes; anything past this is not one. */
#define MAX_CONFIG_BYTES (1 << 20)

typedef struct weight_set {
    ms_kronos_tensor_spec *specs;
    size_t count;
    size_t *offsets;   /* of each spec's elements in `weights` */
    float *weights;
    size_t parameters;
} weight_set;

struct ms_kronos_checkpoint {
    ms_kronos_tokenizer_config tokenizer_config;
    ms_kronos_model_config model_config;
    weight_set tokenizer, model;
};

static ms_status check_exists(const char *path, bool directory)
{
    struct stat info;
    if (stat(path, &info) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return ms_error(MS_ERR_NOT_FOUND, "%s: no such %s", path,
                            directory ? "directory" : "file");
        return ms_error(MS_ERR_IO, "%s: cannot access: %s", path, strerror(errno));
    }
    if (directory && !S_ISDIR(info.st_mode))
        return ms_error(MS_ERR_NOT_FOUND, "%s: not a directory", path);
    return MS_OK;
}

/* The whole of a small file, malloc'ed, in *text (length *len). */
static ms_status read_small_file(const char *path, char **text, size_t *len)
{
    ms_status status = check_exists(path, false);
    if (status != MS_OK)
        return status;
    FILE *stream = fopen(path, "rb");
    if (stream == NULL)
        return ms_error(MS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    *text = malloc(MAX_CONFIG_BYTES);
    *len = *text != NULL ? fread(*text, 1, MAX_CONFIG_BYTES, stream) : 0;
    if (*text == NULL)
        status = ms_error(MS_ERR_NOMEM, "%s: no memory", path);
    else if (ferror(stream))
        status = ms_error(MS_ERR_IO, "%s: read failed", path);
    else if (*len == MAX_CONFIG_BYTES)
        status = ms_error(MS_ERR_MODEL, "%s: larger than %d bytes; not a config", path,
                          MAX_CONFIG_BYTES);
    fclose(stream);
    return status;
}

static size_t find_spec(const weight_set *set, const char *name)
{
    for (size_t i = 0; i < set->count; i++)
        if (strcmp(set->specs[i].name, name) == 0)
            return i;
    return set->count;
}

static ms_status check_tensor(const char *path, const ms_tensor_view *view,
                              const ms_kronos_tensor_spec *spec)
{
    bool same = view->ndim == spec->ndim;
    for (size_t d = 0; same && d < spec->ndim; d++)
        same = view->shape[d] == spec->shape[d];
    if (!same) {
        char expected[64], found[160];
        ms_shape_format(expected, sizeof expected, spec->ndim, spec->shape);
        ms_shape_format(found, sizeof found, view->ndim, view->shape);
        return ms_error(MS_ERR_MODEL, "%s: tensor '%s': expected shape %s, found %s", path,
                        view->name, expected, found);
    }
    if (view->dtype == MS_DTYPE_I64)
        return ms_error(MS_ERR_MODEL, "%s: tensor '%s': dtype I64; a weight must be F32, F16 "
                        "or BF16", path, view->name);
    return MS_OK;
}

static ms_status match_tensor(const weight_set *set, const char *path, const ms_tensor_view *view,
                              const ms_tensor_view **matches)
{
    size_t index = find_spec(set, view->name);
    if (index == set->count) {
        if (strncmp(view->name, "tokenizer.bsq.", strlen("tokenizer.bsq.")) != 0)
            MS_WARN("%s: ignoring tensor '%s', which the config does not use", path, view->name);
        return MS_OK;
    }
    matches[index] = view;
    return check_tensor(path, view, &set->specs[index]);
}

static ms_status convert_weights(weight_set *set, const char *path,
                                 const ms_tensor_view **matches)
{
    set->offsets = malloc(set->count * sizeof *set->offsets);
    if (set->offsets == NULL)
        return ms_error(MS_ERR_NOMEM, "%s: no memory for %zu tensors", path, set->count);
    for (size_t i = 0; i < set->count; i++) {
        set->offsets[i] = set->parameters;
        set->parameters += set->specs[i].elements;
    }
    set->weights = malloc(set->parameters * sizeof *set->weights);
    if (set->weights == NULL)
        return ms_error(MS_ERR_NOMEM, "%s: no memory for %zu parameters", path, set->parameters);
    for (size_t i = 0; i < set->count; i++) {
        float *weight = set->weights + set->offsets[i];
        ms_tensor_to_f32(matches[i], weight);
        for (size_t e = 0; e < matches[i]->elements; e++)
            if (!isfinite(weight[e]))
                return ms_error(MS_ERR_MODEL, "%s: tensor '%s': element %zu is not finite", path,
                                matches[i]->name, e);
    }
    return MS_OK;
}

/* Pairs every spec of `set` with its tensor in the file at `path` (names
 * in a safetensors header are unique), then converts them. */
static ms_status load_weights(weight_set *set, const char *path)
{
    ms_safetensors *file = NULL;
    ms_status status = check_exists(path, false);
    if (status == MS_OK)
        status = ms_safetensors_open(&file, path);
    const ms_tensor_view **matches = calloc(set->count, sizeof *matches);
    if (status == MS_OK && matches == NULL)
        status = ms_error(MS_ERR_NOMEM, "%s: no memory", path);
    for (size_t i = 0; status == MS_OK && i < ms_safetensors_count(file); i++)
        status = match_tensor(set, path, ms_safetensors_at(file, i), matches);
    for (size_t i = 0; status == MS_OK && i < set->count; i++)
        if (matches[i] == NULL)
            status = ms_error(MS_ERR_MODEL, "%s: missing tensor '%s'", path, set->specs[i].name);
    if (status == MS_OK)
        status = convert_weights(set, path, matches);
    free(matches);
    ms_safetensors_close(file);
    return status;
}

static char *join(const char *dir, const char *name)
{
    size_t size = strlen(dir) + strlen(name) + 2;
    char *path = malloc(size);
    if (path != NULL)
        snprintf(path, size, "%s/%s", dir, name);
    return path;
}

/* Reads DIR/config.json with `parse` into `config`. */
typedef ms_status (*config_parser)(const char *, size_t, const char *, void *);

static ms_status load_config(const char *dir, config_parser parse, void *config)
{
    char *path = join(dir, "config.json");
    char *text = NULL;
    size_t len = 0;
    ms_status status = check_exists(dir, true);
    if (status == MS_OK && path == NULL)
        status = ms_error(MS_ERR_NOMEM, "%s: no memory", dir);
    if (status == MS_OK)
        status = read_small_file(path, &text, &len);
    if (status == MS_OK)
        status = parse(text, len, path, config);
    free(text);
    free(path);
    return status;
}

/* Reads DIR/model.safetensors into `set`, whose specs are made. */
static ms_status load_part_weights(const char *dir, weight_set *set)
{
    char *path = join(dir, "model.safetensors");
    ms_status status = path != NULL ? load_weights(set, path)
                                    : ms_error(MS_ERR_NOMEM, "%s: no memory", dir);
    free(path);
    return status;
}

static ms_status parse_tokenizer(const char *text, size_t len, const char *source, void *out)
{
    return ms_kronos_tokenizer_config_parse(text, len, source, out);
}

static ms_status parse_model(const char *text, size_t len, const char *source, void *out)
{
    return ms_kronos_model_config_parse(text, len, source, out);
}

/* The model predicts the token ids the tokenizer decodes: both halves
 * must have the same widths. */
static ms_status check_bit_widths(const ms_kronos_checkpoint *c, const char *tokenizer_dir,
                                  const char *model_dir)
{
    const ms_kronos_tokenizer_config *t = &c->tokenizer_config;
    const ms_kronos_model_config *m = &c->model_config;
    if (t->s1_bits == m->s1_bits && t->s2_bits == m->s2_bits)
        return MS_OK;
    return ms_error(MS_ERR_MODEL, "%s/config.json: s1_bits %d, s2_bits %d, but the model in "
                    "%s/config.json has s1_bits %d, s2_bits %d; tokenizer and model must agree",
                    tokenizer_dir, t->s1_bits, t->s2_bits, model_dir, m->s1_bits, m->s2_bits);
}

ms_status ms_kronos_checkpoint_open(ms_kronos_checkpoint **out, const char *tokenizer_dir,
                                    const char *model_dir)
{
    if (out == NULL || tokenizer_dir == NULL || model_dir == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_kronos_checkpoint_open: arguments must not be "
                        "NULL");
    *out = NULL;
    ms_kronos_checkpoint *checkpoint = calloc(1, sizeof *checkpoint);
    if (checkpoint == NULL)
        return ms_error(MS_ERR_NOMEM, "%s: no memory", model_dir);
    /* Both configs and their agreement first: a bit-width mismatch is
     * reported as such, not as the shape errors it implies. */
    ms_status status = load_config(tokenizer_dir, parse_tokenizer, &checkpoint->tokenizer_config);
    if (status == MS_OK)
        status = load_config(model_dir, parse_model, &checkpoint->model_config);
    if (status == MS_OK)
        status = check_bit_widths(checkpoint, tokenizer_dir, model_dir);
    if (status == MS_OK)
        status = ms_kronos_tokenizer_specs(&checkpoint->tokenizer_config,
                                           &checkpoint->tokenizer.specs,
                                           &checkpoint->tokenizer.count);
    if (status == MS_OK)
        status = ms_kronos_model_specs(&checkpoint->model_config, &checkpoint->model.specs,
                                       &checkpoint->model.count);
    if (status == MS_OK)
        status = load_part_weights(tokenizer_dir, &checkpoint->tokenizer);
    if (status == MS_OK)
        status = load_part_weights(model_dir, &checkpoint->model);
    if (status != MS_OK) {
        ms_kronos_checkpoint_close(checkpoint);
        return status;
    }
    *out = checkpoint;
    return MS_OK;
}

ms_status ms_kronos_checkpoint_open_pair(ms_kronos_checkpoint **out, const char *dir)
{
    if (out == NULL || dir == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_kronos_checkpoint_open_pair: arguments must not "
                        "be NULL");
    char *tokenizer_dir = join(dir, "tokenizer"), *model_dir = join(dir, "model");
    ms_status status = tokenizer_dir != NULL && model_dir != NULL
                           ? ms_kronos_checkpoint_open(out, tokenizer_dir, model_dir)
                           : ms_error(MS_ERR_NOMEM, "%s: no memory", dir);
    free(tokenizer_dir);
    free(model_dir);
    return status;
}

static void free_set(weight_set *set)
{
    free(set->specs);
    free(set->offsets);
    free(set->weights);
}

void ms_kronos_checkpoint_close(ms_kronos_checkpoint *checkpoint)
{
    if (checkpoint == NULL)
        return;
    free_set(&checkpoint->tokenizer);
    free_set(&checkpoint->model);
    free(checkpoint);
}

const ms_kronos_tokenizer_config *
ms_kronos_checkpoint_tokenizer_config(const ms_kronos_checkpoint *checkpoint)
{
    return &checkpoint->tokenizer_config;
}

const ms_kronos_model_config *
ms_kronos_checkpoint_model_config(const ms_kronos_checkpoint *checkpoint)
{
    return &checkpoint->model_config;
}

static const float *weight_of(const weight_set *set, const char *name, size_t *elements)
{
    size_t index = name != NULL ? find_spec(set, name) : set->count;
    if (index == set->count)
        return NULL;
    if (elements != NULL)
        *elements = set->specs[index].elements;
    return set->weights + set->offsets[index];
}

const float *ms_kronos_tokenizer_weight(const ms_kronos_checkpoint *checkpoint, const char *name,
                                        size_t *elements)
{
    return weight_of(&checkpoint->tokenizer, name, elements);
}

const float *ms_kronos_model_weight(const ms_kronos_checkpoint *checkpoint, const char *name,
                                    size_t *elements)
{
    return weight_of(&checkpoint->model, name, elements);
}

size_t ms_kronos_checkpoint_parameters(const ms_kronos_checkpoint *checkpoint)
{
    return checkpoint->tokenizer.parameters + checkpoint->model.parameters;
}
