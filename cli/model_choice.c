/*
 * model_choice.c - `marketsim analyze --model A,B,...`: every symbol is
 * analysed with each model (with the CLI's progress and options), and the
 * library's ms_model_choice (lib/analyze/model_choice.c) chooses the model
 * per symbol. The output shows every model's full report and the choice:
 * text, --json (ms_model_choice_to_json) and --html (a choice page linking
 * one report page per model).
 */
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

/* Symbol i's cell for model m: "<best strategy> <return>%" or "failed". */
static void score_cell(const ms_model_choice *choice, size_t i, size_t m, char *cell,
                       size_t size)
{
    ms_strategy best;
    double score = ms_model_choice_score(choice, i, m, &best);
    if (isfinite(score))
        snprintf(cell, size, "%s %+.4f%%", ms_strategy_name(best), 100.0 * score);
    else
        snprintf(cell, size, "failed");
}

static void print_text(const ms_model_choice *choice)
{
    const size_t models = ms_model_choice_model_count(choice);
    for (size_t m = 0; m < models; m++) {
        char *text = NULL;
        printf("==== model %s ====\n", ms_model_choice_model_name(choice, m));
        if (ms_report_to_text(ms_model_choice_report(choice, m), &text) == MS_OK)
            fputs(text, stdout);
        ms_free(text);
        printf("\n");
    }
    printf("==== model choice per symbol (best strategy's mean daily return) ====\n%-12s",
           "symbol");
    for (size_t m = 0; m < models; m++)
        printf(" %28.28s", ms_model_choice_model_name(choice, m));
    printf("  chosen\n");
    for (size_t i = 0; i < ms_model_choice_symbol_count(choice); i++) {
        int chosen = ms_model_choice_chosen(choice, i);
        printf("%-12s", ms_model_choice_symbol(choice, i));
        for (size_t m = 0; m < models; m++) {
            char cell[64];
            score_cell(choice, i, m, cell, sizeof cell);
            printf(" %28.28s", cell);
        }
        printf("  %s\n", chosen >= 0 ? ms_model_choice_model_name(choice, (size_t)chosen) : "-");
    }
}

static int print_json(const char *command, const ms_model_choice *choice)
{
    char *text = NULL;
    if (ms_model_choice_to_json(choice, &text) != MS_OK) {
        fprintf(stderr, "marketsim %s: %s\n", command, ms_last_error());
        return CLI_EXIT_FAILED;
    }
    printf("%s\n", text);
    ms_free(text);
    return CLI_EXIT_OK;
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

static int write_html(const char *command, const ms_model_choice *choice, const char *path)
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
    const size_t models = ms_model_choice_model_count(choice);
    for (size_t m = 0; m < models; m++) {
        const char *name = ms_model_choice_model_name(choice, m);
        char page[4096];
        model_page(path, name, page, sizeof page);
        const char *base = strrchr(page, '/') ? strrchr(page, '/') + 1 : page;
        fprintf(f, "<th><a href=\"%s\">%s</a></th>", base, name);
        if (ms_report_write_html(ms_model_choice_report(choice, m), page) != MS_OK)
            fprintf(stderr, "marketsim %s: %s\n", command, ms_last_error());
    }
    fprintf(f, "<th>chosen</th></tr>\n");
    for (size_t i = 0; i < ms_model_choice_symbol_count(choice); i++) {
        int chosen = ms_model_choice_chosen(choice, i);
        fprintf(f, "<tr><td>%s</td>", ms_model_choice_symbol(choice, i));
        for (size_t m = 0; m < models; m++) {
            char cell[64];
            score_cell(choice, i, m, cell, sizeof cell);
            fprintf(f, "<td>%s</td>", cell);
        }
        fprintf(f, "<td><b>%s</b></td></tr>\n",
                chosen >= 0 ? ms_model_choice_model_name(choice, (size_t)chosen) : "-");
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

/* The choice over the runs' reports (taken over, also on error). */
static int make_choice(const char *command, model_runs *runs, const cli_symbols *symbols,
                       ms_model_choice **choice)
{
    ms_status status = ms_model_choice_create(choice, (const char *const *)runs->names,
                                              runs->reports, runs->count,
                                              (const char *const *)symbols->names,
                                              symbols->count);
    memset(runs->reports, 0, sizeof runs->reports);
    if (status == MS_OK)
        return CLI_EXIT_OK;
    fprintf(stderr, "marketsim %s: %s\n", command, ms_last_error());
    return CLI_EXIT_FAILED;
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
    ms_model_choice *choice = NULL;
    if (code == CLI_EXIT_OK)
        code = make_choice(command, &runs, &args->symbols, &choice);
    if (code == CLI_EXIT_OK) {
        if (json)
            code = print_json(command, choice);
        else
            print_text(choice);
        if (args->html != NULL && code == CLI_EXIT_OK)
            code = write_html(command, choice, args->html);
    }
    for (size_t m = 0; m < ms_model_choice_model_count(choice); m++)
        if (code == CLI_EXIT_OK && ms_report_error_count(ms_model_choice_report(choice, m)) > 0)
            code = CLI_EXIT_FAILED;
    ms_model_choice_free(choice);
    for (size_t m = 0; m < runs.count; m++) {
        ms_report_free(runs.reports[m]);
        free(runs.names[m]);
    }
    return code;
}
