/*
 * test_picks.c - ranking and picks (strategies.md, "Ranking and picks"):
 * which symbols qualify, in which order, and how many shares or coins
 * (strategies.md, "Sizing": equity x position size, capped by the buying
 * power the earlier picks left).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "analyze/analyze_internal.h"

#define STOCK_FEE 0.0005

/* The strategy blocks of the symbols below: one per call, alive for the
 * whole program (the reports are copied by value into each test's list). */
static ms_strategy_block blocks[64];
static size_t blocks_used;

/* A ranked symbol whose best strategy (simple) earned `mean_return` a day. */
static ms_symbol_report symbol(const char *name, double mean_return, int side,
                               double last_close, double forecast_close)
{
    ms_symbol_report r = { 0 };
    assert_true(blocks_used < sizeof blocks / sizeof blocks[0]);
    ms_strategy_block *block = &blocks[blocks_used++];
    ms_strategy_block_point(&r, block);
    r.symbol = name;
    r.asset_class = ms_symbol_asset_class(name);
    for (int s = 0; s < MS_STRATEGY_COUNT; s++)
        block->summaries[s].mean.avg_daily_return = NAN;
    block->summaries[MS_STRATEGY_SIMPLE].mean.avg_daily_return = mean_return;
    ms_rank_symbol(&r);
    r.side = side;
    r.last_close = last_close;
    r.forecast_close = forecast_close;
    r.entry_price = last_close;
    r.take_profit_price = forecast_close;
    ms_check_plan(&r, STOCK_FEE);
    return r;
}

static ms_analyzer_options resolved_options(void)
{
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_OK);
    return opts;
}

static void test_rank_chooses_highest_mean_return_and_floors_composite_at_zero(void **state)
{
    (void)state;
    ms_symbol_report winner = symbol("AAA", 0.002, 1, 10, 11);
    assert_int_equal(winner.best_strategy, MS_STRATEGY_SIMPLE);
    assert_true(winner.composite_score == 0.002);
    ms_symbol_report loser = symbol("BBB", -0.001, 1, 10, 11);
    assert_true(loser.composite_score == 0.0);
}

static void test_sort_orders_by_composite_then_symbol(void **state)
{
    (void)state;
    ms_symbol_report list[] = { symbol("ZZZ", 0.001, 1, 10, 11), symbol("AAA", 0.001, 1, 10, 11),
                                symbol("MMM", 0.003, 1, 10, 11) };
    ms_sort_symbols(list, 3);
    assert_string_equal(list[0].symbol, "MMM");
    assert_string_equal(list[1].symbol, "AAA");
    assert_string_equal(list[2].symbol, "ZZZ");
}

static void test_picks_need_positive_return_and_edge_in_the_side(void **state)
{
    (void)state;
    ms_analyzer_options opts = resolved_options();
    ms_symbol_report list[] = {
        symbol("GOOD", 0.003, 1, 100, 101),     /* long, close predicted up: pick */
        symbol("EDGE", 0.002, 1, 100, 99),      /* long but close predicted down */
        symbol("SHRT", 0.002, -1, 100, 99),     /* short, close predicted down: pick */
        symbol("FLAT", 0.002, 0, 100, 101),     /* no side */
        symbol("LOSS", -0.001, 1, 100, 101),    /* negative mean return */
    };
    ms_pick picks[5];
    size_t n = ms_build_picks(list, 5, &opts, picks);
    assert_int_equal(n, 2);
    assert_string_equal(picks[0].symbol, "GOOD");
    assert_string_equal(picks[1].symbol, "SHRT");
    assert_int_equal(picks[1].side, -1);
}

static void test_take_profit_on_the_wrong_side_of_the_entry_is_refused_with_its_reason(void **state)
{
    (void)state;
    ms_analyzer_options opts = resolved_options();
    ms_symbol_report list[] = { symbol("NIO", 0.003, 1, 5.86, 5.87), symbol("SELL", 0.002, -1, 100, 99) };
    list[0].entry_price = 5.8529;  /* the NIO plan: take profit 5.8495 below the entry */
    list[0].take_profit_price = 5.8495;
    list[1].entry_price = 98.0;    /* sell below the take profit at 99 */
    for (int i = 0; i < 2; i++) {
        ms_check_plan(&list[i], STOCK_FEE);
        assert_int_equal(list[i].plan_check, MS_PLAN_TAKE_PROFIT_WRONG_SIDE);
    }
    assert_string_equal(ms_plan_check_name(list[0].plan_check), "take_profit_wrong_side");
    ms_pick picks[2];
    assert_int_equal(ms_build_picks(list, 2, &opts, picks), 0);
}

static void test_a_move_smaller_than_the_round_trip_fees_is_refused_with_its_reason(void **state)
{
    (void)state;
    ms_analyzer_options opts = resolved_options();
    /* The CAVA plan: +0.039% against 0.05% per side. */
    ms_symbol_report cava = symbol("CAVA", 0.003, 1, 89.7074, 89.7423);
    assert_int_equal(cava.plan_check, MS_PLAN_BELOW_FEES);
    assert_string_equal(ms_plan_check_name(cava.plan_check), "below_fees");
    ms_pick pick;
    assert_int_equal(ms_build_picks(&cava, 1, &opts, &pick), 0);
    /* Without fees the same move pays. */
    ms_check_plan(&cava, 0.0);
    assert_int_equal(cava.plan_check, MS_PLAN_OK);
    assert_int_equal(ms_build_picks(&cava, 1, &opts, &pick), 1);
}

static void test_a_move_just_above_the_round_trip_fees_is_a_pick(void **state)
{
    (void)state;
    ms_analyzer_options opts = resolved_options();
    /* gain 0.101 against fees 0.0005 x (100 + 100.101) = 0.10005. */
    ms_symbol_report buy = symbol("BUY", 0.003, 1, 100, 100.101);
    ms_symbol_report sell = symbol("SELL", 0.003, -1, 100, 99.899);
    assert_int_equal(buy.plan_check, MS_PLAN_OK);
    assert_int_equal(sell.plan_check, MS_PLAN_OK);
    ms_symbol_report under = symbol("UNDER", 0.003, 1, 100, 100.1);  /* 0.1 < 0.10005 */
    assert_int_equal(under.plan_check, MS_PLAN_BELOW_FEES);
    ms_symbol_report list[] = { buy, sell, under };
    ms_pick picks[3];
    assert_int_equal(ms_build_picks(list, 3, &opts, picks), 2);
}

static void test_picks_stop_at_max_positions(void **state)
{
    (void)state;
    ms_analyzer_options opts = resolved_options();
    opts.max_positions = 2;
    ms_symbol_report list[] = { symbol("A", 0.003, 1, 10, 11), symbol("B", 0.002, 1, 10, 11),
                                symbol("C", 0.001, 1, 10, 11) };
    ms_pick picks[3];
    assert_int_equal(ms_build_picks(list, 3, &opts, picks), 2);
}

static void test_stock_size_is_equity_times_position_size_in_whole_shares(void **state)
{
    (void)state;
    ms_analyzer_options opts = resolved_options();   /* equity 100000, position size 1/10 */
    ms_symbol_report list[] = { symbol("AAPL", 0.001, 1, 150, 151) };
    ms_pick pick;
    assert_int_equal(ms_build_picks(list, 1, &opts, &pick), 1);
    /* floor(100000 * 0.1 / 150) = floor(66.67) */
    assert_true(pick.quantity == 66);
}

static void test_crypto_size_is_rounded_down_to_thousandths(void **state)
{
    (void)state;
    ms_analyzer_options opts = resolved_options();
    ms_symbol_report list[] = { symbol("BTCUSD", 0.001, 1, 60000, 61000) };
    ms_pick pick;
    assert_int_equal(ms_build_picks(list, 1, &opts, &pick), 1);
    /* 10000 / 60000 = 0.1666.. floored to 0.166 */
    assert_true(fabs(pick.quantity - 0.166) < 1e-12);
}

static void test_position_size_sets_each_picks_share_of_equity(void **state)
{
    (void)state;
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.position_size = 0.25;
    opts.equity = 40000;
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_OK);
    ms_symbol_report list[] = { symbol("A", 0.003, 1, 100, 101), symbol("B", 0.002, -1, 30, 29) };
    ms_pick picks[2];
    assert_int_equal(ms_build_picks(list, 2, &opts, picks), 2);
    assert_true(picks[0].quantity == 100);   /* 40000 * 0.25 / 100 */
    assert_true(picks[1].quantity == 333);   /* floor(10000 / 30) */
}

static void test_buying_power_is_consumed_pick_by_pick(void **state)
{
    (void)state;
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.buying_power = 25000;                  /* 10000 per position by default */
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_OK);
    ms_symbol_report list[] = { symbol("A", 0.004, 1, 100, 101), symbol("B", 0.003, 1, 100, 101),
                                symbol("C", 0.002, 1, 100, 101), symbol("D", 0.001, 1, 100, 101) };
    ms_pick picks[4];
    assert_int_equal(ms_build_picks(list, 4, &opts, picks), 3);
    assert_true(picks[0].quantity == 100);
    assert_true(picks[1].quantity == 100);
    assert_true(picks[2].quantity == 50);       /* the 5000 left */
    assert_string_equal(picks[2].symbol, "C");
}

static void test_a_pick_that_cannot_buy_one_share_is_dropped_and_a_cheaper_one_still_fits(void **state)
{
    (void)state;
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.buying_power = 10050;
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_OK);
    ms_symbol_report list[] = { symbol("A", 0.003, 1, 100, 101), symbol("B", 0.002, 1, 70, 71),
                                symbol("C", 0.001, 1, 20, 21) };
    ms_pick picks[3];
    assert_int_equal(ms_build_picks(list, 3, &opts, picks), 2);
    assert_string_equal(picks[0].symbol, "A");
    assert_string_equal(picks[1].symbol, "C");  /* 50 left: B's 70 is out of reach, C's 20 twice */
    assert_true(picks[1].quantity == 2);
}

static void test_stock_dearer_than_its_position_is_not_a_pick(void **state)
{
    (void)state;
    ms_analyzer_options opts = resolved_options();
    ms_symbol_report list[] = { symbol("BRK", 0.001, 1, 700000, 701000) };
    ms_pick pick;
    assert_int_equal(ms_build_picks(list, 1, &opts, &pick), 0);
}

static void test_no_buying_power_means_no_picks(void **state)
{
    (void)state;
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.buying_power = 0;
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_OK);
    ms_symbol_report list[] = { symbol("ETHUSD", 0.001, 1, 3000, 3100) };
    ms_pick pick;
    assert_int_equal(ms_build_picks(list, 1, &opts, &pick), 0);
}

static void test_stale_symbol_is_never_picked(void **state)
{
    (void)state;
    ms_analyzer_options opts = resolved_options();
    ms_symbol_report list[] = { symbol("OLD", 0.003, 1, 100, 101), symbol("NEW", 0.002, 1, 100, 101) };
    list[0].stale = 1;
    ms_pick picks[2];
    assert_int_equal(ms_build_picks(list, 2, &opts, picks), 1);
    assert_string_equal(picks[0].symbol, "NEW");
    assert_true(picks[0].quantity == 100);      /* the stale one spent nothing */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rank_chooses_highest_mean_return_and_floors_composite_at_zero),
        cmocka_unit_test(test_sort_orders_by_composite_then_symbol),
        cmocka_unit_test(test_picks_need_positive_return_and_edge_in_the_side),
        cmocka_unit_test(test_take_profit_on_the_wrong_side_of_the_entry_is_refused_with_its_reason),
        cmocka_unit_test(test_a_move_smaller_than_the_round_trip_fees_is_refused_with_its_reason),
        cmocka_unit_test(test_a_move_just_above_the_round_trip_fees_is_a_pick),
        cmocka_unit_test(test_picks_stop_at_max_positions),
        cmocka_unit_test(test_stock_size_is_equity_times_position_size_in_whole_shares),
        cmocka_unit_test(test_crypto_size_is_rounded_down_to_thousandths),
        cmocka_unit_test(test_position_size_sets_each_picks_share_of_equity),
        cmocka_unit_test(test_buying_power_is_consumed_pick_by_pick),
        cmocka_unit_test(test_a_pick_that_cannot_buy_one_share_is_dropped_and_a_cheaper_one_still_fits),
        cmocka_unit_test(test_stock_dearer_than_its_position_is_not_a_pick),
        cmocka_unit_test(test_no_buying_power_means_no_picks),
        cmocka_unit_test(test_stale_symbol_is_never_picked),
    };
    return cmocka_run_group_tests_name("picks", tests, NULL, NULL);
}
