/*
 * bench_analyze.c - times whole analyses of 30 symbols x 70 simulations
 * with the baseline model: sequential, then 1, 2 and 4 workers, each the
 * median of several runs in this one process, with the per-phase split.
 * Reads the first 30 files of ../shared/data/daily when present (or the
 * directory given as argv[1]), else the synthetic market.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_universe.h"
#include "marketsim/marketsim.h"

#define SYMBOLS 30
#define RUNS 7

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Returns the median wall time; *phases gets that run's timings. */
static double time_config(ms_source *source, ms_model *model, const char *const *symbols,
                          size_t n, int parallel, int workers, ms_timings *phases)
{
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.simulations = 70;
    opts.parallel = parallel;
    opts.workers = workers;
    double walls[RUNS];
    ms_timings all[RUNS];
    for (int r = 0; r < RUNS; r++) {
        ms_analyzer *analyzer = NULL;
        ms_report *report = NULL;
        if (ms_analyzer_create(&analyzer, source, model, &opts) != MS_OK ||
            ms_analyzer_run(analyzer, symbols, n, &report) != MS_OK) {
            fprintf(stderr, "bench_analyze: %s\n", ms_last_error());
            exit(1);
        }
        all[r] = *ms_report_timings(report);
        walls[r] = all[r].total;
        ms_report_free(report);
        ms_analyzer_free(analyzer);
    }
    double sorted[RUNS];
    memcpy(sorted, walls, sizeof walls);
    qsort(sorted, RUNS, sizeof sorted[0], compare_double);
    for (int r = 0; r < RUNS; r++)
        if (walls[r] == sorted[RUNS / 2])
            *phases = all[r];
    return sorted[RUNS / 2];
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "../shared/data/daily";
    char names[SYMBOLS][32], uri[1024];
    const char *symbols[SYMBOLS];
    const size_t n = SYMBOLS;
    bench_universe(dir, n, names, symbols, uri, sizeof uri);
    ms_source *source = NULL;
    ms_model *model = NULL;
    if (ms_source_open(&source, uri, NULL) != MS_OK || ms_model_open(&model, "baseline", NULL) != MS_OK) {
        fprintf(stderr, "bench_analyze: %s\n", ms_last_error());
        return 1;
    }
    printf("analyze: %zu symbols x 70 simulations x 6 days, baseline model, data %s, median of %d\n",
           n, uri, RUNS);
    const struct { const char *name; int parallel, workers; } configs[] = {
        { "sequential", 0, 1 }, { "1 worker", 1, 1 }, { "2 workers", 1, 2 }, { "4 workers", 1, 4 } };
    double sequential = 0;
    for (size_t c = 0; c < sizeof configs / sizeof configs[0]; c++) {
        ms_timings t = { 0 };
        double wall = time_config(source, model, symbols, n, configs[c].parallel, configs[c].workers, &t);
        if (c == 0)
            sequential = wall;
        printf("  %-10s %7.1f ms  (x%.2f vs sequential; summed phases: data %.1f, inference %.1f, "
               "strategies %.1f ms)\n", configs[c].name, wall * 1e3, sequential / wall,
               t.data * 1e3, t.inference * 1e3, t.strategies * 1e3);
    }
    ms_model_free(model);
    ms_source_free(source);
    return 0;
}
