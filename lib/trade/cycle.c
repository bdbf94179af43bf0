/*
 * cycle.c - the trade cycle against a broker: read what the broker holds
 * (every working order, legs included), bring the ledger of our own orders
 * up to date (ownership.c), look this cycle's ids up, build the plan
 * (order_plan.c), then send its steps one by one. Each order is recorded in
 * the ledger before it is sent, and sending relies on ms_broker_submit
 * being exactly-once per client_order_id, so a cycle killed anywhere and
 * run again sends nothing twice: what it had sent is found by id and
 * adopted.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker_internal.h"
#include "trade_internal.h"

/* What the broker holds at the start of a cycle. */
typedef struct broker_state {
    ms_position *positions;
    ms_plan_holding *holdings;    /* ours, per position */
    size_t position_count;
    ms_order *orders;             /* working orders, then orders found by id */
    bool *own_orders;             /* per order */
    size_t order_count;
    ms_plan_signal *signals;
    ms_pick *picks;
} broker_state;

static void release_state(broker_state *state)
{
    ms_free(state->positions);
    free(state->holdings);
    ms_free(state->orders);
    free(state->own_orders);
    free(state->signals);
    free(state->picks);
}

/* Adds an order unless it is there already (a working order found by id). */
static ms_status append_order(broker_state *state, const ms_order *order)
{
    for (size_t i = 0; i < state->order_count; i++)
        if (strcmp(state->orders[i].id, order->id) == 0)
            return MS_OK;
    ms_order *grown = realloc(state->orders, (state->order_count + 1) * sizeof *grown);
    if (grown == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory planning the trade cycle");
    state->orders = grown;
    state->orders[state->order_count++] = *order;
    return MS_OK;
}

/* Adds the order the broker has under `id`, if any. Any error other than
 * "not found" stops the plan: not knowing whether an order exists is the
 * one thing a cycle must not guess about. */
static ms_status look_up(ms_broker *broker, broker_state *state, int64_t cycle_time,
                         const char *symbol, int side, const char *leg)
{
    char broker_symbol[32], id[64];
    ms_order found;
    ms_status status = ms_trade_broker_symbol(symbol, broker_symbol);
    if (status == MS_OK)
        status = ms_trade_order_id(cycle_time, broker_symbol, side, leg, id, sizeof id);
    if (status != MS_OK)
        return status;
    status = ms_broker_order_by_client_id(broker, id, &found);
    if (status == MS_ERR_NOT_FOUND)
        return MS_OK;
    if (status != MS_OK)
        return ms_error_wrap(status, "looking up order %s", id);
    return append_order(state, &found);
}

static ms_status look_up_ids(ms_broker *broker, broker_state *state, const ms_report *report,
                             int64_t cycle_time)
{
    ms_status status = MS_OK;
    for (size_t i = 0; i < ms_report_pick_count(report) && status == MS_OK; i++) {
        const ms_pick *pick = ms_report_pick(report, i);
        status = look_up(broker, state, cycle_time, pick->symbol, pick->side, "entry");
    }
    for (size_t i = 0; i < state->position_count && status == MS_OK; i++) {
        if (state->positions[i].qty == 0)
            continue;
        int closing = state->positions[i].qty > 0 ? -1 : 1;
        status = look_up(broker, state, cycle_time, state->positions[i].symbol, closing, "close");
        if (status == MS_OK)
            status = look_up(broker, state, cycle_time, state->positions[i].symbol, closing, "exit");
    }
    return status;
}

/* Our part of each position and which orders are ours, from the ledger
 * brought up to date. */
static ms_status read_ownership(ms_broker *broker, ms_ledger *ledger, broker_state *state,
                                const ms_trade_summary *summary)
{
    ms_status status = ms_ownership_refresh(broker, ledger, summary->cycle_date);
    state->holdings = calloc(state->position_count + 1, sizeof *state->holdings);
    state->own_orders = calloc(state->order_count + 1, sizeof *state->own_orders);
    if (status == MS_OK && (state->holdings == NULL || state->own_orders == NULL))
        status = ms_error(MS_ERR_NOMEM, "out of memory planning the trade cycle");
    for (size_t i = 0; i < state->position_count && status == MS_OK; i++)
        status = ms_ownership_holding(ledger, &state->positions[i], summary->clock.timestamp,
                                      &state->holdings[i]);
    for (size_t i = 0; i < state->order_count && status == MS_OK; i++)
        state->own_orders[i] = ms_ownership_is_ours(ledger, &state->orders[i]);
    return status;
}

static ms_status open_ledger(ms_broker *broker, const ms_trade_options *opts,
                             const ms_account *account, ms_ledger **out)
{
    char path[4096];
    ms_status status = MS_OK;
    if (opts->ledger_path != NULL && *opts->ledger_path != '\0')
        snprintf(path, sizeof path, "%s", opts->ledger_path);
    else
        status = ms_broker_ledger_path(broker, account->id, path, sizeof path);
    return status == MS_OK ? ms_ledger_open(out, path, opts->dry_run != 0) : status;
}

static ms_status read_report(const ms_report *report, broker_state *state)
{
    size_t symbols = ms_report_symbol_count(report), picks = ms_report_pick_count(report);
    state->signals = calloc(symbols + 1, sizeof *state->signals);
    state->picks = calloc(picks + 1, sizeof *state->picks);
    if (state->signals == NULL || state->picks == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory planning the trade cycle");
    for (size_t i = 0; i < symbols; i++) {
        const ms_symbol_report *symbol = ms_report_symbol(report, i);
        state->signals[i] = (ms_plan_signal){
            .symbol = symbol->symbol,
            .side = symbol->side,
            .mean_return = symbol->strategies[symbol->best_strategy]->mean.avg_daily_return,
        };
    }
    for (size_t i = 0; i < picks; i++)
        state->picks[i] = *ms_report_pick(report, i);
    return MS_OK;
}

static ms_status read_broker(ms_broker *broker, ms_trade_summary *summary, broker_state *state)
{
    snprintf(summary->broker, sizeof summary->broker, "%s", ms_broker_name(broker));
    ms_status status = ms_broker_clock(broker, &summary->clock);
    if (status == MS_OK)
        status = ms_broker_account(broker, &summary->account);
    if (status == MS_OK)
        status = ms_broker_positions(broker, &state->positions, &state->position_count);
    if (status == MS_OK)
        status = ms_broker_orders(broker, "open", &state->orders, &state->order_count);
    summary->positions = state->position_count;
    summary->working_orders = state->order_count;
    ms_trade_cycle_date(summary->clock.timestamp, summary->cycle_date);
    return status;
}

MS_OPTIONS_DECLARE(ms_trade_options, trade, MS_TRADE_OPTIONS, sizeof(ms_trade_options));

/* The caller's options (any known version; NULL: the defaults) read into
 * *imported, and *opts pointed at it. */
static ms_status check_options(const ms_trade_options **opts, ms_trade_options *imported)
{
    ms_status status = ms_options_import(&trade_layout, imported, &trade_defaults, *opts);
    *opts = imported;
    return status;
}

static ms_status plan_into(ms_broker *broker, const ms_report *report, const ms_trade_options *opts,
                           ms_trade_result *result)
{
    broker_state state = { 0 };
    ms_status status = read_broker(broker, &result->summary, &state);
    int64_t cycle_time = result->summary.clock.timestamp;
    if (status == MS_OK)
        status = read_report(report, &state);
    if (status == MS_OK)
        status = look_up_ids(broker, &state, report, cycle_time);
    if (status == MS_OK)
        status = open_ledger(broker, opts, &result->summary.account, &result->ledger);
    if (status == MS_OK)
        status = ms_trade_read_fills(broker, result);
    if (status == MS_OK)
        status = read_ownership(broker, result->ledger, &state, &result->summary);
    if (status == MS_OK) {
        ms_plan_inputs inputs = {
            .cycle_time = cycle_time,
            .buying_power = result->summary.account.buying_power,
            .picks = state.picks, .pick_count = ms_report_pick_count(report),
            .signals = state.signals, .signal_count = ms_report_symbol_count(report),
            .positions = state.positions, .holdings = state.holdings,
            .position_count = state.position_count,
            .orders = state.orders, .own_orders = state.own_orders,
            .order_count = state.order_count, .limits = ms_broker_limits(broker),
        };
        status = ms_plan_build(&inputs, result);
        ms_trade_count_outcomes(result);
    }
    release_state(&state);
    return status;
}

MS_API ms_status ms_trade_plan(ms_broker *broker, const ms_report *report,
                               const ms_trade_options *opts, ms_trade_result **out)
{
    ms_trade_options defaults;
    if (broker == NULL || report == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_trade_plan: NULL argument");
    *out = NULL;
    ms_status status = check_options(&opts, &defaults);
    if (status != MS_OK)
        return status;
    ms_trade_result *result = ms_trade_result_new();
    if (result == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory planning the trade cycle");
    result->dry_run = opts->dry_run != 0;
    status = plan_into(broker, report, opts, result);
    if (status != MS_OK) {
        ms_trade_result_free(result);
        return status;
    }
    *out = result;
    return MS_OK;
}

static bool cancel_failed(const ms_trade_result *result, size_t before, const char *symbol)
{
    for (size_t i = 0; i < before; i++) {
        const ms_trade_step *step = &result->steps[i];
        if (step->action == MS_TRADE_CANCEL && step->outcome == MS_TRADE_FAILED &&
            strcmp(step->symbol, symbol) == 0)
            return true;
    }
    return false;
}

/* How long a close waits for the broker to finish the cancels before it:
 * Alpaca cancels asynchronously, and a take-profit leg still pending
 * cancellation holds the shares the close needs. */
#define CANCEL_WAIT_TRIES 20
#define CANCEL_WAIT_SECONDS 0.25

static bool still_working(const ms_order *open, size_t count, const char *order_id)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(open[i].id, order_id) == 0 && ms_order_is_open(open[i].state))
            return true;
    return false;
}

static bool cancels_pending(ms_broker *broker, const ms_trade_result *result, size_t before,
                            const char *symbol, ms_status *status)
{
    ms_order *open = NULL;
    size_t count = 0;
    *status = ms_broker_orders(broker, "open", &open, &count);
    bool pending = false;
    for (size_t i = 0; i < before && *status == MS_OK && !pending; i++) {
        const ms_trade_step *step = &result->steps[i];
        pending = step->action == MS_TRADE_CANCEL && step->outcome == MS_TRADE_SENT &&
                  strcmp(step->symbol, symbol) == 0 && still_working(open, count, step->order_id);
    }
    ms_free(open);
    return pending;
}

static ms_status wait_for_cancels(ms_broker *broker, const ms_trade_result *result, size_t before,
                                  const char *symbol)
{
    ms_status status = MS_OK;
    for (int tries = 0; tries < CANCEL_WAIT_TRIES; tries++) {
        if (!cancels_pending(broker, result, before, symbol, &status))
            return status;
        ms_sleep_seconds(CANCEL_WAIT_SECONDS);
    }
    return ms_error(MS_ERR_TIMEOUT, "not sent: the broker had not finished canceling the symbol's "
                    "orders after %.0f s", CANCEL_WAIT_TRIES * CANCEL_WAIT_SECONDS);
}

static ms_ledger_order ledger_order_of(const ms_trade_result *result, const ms_trade_step *step)
{
    ms_ledger_order entry = { .side = step->side, .qty = step->qty, .take_profit = NAN };
    snprintf(entry.client_order_id, sizeof entry.client_order_id, "%s", step->client_order_id);
    snprintf(entry.cycle_date, sizeof entry.cycle_date, "%s", result->summary.cycle_date);
    ms_symbol_canonical(step->symbol, entry.symbol);
    entry.kind = step->action == MS_TRADE_ENTER ? MS_LEDGER_ENTRY
                 : step->action == MS_TRADE_EXIT ? MS_LEDGER_EXIT : MS_LEDGER_CLOSE;
    if (step->action == MS_TRADE_ENTER)
        entry.take_profit = step->take_profit_limit;
    entry.open = true;
    return entry;
}

/* What the broker answered, into the ledger (the order stays open until a
 * later cycle sees it final). */
static ms_status record_answer(ms_ledger *ledger, ms_ledger_order *entry, const ms_order *order)
{
    snprintf(entry->broker_id, sizeof entry->broker_id, "%s", order->id);
    snprintf(entry->status, sizeof entry->status, "%s", order->status);
    entry->filled_qty = order->filled_qty;
    return ms_ledger_update(ledger, entry);
}

static ms_status submit_step(ms_broker *broker, ms_trade_result *result, ms_trade_step *step)
{
    ms_ledger_order entry = ledger_order_of(result, step);
    ms_status status = ms_ledger_record(result->ledger, &entry);
    if (status != MS_OK)
        return ms_error_wrap(status, "not sent: recording it in the ledger failed");
    /* Only an OTO or bracket order carries its take profit: a simple
     * crypto entry's comes later, as an exit. */
    bool with_legs = step->order_class == MS_CLASS_OTO || step->order_class == MS_CLASS_BRACKET;
    ms_order_request request = {
        .symbol = step->symbol, .qty = step->qty, .side = step->side, .type = step->type,
        .time_in_force = step->time_in_force, .limit_price = step->limit_price,
        .stop_price = NAN, .order_class = step->order_class,
        .take_profit_limit = with_legs ? step->take_profit_limit : NAN, .stop_loss_stop = NAN,
        .client_order_id = step->client_order_id,
    };
    status = ms_broker_submit(broker, &request, &step->order);
    if (status == MS_OK && record_answer(result->ledger, &entry, &step->order) != MS_OK)
        MS_WARN("order %s was placed; recording the broker's answer in the ledger failed (%s): "
                "the next cycle looks it up", step->client_order_id, ms_last_error());
    return status;
}

/* A close goes once every cancel of its symbol before it went and the
 * broker has finished them. */
static ms_status ready_to_close(ms_broker *broker, const ms_trade_result *result, size_t index)
{
    const char *symbol = result->steps[index].symbol;
    if (cancel_failed(result, index, symbol))
        return ms_error(MS_ERR_BROKER, "not sent: canceling the symbol's working orders failed");
    return wait_for_cancels(broker, result, index, symbol);
}

static void run_step(ms_broker *broker, ms_trade_result *result, size_t index)
{
    ms_trade_step *step = &result->steps[index];
    ms_status status = MS_OK;
    if (step->action == MS_TRADE_CANCEL)
        status = ms_broker_cancel(broker, step->order_id);
    else if (step->action != MS_TRADE_CLOSE ||
             (status = ready_to_close(broker, result, index)) == MS_OK)
        status = submit_step(broker, result, step);
    step->outcome = status == MS_OK ? MS_TRADE_SENT : MS_TRADE_FAILED;
    if (status != MS_OK)
        snprintf(step->error, sizeof step->error, "%s", ms_last_error());
}

/* An order adopted from an earlier run is recorded too, in case that run
 * died before its record (an older ledger, or none). */
static void record_adopted(ms_trade_result *result, const ms_trade_step *step)
{
    if (step->action == MS_TRADE_CANCEL)
        return;
    ms_ledger_order entry = ledger_order_of(result, step);
    if (ms_ledger_record(result->ledger, &entry) != MS_OK)
        MS_WARN("recording order %s in the ledger failed: %s", step->client_order_id,
                ms_last_error());
}

MS_API ms_status ms_trade_execute(ms_broker *broker, ms_trade_result *result,
                                  const ms_trade_options *opts)
{
    ms_trade_options defaults;
    if (broker == NULL || result == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_trade_execute: NULL argument");
    ms_status status = check_options(&opts, &defaults);
    if (status != MS_OK)
        return status;
    if (result->dry_run || result->ledger == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_trade_execute: this plan was made as a dry run");
    ms_trade_summary *summary = &result->summary;
    summary->executed = 1;
    for (size_t i = 0; i < result->step_count; i++) {
        ms_trade_step *step = &result->steps[i];
        if (opts->stop != NULL && *opts->stop) {
            summary->stopped = 1;
            break;
        }
        if (step->outcome == MS_TRADE_EXISTING)
            record_adopted(result, step);
        if (!ms_trade_action_sends(step->action) || step->outcome != MS_TRADE_PENDING)
            continue;
        run_step(broker, result, i);
        if (opts->on_step != NULL)
            opts->on_step(opts->context, step);
    }
    ms_trade_count_outcomes(result);
    return MS_OK;
}

MS_API ms_status ms_trade_cycle(ms_broker *broker, const ms_report *report,
                                const ms_trade_options *opts, ms_trade_result **out)
{
    ms_trade_options defaults;
    if (out != NULL)
        *out = NULL;
    ms_status status = check_options(&opts, &defaults);
    if (status == MS_OK)
        status = ms_trade_plan(broker, report, opts, out);
    if (status != MS_OK || opts->dry_run)
        return status;
    return ms_trade_execute(broker, *out, opts);
}
