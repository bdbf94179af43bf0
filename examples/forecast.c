/*
 * forecast.c - forecast one symbol's next close: open a data source and a
 * model, warm the model up, feed it the symbol's recent percent changes and
 * print the predicted next close with a 10%..90% band.
 *
 *   forecast [SYMBOL [DATA [MODEL]]]
 *   defaults: AAPL  synthetic  baseline
 *   e.g.      forecast NVDA csv:../shared/data/daily toto
 * "toto" is found as the CLI finds it ($MARKETSIM_TOTO_DIR, the Hugging
 * Face cache): the program asks for the environment (ms_model_options_from_env).
 */
#include <stdio.h>
#include <stdlib.h>

#include <marketsim/marketsim.h>

/* Most percent changes fed to the model, as the analyzer's default. */
#define CONTEXT_LENGTH 512

static int failed(const char *what)
{
    fprintf(stderr, "forecast: %s: %s\n", what, ms_last_error());
    return 1;
}

/* The model forecasts percent changes (close_t / close_{t-1} - 1), not
 * prices: the last `*length` of them, oldest first, into a new array. */
static double *close_changes(const ms_bars *bars, size_t *length)
{
    const double *close = ms_bars_column(bars, MS_COL_CLOSE);
    size_t n = ms_bars_len(bars);
    size_t count = n - 1 < CONTEXT_LENGTH ? n - 1 : CONTEXT_LENGTH;
    double *changes = malloc(count * sizeof *changes);
    for (size_t i = 0; changes != NULL && i < count; i++) {
        size_t t = n - count + i;
        changes[i] = close[t] / close[t - 1] - 1.0;
    }
    *length = count;
    return changes;
}

/* One series, one step ahead: the exact mean and two quantiles. */
static int print_forecast(ms_model *model, const ms_bars *bars, const double *changes,
                          size_t length)
{
    static const double levels[2] = { 0.1, 0.9 };
    ms_series series = { changes, length, 1, 0 };
    ms_forecast_options opts = MS_FORECAST_OPTIONS_INIT;
    opts.quantiles = levels;
    opts.num_quantiles = 2;
    double mean = 0.0, band[2] = { 0.0, 0.0 };
    ms_forecast_output out = { .mean = &mean, .quantiles = band };
    if (ms_model_forecast(model, &series, 1, &opts, &out) != MS_OK)
        return failed("forecast");
    double last = ms_bars_column(bars, MS_COL_CLOSE)[ms_bars_len(bars) - 1];
    printf("%s (%s, %zu bars): last close %.4f\n", ms_bars_symbol(bars), ms_model_name(model),
           ms_bars_len(bars), last);
    printf("next close %.4f (%+.3f%%), 10%%..90%%: %.4f .. %.4f\n", last * (1.0 + mean),
           mean * 100.0, last * (1.0 + band[0]), last * (1.0 + band[1]));
    return 0;
}

int main(int argc, char **argv)
{
    const char *symbol = argc > 1 ? argv[1] : "AAPL";
    const char *data = argc > 2 ? argv[2] : "synthetic";
    const char *model_path = argc > 3 ? argv[3] : "baseline";
    ms_source *source = NULL;
    ms_model *model = NULL;
    ms_bars *bars = NULL;
    double *changes = NULL;
    size_t length = 0;
    int code = 1;
    ms_model_options model_options = MS_MODEL_OPTIONS_INIT;
    if (ms_model_options_from_env(&model_options) != MS_OK)
        code = failed("environment");
    else if (ms_source_open(&source, data, NULL) != MS_OK)
        code = failed("data source");
    else if (ms_source_load(source, symbol, &bars) != MS_OK)
        code = failed(symbol);
    else if (ms_bars_len(bars) < 2)
        fprintf(stderr, "forecast: %s: needs at least 2 bars\n", symbol);
    else if ((changes = close_changes(bars, &length)) == NULL)
        fprintf(stderr, "forecast: out of memory\n");
    else if (ms_model_open(&model, model_path, &model_options) != MS_OK)
        code = failed("model");
    /* Warming up pays one-time costs (kernel selection, allocation) before
     * the call that matters; the baseline model has none. */
    else if (ms_model_warmup(model, length, 1) != MS_OK)
        code = failed("warm-up");
    else
        code = print_forecast(model, bars, changes, length);
    free(changes);
    ms_model_free(model);
    ms_bars_free(bars);
    ms_source_free(source);
    return code;
}
