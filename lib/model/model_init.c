/* model_init.c - ms_model_init_checkpoint: random-weight Toto checkpoints
 * for `marketsim model init`, from a preset name or a config.json. */
#include <string.h>
#include <sys/stat.h>

#include "core/core_internal.h"
#include "model/checkpoint.h"

MS_API ms_status ms_model_init_checkpoint(const char *dir, const char *config, uint64_t seed)
{
    if (dir == NULL || *dir == '\0' || config == NULL || *config == '\0')
        return ms_error(MS_ERR_INVALID_ARG, "ms_model_init_checkpoint: a directory and a config are needed");
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
