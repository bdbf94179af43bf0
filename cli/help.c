/*
 * help.c - the --help of a flag table (cli_flag): one list per command
 * gives getopt_long its table (flags.c) and --help its option lines (here),
 * so a flag cannot be accepted without being documented or documented
 * without being accepted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Help text starts in this column; a longer flag gets two spaces. */
#define HELP_COLUMN 25

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

void cli_help_print(FILE *out, const cli_flag *flags, const cli_usage *usage)
{
    char *help = cli_help_text(flags, usage);
    fputs(help, out);
    free(help);
}
