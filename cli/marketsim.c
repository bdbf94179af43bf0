/*
 * marketsim.c - the `marketsim` command: dispatches to one file per
 * subcommand. The CLI is thin: it parses flags, calls the library, prints.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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
    { "backtest", cli_backtest, "backtest strategies on your own forecasts of one symbol" },
    { "cache", cli_cache, "show or clear the persistent forecast cache" },
    { "forecast", cli_forecast, "forecast one series (JSON or a symbol's bars) with a model" },
    { "model", cli_model, "make random-weight Toto checkpoints; describe a model" },
    { "trade", cli_trade, "analyze, then place the picks' orders with a broker (paper by default)" },
    { "account", cli_account, "show a broker's cash, equity, positions and working orders" },
    { "config", cli_config, "show a command's effective settings and where each came from" },
    { "mpirun", cli_mpi_run, "run analyze or trade over MPI ranks, ending with marketsim's codes" },
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

cli_command_fn cli_command_find(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run;
    return NULL;
}

size_t cli_command_names(const char **names, size_t capacity)
{
    size_t count = 0;
    for (; count < COMMAND_COUNT && count < capacity; count++)
        names[count] = commands[count].name;
    return count;
}

static void print_help(FILE *out)
{
    fprintf(out, "usage: marketsim [--config FILE] <command> [options]\n"
                 "       marketsim --version | --help\n\ncommands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'marketsim <command> --help' describes a command's options.\n"
                 "Settings also come from $XDG_CONFIG_HOME/marketsim/config.ini (or --config FILE):\n"
                 "a [section] per command, keys named like the long flags (docs/cli.md).\n"
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

static int unknown_command(const char *name)
{
    const char *names[COMMAND_COUNT];
    const char *closest = cli_closest(name, names, cli_command_names(names, COMMAND_COUNT));
    if (closest != NULL)
        fprintf(stderr, "marketsim: unknown command '%s' (did you mean '%s'?)\n\n", name, closest);
    else
        fprintf(stderr, "marketsim: unknown command '%s'\n\n", name);
    print_help(stderr);
    return CLI_EXIT_USAGE;
}

/* `marketsim --config FILE <command> ...`: the file for every command. */
static int take_config(int *argc, char ***argv)
{
    const char *flag = (*argv)[1];
    if (strncmp(flag, "--config=", 9) == 0) {
        cli_config_use(flag + 9);
        *argc -= 1;
        *argv += 1;
    } else if (strcmp(flag, "--config") == 0) {
        if (*argc < 3) {
            fprintf(stderr, "marketsim: --config needs a FILE\n");
            return CLI_EXIT_USAGE;
        }
        cli_config_use((*argv)[2]);
        *argc -= 2;
        *argv += 2;
    }
    (*argv)[0] = "marketsim";
    return *argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}

static int run(int argc, char **argv)
{
    if (argc < 2 || take_config(&argc, &argv) != CLI_EXIT_OK) {
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
    cli_command_fn command = cli_command_find(name);
    return command != NULL ? check_stdout(command(argc - 1, argv + 1)) : unknown_command(name);
}

int main(int argc, char **argv)
{
    /* The library reads no environment unless asked; the command line
     * asks, so MARKETSIM_LOG and MARKETSIM_TORCH_PLUGIN work as they always
     * have (a bad MARKETSIM_LOG warns on every run, not only on runs that log). */
    if (ms_log_level_from_env() != MS_OK)
        fprintf(stderr, "marketsim: warn: %s\n", ms_last_error());
    if (ms_model_set_plugin(getenv("MARKETSIM_TORCH_PLUGIN")) != MS_OK) {
        fprintf(stderr, "marketsim: %s\n", ms_last_error());
        return CLI_EXIT_FAILED;
    }
    int code = run(argc, argv);
    cli_config_release();
    return code;
}
