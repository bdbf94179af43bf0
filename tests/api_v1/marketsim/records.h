/*
 * marketsim/records.h - the library's own description of its public
 * structs: for each, its size, its newest version (options structs) and
 * every field's name, type and offset, in declaration order. A binding
 * builds its view of a struct from the library it loaded instead of
 * mirroring the header by hand, so a field the library appends reaches it
 * without a change (bindings/python/marketsim/_api.py does this).
 * docs/architecture.md, "How the API grows".
 *
 * Thread safety: static tables, read only: safe from any thread.
 */
#ifndef MARKETSIM_RECORDS_H
#define MARKETSIM_RECORDS_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ms_field_type {
    MS_FIELD_INT = 0,        /* int, or an enum (a C int) */
    MS_FIELD_UNSIGNED = 1,   /* unsigned int */
    MS_FIELD_SIZE = 2,       /* size_t */
    MS_FIELD_INT64 = 3,      /* int64_t */
    MS_FIELD_UINT64 = 4,     /* uint64_t */
    MS_FIELD_DOUBLE = 5,     /* double */
    MS_FIELD_STRING = 6,     /* const char *, NUL-terminated */
    MS_FIELD_CHARS = 7,      /* char[count], NUL-terminated */
    MS_FIELD_RECORD = 8,     /* a struct: the record named by `target` */
    MS_FIELD_POINTER = 9,    /* a pointer to elements of `target`: "double",
                                "int64", "int", "sig_atomic_t" or a record's name; NULL
                                `target`: opaque (void *) */
    MS_FIELD_FUNCTION = 10,  /* a callback; `target` names its signature:
                                "ms_analyzer_progress_fn", "ms_trade_step_fn" */
    MS_FIELD_POINTERS = 11   /* a pointer to an array of pointers, each to elements
                                of `target` as MS_FIELD_POINTER's (a symbol
                                report's per-strategy rows) */
} ms_field_type;

typedef struct ms_record_field {
    const char *name;        /* as declared, e.g. "stock_fee" */
    ms_field_type type;
    size_t offset;           /* offsetof in the record */
    size_t count;            /* 1, or an array's length (MS_FIELD_CHARS: its size) */
    const char *target;      /* see ms_field_type; NULL otherwise */
} ms_record_field;

typedef struct ms_record {
    const char *name;        /* the struct's name, e.g. "ms_pick" */
    size_t size;             /* sizeof the struct in this library */
    int version;             /* an options struct's newest version (its
                                MS_..._VERSION, for its init function); 0 */
    size_t field_count;
    const ms_record_field *fields;   /* field_count of them, in declaration order */
} ms_record;

/*
 * The description of public struct `name` ("ms_symbol_report",
 * "ms_analyzer_options", ...): a static table, never freed; NULL for a NULL
 * or unknown name. Every options struct, every record the analysis hands
 * out and the broker's records (ms_account, ms_position, ms_market_clock,
 * ms_order_request, ms_order, ms_fill) are described (ms_record_at lists
 * them).
 */
MS_API const ms_record *ms_record_find(const char *name);

/* The described structs, for listing: record i of ms_record_count(), a
 * static table owned by the library, never freed (NULL out of range). */
MS_API size_t ms_record_count(void);
MS_API const ms_record *ms_record_at(size_t i);

#ifdef __cplusplus
}
#endif
#endif
