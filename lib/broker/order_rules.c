/*
 * order_rules.c - Alpaca's rules for an order on its own terms, as one
 * table per asset class (order_rules.h). Sources: Alpaca's order
 * documentation and its answers (docs/trading.md quotes them): crypto
 * takes simple market, limit and stop-limit orders, gtc or ioc, in
 * fractions; stocks take every class and time in force, fractions only as
 * market day orders, and prices in cents from $1 up (0.0001 below).
 * Also Alpaca's order limits (ms_alpaca_order_limits): the increments and
 * client_order_id rule the trade plan builds to.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/core_internal.h"
#include "data/data_internal.h"
#include "order_rules.h"
#include "order_words.h"

#define BIT(value) (1u << (unsigned)(value))

typedef struct asset_rules {
    unsigned classes;              /* BIT(ms_order_class) allowed */
    unsigned times_in_force;       /* BIT(ms_time_in_force) allowed */
    unsigned types;                /* BIT(ms_order_type) allowed */
    bool fractional_anywhere;      /* fractional quantities on any order, not only market day */
    bool priced_in_ticks;          /* prices on the cent (0.0001 below $1) */
    ms_time_in_force resting;      /* what a resting order uses */
    const char *name;              /* in messages: "crypto", "stock" */
} asset_rules;

static const asset_rules rules_by_asset[] = {
    [MS_ASSET_STOCK] = {
        .classes = BIT(MS_CLASS_SIMPLE) | BIT(MS_CLASS_OTO) | BIT(MS_CLASS_BRACKET) | BIT(MS_CLASS_OCO),
        .times_in_force = BIT(MS_TIF_DAY) | BIT(MS_TIF_GTC) | BIT(MS_TIF_OPG) | BIT(MS_TIF_CLS) |
                          BIT(MS_TIF_IOC) | BIT(MS_TIF_FOK),
        .types = BIT(MS_ORDER_MARKET) | BIT(MS_ORDER_LIMIT) | BIT(MS_ORDER_STOP) |
                 BIT(MS_ORDER_STOP_LIMIT),
        .fractional_anywhere = false, .priced_in_ticks = true, .resting = MS_TIF_DAY,
        .name = "stock",
    },
    [MS_ASSET_CRYPTO] = {
        .classes = BIT(MS_CLASS_SIMPLE),
        .times_in_force = BIT(MS_TIF_GTC) | BIT(MS_TIF_IOC),
        .types = BIT(MS_ORDER_MARKET) | BIT(MS_ORDER_LIMIT) | BIT(MS_ORDER_STOP_LIMIT),
        .fractional_anywhere = true, .priced_in_ticks = false, .resting = MS_TIF_GTC,
        .name = "crypto",
    },
};

static const asset_rules *rules_for(ms_asset_class asset)
{
    return &rules_by_asset[asset == MS_ASSET_CRYPTO ? MS_ASSET_CRYPTO : MS_ASSET_STOCK];
}

bool ms_order_class_allowed(ms_asset_class asset, ms_order_class order_class)
{
    return (rules_for(asset)->classes & BIT(order_class)) != 0;
}

ms_time_in_force ms_order_resting_time_in_force(ms_asset_class asset)
{
    return rules_for(asset)->resting;
}

/* Alpaca's sub-penny rule: cents from $1 up, 0.0001 below (the same
 * digits the reports print: data/asset.c). */
static double alpaca_price_increment(ms_asset_class asset, double price)
{
    if (!rules_for(asset)->priced_in_ticks)
        return 0;
    return pow(10.0, -ms_price_decimals(MS_ASSET_STOCK, price));
}

const ms_order_limits ms_alpaca_order_limits = {
    .broker = "Alpaca",
    .client_id_max = 48,
    /* Alpaca documents only the length; these are what marketsim's ids use. */
    .client_id_punctuation = "-_.",
    .price_increment = alpaca_price_increment,
};

double ms_order_limits_round(const ms_order_limits *limits, ms_asset_class asset, double price,
                             int direction)
{
    double increment = isfinite(price) ? limits->price_increment(asset, price) : 0;
    if (!(increment > 0))
        return price;
    /* Counted per dollar (increments are 1/N of a dollar), so 6403 / 100
     * gives 64.03 as it is printed; the slack keeps a price already on a
     * tick (64.03 * 100 = 6402.999...) from moving a whole tick. */
    double per_dollar = round(1.0 / increment);
    double units = price * per_dollar;
    units = direction < 0 ? floor(units + 1e-6) : direction > 0 ? ceil(units - 1e-6) : round(units);
    return units / per_dollar;
}

ms_status ms_order_limits_check_id(const ms_order_limits *limits, const char *id)
{
    size_t length = strlen(id);
    if (length == 0 || length > limits->client_id_max)
        return ms_error(MS_ERR_INVALID_ARG, "client_order_id '%.60s' is %zu characters: %s takes 1 "
                        "to %zu", id, length, limits->broker, limits->client_id_max);
    for (const char *c = id; *c != '\0'; c++)
        if (!isalnum((unsigned char)*c) && strchr(limits->client_id_punctuation, *c) == NULL)
            return ms_error(MS_ERR_INVALID_ARG, "client_order_id '%s': %s takes letters, digits "
                            "and '%s' only", id, limits->broker, limits->client_id_punctuation);
    return MS_OK;
}

static bool on_tick(double price)
{
    double units = price * round(1.0 / alpaca_price_increment(MS_ASSET_STOCK, price));
    return fabs(units - round(units)) < 1e-6;
}

static bool refuse(long *code, long value, char *reason, size_t size, const char *fmt, ...)
    MS_PRINTF(5, 6);

static bool refuse(long *code, long value, char *reason, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, size, fmt, ap);
    va_end(ap);
    *code = value;
    return true;
}

static bool bad_price(const asset_rules *rules, const ms_order_request *r)
{
    if (!rules->priced_in_ticks)
        return false;
    const double prices[] = { r->limit_price, r->stop_price, r->take_profit_limit, r->stop_loss_stop };
    for (size_t i = 0; i < MS_ARRAY_LEN(prices); i++)
        if (isfinite(prices[i]) && !on_tick(prices[i]))
            return true;
    return false;
}

/* Alpaca wants a take profit at least a cent on the profit side of the
 * entry, and a stop at least a cent on the other side. */
static bool bad_exits(const ms_order_request *r, double base, long *code, char *reason, size_t size)
{
    if ((r->order_class != MS_CLASS_OTO && r->order_class != MS_CLASS_BRACKET) || !isfinite(base))
        return false;
    const char *above = r->side > 0 ? ">" : "<";
    const char *sign = r->side > 0 ? "+" : "-";
    if (isfinite(r->take_profit_limit) && r->side * (r->take_profit_limit - base) < 0.01 - 1e-9)
        return refuse(code, MS_ALPACA_CODE_UNPROCESSABLE, reason, size,
                      "take_profit.limit_price must be %s base_price %s 0.01", above, sign);
    if (isfinite(r->stop_loss_stop) && r->side * (base - r->stop_loss_stop) < 0.01 - 1e-9)
        return refuse(code, MS_ALPACA_CODE_UNPROCESSABLE, reason, size,
                      "stop_loss.stop_price must be %s base_price %s 0.01",
                      r->side > 0 ? "<" : ">", r->side > 0 ? "-" : "+");
    return false;
}

bool ms_order_rules_refuse(const ms_order_request *r, double base_price, long *code, char *reason,
                           size_t size)
{
    ms_asset_class asset = ms_symbol_asset_class(r->symbol);
    const asset_rules *rules = rules_for(asset);
    if (!(rules->classes & BIT(r->order_class)))
        return refuse(code, MS_ALPACA_CODE_UNPROCESSABLE, reason, size,
                      "%s orders support only the simple order class", rules->name);
    if (!(rules->times_in_force & BIT(r->time_in_force)))
        return refuse(code, MS_ALPACA_CODE_UNPROCESSABLE, reason, size,
                      "invalid %s time_in_force %s", rules->name,
                      ms_time_in_force_word(r->time_in_force));
    if (!(rules->types & BIT(r->type)))
        return refuse(code, MS_ALPACA_CODE_UNPROCESSABLE, reason, size, "invalid %s order type %s",
                      rules->name, ms_order_type_word(r->type));
    bool fractional = fabs(r->qty - round(r->qty)) > 1e-9;
    if (fractional && !rules->fractional_anywhere &&
        (r->type != MS_ORDER_MARKET || r->time_in_force != MS_TIF_DAY ||
         r->order_class != MS_CLASS_SIMPLE))
        return refuse(code, MS_ALPACA_CODE_UNPROCESSABLE, reason, size,
                      "fractional orders must be simple market orders with day time_in_force");
    if (bad_price(rules, r))
        return refuse(code, MS_ALPACA_CODE_UNPROCESSABLE, reason, size,
                      "sub-penny increment does not fulfill minimum pricing criteria");
    return bad_exits(r, base_price, code, reason, size);
}
