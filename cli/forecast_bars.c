/*
 * forecast_bars.c - `marketsim forecast` with a bar model (Kronos): reads
 * the context bars (a --bars-json file, or a symbol's bars with the times
 * to predict from ms_bars_next_times), predicts whole bars through
 * ms_model_forecast_bars and prints each step's open, high, low, close,
 * volume and amount with its time.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "forecast_bars.h"
#include "marketsim/marketsim.h"

static const char *const field_names[MS_BAR_FIELDS] = { "open", "high", "low", "close",
                                                        "volume", "amount" };

/* The context's columns and times, owned. */
typedef struct bar_input {
    size_t length, horizon;
    int64_t *timestamps, *future;
    double *columns[MS_BAR_FIELDS];   /* volume and amount may stay NULL */
} bar_input;

static void bar_input_free(bar_input *input)
{
    free(input->timestamps);
    free(input->future);
    for (int f = 0; f < MS_BAR_FIELDS; f++)
        free(input->columns[f]);
}

/* A time as an ISO 8601 string ("2024-03-26", "2024-03-26T09:30:00Z") or
 * UTC seconds. */
static bool read_time(const json_t *value, int64_t *out)
{
    if (json_is_integer(value)) {
        *out = (int64_t)json_integer_value(value);
        return true;
    }
    const char *text = json_string_value(value);
    if (text == NULL || ms_as_of_parse(text, out) != MS_OK)
        return false;
    /* ms_as_of_parse reads a bare date as the end of its day; a bar's date
     * is its start. */
    if (strspn(text, "0123456789-") == strlen(text))
        *out -= 86400 - 1;
    return true;
}

static bool read_times(const char *path, const json_t *root, const char *key, size_t *count,
                       int64_t **out)
{
    const json_t *array = json_object_get(root, key);
    if (!json_is_array(array) || json_array_size(array) == 0) {
        fprintf(stderr, "marketsim forecast: %s: \"%s\" must be a non-empty array of times\n",
                path, key);
        return false;
    }
    *count = json_array_size(array);
    *out = calloc(*count, sizeof **out);
    for (size_t i = 0; *out != NULL && i < *count; i++)
        if (!read_time(json_array_get(array, i), &(*out)[i])) {
            fprintf(stderr, "marketsim forecast: %s: %s[%zu] is not a time (YYYY-MM-DD, "
                    "YYYY-MM-DDTHH:MM:SS[Z] or UTC seconds)\n", path, key, i);
            return false;
        }
    return *out != NULL;
}

/* One column: `length` numbers; the library checks their values (NaN,
 * negative) and names the bar. A missing optional column stays NULL. */
static bool read_column(const char *path, const json_t *root, int field, size_t length,
                        bar_input *input)
{
    const char *key = field_names[field];
    const json_t *array = json_object_get(root, key);
    if (array == NULL && field >= 4)
        return true;
    if (!json_is_array(array) || json_array_size(array) != length) {
        fprintf(stderr, "marketsim forecast: %s: \"%s\" must be an array of %zu numbers, one "
                "per timestamp\n", path, key, length);
        return false;
    }
    double *values = calloc(length, sizeof *values);
    input->columns[field] = values;
    for (size_t i = 0; values != NULL && i < length; i++) {
        const json_t *value = json_array_get(array, i);
        /* null stands for NaN, which JSON cannot spell: refused by the model. */
        if (!json_is_number(value) && !json_is_null(value)) {
            fprintf(stderr, "marketsim forecast: %s: %s[%zu] is not a number\n", path, key, i);
            return false;
        }
        values[i] = json_is_null(value) ? NAN : json_number_value(value);
    }
    return values != NULL;
}

static bool input_from_json(const char *path, bar_input *input)
{
    json_error_t error;
    json_t *root = json_load_file(path, 0, &error);
    if (!json_is_object(root)) {
        fprintf(stderr, "marketsim forecast: %s: %s\n", path,
                root == NULL ? error.text : "expected a JSON object");
        json_decref(root);
        return false;
    }
    bool ok = read_times(path, root, "timestamps", &input->length, &input->timestamps)
              && read_times(path, root, "future_timestamps", &input->horizon, &input->future);
    for (int f = 0; ok && f < MS_BAR_FIELDS; f++)
        ok = read_column(path, root, f, input->length, input);
    json_decref(root);
    return ok;
}

static double *copy_column(const ms_bars *bars, ms_column column)
{
    size_t n = ms_bars_len(bars);
    double *copy = malloc(n * sizeof *copy);
    if (copy != NULL)
        memcpy(copy, ms_bars_column(bars, column), n * sizeof *copy);
    return copy;
}

/* A symbol's bars, the times to predict continuing its calendar. */
static bool input_from_source(const bar_forecast_args *args, bar_input *input)
{
    ms_source *source = NULL;
    ms_bars *bars = NULL;
    if (cli_source_open("forecast", args->data, NULL, 0, &source) != CLI_EXIT_OK)
        return false;
    bool ok = ms_source_load(source, args->symbol, &bars) == MS_OK;
    if (ok) {
        input->length = ms_bars_len(bars);
        input->horizon = args->horizon;
        input->timestamps = malloc(input->length * sizeof *input->timestamps);
        input->future = malloc(input->horizon * sizeof *input->future);
        for (int f = 0; f < 5; f++)
            input->columns[f] = copy_column(bars, (ms_column)f);
        ok = input->timestamps != NULL && input->future != NULL && input->columns[0]
             && input->columns[1] && input->columns[2] && input->columns[3] && input->columns[4];
        if (ok)
            memcpy(input->timestamps, ms_bars_timestamps(bars),
                   input->length * sizeof *input->timestamps);
        bool every_day = ms_symbol_asset_class(args->symbol) == MS_ASSET_CRYPTO;
        ok = ok && ms_bars_next_times(input->timestamps, input->length, every_day,
                                      input->horizon, input->future) == MS_OK;
    }
    if (!ok)
        fprintf(stderr, "marketsim forecast: %s: %s\n", args->symbol, ms_last_error());
    ms_bars_free(bars);
    ms_source_free(source);
    return ok;
}

static void format_time(int64_t seconds, char text[32])
{
    time_t t = (time_t)seconds;
    struct tm parts;
    gmtime_r(&t, &parts);
    strftime(text, 32, "%Y-%m-%dT%H:%M:%SZ", &parts);
}

static void print_json(const bar_forecast_args *args, const bar_input *input, const double *out,
                       double load_seconds, double seconds)
{
    json_t *steps = json_array();
    for (size_t h = 0; h < input->horizon; h++) {
        char when[32];
        format_time(input->future[h], when);
        json_t *step = json_pack("{s:s}", "timestamp", when);
        for (int f = 0; f < MS_BAR_FIELDS; f++)
            json_object_set_new(step, field_names[f], json_real(out[h * MS_BAR_FIELDS + f]));
        json_array_append_new(steps, step);
    }
    json_t *root = json_pack("{s:s,s:I,s:I,s:I,s:f,s:i,s:f,s:I,s:o,s:{s:f,s:f}}", "model",
                             "kronos", "horizon", (json_int_t)input->horizon, "context_length",
                             (json_int_t)input->length, "samples", (json_int_t)args->samples,
                             "temperature", args->temperature, "top_k", args->top_k, "top_p",
                             args->top_p, "seed", (json_int_t)args->seed, "bars", steps,
                             "timings", "load", load_seconds, "forecast", seconds);
    json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    fputc('\n', stdout);
    json_decref(root);
}

static void print_text(const bar_input *input, const double *out, double load_seconds,
                       double seconds)
{
    printf("model kronos | context %zu bars | horizon %zu | load %.3f s, forecast %.4f s\n\n",
           input->length, input->horizon, load_seconds, seconds);
    printf("%-20s", "time");
    for (int f = 0; f < MS_BAR_FIELDS; f++)
        printf(" %13s", field_names[f]);
    printf("\n");
    for (size_t h = 0; h < input->horizon; h++) {
        char when[32];
        format_time(input->future[h], when);
        printf("%-20s", when);
        for (int f = 0; f < MS_BAR_FIELDS; f++)
            printf(" %13.6g", out[h * MS_BAR_FIELDS + f]);
        printf("\n");
    }
}

static int predict(const bar_forecast_args *args, const bar_input *input, ms_model *model,
                   double load_seconds)
{
    ms_bar_forecast_options opts;
    int code = cli_init_status("forecast", "bar forecast options",
                               ms_bar_forecast_options_init(&opts, MS_BAR_FORECAST_OPTIONS_VERSION));
    if (code != CLI_EXIT_OK)
        return code;
    double *out = calloc(input->horizon * MS_BAR_FIELDS, sizeof *out);
    if (out == NULL) {
        fprintf(stderr, "marketsim forecast: out of memory\n");
        return CLI_EXIT_FAILED;
    }
    ms_bar_context context = { input->length, input->timestamps, input->columns[0],
                               input->columns[1], input->columns[2], input->columns[3],
                               input->columns[4], input->columns[5], input->future, 0 };
    opts.horizon = input->horizon;
    opts.max_context = args->context_length;
    opts.num_samples = args->samples;
    opts.temperature = args->temperature;
    opts.top_k = args->top_k;
    opts.top_p = args->top_p;
    opts.seed = args->seed;
    double started = ms_clock_seconds();
    ms_status status = ms_model_forecast_bars(model, &context, 1, &opts, out);
    double seconds = ms_clock_seconds() - started;
    if (status != MS_OK) {
        fprintf(stderr, "marketsim forecast: %s%s%s\n",
                args->bars_json != NULL ? args->bars_json : args->symbol, ": ", ms_last_error());
        code = status == MS_ERR_INVALID_ARG ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
    } else if (args->json) {
        print_json(args, input, out, load_seconds, seconds);
    } else {
        print_text(input, out, load_seconds, seconds);
    }
    free(out);
    return code;
}

int cli_forecast_bars(const bar_forecast_args *args, ms_model *model, double load_seconds)
{
    bar_input input = { 0 };
    bool ok = args->bars_json != NULL ? input_from_json(args->bars_json, &input)
                                      : input_from_source(args, &input);
    int code = CLI_EXIT_FAILED;
    if (ok && args->bars_json != NULL && args->horizon != 0 && args->horizon != input.horizon)
        code = cli_usage_error("forecast", "--horizon %zu but %s has %zu future_timestamps",
                               args->horizon, args->bars_json, input.horizon);
    else if (ok)
        code = predict(args, &input, model, load_seconds);
    bar_input_free(&input);
    return code;
}
