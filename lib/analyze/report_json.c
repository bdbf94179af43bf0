/*
 * report_json.c - the report as one JSON document (jansson). The shape is
 * the contract of `marketsim analyze --json` (docs/cli.md); numbers that are
 * not finite (an undefined Sharpe, a missing level) are written as null,
 * because JSON has no NaN. Outside strings (symbols, messages, the data URI
 * and model path) go through ms_json_text, so bytes that are not UTF-8 are
 * quoted instead of losing the entry. Each symbol's chart series and the
 * forecast quality come from report_json_series.c.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analyze_internal.h"
#include "core/core_internal.h"

static json_t *number(double value)
{
    return isfinite(value) ? json_real(value) : json_null();
}

static json_t *side_name(int side)
{
    return side > 0 ? json_string("buy") : side < 0 ? json_string("sell") : json_null();
}

static json_t *iso_date(int64_t timestamp)
{
    char text[32];
    return ms_report_date(timestamp, text, sizeof text) ? json_string(text) : json_null();
}

/* A time as RFC 3339, or null for 0 (unknown). */
static json_t *utc_time(int64_t timestamp)
{
    char text[MS_UTC_TIME_TEXT];
    if (timestamp == 0)
        return json_null();
    ms_format_rfc3339(timestamp, text);
    return json_string(text);
}

static json_t *metrics_object(const ms_period_metrics *m)
{
    return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
                     "total_return", number(m->total_return),
                     "avg_daily_return", number(m->avg_daily_return),
                     "annual_return", number(m->annual_return),
                     "sharpe", number(m->sharpe),
                     "win_rate", number(m->win_rate),
                     "trades", number(m->trades),
                     "turnover", number(m->turnover));
}

static json_t *strategy_object(ms_strategy strategy, const ms_strategy_summary *summary,
                               const ms_maxdiff_choice *choice)
{
    json_t *object = metrics_object(&summary->mean);
    json_object_set_new(object, "total_return_std", number(summary->total_return_std));
    if (strategy == MS_STRATEGY_MAXDIFF || strategy == MS_STRATEGY_MAXDIFF_ALWAYS_ON) {
        json_object_set_new(object, "baseline", metrics_object(&summary->baseline_mean));
        json_t *optimized = metrics_object(&summary->optimized_mean);
        if (strategy == MS_STRATEGY_MAXDIFF) {
            json_object_set_new(optimized, "high_offset", number(choice->high_offset));
            json_object_set_new(optimized, "low_offset", number(choice->low_offset));
            json_object_set_new(optimized, "close_at_eod", json_boolean(choice->close_at_eod));
        }
        json_object_set_new(object, "optimized", optimized);
        /* The same strategy under the original's rules, beside the run's. */
        json_object_set_new(object, "reference", metrics_object(&summary->reference_mean));
    }
    return object;
}

static json_t *symbol_fields(const ms_symbol_report *r);

/* The symbol's fields, then what its charts plot and its forecast errors
 * (report_json_series.c). */
static json_t *symbol_object(const ms_symbol_report *r)
{
    json_t *object = symbol_fields(r);
    if (object == NULL ||
        json_object_set_new(object, "forecast_quality",
                            ms_json_forecast_quality(&r->forecast_quality)) != 0 ||
        json_object_set_new(object, "series", ms_json_symbol_series(r)) != 0) {
        json_decref(object);
        return NULL;
    }
    return object;
}

static json_t *symbol_fields(const ms_symbol_report *r)
{
    json_t *strategies = json_object();
    for (int s = 0; s < MS_STRATEGY_COUNT; s++)
        json_object_set_new(strategies, ms_strategy_name((ms_strategy)s),
                            strategy_object((ms_strategy)s, r->strategies[s], &r->maxdiff_choice));
    return json_pack("{s:o,s:s,s:I,s:o,s:o,s:b,s:o,s:{s:o,s:o,s:o},s:I,s:I,s:o,s:s,s:o,s:o,s:o,"
                     "s:o,s:s,s:{s:f,s:f,s:f,s:I,s:I}}",
                     "symbol", ms_json_text(r->symbol),
                     "asset_class", ms_asset_class_name(r->asset_class),
                     "bars", (json_int_t)r->bars,
                     "last_date", iso_date(r->last_timestamp),
                     "last_bar", utc_time(r->last_timestamp),
                     "stale", r->stale,
                     "last_close", number(r->last_close),
                     "forecast", "close", number(r->forecast_close), "high", number(r->forecast_high),
                     "low", number(r->forecast_low),
                     "incoherent_forecasts", (json_int_t)r->incoherent_forecasts,
                     "forecast_origins", (json_int_t)r->forecast_origins,
                     "strategies", strategies,
                     "best_strategy", ms_strategy_name(r->best_strategy),
                     "composite_score", number(r->composite_score),
                     "side", side_name(r->side),
                     "entry_price", number(r->entry_price),
                     "take_profit_price", number(r->take_profit_price),
                     "plan_check", ms_plan_check_name(r->plan_check),
                     "timings", "data", r->data_seconds, "inference", r->inference_seconds,
                     "strategies", r->strategy_seconds, "forecasts_cached",
                     (json_int_t)r->forecasts_cached, "forecasts_computed",
                     (json_int_t)r->forecasts_computed);
}

static json_t *pick_object(const ms_pick *p)
{
    return json_pack("{s:o,s:s,s:o,s:o,s:o,s:{s:o,s:o,s:o},s:o}",
                     "symbol", ms_json_text(p->symbol),
                     "strategy", ms_strategy_name(p->strategy),
                     "side", side_name(p->side),
                     "entry_price", number(p->entry_price),
                     "take_profit_price", number(p->take_profit_price),
                     "forecast", "close", number(p->forecast_close), "high", number(p->forecast_high),
                     "low", number(p->forecast_low),
                     "quantity", number(p->quantity));
}

static json_t *config_object(const ms_report *report)
{
    const ms_analyzer_options *o = &report->options;
    return json_pack("{s:o,s:o,s:I,s:I,s:I,s:I,s:o,s:I,s:I,s:b,s:i,s:b,s:f,s:f,s:I,s:I,s:f,s:f,"
                     "s:f,s:o,s:s,s:s,s:s}",
                     "data", ms_json_text(report->source_uri),
                     "model", ms_json_text(report->model_name),
                     "simulations", (json_int_t)o->simulations,
                     "eval_days", (json_int_t)o->eval_days,
                     "context_length", (json_int_t)o->context_length,
                     "min_context", (json_int_t)o->min_context,
                     "aggregate", ms_json_text(o->aggregate),
                     "samples", (json_int_t)o->num_samples,
                     "seed", (json_int_t)o->seed,
                     "parallel", o->parallel,
                     "workers", o->workers,
                     "warmup", o->warmup,
                     "stock_fee", o->stock_fee,
                     "crypto_fee", o->crypto_fee,
                     "max_positions", (json_int_t)o->max_positions,
                     "min_positions", (json_int_t)o->min_positions,
                     "equity", o->equity,
                     "buying_power", o->buying_power,
                     "position_size", o->position_size,
                     "as_of", utc_time(o->as_of),
                     "fills", ms_fill_model_name(o->fills),
                     "offsets", ms_offsets_name(o->offsets),
                     "coherence", o->coherence == MS_COHERENCE_AS_FORECAST ? "as_forecast" : "widen");
}

static json_t *error_object(const ms_symbol_error *e)
{
    return json_pack("{s:o,s:s,s:o}", "symbol", ms_json_text(e->symbol),
                     "status", ms_status_str(e->status), "message", ms_json_text(e->message));
}

/* An entry that cannot be built fails the whole document (out of memory)
 * rather than leaving the array one entry short. */
/* The run's timings; a merged report's also list its parts (the ranks of
 * a sharded job: ms_report_set_job_timings). */
static json_t *timings_object(const ms_report *report)
{
    const ms_timings *t = &report->timings;
    json_t *timings = json_pack("{s:f,s:f,s:f,s:f,s:f,s:f,s:I,s:I}",
                                "warmup", t->warmup, "data", t->data, "inference", t->inference,
                                "strategies", t->strategies, "ranking", t->ranking,
                                "total", t->total,
                                "forecasts_cached", (json_int_t)t->forecasts_cached,
                                "forecasts_computed", (json_int_t)t->forecasts_computed);
    json_t *parts = report->part_count > 0 ? json_array() : NULL;
    for (size_t i = 0; parts != NULL && i < report->part_count; i++) {
        const ms_part_timings *p = &report->parts[i];
        json_array_append_new(parts, json_pack("{s:f,s:f,s:f,s:I}", "analysis", p->analysis,
                                               "cpu", p->cpu, "warmup", p->warmup,
                                               "symbols", (json_int_t)p->symbols));
    }
    if (timings != NULL && parts != NULL)
        json_object_set_new(timings, "parts", parts);
    return timings;
}

static json_t *report_object(const ms_report *report)
{
    json_t *symbols = json_array(), *picks = json_array(), *errors = json_array();
    json_t *warnings = json_array();
    int failed = 0;
    for (size_t i = 0; i < report->warning_count; i++)
        failed |= json_array_append_new(warnings, ms_json_text(report->warnings[i]));
    for (size_t i = 0; i < report->symbol_count; i++)
        failed |= json_array_append_new(symbols, symbol_object(&report->symbols[i]));
    for (size_t i = 0; i < report->pick_count; i++)
        failed |= json_array_append_new(picks, pick_object(&report->picks[i]));
    for (size_t i = 0; i < report->error_count; i++)
        failed |= json_array_append_new(errors, error_object(&report->errors[i]));
    if (failed) {
        json_decref(symbols);
        json_decref(picks);
        json_decref(errors);
        json_decref(warnings);
        return NULL;
    }
    return json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
                     "version", ms_version(),
                     "config", config_object(report),
                     "timings", timings_object(report),
                     "symbols", symbols, "picks", picks, "errors", errors,
                     "warnings", warnings,
                     "forecast_quality", ms_json_forecast_quality(&report->forecast_quality));
}

MS_API ms_status ms_report_to_json(const ms_report *report, char **out)
{
    if (report == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_report_to_json: NULL argument");
    *out = NULL;
    json_t *root = report_object(report);
    if (root == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory building the JSON report");
    /* jansson allocates with malloc, so ms_free (free) releases the text. */
    *out = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    json_decref(root);
    return *out ? MS_OK : ms_error(MS_ERR_NOMEM, "out of memory writing the JSON report");
}
