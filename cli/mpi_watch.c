/*
 * mpi_watch.c - the fault watch of a sharded analysis (docs/scaling.md,
 * "Faults"). Only the main thread of a rank calls it (MPI_THREAD_FUNNELED);
 * the analysis runs on a second thread, so the main thread stays free to
 * send a heartbeat every second and to notice a silent rank within the
 * timeout (MARKETSIM_MPI_TIMEOUT seconds, default 30). A silent rank (hung,
 * stopped, cut off) ends the job with MPI_Abort(1) and a message naming it
 * and its symbols; a rank that dies makes mpirun stop the others, and rank
 * 0's SIGTERM handler names the ranks whose parts were missing.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "mpi_watch.h"

enum { TAG_HEARTBEAT = 1 };
#define HEARTBEAT_SECONDS 1.0
#define POLL_NANOSECONDS 20000000L

double mpi_watch_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

void mpi_watch_pause(void)
{
    struct timespec t = { 0, POLL_NANOSECONDS };
    nanosleep(&t, NULL);
}

static double timeout_seconds(void)
{
    const char *value = getenv("MARKETSIM_MPI_TIMEOUT");
    double seconds = value ? atof(value) : 0;
    return seconds > 0 ? seconds : 30.0;
}

void mpi_watch_wait_all(MPI_Request *request, const char *what)
{
    double started = mpi_watch_now(), timeout = timeout_seconds();
    int done = 0;
    while (MPI_Test(request, &done, MPI_STATUS_IGNORE), !done) {
        if (mpi_watch_now() - started > timeout) {
            int rank = 0;
            MPI_Comm_rank(MPI_COMM_WORLD, &rank);
            fprintf(stderr, "marketsim: rank %d: not every rank joined %s within %.0f s (one "
                    "died or hangs); the job ends with status 1\n", rank, what, timeout);
            MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
        }
        mpi_watch_pause();
    }
}

/* ---- The lines naming each rank's symbols ------------------------------------------ */

/* Written before the analysis, so the SIGTERM handler only writes
 * prepared bytes. */
static char **rank_lines;
static volatile sig_atomic_t *delivered;
static int line_count;

bool mpi_watch_prepare(const mpi_job *job, const char *const *symbols, size_t n,
                       const int *owner, const char *hosts)
{
    rank_lines = calloc((size_t)job->size, sizeof *rank_lines);
    delivered = calloc((size_t)job->size, sizeof *delivered);
    if (rank_lines == NULL || delivered == NULL)
        return false;
    for (int r = 0; r < job->size; r++) {
        size_t length = 0;
        FILE *f = open_memstream(&rank_lines[r], &length);
        if (f == NULL)
            return false;
        fprintf(f, "rank %d (%s):", r, hosts + (size_t)r * 64);
        for (size_t i = 0; i < n; i++)
            if (owner[i] == r)
                fprintf(f, " %s", symbols[i]);
        fputc('\n', f);
        fclose(f);
    }
    line_count = job->size;
    return true;
}

const char *mpi_watch_rank_line(int rank)
{
    return rank_lines[rank];
}

static void say(const char *text)
{
    ssize_t written = write(STDERR_FILENO, text, strlen(text));
    (void)written;
}

/* Open MPI's default on a dead rank: mpirun stops the others (SIGTERM).
 * Rank 0 then names the ranks whose parts had not arrived. */
static void stopped_by_launcher(int signal_number)
{
    (void)signal_number;
    say("marketsim: stopped by the MPI launcher (a rank died: it names it) before these "
        "ranks delivered their symbols:\n");
    for (int r = 1; r < line_count; r++)
        if (!delivered[r]) {
            say("  ");
            say(rank_lines[r]);
        }
    say("marketsim: re-run the same command: the forecast cache keeps every forecast "
        "already made, so only the lost work is done again\n");
    _exit(CLI_EXIT_FAILED);
}

void mpi_watch_name_lost_ranks_on_sigterm(bool on)
{
    signal(SIGTERM, on ? stopped_by_launcher : SIG_DFL);
}

/* ---- Heartbeats ---------------------------------------------------------------------- */

void mpi_watch_init(mpi_watch *watch, const mpi_job *job)
{
    *watch = (mpi_watch){ .heard = calloc((size_t)job->size, sizeof *watch->heard),
                          .timeout = timeout_seconds() };
    if (watch->heard == NULL)
        MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
    for (int r = 0; r < job->size; r++)
        watch->heard[r] = mpi_watch_now();
}

void mpi_watch_release(mpi_watch *watch)
{
    free(watch->heard);
    watch->heard = NULL;
}

void mpi_watch_delivered(mpi_watch *watch, int rank)
{
    watch->heard[rank] = mpi_watch_now();
    delivered[rank] = 1;
}

static void send_heartbeat(int to)
{
    static const int beat = 1;
    MPI_Request request;
    MPI_Isend(&beat, 1, MPI_INT, to, TAG_HEARTBEAT, MPI_COMM_WORLD, &request);
    MPI_Request_free(&request);
}

/* Receives every heartbeat waiting from `from` (MPI_ANY_SOURCE: anyone),
 * stamping heard[source]. */
static void hear_heartbeats(int from, double *heard)
{
    int flag = 1;
    while (flag) {
        MPI_Status status;
        MPI_Iprobe(from, TAG_HEARTBEAT, MPI_COMM_WORLD, &flag, &status);
        if (flag) {
            int beat;
            MPI_Recv(&beat, 1, MPI_INT, status.MPI_SOURCE, TAG_HEARTBEAT, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            heard[status.MPI_SOURCE] = mpi_watch_now();
        }
    }
}

static void abort_job(const char *command, int rank, double silent)
{
    fprintf(stderr, "marketsim %s: rank %d stopped answering (no heartbeat for %.0f s: it died "
            "or hangs); its symbols were not analysed:\n  %s", command, rank, silent,
            rank_lines[rank]);
    fprintf(stderr, "marketsim %s: the job ends with status 1; re-run the same command: the "
            "forecast cache keeps every forecast already made, so only the lost work is done "
            "again\n", command);
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
}

void mpi_watch_root_tick(mpi_watch *watch, const mpi_job *job, const char *command)
{
    if (mpi_watch_now() - watch->sent >= HEARTBEAT_SECONDS) {
        for (int r = 1; r < job->size; r++)
            send_heartbeat(r);
        watch->sent = mpi_watch_now();
    }
    hear_heartbeats(MPI_ANY_SOURCE, watch->heard);
    for (int r = 1; r < job->size; r++) {
        double silent = mpi_watch_now() - watch->heard[r];
        if (!delivered[r] && silent > watch->timeout)
            abort_job(command, r, silent);
    }
}

void mpi_watch_worker_wait(mpi_watch *watch, const mpi_job *job, bool (*finished)(void *),
                           void *context)
{
    while (!finished(context)) {
        if (mpi_watch_now() - watch->sent >= HEARTBEAT_SECONDS) {
            send_heartbeat(0);
            watch->sent = mpi_watch_now();
        }
        hear_heartbeats(0, watch->heard);
        double silent = mpi_watch_now() - watch->heard[0];
        if (silent > watch->timeout) {
            fprintf(stderr, "marketsim: rank %d: rank 0 stopped answering (no heartbeat for "
                    "%.0f s); the job ends with status 1\n", job->rank, silent);
            MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
        }
        mpi_watch_pause();
    }
}
