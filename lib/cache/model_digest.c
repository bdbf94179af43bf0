/*
 * model_digest.c - the identity of a model's forecasts as one digest: the
 * library version (the baseline's algorithm, the port's code), the
 * model's kind and settings (ms_model_identity) and the content of its
 * checkpoint files. Hashing a 600 MB checkpoint takes seconds, so each
 * file's digest is remembered in the cache under what stat says of it;
 * a file rewritten in place changes its mtime and ctime, a file replaced
 * by another its inode, and either is hashed again.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cache_internal.h"
#include "core/core_internal.h"

#define READ_CHUNK (1u << 20)

typedef struct file_stamp {
    sqlite3_int64 size, mtime_ns, ctime_ns, inode;
} file_stamp;

static ms_status hash_file(const char *path, uint8_t digest[MS_SHA256_SIZE])
{
    FILE *file = fopen(path, "rb");
    unsigned char *chunk = malloc(READ_CHUNK);
    if (file == NULL || chunk == NULL) {
        if (file != NULL)
            fclose(file);
        free(chunk);
        return ms_error(chunk == NULL ? MS_ERR_NOMEM : MS_ERR_IO, "checkpoint file %s: "
                        "cannot read it", path);
    }
    ms_sha256 ctx;
    ms_sha256_init(&ctx);
    size_t got;
    while ((got = fread(chunk, 1, READ_CHUNK, file)) > 0)
        ms_sha256_update(&ctx, chunk, got);
    int failed = ferror(file);
    fclose(file);
    free(chunk);
    if (failed)
        return ms_error(MS_ERR_IO, "checkpoint file %s: reading it failed", path);
    ms_sha256_final(&ctx, digest);
    return MS_OK;
}

static bool remembered(sqlite3 *db, const char *path, const file_stamp *stamp,
                       uint8_t digest[MS_SHA256_SIZE])
{
    sqlite3_stmt *select = NULL;
    bool found = false;
    if (sqlite3_prepare_v2(db, "SELECT digest FROM checkpoints WHERE path=?1 AND size=?2 AND "
                           "mtime_ns=?3 AND ctime_ns=?4 AND inode=?5", -1, &select, NULL)
        == SQLITE_OK) {
        sqlite3_bind_text(select, 1, path, -1, SQLITE_STATIC);
        sqlite3_bind_int64(select, 2, stamp->size);
        sqlite3_bind_int64(select, 3, stamp->mtime_ns);
        sqlite3_bind_int64(select, 4, stamp->ctime_ns);
        sqlite3_bind_int64(select, 5, stamp->inode);
        found = sqlite3_step(select) == SQLITE_ROW &&
                sqlite3_column_bytes(select, 0) == MS_SHA256_SIZE;
        if (found)
            memcpy(digest, sqlite3_column_blob(select, 0), MS_SHA256_SIZE);
    }
    sqlite3_finalize(select);
    return found;
}

static ms_status remember(sqlite3 *db, const char *path, const file_stamp *stamp,
                          const uint8_t digest[MS_SHA256_SIZE])
{
    sqlite3_stmt *insert = NULL;
    int rc = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO checkpoints VALUES (?1,?2,?3,?4,?5,?6)",
                                -1, &insert, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(insert, 1, path, -1, SQLITE_STATIC);
        sqlite3_bind_int64(insert, 2, stamp->size);
        sqlite3_bind_int64(insert, 3, stamp->mtime_ns);
        sqlite3_bind_int64(insert, 4, stamp->ctime_ns);
        sqlite3_bind_int64(insert, 5, stamp->inode);
        sqlite3_bind_blob(insert, 6, digest, MS_SHA256_SIZE, SQLITE_STATIC);
        rc = sqlite3_step(insert);
    }
    sqlite3_finalize(insert);
    return rc == SQLITE_DONE ? MS_OK : ms_error(MS_ERR_IO, "remembering the digest of %s: %s",
                                                path, sqlite3_errmsg(db));
}

static ms_status file_digest(sqlite3 *db, const char *path, uint8_t digest[MS_SHA256_SIZE])
{
    struct stat info;
    if (stat(path, &info) != 0)
        return ms_error(MS_ERR_IO, "checkpoint file %s: cannot stat it", path);
    file_stamp stamp = { info.st_size, info.st_mtim.tv_sec * 1000000000LL + info.st_mtim.tv_nsec,
                         info.st_ctim.tv_sec * 1000000000LL + info.st_ctim.tv_nsec,
                         (sqlite3_int64)info.st_ino };
    if (remembered(db, path, &stamp, digest))
        return MS_OK;
    ms_status status = hash_file(path, digest);
    return status == MS_OK ? remember(db, path, &stamp, digest) : status;
}

/* The identity with each file's path replaced by its content digest, so
 * a checkpoint copied elsewhere keeps its forecasts. */
static ms_status identity_digest(sqlite3 *db, json_t *identity, uint8_t digest[MS_SHA256_SIZE])
{
    json_t *files = json_object_get(identity, "files");
    size_t i;
    json_t *file;
    json_array_foreach(files, i, file) {
        uint8_t content[MS_SHA256_SIZE];
        char hex[2 * MS_SHA256_SIZE + 1];
        ms_status status = file_digest(db, json_string_value(file), content);
        if (status != MS_OK)
            return status;
        for (size_t b = 0; b < MS_SHA256_SIZE; b++)
            snprintf(hex + 2 * b, 3, "%02x", content[b]);
        json_array_set_new(files, i, json_string(hex));
    }
    char *text = json_dumps(identity, JSON_COMPACT | JSON_SORT_KEYS);
    if (text == NULL)
        return ms_error(MS_ERR_NOMEM, "no memory for the model's identity");
    ms_sha256 ctx;
    ms_sha256_init(&ctx);
    ms_sha256_update(&ctx, ms_version(), strlen(ms_version()) + 1);
    ms_sha256_update(&ctx, text, strlen(text));
    ms_sha256_final(&ctx, digest);
    free(text);
    return MS_OK;
}

ms_status ms_model_digest(sqlite3 *db, const ms_model *model, uint8_t digest[MS_SHA256_SIZE])
{
    char *text = NULL;
    ms_status status = ms_model_identity(model, &text);
    if (status != MS_OK)
        return status;
    json_t *identity = json_loads(text, 0, NULL);
    free(text);
    if (identity == NULL)
        return ms_error(MS_ERR_NOMEM, "no memory for the model's identity");
    status = identity_digest(db, identity, digest);
    json_decref(identity);
    return status;
}
