/*
 * mpi_shard.h - `analyze` and `trade` over MPI ranks (mpi_shard.c, mpi_job.c; docs/scaling.md):
 * the symbols sharded over the ranks by work, each share analysed by the
 * usual analyzer, the parts merged on rank 0, which alone prints and
 * trades. Without MPI in the build, a launch with several ranks is refused.
 */
#ifndef MS_CLI_MPI_SHARD_H
#define MS_CLI_MPI_SHARD_H

#include <stddef.h>

#include "marketsim/marketsim.h"

/* Starts MPI when this process was launched as one of an MPI job's ranks
 * (once; later calls return at once). Returns CLI_EXIT_OK, or, for a
 * build without MPI launched with several ranks, CLI_EXIT_FAILED after
 * saying so. */
int cli_mpi_start(const char *command);

/* Whether the analysis runs sharded (cli_mpi_start found an MPI job). */
int cli_mpi_active(void);

/* Whether this process is a rank other than 0 of an MPI job: it analyses
 * its share only (no broker, no output). */
int cli_mpi_worker(void);

/* Rank 0's *text on every rank (a string rank 0 chose, such as the data
 * source `trade` picks from its broker): *text then points at a malloc'ed
 * copy, which is returned for the caller to free after its last use of
 * *text. Outside an MPI job *text is left alone and NULL is returned. */
char *cli_mpi_share_text(const char **text);

/* The cores this rank may use: the node's, shared among its ranks there;
 * fills unset model threads and analysis workers with that share. */
void cli_mpi_share_cores(ms_model_options *model, ms_analyzer_options *analysis);

/*
 * Without an MPI job: ms_analyzer_run, its error printed. In one:
 * analyses this rank's share of `symbols` with `analyzer` (made with
 * `options`, whose context length weighs the symbols) and gathers
 * every share on rank 0: there *out receives the merged report (equal to
 * ms_analyzer_run's over all the symbols) and the exit code is returned.
 * Other ranks send their part and end the process inside (they have
 * nothing to print or trade). A rank that stops answering ends the job
 * with exit status 1 and a message naming it and its symbols; one that
 * dies, with the same message and mpirun's status (1 under `marketsim
 * mpirun`).
 */
int cli_mpi_analyze(const char *command, ms_analyzer *analyzer,
                    const ms_analyzer_options *options, ms_source *source,
                    const char *const *symbols, size_t n, ms_report **out);

#endif
