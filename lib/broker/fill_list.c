/*
 * fill_list.c - ms_fills: the list ms_broker_fills returns. A broker appends
 * its fills in any order; the list is then put in time order (fills of one
 * second keep the broker's order, which is the order they happened in) and
 * each fill's position and realised P&L are worked out at average cost.
 *
 * Why average cost: both brokers value a position at its average entry
 * price (ms_position.avg_entry_price, from which unrealised P&L comes), so
 * realised P&L on the same basis adds up with the unrealised P&L to the
 * account's whole P&L. A fill that reduces a position realises
 * (price - average cost) x quantity closed (mirrored for shorts) and
 * leaves the average cost of the rest unchanged; one that goes through
 * zero closes the position and opens the remainder at its own price.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fills_internal.h"

/* Below this a position is flat: quantities are doubles (crypto). */
#define FLAT_QTY 1e-9

typedef struct fill_entry {
    ms_fill fill;
    size_t sequence;             /* the order the broker gave it in */
} fill_entry;

struct ms_fills {
    fill_entry *entries;
    size_t count, capacity;
    bool complete;
};

ms_status ms_fills_append(ms_fills *fills, const ms_fill *fill)
{
    if (ms_reserve(&fills->entries, &fills->capacity, fills->count + 1, sizeof *fills->entries)
        != MS_OK)
        return ms_error(MS_ERR_NOMEM, "out of memory listing fills");
    fills->entries[fills->count] = (fill_entry){ .fill = *fill, .sequence = fills->count };
    ms_symbol_canonical(fill->symbol, fills->entries[fills->count].fill.symbol);
    fills->count++;
    return MS_OK;
}

static int by_time(const void *a, const void *b)
{
    const fill_entry *x = a, *y = b;
    if (x->fill.time != y->fill.time)
        return x->fill.time < y->fill.time ? -1 : 1;
    return x->sequence < y->sequence ? -1 : x->sequence > y->sequence;
}

/* A symbol's running position at average cost. */
typedef struct holding {
    const char *symbol;
    double qty;                  /* signed */
    double avg_cost;
} holding;

static holding *holding_of(holding *held, size_t *count, const char *symbol)
{
    for (size_t i = 0; i < *count; i++)
        if (strcmp(held[i].symbol, symbol) == 0)
            return &held[i];
    held[*count] = (holding){ .symbol = symbol };
    return &held[(*count)++];
}

/* Books one fill into its holding; returns the P&L it realised. */
static double book(holding *h, const ms_fill *fill)
{
    double change = fill->side * fill->qty;
    if (fabs(h->qty) < FLAT_QTY || (h->qty > 0) == (change > 0)) {
        double total = fabs(h->qty) + fill->qty;
        h->avg_cost = (fabs(h->qty) * h->avg_cost + fill->qty * fill->price) / total;
        h->qty += change;
        return 0.0;
    }
    double closed = fmin(fill->qty, fabs(h->qty));
    double realized = closed * (fill->price - h->avg_cost) * (h->qty > 0 ? 1 : -1);
    h->qty += change;
    if (fabs(h->qty) < FLAT_QTY)
        h->qty = 0;
    else if (fill->qty > closed)
        h->avg_cost = fill->price;   /* through zero: the rest opens at the fill */
    return realized;
}

static ms_status finish(ms_fills *fills)
{
    if (fills->count > 1)   /* an empty list has no entries array, and qsort's may not be NULL */
        qsort(fills->entries, fills->count, sizeof *fills->entries, by_time);
    holding *held = calloc(fills->count + 1, sizeof *held);
    if (held == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory listing fills");
    size_t symbols = 0;
    for (size_t i = 0; i < fills->count; i++) {
        ms_fill *fill = &fills->entries[i].fill;
        holding *h = holding_of(held, &symbols, fill->symbol);
        double realized = book(h, fill);
        fill->position_after = fills->complete ? h->qty : NAN;
        fill->realized_pl = fills->complete ? realized : NAN;
    }
    free(held);
    return MS_OK;
}

MS_API ms_status ms_broker_fills(ms_broker *broker, int64_t after, ms_fills **out)
{
    if (broker == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_broker_fills: NULL argument");
    *out = NULL;
    if (after < 0)
        return ms_error(MS_ERR_INVALID_ARG, "ms_broker_fills: after must be >= 0, got %lld",
                        (long long)after);
    ms_fills *fills = calloc(1, sizeof *fills);
    if (fills == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory listing fills");
    fills->complete = after == 0;
    ms_status status = broker->ops->fills(broker->state, after, fills);
    if (status == MS_OK)
        status = finish(fills);
    if (status != MS_OK) {
        ms_fills_free(fills);
        return status;
    }
    *out = fills;
    return MS_OK;
}

MS_API size_t ms_fills_count(const ms_fills *fills)
{
    return fills != NULL ? fills->count : 0;
}

MS_API const ms_fill *ms_fills_at(const ms_fills *fills, size_t i)
{
    return fills != NULL && i < fills->count ? &fills->entries[i].fill : NULL;
}

MS_API int ms_fills_complete(const ms_fills *fills)
{
    return fills != NULL && fills->complete;
}

MS_API double ms_fills_realized_pl(const ms_fills *fills, int64_t since, const char *symbol)
{
    if (fills == NULL || !fills->complete)
        return NAN;
    char wanted[MS_SYMBOL_CAPACITY] = "";
    if (symbol != NULL)
        ms_symbol_canonical(symbol, wanted);
    double total = 0;
    for (size_t i = 0; i < fills->count; i++) {
        const ms_fill *fill = &fills->entries[i].fill;
        if (fill->time >= since && (symbol == NULL || strcmp(fill->symbol, wanted) == 0))
            total += fill->realized_pl;
    }
    return total;
}

MS_API void ms_fills_free(ms_fills *fills)
{
    if (fills == NULL)
        return;
    free(fills->entries);
    free(fills);
}
