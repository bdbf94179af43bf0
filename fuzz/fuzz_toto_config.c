/*
 * fuzz_toto_config.c - feeds arbitrary bytes to ms_toto_config_parse, the
 * in-memory form of the Toto config.json reader.
 *
 * Asserts, besides no crash, leak or undefined behaviour: a config the
 * parser accepts passes ms_toto_config_check (the reader validates what it
 * returns), and, for configs small enough to list quickly, the tensors it
 * implies are listed without error, each with an element count equal to
 * the product of its shape, summing to ms_toto_config_parameters.
 */
#include <stdlib.h>

#include "fuzz_support.h"
#include "model/checkpoint.h"

/* Listing the tensors of a 65536-layer config allocates hundreds of MB
 * per input; the arithmetic being checked is the same for small ones. */
#define MAX_LISTED_LAYERS 64

static void check_tensor_specs(const ms_toto_config *config)
{
    ms_toto_tensor_spec *specs = NULL;
    size_t count = 0;
    FUZZ_CHECK(ms_toto_tensor_specs(config, &specs, &count) == MS_OK);
    FUZZ_CHECK(count > 0);
    size_t parameters = 0;
    for (size_t i = 0; i < count; i++) {
        FUZZ_CHECK(specs[i].ndim == 1 || specs[i].ndim == 2);
        size_t elements = 1;
        for (size_t d = 0; d < specs[i].ndim; d++) {
            FUZZ_CHECK(specs[i].shape[d] >= 1);
            elements *= (size_t)specs[i].shape[d];
        }
        FUZZ_CHECK(elements == specs[i].elements);
        parameters += elements;
    }
    FUZZ_CHECK(parameters == ms_toto_config_parameters(config));
    free(specs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ms_toto_config config;
    if (ms_toto_config_parse((const char *)data, size, "fuzz/config.json", &config) != MS_OK)
        return 0;
    FUZZ_CHECK(ms_toto_config_check(&config, "fuzz/config.json") == MS_OK);
    if (config.num_layers <= MAX_LISTED_LAYERS)
        check_tensor_specs(&config);
    return 0;
}
