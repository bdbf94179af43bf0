/* test_aggregate.c - parsing aggregate names, their canonical names, rejects. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "core/core_internal.h"
#include "marketsim/model.h"

static ms_aggregate parse_ok(const char *text)
{
    ms_aggregate aggregate = { MS_AGG_MEAN, -1.0 };
    assert_int_equal(ms_aggregate_parse(text, &aggregate), MS_OK);
    return aggregate;
}

static void test_parse_reads_every_kind(void **state)
{
    (void)state;
    ms_aggregate mean = parse_ok("mean");
    assert_int_equal(mean.kind, MS_AGG_MEAN);
    assert_int_equal(parse_ok("median").kind, MS_AGG_MEDIAN);
    ms_aggregate trimmed = parse_ok("trimmed_mean_10");
    assert_int_equal(trimmed.kind, MS_AGG_TRIMMED_MEAN);
    assert_true(trimmed.param == 0.10);
    ms_aggregate quantile = parse_ok("quantile_0.9");
    assert_int_equal(quantile.kind, MS_AGG_QUANTILE);
    assert_true(quantile.param == 0.9);
}

static void test_parse_accepts_range_edges_and_decimals(void **state)
{
    (void)state;
    assert_true(parse_ok("trimmed_mean_0").param == 0.0);
    assert_true(parse_ok("trimmed_mean_2.5").param == 0.025);
    assert_true(parse_ok("trimmed_mean_49.9").param == 0.499);
    assert_true(parse_ok("quantile_.05").param == 0.05);
    assert_true(parse_ok("quantile_1e-3").param == 0.001);
}

static void check_round_trip(const char *text)
{
    ms_aggregate parsed = parse_ok(text);
    char name[64];
    ms_aggregate_format(&parsed, name, sizeof name);
    assert_string_equal(name, text);
    ms_aggregate again = parse_ok(name);
    assert_int_equal(again.kind, parsed.kind);
    assert_true(again.param == parsed.param);
}

static void test_canonical_names_round_trip(void **state)
{
    (void)state;
    check_round_trip("mean");
    check_round_trip("median");
    check_round_trip("trimmed_mean_10");
    check_round_trip("trimmed_mean_2.5");
    check_round_trip("trimmed_mean_0");
    check_round_trip("quantile_0.9");
    check_round_trip("quantile_0.025");
}

static void test_format_round_trips_arbitrary_parameters(void **state)
{
    (void)state;
    const ms_aggregate aggregates[] = {
        { MS_AGG_QUANTILE, 0.1 + 0.2 },            /* 0.30000000000000004 */
        { MS_AGG_QUANTILE, 1.0 / 3.0 },
        { MS_AGG_TRIMMED_MEAN, 0.123456789012345678 },
    };
    for (size_t i = 0; i < MS_ARRAY_LEN(aggregates); i++) {
        char name[64];
        ms_aggregate_format(&aggregates[i], name, sizeof name);
        ms_aggregate back = parse_ok(name);
        assert_int_equal(back.kind, aggregates[i].kind);
        assert_true(back.param == aggregates[i].param);
    }
}

static void test_format_truncates_to_the_buffer(void **state)
{
    (void)state;
    ms_aggregate trimmed = { MS_AGG_TRIMMED_MEAN, 0.1 };
    char name[8];
    ms_aggregate_format(&trimmed, name, sizeof name);
    assert_string_equal(name, "trimmed");
}

static void check_rejected(const char *text, const char *expected_message)
{
    ms_aggregate aggregate = { MS_AGG_MEDIAN, 0.25 };
    assert_int_equal(ms_aggregate_parse(text, &aggregate), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), text));
    assert_non_null(strstr(ms_last_error(), expected_message));
    assert_int_equal(aggregate.kind, MS_AGG_MEDIAN); /* untouched on failure */
}

static void test_parse_rejects_out_of_range_and_unknown_names(void **state)
{
    (void)state;
    check_rejected("trimmed_mean_60", "outside [0, 0.5)");
    check_rejected("trimmed_mean_50", "outside [0, 0.5)");
    check_rejected("quantile_1.5", "outside (0, 1)");
    check_rejected("quantile_0", "outside (0, 1)");
    check_rejected("quantile_1", "outside (0, 1)");
    check_rejected("avg", "expected mean, median");
    check_rejected("Mean", "expected mean, median");
    check_rejected("", "expected mean, median");
}

static void test_parse_rejects_malformed_numbers(void **state)
{
    (void)state;
    check_rejected("trimmed_mean_", "is not a number");
    check_rejected("trimmed_mean_-5", "is not a number");
    check_rejected("trimmed_mean_10%", "is not a number");
    check_rejected("quantile_nan", "is not a number");
    check_rejected("quantile_ 0.5", "is not a number");
}

static void test_parse_rejects_null_arguments(void **state)
{
    (void)state;
    ms_aggregate aggregate;
    assert_int_equal(ms_aggregate_parse(NULL, &aggregate), MS_ERR_INVALID_ARG);
    assert_int_equal(ms_aggregate_parse("mean", NULL), MS_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_reads_every_kind),
        cmocka_unit_test(test_parse_accepts_range_edges_and_decimals),
        cmocka_unit_test(test_canonical_names_round_trip),
        cmocka_unit_test(test_format_round_trips_arbitrary_parameters),
        cmocka_unit_test(test_format_truncates_to_the_buffer),
        cmocka_unit_test(test_parse_rejects_out_of_range_and_unknown_names),
        cmocka_unit_test(test_parse_rejects_malformed_numbers),
        cmocka_unit_test(test_parse_rejects_null_arguments),
    };
    return cmocka_run_group_tests_name("aggregate", tests, NULL, NULL);
}
