/*
 * asset.c - asset classes and how a symbol name implies one
 * (strategies.md: crypto when, with '/' and '-' removed, the name is a
 * known crypto asset followed by USD).
 */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "data_internal.h"

static const char *const crypto_assets[] = {
    "BTC", "ETH", "SOL", "UNI", "LINK", "PAXG", "SUI", "LTC", "BCH", "DOGE",
    "AVAX", "DOT", "AAVE", "XRP", "ADA", "MATIC", "SHIB", "XTZ", "ALGO", "ATOM",
    "TRX", "XLM", "FIL", "NEAR", "APT", "ARB", "OP", "PEPE", "GRT", "MKR",
    "SUSHI", "YFI", "BAT", "CRV", "TON", "HBAR", "ETC", "BNB"
};

/* Longer names are no crypto pair: the longest asset is 5 letters + USD. */
#define MAX_PAIR_LEN 16

MS_API const char *ms_asset_class_name(ms_asset_class asset_class)
{
    switch (asset_class) {
    case MS_ASSET_STOCK: return "stock";
    case MS_ASSET_CRYPTO: return "crypto";
    }
    return "unknown";
}

MS_API ms_asset_class ms_symbol_asset_class(const char *symbol)
{
    if (symbol == NULL)
        return MS_ASSET_STOCK;
    char pair[MAX_PAIR_LEN + 1];
    size_t len = 0;
    for (const char *c = symbol; *c != '\0'; c++) {
        if (*c == '/' || *c == '-')
            continue;
        if (len == MAX_PAIR_LEN)
            return MS_ASSET_STOCK;
        pair[len++] = (char)toupper((unsigned char)*c);
    }
    if (len <= 3 || memcmp(pair + len - 3, "USD", 3) != 0)
        return MS_ASSET_STOCK;
    pair[len - 3] = '\0';
    for (size_t i = 0; i < MS_ARRAY_LEN(crypto_assets); i++)
        if (strcmp(pair, crypto_assets[i]) == 0)
            return MS_ASSET_CRYPTO;
    return MS_ASSET_STOCK;
}

MS_API void ms_symbol_canonical(const char *symbol, char out[MS_SYMBOL_CAPACITY])
{
    if (out == NULL)
        return;
    bool crypto = ms_symbol_asset_class(symbol) == MS_ASSET_CRYPTO;
    size_t kept = 0;
    for (const char *c = symbol != NULL ? symbol : ""; *c != '\0' && kept < MS_SYMBOL_CAPACITY - 1; c++)
        if (!crypto || (*c != '/' && *c != '-'))
            out[kept++] = (char)toupper((unsigned char)*c);
    out[kept] = '\0';
}

MS_API int ms_price_decimals(ms_asset_class asset_class, double price)
{
    if (asset_class != MS_ASSET_CRYPTO)
        return fabs(price) >= 1.0 || !isfinite(price) ? 2 : 4;
    if (!isfinite(price) || price == 0)
        return 2;
    /* six significant digits, from cents (a bitcoin) to 8 decimals (a meme coin) */
    int decimals = 6 - ((int)floor(log10(fabs(price))) + 1);
    return decimals < 2 ? 2 : decimals > 8 ? 8 : decimals;
}
