/*
 * bench_cycle.c - the daily trading cycle with the persistent forecast
 * cache (issue 15): a cold cycle (empty cache, model loaded), a same-day
 * repeat with the model kept loaded (as `trade --loop` runs it), the same
 * repeat in a new process (model loaded again), and the next day's cycle
 * (one more bar per symbol, model kept), each split into model load,
 * data, inference and total wall time, with the ratios the issue targets.
 * Before the cycles, a fresh process (this program re-executed) loads the
 * checkpoint alone and reports its load time and where its peak RSS goes.
 *
 * argv[1]: the checkpoint preset (default base, made by `model init` under
 * build/bench/checkpoints, random weights); argv[2] or BENCH_CYCLE_SYMBOLS:
 * symbols (default 30; fewer to try it out). 70 simulations, default
 * options otherwise. `bench_cycle --load-alone DIR` runs only the
 * fresh-process load of checkpoint DIR (what the re-executed process does).
 * Data: the first symbols (by name) of ../shared/data/daily, or of the
 * directory MARKETSIM_BENCH_DATA names, when it has enough; else the
 * synthetic market. Either is written as CSV files in a scratch directory
 * without its last bar, which the next day adds.
 */
#define _DEFAULT_SOURCE   /* getloadavg */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "marketsim/marketsim.h"

#define MAX_SYMBOLS 64
#define SIMULATIONS 70
#define SYNTHETIC_BARS 1001
#define NAME_SIZE 32

typedef struct cycle {
    const char *name;
    double load, data, inference, total;
    size_t cached, computed;
} cycle;

/* The symbols and where their bars come from. */
typedef struct market {
    char uri[4200];
    char names[MAX_SYMBOLS][NAME_SIZE];
    const char *symbols[MAX_SYMBOLS];
    size_t count;
    int real;   /* daily files rather than the synthetic market */
} market;

static void die(const char *what)
{
    fprintf(stderr, "bench_cycle: %s: %s\n", what, ms_last_error());
    exit(1);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* The first `count` symbols (by name) of the daily data, else synthetic. */
static void choose_market(market *m, size_t count)
{
    const char *dir_name = getenv("MARKETSIM_BENCH_DATA");
    if (dir_name == NULL || dir_name[0] == '\0')
        dir_name = "../shared/data/daily";
    char found[256][NAME_SIZE];
    size_t n = 0;
    DIR *dir = opendir(dir_name);
    for (struct dirent *e; dir && (e = readdir(dir)) != NULL && n < 256;) {
        size_t len = strlen(e->d_name);
        if (len > 4 && len < NAME_SIZE + 4 && strcmp(e->d_name + len - 4, ".csv") == 0)
            snprintf(found[n++], NAME_SIZE, "%.*s", (int)(len - 4), e->d_name);
    }
    if (dir)
        closedir(dir);
    qsort(found, n, sizeof found[0], compare_names);
    m->count = count;
    m->real = n >= count;
    if (m->real)
        snprintf(m->uri, sizeof m->uri, "csv:%s", dir_name);
    else
        snprintf(m->uri, sizeof m->uri, "synthetic:seed=7,bars=%d", SYNTHETIC_BARS);
    for (size_t s = 0; s < count; s++) {
        if (m->real)
            memcpy(m->names[s], found[s], NAME_SIZE);
        else
            snprintf(m->names[s], NAME_SIZE, "SYN%02zu", s);
        m->symbols[s] = m->names[s];
    }
}

/* Writes each symbol's bars as CSV in `dir`, without the last `held_back`. */
static void write_day(const market *m, const char *dir, size_t held_back)
{
    ms_source *source = NULL;
    if (ms_source_open(&source, m->uri, NULL) != MS_OK)
        die("opening the data");
    for (size_t s = 0; s < m->count; s++) {
        ms_bars *series = NULL;
        if (ms_source_load(source, m->names[s], &series) != MS_OK)
            die("loading the bars");
        char path[4300];
        snprintf(path, sizeof path, "%s/%s.csv", dir, m->names[s]);
        FILE *f = fopen(path, "w");
        if (f == NULL)
            die("writing the CSV files");
        fprintf(f, "Date,Open,High,Low,Close,Volume\n");
        const int64_t *times = ms_bars_timestamps(series);
        size_t bars = ms_bars_len(series) > held_back ? ms_bars_len(series) - held_back : 0;
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
    ms_source_free(source);
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
                       const char *cache, const market *m)
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
        ms_analyzer_run(analyzer, m->symbols, m->count, &report) != MS_OK)
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

static const char *verdict(int met)
{
    return met ? "met" : "NOT met";
}

static void print_targets(const cycle *cycles, double alone_load)
{
    double next_day = cycles[0].total / cycles[3].total;
    double same_day = cycles[0].total / cycles[1].total;
    printf("\nTargets (ratios within this run):\n"
           "  next day / cold: 1/%.1f (target at most 1/20): %s\n"
           "  same-day repeat, model kept / cold: 1/%.1f (target at most 1/50): %s\n"
           "  same-day repeat in a new process / cold: 1/%.1f (bound by the load)\n"
           "  checkpoint load, warm page cache: %.2f s alone, %.2f s and %.2f s in the cycles "
           "(target under 1 s): %s\n",
           next_day, verdict(next_day >= 20), same_day, verdict(same_day >= 50),
           cycles[0].total / cycles[2].total, alone_load, cycles[0].load, cycles[2].load,
           verdict(alone_load < 1));
}

/* Peak and current resident memory, KiB, from /proc/self/status. */
typedef struct memory {
    long peak, resident, file, anonymous;
} memory;

static memory read_status(void)
{
    memory m = { 0, 0, 0, 0 };
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        sscanf(line, "VmHWM: %ld", &m.peak);
        sscanf(line, "VmRSS: %ld", &m.resident);
        sscanf(line, "RssFile: %ld", &m.file);
        sscanf(line, "RssAnon: %ld", &m.anonymous);
    }
    if (f != NULL)
        fclose(f);
    return m;
}

/* Resident KiB by what a mapping holds, from /proc/self/smaps. */
enum { PART_CHECKPOINT, PART_TORCH, PART_LIBRARIES, PART_FILES, PART_ANONYMOUS, PARTS };
static const char *const part_names[PARTS] = {
    "checkpoint mapping (model.safetensors)", "libtorch and libc10 (code and data)",
    "other shared libraries (OpenBLAS, libgomp, libstdc++, ...)", "other files",
    "anonymous (heap, malloc arenas, thread stacks)",
};

static int mapping_part(const char *path)
{
    if (path[0] == '\0' || path[0] == '[')
        return PART_ANONYMOUS;
    if (strstr(path, "model.safetensors") != NULL)
        return PART_CHECKPOINT;
    if (strstr(path, "libtorch") != NULL || strstr(path, "libc10") != NULL)
        return PART_TORCH;
    return strstr(path, ".so") != NULL ? PART_LIBRARIES : PART_FILES;
}

static void read_smaps(long parts[PARTS])
{
    memset(parts, 0, PARTS * sizeof parts[0]);
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[4400], path[4096];
    int part = PART_ANONYMOUS;
    long kib;
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        /* A mapping's first line starts with its address (lower-case hex);
         * its fields start with a capital letter. */
        if ((line[0] >= '0' && line[0] <= '9') || (line[0] >= 'a' && line[0] <= 'f')) {
            path[0] = '\0';
            sscanf(line, "%*s %*s %*s %*s %*s %4095[^\n]", path);
            part = mapping_part(path);
        } else if (sscanf(line, "Rss: %ld", &kib) == 1) {
            parts[part] += kib;
        }
    }
    if (f != NULL)
        fclose(f);
}

/* --load-alone: this process loads the checkpoint and nothing else, and
 * prints the load time and where its peak resident memory goes. */
static int bench_load_memory(const char *checkpoint)
{
    char file[4200];
    struct stat info;
    snprintf(file, sizeof file, "%s/model.safetensors", checkpoint);
    if (stat(file, &info) != 0)
        die("no model.safetensors in the checkpoint");
    double file_kib = (double)info.st_size / 1024;
    memory before = read_status();
    ms_model *model = NULL;
    double started = ms_clock_seconds();
    if (ms_model_open(&model, checkpoint, NULL) != MS_OK)
        die("loading the model");
    double seconds = ms_clock_seconds() - started;
    memory after = read_status();
    long parts[PARTS];
    read_smaps(parts);
    printf("\nLoading %s alone in a fresh process (warm page cache)\nload: %.3f s\n", checkpoint,
           seconds);
    printf("| resident memory | KiB | vs the file (%.0f KiB) |\n|---|---|---|\n", file_kib);
    printf("| peak before the model (VmHWM) | %ld | %.2fx |\n", before.peak,
           before.peak / file_kib);
    printf("| peak after loading (VmHWM) | %ld | %.2fx |\n", after.peak, after.peak / file_kib);
    printf("| the load's own peak (after - before) | %ld | %.2fx |\n", after.peak - before.peak,
           (after.peak - before.peak) / file_kib);
    printf("| resident after loading (VmRSS) | %ld | %.2fx |\n", after.resident,
           after.resident / file_kib);
    printf("| of which file-backed (RssFile) / anonymous (RssAnon) | %ld / %ld | |\n",
           after.file, after.anonymous);
    for (int p = 0; p < PARTS; p++)
        printf("| - %s (smaps) | %ld | %.2fx |\n", part_names[p], parts[p], parts[p] / file_kib);
    ms_model_free(model);
    return 0;
}

/* Runs this program again to load the checkpoint in a fresh process (its
 * peak RSS is then the load's alone); returns the load seconds it printed. */
static double load_alone(const char *self, const char *checkpoint)
{
    char command[4400];
    snprintf(command, sizeof command, "'%s' --load-alone '%s'", self, checkpoint);
    fflush(stdout);
    FILE *child = popen(command, "r");
    double seconds = -1;
    char line[512];
    while (child != NULL && fgets(line, sizeof line, child) != NULL) {
        fputs(line, stdout);
        sscanf(line, "load: %lf", &seconds);
    }
    if (child == NULL || pclose(child) != 0 || seconds < 0)
        die("loading the checkpoint in a fresh process");
    return seconds;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--load-alone") == 0)
        return bench_load_memory(argv[2]);
    const char *preset = argc > 1 ? argv[1] : "base";
    const char *symbols_text = argc > 2 ? argv[2] : getenv("BENCH_CYCLE_SYMBOLS");
    size_t count = symbols_text ? strtoul(symbols_text, NULL, 10) : 30;
    if (count == 0 || count > MAX_SYMBOLS)
        count = 30;
    char checkpoint[256];
    snprintf(checkpoint, sizeof checkpoint, "build/bench/checkpoints/%s", preset);
    struct stat info;
    if (stat(checkpoint, &info) != 0 && ms_model_init_checkpoint(checkpoint, preset, 1) != MS_OK)
        die("making the checkpoint");
    double loads[3];
    if (getloadavg(loads, 3) == 3)
        printf("Load average before: %.2f %.2f %.2f on %ld cores\n", loads[0], loads[1],
               loads[2], sysconf(_SC_NPROCESSORS_ONLN));
    double alone = load_alone(argv[0], checkpoint);

    market m;
    choose_market(&m, count);
    char scratch[] = "/tmp/bench_cycle.XXXXXX";
    if (mkdtemp(scratch) == NULL)
        die("scratch directory");
    char cache[4200], command[4300];
    snprintf(cache, sizeof cache, "%s/forecasts.sqlite", scratch);
    write_day(&m, scratch, 1);

    cycle cycles[4];
    double load;
    ms_model *model = load_model(checkpoint, &load);
    cycles[0] = run_cycle("cold (empty cache)", scratch, model, load, cache, &m);
    cycles[1] = run_cycle("same-day repeat, model kept (trade --loop)", scratch, model, 0, cache,
                          &m);
    ms_model_free(model);
    model = load_model(checkpoint, &load);
    cycles[2] = run_cycle("same-day repeat, model loaded again (new process)", scratch, model,
                          load, cache, &m);
    write_day(&m, scratch, 0);
    cycles[3] = run_cycle("next day, one more bar, model kept", scratch, model, 0, cache, &m);
    ms_model_free(model);

    printf("\nDaily cycle with the forecast cache: %s checkpoint, %zu symbols x %d "
           "simulations, bars from %s\n", preset, m.count, SIMULATIONS,
           m.real ? m.uri : "the synthetic market (no daily data found)");
    print_cycles(cycles, 4);
    print_targets(cycles, alone);
    if (getloadavg(loads, 3) == 3)
        printf("Load average after: %.2f %.2f %.2f\n", loads[0], loads[1], loads[2]);
    snprintf(command, sizeof command, "rm -rf '%s'", scratch);
    return system(command) == 0 ? 0 : 1;
}
