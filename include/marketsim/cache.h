/*
 * marketsim/cache.h - the persistent forecast cache on disk: where it is
 * by default, what it holds, and emptying it. An analysis uses it through
 * ms_analyzer_options.cache (analyze.h); docs/performance.md describes
 * keys, eviction and sharing between processes.
 *
 * Thread safety: every function may be called from any thread; several
 * processes may use one cache file at once.
 *
 * Errors: a function returning ms_status returns MS_OK or one of the
 * negative codes its comment lists, and then ms_last_error() holds the
 * message (common.h).
 */
#ifndef MARKETSIM_CACHE_H
#define MARKETSIM_CACHE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How many forecasts a cache keeps by default before evicting the least
 * recently used (about 60 bytes each on disk). */
#define MS_CACHE_DEFAULT_MAX_ENTRIES 500000

/*
 * The cache file's default path: $XDG_CACHE_HOME/marketsim/forecasts.sqlite,
 * else ~/.cache/marketsim/forecasts.sqlite. It reads the environment, so it
 * runs only when the caller asks for the default place: this call, a NULL
 * path below, the analyzer's cache "default". *out is freed with ms_free.
 * Errors: MS_ERR_INVALID_ARG (NULL out), MS_ERR_NOT_FOUND (neither
 * XDG_CACHE_HOME nor HOME is set), MS_ERR_NOMEM.
 */
MS_API ms_status ms_cache_default_path(char **out);

/* What a cache file holds. */
typedef struct ms_cache_info {
    uint64_t forecasts;        /* stored forecasts */
    uint64_t checkpoints;      /* checkpoint files whose content digest is remembered */
    uint64_t bytes;            /* the file and its write-ahead log, on disk */
    int64_t oldest_use;        /* Unix seconds of the least recent use; 0 when empty */
    int64_t newest_use;        /* and of the most recent */
} ms_cache_info;

/*
 * Reads what the cache file at `path` holds (NULL: the default path). A
 * missing file is an empty cache (all zero).
 * Errors: MS_ERR_INVALID_ARG (NULL out), MS_ERR_PARSE (not a marketsim
 * cache, or damaged), MS_ERR_IO, MS_ERR_NOT_FOUND and MS_ERR_NOMEM as
 * ms_cache_default_path.
 */
MS_API ms_status ms_cache_get_info(const char *path, ms_cache_info *out);

/*
 * Empties the cache file at `path` (NULL: the default path). A damaged
 * cache file (one SQLite cannot read) is removed with its write-ahead log;
 * another application's SQLite database is refused, never touched.
 * Errors: MS_ERR_PARSE (not a marketsim cache), MS_ERR_IO, and those of
 * ms_cache_default_path.
 */
MS_API ms_status ms_cache_clear(const char *path);

#ifdef __cplusplus
}
#endif
#endif
