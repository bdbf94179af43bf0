/*
 * plan_text.c - a trade cycle for people: the plan (what the cycle saw and
 * each step with its reason) and the results (what each sent step got
 * back from the broker). Lines fit 100 columns (a step's order id and
 * reason go on the line under it, long lines wrap) and prices print to
 * the instrument's tick (ms_price_decimals); the JSON form has them exact.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "broker/fills_internal.h"
#include "data/data_internal.h"
#include "trade_internal.h"

#define TEXT_WIDTH 100

/* A price of `symbol` to its instrument's tick. */
static int price_decimals(const char *symbol, double price)
{
    return ms_price_decimals(ms_symbol_asset_class(symbol), price);
}

static void write_order(FILE *f, const ms_trade_step *step)
{
    fprintf(f, "%-4s %-10.10g ", ms_order_side_word(step->side), step->qty);
    if (step->type == MS_ORDER_MARKET)
        fprintf(f, "market");
    else
        fprintf(f, "%s %.*f", ms_order_type_word(step->type),
                price_decimals(step->symbol, step->limit_price), step->limit_price);
    if (isfinite(step->take_profit_limit))
        fprintf(f, ", take profit %.*f", price_decimals(step->symbol, step->take_profit_limit),
                step->take_profit_limit);
    fprintf(f, " (%s %s)\n         %s", ms_order_class_word(step->order_class),
            ms_time_in_force_word(step->time_in_force), step->client_order_id);
}

static void write_step(FILE *f, const ms_trade_step *step)
{
    fprintf(f, "  %-6s %-10s ", ms_trade_action_name(step->action), step->symbol);
    switch (step->action) {
    case MS_TRADE_ENTER:
    case MS_TRADE_CLOSE:
    case MS_TRADE_EXIT:
        write_order(f, step);
        break;
    case MS_TRADE_CANCEL:
        fprintf(f, "order %s (%s %s", step->order_id, ms_order_side_word(step->order.side),
                ms_order_type_word(step->order.type));
        if (isfinite(step->order.limit_price))
            fprintf(f, " %.*f", price_decimals(step->symbol, step->order.limit_price),
                    step->order.limit_price);
        fprintf(f, ")");
        break;
    case MS_TRADE_SKIP:
        fprintf(f, "%-4s %s", ms_order_side_word(step->side), ms_strategy_name(step->strategy));
        break;
    case MS_TRADE_HOLD:
        fprintf(f, "%s %.10g", step->side > 0 ? "long" : "short", step->qty);
        break;
    case MS_TRADE_LEAVE:
        if (*step->order.id != '\0')
            fprintf(f, "order %s (%s %s %.10g)", step->order.id, ms_order_side_word(step->order.side),
                    ms_order_type_word(step->order.type), step->order.qty);
        else
            fprintf(f, "%s %.10g", step->side > 0 ? "long" : "short", step->qty);
        break;
    }
    fprintf(f, ": %s", step->reason);
}

/* A step's lines, each wrapped to the width under the step. */
static void write_step_wrapped(FILE *f, const ms_trade_step *step)
{
    char text[2048] = "";
    FILE *lines = fmemopen(text, sizeof text - 1, "w");
    if (lines == NULL) {
        write_step(f, step);
        fputc('\n', f);
        return;
    }
    write_step(lines, step);
    fclose(lines);
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n"))
        ms_write_wrapped(f, line, 0, 11, TEXT_WIDTH);
}

static void write_header(FILE *f, const ms_trade_summary *s)
{
    time_t seconds = (time_t)s->clock.timestamp;
    struct tm utc;
    char clock[32] = "?";
    if (gmtime_r(&seconds, &utc) != NULL)
        strftime(clock, sizeof clock, "%Y-%m-%d %H:%M:%S UTC", &utc);
    fprintf(f, "trade cycle %s | broker %s | clock %s, market %s\n", s->cycle_date, s->broker, clock,
            s->clock.is_open ? "open" : "closed");
    fprintf(f, "account: equity %.2f, cash %.2f, buying power %.2f; %zu position(s), "
               "%zu working order(s)\n", s->account.equity, s->account.cash, s->account.buying_power,
            s->positions, s->working_orders);
}

/* Whose a fill is: "(ours: take profit of ms-...)", "(ours)", "(not ours)". */
static void note_owner(void *context, const ms_fill *fill, char *out, size_t size)
{
    ms_fill_owner owner;
    ms_trade_fill_owner(context, fill, &owner);
    if (!owner.ours)
        snprintf(out, size, "(not ours)");
    else if (owner.take_profit)
        snprintf(out, size, "(ours: take profit of %s)", owner.client_order_id);
    else if (strcmp(owner.client_order_id, fill->client_order_id) == 0)
        snprintf(out, size, "(ours)");
    else
        snprintf(out, size, "(ours: %s)", owner.client_order_id);
}

/* What filled since the previous cycle, e.g. a take profit reached in
 * between; nothing for the first cycle. */
static void write_fills(FILE *f, const ms_trade_result *result)
{
    if (result->summary.previous_cycle == 0)
        return;
    char since[MS_UTC_TIME_TEXT];
    ms_format_utc_time(result->summary.previous_cycle, since);
    if (result->fills == NULL) {
        fprintf(f, "fills since the previous cycle (%s): not known, the broker did not list "
                   "them\n", since);
        return;
    }
    fprintf(f, "fills since the previous cycle (%s): %zu\n", since, ms_fills_count(result->fills));
    if (ms_fills_count(result->fills) > 0)
        ms_fills_write_text(f, result->fills, 0, 2, false, note_owner, result->ledger);
}

static ms_status to_text(const ms_trade_result *result, char **out, ms_text_writer write)
{
    if (result == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "trade text: NULL argument");
    return ms_write_to_string("the trade text", write, result, out);
}

static ms_status write_plan(FILE *f, const void *subject)
{
    const ms_trade_result *result = subject;
    write_header(f, &result->summary);
    write_fills(f, result);
    fprintf(f, "\nplan (%zu step(s); new entries use %.2f of the buying power):\n",
            result->step_count, result->summary.planned_cost);
    for (size_t i = 0; i < result->step_count; i++)
        write_step_wrapped(f, &result->steps[i]);
    return MS_OK;
}

MS_API ms_status ms_trade_plan_to_text(const ms_trade_result *result, char **out)
{
    return to_text(result, out, write_plan);
}

static void write_outcome(FILE *f, const ms_trade_step *step)
{
    const char *label = step->outcome == MS_TRADE_SENT ? "sent"
                        : step->outcome == MS_TRADE_EXISTING ? "already placed"
                        : step->outcome == MS_TRADE_FAILED ? "failed" : "not sent";
    char line[1024];
    int used = snprintf(line, sizeof line, "%-14s %-6s %-10s %s%s", label,
                        ms_trade_action_name(step->action), step->symbol,
                        step->action == MS_TRADE_CANCEL ? "order " : "",
                        step->action == MS_TRADE_CANCEL ? step->order_id : step->client_order_id);
    size_t at = used > 0 && (size_t)used < sizeof line ? (size_t)used : strlen(line);
    if (step->outcome == MS_TRADE_FAILED)
        snprintf(line + at, sizeof line - at, ": %s", step->error);
    else if (step->outcome != MS_TRADE_PENDING && step->action != MS_TRADE_CANCEL)
        snprintf(line + at, sizeof line - at, " -> %s %s", step->order.id, step->order.status);
    ms_write_wrapped(f, line, 2, 17, TEXT_WIDTH);
}

static ms_status write_results(FILE *f, const void *subject)
{
    const ms_trade_result *result = subject;
    const ms_trade_summary *s = &result->summary;
    fprintf(f, "%s: sent %zu, already placed %zu, failed %zu\n",
            s->executed ? "results" : "dry run, nothing sent", s->sent, s->existing, s->failed);
    for (size_t i = 0; i < result->step_count; i++) {
        const ms_trade_step *step = &result->steps[i];
        if (ms_trade_action_sends(step->action) && (s->executed || step->outcome != MS_TRADE_PENDING))
            write_outcome(f, step);
    }
    if (s->stopped)
        fprintf(f, "stopped on request before the end: the steps not sent are left for the next "
                   "cycle\n");
    return MS_OK;
}

MS_API ms_status ms_trade_result_to_text(const ms_trade_result *result, char **out)
{
    return to_text(result, out, write_results);
}
