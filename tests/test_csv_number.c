/* test_csv_number.c - the CSV number parser's fast paths give exactly the
 * double strtod gives (lib/data/csv_number.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/data_internal.h"

/* Bit-for-bit equality with strtod (the test runs in the "C" locale). */
static void expect_same_as_strtod(const char *text)
{
    double expected = strtod(text, NULL);
    double parsed = 0.0;
    if (!ms_csv_parse_number(text, strlen(text), &parsed))
        fail_msg("'%s' rejected", text);
    if (memcmp(&expected, &parsed, sizeof parsed) != 0)
        fail_msg("'%s': %.17g, strtod gives %.17g", text, parsed, expected);
}

/* A random plain decimal of 1..19 significant digits with the point
 * anywhere, including before leading zeros; sign sometimes. */
static void random_decimal(ms_rng *rng, char *text)
{
    int digits = 1 + (int)(ms_rng_next(rng) % 19);
    int point = (int)(ms_rng_next(rng) % (uint64_t)(digits + 8));
    char *at = text;
    if (ms_rng_next(rng) % 8 == 0)
        *at++ = '-';
    if (point > digits) {
        at += sprintf(at, "0.");
        for (int z = digits; z < point; z++)
            *at++ = '0';
        point = -1;
    }
    for (int d = 0; d < digits; d++) {
        if (d == point && d > 0)
            *at++ = '.';
        *at++ = (char)('0' + (d == 0 ? 1 + ms_rng_next(rng) % 9 : ms_rng_next(rng) % 10));
    }
    *at = '\0';
}

static void test_typical_prices_match_strtod(void **state)
{
    (void)state;
    const char *prices[] = {
        "34.23638153076172", "32.575832602887644", "0.8438", "22688700", "49861871.3",
        "0.799360480592713", "185.64", "-0", "+1.5", "007.250", "1.", ".5",
        "9007199254740993", "18446744073709551615", "0.0000000000000000000000001",
    };
    for (size_t i = 0; i < sizeof prices / sizeof prices[0]; i++)
        expect_same_as_strtod(prices[i]);
}

static void test_random_decimals_match_strtod(void **state)
{
    (void)state;
    ms_rng rng;
    ms_rng_init(&rng, 42, 0);
    char text[64];
    for (int i = 0; i < 300000; i++) {
        random_decimal(&rng, text);
        expect_same_as_strtod(text);
    }
}

static void test_midpoints_between_doubles_match_strtod(void **state)
{
    (void)state;
    /* Halfway between two doubles is where a double rounding would show. */
    ms_rng rng;
    ms_rng_init(&rng, 7, 0);
    char text[64];
    for (int i = 0; i < 100000; i++) {
        double low = ldexp((double)(ms_rng_next(&rng) >> 11),
                           -(int)(ms_rng_next(&rng) % 60));
        double midpoint = low + (nextafter(low, INFINITY) - low) / 2;
        snprintf(text, sizeof text, "%.*f", (int)(ms_rng_next(&rng) % 20), midpoint);
        expect_same_as_strtod(text);
    }
}

static void test_other_forms_fall_back_to_strtod(void **state)
{
    (void)state;
    expect_same_as_strtod("1.5e3");
    expect_same_as_strtod("12345678901234567890123.5");
    double parsed = 0.0;
    assert_true(ms_csv_parse_number("nan", 3, &parsed));
    assert_true(isnan(parsed));
}

static void test_rejects_text_that_is_not_a_number(void **state)
{
    (void)state;
    const char *bad[] = { "", "-", ".", "abc", "1.2.3", "1,5", "12a", "--1" };
    double parsed = 0.0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (ms_csv_parse_number(bad[i], strlen(bad[i]), &parsed))
            fail_msg("'%s' accepted", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typical_prices_match_strtod),
        cmocka_unit_test(test_random_decimals_match_strtod),
        cmocka_unit_test(test_midpoints_between_doubles_match_strtod),
        cmocka_unit_test(test_other_forms_fall_back_to_strtod),
        cmocka_unit_test(test_rejects_text_that_is_not_a_number),
    };
    return cmocka_run_group_tests_name("csv_number", tests, NULL, NULL);
}
