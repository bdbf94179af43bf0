/*
 * cmd_config.c - `marketsim config show COMMAND [flags]`: the settings the
 * command would run with, each with where it came from (a flag, the
 * environment, a line of the configuration file, the built-in default).
 * It runs the command's own flag parsing in show mode (flags.c), so it
 * knows every command's flags without a list of its own.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: marketsim config show COMMAND [--config FILE] [flags]\n"
    "\n"
    "Prints the settings COMMAND (analyze, trade, forecast, ...) would run with,\n"
    "as INI lines each followed by where it came from: a flag, the environment,\n"
    "FILE:LINE of the configuration file, or the built-in default. Precedence:\n"
    "a flag > the environment > the file > the default.\n"
    "\n"
    "The file is --config FILE, else $XDG_CONFIG_HOME/marketsim/config.ini, else\n"
    "~/.config/marketsim/config.ini: a [section] per command ([analyze], [trade],\n"
    "[model info]) and [common] for every command, keys named like the long flags:\n"
    "\n"
    "  [common]\n"
    "  data = csv:/srv/bars\n"
    "  [analyze]\n"
    "  symbols = ARGX,KGC\n"
    "  simulations = 40\n"
    "  sequential = true\n";

int cli_config(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage, stdout);
        return CLI_EXIT_OK;
    }
    if (argc < 3 || strcmp(argv[1], "show") != 0)
        return cli_usage_error("config", "expected 'config show COMMAND [flags]'");
    const char *name = argv[2];
    cli_command_fn command = strcmp(name, "config") != 0 ? cli_command_find(name) : NULL;
    if (command == NULL) {
        const char *names[32];
        const char *closest = cli_closest(name, names, cli_command_names(names, 32));
        return cli_usage_error("config", "'%s' is not a command with settings%s%s%s", name,
                               closest ? " (did you mean '" : "", closest ? closest : "",
                               closest ? "'?)" : "");
    }
    cli_flags_show_only(true);
    return command(argc - 2, argv + 2);
}
