/*
 * cmd_cache.c - `marketsim cache info|clear [--cache PATH]`: what the
 * persistent forecast cache holds, and emptying it (cache.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "marketsim/marketsim.h"

static const cli_usage usage = {
    "usage: marketsim cache info [--cache PATH]\n"
    "       marketsim cache clear [--cache PATH]\n"
    "\n"
    "info   the forecast cache's file, forecasts held, size and last use\n"
    "clear  empties it (a damaged cache file is removed)\n"
    "\n",
    NULL,
};

enum { OPT_CACHE = 256 };

static const cli_flag flags[] = {
    { "cache", required_argument, OPT_CACHE, "PATH",
      "the cache file (default $XDG_CACHE_HOME/marketsim/forecasts.sqlite,\n"
      "or MARKETSIM_CACHE when it names a file)" },
    CLI_HELP_FLAG,
    { NULL },
};

/* --cache is the table's only flag but help, which the loop handles. */
static int apply_flag(void *context, int option, const char *value)
{
    (void)option;
    *(const char **)context = value;
    return CLI_EXIT_OK;
}

static void print_time(const char *label, int64_t seconds)
{
    char text[32] = "-";
    time_t t = (time_t)seconds;
    struct tm utc;
    if (seconds > 0 && gmtime_r(&t, &utc) != NULL)
        strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc);
    printf("%-12s %s\n", label, text);
}

static int show_info(const char *path)
{
    ms_cache_info info;
    if (ms_cache_get_info(path, &info) != MS_OK) {
        fprintf(stderr, "marketsim cache info: %s\n", ms_last_error());
        return CLI_EXIT_FAILED;
    }
    printf("%-12s %s\n", "file:", path);
    printf("%-12s %" PRIu64 "\n", "forecasts:", info.forecasts);
    printf("%-12s %" PRIu64 "\n", "checkpoints:", info.checkpoints);
    printf("%-12s %" PRIu64 " bytes\n", "size:", info.bytes);
    print_time("oldest use:", info.oldest_use);
    print_time("newest use:", info.newest_use);
    return CLI_EXIT_OK;
}

/* --cache, else MARKETSIM_CACHE when it names a file, else the default. */
static char *cache_path(const char *flag)
{
    const char *env = getenv("MARKETSIM_CACHE");
    if (flag == NULL && env != NULL && *env != '\0' && strcmp(env, "off") != 0 &&
        strcmp(env, "default") != 0)
        flag = env;
    char *path = NULL;
    if (flag != NULL && strcmp(flag, "default") != 0)
        path = strdup(flag);
    else if (ms_cache_default_path(&path) != MS_OK)
        fprintf(stderr, "marketsim cache: %s\n", ms_last_error());
    return path;
}

int cli_cache(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        cli_help_print(argc < 2 ? stderr : stdout, flags, &usage);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    bool info = strcmp(argv[1], "info") == 0;
    if (!info && strcmp(argv[1], "clear") != 0)
        return cli_usage_error("cache", "unknown subcommand '%s' (info or clear)", argv[1]);
    const char *flag = NULL;
    int code = cli_parse_flag_table("cache", argc - 1, argv + 1, flags, &usage, apply_flag, &flag);
    if (code >= 0)
        return code;
    if (flag != NULL && strcmp(flag, "off") == 0)
        return cli_usage_error("cache", "--cache off names no cache file");
    char *path = cache_path(flag);
    if (path == NULL)
        return CLI_EXIT_FAILED;
    if (info) {
        code = show_info(path);
    } else if (ms_cache_clear(path) != MS_OK) {
        fprintf(stderr, "marketsim cache clear: %s\n", ms_last_error());
        code = CLI_EXIT_FAILED;
    } else {
        printf("cleared %s\n", path);
        code = CLI_EXIT_OK;
    }
    free(path);
    return code;
}
