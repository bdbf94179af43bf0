/*
 * series_input.h - the context series `marketsim forecast` reads: a JSON
 * file ({"series": [[...], ...]}, variates x time) or one symbol's bars
 * from a data source. A series longer than MS_MODEL_MAX_CONTEXT keeps its
 * newest MS_MODEL_MAX_CONTEXT values, with a note on stderr.
 */
#ifndef MS_CLI_SERIES_INPUT_H
#define MS_CLI_SERIES_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "marketsim/data.h"

/* Values [variates][length], row-major, owned (free with free()). */
typedef struct series_input {
    double *values;
    size_t variates;
    size_t length;
} series_input;

/* Reads {"series": [[v, ...], ...]}: every row the same length >= 1, every
 * value a finite number. On failure prints a message naming the file and
 * the element to stderr and returns false. */
bool series_input_from_json(const char *path, series_input *out);

/* One column of a symbol's bars: the prices themselves (`levels`) or their
 * one-step percent changes (what the analyzer forecasts). Prints the
 * library's message and returns false on failure. */
bool series_input_from_bars(const ms_bars *bars, ms_column column, bool levels,
                            series_input *out);

#endif
