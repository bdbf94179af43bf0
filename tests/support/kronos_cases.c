/*
 * kronos_cases.c - reading tests/fixtures/kronos-tiny/expected.json for the
 * Kronos suites (test_kronos_fixture.c, test_kronos_predict.c): the
 * network loaded once, arrays by dotted path, comparisons under the
 * fixture's tolerances, a case's inputs as bars.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "support/kronos_cases.h"

static kronos_fixture_state loaded;

kronos_fixture_state *kronos_fixture(void)
{
    if (loaded.kronos != NULL)
        return &loaded;
    const char *source = getenv("MARKETSIM_SOURCE_DIR");
    if (source == NULL)
        skip();
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/tests/fixtures/kronos-tiny", source);
    snprintf(path, sizeof path, "%s/expected.json", dir);
    json_error_t error;
    loaded.expected = json_load_file(path, 0, &error);
    assert_non_null(loaded.expected);
    ms_kronos_checkpoint *checkpoint = NULL;
    assert_int_equal(ms_kronos_checkpoint_open_pair(&checkpoint, dir), MS_OK);
    assert_int_equal(ms_kronos_open(&loaded.kronos, checkpoint), MS_OK);
    ms_kronos_checkpoint_close(checkpoint);
    return &loaded;
}

/* A node by a dotted path of object keys (digits index arrays). */
json_t *kronos_lookup(json_t *node, const char *path)
{
    char key[128];
    while (node != NULL && *path != '\0') {
        size_t length = strcspn(path, ".");
        snprintf(key, sizeof key, "%.*s", (int)length, path);
        node = json_is_array(node) ? json_array_get(node, strtoul(key, NULL, 10))
                                   : json_object_get(node, key);
        path += length + (path[length] == '.');
    }
    assert_non_null(node);
    return node;
}

json_t *kronos_case(const char *name)
{
    return kronos_lookup(json_object_get(kronos_fixture()->expected, "cases"), name);
}

size_t kronos_count(json_t *array_node)
{
    return json_array_size(json_object_get(array_node, "data"));
}

float *kronos_floats(json_t *array_node)
{
    json_t *data = json_object_get(array_node, "data");
    float *values = malloc((json_array_size(data) + 1) * sizeof *values);
    for (size_t i = 0; i < json_array_size(data); i++)
        values[i] = (float)json_number_value(json_array_get(data, i));
    return values;
}

int64_t *kronos_longs(json_t *array_node)
{
    json_t *data = json_object_get(array_node, "data");
    int64_t *values = malloc((json_array_size(data) + 1) * sizeof *values);
    for (size_t i = 0; i < json_array_size(data); i++)
        values[i] = (int64_t)json_integer_value(json_array_get(data, i));
    return values;
}

size_t kronos_dim(json_t *array_node, size_t index)
{
    return (size_t)json_integer_value(json_array_get(json_object_get(array_node, "shape"),
                                                     index));
}


kronos_tolerance kronos_tolerance_of(const char *key)
{
    json_t *pair = json_object_get(kronos_lookup(kronos_fixture()->expected, "tolerances"), key);
    assert_non_null(pair);
    kronos_tolerance t = { json_number_value(json_array_get(pair, 0)),
                    json_number_value(json_array_get(pair, 1)) };
    return t;
}

void kronos_compare_floats(const char *name, const float *port, json_t *reference,
                           kronos_tolerance t)
{
    float *ref = kronos_floats(reference);
    size_t count = kronos_count(reference), failures = 0;
    assert_true(count > 0);
    double worst = 0.0;
    for (size_t i = 0; i < count; i++) {
        double error = fabs((double)port[i] - ref[i]);
        double allowed = t.atol + t.rtol * fabs(ref[i]);
        failures += !(error <= allowed);
        worst = fmax(worst, error / allowed);
    }
    print_message("%-48s n=%-5zu worst %.3g of tolerance\n", name, count, worst);
    free(ref);
    assert_int_equal(failures, 0);
}

void kronos_compare_ids(const char *name, const int64_t *port, json_t *reference)
{
    int64_t *ref = kronos_longs(reference);
    size_t count = kronos_count(reference), differing = 0;
    for (size_t i = 0; i < count; i++)
        differing += port[i] != ref[i];
    print_message("%-48s n=%-5zu %zu differ\n", name, count, differing);
    free(ref);
    assert_int_equal(differing, 0);
}

static int64_t *times_of(json_t *list)
{
    int64_t *seconds = malloc((json_array_size(list) + 1) * sizeof *seconds);
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *text = json_string_value(json_array_get(list, i)), *reason = NULL;
        assert_true(ms_parse_utc_time(text, strlen(text), &seconds[i], &reason));
    }
    return seconds;
}

kronos_case_bars kronos_bars_of(json_t *inputs)
{
    static const char *const names[MS_KRONOS_FEATURES] = { "open", "high", "low", "close",
                                                           "volume", "amount" };
    kronos_case_bars c;
    memset(&c, 0, sizeof c);
    json_t *frame = json_object_get(inputs, "df");
    for (size_t f = 0; f < MS_KRONOS_FEATURES; f++) {
        json_t *column = json_object_get(frame, names[f]);
        if (column == NULL)
            continue;
        json_t *data = json_object_get(column, "data");
        c.columns[f] = malloc(json_array_size(data) * sizeof(double));
        for (size_t t = 0; t < json_array_size(data); t++)
            c.columns[f][t] = json_number_value(json_array_get(data, t));
        c.bars.length = json_array_size(data);
    }
    c.timestamps = times_of(json_object_get(inputs, "x_timestamp"));
    c.future = times_of(json_object_get(inputs, "y_timestamp"));
    c.bars.open = c.columns[0], c.bars.high = c.columns[1], c.bars.low = c.columns[2];
    c.bars.close = c.columns[3], c.bars.volume = c.columns[4], c.bars.amount = c.columns[5];
    c.bars.timestamps = c.timestamps;
    c.bars.future = c.future;
    return c;
}

void kronos_free_bars(kronos_case_bars *c)
{
    for (size_t f = 0; f < MS_KRONOS_FEATURES; f++)
        free(c->columns[f]);
    free(c->timestamps), free(c->future);
}

/* outputs.pred's rule: rtol 2e-5 and atol 1e-5 x (x_std + 1e-5) per column. */

void kronos_fixture_release(void)
{
    ms_kronos_free(loaded.kronos);
    json_decref(loaded.expected);
    memset(&loaded, 0, sizeof loaded);
}
