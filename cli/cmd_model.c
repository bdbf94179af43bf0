/*
 * cmd_model.c - `marketsim model init` (random-weight Toto checkpoints for
 * benchmarks and tests) and `marketsim model info` (what a model is, its
 * size and how long it takes to load).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "marketsim/marketsim.h"

static const char usage[] =
    "usage: marketsim model init --config tiny|small|base|FILE.json --out DIR [--seed N]\n"
    "       marketsim model info MODEL [--json] [model options]\n"
    "\n"
    "init  writes a Toto checkpoint (config.json + model.safetensors, the published\n"
    "      format) with random weights: for benchmarks and tests, not forecasts.\n"
    "      tiny = the reference fixture's sizes, small = about a quarter of base's\n"
    "      width, base = Toto-Open-Base-1.0's sizes (151M parameters, ~600 MB).\n"
    "info  loads MODEL (baseline, toto or a checkpoint directory) and prints its\n"
    "      kind, parameter count, configuration and load time.\n"
    "\n"
    CLI_MODEL_HELP;

enum { OPT_CONFIG = 256, OPT_OUT, OPT_SEED, OPT_JSON };

static int model_init(int argc, char **argv)
{
    static const struct option options[] = {
        { "config", required_argument, NULL, OPT_CONFIG }, { "out", required_argument, NULL, OPT_OUT },
        { "seed", required_argument, NULL, OPT_SEED }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 } };
    const char *config = NULL, *out = NULL;
    size_t seed = 0;
    int option;
    opterr = 0;
    optind = 1;
    while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (option == 'h') {
            fputs(usage, stdout);
            return CLI_EXIT_OK;
        }
        if (option == OPT_CONFIG)
            config = optarg;
        else if (option == OPT_OUT)
            out = optarg;
        else if (option == OPT_SEED && !cli_parse_size(optarg, &seed))
            return cli_usage_error("model init", "--seed needs an integer >= 0, got '%s'", optarg);
        else if (option == '?')
            return cli_usage_error("model init", "unknown option or missing value: '%s'", argv[optind - 1]);
    }
    if (config == NULL || out == NULL || optind < argc)
        return cli_usage_error("model init", "needs --config and --out, and nothing else");
    double started = ms_clock_seconds();
    ms_status status = ms_model_init_checkpoint(out, config, seed);
    if (status != MS_OK) {
        fprintf(stderr, "marketsim model init: %s\n", ms_last_error());
        return status == MS_ERR_INVALID_ARG ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
    }
    printf("wrote %s (config %s, seed %zu) in %.2f s\n", out, config, seed, ms_clock_seconds() - started);
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

static int model_info(int argc, char **argv)
{
    static const struct option options[] = {
        CLI_MODEL_LONG_OPTIONS, { "json", no_argument, NULL, OPT_JSON },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
    cli_model_args model_args = { .options = MS_MODEL_OPTIONS_INIT };
    int json = 0, option, code;
    opterr = 0;
    optind = 1;
    while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (option == 'h') {
            fputs(usage, stdout);
            return CLI_EXIT_OK;
        }
        if (option == OPT_JSON)
            json = 1;
        else if (cli_model_flag("model info", option, optarg, &model_args, &code)) {
            if (code != CLI_EXIT_OK)
                return code;
        } else
            return cli_usage_error("model info", "unknown option or missing value: '%s'", argv[optind - 1]);
    }
    if (optind != argc - 1)
        return cli_usage_error("model info", "needs exactly one MODEL");
    model_args.path = argv[optind];
    ms_model *model = NULL;
    double started = ms_clock_seconds();
    if ((code = cli_model_open("model info", &model_args, &model)) != CLI_EXIT_OK)
        return code;
    double load_seconds = ms_clock_seconds() - started;
    char *text = NULL;
    ms_status status = ms_model_describe(model, &text);
    json_t *description = status == MS_OK ? json_loads(text, 0, NULL) : NULL;
    ms_free(text);
    ms_model_free(model);
    if (description == NULL) {
        fprintf(stderr, "marketsim model info: %s\n", ms_last_error());
        return CLI_EXIT_FAILED;
    }
    json_object_set_new(description, "load_seconds", json_real(load_seconds));
    if (json) {
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
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "init") == 0)
        return model_init(argc - 1, argv + 1);
    if (strcmp(argv[1], "info") == 0)
        return model_info(argc - 1, argv + 1);
    return cli_usage_error("model", "unknown subcommand '%s' (init or info)", argv[1]);
}
