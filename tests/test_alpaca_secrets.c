/* test_alpaca_secrets.c - the API keys never appear in debug logs or error
 * messages, whatever the calls do: the log level is debug, and stderr is
 * captured around real calls against the local fake server (lib/broker/net/http_client.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "marketsim/broker.h"
#include "support/fake_alpaca.h"
#include "support/temp_dir.h"

#define WRONG_SECRET "wrong-secret-7f3a9c"

/* Where stderr goes while a test captures it. */
typedef struct capture {
    FILE *file;
    int saved_stderr;
} capture;

static capture capture_stderr(void)
{
    fflush(stderr);
    capture captured = { tmpfile(), dup(STDERR_FILENO) };
    assert_non_null(captured.file);
    dup2(fileno(captured.file), STDERR_FILENO);
    return captured;
}

/* Restores stderr and returns what was written (malloc'ed). */
static char *release_stderr(capture *captured)
{
    fflush(stderr);
    dup2(captured->saved_stderr, STDERR_FILENO);
    close(captured->saved_stderr);
    long size = ftell(captured->file);
    rewind(captured->file);
    char *text = calloc(1, (size_t)size + 1);
    assert_int_equal(fread(text, 1, (size_t)size, captured->file), (size_t)size);
    fclose(captured->file);
    return text;
}

static void assert_no_secret(const char *text)
{
    assert_null(strstr(text, FAKE_ALPACA_KEY_ID));
    assert_null(strstr(text, FAKE_ALPACA_SECRET));
    assert_null(strstr(text, WRONG_SECRET));
}

/* A submit, a retried 500, a 401 and a bars load, with every error
 * message checked as it happens. */
static void exercise_the_client(const char *cache_dir)
{
    ms_broker_options opts = fake_alpaca_options(fake_alpaca_server, 5.0);
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_OK);
    ms_order_request request = {
        .symbol = "AAPL", .qty = 1, .side = 1, .type = MS_ORDER_MARKET, .time_in_force = MS_TIF_DAY,
        .limit_price = NAN, .stop_price = NAN, .order_class = MS_CLASS_SIMPLE,
        .take_profit_limit = NAN, .stop_loss_stop = NAN, .client_order_id = "ms-secret-1",
    };
    ms_order order;
    assert_int_equal(ms_broker_submit(broker, &request, &order), MS_OK);
    assert_true(fake_alpaca_control(fake_alpaca_server, "{\"faults\": [{\"kind\": \"status\", \"status\": 500}]}"));
    ms_account account;
    assert_int_equal(ms_broker_account(broker, &account), MS_OK);
    ms_broker_free(broker);

    opts.secret_key = WRONG_SECRET;
    opts.cache_dir = cache_dir;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_OK);
    assert_int_equal(ms_broker_account(broker, &account), MS_ERR_HTTP);
    assert_no_secret(ms_last_error());
    ms_broker_free(broker);
    ms_source *source = NULL;
    ms_bars *bars = NULL;
    assert_int_equal(ms_source_open_alpaca(&source, "1Day", &opts), MS_OK);
    assert_int_equal(ms_source_load(source, "AAPL", &bars), MS_ERR_HTTP);
    assert_no_secret(ms_last_error());
    ms_source_free(source);
}

static void test_debug_log_shows_requests_but_never_the_keys(void **state)
{
    if (fake_alpaca_server == NULL)
        skip();
    capture captured = capture_stderr();
    exercise_the_client(*state);
    char *log = release_stderr(&captured);
    assert_non_null(strstr(log, "debug: GET http://127.0.0.1:"));
    assert_non_null(strstr(log, "debug: POST http://127.0.0.1:"));
    assert_non_null(strstr(log, "APCA-API-SECRET-KEY: <redacted>"));
    assert_non_null(strstr(log, "HTTP 500; retry 1"));
    assert_no_secret(log);
    free(log);
}

int main(void)
{
    ms_log_set_level(MS_LOG_DEBUG);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_debug_log_shows_requests_but_never_the_keys,
                                        temp_dir_setup, temp_dir_teardown),
    };
    return cmocka_run_group_tests_name("alpaca_secrets", tests, fake_alpaca_group_setup, fake_alpaca_group_teardown);
}
