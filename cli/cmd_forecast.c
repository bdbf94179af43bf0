/*
 * cmd_forecast.c - `marketsim forecast`: one context series (from a JSON
 * file or a symbol's bars) through a model, printing the mean, quantiles
 * and optionally samples for each step of the horizon, and for a symbol's
 * prices each step's date and price beside its percent change; with a bar
 * model (Kronos) whole bars instead (forecast_bars.c).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "marketsim/marketsim.h"
#include "forecast_bars.h"
#include "series_input.h"

static const cli_usage usage = {
    "usage: marketsim forecast (--series-json FILE | --bars-json FILE | --data URI --symbol X)\n"
    "                          --horizon H [options]\n"
    "\n"
    "With a Kronos model (--model kronos-mini|kronos-small|kronos-base or a directory with\n"
    "tokenizer/ and model/) whole bars are predicted: open, high, low, close, volume, amount\n"
    "per step, at the next sessions' times (daily bars) or bar interval (intraday bars).\n"
    "\n",
    NULL,
};

enum { OPT_SERIES_JSON = 256, OPT_DATA, OPT_SYMBOL, OPT_COLUMN, OPT_LEVELS, OPT_HORIZON,
       OPT_SAMPLES, OPT_QUANTILES, OPT_JSON, OPT_BARS_JSON, OPT_CONTEXT_LENGTH, OPT_TEMPERATURE,
       OPT_TOP_K, OPT_TOP_P, OPT_SEED };

static const cli_flag flags[] = {
    { "series-json", required_argument, OPT_SERIES_JSON, "FILE",
      "{\"series\": [[...], ...]}: variates x time, oldest first" },
    { "data", required_argument, OPT_DATA, "URI",
      "with --symbol: csv:DIR, synthetic[...] or alpaca[:TIMEFRAME]" },
    { "symbol", required_argument, OPT_SYMBOL, "X", "the symbol whose bars are the series" },
    { "column", required_argument, OPT_COLUMN, "NAME", "close (default), open, high, low or volume" },
    { "levels", no_argument, OPT_LEVELS, NULL, "forecast the column itself, not its percent changes" },
    { "horizon", required_argument, OPT_HORIZON, "H", "steps ahead (required)" },
    { "samples", required_argument, OPT_SAMPLES, "S",
      "draw S samples; quantiles then come from them (Kronos:\nsample paths averaged, default 1)" },
    { "quantiles", required_argument, OPT_QUANTILES, "LIST", "levels in (0,1), default 0.1,0.5,0.9" },
    { "json", no_argument, OPT_JSON, NULL, "one JSON document: mean, quantiles, samples, timings" },
    { "bars-json", required_argument, OPT_BARS_JSON, "FILE",
      "Kronos: {\"timestamps\", \"open\", \"high\", \"low\", \"close\", \"volume\",\n"
      "\"amount\" (optional), \"future_timestamps\"}: arrays, times ISO" },
    { "context-length", required_argument, OPT_CONTEXT_LENGTH, "N",
      "Kronos: the predictor's max context (default 512; 2048 for\nkronos-mini)" },
    { "temperature", required_argument, OPT_TEMPERATURE, "T", "Kronos: sampling temperature (default 1)" },
    { "top-k", required_argument, OPT_TOP_K, "K", "Kronos: keep the K likeliest tokens; 0 = off (default 0)" },
    { "top-p", required_argument, OPT_TOP_P, "P", "Kronos: nucleus sampling mass in (0, 1] (default 0.9)" },
    { "seed", required_argument, OPT_SEED, "N", "random stream, for any model's samples (default 0)" },
    CLI_MODEL_FLAGS,
    CLI_HELP_FLAG,
    { NULL },
};

/* The last bar of a symbol's series, to put dates and prices beside the
 * forecast percent changes; `known` is false for a JSON series. */
typedef struct bar_anchor {
    bool known;
    int64_t last_time;
    double last_price;
    ms_asset_class asset_class;
} bar_anchor;

typedef struct forecast_args {
    const char *series_json, *data, *symbol;
    ms_column column;
    bool levels, json;
    size_t horizon, samples;
    double quantiles[32];
    size_t num_quantiles;
    cli_model_args model;
    bar_anchor anchor;
    bar_forecast_args bars;
    const char *bar_flag;   /* a Kronos-only flag given, for the message with another model */
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

/* The flags of bar models; the library checks their ranges. */
static int apply_bar_flag(forecast_args *args, int option, const char *value)
{
    bar_forecast_args *bars = &args->bars;
    bool ok = true;
    switch (option) {
    case OPT_BARS_JSON: bars->bars_json = value; return CLI_EXIT_OK;
    case OPT_CONTEXT_LENGTH:
        ok = cli_parse_size(value, &bars->context_length) && bars->context_length > 0;
        break;
    case OPT_TEMPERATURE: ok = cli_parse_double(value, &bars->temperature); break;
    case OPT_TOP_K: ok = cli_parse_int(value, &bars->top_k); break;
    case OPT_TOP_P: ok = cli_parse_double(value, &bars->top_p); break;
    case OPT_SEED: {
        size_t seed = 0;
        ok = cli_parse_size(value, &seed);
        bars->seed = seed;
        break;
    }
    default: return cli_usage_error("forecast", "unknown option");
    }
    if (!ok)
        return cli_usage_error("forecast", "bad value '%s' for a Kronos sampling flag", value);
    if (option != OPT_SEED)
        args->bar_flag = value;
    return CLI_EXIT_OK;
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
    return apply_bar_flag(args, option, value);
}

static int parse_args(int argc, char **argv, forecast_args *args)
{
    int code = cli_model_args_init("forecast", &args->model);
    if (code != CLI_EXIT_OK)
        return code;
    code = cli_parse_flag_table("forecast", argc, argv, flags, &usage, apply_flag, args);
    if (code >= 0)
        return code;
    int inputs = (args->series_json != NULL) + (args->symbol != NULL) + (args->bars.bars_json != NULL);
    if (inputs != 1)
        return cli_usage_error("forecast", "give one of --series-json FILE, --bars-json FILE or "
                               "--symbol X (with --data URI)");
    if (args->horizon == 0 && args->bars.bars_json == NULL)
        return cli_usage_error("forecast", "--horizon is required");
    return -1;
}

static bool load_input(forecast_args *args, series_input *input)
{
    if (args->series_json != NULL)
        return series_input_from_json(args->series_json, input);
    ms_source *source = NULL;
    ms_bars *bars = NULL;
    if (cli_source_open("forecast", args->data, NULL, 0, &source) != CLI_EXIT_OK)
        return false;
    bool ok = ms_source_load(source, args->symbol, &bars) == MS_OK;
    if (!ok)
        fprintf(stderr, "marketsim forecast: %s\n", ms_last_error());
    ok = ok && series_input_from_bars(bars, args->column, args->levels, input);
    if (ok && !args->levels && args->column != MS_COL_VOLUME) {
        size_t last = ms_bars_len(bars) - 1;
        args->anchor = (bar_anchor){ true, ms_bars_timestamps(bars)[last],
                                     ms_bars_column(bars, args->column)[last],
                                     ms_symbol_asset_class(args->symbol) };
    }
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

/* A time's UTC date as YYYY-MM-DD into `out`, "-" when it cannot be had. */
static const char *utc_date(int64_t timestamp, char *out, size_t size)
{
    time_t seconds = (time_t)timestamp;
    struct tm utc;
    if (gmtime_r(&seconds, &utc) == NULL || strftime(out, size, "%Y-%m-%d", &utc) == 0)
        snprintf(out, size, "-");
    return out;
}

/* The forecast changes of a symbol's prices as dated prices: step h's
 * date is the h-th next bar's (ms_next_bar_time), its price the mean path
 * compounded from the last bar, and each quantile's price that step's
 * quantile change applied to the mean path's price the step before. */
static void print_dated(const forecast_args *args, const forecast_result *r)
{
    static const char *const columns[] = { "open", "high", "low", "close", "volume" };
    const bar_anchor *a = &args->anchor;
    char date[16];
    size_t H = args->horizon;
    printf("\n%s %s: last bar %s at %.6g\n%-6s %-10s %10s %14s", args->symbol,
           columns[args->column], utc_date(a->last_time, date, sizeof date),
           a->last_price, "step", "date", "change %", "price");
    for (size_t q = 0; q < args->num_quantiles; q++)
        printf("  q%-12g", args->quantiles[q]);
    printf("\n");
    double price = a->last_price;
    for (size_t h = 0; h < H; h++) {
        double before = price;
        price *= 1.0 + r->mean[h];
        printf("%-6zu %-10s %+10.3f %14.6g", h + 1,
               utc_date(ms_next_bar_time(a->last_time, a->asset_class, h + 1), date, sizeof date),
               100.0 * r->mean[h], price);
        for (size_t q = 0; q < args->num_quantiles; q++)
            printf("  %13.6g", before * (1.0 + r->quantiles[q * H + h]));
        printf("\n");
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

static int forecast_with(forecast_args *args, const series_input *input, ms_model *model,
                         forecast_result *r)
{
    args->samples = samples_needed(args, model);
    if (args->samples > 0 && !allocate_samples(r, input->variates * args->horizon * args->samples))
        return CLI_EXIT_FAILED;
    ms_series series = { input->values, input->length, input->variates, args->bars.seed };
    ms_forecast_options opts;
    int code = cli_init_status("forecast", "forecast options",
                               ms_forecast_options_init(&opts, MS_FORECAST_OPTIONS_VERSION));
    if (code != CLI_EXIT_OK)
        return code;
    opts.horizon = args->horizon;
    opts.num_samples = args->samples;
    opts.quantiles = args->quantiles;
    opts.num_quantiles = args->num_quantiles;
    ms_forecast_output out = { r->mean, r->quantiles, NULL, args->samples ? r->samples : NULL };
    double started = ms_clock_seconds();
    ms_status status = ms_model_forecast(model, &series, 1, &opts, &out);
    r->forecast_seconds = ms_clock_seconds() - started;
    if (status != MS_OK) {
        fprintf(stderr, "marketsim forecast: %s\n", ms_last_error());
        code = status == MS_ERR_INVALID_ARG ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
    } else if (args->json) {
        print_json(args, input, ms_model_name(model), r);
    } else {
        print_text(args, input, ms_model_name(model), r);
        if (args->anchor.known)
            print_dated(args, r);
    }
    return code;
}

static int forecast_series(forecast_args *args, ms_model *model, double load_seconds)
{
    int code;
    series_input input;
    if (!load_input(args, &input))
        return CLI_EXIT_FAILED;
    size_t points = input.variates * args->horizon;
    forecast_result result = {
        .mean = calloc(points, sizeof(double)),
        .quantiles = calloc(points * args->num_quantiles + 1, sizeof(double)),
        .load_seconds = load_seconds,
    };
    if (result.mean == NULL || result.quantiles == NULL) {
        fprintf(stderr, "marketsim forecast: out of memory\n");
        code = CLI_EXIT_FAILED;
    } else {
        code = forecast_with(args, &input, model, &result);
    }
    free(result.mean);
    free(result.quantiles);
    free(result.samples);
    free(input.values);
    return code;
}

/* A bar model gets the bars themselves; its sampling flags mean nothing
 * to a series model. */
static int forecast_series_or_bars(forecast_args *args, ms_model *model, double load_seconds)
{
    if (strcmp(ms_model_name(model), "kronos") == 0) {
        bar_forecast_args *bars = &args->bars;
        bars->data = args->data;
        bars->symbol = args->symbol;
        bars->horizon = args->horizon;
        bars->samples = args->samples > 0 ? args->samples : 1;
        bars->json = args->json;
        return cli_forecast_bars(bars, model, load_seconds);
    }
    if (args->bars.bars_json != NULL || args->bar_flag != NULL)
        return cli_usage_error("forecast", "--bars-json, --context-length, --temperature, --top-k "
                               "and --top-p need a Kronos model (--model kronos-small, ...), "
                               "not '%s'", ms_model_name(model));
    return forecast_series(args, model, load_seconds);
}

int cli_forecast(int argc, char **argv)
{
    forecast_args args = { .column = MS_COL_CLOSE, .quantiles = { 0.1, 0.5, 0.9 },
                           .num_quantiles = 3, .bars = { .temperature = 1.0, .top_p = 0.9 } };
    int code = parse_args(argc, argv, &args);
    if (code >= 0)
        return code;
    cli_stop_install(true); /* nothing to finish: a stop exits at once */
    ms_model *model = NULL;
    double started = ms_clock_seconds();
    code = cli_model_open("forecast", &args.model, &model);
    if (code != CLI_EXIT_OK)
        return code;
    code = forecast_series_or_bars(&args, model, ms_clock_seconds() - started);
    ms_model_free(model);
    return code;
}
