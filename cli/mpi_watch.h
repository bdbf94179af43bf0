/*
 * mpi_watch.h - the fault watch of a sharded analysis (mpi_watch.c, built
 * only with MPI): heartbeats both ways between rank 0 and the workers, the
 * timeout after which a silent rank ends the job with status 1, bounded
 * waits on collective steps, and the lines that name each rank and its
 * symbols when one is lost.
 */
#ifndef MS_CLI_MPI_WATCH_H
#define MS_CLI_MPI_WATCH_H

#include <mpi.h>
#include <stdbool.h>
#include <stddef.h>

#include "mpi_job.h"

/* Monotonic seconds. */
double mpi_watch_now(void);

/* Sleeps one poll interval (20 ms): the main thread never spins on a core
 * its rank's analysis needs. */
void mpi_watch_pause(void);

/* Waits for a collective step every rank takes (`what`: "the start", ...)
 * within the timeout; a rank that died before it would otherwise keep the
 * others waiting, so past it this rank says so and aborts the job (1). */
void mpi_watch_wait_all(MPI_Request *request, const char *what);

/* Writes, before the analysis, the line "rank R (host, pid P): A B C" of
 * every rank (`owner[i]`: symbol i's rank; `hosts`: 64 bytes per rank),
 * so a handler can later print them without allocating. False when out
 * of memory. */
bool mpi_watch_prepare(const mpi_job *job, const char *const *symbols, size_t n,
                       const int *owner, const char *hosts);

/* Rank r's prepared line (ending in a newline). */
const char *mpi_watch_rank_line(int rank);

/* Rank 0, while the parts arrive: on mpirun's SIGTERM (Open MPI's answer
 * to a dead rank) it names the ranks whose parts had not arrived and
 * exits 1; `on` false restores the default. */
void mpi_watch_name_lost_ranks_on_sigterm(bool on);

/* Heartbeat state of one rank: when it last heard each rank and when it
 * last sent. */
typedef struct mpi_watch {
    double *heard;         /* [rank] */
    double sent;
    double timeout;        /* MARKETSIM_MPI_TIMEOUT seconds, default 30 */
} mpi_watch;

/* Starts the watch with every rank heard now; aborts the job (1) when out
 * of memory. */
void mpi_watch_init(mpi_watch *watch, const mpi_job *job);

void mpi_watch_release(mpi_watch *watch);

/* Rank 0: marks rank r's part as arrived (it is no longer watched). */
void mpi_watch_delivered(mpi_watch *watch, int rank);

/* Rank 0, once per poll: heartbeats to every worker each second (delivered
 * ones too: they watch rank 0 until the merge), hears theirs, and ends the
 * job with status 1, naming the rank and its symbols, when an undelivered
 * worker has been silent past the timeout. */
void mpi_watch_root_tick(mpi_watch *watch, const mpi_job *job, const char *command);

/* A worker: keeps the heartbeats going both ways until finished(context)
 * says so, polling; ends the job (1) when rank 0 falls silent. */
void mpi_watch_worker_wait(mpi_watch *watch, const mpi_job *job, bool (*finished)(void *),
                           void *context);

#endif
