/*
 * engine_internal.h - what engine.c and engine_pipeline.c share: the state
 * of one engine run and the steps a symbol goes through.
 */
#ifndef MS_ENGINE_INTERNAL_H
#define MS_ENGINE_INTERNAL_H

#include "analyze_internal.h"
#include "cache/cache_internal.h"
#include "core/core_internal.h"

typedef struct ms_engine_cache ms_engine_cache;

typedef struct ms_engine_state {
    ms_engine *engine;
    size_t batch_size;
    ms_batcher batcher;              /* touched by the driver thread only */
    ms_aggregate aggregate;
    ms_forecast_options forecast;
    ms_context_request *batch;       /* batch_size each: the batch being run, */
    ms_series *series;               /* its model inputs, */
    double *outputs;                 /* its outputs, */
    ms_symbol_job **done;            /* and the symbols it completed; */
    ms_series *copy_series;          /* the no-dedup ablation's repeated contexts */
    double *copy_outputs;            /* and their dropped outputs */
    ms_engine_cache *cache;          /* NULL: no forecast cache this run */
    bool bars;                       /* a bar model (engine_bars.c): */
    ms_bar_context *bar_contexts;    /* batch_size each: the batch's bar inputs, */
    int64_t *bar_future;             /* the times they predict, */
    double *bar_out;                 /* and the predicted bars */
} ms_engine_state;

ms_status ms_engine_state_init(ms_engine_state *run, ms_engine *engine);
void ms_engine_state_release(ms_engine_state *run);

/* Records a job's first failure with this thread's last error. */
void ms_job_fail(ms_symbol_job *job, ms_status status);

/* Loads the bars and prepares the contexts; failures stay in the job. */
void ms_job_load(ms_engine_state *run, ms_symbol_job *job);

/* Plans job `index` into the batcher and sets its pending count. */
ms_status ms_job_plan(ms_engine_state *run, size_t index);

/* Backtests a job whose forecasts are all in, frees its inputs, reports it
 * finished. */
void ms_job_strategies(ms_engine *engine, ms_symbol_job *job);

/* Frees a job's bars and contexts (its report stays). */
void ms_job_release_inputs(ms_symbol_job *job);

/* Forecasts the first n requests of run->batch, scatters the results, and
 * writes to `done` the jobs that have no pending context left (failed ones
 * included); returns how many. */
size_t ms_run_batch(ms_engine_state *run, size_t n, ms_symbol_job **done);

/* The forecast cache's hooks (engine_cache.c). Start sets run->cache when
 * the analysis has a usable cache and no ablation; finish evicts beyond
 * the bound and frees it. Fill looks a planned symbol's contexts up,
 * writes the cached forecasts and drops them from `list`; store counts a
 * forecast batch (run->batch, run->series, run->outputs) as computed and
 * stores it. Without a cache only the counting is done. */
ms_status ms_engine_cache_start(ms_engine_state *run);
void ms_engine_cache_finish(ms_engine_state *run);
void ms_engine_cache_fill(ms_engine_state *run, ms_symbol_job *job, ms_request_list *list);
void ms_engine_cache_store(ms_engine_state *run, size_t n);

/* A bar model (engine_bars.c): whether the engine's model predicts bars;
 * the batch buffers (init refuses an aggregate other than the mean: the
 * paths are averaged as the official predictor does); planning keeps one
 * request per origin (series 0); forecasting the batch; and writing
 * request i's predicted bar as the close, high and low changes. */
bool ms_engine_bar_model(const ms_engine *engine);
ms_status ms_engine_bars_init(ms_engine_state *run);
void ms_engine_bars_release(ms_engine_state *run);
void ms_engine_bars_plan(ms_request_list *list);
ms_status ms_engine_forecast_bars(ms_engine_state *run, size_t n);
void ms_engine_bars_scatter(ms_engine_state *run, size_t i, ms_symbol_contexts *contexts);
/* The bar context of an origin (the last context_length bars up to it,
 * borrowed from the bars) predicting the bar at *future; and request i's
 * predicted change of series s (close, high, low) after a batch. */
ms_status ms_engine_bar_context(const ms_symbol_contexts *contexts, size_t origin,
                                const ms_analyzer_options *opts, ms_bar_context *out,
                                int64_t *future);
double ms_engine_bar_change(const ms_engine_state *run, size_t i, int series);

/* The pipelined engine (engine_pipeline.c). */
ms_status ms_run_pipelined(ms_engine_state *run);

#endif
