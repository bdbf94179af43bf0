/* test_pool.c - the thread pool: every task runs once, the queue bound
 * holds, wait-for-all, reuse after wait, and shutdown with queued work. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdatomic.h>
#include <time.h>

#include "core/core_internal.h"

typedef struct counter {
    atomic_int runs;
    atomic_int running;
    atomic_int most_running;
} counter;

static void count_task(void *arg)
{
    counter *c = arg;
    int now = atomic_fetch_add(&c->running, 1) + 1;
    int most = atomic_load(&c->most_running);
    while (now > most && !atomic_compare_exchange_weak(&c->most_running, &most, now))
        ;
    struct timespec pause = { 0, 200000 };
    nanosleep(&pause, NULL);
    atomic_fetch_sub(&c->running, 1);
    atomic_fetch_add(&c->runs, 1);
}

static void test_pool_runs_every_task_once(void **state)
{
    (void)state;
    ms_pool *pool = NULL;
    counter c = { 0 };
    assert_int_equal(ms_pool_create(&pool, 4, 2), MS_OK);
    for (int i = 0; i < 200; i++)
        assert_int_equal(ms_pool_submit(pool, count_task, &c), MS_OK);
    ms_pool_wait(pool);
    assert_int_equal(atomic_load(&c.runs), 200);
    assert_true(atomic_load(&c.most_running) <= 4);
    ms_pool_free(pool);
}

static void test_pool_is_reusable_after_wait(void **state)
{
    (void)state;
    ms_pool *pool = NULL;
    counter c = { 0 };
    assert_int_equal(ms_pool_create(&pool, 2, 0), MS_OK);
    for (int round = 1; round <= 3; round++) {
        for (int i = 0; i < 10; i++)
            ms_pool_submit(pool, count_task, &c);
        ms_pool_wait(pool);
        assert_int_equal(atomic_load(&c.runs), 10 * round);
    }
    ms_pool_free(pool);
}

static void test_pool_free_finishes_queued_tasks(void **state)
{
    (void)state;
    ms_pool *pool = NULL;
    counter c = { 0 };
    assert_int_equal(ms_pool_create(&pool, 1, 8), MS_OK);
    for (int i = 0; i < 8; i++)
        ms_pool_submit(pool, count_task, &c);
    ms_pool_free(pool);
    assert_int_equal(atomic_load(&c.runs), 8);
}

static void test_pool_rejects_zero_workers(void **state)
{
    (void)state;
    ms_pool *pool = (ms_pool *)&pool;
    assert_int_equal(ms_pool_create(&pool, 0, 0), MS_ERR_INVALID_ARG);
    assert_null(pool);
    ms_pool_free(NULL);
}

static void test_pool_wait_without_tasks_returns(void **state)
{
    (void)state;
    ms_pool *pool = NULL;
    assert_int_equal(ms_pool_create(&pool, 3, 0), MS_OK);
    assert_int_equal(ms_pool_workers(pool), 3);
    ms_pool_wait(pool);
    ms_pool_free(pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_runs_every_task_once),
        cmocka_unit_test(test_pool_is_reusable_after_wait),
        cmocka_unit_test(test_pool_free_finishes_queued_tasks),
        cmocka_unit_test(test_pool_rejects_zero_workers),
        cmocka_unit_test(test_pool_wait_without_tasks_returns),
    };
    return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}
