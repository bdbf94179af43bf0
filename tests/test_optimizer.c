/* test_optimizer.c - the MaxDiff offset optimiser: known optima, its tie
 * rules, and exact agreement with a literal grid search over
 * ms_limit_profit (the path fill models: over ms_limit_plan_run) on random
 * windows. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>

#include "strategy/strategy_internal.h"
#include "strategy_fixture.h"

#define FEE 0.0005
/* Offsets and totals below are sums of a few decimal fractions; grid points
 * lo + (hi - lo) * i / (n - 1) land within a few ulps of the box edge. */
#define TOL 1e-12

/* One long-trade day (|high_pred| .012 > |low_pred| .01) whose levels
 * always fill and always reach the take-profit level inside the box. */
static fixture_days wide_long_day(double close)
{
    return (fixture_days){
        .days = 1, .close_actual = { close }, .high_actual = { 0.05 },
        .low_actual = { -0.05 }, .high_pred = { 0.012 }, .low_pred = { -0.01 },
    };
}

static void test_optimum_widens_both_levels_to_the_box_edge(void **state)
{
    (void)state;
    fixture_days f = wide_long_day(0.0);
    ms_window w = fixture_window(&f);
    ms_limit_plan plan = { &w, false, false, FEE, MS_FILLS_REFERENCE };
    ms_maxdiff_choice choice;
    double total = ms_maxdiff_optimize(&plan, &choice);
    /* (hp - lp) - fee = (.012 + h) - (-.01 + l) - fee, largest at h = .03,
     * l = -.03: .042 + .04 - .0005 = .0815; holding to the close (0) gives
     * only .04 - .0005, so close_at_eod stays false. */
    assert_near(choice.high_offset, 0.03, TOL);
    assert_near(choice.low_offset, -0.03, TOL);
    assert_int_equal(choice.close_at_eod, 0);
    assert_near(total, 0.0815, TOL);
}

static void test_close_at_eod_wins_when_strictly_better_and_h_ties_keep_earliest(void **state)
{
    (void)state;
    fixture_days f = wide_long_day(0.05);
    ms_window w = fixture_window(&f);
    ms_limit_plan plan = { &w, false, false, FEE, MS_FILLS_REFERENCE };
    ms_maxdiff_choice choice;
    double total = ms_maxdiff_optimize(&plan, &choice);
    /* Closing at .05 beats any take-profit (at most .042): close - lp - fee
     * = .05 + .04 - .0005 = .0895 at l = -.03. With close_at_eod the long
     * ignores h, so every h ties and the first one, -.03, is kept. */
    assert_int_equal(choice.close_at_eod, 1);
    assert_true(choice.high_offset == -0.03);
    assert_near(choice.low_offset, -0.03, TOL);
    assert_near(total, 0.0895, TOL);
}

static void test_all_ties_keep_first_point_and_close_at_eod_false(void **state)
{
    (void)state;
    /* The low stays at the origin close, so no buy level (at most 0 after
     * clamping) fills: every total is 0 with either exit, and the very
     * first grid point wins. */
    fixture_days f = wide_long_day(0.0);
    f.low_actual[0] = 0.0;
    ms_window w = fixture_window(&f);
    ms_limit_plan plan = { &w, false, false, FEE, MS_FILLS_REFERENCE };
    ms_maxdiff_choice choice;
    double total = ms_maxdiff_optimize(&plan, &choice);
    assert_true(choice.high_offset == -0.03);
    assert_true(choice.low_offset == -0.03);
    assert_int_equal(choice.close_at_eod, 0);
    assert_true(total == 0.0);
}

/* ---- A literal grid search over ms_limit_profit, as the oracle ----------- */

static ms_fill_model oracle_fills = MS_FILLS_REFERENCE;

/* The path models' oracle is the plan run itself (maxdiff.c, fills.c),
 * point by point. */
static double literal_total(const ms_window *w, bool always_on, bool long_only, double h,
                            double l, int close_at_eod)
{
    if (oracle_fills != MS_FILLS_REFERENCE) {
        ms_limit_plan plan = { w, always_on, long_only, FEE, oracle_fills };
        ms_maxdiff_choice choice = { h, l, close_at_eod };
        return ms_limit_plan_run(&plan, &choice, NULL, NULL);
    }
    double total = 0.0;
    for (size_t d = 0; d < w->days; d++) {
        double hp = w->high_pred[d] + h, lp = w->low_pred[d] + l;
        double day;
        if (always_on) {
            day = ms_limit_profit(w->close_actual[d], w->high_actual[d], hp, w->low_actual[d],
                                  lp, 1.0, FEE, close_at_eod)
                  + ms_limit_profit(w->close_actual[d], w->high_actual[d], hp,
                                    w->low_actual[d], lp, long_only ? 0.0 : -1.0, FEE,
                                    close_at_eod);
        } else {
            day = ms_limit_profit(w->close_actual[d], w->high_actual[d], hp, w->low_actual[d],
                                  lp, ms_maxdiff_trade(w, d, long_only), FEE, close_at_eod);
        }
        total += day;
    }
    return total;
}

static void literal_search(const ms_window *w, bool always_on, bool long_only,
                           int close_at_eod, double best[3])
{
    static const int points[3] = { 33, 17, 9 };
    double h_lo = -0.03, h_hi = 0.03, l_lo = -0.03, l_hi = 0.03;
    best[2] = -INFINITY;
    for (int stage = 0; stage < 3; stage++) {
        int n = points[stage];
        if (stage > 0) {
            double h_width = 0.6 * (h_hi - h_lo), l_width = 0.6 * (l_hi - l_lo);
            h_lo = fmax(-0.03, best[0] - h_width / 2);
            h_hi = fmin(0.03, best[0] + h_width / 2);
            l_lo = fmax(-0.03, best[1] - l_width / 2);
            l_hi = fmin(0.03, best[1] + l_width / 2);
        }
        for (int i = 0; i < n; i++) {
            double h = h_lo + (h_hi - h_lo) * i / (n - 1);
            for (int j = 0; j < n; j++) {
                double l = l_lo + (l_hi - l_lo) * j / (n - 1);
                double total = literal_total(w, always_on, long_only, h, l, close_at_eod);
                if (total > best[2]) {
                    best[0] = h;
                    best[1] = l;
                    best[2] = total;
                }
            }
        }
    }
}

static double uniform(uint64_t *seed)
{
    *seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*seed >> 11) / 9007199254740992.0;
}

/* Random days around the close, with some inverted forecasts and some
 * levels far enough out to be clamped. */
static fixture_days random_days(uint64_t seed)
{
    fixture_days f = { .days = 6 };
    for (size_t d = 0; d < f.days; d++) {
        double close = (uniform(&seed) - 0.5) * 0.04;
        f.close_actual[d] = close;
        f.high_actual[d] = fmax(close, 0.0) + uniform(&seed) * 0.03;
        f.low_actual[d] = fmin(close, 0.0) - uniform(&seed) * 0.03;
        f.open_actual[d] = f.low_actual[d] + uniform(&seed) * (f.high_actual[d] - f.low_actual[d]);
        f.high_pred[d] = f.high_actual[d] + (uniform(&seed) - 0.5) * 0.05;
        f.low_pred[d] = f.low_actual[d] + (uniform(&seed) - 0.5) * 0.05;
    }
    return f;
}

static void check_against_literal_search(bool always_on, bool long_only)
{
    for (uint64_t seed = 1; seed <= 12; seed++) {
        fixture_days f = random_days(seed * 7919);
        ms_window w = fixture_window(&f);
        ms_limit_plan plan = { &w, always_on, long_only, FEE, oracle_fills };
        ms_maxdiff_choice choice;
        double total = ms_maxdiff_optimize(&plan, &choice);
        double hold[3], close[3];
        literal_search(&w, always_on, long_only, 0, hold);
        literal_search(&w, always_on, long_only, 1, close);
        const double *expected = close[2] > hold[2] ? close : hold;
        assert_int_equal(choice.close_at_eod, close[2] > hold[2]);
        assert_true(choice.high_offset == expected[0]);
        assert_true(choice.low_offset == expected[1]);
        assert_true(total == expected[2]);
        assert_true(ms_limit_plan_run(&plan, &choice, NULL, NULL) == total);
    }
}

static void test_maxdiff_choice_equals_literal_search_bit_for_bit(void **state)
{
    (void)state;
    check_against_literal_search(false, false);
}

static void test_long_only_maxdiff_choice_equals_literal_search(void **state)
{
    (void)state;
    check_against_literal_search(false, true);
}

static void test_always_on_choice_equals_literal_search_bit_for_bit(void **state)
{
    (void)state;
    check_against_literal_search(true, false);
}

static void test_long_only_always_on_choice_equals_literal_search(void **state)
{
    (void)state;
    check_against_literal_search(true, true);
}

static void check_path_model(ms_fill_model fills)
{
    oracle_fills = fills;
    check_against_literal_search(false, false);
    check_against_literal_search(true, false);
    check_against_literal_search(true, true);
    oracle_fills = MS_FILLS_REFERENCE;
}

static void test_bar_path_choice_equals_a_search_over_plan_runs_bit_for_bit(void **state)
{
    (void)state;
    check_path_model(MS_FILLS_BAR_PATH);
}

static void test_worst_choice_equals_a_search_over_plan_runs_bit_for_bit(void **state)
{
    (void)state;
    check_path_model(MS_FILLS_WORST);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_optimum_widens_both_levels_to_the_box_edge),
        cmocka_unit_test(test_close_at_eod_wins_when_strictly_better_and_h_ties_keep_earliest),
        cmocka_unit_test(test_all_ties_keep_first_point_and_close_at_eod_false),
        cmocka_unit_test(test_maxdiff_choice_equals_literal_search_bit_for_bit),
        cmocka_unit_test(test_long_only_maxdiff_choice_equals_literal_search),
        cmocka_unit_test(test_always_on_choice_equals_literal_search_bit_for_bit),
        cmocka_unit_test(test_long_only_always_on_choice_equals_literal_search),
        cmocka_unit_test(test_bar_path_choice_equals_a_search_over_plan_runs_bit_for_bit),
        cmocka_unit_test(test_worst_choice_equals_a_search_over_plan_runs_bit_for_bit),
    };
    return cmocka_run_group_tests_name("optimizer", tests, NULL, NULL);
}
