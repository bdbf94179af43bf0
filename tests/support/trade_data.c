/* trade_data.c - see trade_data.h. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "support/temp_dir.h"
#include "support/trade_data.h"

const char *trade_fixture_dir(void)
{
    static char dir[4096];
    const char *root = getenv("MARKETSIM_SOURCE_DIR");
    snprintf(dir, sizeof dir, "%s/tests/fixtures/analyze", root ? root : ".");
    return dir;
}

const char *trade_shared_daily_dir(void)
{
    static char dir[4096];
    const char *shared = getenv("MARKETSIM_SHARED");
    struct stat info;
    if (shared == NULL)
        return NULL;
    snprintf(dir, sizeof dir, "%s/data/daily", shared);
    return stat(dir, &info) == 0 && S_ISDIR(info.st_mode) ? dir : NULL;
}

static char *read_file(const char *path)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return NULL;
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    rewind(file);
    char *text = calloc(1, (size_t)size + 1);
    if (text != NULL && fread(text, 1, (size_t)size, file) != (size_t)size) {
        free(text);
        text = NULL;
    }
    fclose(file);
    return text;
}

/* The length of `text` without its last `drop` lines. */
static size_t without_last_lines(const char *text, size_t drop)
{
    size_t length = strlen(text);
    while (length > 0 && text[length - 1] == '\n')
        length--;
    for (size_t dropped = 0; dropped < drop && length > 0; dropped++) {
        while (length > 0 && text[length - 1] != '\n')
            length--;
        while (length > 0 && text[length - 1] == '\n')
            length--;
    }
    return length;
}

static bool copy_one(const char *from, const char *to, const char *symbol, size_t drop)
{
    char source[4400], target[4400];
    snprintf(source, sizeof source, "%s/%s.csv", from, symbol);
    snprintf(target, sizeof target, "%s/%s.csv", to, symbol);
    char *text = read_file(source);
    FILE *file = text != NULL ? fopen(target, "wb") : NULL;
    bool ok = file != NULL;
    if (ok) {
        size_t length = without_last_lines(text, drop);
        ok = fwrite(text, 1, length, file) == length && fputc('\n', file) != EOF;
        ok = fclose(file) == 0 && ok;
    }
    free(text);
    return ok;
}

int trade_market_setup(void **state)
{
    trade_market *market = calloc(1, sizeof *market);
    market->dir = market != NULL ? temp_dir_create() : NULL;
    if (market == NULL || market->dir == NULL) {
        free(market);
        return -1;
    }
    snprintf(market->data_uri, sizeof market->data_uri, "csv:%s/data", market->dir);
    trade_market_journal(market, "sim.journal", market->journal, market->broker_uri);
    *state = market;
    return 0;
}

int trade_market_teardown(void **state)
{
    trade_market *market = *state;
    temp_dir_remove(market->dir);
    free(market);
    return 0;
}

bool trade_market_bars(trade_market *market, const char *from, const char *const *symbols,
                       size_t n, size_t drop)
{
    char to[4200];
    snprintf(to, sizeof to, "%s/data", market->dir);
    mkdir(to, 0700);
    market->symbols[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (!copy_one(from, to, symbols[i], drop))
            return false;
        strcat(market->symbols, symbols[i]);
        strcat(market->symbols, i + 1 < n ? "," : "");
    }
    return true;
}

void trade_market_journal(const trade_market *market, const char *name, char path[4200],
                          char uri[4300])
{
    snprintf(path, 4200, "%s/%s", market->dir, name);
    snprintf(uri, 4300, "sim:%s", path);
}

long trade_journal_submits(const char *path, char (*ids)[64], size_t max)
{
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return -1;
    char line[8192];
    long count = 0;
    while (fgets(line, sizeof line, file) != NULL) {
        json_t *record = json_loads(line, 0, NULL);
        const char *type = json_string_value(json_object_get(record, "type"));
        const char *id = json_string_value(json_object_get(record, "client_order_id"));
        if (type != NULL && strcmp(type, "submit") == 0 && id != NULL) {
            if ((size_t)count < max)
                snprintf(ids[count], 64, "%s", id);
            count++;
        }
        json_decref(record);
    }
    fclose(file);
    return count;
}
