/*
 * result.c - ms_trade_result: a cycle's summary and its steps in order,
 * with the accessors of the public API and the names the text and JSON
 * writers share.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trade_internal.h"

ms_trade_result *ms_trade_result_new(void)
{
    return calloc(1, sizeof(ms_trade_result));
}

ms_trade_step *ms_trade_add_step(ms_trade_result *result, ms_trade_action action, const char *symbol)
{
    if (ms_reserve(&result->steps, &result->step_capacity, result->step_count + 1,
                   sizeof *result->steps) != MS_OK)
        return NULL;
    ms_trade_step *step = &result->steps[result->step_count++];
    memset(step, 0, sizeof *step);
    step->action = action;
    snprintf(step->symbol, sizeof step->symbol, "%s", symbol);
    step->limit_price = step->take_profit_limit = NAN;
    step->order.limit_price = step->order.stop_price = NAN;
    step->order.filled_avg_price = step->order.take_profit_limit = NAN;
    return step;
}

void ms_trade_count_outcomes(ms_trade_result *result)
{
    ms_trade_summary *summary = &result->summary;
    summary->sent = summary->existing = summary->failed = 0;
    for (size_t i = 0; i < result->step_count; i++) {
        summary->sent += result->steps[i].outcome == MS_TRADE_SENT;
        summary->existing += result->steps[i].outcome == MS_TRADE_EXISTING;
        summary->failed += result->steps[i].outcome == MS_TRADE_FAILED;
    }
}

MS_API void ms_trade_result_free(ms_trade_result *result)
{
    if (result == NULL)
        return;
    ms_ledger_close(result->ledger);
    ms_fills_free(result->fills);
    free(result->steps);
    free(result);
}

MS_API const ms_trade_summary *ms_trade_result_summary(const ms_trade_result *result)
{
    return result != NULL ? &result->summary : NULL;
}

MS_API size_t ms_trade_result_step_count(const ms_trade_result *result)
{
    return result != NULL ? result->step_count : 0;
}

MS_API const ms_trade_step *ms_trade_result_step(const ms_trade_result *result, size_t i)
{
    return result != NULL && i < result->step_count ? &result->steps[i] : NULL;
}

bool ms_trade_action_sends(ms_trade_action action)
{
    return action == MS_TRADE_ENTER || action == MS_TRADE_CLOSE || action == MS_TRADE_CANCEL ||
           action == MS_TRADE_EXIT;
}

const char *ms_trade_action_name(ms_trade_action action)
{
    static const char *const names[] = { "enter", "close", "cancel", "skip", "hold", "exit",
                                         "leave" };
    return (size_t)action < MS_ARRAY_LEN(names) ? names[action] : "?";
}

const char *ms_trade_outcome_name(ms_trade_outcome outcome)
{
    static const char *const names[] = { "pending", "sent", "existing", "failed" };
    return (size_t)outcome < MS_ARRAY_LEN(names) ? names[outcome] : "?";
}
