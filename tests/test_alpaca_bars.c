/* test_alpaca_bars.c - Alpaca market data against the local fake server:
 * pages followed and joined per symbol, `bars: null` and {}, crypto pairs,
 * the request's parameters, and the "alpaca:1Day" source with its on-disk
 * cache (kept apart per data URL, feed, adjustment and timeframe) and loads
 * from several threads, opened by URI through ms_source_open's scheme
 * table (lib/broker/alpaca/alpaca_bars.c, bar_cache.c, alpaca_source.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/alpaca/alpaca_internal.h"
#include "support/fake_alpaca.h"
#include "support/temp_dir.h"

/* A fresh server and a scratch cache directory in *state. */
static int setup(void **state)
{
    return fake_alpaca_reset(state) != 0 ? -1 : temp_dir_setup(state);
}

static void control(const char *command)
{
    if (fake_alpaca_server == NULL)
        skip();
    assert_true(fake_alpaca_control(fake_alpaca_server, command));
}

/* Fetches `count` symbols' daily bars since 2024-01-01 into rows[]. */
static ms_status fetch(const char *const *symbols, size_t count, ms_bar_rows *rows)
{
    ms_rate_limiter limiter;
    assert_int_equal(ms_rate_limiter_init(&limiter, 60000), MS_OK);
    ms_http_settings settings = { 2.0, 5.0, 2, FAKE_ALPACA_KEY_ID, FAKE_ALPACA_SECRET,
                                  fake_alpaca_server->url };
    ms_http_client *client = NULL;
    assert_int_equal(ms_http_client_create(&client, &settings, &limiter), MS_OK);
    int64_t start = ms_days_from_civil(2024, 1, 1) * MS_SECONDS_PER_DAY;
    ms_status status = ms_alpaca_fetch_bars(client, fake_alpaca_server->url, "1Day", symbols,
                                            count, start, rows);
    ms_http_client_free(client);
    ms_rate_limiter_destroy(&limiter);
    return status;
}

/* Where the source on the suite's server caches `symbol`'s daily bars. */
static char *cache_path(const char *dir, const char *symbol)
{
    char path[4096];
    assert_int_equal(ms_bar_cache_path(dir, fake_alpaca_server->url, "1Day", symbol, path, sizeof path),
                     MS_OK);
    return strdup(path);
}

static ms_source *open_source_at(const fake_alpaca *server, const char *cache_dir)
{
    ms_broker_options opts = fake_alpaca_options(server, 5.0);
    opts.cache_dir = cache_dir;
    ms_source *source = NULL;
    assert_int_equal(ms_source_open_alpaca(&source, NULL, &opts), MS_OK);
    return source;
}

static ms_source *open_source(const char *cache_dir)
{
    return open_source_at(fake_alpaca_server, cache_dir);
}

/* The query of the last request to `path`; borrowed from *state_json. */
static json_t *last_query(const char *path, json_t **state_json)
{
    *state_json = fake_alpaca_state(fake_alpaca_server);
    json_t *found = NULL;
    size_t index;
    json_t *request;
    json_array_foreach(json_object_get(*state_json, "requests"), index, request)
        if (strcmp(json_string_value(json_object_get(request, "path")), path) == 0)
            found = json_object_get(request, "query");
    assert_non_null(found);
    return found;
}

static const char *query_value(const json_t *query, const char *name)
{
    const char *value = json_string_value(json_object_get(query, name));
    return value != NULL ? value : "(absent)";
}

static void test_pages_are_followed_and_joined_per_symbol(void **state)
{
    (void)state;
    control("{\"page_size\": 3, \"generate_bars\": {\"AAPL\": {\"start\": \"2024-01-02\", \"days\": 5},"
            " \"MSFT\": {\"start\": \"2024-01-02\", \"days\": 4, \"price\": 300}}}");
    const char *symbols[] = { "AAPL", "msft" };
    ms_bar_rows rows[2] = { { 0 }, { 0 } };
    assert_int_equal(fetch(symbols, 2, rows), MS_OK);
    /* Pages of 3: AAPL x3 | AAPL x2 + MSFT x1 | MSFT x3. */
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "GET", "/v2/stocks/bars"), 3);
    assert_int_equal(rows[0].len, 5);
    assert_int_equal(rows[1].len, 4);
    for (size_t i = 1; i < rows[0].len; i++)
        assert_true(rows[0].timestamps[i] > rows[0].timestamps[i - 1]);
    assert_true(rows[0].open[4] == 104 && rows[1].close[3] == 304 && rows[1].volume[3] == 1003);
    ms_bar_rows_release(&rows[0]);
    ms_bar_rows_release(&rows[1]);
}

static void test_stock_bars_are_asked_raw_from_iex_in_time_order(void **state)
{
    (void)state;
    control("{\"generate_bars\": {\"AAPL\": {\"start\": \"2024-01-02\", \"days\": 2}}}");
    const char *symbols[] = { "AAPL" };
    ms_bar_rows rows = { 0 };
    assert_int_equal(fetch(symbols, 1, &rows), MS_OK);
    json_t *state_json = NULL;
    json_t *query = last_query("/v2/stocks/bars", &state_json);
    assert_string_equal(query_value(query, "symbols"), "AAPL");
    assert_string_equal(query_value(query, "timeframe"), "1Day");
    assert_string_equal(query_value(query, "start"), "2024-01-01T00:00:00Z");
    assert_string_equal(query_value(query, "limit"), "10000");
    assert_string_equal(query_value(query, "adjustment"), "raw");
    assert_string_equal(query_value(query, "feed"), "iex");
    assert_string_equal(query_value(query, "sort"), "asc");
    json_decref(state_json);
    ms_bar_rows_release(&rows);
}

static void test_bars_null_is_no_bars(void **state)
{
    (void)state;
    control("{\"faults\": [{\"kind\": \"bars_null\"}]}");
    const char *symbols[] = { "AAPL" };
    ms_bar_rows rows = { 0 };
    assert_int_equal(fetch(symbols, 1, &rows), MS_OK);
    assert_int_equal(rows.len, 0);
}

static void test_symbol_without_bars_is_not_found_by_the_source(void **state)
{
    control("{}");
    ms_source *source = open_source(*state);
    ms_bars *bars = NULL;
    assert_int_equal(ms_source_load(source, "ZZZZ", &bars), MS_ERR_NOT_FOUND);
    assert_non_null(strstr(ms_last_error(), "no 1Day bars for ZZZZ"));
    ms_source_free(source);
}

static void test_bar_values_sent_as_strings_are_read(void **state)
{
    (void)state;
    control("{\"bars\": {\"AAPL\": [{\"t\": \"2024-01-02T05:00:00Z\", \"o\": \"10.5\", \"h\": \"11\","
            " \"l\": \"10\", \"c\": \"10.75\", \"v\": null}]}}");
    const char *symbols[] = { "AAPL" };
    ms_bar_rows rows = { 0 };
    assert_int_equal(fetch(symbols, 1, &rows), MS_OK);
    assert_int_equal(rows.len, 1);
    assert_true(rows.open[0] == 10.5 && rows.close[0] == 10.75 && rows.volume[0] == 0);
    ms_bar_rows_release(&rows);
}

static void test_bar_without_a_close_names_the_symbol_and_bar(void **state)
{
    (void)state;
    control("{\"bars\": {\"AAPL\": [{\"t\": \"2024-01-02T05:00:00Z\", \"o\": 1, \"h\": 1, \"l\": 1}]}}");
    const char *symbols[] = { "AAPL" };
    ms_bar_rows rows = { 0 };
    assert_int_equal(fetch(symbols, 1, &rows), MS_ERR_PARSE);
    assert_non_null(strstr(ms_last_error(), "GET /v2/stocks/bars: AAPL bar 0"));
    assert_non_null(strstr(ms_last_error(), "'c'"));
    ms_bar_rows_release(&rows);
}

static void test_stocks_and_crypto_in_one_request_are_refused(void **state)
{
    (void)state;
    control("{}");
    const char *symbols[] = { "AAPL", "BTCUSD" };
    ms_bar_rows rows[2] = { { 0 }, { 0 } };
    assert_int_equal(fetch(symbols, 2, rows), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "separately"));
}

static void test_crypto_bars_come_from_the_crypto_endpoint_by_pair_name(void **state)
{
    control("{\"generate_bars\": {\"BTC/USD\": {\"start\": \"2024-01-06\", \"days\": 10, \"price\": 40000}}}");
    ms_source *source = open_source(*state);
    ms_bars *bars = NULL;
    assert_int_equal(ms_source_load(source, "BTCUSD", &bars), MS_OK);
    assert_string_equal(ms_bars_symbol(bars), "BTCUSD");
    /* Crypto trades every day: 10 bars over a weekend. */
    assert_int_equal(ms_bars_len(bars), 10);
    json_t *state_json = NULL;
    json_t *query = last_query("/v1beta3/crypto/us/bars", &state_json);
    assert_string_equal(query_value(query, "symbols"), "BTC/USD");
    assert_string_equal(query_value(query, "feed"), "(absent)");
    json_decref(state_json);
    ms_bars_free(bars);
    ms_source_free(source);
}

static void test_second_load_fetches_only_bars_from_the_last_cached_one(void **state)
{
    control("{\"generate_bars\": {\"AAPL\": {\"start\": \"2024-01-01\", \"days\": 20}}}");
    ms_source *source = open_source(*state);
    ms_bars *first = NULL, *second = NULL;
    assert_int_equal(ms_source_load(source, "AAPL", &first), MS_OK);
    assert_int_equal(ms_bars_len(first), 20);
    char last_cached[MS_UTC_TIME_TEXT];
    ms_format_rfc3339(ms_bars_timestamps(first)[19], last_cached);
    control("{\"generate_bars\": {\"AAPL\": {\"start\": \"2024-02-01\", \"days\": 3}}}");
    assert_int_equal(ms_source_load(source, "AAPL", &second), MS_OK);
    assert_int_equal(ms_bars_len(second), 23);
    assert_true(ms_bars_timestamps(second)[19] == ms_bars_timestamps(first)[19]);
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "GET", "/v2/stocks/bars"), 2);
    json_t *state_json = NULL;
    json_t *query = last_query("/v2/stocks/bars", &state_json);
    assert_string_equal(query_value(query, "start"), last_cached);
    json_decref(state_json);
    ms_bars_free(first);
    ms_bars_free(second);
    ms_source_free(source);
}

static void test_cache_is_a_csv_the_data_layer_reads(void **state)
{
    control("{\"generate_bars\": {\"AAPL\": {\"start\": \"2024-01-01\", \"days\": 7}}}");
    ms_source *source = open_source(*state);
    ms_bars *loaded = NULL, *cached = NULL;
    assert_int_equal(ms_source_load(source, "AAPL", &loaded), MS_OK);
    char *path = cache_path(*state, "AAPL");
    assert_int_equal(ms_bars_load_csv(&cached, path, "AAPL", NULL), MS_OK);
    assert_int_equal(ms_bars_len(cached), 7);
    assert_memory_equal(ms_bars_column(cached, MS_COL_CLOSE), ms_bars_column(loaded, MS_COL_CLOSE),
                        7 * sizeof(double));
    free(path);
    ms_bars_free(loaded);
    ms_bars_free(cached);
    ms_source_free(source);
}

static void test_corrupt_cache_is_fetched_again(void **state)
{
    control("{\"generate_bars\": {\"AAPL\": {\"start\": \"2024-01-01\", \"days\": 4}}}");
    ms_source *source = open_source(*state);
    ms_bars *bars = NULL;
    assert_int_equal(ms_source_load(source, "AAPL", &bars), MS_OK);
    ms_bars_free(bars);
    char *path = cache_path(*state, "AAPL");
    FILE *file = fopen(path, "w");
    fputs("not,a,bars,file\n", file);
    fclose(file);
    assert_int_equal(ms_source_load(source, "AAPL", &bars), MS_OK);
    assert_int_equal(ms_bars_len(bars), 4);
    ms_bars *rewritten = NULL;
    assert_int_equal(ms_bars_load_csv(&rewritten, path, "AAPL", NULL), MS_OK);
    assert_int_equal(ms_bars_len(rewritten), 4);
    ms_bars_free(rewritten);
    free(path);
    ms_bars_free(bars);
    ms_source_free(source);
}

typedef struct thread_load {
    ms_source *source;
    const char *symbol;
    ms_status status;
    size_t len;
} thread_load;

static void *load_in_thread(void *arg)
{
    thread_load *load = arg;
    ms_bars *bars = NULL;
    load->status = ms_source_load(load->source, load->symbol, &bars);
    load->len = load->status == MS_OK ? ms_bars_len(bars) : 0;
    ms_bars_free(bars);
    return NULL;
}

static void test_loads_from_several_threads_each_get_their_symbol(void **state)
{
    control("{\"generate_bars\": {\"AAPL\": {\"start\": \"2024-01-01\", \"days\": 5},"
            " \"MSFT\": {\"start\": \"2024-01-01\", \"days\": 6}, \"NVDA\": {\"start\": \"2024-01-01\", \"days\": 7},"
            " \"ETH/USD\": {\"start\": \"2024-01-01\", \"days\": 8}}}");
    ms_source *source = open_source(*state);
    thread_load loads[] = { { source, "AAPL", 0, 0 }, { source, "MSFT", 0, 0 },
                            { source, "NVDA", 0, 0 }, { source, "ETHUSD", 0, 0 } };
    pthread_t threads[MS_ARRAY_LEN(loads)];
    for (size_t i = 0; i < MS_ARRAY_LEN(loads); i++)
        assert_int_equal(pthread_create(&threads[i], NULL, load_in_thread, &loads[i]), 0);
    for (size_t i = 0; i < MS_ARRAY_LEN(loads); i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(loads[i].status, MS_OK);
        assert_int_equal(loads[i].len, 5 + i);
    }
    ms_source_free(source);
}

static void test_source_is_named_after_its_timeframe_and_checks_it(void **state)
{
    ms_broker_options opts = MS_BROKER_OPTIONS_INIT;
    opts.cache_dir = *state;
    ms_source *source = NULL;
    assert_int_equal(ms_source_open_alpaca(&source, "1Hour", &opts), MS_OK);
    assert_string_equal(ms_source_uri(source), "alpaca:1Hour");
    ms_source_free(source);
    assert_int_equal(ms_source_open_alpaca(&source, "2Day", &opts), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "2Day"));
}

/* The first and last close of `symbol`'s bars, and how many there are. */
static void closes(ms_source *source, const char *symbol, double *first, double *last, size_t *len)
{
    ms_bars *bars = NULL;
    assert_int_equal(ms_source_load(source, symbol, &bars), MS_OK);
    *len = ms_bars_len(bars);
    *first = ms_bars_column(bars, MS_COL_CLOSE)[0];
    *last = ms_bars_column(bars, MS_COL_CLOSE)[*len - 1];
    ms_bars_free(bars);
}

/* The attack: bars cached from one server were served as another's (a
 * test server's as Alpaca's). Closes here run from price + 1 up by 1. */
static void test_bars_cached_from_one_data_url_are_never_served_for_another(void **state)
{
    control("{\"generate_bars\": {\"AAPL\": {\"start\": \"2024-01-01\", \"days\": 5, \"price\": 100}}}");
    fake_alpaca *other = fake_alpaca_start();
    if (other == NULL)
        skip();
    assert_true(fake_alpaca_control(other, "{\"generate_bars\": {\"AAPL\": {\"start\": \"2024-01-01\", "
                                    "\"days\": 8, \"price\": 500}}}"));
    ms_source *first = open_source(*state), *second = open_source_at(other, *state);
    double from = 0, to = 0;
    size_t len = 0;
    closes(first, "AAPL", &from, &to, &len);
    assert_true(from == 101 && to == 105 && len == 5);
    closes(second, "AAPL", &from, &to, &len);
    assert_true(from == 501 && to == 508 && len == 8);
    /* The first server's cache was not touched by the second's bars. */
    closes(first, "AAPL", &from, &to, &len);
    assert_true(from == 101 && to == 105 && len == 5);
    ms_source_free(first);
    ms_source_free(second);
    fake_alpaca_stop(other);
}

static void test_cache_paths_differ_by_data_url_feed_and_timeframe(void **state)
{
    const char *keys[][3] = { { "https://data.alpaca.markets", "1Day", "AAPL" },
                              { "http://127.0.0.1:18777", "1Day", "AAPL" },
                              { "http://127.0.0.1:18778", "1Day", "AAPL" },
                              { "http://127.0.0.1:18777/v", "1Day", "AAPL" },
                              { "https://data.alpaca.markets", "1Hour", "AAPL" },
                              { "https://data.alpaca.markets", "1Day", "BTCUSD" } };
    char paths[MS_ARRAY_LEN(keys)][4096];
    for (size_t i = 0; i < MS_ARRAY_LEN(keys); i++) {
        assert_int_equal(ms_bar_cache_path(*state, keys[i][0], keys[i][1], keys[i][2], paths[i],
                                           sizeof paths[i]), MS_OK);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(paths[i], paths[j]);
    }
    assert_non_null(strstr(paths[0], "/alpaca/data.alpaca.markets-"));
    assert_non_null(strstr(paths[0], "/1Day-" MS_ALPACA_STOCK_FEED "-" MS_ALPACA_STOCK_ADJUSTMENT "/AAPL.csv"));
    assert_non_null(strstr(paths[5], "/1Day-crypto-" MS_ALPACA_CRYPTO_LOCATION "/BTCUSD.csv"));
}

/* The URI opens the source through the data layer's scheme table, as
 * --data and Python's Source do: keys, URL and cache from the environment
 * when the options opt in (from_env), and never without. */
static void test_source_open_opens_an_alpaca_uri_through_the_scheme_table(void **state)
{
    control("{\"generate_bars\": {\"AAPL\": {\"start\": \"2024-01-01\", \"days\": 6, \"price\": 100}}}");
    setenv("APCA_API_DATA_URL", fake_alpaca_server->url, 1);
    setenv("APCA_API_KEY_ID", FAKE_ALPACA_KEY_ID, 1);
    setenv("APCA_API_SECRET_KEY", FAKE_ALPACA_SECRET, 1);
    setenv("XDG_CACHE_HOME", *state, 1);
    ms_source *source = NULL;
    ms_status without = ms_source_open(&source, "Alpaca:1Day", NULL);
    char without_message[512];
    snprintf(without_message, sizeof without_message, "%s", ms_last_error());
    ms_source_options opts = MS_SOURCE_OPTIONS_INIT;
    opts.from_env = 1;
    ms_status status = ms_source_open(&source, "Alpaca:1Day", &opts);
    double first = 0, last = 0;
    size_t len = 0;
    if (status == MS_OK)
        closes(source, "AAPL", &first, &last, &len);
    ms_source_free(source);
    unsetenv("APCA_API_DATA_URL");
    unsetenv("APCA_API_KEY_ID");
    unsetenv("APCA_API_SECRET_KEY");
    unsetenv("XDG_CACHE_HOME");
    assert_int_equal(without, MS_ERR_INVALID_ARG);
    assert_non_null(strstr(without_message, "from_env"));
    assert_int_equal(status, MS_OK);
    assert_int_equal(len, 6);
    assert_int_equal(fake_alpaca_requests(fake_alpaca_server, "GET", "/v2/stocks/bars"), 1);
}

static void test_source_open_passes_the_alpaca_timeframe_on_and_lists_the_scheme(void **state)
{
    (void)state;
    ms_source *source = NULL;
    assert_int_equal(ms_source_open(&source, "alpaca:2Day", NULL), MS_ERR_INVALID_ARG);
    assert_null(source);
    assert_non_null(strstr(ms_last_error(), "alpaca timeframe '2Day'"));
    assert_int_equal(ms_source_open(&source, "ftp:x", NULL), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "alpaca[:TIMEFRAME])"));
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, temp_dir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_pages_are_followed_and_joined_per_symbol),
        TEST(test_stock_bars_are_asked_raw_from_iex_in_time_order),
        TEST(test_bars_null_is_no_bars),
        TEST(test_symbol_without_bars_is_not_found_by_the_source),
        TEST(test_bar_values_sent_as_strings_are_read),
        TEST(test_bar_without_a_close_names_the_symbol_and_bar),
        TEST(test_stocks_and_crypto_in_one_request_are_refused),
        TEST(test_crypto_bars_come_from_the_crypto_endpoint_by_pair_name),
        TEST(test_second_load_fetches_only_bars_from_the_last_cached_one),
        TEST(test_cache_is_a_csv_the_data_layer_reads),
        TEST(test_corrupt_cache_is_fetched_again),
        TEST(test_bars_cached_from_one_data_url_are_never_served_for_another),
        TEST(test_cache_paths_differ_by_data_url_feed_and_timeframe),
        TEST(test_loads_from_several_threads_each_get_their_symbol),
        TEST(test_source_is_named_after_its_timeframe_and_checks_it),
        TEST(test_source_open_opens_an_alpaca_uri_through_the_scheme_table),
        TEST(test_source_open_passes_the_alpaca_timeframe_on_and_lists_the_scheme),
    };
    return cmocka_run_group_tests_name("alpaca_bars", tests, fake_alpaca_group_setup, fake_alpaca_group_teardown);
}
