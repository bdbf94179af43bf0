/*
 * test_json_output.c - JSON output never loses a string whose bytes are not
 * UTF-8 (a Latin-1 symbol on the command line, a message quoting what a
 * server sent): jansson refuses such strings, so they are quoted the way
 * messages quote bytes ("NI\xD6") instead of vanishing from the document.
 * Core's helper, the report and trade step documents, and `analyze` and
 * `trade --dry-run` with --json end to end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "marketsim/marketsim.h"
#include "support/cli_run.h"
#include "support/temp_dir.h"

#define LATIN1_SYMBOL "NI\xD6"        /* NIÖ in Latin-1: not UTF-8 */
#define QUOTED_SYMBOL "NI\\xD6"

static json_t *parse(char *text)
{
    json_error_t error;
    json_t *root = json_loads(text, 0, &error);
    if (root == NULL)
        fail_msg("not JSON (%s): %s", error.text, text);
    ms_free(text);
    return root;
}

static const char *string_at(json_t *object, const char *key)
{
    const char *value = json_string_value(json_object_get(object, key));
    if (value == NULL)
        fail_msg("no string \"%s\"", key);
    return value;
}

static void test_json_text_keeps_utf8_and_quotes_other_bytes(void **state)
{
    (void)state;
    json_t *kept = ms_json_text("NI\xC3\x96");
    json_t *quoted = ms_json_text("a\xFF" "b\n");
    json_t *missing = ms_json_text(NULL);
    assert_string_equal(json_string_value(kept), "NI\xC3\x96");
    assert_string_equal(json_string_value(quoted), "a\\xFFb\\x0A");
    assert_true(json_is_null(missing));
    json_decref(kept);
    json_decref(quoted);
    json_decref(missing);
}

/* A source whose every load fails with a message quoting the symbol's raw
 * bytes, as a remote service's error text might. */
static ms_status fail_quoting_raw_bytes(void *context, const char *symbol, ms_bars **out)
{
    (void)context;
    *out = NULL;
    return ms_error(MS_ERR_NOT_FOUND, "no bars for '%s'", symbol);
}

static json_t *report_json(ms_source *source, const char *const *symbols, size_t n)
{
    ms_model *model = NULL;
    ms_analyzer *analyzer = NULL;
    ms_report *report = NULL;
    char *text = NULL;
    ms_analyzer_options options = MS_ANALYZER_OPTIONS_INIT;
    options.simulations = 2;
    assert_int_equal(ms_model_open(&model, NULL, NULL), MS_OK);
    assert_int_equal(ms_analyzer_create(&analyzer, source, model, &options), MS_OK);
    assert_int_equal(ms_analyzer_run(analyzer, symbols, n, &report), MS_OK);
    assert_int_equal(ms_report_to_json(report, &text), MS_OK);
    ms_report_free(report);
    ms_analyzer_free(analyzer);
    ms_model_free(model);
    return parse(text);
}

static void test_report_json_keeps_an_error_whose_text_is_not_utf8(void **state)
{
    (void)state;
    ms_source *source = NULL;
    assert_int_equal(ms_source_open_custom(&source, "test:failing", fail_quoting_raw_bytes,
                                           NULL, NULL), MS_OK);
    const char *const symbols[] = { LATIN1_SYMBOL };
    json_t *root = report_json(source, symbols, 1);
    json_t *errors = json_object_get(root, "errors");
    assert_int_equal(json_array_size(errors), 1);
    json_t *error = json_array_get(errors, 0);
    assert_string_equal(string_at(error, "symbol"), QUOTED_SYMBOL);
    assert_string_equal(string_at(error, "status"), "not found");
    assert_non_null(strstr(string_at(error, "message"), "no bars for '" QUOTED_SYMBOL "'"));
    json_decref(root);
    ms_source_free(source);
}

static void test_report_json_keeps_a_symbol_whose_name_is_not_utf8(void **state)
{
    (void)state;
    ms_source *source = NULL;
    assert_int_equal(ms_source_open(&source, "synthetic:seed=1,bars=300", NULL), MS_OK);
    const char *const symbols[] = { "JD", LATIN1_SYMBOL, "NI\xC3\x96" };
    json_t *root = report_json(source, symbols, 3);
    json_t *analysed = json_object_get(root, "symbols");
    assert_int_equal(json_array_size(analysed), 3);
    int quoted = 0, utf8 = 0;
    for (size_t i = 0; i < 3; i++) {
        const char *name = string_at(json_array_get(analysed, i), "symbol");
        quoted += strcmp(name, QUOTED_SYMBOL) == 0;
        utf8 += strcmp(name, "NI\xC3\x96") == 0;
    }
    assert_int_equal(quoted, 1);
    assert_int_equal(utf8, 1);
    json_decref(root);
    ms_source_free(source);
}

static void test_trade_step_json_keeps_a_failed_step_whose_text_is_not_utf8(void **state)
{
    (void)state;
    ms_trade_step step;
    memset(&step, 0, sizeof step);
    step.action = MS_TRADE_ENTER;
    step.outcome = MS_TRADE_FAILED;
    step.side = 1;
    step.qty = 1;
    step.limit_price = step.take_profit_limit = NAN;
    strcpy(step.symbol, LATIN1_SYMBOL);
    strcpy(step.reason, "pick " LATIN1_SYMBOL);
    strcpy(step.client_order_id, "ms-20260102-" LATIN1_SYMBOL "-buy-entry");
    strcpy(step.error, "broker said: unknown asset " LATIN1_SYMBOL);
    char *text = NULL;
    assert_int_equal(ms_trade_step_to_json(&step, &text), MS_OK);
    json_t *object = parse(text);
    assert_string_equal(string_at(object, "symbol"), QUOTED_SYMBOL);
    assert_string_equal(string_at(object, "reason"), "pick " QUOTED_SYMBOL);
    assert_string_equal(string_at(object, "client_order_id"), "ms-20260102-" QUOTED_SYMBOL "-buy-entry");
    assert_string_equal(string_at(object, "error"), "broker said: unknown asset " QUOTED_SYMBOL);
    json_decref(object);
}

/* The analysis document of a CLI run's stdout: the whole output for
 * analyze, its "analysis" member for trade. */
static void assert_cli_reports_the_latin1_symbol(cli_run_result *run, const char *member)
{
    assert_int_equal(run->exit_code, 1);
    json_t *root = parse(strdup(run->out));
    json_t *analysis = member ? json_object_get(root, member) : root;
    json_t *errors = json_object_get(analysis, "errors");
    assert_int_equal(json_array_size(errors), 1);
    json_t *error = json_array_get(errors, 0);
    assert_string_equal(string_at(error, "symbol"), QUOTED_SYMBOL);
    assert_non_null(strstr(string_at(error, "message"), QUOTED_SYMBOL));
    assert_int_equal(json_array_size(json_object_get(analysis, "symbols")), 1);
    json_decref(root);
    cli_run_release(run);
}

static void test_analyze_json_reports_a_latin1_symbol_error(void **state)
{
    (void)state;
    cli_run_result run = cli_run(NULL, "analyze", "--symbols", "GOOD," LATIN1_SYMBOL, "--data",
                                 cli_fixtures_uri(), "--simulations", "2", "--json", NULL);
    assert_cli_reports_the_latin1_symbol(&run, NULL);
}

static void test_trade_json_reports_a_latin1_symbol_error(void **state)
{
    char *journal = temp_dir_path(*state, "sim.journal");
    char broker[4200];
    snprintf(broker, sizeof broker, "sim:%s", journal);
    cli_run_result run = cli_run(NULL, "trade", "--symbols", "GOOD," LATIN1_SYMBOL, "--data",
                                 cli_fixtures_uri(), "--simulations", "2", "--broker", broker,
                                 "--dry-run", "--json", NULL);
    json_t *root = json_loads(run.out, 0, NULL);
    assert_non_null(json_object_get(root, "trade"));
    json_decref(root);
    assert_cli_reports_the_latin1_symbol(&run, "analysis");
    free(journal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_text_keeps_utf8_and_quotes_other_bytes),
        cmocka_unit_test(test_report_json_keeps_an_error_whose_text_is_not_utf8),
        cmocka_unit_test(test_report_json_keeps_a_symbol_whose_name_is_not_utf8),
        cmocka_unit_test(test_trade_step_json_keeps_a_failed_step_whose_text_is_not_utf8),
        cmocka_unit_test(test_analyze_json_reports_a_latin1_symbol_error),
        cmocka_unit_test_setup_teardown(test_trade_json_reports_a_latin1_symbol_error,
                                        temp_dir_setup, temp_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
