/*
 * cli.h - what the `marketsim` subcommands share: exit codes, the
 * subcommand signature and small argument helpers (args.c).
 */
#ifndef MS_CLI_H
#define MS_CLI_H

#include <stdbool.h>
#include <stddef.h>

/* Exit codes of every subcommand. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILED = 1,   /* a runtime failure, or some symbols failed (report still printed) */
    CLI_EXIT_USAGE = 2     /* bad flags or arguments */
};

/* A subcommand: argv[0] is its name. Returns an exit code. */
typedef int (*cli_command_fn)(int argc, char **argv);

int cli_analyze(int argc, char **argv);

/* Prints "marketsim: <message>" to stderr and returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parses a whole decimal size_t / int / double; false on any leftover text. */
bool cli_parse_size(const char *text, size_t *out);
bool cli_parse_int(const char *text, int *out);
bool cli_parse_double(const char *text, double *out);

/* A growable list of symbol names, upper-cased, owned by the list. */
typedef struct cli_symbols {
    char **names;
    size_t count;
    size_t capacity;
} cli_symbols;

/* Appends the names in `text`, separated by commas, spaces or newlines;
 * '#' starts a comment to the end of the line. False on out-of-memory. */
bool cli_symbols_add_list(cli_symbols *symbols, const char *text);

/* Appends the names in a file (same syntax). False with a message on stderr
 * when the file cannot be read. */
bool cli_symbols_add_file(cli_symbols *symbols, const char *path);

void cli_symbols_free(cli_symbols *symbols);

#endif
