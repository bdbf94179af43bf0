/*
 * config.c - the configuration file, read once per run with libinih:
 * --config FILE, else $XDG_CONFIG_HOME/marketsim/config.ini, else
 * ~/.config/marketsim/config.ini (a missing default file is no error).
 *
 * A section per command ([analyze], [trade], [model info]) and [common]
 * for settings every command shares; keys are the long flags' names
 * (`symbols = ARGX,KGC`, `sequential = true`). This file only collects the
 * entries, checking what needs no command: the section names and the
 * syntax. flags.c turns a command's entries into "--key=value" arguments
 * parsed by that command's own flag table, so every flag is a key without
 * per-flag code and values are checked exactly as on the command line.
 */
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static struct {
    const char *chosen;            /* --config FILE, NULL: the default path */
    char *path;                    /* the file read, NULL when none */
    bool loaded;
    cli_config_entry *entries;
    size_t count, capacity;
} config;

/* What the parse callback needs: the line being read (inih's callback does
 * not get it) and the first error. */
typedef struct loader {
    FILE *file;
    int line;
    bool too_long;
    char error[512];
} loader;

void cli_config_use(const char *path)
{
    config.chosen = path;
}

const char *cli_config_chosen(void)
{
    return config.chosen;
}

const char *cli_config_path(void)
{
    return config.path;
}

size_t cli_config_count(void)
{
    return config.count;
}

const cli_config_entry *cli_config_entry_at(size_t i)
{
    return &config.entries[i];
}

/* One line per call, so the line count is the line the callback sees. A
 * line longer than inih's buffer would come back in pieces parsed as
 * separate lines: it stops the parse instead. */
static char *read_line(char *buffer, int size, void *stream)
{
    loader *reader = stream;
    char *got = fgets(buffer, size, reader->file);
    if (got == NULL)
        return NULL;
    reader->line++;
    size_t length = strlen(got);
    if ((int)length == size - 1 && got[length - 1] != '\n' && !feof(reader->file)) {
        reader->too_long = true;
        return NULL;
    }
    return got;
}

static bool known_section(const char *section)
{
    char command[64];
    snprintf(command, sizeof command, "%.*s", (int)strcspn(section, " "), section);
    return strcmp(section, "common") == 0 || cli_command_find(command) != NULL;
}

static char *copy(const char *text)
{
    char *out = strdup(text);
    if (out == NULL) {
        fputs("marketsim: out of memory reading the configuration\n", stderr);
        exit(CLI_EXIT_FAILED);
    }
    return out;
}

/* Keys are the long flags' names; max_positions is accepted for
 * max-positions, as INI files often spell them. */
static char *flag_name(const char *key)
{
    char *name = copy(key);
    for (char *c = name; *c != '\0'; c++)
        if (*c == '_')
            *c = '-';
    return name;
}

static void add_entry(const char *section, const char *key, const char *value, int line)
{
    if (config.count == config.capacity) {
        size_t capacity = config.capacity ? 2 * config.capacity : 16;
        cli_config_entry *entries = realloc(config.entries, capacity * sizeof *entries);
        if (entries == NULL) {
            fputs("marketsim: out of memory reading the configuration\n", stderr);
            exit(CLI_EXIT_FAILED);
        }
        config.entries = entries;
        config.capacity = capacity;
    }
    config.entries[config.count++] = (cli_config_entry){ .section = copy(section),
                                                         .key = flag_name(key),
                                                         .value = copy(value), .line = line };
}

static int on_entry(void *context, const char *section, const char *key, const char *value)
{
    loader *reader = context;
    if (reader->error[0] != '\0')
        return 0;
    if (*section == '\0') {
        snprintf(reader->error, sizeof reader->error, "%s:%d: key '%s' is outside a section "
                 "(start with [common] or a command's section, e.g. [analyze])",
                 config.path, reader->line, key);
        return 0;
    }
    if (!known_section(section)) {
        const char *names[32] = { "common" };
        size_t count = 1 + cli_command_names(names + 1, 31);
        const char *closest = cli_closest(section, names, count);
        snprintf(reader->error, sizeof reader->error, "%s:%d: key '%s' is in an unknown section "
                 "[%s]%s%s%s", config.path, reader->line, key, section,
                 closest ? " (did you mean [" : "", closest ? closest : "", closest ? "]?)" : "");
        return 0;
    }
    add_entry(section, key, value, reader->line);
    return 1;
}

/* The file to read: the chosen one, else the default path (NULL when
 * neither XDG_CONFIG_HOME nor HOME is set). */
static char *config_file(void)
{
    if (config.chosen != NULL)
        return copy(config.chosen);
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    char path[4096];
    int written = xdg && *xdg ? snprintf(path, sizeof path, "%s/marketsim/config.ini", xdg)
                  : home && *home ? snprintf(path, sizeof path, "%s/.config/marketsim/config.ini", home)
                                  : -1;
    return written > 0 && (size_t)written < sizeof path ? copy(path) : NULL;
}

bool cli_config_load(void)
{
    if (config.loaded)
        return true;
    config.loaded = true;
    char *path = config_file();
    FILE *file = path != NULL ? fopen(path, "r") : NULL;
    if (file == NULL) {
        bool missing_default = config.chosen == NULL && (path == NULL || errno == ENOENT);
        if (!missing_default)
            fprintf(stderr, "marketsim: cannot read the configuration file %s: %s\n", path,
                    strerror(errno));
        free(path);
        return missing_default;
    }
    config.path = path;
    loader reader = { .file = file };
    int failed_line = ini_parse_stream(read_line, &reader, on_entry, &reader);
    bool read_error = ferror(file) != 0;
    fclose(file);
    if (reader.too_long)
        snprintf(reader.error, sizeof reader.error, "%s:%d: line longer than %d characters (split "
                 "a long list over indented continuation lines)", path, reader.line, INI_MAX_LINE - 2);
    else if (read_error)
        snprintf(reader.error, sizeof reader.error, "%s: read error", path);
    else if (reader.error[0] == '\0' && failed_line > 0)
        snprintf(reader.error, sizeof reader.error, "%s:%d: expected 'key = value' or a [section]",
                 path, failed_line);
    if (reader.error[0] != '\0')
        fprintf(stderr, "marketsim: configuration: %s\n", reader.error);
    return reader.error[0] == '\0';
}

void cli_config_release(void)
{
    for (size_t i = 0; i < config.count; i++) {
        free(config.entries[i].section);
        free(config.entries[i].key);
        free(config.entries[i].value);
        free(config.entries[i].argument);
    }
    free(config.entries);
    free(config.path);
    config.entries = NULL;
    config.path = NULL;
    config.count = config.capacity = 0;
    config.loaded = false;
}
