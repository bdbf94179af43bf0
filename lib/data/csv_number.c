/*
 * csv_number.c - exact and fast parsing of the plain decimals bars files
 * are made of ("34.23638153076172", "22688700"). Anything else (exponents,
 * more than 19 significant digits, nan, inf, junk) goes to ms_parse_double
 * (strtod_l), which decides and rejects.
 *
 * Why: glibc's strtod falls back to multiprecision arithmetic for the
 * 17-digit prices Yahoo writes and then takes about 100 ns per number, more
 * than half the time of loading a file. A plain decimal is m / 10^k with
 * m < 10^19 an integer; the quotient is computed so that it is always the
 * correctly rounded double strtod would give:
 *   - k == 0: converting the integer m rounds correctly;
 *   - m <= 2^53 and k <= 22: m and 10^k are exact doubles, and one IEEE
 *     division rounds correctly (Clinger's fast path);
 *   - on x86-64, where long double has a 64-bit significand: m and 10^k
 *     (k <= 27) are exact long doubles, so the long double quotient is the
 *     exact value rounded to 64 bits. Rounding that to 53 bits gives the
 *     right double unless it sits exactly halfway between two doubles (its
 *     low 11 bits are 10000000000); that rare case goes to strtod.
 * Every path needs FLT_EVAL_METHOD == 0 (no hidden extra precision in
 * double arithmetic); elsewhere every number goes to strtod.
 */
#include <float.h>
#include <string.h>

#include "data_internal.h"

#define MAX_DIGITS 19
#define EXACT_INTEGER_LIMIT (1ULL << 53)

/* m * 10^-k for a field of the form [+-]digits[.digits]. */
typedef struct plain_decimal {
    uint64_t mantissa;
    int fraction_digits;
    bool negative;
} plain_decimal;

/* Appends the digits at `at` to *mantissa; returns where they stop. More
 * than MAX_DIGITS digits wrap around, and the caller then rejects them. */
static const char *append_digits(const char *at, const char *end, uint64_t *mantissa)
{
    uint64_t value = *mantissa;
    for (; at < end; at++) {
        unsigned digit = (unsigned)(*at - '0');
        if (digit > 9)
            break;
        value = value * 10 + digit;
    }
    *mantissa = value;
    return at;
}

static const char *skip_zeros(const char *at, const char *end)
{
    while (at < end && *at == '0')
        at++;
    return at;
}

/* Reads a plain decimal; false for anything else, or more than MAX_DIGITS
 * significant digits. Leading zeros are skipped, not counted. */
static bool read_plain_decimal(const char *text, size_t len, plain_decimal *decimal)
{
    const char *at = text;
    const char *end = text + len;
    decimal->negative = at < end && *at == '-';
    if (at < end && (*at == '-' || *at == '+'))
        at++;
    const char *integer_start = at;
    const char *significant_start = skip_zeros(at, end);
    uint64_t mantissa = 0;
    at = append_digits(significant_start, end, &mantissa);
    size_t significant = (size_t)(at - significant_start);
    bool any_digit = at > integer_start;
    const char *fraction_start = at;
    if (at < end && *at == '.') {
        fraction_start = ++at;
        significant_start = mantissa == 0 ? skip_zeros(at, end) : at;
        at = append_digits(significant_start, end, &mantissa);
        significant += (size_t)(at - significant_start);
        any_digit = any_digit || at > fraction_start;
    }
    decimal->mantissa = mantissa;
    size_t fraction = (size_t)(at - fraction_start);
    /* Clamped so a huge field cannot wrap around; past 27 nothing is exact. */
    decimal->fraction_digits = fraction > 99 ? 99 : (int)fraction;
    return at == end && any_digit && significant <= MAX_DIGITS;
}

#if FLT_EVAL_METHOD == 0

static const double exact_powers[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

#if defined(__x86_64__) && LDBL_MANT_DIG == 64
#define HAVE_EXTENDED_PATH 1

static const long double exact_long_powers[] = {
    1e0L, 1e1L, 1e2L, 1e3L, 1e4L, 1e5L, 1e6L, 1e7L, 1e8L, 1e9L, 1e10L,
    1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L, 1e20L,
    1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L
};

/* The quotient through the 64-bit significand; false when it lands
 * exactly halfway between two doubles. */
static bool extended_quotient(uint64_t mantissa, int fraction_digits, double *out)
{
    if (fraction_digits >= (int)MS_ARRAY_LEN(exact_long_powers))
        return false;
    long double quotient = (long double)mantissa / exact_long_powers[fraction_digits];
    uint64_t significand;
    memcpy(&significand, &quotient, sizeof significand);   /* x87: low 8 bytes */
    if ((significand & 0x7ff) == 0x400)
        return false;
    *out = (double)quotient;
    return true;
}
#endif /* HAVE_EXTENDED_PATH */
#endif /* FLT_EVAL_METHOD == 0 */

static bool exact_quotient(const plain_decimal *decimal, double *out)
{
#if FLT_EVAL_METHOD == 0
    uint64_t m = decimal->mantissa;
    int k = decimal->fraction_digits;
    if (k == 0 || m == 0) {
        *out = (double)m;
        return true;
    }
    if (m <= EXACT_INTEGER_LIMIT && k < (int)MS_ARRAY_LEN(exact_powers)) {
        *out = (double)m / exact_powers[k];
        return true;
    }
#ifdef HAVE_EXTENDED_PATH
    return extended_quotient(m, k, out);
#endif
#endif
    (void)decimal;
    (void)out;
    return false;
}

bool ms_csv_parse_number(const char *text, size_t len, double *out)
{
    plain_decimal decimal;
    double value;
    if (!read_plain_decimal(text, len, &decimal) || !exact_quotient(&decimal, &value))
        return ms_parse_double(text, len, out);
    *out = decimal.negative ? -value : value;
    return true;
}
