/* test_http_transport.c - transport faults that tests/servers/fake_alpaca.py
 * cannot produce, against a tiny responder on 127.0.0.1 written here: a
 * port nothing listens on, a redirect (never followed: an error naming the
 * status), and a reply larger than the body cap (MS_HTTP_MAX_BODY). Every
 * broker here has retries off, so each fault is met exactly once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "broker/alpaca_internal.h"
#include "broker/http.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connection_refused_is_an_http_error_naming_the_request),
        cmocka_unit_test(test_redirect_is_not_followed_and_names_the_status),
        cmocka_unit_test(test_reply_larger_than_the_body_cap_is_refused),
    };
    return cmocka_run_group_tests_name("http_transport", tests, NULL, NULL);
}
