/*
 * test_model_choice.c - ms_model_choice (lib/analyze/model_choice.c): per
 * symbol the model whose best strategy's mean daily return is higher, ties
 * kept by the model listed first, a symbol no model analysed left
 * unchosen, the JSON document, and refused arguments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "marketsim/marketsim.h"

static const char *const symbols[] = { "GOOD", "OTHER" };

static ms_source *open_fixtures(void)
{
    const char *root = getenv("MARKETSIM_SOURCE_DIR");
    if (root == NULL)
        skip();
    char uri[4200];
    snprintf(uri, sizeof uri, "csv:%s/tests/fixtures/analyze", root);
    ms_source *source = NULL;
    assert_int_equal(ms_source_open(&source, uri, NULL), MS_OK);
    return source;
}

static ms_report *analyse(ms_source *source, ms_model *model)
{
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.simulations = 3;
    opts.cache = "off";
    ms_analyzer *analyzer = NULL;
    ms_report *report = NULL;
    assert_int_equal(ms_analyzer_create(&analyzer, source, model, &opts), MS_OK);
    assert_int_equal(ms_analyzer_run(analyzer, symbols, 2, &report), MS_OK);
    ms_analyzer_free(analyzer);
    return report;
}

/* The best strategy's mean daily return of `symbol` in `report`. */
static double best_return(const ms_report *report, const char *symbol)
{
    for (size_t i = 0; i < ms_report_symbol_count(report); i++) {
        const ms_symbol_report *s = ms_report_symbol(report, i);
        if (strcmp(s->symbol, symbol) == 0)
            return s->strategies[s->best_strategy]->mean.avg_daily_return;
    }
    return NAN;
}

static void each_symbol_gets_the_model_with_the_better_best_strategy(void **state)
{
    (void)state;
    ms_source *source = open_fixtures();
    char kronos[4200];
    snprintf(kronos, sizeof kronos, "%s/tests/fixtures/kronos-tiny",
             getenv("MARKETSIM_SOURCE_DIR"));
    ms_model *models[2] = { NULL, NULL };
    assert_int_equal(ms_model_open(&models[0], "baseline", NULL), MS_OK);
    assert_int_equal(ms_model_open(&models[1], kronos, NULL), MS_OK);
    const char *names[2] = { "baseline", "kronos-tiny" };
    ms_analyzer_options opts = MS_ANALYZER_OPTIONS_INIT;
    opts.simulations = 3;
    opts.cache = "off";
    ms_model_choice *choice = NULL;
    assert_int_equal(ms_model_choice_run(&choice, source, models, names, 2, &opts, symbols, 2),
                     MS_OK);
    assert_int_equal(ms_model_choice_model_count(choice), 2);
    assert_string_equal(ms_model_choice_model_name(choice, 1), "kronos-tiny");
    assert_int_equal(ms_model_choice_symbol_count(choice), 2);
    for (size_t i = 0; i < 2; i++) {
        assert_string_equal(ms_model_choice_symbol(choice, i), symbols[i]);
        double scores[2];
        for (size_t m = 0; m < 2; m++) {
            scores[m] = ms_model_choice_score(choice, i, m, NULL);
            assert_true(scores[m] == best_return(ms_model_choice_report(choice, m), symbols[i]));
        }
        assert_int_equal(ms_model_choice_chosen(choice, i), scores[1] > scores[0] ? 1 : 0);
    }
    ms_model_choice_free(choice);
    ms_model_free(models[0]), ms_model_free(models[1]);
    ms_source_free(source);
}

static void equal_scores_keep_the_model_listed_first(void **state)
{
    (void)state;
    ms_source *source = open_fixtures();
    ms_model *baseline = NULL;
    assert_int_equal(ms_model_open(&baseline, "baseline", NULL), MS_OK);
    ms_report *reports[2] = { analyse(source, baseline), analyse(source, baseline) };
    const char *names[2] = { "first", "second" };
    ms_model_choice *choice = NULL;
    assert_int_equal(ms_model_choice_create(&choice, names, reports, 2, symbols, 2), MS_OK);
    for (size_t i = 0; i < 2; i++) {
        assert_true(ms_model_choice_score(choice, i, 0, NULL)
                    == ms_model_choice_score(choice, i, 1, NULL));
        assert_int_equal(ms_model_choice_chosen(choice, i), 0);
    }
    ms_model_choice_free(choice);
    ms_model_free(baseline);
    ms_source_free(source);
}

static void a_symbol_no_model_analysed_has_no_choice(void **state)
{
    (void)state;
    ms_source *source = open_fixtures();
    ms_model *baseline = NULL;
    assert_int_equal(ms_model_open(&baseline, "baseline", NULL), MS_OK);
    ms_report *reports[1] = { analyse(source, baseline) };
    const char *names[1] = { "baseline" }, *rows[2] = { "GOOD", "ABSENT" };
    ms_model_choice *choice = NULL;
    assert_int_equal(ms_model_choice_create(&choice, names, reports, 1, rows, 2), MS_OK);
    assert_int_equal(ms_model_choice_chosen(choice, 0), 0);
    assert_int_equal(ms_model_choice_chosen(choice, 1), -1);
    assert_true(isnan(ms_model_choice_score(choice, 1, 0, NULL)));
    assert_int_equal(ms_model_choice_chosen(choice, 2), -1);   /* out of range */
    assert_null(ms_model_choice_symbol(choice, 2));
    ms_model_choice_free(choice);
    ms_model_free(baseline);
    ms_source_free(source);
}

static void the_json_holds_the_models_their_reports_and_the_choice(void **state)
{
    (void)state;
    ms_source *source = open_fixtures();
    ms_model *baseline = NULL;
    assert_int_equal(ms_model_open(&baseline, "baseline", NULL), MS_OK);
    ms_report *reports[1] = { analyse(source, baseline) };
    const char *names[1] = { "baseline" };
    ms_model_choice *choice = NULL;
    assert_int_equal(ms_model_choice_create(&choice, names, reports, 1, symbols, 2), MS_OK);
    char *text = NULL;
    assert_int_equal(ms_model_choice_to_json(choice, &text), MS_OK);
    json_t *root = json_loads(text, 0, NULL);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_array_get(json_object_get(root, "models"), 0)),
                        "baseline");
    assert_non_null(json_object_get(json_object_get(json_object_get(root, "reports"),
                                                    "baseline"), "symbols"));
    json_t *row = json_array_get(json_object_get(root, "choice"), 1);
    assert_string_equal(json_string_value(json_object_get(row, "symbol")), "OTHER");
    assert_string_equal(json_string_value(json_object_get(row, "chosen")), "baseline");
    json_t *entry = json_object_get(json_object_get(row, "models"), "baseline");
    assert_true(json_real_value(json_object_get(entry, "avg_daily_return"))
                == ms_model_choice_score(choice, 1, 0, NULL));
    json_decref(root);
    ms_free(text);
    ms_model_choice_free(choice);
    ms_model_free(baseline);
    ms_source_free(source);
}

static void missing_arguments_are_refused(void **state)
{
    (void)state;
    ms_model_choice *choice = NULL;
    const char *names[1] = { "baseline" };
    ms_report *reports[1] = { NULL };
    assert_int_equal(ms_model_choice_create(&choice, names, reports, 1, symbols, 2),
                     MS_ERR_INVALID_ARG);
    assert_int_equal(ms_model_choice_create(&choice, names, reports, 0, symbols, 2),
                     MS_ERR_INVALID_ARG);
    assert_int_equal(ms_model_choice_run(&choice, NULL, NULL, names, 1, NULL, symbols, 2),
                     MS_ERR_INVALID_ARG);
    assert_int_equal(ms_model_choice_model_count(NULL), 0);
    assert_null(ms_model_choice_model_name(NULL, 0));
    ms_model_choice_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_symbol_gets_the_model_with_the_better_best_strategy),
        cmocka_unit_test(equal_scores_keep_the_model_listed_first),
        cmocka_unit_test(a_symbol_no_model_analysed_has_no_choice),
        cmocka_unit_test(the_json_holds_the_models_their_reports_and_the_choice),
        cmocka_unit_test(missing_arguments_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
