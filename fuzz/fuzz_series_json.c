/*
 * fuzz_series_json.c - feeds arbitrary bytes, as the file of `marketsim
 * forecast --series-json`, to series_input_from_json (cli/series_input.c,
 * linked in); the file is an in-memory file (fuzz_input_file) because the
 * reader takes a path.
 *
 * Asserts, besides no crash, leak or undefined behaviour, what
 * series_input.h promises of a series it accepts: at least one variate of
 * at least one value, every value finite; and that a refusal leaves the
 * output empty (values NULL, sizes 0).
 */
#include <math.h>
#include <stdlib.h>

#include "fuzz_support.h"
#include "series_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    series_input series;
    if (!series_input_from_json(fuzz_input_file(data, size), &series)) {
        FUZZ_CHECK(series.values == NULL && series.variates == 0 && series.length == 0);
        return 0;
    }
    FUZZ_CHECK(series.values != NULL && series.variates >= 1 && series.length >= 1);
    for (size_t i = 0; i < series.variates * series.length; i++)
        FUZZ_CHECK(isfinite(series.values[i]));
    free(series.values);
    return 0;
}
