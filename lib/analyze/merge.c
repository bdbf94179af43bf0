/*
 * merge.c - ms_analyzer_merge: the report of one analysis whose symbols
 * were analysed in parts (by other processes: docs/scaling.md). The parts'
 * symbol reports and errors fill the jobs in place of the engine, and the
 * analyzer's own steps do the rest (spellings, collection, freshness,
 * ranking, picks: ms_analyzer_assemble), so a merged report is the one
 * ms_analyzer_run would have made: each symbol's results depend only on
 * its own data, the model and the options (tests/test_reproducible.c), and
 * everything across symbols is judged again here over all of them.
 * ms_report_set_job_timings then gives the merged report the job's
 * timings, which only the caller measured.
 */
#include <stdlib.h>
#include <string.h>

#include "report_pack.h"

typedef struct merge_parts {
    ms_pack_results *parts;
    size_t count;
} merge_parts;

/* Moves the first result for job->symbol out of the parts into the job;
 * false when no part has one. */
static bool take_result(merge_parts *m, ms_symbol_job *job)
{
    for (size_t p = 0; p < m->count; p++) {
        ms_pack_results *part = &m->parts[p];
        for (size_t i = 0; i < part->symbol_count; i++) {
            ms_symbol_report *found = &part->symbols[i];
            if (found->symbol == NULL || strcmp(found->symbol, job->symbol) != 0)
                continue;
            ms_symbol_report_release(&job->report);
            job->report = *found;
            *found = (ms_symbol_report){ 0 };
            return true;
        }
        for (size_t i = 0; i < part->error_count; i++) {
            ms_symbol_error *error = &part->errors[i];
            if (error->symbol == NULL || strcmp(error->symbol, job->symbol) != 0)
                continue;
            job->status = error->status;
            job->message = (char *)error->message;
            error->message = NULL;
            free((char *)error->symbol);
            error->symbol = NULL;
            return true;
        }
    }
    return false;
}

static ms_status parts_fill(void *context, ms_analyzer *analyzer, ms_report *report,
                            ms_symbol_job *jobs, size_t count)
{
    (void)analyzer;
    (void)report;
    for (size_t i = 0; i < count; i++)
        if (jobs[i].status == MS_OK && !take_result(context, &jobs[i]))
            return ms_error(MS_ERR_INVALID_ARG,
                            "ms_analyzer_merge: no part has a result for %s", jobs[i].symbol);
    return MS_OK;
}

MS_API ms_status ms_analyzer_merge(ms_analyzer *analyzer, const char *const *symbols, size_t n,
                                   const void *const *parts, const size_t *sizes, size_t count,
                                   ms_report **out)
{
    if (analyzer == NULL || out == NULL || (symbols == NULL && n > 0) ||
        ((parts == NULL || sizes == NULL) && count > 0))
        return ms_error(MS_ERR_INVALID_ARG, "ms_analyzer_merge: NULL argument");
    *out = NULL;
    merge_parts m = { .parts = calloc(count ? count : 1, sizeof *m.parts) };
    ms_status status = m.parts ? MS_OK : ms_error(MS_ERR_NOMEM, "out of memory merging parts");
    for (; status == MS_OK && m.count < count; m.count++)
        status = ms_pack_unpack(parts[m.count], sizes[m.count], &m.parts[m.count]);
    if (status == MS_OK)
        status = ms_analyzer_assemble(analyzer, symbols, n, parts_fill, &m, out);
    for (size_t p = 0; p < m.count; p++)
        ms_pack_results_release(&m.parts[p]);
    free(m.parts);
    return status;
}

MS_API ms_status ms_report_set_job_timings(ms_report *report, double total,
                                          const ms_part_timings *parts, size_t count)
{
    if (report == NULL || (parts == NULL && count > 0))
        return ms_error(MS_ERR_INVALID_ARG, "ms_report_set_job_timings: NULL argument");
    ms_part_timings *copy = calloc(count ? count : 1, sizeof *copy);
    if (copy == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory for a job's timings");
    report->timings.warmup = 0;
    for (size_t i = 0; i < count; i++) {
        copy[i] = parts[i];
        report->timings.warmup += parts[i].warmup;
    }
    free(report->parts);
    report->parts = copy;
    report->part_count = count;
    report->timings.total = total;
    return MS_OK;
}
