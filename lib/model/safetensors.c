/*
 * safetensors.c - reading the safetensors container: the file is mapped
 * read-only, its JSON header parsed with jansson and every tensor checked
 * against the format's rules before anyone sees a byte of it.
 *
 * Layout: 8-byte little-endian header length N, N bytes of JSON (an object
 * of name -> {"dtype", "shape", "data_offsets": [begin, end]}, plus an
 * optional "__metadata__"), then the data section. Offsets are relative to
 * the data section, and the safetensors specification requires the byte
 * ranges to cover it exactly: no overlap, no gap, nothing after the last
 * tensor. Views stay valid until the file is closed (they point into the
 * mapping); the tensor names belong to the parsed header, kept alive for
 * that reason.
 *
 * The mapping is PROT_READ and MAP_PRIVATE: nothing can write through it,
 * and it shares the page cache, so a file rewritten in place by another
 * process shows through (a truncated one raises SIGBUS on access); files
 * replaced by rename do not. It is populated at once (MAP_POPULATE): the
 * checkpoint reads every byte anyway, and one call that maps the cached
 * pages beats a page fault per 4 KB.
 */
#define _DEFAULT_SOURCE   /* MAP_POPULATE */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core_internal.h"
#include "model/checkpoint.h"

/* The reference implementation refuses headers above 100 MB; a longer one
 * is a corrupt length field, not a real header. */
#define MAX_HEADER_BYTES 100000000ULL

struct ms_safetensors {
    char *path;
    unsigned char *map;
    size_t map_size;
    json_t *header;
    ms_tensor_view *tensors;   /* sorted by data offset */
    size_t count;
};

typedef struct dtype_name {
    const char *name;
    ms_dtype dtype;
    size_t size;
} dtype_name;

static const dtype_name dtypes[] = {
    { "F32", MS_DTYPE_F32, 4 },
    { "F16", MS_DTYPE_F16, 2 },
    { "BF16", MS_DTYPE_BF16, 2 },
    { "I64", MS_DTYPE_I64, 8 },
};

static const dtype_name *find_dtype(const char *name)
{
    for (size_t i = 0; i < MS_ARRAY_LEN(dtypes); i++)
        if (strcmp(dtypes[i].name, name) == 0)
            return &dtypes[i];
    return NULL;
}

static const dtype_name *dtype_info(ms_dtype dtype)
{
    for (size_t i = 0; i < MS_ARRAY_LEN(dtypes); i++)
        if (dtypes[i].dtype == dtype)
            return &dtypes[i];
    return &dtypes[0];
}

void ms_shape_format(char *text, size_t size, size_t ndim, const int64_t *shape)
{
    size_t used = (size_t)snprintf(text, size, "[");
    for (size_t d = 0; d < ndim && used < size; d++)
        used += (size_t)snprintf(text + used, size - used, "%s%lld", d > 0 ? ", " : "",
                                 (long long)shape[d]);
    if (used < size)
        snprintf(text + used, size - used, "]");
}

static ms_status map_file(ms_safetensors *file)
{
    int fd = open(file->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ms_error(MS_ERR_IO, "%s: cannot open: %s", file->path, strerror(errno));
    struct stat info;
    if (fstat(fd, &info) != 0) {
        int error = errno;
        close(fd);
        return ms_error(MS_ERR_IO, "%s: cannot stat: %s", file->path, strerror(error));
    }
    file->map_size = (size_t)info.st_size;
    if (file->map_size < 8) {
        close(fd);
        return ms_error(MS_ERR_MODEL, "%s: %zu bytes, too short for the 8-byte header length",
                        file->path, file->map_size);
    }
    void *map = mmap(NULL, file->map_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    int error = errno;
    close(fd);
    if (map == MAP_FAILED)
        return ms_error(MS_ERR_IO, "%s: cannot map: %s", file->path, strerror(error));
    file->map = map;
    return MS_OK;
}

static uint64_t read_le64(const unsigned char *bytes)
{
    uint64_t value = 0;
    for (int i = 7; i >= 0; i--)
        value = (value << 8) | bytes[i];
    return value;
}

static ms_status parse_header(ms_safetensors *file, size_t *header_bytes)
{
    uint64_t length = read_le64(file->map);
    if (length > file->map_size - 8)
        return ms_error(MS_ERR_MODEL, "%s: header length %llu is beyond the file (%zu bytes)",
                        file->path, (unsigned long long)length, file->map_size);
    if (length > MAX_HEADER_BYTES)
        return ms_error(MS_ERR_MODEL, "%s: header length %llu is absurd (more than %llu bytes)",
                        file->path, (unsigned long long)length, MAX_HEADER_BYTES);
    json_error_t error;
    file->header = json_loadb((const char *)file->map + 8, (size_t)length,
                              JSON_REJECT_DUPLICATES, &error);
    if (file->header == NULL && json_error_code(&error) == json_error_duplicate_key)
        return ms_error(MS_ERR_MODEL, "%s: a tensor is named twice in the header (%s)",
                        file->path, error.text);
    if (file->header == NULL)
        return ms_error(MS_ERR_MODEL, "%s: malformed JSON header: %s (byte %d of the header)",
                        file->path, error.text, error.position);
    if (!json_is_object(file->header))
        return ms_error(MS_ERR_MODEL, "%s: the header is not a JSON object", file->path);
    *header_bytes = (size_t)length;
    return MS_OK;
}

static bool read_offset(const json_t *value, size_t *out)
{
    if (!json_is_integer(value) || json_integer_value(value) < 0)
        return false;
    *out = (size_t)json_integer_value(value);
    return true;
}

static ms_status parse_shape(const ms_safetensors *file, const char *name, const json_t *shape,
                             ms_tensor_view *view)
{
    if (!json_is_array(shape) || json_array_size(shape) > MS_TENSOR_MAX_DIMS)
        return ms_error(MS_ERR_MODEL, "%s: tensor '%s': 'shape' must be an array of at most "
                        "%d non-negative integers", file->path, name, MS_TENSOR_MAX_DIMS);
    view->ndim = json_array_size(shape);
    view->elements = 1;
    for (size_t d = 0; d < view->ndim; d++) {
        size_t dim;
        if (!read_offset(json_array_get(shape, d), &dim))
            return ms_error(MS_ERR_MODEL, "%s: tensor '%s': 'shape' must be an array of at "
                            "most %d non-negative integers", file->path, name,
                            MS_TENSOR_MAX_DIMS);
        view->shape[d] = (int64_t)dim;
        if (dim != 0 && view->elements > SIZE_MAX / dim)
            return ms_error(MS_ERR_MODEL, "%s: tensor '%s': shape overflows", file->path, name);
        view->elements *= dim;
    }
    return MS_OK;
}

/* Checks the byte range [begin, end) of `view` against its shape and the
 * data section, and points the view at it. */
static ms_status place_tensor(const ms_safetensors *file, const char *name, const json_t *offsets,
                              const unsigned char *data, size_t data_bytes, ms_tensor_view *view)
{
    size_t begin, end;
    if (!json_is_array(offsets) || json_array_size(offsets) != 2 ||
        !read_offset(json_array_get(offsets, 0), &begin) ||
        !read_offset(json_array_get(offsets, 1), &end) || begin > end)
        return ms_error(MS_ERR_MODEL, "%s: tensor '%s': 'data_offsets' must be two "
                        "non-negative integers [begin, end] with begin <= end", file->path, name);
    const dtype_name *dtype = dtype_info(view->dtype);
    char shape[128];
    ms_shape_format(shape, sizeof shape, view->ndim, view->shape);
    if (view->elements > SIZE_MAX / dtype->size || view->elements * dtype->size != end - begin)
        return ms_error(MS_ERR_MODEL, "%s: tensor '%s': shape %s of %s does not fill "
                        "data_offsets [%zu, %zu] (%zu bytes)", file->path, name, shape,
                        dtype->name, begin, end, end - begin);
    if (end > data_bytes)
        return ms_error(MS_ERR_MODEL, "%s: tensor '%s': data_offsets [%zu, %zu] are beyond the "
                        "data section (%zu bytes)", file->path, name, begin, end, data_bytes);
    view->data = data + begin;
    view->nbytes = end - begin;
    return MS_OK;
}

static ms_status parse_tensor(const ms_safetensors *file, const char *name, const json_t *entry,
                              const unsigned char *data, size_t data_bytes, ms_tensor_view *view)
{
    if (!json_is_object(entry))
        return ms_error(MS_ERR_MODEL, "%s: tensor '%s': entry is not an object", file->path, name);
    const json_t *dtype_value = json_object_get(entry, "dtype");
    if (!json_is_string(dtype_value))
        return ms_error(MS_ERR_MODEL, "%s: tensor '%s': 'dtype' must be a string",
                        file->path, name);
    const dtype_name *dtype = find_dtype(json_string_value(dtype_value));
    if (dtype == NULL)
        return ms_error(MS_ERR_MODEL, "%s: tensor '%s': dtype '%s' is not supported "
                        "(F32, F16, BF16 or I64)", file->path, name, json_string_value(dtype_value));
    view->name = name;
    view->dtype = dtype->dtype;
    ms_status status = parse_shape(file, name, json_object_get(entry, "shape"), view);
    if (status != MS_OK)
        return status;
    return place_tensor(file, name, json_object_get(entry, "data_offsets"), data, data_bytes,
                        view);
}

static int compare_by_offset(const void *a, const void *b)
{
    const ms_tensor_view *left = a, *right = b;
    if (left->data != right->data)
        return (const unsigned char *)left->data < (const unsigned char *)right->data ? -1 : 1;
    return (left->nbytes > right->nbytes) - (left->nbytes < right->nbytes);
}

/* The sorted byte ranges must tile the data section: each tensor starts
 * where the previous one ends, the first at 0, the last at the end. */
static ms_status check_coverage(const ms_safetensors *file, const unsigned char *data,
                                size_t data_bytes)
{
    const unsigned char *expected = data;
    const char *previous = NULL;
    for (size_t i = 0; i < file->count; i++) {
        const ms_tensor_view *view = &file->tensors[i];
        const unsigned char *begin = view->data;
        if (begin < expected)
            return ms_error(MS_ERR_MODEL, "%s: tensors '%s' and '%s' overlap in the data "
                            "section", file->path, previous, view->name);
        if (begin > expected && previous == NULL)
            return ms_error(MS_ERR_MODEL, "%s: %zu bytes before tensor '%s' belong to no "
                            "tensor", file->path, (size_t)(begin - expected), view->name);
        if (begin > expected)
            return ms_error(MS_ERR_MODEL, "%s: %zu bytes between tensors '%s' and '%s' belong "
                            "to no tensor", file->path, (size_t)(begin - expected), previous,
                            view->name);
        expected = begin + view->nbytes;
        previous = view->name;
    }
    size_t trailing = (size_t)(data + data_bytes - expected);
    if (trailing > 0 && previous == NULL)
        return ms_error(MS_ERR_MODEL, "%s: the data section holds %zu bytes but no tensor",
                        file->path, trailing);
    if (trailing > 0)
        return ms_error(MS_ERR_MODEL, "%s: %zu bytes after tensor '%s' belong to no tensor",
                        file->path, trailing, previous);
    return MS_OK;
}

static ms_status parse_tensors(ms_safetensors *file, size_t header_bytes)
{
    const unsigned char *data = file->map + 8 + header_bytes;
    size_t data_bytes = file->map_size - 8 - header_bytes;
    size_t entries = json_object_size(file->header);
    file->tensors = calloc(entries > 0 ? entries : 1, sizeof *file->tensors);
    if (file->tensors == NULL)
        return ms_error(MS_ERR_NOMEM, "%s: no memory for %zu tensors", file->path, entries);
    const char *name;
    json_t *entry;
    json_object_foreach(file->header, name, entry) {
        if (strcmp(name, "__metadata__") == 0) {
            if (!json_is_object(entry))
                return ms_error(MS_ERR_MODEL, "%s: '__metadata__' is not an object", file->path);
            continue;
        }
        ms_status status = parse_tensor(file, name, entry, data, data_bytes,
                                        &file->tensors[file->count]);
        if (status != MS_OK)
            return status;
        file->count++;
    }
    qsort(file->tensors, file->count, sizeof *file->tensors, compare_by_offset);
    return check_coverage(file, data, data_bytes);
}

ms_status ms_safetensors_open(ms_safetensors **out, const char *path)
{
    if (out == NULL || path == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_safetensors_open: out and path must not be NULL");
    *out = NULL;
    ms_safetensors *file = calloc(1, sizeof *file);
    if (file == NULL || (file->path = ms_strdup(path)) == NULL) {
        free(file);
        return ms_error(MS_ERR_NOMEM, "%s: no memory", path);
    }
    size_t header_bytes = 0;
    ms_status status = map_file(file);
    if (status == MS_OK)
        status = parse_header(file, &header_bytes);
    if (status == MS_OK)
        status = parse_tensors(file, header_bytes);
    if (status != MS_OK) {
        ms_safetensors_close(file);
        return status;
    }
    *out = file;
    return MS_OK;
}

void ms_safetensors_close(ms_safetensors *file)
{
    if (file == NULL)
        return;
    if (file->map != NULL)
        munmap(file->map, file->map_size);
    json_decref(file->header);
    free(file->tensors);
    free(file->path);
    free(file);
}

size_t ms_safetensors_count(const ms_safetensors *file)
{
    return file->count;
}

const ms_tensor_view *ms_safetensors_at(const ms_safetensors *file, size_t index)
{
    return index < file->count ? &file->tensors[index] : NULL;
}

/* A linear scan: checkpoints hold a few hundred tensors, looked up once. */
const ms_tensor_view *ms_safetensors_find(const ms_safetensors *file, const char *name)
{
    for (size_t i = 0; i < file->count; i++)
        if (strcmp(file->tensors[i].name, name) == 0)
            return &file->tensors[i];
    return NULL;
}
