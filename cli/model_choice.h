/*
 * model_choice.h - `marketsim analyze --model A,B,...` (model_choice.c):
 * each symbol analysed with every model, the better model chosen per
 * symbol.
 */
#ifndef MS_CLI_MODEL_CHOICE_H
#define MS_CLI_MODEL_CHOICE_H

#include <stdbool.h>

#include "cli.h"

/* Runs the analysis once per comma-separated model of args->model.path,
 * prints every report and the choice per symbol (text or JSON), and with
 * args->html writes the choice page there and one report page per model
 * beside it. Returns a CLI exit code (CLI_EXIT_FAILED when some symbol
 * failed under some model). */
int cli_analyze_models(const char *command, const cli_analysis_args *args, bool json);

#endif
