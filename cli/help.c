/*
 * help.c - flag tables (cli_flag): one list per command that gives
 * getopt_long its table and --help its option lines, so a flag cannot be
 * accepted without being documented or documented without being accepted.
 * cli_parse_flag_table builds both and runs the shared flag loop (flags.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Help text starts in this column; a longer flag gets two spaces. */
#define HELP_COLUMN 25

static void *allocate(size_t count, size_t size)
{
    void *memory = calloc(count ? count : 1, size);
    if (memory == NULL) {
        fputs("marketsim: out of memory building the flags\n", stderr);
        exit(CLI_EXIT_FAILED);
    }
    return memory;
}

static size_t flag_count(const cli_flag *flags)
{
    size_t count = 0;
    while (flags[count].name != NULL)
        count++;
    return count;
}

/* getopt_long's table of `flags`, ending with the zero entry. */
static struct option *option_table(const cli_flag *flags)
{
    size_t count = flag_count(flags);
    struct option *options = allocate(count + 1, sizeof *options);
    for (size_t i = 0; i < count; i++)
        options[i] = (struct option){ flags[i].name, flags[i].has_arg, NULL, flags[i].val };
    return options;
}

/* Appends one flag's lines: "  --name METAVAR", the help from HELP_COLUMN,
 * each '\n' of the help continuing in that column. */
static void append_flag(FILE *out, const cli_flag *flag)
{
    int width = flag->val == 'h' ? fprintf(out, "  -h, --%s", flag->name)
                                 : fprintf(out, "  --%s", flag->name);
    if (flag->metavar != NULL)
        width += fprintf(out, " %s", flag->metavar);
    fprintf(out, "%*s", width < HELP_COLUMN - 1 ? HELP_COLUMN - width : 2, "");
    for (const char *line = flag->help; *line != '\0';) {
        size_t length = strcspn(line, "\n");
        fprintf(out, "%.*s\n", (int)length, line);
        line += length;
        if (*line == '\n' && *++line != '\0')
            fprintf(out, "%*s", HELP_COLUMN, "");
    }
}

char *cli_help_text(const cli_flag *flags, const cli_usage *usage)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (out == NULL) {
        fputs("marketsim: out of memory building the help\n", stderr);
        exit(CLI_EXIT_FAILED);
    }
    fputs(usage->synopsis, out);
    for (size_t i = 0; flags[i].name != NULL; i++)
        append_flag(out, &flags[i]);
    if (usage->epilog != NULL)
        fprintf(out, "\n%s", usage->epilog);
    fclose(out);
    return text;
}

int cli_parse_flag_table(const char *command, int argc, char **argv, const cli_flag *flags,
                         const cli_usage *usage, cli_flag_fn apply, void *args)
{
    struct option *options = option_table(flags);
    char *help = cli_help_text(flags, usage);
    int code = cli_parse_flags(command, argc, argv, options, help, apply, args);
    free(help);
    free(options);
    return code;
}
