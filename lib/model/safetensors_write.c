/*
 * safetensors_write.c - writing float32 tensors as one safetensors file, the
 * way the Python library does: "__metadata__" first, tensors packed in the
 * order given, the JSON header padded with spaces so the data section
 * starts 8-byte aligned (readers may then use the floats in place).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "model/checkpoint.h"

static size_t tensor_elements(const ms_tensor_out *tensor)
{
    size_t elements = 1;
    for (size_t d = 0; d < tensor->ndim; d++)
        elements *= (size_t)tensor->shape[d];
    return elements;
}

static ms_status check_tensor(const ms_tensor_out *tensor, size_t index)
{
    if (tensor->name == NULL || tensor->name[0] == '\0' ||
        strcmp(tensor->name, "__metadata__") == 0)
        return ms_error(MS_ERR_INVALID_ARG, "safetensors: tensor %zu has no usable name", index);
    if (tensor->ndim > MS_TENSOR_MAX_DIMS)
        return ms_error(MS_ERR_INVALID_ARG, "safetensors: tensor '%s' has %zu dimensions "
                        "(at most %d)", tensor->name, tensor->ndim, MS_TENSOR_MAX_DIMS);
    size_t elements = 1;
    for (size_t d = 0; d < tensor->ndim; d++) {
        size_t dim = (size_t)tensor->shape[d];
        if (tensor->shape[d] < 0 || (dim != 0 && elements > SIZE_MAX / 4 / dim))
            return ms_error(MS_ERR_INVALID_ARG, "safetensors: tensor '%s': dimension %zu is "
                            "negative or too large", tensor->name, d);
        elements *= dim;
    }
    if (elements > 0 && tensor->data == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "safetensors: tensor '%s' has no data",
                        tensor->name);
    return MS_OK;
}

static json_t *tensor_entry(const ms_tensor_out *tensor, size_t begin, size_t end)
{
    json_t *shape = json_array();
    for (size_t d = 0; d < tensor->ndim; d++)
        json_array_append_new(shape, json_integer(tensor->shape[d]));
    return json_pack("{s:s,s:o,s:[I,I]}", "dtype", "F32", "shape", shape, "data_offsets",
                     (json_int_t)begin, (json_int_t)end);
}

/* The header JSON, without padding. */
static ms_status build_header(const ms_tensor_out *tensors, size_t count, char **out)
{
    json_t *header = json_pack("{s:{s:s}}", "__metadata__", "format", "pt");
    size_t offset = 0;
    ms_status status = header != NULL ? MS_OK : ms_error(MS_ERR_NOMEM, "safetensors: no memory");
    for (size_t i = 0; i < count && status == MS_OK; i++) {
        size_t elements = tensor_elements(&tensors[i]);
        status = check_tensor(&tensors[i], i);
        if (status == MS_OK && json_object_get(header, tensors[i].name) != NULL)
            status = ms_error(MS_ERR_INVALID_ARG, "safetensors: tensor '%s' given twice",
                              tensors[i].name);
        if (status == MS_OK &&
            json_object_set_new(header, tensors[i].name,
                                tensor_entry(&tensors[i], offset, offset + 4 * elements)) != 0)
            status = ms_error(MS_ERR_NOMEM, "safetensors: no memory");
        offset += 4 * elements;
    }
    if (status == MS_OK && (*out = json_dumps(header, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL)
        status = ms_error(MS_ERR_NOMEM, "safetensors: no memory");
    json_decref(header);
    return status;
}

static ms_status write_header(ms_atomic_file *file, const char *header)
{
    size_t length = strlen(header);
    size_t padded = (length + 7) / 8 * 8;
    unsigned char prefix[8];
    for (int i = 0; i < 8; i++)
        prefix[i] = (unsigned char)((uint64_t)padded >> (8 * i));
    static const char spaces[8] = "        ";
    ms_status status = ms_atomic_file_write(file, prefix, sizeof prefix);
    if (status == MS_OK)
        status = ms_atomic_file_write(file, header, length);
    if (status == MS_OK)
        status = ms_atomic_file_write(file, spaces, padded - length);
    return status;
}

/* The elements as little-endian bytes, whatever the host's order. */
static ms_status write_floats(ms_atomic_file *file, const float *values, size_t count)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return ms_atomic_file_write(file, values, count * sizeof *values);
#else
    ms_status status = MS_OK;
    for (size_t i = 0; i < count && status == MS_OK; i++) {
        uint32_t bits;
        memcpy(&bits, &values[i], sizeof bits);
        unsigned char bytes[4] = { (unsigned char)bits, (unsigned char)(bits >> 8),
                                   (unsigned char)(bits >> 16), (unsigned char)(bits >> 24) };
        status = ms_atomic_file_write(file, bytes, sizeof bytes);
    }
    return status;
#endif
}

ms_status ms_safetensors_write(const char *path, const ms_tensor_out *tensors, size_t count)
{
    if (path == NULL || (tensors == NULL && count > 0))
        return ms_error(MS_ERR_INVALID_ARG, "ms_safetensors_write: path and tensors must not "
                        "be NULL");
    char *header = NULL;
    ms_status status = build_header(tensors, count, &header);
    if (status != MS_OK)
        return status;
    ms_atomic_file file;
    status = ms_atomic_file_open(&file, path);
    if (status == MS_OK)
        status = write_header(&file, header);
    for (size_t i = 0; i < count && status == MS_OK; i++) {
        status = write_floats(&file, tensors[i].data, tensor_elements(&tensors[i]));
    }
    free(header);
    if (status == MS_OK)
        return ms_atomic_file_commit(&file);
    if (file.stream != NULL)
        ms_atomic_file_discard(&file);
    return status;
}
