/*
 * mpi_job.h - the MPI side of a sharded analysis (mpi_job.c, built only
 * with MPI): starting MPI, the assignment of symbols to ranks, the gather
 * and the merge on rank 0 (the fault watch: mpi_watch.h).
 */
#ifndef MS_CLI_MPI_JOB_H
#define MS_CLI_MPI_JOB_H

#include <stdbool.h>
#include <stddef.h>

#include "marketsim/marketsim.h"

typedef struct mpi_job {
    bool started;
    int rank;
    int size;
    int local_size;       /* ranks on this node */
} mpi_job;

/* MPI_Init_thread (funneled: only the main thread calls MPI) and the
 * job's shape; MPI_Finalize runs at exit. False after printing why not. */
bool mpi_job_start(mpi_job *job);

/* cli_mpi_share_text (mpi_shard.h). */
char *mpi_job_share_text(const char **text);

/* cli_mpi_analyze (mpi_shard.h). */
int mpi_job_analyze(mpi_job *job, const char *command, ms_analyzer *analyzer,
                    const ms_analyzer_options *options, ms_source *source,
                    const char *const *symbols, size_t n, ms_report **out);

#endif
