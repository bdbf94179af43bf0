/*
 * test_records.c - the library's descriptions of its public structs
 * (records.h): each table covers its struct byte for byte, so a field
 * appended to a struct without its row fails here; every record a field
 * names is described too; lookups by name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "marketsim/marketsim.h"

typedef struct extent {
    size_t size;
    size_t align;
} extent;

static extent record_extent(const ms_record *record);

/* The size and alignment of one element of a field. */
static extent element_extent(const ms_record_field *field)
{
    switch (field->type) {
    case MS_FIELD_INT:
    case MS_FIELD_UNSIGNED:
        return (extent){ sizeof(int), _Alignof(int) };
    case MS_FIELD_SIZE:
    case MS_FIELD_INT64:
    case MS_FIELD_UINT64:
    case MS_FIELD_DOUBLE:
        return (extent){ 8, 8 };
    case MS_FIELD_CHARS:
        return (extent){ 1, 1 };
    case MS_FIELD_RECORD: {
        const ms_record *target = ms_record_find(field->target);
        assert_non_null(target);
        return record_extent(target);
    }
    default:
        return (extent){ sizeof(void *), _Alignof(void *) };
    }
}

static size_t round_up(size_t value, size_t align)
{
    return (value + align - 1) / align * align;
}

/* Checks that the fields tile the record (each where C's layout rules put
 * it after the one before, the end rounded to the alignment at sizeof) and
 * returns its size and alignment. */
static extent record_extent(const ms_record *record)
{
    size_t end = 0, align = 1;
    for (size_t i = 0; i < record->field_count; i++) {
        const ms_record_field *field = &record->fields[i];
        extent element = element_extent(field);
        if (field->offset != round_up(end, element.align))
            fail_msg("%s.%s at offset %zu, expected %zu: a field before it is missing",
                     record->name, field->name, field->offset, round_up(end, element.align));
        end = field->offset + element.size * field->count;
        align = element.align > align ? element.align : align;
    }
    if (round_up(end, align) != record->size)
        fail_msg("%s: fields end at %zu of %zu bytes: a field at its end is missing",
                 record->name, end, record->size);
    return (extent){ record->size, align };
}

static void test_every_record_table_covers_its_struct_byte_for_byte(void **state)
{
    (void)state;
    assert_true(ms_record_count() >= 20);
    for (size_t i = 0; i < ms_record_count(); i++)
        record_extent(ms_record_at(i));
    assert_null(ms_record_at(ms_record_count()));
}

static void test_records_are_found_by_name_with_their_sizes_and_versions(void **state)
{
    (void)state;
    const ms_record *report = ms_record_find("ms_symbol_report");
    assert_non_null(report);
    assert_int_equal(report->size, sizeof(ms_symbol_report));
    assert_int_equal(report->version, 0);
    const ms_record *options = ms_record_find("ms_analyzer_options");
    assert_non_null(options);
    assert_int_equal(options->version, MS_ANALYZER_OPTIONS_VERSION);
    assert_string_equal(options->fields[10].name, "stock_fee");
    assert_int_equal(options->fields[10].offset, offsetof(ms_analyzer_options, stock_fee));
    assert_null(ms_record_find("ms_no_such_record"));
    assert_null(ms_record_find(NULL));
}

/* What makes the symbol report's layout the same for a caller built with
 * any MS_STRATEGY_COUNT: its per-strategy fields are pointers to pointer
 * arrays, and none of its fields, nor any record it embeds, is an array. */
static void test_the_symbol_report_holds_no_array_sized_by_the_strategy_count(void **state)
{
    (void)state;
    const ms_record *report = ms_record_find("ms_symbol_report");
    size_t found = 0;
    for (size_t i = 0; i < report->field_count; i++) {
        const ms_record_field *field = &report->fields[i];
        assert_int_equal(field->count, 1);
        if (field->type == MS_FIELD_RECORD) {
            const ms_record *embedded = ms_record_find(field->target);
            for (size_t j = 0; j < embedded->field_count; j++)
                assert_int_equal(embedded->fields[j].count, 1);
        }
        if (field->type == MS_FIELD_POINTERS)
            found++;
    }
    assert_int_equal(found, 3);
    const ms_record_field *strategies = NULL;
    for (size_t i = 0; i < report->field_count; i++)
        if (strcmp(report->fields[i].name, "strategies") == 0)
            strategies = &report->fields[i];
    assert_non_null(strategies);
    assert_int_equal(strategies->type, MS_FIELD_POINTERS);
    assert_string_equal(strategies->target, "ms_strategy_summary");
    assert_int_equal(strategies->offset, offsetof(ms_symbol_report, strategies));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_record_table_covers_its_struct_byte_for_byte),
        cmocka_unit_test(test_records_are_found_by_name_with_their_sizes_and_versions),
        cmocka_unit_test(test_the_symbol_report_holds_no_array_sized_by_the_strategy_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
