/*
 * cmd_analyze.c - `marketsim analyze`: the main job. Its flags are the
 * analysis flags every analysing subcommand shares (analyze_flags.c), plus
 * --json. A list of models (--model toto,kronos-small) chooses the model
 * per symbol (model_choice.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "model_choice.h"
#include "marketsim/marketsim.h"

static const cli_usage usage = {
    "usage: marketsim analyze --symbols A,B,... [options]\n"
    "\n"
    "Forecasts each symbol's next bars, backtests every strategy over walk-forward\n"
    "simulations, ranks the symbols and prints the picks. With --model A,B (e.g.\n"
    "toto,kronos-small) each symbol is analysed with every model and the model whose\n"
    "best strategy scores higher in the backtest is chosen per symbol; every model's\n"
    "report and the choice are printed (--html: a choice page and one page per model).\n"
    "\n",
    "Exit status: 0 success, 1 some symbol failed (the report is still printed)\n"
    "or the analysis could not run, 2 usage error, 130 stopped by SIGINT/SIGTERM\n"
    "(\"stopping\" on stderr, no report; a second signal exits at once).\n",
};

typedef struct analyze_args {
    cli_analysis_args analysis;
    int json;
} analyze_args;

enum { OPT_JSON = 256 };

static const cli_flag flags[] = {
    CLI_ANALYSIS_FLAGS,
    { "json", no_argument, OPT_JSON, NULL, "one JSON document on stdout instead of the table" },
    CLI_HELP_FLAG,
    { NULL },
};

static int apply_flag(void *context, int option, const char *value)
{
    (void)value;
    analyze_args *args = context;
    if (option != OPT_JSON)
        return CLI_NOT_OWN_FLAG;
    args->json = 1;
    return CLI_EXIT_OK;
}

/* Returns -1 to go on, or an exit code to stop with. */
static int parse_args(int argc, char **argv, analyze_args *args)
{
    int code = cli_parse_analysis_flags("analyze", argc, argv, flags, &usage, apply_flag, args,
                                        &args->analysis);
    if (code >= 0)
        return code;
    code = cli_analysis_check("analyze", &args->analysis);
    return code != CLI_EXIT_OK ? code : -1;
}

static int run_analysis(analyze_args *args)
{
    if (args->analysis.model.path != NULL && strchr(args->analysis.model.path, ',') != NULL)
        return cli_analyze_models("analyze", &args->analysis, args->json);
    ms_source *source = NULL;
    ms_model *model = NULL;
    ms_report *report = NULL;
    int code = cli_analysis_open("analyze", &args->analysis, &source, &model);
    if (code == CLI_EXIT_OK)
        code = cli_analysis_run("analyze", &args->analysis, source, model, &report);
    if (code == CLI_EXIT_OK)
        code = cli_report_print("analyze", report, args->json, args->analysis.wide);
    ms_report_free(report);
    ms_model_free(model);
    ms_source_free(source);
    return code;
}

int cli_analyze(int argc, char **argv)
{
    analyze_args args = { 0 };
    int code = parse_args(argc, argv, &args);
    if (code < 0) {
        cli_stop_install(false); /* the analysis is cancelled: its cache stays consistent */
        code = run_analysis(&args);
    }
    cli_symbols_free(&args.analysis.symbols);
    return code;
}
