/*
 * cache_admin.c - the public side of the forecast cache (cache.h): what a
 * cache file holds and emptying it, for `marketsim cache info|clear` (its
 * default place is cache_env.c's). Unlike an analysis, which bypasses a bad
 * file, these report it: the user asked about that file.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache_internal.h"
#include "core/core_internal.h"

/* `path`, or the default path when NULL, in *owned (freed by the caller). */
static ms_status resolve_path(const char *path, char **owned)
{
    *owned = NULL;
    if (path != NULL) {
        *owned = ms_strdup(path);
        return *owned != NULL ? MS_OK : ms_error(MS_ERR_NOMEM, "out of memory");
    }
    return ms_cache_default_path(owned);
}

static uint64_t file_bytes(const char *path, const char *suffix)
{
    char name[4096];
    struct stat info;
    snprintf(name, sizeof name, "%s%s", path, suffix);
    return stat(name, &info) == 0 ? (uint64_t)info.st_size : 0;
}

static ms_status read_info(sqlite3 *db, const char *path, ms_cache_info *out)
{
    sqlite3_stmt *statement = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM forecasts), (SELECT count(*) "
                                "FROM checkpoints), (SELECT min(used) FROM forecasts), "
                                "(SELECT max(used) FROM forecasts)", -1, &statement, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(statement)) == SQLITE_ROW) {
        out->forecasts = (uint64_t)sqlite3_column_int64(statement, 0);
        out->checkpoints = (uint64_t)sqlite3_column_int64(statement, 1);
        out->oldest_use = sqlite3_column_int64(statement, 2) / 1000000;
        out->newest_use = sqlite3_column_int64(statement, 3) / 1000000;
    }
    sqlite3_finalize(statement);
    if (rc != SQLITE_ROW)
        return ms_error(MS_ERR_PARSE, "forecast cache %s: reading it: %s", path,
                        sqlite3_errmsg(db));
    return MS_OK;
}

MS_API ms_status ms_cache_get_info(const char *path, ms_cache_info *out)
{
    if (out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_cache_get_info: out is NULL");
    memset(out, 0, sizeof *out);
    char *file = NULL;
    ms_status status = resolve_path(path, &file);
    if (status != MS_OK || access(file, F_OK) != 0) {
        free(file);
        return status;
    }
    sqlite3 *db = NULL;
    status = ms_cache_file_open(&db, file, false);
    if (status == MS_OK)
        status = read_info(db, file, out);
    sqlite3_close(db);
    out->bytes = file_bytes(file, "") + file_bytes(file, "-wal");
    free(file);
    return status;
}

/* Whether SQLite can read the file as a database at all: one it cannot
 * is a damaged cache, safe to remove; one it can but that is not ours
 * belongs to someone else. */
static bool readable_database(const char *path)
{
    sqlite3 *db = NULL;
    int tables = -1;
    sqlite3_stmt *statement = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &statement, NULL)
            == SQLITE_OK && sqlite3_step(statement) == SQLITE_ROW)
        tables = sqlite3_column_int(statement, 0);
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return tables >= 0;
}

static ms_status remove_damaged(const char *path)
{
    static const char *const suffixes[] = { "", "-wal", "-shm" };
    for (size_t i = 0; i < MS_ARRAY_LEN(suffixes); i++) {
        char name[4096];
        snprintf(name, sizeof name, "%s%s", path, suffixes[i]);
        if (unlink(name) != 0 && errno != ENOENT)
            return ms_error(MS_ERR_IO, "removing the damaged forecast cache %s failed", name);
    }
    return MS_OK;
}

MS_API ms_status ms_cache_clear(const char *path)
{
    char *file = NULL;
    ms_status status = resolve_path(path, &file);
    if (status != MS_OK || access(file, F_OK) != 0) {
        free(file);
        return status;
    }
    sqlite3 *db = NULL;
    status = ms_cache_file_open(&db, file, false);
    bool ours = status == MS_OK;
    /* Our file that cannot be emptied is damaged inside: removed too. */
    bool emptied = ours && sqlite3_exec(db, "DELETE FROM forecasts; DELETE FROM checkpoints;",
                                        NULL, NULL, NULL) == SQLITE_OK;
    if (emptied)
        sqlite3_exec(db, "VACUUM", NULL, NULL, NULL); /* gives the space back; best effort */
    sqlite3_close(db);
    if ((ours && !emptied) || (status == MS_ERR_PARSE && !readable_database(file)))
        status = remove_damaged(file);
    free(file);
    return status;
}
