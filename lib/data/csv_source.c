/*
 * csv_source.c - finding a symbol's file in a csv source's directory.
 *
 * Symbol X is DIR/X.csv. '/' cannot appear in a file name, so it is
 * dropped (BTC/USD -> BTCUSD.csv); a name with '-' is tried as is first
 * (BRK-B.csv) and then without it (BTC-USD -> BTCUSD.csv). Names are
 * matched case-insensitively by scanning the directory, since users' files
 * come as AAPL.csv, aapl.csv or Aapl.CSV; when several entries match, the
 * exact spelling wins, then the alphabetically first, so the choice never
 * depends on directory order. Symbols are restricted to letters, digits,
 * '.', '_', '-' and '/', and may not start with '.', so that no symbol can
 * name a file outside the directory.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"

/* Longest accepted symbol file name, ".csv" included. */
#define MAX_FILE_NAME 256

/* The candidate file names of a symbol, best first. */
typedef struct symbol_files {
    char names[2][MAX_FILE_NAME];
    int count;
} symbol_files;

static bool allowed_symbol_char(char c)
{
    return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-' || c == '/';
}

/* Copies `symbol` without the characters in `dropped`, adding ".csv". */
static bool file_name_without(const char *symbol, const char *dropped, char name[])
{
    size_t len = 0;
    for (const char *c = symbol; *c != '\0'; c++) {
        if (strchr(dropped, *c) != NULL)
            continue;
        if (len + sizeof ".csv" > MAX_FILE_NAME)
            return false;
        name[len++] = *c;
    }
    memcpy(name + len, ".csv", sizeof ".csv");
    return len > 0 && name[0] != '.';
}

static ms_status symbol_file_names(const char *symbol, symbol_files *files)
{
    for (const char *c = symbol; *c != '\0'; c++)
        if (!allowed_symbol_char(*c))
            return ms_error(MS_ERR_INVALID_ARG,
                            "symbol '%s': character '%c' is not allowed in a csv source "
                            "(letters, digits, '.', '_', '-', '/')", symbol, *c);
    if (!file_name_without(symbol, "/", files->names[0]) ||
        !file_name_without(symbol, "/-", files->names[1]))
        return ms_error(MS_ERR_INVALID_ARG,
                        "symbol '%s': empty, too long or starting with '.' once '/' and "
                        "'-' are dropped", symbol);
    files->count = strcmp(files->names[0], files->names[1]) == 0 ? 1 : 2;
    return MS_OK;
}

/* How well a directory entry matches, lower is better: candidate order
 * first, exact case second. -1 when it does not match. */
static int match_rank(const char *entry, const symbol_files *files)
{
    for (int k = 0; k < files->count; k++)
        if (ms_str_ieq(entry, files->names[k]))
            return 2 * k + (strcmp(entry, files->names[k]) != 0);
    return -1;
}

static ms_status find_file(const char *directory, const char *symbol,
                           const symbol_files *files, char found[])
{
    DIR *listing = opendir(directory);
    if (listing == NULL)
        return ms_error(errno == ENOENT ? MS_ERR_NOT_FOUND : MS_ERR_IO,
                        "symbol '%s': cannot list csv directory '%s': %s", symbol,
                        directory, errno == ENOENT ? "it does not exist" : "access failed");
    int best = -1;
    const struct dirent *entry;
    while ((entry = readdir(listing)) != NULL) {
        int rank = match_rank(entry->d_name, files);
        if (rank < 0 || (best >= 0 && (rank > best ||
                                       (rank == best && strcmp(entry->d_name, found) >= 0))))
            continue;
        best = rank;
        snprintf(found, MAX_FILE_NAME, "%s", entry->d_name);
    }
    closedir(listing);
    if (best >= 0)
        return MS_OK;
    if (files->count == 1)
        return ms_error(MS_ERR_NOT_FOUND, "symbol '%s': no %s in csv directory '%s'",
                        symbol, files->names[0], directory);
    return ms_error(MS_ERR_NOT_FOUND, "symbol '%s': no %s or %s in csv directory '%s'",
                    symbol, files->names[0], files->names[1], directory);
}

ms_status ms_csv_source_load(const ms_source *source, const char *symbol, ms_bars **out)
{
    symbol_files files;
    char found[MAX_FILE_NAME];
    ms_status status = symbol_file_names(symbol, &files);
    if (status == MS_OK)
        status = find_file(source->directory, symbol, &files, found);
    if (status != MS_OK)
        return status;
    size_t path_len = strlen(source->directory) + 1 + strlen(found) + 1;
    char *path = malloc(path_len);
    if (path == NULL)
        return ms_error(MS_ERR_NOMEM, "symbol '%s': out of memory", symbol);
    snprintf(path, path_len, "%s/%s", source->directory, found);
    status = ms_bars_load_csv(out, path, symbol, &source->bars_options);
    free(path);
    return status;
}
