/*
 * model_choice.c - `marketsim analyze --model A,B,...`: every symbol is
 * analysed with each model, and per symbol the model whose best strategy
 * scores higher in the walk-forward backtest (the best strategy's mean
 * average daily return, ranking.c) is chosen, as the Python original chose
 * between Toto and Kronos. The output shows every model's full report and
 * the choice: text, --json ({"models", "reports", "choice"}) and --html
 * (a choice page linking one report page per model).
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "model_choice.h"

#define MAX_MODELS 8

typedef struct model_runs {
    size_t count;
    char *names[MAX_MODELS];
    ms_report *reports[MAX_MODELS];
} model_runs;

/* A symbol's score under one report: its best strategy's mean average
 * daily return; NaN when the symbol failed or has none. */
static double symbol_score(const ms_report *report, const char *symbol, ms_strategy *best)
{
    for (size_t i = 0; i < ms_report_symbol_count(report); i++) {
        const ms_symbol_report *s = ms_report_symbol(report, i);
        if (strcmp(s->symbol, symbol) == 0) {
            *best = s->best_strategy;
            return s->strategies[s->best_strategy].mean.avg_daily_return;
        }
    }
    return NAN;
}

/* The chosen model's index for `symbol`: the highest score; ties and NaN
 * keep the model listed first; -1 when no model scored it. */
static int choose(const model_runs *runs, const char *symbol, double *scores,
                  ms_strategy *bests)
{
    int chosen = -1;
    for (size_t m = 0; m < runs->count; m++) {
        scores[m] = symbol_score(runs->reports[m], symbol, &bests[m]);
        if (isfinite(scores[m]) && (chosen < 0 || scores[m] > scores[chosen]))
            chosen = (int)m;
    }
    return chosen;
}

static void print_text(const model_runs *runs, const cli_symbols *symbols)
{
    for (size_t m = 0; m < runs->count; m++) {
        char *text = NULL;
        printf("==== model %s ====\n", runs->names[m]);
        if (ms_report_to_text(runs->reports[m], &text) == MS_OK)
            fputs(text, stdout);
        ms_free(text);
        printf("\n");
    }
    printf("==== model choice per symbol (best strategy's mean daily return) ====\n%-12s",
           "symbol");
    for (size_t m = 0; m < runs->count; m++)
        printf(" %28.28s", runs->names[m]);
    printf("  chosen\n");
    for (size_t i = 0; i < symbols->count; i++) {
        double scores[MAX_MODELS];
        ms_strategy bests[MAX_MODELS];
        int chosen = choose(runs, symbols->names[i], scores, bests);
        printf("%-12s", symbols->names[i]);
        for (size_t m = 0; m < runs->count; m++) {
            char cell[64] = "failed";
            if (isfinite(scores[m]))
                snprintf(cell, sizeof cell, "%s %+.4f%%", ms_strategy_name(bests[m]),
                         100.0 * scores[m]);
            printf(" %28.28s", cell);
        }
        printf("  %s\n", chosen >= 0 ? runs->names[chosen] : "-");
    }
}

static json_t *choice_json(const model_runs *runs, const cli_symbols *symbols)
{
    json_t *rows = json_array();
    for (size_t i = 0; i < symbols->count; i++) {
        double scores[MAX_MODELS];
        ms_strategy bests[MAX_MODELS];
        int chosen = choose(runs, symbols->names[i], scores, bests);
        json_t *by_model = json_object();
        for (size_t m = 0; m < runs->count; m++)
            json_object_set_new(by_model, runs->names[m],
                                isfinite(scores[m])
                                    ? json_pack("{s:s,s:f}", "best_strategy",
                                                ms_strategy_name(bests[m]), "avg_daily_return",
                                                scores[m])
                                    : json_null());
        json_array_append_new(rows, json_pack("{s:s,s:o,s:o}", "symbol", symbols->names[i],
                                              "models", by_model, "chosen",
                                              chosen >= 0 ? json_string(runs->names[chosen])
                                                          : json_null()));
    }
    return rows;
}

static void print_json(const model_runs *runs, const cli_symbols *symbols)
{
    json_t *names = json_array(), *reports = json_object();
    for (size_t m = 0; m < runs->count; m++) {
        char *text = NULL;
        json_array_append_new(names, json_string(runs->names[m]));
        if (ms_report_to_json(runs->reports[m], &text) == MS_OK)
            json_object_set_new(reports, runs->names[m], json_loads(text, 0, NULL));
        ms_free(text);
    }
    json_t *root = json_pack("{s:o,s:o,s:o}", "models", names, "reports", reports, "choice",
                             choice_json(runs, symbols));
    json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    fputc('\n', stdout);
    json_decref(root);
}

/* "<path without .html>.<model, letters and digits kept>.html". */
static void model_page(const char *path, const char *model, char *out, size_t size)
{
    size_t stem = strlen(path);
    if (stem > 5 && strcmp(path + stem - 5, ".html") == 0)
        stem -= 5;
    char safe[128];
    size_t n = 0;
    for (const char *p = model; *p && n + 1 < sizeof safe; p++)
        safe[n++] = (char)((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
                                   || (*p >= '0' && *p <= '9') || *p == '-' ? *p : '_');
    safe[n] = '\0';
    snprintf(out, size, "%.*s.%s.html", (int)stem, path, safe);
}

static int write_html(const char *command, const model_runs *runs, const cli_symbols *symbols,
                      const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "marketsim %s: cannot write %s\n", command, path);
        return CLI_EXIT_FAILED;
    }
    fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>marketsim: model "
               "choice</title></head><body>\n<h1>Model choice per symbol</h1>\n<p>Score: the "
               "best strategy's mean average daily return in the walk-forward backtest.</p>\n"
               "<table border=\"1\"><tr><th>symbol</th>");
    for (size_t m = 0; m < runs->count; m++) {
        char page[4096];
        model_page(path, runs->names[m], page, sizeof page);
        const char *base = strrchr(page, '/') ? strrchr(page, '/') + 1 : page;
        fprintf(f, "<th><a href=\"%s\">%s</a></th>", base, runs->names[m]);
        if (ms_report_write_html(runs->reports[m], page) != MS_OK)
            fprintf(stderr, "marketsim %s: %s\n", command, ms_last_error());
    }
    fprintf(f, "<th>chosen</th></tr>\n");
    for (size_t i = 0; i < symbols->count; i++) {
        double scores[MAX_MODELS];
        ms_strategy bests[MAX_MODELS];
        int chosen = choose(runs, symbols->names[i], scores, bests);
        fprintf(f, "<tr><td>%s</td>", symbols->names[i]);
        for (size_t m = 0; m < runs->count; m++)
            if (isfinite(scores[m]))
                fprintf(f, "<td>%s %+.4f%%</td>", ms_strategy_name(bests[m]), 100.0 * scores[m]);
            else
                fprintf(f, "<td>failed</td>");
        fprintf(f, "<td><b>%s</b></td></tr>\n", chosen >= 0 ? runs->names[chosen] : "-");
    }
    fprintf(f, "</table>\n</body></html>\n");
    return fclose(f) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILED;
}

/* Splits the model list; a usage error for an empty name or too many. */
static int split_models(const char *command, const char *list, model_runs *runs)
{
    const char *start = list;
    while (runs->count < MAX_MODELS) {
        const char *end = strchr(start, ',');
        size_t length = end != NULL ? (size_t)(end - start) : strlen(start);
        if (length == 0)
            return cli_usage_error(command, "--model '%s': an empty model name", list);
        runs->names[runs->count] = strndup(start, length);
        if (runs->names[runs->count++] == NULL)
            return CLI_EXIT_FAILED;
        if (end == NULL)
            return CLI_EXIT_OK;
        start = end + 1;
    }
    return cli_usage_error(command, "--model '%s': at most %d models", list, MAX_MODELS);
}

int cli_analyze_models(const char *command, const cli_analysis_args *args, bool json)
{
    model_runs runs = { 0 };
    int code = split_models(command, args->model.path, &runs);
    for (size_t m = 0; m < runs.count && code == CLI_EXIT_OK; m++) {
        cli_analysis_args one = *args;
        one.model.path = runs.names[m];
        one.html = NULL;   /* each model's page is written with the choice page */
        ms_source *source = NULL;
        ms_model *model = NULL;
        code = cli_analysis_open(command, &one, &source, &model);
        if (code == CLI_EXIT_OK)
            code = cli_analysis_run(command, &one, source, model, &runs.reports[m]);
        ms_model_free(model);
        ms_source_free(source);
    }
    if (code == CLI_EXIT_OK) {
        if (json)
            print_json(&runs, &args->symbols);
        else
            print_text(&runs, &args->symbols);
        if (args->html != NULL)
            code = write_html(command, &runs, &args->symbols, args->html);
    }
    for (size_t m = 0; m < runs.count; m++) {
        if (code == CLI_EXIT_OK && ms_report_error_count(runs.reports[m]) > 0)
            code = CLI_EXIT_FAILED;
        ms_report_free(runs.reports[m]);
        free(runs.names[m]);
    }
    return code;
}
