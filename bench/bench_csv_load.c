/*
 * bench_csv_load.c - times loading one daily CSV file through a csv source
 * (read, parse, validate, order): the data phase of an analysis, per
 * symbol. Usage: bench_csv_load [DIR [SYMBOL]] (default ../shared/data/daily JD).
 */
#include <stdio.h>

#include "marketsim/marketsim.h"

#define LOADS 200

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "../shared/data/daily";
    const char *symbol = argc > 2 ? argv[2] : "JD";
    char uri[1024];
    snprintf(uri, sizeof uri, "csv:%s", dir);
    ms_source *source = NULL;
    ms_bars *bars = NULL;
    if (ms_source_open(&source, uri, NULL) != MS_OK || ms_source_load(source, symbol, &bars) != MS_OK) {
        fprintf(stderr, "bench_csv_load: %s\n", ms_last_error());
        ms_source_free(source);
        return 1;
    }
    size_t rows = ms_bars_len(bars);
    ms_bars_free(bars);
    double start = ms_clock_seconds();
    for (int i = 0; i < LOADS; i++) {
        ms_source_load(source, symbol, &bars);
        ms_bars_free(bars);
    }
    double per_load = (ms_clock_seconds() - start) / LOADS;
    printf("csv load: %s (%zu rows): %.1f us per load, %.0f rows/s\n", symbol, rows,
           per_load * 1e6, rows / per_load);
    ms_source_free(source);
    return 0;
}
