/* test_csv_encoding.c - bars files that are not plain UTF-8: UTF-16 is
 * rejected naming the file and line 1; bytes that are not UTF-8 (Latin-1,
 * broken sequences) are ignored in columns marketsim does not read and are
 * quoted as \xNN escapes when a read field is bad, so every message stays
 * valid UTF-8 and can be carried by the JSON report. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "marketsim/data.h"

/* Parses `len` bytes of `text` as JD.csv and expects `status`. */
static void parse_expecting(const char *text, size_t len, ms_status status)
{
    ms_bars *bars = NULL;
    assert_int_equal(ms_bars_parse_csv(&bars, text, len, "JD.csv", "JD", NULL), status);
    if (status != MS_OK)
        assert_null(bars);
    ms_bars_free(bars);
}

/* True when every byte of the message is printable ASCII. */
static bool message_is_ascii(void)
{
    for (const unsigned char *at = (const unsigned char *)ms_last_error(); *at; at++)
        if (*at < 0x20 || *at >= 0x7F)
            return false;
    return true;
}

static void test_utf16_little_endian_is_rejected_naming_file_and_line(void **state)
{
    (void)state;
    static const char text[] = "\xFF\xFE" "D\0a\0t\0e\0,\0o\0\n\0";
    parse_expecting(text, sizeof text - 1, MS_ERR_PARSE);
    assert_non_null(strstr(ms_last_error(), "JD.csv:1: the file is UTF-16"));
}

static void test_utf16_big_endian_is_rejected_naming_file_and_line(void **state)
{
    (void)state;
    static const char text[] = "\xFE\xFF" "\0D\0a\0t\0e\0,\0o\0\n";
    parse_expecting(text, sizeof text - 1, MS_ERR_PARSE);
    assert_non_null(strstr(ms_last_error(), "JD.csv:1: the file is UTF-16"));
}

static void test_latin1_bytes_in_a_column_not_read_are_ignored(void **state)
{
    (void)state;
    const char *text = "Date,Name,Open,High,Low,Close\n"
                       "2024-01-02,Soci\xE9t\xE9 G\xE9n\xE9rale,10,11,9,10.5\n";
    parse_expecting(text, strlen(text), MS_OK);
}

static void test_latin1_byte_in_a_number_is_quoted_as_an_escape(void **state)
{
    (void)state;
    const char *text = "Date,Open,High,Low,Close\n2024-01-02,10,11,9,10\xE9\n";
    parse_expecting(text, strlen(text), MS_ERR_PARSE);
    assert_non_null(strstr(ms_last_error(), "JD.csv:2: field 'close': '10\\xE9' is not a number"));
    assert_true(message_is_ascii());
}

static void test_invalid_utf8_in_a_date_is_quoted_as_escapes(void **state)
{
    (void)state;
    const char *text = "Date,Open,High,Low,Close\n2024-01-0\xC3(,10,11,9,10\n";
    parse_expecting(text, strlen(text), MS_ERR_PARSE);
    assert_non_null(strstr(ms_last_error(), "JD.csv:2: field 'date': '2024-01-0\\xC3('"));
    assert_true(message_is_ascii());
}

/* The quoted field is cut at 40 bytes; cutting raw text there could split
 * a multi-byte character and leave invalid UTF-8 in the message. */
static void test_long_field_cut_inside_a_character_stays_valid_text(void **state)
{
    (void)state;
    const char *text = "Date,Open,High,Low,Close\n"
                       "2024-01-02,10,11,9,\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
                       "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
                       "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\n";
    parse_expecting(text, strlen(text), MS_ERR_PARSE);
    assert_non_null(strstr(ms_last_error(), "JD.csv:2: field 'close'"));
    assert_true(message_is_ascii());
}

static void test_header_with_latin1_bytes_is_quoted_as_escapes(void **state)
{
    (void)state;
    const char *text = "Dat\xE9,Open,High,Low,Close\n2024-01-02,10,11,9,10\n";
    parse_expecting(text, strlen(text), MS_ERR_PARSE);
    assert_non_null(strstr(ms_last_error(), "JD.csv:1: missing column(s) 'date'"));
    assert_non_null(strstr(ms_last_error(), "Dat\\xE9"));
    assert_true(message_is_ascii());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf16_little_endian_is_rejected_naming_file_and_line),
        cmocka_unit_test(test_utf16_big_endian_is_rejected_naming_file_and_line),
        cmocka_unit_test(test_latin1_bytes_in_a_column_not_read_are_ignored),
        cmocka_unit_test(test_latin1_byte_in_a_number_is_quoted_as_an_escape),
        cmocka_unit_test(test_invalid_utf8_in_a_date_is_quoted_as_escapes),
        cmocka_unit_test(test_long_field_cut_inside_a_character_stays_valid_text),
        cmocka_unit_test(test_header_with_latin1_bytes_is_quoted_as_escapes),
    };
    return cmocka_run_group_tests_name("csv_encoding", tests, NULL, NULL);
}
