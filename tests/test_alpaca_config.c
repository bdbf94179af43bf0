/* test_alpaca_config.c - opening the Alpaca broker: keys from options,
 * the environment (only with from_env) or a private key file, no broker
 * picked unless named (ms_broker_default_uri makes the CLI's choice), paper by default, live only with
 * MARKETSIM_LIVE_TRADING=yes, PAPER=1 forcing paper, URLs and their checks
 * (parsed: base_url.c), key files that are no regular file, and no core
 * dumps once keys are configured (lib/broker/alpaca/alpaca_keys.c,
 * alpaca_config.c, alpaca_broker.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "broker/alpaca/alpaca_internal.h"
#include "support/temp_dir.h"

#define KEY_ID "PKTESTKEYID0001"
#define SECRET "s3cr3t-never-printed"

static const char *const variables[] = {
    "APCA_API_KEY_ID", "APCA_API_SECRET_KEY", "APCA_API_BASE_URL", "APCA_API_DATA_URL",
    "PAPER", "MARKETSIM_LIVE_TRADING",
};

/* Each test starts from an environment without any Alpaca setting and
 * with a scratch directory for key files. */
static int setup(void **state)
{
    for (size_t i = 0; i < MS_ARRAY_LEN(variables); i++)
        unsetenv(variables[i]);
    return temp_dir_setup(state);
}

static ms_broker_options keyed_options(void)
{
    ms_broker_options opts = MS_BROKER_OPTIONS_INIT;
    opts.key_id = KEY_ID;
    opts.secret_key = SECRET;
    opts.trading_url = "http://127.0.0.1:9";
    opts.from_env = 1;
    return opts;
}

static char *write_key_file(const char *dir, const char *text, mode_t mode)
{
    char *path = temp_dir_path(dir, "alpaca.keys");
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs(text, file);
    fclose(file);
    chmod(path, mode);
    return path;
}

static void test_paper_is_the_default(void **state)
{
    (void)state;
    ms_broker_options opts = keyed_options();
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_OK);
    assert_string_equal(ms_broker_name(broker), "alpaca-paper");
    ms_broker_free(broker);
}

static void test_live_is_refused_without_the_environment_opt_in(void **state)
{
    (void)state;
    ms_broker_options opts = keyed_options();
    opts.live = 1;
    setenv("MARKETSIM_LIVE_TRADING", "1", 1);
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "MARKETSIM_LIVE_TRADING=yes"));
    assert_null(broker);
}

static void test_live_with_the_opt_in_is_named_alpaca_live(void **state)
{
    (void)state;
    ms_broker_options opts = keyed_options();
    opts.live = 1;
    setenv("MARKETSIM_LIVE_TRADING", "yes", 1);
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_OK);
    assert_string_equal(ms_broker_name(broker), "alpaca-live");
    ms_broker_free(broker);
}

static void test_paper_in_the_environment_overrides_live(void **state)
{
    (void)state;
    ms_broker_options opts = keyed_options();
    opts.live = 1;
    setenv("MARKETSIM_LIVE_TRADING", "yes", 1);
    setenv("PAPER", "1", 1);
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_OK);
    assert_string_equal(ms_broker_name(broker), "alpaca-paper");
    ms_broker_free(broker);
}

static void test_paper_trading_refuses_the_live_host(void **state)
{
    (void)state;
    ms_broker_options opts = keyed_options();
    opts.trading_url = NULL;
    setenv("APCA_API_BASE_URL", "https://api.alpaca.markets/", 1);
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "live host"));
}

static void test_plain_http_is_refused_off_loopback(void **state)
{
    (void)state;
    ms_broker_options opts = keyed_options();
    opts.trading_url = "http://paper.example.com";
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "clear text"));
}

/* Spellings found by an attack: each once let the keys go to a host other
 * than the one the text seemed to name. */
static void test_base_url_with_user_info_is_refused(void **state)
{
    (void)state;
    const char *urls[] = { "http://127.0.0.1:x@evil.example:18777", "https://x@api.alpaca.markets",
                           "http://localhost:1@api.alpaca.markets", "https://@paper-api.alpaca.markets",
                           "http://127.0.0.1:18777\\@evil.example" };
    for (size_t i = 0; i < MS_ARRAY_LEN(urls); i++) {
        ms_broker_options opts = keyed_options();
        opts.trading_url = urls[i];
        ms_alpaca_config config;
        assert_int_equal(ms_alpaca_config_resolve(&opts, true, &config), MS_ERR_INVALID_ARG);
        assert_non_null(strstr(ms_last_error(), "user name or password"));
        assert_null(strstr(ms_last_error(), urls[i]));
        opts.trading_url = "http://127.0.0.1:9";
        opts.data_url = urls[i];
        assert_int_equal(ms_alpaca_config_resolve(&opts, false, &config), MS_ERR_INVALID_ARG);
        assert_non_null(strstr(ms_last_error(), "data URL"));
    }
}

static void test_live_host_in_any_spelling_is_refused_for_paper_trading(void **state)
{
    (void)state;
    const char *urls[] = { "https://API.ALPACA.MARKETS", "https://api.alpaca.markets.",
                           "https://Api.Alpaca.Markets.:443/", "HTTPS://api.alpaca.markets//" };
    for (size_t i = 0; i < MS_ARRAY_LEN(urls); i++) {
        ms_broker_options opts = keyed_options();
        opts.trading_url = urls[i];
        ms_alpaca_config config;
        assert_int_equal(ms_alpaca_config_resolve(&opts, true, &config), MS_ERR_INVALID_ARG);
        assert_non_null(strstr(ms_last_error(), "live host"));
    }
}

static void test_live_host_in_another_spelling_opens_live_with_the_opt_in(void **state)
{
    (void)state;
    ms_broker_options opts = keyed_options();
    opts.trading_url = "https://API.Alpaca.Markets./";
    opts.live = 1;
    setenv("MARKETSIM_LIVE_TRADING", "yes", 1);
    ms_alpaca_config config;
    assert_int_equal(ms_alpaca_config_resolve(&opts, true, &config), MS_OK);
    assert_true(config.live);
    assert_string_equal(config.trading_url, "https://api.alpaca.markets");
}

static void test_plain_http_to_loopback_in_any_spelling_is_accepted(void **state)
{
    (void)state;
    const char *urls[][2] = { { "http://127.1:5", "http://127.0.0.1:5" },
                              { "http://127.9.8.7/", "http://127.9.8.7" },
                              { "http://[0:0:0:0:0:0:0:1]:5/v/", "http://[::1]:5/v" },
                              { "HTTP://LocalHost.:5", "http://localhost:5" } };
    for (size_t i = 0; i < MS_ARRAY_LEN(urls); i++) {
        ms_broker_options opts = keyed_options();
        opts.trading_url = urls[i][0];
        ms_alpaca_config config;
        assert_int_equal(ms_alpaca_config_resolve(&opts, true, &config), MS_OK);
        assert_string_equal(config.trading_url, urls[i][1]);
    }
}

static void test_plain_http_to_a_host_named_like_loopback_is_refused(void **state)
{
    (void)state;
    const char *urls[] = { "http://127.0.0.1.evil.example", "http://localhost.evil.example:5",
                           "http://[::ffff:10.0.0.1]", "http://128.0.0.1" };
    for (size_t i = 0; i < MS_ARRAY_LEN(urls); i++) {
        ms_broker_options opts = keyed_options();
        opts.trading_url = urls[i];
        ms_alpaca_config config;
        assert_int_equal(ms_alpaca_config_resolve(&opts, true, &config), MS_ERR_INVALID_ARG);
        assert_non_null(strstr(ms_last_error(), "clear text"));
    }
}

/* Found by fuzzing: "https:/.//x.example" is host "." to libcurl; a host
 * with %25, or "7.0.0." without its dot, reads differently when parsed again. */
static void test_base_url_with_a_query_fragment_or_odd_bytes_is_refused(void **state)
{
    (void)state;
    const char *urls[] = { "https://paper-api.alpaca.markets?x=1", "https://paper-api.alpaca.markets#x",
                           "https://paper-api.alpaca.markets /", "https://paper-api.alpaca.markets\r\n",
                           "ftp://127.0.0.1", "paper-api.alpaca.markets", "https:/.//x.example",
                           "https://x.example..", "https://x%25252e.example", "https://7.0.0.", "" };
    for (size_t i = 0; i < MS_ARRAY_LEN(urls); i++) {
        ms_broker_options opts = keyed_options();
        opts.trading_url = urls[i];
        setenv("APCA_API_BASE_URL", urls[i], 1);
        ms_alpaca_config config;
        ms_status status = ms_alpaca_config_resolve(&opts, true, &config);
        /* "" in both places leaves the default paper host. */
        assert_int_equal(status, *urls[i] != '\0' ? MS_ERR_INVALID_ARG : MS_OK);
    }
}

static void test_options_win_over_the_environment_and_lose_trailing_slashes(void **state)
{
    (void)state;
    ms_broker_options opts = keyed_options();
    opts.trading_url = "http://127.0.0.1:2/";
    setenv("APCA_API_BASE_URL", "http://127.0.0.1:1", 1);
    setenv("APCA_API_DATA_URL", "http://localhost:3//", 1);
    ms_alpaca_config config;
    assert_int_equal(ms_alpaca_config_resolve(&opts, true, &config), MS_OK);
    assert_string_equal(config.trading_url, "http://127.0.0.1:2");
    assert_string_equal(config.data_url, "http://localhost:3");
    assert_true(config.timeout == 30 && config.connect_timeout == 10);
    assert_int_equal(config.max_retries, 5);
    assert_true(config.requests_per_minute == 190);
}

static void test_negative_timeout_is_refused(void **state)
{
    (void)state;
    ms_broker_options opts = keyed_options();
    opts.timeout = -1;
    ms_alpaca_config config;
    assert_int_equal(ms_alpaca_config_resolve(&opts, true, &config), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "timeout"));
}

static void test_keys_come_from_the_environment(void **state)
{
    (void)state;
    ms_broker_options opts = MS_BROKER_OPTIONS_INIT;
    opts.from_env = 1;
    assert_false(ms_alpaca_keys_configured(&opts));
    setenv("APCA_API_KEY_ID", KEY_ID, 1);
    setenv("APCA_API_SECRET_KEY", SECRET, 1);
    assert_true(ms_alpaca_keys_configured(&opts));
    ms_alpaca_keys keys;
    assert_int_equal(ms_alpaca_keys_resolve(&opts, &keys), MS_OK);
    assert_true(keys.present);
    assert_string_equal(keys.key_id, KEY_ID);
    assert_string_equal(keys.secret_key, SECRET);
}

static void test_half_a_key_pair_is_refused_without_showing_it(void **state)
{
    (void)state;
    ms_broker_options opts = MS_BROKER_OPTIONS_INIT;
    opts.from_env = 1;
    setenv("APCA_API_KEY_ID", KEY_ID, 1);
    ms_alpaca_keys keys;
    assert_int_equal(ms_alpaca_keys_resolve(&opts, &keys), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "not the secret key"));
    assert_null(strstr(ms_last_error(), KEY_ID));
}

static void test_keys_in_the_environment_are_not_read_without_from_env(void **state)
{
    (void)state;
    setenv("APCA_API_KEY_ID", KEY_ID, 1);
    setenv("APCA_API_SECRET_KEY", SECRET, 1);
    ms_broker_options opts = MS_BROKER_OPTIONS_INIT;
    opts.trading_url = "http://127.0.0.1:9";
    assert_false(ms_alpaca_keys_configured(&opts));
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_ERR_INVALID_ARG);
    assert_null(broker);
    /* The message names what is missing and why it was not found. */
    assert_non_null(strstr(ms_last_error(), "no API keys"));
    assert_non_null(strstr(ms_last_error(), "from_env is 0"));
    assert_null(strstr(ms_last_error(), SECRET));
    opts.from_env = 1;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_OK);
    assert_string_equal(ms_broker_name(broker), "alpaca-paper");
    ms_broker_free(broker);
}

static void test_urls_in_the_environment_are_not_read_without_from_env(void **state)
{
    (void)state;
    ms_broker_options opts = keyed_options();
    opts.from_env = 0;
    opts.trading_url = NULL;
    setenv("APCA_API_BASE_URL", "http://127.0.0.1:7", 1);
    setenv("APCA_API_DATA_URL", "http://127.0.0.1:8", 1);
    ms_alpaca_config config;
    assert_int_equal(ms_alpaca_config_resolve(&opts, true, &config), MS_OK);
    assert_string_equal(config.trading_url, "https://paper-api.alpaca.markets");
    assert_string_equal(config.data_url, "https://data.alpaca.markets");
}

static void test_live_needs_from_env_whatever_the_environment_says(void **state)
{
    (void)state;
    ms_broker_options opts = keyed_options();
    opts.from_env = 0;
    opts.live = 1;
    setenv("MARKETSIM_LIVE_TRADING", "yes", 1);
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "from_env"));
    assert_null(broker);
}

static void test_version_1_options_read_no_environment(void **state)
{
    (void)state;
    setenv("APCA_API_KEY_ID", KEY_ID, 1);
    setenv("APCA_API_SECRET_KEY", SECRET, 1);
    /* A caller built against version 1 has no from_env: whatever lies
     * past its struct is not read as an opt-in. */
    ms_broker_options opts = MS_BROKER_OPTIONS_INIT;
    opts.version = 1;
    opts.from_env = 1;
    opts.trading_url = "http://127.0.0.1:9";
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "no API keys"));
    opts.version = MS_BROKER_OPTIONS_VERSION + 1;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "version"));
}

static void test_no_broker_is_picked_unless_named(void **state)
{
    (void)state;
    setenv("APCA_API_KEY_ID", KEY_ID, 1);
    setenv("APCA_API_SECRET_KEY", SECRET, 1);
    ms_broker_options opts = keyed_options();
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, NULL, &opts), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "no broker named"));
    assert_int_equal(ms_broker_open(&broker, "", &opts), MS_ERR_INVALID_ARG);
    assert_null(broker);
}

static void test_default_uri_is_alpaca_with_keys_else_the_state_journal(void **state)
{
    char uri[512];
    ms_broker_options opts = MS_BROKER_OPTIONS_INIT;
    setenv("XDG_STATE_HOME", (const char *)*state, 1);
    /* No keys and no environment: no default at all. */
    assert_int_equal(ms_broker_default_uri(&opts, uri, sizeof uri), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "from_env"));
    opts.from_env = 1;
    assert_int_equal(ms_broker_default_uri(&opts, uri, sizeof uri), MS_OK);
    char expected[512];
    snprintf(expected, sizeof expected, "sim:%s/marketsim/sim.journal", (const char *)*state);
    assert_string_equal(uri, expected);
    setenv("APCA_API_KEY_ID", KEY_ID, 1);
    setenv("APCA_API_SECRET_KEY", SECRET, 1);
    assert_int_equal(ms_broker_default_uri(&opts, uri, sizeof uri), MS_OK);
    assert_string_equal(uri, "alpaca");
    opts.from_env = 0;
    assert_int_equal(ms_broker_default_uri(&opts, uri, sizeof uri), MS_ERR_INVALID_ARG);
    assert_int_equal(ms_broker_default_uri(&opts, uri, 3), MS_ERR_INVALID_ARG);
    unsetenv("XDG_STATE_HOME");
}

static void test_key_with_a_control_character_is_refused(void **state)
{
    (void)state;
    ms_broker_options opts = keyed_options();
    opts.secret_key = "abc\r\nX-Injected: 1";
    ms_alpaca_keys keys;
    assert_int_equal(ms_alpaca_keys_resolve(&opts, &keys), MS_ERR_INVALID_ARG);
    assert_null(strstr(ms_last_error(), "Injected"));
}

static void test_trading_without_keys_is_refused(void **state)
{
    (void)state;
    ms_broker_options opts = MS_BROKER_OPTIONS_INIT;
    opts.trading_url = "http://127.0.0.1:9";
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "APCA_API_KEY_ID"));
}

static void test_private_key_file_is_read(void **state)
{
    char *path = write_key_file(*state, KEY_ID "\n  " SECRET "  \r\n", 0600);
    ms_broker_options opts = MS_BROKER_OPTIONS_INIT;
    opts.key_file = path;
    assert_true(ms_alpaca_keys_configured(&opts));
    ms_alpaca_keys keys;
    assert_int_equal(ms_alpaca_keys_resolve(&opts, &keys), MS_OK);
    assert_string_equal(keys.key_id, KEY_ID);
    assert_string_equal(keys.secret_key, SECRET);
    free(path);
}

static void test_key_file_readable_by_group_is_refused(void **state)
{
    char *path = write_key_file(*state, KEY_ID "\n" SECRET "\n", 0640);
    ms_broker_options opts = MS_BROKER_OPTIONS_INIT;
    opts.key_file = path;
    ms_alpaca_keys keys;
    assert_int_equal(ms_alpaca_keys_resolve(&opts, &keys), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "chmod 600"));
    assert_non_null(strstr(ms_last_error(), path));
    assert_null(strstr(ms_last_error(), SECRET));
    free(path);
}

static void test_key_file_without_a_secret_line_is_refused(void **state)
{
    char *path = write_key_file(*state, KEY_ID "\n", 0600);
    ms_broker_options opts = MS_BROKER_OPTIONS_INIT;
    opts.key_file = path;
    ms_alpaca_keys keys;
    assert_int_equal(ms_alpaca_keys_resolve(&opts, &keys), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "second"));
    free(path);
}

/* Opening a FIFO for reading used to wait forever for a writer; the alarm
 * turns such a hang into a failure. */
static void test_key_file_that_is_a_fifo_is_refused_at_once(void **state)
{
    char *path = temp_dir_path(*state, "alpaca.keys");
    assert_int_equal(mkfifo(path, 0600), 0);
    ms_broker_options opts = MS_BROKER_OPTIONS_INIT;
    opts.key_file = path;
    ms_alpaca_keys keys;
    alarm(5);
    ms_status status = ms_alpaca_keys_resolve(&opts, &keys);
    alarm(0);
    assert_int_equal(status, MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "a FIFO, not a regular file"));
    assert_non_null(strstr(ms_last_error(), path));
    free(path);
}

static void test_key_file_that_is_a_directory_is_refused_naming_it(void **state)
{
    ms_broker_options opts = MS_BROKER_OPTIONS_INIT;
    opts.key_file = *state;
    ms_alpaca_keys keys;
    assert_int_equal(ms_alpaca_keys_resolve(&opts, &keys), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "a directory, not a regular file"));
    assert_non_null(strstr(ms_last_error(), *state));
}

typedef enum opened { OPEN_BROKER, OPEN_SOURCE_WITH_KEYS, OPEN_SOURCE_WITHOUT_KEYS } opened;

/* In a child, made dumpable first: 0 when it is `dumpable_after` (core
 * limit 0 too when not) after the open; 1 to 4 say which check failed. */
static int dumpable_across_open(opened what, const char *cache_dir, int dumpable_after)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        /* Earlier tests' keys made this process non-dumpable; the child
         * starts over. */
        if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0 || prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1)
            _exit(1);
        ms_broker_options opts = keyed_options();
        opts.cache_dir = cache_dir;
        if (what == OPEN_SOURCE_WITHOUT_KEYS)
            opts.key_id = opts.secret_key = NULL;
        ms_broker *broker = NULL;
        ms_source *source = NULL;
        ms_status status = what == OPEN_BROKER ? ms_broker_open(&broker, "alpaca", &opts)
                                               : ms_source_open_alpaca(&source, NULL, &opts);
        if (status != MS_OK)
            _exit(2);
        if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != dumpable_after)
            _exit(3);
        struct rlimit core;
        if (!dumpable_after && (getrlimit(RLIMIT_CORE, &core) != 0 || core.rlim_cur != 0))
            _exit(4);
        ms_broker_free(broker);
        ms_source_free(source);
        _exit(0);
    }
    int child_status = 0;
    assert_int_equal(waitpid(pid, &child_status, 0), pid);
    assert_true(WIFEXITED(child_status));
    return WEXITSTATUS(child_status);
}

static void test_process_is_not_dumpable_once_an_alpaca_broker_with_keys_opens(void **state)
{
    assert_int_equal(dumpable_across_open(OPEN_BROKER, *state, 0), 0);
}

static void test_process_is_not_dumpable_once_an_alpaca_source_with_keys_opens(void **state)
{
    assert_int_equal(dumpable_across_open(OPEN_SOURCE_WITH_KEYS, *state, 0), 0);
}

static void test_alpaca_source_without_keys_leaves_the_process_dumpable(void **state)
{
    assert_int_equal(dumpable_across_open(OPEN_SOURCE_WITHOUT_KEYS, *state, 1), 0);
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, temp_dir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_paper_is_the_default),
        TEST(test_live_is_refused_without_the_environment_opt_in),
        TEST(test_live_with_the_opt_in_is_named_alpaca_live),
        TEST(test_paper_in_the_environment_overrides_live),
        TEST(test_paper_trading_refuses_the_live_host),
        TEST(test_plain_http_is_refused_off_loopback),
        TEST(test_base_url_with_user_info_is_refused),
        TEST(test_live_host_in_any_spelling_is_refused_for_paper_trading),
        TEST(test_live_host_in_another_spelling_opens_live_with_the_opt_in),
        TEST(test_plain_http_to_loopback_in_any_spelling_is_accepted),
        TEST(test_plain_http_to_a_host_named_like_loopback_is_refused),
        TEST(test_base_url_with_a_query_fragment_or_odd_bytes_is_refused),
        TEST(test_options_win_over_the_environment_and_lose_trailing_slashes),
        TEST(test_negative_timeout_is_refused),
        TEST(test_keys_come_from_the_environment),
        TEST(test_half_a_key_pair_is_refused_without_showing_it),
        TEST(test_keys_in_the_environment_are_not_read_without_from_env),
        TEST(test_urls_in_the_environment_are_not_read_without_from_env),
        TEST(test_live_needs_from_env_whatever_the_environment_says),
        TEST(test_version_1_options_read_no_environment),
        TEST(test_no_broker_is_picked_unless_named),
        TEST(test_default_uri_is_alpaca_with_keys_else_the_state_journal),
        TEST(test_key_with_a_control_character_is_refused),
        TEST(test_trading_without_keys_is_refused),
        TEST(test_private_key_file_is_read),
        TEST(test_key_file_readable_by_group_is_refused),
        TEST(test_key_file_without_a_secret_line_is_refused),
        TEST(test_key_file_that_is_a_fifo_is_refused_at_once),
        TEST(test_key_file_that_is_a_directory_is_refused_naming_it),
        TEST(test_process_is_not_dumpable_once_an_alpaca_broker_with_keys_opens),
        TEST(test_process_is_not_dumpable_once_an_alpaca_source_with_keys_opens),
        TEST(test_alpaca_source_without_keys_leaves_the_process_dumpable),
    };
    return cmocka_run_group_tests_name("alpaca_config", tests, NULL, NULL);
}
