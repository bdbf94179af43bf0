/* model_init.c - ms_model_init_checkpoint: random-weight checkpoints for
 * `marketsim model init`: Toto's from a preset name or a config.json, and
 * Kronos tokenizer + model pairs from a "kronos-*" preset. */
#include <string.h>
#include <sys/stat.h>

#include "core/core_internal.h"
#include "model/checkpoint.h"
#include "model/kronos_checkpoint.h"

/* DIR/tokenizer + DIR/model for a "kronos-*" preset. */
static ms_status init_kronos(const char *dir, const char *config, uint64_t seed)
{
    ms_kronos_tokenizer_config tokenizer;
    ms_kronos_model_config model;
    ms_status status = ms_kronos_config_preset(config, &tokenizer, &model);
    return status == MS_OK ? ms_kronos_checkpoint_init(dir, &tokenizer, &model, seed) : status;
}

MS_API ms_status ms_model_init_checkpoint(const char *dir, const char *config, uint64_t seed)
{
    if (dir == NULL || *dir == '\0' || config == NULL || *config == '\0')
        return ms_error(MS_ERR_INVALID_ARG, "ms_model_init_checkpoint: a directory and a config are needed");
    if (strncmp(config, "kronos-", 7) == 0)
        return init_kronos(dir, config, seed);
    ms_toto_config settings;
    struct stat info;
    /* A name with a '/' or a ".json" ending is a file; anything else a preset. */
    int is_file = strchr(config, '/') != NULL ||
                  (strlen(config) > 5 && strcmp(config + strlen(config) - 5, ".json") == 0);
    ms_status status;
    if (is_file) {
        if (stat(config, &info) != 0)
            return ms_error(MS_ERR_NOT_FOUND, "config file '%s' does not exist", config);
        status = ms_toto_config_load(config, &settings);
    } else {
        status = ms_toto_config_preset(config, &settings);
    }
    if (status != MS_OK)
        return status;
    return ms_toto_checkpoint_init(dir, &settings, seed);
}
