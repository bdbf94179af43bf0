/*
 * bench_engine.c - the analysis engine against the reference system's
 * performance matrix and call pattern, with a Toto checkpoint made by
 * `model init` (default small; argv[1] = tiny|small|base).
 *
 * 1. The matrix: Baseline (sequential, no warm-up), Warm-up only, Parallel
 *    only, Both; each a fresh process (this program re-executed) timing its
 *    first run (load + warm-up + analysis) and a second analysis; medians
 *    of interleaved rounds.
 * 2. Ablations, from the reference call pattern (every (simulation, day)
 *    pair, 8 passes per context for its sample batches, one context per
 *    call, symbol after symbol) to our engine. The reference rows cost
 *    minutes per symbol, so rows marked "scaled" run SUBSET symbols and are
 *    scaled to the full universe: their work is per symbol and sequential.
 * 3. Phase shares and throughput of the full engine.
 * 4. The split of the cores between libtorch and the pool.
 * 5. What reproducibility costs: batches within each symbol (the engine)
 *    against the former cross-symbol batches (the shared-batches ablation).
 * argv[2], optional: one section to run alone (matrix, phases, ablations,
 * cores, reproducible),
 * for diagnosis without the minutes the whole benchmark takes.
 * Data: the first 30 files of ../shared/data/daily, else the synthetic market.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "marketsim/marketsim.h"

#define SYMBOLS 30
#define SIMULATIONS 70
#define SUBSET 2

typedef struct universe {
    char names[SYMBOLS][32];
    const char *symbols[SYMBOLS];
    size_t count;
    char uri[1024];
} universe;

static int compare_names(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void load_universe(universe *u)
{
    char found[256][32];
    size_t n = 0;
    DIR *dir = opendir("../shared/data/daily");
    for (struct dirent *e; dir && (e = readdir(dir)) != NULL && n < 256;) {
        size_t len = strlen(e->d_name);
        if (len > 4 && len < 36 && strcmp(e->d_name + len - 4, ".csv") == 0)
            snprintf(found[n++], 32, "%.*s", (int)(len - 4), e->d_name);
    }
    if (dir)
        closedir(dir);
    qsort(found, n, sizeof found[0], compare_names);
    if (n >= SYMBOLS) {
        snprintf(u->uri, sizeof u->uri, "csv:../shared/data/daily");
        memcpy(u->names, found, sizeof u->names);
    } else {
        snprintf(u->uri, sizeof u->uri, "synthetic");
        for (size_t i = 0; i < SYMBOLS; i++)
            snprintf(u->names[i], 32, "SYN%02zu", i);
    }
    u->count = SYMBOLS;
    for (size_t i = 0; i < SYMBOLS; i++)
        u->symbols[i] = u->names[i];
}

static void die(const char *what)
{
    fprintf(stderr, "bench_engine: %s: %s\n", what, ms_last_error());
    exit(1);
}

/* One analysis; returns its wall seconds and adds its forward passes. */
static double analyze(ms_source *source, ms_model *model, const ms_analyzer_options *opts,
                      const char *const *symbols, size_t n, ms_timings *timings, uint64_t *passes)
{
    ms_model_stats before, after;
    ms_model_get_stats(model, &before);
    ms_analyzer *analyzer = NULL;
    ms_report *report = NULL;
    double started = ms_clock_seconds();
    if (ms_analyzer_create(&analyzer, source, model, opts) != MS_OK ||
        ms_analyzer_run(analyzer, symbols, n, &report) != MS_OK)
        die("analysis");
    double seconds = ms_clock_seconds() - started;
    if (timings)
        *timings = *ms_report_timings(report);
    ms_model_get_stats(model, &after);
    if (passes)
        *passes = after.forward_passes - before.forward_passes;
    ms_report_free(report);
    ms_analyzer_free(analyzer);
    return seconds;
}

static ms_analyzer_options options(int parallel, int warmup, size_t batch, unsigned ablations)
{
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.simulations = SIMULATIONS;
    opts.parallel = parallel;
    opts.warmup = warmup;
    opts.batch_size = batch;
    opts.ablations = ablations;
    return opts;
}

/* Child: one matrix configuration in a fresh process; prints "first second". */
static int run_child(const char *checkpoint, int parallel, int warmup)
{
    universe u;
    load_universe(&u);
    double started = ms_clock_seconds();
    ms_source *source = NULL;
    ms_model *model = NULL;
    if (ms_source_open(&source, u.uri, NULL) != MS_OK || ms_model_open(&model, checkpoint, NULL) != MS_OK)
        die("setup");
    ms_analyzer_options opts = options(parallel, warmup, 0, 0);
    analyze(source, model, &opts, u.symbols, u.count, NULL, NULL);
    double first = ms_clock_seconds() - started;
    opts.warmup = 0; /* the process is warm now */
    double second = analyze(source, model, &opts, u.symbols, u.count, NULL, NULL);
    printf("%.6f %.6f\n", first, second);
    ms_model_free(model);
    ms_source_free(source);
    return 0;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The four configurations run in turn, MATRIX_ROUNDS times over, and each
 * cell is the median of its rounds: interleaving spreads the VM's drift
 * over every configuration instead of penalising whichever ran in a slow
 * minute. */
#define MATRIX_ROUNDS 3
static void run_matrix(const char *self, const char *checkpoint)
{
    static const struct { const char *name; int parallel, warmup; } configs[] = {
        { "Baseline", 0, 0 }, { "Warm-up only", 0, 1 }, { "Parallel only", 1, 0 }, { "Both", 1, 1 } };
    double first[4][MATRIX_ROUNDS], second[4][MATRIX_ROUNDS];
    for (int round = 0; round < MATRIX_ROUNDS; round++)
        for (int c = 0; c < 4; c++) {
            char command[4096];
            snprintf(command, sizeof command, "%s --child %s %d %d", self, checkpoint,
                     configs[c].parallel, configs[c].warmup);
            FILE *child = popen(command, "r");
            if (child == NULL || fscanf(child, "%lf %lf", &first[c][round], &second[c][round]) != 2)
                die("matrix child");
            pclose(child);
        }
    printf("\n1. Performance matrix (%d symbols x %d simulations; fresh process per run; "
           "median of %d interleaved rounds)\n", SYMBOLS, SIMULATIONS, MATRIX_ROUNDS);
    printf("| configuration | first run (s) | subsequent (s) | first vs Baseline | subsequent vs Baseline |"
           " first / subsequent |\n|---|---|---|---|---|---|\n");
    for (int c = 0; c < 4; c++) {
        qsort(first[c], MATRIX_ROUNDS, sizeof(double), compare_doubles);
        qsort(second[c], MATRIX_ROUNDS, sizeof(double), compare_doubles);
    }
    const int mid = MATRIX_ROUNDS / 2;
    for (int c = 0; c < 4; c++)
        printf("| %s | %.2f | %.2f | %.2fx | %.2fx | %.2f |\n", configs[c].name, first[c][mid],
               second[c][mid], first[0][mid] / first[c][mid], second[0][mid] / second[c][mid],
               first[c][mid] / second[c][mid]);
}

static void run_ablations(ms_source *source, ms_model *model, const universe *u)
{
    const unsigned reference = MS_ABLATE_NO_DEDUP | MS_ABLATE_RERUN_SAMPLES | MS_ABLATE_NO_OVERLAP;
    const struct { const char *name; unsigned ablations; size_t batch; int parallel, scaled; } rows[] = {
        { "reference call pattern", reference, 1, 0, 1 },
        { "+ de-duplication", reference & ~MS_ABLATE_NO_DEDUP, 1, 0, 1 },
        { "+ one pass per context", MS_ABLATE_NO_OVERLAP, 1, 0, 0 },
        { "+ batching within each symbol", MS_ABLATE_NO_OVERLAP, 0, 1, 0 },
        { "+ overlap (our engine)", 0, 0, 1, 0 },
    };
    double seconds[5];
    printf("\n2. Ablations (%d symbols x %d simulations; scaled rows run %d symbols x %d/%d)\n",
           SYMBOLS, SIMULATIONS, SUBSET, SYMBOLS, SUBSET);
    printf("| engine | forward passes | seconds | vs reference |\n|---|---|---|---|\n");
    for (int r = 0; r < 5; r++) {
        ms_analyzer_options opts = options(rows[r].parallel, 0, rows[r].batch, rows[r].ablations);
        size_t n = rows[r].scaled ? SUBSET : u->count;
        double scale = (double)u->count / (double)n;
        uint64_t passes = 0;
        seconds[r] = analyze(source, model, &opts, u->symbols, n, NULL, &passes) * scale;
        printf("| %s%s | %.0f | %.2f | %.1fx |\n", rows[r].name, rows[r].scaled ? " (scaled)" : "",
               passes * scale, seconds[r], seconds[0] / seconds[r]);
    }
}

/* The bare forward pass's rate on the same model in the same process:
 * `calls` back-to-back forecasts (after one untimed) of `batch` contexts of
 * the analysis' length (512 percent changes of a random walk), horizon 1,
 * mean only. Totals, not a median, as the analysis' throughput is a total. */
#define FORWARD_CONTEXT 512
static double forward_rate(ms_model *model, size_t batch, uint64_t calls)
{
    double *values = malloc(batch * FORWARD_CONTEXT * sizeof *values);
    ms_series *series = malloc(batch * sizeof *series);
    double *mean = malloc(batch * sizeof *mean);
    if (values == NULL || series == NULL || mean == NULL)
        die("out of memory");
    uint64_t state = 88172645463325252ULL;
    for (size_t i = 0; i < batch * FORWARD_CONTEXT; i++) {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        values[i] = ((double)(state >> 11) * 0x1.0p-53 - 0.5) * 0.04;
    }
    for (size_t i = 0; i < batch; i++)
        series[i] = (ms_series){ values + i * FORWARD_CONTEXT, FORWARD_CONTEXT, 1, i };
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    ms_forecast_output out = { .mean = mean };
    double started = 0;
    for (uint64_t call = 0; call <= calls; call++) {
        if (call == 1)
            started = ms_clock_seconds();
        if (ms_model_forecast(model, series, batch, &opts, &out) != MS_OK)
            die("forward pass");
    }
    double rate = (double)(batch * calls) / (ms_clock_seconds() - started);
    free(mean);
    free(series);
    free(values);
    return rate;
}

/* The throughput ratio compares two measurements of several seconds each
 * on a shared VM whose speed drifts by up to 20% (docs/performance.md), so
 * the bare forward pass runs as many passes as the analysis did, once right
 * before it and once right after, and the analysis is compared with their
 * mean: drift in either direction then moves both sides alike. */
static void run_throughput(ms_source *source, ms_model *model, const universe *u, uint64_t passes)
{
    ms_analyzer_options opts = options(1, 1, 0, 0);
    ms_timings t;
    ms_model_stats before, after;
    double ahead = forward_rate(model, 64, passes);
    ms_model_get_stats(model, &before);
    double analysis = analyze(source, model, &opts, u->symbols, u->count, &t, NULL) - t.warmup;
    ms_model_get_stats(model, &after);
    double behind = forward_rate(model, 64, passes);
    double throughput = (double)(after.contexts - before.contexts) / analysis;
    double forward = (ahead + behind) / 2;
    printf("bare forward pass, batch 64, %llu passes right before and after a second analysis: "
           "%.0f and %.0f forecasts/s;\nthat analysis: %.0f contexts/s = %.1f%% of their mean\n",
           (unsigned long long)passes, ahead, behind, throughput, 100 * throughput / forward);
}

static void run_phases(ms_source *source, ms_model *model, const universe *u, double load_seconds)
{
    ms_analyzer_options opts = options(1, 1, 0, 0);
    ms_timings t;
    uint64_t passes = 0;
    ms_model_stats before, after;
    ms_model_get_stats(model, &before);
    double wall = analyze(source, model, &opts, u->symbols, u->count, &t, &passes);
    ms_model_get_stats(model, &after);
    double contexts = (double)(after.contexts - before.contexts);
    double inference = (double)after.busy_seconds - (double)before.busy_seconds;
    double analysis = wall - t.warmup;
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("\n3. Phases of one full-engine run (Both), wall %.2f s\n", wall + load_seconds);
    printf("| phase | seconds | share |\n|---|---|---|\n");
    double total = wall + load_seconds;
    printf("| model load | %.3f | %.1f%% |\n", load_seconds, 100 * load_seconds / total);
    printf("| warm-up | %.3f | %.1f%% |\n", t.warmup, 100 * t.warmup / total);
    printf("| inference (model busy) | %.3f | %.1f%% |\n", inference, 100 * inference / total);
    printf("| data (overlapped, summed) | %.3f | |\n| strategies (overlapped, summed) | %.3f | |\n",
           t.data, t.strategies);
    printf("| other (analysis wall - inference) | %.3f | %.1f%% |\n", analysis - inference,
           100 * (analysis - inference) / total);
    printf("inference share of the analysis wall time: %.1f%%\n", 100 * inference / analysis);
    printf("throughput: %.0f contexts/s in %llu forward passes (batches of up to 64); peak RSS %.0f MiB\n",
           contexts / analysis, (unsigned long long)passes, usage.ru_maxrss / 1024.0);
    run_throughput(source, model, u, passes);
}

/* How the cores are split: libtorch's intra-op threads (all cores, the
 * default, or one) against the pool's workers (the default, or one), and the
 * sequential engine; analysis seconds with warm-up, in one process. */
static void run_core_split(ms_source *source, const char *checkpoint, const universe *u)
{
    static const struct { const char *name; int threads, parallel, workers; } splits[] = {
        { "all cores to libtorch, default workers (the default)", 0, 1, 0 },
        { "all cores to libtorch, 1 worker", 0, 1, 1 },
        { "all cores to libtorch, sequential engine", 0, 0, 0 },
        { "1 libtorch thread, default workers", 1, 1, 0 },
        { "1 libtorch thread, 1 worker", 1, 1, 1 },
    };
    printf("\n4. How the cores are split (%ld cpus; analysis seconds with warm-up)\n",
           sysconf(_SC_NPROCESSORS_ONLN));
    printf("| split | seconds | vs the default |\n|---|---|---|\n");
    double reference = 0;
    for (size_t i = 0; i < sizeof splits / sizeof splits[0]; i++) {
        ms_model_options model_opts = MS_MODEL_OPTIONS_INIT;
        model_opts.num_threads = splits[i].threads;
        ms_model *model = NULL;
        if (ms_model_open(&model, checkpoint, &model_opts) != MS_OK)
            die("model");
        ms_analyzer_options opts = options(splits[i].parallel, 1, 0, 0);
        opts.workers = splits[i].workers;
        ms_timings t;
        double seconds = analyze(source, model, &opts, u->symbols, u->count, &t, NULL) - t.warmup;
        if (i == 0)
            reference = seconds;
        printf("| %s | %.2f | %.2fx |\n", splits[i].name, seconds, reference / seconds);
        ms_model_free(model);
    }
}

/* Reproducible batches (each symbol's contexts among themselves, in a
 * canonical order) against the cross-symbol batches they replaced, both
 * the full engine with warm-up; interleaved rounds, medians, as the
 * matrix does against the VM's drift. */
#define REPRO_ROUNDS 5
static void run_reproducible(ms_source *source, ms_model *model, const universe *u)
{
    static const struct { const char *name; unsigned ablations; } engines[] = {
        { "cross-symbol batches in load order (before; --ablate shared-batches)",
          MS_ABLATE_SHARED_BATCHES },
        { "batches within each symbol, canonical order (reproducible)", 0 },
    };
    double seconds[2][REPRO_ROUNDS], contexts[2] = { 0 };
    uint64_t passes[2] = { 0 };
    for (int round = 0; round < REPRO_ROUNDS; round++)
        for (int e = 0; e < 2; e++) {
            ms_analyzer_options opts = options(1, 1, 0, engines[e].ablations);
            ms_model_stats before, after;
            ms_timings t;
            ms_model_get_stats(model, &before);
            seconds[e][round] = analyze(source, model, &opts, u->symbols, u->count, &t,
                                        &passes[e]) - t.warmup;
            ms_model_get_stats(model, &after);
            contexts[e] = (double)(after.contexts - before.contexts);
        }
    printf("\n5. Reproducible batches (%d symbols x %d simulations, Both; median of %d "
           "interleaved rounds)\n", SYMBOLS, SIMULATIONS, REPRO_ROUNDS);
    printf("| engine | forward passes | seconds | contexts/s | throughput vs before |\n"
           "|---|---|---|---|---|\n");
    double rate[2];
    for (int e = 0; e < 2; e++) {
        qsort(seconds[e], REPRO_ROUNDS, sizeof(double), compare_doubles);
        rate[e] = contexts[e] / seconds[e][REPRO_ROUNDS / 2];
        printf("| %s | %llu | %.2f | %.0f | %.1f%% |\n", engines[e].name,
               (unsigned long long)passes[e], seconds[e][REPRO_ROUNDS / 2], rate[e],
               100 * rate[e] / rate[0]);
    }
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "--child") == 0)
        return run_child(argv[2], atoi(argv[3]), atoi(argv[4]));
    const char *preset = argc > 1 ? argv[1] : "small";
    const char *only = argc > 2 ? argv[2] : NULL;
    if (only && strcmp(only, "matrix") && strcmp(only, "phases") && strcmp(only, "ablations")
        && strcmp(only, "cores") && strcmp(only, "reproducible")) {
        fprintf(stderr, "usage: bench_engine [tiny|small|base] "
                "[matrix|phases|ablations|cores|reproducible]\n");
        return 2;
    }
    char checkpoint[256];
    snprintf(checkpoint, sizeof checkpoint, "build/bench/checkpoints/%s", preset);
    struct stat info;
    if (stat(checkpoint, &info) != 0 && ms_model_init_checkpoint(checkpoint, preset, 1) != MS_OK)
        die("model init");
    universe u;
    load_universe(&u);
    printf("engine benchmark: Toto %s (random weights), data %s\n", preset, u.uri);
    if (only == NULL || strcmp(only, "matrix") == 0)
        run_matrix(argv[0], checkpoint);
    if (only && strcmp(only, "matrix") == 0)
        return 0;
    double started = ms_clock_seconds();
    ms_source *source = NULL;
    ms_model *model = NULL;
    if (ms_source_open(&source, u.uri, NULL) != MS_OK || ms_model_open(&model, checkpoint, NULL) != MS_OK)
        die("setup");
    double load_seconds = ms_clock_seconds() - started;
    if (only == NULL || strcmp(only, "phases") == 0)
        run_phases(source, model, &u, load_seconds);
    if (only == NULL || strcmp(only, "ablations") == 0)
        run_ablations(source, model, &u);
    if (only == NULL || strcmp(only, "cores") == 0)
        run_core_split(source, checkpoint, &u);
    if (only == NULL || strcmp(only, "reproducible") == 0)
        run_reproducible(source, model, &u);
    ms_model_free(model);
    ms_source_free(source);
    return 0;
}
