/* files.c - creating directory trees, for caches, journals and
 * checkpoints, and syncing directories so new entries survive a crash. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_internal.h"

static ms_status make_one(const char *path, const char *whole, unsigned mode)
{
    struct stat info;
    if (mkdir(path, (mode_t)mode) == 0 || (errno == EEXIST && stat(path, &info) == 0 &&
                                           S_ISDIR(info.st_mode)))
        return MS_OK;
    return ms_error(MS_ERR_IO, "%s: cannot create directory '%s': %s", whole, path,
                    errno == EEXIST ? "a file is in the way" : strerror(errno));
}

ms_status ms_make_directories(const char *path, int include_last, unsigned mode)
{
    char *partial = ms_strdup(path);
    if (partial == NULL)
        return ms_error(MS_ERR_NOMEM, "%s: no memory", path);
    ms_status status = MS_OK;
    for (char *slash = strchr(partial + 1, '/'); slash != NULL && status == MS_OK;
         slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        status = make_one(partial, path, mode);
        *slash = '/';
    }
    if (status == MS_OK && include_last)
        status = make_one(partial, path, mode);
    free(partial);
    return status;
}

ms_status ms_sync_directory(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int error = fd < 0 || fsync(fd) != 0 ? errno : 0;
    if (fd >= 0)
        close(fd);
    return error == 0 ? MS_OK : ms_error(MS_ERR_IO, "%s: cannot sync the directory: %s", dir,
                                         strerror(error));
}

ms_status ms_sync_parent_directory(const char *path)
{
    char *copy = ms_strdup(path);
    if (copy == NULL)
        return ms_error(MS_ERR_NOMEM, "%s: no memory", path);
    ms_status status = ms_sync_directory(dirname(copy));
    free(copy);
    return status != MS_OK ? ms_error_wrap(status, "%s", path) : MS_OK;
}
