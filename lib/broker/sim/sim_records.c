/*
 * sim_records.c - writing the simulated broker's journal records, one JSON
 * object per change, and committing them (journal, then ms_sim_apply in
 * sim_apply.c, the same function replay uses).
 *
 *   {"type":"account","version":1,"cash":100000,"time":T}     always line 1
 *   {"type":"submit","time":T,"client_order_id":..,"symbol":..,"side":"buy",
 *    "qty":..,"order_type":"limit","time_in_force":"day","order_class":"oto",
 *    "limit_price":..,"stop_price":null,"take_profit":..,"stop_loss":null}
 *   {"type":"cancel","id":"sim-000001","time":T}
 *   {"type":"fill","id":"sim-000001","price":..,"time":T}
 *   {"type":"expire","id":"sim-000001","time":T}
 *   {"type":"sync","time":T,"closes":{"AAPL":..}}
 *
 * Prices are written with 17 significant digits (jansson's default), which
 * round-trips doubles exactly.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim_internal.h"

static json_t *price(double value)
{
    return isfinite(value) ? json_real(value) : json_null();
}

static json_t *record(const char *type, int64_t time)
{
    return json_pack("{s:s,s:I}", "type", type, "time", (json_int_t)time);
}

json_t *ms_sim_account_record(double cash, int64_t time)
{
    json_t *account = record("account", time);
    json_object_set_new(account, "version", json_integer(MS_SIM_JOURNAL_VERSION));
    json_object_set_new(account, "cash", json_real(cash));
    return account;
}

json_t *ms_sim_submit_record(const ms_order_request *r, int64_t time)
{
    json_t *submit = record("submit", time);
    json_object_set_new(submit, "client_order_id", json_string(r->client_order_id));
    json_object_set_new(submit, "symbol", json_string(r->symbol));
    json_object_set_new(submit, "side", json_string(ms_order_side_word(r->side)));
    json_object_set_new(submit, "qty", json_real(r->qty));
    json_object_set_new(submit, "order_type", json_string(ms_order_type_word(r->type)));
    json_object_set_new(submit, "time_in_force", json_string(ms_time_in_force_word(r->time_in_force)));
    json_object_set_new(submit, "order_class", json_string(ms_order_class_word(r->order_class)));
    json_object_set_new(submit, "limit_price", price(r->limit_price));
    json_object_set_new(submit, "stop_price", price(r->stop_price));
    json_object_set_new(submit, "take_profit", price(r->take_profit_limit));
    json_object_set_new(submit, "stop_loss", price(r->stop_loss_stop));
    return submit;
}

static json_t *order_event(const char *type, const char *order_id, int64_t time)
{
    json_t *event = record(type, time);
    json_object_set_new(event, "id", json_string(order_id));
    return event;
}

json_t *ms_sim_cancel_record(const char *order_id, int64_t time)
{
    return order_event("cancel", order_id, time);
}

json_t *ms_sim_fill_record(const char *order_id, double fill_price, int64_t time)
{
    json_t *fill = order_event("fill", order_id, time);
    json_object_set_new(fill, "price", json_real(fill_price));
    return fill;
}

json_t *ms_sim_expire_record(const char *order_id, int64_t time)
{
    return order_event("expire", order_id, time);
}

json_t *ms_sim_sync_record(int64_t time, json_t *closes)
{
    json_t *sync = record("sync", time);
    if (sync == NULL)
        json_decref(closes);
    else
        json_object_set_new(sync, "closes", closes);
    return sync;
}

ms_status ms_sim_commit(ms_sim *sim, json_t *change)
{
    if (change == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory recording a change in %s", sim->journal.path);
    ms_status status = ms_sim_journal_append(&sim->journal, change);
    if (status == MS_OK && ms_sim_apply(sim, change) != MS_OK)
        status = ms_error_wrap(MS_ERR_INTERNAL, "sim journal %s: a record just written does not apply",
                               sim->journal.path);
    json_decref(change);
    return status;
}
