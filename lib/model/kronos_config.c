/*
 * kronos_config.c - the tokenizer's and the model's config.json (the
 * constructors' keyword arguments, as PyTorchModelHubMixin writes them):
 * reading and validating both with one table-driven reader.
 *
 * Every key is required and an unknown key is an error: from_pretrained
 * calls cls(**config), which has no defaults for these arguments and raises
 * on an unexpected one, and a key this port does not know may change the
 * architecture it would silently ignore.
 */
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "core/core_internal.h"
#include "model/kronos_checkpoint.h"

/* Bounds sizes so element counts fit in size_t with room to spare. */
#define MAX_SIZE 65536
/* Vocabularies are 2^bits rows; the published models use 10 bits. */
#define MAX_BITS 20

typedef enum field_kind { FIELD_INT, FIELD_NUMBER, FIELD_BOOL } field_kind;

typedef struct config_field {
    const char *key;
    field_kind kind;
    size_t offset;
    bool is_size;    /* FIELD_INT checked against 1..MAX_SIZE */
} config_field;

#define TOKENIZER_FIELD(key, kind, size) { #key, kind, offsetof(ms_kronos_tokenizer_config, key), size }
#define MODEL_FIELD(key, kind, size) { #key, kind, offsetof(ms_kronos_model_config, key), size }

static const config_field tokenizer_fields[] = {
    TOKENIZER_FIELD(d_in, FIELD_INT, true),
    TOKENIZER_FIELD(d_model, FIELD_INT, true),
    TOKENIZER_FIELD(n_heads, FIELD_INT, true),
    TOKENIZER_FIELD(ff_dim, FIELD_INT, true),
    TOKENIZER_FIELD(n_enc_layers, FIELD_INT, true),
    TOKENIZER_FIELD(n_dec_layers, FIELD_INT, true),
    TOKENIZER_FIELD(s1_bits, FIELD_INT, true),
    TOKENIZER_FIELD(s2_bits, FIELD_INT, true),
    TOKENIZER_FIELD(group_size, FIELD_INT, true),
    TOKENIZER_FIELD(ffn_dropout_p, FIELD_NUMBER, false),
    TOKENIZER_FIELD(attn_dropout_p, FIELD_NUMBER, false),
    TOKENIZER_FIELD(resid_dropout_p, FIELD_NUMBER, false),
    TOKENIZER_FIELD(beta, FIELD_NUMBER, false),
    TOKENIZER_FIELD(gamma0, FIELD_NUMBER, false),
    TOKENIZER_FIELD(gamma, FIELD_NUMBER, false),
    TOKENIZER_FIELD(zeta, FIELD_NUMBER, false),
};

static const config_field model_fields[] = {
    MODEL_FIELD(s1_bits, FIELD_INT, true),
    MODEL_FIELD(s2_bits, FIELD_INT, true),
    MODEL_FIELD(n_layers, FIELD_INT, true),
    MODEL_FIELD(d_model, FIELD_INT, true),
    MODEL_FIELD(n_heads, FIELD_INT, true),
    MODEL_FIELD(ff_dim, FIELD_INT, true),
    MODEL_FIELD(learn_te, FIELD_BOOL, false),
    MODEL_FIELD(ffn_dropout_p, FIELD_NUMBER, false),
    MODEL_FIELD(attn_dropout_p, FIELD_NUMBER, false),
    MODEL_FIELD(resid_dropout_p, FIELD_NUMBER, false),
    MODEL_FIELD(token_dropout_p, FIELD_NUMBER, false),
};

static ms_status read_field(const char *source, const config_field *field, const json_t *value,
                            void *config)
{
    void *slot = (char *)config + field->offset;
    switch (field->kind) {
    case FIELD_INT: {
        json_int_t number = json_is_integer(value) ? json_integer_value(value) : 0;
        if (!json_is_integer(value))
            return ms_error(MS_ERR_MODEL, "%s: key '%s' must be an integer", source, field->key);
        if (field->is_size && (number < 1 || number > MAX_SIZE))
            return ms_error(MS_ERR_MODEL, "%s: key '%s' is %lld; expected 1 to %d", source,
                            field->key, (long long)number, MAX_SIZE);
        *(int *)slot = (int)number;
        return MS_OK;
    }
    case FIELD_NUMBER:
        if (!json_is_number(value) || !isfinite(json_number_value(value)))
            return ms_error(MS_ERR_MODEL, "%s: key '%s' must be a finite number", source,
                            field->key);
        *(double *)slot = json_number_value(value);
        return MS_OK;
    case FIELD_BOOL:
        if (!json_is_boolean(value))
            return ms_error(MS_ERR_MODEL, "%s: key '%s' must be true or false", source,
                            field->key);
        *(bool *)slot = json_is_true(value);
        return MS_OK;
    }
    return ms_error(MS_ERR_INTERNAL, "%s: key '%s' has no reader", source, field->key);
}

/* Fills `config` from the object `root` through `fields`: every field
 * required, every key of the file a field. */
static ms_status read_fields(const char *source, const json_t *root, const config_field *fields,
                             size_t count, void *config)
{
    if (!json_is_object(root))
        return ms_error(MS_ERR_MODEL, "%s: not a JSON object", source);
    for (size_t i = 0; i < count; i++) {
        const json_t *value = json_object_get(root, fields[i].key);
        if (value == NULL)
            return ms_error(MS_ERR_MODEL, "%s: missing key '%s'", source, fields[i].key);
        ms_status status = read_field(source, &fields[i], value, config);
        if (status != MS_OK)
            return status;
    }
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)root, key, value) {
        bool known = false;
        for (size_t i = 0; i < count && !known; i++)
            known = strcmp(fields[i].key, key) == 0;
        if (!known)
            return ms_error(MS_ERR_MODEL, "%s: unknown key '%s' (this port implements the "
                            "official constructor's arguments only)", source, key);
    }
    return MS_OK;
}

static ms_status check_dropout(const char *source, const char *key, double value)
{
    if (value >= 0.0 && value < 1.0)
        return MS_OK;
    return ms_error(MS_ERR_MODEL, "%s: key '%s' is %g; expected 0 <= p < 1", source, key, value);
}

static ms_status check_bits(const char *source, int s1_bits, int s2_bits)
{
    if (s1_bits > MAX_BITS || s2_bits > MAX_BITS)
        return ms_error(MS_ERR_MODEL, "%s: s1_bits %d / s2_bits %d: at most %d bits each",
                        source, s1_bits, s2_bits, MAX_BITS);
    return MS_OK;
}

/* d_model split in `heads` heads of an even size (rotate-half RoPE pairs
 * the two halves of each head). */
static ms_status check_heads(const char *source, const char *what, int d_model, int heads)
{
    if (d_model % heads != 0 || (d_model / heads) % 2 != 0)
        return ms_error(MS_ERR_MODEL, "%s: d_model %d cannot be split into %d %s heads of an "
                        "even size", source, d_model, heads, what);
    return MS_OK;
}

static ms_status parse_root(const char *text, size_t len, const char *source, json_t **root)
{
    json_error_t error;
    *root = json_loadb(text, len, 0, &error);
    if (*root == NULL)
        return ms_error(MS_ERR_MODEL, "%s: malformed JSON: %s (line %d, column %d)", source,
                        error.text, error.line, error.column);
    return MS_OK;
}

static ms_status check_tokenizer(const char *source, const ms_kronos_tokenizer_config *c)
{
    if (c->d_in != MS_KRONOS_FEATURES)
        return ms_error(MS_ERR_MODEL, "%s: key 'd_in' is %d; the predictor feeds %d columns "
                        "(open, high, low, close, volume, amount)", source, c->d_in,
                        MS_KRONOS_FEATURES);
    const struct { const char *key; double value; } dropouts[] = {
        { "ffn_dropout_p", c->ffn_dropout_p }, { "attn_dropout_p", c->attn_dropout_p },
        { "resid_dropout_p", c->resid_dropout_p },
    };
    ms_status status = check_heads(source, "attention", c->d_model, c->n_heads);
    for (size_t i = 0; i < MS_ARRAY_LEN(dropouts) && status == MS_OK; i++)
        status = check_dropout(source, dropouts[i].key, dropouts[i].value);
    return status == MS_OK ? check_bits(source, c->s1_bits, c->s2_bits) : status;
}

ms_status ms_kronos_tokenizer_config_parse(const char *text, size_t len, const char *source_name,
                                           ms_kronos_tokenizer_config *out)
{
    const char *source = source_name != NULL ? source_name : "tokenizer config.json";
    json_t *root = NULL;
    ms_kronos_tokenizer_config config;
    memset(&config, 0, sizeof config);
    ms_status status = parse_root(text, len, source, &root);
    if (status == MS_OK)
        status = read_fields(source, root, tokenizer_fields, MS_ARRAY_LEN(tokenizer_fields),
                             &config);
    if (status == MS_OK)
        status = check_tokenizer(source, &config);
    if (status == MS_OK)
        *out = config;
    json_decref(root);
    return status;
}

static ms_status check_model(const char *source, const ms_kronos_model_config *c)
{
    const struct { const char *key; double value; } dropouts[] = {
        { "ffn_dropout_p", c->ffn_dropout_p }, { "attn_dropout_p", c->attn_dropout_p },
        { "resid_dropout_p", c->resid_dropout_p }, { "token_dropout_p", c->token_dropout_p },
    };
    ms_status status = check_heads(source, "attention", c->d_model, c->n_heads);
    if (status == MS_OK)
        status = check_heads(source, "dependency-layer", c->d_model, MS_KRONOS_DEPENDENCY_HEADS);
    for (size_t i = 0; i < MS_ARRAY_LEN(dropouts) && status == MS_OK; i++)
        status = check_dropout(source, dropouts[i].key, dropouts[i].value);
    return status == MS_OK ? check_bits(source, c->s1_bits, c->s2_bits) : status;
}

ms_status ms_kronos_model_config_parse(const char *text, size_t len, const char *source_name,
                                       ms_kronos_model_config *out)
{
    const char *source = source_name != NULL ? source_name : "model config.json";
    json_t *root = NULL;
    ms_kronos_model_config config;
    memset(&config, 0, sizeof config);
    ms_status status = parse_root(text, len, source, &root);
    if (status == MS_OK)
        status = read_fields(source, root, model_fields, MS_ARRAY_LEN(model_fields), &config);
    if (status == MS_OK)
        status = check_model(source, &config);
    if (status == MS_OK)
        *out = config;
    json_decref(root);
    return status;
}
