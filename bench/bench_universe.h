/*
 * bench_universe.h - the symbols the analysis benchmarks read: the first N
 * CSV files (sorted) of a data directory, or when it holds fewer the
 * synthetic market's SYN00.. symbols. Header-only (static inline, so a
 * program using one function does not warn of the other), so
 * every bench/bench_*.c stays one program built from one file.
 */
#ifndef MS_BENCH_UNIVERSE_H
#define MS_BENCH_UNIVERSE_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline int bench_compare_names(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* The first `wanted` (at most 256) csv files' symbols of `dir`, sorted; how many. */
static inline size_t bench_list_symbols(const char *dir, char (*names)[32], size_t wanted)
{
    char found[256][32];
    size_t n = 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL && n < 256;) {
        size_t len = strlen(e->d_name);
        if (len > 4 && len < 36 && strcmp(e->d_name + len - 4, ".csv") == 0)
            snprintf(found[n++], 32, "%.*s", (int)(len - 4), e->d_name);
    }
    if (d != NULL)
        closedir(d);
    qsort(found, n, sizeof found[0], bench_compare_names);
    n = n < wanted ? n : wanted;
    memcpy(names, found, n * sizeof found[0]);
    return n;
}

/* `count` symbols: `dir`'s first CSV files when it has `count`, else the
 * synthetic market's; their names in `names`, pointers in `symbols`, the
 * source URI to open them with in `uri`. */
static inline void bench_universe(const char *dir, size_t count, char (*names)[32],
                           const char **symbols, char *uri, size_t uri_size)
{
    if (bench_list_symbols(dir, names, count) == count) {
        snprintf(uri, uri_size, "csv:%s", dir);
    } else {
        snprintf(uri, uri_size, "synthetic");
        for (size_t i = 0; i < count; i++)
            snprintf(names[i], 32, "SYN%02zu", i);
    }
    for (size_t i = 0; i < count; i++)
        symbols[i] = names[i];
}

#endif
