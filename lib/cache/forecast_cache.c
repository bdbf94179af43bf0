/*
 * forecast_cache.c - the forecast cache an analysis reads and fills
 * (cache_internal.h): lookups and stores in one transaction each, the
 * row check that keeps a damaged file from giving a wrong number, the
 * least-recently-used eviction, and bypassing the file for good, with one
 * message, at its first failure.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache_internal.h"
#include "core/core_internal.h"

#define CHECK_SIZE 8
#define ROW_SIZE (sizeof(double) + CHECK_SIZE)

struct ms_forecast_cache {
    sqlite3 *db;              /* NULL once bypassed */
    char *path;
    size_t max_entries;
    bool stored;              /* forecasts stored since the last trim */
};

/* Reports the failure once and stops using the file: an analysis without
 * its cache is slower, never wrong. */
static void bypass(ms_forecast_cache *cache, const char *why)
{
    if (cache->db == NULL)
        return;
    MS_WARN("forecast cache %s: %s; forecasting without it", cache->path, why);
    sqlite3_close(cache->db);
    cache->db = NULL;
}

static void bypass_sqlite(ms_forecast_cache *cache, const char *doing)
{
    char why[512];
    snprintf(why, sizeof why, "%s: %s", doing, sqlite3_errmsg(cache->db));
    bypass(cache, why);
}

ms_status ms_forecast_cache_open(ms_forecast_cache **out, const char *path, size_t max_entries)
{
    *out = NULL;
    ms_forecast_cache *cache = calloc(1, sizeof *cache);
    if (cache == NULL || (cache->path = ms_strdup(path)) == NULL) {
        free(cache);
        return ms_error(MS_ERR_NOMEM, "out of memory opening the forecast cache");
    }
    cache->max_entries = max_entries;
    if (ms_cache_file_open(&cache->db, path, true) != MS_OK)
        MS_WARN("%s; forecasting without the cache", ms_last_error());
    *out = cache;
    return MS_OK;
}

void ms_forecast_cache_close(ms_forecast_cache *cache)
{
    if (cache == NULL)
        return;
    sqlite3_close(cache->db);
    free(cache->path);
    free(cache);
}

bool ms_forecast_cache_usable(const ms_forecast_cache *cache)
{
    return cache != NULL && cache->db != NULL;
}

bool ms_forecast_cache_model_digest(ms_forecast_cache *cache, const ms_model *model,
                                    uint8_t digest[MS_SHA256_SIZE])
{
    if (!ms_forecast_cache_usable(cache))
        return false;
    if (ms_model_digest(cache->db, model, digest) != MS_OK)
        bypass(cache, ms_last_error());
    return ms_forecast_cache_usable(cache);
}

static void row_check(const ms_forecast_key *key, const double *value, uint8_t check[CHECK_SIZE])
{
    ms_sha256 ctx;
    uint8_t digest[MS_SHA256_SIZE];
    ms_sha256_init(&ctx);
    ms_sha256_update(&ctx, key->bytes, sizeof key->bytes);
    ms_sha256_update(&ctx, value, sizeof *value);
    ms_sha256_final(&ctx, digest);
    memcpy(check, digest, CHECK_SIZE);
}

/* Microseconds of the wall clock: the LRU order, comparable between
 * processes. */
static sqlite3_int64 now_stamp(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (sqlite3_int64)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

/* Another process holding the write lock past the busy timeout costs
 * this lookup or store only (misses, or forecasts not kept); any other
 * failure bypasses the file. */
static bool begin(ms_forecast_cache *cache)
{
    if (sqlite3_exec(cache->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK)
        return true;
    if ((sqlite3_errcode(cache->db) & 0xff) != SQLITE_BUSY)
        bypass_sqlite(cache, "starting a transaction");
    return false;
}

/* Commits, or rolls back and bypasses when `ok` is false or the commit fails. */
static void finish(ms_forecast_cache *cache, bool ok, const char *doing)
{
    if (ok && sqlite3_exec(cache->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
        return;
    char why[512];
    snprintf(why, sizeof why, "%s: %s", doing, sqlite3_errmsg(cache->db));
    sqlite3_exec(cache->db, "ROLLBACK", NULL, NULL, NULL);
    bypass(cache, why);
}

/* One key: 1 found (value filled, use recorded), 0 not there, -1 the
 * file is damaged or failing. */
static int lookup_one(sqlite3_stmt *select, sqlite3_stmt *touch, const ms_forecast_key *key,
                      sqlite3_int64 stamp, double *value)
{
    sqlite3_reset(select);
    sqlite3_bind_blob(select, 1, key->bytes, sizeof key->bytes, SQLITE_STATIC);
    int rc = sqlite3_step(select);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW || sqlite3_column_bytes(select, 0) != (int)ROW_SIZE)
        return -1;
    const uint8_t *row = sqlite3_column_blob(select, 0);
    uint8_t check[CHECK_SIZE];
    memcpy(value, row, sizeof *value);
    row_check(key, value, check);
    if (memcmp(check, row + sizeof *value, CHECK_SIZE) != 0)
        return -1;
    sqlite3_reset(touch);
    sqlite3_bind_int64(touch, 1, stamp);
    sqlite3_bind_blob(touch, 2, key->bytes, sizeof key->bytes, SQLITE_STATIC);
    return sqlite3_step(touch) == SQLITE_DONE ? 1 : -1;
}

size_t ms_forecast_cache_lookup(ms_forecast_cache *cache, const ms_forecast_key *keys, size_t n,
                                double *values, bool *found)
{
    memset(found, 0, n * sizeof *found);
    if (n == 0 || !ms_forecast_cache_usable(cache) || !begin(cache))
        return 0;
    sqlite3_stmt *select = NULL, *touch = NULL;
    bool ok = sqlite3_prepare_v2(cache->db, "SELECT value FROM forecasts WHERE key=?1", -1,
                                 &select, NULL) == SQLITE_OK &&
              sqlite3_prepare_v2(cache->db, "UPDATE forecasts SET used=?1 WHERE key=?2", -1,
                                 &touch, NULL) == SQLITE_OK;
    sqlite3_int64 stamp = now_stamp();
    size_t hits = 0;
    for (size_t i = 0; i < n && ok; i++) {
        int result = lookup_one(select, touch, &keys[i], stamp, &values[i]);
        ok = result >= 0;
        found[i] = result == 1;
        hits += result == 1;
    }
    sqlite3_finalize(select);
    sqlite3_finalize(touch);
    finish(cache, ok, "reading forecasts (damaged or truncated file?)");
    if (ok)
        return hits;
    memset(found, 0, n * sizeof *found); /* nothing from a damaged file is used */
    return 0;
}

void ms_forecast_cache_store(ms_forecast_cache *cache, const ms_forecast_key *keys,
                             const double *values, size_t n)
{
    if (n == 0 || !ms_forecast_cache_usable(cache) || !begin(cache))
        return;
    sqlite3_stmt *insert = NULL;
    bool ok = sqlite3_prepare_v2(cache->db, "INSERT OR IGNORE INTO forecasts VALUES (?1,?2,?3)",
                                 -1, &insert, NULL) == SQLITE_OK;
    sqlite3_int64 stamp = now_stamp();
    for (size_t i = 0; i < n && ok; i++) {
        uint8_t row[ROW_SIZE];
        memcpy(row, &values[i], sizeof values[i]);
        row_check(&keys[i], &values[i], row + sizeof values[i]);
        sqlite3_reset(insert);
        sqlite3_bind_blob(insert, 1, keys[i].bytes, sizeof keys[i].bytes, SQLITE_STATIC);
        sqlite3_bind_blob(insert, 2, row, sizeof row, SQLITE_TRANSIENT);
        sqlite3_bind_int64(insert, 3, stamp);
        ok = sqlite3_step(insert) == SQLITE_DONE;
    }
    sqlite3_finalize(insert);
    finish(cache, ok, "storing forecasts");
    cache->stored = cache->stored || ok;
}

void ms_forecast_cache_trim(ms_forecast_cache *cache)
{
    if (!ms_forecast_cache_usable(cache) || !cache->stored || !begin(cache))
        return;
    cache->stored = false;
    sqlite3_stmt *count = NULL, *evict = NULL;
    bool ok = sqlite3_prepare_v2(cache->db, "SELECT count(*) FROM forecasts", -1, &count,
                                 NULL) == SQLITE_OK && sqlite3_step(count) == SQLITE_ROW;
    sqlite3_int64 excess = ok ? sqlite3_column_int64(count, 0) - (sqlite3_int64)cache->max_entries
                              : 0;
    if (ok && excess > 0) {
        ok = sqlite3_prepare_v2(cache->db, "DELETE FROM forecasts WHERE key IN (SELECT key FROM "
                                "forecasts ORDER BY used LIMIT ?1)", -1, &evict, NULL) == SQLITE_OK;
        if (ok)
            sqlite3_bind_int64(evict, 1, excess);
        ok = ok && sqlite3_step(evict) == SQLITE_DONE;
    }
    sqlite3_finalize(count);
    sqlite3_finalize(evict);
    finish(cache, ok, "evicting old forecasts");
}
