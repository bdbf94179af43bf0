/*
 * alpaca_config.c - resolving a broker's options and, when the caller opted
 * in (from_env), the environment (read in alpaca_env.c): paper or live,
 * the trading and data URLs, timeouts, retries and the request budget.
 * Options win over the environment, which wins over the defaults. Paper
 * is the default; live needs the option, from_env and
 * MARKETSIM_LIVE_TRADING=yes, and PAPER=1 forces paper.
 *
 * URLs are parsed (base_url.c), never compared as text: the live-host
 * check looks at the host libcurl will connect to, whatever its spelling.
 */
#include <math.h>
#include <string.h>

#include "alpaca_internal.h"

#define PAPER_URL "https://paper-api.alpaca.markets"
#define LIVE_HOST "api.alpaca.markets"
#define LIVE_URL "https://" LIVE_HOST
#define DATA_URL "https://data.alpaca.markets"

#define DEFAULT_CONNECT_TIMEOUT 10.0
#define DEFAULT_TIMEOUT 30.0
#define DEFAULT_MAX_RETRIES 5
/* Alpaca allows 200 requests a minute; the margin absorbs the bucket's
 * burst (rate_limiter.c). */
#define DEFAULT_REQUESTS_PER_MINUTE 190.0

/* The parsed, rebuilt URL into `out`; *live_host (when not NULL) tells
 * whether it is Alpaca's live trading host. */
static ms_status copy_url(char out[MS_ALPACA_URL_MAX], const char *url, const char *what,
                          bool *live_host)
{
    ms_base_url parsed;
    ms_status status = ms_base_url_parse(url, what, &parsed);
    if (status != MS_OK)
        return status;
    memcpy(out, parsed.text, MS_ALPACA_URL_MAX);
    if (live_host != NULL)
        *live_host = strcmp(parsed.host, LIVE_HOST) == 0;
    return MS_OK;
}

static ms_status resolve_trading_url(const ms_broker_options *opts, ms_alpaca_config *config)
{
    const char *url = ms_alpaca_option_or_env(opts, opts->trading_url, "APCA_API_BASE_URL");
    bool live_host = false;
    ms_status status = copy_url(config->trading_url, url != NULL ? url : config->live ? LIVE_URL : PAPER_URL,
                                "trading URL", &live_host);
    if (status == MS_OK && !config->live && live_host)
        return ms_error(MS_ERR_INVALID_ARG, "trading URL %s is Alpaca's live host but live trading "
                        "was not requested: use the paper host, or the live option with "
                        "MARKETSIM_LIVE_TRADING=yes", config->trading_url);
    return status;
}

/* 0 selects `fallback`; anything else must be positive and finite. */
static ms_status positive_or_default(double value, double fallback, const char *what, double *out)
{
    if (value == 0) {
        *out = fallback;
        return MS_OK;
    }
    if (!isfinite(value) || value < 0)
        return ms_error(MS_ERR_INVALID_ARG, "broker option %s must be positive (0: default), got %g",
                        what, value);
    *out = value;
    return MS_OK;
}

static ms_status resolve_numbers(const ms_broker_options *opts, ms_alpaca_config *config)
{
    if (opts->max_retries < -1)
        return ms_error(MS_ERR_INVALID_ARG, "broker option max_retries must be -1 (none), 0 (default) "
                        "or positive, got %d", opts->max_retries);
    config->max_retries = opts->max_retries == 0 ? DEFAULT_MAX_RETRIES
                          : opts->max_retries < 0 ? 0 : opts->max_retries;
    ms_status status = positive_or_default(opts->connect_timeout, DEFAULT_CONNECT_TIMEOUT,
                                           "connect_timeout", &config->connect_timeout);
    if (status == MS_OK)
        status = positive_or_default(opts->timeout, DEFAULT_TIMEOUT, "timeout", &config->timeout);
    if (status == MS_OK)
        status = positive_or_default(opts->requests_per_minute, DEFAULT_REQUESTS_PER_MINUTE,
                                     "requests_per_minute", &config->requests_per_minute);
    return status;
}

ms_status ms_alpaca_config_resolve(const ms_broker_options *opts, bool trading, ms_alpaca_config *out)
{
    memset(out, 0, sizeof *out);
    ms_status status = resolve_numbers(opts, out);
    if (status == MS_OK && trading)
        status = ms_alpaca_resolve_mode(opts, &out->live);
    if (status == MS_OK && trading)
        status = resolve_trading_url(opts, out);
    if (status == MS_OK) {
        const char *data_url = ms_alpaca_option_or_env(opts, opts->data_url, "APCA_API_DATA_URL");
        status = copy_url(out->data_url, data_url != NULL ? data_url : DATA_URL, "data URL", NULL);
    }
    if (status == MS_OK)
        status = ms_alpaca_keys_resolve(opts, &out->keys);
    return status;
}

ms_http_settings ms_alpaca_http_settings(const ms_alpaca_config *config, const char *base_url)
{
    ms_http_settings settings = {
        .connect_timeout = config->connect_timeout,
        .timeout = config->timeout,
        .max_retries = config->max_retries,
        .key_id = config->keys.present ? config->keys.key_id : NULL,
        .secret_key = config->keys.present ? config->keys.secret_key : NULL,
        .base_url = base_url,
    };
    return settings;
}
