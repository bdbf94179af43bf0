/*
 * model_choice.c - the model chosen per symbol (issue 17 item 6): every
 * symbol analysed with each model, and per symbol the model whose best
 * strategy scores higher in the walk-forward backtest (the best strategy's
 * mean average daily return, ranking.c), as the Python original chose
 * between Toto and Kronos. An ms_model_choice holds the models' reports
 * and the choice; `marketsim analyze --model A,B` and the Python binding
 * print and read it.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"
#include "core/core_internal.h"

struct ms_model_choice {
    size_t models, symbols;
    char **names;            /* [models] */
    ms_report **reports;     /* [models], owned */
    char **symbol_names;     /* [symbols] */
    double *scores;          /* [symbols][models], NaN: failed or absent */
    ms_strategy *bests;      /* [symbols][models] */
    int *chosen;             /* [symbols], -1: no model scored the symbol */
};

/* A symbol's score under one report: its best strategy's mean average
 * daily return; NaN when the symbol failed or is absent. */
static double symbol_score(const ms_report *report, const char *symbol, ms_strategy *best)
{
    for (size_t i = 0; i < ms_report_symbol_count(report); i++) {
        const ms_symbol_report *s = ms_report_symbol(report, i);
        if (strcmp(s->symbol, symbol) == 0) {
            *best = s->best_strategy;
            return s->strategies[s->best_strategy]->mean.avg_daily_return;
        }
    }
    *best = (ms_strategy)0;
    return NAN;
}

/* Scores every (symbol, model) and picks the highest per symbol; ties and
 * NaN keep the model listed first. */
static void choose_all(ms_model_choice *c)
{
    for (size_t i = 0; i < c->symbols; i++) {
        double *scores = c->scores + i * c->models;
        c->chosen[i] = -1;
        for (size_t m = 0; m < c->models; m++) {
            scores[m] = symbol_score(c->reports[m], c->symbol_names[i],
                                     &c->bests[i * c->models + m]);
            if (isfinite(scores[m]) && (c->chosen[i] < 0 || scores[m] > scores[c->chosen[i]]))
                c->chosen[i] = (int)m;
        }
    }
}

MS_API void ms_model_choice_free(ms_model_choice *choice)
{
    if (choice == NULL)
        return;
    for (size_t m = 0; m < choice->models; m++) {
        free(choice->names[m]);
        ms_report_free(choice->reports[m]);
    }
    for (size_t i = 0; i < choice->symbols; i++)
        free(choice->symbol_names[i]);
    free(choice->names), free(choice->reports), free(choice->symbol_names);
    free(choice->scores), free(choice->bests), free(choice->chosen);
    free(choice);
}

/* The arrays of a choice over `models` x `symbols`, zeroed. */
static ms_model_choice *allocate(size_t models, size_t symbols)
{
    ms_model_choice *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->names = calloc(models, sizeof *c->names);
    c->reports = calloc(models, sizeof *c->reports);
    c->symbol_names = calloc(symbols, sizeof *c->symbol_names);
    c->scores = calloc(symbols * models, sizeof *c->scores);
    c->bests = calloc(symbols * models, sizeof *c->bests);
    c->chosen = calloc(symbols, sizeof *c->chosen);
    if (c->names == NULL || c->reports == NULL || c->symbol_names == NULL || c->scores == NULL
        || c->bests == NULL || c->chosen == NULL) {
        ms_model_choice_free(c);
        return NULL;
    }
    return c;
}

MS_API ms_status ms_model_choice_create(ms_model_choice **out, const char *const *model_names,
                                        ms_report **reports, size_t n_models,
                                        const char *const *symbols, size_t n_symbols)
{
    bool valid = out != NULL && model_names != NULL && reports != NULL && n_models > 0
                 && (symbols != NULL || n_symbols == 0);
    for (size_t m = 0; valid && m < n_models; m++)
        valid = model_names[m] != NULL && reports[m] != NULL;
    for (size_t i = 0; valid && i < n_symbols; i++)
        valid = symbols[i] != NULL;
    ms_model_choice *c = valid ? allocate(n_models, n_symbols) : NULL;
    if (c == NULL) {
        for (size_t m = 0; reports != NULL && m < n_models; m++)
            ms_report_free(reports[m]);
        return valid ? ms_error(MS_ERR_NOMEM, "model choice: no memory")
                     : ms_error(MS_ERR_INVALID_ARG, "ms_model_choice_create: out, at least one "
                                "model with its name and report, and the symbols are required");
    }
    c->models = n_models, c->symbols = n_symbols;
    bool copied = true;
    for (size_t m = 0; m < n_models; m++) {
        c->reports[m] = reports[m];
        copied = (c->names[m] = ms_strdup(model_names[m])) != NULL && copied;
    }
    for (size_t i = 0; i < n_symbols; i++)
        copied = (c->symbol_names[i] = ms_strdup(symbols[i])) != NULL && copied;
    if (!copied) {
        ms_model_choice_free(c);
        return ms_error(MS_ERR_NOMEM, "model choice: no memory");
    }
    choose_all(c);
    *out = c;
    return MS_OK;
}

MS_API ms_status ms_model_choice_run(ms_model_choice **out, ms_source *source,
                                     ms_model *const *models, const char *const *model_names,
                                     size_t n_models, const ms_analyzer_options *opts,
                                     const char *const *symbols, size_t n_symbols)
{
    if (out == NULL || models == NULL || model_names == NULL || n_models == 0)
        return ms_error(MS_ERR_INVALID_ARG, "ms_model_choice_run: out, models and their names "
                        "are required");
    ms_report **reports = calloc(n_models, sizeof *reports);
    if (reports == NULL)
        return ms_error(MS_ERR_NOMEM, "model choice: no memory");
    ms_status status = MS_OK;
    for (size_t m = 0; m < n_models && status == MS_OK; m++) {
        ms_analyzer *analyzer = NULL;
        status = ms_analyzer_create(&analyzer, source, models[m], opts);
        if (status == MS_OK)
            status = ms_analyzer_run(analyzer, symbols, n_symbols, &reports[m]);
        ms_analyzer_free(analyzer);
        if (status != MS_OK)
            status = ms_error_wrap(status, "model %s", model_names[m] ? model_names[m] : "?");
    }
    if (status == MS_OK)
        status = ms_model_choice_create(out, model_names, reports, n_models, symbols, n_symbols);
    else
        for (size_t m = 0; m < n_models; m++)
            ms_report_free(reports[m]);
    free(reports);
    return status;
}

MS_API size_t ms_model_choice_model_count(const ms_model_choice *choice)
{
    return choice != NULL ? choice->models : 0;
}

MS_API const char *ms_model_choice_model_name(const ms_model_choice *choice, size_t m)
{
    return choice != NULL && m < choice->models ? choice->names[m] : NULL;
}

MS_API const ms_report *ms_model_choice_report(const ms_model_choice *choice, size_t m)
{
    return choice != NULL && m < choice->models ? choice->reports[m] : NULL;
}

MS_API size_t ms_model_choice_symbol_count(const ms_model_choice *choice)
{
    return choice != NULL ? choice->symbols : 0;
}

MS_API const char *ms_model_choice_symbol(const ms_model_choice *choice, size_t i)
{
    return choice != NULL && i < choice->symbols ? choice->symbol_names[i] : NULL;
}

MS_API int ms_model_choice_chosen(const ms_model_choice *choice, size_t i)
{
    return choice != NULL && i < choice->symbols ? choice->chosen[i] : -1;
}

MS_API double ms_model_choice_score(const ms_model_choice *choice, size_t i, size_t m,
                                    ms_strategy *best)
{
    if (choice == NULL || i >= choice->symbols || m >= choice->models)
        return NAN;
    if (best != NULL)
        *best = choice->bests[i * choice->models + m];
    return choice->scores[i * choice->models + m];
}

/* [{"symbol", "models": {name: {"best_strategy", "avg_daily_return"} or
 * null}, "chosen": name or null}] */
static json_t *choice_rows(const ms_model_choice *c)
{
    json_t *rows = json_array();
    for (size_t i = 0; i < c->symbols; i++) {
        json_t *by_model = json_object();
        for (size_t m = 0; m < c->models; m++) {
            ms_strategy best;
            double score = ms_model_choice_score(c, i, m, &best);
            json_object_set_new(by_model, c->names[m],
                                isfinite(score)
                                    ? json_pack("{s:s,s:f}", "best_strategy",
                                                ms_strategy_name(best), "avg_daily_return", score)
                                    : json_null());
        }
        json_array_append_new(rows, json_pack("{s:s,s:o,s:o}", "symbol", c->symbol_names[i],
                                              "models", by_model, "chosen",
                                              c->chosen[i] >= 0
                                                  ? json_string(c->names[c->chosen[i]])
                                                  : json_null()));
    }
    return rows;
}

MS_API ms_status ms_model_choice_to_json(const ms_model_choice *choice, char **out)
{
    if (choice == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_model_choice_to_json: arguments must not be NULL");
    json_t *names = json_array(), *reports = json_object();
    for (size_t m = 0; m < choice->models; m++) {
        char *text = NULL;
        json_array_append_new(names, json_string(choice->names[m]));
        if (ms_report_to_json(choice->reports[m], &text) == MS_OK)
            json_object_set_new(reports, choice->names[m], json_loads(text, 0, NULL));
        ms_free(text);
    }
    json_t *root = json_pack("{s:o,s:o,s:o}", "models", names, "reports", reports, "choice",
                             choice_rows(choice));
    *out = root != NULL ? json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(root);
    return *out != NULL ? MS_OK : ms_error(MS_ERR_NOMEM, "model choice: no memory for JSON");
}
