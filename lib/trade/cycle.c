/*
 * cycle.c - the trade cycle against a broker: read what the broker holds,
 * look this cycle's ids up, build the plan (order_plan.c), then send its
 * steps one by one. Sending relies on ms_broker_submit being exactly-once per
 * client_order_id, so a cycle killed anywhere and run again sends nothing
 * twice: what it had sent is found by id and adopted.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trade_internal.h"

/* What the broker holds at the start of a cycle. */
typedef struct broker_state {
    ms_position *positions;
    size_t position_count;
    ms_order *orders;             /* working orders, then orders found by id */
    size_t order_count;
    ms_plan_signal *signals;
    ms_pick *picks;
} broker_state;

static void release_state(broker_state *state)
{
    ms_free(state->positions);
    ms_free(state->orders);
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
    for (size_t i = 0; i < state->position_count && status == MS_OK; i++)
        if (state->positions[i].qty != 0)
            status = look_up(broker, state, cycle_time, state->positions[i].symbol,
                             state->positions[i].qty > 0 ? -1 : 1, "close");
    return status;
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
            .mean_return = symbol->strategies[symbol->best_strategy].mean.avg_daily_return,
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

MS_API ms_status ms_trade_plan(ms_broker *broker, const ms_report *report, ms_trade_result **out)
{
    if (broker == NULL || report == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_trade_plan: NULL argument");
    *out = NULL;
    ms_trade_result *result = ms_trade_result_new();
    if (result == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory planning the trade cycle");
    broker_state state = { 0 };
    ms_status status = read_broker(broker, &result->summary, &state);
    int64_t cycle_time = result->summary.clock.timestamp;
    if (status == MS_OK)
        status = read_report(report, &state);
    if (status == MS_OK)
        status = look_up_ids(broker, &state, report, cycle_time);
    if (status == MS_OK) {
        ms_plan_inputs inputs = {
            .cycle_time = cycle_time,
            .buying_power = result->summary.account.buying_power,
            .picks = state.picks, .pick_count = ms_report_pick_count(report),
            .signals = state.signals, .signal_count = ms_report_symbol_count(report),
            .positions = state.positions, .position_count = state.position_count,
            .orders = state.orders, .order_count = state.order_count,
        };
        status = ms_plan_build(&inputs, result);
        ms_trade_count_outcomes(result);
    }
    release_state(&state);
    if (status != MS_OK) {
        ms_trade_result_free(result);
        return status;
    }
    *out = result;
    return MS_OK;
}

/* A close goes only if every cancel of its symbol before it went. */
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

static ms_status submit_step(ms_broker *broker, ms_trade_step *step)
{
    ms_order_request request = {
        .symbol = step->symbol, .qty = step->qty, .side = step->side, .type = step->type,
        .time_in_force = step->time_in_force, .limit_price = step->limit_price,
        .stop_price = NAN, .order_class = step->order_class,
        .take_profit_limit = step->take_profit_limit, .stop_loss_stop = NAN,
        .client_order_id = step->client_order_id,
    };
    return ms_broker_submit(broker, &request, &step->order);
}

static void run_step(ms_broker *broker, ms_trade_result *result, size_t index)
{
    ms_trade_step *step = &result->steps[index];
    ms_status status = MS_OK;
    if (step->action == MS_TRADE_CANCEL)
        status = ms_broker_cancel(broker, step->order_id);
    else if (step->action == MS_TRADE_CLOSE && cancel_failed(result, index, step->symbol))
        status = ms_error(MS_ERR_BROKER, "not sent: canceling the symbol's working orders failed");
    else
        status = submit_step(broker, step);
    step->outcome = status == MS_OK ? MS_TRADE_SENT : MS_TRADE_FAILED;
    if (status != MS_OK)
        snprintf(step->error, sizeof step->error, "%s", ms_last_error());
}

MS_API ms_status ms_trade_execute(ms_broker *broker, ms_trade_result *result,
                                  const ms_trade_options *opts)
{
    ms_trade_options defaults = MS_TRADE_OPTIONS_INIT;
    if (opts == NULL)
        opts = &defaults;
    if (broker == NULL || result == NULL || opts->version != MS_TRADE_OPTIONS_VERSION)
        return ms_error(MS_ERR_INVALID_ARG, "ms_trade_execute: NULL argument or options version %d "
                        "(expected %d)", opts->version, MS_TRADE_OPTIONS_VERSION);
    ms_trade_summary *summary = &result->summary;
    summary->executed = 1;
    for (size_t i = 0; i < result->step_count; i++) {
        ms_trade_step *step = &result->steps[i];
        if (opts->stop != NULL && *opts->stop) {
            summary->stopped = 1;
            break;
        }
        bool sendable = step->action == MS_TRADE_ENTER || step->action == MS_TRADE_CLOSE ||
                        step->action == MS_TRADE_CANCEL;
        if (!sendable || step->outcome != MS_TRADE_PENDING)
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
    ms_trade_options defaults = MS_TRADE_OPTIONS_INIT;
    if (opts == NULL)
        opts = &defaults;
    if (opts->version != MS_TRADE_OPTIONS_VERSION)
        return ms_error(MS_ERR_INVALID_ARG, "trade options version %d, expected %d", opts->version,
                        MS_TRADE_OPTIONS_VERSION);
    ms_status status = ms_trade_plan(broker, report, out);
    if (status != MS_OK || opts->dry_run)
        return status;
    return ms_trade_execute(broker, *out, opts);
}
