/*
 * cache_fixture.h - what the forecast cache tests share: CSV series in a
 * scratch directory (one more bar makes the next day), an analysis of
 * them with a given cache whose report comes back as JSON without its
 * timings, and capturing stderr to count the cache's messages.
 */
#ifndef TEST_CACHE_FIXTURE_H
#define TEST_CACHE_FIXTURE_H

#include <stddef.h>

/* Bars per symbol on the first day; 10 simulations of 6 days each. */
#define CACHE_BARS 200

/* Forecasts per symbol of those analyses: close, high and low at
 * N + 2E = 10 + 12 origins (walk-forward offsets are fitted on the E days
 * before each window). */
#define CACHE_CONTEXTS (3 * (10 + 2 * 6))

extern const char *const cache_symbols[2];

/* temp_dir_setup, then CACHE_BARS bars of each cache symbol under
 * <dir>/data; MARKETSIM_CACHE unset. */
int cache_setup(void **state);

/* (Re)writes each cache symbol's CSV under <dir>/data with `bars` bars:
 * the same prices, one more bar per call with bars + 1. */
void cache_write_series(const char *dir, size_t bars);

typedef struct cache_analysis {
    char *json;          /* the report's JSON without any "timings" */
    size_t cached;
    size_t computed;
} cache_analysis;

/* Analyses `n` symbols of <dir>/data with the baseline and the mean,
 * `cache` as ms_analyzer_options.cache, `max_entries` its bound (0:
 * default). */
cache_analysis cache_analyze(const char *dir, const char *cache, size_t max_entries,
                             const char *const *symbols, size_t n);
/* The same with another aggregate and model path. */
cache_analysis cache_analyze_with(const char *dir, const char *cache, const char *aggregate,
                                  const char *model, const char *const *symbols, size_t n);
void cache_analysis_release(cache_analysis *analysis);

/* The JSON text of a report without any "timings" object (malloc'ed). */
char *cache_json_without_timings(const char *json);

/* Sends stderr to `path` until cache_restore_stderr(returned value). */
int cache_redirect_stderr(const char *path);
void cache_restore_stderr(int saved);

/* How many lines of the file contain `needle`. */
size_t cache_count_lines(const char *path, const char *needle);

/* The file's first 64 bytes (malloc'ed, zero-padded). */
char *cache_file_bytes(const char *path);

#endif
