/*
 * flags.c - the flag loop every subcommand shares (cli_parse_flag_table):
 * getopt_long over the table built from the command's cli_flag list, with
 * the configuration file folded in: the entries of [common] and of the
 * command's section become "--key=value" arguments placed before the
 * command line's, and one getopt_long pass over the command's own table
 * applies both. So any flag in any table is a configuration key, values
 * are checked by the same code, and precedence falls out of the order:
 *
 *   a flag > the environment > the file > the built-in default
 *
 * A file entry is dropped when the command line gives the same flag (list
 * flags such as --symbols append, so order alone would merge them), a
 * [common] one when the command's section sets the key, and either when
 * the environment variable the command reads for it is set (the commands
 * opt in to the library's ms_*_from_env, which lets an explicit option win
 * over the environment; the file must not). `marketsim config show COMMAND
 * [flags]` runs the same parse and prints each setting with where it came from instead of running.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

/* The flags whose setting the commands also read from the environment
 * (ms_analyzer_options_from_env, ms_model_options_from_env; PAPER the broker's). */
static const struct {
    const char *flag;
    const char *variable;
} environment[] = {
    { "simulations", "MARKETSIM_BACKTEST_SIMULATIONS" },
    { "workers", "MARKETSIM_PARALLEL_WORKERS" },
    { "sequential", "MARKETSIM_PARALLEL_ANALYSIS" },
    { "warmup", "MARKETSIM_WARMUP_MODELS" },
    { "position-size", "MARKETSIM_POSITION_SIZE" },
    { "max-positions", "MARKETSIM_MAX_POSITIONS" },
    { "stock-fee", "MARKETSIM_STOCK_FEE" },
    { "crypto-fee", "MARKETSIM_CRYPTO_FEE" },
    { "cache", "MARKETSIM_CACHE" },
    { "precision", "MARKETSIM_PRECISION" },
    { "paper", "PAPER" },
};

static bool show_only;

void cli_flags_show_only(bool show)
{
    show_only = show;
}

/* The environment variable set for `flag`, NULL when none is. */
static const char *environment_for(const char *flag)
{
    for (size_t i = 0; i < sizeof environment / sizeof environment[0]; i++) {
        const char *value = getenv(environment[i].variable);
        if (strcmp(environment[i].flag, flag) == 0 && value != NULL && *value != '\0')
            return environment[i].variable;
    }
    return NULL;
}

/* The arguments getopt sees: argv[0], the file's, then the command line's;
 * origin[i] is the file entry argument i came from, NULL for a flag. */
typedef struct inputs {
    char **argv;
    const cli_config_entry **origin;
    int argc;
    size_t options;                /* entries in the flag table */
    bool *given;                   /* per table entry: the command line sets it */
    char **shown;                  /* per table entry, for config show: value(s) */
    const char **source;           /* per table entry, for config show: where from */
} inputs;

static void *allocate(size_t count, size_t size)
{
    void *memory = calloc(count ? count : 1, size);
    if (memory == NULL) {
        fputs("marketsim: out of memory parsing the flags\n", stderr);
        exit(CLI_EXIT_FAILED);
    }
    return memory;
}

static int find_option(const struct option *options, const char *name)
{
    for (int i = 0; options[i].name != NULL; i++)
        if (strcmp(options[i].name, name) == 0 && options[i].val != 'h')
            return i;
    return -1;
}

/* --config FILE on the command line, for the commands whose own table has
 * no --config (`model init` has, for another purpose); removed from the
 * arguments. Returns false on a --config without a value. */
static bool take_config_flag(const char *command, const struct option *options, int *argc,
                             char **argv)
{
    if (find_option(options, "config") >= 0)
        return true;
    int kept = 1;
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            while (i < *argc)
                argv[kept++] = argv[i++];
            break;
        }
        if (strncmp(argv[i], "--config=", 9) == 0) {
            cli_config_use(argv[i] + 9);
        } else if (strcmp(argv[i], "--config") == 0) {
            if (i + 1 == *argc) {
                cli_usage_error(command, "--config needs a FILE");
                return false;
            }
            cli_config_use(argv[++i]);
        } else {
            argv[kept++] = argv[i];
        }
    }
    *argc = kept;
    return true;
}

/* Marks the flags the command line gives (a first getopt pass on a copy:
 * getopt reorders what it scans). */
static void mark_given(int argc, char **argv, const struct option *options, inputs *in)
{
    char **copy = allocate((size_t)argc + 1, sizeof *copy);
    memcpy(copy, argv, (size_t)argc * sizeof *copy);
    opterr = 0;
    optind = 0;
    int index = -1;
    while (getopt_long(argc, copy, "h", options, &index) != -1) {
        if (index >= 0)
            in->given[index] = true;
        index = -1;
    }
    free(copy);
}

static bool parse_bool(const char *text, bool *out)
{
    static const char *const yes[] = { "1", "true", "yes", "on" };
    static const char *const no[] = { "0", "false", "no", "off" };
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(text, yes[i]) == 0 || strcasecmp(text, no[i]) == 0) {
            *out = strcasecmp(text, yes[i]) == 0;
            return true;
        }
    }
    return false;
}

/* Whether `command`'s own section sets `key`: it then replaces [common]'s
 * value (which would otherwise add to a list flag's). */
static bool section_sets(const char *command, const char *key)
{
    for (size_t i = 0; i < cli_config_count(); i++) {
        const cli_config_entry *entry = cli_config_entry_at(i);
        if (strcmp(entry->section, command) == 0 && strcmp(entry->key, key) == 0)
            return true;
    }
    return false;
}

/* An entry of `command`'s section or of [common] as an argument (NULL in
 * *argument when it adds nothing: false, overridden, or a [common] key the
 * command does not take). Returns false, with the message printed, when
 * the key or a switch's value is wrong. */
static bool entry_argument(const char *command, const struct option *options, inputs *in,
                           cli_config_entry *entry, const char **argument)
{
    *argument = NULL;
    bool common = strcmp(entry->section, "common") == 0;
    if (!common && strcmp(entry->section, command) != 0)
        return true;
    int index = find_option(options, entry->key);
    if (index < 0 && common)
        return true;
    if (index < 0) {
        const char *closest = cli_closest_option(entry->key, options);
        fprintf(stderr, "marketsim %s: configuration: %s:%d: [%s] has no key '%s'%s%s%s\n", command,
                cli_config_path(), entry->line, entry->section, entry->key,
                closest ? " (did you mean '" : "", closest ? closest : "", closest ? "'?)" : "");
        return false;
    }
    if (in->given[index] || environment_for(entry->key) != NULL ||
        (common && section_sets(command, entry->key)))
        return true;
    bool on = true;
    if (options[index].has_arg == no_argument && !parse_bool(entry->value, &on)) {
        fprintf(stderr, "marketsim %s: configuration: %s:%d: '%s' is a switch: true or false, "
                "got '%s'\n", command, cli_config_path(), entry->line, entry->key, entry->value);
        return false;
    }
    if (!on)
        return true;
    if (entry->argument == NULL) {
        size_t size = strlen(entry->key) + strlen(entry->value) + 4;
        entry->argument = allocate(size, 1);
        snprintf(entry->argument, size, options[index].has_arg == no_argument ? "--%s" : "--%s=%s",
                 entry->key, entry->value);
    }
    *argument = entry->argument;
    return true;
}

/* Builds the arguments; false when the file is wrong (message printed). */
static bool gather(const char *command, int argc, char **argv, const struct option *options,
                   inputs *in)
{
    while (options[in->options].name != NULL)
        in->options++;
    in->given = allocate(in->options, sizeof *in->given);
    in->shown = allocate(in->options, sizeof *in->shown);
    in->source = allocate(in->options, sizeof *in->source);
    mark_given(argc, argv, options, in);
    size_t total = (size_t)argc + cli_config_count() + 1;
    in->argv = allocate(total, sizeof *in->argv);
    in->origin = allocate(total, sizeof *in->origin);
    in->argv[in->argc++] = argv[0];
    /* [common] first, so the command's own section overrides it. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < cli_config_count(); i++) {
            cli_config_entry *entry = (cli_config_entry *)cli_config_entry_at(i);
            if ((strcmp(entry->section, "common") == 0) != (pass == 0))
                continue;
            const char *argument = NULL;
            if (!entry_argument(command, options, in, entry, &argument))
                return false;
            if (argument != NULL) {
                in->origin[in->argc] = entry;
                in->argv[in->argc++] = (char *)argument;
            }
        }
    }
    for (int i = 1; i < argc; i++)
        in->argv[in->argc++] = argv[i];
    in->argv[in->argc] = NULL;
    return true;
}

static void release(inputs *in)
{
    for (size_t i = 0; i < in->options; i++) {
        free(in->shown[i]);
        free((char *)in->source[i]);
    }
    free(in->shown);
    free((void *)in->source);
    free(in->given);
    free(in->argv);
    free((void *)in->origin);
}

static char *text_printf(const char *fmt, const char *a, const char *b)
{
    size_t size = strlen(fmt) + strlen(a) + strlen(b) + 16;
    char *text = allocate(size, 1);
    snprintf(text, size, fmt, a, b);
    return text;
}

/* For config show: the option's values in the order applied (a list flag
 * such as --symbols accumulates them; the file's continuation lines are
 * repeats) and where the last came from. */
static void remember(inputs *in, int index, const char *value, const cli_config_entry *origin)
{
    const char *now = value != NULL ? value : "true";
    char *shown = in->shown[index] == NULL ? text_printf("%s%s", "", now)
                                           : text_printf("%s,%s", in->shown[index], now);
    free(in->shown[index]);
    in->shown[index] = shown;
    char line[16];
    snprintf(line, sizeof line, "%d", origin != NULL ? origin->line : 0);
    free((char *)in->source[index]);
    in->source[index] = origin != NULL ? text_printf("%s:%s", cli_config_path(), line)
                                       : text_printf("%s%s", "flag", "");
}

static void show(const char *command, const struct option *options, const inputs *in)
{
    const char *file = cli_config_path();
    printf("; marketsim %s: effective settings, each with where it came from\n"
           "; (a flag > the environment > the configuration file > the built-in default)\n"
           "; configuration file: %s\n[%s]\n", command, file != NULL ? file : "none", command);
    for (size_t i = 0; i < in->options; i++) {
        const char *name = options[i].name, *variable = environment_for(name);
        if (options[i].val == 'h')
            continue;
        if (in->shown[i] != NULL)
            printf("%s = %s  ; %s\n", name, in->shown[i], in->source[i]);
        else if (variable != NULL)
            printf("%s = %s  ; environment %s\n", name, getenv(variable), variable);
        else
            printf("; %s = (built-in default)\n", name);
    }
}

/* The flag the command line got wrong: unknown (with the closest name) or
 * missing its value. */
static int flag_error(const char *command, const struct option *options, const char *argument)
{
    const char *word = argument + strspn(argument, "-");
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)strcspn(word, "="), word);
    if (find_option(options, name) >= 0)
        return cli_usage_error(command, "option '--%s' needs a value", name);
    const char *closest = cli_closest_option(name, options);
    if (closest != NULL)
        return cli_usage_error(command, "unknown option '%s' (did you mean '--%s'?)", argument,
                               closest);
    return cli_usage_error(command, "unknown option '%s'", argument);
}

static int apply_all(const char *command, const struct option *options, const char *usage,
                     cli_flag_fn apply, void *args, inputs *in)
{
    opterr = 0;
    optind = 0;
    int option, index = -1, at = 1;
    while ((option = getopt_long(in->argc, in->argv, "h", options, &index)) != -1) {
        const cli_config_entry *origin = at < in->argc ? in->origin[at] : NULL;
        if (option == 'h') {
            fputs(usage, stdout);
            return CLI_EXIT_OK;
        }
        if (option == '?')
            return flag_error(command, options, in->argv[optind - 1]);
        int code = apply(args, option, optarg);
        if (code != CLI_EXIT_OK) {
            if (origin != NULL)
                fprintf(stderr, "marketsim %s: that value comes from %s:%d (key '%s')\n", command,
                        cli_config_path(), origin->line, origin->key);
            return code;
        }
        if (index >= 0)
            remember(in, index, optarg, origin);
        index = -1;
        at = optind;
    }
    if (optind < in->argc)
        return cli_usage_error(command, "unexpected argument '%s'", in->argv[optind]);
    if (show_only) {
        show(command, options, in);
        return CLI_EXIT_OK;
    }
    return -1;
}

/* getopt_long's table of `flags`, ending with the zero entry. */
static struct option *option_table(const cli_flag *flags)
{
    size_t count = 0;
    while (flags[count].name != NULL)
        count++;
    struct option *options = allocate(count + 1, sizeof *options);
    for (size_t i = 0; i < count; i++)
        options[i] = (struct option){ flags[i].name, flags[i].has_arg, NULL, flags[i].val };
    return options;
}

int cli_parse_flag_table(const char *command, int argc, char **argv, const cli_flag *flags,
                         const cli_usage *usage, cli_flag_fn apply, void *args)
{
    struct option *options = option_table(flags);
    inputs in = { 0 };
    int code = CLI_EXIT_USAGE;
    if (take_config_flag(command, options, &argc, argv) && cli_config_load() &&
        gather(command, argc, argv, options, &in)) {
        char *help = cli_help_text(flags, usage);
        code = apply_all(command, options, help, apply, args, &in);
        free(help);
    }
    release(&in);
    free(options);
    return code;
}
