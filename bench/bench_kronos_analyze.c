/*
 * bench_kronos_analyze.c - times one analysis of 30 symbols x 70
 * simulations with a Kronos-small-size checkpoint (random weights, made by
 * ms_model_init_checkpoint("kronos-small") under build/bench/checkpoints/
 * when absent) through the public API: the checkpoint directory opened with
 * ms_model_open and analysed by ms_analyzer_run, the forecast cache off so
 * every forecast is computed. Reads the first 30 files of
 * ../shared/data/daily when present (or the directory given as argv[1]),
 * else the synthetic market.
 *
 * When this library cannot open a Kronos checkpoint as a model (the public
 * Kronos backend absent), it says "Kronos analysis not available" and
 * exits 0: `make bench` runs every benchmark and stops at the first that
 * fails, and a missing backend is not a failed measurement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench_universe.h"
#include "marketsim/marketsim.h"

#define SYMBOLS 30
#define CHECKPOINT "build/bench/checkpoints/kronos-small"

/* The kronos-small pair, written once; false (said on stderr) when it cannot be. */
static int ensure_checkpoint(void)
{
    struct stat info;
    if (stat(CHECKPOINT "/model/model.safetensors", &info) == 0)
        return 1;
    printf("  writing a random kronos-small pair to %s ...\n", CHECKPOINT);
    if (ms_model_init_checkpoint(CHECKPOINT, "kronos-small", 1) == MS_OK)
        return 1;
    fprintf(stderr, "bench_kronos_analyze: %s\n", ms_last_error());
    return 0;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "../shared/data/daily";
    if (!ensure_checkpoint())
        return 1;
    ms_model *model = NULL;
    double started = ms_clock_seconds();
    if (ms_model_open(&model, CHECKPOINT, NULL) != MS_OK) {
        printf("analyze with Kronos: skipped: Kronos analysis not available in this build "
               "(%s)\n", ms_last_error());
        return 0;
    }
    double load = ms_clock_seconds() - started;
    char names[SYMBOLS][32], uri[1024];
    const char *symbols[SYMBOLS];
    const size_t n = SYMBOLS;
    bench_universe(dir, n, names, symbols, uri, sizeof uri);
    ms_source *source = NULL;
    ms_analyzer *analyzer = NULL;
    ms_report *report = NULL;
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.simulations = 70;
    opts.cache = "off";
    if (ms_source_open(&source, uri, NULL) != MS_OK ||
        ms_analyzer_create(&analyzer, source, model, &opts) != MS_OK ||
        ms_analyzer_run(analyzer, symbols, n, &report) != MS_OK) {
        fprintf(stderr, "bench_kronos_analyze: %s\n", ms_last_error());
        return 1;
    }
    const ms_timings *t = ms_report_timings(report);
    printf("analyze with Kronos: %zu symbols x 70 simulations, kronos-small-size random weights "
           "(load %.2f s), data %s, one run\n"
           "  %.1f s total, %zu forecasts computed (%.1f forecasts/s of inference); summed phases: "
           "data %.1f, inference %.1f, strategies %.1f s\n",
           n, load, uri, t->total, t->forecasts_computed,
           t->inference > 0 ? (double)t->forecasts_computed / t->inference : 0.0, t->data, t->inference, t->strategies);
    ms_report_free(report);
    ms_analyzer_free(analyzer);
    ms_source_free(source);
    ms_model_free(model);
    return 0;
}
