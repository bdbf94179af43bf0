/*
 * soak_ledger.c - the orders the soak's cycles meant to place (their plans'
 * ENTER, EXIT and CLOSE steps, by client_order_id), the day's-end expiry of the
 * working ones, and the final comparison with the orders the fake Alpaca
 * server holds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "soak/soak.h"

/* Prices and quantities reach the server as decimal text of 2 to 9 places
 * (alpaca_order_body.c), so a value read back may differ from the plan's
 * double by half a unit of the 9th place; nothing legitimate differs more. */
#define DECIMAL_TOLERANCE 1e-8

bool soak_ledger_init(soak_ledger *ledger, size_t capacity)
{
    ledger->orders = malloc(capacity * sizeof *ledger->orders);
    ledger->count = 0;
    ledger->capacity = capacity;
    if (ledger->orders == NULL)
        return false;
    /* Written now, not as orders arrive: the pages become resident before
     * the RSS baseline is taken. */
    memset(ledger->orders, 0, capacity * sizeof *ledger->orders);
    return true;
}

void soak_ledger_release(soak_ledger *ledger)
{
    free(ledger->orders);
    ledger->orders = NULL;
}

static soak_order *find(const soak_ledger *ledger, const char *client_order_id)
{
    for (size_t i = 0; i < ledger->count; i++)
        if (strcmp(ledger->orders[i].client_order_id, client_order_id) == 0)
            return &ledger->orders[i];
    return NULL;
}

static bool same_number(double a, double b)
{
    return (isnan(a) && isnan(b)) || fabs(a - b) <= DECIMAL_TOLERANCE;
}

static bool same_order(const soak_order *a, const soak_order *b)
{
    return strcmp(a->symbol, b->symbol) == 0 && a->side == b->side && same_number(a->qty, b->qty) &&
           a->type == b->type && a->time_in_force == b->time_in_force &&
           a->order_class == b->order_class && same_number(a->limit_price, b->limit_price) &&
           same_number(a->take_profit_limit, b->take_profit_limit);
}

static soak_order from_step(const ms_trade_step *step)
{
    /* What the order carries: only an OTO or bracket order sends its take
     * profit (a simple crypto entry's is placed later, as an exit). */
    bool with_legs = step->order_class == MS_CLASS_OTO || step->order_class == MS_CLASS_BRACKET;
    soak_order order = {
        .side = step->side, .qty = step->qty, .type = step->type,
        .time_in_force = step->time_in_force, .order_class = step->order_class,
        .limit_price = step->limit_price,
        .take_profit_limit = with_legs ? step->take_profit_limit : NAN,
        .working = true,
    };
    snprintf(order.client_order_id, sizeof order.client_order_id, "%s", step->client_order_id);
    snprintf(order.symbol, sizeof order.symbol, "%s", step->symbol);
    return order;
}

bool soak_ledger_record(soak_ledger *ledger, const ms_trade_result *result)
{
    for (size_t i = 0; i < ms_trade_result_step_count(result); i++) {
        const ms_trade_step *step = ms_trade_result_step(result, i);
        if (step->action != MS_TRADE_ENTER && step->action != MS_TRADE_CLOSE &&
            step->action != MS_TRADE_EXIT)
            continue;
        soak_order order = from_step(step);
        const soak_order *known = find(ledger, order.client_order_id);
        if (known != NULL && !same_order(known, &order)) {
            fprintf(stderr, "soak: %s planned again with other fields\n", order.client_order_id);
            return false;
        }
        if (known != NULL)
            continue;
        if (ledger->count == ledger->capacity) {
            fprintf(stderr, "soak: more than %zu intended orders\n", ledger->capacity);
            return false;
        }
        ledger->orders[ledger->count++] = order;
    }
    return true;
}

json_t *soak_ledger_expire(soak_ledger *ledger, soak_rng *rng)
{
    json_t *expired = json_array();
    for (size_t i = 0; i < ledger->count; i++) {
        soak_order *order = &ledger->orders[i];
        /* A market close would have filled; a third of the entries keep
         * working (as a gtc order would), so that later positions on their
         * symbols make the plan cancel them before closing. */
        bool expires = order->type == MS_ORDER_MARKET || soak_rng_below(rng, 3) != 0;
        if (!order->working || !expires)
            continue;
        order->working = false;
        json_array_append_new(expired, json_string(order->client_order_id));
    }
    return expired;
}

const char *soak_ledger_working_symbol(const soak_ledger *ledger, soak_rng *rng)
{
    size_t working = 0;
    for (size_t i = 0; i < ledger->count; i++)
        working += ledger->orders[i].working;
    size_t chosen = soak_rng_below(rng, working);
    for (size_t i = 0; i < ledger->count; i++)
        if (ledger->orders[i].working && chosen-- == 0)
            return ledger->orders[i].symbol;
    return NULL;
}

/* ---- The server's orders -------------------------------------------------- */

/* A decimal the server sends as text (or a number); NAN for null. */
static double decimal(json_t *value)
{
    if (json_is_string(value))
        return strtod(json_string_value(value), NULL);
    return json_is_number(value) ? json_number_value(value) : NAN;
}

/* Index of `text` in names[], or -1. */
static int word(json_t *value, const char *const *names, int count)
{
    const char *text = json_string_value(value);
    for (int i = 0; text != NULL && i < count; i++)
        if (strcmp(text, names[i]) == 0)
            return i;
    return -1;
}

static soak_order from_server(json_t *order)
{
    static const char *const types[] = { "market", "limit", "stop", "stop_limit" };
    static const char *const tifs[] = { "day", "gtc", "opg", "cls", "ioc", "fok" };
    static const char *const classes[] = { "simple", "oto", "bracket", "oco" };
    json_t *legs = json_object_get(order, "legs");
    soak_order read = {
        .side = strcmp(json_string_value(json_object_get(order, "side")), "buy") == 0 ? 1 : -1,
        .qty = decimal(json_object_get(order, "qty")),
        .type = (ms_order_type)word(json_object_get(order, "type"), types, 4),
        .time_in_force = (ms_time_in_force)word(json_object_get(order, "time_in_force"), tifs, 6),
        .order_class = (ms_order_class)word(json_object_get(order, "order_class"), classes, 4),
        .limit_price = decimal(json_object_get(order, "limit_price")),
        /* An OTO's one leg is its take profit; a simple order has none. */
        .take_profit_limit = json_array_size(legs) == 1
                                 ? decimal(json_object_get(json_array_get(legs, 0), "limit_price"))
                                 : NAN,
    };
    snprintf(read.client_order_id, sizeof read.client_order_id, "%s",
             json_string_value(json_object_get(order, "client_order_id")));
    snprintf(read.symbol, sizeof read.symbol, "%s", json_string_value(json_object_get(order, "symbol")));
    return read;
}

static void print_order(const char *what, const soak_order *order)
{
    fprintf(stderr, "soak: %s: %s %s side %+d qty %.9g type %d tif %d class %d limit %.9g "
            "take profit %.9g\n", what, order->client_order_id, order->symbol, order->side,
            order->qty, order->type, order->time_in_force, order->order_class,
            order->limit_price, order->take_profit_limit);
}

size_t soak_ledger_compare(const soak_ledger *ledger, json_t *server_orders)
{
    bool *seen = calloc(ledger->count + 1, sizeof *seen);
    size_t differences = 0, index;
    json_t *order;
    json_array_foreach(server_orders, index, order) {
        soak_order held = from_server(order);
        const soak_order *intended = find(ledger, held.client_order_id);
        const char *problem = intended == NULL ? "extra order on the server"
                              : seen[intended - ledger->orders] ? "duplicated on the server"
                              : !same_order(intended, &held) ? "fields differ, server has"
                              : NULL;
        if (intended != NULL && problem != NULL && !seen[intended - ledger->orders])
            print_order("intended", intended);
        if (intended != NULL)
            seen[intended - ledger->orders] = true;
        if (problem != NULL) {
            print_order(problem, &held);
            differences++;
        }
    }
    for (size_t i = 0; i < ledger->count; i++) {
        if (!seen[i]) {
            print_order("missing on the server", &ledger->orders[i]);
            differences++;
        }
    }
    free(seen);
    return differences;
}
