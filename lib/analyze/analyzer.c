/*
 * analyzer.c - ms_analyzer: sets up one analysis (spellings of one
 * instrument merged, symbols as jobs, the optional warm-up), has the engine
 * (engine.c) take every symbol through data -> forecasts -> strategies,
 * then collects, judges freshness, ranks and picks. Each
 * symbol writes only its own job, every forecast is a deterministic
 * function of its context, and the final order comes from a deterministic
 * sort, so results are identical for any worker count and engine mode.
 * The steps around the engine (ms_analyzer_assemble) also build the report
 * merged from parts analysed elsewhere (merge.c), in place of the engine.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report_pack.h"

struct ms_analyzer {
    ms_source *source;
    ms_model *model;
    ms_analyzer_options options;
    char *aggregate_name;
    ms_forecast_cache *cache;        /* NULL when options.cache is "off" */
    pthread_mutex_t progress_lock;   /* serialises progress callbacks, guards what follows */
    size_t done;                     /* symbols finished in the current run */
    size_t total;
    int running;
    double started;                  /* ms_clock_seconds() when the run began */
    ms_engine_watch watch;           /* the cancel request and the engine's counts */
};

/* Opens the cache the options name; a cache that cannot be used is
 * reported and bypassed by the cache itself, so only memory fails here.
 * The options keep no pointer to the caller's path. */
static ms_status open_cache(ms_analyzer *analyzer)
{
    const char *setting = analyzer->options.cache;
    analyzer->options.cache = NULL;
    if (ms_str_ieq(setting, "off"))
        return MS_OK;
    char *path = NULL;
    if (!ms_str_ieq(setting, "default"))
        path = ms_strdup(setting);
    else if (ms_cache_default_path(&path) != MS_OK)
        MS_WARN("%s; forecasting without the cache", ms_last_error());
    if (path == NULL)
        return MS_OK;
    ms_status status = ms_forecast_cache_open(&analyzer->cache, path,
                                              analyzer->options.cache_max_entries);
    free(path);
    return status;
}

MS_API ms_status ms_analyzer_create(ms_analyzer **out, ms_source *source,
                                    ms_model *model, const ms_analyzer_options *opts)
{
    if (out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_analyzer_create: NULL argument");
    *out = NULL;
    if (source == NULL || model == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_analyzer_create: NULL argument");
    ms_analyzer_options resolved;
    ms_status status = ms_analyzer_options_copy_resolved(opts, &resolved);
    if (status != MS_OK)
        return status;
    ms_analyzer *analyzer = calloc(1, sizeof *analyzer);
    char *aggregate_name = ms_strdup(resolved.aggregate);
    if (analyzer == NULL || aggregate_name == NULL) {
        free(analyzer);
        free(aggregate_name);
        return ms_error(MS_ERR_NOMEM, "out of memory creating an analyzer");
    }
    analyzer->source = source;
    analyzer->model = model;
    analyzer->options = resolved;
    analyzer->aggregate_name = aggregate_name;
    analyzer->options.aggregate = aggregate_name;
    status = open_cache(analyzer);
    if (status != MS_OK) {
        free(aggregate_name);
        free(analyzer);
        return status;
    }
    pthread_mutex_init(&analyzer->progress_lock, NULL);
    *out = analyzer;
    return MS_OK;
}

MS_API void ms_analyzer_free(ms_analyzer *analyzer)
{
    if (analyzer == NULL)
        return;
    pthread_mutex_destroy(&analyzer->progress_lock);
    ms_forecast_cache_close(analyzer->cache);
    free(analyzer->aggregate_name);
    free(analyzer);
}

/* The engine's per-symbol completion hook: progress for the caller. */
static void symbol_finished(void *context, ms_symbol_job *job)
{
    ms_analyzer *analyzer = context;
    pthread_mutex_lock(&analyzer->progress_lock);
    analyzer->done++;
    if (analyzer->options.progress != NULL)
        analyzer->options.progress(analyzer->options.progress_context, analyzer->done,
                                   analyzer->total, job->symbol);
    pthread_mutex_unlock(&analyzer->progress_lock);
}

/* Whether two names spell one instrument (one ms_symbol_canonical name);
 * names too long for a canonical form compare as written. */
static bool same_instrument(const char *a, const char *b)
{
    if (strlen(a) >= MS_SYMBOL_CAPACITY || strlen(b) >= MS_SYMBOL_CAPACITY)
        return strcmp(a, b) == 0;
    char first[MS_SYMBOL_CAPACITY], second[MS_SYMBOL_CAPACITY];
    ms_symbol_canonical(a, first);
    ms_symbol_canonical(b, second);
    return strcmp(first, second) == 0;
}

/* The first spelling of symbols[i]'s instrument when an earlier name has
 * it, else NULL. Empty names are never merged: each is its own error. */
static const char *listed_before(const char *const *symbols, size_t i)
{
    if (symbols[i] == NULL || *symbols[i] == '\0')
        return NULL;
    for (size_t j = 0; j < i; j++)
        if (symbols[j] != NULL && same_instrument(symbols[j], symbols[i]))
            return symbols[j];
    return NULL;
}

/* Spellings of one instrument (SUIUSD, SUI-USD, SUI/USD) are one symbol:
 * the first is analysed, the others are dropped with a warning, so one
 * instrument is never picked (and its buying power counted) twice. `kept`
 * receives the names to analyse. */
static ms_status merge_spellings(const char *const *symbols, size_t n, const char **kept,
                                 size_t *kept_count, ms_report *report)
{
    ms_status status = MS_OK;
    *kept_count = 0;
    for (size_t i = 0; i < n && status == MS_OK; i++) {
        const char *first = listed_before(symbols, i);
        if (first == NULL)
            kept[(*kept_count)++] = symbols[i];
        else if (strcmp(first, symbols[i]) == 0)
            status = ms_report_warn(report, "%s: listed more than once; analysed once", first);
        else
            status = ms_report_warn(report, "%s: the same instrument as %s; analysed once, "
                                    "as %s", symbols[i], first, first);
    }
    return status;
}

/* A NULL entry is a caller's bug, not a symbol that failed: refused before
 * any work (symbols are compared with each other while the jobs are set up). */
static ms_status check_symbols(const char *const *symbols, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (symbols[i] == NULL)
            return ms_error(MS_ERR_INVALID_ARG, "ms_analyzer_run: symbols[%zu] is NULL", i);
    return MS_OK;
}

static ms_status prepare_jobs(const char *const *symbols, size_t n, ms_symbol_job *jobs)
{
    for (size_t i = 0; i < n; i++) {
        jobs[i].symbol = symbols[i];
        jobs[i].report.symbol = ms_strdup(jobs[i].symbol);
        if (jobs[i].report.symbol == NULL)
            return ms_error(MS_ERR_NOMEM, "out of memory for symbol names");
        jobs[i].report.asset_class = ms_symbol_asset_class(jobs[i].symbol);
        if (*jobs[i].symbol == '\0') {
            jobs[i].status = MS_ERR_INVALID_ARG;
            jobs[i].message = ms_strdup("empty symbol name");
        }
    }
    return MS_OK;
}

static ms_status collect(ms_report *report, ms_symbol_job *jobs, size_t n)
{
    report->symbols = calloc(n ? n : 1, sizeof *report->symbols);
    report->errors = calloc(n ? n : 1, sizeof *report->errors);
    report->picks = calloc(n ? n : 1, sizeof *report->picks);
    if (report->symbols == NULL || report->errors == NULL || report->picks == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory assembling the report");
    for (size_t i = 0; i < n; i++) {
        ms_symbol_job *job = &jobs[i];
        report->timings.data += job->report.data_seconds;
        report->timings.inference += job->report.inference_seconds;
        report->timings.strategies += job->report.strategy_seconds;
        report->timings.forecasts_cached += job->report.forecasts_cached;
        report->timings.forecasts_computed += job->report.forecasts_computed;
        if (job->status == MS_OK) {
            report->symbols[report->symbol_count++] = job->report;
        } else {
            report->errors[report->error_count++] = (ms_symbol_error){
                .symbol = job->report.symbol, .status = job->status,
                .message = job->message ? job->message : ms_strdup(ms_status_str(job->status)) };
            job->report.symbol = NULL;
            job->message = NULL;
            ms_symbol_report_release(&job->report);
        }
        job->report = (ms_symbol_report){ 0 };
    }
    return MS_OK;
}

static ms_report *new_report(const ms_analyzer *analyzer)
{
    ms_report *report = calloc(1, sizeof *report);
    if (report == NULL)
        return NULL;
    report->options = analyzer->options;
    report->aggregate_name = ms_strdup(analyzer->aggregate_name);
    report->source_uri = ms_strdup(ms_source_uri(analyzer->source));
    report->model_name = ms_strdup(ms_model_name(analyzer->model));
    report->options.aggregate = report->aggregate_name;
    if (report->aggregate_name == NULL || report->source_uri == NULL || report->model_name == NULL) {
        ms_report_free(report);
        return NULL;
    }
    return report;
}

/* Runs the model once on the shape of the analysis' batches (batch_size
 * contexts of context_length values), so the first symbol pays no
 * first-call costs. */
static ms_status warm_up(ms_analyzer *analyzer, ms_timings *timings)
{
    const ms_analyzer_options *o = &analyzer->options;
    ms_model_shape shape;
    ms_status status = ms_model_get_shape(analyzer->model, &shape);
    double started = ms_clock_seconds();
    if (status == MS_OK)
        status = ms_model_warmup(analyzer->model, o->context_length,
                                 o->batch_size ? o->batch_size : shape.max_batch);
    timings->warmup = ms_clock_seconds() - started;
    return status == MS_OK ? MS_OK : ms_error_wrap(status, "model warm-up");
}

MS_API void ms_analyzer_cancel(ms_analyzer *analyzer)
{
    if (analyzer != NULL)
        atomic_store_explicit(&analyzer->watch.cancel, 1, memory_order_relaxed);
}

static double share(size_t part, size_t whole)
{
    return whole > 0 ? (double)(part < whole ? part : whole) / (double)whole : 0.0;
}

MS_API ms_status ms_analyzer_progress(ms_analyzer *analyzer, ms_analysis_progress *out)
{
    if (analyzer == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_analyzer_progress: NULL argument");
    pthread_mutex_lock(&analyzer->progress_lock);
    *out = (ms_analysis_progress){
        .running = analyzer->running, .symbols_total = analyzer->total,
        .symbols_done = analyzer->done,
        .symbols_planned = atomic_load(&analyzer->watch.symbols_planned),
        .contexts_planned = atomic_load(&analyzer->watch.contexts_planned),
        .contexts_done = atomic_load(&analyzer->watch.contexts_done),
        .elapsed = analyzer->started > 0 ? ms_clock_seconds() - analyzer->started : 0.0 };
    pthread_mutex_unlock(&analyzer->progress_lock);
    /* Symbols differ little in length, so the contexts planned so far
     * per symbol planned foretell the run's total. */
    double symbols = share(out->symbols_done, out->symbols_total);
    double expected = out->symbols_planned > 0
        ? (double)out->contexts_planned * (double)out->symbols_total / (double)out->symbols_planned
        : 0.0;
    double contexts = expected > 0 ? (double)out->contexts_done / expected : symbols;
    out->fraction = (symbols + (contexts < 1.0 ? contexts : 1.0)) / 2.0;
    return MS_OK;
}

/* Marks the start and the end of a run for ms_analyzer_progress. */
static void set_running(ms_analyzer *analyzer, int running, size_t total)
{
    pthread_mutex_lock(&analyzer->progress_lock);
    analyzer->running = running;
    if (running) {
        analyzer->done = 0;
        analyzer->total = total;
        analyzer->started = ms_clock_seconds();
        atomic_store(&analyzer->watch.symbols_planned, 0);
        atomic_store(&analyzer->watch.contexts_planned, 0);
        atomic_store(&analyzer->watch.contexts_done, 0);
    }
    pthread_mutex_unlock(&analyzer->progress_lock);
}

static ms_status run_engine(ms_analyzer *analyzer, ms_symbol_job *jobs, size_t n)
{
    if (atomic_load(&analyzer->watch.cancel))
        return ms_error(MS_ERR_CANCELLED, "the analysis was cancelled");
    ms_engine engine = { .source = analyzer->source, .model = analyzer->model,
                         .options = &analyzer->options, .cache = analyzer->cache,
                         .jobs = jobs, .job_count = n,
                         .finished = symbol_finished, .finished_context = analyzer,
                         .watch = &analyzer->watch };
    return ms_engine_run(&engine);
}

static void release_jobs(ms_symbol_job *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ms_symbol_report_release(&jobs[i].report);
        ms_job_release_inputs(&jobs[i]);
        free(jobs[i].message);
    }
    free(jobs);
}

/* The engine's way to fill the jobs: the optional warm-up, then every symbol. */
static ms_status engine_fill(void *context, ms_analyzer *analyzer, ms_report *report,
                             ms_symbol_job *jobs, size_t count)
{
    (void)context;
    ms_status status = MS_OK;
    if (analyzer->options.warmup)
        status = warm_up(analyzer, &report->timings);
    return status == MS_OK ? run_engine(analyzer, jobs, count) : status;
}

MS_API ms_status ms_analyzer_run(ms_analyzer *analyzer, const char *const *symbols,
                                 size_t n, ms_report **out)
{
    if (analyzer == NULL || out == NULL || (symbols == NULL && n > 0))
        return ms_error(MS_ERR_INVALID_ARG, "ms_analyzer_run: NULL argument");
    return ms_analyzer_assemble(analyzer, symbols, n, engine_fill, NULL, out);
}

ms_status ms_analyzer_assemble(ms_analyzer *analyzer, const char *const *symbols, size_t n,
                               ms_jobs_fill fill, void *context, ms_report **out)
{
    *out = NULL;
    ms_status checked = check_symbols(symbols, n);
    if (checked != MS_OK)
        return checked;
    double started = ms_clock_seconds();
    ms_symbol_job *jobs = calloc(n ? n : 1, sizeof *jobs);
    const char **kept = calloc(n ? n : 1, sizeof *kept);
    ms_report *report = new_report(analyzer);
    size_t count = 0;
    ms_status status = jobs && kept && report
                           ? merge_spellings(symbols, n, kept, &count, report)
                           : ms_error(MS_ERR_NOMEM, "out of memory starting an analysis");
    if (status == MS_OK)
        status = prepare_jobs(kept, count, jobs);
    set_running(analyzer, 1, count);
    if (status == MS_OK)
        status = fill(context, analyzer, report, jobs, count);
    if (status == MS_OK)
        status = collect(report, jobs, count);
    if (status == MS_OK)
        status = ms_judge_freshness(report);
    release_jobs(jobs, jobs ? count : 0);
    free(kept);
    set_running(analyzer, 0, count);
    atomic_store(&analyzer->watch.cancel, 0);
    if (status != MS_OK) {
        ms_report_free(report);
        return status;
    }
    double ranking_started = ms_clock_seconds();
    ms_sort_symbols(report->symbols, report->symbol_count);
    ms_forecast_quality_pool(report->symbols, report->symbol_count, &report->forecast_quality);
    report->pick_count = ms_build_picks(report->symbols, report->symbol_count,
                                        &report->options, report->picks);
    if (report->pick_count < report->options.min_positions)
        MS_INFO("%zu picks, fewer than the target of %zu: no other symbol passed the tests",
                report->pick_count, report->options.min_positions);
    double now = ms_clock_seconds();
    report->timings.ranking = now - ranking_started;
    report->timings.total = now - started;
    *out = report;
    return MS_OK;
}
