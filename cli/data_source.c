/*
 * data_source.c - opening the data source a `--data URI` names through the
 * library's scheme table (ms_source_open: csv:, synthetic:, alpaca:), with
 * the failure said as the CLI says it.
 */
#include <stdio.h>

#include "cli.h"

int cli_source_open(const char *command, const char *uri, const ms_source_options *opts,
                    ms_source **out)
{
    ms_status status = ms_source_open(out, uri, opts);
    if (status == MS_OK)
        return CLI_EXIT_OK;
    fprintf(stderr, "marketsim %s: data: %s\n", command, ms_last_error());
    return status == MS_ERR_INVALID_ARG ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
}
