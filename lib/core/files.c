/* files.c - creating directory trees, for caches, journals and checkpoints. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
