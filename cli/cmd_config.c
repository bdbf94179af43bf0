/*
 * cmd_config.c - `marketsim config show COMMAND [flags]`: the settings the
 * command would run with, each with where it came from (a flag, the
 * environment, a line of the configuration file, the built-in default).
 * It runs the command's own flag parsing in show mode (flags.c), so it
 * knows every command's flags without a list of its own. Its table holds
 * what the help lists besides them: --config, which every command's parse
 * takes (flags.c), and --help; it generates the help and parses nothing.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_usage usage = {
    "usage: marketsim config show COMMAND [--config FILE] [flags]\n"
    "\n"
    "Prints the settings COMMAND (analyze, trade, forecast, ...) would run with,\n"
    "as INI lines each followed by where it came from: a flag, the environment,\n"
    "FILE:LINE of the configuration file, or the built-in default. Precedence:\n"
    "a flag > the environment > the file > the default. The flags are COMMAND's.\n"
    "\n",
    "The file has a [section] per command ([analyze], [trade], [model info]) and\n"
    "[common] for every command, keys named like the long flags:\n"
    "\n"
    "  [common]\n"
    "  data = csv:/srv/bars\n"
    "  [analyze]\n"
    "  symbols = ARGX,KGC\n"
    "  simulations = 40\n"
    "  sequential = true\n",
};

static const cli_flag flags[] = {
    { "config", required_argument, 0, "FILE",
      "the configuration file (default:\n"
      "$XDG_CONFIG_HOME/marketsim/config.ini, else\n"
      "~/.config/marketsim/config.ini)" },
    CLI_HELP_FLAG,
    { NULL },
};

/* The usage error for a COMMAND config show does not show: mpirun would
 * start the job instead of showing anything (its ranks run the command
 * named after the launcher options: show that one); any other, config
 * itself included, is not a command with settings. */
static int not_shown(const char *name)
{
    if (strcmp(name, "mpirun") == 0)
        return cli_usage_error("config", "'mpirun' has no settings of its own: show the command "
                               "it runs (config show analyze [flags])");
    const char *names[32];
    const char *closest = cli_closest(name, names, cli_command_names(names, 32));
    return cli_usage_error("config", "'%s' is not a command with settings%s%s%s", name,
                           closest ? " (did you mean '" : "", closest ? closest : "",
                           closest ? "'?)" : "");
}

int cli_config(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        cli_help_print(stdout, flags, &usage);
        return CLI_EXIT_OK;
    }
    if (argc >= 2 && argv[1][0] == '-')
        return cli_usage_error("config", "'%s' goes after the command: config show COMMAND "
                               "[--config FILE] [flags]", argv[1]);
    if (argc < 3 || strcmp(argv[1], "show") != 0)
        return cli_usage_error("config", "expected 'config show COMMAND [flags]'");
    const char *name = argv[2];
    bool shown = strcmp(name, "config") != 0 && strcmp(name, "mpirun") != 0;
    cli_command_fn command = shown ? cli_command_find(name) : NULL;
    if (command == NULL)
        return not_shown(name);
    cli_flags_show_only(true);
    return command(argc - 2, argv + 2);
}
