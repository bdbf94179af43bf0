/*
 * torch_loader.c - the library's side of torch_plugin.h (compiled into
 * libmarketsim.so only): the libtorch backends' entry points, each loading
 * the plugin on first use and calling through its table. The plugin is
 * the file ms_model_set_plugin chose (tests; the CLI's
 * MARKETSIM_TORCH_PLUGIN), else MS_TORCH_PLUGIN_FILE in
 * the folder this library was loaded from (make install puts it there),
 * found with dladdr so that no path is compiled in.
 */
#define _GNU_SOURCE   /* dladdr */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "model/plugin/torch_plugin.h"

static ms_status record_error(ms_status status, const char *message)
{
    return ms_error(status, "%s", message);
}

static ms_status wrap_error(ms_status status, const char *context)
{
    return ms_error_wrap(status, "%s", context);
}

#define HOST_FIELD(type, name, parameters, arguments) .name = name,
static const ms_torch_host host = {
    .abi = MS_TORCH_PLUGIN_ABI,
    .size = sizeof(ms_torch_host),
    .error = record_error,
    .error_wrap = wrap_error,
    MS_TORCH_IMPORTS(HOST_FIELD)
    MS_TORCH_VOID_IMPORTS(HOST_FIELD)
};

/* Loaded once and never unloaded: backends' states and function tables
 * live in it for the rest of the process. A failed load is retried on
 * the next call (the file may have been installed meanwhile). */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const ms_torch_plugin *loaded;

static ms_status plugin_path(char *path, size_t size)
{
    bool fits;
    if (ms_model_chosen_plugin(path, size, &fits))
        return fits ? MS_OK : ms_error(MS_ERR_INVALID_ARG, "the libtorch plugin's path "
                                       "(ms_model_set_plugin) is too long");
    Dl_info self;
    if (dladdr((void *)&plugin_path, &self) == 0 || self.dli_fname == NULL)
        return ms_error(MS_ERR_INTERNAL, "the libtorch plugin: cannot tell where libmarketsim "
                        "was loaded from (choose it with ms_model_set_plugin, "
                        "MARKETSIM_TORCH_PLUGIN for the CLI)");
    const char *slash = strrchr(self.dli_fname, '/');
    int folder = slash != NULL ? (int)(slash - self.dli_fname) : 1;
    const char *base = slash != NULL ? self.dli_fname : ".";
    if ((size_t)snprintf(path, size, "%.*s/%s", folder, base, MS_TORCH_PLUGIN_FILE) >= size)
        return ms_error(MS_ERR_INTERNAL, "the libtorch plugin's path is too long");
    return MS_OK;
}

/* Under `lock`. `model` names what needed the plugin, for the message. */
static ms_status load_locked(const char *model)
{
    char path[PATH_MAX];
    ms_status status = plugin_path(path, sizeof path);
    if (status != MS_OK)
        return status;
    /* RTLD_LOCAL: libtorch's symbols stay out of the global scope. */
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL)
        return ms_error(MS_ERR_UNSUPPORTED, "%s needs the libtorch plugin %s, which cannot be "
                        "loaded (%s); it is built and installed beside libmarketsim",
                        model, path, dlerror());
    ms_torch_plugin_entry_fn entry;
    *(void **)&entry = dlsym(handle, MS_TORCH_PLUGIN_ENTRY);
    const ms_torch_plugin *plugin = entry != NULL ? entry(&host) : NULL;
    if (plugin == NULL || plugin->abi != MS_TORCH_PLUGIN_ABI
        || plugin->size != sizeof(ms_torch_plugin)
        || strcmp(plugin->version, MS_VERSION_STRING) != 0) {
        dlclose(handle);
        return ms_error(MS_ERR_UNSUPPORTED, "%s: the libtorch plugin %s does not belong to this "
                        "libmarketsim %s (reinstall both)", model, path, MS_VERSION_STRING);
    }
    loaded = plugin;
    return MS_OK;
}

static ms_status load(const char *model, const ms_torch_plugin **out)
{
    pthread_mutex_lock(&lock);
    ms_status status = loaded != NULL ? MS_OK : load_locked(model);
    *out = loaded;
    pthread_mutex_unlock(&lock);
    return status;
}

ms_status ms_toto_open(const char *path, const ms_model_options *opts, ms_forecaster *out)
{
    const ms_torch_plugin *plugin;
    ms_status status = load("Toto", &plugin);
    return status != MS_OK ? status : plugin->toto_open(path, opts, out);
}

ms_status ms_kronos_open(ms_kronos **out, const ms_kronos_checkpoint *checkpoint)
{
    const ms_torch_plugin *plugin;
    ms_status status = load("Kronos", &plugin);
    return status != MS_OK ? status : plugin->kronos_open(out, checkpoint);
}

/* A network exists only if the plugin made it: NULL needs no plugin. */
void ms_kronos_free(ms_kronos *kronos)
{
    const ms_torch_plugin *plugin;
    if (kronos != NULL && load("Kronos", &plugin) == MS_OK)
        plugin->kronos_free(kronos);
}

ms_status ms_kronos_set_threads(ms_kronos *kronos, int threads)
{
    const ms_torch_plugin *plugin;
    ms_status status = load("Kronos", &plugin);
    return status != MS_OK ? status : plugin->kronos_set_threads(kronos, threads);
}

ms_status ms_kronos_generate(ms_kronos *kronos, const float *x_norm, const float *x_stamp,
                             const float *y_stamp, size_t batch, size_t length, size_t steps,
                             size_t max_context, double clip, const ms_kronos_sampling *sampling,
                             bool use_cache, float *preds, float *paths, ms_kronos_trace *trace)
{
    const ms_torch_plugin *plugin;
    ms_status status = load("Kronos", &plugin);
    return status != MS_OK ? status
                           : plugin->kronos_generate(kronos, x_norm, x_stamp, y_stamp, batch,
                                                     length, steps, max_context, clip, sampling,
                                                     use_cache, preds, paths, trace);
}
