/*
 * data_source.c - opening the data source a `--data URI` names. The data
 * layer serves csv: and synthetic:; Alpaca market data lives in the broker
 * layer (it needs HTTP), so "alpaca[:TIMEFRAME]" is routed here.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "marketsim/broker.h"

int cli_source_open(const char *command, const char *uri, const ms_source_options *opts,
                    ms_source **out)
{
    ms_status status;
    if (uri != NULL && strncmp(uri, "alpaca", 6) == 0 && (uri[6] == '\0' || uri[6] == ':')) {
        const char *timeframe = uri[6] == ':' ? uri + 7 : "1Day";
        status = ms_source_open_alpaca(out, timeframe, NULL);
    } else {
        status = ms_source_open(out, uri, opts);
    }
    if (status == MS_OK)
        return CLI_EXIT_OK;
    fprintf(stderr, "marketsim %s: data: %s\n", command, ms_last_error());
    return status == MS_ERR_INVALID_ARG ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
}
