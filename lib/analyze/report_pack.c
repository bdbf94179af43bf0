/*
 * report_pack.c - a report's per-symbol results as bytes and back, for a
 * sharded analysis (docs/scaling.md): each part's symbol reports and errors
 * travel to the process that merges them (ms_analyzer_merge).
 *
 * Why raw struct bytes: the parts of one analysis run one build on one
 * kind of machine, so a symbol report's scalars copied as bytes arrive bit
 * for bit (no double goes through text), and a scalar field someone
 * appends to ms_symbol_report or ms_strategy_summary travels without a
 * change here. Only pointers need this file: the tables below name every
 * field, pointer or not, and test_report_pack proves they cover each
 * struct byte for byte, so a new field (a pointer most of all, which raw
 * bytes would carry as a dangling address) fails that test until it is
 * named here. The per-strategy data, behind the report's pointer arrays,
 * travels strategy by strategy (each summary's raw bytes, then each
 * walk-forward row) into a strategy block of the receiver's own. The
 * header records both struct sizes: a pack from another build is
 * refused, never misread.
 */
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_pack.h"

#define PACK_FIELD(type, field, kind, count)                                           \
    { #field, offsetof(type, field), sizeof(((type *)0)->field),                       \
      alignof(__typeof__(((type *)0)->field)), kind, count }
#define SYMBOL_VALUE(field) PACK_FIELD(ms_symbol_report, field, MS_PACK_VALUE, 0)
#define SUMMARY_VALUE(field) PACK_FIELD(ms_strategy_summary, field, MS_PACK_VALUE, 0)
/* `rows` consecutive pointer fields from `first` on, one allocation. */
#define PACK_ROWS(type, first, rows, kind, count)                                      \
    { #first, offsetof(type, first), (rows) * sizeof(void *), alignof(void *), kind, count }
#define RECENT_DOUBLES(field)                                                          \
    PACK_FIELD(ms_symbol_report, field, MS_PACK_DOUBLES, offsetof(ms_symbol_report, recent_count))
#define WALK_FORWARD(field, kind)                                                      \
    PACK_FIELD(ms_symbol_report, field, kind, offsetof(ms_symbol_report, walk_forward_days))

static const ms_pack_field symbol_fields[] = {
    PACK_FIELD(ms_symbol_report, symbol, MS_PACK_STRING, 0),
    SYMBOL_VALUE(asset_class),
    SYMBOL_VALUE(bars),
    SYMBOL_VALUE(last_timestamp),
    SYMBOL_VALUE(stale),
    SYMBOL_VALUE(last_close),
    SYMBOL_VALUE(forecast_close),
    SYMBOL_VALUE(forecast_high),
    SYMBOL_VALUE(forecast_low),
    SYMBOL_VALUE(strategy_count),
    PACK_FIELD(ms_symbol_report, strategies, MS_PACK_SUMMARIES, 0),
    SYMBOL_VALUE(maxdiff_choice),
    SYMBOL_VALUE(best_strategy),
    SYMBOL_VALUE(composite_score),
    SYMBOL_VALUE(side),
    SYMBOL_VALUE(entry_price),
    SYMBOL_VALUE(take_profit_price),
    SYMBOL_VALUE(data_seconds),
    SYMBOL_VALUE(inference_seconds),
    SYMBOL_VALUE(strategy_seconds),
    RECENT_DOUBLES(recent_close),
    PACK_FIELD(ms_symbol_report, recent_time, MS_PACK_INT64S,
               offsetof(ms_symbol_report, recent_count)),
    SYMBOL_VALUE(recent_count),
    SYMBOL_VALUE(incoherent_forecasts),
    SYMBOL_VALUE(forecast_origins),
    SYMBOL_VALUE(plan_check),
    SYMBOL_VALUE(forecasts_cached),
    SYMBOL_VALUE(forecasts_computed),
    RECENT_DOUBLES(recent_open),
    RECENT_DOUBLES(recent_high),
    RECENT_DOUBLES(recent_low),
    PACK_ROWS(ms_symbol_report, recent_forecast_close, 3, MS_PACK_DOUBLES,
              offsetof(ms_symbol_report, recent_count)),
    WALK_FORWARD(walk_forward_time, MS_PACK_INT64S),
    WALK_FORWARD(walk_forward_returns, MS_PACK_STRATEGY_DOUBLES),
    WALK_FORWARD(walk_forward_sides, MS_PACK_STRATEGY_INTS),
    SYMBOL_VALUE(walk_forward_days),
    SYMBOL_VALUE(forecast_quality),
};

static const ms_pack_field summary_fields[] = {
    SUMMARY_VALUE(mean),
    SUMMARY_VALUE(baseline_mean),
    SUMMARY_VALUE(optimized_mean),
    SUMMARY_VALUE(total_return_std),
    PACK_FIELD(ms_strategy_summary, simulation_returns, MS_PACK_DOUBLES,
               offsetof(ms_strategy_summary, simulations)),
    SUMMARY_VALUE(simulations),
    SUMMARY_VALUE(reference_mean),
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

const ms_pack_field *ms_pack_symbol_fields(size_t *count)
{
    *count = COUNT_OF(symbol_fields);
    return symbol_fields;
}

const ms_pack_field *ms_pack_summary_fields(size_t *count)
{
    *count = COUNT_OF(summary_fields);
    return summary_fields;
}

static size_t round_up(size_t value, size_t align)
{
    return (value + align - 1) / align * align;
}

const char *ms_pack_uncovered(const ms_pack_field *fields, size_t count, size_t size,
                              size_t align)
{
    size_t end = 0;
    const char *previous = "(start)";
    for (size_t i = 0; i < count; i++) {
        if (fields[i].offset != round_up(end, fields[i].align))
            return previous;
        end = fields[i].offset + fields[i].size;
        previous = fields[i].name;
    }
    return round_up(end, align) == size ? NULL : previous;
}

/* ---- Writing ----------------------------------------------------------------- */

static const char pack_magic[8] = { 'M', 'S', 'P', 'A', 'C', 'K', '0', '1' };

static void put_size(FILE *f, size_t value)
{
    uint64_t wide = value;
    fwrite(&wide, sizeof wide, 1, f);
}

static void put_string(FILE *f, const char *text)
{
    size_t length = text ? strlen(text) : 0;
    put_size(f, length);
    fwrite(text ? text : "", 1, length, f);
}

static size_t field_count_at(const void *base, const ms_pack_field *field)
{
    size_t count;
    memcpy(&count, (const char *)base + field->count_offset, sizeof count);
    return count;
}

static const void *field_pointer(const void *base, const ms_pack_field *field)
{
    const void *pointer;
    memcpy(&pointer, (const char *)base + field->offset, sizeof pointer);
    return pointer;
}

static size_t field_rows(const ms_pack_field *field)
{
    return field->size / sizeof(void *);
}

static size_t element_size(const ms_pack_field *field)
{
    return field->kind == MS_PACK_INTS || field->kind == MS_PACK_STRATEGY_INTS ? sizeof(int) : 8;
}

static bool is_per_strategy(const ms_pack_field *field)
{
    return field->kind == MS_PACK_SUMMARIES || field->kind == MS_PACK_STRATEGY_DOUBLES ||
           field->kind == MS_PACK_STRATEGY_INTS;
}

static void put_pointers(FILE *f, const void *base, const ms_pack_field *fields, size_t count);

/* A per-strategy field, strategy_count rows (that count is in the
 * report's raw bytes): each summary's raw bytes and what its pointers
 * point at; or the walk-forward rows, after one count for all of them (0
 * before the walk-forward is made: ms_walk_forward_init sets every row). */
static void put_per_strategy(FILE *f, const ms_symbol_report *report, const ms_pack_field *field)
{
    if (field->kind == MS_PACK_SUMMARIES) {
        for (size_t s = 0; s < report->strategy_count; s++) {
            fwrite(report->strategies[s], sizeof(ms_strategy_summary), 1, f);
            put_pointers(f, report->strategies[s], summary_fields, COUNT_OF(summary_fields));
        }
        return;
    }
    const void *const *rows = field_pointer(report, field);
    size_t n = rows && report->strategy_count && rows[0] ? field_count_at(report, field) : 0;
    put_size(f, n);
    for (size_t s = 0; n > 0 && s < report->strategy_count; s++)
        fwrite(rows[s], element_size(field), n, f);
}

static void put_field(FILE *f, const void *base, const ms_pack_field *field)
{
    const void *pointer = field->kind == MS_PACK_VALUE || is_per_strategy(field)
                              ? NULL : field_pointer(base, field);
    size_t n = 0;
    switch (field->kind) {
    case MS_PACK_VALUE: return;
    case MS_PACK_STRING: put_string(f, pointer); return;
    case MS_PACK_DOUBLES: case MS_PACK_INT64S: case MS_PACK_INTS:
        n = pointer ? field_count_at(base, field) : 0;
        put_size(f, n);
        fwrite(pointer ? pointer : "", element_size(field), n * field_rows(field), f);
        return;
    case MS_PACK_SUMMARIES: case MS_PACK_STRATEGY_DOUBLES: case MS_PACK_STRATEGY_INTS:
        put_per_strategy(f, base, field);
        return;
    }
}

static void put_pointers(FILE *f, const void *base, const ms_pack_field *fields, size_t count)
{
    for (size_t i = 0; i < count; i++)
        put_field(f, base, &fields[i]);
}

MS_API ms_status ms_report_pack(const ms_report *report, void **out, size_t *size)
{
    if (report == NULL || out == NULL || size == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_report_pack: NULL argument");
    char *bytes = NULL;
    size_t length = 0;
    FILE *f = open_memstream(&bytes, &length);
    if (f == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory packing a report");
    fwrite(pack_magic, 1, sizeof pack_magic, f);
    put_size(f, sizeof(ms_symbol_report));
    put_size(f, sizeof(ms_strategy_summary));
    put_size(f, report->symbol_count);
    put_size(f, report->error_count);
    for (size_t i = 0; i < report->symbol_count; i++) {
        fwrite(&report->symbols[i], sizeof report->symbols[i], 1, f);
        put_pointers(f, &report->symbols[i], symbol_fields, COUNT_OF(symbol_fields));
    }
    for (size_t i = 0; i < report->error_count; i++) {
        int32_t status = report->errors[i].status;
        put_string(f, report->errors[i].symbol);
        fwrite(&status, sizeof status, 1, f);
        put_string(f, report->errors[i].message);
    }
    if (ferror(f) || fclose(f) != 0) {
        free(bytes);
        return ms_error(MS_ERR_NOMEM, "out of memory packing a report");
    }
    *out = bytes;
    *size = length;
    return MS_OK;
}

/* ---- Reading ----------------------------------------------------------------- */

typedef struct pack_reader {
    const char *at;
    size_t left;
    bool failed;     /* cut short or inconsistent: MS_ERR_DATA */
    bool no_memory;
} pack_reader;

static void take(pack_reader *r, void *out, size_t n)
{
    if (r->failed || n > r->left) {
        r->failed = true;
        memset(out, 0, n);
        return;
    }
    memcpy(out, r->at, n);
    r->at += n;
    r->left -= n;
}

static size_t take_size(pack_reader *r)
{
    uint64_t wide = 0;
    take(r, &wide, sizeof wide);
    if (wide > r->left && wide > SIZE_MAX / 16)
        r->failed = true;
    return r->failed ? 0 : (size_t)wide;
}

/* A copy of the next n bytes, plus `extra` zero bytes (a string's NUL). */
static void *take_copy(pack_reader *r, size_t n, size_t extra)
{
    if (r->failed || n > r->left) {
        r->failed = true;
        return NULL;
    }
    char *copy = malloc(n + extra ? n + extra : 1);
    if (copy == NULL) {
        r->no_memory = r->failed = true;
        return NULL;
    }
    take(r, copy, n);
    memset(copy + n, 0, extra);
    return copy;
}

static char *take_string(pack_reader *r)
{
    return take_copy(r, take_size(r), 1);
}

/* Points the field's rows into `block` (row r at r x count elements), or
 * every row at NULL. */
static void set_rows(void *base, const ms_pack_field *field, const char *block, size_t count)
{
    for (size_t r = 0; r < field_rows(field); r++) {
        const void *row = block ? block + r * count * element_size(field) : NULL;
        memcpy((char *)base + field->offset + r * sizeof row, &row, sizeof row);
    }
}

/* Clears the pointer fields the raw bytes brought (addresses in the
 * sender), so a struct cut short still frees safely. */
static void clear_pointers(void *base, const ms_pack_field *fields, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (fields[i].kind != MS_PACK_VALUE)
            set_rows(base, &fields[i], NULL, 0);
}

static void take_pointers(pack_reader *r, void *base, const ms_pack_field *fields, size_t count);

/* The report's strategy block, filled summary by summary. The sender is
 * this build (the header says so), so its strategy_count is ours. */
static void take_summaries(pack_reader *r, ms_symbol_report *report)
{
    size_t count = report->strategy_count;
    report->strategy_count = 0;
    if (count != MS_STRATEGY_COUNT) {
        r->failed = count != 0;
        return;
    }
    if (ms_strategy_block_attach(report) != MS_OK) {
        r->no_memory = r->failed = true;
        return;
    }
    ms_strategy_block *block = ms_strategy_block_of(report);
    for (size_t s = 0; s < count && !r->failed; s++) {
        ms_strategy_summary *summary = &block->summaries[s];
        take(r, summary, sizeof *summary);
        clear_pointers(summary, summary_fields, COUNT_OF(summary_fields));
        take_pointers(r, summary, summary_fields, COUNT_OF(summary_fields));
    }
}

/* A walk-forward field's rows: one block of strategy_count x n values, row
 * s at s x n, into the block's rows (the pointer field already points at
 * them), as ms_walk_forward_init lays them out. */
static void take_strategy_rows(pack_reader *r, ms_symbol_report *report,
                               const ms_pack_field *field)
{
    size_t n = take_size(r), rows = report->strategy_count;
    char *row_array = (char *)(uintptr_t)field_pointer(report, field);
    if (n == 0 || r->failed)
        return;
    if (row_array == NULL || rows == 0 || n != field_count_at(report, field) ||
        n > r->left / element_size(field) / rows) {
        r->failed = true;
        return;
    }
    char *values = take_copy(r, n * rows * element_size(field), 0);
    for (size_t s = 0; values != NULL && s < rows; s++) {
        const void *row = values + s * n * element_size(field);
        memcpy(row_array + s * sizeof row, &row, sizeof row);
    }
}

static void take_field(pack_reader *r, void *base, const ms_pack_field *field)
{
    size_t n;
    switch (field->kind) {
    case MS_PACK_VALUE: return;
    case MS_PACK_STRING: set_rows(base, field, take_string(r), 0); return;
    case MS_PACK_DOUBLES: case MS_PACK_INT64S: case MS_PACK_INTS:
        n = take_size(r);
        if (n != 0 && n != field_count_at(base, field))
            r->failed = true;
        if (n != 0 && n <= r->left / element_size(field) / field_rows(field))
            set_rows(base, field, take_copy(r, n * field_rows(field) * element_size(field), 0), n);
        else if (n != 0)
            r->failed = true;
        return;
    case MS_PACK_SUMMARIES: take_summaries(r, base); return;
    case MS_PACK_STRATEGY_DOUBLES: case MS_PACK_STRATEGY_INTS:
        take_strategy_rows(r, base, field);
        return;
    }
}

static void take_pointers(pack_reader *r, void *base, const ms_pack_field *fields, size_t count)
{
    for (size_t i = 0; i < count; i++)
        take_field(r, base, &fields[i]);
}

static bool take_header(pack_reader *r, size_t *symbols, size_t *errors)
{
    char magic[sizeof pack_magic];
    take(r, magic, sizeof magic);
    size_t symbol_size = take_size(r), summary_size = take_size(r);
    *symbols = take_size(r);
    *errors = take_size(r);
    return !r->failed && memcmp(magic, pack_magic, sizeof magic) == 0 &&
           symbol_size == sizeof(ms_symbol_report) &&
           summary_size == sizeof(ms_strategy_summary) &&
           *symbols <= r->left / sizeof(ms_symbol_report) && *errors <= r->left;
}

static void take_results(pack_reader *r, ms_pack_results *out, size_t symbols, size_t errors)
{
    for (size_t i = 0; i < symbols && !r->failed; i++) {
        ms_symbol_report *report = &out->symbols[out->symbol_count];
        take(r, report, sizeof *report);
        clear_pointers(report, symbol_fields, COUNT_OF(symbol_fields));
        out->symbol_count++;
        take_pointers(r, report, symbol_fields, COUNT_OF(symbol_fields));
    }
    for (size_t i = 0; i < errors && !r->failed; i++) {
        ms_symbol_error *error = &out->errors[out->error_count++];
        int32_t status = 0;
        error->symbol = take_string(r);
        take(r, &status, sizeof status);
        error->status = (ms_status)status;
        error->message = take_string(r);
    }
}

ms_status ms_pack_unpack(const void *bytes, size_t size, ms_pack_results *out)
{
    *out = (ms_pack_results){ 0 };
    pack_reader r = { .at = bytes, .left = size };
    size_t symbols = 0, errors = 0;
    if (bytes == NULL || !take_header(&r, &symbols, &errors))
        return ms_error(MS_ERR_DATA, "not a report pack of this build (%zu bytes)", size);
    out->symbols = calloc(symbols ? symbols : 1, sizeof *out->symbols);
    out->errors = calloc(errors ? errors : 1, sizeof *out->errors);
    if (out->symbols == NULL || out->errors == NULL) {
        ms_pack_results_release(out);
        return ms_error(MS_ERR_NOMEM, "out of memory unpacking a report");
    }
    take_results(&r, out, symbols, errors);
    if (!r.failed && r.left == 0)
        return MS_OK;
    ms_pack_results_release(out);
    return r.no_memory ? ms_error(MS_ERR_NOMEM, "out of memory unpacking a report")
                       : ms_error(MS_ERR_DATA, "a report pack cut short or inconsistent");
}

void ms_pack_results_release(ms_pack_results *results)
{
    for (size_t i = 0; i < results->symbol_count; i++)
        ms_symbol_report_release(&results->symbols[i]);
    for (size_t i = 0; i < results->error_count; i++) {
        free((char *)results->errors[i].symbol);
        free((char *)results->errors[i].message);
    }
    free(results->symbols);
    free(results->errors);
    *results = (ms_pack_results){ 0 };
}
