/*
 * mpi_shard.c - `analyze` and `trade` over MPI ranks (docs/scaling.md). MPI
 * stays in this file and the CLI: the library only packs a report's
 * results and merges packs (ms_report_pack, ms_analyzer_merge), so
 * libmarketsim.so never needs libmpi.
 *
 * A job: every rank loads a slice of the symbols to learn their bar
 * counts, all share the counts (one allreduce) and compute the same
 * assignment (largest work first, each to the least loaded rank), then
 * each analyses its share on a thread while its main thread, the only one
 * calling MPI, sends heartbeats and watches for the other side's. Workers
 * send their packed part to rank 0, which merges the parts into the report
 * a single process would have printed. A rank silent for longer than the
 * timeout ends the job: rank 0 names it and its symbols and aborts with
 * status 1. A rank that dies makes Open MPI end the job itself (status 128
 * + the signal; `marketsim mpirun`, mpi_run.c, turns that into 1) and rank
 * 0 names the ranks that had not delivered as it is stopped.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mpi_shard.h"

/* The size of the job this process was launched in, from the launcher's
 * environment (Open MPI's mpirun, PMI launchers such as srun): 0 when none. */
static int launched_size(void)
{
    static const char *const names[] = { "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *value = getenv(names[i]);
        if (value != NULL && atoi(value) > 0)
            return atoi(value);
    }
    return 0;
}

#ifndef MS_WITH_MPI

int cli_mpi_start(const char *command)
{
    int size = launched_size();
    if (size <= 1)
        return CLI_EXIT_OK;
    fprintf(stderr, "marketsim %s: launched as one of %d MPI ranks, but this marketsim was "
            "built without MPI: every rank would analyse every symbol. Install "
            "libopenmpi-dev and rebuild (the Makefile finds mpicc), or run one process.\n",
            command, size);
    return CLI_EXIT_FAILED;
}

int cli_mpi_active(void)
{
    return 0;
}

int cli_mpi_worker(void)
{
    return 0;
}

char *cli_mpi_share_text(const char **text)
{
    (void)text;
    return NULL;
}

void cli_mpi_share_cores(ms_model_options *model, ms_analyzer_options *analysis)
{
    (void)model;
    (void)analysis;
}

int cli_mpi_analyze(const char *command, ms_analyzer *analyzer,
                    const ms_analyzer_options *options, ms_source *source,
                    const char *const *symbols, size_t n, ms_report **out)
{
    (void)options;
    (void)source;
    ms_status status = ms_analyzer_run(analyzer, symbols, n, out);
    return status == MS_OK ? CLI_EXIT_OK : cli_setup_error(command, "analysis", status);
}

#else
#include "mpi_job.h"

static mpi_job job;

/* Cores this process may run on: its affinity mask (a launcher that binds
 * ranks already gave it its share), else the online count. */
static int usable_cores(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (int)online : 1;
}

int cli_mpi_start(const char *command)
{
    (void)command;
    if (job.started || launched_size() == 0)
        return CLI_EXIT_OK;
    return mpi_job_start(&job) ? CLI_EXIT_OK : CLI_EXIT_FAILED;
}

int cli_mpi_active(void)
{
    return job.started;
}

int cli_mpi_worker(void)
{
    return job.started && job.rank != 0;
}

char *cli_mpi_share_text(const char **text)
{
    return job.started ? mpi_job_share_text(text) : NULL;
}

/* Ranks on one node share its cores: without a binding, each takes
 * cores / (ranks on the node), at least one, for both the model's threads
 * and the analysis workers, unless flags or the environment set them. */
void cli_mpi_share_cores(ms_model_options *model, ms_analyzer_options *analysis)
{
    if (!job.started)
        return;
    int cores = usable_cores();
    int share = job.local_size > 1 && cores == (int)sysconf(_SC_NPROCESSORS_ONLN)
                    ? cores / job.local_size : cores;
    share = share > 0 ? share : 1;
    if (model != NULL && model->num_threads == 0)
        model->num_threads = share;
    if (analysis != NULL && analysis->workers == 0 && getenv("MARKETSIM_PARALLEL_WORKERS") == NULL)
        analysis->workers = share;
}

int cli_mpi_analyze(const char *command, ms_analyzer *analyzer,
                    const ms_analyzer_options *options, ms_source *source,
                    const char *const *symbols, size_t n, ms_report **out)
{
    if (!job.started) {
        ms_status status = ms_analyzer_run(analyzer, symbols, n, out);
        return status == MS_OK ? CLI_EXIT_OK : cli_setup_error(command, "analysis", status);
    }
    return mpi_job_analyze(&job, command, analyzer, options, source, symbols, n, out);
}

#endif
