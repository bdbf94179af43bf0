/*
 * alpaca_symbol.c - Alpaca's names for symbols: crypto pairs are "BTC/USD"
 * in both market data and orders, whatever spelling the caller used
 * (BTCUSD, BTC-USD, btc/usd); stock tickers are upper case.
 */
#include <ctype.h>
#include <string.h>

#include "alpaca_internal.h"

ms_status ms_alpaca_symbol(const char *symbol, char out[MS_ALPACA_SYMBOL_MAX])
{
    size_t len = symbol != NULL ? strlen(symbol) : 0;
    if (len == 0 || len >= MS_ALPACA_SYMBOL_MAX)
        return ms_error(MS_ERR_INVALID_ARG, "symbol '%s' must be 1 to %d characters",
                        symbol != NULL ? symbol : "", MS_ALPACA_SYMBOL_MAX - 1);
    bool crypto = ms_symbol_asset_class(symbol) == MS_ASSET_CRYPTO;
    size_t kept = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)symbol[i];
        if (!isalnum(c) && c != '.' && c != '/' && c != '-')
            return ms_error(MS_ERR_INVALID_ARG, "symbol '%s': character %zu is not a letter, digit, "
                            "'.', '/' or '-'", symbol, i + 1);
        if (!crypto || isalnum(c))
            out[kept++] = (char)toupper(c);
    }
    out[kept] = '\0';
    if (crypto) {
        /* ms_symbol_asset_class guarantees a short pair ending in "USD":
         * shift "USD" and its terminator right by one to make room. */
        memmove(out + kept - 2, out + kept - 3, 4);
        out[kept - 3] = '/';
    }
    return MS_OK;
}
