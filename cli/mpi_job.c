/*
 * mpi_job.c - the MPI side of a sharded analysis (docs/scaling.md): the
 * only file that calls MPI. Only the main thread does; the rank's share is
 * analysed on a second thread so the main thread stays free to send
 * heartbeats and to notice a silent rank within the timeout
 * (MARKETSIM_MPI_TIMEOUT seconds, default 30), which then ends the job
 * with status 1 and a message naming the rank and its symbols.
 */
#include <math.h>
#include <mpi.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "mpi_job.h"

enum { TAG_HEARTBEAT = 1, TAG_RESULT = 2, TAG_DONE = 3 };
#define HEARTBEAT_SECONDS 1.0
#define POLL_NANOSECONDS 20000000L

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void pause_poll(void)
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

static void finalize(void)
{
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized)
        MPI_Finalize();
}

bool mpi_job_start(mpi_job *job)
{
    /* Ranks waiting on one node (in the final barrier) yield the cores
     * instead of spinning on them; set before MPI reads its parameters. */
    setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0);
    int provided = 0;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fprintf(stderr, "marketsim: MPI_Init_thread failed\n");
        return false;
    }
    atexit(finalize);
    MPI_Comm_rank(MPI_COMM_WORLD, &job->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &job->size);
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, job->rank, MPI_INFO_NULL, &node);
    MPI_Comm_size(node, &job->local_size);
    MPI_Comm_free(&node);
    job->started = true;
    return true;
}

/* Waits for a collective step every rank takes, within the timeout: a
 * rank that died before it would otherwise keep the others waiting. */
static void wait_all(MPI_Request *request, const char *what)
{
    double started = now(), timeout = timeout_seconds();
    int done = 0;
    while (MPI_Test(request, &done, MPI_STATUS_IGNORE), !done) {
        if (now() - started > timeout) {
            int rank = 0;
            MPI_Comm_rank(MPI_COMM_WORLD, &rank);
            fprintf(stderr, "marketsim: rank %d: not every rank joined %s within %.0f s (one "
                    "died or hangs); the job ends with status 1\n", rank, what, timeout);
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        pause_poll();
    }
}

char *mpi_job_share_text(const char **text)
{
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    int length = rank == 0 && *text != NULL ? (int)strlen(*text) + 1 : 0;
    MPI_Request request;
    MPI_Ibcast(&length, 1, MPI_INT, 0, MPI_COMM_WORLD, &request);
    wait_all(&request, "the start");
    char *copy = length > 0 ? malloc((size_t)length) : NULL;
    if (length > 0 && copy == NULL)
        MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
    if (rank == 0 && copy != NULL)
        memcpy(copy, *text, (size_t)length);
    if (length > 0) {
        MPI_Ibcast(copy, length, MPI_CHAR, 0, MPI_COMM_WORLD, &request);
        wait_all(&request, "the start");
    }
    *text = copy;
    return copy;
}

/* ---- The assignment ---------------------------------------------------------- */

/* A symbol's forecast work: every symbol plans the same origins (the
 * simulations), each context as long as its history allows up to the
 * context length, so bars x simulations reduces to min(bars, context
 * length) between symbols of one run. A symbol that does not load weighs 1. */
static double symbol_work(ms_source *source, const char *symbol, size_t context_length)
{
    ms_bars *bars = NULL;
    double work = 1;
    if (ms_source_load(source, symbol, &bars) == MS_OK) {
        size_t length = ms_bars_len(bars);
        work = (double)(length < context_length ? length : context_length);
    }
    ms_bars_free(bars);
    return work;
}

/* Every rank weighs a slice (i mod size == rank) and one sum shares them. */
static double *share_work(const mpi_job *job, ms_source *source, const char *const *symbols,
                          size_t n, size_t context_length)
{
    double *mine = calloc(n ? n : 1, sizeof *mine), *all = calloc(n ? n : 1, sizeof *all);
    if (mine != NULL && all != NULL) {
        for (size_t i = (size_t)job->rank; i < n; i += (size_t)job->size)
            mine[i] = symbol_work(source, symbols[i], context_length);
        MPI_Request request;
        MPI_Iallreduce(mine, all, (int)n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD, &request);
        wait_all(&request, "the symbols' weighing");
    }
    free(mine);
    return all;
}

static const double *sort_work;

static int heavier_first(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (sort_work[x] != sort_work[y])
        return sort_work[x] > sort_work[y] ? -1 : 1;
    return x < y ? -1 : 1;
}

/* owner[i] = the rank that analyses symbol i: the heaviest symbols first,
 * each to the least loaded rank (the lowest on a tie). Every rank computes
 * the same answer from the same numbers. */
static bool assign(const double *work, size_t n, int size, int *owner, double *load)
{
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    if (order == NULL)
        return false;
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    sort_work = work;
    qsort(order, n, sizeof *order, heavier_first);
    for (int r = 0; r < size; r++)
        load[r] = 0;
    for (size_t k = 0; k < n; k++) {
        int least = 0;
        for (int r = 1; r < size; r++)
            least = load[r] < load[least] ? r : least;
        owner[order[k]] = least;
        load[least] += work[order[k]];
    }
    free(order);
    return true;
}

/* ---- This rank's share, on its own thread --------------------------------------- */

typedef struct shard {
    ms_analyzer *analyzer;
    const char **symbols;
    size_t count;
    ms_report *report;
    ms_status status;
    char message[512];
    double seconds;
    double ended;      /* now() when the share was done */
    atomic_int done;
} shard;

static void *run_shard(void *context)
{
    shard *s = context;
    double started = now();
    s->status = ms_analyzer_run(s->analyzer, s->symbols, s->count, &s->report);
    if (s->status != MS_OK)
        snprintf(s->message, sizeof s->message, "%s", ms_last_error());
    s->ended = now();
    s->seconds = s->ended - started;
    atomic_store(&s->done, 1);
    return NULL;
}

/* ---- What rank 0 says when a rank is lost ----------------------------------------- */

/* "rank R (host, pid P): A, B, C" per rank, written before the analysis,
 * so the SIGTERM handler only writes prepared bytes. */
static char **rank_lines;
static volatile sig_atomic_t *delivered;
static int line_count;

static bool prepare_lines(const mpi_job *job, const char *const *symbols, size_t n,
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

/* ---- Heartbeats -------------------------------------------------------------------- */

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
            heard[status.MPI_SOURCE] = now();
        }
    }
}

/* ---- Workers ---------------------------------------------------------------------- */

/* A part on the wire: this header, then the pack (status MS_OK) or the
 * message of the share's failure. */
typedef struct part_header {
    double seconds;
    int32_t status;
    int32_t reserved;
} part_header;

static bool encode_part(shard *s, unsigned char **out, size_t *size)
{
    void *pack = NULL;
    size_t pack_size = 0;
    part_header header = { .seconds = s->seconds, .status = s->status };
    if (s->status == MS_OK && (header.status = ms_report_pack(s->report, &pack, &pack_size)) != MS_OK)
        snprintf(s->message, sizeof s->message, "%s", ms_last_error());
    const void *body = header.status == MS_OK ? pack : (const void *)s->message;
    size_t body_size = header.status == MS_OK ? pack_size : strlen(s->message) + 1;
    *size = sizeof header + body_size;
    *out = malloc(*size);
    if (*out != NULL) {
        memcpy(*out, &header, sizeof header);
        memcpy(*out + sizeof header, body, body_size);
    }
    ms_free(pack);
    return *out != NULL;
}

/* Keeps the heartbeats going both ways until `finished` says so; ends the
 * job when rank 0 falls silent. */
static void worker_wait(const mpi_job *job, double *heard, double *sent, double timeout,
                        bool (*finished)(void *), void *context)
{
    while (!finished(context)) {
        if (now() - *sent >= HEARTBEAT_SECONDS) {
            send_heartbeat(0);
            *sent = now();
        }
        hear_heartbeats(0, heard);
        if (now() - heard[0] > timeout) {
            fprintf(stderr, "marketsim: rank %d: rank 0 stopped answering (no heartbeat for "
                    "%.0f s); the job ends with status 1\n", job->rank, now() - heard[0]);
            MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
        }
        pause_poll();
    }
}

static bool shard_done(void *context)
{
    return atomic_load(&((shard *)context)->done) != 0;
}

typedef struct worker_send {
    MPI_Request request;
    int sent;
    int released;
} worker_send;

/* Sent, and rank 0 said the job is merged (so rank 0 can still be watched
 * until then). */
static bool part_taken(void *context)
{
    worker_send *w = context;
    if (!w->sent)
        MPI_Test(&w->request, &w->sent, MPI_STATUS_IGNORE);
    if (!w->released) {
        MPI_Iprobe(0, TAG_DONE, MPI_COMM_WORLD, &w->released, MPI_STATUS_IGNORE);
        if (w->released)
            MPI_Recv(NULL, 0, MPI_BYTE, 0, TAG_DONE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    return w->sent && w->released;
}

static void worker_finish(const mpi_job *job, shard *s)
{
    double timeout = timeout_seconds(), sent = 0;
    double *heard = calloc((size_t)job->size, sizeof *heard);
    if (heard == NULL)
        MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
    heard[0] = now();
    worker_wait(job, heard, &sent, timeout, shard_done, s);
    unsigned char *bytes = NULL;
    size_t size = 0;
    if (!encode_part(s, &bytes, &size)) {
        fprintf(stderr, "marketsim: rank %d: out of memory sending its part\n", job->rank);
        MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
    }
    worker_send w = { 0 };
    MPI_Isend(bytes, (int)size, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD, &w.request);
    worker_wait(job, heard, &sent, timeout, part_taken, &w);
    free(bytes);
    free(heard);
    ms_report_free(s->report);
    exit(CLI_EXIT_OK);
}

/* ---- Rank 0: the gather and the merge ----------------------------------------------- */

typedef struct gather {
    unsigned char **parts;    /* [rank]: header + body, as received */
    size_t *sizes;
    double *heard;
    size_t missing;
    double receive_seconds;
    double last_arrival;
} gather;

static void receive_part(gather *g, const MPI_Status *probed)
{
    int count = 0;
    MPI_Get_count(probed, MPI_BYTE, &count);
    int from = probed->MPI_SOURCE;
    double started = now();
    g->parts[from] = malloc(count > 0 ? (size_t)count : 1);
    if (g->parts[from] == NULL)
        MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
    MPI_Recv(g->parts[from], count, MPI_BYTE, from, TAG_RESULT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    g->sizes[from] = (size_t)count;
    g->receive_seconds += now() - started;
    g->last_arrival = now();
    g->heard[from] = now();
    delivered[from] = 1;
    g->missing--;
}

static void gather_parts(const mpi_job *job, const char *command, gather *g, shard *own)
{
    double timeout = timeout_seconds(), sent = 0;
    while (g->missing > 0 || !shard_done(own)) {
        if (now() - sent >= HEARTBEAT_SECONDS) {
            /* Delivered workers too: they wait for the merge and watch
             * rank 0 until then, however long its own share takes. */
            for (int r = 1; r < job->size; r++)
                send_heartbeat(r);
            sent = now();
        }
        hear_heartbeats(MPI_ANY_SOURCE, g->heard);
        int flag = 1;
        while (flag) {
            MPI_Status probed;
            MPI_Iprobe(MPI_ANY_SOURCE, TAG_RESULT, MPI_COMM_WORLD, &flag, &probed);
            if (flag)
                receive_part(g, &probed);
        }
        for (int r = 1; r < job->size; r++)
            if (!delivered[r] && now() - g->heard[r] > timeout)
                abort_job(command, r, now() - g->heard[r]);
        pause_poll();
    }
}

/* A part whose share failed as a whole (not a symbol: the analysis) ends
 * the job: its symbols have no results to merge. */
static void check_part(const char *command, int rank, const unsigned char *part, size_t size)
{
    part_header header;
    memcpy(&header, part, sizeof header);
    if (header.status == MS_OK)
        return;
    fprintf(stderr, "marketsim %s: rank %d: analysis: %.*s\n  %s", command, rank,
            (int)(size - sizeof header), (const char *)part + sizeof header, rank_lines[rank]);
    MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
}

static void print_balance(const char *command, const mpi_job *job, const gather *g,
                          double own_end, double merge_seconds)
{
    if (ms_log_threshold() > MS_LOG_INFO)
        return;
    double sum = 0, most = 0;
    fprintf(stderr, "marketsim %s: %d ranks, analysis seconds per rank:", command, job->size);
    for (int r = 0; r < job->size; r++) {
        part_header header;
        memcpy(&header, g->parts[r], sizeof header);
        fprintf(stderr, " %.3f", header.seconds);
        sum += header.seconds;
        most = header.seconds > most ? header.seconds : most;
    }
    double wait = g->last_arrival > own_end ? g->last_arrival - own_end : 0;
    fprintf(stderr, "; imbalance (max / mean) %.3f; rank 0 waited %.3f s for the last part; "
            "receive %.4f s; merge %.4f s\n", most / (sum / job->size), wait,
            g->receive_seconds, merge_seconds);
}

static int root_finish(const mpi_job *job, const char *command, shard *own,
                       const char *const *symbols, size_t n, ms_report **out)
{
    gather g = { .parts = calloc((size_t)job->size, sizeof *g.parts),
                 .sizes = calloc((size_t)job->size, sizeof *g.sizes),
                 .heard = calloc((size_t)job->size, sizeof *g.heard),
                 .missing = (size_t)job->size - 1 };
    if (g.parts == NULL || g.sizes == NULL || g.heard == NULL)
        MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
    for (int r = 0; r < job->size; r++)
        g.heard[r] = now();
    gather_parts(job, command, &g, own);
    double own_end = own->ended;
    if (!encode_part(own, &g.parts[0], &g.sizes[0]))
        MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
    signal(SIGTERM, SIG_DFL);
    for (int r = 0; r < job->size; r++)
        check_part(command, r, g.parts[r], g.sizes[r]);
    for (int r = 1; r < job->size; r++)
        MPI_Send(NULL, 0, MPI_BYTE, r, TAG_DONE, MPI_COMM_WORLD);
    const void **bodies = calloc((size_t)job->size, sizeof *bodies);
    size_t *body_sizes = calloc((size_t)job->size, sizeof *body_sizes);
    if (bodies == NULL || body_sizes == NULL)
        MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
    for (int r = 0; r < job->size; r++) {
        bodies[r] = g.parts[r] + sizeof(part_header);
        body_sizes[r] = g.sizes[r] - sizeof(part_header);
    }
    double merge_started = now();
    ms_status status = ms_analyzer_merge(own->analyzer, symbols, n, bodies, body_sizes,
                                         (size_t)job->size, out);
    print_balance(command, job, &g, own_end, now() - merge_started);
    for (int r = 0; r < job->size; r++)
        free(g.parts[r]);
    free(g.parts);
    free(g.sizes);
    free(g.heard);
    free(bodies);
    free(body_sizes);
    ms_report_free(own->report);
    return status == MS_OK ? CLI_EXIT_OK : cli_setup_error(command, "merging the ranks' parts",
                                                           status);
}

/* The context length the analysis resolves to (flags, environment, default). */
static size_t context_length(const ms_analyzer_options *given)
{
    ms_analyzer_options resolved = *given;
    return ms_analyzer_options_resolve(&resolved) == MS_OK ? resolved.context_length : 512;
}

int mpi_job_analyze(mpi_job *job, const char *command, ms_analyzer *analyzer,
                    const ms_analyzer_options *options, ms_source *source,
                    const char *const *symbols, size_t n, ms_report **out)
{
    /* "host, pid N" in a fixed 64-byte slot per rank: the host name is cut
     * at 31 characters so the longest pid still fits. */
    char hosts_mine[64];
    char host[32] = "";
    gethostname(host, sizeof host - 1);
    snprintf(hosts_mine, sizeof hosts_mine, "%s, pid %ld", host, (long)getpid());
    char *hosts = malloc((size_t)job->size * 64);
    int *owner = malloc((n ? n : 1) * sizeof *owner);
    double *load = malloc((size_t)job->size * sizeof *load);
    shard own = { .analyzer = analyzer, .symbols = malloc((n ? n : 1) * sizeof(char *)) };
    if (hosts == NULL || owner == NULL || load == NULL || own.symbols == NULL)
        MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
    MPI_Request request;
    MPI_Iallgather(hosts_mine, 64, MPI_CHAR, hosts, 64, MPI_CHAR, MPI_COMM_WORLD, &request);
    wait_all(&request, "the start");
    double *work = share_work(job, source, symbols, n, context_length(options));
    if (work == NULL || !assign(work, n, job->size, owner, load) ||
        !prepare_lines(job, symbols, n, owner, hosts))
        MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
    for (size_t i = 0; i < n; i++)
        if (owner[i] == job->rank)
            own.symbols[own.count++] = symbols[i];
    free(work);
    free(owner);
    free(load);
    free(hosts);
    if (job->rank == 0) {
        signal(SIGTERM, stopped_by_launcher);
        for (int r = 0; r < job->size && ms_log_threshold() <= MS_LOG_INFO; r++)
            fprintf(stderr, "marketsim %s: share of %s", command, rank_lines[r]);
    }
    pthread_t thread;
    if (pthread_create(&thread, NULL, run_shard, &own) != 0)
        MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
    if (job->rank != 0)
        worker_finish(job, &own);
    int code = root_finish(job, command, &own, symbols, n, out);
    pthread_join(thread, NULL);
    free(own.symbols);
    return code;
}
