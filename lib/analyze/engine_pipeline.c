/*
 * engine_pipeline.c - the pipelined engine. Pool workers load symbols and,
 * later, run their strategies; the calling thread is the only one that
 * drives the model: it plans each loaded symbol's contexts, runs that
 * symbol's batches, and hands it to the workers the moment its last
 * forecast is in. Driving the model from one thread keeps libtorch's
 * intra-op threads from competing with each other (docs/performance.md
 * measures the split).
 *
 * A symbol's batches hold its own contexts only, in the planner's canonical
 * order: a float32 matrix product rounds a row differently with the rows
 * around it, so batches formed across symbols in load order made a report
 * depend on the worker count, the other symbols and thread timing
 * (docs/performance.md, "Reproducible batches"). The shared-batches
 * ablation restores those cross-symbol batches to measure the difference.
 */
#include <pthread.h>
#include <stdlib.h>

#include "engine_internal.h"

typedef struct pipeline {
    ms_engine_state *run;
    ms_pool *pool;
    pthread_mutex_t lock;
    pthread_cond_t loaded;       /* signalled when a load finishes */
    size_t *ready;               /* loaded job indices the driver has not planned yet */
    size_t ready_count;
    size_t loads_remaining;
    ms_symbol_job **deferred;    /* no-overlap ablation: strategies held back */
    size_t deferred_count;
} pipeline;

typedef struct load_task {
    pipeline *pipe;
    size_t index;
} load_task;

static void load_symbol(void *arg)
{
    load_task *task = arg;
    pipeline *pipe = task->pipe;
    ms_symbol_job *job = &pipe->run->engine->jobs[task->index];
    /* A cancelled run's loads are skipped, and the job says so: the driver
     * may take it before it sees the cancel, and must never plan a symbol
     * that has no bars. */
    if (ms_engine_cancelled(pipe->run->engine))
        ms_job_fail(job, ms_error(MS_ERR_CANCELLED, "the analysis was cancelled"));
    else
        ms_job_load(pipe->run, job);
    pthread_mutex_lock(&pipe->lock);
    pipe->ready[pipe->ready_count++] = task->index;
    pipe->loads_remaining--;
    pthread_cond_signal(&pipe->loaded);
    pthread_mutex_unlock(&pipe->lock);
}

typedef struct strategy_task {
    ms_engine *engine;
    ms_symbol_job *job;
} strategy_task;

static void run_strategies(void *arg)
{
    strategy_task *task = arg;
    if (ms_engine_cancelled(task->engine)) {
        /* Its report would be thrown away: the run ends cancelled. */
        ms_job_fail(task->job, ms_error(MS_ERR_CANCELLED, "the analysis was cancelled"));
        ms_job_release_inputs(task->job);
    } else
        ms_job_strategies(task->engine, task->job);
    free(task);
}

/* Hands a job's strategies to a worker; runs them here when the task
 * cannot be allocated or queued. */
static void submit_strategies(pipeline *pipe, ms_symbol_job *job)
{
    ms_engine *engine = pipe->run->engine;
    strategy_task *task = malloc(sizeof *task);
    if (task != NULL) {
        *task = (strategy_task){ engine, job };
        if (ms_pool_submit(pipe->pool, run_strategies, task) == MS_OK)
            return;
    }
    free(task);
    ms_job_strategies(engine, job);
}

/* A symbol with no forecast left: strategies on a worker, or reported
 * failed right away. */
static void complete(pipeline *pipe, ms_symbol_job *job)
{
    ms_engine *engine = pipe->run->engine;
    if (job->status != MS_OK) {
        ms_job_release_inputs(job);
        engine->finished(engine->finished_context, job);
        return;
    }
    if (engine->options->ablations & MS_ABLATE_NO_OVERLAP) {
        pipe->deferred[pipe->deferred_count++] = job;
        return;
    }
    submit_strategies(pipe, job);
}

static void run_batch(pipeline *pipe, size_t n)
{
    size_t done = ms_run_batch(pipe->run, n, pipe->run->done);
    for (size_t i = 0; i < done; i++)
        complete(pipe, pipe->run->done[i]);
}

/* Plans newly loaded symbols and runs each one's batches right away, on
 * their own; with shared batches they wait in the batcher for others'. */
static ms_status plan_loaded(pipeline *pipe, const size_t *indices, size_t count)
{
    ms_engine_state *run = pipe->run;
    for (size_t i = 0; i < count; i++) {
        ms_symbol_job *job = &run->engine->jobs[indices[i]];
        ms_status status = job->status == MS_OK ? ms_job_plan(run, indices[i]) : MS_OK;
        if (status != MS_OK)
            return status;
        if (job->status != MS_OK || job->pending == 0) {
            complete(pipe, job);
            continue;
        }
        if (!(run->engine->options->ablations & MS_ABLATE_SHARED_BATCHES)) {
            size_t n;
            while (!ms_engine_cancelled(run->engine) &&
                   (n = ms_batcher_pop(&run->batcher, run->batch_size, 1, run->batch)) > 0)
                run_batch(pipe, n);
        }
    }
    return MS_OK;
}

/* Waits until there is something to do, then takes the loaded symbols;
 * without overlap, only once every symbol is loaded. */
static size_t take_loaded(pipeline *pipe, size_t *indices, int *all_loaded)
{
    ms_engine_state *run = pipe->run;
    int may_infer = !(run->engine->options->ablations & MS_ABLATE_NO_OVERLAP);
    pthread_mutex_lock(&pipe->lock);
    while ((pipe->ready_count == 0 || !may_infer) && pipe->loads_remaining > 0 &&
           !(may_infer && ms_batcher_has_batch(&run->batcher, run->batch_size)))
        pthread_cond_wait(&pipe->loaded, &pipe->lock);
    size_t count = pipe->ready_count;
    for (size_t i = 0; i < count; i++)
        indices[i] = pipe->ready[i];
    pipe->ready_count = 0;
    *all_loaded = pipe->loads_remaining == 0;
    pthread_mutex_unlock(&pipe->lock);
    return count;
}

static ms_status drive(pipeline *pipe, size_t *indices)
{
    ms_engine_state *run = pipe->run;
    for (;;) {
        if (ms_engine_cancelled(run->engine))
            return MS_ERR_CANCELLED;
        int all_loaded;
        size_t count = take_loaded(pipe, indices, &all_loaded);
        ms_status status = plan_loaded(pipe, indices, count);
        if (status != MS_OK)
            return status;
        /* Shared batches: full while symbols still load; every leftover once all have. */
        size_t n = ms_batcher_pop(&run->batcher, run->batch_size, all_loaded, run->batch);
        if (n > 0)
            run_batch(pipe, n);
        else if (all_loaded)
            return MS_OK;
    }
}

static ms_status start(pipeline *pipe, load_task *tasks)
{
    ms_engine *engine = pipe->run->engine;
    for (size_t i = 0; i < engine->job_count; i++) {
        if (engine->jobs[i].status != MS_OK) {
            /* failed before loading (a duplicate name): report it in order */
            pthread_mutex_lock(&pipe->lock);
            pipe->ready[pipe->ready_count++] = i;
            pipe->loads_remaining--;
            pthread_mutex_unlock(&pipe->lock);
            continue;
        }
        tasks[i] = (load_task){ pipe, i };
        ms_status status = ms_pool_submit(pipe->pool, load_symbol, &tasks[i]);
        if (status != MS_OK)
            return status;
    }
    return MS_OK;
}

/* The no-overlap ablation's strategies, once inference is over. */
static void run_deferred(pipeline *pipe)
{
    for (size_t i = 0; i < pipe->deferred_count; i++)
        submit_strategies(pipe, pipe->deferred[i]);
    ms_pool_wait(pipe->pool);
}

static void release_pipeline(pipeline *pipe, load_task *tasks, size_t *indices)
{
    free(tasks);
    free(indices);
    free(pipe->ready);
    free(pipe->deferred);
}

ms_status ms_run_pipelined(ms_engine_state *run)
{
    ms_engine *engine = run->engine;
    size_t n = engine->job_count, slots = n ? n : 1;
    size_t workers = (size_t)engine->options->workers;
    pipeline pipe = { .run = run, .loads_remaining = n };
    load_task *tasks = calloc(slots, sizeof *tasks);
    size_t *indices = calloc(slots, sizeof *indices);
    pipe.ready = calloc(slots, sizeof *pipe.ready);
    pipe.deferred = calloc(slots, sizeof *pipe.deferred);
    if (tasks == NULL || indices == NULL || pipe.ready == NULL || pipe.deferred == NULL) {
        release_pipeline(&pipe, tasks, indices);
        return ms_error(MS_ERR_NOMEM, "out of memory starting the pipeline for %zu symbols", n);
    }
    pthread_mutex_init(&pipe.lock, NULL);
    pthread_cond_init(&pipe.loaded, NULL);
    ms_status status = ms_pool_create(&pipe.pool, workers < slots ? workers : slots, 0);
    if (status == MS_OK) {
        status = start(&pipe, tasks);
        if (status == MS_OK)
            status = drive(&pipe, indices);
        ms_pool_wait(pipe.pool);
        run_deferred(&pipe);
        ms_pool_free(pipe.pool);
    }
    pthread_cond_destroy(&pipe.loaded);
    pthread_mutex_destroy(&pipe.lock);
    release_pipeline(&pipe, tasks, indices);
    return status;
}
