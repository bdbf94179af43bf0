/* test_source.c - data sources: URI parsing and normalisation, the
 * synthetic source, csv directories (file lookup, symbol mapping, path
 * safety), concurrent loads and the scheme table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "marketsim/data.h"

static const char *fixture_dir(void)
{
    static char dir[1024];
    const char *root = getenv("MARKETSIM_SOURCE_DIR");
    snprintf(dir, sizeof dir, "%s/tests/fixtures/csv", root != NULL ? root : ".");
    return dir;
}

static ms_source *open_fixture_source(void)
{
    char uri[1100];
    snprintf(uri, sizeof uri, "csv:%s", fixture_dir());
    ms_source *source = NULL;
    if (ms_source_open(&source, uri, NULL) != MS_OK)
        fail_msg("%s", ms_last_error());
    return source;
}

static void expect_uri(const char *uri, const ms_source_options *opts, const char *normalised)
{
    ms_source *source = NULL;
    if (ms_source_open(&source, uri, opts) != MS_OK)
        fail_msg("'%s': %s", uri ? uri : "(null)", ms_last_error());
    assert_string_equal(ms_source_uri(source), normalised);
    ms_source_free(source);
}

static void expect_open_error(const char *uri, ms_status status, const char *fragment)
{
    ms_source *source = NULL;
    assert_int_equal(ms_source_open(&source, uri, NULL), status);
    assert_null(source);
    if (strstr(ms_last_error(), fragment) == NULL)
        fail_msg("message '%s' lacks '%s'", ms_last_error(), fragment);
}

/* Loads `symbol` and returns its length, failing the test on error. */
static size_t load_len(ms_source *source, const char *symbol)
{
    ms_bars *bars = NULL;
    if (ms_source_load(source, symbol, &bars) != MS_OK)
        fail_msg("%s: %s", symbol, ms_last_error());
    size_t len = ms_bars_len(bars);
    ms_bars_free(bars);
    return len;
}

static void test_default_source_is_synthetic_seed_0(void **state)
{
    (void)state;
    expect_uri(NULL, NULL, "synthetic:seed=0,bars=1000");
    expect_uri("", NULL, "synthetic:seed=0,bars=1000");
    expect_uri("synthetic", NULL, "synthetic:seed=0,bars=1000");
}

static void test_synthetic_parameters_are_normalised(void **state)
{
    (void)state;
    expect_uri("synthetic:seed=42", NULL, "synthetic:seed=42,bars=1000");
    expect_uri("synthetic:bars=250,seed=7", NULL, "synthetic:seed=7,bars=250");
    expect_uri("SYNTHETIC:seed=18446744073709551615", NULL,
               "synthetic:seed=18446744073709551615,bars=1000");
}

static void test_uri_bars_override_options(void **state)
{
    (void)state;
    ms_source_options opts = MS_SOURCE_OPTIONS_INIT;
    opts.synthetic_bars = 300;
    expect_uri("synthetic", &opts, "synthetic:seed=0,bars=300");
    expect_uri("synthetic:seed=1,bars=20", &opts, "synthetic:seed=1,bars=20");
}

static void test_synthetic_source_loads_requested_length(void **state)
{
    (void)state;
    ms_source *source = NULL;
    assert_int_equal(ms_source_open(&source, "synthetic:seed=3,bars=64", NULL), MS_OK);
    assert_int_equal(load_len(source, "AAPL"), 64);
    assert_int_equal(load_len(source, "any name at all"), 64);
    ms_source_free(source);
}

static void test_rejects_bad_synthetic_parameters(void **state)
{
    (void)state;
    expect_open_error("synthetic:seed=abc", MS_ERR_INVALID_ARG, "seed=abc");
    expect_open_error("synthetic:seed=-1", MS_ERR_INVALID_ARG, "seed=-1");
    expect_open_error("synthetic:seed=99999999999999999999", MS_ERR_INVALID_ARG, "seed=");
    expect_open_error("synthetic:bars=0", MS_ERR_INVALID_ARG, "bars=0");
    expect_open_error("synthetic:seed=1,seed=2", MS_ERR_INVALID_ARG, "seed=2");
    expect_open_error("synthetic:color=red", MS_ERR_INVALID_ARG, "unknown parameter 'color=red'");
}

static void test_rejects_unknown_scheme_naming_it(void **state)
{
    (void)state;
    expect_open_error("ftp:host/daily", MS_ERR_INVALID_ARG, "unknown scheme 'ftp'");
    expect_open_error("/data/daily", MS_ERR_INVALID_ARG, "unknown scheme");
}

static void test_unknown_scheme_message_lists_the_known_ones(void **state)
{
    (void)state;
    expect_open_error("ftp:host/daily", MS_ERR_INVALID_ARG, "(expected csv:DIR");
    assert_non_null(strstr(ms_last_error(), "synthetic[:seed=N][,bars=N]"));
}

static void test_rejects_bad_source_options(void **state)
{
    (void)state;
    ms_source *source = NULL;
    ms_source_options opts = MS_SOURCE_OPTIONS_INIT;
    opts.version = 0;
    assert_int_equal(ms_source_open(&source, NULL, &opts), MS_ERR_INVALID_ARG);
    opts = (ms_source_options)MS_SOURCE_OPTIONS_INIT;
    opts.bars.ohlc_policy = (ms_ohlc_policy)9;
    assert_int_equal(ms_source_open(&source, NULL, &opts), MS_ERR_INVALID_ARG);
    assert_int_equal(ms_source_open(NULL, NULL, NULL), MS_ERR_INVALID_ARG);
}

static void test_csv_uri_needs_an_existing_directory(void **state)
{
    (void)state;
    expect_open_error("csv:", MS_ERR_INVALID_ARG, "directory");
    expect_open_error("csv:/nonexistent/marketsim", MS_ERR_NOT_FOUND, "/nonexistent/marketsim");
    char file_uri[1100];
    snprintf(file_uri, sizeof file_uri, "csv:%s/AAPL.csv", fixture_dir());
    expect_open_error(file_uri, MS_ERR_NOT_FOUND, "not a directory");
}

static void test_csv_uri_drops_trailing_slashes(void **state)
{
    (void)state;
    char uri[1100], normalised[1100];
    snprintf(uri, sizeof uri, "csv:%s//", fixture_dir());
    snprintf(normalised, sizeof normalised, "csv:%s", fixture_dir());
    expect_uri(uri, NULL, normalised);
}

static void test_csv_matches_file_names_case_insensitively(void **state)
{
    (void)state;
    ms_source *source = open_fixture_source();
    assert_int_equal(load_len(source, "MSFT"), 3);    /* msft.csv */
    assert_int_equal(load_len(source, "aapl"), 5);    /* AAPL.csv */
    ms_source_free(source);
}

static void test_csv_maps_crypto_pairs_to_joined_file_name(void **state)
{
    (void)state;
    ms_source *source = open_fixture_source();
    ms_bars *bars = NULL;
    assert_int_equal(ms_source_load(source, "BTC/USD", &bars), MS_OK);
    assert_string_equal(ms_bars_symbol(bars), "BTC/USD");
    assert_int_equal(ms_bars_len(bars), 4);
    ms_bars_free(bars);
    assert_int_equal(load_len(source, "BTC-USD"), 4);
    assert_int_equal(load_len(source, "btc-usd"), 4);
    ms_source_free(source);
}

static void test_csv_prefers_file_name_that_keeps_the_dash(void **state)
{
    (void)state;
    ms_source *source = open_fixture_source();
    assert_int_equal(load_len(source, "BRK-B"), 2);   /* BRK-B.csv, not BRKB.csv */
    assert_int_equal(load_len(source, "BRKB"), 1);
    ms_source_free(source);
}

static void test_csv_missing_symbol_names_symbol_and_directory(void **state)
{
    (void)state;
    ms_source *source = open_fixture_source();
    ms_bars *bars = NULL;
    assert_int_equal(ms_source_load(source, "NOPE", &bars), MS_ERR_NOT_FOUND);
    assert_non_null(strstr(ms_last_error(), "'NOPE'"));
    assert_non_null(strstr(ms_last_error(), fixture_dir()));
    assert_null(bars);
    ms_source_free(source);
}

static void test_csv_rejects_symbols_that_could_escape_the_directory(void **state)
{
    (void)state;
    const char *escaping[] = {
        "../csv/AAPL", "..", ".hidden", "/", "A B", "AAPL\\..", "%2e%2e", "AAPL;rm", "-.x",
    };
    ms_source *source = open_fixture_source();
    for (size_t i = 0; i < sizeof escaping / sizeof escaping[0]; i++) {
        ms_bars *bars = NULL;
        if (ms_source_load(source, escaping[i], &bars) != MS_ERR_INVALID_ARG)
            fail_msg("'%s' was not rejected", escaping[i]);
        assert_non_null(strstr(ms_last_error(), escaping[i]));
    }
    ms_source_free(source);
}

static void test_load_rejects_missing_symbol(void **state)
{
    (void)state;
    ms_source *source = open_fixture_source();
    ms_bars *bars = NULL;
    assert_int_equal(ms_source_load(source, NULL, &bars), MS_ERR_INVALID_ARG);
    assert_int_equal(ms_source_load(source, "", &bars), MS_ERR_INVALID_ARG);
    ms_source_free(source);
}

/* ---- Concurrent loads ------------------------------------------------------ */

#define THREADS 4
#define ROUNDS 25

typedef struct load_job {
    ms_source *source;
    const char *symbol;
    double last_close;
    ms_status status;
} load_job;

static void *load_repeatedly(void *arg)
{
    load_job *job = arg;
    for (int round = 0; round < ROUNDS && job->status == MS_OK; round++) {
        ms_bars *bars = NULL;
        job->status = ms_source_load(job->source, job->symbol, &bars);
        if (job->status == MS_OK) {
            double close = ms_bars_column(bars, MS_COL_CLOSE)[ms_bars_len(bars) - 1];
            if (round > 0 && close != job->last_close)
                job->status = MS_ERR_INTERNAL;
            job->last_close = close;
        }
        ms_bars_free(bars);
    }
    return NULL;
}

static void run_concurrently(ms_source *source, const char *const symbols[THREADS])
{
    pthread_t threads[THREADS];
    load_job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (load_job){ source, symbols[i], 0.0, MS_OK };
        assert_int_equal(pthread_create(&threads[i], NULL, load_repeatedly, &jobs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(jobs[i].status, MS_OK);
    }
}

static void test_loads_from_several_threads_agree(void **state)
{
    (void)state;
    const char *const symbols[THREADS] = { "AAPL", "MSFT", "BTC/USD", "AAPL" };
    ms_source *csv = open_fixture_source();
    run_concurrently(csv, symbols);
    ms_source_free(csv);
    ms_source *synthetic = NULL;
    assert_int_equal(ms_source_open(&synthetic, "synthetic:bars=300", NULL), MS_OK);
    run_concurrently(synthetic, symbols);
    ms_source_free(synthetic);
}

static ms_status load_one_bar(void *context, const char *symbol, ms_bars **out)
{
    int *loads = context;
    (*loads)++;
    int64_t t = 1704153600;
    double open = 10, high = 11, low = 9, close = 10.5;
    return ms_bars_create(out, symbol, 1, &t, &open, &high, &low, &close, NULL, NULL);
}

static void count_free(void *context)
{
    int *loads = context;
    *loads = -1;
}

static void test_custom_source_loads_through_its_callback_and_frees_its_context(void **state)
{
    (void)state;
    int loads = 0;
    ms_source *source = NULL;
    assert_int_equal(ms_source_open_custom(&source, "test:custom", load_one_bar, count_free, &loads), MS_OK);
    assert_string_equal(ms_source_uri(source), "test:custom");
    ms_bars *bars = NULL;
    assert_int_equal(ms_source_load(source, "XYZ", &bars), MS_OK);
    assert_int_equal(loads, 1);
    assert_string_equal(ms_bars_symbol(bars), "XYZ");
    ms_bars_free(bars);
    ms_source_free(source);
    assert_int_equal(loads, -1);
}

/* The URI and text after the scheme a registered opener was last given. */
static char opened_uri[64], opened_rest[64];
static size_t opened_bars;

static ms_status open_memo_scheme(ms_source **out, const char *uri, const char *rest,
                                  const ms_source_options *opts)
{
    snprintf(opened_uri, sizeof opened_uri, "%s", uri);
    snprintf(opened_rest, sizeof opened_rest, "%s", rest);
    opened_bars = opts->synthetic_bars;
    return ms_source_open_custom(out, uri, load_one_bar, NULL, NULL);
}

static void test_registered_scheme_opens_through_its_opener(void **state)
{
    (void)state;
    assert_int_equal(ms_source_register_scheme("memo+test", "memo+test:NAME", open_memo_scheme),
                     MS_OK);
    ms_source *source = NULL;
    ms_source_options opts = MS_SOURCE_OPTIONS_INIT;
    assert_int_equal(ms_source_open(&source, "MEMO+test:day:one", &opts), MS_OK);
    assert_string_equal(opened_uri, "MEMO+test:day:one");
    assert_string_equal(opened_rest, "day:one");
    assert_int_equal(opened_bars, 1000);
    assert_string_equal(ms_source_uri(source), "MEMO+test:day:one");
    ms_source_free(source);
    expect_open_error("nothing:here", MS_ERR_INVALID_ARG, " or memo+test:NAME)");
}

static void test_register_scheme_refuses_bad_names_and_repeats(void **state)
{
    (void)state;
    const char *const bad[] = { "", "9lives", "with space", "a:b",
                                "a-name-of-thirty-two-characters!" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(ms_source_register_scheme(bad[i], NULL, open_memo_scheme),
                         MS_ERR_INVALID_ARG);
    assert_int_equal(ms_source_register_scheme("nofn", NULL, NULL), MS_ERR_INVALID_ARG);
    assert_int_equal(ms_source_register_scheme("CSV", NULL, open_memo_scheme), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "'CSV' is already registered"));
    ms_source_free(open_fixture_source());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_source_is_synthetic_seed_0),
        cmocka_unit_test(test_synthetic_parameters_are_normalised),
        cmocka_unit_test(test_uri_bars_override_options),
        cmocka_unit_test(test_synthetic_source_loads_requested_length),
        cmocka_unit_test(test_rejects_bad_synthetic_parameters),
        cmocka_unit_test(test_rejects_unknown_scheme_naming_it),
        cmocka_unit_test(test_unknown_scheme_message_lists_the_known_ones),
        cmocka_unit_test(test_registered_scheme_opens_through_its_opener),
        cmocka_unit_test(test_register_scheme_refuses_bad_names_and_repeats),
        cmocka_unit_test(test_rejects_bad_source_options),
        cmocka_unit_test(test_csv_uri_needs_an_existing_directory),
        cmocka_unit_test(test_csv_uri_drops_trailing_slashes),
        cmocka_unit_test(test_csv_matches_file_names_case_insensitively),
        cmocka_unit_test(test_csv_maps_crypto_pairs_to_joined_file_name),
        cmocka_unit_test(test_csv_prefers_file_name_that_keeps_the_dash),
        cmocka_unit_test(test_csv_missing_symbol_names_symbol_and_directory),
        cmocka_unit_test(test_csv_rejects_symbols_that_could_escape_the_directory),
        cmocka_unit_test(test_load_rejects_missing_symbol),
        cmocka_unit_test(test_loads_from_several_threads_agree),
        cmocka_unit_test(test_custom_source_loads_through_its_callback_and_frees_its_context),
    };
    return cmocka_run_group_tests_name("source", tests, NULL, NULL);
}
