/*
 * synthetic.c - the built-in market: deterministic, realistic daily bars
 * for any symbol name, so the whole pipeline runs with no data and no keys.
 *
 * Determinism: the bars depend only on (seed, symbol). The symbol is
 * upper-cased and stripped of '/' and '-' (BTC/USD, btc-usd and BTCUSD are
 * one market, as in csv sources), hashed with FNV-1a, mixed with the seed
 * and fed through splitmix64 into xoshiro256** (core's ms_rng). Nothing depends
 * on the clock, the locale or shared state, so loads are thread-safe. (The
 * prices go through exp/log/sqrt, so two different C math libraries may
 * disagree in the last bit; one build always gives the same bars.)
 *
 * Calendar: the last bar is always 2026-01-02 00:00 UTC (a Friday) and the
 * series runs backwards from it; crypto trades every calendar day, stocks
 * Monday to Friday (holidays are not modelled).
 *
 * Model, per bar t, with h_t the conditional variance of the log return:
 *   shock_t = sqrt(h_t) * z_t + J_t
 *     z_t: Student-t with 6 degrees of freedom, scaled to unit variance;
 *     J_t: Poisson(jump_rate) jumps, each of random sign and size
 *          jump_size * U(0.5, 1.5);
 *   log(C_t / C_{t-1}) = drift + shock_t     (drift: the median growth)
 *   h_{t+1} = omega + alpha * shock_t^2 + beta * h_t   (GARCH(1,1)),
 *     omega = sigma^2 * (1 - alpha - beta), so sigma is the long-run daily
 *     volatility; h is capped at (4 sigma)^2 so a run of jumps cannot
 *     explode it;
 *   O_t = C_{t-1} * exp(gap * sqrt(h_t) * N)       (overnight gap)
 *   H_t = max(O_t, C_t) * exp(wick * sqrt(h_t) * |N|),
 *   L_t = min(O_t, C_t) * exp(-wick * sqrt(h_t) * |N|)
 *   V_t = base_volume * exp(0.3 N + 0.5 |shock_t| / sigma): busier on big
 *     moves; whole shares for stocks.
 * Per symbol, from the hash: the start price (log-uniform in [5, 500]),
 * sigma (the class's sigma times 0.7 .. 1.4) and base_volume (log-uniform
 * in the class's range).
 *
 *                   sigma  drift   alpha beta  jump_rate jump_size gap  wick
 *   stock           0.018  0.0003  0.08  0.90  0.010     0.05      0.25 0.5
 *   crypto          0.035  0.0005  0.10  0.88  0.020     0.08      0.05 0.6
 * Crypto trades around the clock, so its open gap is tiny. Base volume:
 * stocks 1e5 .. 2e7 shares, crypto 1e4 .. 1e7 units.
 */
#include <ctype.h>
#include <math.h>

#include "data_internal.h"

typedef struct market_params {
    double sigma;          /* long-run daily volatility of log returns */
    double drift;          /* daily drift of log returns */
    double alpha, beta;    /* GARCH(1,1) reaction and persistence */
    double jump_rate;      /* expected jumps per bar */
    double jump_size;      /* typical absolute log jump */
    double gap;            /* open gap, in units of the day's volatility */
    double wick;           /* high/low reach beyond the body, same units */
    double volume_low, volume_high;
} market_params;

static const market_params stock_market = {
    0.018, 0.0003, 0.08, 0.90, 0.010, 0.05, 0.25, 0.5, 1e5, 2e7
};
static const market_params crypto_market = {
    0.035, 0.0005, 0.10, 0.88, 0.020, 0.08, 0.05, 0.6, 1e4, 1e7
};

#define TAIL_DOF 6

/* The last bar of every series: a fixed date, never "today", so a seed
 * means the same bars whenever it is run. */
#define END_YEAR 2026
#define END_MONTH 1
#define END_DAY 2
#define VARIANCE_CAP_SIGMAS 4.0

/* What the hash fixes for one symbol. */
typedef struct symbol_traits {
    double start_price;
    double sigma;
    double base_volume;
} symbol_traits;

static uint64_t market_key(const char *symbol, uint64_t seed)
{
    uint64_t hash = MS_FNV1A_OFFSET;
    for (const char *c = symbol; *c != '\0'; c++)
        if (*c != '/' && *c != '-')
            hash = ms_fnv1a_byte(hash, (unsigned char)toupper((unsigned char)*c));
    /* Multiplying by the golden-ratio constant spreads consecutive seeds. */
    return hash ^ (seed * 0x9e3779b97f4a7c15ULL);
}

static double log_uniform(ms_rng *rng, double low, double high)
{
    return low * exp(ms_rng_uniform(rng) * log(high / low));
}

static symbol_traits draw_traits(ms_rng *rng, const market_params *market)
{
    symbol_traits traits;
    traits.start_price = log_uniform(rng, 5.0, 500.0);
    traits.sigma = market->sigma * (0.7 + 0.7 * ms_rng_uniform(rng));
    traits.base_volume = log_uniform(rng, market->volume_low, market->volume_high);
    return traits;
}

/* Fills timestamps backwards from the fixed last day. */
static void fill_calendar(int64_t *timestamps, size_t n, bool every_day)
{
    int64_t day = ms_days_from_civil(END_YEAR, END_MONTH, END_DAY);
    for (size_t i = n; i-- > 0; day--) {
        while (!every_day && (ms_weekday(day) == 0 || ms_weekday(day) == 6))
            day--;
        timestamps[i] = day * MS_SECONDS_PER_DAY;
    }
}

static double draw_jumps(ms_rng *rng, const market_params *market)
{
    double total = 0.0;
    for (int k = ms_draw_poisson(rng, market->jump_rate); k > 0; k--) {
        double sign = ms_rng_uniform(rng) < 0.5 ? -1.0 : 1.0;
        total += sign * market->jump_size * (0.5 + ms_rng_uniform(rng));
    }
    return total;
}

/* The evolving state of one synthetic series. */
typedef struct market_walk {
    ms_rng rng;
    const market_params *market;
    symbol_traits traits;
    double variance;
    double previous_close;
    bool whole_shares;
} market_walk;

/* The GARCH(1,1) step from today's shock, capped. */
static void advance_variance(market_walk *walk, double shock)
{
    const market_params *market = walk->market;
    double long_run = walk->traits.sigma * walk->traits.sigma;
    double omega = long_run * (1.0 - market->alpha - market->beta);
    double next = omega + market->alpha * shock * shock + market->beta * walk->variance;
    walk->variance = fmin(next, VARIANCE_CAP_SIGMAS * VARIANCE_CAP_SIGMAS * long_run);
}

/* Draws the next bar. Every draw is its own statement: C leaves the order
 * of calls within one expression unspecified, and the draw order is what
 * makes a seed reproducible across compilers. */
static ms_bar next_bar(market_walk *walk)
{
    const market_params *market = walk->market;
    ms_rng *rng = &walk->rng;
    double day_vol = sqrt(walk->variance);
    double shock = day_vol * ms_draw_student_t(rng, TAIL_DOF);
    shock += draw_jumps(rng, market);
    double open = walk->previous_close * exp(market->gap * day_vol * ms_rng_normal(rng));
    double close = walk->previous_close * exp(market->drift + shock);
    double high = fmax(open, close) * exp(market->wick * day_vol * fabs(ms_rng_normal(rng)));
    double low = fmin(open, close) * exp(-market->wick * day_vol * fabs(ms_rng_normal(rng)));
    double activity = 0.3 * ms_rng_normal(rng) + 0.5 * fabs(shock) / walk->traits.sigma;
    double volume = walk->traits.base_volume * exp(activity);
    advance_variance(walk, shock);
    walk->previous_close = close;
    ms_bar bar = { .values = {
        [MS_COL_OPEN] = open, [MS_COL_HIGH] = high, [MS_COL_LOW] = low, [MS_COL_CLOSE] = close,
        [MS_COL_VOLUME] = walk->whole_shares ? fmax(1.0, round(volume)) : volume,
    } };
    return bar;
}

static void start_walk(market_walk *walk, const char *symbol, uint64_t seed, bool crypto)
{
    ms_rng_init(&walk->rng, market_key(symbol, seed), 0);
    walk->market = crypto ? &crypto_market : &stock_market;
    walk->traits = draw_traits(&walk->rng, walk->market);
    walk->variance = walk->traits.sigma * walk->traits.sigma;
    walk->previous_close = walk->traits.start_price;
    walk->whole_shares = !crypto;
}

ms_status ms_synthetic_bars(ms_bars **out, const char *symbol, uint64_t seed, size_t n)
{
    if (out == NULL || symbol == NULL || *symbol == '\0')
        return ms_error(MS_ERR_INVALID_ARG, "synthetic market: out or symbol is NULL or empty");
    if (n == 0 || n > MS_SYNTHETIC_MAX_BARS)
        return ms_error(MS_ERR_INVALID_ARG, "synthetic market: %zu bars is not in 1 .. %d",
                        n, MS_SYNTHETIC_MAX_BARS);
    bool crypto = ms_symbol_asset_class(symbol) == MS_ASSET_CRYPTO;
    ms_bars *bars = NULL;
    ms_status status = ms_bars_alloc(&bars, symbol, n);
    if (status != MS_OK)
        return status;
    fill_calendar(bars->timestamps, n, crypto);
    market_walk walk;
    start_walk(&walk, symbol, seed, crypto);
    /* The model keeps every bar valid by construction; checking anyway turns
     * a model bug into an error instead of bad numbers downstream. */
    ms_bars_options rules = MS_BARS_OPTIONS_INIT;
    for (size_t i = 0; i < n && status == MS_OK; i++) {
        ms_bar bar = next_bar(&walk);
        ms_bar_site site = { symbol, i, false };
        status = ms_bar_check(&bar, &rules, &site);
        for (int c = 0; c < MS_COLUMN_COUNT; c++)
            bars->columns[c][i] = bar.values[c];
    }
    if (status != MS_OK) {
        ms_bars_free(bars);
        return ms_error_wrap(status, "synthetic market, seed %llu", (unsigned long long)seed);
    }
    *out = bars;
    return MS_OK;
}
