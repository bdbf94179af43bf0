/*
 * mpi_job.c - the MPI side of a sharded analysis (docs/scaling.md): MPI's
 * start, the assignment of symbols to ranks, each rank's share analysed on
 * a second thread, the gather and the merge on rank 0 with the job's
 * timings. The main thread, the only one calling MPI, keeps the fault
 * watch going meanwhile (mpi_watch.c: heartbeats, timeouts, the lines
 * naming a lost rank's symbols).
 */
#include <mpi.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"
#include "mpi_job.h"
#include "mpi_watch.h"

/* Tag 1 is mpi_watch.c's heartbeat. */
enum { TAG_RESULT = 2, TAG_DONE = 3 };

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

char *mpi_job_share_text(const char **text)
{
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    int length = rank == 0 && *text != NULL ? (int)strlen(*text) + 1 : 0;
    MPI_Request request;
    MPI_Ibcast(&length, 1, MPI_INT, 0, MPI_COMM_WORLD, &request);
    mpi_watch_wait_all(&request, "the start");
    char *copy = length > 0 ? malloc((size_t)length) : NULL;
    if (length > 0 && copy == NULL)
        MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
    if (rank == 0 && copy != NULL)
        memcpy(copy, *text, (size_t)length);
    if (length > 0) {
        MPI_Ibcast(copy, length, MPI_CHAR, 0, MPI_COMM_WORLD, &request);
        mpi_watch_wait_all(&request, "the start");
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
        mpi_watch_wait_all(&request, "the symbols' weighing");
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
    double cpu_seconds;
    double ended;      /* mpi_watch_now() when the share was done */
    atomic_int done;
} shard;

/* User + system seconds of every thread of this process: while the share
 * runs, the analysis' own (the main thread only polls every 20 ms). CPU
 * time stays meaningful on a loaded machine, where wall time does not. */
static double process_cpu_seconds(void)
{
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) != 0)
        return 0;
    return (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec * 1e-6 +
           (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec * 1e-6;
}

static void *run_shard(void *context)
{
    shard *s = context;
    double started = mpi_watch_now(), cpu_started = process_cpu_seconds();
    s->status = ms_analyzer_run(s->analyzer, s->symbols, s->count, &s->report);
    if (s->status != MS_OK)
        snprintf(s->message, sizeof s->message, "%s", ms_last_error());
    s->cpu_seconds = process_cpu_seconds() - cpu_started;
    s->ended = mpi_watch_now();
    s->seconds = s->ended - started;
    atomic_store(&s->done, 1);
    return NULL;
}

static bool shard_done(void *context)
{
    return atomic_load(&((shard *)context)->done) != 0;
}

/* ---- Parts on the wire ------------------------------------------------------------ */

/* A part: this header, then the pack (status MS_OK) or the message of the
 * share's failure. */
typedef struct part_header {
    ms_part_timings timings;
    int32_t status;
    int32_t reserved;
} part_header;

static bool encode_part(shard *s, unsigned char **out, size_t *size)
{
    void *pack = NULL;
    size_t pack_size = 0;
    part_header header = {
        .timings = { .analysis = s->seconds, .cpu = s->cpu_seconds, .symbols = s->count,
                     .warmup = s->report ? ms_report_timings(s->report)->warmup : 0 },
        .status = s->status };
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

static part_header part_header_of(const unsigned char *part)
{
    part_header header;
    memcpy(&header, part, sizeof header);
    return header;
}

/* ---- Workers ---------------------------------------------------------------------- */

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
    mpi_watch watch;
    mpi_watch_init(&watch, job);
    mpi_watch_worker_wait(&watch, job, shard_done, s);
    unsigned char *bytes = NULL;
    size_t size = 0;
    if (!encode_part(s, &bytes, &size)) {
        fprintf(stderr, "marketsim: rank %d: out of memory sending its part\n", job->rank);
        MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
    }
    worker_send w = { 0 };
    MPI_Isend(bytes, (int)size, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD, &w.request);
    mpi_watch_worker_wait(&watch, job, part_taken, &w);
    free(bytes);
    mpi_watch_release(&watch);
    ms_report_free(s->report);
    exit(CLI_EXIT_OK);
}

/* ---- Rank 0: the gather and the merge ----------------------------------------------- */

typedef struct gather {
    unsigned char **parts;    /* [rank]: header + body, as received */
    size_t *sizes;
    size_t missing;
    double receive_seconds;
    double last_arrival;
} gather;

static void receive_part(gather *g, mpi_watch *watch, const MPI_Status *probed)
{
    int count = 0;
    MPI_Get_count(probed, MPI_BYTE, &count);
    int from = probed->MPI_SOURCE;
    double started = mpi_watch_now();
    g->parts[from] = malloc(count > 0 ? (size_t)count : 1);
    if (g->parts[from] == NULL)
        MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
    MPI_Recv(g->parts[from], count, MPI_BYTE, from, TAG_RESULT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    g->sizes[from] = (size_t)count;
    g->last_arrival = mpi_watch_now();
    g->receive_seconds += g->last_arrival - started;
    mpi_watch_delivered(watch, from);
    g->missing--;
}

static void gather_parts(const mpi_job *job, const char *command, gather *g, shard *own)
{
    mpi_watch watch;
    mpi_watch_init(&watch, job);
    while (g->missing > 0 || !shard_done(own)) {
        mpi_watch_root_tick(&watch, job, command);
        int flag = 1;
        while (flag) {
            MPI_Status probed;
            MPI_Iprobe(MPI_ANY_SOURCE, TAG_RESULT, MPI_COMM_WORLD, &flag, &probed);
            if (flag)
                receive_part(g, &watch, &probed);
        }
        mpi_watch_pause();
    }
    mpi_watch_release(&watch);
}

/* A part whose share failed as a whole (not a symbol: the analysis) ends
 * the job: its symbols have no results to merge. */
static void check_part(const char *command, int rank, const unsigned char *part, size_t size)
{
    if (part_header_of(part).status == MS_OK)
        return;
    fprintf(stderr, "marketsim %s: rank %d: analysis: %.*s\n  %s", command, rank,
            (int)(size - sizeof(part_header)), (const char *)part + sizeof(part_header),
            mpi_watch_rank_line(rank));
    MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
}

/* With MARKETSIM_LOG=info: each rank's analysis wall and CPU seconds, the
 * imbalance, rank 0's wait for the last part, receive and merge times. */
static void print_balance(const char *command, const mpi_job *job, const ms_part_timings *parts,
                          const gather *g, double own_end, double merge_seconds)
{
    if (ms_log_threshold() > MS_LOG_INFO)
        return;
    double sum = 0, most = 0, cpu_sum = 0, cpu_most = 0;
    fprintf(stderr, "marketsim %s: %d ranks, analysis seconds per rank (wall / cpu):", command,
            job->size);
    for (int r = 0; r < job->size; r++) {
        fprintf(stderr, " %.3f/%.3f", parts[r].analysis, parts[r].cpu);
        sum += parts[r].analysis;
        most = parts[r].analysis > most ? parts[r].analysis : most;
        cpu_sum += parts[r].cpu;
        cpu_most = parts[r].cpu > cpu_most ? parts[r].cpu : cpu_most;
    }
    double wait = g->last_arrival > own_end ? g->last_arrival - own_end : 0;
    fprintf(stderr, "; imbalance (max / mean) wall %.3f, cpu %.3f; rank 0 waited %.3f s for the "
            "last part; receive %.4f s; merge %.4f s\n", most / (sum / job->size),
            cpu_most / (cpu_sum / job->size), wait, g->receive_seconds, merge_seconds);
}

/* The merge of every part, with the job's timings (`started`: the
 * sharded analysis' start on rank 0). */
static ms_status merge_parts(const char *command, const mpi_job *job, shard *own,
                             const gather *g, const char *const *symbols, size_t n,
                             double started, ms_report **out)
{
    const void **bodies = calloc((size_t)job->size, sizeof *bodies);
    size_t *body_sizes = calloc((size_t)job->size, sizeof *body_sizes);
    ms_part_timings *timings = calloc((size_t)job->size, sizeof *timings);
    if (bodies == NULL || body_sizes == NULL || timings == NULL)
        MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
    for (int r = 0; r < job->size; r++) {
        bodies[r] = g->parts[r] + sizeof(part_header);
        body_sizes[r] = g->sizes[r] - sizeof(part_header);
        timings[r] = part_header_of(g->parts[r]).timings;
    }
    double merge_started = mpi_watch_now();
    ms_status status = ms_analyzer_merge(own->analyzer, symbols, n, bodies, body_sizes,
                                         (size_t)job->size, out);
    double merged = mpi_watch_now();
    if (status == MS_OK)
        status = ms_report_set_job_timings(*out, merged - started, timings, (size_t)job->size);
    print_balance(command, job, timings, g, own->ended, merged - merge_started);
    free(bodies);
    free(body_sizes);
    free(timings);
    return status;
}

static int root_finish(const mpi_job *job, const char *command, shard *own,
                       const char *const *symbols, size_t n, double started, ms_report **out)
{
    gather g = { .parts = calloc((size_t)job->size, sizeof *g.parts),
                 .sizes = calloc((size_t)job->size, sizeof *g.sizes),
                 .missing = (size_t)job->size - 1 };
    if (g.parts == NULL || g.sizes == NULL)
        MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
    gather_parts(job, command, &g, own);
    if (!encode_part(own, &g.parts[0], &g.sizes[0]))
        MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
    mpi_watch_name_lost_ranks_on_sigterm(false);
    for (int r = 0; r < job->size; r++)
        check_part(command, r, g.parts[r], g.sizes[r]);
    for (int r = 1; r < job->size; r++)
        MPI_Send(NULL, 0, MPI_BYTE, r, TAG_DONE, MPI_COMM_WORLD);
    ms_status status = merge_parts(command, job, own, &g, symbols, n, started, out);
    for (int r = 0; r < job->size; r++)
        free(g.parts[r]);
    free(g.parts);
    free(g.sizes);
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
    double started = mpi_watch_now();
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
    mpi_watch_wait_all(&request, "the start");
    double *work = share_work(job, source, symbols, n, context_length(options));
    if (work == NULL || !assign(work, n, job->size, owner, load) ||
        !mpi_watch_prepare(job, symbols, n, owner, hosts))
        MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
    for (size_t i = 0; i < n; i++)
        if (owner[i] == job->rank)
            own.symbols[own.count++] = symbols[i];
    free(work);
    free(owner);
    free(load);
    free(hosts);
    if (job->rank == 0) {
        mpi_watch_name_lost_ranks_on_sigterm(true);
        for (int r = 0; r < job->size && ms_log_threshold() <= MS_LOG_INFO; r++)
            fprintf(stderr, "marketsim %s: share of %s", command, mpi_watch_rank_line(r));
    }
    pthread_t thread;
    if (pthread_create(&thread, NULL, run_shard, &own) != 0)
        MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_FAILED);
    if (job->rank != 0)
        worker_finish(job, &own);
    int code = root_finish(job, command, &own, symbols, n, started, out);
    pthread_join(thread, NULL);
    free(own.symbols);
    return code;
}
