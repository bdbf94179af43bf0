/*
 * test_sim_journal.c - the simulated broker's journal: every change is
 * appended and fsync'ed, and replaying it rebuilds the same account; a torn
 * last line (a crash mid-write) is cut off with a warning; any other bad
 * line fails the open naming PATH:LINE; a new journal takes its starting
 * cash from the options; one broker handle at a time, in one process or
 * several; a file that is not a journal is refused and left byte for byte
 * as it was, by the library and by `marketsim trade` (with --dry-run too).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/cli_run.h"
#include "support/sim_fixture.h"
#include "support/temp_dir.h"

typedef struct snapshot {
    ms_account account;
    ms_position *positions;
    size_t position_count;
    ms_order *orders;
    size_t order_count;
    ms_market_clock clock;
} snapshot;

static snapshot take_snapshot(sim_fixture *f)
{
    snapshot s = { 0 };
    assert_int_equal(ms_broker_account(f->broker, &s.account), MS_OK);
    assert_int_equal(ms_broker_positions(f->broker, &s.positions, &s.position_count), MS_OK);
    assert_int_equal(ms_broker_orders(f->broker, "all", &s.orders, &s.order_count), MS_OK);
    assert_int_equal(ms_broker_clock(f->broker, &s.clock), MS_OK);
    return s;
}

static void assert_same_state(const snapshot *a, const snapshot *b)
{
    assert_memory_equal(&a->account, &b->account, sizeof a->account);
    assert_int_equal(a->position_count, b->position_count);
    assert_int_equal(a->order_count, b->order_count);
    if (a->position_count > 0)
        assert_memory_equal(a->positions, b->positions, a->position_count * sizeof *a->positions);
    assert_memory_equal(a->orders, b->orders, a->order_count * sizeof *a->orders);
    assert_memory_equal(&a->clock, &b->clock, sizeof a->clock);
}

static void release_snapshot(snapshot *s)
{
    ms_free(s->positions);
    ms_free(s->orders);
}

/* A few days of trading: fills, an expiry, a cancel, positions. */
static void trade_a_little(sim_fixture *f)
{
    sim_submit(f, sim_oto("o1", 98, 103.5));
    sim_submit(f, sim_limit_order("gtc", 1, 5, 96, MS_TIF_GTC));
    sim_sync_to(f, 2);
    ms_order_request crypto = sim_limit_order("later", 1, 3, 90, MS_TIF_GTC);
    crypto.symbol = "BTC/USD";
    ms_order resting = sim_submit(f, crypto);
    assert_int_equal(ms_broker_cancel(f->broker, resting.id), MS_OK);
    sim_sync_to(f, 4);
}

static void test_replay_rebuilds_the_same_state(void **state)
{
    sim_fixture *f = *state;
    trade_a_little(f);
    snapshot before = take_snapshot(f);
    sim_fixture_reopen(f);
    snapshot after = take_snapshot(f);
    assert_same_state(&before, &after);
    release_snapshot(&before);
    release_snapshot(&after);
}

static void append_text(const char *path, const char *text)
{
    FILE *file = fopen(path, "a");
    assert_non_null(file);
    fputs(text, file);
    fclose(file);
}

static void test_torn_last_line_is_ignored(void **state)
{
    sim_fixture *f = *state;
    trade_a_little(f);
    snapshot before = take_snapshot(f);
    ms_broker_free(f->broker);
    f->broker = NULL;
    append_text(f->journal, "{\"type\":\"submit\",\"client_order_id\":\"torn\",\"sy");
    sim_fixture_reopen(f);
    snapshot after = take_snapshot(f);
    assert_same_state(&before, &after);
    /* The torn bytes are gone: the next record starts a line of its own. */
    sim_submit(f, sim_limit_order("next", 1, 1, 90, MS_TIF_GTC));
    sim_fixture_reopen(f);
    ms_order found;
    assert_int_equal(ms_broker_order_by_client_id(f->broker, "next", &found), MS_OK);
    assert_int_equal(ms_broker_order_by_client_id(f->broker, "torn", &found), MS_ERR_NOT_FOUND);
    release_snapshot(&before);
    release_snapshot(&after);
}

static void assert_open_fails_naming(sim_fixture *f, const char *line_text, const char *expected)
{
    ms_broker_free(f->broker);
    f->broker = NULL;
    append_text(f->journal, line_text);
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, f->uri, NULL), MS_ERR_PARSE);
    assert_null(broker);
    char where[4200];
    snprintf(where, sizeof where, "%s:%s", f->journal, expected);
    assert_non_null(strstr(ms_last_error(), where));
}

/* Reopens the journal with stderr sent to a file; returns what was logged. */
static char *reopen_logging_to(sim_fixture *f, const char *log_path)
{
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    FILE *log = fopen(log_path, "w+");
    assert_non_null(log);
    dup2(fileno(log), STDERR_FILENO);
    sim_fixture_reopen(f);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    static char logged[4096];
    rewind(log);
    size_t len = fread(logged, 1, sizeof logged - 1, log);
    logged[len] = '\0';
    fclose(log);
    return logged;
}

static size_t count_lines(const char *path)
{
    FILE *file = fopen(path, "r");
    assert_non_null(file);
    size_t lines = 0;
    for (int c = fgetc(file); c != EOF; c = fgetc(file))
        lines += c == '\n';
    fclose(file);
    return lines;
}

static void test_torn_last_line_is_warned_about_naming_the_line(void **state)
{
    sim_fixture *f = *state;
    sim_submit(f, sim_limit_order("whole", 1, 1, 90, MS_TIF_GTC));
    ms_broker_free(f->broker);
    f->broker = NULL;
    size_t torn_line = count_lines(f->journal) + 1;
    append_text(f->journal, "{\"type\":\"sub");
    char *log_path = temp_dir_path(f->dir, "stderr.txt");
    const char *logged = reopen_logging_to(f, log_path);
    char expected[4200];
    snprintf(expected, sizeof expected, "sim journal %s: line %zu is incomplete (12 bytes",
             f->journal, torn_line);
    if (strstr(logged, expected) == NULL || strstr(logged, "ignored") == NULL)
        fail_msg("stderr '%s' lacks '%s'", logged, expected);
    free(log_path);
}

static void test_corrupt_line_is_rejected_naming_path_and_line(void **state)
{
    sim_fixture *f = *state;
    /* line 1: account, line 2: the setup's sync */
    assert_open_fails_naming(f, "not json\n", "3: column");
}

static void test_record_of_unknown_order_is_rejected(void **state)
{
    sim_fixture *f = *state;
    assert_open_fails_naming(f, "{\"type\":\"fill\",\"id\":\"sim-000042\",\"price\":1,\"time\":0}\n",
                             "3: order sim-000042 does not exist");
}

/* Caught by fuzz/fuzz_sim_journal.c's finite-account check: a fill of
 * 1e300 shares at 1e300 replayed into infinite cash and equity. */
static void test_fill_whose_value_overflows_is_rejected_naming_the_line(void **state)
{
    sim_fixture *f = *state;
    assert_open_fails_naming(f,
                             "{\"client_order_id\":\"huge\",\"limit_price\":null,\"order_class\":"
                             "\"simple\",\"order_type\":\"market\",\"qty\":1e300,\"side\":\"buy\","
                             "\"stop_loss\":null,\"stop_price\":null,\"symbol\":\"AAPL\",\"take_profit\":"
                             "null,\"time\":0,\"time_in_force\":\"gtc\",\"type\":\"submit\"}\n"
                             "{\"id\":\"sim-000001\",\"price\":1e300,\"time\":0,\"type\":\"fill\"}\n",
                             "4: the account's equity overflows");
}

static void test_new_journal_takes_starting_cash_from_options(void **state)
{
    sim_fixture *f = *state;
    char *path = temp_dir_path(f->dir, "rich.journal");
    char uri[4200];
    snprintf(uri, sizeof uri, "sim:%s", path);
    ms_broker_options options = MS_BROKER_OPTIONS_INIT;
    options.sim_cash = 25000;
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, uri, &options), MS_OK);
    ms_account account;
    assert_int_equal(ms_broker_account(broker, &account), MS_OK);
    assert_true(account.cash == 25000.0 && account.buying_power == 50000.0);
    assert_string_equal(ms_broker_name(broker), "sim");
    ms_broker_free(broker);
    free(path);
}

/* The journal is locked: a second process cannot append to it. */
static void test_second_process_cannot_open_the_journal(void **state)
{
    sim_fixture *f = *state;
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        ms_broker *broker = NULL;
        ms_status status = ms_broker_open(&broker, f->uri, NULL);
        _exit(status == MS_ERR_IO && strstr(ms_last_error(), "is in use") ? 0 : 1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* A second open of the journal the fixture holds: refused, no broker. */
static void assert_second_open_is_refused(sim_fixture *f)
{
    ms_broker *second = NULL;
    assert_int_equal(ms_broker_open(&second, f->uri, NULL), MS_ERR_IO);
    assert_null(second);
    char expected[4300];
    snprintf(expected, sizeof expected, "sim journal %s is in use", f->journal);
    if (strstr(ms_last_error(), expected) == NULL)
        fail_msg("'%s' lacks '%s'", ms_last_error(), expected);
}

/* Caught by an attack: with a per-process lock a second handle opened,
 * both handed out sim-000001 and the journal never opened again. */
static void test_second_handle_in_one_process_is_refused(void **state)
{
    assert_second_open_is_refused(*state);
}

static void test_closing_the_refused_handle_keeps_the_first_lock(void **state)
{
    sim_fixture *f = *state;
    assert_second_open_is_refused(f);
    /* The refused handle's file was closed: the lock still holds, against
     * this process and against another one. */
    assert_second_open_is_refused(f);
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        ms_broker *broker = NULL;
        _exit(ms_broker_open(&broker, f->uri, NULL) == MS_ERR_IO ? 0 : 1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_journal_stays_usable_after_a_refused_second_handle(void **state)
{
    sim_fixture *f = *state;
    ms_order first = sim_submit(f, sim_limit_order("before", 1, 1, 90, MS_TIF_GTC));
    assert_second_open_is_refused(f);
    ms_order second = sim_submit(f, sim_limit_order("after", 1, 1, 91, MS_TIF_GTC));
    assert_string_not_equal(first.id, second.id);
    sim_fixture_reopen(f);
    assert_string_equal(sim_order_named(f, first.id).client_order_id, "before");
    assert_string_equal(sim_order_named(f, second.id).client_order_id, "after");
}

/* ---- Files that are not journals ------------------------------------------ */

static void write_bytes(const char *path, const void *bytes, size_t size)
{
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    assert_int_equal(fwrite(bytes, 1, size, file), size);
    fclose(file);
}

static void assert_file_holds(const char *path, const void *bytes, size_t size)
{
    FILE *file = fopen(path, "rb");
    assert_non_null(file);
    char held[512];
    size_t got = fread(held, 1, sizeof held, file);
    fclose(file);
    assert_int_equal(got, size);
    assert_memory_equal(held, bytes, size);
}

/* Writes `bytes` to <dir>/name, opens it as a journal: refused with
 * MS_ERR_PARSE naming the path, and the file unchanged. */
static void assert_not_a_journal(const char *dir, const char *name, const void *bytes, size_t size)
{
    char *path = temp_dir_path(dir, name);
    write_bytes(path, bytes, size);
    char uri[4200], expected[4300];
    snprintf(uri, sizeof uri, "sim:%s", path);
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, uri, NULL), MS_ERR_PARSE);
    assert_null(broker);
    snprintf(expected, sizeof expected, "%s is not a marketsim sim journal (left unchanged)", path);
    if (strstr(ms_last_error(), expected) == NULL)
        fail_msg("'%s' lacks '%s'", ms_last_error(), expected);
    assert_file_holds(path, bytes, size);
    free(path);
}

static void test_text_file_with_an_unterminated_last_line_is_refused_unchanged(void **state)
{
    static const char text[] = "shopping list\neggs\nmilk";
    assert_not_a_journal(*state, "notes.txt", text, sizeof text - 1);
}

static void test_file_of_one_unterminated_line_is_refused_unchanged(void **state)
{
    static const char text[] = "just one line";
    assert_not_a_journal(*state, "one-line.txt", text, sizeof text - 1);
}

static void test_binary_file_is_refused_unchanged(void **state)
{
    static const unsigned char bytes[] = { 0x7f, 'E', 'L', 'F', 0, 0xff, '\n', 0xfe, 0, 1 };
    assert_not_a_journal(*state, "program", bytes, sizeof bytes);
}

/* JSON lines, but not starting with the account record: not a journal,
 * and its torn tail is not cut either. */
static void test_json_lines_without_the_account_record_are_refused_unchanged(void **state)
{
    static const char text[] = "{\"id\":\"sim-000001\",\"price\":1,\"time\":0,\"type\":\"fill\"}\n"
                               "{\"type\":\"sub";
    assert_not_a_journal(*state, "other.jsonl", text, sizeof text - 1);
}

/* An empty file is what a crash right after creating a journal leaves:
 * it becomes a new journal. */
static void test_empty_file_becomes_a_new_journal(void **state)
{
    char *path = temp_dir_path(*state, "empty.journal");
    write_bytes(path, "", 0);
    char uri[4200];
    snprintf(uri, sizeof uri, "sim:%s", path);
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, uri, NULL), MS_OK);
    ms_account account;
    assert_int_equal(ms_broker_account(broker, &account), MS_OK);
    assert_true(account.cash == 100000.0);
    ms_broker_free(broker);
    assert_int_equal(ms_broker_open(&broker, uri, NULL), MS_OK);
    ms_broker_free(broker);
    free(path);
}

static void test_device_is_refused_as_a_journal(void **state)
{
    (void)state;
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, "sim:/dev/null", NULL), MS_ERR_IO);
    assert_null(broker);
    assert_non_null(strstr(ms_last_error(), "/dev/null: not a regular file"));
}

/* `marketsim trade --broker sim:PATH` on a text file: exit 1 naming the
 * path, the file unchanged; `flag` is --dry-run or NULL. */
static void assert_trade_refuses_text_file(const char *dir, const char *flag)
{
    static const char text[] = "keep me\nexactly as I am";
    char *path = temp_dir_path(dir, "notes.txt");
    write_bytes(path, text, sizeof text - 1);
    char uri[4200];
    snprintf(uri, sizeof uri, "sim:%s", path);
    cli_run_result r = cli_run(NULL, "trade", "--broker", uri, "--data", cli_fixtures_uri(),
                               "--symbols", "GOOD", "--simulations", "2", flag, NULL);
    assert_int_equal(r.exit_code, 1);
    if (strstr(r.err, path) == NULL || strstr(r.err, "not a marketsim sim journal") == NULL)
        fail_msg("stderr '%s' does not name %s as no journal", r.err, path);
    cli_run_release(&r);
    assert_file_holds(path, text, sizeof text - 1);
    free(path);
}

static void test_trade_dry_run_refuses_a_text_file_and_leaves_it_unchanged(void **state)
{
    assert_trade_refuses_text_file(*state, "--dry-run");
}

static void test_trade_refuses_a_text_file_and_leaves_it_unchanged(void **state)
{
    assert_trade_refuses_text_file(*state, NULL);
}

#define FIXTURE_TEST(name) cmocka_unit_test_setup_teardown(name, sim_fixture_setup, sim_fixture_teardown)
#define TEMP_TEST(name) cmocka_unit_test_setup_teardown(name, temp_dir_setup, temp_dir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_replay_rebuilds_the_same_state),
        FIXTURE_TEST(test_torn_last_line_is_ignored),
        FIXTURE_TEST(test_torn_last_line_is_warned_about_naming_the_line),
        FIXTURE_TEST(test_corrupt_line_is_rejected_naming_path_and_line),
        FIXTURE_TEST(test_record_of_unknown_order_is_rejected),
        FIXTURE_TEST(test_fill_whose_value_overflows_is_rejected_naming_the_line),
        FIXTURE_TEST(test_new_journal_takes_starting_cash_from_options),
        FIXTURE_TEST(test_second_process_cannot_open_the_journal),
        FIXTURE_TEST(test_second_handle_in_one_process_is_refused),
        FIXTURE_TEST(test_closing_the_refused_handle_keeps_the_first_lock),
        FIXTURE_TEST(test_journal_stays_usable_after_a_refused_second_handle),
        TEMP_TEST(test_text_file_with_an_unterminated_last_line_is_refused_unchanged),
        TEMP_TEST(test_file_of_one_unterminated_line_is_refused_unchanged),
        TEMP_TEST(test_binary_file_is_refused_unchanged),
        TEMP_TEST(test_json_lines_without_the_account_record_are_refused_unchanged),
        TEMP_TEST(test_empty_file_becomes_a_new_journal),
        TEMP_TEST(test_device_is_refused_as_a_journal),
        TEMP_TEST(test_trade_dry_run_refuses_a_text_file_and_leaves_it_unchanged),
        TEMP_TEST(test_trade_refuses_a_text_file_and_leaves_it_unchanged),
    };
    return cmocka_run_group_tests_name("sim_journal", tests, NULL, NULL);
}
