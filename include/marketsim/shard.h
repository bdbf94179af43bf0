/*
 * marketsim/shard.h - analyses sharded over processes (the CLI's MPI
 * ranks): a rank packs its report into bytes, rank 0 merges the packed
 * parts into the one report a single process would have made, and sets
 * the job's timings on it.
 *
 * Thread safety: packing reads a finished report, which any thread may
 * do; a merge uses its analyzer as a run does (one at a time per
 * analyzer); setting the job's timings changes a report, so it is done
 * before the report is shared.
 *
 * Errors: a function returning ms_status returns MS_OK or one of the
 * negative codes its comment lists, and then ms_last_error() holds the
 * message (common.h).
 */
#ifndef MARKETSIM_SHARD_H
#define MARKETSIM_SHARD_H

#include "analyze.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The report's per-symbol results (every symbol report, whole, and every
 * error) as bytes for ms_analyzer_merge in another process of the same
 * build: a process that analysed a share of the symbols packs its report
 * and sends the bytes (marketsim under mpirun: docs/scaling.md). Doubles
 * travel as their bits. *out (*size bytes) is freed with ms_free.
 * Errors: MS_ERR_INVALID_ARG (NULL argument), MS_ERR_NOMEM.
 */
MS_API ms_status ms_report_pack(const ms_report *report, void **out, size_t *size);

/*
 * The report ms_analyzer_run(analyzer, symbols, n) would have made, from
 * `count` packs (ms_report_pack: parts[i], sizes[i] bytes) of runs that
 * analysed the symbols between them, on analyzers with the same source,
 * model and options: bit for bit the same symbol reports, errors,
 * warnings, ranking and picks (timings aside: they are the parts'), because
 * a symbol's results depend only on its own data, the model and the
 * options, and what depends on all symbols (spellings of one instrument,
 * freshness, ranking, picks) is judged here over all of them. A symbol in
 * several parts is taken from the first. Nothing is analysed here. *out
 * is freed with ms_report_free. Errors: MS_ERR_INVALID_ARG (a NULL
 * argument; a symbol no part has a result for, named), MS_ERR_DATA (a pack
 * cut short or made by another build), MS_ERR_NOMEM.
 */
MS_API ms_status ms_analyzer_merge(ms_analyzer *analyzer, const char *const *symbols, size_t n,
                                   const void *const *parts, const size_t *sizes, size_t count,
                                   ms_report **out);

/* One part's figures in a sharded analysis (under mpirun: one rank's share). */
typedef struct ms_part_timings {
    double analysis;     /* wall seconds of the part's ms_analyzer_run */
    double cpu;          /* CPU seconds (user + system, all threads) its process spent meanwhile */
    double warmup;       /* its model warm-up's wall seconds (0 when off) */
    size_t symbols;      /* symbols in the part */
} ms_part_timings;

/*
 * Gives a merged report (ms_analyzer_merge) the timings of the job it
 * ends, which only the caller saw: `total`, the job's wall seconds from the
 * start of the sharded analysis to the merged report, and each part's
 * figures (copied; the JSON report lists them as timings.parts). The
 * report's warm-up becomes the parts' sum; its per-phase sums (data,
 * inference, strategies, forecasts) already are the parts' and `ranking`
 * is the merge's. Errors: MS_ERR_INVALID_ARG (NULL report; NULL parts
 * with count > 0), MS_ERR_NOMEM.
 */
MS_API ms_status ms_report_set_job_timings(ms_report *report, double total,
                                          const ms_part_timings *parts, size_t count);

#ifdef __cplusplus
}
#endif
#endif
