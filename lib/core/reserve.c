/*
 * reserve.c - growing an array by doubling, the one way the library grows
 * its lists (fills, orders, steps, contexts, bars, byte buffers). Doubling
 * keeps appends amortised O(1); the multiplication that sizes the block is
 * checked, so a count near SIZE_MAX is refused instead of wrapping into a
 * short block that the caller would then write past.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"

/* The first block's items: small lists stay one allocation. */
#define FIRST_CAPACITY 16

/* The next capacity holding `wanted`: twice the current, at least `wanted`
 * and FIRST_CAPACITY; 0 when it cannot be counted in size_t. */
static size_t next_capacity(size_t capacity, size_t wanted)
{
    size_t next = capacity > SIZE_MAX / 2 ? SIZE_MAX : 2 * capacity;
    if (next < wanted)
        next = wanted;
    return next < FIRST_CAPACITY ? FIRST_CAPACITY : next;
}

ms_status ms_reserve(void *items, size_t *capacity, size_t wanted, size_t item_size)
{
    if (wanted <= *capacity)
        return MS_OK;
    if (item_size == 0)
        return MS_ERR_INVALID_ARG;
    size_t grown_capacity = next_capacity(*capacity, wanted);
    if (grown_capacity > SIZE_MAX / item_size)
        return MS_ERR_NOMEM;
    /* The array's pointer is read and written as bytes: `items` is some
     * T **, and storing through it as a void ** would break aliasing. */
    void *array;
    memcpy(&array, items, sizeof array);
    void *grown = realloc(array, grown_capacity * item_size);
    if (grown == NULL)
        return MS_ERR_NOMEM;
    memcpy(items, &grown, sizeof grown);
    *capacity = grown_capacity;
    return MS_OK;
}
