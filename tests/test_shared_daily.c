/* test_shared_daily.c - integration: every real daily file in
 * $MARKETSIM_SHARED/data/daily loads through a csv source, in order and
 * at the expected length. Skipped when the shared data is absent. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "marketsim/data.h"

#define DAY 86400

static char daily_dir[1024];

/* Opens a csv source on the shared daily directory, or skips the test. */
static ms_source *open_daily_source(void)
{
    const char *shared = getenv("MARKETSIM_SHARED");
    struct stat info;
    if (shared == NULL)
        skip();
    snprintf(daily_dir, sizeof daily_dir, "%s/data/daily", shared);
    if (stat(daily_dir, &info) != 0 || !S_ISDIR(info.st_mode))
        skip();
    char uri[1100];
    snprintf(uri, sizeof uri, "csv:%s", daily_dir);
    ms_source *source = NULL;
    if (ms_source_open(&source, uri, NULL) != MS_OK)
        fail_msg("%s", ms_last_error());
    return source;
}

static ms_bars *load(ms_source *source, const char *symbol)
{
    ms_bars *bars = NULL;
    if (ms_source_load(source, symbol, &bars) != MS_OK)
        fail_msg("%s: %s", symbol, ms_last_error());
    return bars;
}

static void test_every_daily_file_loads_in_ascending_order(void **state)
{
    (void)state;
    ms_source *source = open_daily_source();
    DIR *listing = opendir(daily_dir);
    assert_non_null(listing);
    size_t files = 0;
    const struct dirent *entry;
    while ((entry = readdir(listing)) != NULL) {
        size_t len = strlen(entry->d_name);
        if (len < 5 || strcmp(entry->d_name + len - 4, ".csv") != 0)
            continue;
        char symbol[256];
        snprintf(symbol, sizeof symbol, "%.*s", (int)(len - 4), entry->d_name);
        ms_bars *bars = load(source, symbol);
        const int64_t *t = ms_bars_timestamps(bars);
        /* Every file holds at least two years of daily bars. */
        assert_true(ms_bars_len(bars) > 500);
        for (size_t i = 1; i < ms_bars_len(bars); i++)
            assert_true(t[i] > t[i - 1]);
        ms_bars_free(bars);
        files++;
    }
    closedir(listing);
    assert_true(files > 0);
    ms_source_free(source);
}

static void test_jd_has_every_row_of_its_file(void **state)
{
    (void)state;
    ms_source *source = open_daily_source();
    ms_bars *bars = load(source, "JD");
    assert_int_equal(ms_bars_len(bars), 1560);
    assert_int_equal(ms_bars_timestamps(bars)[0], 1577923200);   /* 2020-01-02 */
    assert_true(ms_bars_column(bars, MS_COL_CLOSE)[0] == 34.23638153076172);
    ms_bars_free(bars);
    ms_source_free(source);
}

static void test_suiusd_is_daily_crypto_from_2024(void **state)
{
    (void)state;
    ms_source *source = open_daily_source();
    ms_bars *bars = load(source, "SUI/USD");
    assert_int_equal(ms_bars_len(bars), 781);
    assert_int_equal(ms_bars_timestamps(bars)[0], 1704067200);   /* 2024-01-01 */
    assert_true(ms_bars_column(bars, MS_COL_CLOSE)[0] == 0.8438);
    for (size_t i = 1; i < ms_bars_len(bars); i++)
        assert_int_equal(ms_bars_timestamps(bars)[i] - ms_bars_timestamps(bars)[i - 1], DAY);
    assert_int_equal(ms_symbol_asset_class(ms_bars_symbol(bars)), MS_ASSET_CRYPTO);
    ms_bars_free(bars);
    ms_source_free(source);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_daily_file_loads_in_ascending_order),
        cmocka_unit_test(test_jd_has_every_row_of_its_file),
        cmocka_unit_test(test_suiusd_is_daily_crypto_from_2024),
    };
    return cmocka_run_group_tests_name("shared_daily", tests, NULL, NULL);
}
