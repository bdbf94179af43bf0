/*
 * data_source.c - opening the data source a `--data URI` names through the
 * library's scheme table (ms_source_open: csv:, synthetic:, alpaca:), with
 * the failure said as the CLI says it. The CLI opts in to the environment
 * (from_env), so alpaca: finds its keys, URLs and cache as it always has.
 * Also the broker `--broker` names, or the CLI's default when it names none.
 */
#include <stdio.h>

#include "cli.h"

int cli_source_open(const char *command, const char *uri, const ms_bars_options *bars,
                    size_t synthetic_bars, ms_source **out)
{
    ms_source_options opts;
    int code = cli_init_status(command, "source options",
                               ms_source_options_init(&opts, MS_SOURCE_OPTIONS_VERSION));
    if (code != CLI_EXIT_OK)
        return code;
    if (bars != NULL)
        opts.bars = *bars;
    opts.synthetic_bars = synthetic_bars;
    opts.from_env = 1;
    ms_status status = ms_source_open(out, uri, &opts);
    if (status == MS_OK)
        return CLI_EXIT_OK;
    fprintf(stderr, "marketsim %s: data: %s\n", command, ms_last_error());
    return status == MS_ERR_INVALID_ARG ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
}

ms_status cli_broker_uri(const char *named, const ms_broker_options *opts, char *buffer,
                         size_t size, const char **uri)
{
    *uri = named;
    if (named != NULL && *named != '\0')
        return MS_OK;
    *uri = buffer;
    return ms_broker_default_uri(opts, buffer, size);
}
