/*
 * kronos_cases.h - the kronos-tiny fixture (tests/fixtures/kronos-tiny) for
 * the Kronos suites: the official arrays of expected.json by dotted path,
 * element-wise comparisons under the fixture's tolerances ([rtol, atol]:
 * |port - ref| <= atol + rtol |ref|, each printing its worst error in
 * tolerance units), and a predict case's inputs as ms_kronos_bars.
 */
#ifndef MS_TEST_KRONOS_CASES_H
#define MS_TEST_KRONOS_CASES_H

#include <jansson.h>
#include <stdint.h>

#include "model/kronos/kronos_internal.h"

typedef struct kronos_fixture_state {
    json_t *expected;
    ms_kronos *kronos;
} kronos_fixture_state;

/* expected.json and the network, loaded once; skips the test outside
 * `make test` (no MARKETSIM_SOURCE_DIR). */
kronos_fixture_state *kronos_fixture(void);
/* Frees what kronos_fixture loaded (nothing if it never ran). */
void kronos_fixture_release(void);

/* A node by a dotted path of object keys (digits index arrays); fails the
 * test when absent. */
json_t *kronos_lookup(json_t *node, const char *path);
/* cases.<name>. */
json_t *kronos_case(const char *name);

/* An array node's element count, shape[index], and its data as malloc'ed
 * float32 (bit-exact: the file holds exact float32 decimals) or int64. */
size_t kronos_count(json_t *array_node);
size_t kronos_dim(json_t *array_node, size_t index);
float *kronos_floats(json_t *array_node);
int64_t *kronos_longs(json_t *array_node);

typedef struct kronos_tolerance {
    double rtol, atol;
} kronos_tolerance;

/* tolerances.<key> of expected.json. */
kronos_tolerance kronos_tolerance_of(const char *key);

void kronos_compare_floats(const char *name, const float *port, json_t *reference,
                           kronos_tolerance t);
/* Token ids must be equal. */
void kronos_compare_ids(const char *name, const int64_t *port, json_t *reference);

/* A case's inputs (df columns, x_timestamp, y_timestamp) as bars: columns
 * absent from the frame stay NULL. */
typedef struct kronos_case_bars {
    ms_kronos_bars bars;
    double *columns[MS_KRONOS_FEATURES];
    int64_t *timestamps, *future;
} kronos_case_bars;

kronos_case_bars kronos_bars_of(json_t *inputs);
void kronos_free_bars(kronos_case_bars *bars);

#endif
