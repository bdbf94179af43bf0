/*
 * cmd_forecast.c - `marketsim forecast`: one context series (from a JSON
 * file or a symbol's bars) through a model, printing the mean, quantiles
 * and optionally samples for each step of the horizon.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "marketsim/marketsim.h"
#include "series_input.h"

static const char usage[] =
    "usage: marketsim forecast (--series-json FILE | --data URI --symbol X) --horizon H [options]\n"
    "\n"
    "  --series-json FILE     {\"series\": [[...], ...]}: variates x time, oldest first\n"
    "  --data URI --symbol X  a symbol's bars (csv:DIR, synthetic[...] or alpaca[:TIMEFRAME])\n"
    "  --column NAME          close (default), open, high, low or volume\n"
    "  --levels               forecast the column itself, not its percent changes\n"
    "  --horizon H            steps ahead (required)\n"
    "  --samples S            draw S samples; quantiles then come from them\n"
    "  --quantiles LIST       levels in (0,1), default 0.1,0.5,0.9\n"
    "  --json                 one JSON document: mean, quantiles, samples, timings\n"
    CLI_MODEL_HELP;

enum { OPT_SERIES_JSON = 256, OPT_DATA, OPT_SYMBOL, OPT_COLUMN, OPT_LEVELS, OPT_HORIZON,
       OPT_SAMPLES, OPT_QUANTILES, OPT_JSON };

typedef struct forecast_args {
    const char *series_json, *data, *symbol;
    ms_column column;
    bool levels, json;
    size_t horizon, samples;
    double quantiles[32];
    size_t num_quantiles;
    cli_model_args model;
} forecast_args;

static int parse_quantiles(const char *text, forecast_args *args)
{
    char copy[512];
    snprintf(copy, sizeof copy, "%s", text);
    args->num_quantiles = 0;
    for (char *save = NULL, *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        double level;
        if (args->num_quantiles == 32 || !cli_parse_double(item, &level) || !(level > 0 && level < 1))
            return cli_usage_error("forecast", "--quantiles needs up to 32 levels in (0, 1), got '%s'", text);
        args->quantiles[args->num_quantiles++] = level;
    }
    return CLI_EXIT_OK;
}

static int parse_column(const char *text, ms_column *column)
{
    static const char *const names[] = { "open", "high", "low", "close", "volume" };
    for (int c = 0; c < 5; c++)
        if (strcmp(text, names[c]) == 0) {
            *column = (ms_column)c;
            return CLI_EXIT_OK;
        }
    return cli_usage_error("forecast", "--column must be open, high, low, close or volume, got '%s'", text);
}

static int apply_flag(void *context, int option, const char *value)
{
    forecast_args *args = context;
    int code;
    if (cli_model_flag("forecast", option, value, &args->model, &code))
        return code;
    switch (option) {
    case OPT_SERIES_JSON: args->series_json = value; return CLI_EXIT_OK;
    case OPT_DATA: args->data = value; return CLI_EXIT_OK;
    case OPT_SYMBOL: args->symbol = value; return CLI_EXIT_OK;
    case OPT_LEVELS: args->levels = true; return CLI_EXIT_OK;
    case OPT_JSON: args->json = true; return CLI_EXIT_OK;
    case OPT_COLUMN: return parse_column(value, &args->column);
    case OPT_QUANTILES: return parse_quantiles(value, args);
    case OPT_HORIZON:
        if (!cli_parse_size(value, &args->horizon) || args->horizon == 0)
            return cli_usage_error("forecast", "--horizon needs a positive integer, got '%s'", value);
        return CLI_EXIT_OK;
    case OPT_SAMPLES:
        if (!cli_parse_size(value, &args->samples))
            return cli_usage_error("forecast", "--samples needs an integer >= 0, got '%s'", value);
        return CLI_EXIT_OK;
    }
    return cli_usage_error("forecast", "unknown option");
}

static int parse_args(int argc, char **argv, forecast_args *args)
{
    static const struct option options[] = {
        { "series-json", required_argument, NULL, OPT_SERIES_JSON },
        { "data", required_argument, NULL, OPT_DATA }, { "symbol", required_argument, NULL, OPT_SYMBOL },
        { "column", required_argument, NULL, OPT_COLUMN }, { "levels", no_argument, NULL, OPT_LEVELS },
        { "horizon", required_argument, NULL, OPT_HORIZON },
        { "samples", required_argument, NULL, OPT_SAMPLES },
        { "quantiles", required_argument, NULL, OPT_QUANTILES }, { "json", no_argument, NULL, OPT_JSON },
        CLI_MODEL_LONG_OPTIONS, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
    int code = cli_parse_flags("forecast", argc, argv, options, usage, apply_flag, args);
    if (code >= 0)
        return code;
    if ((args->series_json != NULL) == (args->symbol != NULL))
        return cli_usage_error("forecast", "give either --series-json FILE or --symbol X (with --data URI)");
    if (args->horizon == 0)
        return cli_usage_error("forecast", "--horizon is required");
    return -1;
}

static bool load_input(const forecast_args *args, series_input *input)
{
    if (args->series_json != NULL)
        return series_input_from_json(args->series_json, input);
    ms_source *source = NULL;
    ms_bars *bars = NULL;
    if (cli_source_open("forecast", args->data, NULL, &source) != CLI_EXIT_OK)
        return false;
    bool ok = ms_source_load(source, args->symbol, &bars) == MS_OK;
    if (!ok)
        fprintf(stderr, "marketsim forecast: %s\n", ms_last_error());
    ok = ok && series_input_from_bars(bars, args->column, args->levels, input);
    ms_bars_free(bars);
    ms_source_free(source);
    return ok;
}

/* rows x cols doubles as a JSON array of arrays. */
static json_t *matrix(const double *values, size_t rows, size_t cols)
{
    json_t *outer = json_array();
    for (size_t r = 0; r < rows; r++) {
        json_t *row = json_array();
        for (size_t c = 0; c < cols; c++)
            json_array_append_new(row, json_real(values[r * cols + c]));
        json_array_append_new(outer, row);
    }
    return outer;
}

typedef struct forecast_result {
    double *mean, *quantiles, *samples;
    double load_seconds, forecast_seconds;
} forecast_result;

static bool allocate_samples(forecast_result *r, size_t count)
{
    r->samples = calloc(count, sizeof(double));
    if (r->samples == NULL)
        fprintf(stderr, "marketsim forecast: out of memory for %zu sample values\n", count);
    return r->samples != NULL;
}

static void print_json(const forecast_args *args, const series_input *input, const char *model,
                       const forecast_result *r)
{
    size_t V = input->variates, H = args->horizon;
    json_t *quantiles = json_object();
    for (size_t q = 0; q < args->num_quantiles; q++) {
        char key[32];
        snprintf(key, sizeof key, "%g", args->quantiles[q]);
        json_object_set_new(quantiles, key, matrix(r->quantiles + q * V * H, V, H));
    }
    json_t *samples = json_array();
    for (size_t s = 0; s < args->samples; s++)
        json_array_append_new(samples, matrix(r->samples + s * V * H, V, H));
    json_t *root = json_pack("{s:s,s:I,s:I,s:I,s:o,s:o,s:o,s:{s:f,s:f}}", "model", model,
                             "horizon", (json_int_t)H, "variates", (json_int_t)V,
                             "context_length", (json_int_t)input->length,
                             "mean", matrix(r->mean, V, H), "quantiles", quantiles, "samples", samples,
                             "timings", "load", r->load_seconds, "forecast", r->forecast_seconds);
    json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    fputc('\n', stdout);
    json_decref(root);
}

static void print_text(const forecast_args *args, const series_input *input, const char *model,
                       const forecast_result *r)
{
    size_t V = input->variates, H = args->horizon;
    printf("model %s | context %zu x %zu | horizon %zu | load %.3f s, forecast %.4f s\n", model, V,
           input->length, H, r->load_seconds, r->forecast_seconds);
    for (size_t v = 0; v < V; v++) {
        printf("\nvariate %zu\n%-6s %14s", v, "step", "mean");
        for (size_t q = 0; q < args->num_quantiles; q++)
            printf("  q%-12g", args->quantiles[q]);
        printf("\n");
        for (size_t h = 0; h < H; h++) {
            printf("%-6zu %14.6g", h + 1, r->mean[v * H + h]);
            for (size_t q = 0; q < args->num_quantiles; q++)
                printf("  %13.6g", r->quantiles[(q * V + v) * H + h]);
            printf("\n");
        }
    }
}

/* Beyond one patch, quantiles come only from sample paths (model.h): when
 * the user asked for quantiles there but no samples, draw a default number
 * rather than refuse, and say so. */
#define DEFAULT_PATH_SAMPLES 1024

static size_t samples_needed(const forecast_args *args, ms_model *model)
{
    char *text = NULL;
    if (args->samples > 0 || args->num_quantiles == 0 || ms_model_describe(model, &text) != MS_OK)
        return args->samples;
    json_t *description = json_loads(text, 0, NULL);
    ms_free(text);
    json_t *limit = json_object_get(description, "single_pass_horizon");
    size_t samples = args->samples;
    if (json_is_integer(limit) && args->horizon > (size_t)json_integer_value(limit)) {
        samples = DEFAULT_PATH_SAMPLES;
        fprintf(stderr, "marketsim forecast: horizon %zu is beyond one patch (%" JSON_INTEGER_FORMAT
                        "): drawing %d sample paths for the quantiles (--samples sets the number)\n",
                args->horizon, json_integer_value(limit), DEFAULT_PATH_SAMPLES);
    }
    json_decref(description);
    return samples;
}

static int forecast_with(forecast_args *args, const series_input *input, forecast_result *r)
{
    ms_model *model = NULL;
    double started = ms_clock_seconds();
    int code = cli_model_open("forecast", &args->model, &model);
    if (code != CLI_EXIT_OK)
        return code;
    r->load_seconds = ms_clock_seconds() - started;
    args->samples = samples_needed(args, model);
    if (args->samples > 0 && !allocate_samples(r, input->variates * args->horizon * args->samples)) {
        ms_model_free(model);
        return CLI_EXIT_FAILED;
    }
    ms_series series = { input->values, input->length, input->variates, 0 };
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    opts.horizon = args->horizon;
    opts.num_samples = args->samples;
    opts.quantiles = args->quantiles;
    opts.num_quantiles = args->num_quantiles;
    ms_forecast_output out = { r->mean, r->quantiles, NULL, args->samples ? r->samples : NULL };
    started = ms_clock_seconds();
    ms_status status = ms_model_forecast(model, &series, 1, &opts, &out);
    r->forecast_seconds = ms_clock_seconds() - started;
    if (status != MS_OK) {
        fprintf(stderr, "marketsim forecast: %s\n", ms_last_error());
        code = status == MS_ERR_INVALID_ARG ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
    } else if (args->json) {
        print_json(args, input, ms_model_name(model), r);
    } else {
        print_text(args, input, ms_model_name(model), r);
    }
    ms_model_free(model);
    return code;
}

int cli_forecast(int argc, char **argv)
{
    forecast_args args = { .column = MS_COL_CLOSE, .quantiles = { 0.1, 0.5, 0.9 },
                           .num_quantiles = 3, .model = { .options = MS_MODEL_OPTIONS_INIT } };
    int code = parse_args(argc, argv, &args);
    if (code >= 0)
        return code;
    cli_stop_install(true); /* nothing to finish: a stop exits at once */
    series_input input;
    if (!load_input(&args, &input))
        return CLI_EXIT_FAILED;
    size_t points = input.variates * args.horizon;
    forecast_result result = {
        .mean = calloc(points, sizeof(double)),
        .quantiles = calloc(points * args.num_quantiles + 1, sizeof(double)),
    };
    if (result.mean == NULL || result.quantiles == NULL) {
        fprintf(stderr, "marketsim forecast: out of memory\n");
        code = CLI_EXIT_FAILED;
    } else {
        code = forecast_with(&args, &input, &result);
    }
    free(result.mean);
    free(result.quantiles);
    free(result.samples);
    free(input.values);
    return code;
}
