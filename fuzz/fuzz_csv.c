/*
 * fuzz_csv.c - feeds arbitrary bytes to the CSV bars parser
 * (ms_bars_parse_csv, the in-memory entry ms_bars_load_csv reads files
 * through), once under MS_OHLC_REJECT and once under MS_OHLC_REPAIR.
 *
 * Asserts, besides no crash, leak or undefined behaviour, what data.h
 * promises of a series it returns: at least one bar, timestamps strictly
 * increasing, prices finite and > 0, volume finite and >= 0, high and low
 * containing open and close within the tolerance; and that a text
 * accepted under REJECT is accepted under REPAIR with the same bars (a
 * repair only widens bars that REJECT refuses).
 */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_support.h"
#include "marketsim/data.h"

/* Slack for the containment checks: both policies keep a high/low that
 * misses open/close by up to the relative tolerance (1e-6); twice that
 * leaves room for the rounding of the library's own comparison. */
#define CONTAINMENT_SLACK 2e-6

static void check_bars(const ms_bars *bars, double slack)
{
    size_t n = ms_bars_len(bars);
    FUZZ_CHECK(n >= 1);
    const int64_t *time = ms_bars_timestamps(bars);
    const double *open = ms_bars_column(bars, MS_COL_OPEN);
    const double *high = ms_bars_column(bars, MS_COL_HIGH);
    const double *low = ms_bars_column(bars, MS_COL_LOW);
    const double *close = ms_bars_column(bars, MS_COL_CLOSE);
    const double *volume = ms_bars_column(bars, MS_COL_VOLUME);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(i == 0 || time[i] > time[i - 1]);
        const double prices[] = { open[i], high[i], low[i], close[i] };
        for (size_t p = 0; p < 4; p++)
            FUZZ_CHECK(isfinite(prices[p]) && prices[p] > 0);
        FUZZ_CHECK(isfinite(volume[i]) && volume[i] >= 0);
        double top = fmax(open[i], close[i]), bottom = fmin(open[i], close[i]);
        FUZZ_CHECK(high[i] >= top * (1 - slack));
        FUZZ_CHECK(low[i] <= bottom * (1 + slack));
    }
}

static void check_same_bars(const ms_bars *a, const ms_bars *b)
{
    size_t n = ms_bars_len(a);
    FUZZ_CHECK(ms_bars_len(b) == n);
    FUZZ_CHECK(memcmp(ms_bars_timestamps(a), ms_bars_timestamps(b), n * sizeof(int64_t)) == 0);
    for (int c = MS_COL_OPEN; c <= MS_COL_VOLUME; c++)
        FUZZ_CHECK(memcmp(ms_bars_column(a, c), ms_bars_column(b, c), n * sizeof(double)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    ms_bars_options reject = MS_BARS_OPTIONS_INIT, repair = MS_BARS_OPTIONS_INIT;
    repair.ohlc_policy = MS_OHLC_REPAIR;
    ms_bars *rejected = NULL, *repaired = NULL;
    bool reject_ok = ms_bars_parse_csv(&rejected, text, size, "fuzz.csv", "FUZZ", &reject) == MS_OK;
    bool repair_ok = ms_bars_parse_csv(&repaired, text, size, "fuzz.csv", "FUZZ", &repair) == MS_OK;
    if (reject_ok)
        check_bars(rejected, CONTAINMENT_SLACK);
    if (repair_ok)
        check_bars(repaired, CONTAINMENT_SLACK);
    if (reject_ok) {
        FUZZ_CHECK(repair_ok);
        check_same_bars(rejected, repaired);
    }
    ms_bars_free(rejected);
    ms_bars_free(repaired);
    return 0;
}
