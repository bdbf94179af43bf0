/*
 * engine.c - the parts of an analysis every engine mode shares: loading a
 * symbol, planning its contexts into the batcher, running one batch through
 * the model and scattering the results, and running a finished symbol's
 * strategies. engine_pipeline.c arranges them on threads; the sequential
 * mode below runs them one symbol at a time.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

/* The reference system drew 3072 samples in batches of 384, re-running the
 * context for each: 8 passes per context (the rerun-samples ablation). */
#define REFERENCE_SAMPLE_BATCHES 8

void ms_job_fail(ms_symbol_job *job, ms_status status)
{
    if (job->status != MS_OK)
        return; /* keep the first failure */
    job->status = status;
    job->message = ms_strdup(ms_last_error()); /* the error is thread-local: copy it here */
}

void ms_job_load(ms_engine_state *run, ms_symbol_job *job)
{
    double started = ms_clock_seconds();
    ms_status status = ms_source_load(run->engine->source, job->symbol, &job->bars);
    if (status == MS_OK) {
        job->report.bars = ms_bars_len(job->bars);
        status = ms_symbol_contexts_prepare(&job->contexts, job->bars, run->engine->options);
    }
    if (status != MS_OK)
        ms_job_fail(job, status);
    job->report.data_seconds = ms_clock_seconds() - started;
}

bool ms_engine_cancelled(const ms_engine *engine)
{
    return atomic_load_explicit(&engine->watch->cancel, memory_order_relaxed) != 0;
}

ms_status ms_job_plan(ms_engine_state *run, size_t index)
{
    ms_symbol_job *job = &run->engine->jobs[index];
    const ms_analyzer_options *opts = run->engine->options;
    ms_engine_watch *watch = run->engine->watch;
    ms_request_list list = { 0 };
    ms_status status = ms_plan_symbol(&list, (uint32_t)index, &job->contexts, opts);
    if (status == MS_OK && run->bars)
        ms_engine_bars_plan(&list);
    size_t planned = list.count;
    if (status == MS_OK)
        ms_engine_cache_fill(run, job, &list);
    if (status == MS_OK) {
        atomic_fetch_add(&watch->symbols_planned, 1);
        atomic_fetch_add(&watch->contexts_planned, planned);
        atomic_fetch_add(&watch->contexts_done, planned - list.count); /* from the cache */
    }
    for (size_t i = 0; i < list.count && status == MS_OK; i++) {
        ms_series context = ms_symbol_context(&job->contexts, list.items[i].series,
                                              list.items[i].origin, opts);
        status = ms_batcher_push(&run->batcher, list.items[i], context.length);
    }
    job->pending = status == MS_OK ? list.count : 0;
    ms_request_list_release(&list);
    return status;
}

void ms_job_strategies(ms_engine *engine, ms_symbol_job *job)
{
    double started = ms_clock_seconds();
    ms_origin_table table;
    ms_status status = ms_origin_table_fill(&table, &job->contexts, engine->options->coherence);
    if (status == MS_OK) {
        status = ms_backtest_symbol(&job->report, job->bars, &table, engine->options);
        ms_origin_table_release(&table);
    }
    if (status != MS_OK)
        ms_job_fail(job, status);
    job->report.strategy_seconds = ms_clock_seconds() - started;
    ms_job_release_inputs(job);
    engine->finished(engine->finished_context, job);
}

void ms_job_release_inputs(ms_symbol_job *job)
{
    ms_symbol_contexts_release(&job->contexts);
    ms_bars_free(job->bars);
    job->bars = NULL;
}

/* The no-dedup ablation's extra work: every further (simulation, day) pair
 * of the batch's contexts forecast again, as the reference system did, in
 * calls of at most batch_size. The outputs are dropped: each context's
 * forecast is the one from its canonical batch, so the ablation costs the
 * reference's time without changing a bit of the report. */
static ms_status forecast_copies(ms_engine_state *run, size_t n)
{
    size_t queued = 0;
    ms_forecast_output out = { .aggregates = run->copy_outputs };
    ms_status status = MS_OK;
    for (size_t i = 0; i < n && status == MS_OK; i++)
        for (uint32_t copy = 1; copy < run->batch[i].pairs && status == MS_OK; copy++) {
            run->copy_series[queued++] = run->series[i];
            if (queued == run->batch_size) {
                status = ms_model_forecast(run->engine->model, run->copy_series, queued,
                                           &run->forecast, &out);
                queued = 0;
            }
        }
    if (queued > 0 && status == MS_OK)
        status = ms_model_forecast(run->engine->model, run->copy_series, queued, &run->forecast, &out);
    return status;
}

/* Forecasts the batch's contexts in one model call (or the reference's
 * eight, ablated) and writes each result where its symbol expects it.
 * Repeating a call on the same batch gives the same bits, so the
 * rerun-samples ablation changes nothing but the time. */
static ms_status forecast_batch(ms_engine_state *run, size_t n)
{
    const ms_analyzer_options *opts = run->engine->options;
    if (run->bars)
        return ms_engine_forecast_bars(run, n);
    for (size_t i = 0; i < n; i++) {
        const ms_context_request *r = &run->batch[i];
        run->series[i] = ms_symbol_context(&run->engine->jobs[r->symbol].contexts, r->series,
                                           r->origin, opts);
    }
    ms_forecast_output out = { .aggregates = run->outputs };
    int passes = opts->ablations & MS_ABLATE_RERUN_SAMPLES ? REFERENCE_SAMPLE_BATCHES : 1;
    ms_status status = MS_OK;
    for (int pass = 0; pass < passes && status == MS_OK; pass++)
        status = ms_model_forecast(run->engine->model, run->series, n, &run->forecast, &out);
    if (status == MS_OK && (opts->ablations & MS_ABLATE_NO_DEDUP))
        status = forecast_copies(run, n);
    return status;
}

/* Drops requests of symbols that already failed, counting them as done. */
static size_t live_requests(ms_engine_state *run, size_t n, ms_symbol_job **done, size_t *done_count)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        ms_symbol_job *job = &run->engine->jobs[run->batch[i].symbol];
        if (job->status == MS_OK)
            run->batch[kept++] = run->batch[i];
        else if (--job->pending == 0)
            done[(*done_count)++] = job;
    }
    return kept;
}

size_t ms_run_batch(ms_engine_state *run, size_t n, ms_symbol_job **done)
{
    size_t done_count = 0;
    n = live_requests(run, n, done, &done_count);
    if (n == 0)
        return done_count;
    double started = ms_clock_seconds();
    ms_status status = forecast_batch(run, n);
    double share = (ms_clock_seconds() - started) / (double)n;
    if (status == MS_OK) {
        ms_engine_cache_store(run, n);
        atomic_fetch_add(&run->engine->watch->contexts_done, n);
    }
    for (size_t i = 0; i < n; i++) {
        const ms_context_request *r = &run->batch[i];
        ms_symbol_job *job = &run->engine->jobs[r->symbol];
        if (status != MS_OK)
            ms_job_fail(job, status);
        else if (run->bars)
            ms_engine_bars_scatter(run, i, &job->contexts);
        else
            job->contexts.forecasts[r->series * job->contexts.count + r->origin] = run->outputs[i];
        job->report.inference_seconds += share; /* a batch's time, split by contexts */
        if (--job->pending == 0)
            done[done_count++] = job;
    }
    return done_count;
}

ms_status ms_engine_state_init(ms_engine_state *run, ms_engine *engine)
{
    memset(run, 0, sizeof *run);
    run->engine = engine;
    ms_model_shape shape;
    ms_status status = ms_model_get_shape(engine->model, &shape);
    if (status != MS_OK)
        return status;
    run->batch_size = engine->options->batch_size ? engine->options->batch_size : shape.max_batch;
    ms_batcher_init(&run->batcher, shape.patch_size);
    ms_aggregate_parse(engine->options->aggregate, &run->aggregate); /* checked when resolved */
    run->forecast = (ms_forecast_options)MS_FORECAST_OPTIONS_INIT;
    run->forecast.num_samples = engine->options->num_samples;
    run->forecast.aggregates = &run->aggregate;
    run->forecast.num_aggregates = 1;
    run->batch = malloc(run->batch_size * sizeof *run->batch);
    run->series = malloc(run->batch_size * sizeof *run->series);
    run->outputs = malloc(run->batch_size * sizeof *run->outputs);
    run->done = malloc(run->batch_size * sizeof *run->done);
    run->copy_series = malloc(run->batch_size * sizeof *run->copy_series);
    run->copy_outputs = malloc(run->batch_size * sizeof *run->copy_outputs);
    if (run->batch == NULL || run->series == NULL || run->outputs == NULL || run->done == NULL ||
        run->copy_series == NULL || run->copy_outputs == NULL) {
        ms_engine_state_release(run);
        return ms_error(MS_ERR_NOMEM, "out of memory for batches of %zu contexts", run->batch_size);
    }
    if (ms_engine_bar_model(engine))
        status = ms_engine_bars_init(run);
    if (status == MS_OK)
        status = ms_engine_cache_start(run);
    if (status != MS_OK)
        ms_engine_state_release(run);
    return status;
}

void ms_engine_state_release(ms_engine_state *run)
{
    ms_engine_cache_finish(run);
    ms_engine_bars_release(run);
    ms_batcher_release(&run->batcher);
    free(run->batch);
    free(run->series);
    free(run->outputs);
    free(run->done);
    free(run->copy_series);
    free(run->copy_outputs);
}

/* One symbol at a time: load, plan, its own batches, strategies; a
 * cancel is looked at before each symbol and each batch. */
static ms_status run_sequential(ms_engine_state *run)
{
    ms_engine *engine = run->engine;
    for (size_t i = 0; i < engine->job_count; i++) {
        if (ms_engine_cancelled(engine))
            return MS_ERR_CANCELLED;
        ms_symbol_job *job = &engine->jobs[i];
        if (job->status == MS_OK)
            ms_job_load(run, job);
        ms_status status = job->status == MS_OK ? ms_job_plan(run, i) : MS_OK;
        if (status != MS_OK)
            return status;
        size_t n;
        while (!ms_engine_cancelled(engine) &&
               (n = ms_batcher_pop(&run->batcher, run->batch_size, 1, run->batch)) > 0)
            ms_run_batch(run, n, run->done);
        if (ms_engine_cancelled(engine))
            return MS_ERR_CANCELLED;
        if (job->status == MS_OK) {
            ms_job_strategies(engine, job);
        } else {
            ms_job_release_inputs(job);
            engine->finished(engine->finished_context, job);
        }
    }
    return MS_OK;
}

ms_status ms_engine_run(ms_engine *engine)
{
    ms_engine_state run;
    ms_status status = ms_engine_state_init(&run, engine);
    if (status != MS_OK)
        return status;
    status = engine->options->parallel ? ms_run_pipelined(&run) : run_sequential(&run);
    ms_engine_state_release(&run);
    /* A cancel seen by any stage (a load, a batch, a symbol's strategies)
     * left some symbol unfinished, even when the driver itself found
     * nothing left to do: the run is cancelled, never a partial report. */
    if (status == MS_ERR_CANCELLED || (status == MS_OK && ms_engine_cancelled(engine)))
        return ms_error(MS_ERR_CANCELLED, "the analysis was cancelled");
    return status;
}
