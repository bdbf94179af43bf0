/*
 * ranking.c - choosing each symbol's best strategy, ordering symbols by
 * composite score, and turning the best fresh ones into picks sized from
 * the buying power (strategies.md, "Ranking and picks" and "Sizing").
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"

/* Best = highest mean average daily return; NaN never wins; ties keep the
 * strategy listed first. Spread cost is 0: daily bars carry no quotes. */
void ms_rank_symbol(ms_symbol_report *report)
{
    ms_strategy best = MS_STRATEGY_MAXDIFF;
    double best_return = -INFINITY;
    for (int s = 0; s < MS_STRATEGY_COUNT; s++) {
        double value = report->strategies[s]->mean.avg_daily_return;
        if (isfinite(value) && value > best_return) {
            best_return = value;
            best = (ms_strategy)s;
        }
    }
    report->best_strategy = best;
    report->composite_score = best_return > 0 ? best_return : 0.0;
}

static int compare_composite(const void *a, const void *b)
{
    const ms_symbol_report *x = a, *y = b;
    if (x->composite_score != y->composite_score)
        return x->composite_score > y->composite_score ? -1 : 1;
    return strcmp(x->symbol, y->symbol);
}

void ms_sort_symbols(ms_symbol_report *symbols, size_t n)
{
    qsort(symbols, n, sizeof *symbols, compare_composite);
}

/* What `budget` buys at `price`: whole shares, or coins in 0.001 steps,
 * rounded down so a pick never costs more than its budget. */
static double affordable_quantity(ms_asset_class asset_class, double budget, double price)
{
    double units = budget > 0 ? budget / price : 0.0;
    return asset_class == MS_ASSET_CRYPTO ? floor(units * 1000.0) / 1000.0 : floor(units);
}

MS_API const char *ms_plan_check_name(ms_plan_check check)
{
    switch (check) {
    case MS_PLAN_OK: return "ok";
    case MS_PLAN_TAKE_PROFIT_WRONG_SIDE: return "take_profit_wrong_side";
    case MS_PLAN_BELOW_FEES: return "below_fees";
    }
    return "unknown";
}

/* Per unit, a trade gains side x (tp - entry) and pays fee x entry to open
 * and fee x tp to close: a plan that cannot gain more than that is refused,
 * whatever its history. A take-profit on the wrong side (the strategies'
 * levels come from separately forecast series and optimised offsets) is
 * the extreme case and named apart. */
void ms_check_plan(ms_symbol_report *report, double fee)
{
    double entry = report->entry_price, take_profit = report->take_profit_price;
    double gain = report->side * (take_profit - entry);
    report->plan_check = MS_PLAN_OK;
    if (report->side == 0 || !isfinite(entry) || !isfinite(take_profit))
        return;
    if (!(gain > 0))
        report->plan_check = MS_PLAN_TAKE_PROFIT_WRONG_SIDE;
    else if (!(gain > fee * (entry + take_profit)))
        report->plan_check = MS_PLAN_BELOW_FEES;
}

static int qualifies(const ms_symbol_report *report)
{
    double mean_return = report->strategies[report->best_strategy]->mean.avg_daily_return;
    double predicted_change = report->forecast_close / report->last_close - 1.0;
    return report->side != 0 && isfinite(mean_return) && mean_return > 0 &&
           report->side * predicted_change > 0 && isfinite(report->entry_price) &&
           report->entry_price > 0 && isfinite(report->take_profit_price) &&
           report->plan_check == MS_PLAN_OK;
}

size_t ms_build_picks(const ms_symbol_report *symbols, size_t n,
                      const ms_analyzer_options *opts, ms_pick *picks)
{
    double power = opts->buying_power;
    double position = opts->equity * opts->position_size;
    size_t count = 0;
    for (size_t i = 0; i < n && count < opts->max_positions; i++) {
        const ms_symbol_report *report = &symbols[i];
        if (report->stale || !qualifies(report))
            continue;
        double price = report->entry_price;
        double quantity = affordable_quantity(report->asset_class,
                                              position < power ? position : power, price);
        /* Too little left for one share or 0.001 coin: not a pick, but a
         * cheaper symbol further down may still fit. */
        if (quantity < (report->asset_class == MS_ASSET_CRYPTO ? 0.001 : 1.0))
            continue;
        power -= quantity * price;
        picks[count++] = (ms_pick){
            .symbol = report->symbol,
            .strategy = report->best_strategy,
            .side = report->side,
            .entry_price = price,
            .take_profit_price = report->take_profit_price,
            .forecast_close = report->forecast_close,
            .forecast_high = report->forecast_high,
            .forecast_low = report->forecast_low,
            .quantity = quantity,
        };
    }
    return count;
}
