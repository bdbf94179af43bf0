/*
 * test_cli_model_choice.c - `marketsim analyze --model baseline,<kronos-tiny>`:
 * both models' reports and a choice per symbol that is the model whose best
 * strategy's mean daily return is higher (JSON checked against the reports
 * it carries), the text table, and the HTML choice page with one page per
 * model.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/cli_run.h"
#include "support/temp_dir.h"

static char models[4200];

static const char *model_list(void)
{
    const char *source = getenv("MARKETSIM_SOURCE_DIR");
    if (source == NULL)
        skip();
    snprintf(models, sizeof models, "baseline,%s/tests/fixtures/kronos-tiny", source);
    return models;
}

/* The best strategy's avg_daily_return of `symbol` in one model's report. */
static double best_return(json_t *report, const char *symbol)
{
    json_t *symbols = json_object_get(report, "symbols");
    for (size_t i = 0; i < json_array_size(symbols); i++) {
        json_t *s = json_array_get(symbols, i);
        if (strcmp(json_string_value(json_object_get(s, "symbol")), symbol) != 0)
            continue;
        const char *best = json_string_value(json_object_get(s, "best_strategy"));
        json_t *strategy = json_object_get(json_object_get(s, "strategies"), best);
        return json_number_value(json_object_get(strategy, "avg_daily_return"));
    }
    fail_msg("%s not in the report", symbol);
    return 0.0;
}

static void json_choice_is_the_model_with_the_better_best_strategy(void **state)
{
    (void)state;
    const char *list = model_list();
    cli_run_result r = cli_run(NULL, "analyze", "--data", cli_fixtures_uri(), "--symbols",
                               "GOOD,OTHER", "--model", list, "--simulations", "3", "--cache",
                               "off", "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    json_t *root = json_loads(r.out, 0, NULL);
    assert_non_null(root);
    json_t *names = json_object_get(root, "models"), *reports = json_object_get(root, "reports");
    assert_int_equal(json_array_size(names), 2);
    json_t *choice = json_object_get(root, "choice");
    assert_int_equal(json_array_size(choice), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *row = json_array_get(choice, i);
        const char *symbol = json_string_value(json_object_get(row, "symbol"));
        const char *first = json_string_value(json_array_get(names, 0));
        const char *second = json_string_value(json_array_get(names, 1));
        double a = best_return(json_object_get(reports, first), symbol);
        double b = best_return(json_object_get(reports, second), symbol);
        assert_string_equal(json_string_value(json_object_get(row, "chosen")),
                            b > a ? second : first);
    }
    json_decref(root);
    cli_run_release(&r);
}

static void text_and_html_show_both_models_and_the_choice(void **state)
{
    const char *list = model_list();
    char *page = temp_dir_path(*state, "choice.html");
    cli_run_result r = cli_run(NULL, "analyze", "--data", cli_fixtures_uri(), "--symbols", "GOOD",
                               "--model", list, "--simulations", "3", "--cache", "off", "--html",
                               page, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "==== model baseline ===="));
    assert_non_null(strstr(r.out, "kronos-tiny ===="));
    assert_non_null(strstr(r.out, "model choice per symbol"));
    assert_int_equal(access(page, R_OK), 0);
    char *baseline_page = temp_dir_path(*state, "choice.baseline.html");
    assert_int_equal(access(baseline_page, R_OK), 0);
    free(baseline_page);
    free(page);
    cli_run_release(&r);
}

static void an_empty_model_name_in_the_list_is_a_usage_error(void **state)
{
    (void)state;
    cli_run_result r = cli_run(NULL, "analyze", "--data", cli_fixtures_uri(), "--symbols", "GOOD",
                               "--model", "baseline,", "--cache", "off", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "empty model name"));
    cli_run_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_choice_is_the_model_with_the_better_best_strategy),
        cmocka_unit_test_setup_teardown(text_and_html_show_both_models_and_the_choice,
                                        temp_dir_setup, temp_dir_teardown),
        cmocka_unit_test(an_empty_model_name_in_the_list_is_a_usage_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
