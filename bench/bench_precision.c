/*
 * bench_precision.c - how far bf16 and int8 move a Toto checkpoint's
 * forecasts and decisions from fp32, over the contexts an analysis uses.
 *
 * Usage: bench_precision [tiny|small|base|CHECKPOINT_DIR [SYMBOLS [DATA_DIR]]]
 * (default base, 39 symbols: the first SYMBOLS files of DATA_DIR, default
 * ../shared/data/daily). Presets are made with ms_model_init_checkpoint
 * under build/bench/checkpoints/ (random weights).
 *
 * 1. Forecast deviation: for each symbol, the percent changes of close,
 *    high and low at each of the newest simulations + eval_days origins
 *    (70 + 6, contexts of up to 512 values, as the analysis plans them),
 *    horizon 1, the exact mean and the 10% / 90% quantiles. Per output:
 *    median, p95 and max of the relative error |x - x_fp32| / |x_fp32| and
 *    of the error in units of the context's scale, sqrt(var + 0.1), the
 *    units Toto computes in (relative errors explode near zero).
 * 2. Decisions: one analysis per precision (70 simulations x 6 days, the
 *    default strategies and ranking); the share of symbols whose best
 *    strategy and side agree with fp32's, and whether the picks are the
 *    same (symbol, strategy and side, in order).
 */
#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "marketsim/marketsim.h"

#define MAX_SYMBOLS 64
#define ORIGINS 76 /* simulations 70 + eval days 6 */
#define CONTEXT 512
#define PRECISIONS 3
#define OUTPUTS 3

static const char *const precisions[PRECISIONS] = { "fp32", "bf16", "int8" };
static const char *const output_names[OUTPUTS] = { "mean", "quantile 0.1", "quantile 0.9" };

static void die(const char *what)
{
    fprintf(stderr, "bench_precision: %s: %s\n", what, ms_last_error());
    exit(1);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(a, b);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static size_t list_symbols(const char *data, char names[MAX_SYMBOLS][32], size_t wanted)
{
    char found[256][32];
    size_t n = 0;
    DIR *dir = opendir(data);
    for (struct dirent *e; dir && (e = readdir(dir)) != NULL && n < 256;) {
        size_t len = strlen(e->d_name);
        if (len > 4 && len < 36 && strcmp(e->d_name + len - 4, ".csv") == 0)
            snprintf(found[n++], 32, "%.*s", (int)(len - 4), e->d_name);
    }
    if (dir)
        closedir(dir);
    qsort(found, n, sizeof found[0], compare_names);
    n = n < wanted ? n : wanted;
    memcpy(names, found, n * sizeof found[0]);
    return n;
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

/* Every context of the analysis: values point into `changes`. */
typedef struct contexts {
    ms_series series[MAX_SYMBOLS * 3 * ORIGINS];
    double scale[MAX_SYMBOLS * 3 * ORIGINS];
    double *changes[MAX_SYMBOLS * 3];
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

static void build_contexts(ms_source *source, char names[][32], size_t symbols, contexts *c)
{
    static const ms_column columns[3] = { MS_COL_CLOSE, MS_COL_HIGH, MS_COL_LOW };
    c->count = 0;
    for (size_t s = 0; s < symbols; s++) {
        ms_bars *bars = NULL;
        if (ms_source_load(source, names[s], &bars) != MS_OK)
            die(names[s]);
        size_t n = ms_bars_len(bars);
        for (int k = 0; k < 3; k++) {
            const double *prices = ms_bars_column(bars, columns[k]);
            double *changes = malloc(n * sizeof *changes);
            if (changes == NULL)
                die("memory");
            changes[0] = NAN; /* never part of a context */
            for (size_t j = 1; j < n; j++)
                changes[j] = prices[j] / prices[j - 1] - 1.0;
            c->changes[s * 3 + k] = changes;
            for (size_t o = 0; o < ORIGINS && o + 2 < n; o++) {
                size_t t = n - 1 - o, length = t < CONTEXT ? t : CONTEXT;
                const double *values = changes + t + 1 - length;
                c->scale[c->count] = context_scale(values, length);
                c->series[c->count] = (ms_series){ values, length, 1, c->count };
                c->count++;
            }
        }
        ms_bars_free(bars);
    }
}

/* [OUTPUTS][count]: mean, q10, q90 of every context, and the seconds. */
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

static void print_spread(const char *label, double *values, size_t n)
{
    qsort(values, n, sizeof *values, compare_doubles);
    printf(" %s %.2e / %.2e / %.2e", label, values[n / 2], values[n * 95 / 100], values[n - 1]);
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
        printf("  %s %-12s", precision, output_names[k]);
        print_spread("relative (median/p95/max)", relative, c->count);
        print_spread("; context scales", units, c->count);
        printf("\n");
    }
    free(relative);
    free(units);
}

static ms_report *analyze(ms_source *source, ms_model *model, const char *const *symbols,
                          size_t n, double *seconds)
{
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.simulations = 70;
    ms_analyzer *analyzer = NULL;
    ms_report *report = NULL;
    double start = ms_clock_seconds();
    if (ms_analyzer_create(&analyzer, source, model, &opts) != MS_OK ||
        ms_analyzer_run(analyzer, symbols, n, &report) != MS_OK)
        die("analysis");
    *seconds = ms_clock_seconds() - start;
    ms_analyzer_free(analyzer);
    return report;
}

static void report_decisions(const char *precision, const ms_report *fp32, const ms_report *port)
{
    size_t agree = 0, n = ms_report_symbol_count(fp32);
    for (size_t i = 0; i < n && i < ms_report_symbol_count(port); i++) {
        const ms_symbol_report *a = ms_report_symbol(fp32, i), *b = ms_report_symbol(port, i);
        agree += strcmp(a->symbol, b->symbol) == 0 && a->best_strategy == b->best_strategy &&
                 a->side == b->side;
    }
    bool same_picks = ms_report_pick_count(fp32) == ms_report_pick_count(port);
    for (size_t i = 0; same_picks && i < ms_report_pick_count(fp32); i++) {
        const ms_pick *a = ms_report_pick(fp32, i), *b = ms_report_pick(port, i);
        same_picks = strcmp(a->symbol, b->symbol) == 0 && a->strategy == b->strategy &&
                     a->side == b->side;
    }
    printf("  %s: best strategy and side as fp32 for %zu of %zu symbols (%.1f%%); picks %s "
           "(%zu vs %zu)\n", precision, agree, n, n ? 100.0 * agree / n : 0.0,
           same_picks ? "the same" : "differ", ms_report_pick_count(port),
           ms_report_pick_count(fp32));
}

int main(int argc, char **argv)
{
    char dir_buf[1024], names[MAX_SYMBOLS][32];
    const char *dir = checkpoint_dir(argc > 1 ? argv[1] : "base", dir_buf, sizeof dir_buf);
    size_t wanted = argc > 2 ? (size_t)atoi(argv[2]) : 39;
    const char *data = argc > 3 ? argv[3] : "../shared/data/daily";
    size_t symbols = list_symbols(data, names, wanted < MAX_SYMBOLS ? wanted : MAX_SYMBOLS);
    if (symbols == 0) {
        fprintf(stderr, "bench_precision: no CSV files in %s\n", data);
        return 1;
    }
    const char *symbol_list[MAX_SYMBOLS];
    for (size_t i = 0; i < symbols; i++)
        symbol_list[i] = names[i];
    ms_source *source = NULL;
    char uri[1100];
    snprintf(uri, sizeof uri, "csv:%s", data);
    if (ms_source_open(&source, uri, NULL) != MS_OK)
        die("source");
    static contexts c;
    build_contexts(source, names, symbols, &c);
    printf("checkpoint %s, %zu symbols (%s .. %s), %zu contexts (close, high, low x %d "
           "origins), horizon 1\n", dir, symbols, names[0], names[symbols - 1], c.count, ORIGINS);

    double *outputs[PRECISIONS];
    ms_report *reports[PRECISIONS] = { NULL };
    for (int p = 0; p < PRECISIONS; p++) {
        ms_model_options opts = MS_MODEL_OPTIONS_INIT;
        opts.precision = precisions[p];
        ms_model *model = NULL;
        outputs[p] = malloc(OUTPUTS * c.count * sizeof(double));
        if (outputs[p] == NULL || ms_model_open(&model, dir, &opts) != MS_OK)
            die(precisions[p]);
        double forecast_seconds = forecast_all(model, &c, outputs[p]);
        double analysis_seconds = 0;
        reports[p] = analyze(source, model, symbol_list, symbols, &analysis_seconds);
        printf("  %s: forecasts %.1f s, analysis %.1f s\n", precisions[p], forecast_seconds,
               analysis_seconds);
        ms_model_free(model);
    }
    printf("\nforecast deviation from fp32:\n");
    for (int p = 1; p < PRECISIONS; p++)
        report_deviation(precisions[p], outputs[p], outputs[0], &c);
    printf("\ndecisions against fp32's (%zu picks):\n", ms_report_pick_count(reports[0]));
    for (int p = 1; p < PRECISIONS; p++)
        report_decisions(precisions[p], reports[0], reports[p]);
    for (int p = 0; p < PRECISIONS; p++) {
        free(outputs[p]);
        ms_report_free(reports[p]);
    }
    for (size_t i = 0; i < symbols * 3; i++)
        free(c.changes[i]);
    ms_source_free(source);
    return 0;
}
