/*
 * analyzer.c - ms_analyzer: runs each symbol through data -> forecasts ->
 * strategies on the thread pool, then ranks and picks. Each symbol's work
 * is independent and writes only its own slot, and the final order comes
 * from a deterministic sort, so results are identical for any worker count.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"
#include "core/core_internal.h"

struct ms_analyzer {
    ms_source *source;
    ms_model *model;
    ms_analyzer_options options;
    char *aggregate_name;
    pthread_mutex_t progress_lock;   /* serialises progress callbacks */
    size_t done;                     /* symbols finished in the current run */
    size_t total;
};

typedef struct symbol_job {
    ms_analyzer *analyzer;
    const char *symbol;
    ms_symbol_report report;
    ms_status status;
    char *message;
} symbol_job;

MS_API ms_status ms_analyzer_create(ms_analyzer **out, ms_source *source,
                                    ms_model *model, const ms_analyzer_options *opts)
{
    if (out == NULL || source == NULL || model == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_analyzer_create: NULL argument");
    *out = NULL;
    ms_analyzer_options resolved = MS_ANALYZER_OPTIONS_INIT;
    if (opts != NULL)
        resolved = *opts;
    ms_status status = ms_analyzer_options_resolve(&resolved);
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
    pthread_mutex_init(&analyzer->progress_lock, NULL);
    *out = analyzer;
    return MS_OK;
}

MS_API void ms_analyzer_free(ms_analyzer *analyzer)
{
    if (analyzer == NULL)
        return;
    pthread_mutex_destroy(&analyzer->progress_lock);
    free(analyzer->aggregate_name);
    free(analyzer);
}

static ms_status forecast_and_backtest(symbol_job *job, const ms_bars *bars)
{
    const ms_analyzer *analyzer = job->analyzer;
    size_t first_origin;
    ms_status status = ms_first_origin(ms_bars_len(bars), &analyzer->options, &first_origin);
    if (status != MS_OK)
        return status;
    ms_origin_table table;
    double started = ms_clock_seconds();
    status = ms_origin_table_forecast(&table, analyzer->model, bars, &analyzer->options, first_origin);
    job->report.inference_seconds = ms_clock_seconds() - started;
    if (status != MS_OK)
        return status;
    started = ms_clock_seconds();
    status = ms_backtest_symbol(&job->report, bars, &table, &analyzer->options);
    job->report.strategy_seconds = ms_clock_seconds() - started;
    ms_origin_table_release(&table);
    return status;
}

static void report_progress(ms_analyzer *analyzer, const char *symbol)
{
    if (analyzer->options.progress == NULL)
        return;
    pthread_mutex_lock(&analyzer->progress_lock);
    analyzer->done++;
    analyzer->options.progress(analyzer->options.progress_context, analyzer->done,
                               analyzer->total, symbol);
    pthread_mutex_unlock(&analyzer->progress_lock);
}

/* One symbol, start to finish. Runs on a pool worker or inline. */
static void analyze_symbol(void *arg)
{
    symbol_job *job = arg;
    ms_symbol_report *report = &job->report;
    report->asset_class = ms_symbol_asset_class(job->symbol);
    ms_bars *bars = NULL;
    double started = ms_clock_seconds();
    job->status = ms_source_load(job->analyzer->source, job->symbol, &bars);
    report->data_seconds = ms_clock_seconds() - started;
    if (job->status == MS_OK) {
        report->bars = ms_bars_len(bars);
        job->status = forecast_and_backtest(job, bars);
    }
    ms_bars_free(bars);
    if (job->status != MS_OK)
        job->message = ms_strdup(ms_last_error()); /* the error is thread-local: copy it here */
    report_progress(job->analyzer, job->symbol);
}

static int listed_before(const char *const *symbols, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (strcmp(symbols[j], symbols[i]) == 0)
            return 1;
    return 0;
}

static void run_jobs(ms_analyzer *analyzer, symbol_job *jobs, size_t n)
{
    analyzer->done = 0;
    analyzer->total = n;
    size_t workers = (size_t)analyzer->options.workers;
    if (workers > n)
        workers = n;
    ms_pool *pool = NULL;
    if (analyzer->options.parallel && workers > 1 && ms_pool_create(&pool, workers, 0) != MS_OK) {
        MS_WARN("could not start %zu workers (%s); analysing sequentially", workers, ms_last_error());
        pool = NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (jobs[i].status != MS_OK) {
            report_progress(analyzer, jobs[i].symbol);
            continue;
        }
        if (pool == NULL || ms_pool_submit(pool, analyze_symbol, &jobs[i]) != MS_OK)
            analyze_symbol(&jobs[i]);
    }
    ms_pool_free(pool);
}

static ms_status prepare_jobs(ms_analyzer *analyzer, const char *const *symbols,
                              size_t n, symbol_job *jobs)
{
    for (size_t i = 0; i < n; i++) {
        jobs[i].analyzer = analyzer;
        jobs[i].symbol = symbols[i] ? symbols[i] : "";
        jobs[i].report.symbol = ms_strdup(jobs[i].symbol);
        if (jobs[i].report.symbol == NULL)
            return ms_error(MS_ERR_NOMEM, "out of memory for symbol names");
        if (*jobs[i].symbol == '\0' || listed_before(symbols, i)) {
            jobs[i].status = MS_ERR_INVALID_ARG;
            jobs[i].message = ms_strdup(*jobs[i].symbol ? "symbol listed more than once"
                                                         : "empty symbol name");
        }
    }
    return MS_OK;
}

static ms_status collect(ms_report *report, symbol_job *jobs, size_t n)
{
    report->symbols = calloc(n ? n : 1, sizeof *report->symbols);
    report->errors = calloc(n ? n : 1, sizeof *report->errors);
    report->picks = calloc(n ? n : 1, sizeof *report->picks);
    if (report->symbols == NULL || report->errors == NULL || report->picks == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory assembling the report");
    for (size_t i = 0; i < n; i++) {
        symbol_job *job = &jobs[i];
        report->timings.data += job->report.data_seconds;
        report->timings.inference += job->report.inference_seconds;
        report->timings.strategies += job->report.strategy_seconds;
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

/* Runs the model once on the shape every symbol's forecasts take (its
 * contexts are at most context_length long, 3 x (N + E) of them), so the
 * first symbol pays no first-call costs. */
static ms_status warm_up(ms_analyzer *analyzer, ms_timings *timings)
{
    const ms_analyzer_options *o = &analyzer->options;
    double started = ms_clock_seconds();
    ms_status status = ms_model_warmup(analyzer->model, o->context_length,
                                       MS_SERIES_COUNT * (o->simulations + o->eval_days));
    timings->warmup = ms_clock_seconds() - started;
    return status == MS_OK ? MS_OK : ms_error_wrap(status, "model warm-up");
}

static void release_jobs(symbol_job *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ms_symbol_report_release(&jobs[i].report);
        free(jobs[i].message);
    }
    free(jobs);
}

MS_API ms_status ms_analyzer_run(ms_analyzer *analyzer, const char *const *symbols,
                                 size_t n, ms_report **out)
{
    if (analyzer == NULL || out == NULL || (symbols == NULL && n > 0))
        return ms_error(MS_ERR_INVALID_ARG, "ms_analyzer_run: NULL argument");
    *out = NULL;
    double started = ms_clock_seconds();
    symbol_job *jobs = calloc(n ? n : 1, sizeof *jobs);
    ms_report *report = new_report(analyzer);
    ms_status status = jobs && report ? prepare_jobs(analyzer, symbols, n, jobs)
                                      : ms_error(MS_ERR_NOMEM, "out of memory starting an analysis");
    if (status == MS_OK && analyzer->options.warmup)
        status = warm_up(analyzer, &report->timings);
    if (status == MS_OK) {
        run_jobs(analyzer, jobs, n);
        status = collect(report, jobs, n);
    }
    release_jobs(jobs, jobs ? n : 0);
    if (status != MS_OK) {
        ms_report_free(report);
        return status;
    }
    double ranking_started = ms_clock_seconds();
    ms_sort_symbols(report->symbols, report->symbol_count);
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
