/*
 * sim_apply.c - applying one journal record to the simulated account. The
 * same code rebuilds the account on open and changes it live (after the
 * record is safely on disk), so the two cannot disagree. A record that does
 * not fit the account (an unknown order, a fill of a closed order) is a
 * parse error: the journal was edited or damaged.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim_internal.h"

static ms_status bad_field(const char *key, const char *expected)
{
    return ms_error(MS_ERR_PARSE, "field '%s': expected %s", key, expected);
}

static ms_status read_string(const json_t *record, const char *key, const char **out)
{
    *out = json_string_value(json_object_get(record, key));
    return *out != NULL && **out != '\0' ? MS_OK : bad_field(key, "a non-empty string");
}

/* A positive price or quantity; with `optional`, null reads as NAN. */
static ms_status read_positive(const json_t *record, const char *key, bool optional, double *out)
{
    const json_t *value = json_object_get(record, key);
    *out = NAN;
    if (optional && json_is_null(value))
        return MS_OK;
    if (json_is_number(value) && isfinite(json_number_value(value)) && json_number_value(value) > 0) {
        *out = json_number_value(value);
        return MS_OK;
    }
    return bad_field(key, optional ? "a positive number or null" : "a positive number");
}

static ms_status read_time(const json_t *record, int64_t *out)
{
    const json_t *value = json_object_get(record, "time");
    *out = json_is_integer(value) ? (int64_t)json_integer_value(value) : 0;
    return json_is_integer(value) ? MS_OK : bad_field("time", "an integer (UTC seconds)");
}

static ms_status read_name(const json_t *record, const char *key, const char *const *names,
                           int count, int *out)
{
    const char *name = json_string_value(json_object_get(record, key));
    for (int i = 0; name != NULL && i < count; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = i;
            return MS_OK;
        }
    return bad_field(key, "one of Alpaca's names for it");
}

static ms_status apply_account(ms_sim *sim, const json_t *record)
{
    const json_t *version = json_object_get(record, "version");
    if (!json_is_integer(version) || json_integer_value(version) != MS_SIM_JOURNAL_VERSION)
        return ms_error(MS_ERR_PARSE, "journal version %s, this build reads version %d",
                        json_is_integer(version) ? "unknown" : "missing", MS_SIM_JOURNAL_VERSION);
    const json_t *cash = json_object_get(record, "cash");
    if (!json_is_number(cash) || !isfinite(json_number_value(cash)) || json_number_value(cash) < 0)
        return bad_field("cash", "a number >= 0");
    sim->has_account = true;
    sim->cash = json_number_value(cash);
    sim->last_equity = sim->synced_equity = sim->cash;
    return read_time(record, &sim->created_at);
}

static ms_status read_request(const json_t *record, ms_order_request *r)
{
    const char *side = NULL;
    int type = 0, tif = 0, order_class = 0;
    ms_status status = read_string(record, "client_order_id", &r->client_order_id);
    if (status == MS_OK) status = read_string(record, "symbol", &r->symbol);
    if (status == MS_OK) status = read_string(record, "side", &side);
    if (status == MS_OK && strcmp(side, "buy") != 0 && strcmp(side, "sell") != 0)
        status = bad_field("side", "buy or sell");
    if (status == MS_OK) status = read_positive(record, "qty", false, &r->qty);
    if (status == MS_OK)
        status = read_name(record, "order_type", ms_order_type_words, MS_ORDER_TYPE_COUNT, &type);
    if (status == MS_OK)
        status = read_name(record, "time_in_force", ms_time_in_force_words, MS_TIME_IN_FORCE_COUNT, &tif);
    if (status == MS_OK)
        status = read_name(record, "order_class", ms_order_class_words, MS_ORDER_CLASS_COUNT,
                           &order_class);
    if (status == MS_OK) status = read_positive(record, "limit_price", true, &r->limit_price);
    if (status == MS_OK) status = read_positive(record, "stop_price", true, &r->stop_price);
    if (status == MS_OK) status = read_positive(record, "take_profit", true, &r->take_profit_limit);
    if (status == MS_OK) status = read_positive(record, "stop_loss", true, &r->stop_loss_stop);
    r->side = side != NULL && strcmp(side, "buy") == 0 ? 1 : -1;
    r->type = (ms_order_type)type;
    r->time_in_force = (ms_time_in_force)tif;
    r->order_class = (ms_order_class)order_class;
    return status;
}

/* One order (an entry, or a leg of entry number `entry`), numbered in
 * submission order: sim-000001, sim-000002, ... */
static ms_status add_order(ms_sim *sim, const ms_order_request *r, int64_t time, ms_sim_leg leg,
                           size_t entry)
{
    ms_sim_order *added = ms_sim_add_order(sim);
    if (added == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory adding an order of %s", r->symbol);
    size_t index = sim->order_count - 1;
    ms_order *o = &added->order;
    snprintf(o->id, sizeof o->id, "sim-%06zu", index + 1);
    /* Legs get their own id as client id, outside the caller's namespace
     * (lookups by client id only consider entries). */
    snprintf(o->client_order_id, sizeof o->client_order_id, "%s",
             leg == MS_SIM_ENTRY ? r->client_order_id : o->id);
    snprintf(o->symbol, sizeof o->symbol, "%s", r->symbol);
    ms_order_set_state(o, leg == MS_SIM_ENTRY ? MS_ORDER_NEW : MS_ORDER_HELD);
    o->qty = r->qty;
    o->filled_avg_price = NAN;
    o->side = leg == MS_SIM_ENTRY ? r->side : -r->side;
    o->type = leg == MS_SIM_ENTRY ? r->type : leg == MS_SIM_TAKE_PROFIT ? MS_ORDER_LIMIT : MS_ORDER_STOP;
    o->limit_price = leg == MS_SIM_ENTRY ? r->limit_price
                     : leg == MS_SIM_TAKE_PROFIT ? r->take_profit_limit : NAN;
    o->stop_price = leg == MS_SIM_ENTRY ? r->stop_price
                    : leg == MS_SIM_STOP_LOSS ? r->stop_loss_stop : NAN;
    /* Legs take their entry's time in force, as Alpaca gives them: a day
     * take profit that has not filled by the close expires. */
    o->time_in_force = r->time_in_force;
    o->order_class = r->order_class;
    o->created_at = o->submitted_at = time;
    o->take_profit_limit = leg == MS_SIM_ENTRY ? r->take_profit_limit : NAN;
    o->take_profit_filled_avg_price = NAN;
    if (leg != MS_SIM_ENTRY)
        snprintf(o->parent_id, sizeof o->parent_id, "%s", sim->orders[entry].order.id);
    added->leg = leg;
    added->entry = leg == MS_SIM_ENTRY ? index : entry;
    added->stop_loss_stop = leg == MS_SIM_ENTRY ? r->stop_loss_stop : NAN;
    added->active_after = leg == MS_SIM_ENTRY ? time : INT64_MAX;
    return MS_OK;
}

static ms_status apply_submit(ms_sim *sim, const json_t *record)
{
    ms_order_request request;
    int64_t time = 0;
    ms_status status = read_request(record, &request);
    if (status == MS_OK)
        status = read_time(record, &time);
    if (status == MS_OK && ms_sim_find_client_order(sim, request.client_order_id) != NULL)
        return ms_error(MS_ERR_PARSE, "client_order_id '%s' was already submitted",
                        request.client_order_id);
    size_t entry = sim->order_count;
    if (status == MS_OK)
        status = add_order(sim, &request, time, MS_SIM_ENTRY, entry);
    if (status == MS_OK && request.order_class != MS_CLASS_SIMPLE)
        status = add_order(sim, &request, time, MS_SIM_TAKE_PROFIT, entry);
    if (status == MS_OK && request.order_class == MS_CLASS_BRACKET)
        status = add_order(sim, &request, time, MS_SIM_STOP_LOSS, entry);
    return status;
}

/* Calls `visit` on every leg of the entry at index `entry`: legs follow
 * their entry in the order list. */
static void for_each_leg(ms_sim *sim, size_t entry, size_t except,
                         void (*visit)(ms_sim_order *leg, int64_t time), int64_t time)
{
    for (size_t i = entry + 1; i < sim->order_count && sim->orders[i].leg != MS_SIM_ENTRY; i++)
        if (i != except)
            visit(&sim->orders[i], time);
}

static void cancel_if_open(ms_sim_order *order, int64_t time)
{
    (void)time;
    if (ms_sim_order_open(order))
        ms_order_set_state(&order->order, MS_ORDER_CANCELED);
}

static void activate(ms_sim_order *leg, int64_t time)
{
    ms_order_set_state(&leg->order, MS_ORDER_NEW);
    leg->active_after = time;
}

static ms_status find_open(ms_sim *sim, const json_t *record, size_t *index, int64_t *time)
{
    const char *id = NULL;
    ms_status status = read_string(record, "id", &id);
    if (status == MS_OK)
        status = read_time(record, time);
    if (status != MS_OK)
        return status;
    ms_sim_order *order = ms_sim_find_order(sim, id);
    if (order == NULL || !ms_sim_order_open(order))
        return ms_error(MS_ERR_PARSE, "order %s %s", id,
                        order == NULL ? "does not exist" : "is not open");
    *index = (size_t)(order - sim->orders);
    return MS_OK;
}

/* Closing one order closes its family: an entry takes its legs with it,
 * and a leg its sibling (the legs are one-cancels-other). */
static void close_family(ms_sim *sim, size_t index, ms_order_status state, int64_t time)
{
    ms_sim_order *order = &sim->orders[index];
    ms_order_set_state(&order->order, state);
    for_each_leg(sim, order->entry, index, cancel_if_open, time);
}

static ms_status apply_close(ms_sim *sim, const json_t *record, ms_order_status state)
{
    size_t index = 0;
    int64_t time = 0;
    ms_status found = find_open(sim, record, &index, &time);
    if (found == MS_OK)
        close_family(sim, index, state, time);
    return found;
}

static ms_status apply_fill(ms_sim *sim, const json_t *record)
{
    size_t index = 0;
    int64_t time = 0;
    double price = NAN;
    ms_status status = find_open(sim, record, &index, &time);
    if (status == MS_OK)
        status = read_positive(record, "price", false, &price);
    ms_sim_order *filled = status == MS_OK ? &sim->orders[index] : NULL;
    if (filled != NULL && filled->order.state == MS_ORDER_HELD)
        return ms_error(MS_ERR_PARSE, "order %s is a held leg: its entry has not filled",
                        filled->order.id);
    if (status == MS_OK)
        status = ms_sim_book_fill(sim, filled->order.symbol,
                                  filled->order.side * filled->order.qty, price);
    if (status == MS_OK)
        status = ms_sim_log_fill(sim, index);
    if (status != MS_OK)
        return status;
    ms_order_set_state(&filled->order, MS_ORDER_FILLED);
    filled->order.filled_qty = filled->order.qty;
    filled->order.filled_avg_price = price;
    filled->order.filled_at = time;
    if (filled->leg == MS_SIM_ENTRY)
        for_each_leg(sim, index, index, activate, time);
    else
        for_each_leg(sim, filled->entry, index, cancel_if_open, time);
    return MS_OK;
}

static ms_status apply_sync(ms_sim *sim, const json_t *record)
{
    int64_t time = 0;
    ms_status status = read_time(record, &time);
    const json_t *closes = json_object_get(record, "closes");
    if (status == MS_OK && !json_is_object(closes))
        status = bad_field("closes", "an object of symbol: price");
    if (status == MS_OK && sim->synced && time < sim->clock)
        status = ms_error(MS_ERR_PARSE, "sync time %lld is before the previous one (%lld)",
                          (long long)time, (long long)sim->clock);
    const char *symbol;
    const json_t *close;
    json_object_foreach((json_t *)closes, symbol, close) {
        double value = NAN;
        if (status == MS_OK)
            status = read_positive(closes, symbol, false, &value);
        if (status == MS_OK)
            json_object_set_new(sim->marks, symbol, json_real(value));
    }
    if (status != MS_OK)
        return status;
    /* last_equity is the previous day's: a sync that does not move the
     * clock (a second cycle on the same bars) keeps it. */
    if (!sim->synced || time > sim->clock)
        sim->last_equity = sim->synced_equity;
    sim->clock = time;
    sim->synced = true;
    sim->synced_equity = ms_sim_equity(sim);
    return MS_OK;
}

static ms_status apply_record(ms_sim *sim, const json_t *record)
{
    const char *type = json_string_value(json_object_get(record, "type"));
    if (type == NULL)
        return bad_field("type", "a string");
    bool account = strcmp(type, "account") == 0;
    if (account != !sim->has_account)
        return ms_error(MS_ERR_PARSE, account ? "a second account record"
                                              : "the journal must start with an account record");
    if (account)
        return apply_account(sim, record);
    if (strcmp(type, "submit") == 0)
        return apply_submit(sim, record);
    if (strcmp(type, "fill") == 0)
        return apply_fill(sim, record);
    if (strcmp(type, "cancel") == 0)
        return apply_close(sim, record, MS_ORDER_CANCELED);
    if (strcmp(type, "expire") == 0)
        return apply_close(sim, record, MS_ORDER_EXPIRED);
    if (strcmp(type, "sync") == 0)
        return apply_sync(sim, record);
    return ms_error(MS_ERR_PARSE, "unknown record type '%s'", type);
}

/* A damaged journal can hold quantities and prices whose products
 * overflow: the account they leave is refused rather than reported as
 * infinite or NaN money. */
ms_status ms_sim_apply(ms_sim *sim, const json_t *record)
{
    ms_status status = apply_record(sim, record);
    if (status == MS_OK && !isfinite(ms_sim_equity(sim)))
        return ms_error(MS_ERR_PARSE, "the account's equity overflows (a quantity or price too "
                        "large)");
    return status;
}
