/* test_synthetic.c - the built-in market: determinism, calendar, bar
 * consistency and statistical realism (lib/data/synthetic.c). */
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

#define DAY 86400
#define LAST_BAR (20455LL * DAY)   /* 2026-01-02 00:00 UTC */

static ms_bars *generate(const char *symbol, uint64_t seed, size_t n)
{
    ms_bars *bars = NULL;
    if (ms_synthetic_bars(&bars, symbol, seed, n) != MS_OK)
        fail_msg("%s: %s", symbol, ms_last_error());
    return bars;
}

static bool same_bars(const ms_bars *a, const ms_bars *b)
{
    size_t n = ms_bars_len(a);
    if (n != ms_bars_len(b) ||
        memcmp(ms_bars_timestamps(a), ms_bars_timestamps(b), n * sizeof(int64_t)) != 0)
        return false;
    for (int c = 0; c < MS_COLUMN_COUNT; c++)
        if (memcmp(ms_bars_column(a, (ms_column)c), ms_bars_column(b, (ms_column)c),
                   n * sizeof(double)) != 0)
            return false;
    return true;
}

/* Log close-to-close returns; the caller frees. */
static double *log_returns(const ms_bars *bars, size_t *count)
{
    const double *close = ms_bars_column(bars, MS_COL_CLOSE);
    *count = ms_bars_len(bars) - 1;
    double *returns = malloc(*count * sizeof *returns);
    assert_non_null(returns);
    for (size_t i = 0; i < *count; i++)
        returns[i] = log(close[i + 1] / close[i]);
    return returns;
}

static double mean(const double *x, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    return sum / (double)n;
}

static double central_moment(const double *x, size_t n, int power)
{
    double centre = mean(x, n), sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += pow(x[i] - centre, power);
    return sum / (double)n;
}

/* corr(|r_t|, |r_{t-1}|): positive when volatility clusters. */
static double abs_return_autocorrelation(const double *returns, size_t n)
{
    double *magnitude = malloc(n * sizeof *magnitude);
    assert_non_null(magnitude);
    for (size_t i = 0; i < n; i++)
        magnitude[i] = fabs(returns[i]);
    double centre = mean(magnitude, n), lagged = 0.0, variance = 0.0;
    for (size_t i = 0; i < n; i++) {
        variance += (magnitude[i] - centre) * (magnitude[i] - centre);
        if (i > 0)
            lagged += (magnitude[i] - centre) * (magnitude[i - 1] - centre);
    }
    free(magnitude);
    return lagged / variance;
}

static double return_volatility(const char *symbol)
{
    ms_bars *bars = generate(symbol, 0, 2000);
    size_t n;
    double *returns = log_returns(bars, &n);
    double volatility = sqrt(central_moment(returns, n, 2));
    free(returns);
    ms_bars_free(bars);
    return volatility;
}

static void test_same_seed_and_symbol_give_identical_bars(void **state)
{
    (void)state;
    ms_bars *a = generate("AAPL", 7, 1500);
    ms_bars *b = generate("AAPL", 7, 1500);
    assert_true(same_bars(a, b));
    ms_bars_free(a);
    ms_bars_free(b);
}

static void test_different_symbol_or_seed_give_different_bars(void **state)
{
    (void)state;
    ms_bars *base = generate("AAPL", 7, 500);
    ms_bars *other_symbol = generate("MSFT", 7, 500);
    ms_bars *other_seed = generate("AAPL", 8, 500);
    assert_false(same_bars(base, other_symbol));
    assert_false(same_bars(base, other_seed));
    ms_bars_free(base);
    ms_bars_free(other_symbol);
    ms_bars_free(other_seed);
}

static void test_pair_spellings_share_one_market(void **state)
{
    (void)state;
    ms_bars *joined = generate("BTCUSD", 3, 300);
    ms_bars *slashed = generate("BTC/USD", 3, 300);
    ms_bars *dashed = generate("btc-usd", 3, 300);
    assert_true(same_bars(joined, slashed));
    assert_true(same_bars(joined, dashed));
    assert_string_equal(ms_bars_symbol(slashed), "BTC/USD");
    ms_bars_free(joined);
    ms_bars_free(slashed);
    ms_bars_free(dashed);
}

static void test_stocks_skip_weekends_and_end_on_fixed_date(void **state)
{
    (void)state;
    ms_bars *bars = generate("AAPL", 0, 1000);
    const int64_t *t = ms_bars_timestamps(bars);
    assert_int_equal(t[999], LAST_BAR);
    for (size_t i = 0; i < 1000; i++) {
        int weekday = ms_weekday(t[i] / DAY);
        assert_true(weekday >= 1 && weekday <= 5);
        if (i > 0)
            assert_true(t[i] - t[i - 1] == DAY || t[i] - t[i - 1] == 3 * DAY);
    }
    ms_bars_free(bars);
}

static void test_crypto_trades_every_calendar_day(void **state)
{
    (void)state;
    ms_bars *bars = generate("ETHUSD", 0, 1000);
    const int64_t *t = ms_bars_timestamps(bars);
    assert_int_equal(t[999], LAST_BAR);
    for (size_t i = 1; i < 1000; i++)
        assert_int_equal(t[i] - t[i - 1], DAY);
    ms_bars_free(bars);
}

static void check_consistent(const char *symbol, size_t n)
{
    ms_bars *bars = generate(symbol, 11, n);
    const double *open = ms_bars_column(bars, MS_COL_OPEN);
    const double *high = ms_bars_column(bars, MS_COL_HIGH);
    const double *low = ms_bars_column(bars, MS_COL_LOW);
    const double *close = ms_bars_column(bars, MS_COL_CLOSE);
    const double *volume = ms_bars_column(bars, MS_COL_VOLUME);
    for (size_t i = 0; i < n; i++) {
        assert_true(low[i] > 0.0 && isfinite(high[i]));
        assert_true(high[i] >= fmax(open[i], close[i]));
        assert_true(low[i] <= fmin(open[i], close[i]));
        assert_true(volume[i] > 0.0 && isfinite(volume[i]));
    }
    ms_bars_free(bars);
}

static void test_long_series_keep_ohlc_consistent(void **state)
{
    (void)state;
    check_consistent("NVDA", 50000);
    check_consistent("SOLUSD", 50000);
}

static void test_start_price_lies_between_5_and_500(void **state)
{
    (void)state;
    char symbol[16];
    for (int k = 0; k < 40; k++) {
        snprintf(symbol, sizeof symbol, "SYM%d", k);
        ms_bars *bars = generate(symbol, 0, 1);
        double open = ms_bars_column(bars, MS_COL_OPEN)[0];
        /* The first open is the start price times one small gap (< 10%). */
        assert_true(open > 5.0 * 0.9 && open < 500.0 * 1.1);
        ms_bars_free(bars);
    }
}

static void test_open_stays_near_previous_close(void **state)
{
    (void)state;
    ms_bars *bars = generate("MSFT", 2, 3000);
    const double *open = ms_bars_column(bars, MS_COL_OPEN);
    const double *close = ms_bars_column(bars, MS_COL_CLOSE);
    double gap = 0.0, move = 0.0;
    for (size_t i = 1; i < 3000; i++) {
        gap += fabs(log(open[i] / close[i - 1]));
        move += fabs(log(close[i] / close[i - 1]));
    }
    /* The model's gap is a quarter of the day's volatility: bound at half. */
    assert_true(gap < 0.5 * move);
    ms_bars_free(bars);
}

static void test_volatility_clusters_and_tails_are_fat(void **state)
{
    (void)state;
    const char *symbols[] = { "AAPL", "SPY", "BTCUSD", "DOGEUSD" };
    for (size_t s = 0; s < 4; s++) {
        ms_bars *bars = generate(symbols[s], 5, 5000);
        size_t n;
        double *returns = log_returns(bars, &n);
        double variance = central_moment(returns, n, 2);
        double kurtosis = central_moment(returns, n, 4) / (variance * variance);
        double clustering = abs_return_autocorrelation(returns, n);
        /* A normal i.i.d. walk gives kurtosis 3 and autocorrelation ~0
         * (standard error 1/sqrt(5000) = 0.014). */
        if (kurtosis <= 3.0 || clustering <= 0.05)
            fail_msg("%s: kurtosis %.2f, |r| autocorrelation %.3f", symbols[s], kurtosis,
                     clustering);
        free(returns);
        ms_bars_free(bars);
    }
}

static void test_crypto_is_more_volatile_than_stocks(void **state)
{
    (void)state;
    const char *stocks[] = { "AAPL", "MSFT", "NVDA", "SPY", "JD", "XPO" };
    const char *cryptos[] = { "BTCUSD", "ETHUSD", "SOLUSD", "DOGEUSD", "LINKUSD", "XRPUSD" };
    double stock_sum = 0.0, crypto_sum = 0.0;
    for (size_t i = 0; i < 6; i++) {
        stock_sum += return_volatility(stocks[i]);
        crypto_sum += return_volatility(cryptos[i]);
    }
    /* The model's base volatilities differ by ~2x; averaging over six
     * symbols keeps the per-symbol 0.7 .. 1.4 scaling from blurring it. */
    assert_true(crypto_sum > 1.3 * stock_sum);
}

static void test_rejects_zero_or_too_many_bars(void **state)
{
    (void)state;
    ms_bars *bars = NULL;
    assert_int_equal(ms_synthetic_bars(&bars, "AAPL", 0, 0), MS_ERR_INVALID_ARG);
    assert_int_equal(ms_synthetic_bars(&bars, "AAPL", 0, MS_SYNTHETIC_MAX_BARS + 1),
                     MS_ERR_INVALID_ARG);
    assert_int_equal(ms_synthetic_bars(&bars, "", 0, 10), MS_ERR_INVALID_ARG);
    assert_null(bars);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_and_symbol_give_identical_bars),
        cmocka_unit_test(test_different_symbol_or_seed_give_different_bars),
        cmocka_unit_test(test_pair_spellings_share_one_market),
        cmocka_unit_test(test_stocks_skip_weekends_and_end_on_fixed_date),
        cmocka_unit_test(test_crypto_trades_every_calendar_day),
        cmocka_unit_test(test_long_series_keep_ohlc_consistent),
        cmocka_unit_test(test_start_price_lies_between_5_and_500),
        cmocka_unit_test(test_open_stays_near_previous_close),
        cmocka_unit_test(test_volatility_clusters_and_tails_are_fat),
        cmocka_unit_test(test_crypto_is_more_volatile_than_stocks),
        cmocka_unit_test(test_rejects_zero_or_too_many_bars),
    };
    return cmocka_run_group_tests_name("synthetic", tests, NULL, NULL);
}
