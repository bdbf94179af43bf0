/* test_alpaca_config.c - opening the Alpaca broker: keys from options,
 * environment or a private key file, paper by default, live only with
 * MARKETSIM_LIVE_TRADING=yes, PAPER=1 forcing paper, URLs and their checks
 * (lib/broker/alpaca_keys.c, alpaca_config.c, alpaca_broker.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "broker/alpaca_internal.h"
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
    setenv("APCA_API_KEY_ID", KEY_ID, 1);
    ms_alpaca_keys keys;
    assert_int_equal(ms_alpaca_keys_resolve(&opts, &keys), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "not the secret key"));
    assert_null(strstr(ms_last_error(), KEY_ID));
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
        TEST(test_options_win_over_the_environment_and_lose_trailing_slashes),
        TEST(test_negative_timeout_is_refused),
        TEST(test_keys_come_from_the_environment),
        TEST(test_half_a_key_pair_is_refused_without_showing_it),
        TEST(test_key_with_a_control_character_is_refused),
        TEST(test_trading_without_keys_is_refused),
        TEST(test_private_key_file_is_read),
        TEST(test_key_file_readable_by_group_is_refused),
        TEST(test_key_file_without_a_secret_line_is_refused),
    };
    return cmocka_run_group_tests_name("alpaca_config", tests, NULL, NULL);
}
