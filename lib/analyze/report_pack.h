/*
 * report_pack.h - the byte form of a report's per-symbol results
 * (report_pack.c) that a sharded analysis gathers (ms_report_pack,
 * ms_analyzer_merge), and the one place that names every field of the
 * structs it carries, so a test can prove the names cover the structs.
 */
#ifndef MS_REPORT_PACK_H
#define MS_REPORT_PACK_H

#include "engine_internal.h"

/* How a field travels. A struct travels as its raw bytes (every scalar
 * field, present and future, bit for bit); then what its pointer fields
 * point at, each rebuilt on the receiving side. */
typedef enum ms_pack_kind {
    MS_PACK_VALUE,       /* in the raw bytes: a scalar or a struct of scalars */
    MS_PACK_STRING,      /* const char *, NUL-terminated */
    MS_PACK_DOUBLES,     /* const double *, count in the size_t at count_offset */
    MS_PACK_INT64S,      /* const int64_t *, count in the size_t at count_offset */
    MS_PACK_INTS,        /* const int *, count in the size_t at count_offset */
    /* The per-strategy fields, strategy_count rows in the report's strategy
     * block (ms_strategy_block), rebuilt there on the receiving side: */
    MS_PACK_SUMMARIES,          /* strategies: each summary's raw bytes, then its
                                   pointer fields by its own table */
    MS_PACK_STRATEGY_DOUBLES,   /* walk_forward_returns: rows of the count at count_offset */
    MS_PACK_STRATEGY_INTS       /* walk_forward_sides: the same, of ints */
} ms_pack_kind;

/* A field whose size spans several pointers (consecutive pointer fields
 * of one allocation, as recent_forecast_close/high/low are) travels as one
 * block of rows x count elements; row r points r x count elements into it
 * on both sides. */
typedef struct ms_pack_field {
    const char *name;
    size_t offset;
    size_t size;
    size_t align;
    ms_pack_kind kind;
    size_t count_offset;
} ms_pack_field;

/* Every field of ms_symbol_report / ms_strategy_summary in declaration
 * order: *count receives the length. */
const ms_pack_field *ms_pack_symbol_fields(size_t *count);
const ms_pack_field *ms_pack_summary_fields(size_t *count);

/*
 * NULL when `fields` name every byte of a struct of `size` bytes aligned
 * to `align` (each field starts where the previous one ends, rounded up to
 * its own alignment, and the last ends where the struct does, rounded up),
 * else the name of the field after which an unnamed field lies ("(start)"
 * for the first).
 */
const char *ms_pack_uncovered(const ms_pack_field *fields, size_t count, size_t size,
                              size_t align);

/* The results one part holds, unpacked: symbol reports (each owning what
 * ms_symbol_report_release frees) and errors (owning symbol and message). */
typedef struct ms_pack_results {
    ms_symbol_report *symbols;
    size_t symbol_count;
    ms_symbol_error *errors;
    size_t error_count;
} ms_pack_results;

/* Reads what ms_report_pack wrote. Errors: MS_ERR_DATA (not a pack, made by
 * a build with other struct layouts, or cut short), MS_ERR_NOMEM. */
ms_status ms_pack_unpack(const void *bytes, size_t size, ms_pack_results *out);
void ms_pack_results_release(ms_pack_results *results);

/* Fills the jobs of an analysis (analyzer.c) after the spellings were
 * merged and the jobs prepared: the engine, or the parts of a merge. */
typedef ms_status (*ms_jobs_fill)(void *context, ms_analyzer *analyzer, ms_report *report,
                                  ms_symbol_job *jobs, size_t count);

/* ms_analyzer_run's steps around `fill`: merged spellings, prepared jobs,
 * then collection, freshness, ranking and picks. */
ms_status ms_analyzer_assemble(ms_analyzer *analyzer, const char *const *symbols, size_t n,
                               ms_jobs_fill fill, void *context, ms_report **out);

#endif
