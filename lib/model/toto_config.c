/*
 * toto_config.c - Toto's config.json: reading, validating and writing it,
 * with the keys and class strings of the published Toto-Open-Base-1.0
 * file, and which layers are space-wise.
 *
 * One table lists every key in the published order; reading, writing and
 * spotting unknown keys all go through it. Every key is required although
 * the official constructor has defaults for some (spacewise_first defaults
 * to true there, the opposite of the published value): a config that omits
 * one is not a published one, and guessing would silently change the
 * layer order. Unknown keys are ignored with a warning.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "model/checkpoint.h"

#define SCALER_CLASS "<class 'model.scaler.CausalPatchStdMeanScaler'>"
#define DISTRIBUTION_CLASS "<class 'model.distribution.MixtureOfStudentTsOutput'>"

/* Bounds every size so that element and parameter counts fit in size_t
 * with room to spare; the published model's largest size is 3072. */
#define MAX_SIZE 65536

typedef enum field_kind {
    FIELD_INT,
    FIELD_NUMBER,
    FIELD_BOOL,
    FIELD_SCALER,          /* scaler_cls: the one class string this port implements */
    FIELD_DISTRIBUTIONS,   /* output_distribution_classes: a list of that one class */
    FIELD_DISTRIBUTION_KWARGS   /* {"k_components": int} */
} field_kind;

typedef struct config_field {
    const char *key;
    field_kind kind;
    size_t offset;   /* into ms_toto_config, for the kinds that hold a value */
} config_field;

#define FIELD(key, kind) { #key, kind, offsetof(ms_toto_config, key) }

static const config_field fields[] = {
    FIELD(patch_size, FIELD_INT),
    FIELD(stride, FIELD_INT),
    FIELD(embed_dim, FIELD_INT),
    FIELD(num_layers, FIELD_INT),
    FIELD(num_heads, FIELD_INT),
    FIELD(mlp_hidden_dim, FIELD_INT),
    FIELD(dropout, FIELD_NUMBER),
    FIELD(spacewise_every_n_layers, FIELD_INT),
    { "scaler_cls", FIELD_SCALER, 0 },
    { "output_distribution_classes", FIELD_DISTRIBUTIONS, 0 },
    { "output_distribution_kwargs", FIELD_DISTRIBUTION_KWARGS,
      offsetof(ms_toto_config, k_components) },
    FIELD(spacewise_first, FIELD_BOOL),
    FIELD(use_memory_efficient_attention, FIELD_BOOL),
    FIELD(stabilize_with_global, FIELD_BOOL),
    FIELD(scale_factor_exponent, FIELD_NUMBER),
};

static const char *json_type_name(const json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "unknown";
}

static ms_status read_int(const char *source, const char *key, const json_t *value, int *out)
{
    if (!json_is_integer(value))
        return ms_error(MS_ERR_MODEL, "%s: key '%s' must be an integer, found %s", source, key,
                        json_type_name(value));
    json_int_t number = json_integer_value(value);
    if (number < INT_MIN || number > INT_MAX)
        return ms_error(MS_ERR_MODEL, "%s: key '%s': %lld is out of range", source, key,
                        (long long)number);
    *out = (int)number;
    return MS_OK;
}

static ms_status read_class(const char *source, const char *key, const json_t *value,
                            const char *expected)
{
    if (!json_is_string(value))
        return ms_error(MS_ERR_MODEL, "%s: key '%s' must be a string, found %s", source, key,
                        json_type_name(value));
    if (strcmp(json_string_value(value), expected) != 0)
        return ms_error(MS_ERR_MODEL, "%s: key '%s' is \"%s\"; this port implements only "
                        "\"%s\"", source, key, json_string_value(value), expected);
    return MS_OK;
}

static ms_status read_distributions(const char *source, const char *key, const json_t *value)
{
    if (!json_is_array(value) || json_array_size(value) != 1)
        return ms_error(MS_ERR_MODEL, "%s: key '%s' must be a list of one class name",
                        source, key);
    return read_class(source, key, json_array_get(value, 0), DISTRIBUTION_CLASS);
}

static ms_status read_kwargs(const char *source, const char *key, const json_t *value, int *out)
{
    if (!json_is_object(value))
        return ms_error(MS_ERR_MODEL, "%s: key '%s' must be an object, found %s", source, key,
                        json_type_name(value));
    const json_t *k = json_object_get(value, "k_components");
    if (k == NULL)
        return ms_error(MS_ERR_MODEL, "%s: missing key '%s.k_components'", source, key);
    return read_int(source, "output_distribution_kwargs.k_components", k, out);
}

static ms_status read_field(const char *source, const config_field *field, const json_t *value,
                            ms_toto_config *config)
{
    void *slot = (char *)config + field->offset;
    switch (field->kind) {
    case FIELD_INT:
        return read_int(source, field->key, value, slot);
    case FIELD_NUMBER:
        if (!json_is_number(value))
            return ms_error(MS_ERR_MODEL, "%s: key '%s' must be a number, found %s", source,
                            field->key, json_type_name(value));
        *(double *)slot = json_number_value(value);
        return MS_OK;
    case FIELD_BOOL:
        if (!json_is_boolean(value))
            return ms_error(MS_ERR_MODEL, "%s: key '%s' must be true or false, found %s",
                            source, field->key, json_type_name(value));
        *(bool *)slot = json_is_true(value);
        return MS_OK;
    case FIELD_SCALER:
        return read_class(source, field->key, value, SCALER_CLASS);
    case FIELD_DISTRIBUTIONS:
        return read_distributions(source, field->key, value);
    case FIELD_DISTRIBUTION_KWARGS:
        return read_kwargs(source, field->key, value, slot);
    }
    return ms_error(MS_ERR_INTERNAL, "%s: key '%s' has no reader", source, field->key);
}

static bool known_key(const char *key)
{
    for (size_t i = 0; i < MS_ARRAY_LEN(fields); i++)
        if (strcmp(fields[i].key, key) == 0)
            return true;
    return false;
}

static ms_status check_size(const char *source, const char *key, int value)
{
    if (value < 1 || value > MAX_SIZE)
        return ms_error(MS_ERR_MODEL, "%s: key '%s' is %d; expected 1 to %d", source, key,
                        value, MAX_SIZE);
    return MS_OK;
}

static ms_status check_sizes(const char *source, const ms_toto_config *c)
{
    const struct { const char *key; int value; } sizes[] = {
        { "patch_size", c->patch_size }, { "stride", c->stride },
        { "embed_dim", c->embed_dim }, { "num_layers", c->num_layers },
        { "num_heads", c->num_heads }, { "mlp_hidden_dim", c->mlp_hidden_dim },
        { "output_distribution_kwargs.k_components", c->k_components },
    };
    for (size_t i = 0; i < MS_ARRAY_LEN(sizes); i++) {
        ms_status status = check_size(source, sizes[i].key, sizes[i].value);
        if (status != MS_OK)
            return status;
    }
    return MS_OK;
}

/* The rules that tie keys together, as the official constructors assert
 * them, plus the ones this port relies on (non-overlapping patches, even
 * head size for the rotary pairs). */
static ms_status check_relations(const char *source, const ms_toto_config *c)
{
    if (c->stride != c->patch_size)
        return ms_error(MS_ERR_MODEL, "%s: key 'stride' is %d but this port needs it equal to "
                        "patch_size (%d)", source, c->stride, c->patch_size);
    if (c->embed_dim % c->num_heads != 0)
        return ms_error(MS_ERR_MODEL, "%s: key 'embed_dim' (%d) is not divisible by "
                        "num_heads (%d)", source, c->embed_dim, c->num_heads);
    if ((c->embed_dim / c->num_heads) % 2 != 0)
        return ms_error(MS_ERR_MODEL, "%s: head size embed_dim / num_heads = %d is odd; rotary "
                        "embeddings need it even", source, c->embed_dim / c->num_heads);
    int every = c->spacewise_every_n_layers;
    if (every != -1 && (every < 1 || c->num_layers % every != 0))
        return ms_error(MS_ERR_MODEL, "%s: key 'spacewise_every_n_layers' is %d; expected -1 "
                        "or a divisor of num_layers (%d)", source, every, c->num_layers);
    if (!(c->dropout >= 0.0 && c->dropout < 1.0))
        return ms_error(MS_ERR_MODEL, "%s: key 'dropout' is %g; expected 0 <= dropout < 1",
                        source, c->dropout);
    if (!(isfinite(c->scale_factor_exponent) && c->scale_factor_exponent >= 0.0))
        return ms_error(MS_ERR_MODEL, "%s: key 'scale_factor_exponent' is %g; expected a "
                        "finite number >= 0", source, c->scale_factor_exponent);
    return MS_OK;
}

ms_status ms_toto_config_check(const ms_toto_config *config, const char *source_name)
{
    const char *source = source_name != NULL ? source_name : "config";
    ms_status status = check_sizes(source, config);
    return status == MS_OK ? check_relations(source, config) : status;
}

static ms_status read_config(const char *source, const json_t *root, ms_toto_config *out)
{
    if (!json_is_object(root))
        return ms_error(MS_ERR_MODEL, "%s: not a JSON object", source);
    ms_toto_config config;
    memset(&config, 0, sizeof config);
    for (size_t i = 0; i < MS_ARRAY_LEN(fields); i++) {
        const json_t *value = json_object_get(root, fields[i].key);
        if (value == NULL)
            return ms_error(MS_ERR_MODEL, "%s: missing key '%s'", source, fields[i].key);
        ms_status status = read_field(source, &fields[i], value, &config);
        if (status != MS_OK)
            return status;
    }
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)root, key, value)
        if (!known_key(key))
            MS_WARN("%s: ignoring unknown key '%s'", source, key);
    ms_status status = ms_toto_config_check(&config, source);
    if (status == MS_OK)
        *out = config;
    return status;
}

ms_status ms_toto_config_parse(const char *text, size_t len, const char *source_name,
                               ms_toto_config *out)
{
    if (text == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_toto_config_parse: text and out must not be "
                        "NULL");
    const char *source = source_name != NULL ? source_name : "config.json";
    json_error_t error;
    json_t *root = json_loadb(text, len, 0, &error);
    if (root == NULL)
        return ms_error(MS_ERR_MODEL, "%s: malformed JSON: %s (line %d, column %d)", source,
                        error.text, error.line, error.column);
    ms_status status = read_config(source, root, out);
    json_decref(root);
    return status;
}

ms_status ms_toto_config_load(const char *path, ms_toto_config *out)
{
    if (path == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_toto_config_load: path and out must not be NULL");
    FILE *stream = fopen(path, "rb");
    if (stream == NULL)
        return ms_error(MS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    json_error_t error;
    json_t *root = json_loadf(stream, 0, &error);
    fclose(stream);
    if (root == NULL)
        return ms_error(MS_ERR_MODEL, "%s: malformed JSON: %s (line %d, column %d)", path,
                        error.text, error.line, error.column);
    ms_status status = read_config(path, root, out);
    json_decref(root);
    return status;
}

static json_t *field_value(const config_field *field, const ms_toto_config *config)
{
    const void *slot = (const char *)config + field->offset;
    switch (field->kind) {
    case FIELD_INT: return json_integer(*(const int *)slot);
    case FIELD_NUMBER: return json_real(*(const double *)slot);
    case FIELD_BOOL: return json_boolean(*(const bool *)slot);
    case FIELD_SCALER: return json_string(SCALER_CLASS);
    case FIELD_DISTRIBUTIONS: return json_pack("[s]", DISTRIBUTION_CLASS);
    case FIELD_DISTRIBUTION_KWARGS: return json_pack("{s:i}", "k_components", *(const int *)slot);
    }
    return NULL;
}

/* Published values are short decimals (0.1, 10.0): 15 significant digits
 * print them as written, where jansson's default 17 would write
 * 0.10000000000000001. A value that 15 digits would alter gets 17, so the
 * file always reads back to the same doubles. */
static int real_precision(const ms_toto_config *config)
{
    const double reals[] = { config->dropout, config->scale_factor_exponent };
    for (size_t i = 0; i < MS_ARRAY_LEN(reals); i++) {
        char text[32];
        snprintf(text, sizeof text, "%.15g", reals[i]);
        if (strtod(text, NULL) != reals[i])
            return 17;
    }
    return 15;
}

ms_status ms_toto_config_write(const char *path, const ms_toto_config *config)
{
    if (path == NULL || config == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_toto_config_write: path and config must not be "
                        "NULL");
    ms_status status = ms_toto_config_check(config, path);
    if (status != MS_OK)
        return status;
    json_t *root = json_object();
    for (size_t i = 0; i < MS_ARRAY_LEN(fields); i++)
        json_object_set_new(root, fields[i].key, field_value(&fields[i], config));
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                     JSON_REAL_PRECISION(real_precision(config)));
    json_decref(root);
    if (text == NULL)
        return ms_error(MS_ERR_NOMEM, "%s: no memory", path);
    ms_atomic_file file;
    status = ms_atomic_file_open(&file, path);
    if (status == MS_OK)
        status = ms_atomic_file_write(&file, text, strlen(text));
    if (status == MS_OK)
        status = ms_atomic_file_write(&file, "\n", 1);
    free(text);
    if (status == MS_OK)
        return ms_atomic_file_commit(&file);
    if (file.stream != NULL)
        ms_atomic_file_discard(&file);
    return status;
}

bool ms_toto_layer_is_spacewise(const ms_toto_config *config, int layer)
{
    int every = config->spacewise_every_n_layers;
    if (every < 1)
        return false;
    int position = layer % every;
    return config->spacewise_first ? position == 0 : position == every - 1;
}
