/*
 * cache_internal.h - the persistent forecast cache: what the analysis
 * (lib/analyze/engine_cache.c) asks of it and what its files share.
 *
 * A forecast is stored under a SHA-256 key of everything it depends on:
 * the model's identity (ms_model_identity: its kind, settings and the
 * content digest of its checkpoint files), the library version, the
 * forecast options (horizon, samples, aggregates), the context's sampling
 * seed when samples are drawn, and the context's exact values and length
 * (so the context length is in the key through the values). Collisions
 * need no handling: two different inputs share a key with probability
 * about 2^-128 even among 2^64 stored forecasts, far below the chance of
 * a hardware fault corrupting the computation itself, and no one chooses
 * the inputs adversarially to a cache they own.
 *
 * Values are stored as their 8 bytes with 8 more bytes of SHA-256(key,
 * value): a row whose check fails is a damaged file, never a number.
 *
 * Failures never reach the analysis: a file that cannot be opened, is
 * not a marketsim cache (application_id), is read-only, corrupt or
 * truncated is reported once on stderr and bypassed from then on (every
 * lookup misses, every store is skipped).
 *
 * Thread safety: one cache is used by one thread at a time (the engine's
 * driver thread); several processes may share one file (WAL, a busy
 * timeout, one transaction per lookup or store batch).
 */
#ifndef MS_CACHE_INTERNAL_H
#define MS_CACHE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marketsim/cache.h"
#include "marketsim/model.h"

/* ---- SHA-256 (sha256.c) ---------------------------------------------------- */

#define MS_SHA256_SIZE 32

typedef struct ms_sha256 {
    uint32_t state[8];
    uint64_t length;
    uint8_t buffer[64];
    size_t buffered;
} ms_sha256;

void ms_sha256_init(ms_sha256 *ctx);
void ms_sha256_update(ms_sha256 *ctx, const void *data, size_t size);
void ms_sha256_final(ms_sha256 *ctx, uint8_t digest[MS_SHA256_SIZE]);

/* ---- Keys (forecast_key.c) ------------------------------------------------- */

typedef struct ms_forecast_key {
    uint8_t bytes[MS_SHA256_SIZE];
} ms_forecast_key;

/* The part of every key one analysis shares: model identity digest and
 * forecast options, absorbed once and copied per context. */
void ms_forecast_key_prefix(ms_sha256 *prefix, const uint8_t model_digest[MS_SHA256_SIZE],
                            const ms_forecast_options *opts);

/* The key of one context under `prefix`; the seed counts only when
 * `seeded` (samples are drawn: an analytic forecast ignores it). */
void ms_forecast_key_of(const ms_sha256 *prefix, const ms_series *series, bool seeded,
                        ms_forecast_key *out);

/* ---- The cache (forecast_cache.c, cache_file.c, model_digest.c) ------------ */

typedef struct ms_forecast_cache ms_forecast_cache;

/* Opens (creating when missing) the cache file at `path`, evicting beyond
 * `max_entries` forecasts. A file problem is reported once and gives a
 * bypassed cache, never an error. Errors: MS_ERR_NOMEM only. */
ms_status ms_forecast_cache_open(ms_forecast_cache **out, const char *path, size_t max_entries);
void ms_forecast_cache_close(ms_forecast_cache *cache);

/* Whether the cache still serves (not bypassed). */
bool ms_forecast_cache_usable(const ms_forecast_cache *cache);

/* The digest identifying `model`'s forecasts: its identity's settings and
 * the content of its checkpoint files, each file hashed once and
 * remembered in the cache by (path, size, mtime, ctime, inode). False (and
 * the cache bypassed) when it cannot be computed. */
bool ms_forecast_cache_model_digest(ms_forecast_cache *cache, const ms_model *model,
                                    uint8_t digest[MS_SHA256_SIZE]);

/* Looks `n` keys up in one transaction, marking hits as used now: found[i]
 * tells whether values[i] was filled. Returns the number found. */
size_t ms_forecast_cache_lookup(ms_forecast_cache *cache, const ms_forecast_key *keys, size_t n,
                                double *values, bool *found);

/* Stores `n` forecasts in one transaction (a key already present keeps
 * its first value). */
void ms_forecast_cache_store(ms_forecast_cache *cache, const ms_forecast_key *keys,
                             const double *values, size_t n);

/* Evicts the least recently used forecasts beyond the bound, when this
 * connection stored any since the last trim. */
void ms_forecast_cache_trim(ms_forecast_cache *cache);

/* The SQLite side (cache_file.c): the schema, the marks and the checks
 * every opener (the cache and `marketsim cache`) shares. */
struct sqlite3;
/* Opens `path` read-write, creating it (and its directory) when
 * `create`, WAL mode, the schema on a new file. Errors: MS_ERR_IO
 * (cannot open, read-only), MS_ERR_PARSE (not a marketsim cache, corrupt,
 * a newer schema); the message names the path. */
ms_status ms_cache_file_open(struct sqlite3 **out, const char *path, bool create);

/* The digest of `model`'s identity (model_digest.c): the library version,
 * its kind and settings, and the content of its checkpoint files, each
 * hashed once and remembered in `db` by (path, size, mtime, ctime,
 * inode) so later processes only stat them. Errors: MS_ERR_IO (a file
 * that cannot be read, the database failing), MS_ERR_NOMEM. */
ms_status ms_model_digest(struct sqlite3 *db, const ms_model *model,
                          uint8_t digest[MS_SHA256_SIZE]);

#endif
