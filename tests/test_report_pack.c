/*
 * test_report_pack.c - a report's per-symbol results as bytes
 * (ms_report_pack) and the report merged from parts (ms_analyzer_merge):
 * the pack's tables name every field of the structs it carries, a report
 * merged from its own pack equals it field for field, a report merged from
 * shards equals the run over all symbols (freshness judged over all of
 * them), and a damaged pack is refused. A merged report takes the job's
 * timings (ms_report_set_job_timings) and lists its parts in the JSON.
 */
#include <setjmp.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "analyze/report_pack.h"
#include "support/cache_fixture.h"

static void assert_covered(const ms_pack_field *fields, size_t count, size_t size, size_t align,
                           const char *name)
{
    const char *after = ms_pack_uncovered(fields, count, size, align);
    if (after != NULL)
        fail_msg("%s has a field after '%s' that lib/analyze/report_pack.c does not name: "
                 "add it to the table there (a pointer with its kind)", name, after);
}

static void every_symbol_report_field_is_named_in_the_pack_table(void **state)
{
    (void)state;
    size_t count;
    const ms_pack_field *fields = ms_pack_symbol_fields(&count);
    assert_covered(fields, count, sizeof(ms_symbol_report), alignof(ms_symbol_report),
                   "ms_symbol_report");
}

static void every_strategy_summary_field_is_named_in_the_pack_table(void **state)
{
    (void)state;
    size_t count;
    const ms_pack_field *fields = ms_pack_summary_fields(&count);
    assert_covered(fields, count, sizeof(ms_strategy_summary), alignof(ms_strategy_summary),
                   "ms_strategy_summary");
}

static void a_field_past_the_table_is_found(void **state)
{
    (void)state;
    size_t count;
    const ms_pack_field *fields = ms_pack_symbol_fields(&count);
    assert_string_equal(ms_pack_uncovered(fields, count, sizeof(ms_symbol_report) + 8,
                                          alignof(ms_symbol_report)),
                        fields[count - 1].name);
    assert_string_equal(ms_pack_uncovered(fields + 1, count - 1, sizeof(ms_symbol_report),
                                          alignof(ms_symbol_report)), "(start)");
}

/* ---- Analyses over the CSV fixtures ------------------------------------------ */

typedef struct fixture {
    ms_source *source;
    ms_model *model;
    ms_analyzer *analyzer;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    const char *root = getenv("MARKETSIM_SOURCE_DIR");
    char uri[4096];
    snprintf(uri, sizeof uri, "csv:%s/tests/fixtures/analyze", root ? root : ".");
    assert_int_equal(ms_source_open(&f->source, uri, NULL), MS_OK);
    assert_int_equal(ms_model_open(&f->model, "baseline", NULL), MS_OK);
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.simulations = 10;
    opts.eval_days = 6;
    opts.cache = "off";
    assert_int_equal(ms_analyzer_create(&f->analyzer, f->source, f->model, &opts), MS_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ms_analyzer_free(f->analyzer);
    ms_model_free(f->model);
    ms_source_free(f->source);
    free(f);
    return 0;
}

static ms_report *analyse(fixture *f, const char *const *symbols, size_t n)
{
    ms_report *report = NULL;
    assert_int_equal(ms_analyzer_run(f->analyzer, symbols, n, &report), MS_OK);
    return report;
}

static char *json_of(const ms_report *report)
{
    char *json = NULL;
    assert_int_equal(ms_report_to_json(report, &json), MS_OK);
    char *without = cache_json_without_timings(json);
    ms_free(json);
    return without;
}

static void assert_fields_equal(const void *a, const void *b, const ms_pack_field *fields,
                                size_t count);

/* Strategy s's row of a per-strategy field. */
static const void *row_of(const ms_symbol_report *r, ms_pack_kind kind, size_t s)
{
    if (kind == MS_PACK_SUMMARIES)
        return r->strategies[s];
    return kind == MS_PACK_STRATEGY_INTS ? (const void *)r->walk_forward_sides[s]
                                         : (const void *)r->walk_forward_returns[s];
}

/* Strategy by strategy: the summaries field for field, the walk-forward
 * rows value for value, each in its own allocation. */
static void assert_per_strategy_equal(const ms_symbol_report *a, const ms_symbol_report *b,
                                      const ms_pack_field *field)
{
    size_t summary_count;
    const ms_pack_field *summary = ms_pack_summary_fields(&summary_count);
    size_t row_size = a->walk_forward_days *
                      (field->kind == MS_PACK_STRATEGY_INTS ? sizeof(int) : sizeof(double));
    assert_int_equal(a->strategy_count, MS_STRATEGY_COUNT);
    assert_int_equal(b->strategy_count, a->strategy_count);
    for (size_t s = 0; s < a->strategy_count; s++) {
        const void *x = row_of(a, field->kind, s), *y = row_of(b, field->kind, s);
        assert_true(x != NULL && y != NULL && x != y);
        if (field->kind == MS_PACK_SUMMARIES)
            assert_fields_equal(x, y, summary, summary_count);
        else if (memcmp(x, y, row_size) != 0)
            fail_msg("field %s row %zu differs", field->name, s);
    }
}

static void assert_field_equal(const void *a, const void *b, const ms_pack_field *field)
{
    const char *x = (const char *)a + field->offset, *y = (const char *)b + field->offset;
    const void *p, *q;
    size_t n;
    switch (field->kind) {
    case MS_PACK_VALUE:
        if (memcmp(x, y, field->size) != 0)
            fail_msg("field %s differs", field->name);
        return;
    case MS_PACK_STRING:
        memcpy(&p, x, sizeof p);
        memcpy(&q, y, sizeof q);
        assert_string_equal(p, q);
        return;
    case MS_PACK_DOUBLES: case MS_PACK_INT64S: case MS_PACK_INTS:
        memcpy(&n, (const char *)a + field->count_offset, sizeof n);
        for (size_t row = 0; row < field->size / sizeof p; row++) {
            memcpy(&p, x + row * sizeof p, sizeof p);
            memcpy(&q, y + row * sizeof q, sizeof q);
            size_t element = field->kind == MS_PACK_INTS ? sizeof(int) : 8;
            if (n != 0 && (p == q || memcmp(p, q, n * element) != 0))
                fail_msg("field %s row %zu differs", field->name, row);
        }
        return;
    case MS_PACK_SUMMARIES: case MS_PACK_STRATEGY_DOUBLES: case MS_PACK_STRATEGY_INTS:
        assert_per_strategy_equal(a, b, field);
        return;
    }
}

static void assert_fields_equal(const void *a, const void *b, const ms_pack_field *fields,
                                size_t count)
{
    for (size_t i = 0; i < count; i++)
        assert_field_equal(a, b, &fields[i]);
}

static const char *const symbols[] = { "GOOD", "SHORT", "OTHER", "STALE", "BADHIGH", "NOFILE" };
#define SYMBOL_COUNT (sizeof symbols / sizeof symbols[0])

/* An analysis of some symbols and its pack, as one rank of a job has them. */
typedef struct packed_run {
    ms_report *report;
    void *pack;
    size_t size;
} packed_run;

static packed_run analyse_and_pack(fixture *f, const char *const *names, size_t n)
{
    packed_run run = { analyse(f, names, n), NULL, 0 };
    assert_int_equal(ms_report_pack(run.report, &run.pack, &run.size), MS_OK);
    return run;
}

/* The report merged from the runs' packs over the first n of `symbols`. */
static ms_report *merge_runs(fixture *f, const packed_run *runs, size_t count, size_t n)
{
    const void *parts[2];
    size_t sizes[2];
    assert_true(count <= 2);
    for (size_t i = 0; i < count; i++) {
        parts[i] = runs[i].pack;
        sizes[i] = runs[i].size;
    }
    ms_report *merged = NULL;
    assert_int_equal(ms_analyzer_merge(f->analyzer, symbols, n, parts, sizes, count, &merged),
                     MS_OK);
    return merged;
}

static void packed_run_free(packed_run *run)
{
    ms_free(run->pack);
    ms_report_free(run->report);
}

static void a_report_merged_from_its_own_pack_equals_it_field_for_field(void **state)
{
    fixture *f = *state;
    packed_run whole = analyse_and_pack(f, symbols, SYMBOL_COUNT);
    ms_report *merged = merge_runs(f, &whole, 1, SYMBOL_COUNT);
    size_t count;
    const ms_pack_field *fields = ms_pack_symbol_fields(&count);
    assert_int_equal(ms_report_symbol_count(merged), ms_report_symbol_count(whole.report));
    assert_true(ms_report_symbol_count(whole.report) >= 3);
    for (size_t i = 0; i < ms_report_symbol_count(whole.report); i++)
        assert_fields_equal(ms_report_symbol(whole.report, i), ms_report_symbol(merged, i),
                            fields, count);
    assert_int_equal(ms_report_error_count(merged), 3);
    char *expected = json_of(whole.report), *actual = json_of(merged);
    assert_string_equal(actual, expected);
    free(expected);
    free(actual);
    ms_report_free(merged);
    packed_run_free(&whole);
}

/* STALE alone in a shard is judged against its own last bar and found
 * fresh; merged, it is judged against the newest bar of all and is stale,
 * as in the whole run. */
static void a_report_merged_from_shards_equals_the_run_over_all_symbols(void **state)
{
    fixture *f = *state;
    ms_report *whole = analyse(f, symbols, SYMBOL_COUNT);
    const char *const first[] = { "GOOD", "OTHER", "NOFILE" };
    const char *const second[] = { "BADHIGH", "STALE", "SHORT" };
    packed_run shards[2] = { analyse_and_pack(f, second, 3), analyse_and_pack(f, first, 3) };
    assert_int_equal(ms_report_warning_count(shards[0].report), 0);
    ms_report *merged = merge_runs(f, shards, 2, SYMBOL_COUNT);
    assert_true(ms_report_warning_count(merged) >= 1);
    char *expected = json_of(whole), *actual = json_of(merged);
    assert_string_equal(actual, expected);
    free(expected);
    free(actual);
    for (int i = 0; i < 2; i++)
        packed_run_free(&shards[i]);
    ms_report_free(merged);
    ms_report_free(whole);
}

static void a_pack_cut_short_or_a_missing_symbol_is_refused(void **state)
{
    fixture *f = *state;
    packed_run whole = analyse_and_pack(f, symbols, 3);
    const void *parts[] = { whole.pack };
    ms_report *merged = NULL;
    for (size_t cut = 0; cut < whole.size; cut += whole.size / 7 + 1) {
        assert_int_equal(ms_analyzer_merge(f->analyzer, symbols, 3, parts, &cut, 1, &merged),
                         MS_ERR_DATA);
        assert_null(merged);
    }
    assert_int_equal(ms_analyzer_merge(f->analyzer, symbols, 4, parts, &whole.size, 1, &merged),
                     MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "STALE"));
    packed_run_free(&whole);
}

static void a_merged_report_takes_the_jobs_total_and_lists_its_parts(void **state)
{
    fixture *f = *state;
    packed_run whole = analyse_and_pack(f, symbols, 3);
    ms_report *merged = merge_runs(f, &whole, 1, 3);
    const ms_part_timings ranks[] = { { .analysis = 3.0, .cpu = 2.0, .warmup = 0.25, .symbols = 1 },
                                      { .analysis = 4.0, .cpu = 3.5, .warmup = 0.5, .symbols = 2 } };
    double data = ms_report_timings(merged)->data;
    assert_int_equal(ms_report_set_job_timings(merged, 12.5, ranks, 2), MS_OK);
    const ms_timings *t = ms_report_timings(merged);
    assert_true(t->total == 12.5 && t->warmup == 0.75 && t->data == data);
    char *json = NULL;
    assert_int_equal(ms_report_to_json(merged, &json), MS_OK);
    json_t *root = json_loads(json, 0, NULL), *listed = json_object_get(
        json_object_get(root, "timings"), "parts");
    assert_int_equal(json_array_size(listed), 2);
    assert_true(json_real_value(json_object_get(json_array_get(listed, 1), "cpu")) == 3.5);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(listed, 1), "symbols")), 2);
    assert_int_equal(ms_report_set_job_timings(NULL, 1.0, ranks, 2), MS_ERR_INVALID_ARG);
    assert_int_equal(ms_report_set_job_timings(merged, 1.0, NULL, 2), MS_ERR_INVALID_ARG);
    json_decref(root);
    ms_free(json);
    ms_report_free(merged);
    packed_run_free(&whole);
}

/* A run of its own lists no parts. */
static void a_report_of_one_run_lists_no_parts(void **state)
{
    fixture *f = *state;
    ms_report *report = analyse(f, symbols, 2);
    char *json = NULL;
    assert_int_equal(ms_report_to_json(report, &json), MS_OK);
    json_t *root = json_loads(json, 0, NULL);
    assert_non_null(json_object_get(root, "timings"));
    assert_null(json_object_get(json_object_get(root, "timings"), "parts"));
    json_decref(root);
    ms_free(json);
    ms_report_free(report);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_symbol_report_field_is_named_in_the_pack_table),
        cmocka_unit_test(every_strategy_summary_field_is_named_in_the_pack_table),
        cmocka_unit_test(a_field_past_the_table_is_found),
        cmocka_unit_test_setup_teardown(a_report_merged_from_its_own_pack_equals_it_field_for_field,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_report_merged_from_shards_equals_the_run_over_all_symbols,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_pack_cut_short_or_a_missing_symbol_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_merged_report_takes_the_jobs_total_and_lists_its_parts,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_report_of_one_run_lists_no_parts, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
