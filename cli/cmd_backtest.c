/*
 * cmd_backtest.c - `marketsim backtest`: the strategies evaluated on the
 * user's own forecasts of one symbol (a CSV of date, close, high, low)
 * against its bars, through ms_backtest_forecasts. The strategy flags and
 * the report (text, --json, --html) are the analysis' own
 * (analyze_flags.c), so a flag added there appears here too.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "marketsim/marketsim.h"

static const cli_usage usage = {
    "usage: marketsim backtest --symbol X --forecasts FILE [--data URI] [options]\n"
    "\n"
    "Backtests every strategy over walk-forward simulations on your own forecasts of\n"
    "one symbol's bars instead of a model's, and prints the report `analyze` prints.\n"
    "\n",
    "Exit status: 0 success, 1 the bars or forecasts could not be used (the message names\n"
    "the file, line and field), 2 usage error.\n",
};

enum { OPT_SYMBOL = 256, OPT_FORECASTS, OPT_UNITS, OPT_JSON };

static const cli_flag flags[] = {
    { "symbol", required_argument, OPT_SYMBOL, "X", "the symbol whose bars the forecasts predict" },
    { "data", required_argument, CLI_OPT_DATA, "URI",
      "csv:DIR, synthetic[:seed=N][,bars=N] (default) or alpaca[:TIMEFRAME]" },
    { "forecasts", required_argument, OPT_FORECASTS, "FILE",
      "CSV with a date column and close, high, low (or c, h, l): the\n"
      "row dated D forecasts D's bar, made before it; a row after the\n"
      "last bar is the next-day forecast" },
    { "units", required_argument, OPT_UNITS, "U",
      "auto (default), prices, or changes (each column's one-step change\n"
      "from its value on the bar before, as a fraction: 0.01 = +1%)" },
    { "repair-ohlc", no_argument, CLI_OPT_REPAIR, NULL,
      "widen inconsistent high/low of the bars instead of failing" },
    CLI_STRATEGY_FLAGS,
    { "json", no_argument, OPT_JSON, NULL,
      "one JSON document on stdout (the shape of `analyze --json`)" },
    CLI_HELP_FLAG,
    { NULL },
};

typedef struct backtest_args {
    cli_analysis_args analysis;    /* --data, --html, the strategy flags, --repair-ohlc */
    const char *symbol, *forecasts;
    ms_forecast_units units;
    bool json;
} backtest_args;

static int parse_units(const char *text, ms_forecast_units *units)
{
    static const char *const names[] = { "auto", "prices", "changes" };
    for (int u = 0; u < 3; u++)
        if (strcmp(text, names[u]) == 0) {
            *units = (ms_forecast_units)u;
            return CLI_EXIT_OK;
        }
    return cli_usage_error("backtest", "--units must be auto, prices or changes, got '%s'", text);
}

static int apply_flag(void *context, int option, const char *value)
{
    backtest_args *args = context;
    switch (option) {
    case OPT_SYMBOL: args->symbol = value; return CLI_EXIT_OK;
    case OPT_FORECASTS: args->forecasts = value; return CLI_EXIT_OK;
    case OPT_UNITS: return parse_units(value, &args->units);
    case OPT_JSON: args->json = true; return CLI_EXIT_OK;
    }
    return CLI_NOT_OWN_FLAG;
}

/* Returns -1 to go on, or an exit code to stop with. */
static int parse_args(int argc, char **argv, backtest_args *args)
{
    int code = cli_parse_analysis_flags("backtest", argc, argv, flags, &usage, apply_flag, args,
                                        &args->analysis);
    if (code >= 0)
        return code;
    if (args->symbol == NULL || *args->symbol == '\0')
        return cli_usage_error("backtest", "--symbol X is required");
    if (args->forecasts == NULL)
        return cli_usage_error("backtest", "--forecasts FILE is required");
    return -1;
}

static int run_backtest(const backtest_args *args)
{
    ms_source *source = NULL;
    ms_forecasts *forecasts = NULL;
    ms_report *report = NULL;
    int code = cli_source_open("backtest", args->analysis.data, &args->analysis.validation, 0,
                               &source);
    if (code == CLI_EXIT_OK && ms_forecasts_load_csv(&forecasts, args->forecasts,
                                                     args->units) != MS_OK) {
        fprintf(stderr, "marketsim backtest: %s\n", ms_last_error());
        code = CLI_EXIT_FAILED;
    }
    ms_analyzer_options options = args->analysis.analyzer;
    ms_status status;
    if (code == CLI_EXIT_OK && (status = ms_analyzer_options_from_env(&options)) != MS_OK)
        code = cli_setup_error("backtest", "options", status);
    if (code == CLI_EXIT_OK &&
        (status = ms_backtest_forecasts(&report, source, args->symbol, forecasts,
                                        &options)) != MS_OK)
        code = cli_setup_error("backtest", args->symbol, status);
    if (code == CLI_EXIT_OK)
        code = cli_report_finish("backtest", args->analysis.html, report);
    if (code == CLI_EXIT_OK)
        code = cli_report_print("backtest", report, args->json, args->analysis.wide);
    ms_report_free(report);
    ms_forecasts_free(forecasts);
    ms_source_free(source);
    return code;
}

int cli_backtest(int argc, char **argv)
{
    backtest_args args = { 0 };
    int code = parse_args(argc, argv, &args);
    cli_stop_install(true); /* nothing to finish: a stop exits at once */
    if (code < 0)
        code = run_backtest(&args);
    return code;
}
