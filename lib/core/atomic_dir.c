/*
 * atomic_dir.c - directories that appear whole or not at all, for files
 * that only make sense together (a checkpoint's config.json and its
 * model.safetensors): the files are written into a staging directory next
 * to the target (same parent, so the rename stays on one file system),
 * which is synced and renamed onto the target. A failure, or a writer that
 * gives up, removes the staging directory and leaves the target as it was.
 *
 * The target must not exist or be an empty directory: rename(2) replaces
 * only an empty one, and a directory with files in it may hold another
 * checkpoint or anything else that is not ours to replace. A crash leaves
 * at most the staging directory "<target>.tmp-PID-N", never a half target.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_internal.h"

/* Distinguishes the staging directories of concurrent writers in one
 * process; the process id distinguishes processes. */
static atomic_uint staging_counter;

static void release(ms_atomic_dir *dir)
{
    free(dir->path);
    free(dir->temp_path);
    dir->path = NULL;
    dir->temp_path = NULL;
}

/* Whether the directory at `path` has entries besides . and ..; false with
 * errno set when it cannot be read. */
static bool has_entries(const char *path)
{
    DIR *stream = opendir(path);
    if (stream == NULL)
        return false;
    bool found = false;
    errno = 0;
    for (struct dirent *entry = readdir(stream); entry != NULL && !found; entry = readdir(stream))
        found = strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0;
    int error = errno;
    closedir(stream);
    errno = error;
    return found;
}

/* A target that would make the final rename fail, or replace something
 * that is not ours, is refused before anything is written. */
static ms_status check_target(const char *path)
{
    struct stat info;
    if (lstat(path, &info) != 0)
        return errno == ENOENT ? MS_OK
                               : ms_error(MS_ERR_IO, "%s: cannot inspect: %s", path, strerror(errno));
    if (!S_ISDIR(info.st_mode))
        return ms_error(MS_ERR_IO, "%s: exists and is not a directory", path);
    errno = 0;
    if (has_entries(path))
        return ms_error(MS_ERR_IO, "%s: directory is not empty; refusing to replace what is "
                        "in it (choose a new or empty directory)", path);
    return errno == 0 ? MS_OK : ms_error(MS_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
}

/* The target without trailing slashes, so the staging directory is its
 * sibling and not a child. */
static char *without_trailing_slashes(const char *path)
{
    char *copy = ms_strdup(path);
    for (size_t n = copy != NULL ? strlen(copy) : 0; n > 1 && copy[n - 1] == '/'; n--)
        copy[n - 1] = '\0';
    return copy;
}

ms_status ms_atomic_dir_open(ms_atomic_dir *dir, const char *path)
{
    dir->path = without_trailing_slashes(path);
    size_t size = strlen(path) + 64;
    dir->temp_path = malloc(size);
    if (dir->path == NULL || dir->temp_path == NULL) {
        release(dir);
        return ms_error(MS_ERR_NOMEM, "%s: no memory", path);
    }
    snprintf(dir->temp_path, size, "%s.tmp-%ld-%u", dir->path, (long)getpid(),
             atomic_fetch_add(&staging_counter, 1u));
    ms_status status = check_target(dir->path);
    if (status == MS_OK)
        status = ms_make_directories(dir->path, 0, 0777);
    /* mkdir fails on anything already there: never someone else's files. */
    if (status == MS_OK && mkdir(dir->temp_path, 0777) != 0)
        status = ms_error(MS_ERR_IO, "%s: cannot create the staging directory %s: %s", dir->path,
                          dir->temp_path, strerror(errno));
    if (status != MS_OK)
        release(dir);
    return status;
}

char *ms_atomic_dir_file(const ms_atomic_dir *dir, const char *name)
{
    size_t size = strlen(dir->temp_path) + strlen(name) + 2;
    char *path = malloc(size);
    if (path != NULL)
        snprintf(path, size, "%s/%s", dir->temp_path, name);
    return path;
}

/* Our own staging directory holds only the files written into it. */
static void remove_staging(const char *temp_path)
{
    DIR *stream = opendir(temp_path);
    if (stream != NULL) {
        for (struct dirent *entry = readdir(stream); entry != NULL; entry = readdir(stream))
            if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
                unlinkat(dirfd(stream), entry->d_name, 0);
        closedir(stream);
    }
    if (rmdir(temp_path) != 0 && errno != ENOENT)
        MS_WARN("cannot remove the staging directory %s: %s", temp_path, strerror(errno));
}

ms_status ms_atomic_dir_commit(ms_atomic_dir *dir)
{
    ms_status status = ms_sync_directory(dir->temp_path);
    if (status == MS_OK && rename(dir->temp_path, dir->path) != 0)
        status = ms_error(MS_ERR_IO, "%s: cannot move the new directory into place: %s", dir->path,
                          errno == ENOTEMPTY || errno == EEXIST ? "it is no longer empty"
                                                                : strerror(errno));
    if (status != MS_OK)
        remove_staging(dir->temp_path);
    /* The directory is whole and in place: a failed sync of its parent
     * only leaves the rename's durability to the file system's own time. */
    if (status == MS_OK && ms_sync_parent_directory(dir->path) != MS_OK)
        MS_WARN("%s", ms_last_error());
    release(dir);
    return status;
}

void ms_atomic_dir_discard(ms_atomic_dir *dir)
{
    if (dir->temp_path != NULL)
        remove_staging(dir->temp_path);
    release(dir);
}
