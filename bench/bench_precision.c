/*
 * bench_precision.c - a Toto checkpoint in bf16 and int8 against fp32 over
 * whole analyses: how much faster, and how far the forecasts and decisions
 * move. Checkpoints: a preset (tiny, small, base) is made once with
 * ms_model_init_checkpoint under build/bench/checkpoints/ (random weights),
 * or a checkpoint directory. The forecast cache is off throughout, so
 * every precision computes every forecast.
 *
 * Usage: bench_precision [--accuracy] [--symbols N] [--chunk N] [--data DIR]
 *                        [CHECKPOINT (default base)]
 *
 * Speed (default; what `make bench` runs): an analysis of N (default 30)
 * synthetic symbols x 70 simulations per precision, interleaved: the
 * symbols go in chunks of --chunk (default 5), and each chunk is analysed
 * in every precision in turn (the order rotating per chunk) before the
 * next, so a load change on a shared machine hits the precisions alike.
 * Reported: each precision's summed wall and inference seconds, the ratio
 * of the sums and the median of the per-chunk ratios.
 *
 * --accuracy: the first N (default 39) symbols of DATA (default
 * ../shared/data/daily). (1) Forecast deviation over every context the
 * analysis plans (close, high and low at every origin the walk-forward
 * uses, as its planner lists them), horizon 1: the exact mean and 10% / 90%
 * quantiles; per output the median, p95 and max of the relative error
 * |x - x_fp32| / |x_fp32| and of the error in units of the context's scale
 * sqrt(var + 0.1), the units Toto computes in (relative errors explode near
 * zero). (2) Decisions: one analysis of all N symbols per precision; the
 * share of symbols whose best strategy and side agree with fp32's, and
 * whether the picks are the same (symbol, strategy and side, in order).
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyze/analyze_internal.h"
#include "bench_universe.h"
#include "marketsim/marketsim.h"

#define MAX_SYMBOLS 64
#define PRECISIONS 3
#define OUTPUTS 3
#define SIMULATIONS 70

static const char *const precisions[PRECISIONS] = { "fp32", "bf16", "int8" };
static const char *const output_names[OUTPUTS] = { "mean", "quantile 0.1", "quantile 0.9" };

typedef struct settings {
    bool accuracy;
    size_t symbols, chunk;
    const char *data;
    const char *checkpoint;
} settings;

static void die(const char *what)
{
    fprintf(stderr, "bench_precision: %s: %s\n", what, ms_last_error());
    exit(1);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *values, size_t n)
{
    qsort(values, n, sizeof *values, compare_doubles);
    return values[n / 2];
}

static const char *checkpoint_dir(const char *name, char *buf, size_t size)
{
    struct stat info;
    if (stat(name, &info) == 0 && S_ISDIR(info.st_mode))
        return name;
    snprintf(buf, size, "build/bench/checkpoints/%s", name);
    char file[1100];
    snprintf(file, sizeof file, "%s/model.safetensors", buf);
    if (stat(file, &info) != 0 && ms_model_init_checkpoint(buf, name, 1) != MS_OK)
        die("model init");
    return buf;
}

static ms_model *open_model(const char *dir, const char *precision)
{
    ms_model_options opts = MS_MODEL_OPTIONS_INIT;
    opts.precision = precision;
    ms_model *model = NULL;
    if (ms_model_open(&model, dir, &opts) != MS_OK)
        die(precision);
    return model;
}

static ms_analyzer_options analysis_options(void)
{
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.simulations = SIMULATIONS;
    opts.cache = "off";
    return opts;
}

static ms_report *analyze(ms_source *source, ms_model *model, const char *const *symbols,
                          size_t n, double *seconds)
{
    ms_analyzer_options opts = analysis_options();
    ms_analyzer *analyzer = NULL;
    ms_report *report = NULL;
    double start = ms_clock_seconds();
    if (ms_analyzer_create(&analyzer, source, model, &opts) != MS_OK ||
        ms_analyzer_run(analyzer, symbols, n, &report) != MS_OK)
        die("analysis");
    *seconds = ms_clock_seconds() - start;
    ms_analyzer_free(analyzer);
    if (ms_report_error_count(report) > 0)
        fprintf(stderr, "bench_precision: %s: %s\n", ms_report_error(report, 0)->symbol,
                ms_report_error(report, 0)->message);
    return report;
}

/* ---- Speed ------------------------------------------------------------------ */

static void run_speed(const settings *run, const char *dir)
{
    char names[MAX_SYMBOLS][24]; /* "SYN" and any size_t */
    const char *symbols[MAX_SYMBOLS];
    for (size_t s = 0; s < run->symbols; s++) {
        snprintf(names[s], sizeof names[s], "SYN%02zu", s);
        symbols[s] = names[s];
    }
    ms_source *source = NULL;
    if (ms_source_open(&source, "synthetic:seed=7,bars=1000", NULL) != MS_OK)
        die("synthetic source");
    ms_model *models[PRECISIONS];
    for (int p = 0; p < PRECISIONS; p++)
        models[p] = open_model(dir, precisions[p]);
    size_t chunks = (run->symbols + run->chunk - 1) / run->chunk;
    printf("analysis speed: checkpoint %s, %zu synthetic symbols x %d simulations, forecast "
           "cache off; %zu chunks of up to %zu symbols, each analysed in every precision in "
           "turn\n", dir, run->symbols, SIMULATIONS, chunks, run->chunk);
    double wall[PRECISIONS] = { 0 }, inference[PRECISIONS] = { 0 };
    size_t computed[PRECISIONS] = { 0 };
    double *ratios[PRECISIONS];
    for (int p = 0; p < PRECISIONS; p++)
        if ((ratios[p] = malloc(chunks * sizeof *ratios[p])) == NULL)
            die("memory");
    for (size_t c = 0; c < chunks; c++) {
        size_t first = c * run->chunk;
        size_t n = first + run->chunk <= run->symbols ? run->chunk : run->symbols - first;
        double seconds[PRECISIONS];
        for (int i = 0; i < PRECISIONS; i++) {
            int p = (int)((i + c) % PRECISIONS);
            ms_report *report = analyze(source, models[p], symbols + first, n, &seconds[p]);
            wall[p] += seconds[p];
            inference[p] += ms_report_timings(report)->inference;
            computed[p] += ms_report_timings(report)->forecasts_computed;
            ms_report_free(report);
        }
        printf("  chunk %zu (%s ..): fp32 %.1f s, bf16 %.1f s, int8 %.1f s\n", c, symbols[first],
               seconds[0], seconds[1], seconds[2]);
        fflush(stdout);
        for (int p = 0; p < PRECISIONS; p++)
            ratios[p][c] = seconds[0] / seconds[p];
    }
    printf("\n| precision | analysis wall (s) | inference (s) | forecasts computed | "
           "speed-up vs fp32 (sums) | median of chunk speed-ups |\n|---|---|---|---|---|---|\n");
    for (int p = 0; p < PRECISIONS; p++) {
        printf("| %s | %.1f | %.1f | %zu | %.2fx | %.2fx |\n", precisions[p], wall[p],
               inference[p], computed[p], wall[0] / wall[p], median(ratios[p], chunks));
        free(ratios[p]);
        ms_model_free(models[p]);
    }
    ms_source_free(source);
}

/* ---- Accuracy --------------------------------------------------------------- */

/* Every context the analysis plans, pointing into the symbols' prepared
 * contexts (kept until the end). */
typedef struct contexts {
    ms_symbol_contexts *symbols;
    ms_bars **bars;
    size_t n_symbols;
    ms_series *series;
    double *scale;
    size_t count;
} contexts;

static double context_scale(const double *values, size_t n)
{
    double mean = 0, squares = 0;
    for (size_t i = 0; i < n; i++)
        mean += values[i] / (double)n;
    for (size_t i = 0; i < n; i++)
        squares += (values[i] - mean) * (values[i] - mean);
    return sqrt(squares / (double)n + 0.1);
}

static void plan_contexts(ms_source *source, const char *const *names, size_t n, contexts *c)
{
    ms_analyzer_options given = analysis_options(), opts;
    if (ms_analyzer_options_copy_resolved(&given, &opts) != MS_OK)
        die("options");
    ms_request_list list = { 0 };
    c->symbols = calloc(n, sizeof *c->symbols);
    c->bars = calloc(n, sizeof *c->bars);
    if (c->symbols == NULL || c->bars == NULL)
        die("memory");
    c->n_symbols = n;
    for (size_t s = 0; s < n; s++)
        if (ms_source_load(source, names[s], &c->bars[s]) != MS_OK ||
            ms_symbol_contexts_prepare(&c->symbols[s], c->bars[s], &opts) != MS_OK ||
            ms_plan_symbol(&list, (uint32_t)s, &c->symbols[s], &opts) != MS_OK)
            die(names[s]);
    c->count = list.count;
    c->series = malloc(list.count * sizeof *c->series);
    c->scale = malloc(list.count * sizeof *c->scale);
    if (c->series == NULL || c->scale == NULL)
        die("memory");
    for (size_t i = 0; i < list.count; i++) {
        const ms_context_request *r = &list.items[i];
        c->series[i] = ms_symbol_context(&c->symbols[r->symbol], r->series, r->origin, &opts);
        c->scale[i] = context_scale(c->series[i].values, c->series[i].length);
    }
    ms_request_list_release(&list);
}

static void contexts_release(contexts *c)
{
    for (size_t s = 0; s < c->n_symbols; s++) {
        ms_symbol_contexts_release(&c->symbols[s]);
        ms_bars_free(c->bars[s]);
    }
    free(c->symbols);
    free(c->bars);
    free(c->series);
    free(c->scale);
}

/* out [OUTPUTS][count]: mean, q10, q90 of every context; returns seconds. */
static double forecast_all(ms_model *model, const contexts *c, double *out)
{
    static const double levels[2] = { 0.1, 0.9 };
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    opts.quantiles = levels;
    opts.num_quantiles = 2;
    double *quantiles = malloc(2 * c->count * sizeof *quantiles);
    ms_forecast_output output = { out, quantiles, NULL, NULL };
    double start = ms_clock_seconds();
    if (quantiles == NULL || ms_model_forecast(model, c->series, c->count, &opts, &output) != MS_OK)
        die("forecast");
    double seconds = ms_clock_seconds() - start;
    for (size_t i = 0; i < c->count; i++) {
        out[c->count + i] = quantiles[2 * i];
        out[2 * c->count + i] = quantiles[2 * i + 1];
    }
    free(quantiles);
    return seconds;
}

/* " | median / p95 / max" of n values (sorted in place). */
static void print_spread(double *values, size_t n)
{
    qsort(values, n, sizeof *values, compare_doubles);
    printf(" | %.2g / %.2g / %.2g", values[n / 2], values[n * 95 / 100], values[n - 1]);
}

static void report_deviation(const char *precision, const double *port, const double *ref,
                             const contexts *c)
{
    double *relative = malloc(c->count * sizeof *relative);
    double *units = malloc(c->count * sizeof *units);
    if (relative == NULL || units == NULL)
        die("memory");
    for (size_t k = 0; k < OUTPUTS; k++) {
        for (size_t i = 0; i < c->count; i++) {
            double error = fabs(port[k * c->count + i] - ref[k * c->count + i]);
            double base = fabs(ref[k * c->count + i]);
            relative[i] = base > 0 ? error / base : error > 0 ? INFINITY : 0;
            units[i] = error / c->scale[i];
        }
        printf("| %s | %s", precision, output_names[k]);
        print_spread(relative, c->count);
        print_spread(units, c->count);
        printf(" |\n");
    }
    free(relative);
    free(units);
}

static void report_decisions(const char *precision, const ms_report *fp32, const ms_report *port)
{
    size_t agree = 0, n = ms_report_symbol_count(fp32);
    for (size_t i = 0; i < n; i++) {
        const ms_symbol_report *a = ms_report_symbol(fp32, i);
        for (size_t j = 0; j < ms_report_symbol_count(port); j++) {
            const ms_symbol_report *b = ms_report_symbol(port, j);
            if (strcmp(a->symbol, b->symbol) == 0)
                agree += a->best_strategy == b->best_strategy && a->side == b->side;
        }
    }
    bool same_picks = ms_report_pick_count(fp32) == ms_report_pick_count(port);
    for (size_t i = 0; same_picks && i < ms_report_pick_count(fp32); i++) {
        const ms_pick *a = ms_report_pick(fp32, i), *b = ms_report_pick(port, i);
        same_picks = strcmp(a->symbol, b->symbol) == 0 && a->strategy == b->strategy &&
                     a->side == b->side;
    }
    printf("| %s | %zu of %zu (%.1f%%) | %s (%zu vs %zu picks) |\n", precision, agree, n,
           n ? 100.0 * agree / n : 0.0, same_picks ? "the same" : "differ",
           ms_report_pick_count(port), ms_report_pick_count(fp32));
}

static void run_accuracy(const settings *run, const char *dir)
{
    char names[MAX_SYMBOLS][32];
    size_t n = bench_list_symbols(run->data, names, run->symbols);
    if (n == 0) {
        fprintf(stderr, "bench_precision: no CSV files in %s\n", run->data);
        exit(1);
    }
    const char *symbols[MAX_SYMBOLS];
    for (size_t i = 0; i < n; i++)
        symbols[i] = names[i];
    ms_source *source = NULL;
    char uri[1100];
    snprintf(uri, sizeof uri, "csv:%s", run->data);
    if (ms_source_open(&source, uri, NULL) != MS_OK)
        die("source");
    contexts c = { 0 };
    plan_contexts(source, symbols, n, &c);
    printf("accuracy: checkpoint %s, %zu symbols (%s .. %s), the %zu contexts their analysis "
           "plans (close, high, low; %d simulations, walk-forward), horizon 1\n", dir, n,
           names[0], names[n - 1], c.count, SIMULATIONS);
    double *outputs[PRECISIONS];
    ms_report *reports[PRECISIONS];
    for (int p = 0; p < PRECISIONS; p++) {
        ms_model *model = open_model(dir, precisions[p]);
        if ((outputs[p] = malloc(OUTPUTS * c.count * sizeof(double))) == NULL)
            die("memory");
        double forecast_seconds = forecast_all(model, &c, outputs[p]);
        double analysis_seconds = 0;
        reports[p] = analyze(source, model, symbols, n, &analysis_seconds);
        printf("  %s: forecasts %.1f s, analysis %.1f s\n", precisions[p], forecast_seconds,
               analysis_seconds);
        fflush(stdout);
        ms_model_free(model);
    }
    printf("\n| precision | output | relative error (median / p95 / max) | error in context "
           "scales (median / p95 / max) |\n|---|---|---|---|\n");
    for (int p = 1; p < PRECISIONS; p++)
        report_deviation(precisions[p], outputs[p], outputs[0], &c);
    printf("\n| precision | best strategy and side as fp32 | picks |\n|---|---|---|\n");
    for (int p = 1; p < PRECISIONS; p++)
        report_decisions(precisions[p], reports[0], reports[p]);
    for (int p = 0; p < PRECISIONS; p++) {
        free(outputs[p]);
        ms_report_free(reports[p]);
    }
    contexts_release(&c);
    ms_source_free(source);
}

int main(int argc, char **argv)
{
    settings run = { false, 0, 5, "../shared/data/daily", "base" };
    for (int i = 1; i < argc; i++) {
        bool valued = i + 1 < argc;
        if (strcmp(argv[i], "--accuracy") == 0)
            run.accuracy = true;
        else if (strcmp(argv[i], "--symbols") == 0 && valued)
            run.symbols = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--chunk") == 0 && valued)
            run.chunk = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--data") == 0 && valued)
            run.data = argv[++i];
        else
            run.checkpoint = argv[i];
    }
    if (run.symbols == 0 || run.symbols > MAX_SYMBOLS)
        run.symbols = run.accuracy ? 39 : 30;
    if (run.chunk == 0)
        run.chunk = 5;
    char dir_buf[1024];
    const char *dir = checkpoint_dir(run.checkpoint, dir_buf, sizeof dir_buf);
    if (run.accuracy)
        run_accuracy(&run, dir);
    else
        run_speed(&run, dir);
    return 0;
}
