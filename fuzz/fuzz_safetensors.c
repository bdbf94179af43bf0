/*
 * fuzz_safetensors.c - feeds arbitrary bytes, as a whole .safetensors
 * file (8-byte header length, JSON header, data section), to
 * ms_safetensors_open; the file is an in-memory file (fuzz_input_file)
 * because the reader maps a path.
 *
 * Asserts, besides no crash, leak or undefined behaviour, what
 * checkpoint.h promises of a file it opens: every view's byte count is
 * its element count times its dtype's size, the views tile the data
 * section exactly (the sum of their bytes is what follows the header),
 * each name finds its own view, and every element converts to float32
 * (which reads every byte of every view, so a view that pointed outside
 * the mapping would be caught by ASan).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"
#include "model/checkpoint.h"

static size_t dtype_size(ms_dtype dtype)
{
    return dtype == MS_DTYPE_F32 ? 4 : 2;
}

static uint64_t header_length(const uint8_t *data)
{
    uint64_t length = 0;
    for (int i = 7; i >= 0; i--)
        length = (length << 8) | data[i];
    return length;
}

static void check_tensor(const ms_safetensors *file, const ms_tensor_view *view)
{
    FUZZ_CHECK(view->ndim <= MS_TENSOR_MAX_DIMS);
    size_t elements = 1;
    for (size_t d = 0; d < view->ndim; d++) {
        FUZZ_CHECK(view->shape[d] >= 0);
        elements *= (size_t)view->shape[d];
    }
    FUZZ_CHECK(elements == view->elements);
    FUZZ_CHECK(view->nbytes == view->elements * dtype_size(view->dtype));
    FUZZ_CHECK(ms_safetensors_find(file, view->name) == view);
    float *values = malloc(view->elements > 0 ? view->elements * sizeof *values : 1);
    FUZZ_CHECK(values != NULL);
    ms_tensor_to_f32(view, values);
    free(values);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ms_safetensors *file = NULL;
    if (ms_safetensors_open(&file, fuzz_input_file(data, size)) != MS_OK)
        return 0;
    size_t tensor_bytes = 0;
    for (size_t i = 0; i < ms_safetensors_count(file); i++) {
        const ms_tensor_view *view = ms_safetensors_at(file, i);
        check_tensor(file, view);
        tensor_bytes += view->nbytes;
    }
    FUZZ_CHECK(ms_safetensors_at(file, ms_safetensors_count(file)) == NULL);
    FUZZ_CHECK(size >= 8 && tensor_bytes == size - 8 - header_length(data));
    ms_safetensors_close(file);
    return 0;
}
