/* test_fill_options.c - the fill model and offsets switches end to end:
 * walk-forward offsets depend only on the days before the window, the
 * options resolve to bar-path and walk-forward, a run carries the
 * original's MaxDiff figure equal to a --reference run's, and the reports
 * and the CLI name the rules they used. Synthetic market, baseline model. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "marketsim/marketsim.h"
#include "strategy_fixture.h"
#include "support/cli_run.h"

/* Two windows of four days: the fit window (the days before) and the
 * scored one, both with opens, on which MaxDiff trades each day. */
static fixture_days four_days(double shift)
{
    fixture_days f = { .days = 4 };
    for (size_t d = 0; d < 4; d++) {
        double wobble = 0.004 * (double)d + shift;
        f.open_actual[d] = 0.001 - wobble / 4;
        f.close_actual[d] = 0.002 + wobble / 2;
        f.high_actual[d] = 0.025 + wobble;
        f.low_actual[d] = -0.02 - wobble / 2;
        f.close_pred[d] = 0.004;
        f.high_pred[d] = 0.018 - wobble / 3;
        f.low_pred[d] = -0.012;
    }
    return f;
}

static const ms_strategy_params bar_path = { 0.0005, 0, 252.0, MS_FILLS_BAR_PATH };

static ms_maxdiff_choice walk_forward_choice(const fixture_days *fit, const fixture_days *scored)
{
    ms_window fit_window = fixture_window(fit), window = fixture_window(scored);
    ms_strategy_result r;
    assert_int_equal(ms_strategy_evaluate_fitted(MS_STRATEGY_MAXDIFF, &fit_window, &window,
                                                 &bar_path, &r, NULL), MS_OK);
    return r.optimized_choice;
}

/* Field by field: the struct has padding after close_at_eod. */
static void assert_same_choice(const ms_maxdiff_choice *a, const ms_maxdiff_choice *b)
{
    assert_memory_equal(&a->high_offset, &b->high_offset, sizeof(double));
    assert_memory_equal(&a->low_offset, &b->low_offset, sizeof(double));
    assert_int_equal(a->close_at_eod, b->close_at_eod);
}

static void test_walk_forward_offsets_ignore_the_days_they_are_scored_on(void **state)
{
    (void)state;
    fixture_days fit = four_days(0.0), scored = four_days(0.01);
    ms_maxdiff_choice before = walk_forward_choice(&fit, &scored);
    ms_maxdiff_choice in_sample_before = walk_forward_choice(&scored, &scored);
    scored.high_actual[2] = 0.2; /* a day inside the scored window */
    scored.low_actual[1] = -0.2;
    scored.close_actual[3] = -0.05;
    ms_maxdiff_choice after = walk_forward_choice(&fit, &scored);
    assert_same_choice(&before, &after);
    /* The change matters to offsets fitted in sample. */
    ms_maxdiff_choice in_sample_after = walk_forward_choice(&scored, &scored);
    assert_false(in_sample_before.high_offset == in_sample_after.high_offset &&
                 in_sample_before.low_offset == in_sample_after.low_offset);
    /* They are the fit window's in-sample offsets. */
    ms_window fit_window = fixture_window(&fit);
    ms_strategy_result in_sample;
    assert_int_equal(ms_strategy_evaluate(MS_STRATEGY_MAXDIFF, &fit_window, &bar_path,
                                          &in_sample, NULL), MS_OK);
    assert_same_choice(&before, &in_sample.optimized_choice);
}

static void test_options_default_to_bar_path_and_walk_forward(void **state)
{
    (void)state;
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_OK);
    assert_int_equal(opts.fills, MS_FILLS_BAR_PATH);
    assert_int_equal(opts.offsets, MS_OFFSETS_WALK_FORWARD);
    ms_offsets_mode mode = MS_OFFSETS_UNSET;
    assert_int_equal(ms_offsets_parse("In-Sample", &mode), MS_OK);
    assert_int_equal(mode, MS_OFFSETS_IN_SAMPLE);
    assert_string_equal(ms_offsets_name(MS_OFFSETS_WALK_FORWARD), "walk-forward");
    assert_int_equal(ms_offsets_parse("hindsight", &mode), MS_ERR_INVALID_ARG);
    opts.fills = (ms_fill_model)7;
    assert_int_equal(ms_analyzer_options_resolve(&opts), MS_ERR_INVALID_ARG);
}

static ms_report *run(ms_fill_model fills, ms_offsets_mode offsets)
{
    ms_source *source = NULL;
    ms_model *model = NULL;
    assert_int_equal(ms_source_open(&source, "synthetic:seed=11,bars=200", NULL), MS_OK);
    assert_int_equal(ms_model_open(&model, "baseline", NULL), MS_OK);
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.simulations = 12;
    opts.parallel = 0;
    opts.fills = fills;
    opts.offsets = offsets;
    ms_analyzer *analyzer = NULL;
    assert_int_equal(ms_analyzer_create(&analyzer, source, model, &opts), MS_OK);
    const char *const symbols[] = { "AAPL", "BTCUSD", "SPY" };
    ms_report *report = NULL;
    assert_int_equal(ms_analyzer_run(analyzer, symbols, 3, &report), MS_OK);
    ms_analyzer_free(analyzer);
    ms_model_free(model);
    ms_source_free(source);
    return report;
}

static const ms_symbol_report *find_symbol(const ms_report *report, const char *symbol)
{
    for (size_t i = 0; i < ms_report_symbol_count(report); i++)
        if (strcmp(ms_report_symbol(report, i)->symbol, symbol) == 0)
            return ms_report_symbol(report, i);
    fail_msg("%s not in the report", symbol);
    return NULL;
}

static void test_a_run_carries_the_original_maxdiff_figure_of_a_reference_run(void **state)
{
    (void)state;
    ms_report *honest = run(MS_FILLS_UNSET, MS_OFFSETS_UNSET);
    ms_report *original = run(MS_FILLS_REFERENCE, MS_OFFSETS_IN_SAMPLE);
    assert_int_equal(ms_report_symbol_count(honest), 3);
    for (size_t i = 0; i < ms_report_symbol_count(honest); i++) {
        const ms_symbol_report *h = ms_report_symbol(honest, i);
        const ms_symbol_report *o = find_symbol(original, h->symbol);
        for (int s = MS_STRATEGY_MAXDIFF; s <= MS_STRATEGY_MAXDIFF_ALWAYS_ON; s++) {
            assert_memory_equal(&h->strategies[s]->reference_mean, &o->strategies[s]->mean,
                                sizeof(ms_period_metrics));
            assert_memory_equal(&o->strategies[s]->reference_mean, &o->strategies[s]->mean,
                                sizeof(ms_period_metrics));
        }
        assert_true(isnan(h->strategies[MS_STRATEGY_SIMPLE]->reference_mean.total_return));
    }
    ms_report_free(honest);
    ms_report_free(original);
}

static void test_reports_name_the_fill_model_and_offsets(void **state)
{
    (void)state;
    ms_report *report = run(MS_FILLS_WORST, MS_OFFSETS_UNSET);
    char *json = NULL, *text = NULL, *html = NULL;
    assert_int_equal(ms_report_to_json(report, &json), MS_OK);
    assert_int_equal(ms_report_to_text(report, &text), MS_OK);
    assert_int_equal(ms_report_to_html(report, &html), MS_OK);
    assert_non_null(strstr(json, "\"fills\": \"worst\""));
    assert_non_null(strstr(json, "\"offsets\": \"walk-forward\""));
    assert_non_null(strstr(json, "\"reference\": {"));
    assert_non_null(strstr(text, "fills worst, offsets walk-forward"));
    assert_non_null(strstr(html, "fills worst, offsets walk-forward"));
    ms_free(json);
    ms_free(text);
    ms_free(html);
    ms_report_free(report);
}

static void test_the_cli_reference_flag_sets_both_switches(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "analyze", "--symbols", "AAPL", "--simulations", "5",
                               "--json", "--reference", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "\"fills\": \"reference\""));
    assert_non_null(strstr(r.out, "\"offsets\": \"in-sample\""));
    cli_run_release(&r);
    r = cli_run(NULL, "analyze", "--symbols", "AAPL", "--fills", "sometimes", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "bar-path"));
    cli_run_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_forward_offsets_ignore_the_days_they_are_scored_on),
        cmocka_unit_test(test_options_default_to_bar_path_and_walk_forward),
        cmocka_unit_test(test_a_run_carries_the_original_maxdiff_figure_of_a_reference_run),
        cmocka_unit_test(test_reports_name_the_fill_model_and_offsets),
        cmocka_unit_test(test_the_cli_reference_flag_sets_both_switches),
    };
    return cmocka_run_group_tests_name("fill_options", tests, NULL, NULL);
}
