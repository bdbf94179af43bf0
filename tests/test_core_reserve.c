/* test_core_reserve.c - ms_reserve, the library's one way to grow an array:
 * doubling, the sizes it refuses and the cases where it has nothing to do. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>

#include "core/core_internal.h"

static void test_an_empty_array_gets_room_for_what_is_wanted(void **state)
{
    (void)state;
    int *items = NULL;
    size_t capacity = 0;
    assert_int_equal(ms_reserve(&items, &capacity, 3, sizeof *items), MS_OK);
    assert_non_null(items);
    assert_true(capacity >= 3);
    for (size_t i = 0; i < capacity; i++)
        items[i] = (int)i;             /* all of it writable (ASan's check) */
    free(items);
}

static void test_a_full_array_doubles_and_keeps_its_items(void **state)
{
    (void)state;
    int *items = NULL;
    size_t capacity = 0, count = 0;
    for (int i = 0; i < 1000; i++) {
        size_t before = capacity;
        assert_int_equal(ms_reserve(&items, &capacity, count + 1, sizeof *items), MS_OK);
        if (count == before && before > 0)
            assert_int_equal(capacity, 2 * before);
        items[count++] = i;
    }
    for (int i = 0; i < 1000; i++)
        assert_int_equal(items[i], i);
    free(items);
}

/* Asks ms_reserve for `wanted` items of `item_size` and expects `expected`
 * with the array and its capacity as they were. */
static void expect_array_kept(double **items, size_t *capacity, size_t wanted, size_t item_size,
                              ms_status expected)
{
    double *kept = *items;
    size_t kept_capacity = *capacity;
    assert_int_equal(ms_reserve(items, capacity, wanted, item_size), expected);
    assert_ptr_equal(*items, kept);
    assert_int_equal(*capacity, kept_capacity);
}

static void test_an_array_with_room_is_left_alone(void **state)
{
    (void)state;
    double *items = NULL;
    size_t capacity = 0;
    assert_int_equal(ms_reserve(&items, &capacity, 5, sizeof *items), MS_OK);
    expect_array_kept(&items, &capacity, capacity, sizeof *items, MS_OK);
    free(items);
}

static void test_a_wish_past_double_is_met_at_once(void **state)
{
    (void)state;
    char *bytes = NULL;
    size_t capacity = 0;
    assert_int_equal(ms_reserve(&bytes, &capacity, 16, 1), MS_OK);
    assert_int_equal(ms_reserve(&bytes, &capacity, 10000, 1), MS_OK);
    assert_true(capacity >= 10000);
    bytes[9999] = 'x';
    free(bytes);
}

static void test_a_size_past_size_max_is_refused_and_the_array_untouched(void **state)
{
    (void)state;
    double *items = NULL;
    size_t capacity = 0;
    assert_int_equal(ms_reserve(&items, &capacity, 4, sizeof *items), MS_OK);
    items[0] = 1.5;
    expect_array_kept(&items, &capacity, SIZE_MAX / sizeof *items + 1, sizeof *items,
                      MS_ERR_NOMEM);
    expect_array_kept(&items, &capacity, SIZE_MAX, 1 + SIZE_MAX / 2, MS_ERR_NOMEM);
    assert_true(items[0] == 1.5);
    free(items);
}

static void test_doubling_a_capacity_near_size_max_is_refused(void **state)
{
    (void)state;
    double *items = NULL;
    size_t capacity = SIZE_MAX / 2 + 1;  /* as if it held that much: never dereferenced */
    expect_array_kept(&items, &capacity, capacity + 1, 2, MS_ERR_NOMEM);
}

static void test_wanting_nothing_allocates_nothing(void **state)
{
    (void)state;
    double *items = NULL;
    size_t capacity = 0;
    expect_array_kept(&items, &capacity, 0, sizeof *items, MS_OK);
}

static void test_a_zero_item_size_is_refused(void **state)
{
    (void)state;
    double *items = NULL;
    size_t capacity = 0;
    expect_array_kept(&items, &capacity, 4, 0, MS_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_empty_array_gets_room_for_what_is_wanted),
        cmocka_unit_test(test_a_full_array_doubles_and_keeps_its_items),
        cmocka_unit_test(test_an_array_with_room_is_left_alone),
        cmocka_unit_test(test_a_wish_past_double_is_met_at_once),
        cmocka_unit_test(test_a_size_past_size_max_is_refused_and_the_array_untouched),
        cmocka_unit_test(test_doubling_a_capacity_near_size_max_is_refused),
        cmocka_unit_test(test_wanting_nothing_allocates_nothing),
        cmocka_unit_test(test_a_zero_item_size_is_refused),
    };
    return cmocka_run_group_tests_name("core_reserve", tests, NULL, NULL);
}
