/*
 * test_mpi.c - `marketsim analyze` under mpirun (cli/mpi_*.c,
 * docs/scaling.md): the report from 1 to 4 ranks equals the single
 * process' bit for bit (timings aside) in JSON, text and HTML, with the
 * baseline model, the tiny Toto fixture and a small checkpoint; `trade`
 * over ranks places the orders one process does, once; a rank
 * killed mid-run ends the job in bounded time, naming the rank and its
 * symbols (`marketsim mpirun`: with status 1). A merged report times
 * the job and lists every rank; `marketsim --config FILE mpirun` gives
 * the file to every rank. With a marketsim built without MPI, a launch as several ranks
 * is refused instead. The runs oversubscribe this machine's cores.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "support/cache_fixture.h"
#include "support/temp_dir.h"

static const char *bin(void)
{
    const char *path = getenv("MARKETSIM_BIN");
    return path ? path : "build/bin/marketsim";
}

static const char *source_dir(void)
{
    const char *root = getenv("MARKETSIM_SOURCE_DIR");
    return root ? root : ".";
}

static bool built_with_mpi(void)
{
    char command[4200];
    snprintf(command, sizeof command,
             "command -v mpirun >/dev/null && ldd '%s' | grep -q libmpi", bin());
    return system(command) == 0;
}

/* Under the sanitize build the ranks run without LeakSanitizer: Open MPI
 * keeps MPI_Init's allocations to the end and dlcloses its components,
 * so their leak reports cannot be told apart or suppressed by module. The
 * same code paths of ours are leak-checked in one process (the other
 * suites and make leakcheck). Elsewhere ASAN_OPTIONS means nothing. */
#define NO_LEAK_CHECK "ASAN_OPTIONS=\"$ASAN_OPTIONS:detect_leaks=0\" "

/* mpirun's options as CI runs it: more ranks than cores, as root when root. */
static const char *mpirun_options(void)
{
    return geteuid() == 0 ? "--oversubscribe --bind-to none --allow-run-as-root"
                          : "--oversubscribe --bind-to none";
}

/* "mpirun OPTIONS -n K marketsim", or with `ours` "marketsim mpirun
 * OPTIONS -n K": what comes before the command. */
static void ranks_start(char *out, size_t size, int ranks, bool ours)
{
    if (ours)
        snprintf(out, size, NO_LEAK_CHECK "'%s' mpirun %s -n %d", bin(), mpirun_options(), ranks);
    else
        snprintf(out, size, NO_LEAK_CHECK "mpirun %s -n %d '%s'", mpirun_options(), ranks, bin());
}

/* marketsim's path alone: one process. */
static void plain_start(char *out, size_t size)
{
    snprintf(out, size, "'%s'", bin());
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    char *text = calloc(1, (size_t)size + 1);
    assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    return text;
}

/* The text without the lines that report timings: the text report's
 * "timings (s): ..." and "total N s (...)" lines, the HTML's timings and
 * its generation time. */
static char *without_timing_lines(char *text)
{
    char *out = calloc(1, strlen(text) + 1), *line = text, *end;
    for (; *line; line = end) {
        end = strchr(line, '\n');
        end = end ? end + 1 : line + strlen(line);
        char saved = *end;
        *end = '\0';
        bool timing = strstr(line, "imings") != NULL || strncmp(line, "total ", 6) == 0 ||
                      strstr(line, "class=\"generated\"") != NULL;
        if (!timing)
            strcat(out, line);
        *end = saved;
    }
    free(text);
    return out;
}

typedef struct run_output {
    int status;
    char *json;     /* timings dropped */
    char *text;     /* timing lines dropped */
    char *html;
} run_output;

/* One analysis as JSON with the HTML page, started by `start` (what comes
 * before "analyze": marketsim's path, after a launcher or not), and with
 * `text` a second one as the text table. */
static run_output run_analysis(const char *dir, const char *start, const char *args, bool text)
{
    char command[16384], out[4200], html[4200];
    run_output result = { 0 };
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(html, sizeof html, "%s/report.html", dir);
    snprintf(command, sizeof command, "%s analyze %s --json --html '%s' > '%s' 2>/dev/null",
             start, args, html, out);
    result.status = WEXITSTATUS(system(command));
    char *json = read_file(out);
    result.json = cache_json_without_timings(json);
    free(json);
    result.html = without_timing_lines(read_file(html));
    snprintf(command, sizeof command, "%s analyze %s > '%s' 2>/dev/null", start, args, out);
    if (text)
        assert_int_equal(WEXITSTATUS(system(command)), result.status);
    result.text = text ? without_timing_lines(read_file(out)) : strdup("");
    return result;
}

static void run_output_release(run_output *r)
{
    free(r->json);
    free(r->text);
    free(r->html);
}

/* Runs `model` single and on 1..4 ranks and compares JSON, HTML and with
 * `text` the text table. The workers are set, since the report's config
 * echoes them. */
static void assert_ranks_match_one_process(const char *model, bool text)
{
    char *dir = temp_dir_create(), args[8192], start[4400];
    snprintf(args, sizeof args, "--model '%s' --data 'csv:%s/tests/fixtures/analyze' "
             "--symbols GOOD,OTHER,STALE,SHORT,NOFILE --simulations 10 --cache off "
             "--workers 2 --threads 1", model, source_dir());
    plain_start(start, sizeof start);
    run_output one = run_analysis(dir, start, args, text);
    assert_int_equal(one.status, 1);    /* SHORT and NOFILE fail, alone */
    assert_non_null(strstr(one.json, "\"OTHER\""));
    for (int ranks = 1; ranks <= 4; ranks++) {
        ranks_start(start, sizeof start, ranks, false);
        run_output many = run_analysis(dir, start, args, text);
        assert_int_equal(many.status, one.status);
        assert_string_equal(many.json, one.json);
        assert_string_equal(many.text, one.text);
        assert_string_equal(many.html, one.html);
        run_output_release(&many);
    }
    run_output_release(&one);
    temp_dir_remove(dir);
}

static void ranks_report_what_one_process_does_with_the_baseline_model(void **state)
{
    (void)state;
    if (!built_with_mpi())
        skip();
    assert_ranks_match_one_process("baseline", true);
}

static void ranks_report_what_one_process_does_with_the_tiny_toto_fixture(void **state)
{
    (void)state;
    if (!built_with_mpi())
        skip();
    char model[4200];
    snprintf(model, sizeof model, "%s/tests/fixtures/toto-tiny", source_dir());
    assert_ranks_match_one_process(model, false);
}

static void ranks_report_what_one_process_does_with_a_small_checkpoint(void **state)
{
    (void)state;
    if (!built_with_mpi())
        skip();
    char *dir = temp_dir_create(), command[8400];
    char *small = temp_dir_path(dir, "small");
    snprintf(command, sizeof command, "'%s' model init --config small --out '%s' --seed 7 "
             ">/dev/null", bin(), small);
    assert_int_equal(system(command), 0);
    assert_ranks_match_one_process(small, false);
    free(small);
    temp_dir_remove(dir);
}

/* `trade` through the simulated broker at `journal`, started by `start`
 * (as run_analysis): its stdout without timing lines, and its status. */
static char *run_trade(const char *dir, const char *start, const char *journal, int *status)
{
    char command[12000], out[4200];
    snprintf(out, sizeof out, "%s/trade.out", dir);
    snprintf(command, sizeof command, "%s trade --broker 'sim:%s' --symbols "
             "AAPL,MSFT,NVDA,SPY,BTCUSD,ETHUSD --simulations 10 --cache off --workers 2 "
             "--threads 1 > '%s' 2>/dev/null", start, journal, out);
    *status = WEXITSTATUS(system(command));
    return without_timing_lines(read_file(out));
}

static void trade_over_ranks_places_the_orders_one_process_does_once(void **state)
{
    (void)state;
    if (!built_with_mpi())
        skip();
    char *dir = temp_dir_create(), start[4400];
    char *first = temp_dir_path(dir, "one.journal"), *second = temp_dir_path(dir, "ranks.journal");
    int one_status, ranks_status;
    plain_start(start, sizeof start);
    char *one = run_trade(dir, start, first, &one_status);
    ranks_start(start, sizeof start, 3, false);
    char *ranks = run_trade(dir, start, second, &ranks_status);
    assert_int_equal(ranks_status, one_status);
    assert_non_null(strstr(one, "results: sent "));
    assert_string_equal(ranks, one);
    free(one);
    free(ranks);
    free(first);
    free(second);
    temp_dir_remove(dir);
}

/* The JSON's timings: total is the job's wall time on rank 0, at least
 * any rank's analysis; timings.parts has one entry per rank, whose symbols
 * add up to the run's. */
static void a_merged_report_times_the_job_and_lists_every_rank(void **state)
{
    (void)state;
    if (!built_with_mpi())
        skip();
    char *dir = temp_dir_create(), command[12000], out[4200], start[4400];
    snprintf(out, sizeof out, "%s/out", dir);
    ranks_start(start, sizeof start, 3, false);
    snprintf(command, sizeof command, "%s analyze --model baseline --symbols "
             "AAPL,MSFT,NVDA,SPY,BTCUSD --simulations 10 --cache off --json > '%s' 2>/dev/null",
             start, out);
    assert_int_equal(WEXITSTATUS(system(command)), 0);
    char *json = read_file(out);
    json_t *root = json_loads(json, 0, NULL), *timings = json_object_get(root, "timings");
    json_t *parts = json_object_get(timings, "parts");
    assert_int_equal(json_array_size(parts), 3);
    json_int_t symbols = 0;
    double longest = 0;
    for (size_t r = 0; r < 3; r++) {
        json_t *part = json_array_get(parts, r);
        double analysis = json_real_value(json_object_get(part, "analysis"));
        assert_true(analysis > 0 && json_real_value(json_object_get(part, "cpu")) > 0);
        longest = analysis > longest ? analysis : longest;
        symbols += json_integer_value(json_object_get(part, "symbols"));
    }
    assert_int_equal(symbols, 5);
    assert_true(json_real_value(json_object_get(timings, "total")) >= longest);
    json_decref(root);
    free(json);
    temp_dir_remove(dir);
}

/* `marketsim mpirun` runs the same job: the same report, and the status
 * of a run whose symbols partly failed (1) passes through. */
static void marketsim_mpirun_reports_what_one_process_does_with_its_status(void **state)
{
    (void)state;
    if (!built_with_mpi())
        skip();
    char *dir = temp_dir_create(), args[8192], start[4400];
    snprintf(args, sizeof args, "--model baseline --data 'csv:%s/tests/fixtures/analyze' "
             "--symbols GOOD,OTHER,STALE,SHORT,NOFILE --simulations 10 --cache off "
             "--workers 2 --threads 1", source_dir());
    plain_start(start, sizeof start);
    run_output one = run_analysis(dir, start, args, false);
    ranks_start(start, sizeof start, 2, true);
    run_output many = run_analysis(dir, start, args, false);
    assert_int_equal(one.status, 1);
    assert_int_equal(many.status, 1);
    assert_string_equal(many.json, one.json);
    run_output_release(&one);
    run_output_release(&many);
    temp_dir_remove(dir);
}

/* `marketsim --config FILE mpirun ...`: every rank reads the file, whose
 * [analyze] section alone names the symbols (a rank without it would stop
 * with a usage error) and the simulations. */
static void a_config_given_before_marketsim_mpirun_reaches_every_rank(void **state)
{
    (void)state;
    if (!built_with_mpi())
        skip();
    char *dir = temp_dir_create(), command[12000], out[4200];
    char *config = temp_dir_path(dir, "config.ini");
    FILE *f = fopen(config, "w");
    assert_non_null(f);
    fputs("[analyze]\nsymbols = AAPL,MSFT,NVDA,BTCUSD\nsimulations = 4\ncache = off\n"
          "workers = 2\nthreads = 1\n", f);
    fclose(f);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(command, sizeof command, NO_LEAK_CHECK "'%s' --config '%s' mpirun %s -n 2 analyze "
             "--json > '%s' 2>/dev/null", bin(), config, mpirun_options(), out);
    assert_int_equal(WEXITSTATUS(system(command)), 0);
    char *json = read_file(out);
    json_t *root = json_loads(json, 0, NULL);
    assert_non_null(root);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(root, "config"),
                                                        "simulations")), 4);
    assert_int_equal(json_array_size(json_object_get(root, "symbols")), 4);
    assert_int_equal(json_array_size(json_object_get(json_object_get(root, "timings"), "parts")),
                     2);
    json_decref(root);
    free(json);
    free(config);
    temp_dir_remove(dir);
}

/* ---- A rank killed mid-run ------------------------------------------------------ */

static bool environ_has(const char *pid, const char *a, const char *b)
{
    char path[300], buffer[65536];
    snprintf(path, sizeof path, "/proc/%s/environ", pid);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    size_t n = fread(buffer, 1, sizeof buffer - 1, f);
    fclose(f);
    bool found_a = false, found_b = false;
    for (size_t i = 0; i < n; i += strlen(buffer + i) + 1) {
        buffer[n] = '\0';
        found_a = found_a || strcmp(buffer + i, a) == 0;
        found_b = found_b || strcmp(buffer + i, b) == 0;
    }
    return found_a && found_b;
}

/* The marketsim process of rank `rank` of the job marked `mark`; 0 when
 * none runs (yet). */
static pid_t find_rank(const char *mark, int rank)
{
    char wanted[64];
    snprintf(wanted, sizeof wanted, "OMPI_COMM_WORLD_RANK=%d", rank);
    DIR *proc = opendir("/proc");
    struct dirent *entry;
    pid_t found = 0;
    while (found == 0 && proc != NULL && (entry = readdir(proc)) != NULL)
        if (entry->d_name[0] >= '1' && entry->d_name[0] <= '9' &&
            environ_has(entry->d_name, mark, wanted))
            found = (pid_t)atoi(entry->d_name);
    if (proc != NULL)
        closedir(proc);
    return found;
}

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Waits for `pid` at most `limit` seconds; -1 (after killing its group)
 * when it did not end. */
static int wait_bounded(pid_t pid, double limit)
{
    double started = seconds_now();
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (seconds_now() - started > limit) {
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        nanosleep(&(struct timespec){ 0, 100000000L }, NULL);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Runs a 3-rank job (MARKETSIM_LOG=info and `env`) by mpirun, or with
 * `launcher` by `marketsim mpirun`, sends `signal_number` to rank 2 once
 * rank 0 has listed the shares, and returns the job's exit status (failing
 * when it is still running after 90 s) with its stderr. */
static int signal_rank_2(int signal_number, const char *env, bool launcher, char **err_text)
{
    char *dir = temp_dir_create(), command[12000], mark[64], start[4400];
    char *err = temp_dir_path(dir, "err");
    FILE *created = fopen(err, "w");
    fclose(created);
    snprintf(mark, sizeof mark, "MARKETSIM_TEST_MARK=%ld", (long)getpid());
    ranks_start(start, sizeof start, 3, launcher);
    snprintf(command, sizeof command, "MARKETSIM_LOG=info %s %s %s analyze "
             "--model '%s/tests/fixtures/toto-tiny' --symbols SYMA,SYMB,SYMC,SYMD,SYME,SYMF,SYMG,"
             "SYMH,SYMI --simulations 60 --cache off > /dev/null 2> '%s'", env, mark, start,
             source_dir(), err);
    pid_t job = fork();
    if (job == 0) {
        setpgid(0, 0);
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    pid_t victim = 0;
    for (int i = 0; i < 1200 && victim == 0; i++) {
        nanosleep(&(struct timespec){ 0, 100000000L }, NULL);
        char *so_far = read_file(err);
        if (strstr(so_far, "share of rank 2 (") != NULL)
            victim = find_rank(mark, 2);
        free(so_far);
    }
    assert_true(victim > 0);
    double signalled = seconds_now();
    assert_int_equal(kill(victim, signal_number), 0);
    int status = wait_bounded(job, 90);
    *err_text = read_file(err);
    if (status == -1)
        fail_msg("the job still ran 90 s after rank 2 got signal %d:\n%s", signal_number,
                 *err_text);
    printf("ended %.1f s after signal %d to rank 2, with status %d\n",
           seconds_now() - signalled, signal_number, status);
    free(err);
    temp_dir_remove(dir);
    return status;
}

/* The line naming rank 2 and its symbols in `text` after `prefix`. */
static void assert_names_rank_2(char *text, const char *prefix)
{
    char *line = strstr(text, prefix);
    if (line == NULL)
        fail_msg("rank 2 and its symbols are not named:\n%s", text);
    char *end = strchr(line, '\n');
    *end = '\0';
    assert_non_null(strstr(line, ": SYM"));
}

/* Open MPI ends the job itself: its message names the rank, rank 0 names
 * the ranks whose parts were missing; the status is mpirun's own (128 +
 * the signal), which is why `marketsim mpirun` exists. */
static void under_mpirun_a_killed_rank_ends_the_job_naming_it_and_its_symbols(void **state)
{
    (void)state;
    if (!built_with_mpi())
        skip();
    char *text = NULL;
    int status = signal_rank_2(SIGKILL, "", false, &text);
    assert_true(status != 0);
    assert_non_null(strstr(text, "process rank 2"));
    assert_names_rank_2(text, "  rank 2 (");
    free(text);
}

/* mpirun's 137 (or 1, when rank 0's own exit reached it first) becomes 1. */
static void under_marketsim_mpirun_a_killed_rank_ends_the_job_with_status_1(void **state)
{
    (void)state;
    if (!built_with_mpi())
        skip();
    char *text = NULL;
    int status = signal_rank_2(SIGKILL, "", true, &text);
    assert_int_equal(status, 1);
    assert_non_null(strstr(text, "process rank 2"));
    assert_names_rank_2(text, "  rank 2 (");
    free(text);
}

/* A stopped rank stays alive, so only the heartbeats notice it. */
static void a_rank_that_stops_answering_ends_the_job_with_status_1_naming_it(void **state)
{
    (void)state;
    if (!built_with_mpi())
        skip();
    char *text = NULL;
    int status = signal_rank_2(SIGSTOP, "MARKETSIM_MPI_TIMEOUT=5", false, &text);
    assert_int_equal(status, 1);
    assert_non_null(strstr(text, "rank 2 stopped answering"));
    assert_names_rank_2(text, "  rank 2 (");
    free(text);
}

/* ---- Without MPI ----------------------------------------------------------------- */

/* Runs `marketsim ARGS` with `env` set, expecting exit 1 and the message
 * that this marketsim was built without MPI. */
static void assert_refused_without_mpi(const char *env, const char *args)
{
    char command[4400], out[4200];
    char *dir = temp_dir_create();
    snprintf(out, sizeof out, "%s/err", dir);
    snprintf(command, sizeof command, "%s '%s' %s > /dev/null 2> '%s'", env, bin(), args, out);
    assert_int_equal(WEXITSTATUS(system(command)), 1);
    char *text = read_file(out);
    assert_non_null(strstr(text, "built without MPI"));
    free(text);
    temp_dir_remove(dir);
}

static void a_build_without_mpi_refuses_to_run_as_one_of_several_ranks(void **state)
{
    (void)state;
    if (built_with_mpi())
        skip();
    assert_refused_without_mpi("OMPI_COMM_WORLD_SIZE=3",
                               "analyze --symbols AAPL --simulations 5 --cache off");
}

static void a_build_without_mpi_refuses_marketsim_mpirun(void **state)
{
    (void)state;
    if (built_with_mpi())
        skip();
    assert_refused_without_mpi("", "mpirun -n 2 analyze --symbols AAPL --simulations 5 --cache off");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ranks_report_what_one_process_does_with_the_baseline_model),
        cmocka_unit_test(ranks_report_what_one_process_does_with_the_tiny_toto_fixture),
        cmocka_unit_test(ranks_report_what_one_process_does_with_a_small_checkpoint),
        cmocka_unit_test(trade_over_ranks_places_the_orders_one_process_does_once),
        cmocka_unit_test(a_merged_report_times_the_job_and_lists_every_rank),
        cmocka_unit_test(marketsim_mpirun_reports_what_one_process_does_with_its_status),
        cmocka_unit_test(a_config_given_before_marketsim_mpirun_reaches_every_rank),
        cmocka_unit_test(under_mpirun_a_killed_rank_ends_the_job_naming_it_and_its_symbols),
        cmocka_unit_test(under_marketsim_mpirun_a_killed_rank_ends_the_job_with_status_1),
        cmocka_unit_test(a_rank_that_stops_answering_ends_the_job_with_status_1_naming_it),
        cmocka_unit_test(a_build_without_mpi_refuses_to_run_as_one_of_several_ranks),
        cmocka_unit_test(a_build_without_mpi_refuses_marketsim_mpirun),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
