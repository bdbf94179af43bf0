/*
 * test_report_html.c - the HTML report is one self-contained page: one
 * section and three inline SVG charts per symbol (candles, equity and
 * drawdown, returns spread) with value and date axes, no URL or script
 * anywhere, every data string escaped, undefined numbers shown as "-", stale
 * symbols and the warnings shown; and the report keeps what the charts
 * draw: the recent bars, and a walk-forward that is the simulations'
 * evaluation days laid end to end, whose buy-and-hold equity cannot fall
 * below -100%.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze_internal.h"
#include "marketsim/marketsim.h"

/* Occurrences of `needle` in `text` (may overlap; none of ours do). */
static size_t count_of(const char *text, const char *needle)
{
    size_t count = 0, length = strlen(needle);
    for (size_t i = 0; text[i] != '\0'; i++)
        count += strncmp(text + i, needle, length) == 0;
    return count;
}

/* A real analysis of the synthetic market (baseline model), its
 * freshness judged at as_of (0: the newest bar's day). */
static ms_report *analyze_as_of(const char *const *symbols, size_t n, int64_t as_of)
{
    ms_source *source = NULL;
    ms_model *model = NULL;
    ms_analyzer *analyzer = NULL;
    ms_report *report = NULL;
    assert_int_equal(ms_source_open(&source, "synthetic:seed=3,bars=300", NULL), MS_OK);
    assert_int_equal(ms_model_open(&model, NULL, NULL), MS_OK);
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.simulations = 6;
    opts.as_of = as_of;
    assert_int_equal(ms_analyzer_create(&analyzer, source, model, &opts), MS_OK);
    assert_int_equal(ms_analyzer_run(analyzer, symbols, n, &report), MS_OK);
    ms_analyzer_free(analyzer);
    ms_model_free(model);
    ms_source_free(source);
    return report;
}

static ms_report *analyze(const char *const *symbols, size_t n)
{
    return analyze_as_of(symbols, n, 0);
}

/* The page as a heap string: the caller frees it with ms_free. */
static char *html_of(const ms_report *report)
{
    char *page = NULL;
    ms_status status = ms_report_to_html(report, &page);
    assert_int_equal(status, MS_OK);
    assert_non_null(page);
    return page;
}

/* A hand-made report of one symbol whose name needs escaping, with every
 * number undefined, and one failed symbol whose message needs escaping. */
typedef struct odd_report {
    ms_report report;
    ms_symbol_report symbol;
    ms_symbol_error error;
    ms_strategy_block strategies;
    double returns[MS_STRATEGY_COUNT][3];
    double closes[3];
    int64_t times[3];
} odd_report;

static void make_odd_report(odd_report *odd)
{
    memset(odd, 0, sizeof *odd);
    odd->report.options.aggregate = "mean";
    odd->report.source_uri = "csv:<dir>";
    odd->report.model_name = "baseline";
    odd->symbol.symbol = "A&B<C>";
    odd->symbol.last_close = NAN;
    odd->symbol.forecast_close = NAN;
    odd->symbol.forecast_high = INFINITY;
    odd->symbol.forecast_low = NAN;
    odd->symbol.composite_score = NAN;
    odd->symbol.entry_price = NAN;
    odd->symbol.take_profit_price = NAN;
    ms_strategy_block_point(&odd->symbol, &odd->strategies);
    for (int s = 0; s < MS_STRATEGY_COUNT; s++) {
        ms_strategy_summary *summary = &odd->strategies.summaries[s];
        summary->mean.sharpe = NAN;
        for (int k = 0; k < 3; k++)
            odd->returns[s][k] = k == 1 ? NAN : 0.01;
        summary->simulation_returns = odd->returns[s];
        summary->simulations = 3;
    }
    odd->closes[0] = 1.0;
    odd->closes[1] = NAN;
    odd->closes[2] = 2.0;
    odd->symbol.recent_close = odd->closes;
    odd->symbol.recent_time = odd->times;
    odd->symbol.recent_count = 3;
    odd->error = (ms_symbol_error){ "X\"Y'", MS_ERR_PARSE, "bad <b>row</b> & more" };
    odd->report.symbols = &odd->symbol;
    odd->report.symbol_count = 1;
    odd->report.errors = &odd->error;
    odd->report.error_count = 1;
}

static void test_html_has_one_section_and_three_charts_per_symbol(void **state)
{
    (void)state;
    const char *const symbols[] = { "AAPL", "MSFT", "BTCUSD" };
    ms_report *report = analyze(symbols, 3);
    char *html = html_of(report);
    assert_int_equal(count_of(html, "<section class=\"symbol\""), 3);
    assert_int_equal(count_of(html, "<svg"), 9);
    assert_int_equal(count_of(html, "</svg>"), 9);
    assert_int_equal(count_of(html, "<table class=\"ranking\">"), 1);
    assert_non_null(strstr(html, "<!DOCTYPE html>"));
    assert_non_null(strstr(html, "</html>"));
    ms_free(html);
    ms_report_free(report);
}

static void test_html_references_no_url_and_has_no_script(void **state)
{
    (void)state;
    const char *const symbols[] = { "AAPL", "ETHUSD" };
    ms_report *report = analyze(symbols, 2);
    char *html = html_of(report);
    assert_null(strstr(html, "http://"));
    assert_null(strstr(html, "https://"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "src="));
    ms_free(html);
    ms_report_free(report);
}

static void test_report_keeps_the_last_closes_oldest_first(void **state)
{
    (void)state;
    const char *const symbols[] = { "SPY" };
    ms_report *report = analyze(symbols, 1);
    const ms_symbol_report *r = ms_report_symbol(report, 0);
    assert_int_equal(r->recent_count, MS_REPORT_RECENT_BARS);
    assert_true(r->recent_close[r->recent_count - 1] == r->last_close);
    assert_true(r->recent_time[r->recent_count - 1] == r->last_timestamp);
    for (size_t i = 1; i < r->recent_count; i++)
        assert_true(r->recent_time[i] > r->recent_time[i - 1]);
    ms_report_free(report);
}

static void test_html_escapes_symbols_messages_and_source(void **state)
{
    (void)state;
    odd_report odd;
    make_odd_report(&odd);
    char *html = html_of(&odd.report);
    assert_null(strstr(html, "A&B<C>"));
    assert_non_null(strstr(html, "A&amp;B&lt;C&gt;"));
    assert_non_null(strstr(html, "X&quot;Y&#39;"));
    assert_non_null(strstr(html, "bad &lt;b&gt;row&lt;/b&gt; &amp; more"));
    assert_non_null(strstr(html, "csv:&lt;dir&gt;"));
    assert_null(strstr(html, "<b>"));
    ms_free(html);
}

static void test_html_shows_undefined_numbers_as_dashes_not_nan(void **state)
{
    (void)state;
    odd_report odd;
    make_odd_report(&odd);
    char *html = html_of(&odd.report);
    /* printf's spellings of non-finite numbers ("inference" is a word here). */
    assert_null(strstr(html, "nan"));
    assert_null(strstr(html, ">inf"));
    assert_null(strstr(html, "inf<"));
    assert_null(strstr(html, "inf,"));
    assert_null(strstr(html, "inf\""));
    assert_non_null(strstr(html, "<td>-</td>"));
    /* The undefined close splits the price line in two pieces. */
    assert_int_equal(count_of(html, "<svg"), 2);
    assert_true(count_of(html, "<polyline") >= 2);
    ms_free(html);
}

static void test_html_marks_stale_symbols_and_lists_the_warnings(void **state)
{
    (void)state;
    /* The synthetic market ends on Friday 2026-01-02; Tuesday's session is
     * then missing. "aapl" is AAPL spelt again. */
    const char *const symbols[] = { "AAPL", "aapl" };
    ms_report *report = analyze_as_of(symbols, 2, 1767743999);   /* 2026-01-06 23:59:59Z */
    char *page = html_of(report);
    assert_int_equal(count_of(page, "<section class=\"symbol\""), 1);
    assert_int_equal(count_of(page, "<td class=\"stale\">stale</td>"), 1);
    assert_non_null(strstr(page, "Stale data: not picked."));
    assert_non_null(strstr(page, "<h2>Warnings (2)</h2>"));
    assert_non_null(strstr(page, "<li>aapl: the same instrument as AAPL; analysed once, as AAPL</li>"));
    assert_non_null(strstr(page, "the market&#39;s last session, 2026-01-06; not picked</li>"));
    ms_free(page);
    ms_report_free(report);
}

/* Each chart has a value axis with ticks; the candles and the equity chart
 * a dated x axis; the page names its generation time, data and model. */
static void test_html_charts_have_value_and_date_axes_and_the_page_its_provenance(void **state)
{
    (void)state;
    const char *const symbols[] = { "AAPL", "BTCUSD" };
    ms_report *report = analyze(symbols, 2);
    char *html = html_of(report);
    /* Per symbol: candles, equity, drawdown and spread value axes. */
    assert_int_equal(count_of(html, "<g class=\"y-axis\">"), 8);
    assert_int_equal(count_of(html, "<g class=\"x-axis\">"), 4);
    assert_true(count_of(html, "class=\"axis tick\"") > 2 * 4 * 3);
    assert_non_null(strstr(html, "<p class=\"generated\">Generated <time>"));
    assert_non_null(strstr(html, "<strong>synthetic:seed=3,bars=300</strong>"));
    assert_non_null(strstr(html, "model <strong>baseline</strong>"));
    assert_int_equal(count_of(html, "<table class=\"quality\">"), 3);
    assert_int_equal(count_of(html, "<table class=\"trades\">"), 2);
    assert_int_equal(count_of(html, "<g class=\"box\""), 2 * MS_STRATEGY_COUNT);
    assert_int_equal(count_of(html, "class=\"candle "), 2 * MS_REPORT_RECENT_BARS);
    ms_free(html);
    ms_report_free(report);
}

/* Walk-forward window m is simulation m x E's evaluation days: under the
 * default bar-path fills every strategy but the MaxDiff kinds (whose days
 * are their baseline's) totals a window as the sum of its days, so the
 * window's days add up to that simulation's return; and the days follow
 * one another (dates strictly rising, ending at the last bar). */
static void test_walk_forward_is_the_simulations_windows_laid_end_to_end(void **state)
{
    (void)state;
    const char *const symbols[] = { "MSFT" };
    ms_report *report = analyze(symbols, 1);
    const ms_symbol_report *r = ms_report_symbol(report, 0);
    const ms_analyzer_options *o = ms_report_options(report);
    size_t e = o->eval_days, windows = (o->simulations + e - 1) / e;
    assert_int_equal(o->fills, MS_FILLS_BAR_PATH);
    assert_int_equal(r->walk_forward_days, windows * e);
    assert_true(r->walk_forward_time[r->walk_forward_days - 1] == r->last_timestamp);
    for (size_t d = 1; d < r->walk_forward_days; d++)
        assert_true(r->walk_forward_time[d] > r->walk_forward_time[d - 1]);
    for (int s = MS_STRATEGY_SIMPLE; s < MS_STRATEGY_COUNT; s++) {
        for (size_t m = 0; m < windows; m++) {
            const double *days = r->walk_forward_returns[s] + r->walk_forward_days - (m + 1) * e;
            double total = 0.0;
            for (size_t d = 0; d < e; d++)
                total += days[d];
            assert_float_equal(total, r->strategies[s]->simulation_returns[m * e], 1e-12);
        }
    }
    ms_report_free(report);
}

/* By hand: -50%, -50%, +100% compound to -50%, -75%, -50%; the peak stays
 * the start, so the drawdowns are the same; +10% then -10% is +10%, -1%,
 * with a drawdown of -10% from the +10% peak. */
static void test_equity_compounds_daily_returns_and_drawdown_is_from_the_peak(void **state)
{
    (void)state;
    const double falls[] = { -0.5, -0.5, 1.0 }, swing[] = { 0.1, -0.1 };
    double equity[3], drawdown[3];
    ms_equity_curve(falls, 3, equity, drawdown);
    assert_float_equal(equity[0], -50.0, 1e-12);
    assert_float_equal(equity[1], -75.0, 1e-12);
    assert_float_equal(equity[2], -50.0, 1e-12);
    assert_float_equal(drawdown[2], -50.0, 1e-12);
    ms_equity_curve(swing, 2, equity, drawdown);
    assert_float_equal(equity[1], -1.0, 1e-12);
    assert_float_equal(drawdown[0], 0.0, 1e-12);
    assert_float_equal(drawdown[1], -10.0, 1e-12);
}

/* The old chart summed overlapping windows and showed a buy-and-hold below
 * -100%; compounding one walk-forward cannot. */
static void test_buy_hold_equity_never_falls_below_minus_100_percent(void **state)
{
    (void)state;
    const char *const symbols[] = { "AAPL", "MSFT", "NVDA", "BTCUSD", "ETHUSD" };
    ms_report *report = analyze(symbols, 5);
    for (size_t i = 0; i < ms_report_symbol_count(report); i++) {
        const ms_symbol_report *r = ms_report_symbol(report, i);
        double *equity = malloc(r->walk_forward_days * sizeof *equity);
        assert_non_null(equity);
        ms_equity_curve(r->walk_forward_returns[MS_STRATEGY_BUY_HOLD], r->walk_forward_days,
                        equity, NULL);
        for (size_t d = 0; d < r->walk_forward_days; d++)
            assert_true(equity[d] > -100.0);
        free(equity);
    }
    ms_report_free(report);
}

/* Each recent bar's forecast is the one made at the bar before. */
static void test_recent_bars_carry_the_forecast_made_the_bar_before(void **state)
{
    (void)state;
    const char *const symbols[] = { "SPY" };
    ms_report *report = analyze(symbols, 1);
    const ms_symbol_report *r = ms_report_symbol(report, 0);
    size_t n = r->recent_count, origins = r->forecast_origins - 1; /* with a next bar */
    for (size_t i = 0; i < n; i++) {
        assert_true(r->recent_low[i] <= r->recent_open[i] && r->recent_open[i] <= r->recent_high[i]);
        int forecast = n - i <= origins;
        assert_int_equal(isfinite(r->recent_forecast_close[i]), forecast);
        if (forecast)
            assert_true(r->recent_forecast_low[i] <= r->recent_forecast_close[i] &&
                        r->recent_forecast_close[i] <= r->recent_forecast_high[i]);
    }
    ms_report_free(report);
}

static void test_html_rejects_null_arguments(void **state)
{
    (void)state;
    char *html = NULL;
    assert_int_equal(ms_report_to_html(NULL, &html), MS_ERR_INVALID_ARG);
    assert_non_null(strstr(ms_last_error(), "ms_report_to_html"));
    odd_report odd;
    make_odd_report(&odd);
    assert_int_equal(ms_report_to_html(&odd.report, NULL), MS_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_has_one_section_and_three_charts_per_symbol),
        cmocka_unit_test(test_html_references_no_url_and_has_no_script),
        cmocka_unit_test(test_report_keeps_the_last_closes_oldest_first),
        cmocka_unit_test(test_html_escapes_symbols_messages_and_source),
        cmocka_unit_test(test_html_shows_undefined_numbers_as_dashes_not_nan),
        cmocka_unit_test(test_html_marks_stale_symbols_and_lists_the_warnings),
        cmocka_unit_test(test_html_rejects_null_arguments),
        cmocka_unit_test(test_html_charts_have_value_and_date_axes_and_the_page_its_provenance),
        cmocka_unit_test(test_walk_forward_is_the_simulations_windows_laid_end_to_end),
        cmocka_unit_test(test_equity_compounds_daily_returns_and_drawdown_is_from_the_peak),
        cmocka_unit_test(test_buy_hold_equity_never_falls_below_minus_100_percent),
        cmocka_unit_test(test_recent_bars_carry_the_forecast_made_the_bar_before),
    };
    return cmocka_run_group_tests_name("report_html", tests, NULL, NULL);
}
