/*
 * plan.c - the forecast planner and the batcher.
 *
 * The planner lists the contexts one symbol's walk-forward needs: every
 * (simulation k, day d) pair evaluates origin e-E+d with e = n-1-k, and
 * simulation 0 also needs the live origin n-1. Counting the pairs that
 * touch each origin removes the duplicates: N + E contexts per series
 * instead of the reference system's N x E (the no-dedup ablation re-runs
 * the copies). Requests come out in a canonical order, series by series,
 * origins ascending, so a symbol's batches depend on its own data only
 * (docs/performance.md, "Reproducible batches").
 *
 * The batcher queues requests by padded context length (a model pads to
 * its patch, so one padded length is one forward pass) and hands out
 * batches first-in first-out, so the symbols planned first complete first.
 */
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"
#include "core/core_internal.h"

static ms_status push_request(ms_request_list *list, ms_context_request request)
{
    if (ms_reserve(&list->items, &list->capacity, list->count + 1, sizeof *list->items) != MS_OK)
        return ms_error(MS_ERR_NOMEM, "out of memory planning %zu contexts", list->count + 1);
    list->items[list->count++] = request;
    return MS_OK;
}

/* The origin index simulation k, day d evaluates; day E is the live origin. */
static size_t pair_origin(const ms_symbol_contexts *contexts, const ms_analyzer_options *opts,
                          size_t k, size_t d)
{
    size_t end = ms_bars_len(contexts->bars) - 1 - k;
    return end - opts->eval_days + d - contexts->first_origin;
}

ms_status ms_plan_symbol(ms_request_list *list, uint32_t symbol,
                         const ms_symbol_contexts *contexts, const ms_analyzer_options *opts)
{
    size_t N = ms_forecast_simulations(opts), E = opts->eval_days;
    uint32_t *pairs = calloc(contexts->count, sizeof *pairs);
    if (pairs == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory planning %zu origins", contexts->count);
    for (size_t k = 0; k < N; k++)
        for (size_t d = 0; d <= E; d++)
            if (d < E || k == 0) /* only simulation 0 forecasts the live origin */
                pairs[pair_origin(contexts, opts, k, d)]++;
    ms_status status = MS_OK;
    for (int s = 0; s < MS_SERIES_COUNT && status == MS_OK; s++)
        for (size_t origin = 0; origin < contexts->count && status == MS_OK; origin++)
            if (pairs[origin] > 0)
                status = push_request(list, (ms_context_request){ symbol, (uint32_t)origin,
                                                                  (uint8_t)s, pairs[origin] });
    free(pairs);
    return status;
}

void ms_request_list_release(ms_request_list *list)
{
    free(list->items);
    memset(list, 0, sizeof *list);
}

/* ---- Batcher ---------------------------------------------------------------- */

typedef struct ms_bucket {
    size_t padded_length;
    ms_context_request *items;   /* ring of `capacity` */
    uint64_t *order;             /* arrival number of each queued item */
    size_t head, count, capacity;
} ms_bucket;

void ms_batcher_init(ms_batcher *batcher, size_t patch_size)
{
    memset(batcher, 0, sizeof *batcher);
    batcher->patch_size = patch_size;
}

/* A model that does not pad (patch 0) batches any lengths together: one bucket. */
static size_t padded_length(const ms_batcher *batcher, size_t length)
{
    size_t patch = batcher->patch_size;
    return patch ? (length + patch - 1) / patch * patch : 0;
}

static ms_bucket *find_bucket(ms_batcher *batcher, size_t padded_length)
{
    for (size_t i = 0; i < batcher->bucket_count; i++)
        if (batcher->buckets[i].padded_length == padded_length)
            return &batcher->buckets[i];
    ms_bucket *buckets = realloc(batcher->buckets, (batcher->bucket_count + 1) * sizeof *buckets);
    if (buckets == NULL)
        return NULL;
    batcher->buckets = buckets;
    ms_bucket *bucket = &buckets[batcher->bucket_count++];
    *bucket = (ms_bucket){ .padded_length = padded_length };
    return bucket;
}

/* Grows a full bucket's ring. The arrays are reserved on copies of the
 * capacity, so one that grew while the other could not is merely larger
 * than the bucket says. The requests that had wrapped round to the front
 * then move to just past the old end, where the larger ring continues. */
static int grow_bucket(ms_bucket *bucket)
{
    size_t old = bucket->capacity, items_capacity = old, order_capacity = old;
    if (ms_reserve(&bucket->items, &items_capacity, old + 1, sizeof *bucket->items) != MS_OK ||
        ms_reserve(&bucket->order, &order_capacity, old + 1, sizeof *bucket->order) != MS_OK)
        return 0;
    size_t wrapped = bucket->head + bucket->count > old ? bucket->head + bucket->count - old : 0;
    memcpy(bucket->items + old, bucket->items, wrapped * sizeof *bucket->items);
    memcpy(bucket->order + old, bucket->order, wrapped * sizeof *bucket->order);
    bucket->capacity = items_capacity;
    return 1;
}

ms_status ms_batcher_push(ms_batcher *batcher, ms_context_request request, size_t context_length)
{
    ms_bucket *bucket = find_bucket(batcher, padded_length(batcher, context_length));
    if (bucket == NULL || (bucket->count == bucket->capacity && !grow_bucket(bucket)))
        return ms_error(MS_ERR_NOMEM, "out of memory queueing contexts");
    size_t slot = (bucket->head + bucket->count++) % bucket->capacity;
    bucket->items[slot] = request;
    bucket->order[slot] = batcher->arrivals++;
    batcher->queued++;
    return MS_OK;
}

/* Of the buckets holding a full batch (or, when flushing, any request), the
 * one whose oldest request arrived first. */
static ms_bucket *next_bucket(ms_batcher *batcher, size_t batch_size, int flush)
{
    ms_bucket *best = NULL;
    for (size_t i = 0; i < batcher->bucket_count; i++) {
        ms_bucket *bucket = &batcher->buckets[i];
        if (bucket->count == 0 || (!flush && bucket->count < batch_size))
            continue;
        if (best == NULL || bucket->order[bucket->head] < best->order[best->head])
            best = bucket;
    }
    return best;
}

int ms_batcher_has_batch(ms_batcher *batcher, size_t batch_size)
{
    return next_bucket(batcher, batch_size, 0) != NULL;
}

size_t ms_batcher_pop(ms_batcher *batcher, size_t batch_size, int flush, ms_context_request *out)
{
    ms_bucket *bucket = next_bucket(batcher, batch_size, flush);
    if (bucket == NULL)
        return 0;
    size_t n = bucket->count < batch_size ? bucket->count : batch_size;
    for (size_t i = 0; i < n; i++)
        out[i] = bucket->items[(bucket->head + i) % bucket->capacity];
    bucket->head = (bucket->head + n) % bucket->capacity;
    bucket->count -= n;
    batcher->queued -= n;
    return n;
}

void ms_batcher_release(ms_batcher *batcher)
{
    for (size_t i = 0; i < batcher->bucket_count; i++) {
        free(batcher->buckets[i].items);
        free(batcher->buckets[i].order);
    }
    free(batcher->buckets);
    memset(batcher, 0, sizeof *batcher);
}
