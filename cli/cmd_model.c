/*
 * cmd_model.c - `marketsim model init` (random-weight Toto checkpoints and
 * Kronos tokenizer + model pairs for benchmarks and tests) and `marketsim model info` (what a model is, its
 * size and how long it takes to load).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "marketsim/marketsim.h"

static const cli_usage usage = {
    "usage: marketsim model init --config tiny|small|base|FILE.json|kronos-mini|kronos-small|\n"
    "                                     kronos-base --out DIR [--seed N]\n"
    "       marketsim model info MODEL [--json] [model options]\n"
    "\n"
    "init  writes a Toto checkpoint (config.json + model.safetensors, the published\n"
    "      format) with random weights: for benchmarks and tests, not forecasts.\n"
    "      tiny = the reference fixture's sizes, small = about a quarter of base's\n"
    "      width, base = Toto-Open-Base-1.0's sizes (151M parameters, ~600 MB).\n"
    "      kronos-mini|small|base = a Kronos pair of the published sizes (4.1M, 24.7M,\n"
    "      102.3M parameters): DIR/tokenizer and DIR/model, each config.json +\n"
    "      model.safetensors, as NeoQuasar publishes them.\n"
    "      DIR must not exist or be empty; both files appear together or not at all.\n"
    "info  loads MODEL (baseline, toto, a checkpoint directory or a Kronos pair) and\n"
    "      prints its kind, parameter count, configuration and load time.\n"
    "\n",
    NULL,
};

enum { OPT_CONFIG = 256, OPT_OUT, OPT_SEED, OPT_JSON };

static const cli_flag init_flags[] = {
    { "config", required_argument, OPT_CONFIG, "PRESET|FILE.json",
      "tiny, small, base, kronos-mini, kronos-small, kronos-base or a\nToto config.json" },
    { "out", required_argument, OPT_OUT, "DIR", "where to write the checkpoint" },
    { "seed", required_argument, OPT_SEED, "N", "the random weights' seed (default 0)" },
    CLI_HELP_FLAG,
    { NULL },
};

static const cli_flag info_flags[] = {
    CLI_MODEL_FLAGS,
    { "json", no_argument, OPT_JSON, NULL, "the description as one JSON document" },
    CLI_HELP_FLAG,
    { NULL },
};

/* `model --help` and `model info --help`: the synopsis and info's flags. */
static int print_help(FILE *out, int code)
{
    cli_help_print(out, info_flags, &usage);
    return code;
}

typedef struct init_args {
    const char *config;
    const char *out;
    size_t seed;
} init_args;

static int apply_init_flag(void *context, int option, const char *value)
{
    init_args *args = context;
    if (option == OPT_CONFIG)
        args->config = value;
    else if (option == OPT_OUT)
        args->out = value;
    else if (option == OPT_SEED && !cli_parse_size(value, &args->seed))
        return cli_usage_error("model init", "--seed needs an integer >= 0, got '%s'", value);
    return CLI_EXIT_OK;
}

static int model_init(int argc, char **argv)
{
    init_args args = { 0 };
    int code = cli_parse_flag_table("model init", argc, argv, init_flags, &usage, apply_init_flag,
                                    &args);
    if (code >= 0)
        return code;
    if (args.config == NULL || args.out == NULL)
        return cli_usage_error("model init", "needs --config and --out");
    double started = ms_clock_seconds();
    ms_status status = ms_model_init_checkpoint(args.out, args.config, args.seed);
    if (status != MS_OK) {
        fprintf(stderr, "marketsim model init: %s\n", ms_last_error());
        return status == MS_ERR_INVALID_ARG ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
    }
    printf("wrote %s (config %s, seed %zu) in %.2f s\n", args.out, args.config, args.seed,
           ms_clock_seconds() - started);
    return CLI_EXIT_OK;
}

static void print_description(json_t *description)
{
    printf("model:       %s\n", json_string_value(json_object_get(description, "name")));
    printf("parameters:  %" JSON_INTEGER_FORMAT "\n",
           json_integer_value(json_object_get(description, "parameters")));
    printf("load time:   %.3f s\n", json_real_value(json_object_get(description, "load_seconds")));
    json_t *config = json_object_get(description, "config");
    const char *key;
    json_t *value;
    if (json_is_object(config) && json_object_size(config) > 0) {
        printf("config:\n");
        json_object_foreach(config, key, value) {
            char *text = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
            printf("  %-28s %s\n", key, text ? text : "?");
            free(text);
        }
    }
}

typedef struct info_args {
    cli_model_args model;
    int json;
} info_args;

static int apply_info_flag(void *context, int option, const char *value)
{
    info_args *args = context;
    int code;
    if (option == OPT_JSON) {
        args->json = 1;
        return CLI_EXIT_OK;
    }
    if (cli_model_flag("model info", option, value, &args->model, &code))
        return code;
    return cli_usage_error("model info", "unknown option");
}

/* Loads the model, timing it, and returns its description with the load time. */
static json_t *describe(const cli_model_args *model_args, int *code)
{
    ms_model *model = NULL;
    double started = ms_clock_seconds();
    if ((*code = cli_model_open("model info", model_args, &model)) != CLI_EXIT_OK)
        return NULL;
    double load_seconds = ms_clock_seconds() - started;
    char *text = NULL;
    json_t *description = ms_model_describe(model, &text) == MS_OK ? json_loads(text, 0, NULL) : NULL;
    ms_free(text);
    ms_model_free(model);
    if (description == NULL) {
        fprintf(stderr, "marketsim model info: %s\n", ms_last_error());
        *code = CLI_EXIT_FAILED;
        return NULL;
    }
    json_object_set_new(description, "load_seconds", json_real(load_seconds));
    return description;
}

static int model_info(int argc, char **argv)
{
    /* The one operand, MODEL, comes first: `model info DIR [flags]`. */
    if (argc < 2 || argv[1][0] == '-') {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
            return print_help(stdout, CLI_EXIT_OK);
        return cli_usage_error("model info", "needs exactly one MODEL");
    }
    info_args args = { 0 };
    int code = cli_model_args_init("model info", &args.model);
    if (code != CLI_EXIT_OK)
        return code;
    args.model.path = argv[1];
    code = cli_parse_flag_table("model info", argc - 1, argv + 1, info_flags, &usage,
                                apply_info_flag, &args);
    if (code >= 0)
        return code;
    json_t *description = describe(&args.model, &code);
    if (description == NULL)
        return code;
    if (args.json) {
        json_dumpf(description, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
    } else {
        print_description(description);
    }
    json_decref(description);
    return CLI_EXIT_OK;
}

int cli_model(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return argc < 2 ? print_help(stderr, CLI_EXIT_USAGE) : print_help(stdout, CLI_EXIT_OK);
    if (strcmp(argv[1], "init") == 0)
        return model_init(argc - 1, argv + 1);
    if (strcmp(argv[1], "info") == 0)
        return model_info(argc - 1, argv + 1);
    return cli_usage_error("model", "unknown subcommand '%s' (init or info)", argv[1]);
}
