/*
 * plan_json.c - a trade cycle as one JSON document (jansson), the contract
 * of `marketsim trade --json` (docs/cli.md):
 *   {"version", "broker", "cycle_date", "clock", "account", "positions",
 *    "working_orders", "planned_cost", "executed", "stopped",
 *    "counts": {"sent", "existing", "failed"}, "steps": [...],
 *    "previous_cycle", "fills_since_previous_cycle": [...]}
 * Each fill as in ms_fills_to_json, with "ours", "our_order" and "take_profit".
 * Each step: action, symbol, reason, and by action the order fields
 * (client_order_id, side, qty, type, time_in_force, order_class,
 * limit_price, take_profit), the order to cancel (order_id), the strategy
 * of a pick; its outcome (pending, sent, existing, failed), the broker's
 * order once there is one, and the error of a failed step. Numbers that
 * are not finite are null. Strings from outside (symbols, reasons, ids, the
 * broker's words and errors) go through ms_json_text: bytes that are not
 * UTF-8 are quoted, never dropping a step or its error. One step alone (ms_trade_step_to_json, for a
 * progress callback) is the same object as in "steps".
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "broker/fills_internal.h"
#include "trade_internal.h"

#define JSON_VERSION 1

static json_t *number(double value)
{
    return isfinite(value) ? json_real(value) : json_null();
}

static json_t *iso_time(int64_t timestamp)
{
    time_t seconds = (time_t)timestamp;
    struct tm utc;
    char text[32];
    if (timestamp == 0 || gmtime_r(&seconds, &utc) == NULL ||
        strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0)
        return json_null();
    return json_string(text);
}

static json_t *broker_order(const ms_order *o)
{
    return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", ms_json_text(o->id),
                     "client_order_id", ms_json_text(o->client_order_id),
                     "status", ms_json_text(o->status), "qty", number(o->qty), "filled_qty",
                     number(o->filled_qty), "filled_avg_price", number(o->filled_avg_price),
                     "created_at", iso_time(o->created_at), "filled_at", iso_time(o->filled_at));
}

static void add_order_fields(json_t *object, const ms_trade_step *step)
{
    json_object_set_new(object, "client_order_id", ms_json_text(step->client_order_id));
    json_object_set_new(object, "side", json_string(ms_order_side_word(step->side)));
    json_object_set_new(object, "qty", number(step->qty));
    json_object_set_new(object, "type", json_string(ms_order_type_word(step->type)));
    json_object_set_new(object, "time_in_force", json_string(ms_time_in_force_word(step->time_in_force)));
    json_object_set_new(object, "order_class", json_string(ms_order_class_word(step->order_class)));
    json_object_set_new(object, "limit_price", number(step->limit_price));
    json_object_set_new(object, "take_profit", number(step->take_profit_limit));
}

static json_t *step_object(const ms_trade_step *step)
{
    json_t *object = json_pack("{s:s,s:o,s:o,s:s}", "action", ms_trade_action_name(step->action),
                               "symbol", ms_json_text(step->symbol), "reason",
                               ms_json_text(step->reason), "outcome",
                               ms_trade_outcome_name(step->outcome));
    if (object == NULL)
        return NULL;
    if (step->action == MS_TRADE_ENTER || step->action == MS_TRADE_CLOSE ||
        step->action == MS_TRADE_EXIT)
        add_order_fields(object, step);
    if (step->action == MS_TRADE_ENTER || step->action == MS_TRADE_SKIP)
        json_object_set_new(object, "strategy", json_string(ms_strategy_name(step->strategy)));
    bool foreign_order = step->action == MS_TRADE_LEAVE && step->order.id[0] != '\0';
    if (step->action == MS_TRADE_SKIP || step->action == MS_TRADE_HOLD ||
        (step->action == MS_TRADE_LEAVE && !foreign_order))
        json_object_set_new(object, "side", json_string(ms_order_side_word(step->side)));
    if (step->action == MS_TRADE_HOLD || (step->action == MS_TRADE_LEAVE && !foreign_order))
        json_object_set_new(object, "qty", number(step->qty));
    if (step->action == MS_TRADE_CANCEL)
        json_object_set_new(object, "order_id", ms_json_text(step->order_id));
    bool has_order = step->outcome == MS_TRADE_SENT || step->outcome == MS_TRADE_EXISTING ||
                     step->action == MS_TRADE_CANCEL || foreign_order;
    if (has_order)
        json_object_set_new(object, "order", broker_order(&step->order));
    if (step->outcome == MS_TRADE_FAILED)
        json_object_set_new(object, "error", ms_json_text(step->error));
    return object;
}

static json_t *header_object(const ms_trade_summary *s)
{
    return json_pack("{s:i,s:o,s:o,s:{s:o,s:b},s:{s:o,s:o,s:o,s:o},s:I,s:I,s:o,s:b,s:b,"
                     "s:{s:I,s:I,s:I}}",
                     "version", JSON_VERSION, "broker", ms_json_text(s->broker), "cycle_date",
                     ms_json_text(s->cycle_date),
                     "clock", "timestamp", iso_time(s->clock.timestamp), "is_open", s->clock.is_open,
                     "account", "equity", number(s->account.equity), "cash", number(s->account.cash),
                     "buying_power", number(s->account.buying_power), "last_equity",
                     number(s->account.last_equity),
                     "positions", (json_int_t)s->positions, "working_orders",
                     (json_int_t)s->working_orders, "planned_cost", number(s->planned_cost),
                     "executed", s->executed, "stopped", s->stopped,
                     "counts", "sent", (json_int_t)s->sent, "existing", (json_int_t)s->existing,
                     "failed", (json_int_t)s->failed);
}

/* The fills since the previous cycle, each said to be ours or not: "ours",
 * "our_order" (our client_order_id; for a take profit, its entry's) and
 * "take_profit". null when the broker did not list them. */
static json_t *fills_array(const ms_trade_result *result)
{
    if (result->fills == NULL)
        return json_null();
    json_t *array = ms_fills_json_array(result->fills, 0);
    for (size_t i = 0; array != NULL && i < json_array_size(array); i++) {
        ms_fill_owner owner;
        ms_trade_fill_owner(result->ledger, ms_fills_at(result->fills, i), &owner);
        json_t *fill = json_array_get(array, i);
        json_object_set_new(fill, "ours", json_boolean(owner.ours));
        json_object_set_new(fill, "our_order", owner.ours ? ms_json_text(owner.client_order_id)
                                                          : json_null());
        json_object_set_new(fill, "take_profit", json_boolean(owner.take_profit));
    }
    return array;
}

MS_API ms_status ms_trade_result_to_json(const ms_trade_result *result, char **out)
{
    if (result == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_trade_result_to_json: NULL argument");
    *out = NULL;
    json_t *document = header_object(&result->summary);
    json_t *steps = json_array();
    int failed = document == NULL || steps == NULL;
    for (size_t i = 0; !failed && i < result->step_count; i++)
        failed = json_array_append_new(steps, step_object(&result->steps[i])) != 0;
    if (!failed)
        json_object_set_new(document, "steps", json_incref(steps));
    if (!failed) {
        json_object_set_new(document, "previous_cycle", iso_time(result->summary.previous_cycle));
        json_object_set_new(document, "fills_since_previous_cycle", fills_array(result));
    }
    *out = !failed ? json_dumps(document, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(steps);
    json_decref(document);
    return *out != NULL ? MS_OK : ms_error(MS_ERR_NOMEM, "out of memory writing the trade JSON");
}

MS_API ms_status ms_trade_step_to_json(const ms_trade_step *step, char **out)
{
    if (step == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_trade_step_to_json: NULL argument");
    json_t *object = step_object(step);
    *out = object != NULL ? json_dumps(object, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(object);
    return *out != NULL ? MS_OK : ms_error(MS_ERR_NOMEM, "out of memory writing a trade step");
}
