/*
 * toto_locate.c - where the model called "toto" lives on this machine:
 * the options' toto_dir when set, otherwise the newest snapshot of
 * Datadog/Toto-Open-Base-1.0 in the Hugging Face cache the options' hf_home
 * names (<hf_home>/hub), the layout huggingface_hub downloads into. The
 * environment enters only through ms_model_options_from_env. The cache
 * look-up is shared with Kronos (kronos_locate.c).
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/core_internal.h"
#include "model/model_internal.h"

#define TOTO_HUB_REPO "Datadog/Toto-Open-Base-1.0"

static bool is_directory(const char *path, struct stat *info)
{
    return stat(path, info) == 0 && S_ISDIR(info->st_mode);
}

/* The most recently modified revision directory under `snapshots`. */
static bool newest_snapshot(const char *snapshots, char *found, size_t size)
{
    DIR *listing = opendir(snapshots);
    if (listing == NULL)
        return false;
    bool any = false;
    struct timespec newest = { 0, 0 };
    struct dirent *entry;
    while ((entry = readdir(listing)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        char candidate[4096];
        struct stat info;
        if (snprintf(candidate, sizeof candidate, "%s/%s", snapshots, entry->d_name)
                >= (int)sizeof candidate
            || !is_directory(candidate, &info))
            continue;
        bool newer = info.st_mtim.tv_sec > newest.tv_sec
                     || (info.st_mtim.tv_sec == newest.tv_sec
                         && info.st_mtim.tv_nsec > newest.tv_nsec);
        if (!any || newer) {
            any = snprintf(found, size, "%s", candidate) < (int)size;
            newest = info.st_mtim;
        }
    }
    closedir(listing);
    return any;
}

bool ms_hf_newest_snapshot(const char *hf_home, const char *repo, char *found, size_t size,
                           char *snapshots, size_t snapshots_size)
{
    char owner[256], path[4096];
    const char *slash = strchr(repo, '/');
    if (slash == NULL || (size_t)(slash - repo) >= sizeof owner || hf_home == NULL
        || *hf_home == '\0')
        return false;
    snprintf(owner, sizeof owner, "%.*s", (int)(slash - repo), repo);
    bool fits = snprintf(path, sizeof path, "%s/hub/models--%s--%s/snapshots", hf_home, owner,
                         slash + 1) < (int)sizeof path;
    if (snapshots != NULL)
        snprintf(snapshots, snapshots_size, "%s", path);
    return fits && newest_snapshot(path, found, size);
}

ms_status ms_toto_locate(const ms_model_options *opts, char *dir, size_t size)
{
    struct stat info;
    const char *explicit_dir = opts->toto_dir;
    if (explicit_dir != NULL && *explicit_dir != '\0') {
        if (is_directory(explicit_dir, &info) && snprintf(dir, size, "%s", explicit_dir) < (int)size)
            return MS_OK;
        return ms_error(MS_ERR_NOT_FOUND, "model 'toto': toto_dir (MARKETSIM_TOTO_DIR) is '%s', "
                        "which is not a directory", explicit_dir);
    }
    if (opts->hf_home == NULL || *opts->hf_home == '\0')
        return ms_error(MS_ERR_NOT_FOUND,
                        "model 'toto': no checkpoint found: neither toto_dir nor hf_home is set "
                        "(MARKETSIM_TOTO_DIR, HF_HOME and HOME through "
                        "ms_model_options_from_env); set MARKETSIM_TOTO_DIR to a directory with "
                        "config.json and model.safetensors");
    char snapshots[4096];
    if (ms_hf_newest_snapshot(opts->hf_home, TOTO_HUB_REPO, dir, size, snapshots,
                              sizeof snapshots))
        return MS_OK;
    return ms_error(MS_ERR_NOT_FOUND,
                    "model 'toto': no checkpoint found: toto_dir (MARKETSIM_TOTO_DIR) is unset "
                    "and '%s' has no snapshot; set MARKETSIM_TOTO_DIR to a directory with "
                    "config.json and model.safetensors, or download Datadog/Toto-Open-Base-1.0 "
                    "there", snapshots);
}
