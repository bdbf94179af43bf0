/* args.c - usage errors, options structs the library refused to fill, strict
 * number parsing and symbol lists for the CLI. */
#include <ctype.h>
#include <getopt.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "marketsim %s: ", command);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'marketsim %s --help'.\n", command);
    return CLI_EXIT_USAGE;
}

int cli_init_status(const char *command, const char *what, ms_status status)
{
    if (status == MS_OK)
        return CLI_EXIT_OK;
    fprintf(stderr, "marketsim %s: %s: %s\n", command, what, ms_last_error());
    return CLI_EXIT_FAILED;
}

bool cli_parse_size(const char *text, size_t *out)
{
    if (text == NULL || !isdigit((unsigned char)text[0]))
        return false;
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = (size_t)value;
    return true;
}

bool cli_parse_int(const char *text, int *out)
{
    size_t value;
    if (!cli_parse_size(text, &value) || value > INT_MAX)
        return false;
    *out = (int)value;
    return true;
}

bool cli_parse_double(const char *text, double *out)
{
    if (text == NULL || *text == '\0')
        return false;
    char *end = NULL;
    errno = 0;
    double value = strtod(text, &end);
    if (errno != 0 || *end != '\0')
        return false;
    *out = value;
    return true;
}

static bool push(cli_symbols *symbols, const char *start, size_t len)
{
    if (symbols->count == symbols->capacity) {
        size_t capacity = symbols->capacity ? 2 * symbols->capacity : 16;
        char **names = realloc(symbols->names, capacity * sizeof *names);
        if (names == NULL)
            return false;
        symbols->names = names;
        symbols->capacity = capacity;
    }
    char *name = malloc(len + 1);
    if (name == NULL)
        return false;
    for (size_t i = 0; i < len; i++)
        name[i] = (char)toupper((unsigned char)start[i]);
    name[len] = '\0';
    symbols->names[symbols->count++] = name;
    return true;
}

bool cli_symbols_add_list(cli_symbols *symbols, const char *text)
{
    const char *p = text;
    while (*p != '\0') {
        if (*p == '#') {
            while (*p != '\0' && *p != '\n')
                p++;
            continue;
        }
        if (*p == ',' || isspace((unsigned char)*p)) {
            p++;
            continue;
        }
        const char *start = p;
        while (*p != '\0' && *p != ',' && *p != '#' && !isspace((unsigned char)*p))
            p++;
        if (!push(symbols, start, (size_t)(p - start)))
            return false;
    }
    return true;
}

bool cli_symbols_add_file(cli_symbols *symbols, const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "marketsim: cannot read symbols file %s: %s\n", path, strerror(errno));
        return false;
    }
    char *text = NULL;
    size_t size = 0;
    ssize_t len = getdelim(&text, &size, '\0', f);
    bool ok = ferror(f) == 0;
    fclose(f);
    if (!ok) {
        fprintf(stderr, "marketsim: error reading symbols file %s\n", path);
        free(text);
        return false;
    }
    ok = len < 0 || cli_symbols_add_list(symbols, text);
    free(text);
    return ok;
}

void cli_symbols_free(cli_symbols *symbols)
{
    for (size_t i = 0; i < symbols->count; i++)
        free(symbols->names[i]);
    free(symbols->names);
    *symbols = (cli_symbols){ 0 };
}
