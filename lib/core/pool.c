/*
 * pool.c - a reusable pthread pool: fixed workers, a bounded FIFO queue
 * (submitters block while it is full, which keeps memory bounded when a
 * producer is faster than the workers), wait-for-all, and clean shutdown.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "core_internal.h"

typedef struct ms_task {
    ms_task_fn fn;
    void *arg;
} ms_task;

struct ms_pool {
    pthread_mutex_t lock;
    pthread_cond_t has_task;    /* signalled when a task is queued or on shutdown */
    pthread_cond_t has_room;    /* signalled when a queue slot frees */
    pthread_cond_t idle;        /* signalled when the last pending task ends */
    ms_task *queue;             /* ring buffer of `capacity` tasks */
    size_t capacity;
    size_t head;
    size_t count;
    size_t pending;             /* queued + running */
    bool stopping;
    pthread_t *threads;
    size_t workers;
};

static void *worker_main(void *arg)
{
    ms_pool *pool = arg;
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        while (pool->count == 0 && !pool->stopping)
            pthread_cond_wait(&pool->has_task, &pool->lock);
        if (pool->count == 0 && pool->stopping)
            break;
        ms_task task = pool->queue[pool->head];
        pool->head = (pool->head + 1) % pool->capacity;
        pool->count--;
        pthread_cond_signal(&pool->has_room);
        pthread_mutex_unlock(&pool->lock);

        task.fn(task.arg);

        pthread_mutex_lock(&pool->lock);
        if (--pool->pending == 0)
            pthread_cond_broadcast(&pool->idle);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

static void stop_workers(ms_pool *pool, size_t started)
{
    pthread_mutex_lock(&pool->lock);
    pool->stopping = true;
    pthread_cond_broadcast(&pool->has_task);
    pthread_mutex_unlock(&pool->lock);
    for (size_t i = 0; i < started; i++)
        pthread_join(pool->threads[i], NULL);
}

static void destroy(ms_pool *pool)
{
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->has_task);
    pthread_cond_destroy(&pool->has_room);
    pthread_cond_destroy(&pool->idle);
    free(pool->queue);
    free(pool->threads);
    free(pool);
}

ms_status ms_pool_create(ms_pool **out, size_t workers, size_t queue_capacity)
{
    if (out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_pool_create: NULL out");
    *out = NULL;
    if (workers == 0)
        return ms_error(MS_ERR_INVALID_ARG, "thread pool needs at least one worker");
    ms_pool *pool = calloc(1, sizeof *pool);
    if (pool == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory creating a thread pool");
    pool->capacity = queue_capacity ? queue_capacity : 4 * workers;
    pool->queue = calloc(pool->capacity, sizeof *pool->queue);
    pool->threads = calloc(workers, sizeof *pool->threads);
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->has_task, NULL);
    pthread_cond_init(&pool->has_room, NULL);
    pthread_cond_init(&pool->idle, NULL);
    if (pool->queue == NULL || pool->threads == NULL) {
        destroy(pool);
        return ms_error(MS_ERR_NOMEM, "out of memory creating a thread pool");
    }
    for (size_t i = 0; i < workers; i++) {
        if (pthread_create(&pool->threads[i], NULL, worker_main, pool) != 0) {
            stop_workers(pool, i);
            destroy(pool);
            return ms_error(MS_ERR_INTERNAL, "could not start thread %zu of %zu", i + 1, workers);
        }
    }
    pool->workers = workers;
    *out = pool;
    return MS_OK;
}

ms_status ms_pool_submit(ms_pool *pool, ms_task_fn fn, void *arg)
{
    if (pool == NULL || fn == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_pool_submit: NULL pool or task");
    pthread_mutex_lock(&pool->lock);
    while (pool->count == pool->capacity && !pool->stopping)
        pthread_cond_wait(&pool->has_room, &pool->lock);
    if (pool->stopping) {
        pthread_mutex_unlock(&pool->lock);
        return ms_error(MS_ERR_INVALID_ARG, "ms_pool_submit: the pool is shutting down");
    }
    pool->queue[(pool->head + pool->count) % pool->capacity] = (ms_task){ fn, arg };
    pool->count++;
    pool->pending++;
    pthread_cond_signal(&pool->has_task);
    pthread_mutex_unlock(&pool->lock);
    return MS_OK;
}

void ms_pool_wait(ms_pool *pool)
{
    if (pool == NULL)
        return;
    pthread_mutex_lock(&pool->lock);
    while (pool->pending > 0)
        pthread_cond_wait(&pool->idle, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
}

size_t ms_pool_workers(const ms_pool *pool)
{
    return pool ? pool->workers : 0;
}

void ms_pool_free(ms_pool *pool)
{
    if (pool == NULL)
        return;
    ms_pool_wait(pool);
    stop_workers(pool, pool->workers);
    destroy(pool);
}

size_t ms_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (size_t)n : 1;
}
