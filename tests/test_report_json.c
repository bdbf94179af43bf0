/*
 * test_report_json.c - the JSON report is one parseable document with the
 * documented shape: config, timings, symbols (in ranking order), picks and
 * errors, with non-finite numbers as null; each symbol carries the series
 * the HTML report charts and its forecast quality, equal to the report's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "marketsim/marketsim.h"

static json_t *analyze_to_json(const char *const *symbols, size_t n, size_t eval_days,
                               ms_report **report_out)
{
    ms_source *source = NULL;
    ms_model *model = NULL;
    ms_analyzer *analyzer = NULL;
    ms_report *report = NULL;
    assert_int_equal(ms_source_open(&source, "synthetic:seed=1,bars=300", NULL), MS_OK);
    assert_int_equal(ms_model_open(&model, NULL, NULL), MS_OK);
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.simulations = 8;
    opts.eval_days = eval_days;
    assert_int_equal(ms_analyzer_create(&analyzer, source, model, &opts), MS_OK);
    assert_int_equal(ms_analyzer_run(analyzer, symbols, n, &report), MS_OK);
    char *text = NULL;
    assert_int_equal(ms_report_to_json(report, &text), MS_OK);
    json_error_t error;
    json_t *root = json_loads(text, 0, &error);
    assert_non_null(root);
    ms_free(text);
    ms_analyzer_free(analyzer);
    ms_model_free(model);
    ms_source_free(source);
    if (report_out)
        *report_out = report;
    else
        ms_report_free(report);
    return root;
}

static void test_json_has_every_documented_top_level_key(void **state)
{
    (void)state;
    const char *const symbols[] = { "AAPL", "BTCUSD" };
    json_t *root = analyze_to_json(symbols, 2, 6, NULL);
    const char *keys[] = { "version", "config", "timings", "symbols", "picks", "errors" };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_non_null(json_object_get(root, keys[i]));
    assert_string_equal(json_string_value(json_object_get(root, "version")), ms_version());
    json_t *config = json_object_get(root, "config");
    assert_int_equal(json_integer_value(json_object_get(config, "simulations")), 8);
    assert_string_equal(json_string_value(json_object_get(config, "model")), "baseline");
    json_t *timings = json_object_get(root, "timings");
    const char *phases[] = { "data", "inference", "strategies", "ranking", "total" };
    for (size_t i = 0; i < 5; i++)
        assert_true(json_is_real(json_object_get(timings, phases[i])));
    json_decref(root);
}

static void test_json_symbol_has_every_documented_field(void **state)
{
    (void)state;
    const char *const symbols[] = { "BTCUSD" };
    json_t *root = analyze_to_json(symbols, 1, 6, NULL);
    json_t *symbol = json_array_get(json_object_get(root, "symbols"), 0);
    const char *keys[] = { "symbol", "asset_class", "bars", "last_close", "forecast", "strategies",
                           "best_strategy", "composite_score", "side", "entry_price",
                           "take_profit_price" };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_non_null(json_object_get(symbol, keys[i]));
    assert_string_equal(json_string_value(json_object_get(symbol, "asset_class")), "crypto");
    assert_int_equal(json_integer_value(json_object_get(symbol, "bars")), 300);
    json_t *strategies = json_object_get(symbol, "strategies");
    assert_int_equal(json_object_size(strategies), MS_STRATEGY_COUNT);
    json_t *maxdiff = json_object_get(strategies, "maxdiff");
    const char *metrics[] = { "total_return", "avg_daily_return", "annual_return", "sharpe",
                              "win_rate", "trades", "baseline", "optimized" };
    for (size_t i = 0; i < sizeof metrics / sizeof metrics[0]; i++)
        assert_non_null(json_object_get(maxdiff, metrics[i]));
    assert_non_null(json_object_get(json_object_get(symbol, "forecast"), "high"));
    json_decref(root);
}

static void test_json_symbols_follow_report_order(void **state)
{
    (void)state;
    const char *const symbols[] = { "AAA", "BBB", "CCC", "DDD" };
    ms_report *report = NULL;
    json_t *root = analyze_to_json(symbols, 4, 6, &report);
    json_t *list = json_object_get(root, "symbols");
    assert_int_equal(json_array_size(list), ms_report_symbol_count(report));
    for (size_t i = 0; i < json_array_size(list); i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(list, i), "symbol")),
                            ms_report_symbol(report, i)->symbol);
    ms_report_free(report);
    json_decref(root);
}

static void test_json_writes_undefined_sharpe_as_null(void **state)
{
    (void)state;
    /* One evaluation day per simulation: a Sharpe ratio needs two. */
    const char *const symbols[] = { "AAPL" };
    json_t *root = analyze_to_json(symbols, 1, 1, NULL);
    json_t *simple = json_object_get(json_object_get(json_array_get(json_object_get(root, "symbols"), 0),
                                                     "strategies"), "simple");
    assert_true(json_is_null(json_object_get(simple, "sharpe")));
    json_decref(root);
}

/* The JSON series are the report's own values: the walk-forward dates and
 * every strategy's returns, sides, equity and drawdown; the recent bars and
 * their forecasts; the per-simulation returns; the forecast quality. */
static void test_json_carries_the_chart_series_and_forecast_quality(void **state)
{
    (void)state;
    const char *const symbols[] = { "AAPL", "ETHUSD" };
    ms_report *report = NULL;
    json_t *root = analyze_to_json(symbols, 2, 4, &report);
    const ms_symbol_report *r = ms_report_symbol(report, 0);
    json_t *symbol = json_array_get(json_object_get(root, "symbols"), 0);
    json_t *series = json_object_get(symbol, "series");
    json_t *walk = json_object_get(series, "walk_forward");
    assert_int_equal(json_array_size(json_object_get(walk, "date")), r->walk_forward_days);
    json_t *hold = json_object_get(json_object_get(walk, "strategies"), "buy_hold");
    json_t *returns = json_object_get(hold, "returns"), *equity = json_object_get(hold, "equity_pct");
    double growth = 1.0;
    for (size_t d = 0; d < r->walk_forward_days; d++) {
        double day = r->walk_forward_returns[MS_STRATEGY_BUY_HOLD][d];
        assert_float_equal(json_real_value(json_array_get(returns, d)), day, 0.0);
        growth *= 1.0 + day;
        assert_float_equal(json_real_value(json_array_get(equity, d)), (growth - 1.0) * 100.0, 1e-9);
        assert_true(json_real_value(json_array_get(json_object_get(hold, "drawdown_pct"), d)) <= 0.0);
    }
    json_t *recent = json_object_get(series, "recent");
    assert_int_equal(json_array_size(json_object_get(recent, "open")), r->recent_count);
    json_t *forecast_close = json_object_get(json_object_get(recent, "forecast"), "close");
    assert_float_equal(json_real_value(json_array_get(forecast_close, r->recent_count - 1)),
                       r->recent_forecast_close[r->recent_count - 1], 0.0);
    json_t *sims = json_object_get(json_object_get(series, "simulation_returns"), "maxdiff");
    assert_int_equal(json_array_size(sims), 8);
    json_t *close = json_object_get(json_object_get(symbol, "forecast_quality"), "close");
    assert_int_equal(json_integer_value(json_object_get(close, "count")),
                     r->forecast_quality.close.count);
    assert_float_equal(json_real_value(json_object_get(json_object_get(close, "naive"), "mae_pct")),
                       r->forecast_quality.close.naive_mae_pct, 0.0);
    assert_true(json_is_null(json_object_get(close, "coverage")));
    json_t *pooled = json_object_get(json_object_get(root, "forecast_quality"), "high");
    assert_int_equal(json_integer_value(json_object_get(pooled, "count")),
                     ms_report_forecast_quality(report)->high.count);
    ms_report_free(report);
    json_decref(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_has_every_documented_top_level_key),
        cmocka_unit_test(test_json_symbol_has_every_documented_field),
        cmocka_unit_test(test_json_symbols_follow_report_order),
        cmocka_unit_test(test_json_writes_undefined_sharpe_as_null),
        cmocka_unit_test(test_json_carries_the_chart_series_and_forecast_quality),
    };
    return cmocka_run_group_tests_name("report_json", tests, NULL, NULL);
}
