/*
 * plugin_choice.c - which libtorch plugin file the caller chose
 * (ms_model_set_plugin). It lives apart from the loader (torch_loader.c,
 * in the shared library only) because the static archive, which links
 * libtorch in and loads no plugin, still exports the setter.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/model_internal.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *chosen;

MS_API ms_status ms_model_set_plugin(const char *path)
{
    char *copy = NULL;
    if (path != NULL && *path != '\0' && (copy = ms_strdup(path)) == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory for the plugin path");
    pthread_mutex_lock(&lock);
    char *previous = chosen;
    chosen = copy;
    pthread_mutex_unlock(&lock);
    free(previous);
    return MS_OK;
}

bool ms_model_chosen_plugin(char *path, size_t size, bool *fits)
{
    pthread_mutex_lock(&lock);
    bool any = chosen != NULL;
    *fits = !any || (size_t)snprintf(path, size, "%s", chosen) < size;
    pthread_mutex_unlock(&lock);
    return any;
}
