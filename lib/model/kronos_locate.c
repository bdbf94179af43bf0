/*
 * kronos_locate.c - where the Kronos pair a model name stands for lives:
 * <kronos_dir>/<name>/{tokenizer,model} when the options set kronos_dir
 * (ms_model_options_from_env: MARKETSIM_KRONOS_DIR), otherwise the newest
 * snapshots of the published hub repositories in the Hugging Face cache
 * hf_home names (shared look-up in toto_locate.c). The published
 * pairing (official README): Kronos-mini with Kronos-Tokenizer-2k,
 * Kronos-small and Kronos-base with Kronos-Tokenizer-base.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/core_internal.h"
#include "model/kronos_checkpoint.h"
#include "model/model_internal.h"

typedef struct published_pair {
    const char *name;
    const char *model_repo;
    const char *tokenizer_repo;
} published_pair;

static const published_pair pairs[] = {
    { "kronos-mini", "NeoQuasar/Kronos-mini", "NeoQuasar/Kronos-Tokenizer-2k" },
    { "kronos-small", "NeoQuasar/Kronos-small", "NeoQuasar/Kronos-Tokenizer-base" },
    { "kronos-base", "NeoQuasar/Kronos-base", "NeoQuasar/Kronos-Tokenizer-base" },
};

static const published_pair *find_pair(const char *name)
{
    for (size_t i = 0; name != NULL && i < MS_ARRAY_LEN(pairs); i++)
        if (strcmp(pairs[i].name, name) == 0)
            return &pairs[i];
    return NULL;
}

bool ms_kronos_is_name(const char *name)
{
    return find_pair(name) != NULL;
}

static ms_status from_directory(const char *root, const char *name, char *tokenizer_dir,
                                char *model_dir, size_t size)
{
    struct stat info;
    bool fits = snprintf(tokenizer_dir, size, "%s/%s/tokenizer", root, name) < (int)size
                && snprintf(model_dir, size, "%s/%s/model", root, name) < (int)size;
    if (fits && stat(tokenizer_dir, &info) == 0 && S_ISDIR(info.st_mode)
        && stat(model_dir, &info) == 0 && S_ISDIR(info.st_mode))
        return MS_OK;
    return ms_error(MS_ERR_NOT_FOUND, "model '%s': kronos_dir (MARKETSIM_KRONOS_DIR) is '%s', "
                    "but '%s/%s' has no tokenizer/ and model/ directories", name, root, root, name);
}

ms_status ms_kronos_locate(const ms_model_options *opts, const char *name, char *tokenizer_dir,
                           char *model_dir, size_t size)
{
    const published_pair *pair = find_pair(name);
    if (pair == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "'%s' is not a Kronos model name (kronos-mini, "
                        "kronos-small, kronos-base)", name != NULL ? name : "(null)");
    const char *root = opts->kronos_dir;
    if (root != NULL && *root != '\0')
        return from_directory(root, name, tokenizer_dir, model_dir, size);
    char searched[4096] = "the Hugging Face cache (hf_home unset: HF_HOME and HOME through "
                          "ms_model_options_from_env)";
    if (!ms_hf_newest_snapshot(opts->hf_home, pair->model_repo, model_dir, size, searched,
                               sizeof searched))
        return ms_error(MS_ERR_NOT_FOUND, "model '%s': kronos_dir (MARKETSIM_KRONOS_DIR) is "
                        "unset and %s holds no snapshot of %s; set MARKETSIM_KRONOS_DIR to a "
                        "directory with %s/tokenizer and %s/model", name, searched,
                        pair->model_repo, name, name);
    if (!ms_hf_newest_snapshot(opts->hf_home, pair->tokenizer_repo, tokenizer_dir, size,
                               searched, sizeof searched))
        return ms_error(MS_ERR_NOT_FOUND, "model '%s': %s holds no snapshot of its tokenizer "
                        "%s", name, searched, pair->tokenizer_repo);
    return MS_OK;
}
