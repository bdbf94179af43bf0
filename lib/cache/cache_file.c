/*
 * cache_file.c - the forecast cache's SQLite file: opening it (WAL, a busy
 * timeout), the schema and the marks that tell a marketsim cache from any
 * other file, and the checks that turn a read-only, foreign or damaged
 * file into an error the cache can report and bypass.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache_internal.h"
#include "core/core_internal.h"

/* "MSFC": marks the file as a marketsim forecast cache (PRAGMA application_id). */
#define CACHE_APPLICATION_ID 0x4d534643
#define CACHE_SCHEMA_VERSION 1
/* Another process writing the same cache waits this long, not forever. */
#define BUSY_TIMEOUT_MS 10000

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS forecasts ("
    " key BLOB PRIMARY KEY, value BLOB NOT NULL, used INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS checkpoints ("
    " path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,"
    " ctime_ns INTEGER NOT NULL, inode INTEGER NOT NULL, digest BLOB NOT NULL);";

/* One integer from a query; false when the query fails (not a database,
 * damaged). */
static bool query_int(sqlite3 *db, const char *sql, int *value)
{
    sqlite3_stmt *statement = NULL;
    bool ok = sqlite3_prepare_v2(db, sql, -1, &statement, NULL) == SQLITE_OK &&
              sqlite3_step(statement) == SQLITE_ROW;
    if (ok)
        *value = sqlite3_column_int(statement, 0);
    sqlite3_finalize(statement);
    return ok;
}

/* A file nobody may write is read-only for us too, even when we run as
 * root (whom SQLite would let write it): its owner meant it to stay. */
static ms_status check_writable(const char *path)
{
    struct stat info;
    if (stat(path, &info) != 0)
        return errno == ENOENT ? MS_OK
                               : ms_error(MS_ERR_IO, "forecast cache %s: cannot read it", path);
    if ((info.st_mode & 0222) == 0 || access(path, W_OK) != 0)
        return ms_error(MS_ERR_IO, "forecast cache %s is read-only", path);
    return MS_OK;
}

/* Reads the file's marks: *tables is how many schema objects it holds.
 * Errors when they belong to another application or a newer marketsim. */
static ms_status read_marks(sqlite3 *db, const char *path, int *tables)
{
    int application_id = 0, version = 0;
    /* Tables first: each query is its own read, and the tables and marks
     * are committed together, so tables seen mean the marks are there. */
    if (!query_int(db, "SELECT count(*) FROM sqlite_master", tables) ||
        !query_int(db, "PRAGMA application_id", &application_id) ||
        !query_int(db, "PRAGMA user_version", &version))
        return ms_error(MS_ERR_PARSE, "forecast cache %s is damaged or not an SQLite file: %s",
                        path, sqlite3_errmsg(db));
    if (*tables > 0 && application_id != CACHE_APPLICATION_ID)
        return ms_error(MS_ERR_PARSE, "%s is not a marketsim forecast cache (another SQLite "
                        "database)", path);
    if (*tables > 0 && version > CACHE_SCHEMA_VERSION)
        return ms_error(MS_ERR_PARSE, "forecast cache %s was written by a newer marketsim", path);
    return MS_OK;
}

/* Creates the tables and marks the file as ours in one write transaction,
 * so another process opening the new file at the same moment sees either
 * an empty file or a marked one, never unmarked tables. */
static ms_status create_schema(sqlite3 *db, const char *path)
{
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return ms_error(MS_ERR_IO, "forecast cache %s: locking it: %s", path, sqlite3_errmsg(db));
    int tables = 0;
    ms_status status = read_marks(db, path, &tables); /* another process may have won */
    char marks[96];
    snprintf(marks, sizeof marks, "PRAGMA application_id=%d; PRAGMA user_version=%d;",
             CACHE_APPLICATION_ID, CACHE_SCHEMA_VERSION);
    if (status == MS_OK && tables == 0 &&
        (sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK ||
         sqlite3_exec(db, marks, NULL, NULL, NULL) != SQLITE_OK))
        status = ms_error(sqlite3_errcode(db) == SQLITE_READONLY ? MS_ERR_IO : MS_ERR_PARSE,
                          "forecast cache %s: preparing it: %s", path, sqlite3_errmsg(db));
    if (status == MS_OK && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        status = ms_error(MS_ERR_IO, "forecast cache %s: preparing it: %s", path,
                          sqlite3_errmsg(db));
    if (status != MS_OK)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return status;
}

static ms_status check_or_create_schema(sqlite3 *db, const char *path)
{
    int tables = 0;
    ms_status status = read_marks(db, path, &tables);
    if (status != MS_OK)
        return status;
    /* WAL lets readers go on while one process writes; NORMAL syncs at
     * checkpoints only: a crash may lose the last forecasts, never
     * corrupt the file, and a lost forecast is only computed again. */
    if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL,
                     NULL) != SQLITE_OK)
        return ms_error(sqlite3_errcode(db) == SQLITE_READONLY ? MS_ERR_IO : MS_ERR_PARSE,
                        "forecast cache %s: preparing it: %s", path, sqlite3_errmsg(db));
    return tables > 0 ? MS_OK : create_schema(db, path);
}

ms_status ms_cache_file_open(sqlite3 **out, const char *path, bool create)
{
    *out = NULL;
    ms_status status = check_writable(path);
    if (status == MS_OK && create)
        status = ms_make_directories(path, 0, 0700);
    if (status != MS_OK)
        return status;
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        status = ms_error(MS_ERR_IO, "forecast cache %s: cannot open it: %s", path,
                          db != NULL ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return status;
    }
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    /* Two processes opening a new file at once race to make it WAL and
     * create the tables; SQLite answers the loser's switch to WAL with
     * SQLITE_BUSY at once, without waiting: try again, briefly. */
    for (int attempt = 0;; attempt++) {
        status = check_or_create_schema(db, path);
        if (status == MS_OK || (sqlite3_errcode(db) & 0xff) != SQLITE_BUSY || attempt == 50)
            break;
        struct timespec pause = { 0, 100 * 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
    if (status != MS_OK) {
        sqlite3_close(db);
        return status;
    }
    *out = db;
    return MS_OK;
}
