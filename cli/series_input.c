/* series_input.c - see series_input.h. */
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "marketsim/model.h"
#include "series_input.h"

static bool fail(const char *path, const char *what)
{
    fprintf(stderr, "marketsim forecast: %s: %s\n", path, what);
    return false;
}

/* Every row an array as long as row 0, checked before anything is
 * allocated: a file of one long row and many empty ones must not size a
 * buffer of rows x that length. */
static bool check_shape(const char *path, json_t *rows, series_input *out)
{
    char message[256];
    out->variates = json_array_size(rows);
    out->length = json_array_size(json_array_get(rows, 0));
    if (out->variates == 0 || out->length == 0)
        return fail(path, "\"series\" needs at least one variate with at least one value");
    for (size_t v = 0; v < out->variates; v++) {
        json_t *row = json_array_get(rows, v);
        if (!json_is_array(row) || json_array_size(row) != out->length) {
            snprintf(message, sizeof message, "series[%zu] is not an array of %zu values like series[0]",
                     v, out->length);
            return fail(path, message);
        }
    }
    return true;
}

/* Where the context starts in a series of `length` values: the model
 * takes at most MS_MODEL_MAX_CONTEXT (model.h), so a longer history is cut
 * to its newest values with a note rather than refused. */
static size_t first_kept(const char *what, size_t length)
{
    if (length <= MS_MODEL_MAX_CONTEXT)
        return 0;
    fprintf(stderr, "marketsim forecast: %s: %zu values per variate, more than the maximum "
            "context of %d: using the newest %d\n", what, length, MS_MODEL_MAX_CONTEXT,
            MS_MODEL_MAX_CONTEXT);
    return length - MS_MODEL_MAX_CONTEXT;
}

/* Every value is checked, dropped ones too: a file is valid or not as a
 * whole. */
static bool read_rows(const char *path, json_t *rows, series_input *out)
{
    char message[256];
    if (!check_shape(path, rows, out))
        return false;
    size_t first = first_kept(path, out->length), kept = out->length - first;
    out->values = malloc(out->variates * kept * sizeof *out->values);
    if (out->values == NULL)
        return fail(path, "out of memory");
    for (size_t v = 0; v < out->variates; v++) {
        json_t *row = json_array_get(rows, v);
        for (size_t t = 0; t < out->length; t++) {
            json_t *value = json_array_get(row, t);
            double number = json_number_value(value);
            if (!json_is_number(value) || !isfinite(number)) {
                snprintf(message, sizeof message, "series[%zu][%zu] is not a finite number", v, t);
                return fail(path, message);
            }
            if (t >= first)
                out->values[v * kept + (t - first)] = number;
        }
    }
    out->length = kept;
    return true;
}

bool series_input_from_json(const char *path, series_input *out)
{
    json_error_t error;
    *out = (series_input){ 0 };
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &error);
    /* Jansson has no position (line -1) when the file cannot be read at
     * all; its text then names the path and the reason. */
    if (root == NULL && error.line < 1)
        fprintf(stderr, "marketsim forecast: %s\n", error.text);
    else if (root == NULL)
        fprintf(stderr, "marketsim forecast: %s:%d:%d: %s\n", path, error.line, error.column, error.text);
    if (root == NULL)
        return false;
    json_t *rows = json_object_get(root, "series");
    bool ok = json_is_array(rows) ? read_rows(path, rows, out)
                                  : fail(path, "expected an object with \"series\": [[...], ...]");
    json_decref(root);
    if (!ok) {
        free(out->values);
        *out = (series_input){ 0 };
    }
    return ok;
}

bool series_input_from_bars(const ms_bars *bars, ms_column column, bool levels,
                            series_input *out)
{
    const double *prices = ms_bars_column(bars, column);
    size_t n = ms_bars_len(bars);
    size_t length = levels ? n : n - 1;
    if (length == 0) {
        fprintf(stderr, "marketsim forecast: %s has one bar: no percent change to forecast from\n",
                ms_bars_symbol(bars));
        return false;
    }
    size_t first = first_kept(ms_bars_symbol(bars), length);
    *out = (series_input){ .variates = 1, .length = length - first };
    out->values = malloc(out->length * sizeof *out->values);
    if (out->values == NULL)
        return fail(ms_bars_symbol(bars), "out of memory");
    for (size_t t = first; t < length; t++)
        out->values[t - first] = levels ? prices[t] : prices[t + 1] / prices[t] - 1.0;
    return true;
}
