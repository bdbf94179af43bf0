/*
 * cmd_analyze.c - `marketsim analyze`: the main job. Flags fill the same
 * ms_analyzer_options fields the environment does, so flags win over
 * MARKETSIM_* variables, which win over the defaults.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "marketsim/marketsim.h"

static const char usage[] =
    "usage: marketsim analyze --symbols A,B,... [options]\n"
    "\n"
    "Forecasts each symbol's next bars, backtests every strategy over walk-forward\n"
    "simulations, ranks the symbols and prints the picks.\n"
    "\n"
    "  --symbols LIST         comma-separated symbols (e.g. AAPL,MSFT,BTCUSD)\n"
    "  --symbols-file FILE    symbols from a file (commas, spaces or lines; # comments)\n"
    "  --data URI             csv:DIR or synthetic[:seed=N][,bars=N] (default synthetic)\n"
    "  --bars N               bars per symbol of the synthetic market (default 1000)\n"
    "  --repair-ohlc          widen inconsistent high/low with a warning instead of failing\n"
    "  --model NAME           baseline (default)\n"
    "  --simulations N        walk-forward simulations (MARKETSIM_BACKTEST_SIMULATIONS, default 70)\n"
    "  --eval-days N          evaluation days per simulation (default 6)\n"
    "  --context-length N     most percent changes fed to the model (default 512)\n"
    "  --aggregate NAME       mean | median | trimmed_mean_X | quantile_Q (default mean)\n"
    "  --samples N            samples per forecast; 0 = exact aggregates (default 0)\n"
    "  --seed N               sampling seed (default 0)\n"
    "  --workers N            worker threads (MARKETSIM_PARALLEL_WORKERS, default min(32, cpus+4))\n"
    "  --sequential           one symbol at a time (MARKETSIM_PARALLEL_ANALYSIS=0)\n"
    "  --json                 one JSON document on stdout instead of the table\n"
    "  -h, --help             this help\n"
    "\n"
    "Exit status: 0 success, 1 some symbol failed (the report is still printed)\n"
    "or the analysis could not run, 2 usage error.\n";

typedef struct analyze_args {
    cli_symbols symbols;
    const char *data;
    const char *model;
    size_t bars;
    int json;
    ms_analyzer_options analyzer;
    ms_bars_options validation;
} analyze_args;

enum { OPT_SYMBOLS = 256, OPT_SYMBOLS_FILE, OPT_DATA, OPT_BARS, OPT_REPAIR, OPT_MODEL,
       OPT_SIMULATIONS, OPT_EVAL_DAYS, OPT_CONTEXT, OPT_AGGREGATE, OPT_SAMPLES, OPT_SEED,
       OPT_WORKERS, OPT_SEQUENTIAL, OPT_JSON };

static const struct option long_options[] = {
    { "symbols", required_argument, NULL, OPT_SYMBOLS },
    { "symbols-file", required_argument, NULL, OPT_SYMBOLS_FILE },
    { "data", required_argument, NULL, OPT_DATA },
    { "bars", required_argument, NULL, OPT_BARS },
    { "repair-ohlc", no_argument, NULL, OPT_REPAIR },
    { "model", required_argument, NULL, OPT_MODEL },
    { "simulations", required_argument, NULL, OPT_SIMULATIONS },
    { "eval-days", required_argument, NULL, OPT_EVAL_DAYS },
    { "context-length", required_argument, NULL, OPT_CONTEXT },
    { "aggregate", required_argument, NULL, OPT_AGGREGATE },
    { "samples", required_argument, NULL, OPT_SAMPLES },
    { "seed", required_argument, NULL, OPT_SEED },
    { "workers", required_argument, NULL, OPT_WORKERS },
    { "sequential", no_argument, NULL, OPT_SEQUENTIAL },
    { "json", no_argument, NULL, OPT_JSON },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* A positive count flag: 0 would silently mean "default". */
static int count_flag(const char *flag, const char *value, size_t *out)
{
    if (!cli_parse_size(value, out) || *out == 0)
        return cli_usage_error("analyze", "--%s needs a positive integer, got '%s'", flag, value);
    return CLI_EXIT_OK;
}

static int apply_flag(analyze_args *args, int option, const char *value)
{
    ms_analyzer_options *o = &args->analyzer;
    size_t seed = 0;
    switch (option) {
    case OPT_SYMBOLS:
        return cli_symbols_add_list(&args->symbols, value) ? CLI_EXIT_OK : CLI_EXIT_FAILED;
    case OPT_SYMBOLS_FILE:
        return cli_symbols_add_file(&args->symbols, value) ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    case OPT_DATA: args->data = value; return CLI_EXIT_OK;
    case OPT_MODEL: args->model = value; return CLI_EXIT_OK;
    case OPT_AGGREGATE: o->aggregate = value; return CLI_EXIT_OK;
    case OPT_REPAIR: args->validation.ohlc_policy = MS_OHLC_REPAIR; return CLI_EXIT_OK;
    case OPT_SEQUENTIAL: o->parallel = 0; return CLI_EXIT_OK;
    case OPT_JSON: args->json = 1; return CLI_EXIT_OK;
    case OPT_BARS: return count_flag("bars", value, &args->bars);
    case OPT_SIMULATIONS: return count_flag("simulations", value, &o->simulations);
    case OPT_EVAL_DAYS: return count_flag("eval-days", value, &o->eval_days);
    case OPT_CONTEXT: return count_flag("context-length", value, &o->context_length);
    case OPT_SAMPLES:
        if (!cli_parse_size(value, &o->num_samples))
            return cli_usage_error("analyze", "--samples needs an integer >= 0, got '%s'", value);
        return CLI_EXIT_OK;
    case OPT_SEED:
        if (!cli_parse_size(value, &seed))
            return cli_usage_error("analyze", "--seed needs an integer >= 0, got '%s'", value);
        o->seed = seed;
        return CLI_EXIT_OK;
    case OPT_WORKERS:
        if (!cli_parse_int(value, &o->workers) || o->workers == 0)
            return cli_usage_error("analyze", "--workers needs a positive integer, got '%s'", value);
        return CLI_EXIT_OK;
    }
    return cli_usage_error("analyze", "unknown option");
}

/* Returns -1 to go on, or an exit code to stop with. */
static int parse_args(int argc, char **argv, analyze_args *args)
{
    opterr = 0;
    optind = 1;
    int option;
    while ((option = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
        if (option == 'h') {
            fputs(usage, stdout);
            return CLI_EXIT_OK;
        }
        if (option == '?')
            return cli_usage_error("analyze", "unknown option or missing value: '%s'", argv[optind - 1]);
        int code = apply_flag(args, option, optarg);
        if (code != CLI_EXIT_OK)
            return code;
    }
    if (optind < argc)
        return cli_usage_error("analyze", "unexpected argument '%s'", argv[optind]);
    if (args->symbols.count == 0)
        return cli_usage_error("analyze", "no symbols: give --symbols A,B,... or --symbols-file FILE");
    return -1;
}

static void show_progress(void *context, size_t done, size_t total, const char *symbol)
{
    (void)context;
    fprintf(stderr, "\ranalyzing %zu/%zu %-12s", done, total, symbol);
    if (done == total)
        fprintf(stderr, "\r%*s\r", 40, "");
    fflush(stderr);
}

/* Setup failures: a malformed option is a usage error, anything else a runtime one. */
static int setup_error(const char *what, ms_status status)
{
    fprintf(stderr, "marketsim analyze: %s: %s\n", what, ms_last_error());
    return status == MS_ERR_INVALID_ARG ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
}

static int print_report(const ms_report *report, int json)
{
    char *text = NULL;
    ms_status status = json ? ms_report_to_json(report, &text) : ms_report_to_text(report, &text);
    if (status != MS_OK)
        return setup_error("writing the report", status);
    fputs(text, stdout);
    if (json)
        fputc('\n', stdout);
    ms_free(text);
    return ms_report_error_count(report) > 0 ? CLI_EXIT_FAILED : CLI_EXIT_OK;
}

static int run_analysis(analyze_args *args)
{
    ms_source_options source_opts = MS_SOURCE_OPTIONS_INIT;
    source_opts.synthetic_bars = args->bars;
    source_opts.bars = args->validation;
    ms_source *source = NULL;
    ms_model *model = NULL;
    ms_analyzer *analyzer = NULL;
    ms_report *report = NULL;
    ms_status status;
    int code;
    if ((status = ms_source_open(&source, args->data, &source_opts)) != MS_OK)
        code = setup_error("data", status);
    else if ((status = ms_model_open(&model, args->model, NULL)) != MS_OK)
        code = setup_error("model", status);
    else if ((status = ms_analyzer_create(&analyzer, source, model, &args->analyzer)) != MS_OK)
        code = setup_error("options", status);
    else if ((status = ms_analyzer_run(analyzer, (const char *const *)args->symbols.names,
                                       args->symbols.count, &report)) != MS_OK)
        code = setup_error("analysis", status);
    else
        code = print_report(report, args->json);
    ms_report_free(report);
    ms_analyzer_free(analyzer);
    ms_model_free(model);
    ms_source_free(source);
    return code;
}

int cli_analyze(int argc, char **argv)
{
    analyze_args args = { .analyzer = MS_ANALYZER_OPTIONS_INIT,
                          .validation = MS_BARS_OPTIONS_INIT };
    int code = parse_args(argc, argv, &args);
    if (code < 0) {
        if (isatty(STDERR_FILENO))
            args.analyzer.progress = show_progress;
        code = run_analysis(&args);
    }
    cli_symbols_free(&args.symbols);
    return code;
}
