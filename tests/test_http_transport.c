/* test_http_transport.c - transport faults that tests/servers/fake_alpaca.py
 * cannot produce, against a tiny responder on 127.0.0.1 written here: a
 * port nothing listens on, a redirect (never followed: an error naming the
 * status, nothing sent to the host it names), a reply larger than the body
 * cap (MS_HTTP_MAX_BODY), a proxy in the environment (never used for plain
 * http to loopback) and a request URL off the client's base URL (refused
 * before sending). Every broker here has retries off, so each fault is met
 * exactly once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "broker/alpaca/alpaca_internal.h"
#include "broker/net/http.h"

/* A listening socket on 127.0.0.1 and its port; -1 on failure. */
static int listen_on_loopback(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = 0 };
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, 4) != 0 ||
        getsockname(fd, (struct sockaddr *)&address, &size) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *port = ntohs(address.sin_port);
    return fd;
}

/* One connection answered with `head`, then `body_bytes` bytes of 'x'. */
typedef struct responder {
    int listener;
    const char *head;
    size_t body_bytes;
    pthread_t thread;
} responder;

static void *answer_once(void *context)
{
    responder *r = context;
    /* A client that went elsewhere (a proxy) must not hang the test. */
    struct pollfd ready = { .fd = r->listener, .events = POLLIN };
    if (poll(&ready, 1, 5000) != 1)
        return NULL;
    int connection = accept(r->listener, NULL, NULL);
    if (connection < 0)
        return NULL;
    char request[4096];
    ssize_t got = recv(connection, request, sizeof request, 0); /* one small GET */
    (void)got;
    send(connection, r->head, strlen(r->head), MSG_NOSIGNAL);
    static char chunk[1 << 16];
    memset(chunk, 'x', sizeof chunk);
    /* The client hangs up once past its cap; the send then fails. */
    for (size_t sent = 0; sent < r->body_bytes;) {
        size_t want = r->body_bytes - sent < sizeof chunk ? r->body_bytes - sent : sizeof chunk;
        ssize_t wrote = send(connection, chunk, want, MSG_NOSIGNAL);
        if (wrote <= 0)
            break;
        sent += (size_t)wrote;
    }
    close(connection);
    return NULL;
}

static ms_broker *open_broker_at(int port)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    ms_broker_options opts = MS_BROKER_OPTIONS_INIT;
    opts.trading_url = url;
    opts.data_url = url;
    opts.key_id = "test-key-id";
    opts.secret_key = "test-secret-key";
    opts.timeout = 20;
    opts.max_retries = -1;
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_OK);
    return broker;
}

/* Reads the account from a responder sending `head` and `body_bytes`. */
static ms_status account_from(const char *head, size_t body_bytes)
{
    responder r = { .head = head, .body_bytes = body_bytes };
    int port = 0;
    r.listener = listen_on_loopback(&port);
    if (r.listener < 0)
        skip();
    assert_int_equal(pthread_create(&r.thread, NULL, answer_once, &r), 0);
    ms_broker *broker = open_broker_at(port);
    ms_account account;
    ms_status status = ms_broker_account(broker, &account);
    ms_broker_free(broker);
    pthread_join(r.thread, NULL);
    close(r.listener);
    return status;
}

static void test_connection_refused_is_an_http_error_naming_the_request(void **state)
{
    (void)state;
    int port = 0;
    int listener = listen_on_loopback(&port);
    if (listener < 0)
        skip();
    close(listener); /* the port is now free: nothing listens on it */
    ms_broker *broker = open_broker_at(port);
    ms_account account;
    assert_int_equal(ms_broker_account(broker, &account), MS_ERR_HTTP);
    assert_non_null(strstr(ms_last_error(), "GET /v2/account"));
    assert_non_null(strstr(ms_last_error(), "onnect"));
    ms_broker_free(broker);
}

static void test_redirect_is_not_followed_and_names_the_status(void **state)
{
    (void)state;
    ms_status status = account_from("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/v2/account\r\n"
                                    "Content-Length: 0\r\nConnection: close\r\n\r\n", 0);
    assert_int_equal(status, MS_ERR_HTTP);
    assert_non_null(strstr(ms_last_error(), "GET /v2/account"));
    assert_non_null(strstr(ms_last_error(), "HTTP 302"));
}

static void test_reply_larger_than_the_body_cap_is_refused(void **state)
{
    (void)state;
    char head[160];
    size_t body_bytes = MS_HTTP_MAX_BODY + (1 << 20);
    snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\nConnection: close\r\n\r\n", body_bytes);
    assert_int_equal(account_from(head, body_bytes), MS_ERR_HTTP);
    assert_non_null(strstr(ms_last_error(), "GET /v2/account"));
    assert_non_null(strstr(ms_last_error(), "larger than 64 MiB"));
}

/* Whether anything connected to `listener` (which is left non-blocking). */
static bool was_contacted(int listener)
{
    fcntl(listener, F_SETFL, O_NONBLOCK);
    int connection = accept(listener, NULL, NULL);
    if (connection >= 0)
        close(connection);
    return connection >= 0;
}

static void test_redirect_to_another_host_sends_it_nothing(void **state)
{
    (void)state;
    int other_port = 0;
    int other = listen_on_loopback(&other_port);
    if (other < 0)
        skip();
    char head[256];
    snprintf(head, sizeof head, "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:%d"
             "/v2/account\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", other_port);
    assert_int_equal(account_from(head, 0), MS_ERR_HTTP);
    assert_non_null(strstr(ms_last_error(), "HTTP 307"));
    assert_false(was_contacted(other));
    close(other);
}

/* http_proxy would carry the key headers, in clear text, to the proxy. */
static void test_plain_http_to_loopback_never_goes_through_a_proxy(void **state)
{
    (void)state;
    int proxy_port = 0;
    int proxy = listen_on_loopback(&proxy_port);
    if (proxy < 0)
        skip();
    char proxy_url[64];
    snprintf(proxy_url, sizeof proxy_url, "http://127.0.0.1:%d", proxy_port);
    setenv("http_proxy", proxy_url, 1);
    setenv("HTTP_PROXY", proxy_url, 1);
    ms_status status = account_from("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                    "Content-Length: 2\r\nConnection: close\r\n\r\n{}", 0);
    unsetenv("http_proxy");
    unsetenv("HTTP_PROXY");
    /* {} is no account: the answer came from the responder, not a proxy. */
    assert_int_equal(status, MS_ERR_PARSE);
    assert_false(was_contacted(proxy));
    close(proxy);
}

static void test_request_off_the_base_url_is_refused_before_sending(void **state)
{
    (void)state;
    int port = 0;
    int listener = listen_on_loopback(&port);
    if (listener < 0)
        skip();
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    ms_rate_limiter limiter;
    assert_int_equal(ms_rate_limiter_init(&limiter, 60000), MS_OK);
    ms_http_settings settings = { 1.0, 1.0, 0, "key", "secret", base };
    ms_http_client *client = NULL;
    assert_int_equal(ms_http_client_create(&client, &settings, &limiter), MS_OK);
    char off_base[3][96];
    snprintf(off_base[0], sizeof off_base[0], "http://127.0.0.1:%d@127.0.0.2:%d/v2/account", port, port);
    snprintf(off_base[1], sizeof off_base[1], "http://127.0.0.2:%d/v2/account", port);
    snprintf(off_base[2], sizeof off_base[2], "https://127.0.0.1:%d/v2/account", port);
    for (size_t i = 0; i < 3; i++) {
        ms_http_response response;
        assert_int_equal(ms_http_send(client, "GET", off_base[i], NULL, &response), MS_ERR_INVALID_ARG);
        assert_non_null(strstr(ms_last_error(), base));
        ms_http_response_release(&response);
    }
    assert_false(was_contacted(listener));
    ms_http_client_free(client);
    ms_rate_limiter_destroy(&limiter);
    close(listener);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connection_refused_is_an_http_error_naming_the_request),
        cmocka_unit_test(test_redirect_is_not_followed_and_names_the_status),
        cmocka_unit_test(test_reply_larger_than_the_body_cap_is_refused),
        cmocka_unit_test(test_redirect_to_another_host_sends_it_nothing),
        cmocka_unit_test(test_plain_http_to_loopback_never_goes_through_a_proxy),
        cmocka_unit_test(test_request_off_the_base_url_is_refused_before_sending),
    };
    return cmocka_run_group_tests_name("http_transport", tests, NULL, NULL);
}
