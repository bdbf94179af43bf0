/* fake_alpaca.c - see fake_alpaca.h. */
#include "support/fake_alpaca.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* How long the server may take to print its port. */
#define START_TIMEOUT_MS 10000
/* How long a server lives unless told otherwise: past any test suite. */
#define DEFAULT_MAX_SECONDS 120

static bool script_path(char *path, size_t size)
{
    const char *root = getenv("MARKETSIM_SOURCE_DIR");
    snprintf(path, size, "%s/tests/servers/fake_alpaca.py", root != NULL && *root ? root : ".");
    return access(path, R_OK) == 0;
}

/* The first line the server prints: its port. */
static int read_port(int fd)
{
    char line[32];
    size_t len = 0;
    struct pollfd ready = { .fd = fd, .events = POLLIN };
    while (len + 1 < sizeof line && poll(&ready, 1, START_TIMEOUT_MS) == 1) {
        if (read(fd, line + len, 1) != 1 || line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    return atoi(line);
}

static pid_t spawn(const char *script, int max_seconds, int stdin_fd, int stdout_fd, int close_a,
                   int close_b)
{
    char lifetime[16];
    snprintf(lifetime, sizeof lifetime, "%d", max_seconds);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
    posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
    posix_spawn_file_actions_addclose(&actions, close_a);
    posix_spawn_file_actions_addclose(&actions, close_b);
    char *argv[] = { "python3", (char *)script, "--key-id", FAKE_ALPACA_KEY_ID, "--secret-key",
                     FAKE_ALPACA_SECRET, "--max-seconds", lifetime, NULL };
    pid_t pid = -1;
    if (posix_spawnp(&pid, "python3", &actions, NULL, argv, environ) != 0)
        pid = -1;
    posix_spawn_file_actions_destroy(&actions);
    return pid;
}

fake_alpaca *fake_alpaca_start(void)
{
    return fake_alpaca_start_for(DEFAULT_MAX_SECONDS);
}

fake_alpaca *fake_alpaca_start_for(int max_seconds)
{
    char script[4096];
    int to_server[2], from_server[2];
    if (!script_path(script, sizeof script) || pipe(to_server) != 0)
        return NULL;
    if (pipe(from_server) != 0) {
        close(to_server[0]);
        close(to_server[1]);
        return NULL;
    }
    fake_alpaca *server = calloc(1, sizeof *server);
    server->pid = spawn(script, max_seconds, to_server[0], from_server[1], to_server[1], from_server[0]);
    server->stdin_fd = to_server[1];
    close(to_server[0]);
    close(from_server[1]);
    int port = server->pid > 0 ? read_port(from_server[0]) : 0;
    close(from_server[0]);
    snprintf(server->url, sizeof server->url, "http://127.0.0.1:%d", port);
    if (port <= 0) {
        fake_alpaca_stop(server);
        return NULL;
    }
    return server;
}

void fake_alpaca_stop(fake_alpaca *server)
{
    if (server == NULL)
        return;
    close(server->stdin_fd);
    /* Closing stdin makes the server exit; kill it only if it lingers. */
    for (int waited = 0; server->pid > 0 && waited < 200; waited++) {
        if (waitpid(server->pid, NULL, WNOHANG) == server->pid) {
            server->pid = 0;
            break;
        }
        nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
    }
    if (server->pid > 0) {
        kill(server->pid, SIGKILL);
        waitpid(server->pid, NULL, 0);
    }
    free(server);
}

typedef struct collected {
    char *text;
    size_t len;
} collected;

static size_t collect(char *chunk, size_t size, size_t count, void *context)
{
    collected *body = context;
    char *grown = realloc(body->text, body->len + size * count + 1);
    if (grown == NULL)
        return 0;
    memcpy(grown + body->len, chunk, size * count);
    body->text = grown;
    body->len += size * count;
    body->text[body->len] = '\0';
    return size * count;
}

static size_t discard(char *chunk, size_t size, size_t count, void *context)
{
    (void)chunk;
    (void)context;
    return size * count;
}

/* GET (command NULL) or POST /__control; true on HTTP 200. The reply goes
 * into *body (its text malloc'ed) or, with body NULL, is dropped. */
static bool control_request(fake_alpaca *server, const char *command, collected *body)
{
    char url[128];
    snprintf(url, sizeof url, "%s/__control", server->url);
    CURL *curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, body != NULL ? collect : discard);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
    if (command != NULL)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, command);
    long status = 0;
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    return status == 200;
}

bool fake_alpaca_control(fake_alpaca *server, const char *command)
{
    return control_request(server, command, NULL);
}

json_t *fake_alpaca_state(fake_alpaca *server)
{
    collected reply = { 0 };
    bool answered = control_request(server, NULL, &reply);
    json_t *state = answered && reply.text != NULL ? json_loads(reply.text, 0, NULL) : NULL;
    free(reply.text);
    return state;
}

size_t fake_alpaca_requests(fake_alpaca *server, const char *method, const char *path)
{
    json_t *state = fake_alpaca_state(server);
    size_t count = 0, index;
    json_t *request;
    json_array_foreach(json_object_get(state, "requests"), index, request) {
        if (strcmp(json_string_value(json_object_get(request, "method")), method) == 0 &&
            strcmp(json_string_value(json_object_get(request, "path")), path) == 0)
            count++;
    }
    json_decref(state);
    return count;
}

size_t fake_alpaca_orders(fake_alpaca *server)
{
    json_t *state = fake_alpaca_state(server);
    size_t count = json_array_size(json_object_get(state, "orders"));
    json_decref(state);
    return count;
}

size_t fake_alpaca_count(fake_alpaca *server, const char *key)
{
    json_t *state = fake_alpaca_state(server);
    size_t count = json_array_size(json_object_get(state, key));
    json_decref(state);
    return count;
}

ms_broker_options fake_alpaca_options(const fake_alpaca *server, double timeout_seconds)
{
    ms_broker_options opts = MS_BROKER_OPTIONS_INIT;
    opts.trading_url = server->url;
    opts.data_url = server->url;
    opts.key_id = FAKE_ALPACA_KEY_ID;
    opts.secret_key = FAKE_ALPACA_SECRET;
    opts.connect_timeout = 2;
    opts.timeout = timeout_seconds;
    opts.max_retries = 2;
    opts.requests_per_minute = 60000;
    return opts;
}

fake_alpaca *fake_alpaca_server;

int fake_alpaca_group_setup(void **state)
{
    (void)state;
    fake_alpaca_server = fake_alpaca_start();
    return 0;
}

int fake_alpaca_group_teardown(void **state)
{
    (void)state;
    fake_alpaca_stop(fake_alpaca_server);
    fake_alpaca_server = NULL;
    return 0;
}

int fake_alpaca_reset(void **state)
{
    (void)state;
    return fake_alpaca_server == NULL || fake_alpaca_control(fake_alpaca_server, "{\"reset\": true}")
               ? 0 : -1;
}

ms_broker *fake_alpaca_faulty_broker(int max_retries, const char *faults)
{
    if (fake_alpaca_server == NULL)
        skip();
    char command[512];
    snprintf(command, sizeof command, "{\"faults\": %s}", faults);
    assert_true(fake_alpaca_control(fake_alpaca_server, command));
    ms_broker_options opts = fake_alpaca_options(fake_alpaca_server, FAKE_ALPACA_FAULT_TIMEOUT);
    opts.max_retries = max_retries;
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &opts), MS_OK);
    return broker;
}

ms_status fake_alpaca_submit_limit(ms_broker *broker, const char *client_order_id,
                                   ms_order *order)
{
    ms_order_request request = {
        .symbol = "AAPL", .qty = 3, .side = 1, .type = MS_ORDER_LIMIT, .time_in_force = MS_TIF_DAY,
        .limit_price = 99.5, .stop_price = NAN, .order_class = MS_CLASS_OTO,
        .take_profit_limit = 105, .stop_loss_stop = NAN, .client_order_id = client_order_id,
    };
    return ms_broker_submit(broker, &request, order);
}
