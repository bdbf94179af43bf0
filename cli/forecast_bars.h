/*
 * forecast_bars.h - `marketsim forecast` with a bar model (Kronos,
 * forecast_bars.c): its own input (--bars-json, or a symbol's bars) and
 * KronosPredictor's settings.
 */
#ifndef MS_CLI_FORECAST_BARS_H
#define MS_CLI_FORECAST_BARS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marketsim/model.h"

typedef struct bar_forecast_args {
    const char *bars_json;      /* or data + symbol */
    const char *data, *symbol;
    size_t horizon;             /* 0: as many as the file's future_timestamps */
    size_t context_length;      /* the predictor's max context; 0 = the model's */
    size_t samples;             /* paths averaged, >= 1 */
    double temperature, top_p;
    int top_k;
    uint64_t seed;
    bool json;
} bar_forecast_args;

/* Predicts and prints the bars after the input's last one with `model`
 * (borrowed). Messages name the file and the field at fault. Returns a
 * CLI exit code. */
int cli_forecast_bars(const bar_forecast_args *args, ms_model *model, double load_seconds);

#endif
