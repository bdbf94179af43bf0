/*
 * bench_cycle.c - the daily trading cycle with the persistent forecast
 * cache (issue 15): a cold cycle (empty cache, model loaded), a same-day
 * repeat with the model kept loaded (as `trade --loop` runs it), the same
 * repeat in a new process (model loaded again), and the next day's cycle
 * (one more bar per symbol, model kept), each split into model load,
 * data, inference and total wall time.
 *
 * argv[1]: the checkpoint preset (default base, made by `model init` under
 * build/bench/checkpoints, random weights); argv[2]: symbols (default 30).
 * Data: synthetic bars written as CSV files in a scratch directory, the
 * last bar held back for the next day, so the benchmark needs no shared
 * data. 70 simulations, default options otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "marketsim/marketsim.h"

#define MAX_SYMBOLS 64
#define SIMULATIONS 70
#define BARS 1000

typedef struct cycle {
    const char *name;
    double load, data, inference, total;
    size_t cached, computed;
} cycle;

static void die(const char *what)
{
    fprintf(stderr, "bench_cycle: %s: %s\n", what, ms_last_error());
    exit(1);
}

/* Writes each symbol's first `bars` synthetic bars (of BARS + 1) as CSV. */
static void write_day(const char *dir, char names[][16], size_t count, size_t bars)
{
    char uri[64];
    snprintf(uri, sizeof uri, "synthetic:seed=7,bars=%d", BARS + 1);
    ms_source *synthetic = NULL;
    if (ms_source_open(&synthetic, uri, NULL) != MS_OK)
        die("synthetic source");
    for (size_t s = 0; s < count; s++) {
        ms_bars *series = NULL;
        if (ms_source_load(synthetic, names[s], &series) != MS_OK)
            die("synthetic bars");
        char path[4200];
        snprintf(path, sizeof path, "%s/%s.csv", dir, names[s]);
        FILE *f = fopen(path, "w");
        if (f == NULL)
            die("writing the CSV files");
        fprintf(f, "Date,Open,High,Low,Close,Volume\n");
        const int64_t *times = ms_bars_timestamps(series);
        for (size_t i = 0; i < bars; i++) {
            time_t t = (time_t)times[i];
            struct tm utc;
            char date[16];
            gmtime_r(&t, &utc);
            strftime(date, sizeof date, "%Y-%m-%d", &utc);
            fprintf(f, "%s,%.17g,%.17g,%.17g,%.17g,%.17g\n", date,
                    ms_bars_column(series, MS_COL_OPEN)[i], ms_bars_column(series, MS_COL_HIGH)[i],
                    ms_bars_column(series, MS_COL_LOW)[i], ms_bars_column(series, MS_COL_CLOSE)[i],
                    ms_bars_column(series, MS_COL_VOLUME)[i]);
        }
        fclose(f);
        ms_bars_free(series);
    }
    ms_source_free(synthetic);
}

static ms_model *load_model(const char *checkpoint, double *seconds)
{
    ms_model *model = NULL;
    double started = ms_clock_seconds();
    if (ms_model_open(&model, checkpoint, NULL) != MS_OK)
        die("loading the model");
    *seconds = ms_clock_seconds() - started;
    return model;
}

/* One cycle's analysis; `load` is the model load it paid (0 when kept). */
static cycle run_cycle(const char *name, const char *data_dir, ms_model *model, double load,
                       const char *cache, const char *const *symbols, size_t count)
{
    char uri[4200];
    snprintf(uri, sizeof uri, "csv:%s", data_dir);
    double started = ms_clock_seconds();
    ms_source *source = NULL;
    ms_analyzer *analyzer = NULL;
    ms_report *report = NULL;
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.simulations = SIMULATIONS;
    opts.cache = cache;
    if (ms_source_open(&source, uri, NULL) != MS_OK ||
        ms_analyzer_create(&analyzer, source, model, &opts) != MS_OK ||
        ms_analyzer_run(analyzer, symbols, count, &report) != MS_OK)
        die(name);
    double wall = ms_clock_seconds() - started;
    if (ms_report_error_count(report) > 0)
        fprintf(stderr, "bench_cycle: %s: %s\n", ms_report_error(report, 0)->symbol,
                ms_report_error(report, 0)->message);
    const ms_timings *t = ms_report_timings(report);
    cycle c = { name, load, t->data, t->inference, load + wall, t->forecasts_cached,
                t->forecasts_computed };
    ms_report_free(report);
    ms_analyzer_free(analyzer);
    ms_source_free(source);
    return c;
}

static void print_cycles(const cycle *cycles, size_t n)
{
    printf("| cycle | load (s) | data (s, summed) | inference (s) | total (s) | forecasts "
           "cached / computed | total vs cold |\n|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < n; i++)
        printf("| %s | %.2f | %.2f | %.2f | %.2f | %zu / %zu | 1/%.0f |\n", cycles[i].name,
               cycles[i].load, cycles[i].data, cycles[i].inference, cycles[i].total,
               cycles[i].cached, cycles[i].computed, cycles[0].total / cycles[i].total);
}

int main(int argc, char **argv)
{
    const char *preset = argc > 1 ? argv[1] : "base";
    size_t count = argc > 2 ? strtoul(argv[2], NULL, 10) : 30;
    if (count == 0 || count > MAX_SYMBOLS)
        count = 30;
    char checkpoint[256];
    snprintf(checkpoint, sizeof checkpoint, "build/bench/checkpoints/%s", preset);
    struct stat info;
    if (stat(checkpoint, &info) != 0 && ms_model_init_checkpoint(checkpoint, preset, 1) != MS_OK)
        die("making the checkpoint");
    char scratch[] = "/tmp/bench_cycle.XXXXXX";
    if (mkdtemp(scratch) == NULL)
        die("scratch directory");
    char names[MAX_SYMBOLS][16], cache[4200], command[4300];
    const char *symbols[MAX_SYMBOLS];
    for (size_t s = 0; s < count; s++) {
        snprintf(names[s], sizeof names[s], "SYN%02zu", s);
        symbols[s] = names[s];
    }
    snprintf(cache, sizeof cache, "%s/forecasts.sqlite", scratch);
    write_day(scratch, names, count, BARS);

    cycle cycles[4];
    double load;
    ms_model *model = load_model(checkpoint, &load);
    cycles[0] = run_cycle("cold (empty cache)", scratch, model, load, cache, symbols, count);
    cycles[1] = run_cycle("same-day repeat, model kept (trade --loop)", scratch, model, 0, cache,
                          symbols, count);
    ms_model_free(model);
    model = load_model(checkpoint, &load);
    cycles[2] = run_cycle("same-day repeat, model loaded again (new process)", scratch, model,
                          load, cache, symbols, count);
    write_day(scratch, names, count, BARS + 1);
    cycles[3] = run_cycle("next day, one more bar, model kept", scratch, model, 0, cache,
                          symbols, count);
    ms_model_free(model);

    printf("\nDaily cycle with the forecast cache: %s checkpoint, %zu symbols x %d "
           "simulations, %d bars\n", preset, count, SIMULATIONS, BARS);
    print_cycles(cycles, 4);
    snprintf(command, sizeof command, "rm -rf '%s'", scratch);
    return system(command) == 0 ? 0 : 1;
}
