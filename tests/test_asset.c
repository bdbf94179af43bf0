/* test_asset.c - which symbols are crypto (strategies.md) and class names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "marketsim/data.h"

static void test_every_listed_crypto_asset_against_usd_is_crypto(void **state)
{
    (void)state;
    const char *pairs[] = {
        "BTCUSD", "ETHUSD", "SOLUSD", "UNIUSD", "LINKUSD", "PAXGUSD", "SUIUSD", "LTCUSD",
        "BCHUSD", "DOGEUSD", "AVAXUSD", "DOTUSD", "AAVEUSD", "XRPUSD", "ADAUSD", "MATICUSD",
        "SHIBUSD", "XTZUSD", "ALGOUSD", "ATOMUSD", "TRXUSD", "XLMUSD", "FILUSD", "NEARUSD",
        "APTUSD", "ARBUSD", "OPUSD", "PEPEUSD", "GRTUSD", "MKRUSD", "SUSHIUSD", "YFIUSD",
        "BATUSD", "CRVUSD", "TONUSD", "HBARUSD", "ETCUSD", "BNBUSD",
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (ms_symbol_asset_class(pairs[i]) != MS_ASSET_CRYPTO)
            fail_msg("%s is not crypto", pairs[i]);
}

static void test_separators_and_case_do_not_matter(void **state)
{
    (void)state;
    assert_int_equal(ms_symbol_asset_class("BTC/USD"), MS_ASSET_CRYPTO);
    assert_int_equal(ms_symbol_asset_class("BTC-USD"), MS_ASSET_CRYPTO);
    assert_int_equal(ms_symbol_asset_class("eth/usd"), MS_ASSET_CRYPTO);
    assert_int_equal(ms_symbol_asset_class("Sol-Usd"), MS_ASSET_CRYPTO);
}

static void test_other_symbols_are_stocks(void **state)
{
    (void)state;
    const char *stocks[] = {
        "AAPL", "JD", "USD", "BTC", "BTCUSDT", "XBTUSD", "BTCEUR", "USDBTC", "BRK-B",
        "AVERYLONGSYMBOLNAMEUSD", "",
    };
    for (size_t i = 0; i < sizeof stocks / sizeof stocks[0]; i++)
        if (ms_symbol_asset_class(stocks[i]) != MS_ASSET_STOCK)
            fail_msg("'%s' is not a stock", stocks[i]);
    assert_int_equal(ms_symbol_asset_class(NULL), MS_ASSET_STOCK);
}

static void test_asset_class_names(void **state)
{
    (void)state;
    assert_string_equal(ms_asset_class_name(MS_ASSET_STOCK), "stock");
    assert_string_equal(ms_asset_class_name(MS_ASSET_CRYPTO), "crypto");
}

static void test_canonical_symbol_joins_crypto_pairs_and_keeps_stock_dashes(void **state)
{
    (void)state;
    char out[MS_SYMBOL_CAPACITY];
    ms_symbol_canonical("btc/usd", out);
    assert_string_equal(out, "BTCUSD");
    ms_symbol_canonical("ETH-USD", out);
    assert_string_equal(out, "ETHUSD");
    ms_symbol_canonical("brk-b", out);
    assert_string_equal(out, "BRK-B");
}

static void test_canonical_symbol_of_null_is_empty(void **state)
{
    (void)state;
    char out[MS_SYMBOL_CAPACITY] = "stale";
    ms_symbol_canonical(NULL, out);
    assert_string_equal(out, "");
    ms_symbol_canonical("AAPL", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_listed_crypto_asset_against_usd_is_crypto),
        cmocka_unit_test(test_separators_and_case_do_not_matter),
        cmocka_unit_test(test_other_symbols_are_stocks),
        cmocka_unit_test(test_asset_class_names),
        cmocka_unit_test(test_canonical_symbol_joins_crypto_pairs_and_keeps_stock_dashes),
        cmocka_unit_test(test_canonical_symbol_of_null_is_empty),
    };
    return cmocka_run_group_tests_name("asset", tests, NULL, NULL);
}
