/*
 * atomic_file.c - files that appear whole or not at all: written under a
 * temporary name next to the target (same directory, so the rename stays on
 * one file system and is atomic), synced, then renamed over the target. A
 * reader of a checkpoint directory therefore never sees a half-written
 * config.json or model.safetensors, even if the writer dies. Only regular
 * files are replaced: a target that is a device, pipe or link is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_internal.h"

/* Distinguishes the temporary files of concurrent writers in one process;
 * the process id distinguishes processes. */
static atomic_uint temp_counter;

static void release(ms_atomic_file *file)
{
    free(file->path);
    free(file->temp_path);
    file->path = NULL;
    file->temp_path = NULL;
    file->stream = NULL;
}

ms_status ms_atomic_file_open(ms_atomic_file *file, const char *path)
{
    file->stream = NULL;
    /* The rename would replace whatever is at `path`: a device such as
     * /dev/full or /dev/stdout (as root, the device node itself), or a
     * symbolic link instead of the file it points to. Only a regular file
     * (or nothing) may be replaced. */
    struct stat existing;
    if (lstat(path, &existing) == 0 && !S_ISREG(existing.st_mode))
        return ms_error(MS_ERR_IO, "%s: not a regular file; refusing to replace it", path);
    file->path = ms_strdup(path);
    size_t size = strlen(path) + 64;
    file->temp_path = malloc(size);
    if (file->path == NULL || file->temp_path == NULL) {
        release(file);
        return ms_error(MS_ERR_NOMEM, "%s: no memory", path);
    }
    snprintf(file->temp_path, size, "%s.tmp-%ld-%u", path, (long)getpid(),
             atomic_fetch_add(&temp_counter, 1u));
    /* O_EXCL: never write through someone else's file or link; mode 0666
     * lets the umask decide the permissions, as for any new file. */
    int fd = open(file->temp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0)
        file->stream = fdopen(fd, "wb");
    if (file->stream == NULL) {
        int error = errno;
        if (fd >= 0) {
            close(fd);
            unlink(file->temp_path);
        }
        release(file);
        return ms_error(MS_ERR_IO, "%s: cannot create: %s", path, strerror(error));
    }
    return MS_OK;
}

ms_status ms_atomic_file_write(ms_atomic_file *file, const void *bytes, size_t size)
{
    if (size > 0 && fwrite(bytes, 1, size, file->stream) != size)
        return ms_error(MS_ERR_IO, "%s: cannot write: %s", file->path, strerror(errno));
    return MS_OK;
}

ms_status ms_atomic_file_commit(ms_atomic_file *file)
{
    int error = 0;
    if (fflush(file->stream) != 0 || fsync(fileno(file->stream)) != 0)
        error = errno;
    if (fclose(file->stream) != 0 && error == 0)
        error = errno;
    if (error == 0 && rename(file->temp_path, file->path) != 0)
        error = errno;
    ms_status status = MS_OK;
    if (error != 0) {
        unlink(file->temp_path);
        status = ms_error(MS_ERR_IO, "%s: cannot write: %s", file->path, strerror(error));
    }
    release(file);
    return status;
}

void ms_atomic_file_discard(ms_atomic_file *file)
{
    if (file->stream != NULL) {
        fclose(file->stream);
        unlink(file->temp_path);
    }
    release(file);
}
