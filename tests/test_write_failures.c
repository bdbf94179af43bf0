/*
 * test_write_failures.c - a disk that takes no more bytes, for each thing
 * marketsim writes: the sim journal, the Alpaca bar cache, the HTML report
 * and the reports printed on stdout. Every write fails with MS_ERR_IO (or
 * exit 1) naming the path, and never reports success.
 *
 * `model init` on a full disk leaves no checkpoint and no partial file.
 *
 * A full disk is simulated with RLIMIT_FSIZE (writes past the limit fail
 * with EFBIG once SIGXFSZ is ignored) and with /dev/full for stdout. Both
 * work for root, unlike a read-only directory. Files written whole (by
 * rename) refuse a target that is not a regular file: as root, /dev/full
 * itself would otherwise be replaced; the test uses a pipe and a link.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "broker/alpaca/alpaca_internal.h"
#include "core/core_internal.h"
#include "marketsim/model.h"
#include "support/cli_run.h"
#include "support/sim_fixture.h"
#include "support/temp_dir.h"

/* Lets this process write at most `bytes` per file; returns the old limit. */
static struct rlimit limit_file_size(rlim_t bytes)
{
    struct rlimit old, limited;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    limited = old;
    limited.rlim_cur = bytes;
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &limited), 0);
    return old;
}

static void restore_file_size(struct rlimit old)
{
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_DFL);
}

static off_t file_size(const char *path)
{
    struct stat info;
    assert_int_equal(stat(path, &info), 0);
    return info.st_size;
}

static void test_journal_append_on_a_full_disk_fails_and_records_nothing(void **state)
{
    sim_fixture *f = *state;
    off_t before = file_size(f->journal);
    ms_order_request request = sim_limit_order("full", 1, 1, 90, MS_TIF_GTC);
    ms_order order;
    struct rlimit old = limit_file_size((rlim_t)before + 8);
    ms_status status = ms_broker_submit(f->broker, &request, &order);
    restore_file_size(old);
    assert_int_equal(status, MS_ERR_IO);
    assert_non_null(strstr(ms_last_error(), f->journal));
    assert_non_null(strstr(ms_last_error(), "cannot append"));
    /* Neither the broker nor the journal holds the order, and no half line
     * is left for the next record to extend. */
    assert_int_equal(ms_broker_order_by_client_id(f->broker, "full", &order), MS_ERR_NOT_FOUND);
    assert_int_equal(file_size(f->journal), before);
    sim_fixture_reopen(f);
    assert_int_equal(ms_broker_order_by_client_id(f->broker, "full", &order), MS_ERR_NOT_FOUND);
    sim_submit(f, request);
}

static void test_bar_cache_on_a_full_disk_fails_naming_it_and_leaves_nothing(void **state)
{
    char *dir = *state;
    char *path = temp_dir_path(dir, "1Day/AAPL.csv");
    ms_bar_rows rows = { 0 };
    for (int day = 0; day < 50; day++)
        assert_int_equal(ms_bar_rows_append(&rows, SIM_DAY(day), 100, 101, 99, 100.5, 1e6), MS_OK);
    struct rlimit old = limit_file_size(64);
    ms_status status = ms_bar_cache_write(path, &rows);
    restore_file_size(old);
    assert_int_equal(status, MS_ERR_IO);
    assert_non_null(strstr(ms_last_error(), path));
    assert_int_equal(access(path, F_OK), -1);
    char *folder = temp_dir_path(dir, "1Day");
    char command[4200];
    snprintf(command, sizeof command, "test -z \"$(ls -A '%s')\"", folder);
    assert_int_equal(system(command), 0); /* no temporary file left */
    ms_bar_rows_release(&rows);
    free(folder);
    free(path);
}

static const char *marketsim_bin(void)
{
    const char *bin = getenv("MARKETSIM_BIN");
    return bin != NULL ? bin : "build/bin/marketsim";
}

/* Runs `command` through sh; returns its exit status. */
static int run_shell(const char *command)
{
    int status = system(command);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static char *read_text(const char *path)
{
    FILE *file = fopen(path, "r");
    assert_non_null(file);
    static char text[8192];
    size_t len = fread(text, 1, sizeof text - 1, file);
    text[len] = '\0';
    fclose(file);
    return text;
}

/* Runs `analyze` on the GOOD fixture with `flags`, stdout on /dev/full;
 * asserts exit 1 and that stderr holds `expected`. */
static void assert_full_stdout_fails(const char *dir, const char *flags, const char *expected)
{
    if (access("/dev/full", W_OK) != 0)
        skip();
    char *err = temp_dir_path(dir, "err.txt");
    char command[8192];
    snprintf(command, sizeof command,
             "'%s' analyze --data '%s' --symbols GOOD --simulations 2 %s >/dev/full 2>'%s'",
             marketsim_bin(), cli_fixtures_uri(), flags, err);
    assert_int_equal(run_shell(command), 1);
    assert_non_null(strstr(read_text(err), expected));
    free(err);
}

static void test_json_report_to_a_full_stdout_exits_1(void **state)
{
    assert_full_stdout_fails(*state, "--json", "cannot write to standard output");
}

static void test_text_report_to_a_full_stdout_exits_1(void **state)
{
    assert_full_stdout_fails(*state, "", "No space left on device");
}

/* `ulimit -f 1` lets the shell's child write 512 bytes per file; the HTML
 * report is several kilobytes. */
static void test_html_report_on_a_full_disk_exits_1_naming_it(void **state)
{
    char *dir = *state;
    char *err = temp_dir_path(dir, "err.txt");
    char *html = temp_dir_path(dir, "report.html");
    char command[8192];
    snprintf(command, sizeof command,
             "trap '' XFSZ; ulimit -f 1; exec '%s' analyze --data '%s' --symbols GOOD "
             "--simulations 2 --html '%s' >/dev/null 2>'%s'",
             marketsim_bin(), cli_fixtures_uri(), html, err);
    assert_int_equal(run_shell(command), 1);
    assert_non_null(strstr(read_text(err), html));
    assert_int_equal(access(html, F_OK), -1);
    free(html);
    free(err);
}

static void test_whole_file_writes_refuse_a_pipe_or_link_as_target(void **state)
{
    const char *dir = *state;
    char *pipe_path = temp_dir_path(dir, "pipe");
    char *link_path = temp_dir_path(dir, "link");
    char *file_path = temp_dir_path(dir, "file");
    assert_int_equal(mkfifo(pipe_path, 0600), 0);
    FILE *file = fopen(file_path, "w");
    assert_non_null(file);
    fclose(file);
    assert_int_equal(symlink(file_path, link_path), 0);
    ms_atomic_file target;
    assert_int_equal(ms_atomic_file_open(&target, pipe_path), MS_ERR_IO);
    assert_non_null(strstr(ms_last_error(), "not a regular file"));
    assert_int_equal(ms_atomic_file_open(&target, link_path), MS_ERR_IO);
    struct stat link_info;
    assert_int_equal(lstat(link_path, &link_info), 0);
    assert_true(S_ISLNK(link_info.st_mode));
    assert_int_equal(ms_atomic_file_open(&target, file_path), MS_OK);
    ms_atomic_file_discard(&target);
    free(file_path);
    free(link_path);
    free(pipe_path);
}

/* Names in `dir` besides . and .., at most 8, joined by spaces. */
static const char *entries_of(const char *dir)
{
    static char names[4096];
    names[0] = '\0';
    DIR *stream = opendir(dir);
    assert_non_null(stream);
    for (struct dirent *entry = readdir(stream); entry != NULL; entry = readdir(stream))
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s ", entry->d_name);
    closedir(stream);
    return names;
}

/* Caught by an attack: a failed init left config.json without weights.
 * 64 KiB takes the config (under 1 KiB) but not the tiny preset's
 * weights (920 KiB). */
static void test_model_init_on_a_full_disk_leaves_no_checkpoint_behind(void **state)
{
    const char *dir = *state;
    char *checkpoint = temp_dir_path(dir, "models/tiny");
    struct rlimit old = limit_file_size(64 * 1024);
    ms_status status = ms_model_init_checkpoint(checkpoint, "tiny", 1);
    restore_file_size(old);
    assert_int_equal(status, MS_ERR_IO);
    assert_non_null(strstr(ms_last_error(), "model.safetensors"));
    assert_int_equal(access(checkpoint, F_OK), -1);
    char *models = temp_dir_path(dir, "models");
    assert_string_equal(entries_of(models), ""); /* no staging directory either */
    assert_int_equal(ms_model_init_checkpoint(checkpoint, "tiny", 1), MS_OK);
    assert_string_equal(entries_of(models), "tiny ");
    free(models);
    free(checkpoint);
}

static void test_cli_model_init_on_a_full_disk_exits_1_leaving_nothing(void **state)
{
    const char *dir = *state;
    char *checkpoint = temp_dir_path(dir, "tiny");
    struct rlimit old = limit_file_size(64 * 1024);
    cli_run_result r = cli_run(NULL, "model", "init", "--config", "tiny", "--out", checkpoint, NULL);
    restore_file_size(old);
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.err, checkpoint));
    assert_string_equal(entries_of(dir), "");
    cli_run_release(&r);
    free(checkpoint);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_journal_append_on_a_full_disk_fails_and_records_nothing,
                                        sim_fixture_setup, sim_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_bar_cache_on_a_full_disk_fails_naming_it_and_leaves_nothing,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_json_report_to_a_full_stdout_exits_1,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_text_report_to_a_full_stdout_exits_1,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_whole_file_writes_refuse_a_pipe_or_link_as_target,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_html_report_on_a_full_disk_exits_1_naming_it,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_model_init_on_a_full_disk_leaves_no_checkpoint_behind,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test_setup_teardown(test_cli_model_init_on_a_full_disk_exits_1_leaving_nothing,
                                        temp_dir_setup, temp_dir_teardown),
    };
    return cmocka_run_group_tests_name("write_failures", tests, NULL, NULL);
}
