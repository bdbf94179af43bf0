/* model_flags.c - the model flags every model-using subcommand accepts, in
 * one place so `analyze` and `forecast` cannot drift apart. */
#include <stdio.h>

#include "cli.h"

int cli_model_args_init(const char *command, cli_model_args *args)
{
    args->path = NULL;
    return cli_init_status(command, "model options",
                           ms_model_options_init(&args->options, MS_MODEL_OPTIONS_VERSION));
}

bool cli_model_flag(const char *command, int option, const char *value,
                    cli_model_args *args, int *code)
{
    size_t count = 0;
    *code = CLI_EXIT_OK;
    switch (option) {
    case CLI_OPT_MODEL:
        args->path = value;
        return true;
    case CLI_OPT_DEVICE:
        args->options.device = value;
        return true;
    case CLI_OPT_PRECISION:
        args->options.precision = value;
        return true;
    case CLI_OPT_NO_KV_CACHE:
        args->options.disable_kv_cache = 1;
        return true;
    case CLI_OPT_THREADS:
        if (!cli_parse_int(value, &args->options.num_threads) || args->options.num_threads == 0)
            *code = cli_usage_error(command, "--threads needs a positive integer, got '%s'", value);
        return true;
    case CLI_OPT_MAX_BATCH:
        if (!cli_parse_size(value, &count) || count == 0)
            *code = cli_usage_error(command, "--max-batch needs a positive integer, got '%s'", value);
        args->options.max_batch = count;
        return true;
    }
    return false;
}

/* Flags win over the environment: it fills only what they left unset. */
int cli_model_open(const char *command, const cli_model_args *args, ms_model **out)
{
    ms_model_options options = args->options;
    ms_status status = ms_model_options_from_env(&options);
    if (status == MS_OK)
        status = ms_model_open(out, args->path, &options);
    if (status == MS_OK)
        return CLI_EXIT_OK;
    fprintf(stderr, "marketsim %s: model: %s\n", command, ms_last_error());
    return status == MS_ERR_INVALID_ARG ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
}
