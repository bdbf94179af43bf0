/*
 * marketsim.c - the `marketsim` command: dispatches to one file per
 * subcommand. The CLI is thin: it parses flags, calls the library, prints.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "marketsim/marketsim.h"

typedef struct command {
    const char *name;
    cli_command_fn run;
    const char *summary;
} command;

static const command commands[] = {
    { "analyze", cli_analyze, "backtest strategies on forecasts for many symbols and rank them" },
    { "cache", cli_cache, "show or clear the persistent forecast cache" },
    { "forecast", cli_forecast, "forecast one series (JSON or a symbol's bars) with a model" },
    { "model", cli_model, "make random-weight Toto checkpoints; describe a model" },
    { "trade", cli_trade, "analyze, then place the picks' orders with a broker (paper by default)" },
};

static void print_help(FILE *out)
{
    fprintf(out, "usage: marketsim <command> [options]\n"
                 "       marketsim --version | --help\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'marketsim <command> --help' describes a command's options.\n"
                 "Environment: MARKETSIM_LOG=debug|info|warn|error (default warn).\n");
}

/* A report that never reached stdout (a full disk, a broken pipe) must not
 * end in exit 0: the caller would take the missing report as written. The
 * stream's error flag also catches a failure of an earlier, automatic flush. */
static int check_stdout(int code)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return code;
    fprintf(stderr, "marketsim: cannot write to standard output: %s\n",
            errno != 0 ? strerror(errno) : "write error");
    return code == CLI_EXIT_OK ? CLI_EXIT_FAILED : code;
}

int main(int argc, char **argv)
{
    /* The library reads MARKETSIM_LOG at its first log line; reading it now
     * warns about a bad value on every run, not only on runs that log. */
    ms_log_threshold();
    if (argc < 2) {
        print_help(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("marketsim %s\n", ms_version());
        return check_stdout(CLI_EXIT_OK);
    }
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        print_help(stdout);
        return check_stdout(CLI_EXIT_OK);
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(name, commands[i].name) == 0)
            return check_stdout(commands[i].run(argc - 1, argv + 1));
    fprintf(stderr, "marketsim: unknown command '%s'\n\n", name);
    print_help(stderr);
    return CLI_EXIT_USAGE;
}
