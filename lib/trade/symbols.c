/*
 * symbols.c - symbols as the trade cycle meets them (analysed "BTCUSD",
 * ordered "BTC/USD", held "BTCUSD") and the deterministic client_order_ids
 * built from them: "ms-<YYYYMMDD>-<SYMBOL>-<side>-<leg>".
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "trade_internal.h"

ms_status ms_trade_broker_symbol(const char *symbol, char out[32])
{
    size_t length = strlen(symbol);
    if (length == 0 || length > 30)
        return ms_error(MS_ERR_INVALID_ARG, "symbol '%s' must be 1 to 30 characters", symbol);
    ms_symbol_canonical(symbol, out);
    size_t kept = strlen(out);
    /* A crypto key is "<asset>USD" (ms_symbol_asset_class): the pair's
     * slash goes before the USD. */
    if (ms_symbol_asset_class(symbol) == MS_ASSET_CRYPTO && kept > 3) {
        memmove(out + kept - 2, out + kept - 3, 4);
        out[kept - 3] = '/';
    }
    return MS_OK;
}

void ms_trade_cycle_date(int64_t time, char out[9])
{
    time_t seconds = (time_t)time;
    struct tm utc;
    if (gmtime_r(&seconds, &utc) == NULL || strftime(out, 9, "%Y%m%d", &utc) != 8)
        snprintf(out, 9, "00000000");
}

static ms_status check_symbol(const char *symbol)
{
    for (const char *c = symbol; *c != '\0'; c++)
        if (!isalnum((unsigned char)*c) && *c != '.' && *c != '/' && *c != '-')
            return ms_error(MS_ERR_INVALID_ARG, "symbol '%s': character '%c' cannot be part of an "
                            "order id", symbol, *c);
    return *symbol != '\0' ? MS_OK : ms_error(MS_ERR_INVALID_ARG, "empty symbol");
}

MS_API ms_status ms_trade_order_id(int64_t cycle_time, const char *symbol, int side,
                                   const char *leg, char *out, size_t size)
{
    if (symbol == NULL || leg == NULL || *leg == '\0' || out == NULL || (side != 1 && side != -1))
        return ms_error(MS_ERR_INVALID_ARG, "ms_trade_order_id: NULL argument, empty leg or side "
                        "not +1/-1");
    ms_status status = check_symbol(symbol);
    if (status != MS_OK)
        return status;
    /* Without '/' and '-' for every asset, so "BTC/USD" and "BTCUSD" agree. */
    char key[32];
    if (strlen(symbol) >= sizeof key)
        return ms_error(MS_ERR_INVALID_ARG, "symbol '%.40s...' is longer than %zu characters",
                        symbol, sizeof key - 1);
    size_t kept = 0;
    for (const char *c = symbol; *c != '\0' && kept < sizeof key - 1; c++)
        if (*c != '/' && *c != '-')
            key[kept++] = (char)toupper((unsigned char)*c);
    key[kept] = '\0';
    char date[9];
    ms_trade_cycle_date(cycle_time, date);
    int length = snprintf(out, size, "ms-%s-%s-%s-%s", date, key, side > 0 ? "buy" : "sell", leg);
    if (length < 0 || (size_t)length >= size)
        return ms_error(MS_ERR_INVALID_ARG, "order id for %s (%s) would be %d characters: room "
                        "for %zu", symbol, leg, length, size - 1);
    return MS_OK;
}
