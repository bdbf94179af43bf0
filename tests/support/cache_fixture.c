/*
 * cache_fixture.c - the forecast cache tests' series, analyses and stderr
 * capture (cache_fixture.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "marketsim/marketsim.h"
#include "support/cache_fixture.h"
#include "support/temp_dir.h"

const char *const cache_symbols[2] = { "AAA", "BBB" };

void cache_write_series(const char *dir, size_t bars)
{
    char *data = temp_dir_path(dir, "data");
    mkdir(data, 0700);
    for (size_t s = 0; s < 2; s++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s.csv", data, cache_symbols[s]);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fprintf(f, "Date,Open,High,Low,Close,Volume\n");
        double close = 50.0 + 10.0 * (double)s;
        for (size_t i = 0; i < bars; i++) {
            double open = close;
            close = open * (1.0 + 0.02 * sin(0.7 * (double)i + (double)s) + 0.003 * cos(3.1 * (double)i));
            double high = fmax(open, close) * 1.01, low = fmin(open, close) * 0.99;
            int64_t day = 1577836800 + (int64_t)i * 86400; /* 2020-01-01 onwards */
            time_t t = (time_t)day;
            struct tm utc;
            gmtime_r(&t, &utc);
            char date[16];
            strftime(date, sizeof date, "%Y-%m-%d", &utc);
            fprintf(f, "%s,%.4f,%.4f,%.4f,%.4f,%d\n", date, open, high, low, close, 1000 + (int)i);
        }
        fclose(f);
    }
    free(data);
}

int cache_setup(void **state)
{
    unsetenv("MARKETSIM_CACHE");
    unsetenv("MARKETSIM_CACHE_MAX_ENTRIES");
    if (temp_dir_setup(state) != 0)
        return -1;
    cache_write_series(*state, CACHE_BARS);
    return 0;
}

static void drop_timings(json_t *object)
{
    json_object_del(object, "timings");
    size_t i;
    json_t *symbol;
    json_array_foreach(json_object_get(object, "symbols"), i, symbol)
        json_object_del(symbol, "timings");
}

char *cache_json_without_timings(const char *json)
{
    json_t *root = json_loads(json, 0, NULL);
    assert_non_null(root);
    drop_timings(root);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    json_decref(root);
    return text;
}

static cache_analysis run(const char *dir, const char *cache, size_t max_entries,
                          const char *aggregate, const char *model_path,
                          const char *const *symbols, size_t n)
{
    char *data = temp_dir_path(dir, "data"), uri[4200];
    snprintf(uri, sizeof uri, "csv:%s", data);
    ms_source *source = NULL;
    ms_model *model = NULL;
    assert_int_equal(ms_source_open(&source, uri, NULL), MS_OK);
    assert_int_equal(ms_model_open(&model, model_path, NULL), MS_OK);
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.simulations = 10;
    opts.eval_days = 6;
    opts.aggregate = aggregate;
    opts.cache = cache;
    opts.cache_max_entries = max_entries;
    opts.as_of = 1577836800 + CACHE_BARS * 86400;
    ms_analyzer *analyzer = NULL;
    ms_report *report = NULL;
    assert_int_equal(ms_analyzer_create(&analyzer, source, model, &opts), MS_OK);
    assert_int_equal(ms_analyzer_run(analyzer, symbols, n, &report), MS_OK);
    ms_analyzer_free(analyzer);
    assert_int_equal(ms_report_error_count(report), 0);
    char *json = NULL;
    assert_int_equal(ms_report_to_json(report, &json), MS_OK);
    const ms_timings *timings = ms_report_timings(report);
    cache_analysis result = { cache_json_without_timings(json), timings->forecasts_cached,
                              timings->forecasts_computed };
    ms_free(json);
    ms_report_free(report);
    ms_model_free(model);
    ms_source_free(source);
    free(data);
    return result;
}

cache_analysis cache_analyze(const char *dir, const char *cache, size_t max_entries,
                             const char *const *symbols, size_t n)
{
    return run(dir, cache, max_entries, "mean", "baseline", symbols, n);
}

cache_analysis cache_analyze_with(const char *dir, const char *cache, const char *aggregate,
                                  const char *model, const char *const *symbols, size_t n)
{
    return run(dir, cache, 0, aggregate, model, symbols, n);
}

void cache_analysis_release(cache_analysis *analysis)
{
    free(analysis->json);
    analysis->json = NULL;
}

int cache_redirect_stderr(const char *path)
{
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, STDERR_FILENO);
    close(fd);
    return saved;
}

void cache_restore_stderr(int saved)
{
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
}

size_t cache_count_lines(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[2048];
    size_t count = 0;
    while (fgets(line, sizeof line, f) != NULL)
        count += strstr(line, needle) != NULL;
    fclose(f);
    return count;
}

char *cache_file_bytes(const char *path)
{
    char *bytes = calloc(1, 64);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_true(fread(bytes, 1, 64, f) > 0);
    fclose(f);
    return bytes;
}
