/* report.c - ownership and read access for ms_report (analyze.h): its symbol
 * reports' per-strategy blocks, accessors and warnings. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "analyze_internal.h"
#include "core/core_internal.h"

void ms_strategy_block_point(ms_symbol_report *report, ms_strategy_block *block)
{
    for (int s = 0; s < MS_STRATEGY_COUNT; s++)
        block->summary_rows[s] = &block->summaries[s];
    report->strategy_count = MS_STRATEGY_COUNT;
    report->strategies = block->summary_rows;
    report->walk_forward_returns = block->return_rows;
    report->walk_forward_sides = block->side_rows;
}

ms_status ms_strategy_block_attach(ms_symbol_report *report)
{
    ms_strategy_block *block = calloc(1, sizeof *block);
    if (block == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory for a symbol's strategies");
    ms_strategy_block_point(report, block);
    return MS_OK;
}

_Static_assert(offsetof(ms_strategy_block, summary_rows) == 0,
               "a report's strategies pointer is its block's address");

ms_strategy_block *ms_strategy_block_of(const ms_symbol_report *report)
{
    return (ms_strategy_block *)(uintptr_t)report->strategies;
}

void ms_symbol_report_release(ms_symbol_report *report)
{
    free((char *)report->symbol);
    report->symbol = NULL;
    ms_release_recent_bars(report);
    ms_release_walk_forward(report);
    ms_strategy_block *block = ms_strategy_block_of(report);
    for (size_t s = 0; block != NULL && s < report->strategy_count; s++)
        free((double *)block->summaries[s].simulation_returns);
    free(block);
    report->strategies = NULL;
    report->walk_forward_returns = NULL;
    report->walk_forward_sides = NULL;
    report->strategy_count = 0;
}

MS_API void ms_report_free(ms_report *report)
{
    if (report == NULL)
        return;
    for (size_t i = 0; i < report->symbol_count; i++)
        ms_symbol_report_release(&report->symbols[i]);
    for (size_t i = 0; i < report->error_count; i++) {
        free((char *)report->errors[i].symbol);
        free((char *)report->errors[i].message);
    }
    for (size_t i = 0; i < report->warning_count; i++)
        free(report->warnings[i]);
    free(report->warnings);
    free(report->symbols);
    free(report->errors);
    free(report->picks);
    free(report->parts);
    free(report->aggregate_name);
    free(report->source_uri);
    free(report->model_name);
    free(report);
}

MS_API size_t ms_report_symbol_count(const ms_report *report)
{
    return report ? report->symbol_count : 0;
}

MS_API const ms_symbol_report *ms_report_symbol(const ms_report *report, size_t i)
{
    return report && i < report->symbol_count ? &report->symbols[i] : NULL;
}

static bool known_strategy(const ms_symbol_report *report, ms_strategy strategy)
{
    return report != NULL && report->strategies != NULL && (int)strategy >= 0 &&
           (size_t)strategy < report->strategy_count;
}

MS_API const ms_strategy_summary *ms_symbol_report_strategy(const ms_symbol_report *report,
                                                            ms_strategy strategy)
{
    return known_strategy(report, strategy) ? report->strategies[strategy] : NULL;
}

MS_API const double *ms_symbol_report_walk_forward_returns(const ms_symbol_report *report,
                                                           ms_strategy strategy)
{
    return known_strategy(report, strategy) ? report->walk_forward_returns[strategy] : NULL;
}

MS_API const int *ms_symbol_report_walk_forward_sides(const ms_symbol_report *report,
                                                      ms_strategy strategy)
{
    return known_strategy(report, strategy) ? report->walk_forward_sides[strategy] : NULL;
}

MS_API size_t ms_report_error_count(const ms_report *report)
{
    return report ? report->error_count : 0;
}

MS_API const ms_symbol_error *ms_report_error(const ms_report *report, size_t i)
{
    return report && i < report->error_count ? &report->errors[i] : NULL;
}

MS_API size_t ms_report_pick_count(const ms_report *report)
{
    return report ? report->pick_count : 0;
}

MS_API const ms_pick *ms_report_pick(const ms_report *report, size_t i)
{
    return report && i < report->pick_count ? &report->picks[i] : NULL;
}

ms_status ms_report_warn(ms_report *report, const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int length = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *text = length >= 0 ? malloc((size_t)length + 1) : NULL;
    char **warnings = text ? realloc(report->warnings,
                                     (report->warning_count + 1) * sizeof *warnings) : NULL;
    if (warnings == NULL) {
        va_end(again);
        free(text);
        return ms_error(MS_ERR_NOMEM, "out of memory for a report warning");
    }
    vsnprintf(text, (size_t)length + 1, fmt, again);
    va_end(again);
    report->warnings = warnings;
    warnings[report->warning_count++] = text;
    return MS_OK;
}

MS_API size_t ms_report_warning_count(const ms_report *report)
{
    return report ? report->warning_count : 0;
}

MS_API const char *ms_report_warning(const ms_report *report, size_t i)
{
    return report && i < report->warning_count ? report->warnings[i] : NULL;
}

MS_API const ms_forecast_quality *ms_report_forecast_quality(const ms_report *report)
{
    return report ? &report->forecast_quality : NULL;
}

MS_API const ms_timings *ms_report_timings(const ms_report *report)
{
    return report ? &report->timings : NULL;
}

MS_API const ms_analyzer_options *ms_report_options(const ms_report *report)
{
    return report ? &report->options : NULL;
}
