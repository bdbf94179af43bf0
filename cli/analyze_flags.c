/*
 * analyze_flags.c - what every subcommand that runs an analysis shares
 * (`analyze`, `trade`, and `backtest` for the strategy flags and the
 * report): the analysis flags, opening the data source and the model, the
 * progress line and stop watcher (progress.c), running the analyzer and
 * printing its report, so the
 * commands cannot drift apart. Flags fill the same ms_analyzer_options fields the
 * environment does, so flags win over MARKETSIM_* variables, which win
 * over the defaults.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "mpi_shard.h"

/* A positive count flag: 0 would silently mean "default". */
static int count_flag(const char *command, const char *flag, const char *value, size_t *out)
{
    if (!cli_parse_size(value, out) || *out == 0)
        return cli_usage_error(command, "--%s needs a positive integer, got '%s'", flag, value);
    return CLI_EXIT_OK;
}

/* A fraction flag: a finite number in [low, 1], or in (0, 1] when
 * `positive`. */
static int fraction_flag(const char *command, const char *flag, const char *value, bool positive,
                         double *out)
{
    double parsed;
    if (!cli_parse_double(value, &parsed) || !(parsed <= 1) || parsed < 0 ||
        (positive && parsed == 0))
        return cli_usage_error(command, "--%s needs a fraction %s 1 (0.2 for 20%%), got '%s'",
                               flag, positive ? "above 0, at most" : "from 0 to", value);
    *out = parsed;
    return CLI_EXIT_OK;
}

static int sizing_flag(const char *command, int option, const char *value, ms_analyzer_options *o)
{
    switch (option) {
    case CLI_OPT_POSITION_SIZE:
        return fraction_flag(command, "position-size", value, true, &o->position_size);
    case CLI_OPT_MAX_POSITIONS:
        return count_flag(command, "max-positions", value, &o->max_positions);
    case CLI_OPT_STOCK_FEE: return fraction_flag(command, "stock-fee", value, false, &o->stock_fee);
    case CLI_OPT_CRYPTO_FEE:
        return fraction_flag(command, "crypto-fee", value, false, &o->crypto_fee);
    case CLI_OPT_AS_OF:
        if (ms_as_of_parse(value, &o->as_of) != MS_OK)
            return cli_usage_error(command, "--as-of needs YYYY-MM-DD[THH:MM]: %s", ms_last_error());
        return CLI_EXIT_OK;
    }
    return cli_usage_error(command, "unknown option");
}

static int number_flag(const char *command, int option, const char *value, ms_analyzer_options *o)
{
    size_t seed = 0;
    switch (option) {
    case CLI_OPT_SIMULATIONS: return count_flag(command, "simulations", value, &o->simulations);
    case CLI_OPT_EVAL_DAYS: return count_flag(command, "eval-days", value, &o->eval_days);
    case CLI_OPT_CONTEXT: return count_flag(command, "context-length", value, &o->context_length);
    case CLI_OPT_SAMPLES:
        if (!cli_parse_size(value, &o->num_samples))
            return cli_usage_error(command, "--samples needs an integer >= 0, got '%s'", value);
        return CLI_EXIT_OK;
    case CLI_OPT_SEED:
        if (!cli_parse_size(value, &seed))
            return cli_usage_error(command, "--seed needs an integer >= 0, got '%s'", value);
        o->seed = seed;
        return CLI_EXIT_OK;
    case CLI_OPT_WORKERS:
        if (!cli_parse_int(value, &o->workers) || o->workers == 0)
            return cli_usage_error(command, "--workers needs a positive integer, got '%s'", value);
        return CLI_EXIT_OK;
    case CLI_OPT_BATCH_SIZE: return count_flag(command, "batch-size", value, &o->batch_size);
    case CLI_OPT_ABLATE:
        if (ms_ablations_parse(value, &o->ablations) != MS_OK)
            return cli_usage_error(command, "--ablate: %s", ms_last_error());
        return CLI_EXIT_OK;
    }
    return cli_usage_error(command, "unknown option");
}

/* --fills, --offsets, and --reference, which sets both to the original's
 * rules (a later --fills or --offsets still wins). Forecasts stay coherent:
 * the MaxDiff kinds' reference figure, computed beside every run's, is made
 * from the same coherent forecasts, so a --reference run reproduces it. */
static int rules_flag(const char *command, int option, const char *value, ms_analyzer_options *o)
{
    switch (option) {
    case CLI_OPT_FILLS:
        if (ms_fill_model_parse(value, &o->fills) != MS_OK)
            return cli_usage_error(command, "--fills: %s", ms_last_error());
        return CLI_EXIT_OK;
    case CLI_OPT_OFFSETS:
        if (ms_offsets_parse(value, &o->offsets) != MS_OK)
            return cli_usage_error(command, "--offsets: %s", ms_last_error());
        return CLI_EXIT_OK;
    case CLI_OPT_REFERENCE:
        o->fills = MS_FILLS_REFERENCE;
        o->offsets = MS_OFFSETS_IN_SAMPLE;
        return CLI_EXIT_OK;
    }
    return cli_usage_error(command, "unknown option");
}

/* *args with no flags given: no symbols, the library's default analyzer,
 * bar validation and model options. Returns as cli_init_status. */
static int analysis_args_init(const char *command, cli_analysis_args *args)
{
    *args = (cli_analysis_args){ 0 };
    int code = cli_init_status(command, "analyzer options",
                               ms_analyzer_options_init(&args->analyzer,
                                                        MS_ANALYZER_OPTIONS_VERSION));
    if (code == CLI_EXIT_OK)
        code = cli_init_status(command, "bar options",
                               ms_bars_options_init(&args->validation, MS_BARS_OPTIONS_VERSION));
    return code == CLI_EXIT_OK ? cli_model_args_init(command, &args->model) : code;
}

bool cli_analysis_flag(const char *command, int option, const char *value,
                       cli_analysis_args *args, int *code)
{
    ms_analyzer_options *o = &args->analyzer;
    if (cli_model_flag(command, option, value, &args->model, code))
        return true;
    *code = CLI_EXIT_OK;
    switch (option) {
    case CLI_OPT_SYMBOLS:
        *code = cli_symbols_add_list(&args->symbols, value) ? CLI_EXIT_OK : CLI_EXIT_FAILED;
        return true;
    case CLI_OPT_SYMBOLS_FILE:
        *code = cli_symbols_add_file(&args->symbols, value) ? CLI_EXIT_OK : CLI_EXIT_USAGE;
        return true;
    case CLI_OPT_DATA: args->data = value; return true;
    case CLI_OPT_HTML: args->html = value; return true;
    case CLI_OPT_AGGREGATE: o->aggregate = value; return true;
    case CLI_OPT_REPAIR: args->validation.ohlc_policy = MS_OHLC_REPAIR; return true;
    case CLI_OPT_SEQUENTIAL: o->parallel = 0; return true;
    case CLI_OPT_WARMUP: o->warmup = 1; return true;
    case CLI_OPT_CACHE: o->cache = value; return true;
    case CLI_OPT_QUIET: args->quiet = true; return true;
    case CLI_OPT_WIDE: args->wide = true; return true;
    case CLI_OPT_BARS:
        *code = count_flag(command, "bars", value, &args->bars);
        return true;
    case CLI_OPT_SIMULATIONS: case CLI_OPT_EVAL_DAYS: case CLI_OPT_CONTEXT:
    case CLI_OPT_SAMPLES: case CLI_OPT_SEED: case CLI_OPT_WORKERS: case CLI_OPT_BATCH_SIZE:
    case CLI_OPT_ABLATE:
        *code = number_flag(command, option, value, o);
        return true;
    case CLI_OPT_POSITION_SIZE: case CLI_OPT_MAX_POSITIONS: case CLI_OPT_STOCK_FEE:
    case CLI_OPT_CRYPTO_FEE: case CLI_OPT_AS_OF:
        *code = sizing_flag(command, option, value, o);
        return true;
    case CLI_OPT_FILLS: case CLI_OPT_OFFSETS: case CLI_OPT_REFERENCE:
        *code = rules_flag(command, option, value, o);
        return true;
    }
    return false;
}

typedef struct analysis_command {
    const char *command;
    cli_flag_fn own;
    void *args;
    cli_analysis_args *analysis;
} analysis_command;

static int apply_analysis_command_flag(void *context, int option, const char *value)
{
    const analysis_command *c = context;
    int code = c->own(c->args, option, value);
    if (code != CLI_NOT_OWN_FLAG)
        return code;
    if (cli_analysis_flag(c->command, option, value, c->analysis, &code))
        return code;
    return cli_usage_error(c->command, "unknown option");
}

int cli_parse_analysis_flags(const char *command, int argc, char **argv, const cli_flag *flags,
                             const cli_usage *usage, cli_flag_fn own, void *args,
                             cli_analysis_args *analysis)
{
    analysis_command context = { command, own, args, analysis };
    int code = analysis_args_init(command, analysis);
    if (code != CLI_EXIT_OK)
        return code;
    return cli_parse_flag_table(command, argc, argv, flags, usage, apply_analysis_command_flag,
                                &context);
}

int cli_analysis_check(const char *command, const cli_analysis_args *args)
{
    if (args->symbols.count == 0)
        return cli_usage_error(command, "no symbols: give --symbols A,B,... or --symbols-file FILE");
    return CLI_EXIT_OK;
}

int cli_setup_error(const char *command, const char *what, ms_status status)
{
    fprintf(stderr, "marketsim %s: %s: %s\n", command, what, ms_last_error());
    return status == MS_ERR_INVALID_ARG ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
}

int cli_analysis_open(const char *command, const cli_analysis_args *args, ms_source **source,
                      ms_model **model)
{
    int code = cli_mpi_start(command);
    cli_model_args model_args = args->model;
    cli_mpi_share_cores(&model_args.options, NULL);
    if (code == CLI_EXIT_OK)
        code = cli_source_open(command, args->data, &args->validation, args->bars, source);
    return code != CLI_EXIT_OK ? code : cli_model_open(command, &model_args, model);
}

/* Warnings and per-symbol errors go to stderr too, where a user running
 * `trade` from cron, or piping --json into another tool, sees them. */
static void print_warnings(const char *command, const ms_report *report)
{
    for (size_t i = 0; i < ms_report_warning_count(report); i++)
        fprintf(stderr, "marketsim %s: warning: %s\n", command, ms_report_warning(report, i));
    for (size_t i = 0; i < ms_report_error_count(report); i++) {
        const ms_symbol_error *error = ms_report_error(report, i);
        fprintf(stderr, "marketsim %s: %s failed: %s\n", command, error->symbol, error->message);
    }
}

int cli_report_finish(const char *command, const char *html, const ms_report *report)
{
    print_warnings(command, report);
    ms_status status;
    if (html != NULL && (status = ms_report_write_html(report, html)) != MS_OK)
        return cli_setup_error(command, "writing the HTML report", status);
    return CLI_EXIT_OK;
}

int cli_report_print(const char *command, const ms_report *report, bool json, bool wide)
{
    char *text = NULL;
    ms_status status = json ? ms_report_to_json(report, &text)
                            : ms_report_to_text_layout(report, wide ? MS_REPORT_TEXT_WIDE : 0, &text);
    if (status != MS_OK)
        return cli_setup_error(command, "writing the report", status);
    fputs(text, stdout);
    if (json)
        fputc('\n', stdout);
    ms_free(text);
    return ms_report_error_count(report) > 0 ? CLI_EXIT_FAILED : CLI_EXIT_OK;
}

int cli_analysis_run(const char *command, const cli_analysis_args *args, ms_source *source,
                     ms_model *model, ms_report **out)
{
    ms_analyzer_options options = args->analyzer;
    /* Flags win over the environment: it fills only what they left unset.
     * The command line caches by default; the library only when asked. */
    ms_status status = ms_analyzer_options_from_env(&options);
    if (options.cache == NULL)
        options.cache = "default";
    cli_mpi_share_cores(NULL, &options);
    ms_analyzer *analyzer = NULL;
    if (status == MS_OK)
        status = ms_analyzer_create(&analyzer, source, model, &options);
    int code = status != MS_OK ? cli_setup_error(command, "options", status) : CLI_EXIT_OK;
    if (code == CLI_EXIT_OK) {
        cli_progress *progress = cli_progress_start(command, analyzer, args->quiet);
        code = cli_mpi_analyze(command, analyzer, &options, source,
                               (const char *const *)args->symbols.names, args->symbols.count, out);
        cli_progress_stop(progress);
    }
    /* A report that outran the stop is whole, but the user asked to stop:
     * nothing is printed or traded on it. */
    if (cli_stop_requested()) {
        if (code == CLI_EXIT_OK)
            fprintf(stderr, "marketsim %s: stopped: the analysis was cancelled\n", command);
        ms_report_free(*out);
        *out = NULL;
        code = CLI_EXIT_STOPPED;
    }
    if (code == CLI_EXIT_OK)
        code = cli_report_finish(command, args->html, *out);
    ms_analyzer_free(analyzer);
    return code;
}
