/*
 * records.c - the field tables of records.h: every described public
 * struct, field by field, in declaration order. The top layer, so it sees
 * every public header. test_records proves each table covers its struct
 * byte for byte (a field appended to a struct and not here fails it), and
 * the Python bindings build their ctypes views from these tables.
 */
#include <stddef.h>
#include <string.h>

#include "core/core_internal.h"
#include "marketsim/marketsim.h"

#define MEMBER(rec, field) (((rec *)0)->field)
#define FIELD(rec, field, type, target) \
    { #field, type, offsetof(rec, field), 1, target }
#define ARRAY(rec, field, type, target)                                            \
    { #field, type, offsetof(rec, field),                                          \
      sizeof(MEMBER(rec, field)) / sizeof(MEMBER(rec, field)[0]), target }
#define INT(rec, field) FIELD(rec, field, MS_FIELD_INT, NULL)
#define SIZE(rec, field) FIELD(rec, field, MS_FIELD_SIZE, NULL)
#define DOUBLE(rec, field) FIELD(rec, field, MS_FIELD_DOUBLE, NULL)
#define INT64(rec, field) FIELD(rec, field, MS_FIELD_INT64, NULL)
#define UINT64(rec, field) FIELD(rec, field, MS_FIELD_UINT64, NULL)
#define STRING(rec, field) FIELD(rec, field, MS_FIELD_STRING, NULL)
#define POINTER(rec, field, target) FIELD(rec, field, MS_FIELD_POINTER, target)
#define POINTERS(rec, field, target) FIELD(rec, field, MS_FIELD_POINTERS, target)
#define RECORD(rec, field, target) FIELD(rec, field, MS_FIELD_RECORD, target)
#define CHARS(rec, field) ARRAY(rec, field, MS_FIELD_CHARS, NULL)

/* ---- Options structs ------------------------------------------------------ */

#define O ms_model_options
static const ms_record_field model_options[] = {
    INT(O, version), STRING(O, device), INT(O, num_threads), STRING(O, dtype),
    SIZE(O, max_batch), INT(O, disable_kv_cache), STRING(O, precision), STRING(O, toto_dir),
    STRING(O, kronos_dir), STRING(O, hf_home),
};
#undef O
#define O ms_forecast_options
static const ms_record_field forecast_options[] = {
    INT(O, version), SIZE(O, horizon), SIZE(O, num_samples), POINTER(O, quantiles, "double"),
    SIZE(O, num_quantiles), POINTER(O, aggregates, "ms_aggregate"), SIZE(O, num_aggregates),
};
#undef O
#define O ms_bar_forecast_options
static const ms_record_field bar_forecast_options[] = {
    INT(O, version), SIZE(O, horizon), SIZE(O, max_context), SIZE(O, num_samples),
    DOUBLE(O, temperature), INT(O, top_k), DOUBLE(O, top_p), UINT64(O, seed),
    RECORD(O, aggregate, "ms_aggregate"),
};
#undef O
#define O ms_metrics_options
static const ms_record_field metrics_options[] = {
    INT(O, version), DOUBLE(O, periods_per_year), DOUBLE(O, risk_free), DOUBLE(O, mar),
};
#undef O
#define O ms_bars_options
static const ms_record_field bars_options[] = {
    INT(O, version), INT(O, ohlc_policy), DOUBLE(O, ohlc_tolerance),
};
#undef O
#define O ms_source_options
static const ms_record_field source_options[] = {
    INT(O, version), SIZE(O, synthetic_bars), RECORD(O, bars, "ms_bars_options"),
    INT(O, from_env),
};
#undef O
#define O ms_analyzer_options
static const ms_record_field analyzer_options[] = {
    INT(O, version), SIZE(O, simulations), SIZE(O, eval_days), SIZE(O, context_length),
    SIZE(O, min_context), INT(O, parallel), INT(O, workers), STRING(O, aggregate),
    SIZE(O, num_samples), UINT64(O, seed), DOUBLE(O, stock_fee), DOUBLE(O, crypto_fee),
    SIZE(O, max_positions), SIZE(O, min_positions), DOUBLE(O, equity),
    DOUBLE(O, buying_power), DOUBLE(O, position_size), INT64(O, as_of), INT(O, warmup),
    SIZE(O, batch_size), FIELD(O, ablations, MS_FIELD_UNSIGNED, NULL),
    FIELD(O, progress, MS_FIELD_FUNCTION, "ms_analyzer_progress_fn"),
    POINTER(O, progress_context, NULL), INT(O, fills), INT(O, offsets), INT(O, coherence),
    STRING(O, cache), SIZE(O, cache_max_entries),
};
#undef O
#define O ms_broker_options
static const ms_record_field broker_options[] = {
    INT(O, version), INT(O, live), STRING(O, trading_url), STRING(O, data_url),
    STRING(O, key_id), STRING(O, secret_key), STRING(O, key_file), DOUBLE(O, connect_timeout),
    DOUBLE(O, timeout), INT(O, max_retries), DOUBLE(O, requests_per_minute),
    STRING(O, cache_dir), DOUBLE(O, sim_cash), INT(O, read_only), INT(O, from_env),
};
#undef O
#define O ms_trade_options
static const ms_record_field trade_options[] = {
    INT(O, version), INT(O, dry_run), FIELD(O, on_step, MS_FIELD_FUNCTION, "ms_trade_step_fn"),
    POINTER(O, context, NULL), POINTER(O, stop, "sig_atomic_t"), STRING(O, ledger_path),
};
#undef O

/* ---- Model records -------------------------------------------------------- */

#define R ms_series
static const ms_record_field series[] = {
    POINTER(R, values, "double"), SIZE(R, length), SIZE(R, variates), UINT64(R, seed),
};
#undef R
#define R ms_aggregate
static const ms_record_field aggregate[] = { INT(R, kind), DOUBLE(R, param) };
#undef R
#define R ms_forecast_output
static const ms_record_field forecast_output[] = {
    POINTER(R, mean, "double"), POINTER(R, quantiles, "double"),
    POINTER(R, aggregates, "double"), POINTER(R, samples, "double"),
};
#undef R
#define R ms_bar_context
static const ms_record_field bar_context[] = {
    SIZE(R, length), POINTER(R, timestamps, "int64"), POINTER(R, open, "double"),
    POINTER(R, high, "double"), POINTER(R, low, "double"), POINTER(R, close, "double"),
    POINTER(R, volume, "double"), POINTER(R, amount, "double"),
    POINTER(R, future_timestamps, "int64"), UINT64(R, seed),
};
#undef R
#define R ms_model_shape
static const ms_record_field model_shape[] = {
    SIZE(R, patch_size), SIZE(R, single_pass_horizon), SIZE(R, max_batch),
};
#undef R
#define R ms_model_stats
static const ms_record_field model_stats[] = {
    UINT64(R, forecast_calls), UINT64(R, contexts), UINT64(R, forward_passes),
    DOUBLE(R, busy_seconds),
};
#undef R
#define R ms_metrics
static const ms_record_field metrics[] = {
    DOUBLE(R, sharpe), DOUBLE(R, sortino), DOUBLE(R, downside_risk), DOUBLE(R, max_drawdown),
    DOUBLE(R, cumulative_return), DOUBLE(R, annual_return), DOUBLE(R, annual_volatility),
    DOUBLE(R, calmar), DOUBLE(R, win_rate), DOUBLE(R, profit_factor), SIZE(R, periods),
};
#undef R

/* ---- Analysis records ----------------------------------------------------- */

#define R ms_analysis_progress
static const ms_record_field analysis_progress[] = {
    INT(R, running), SIZE(R, symbols_total), SIZE(R, symbols_done), SIZE(R, symbols_planned),
    SIZE(R, contexts_planned), SIZE(R, contexts_done), DOUBLE(R, elapsed), DOUBLE(R, fraction),
};
#undef R
#define R ms_period_metrics
static const ms_record_field period_metrics[] = {
    DOUBLE(R, total_return), DOUBLE(R, avg_daily_return), DOUBLE(R, annual_return),
    DOUBLE(R, sharpe), DOUBLE(R, win_rate), DOUBLE(R, turnover), DOUBLE(R, trades),
};
#undef R
#define R ms_maxdiff_choice
static const ms_record_field maxdiff_choice[] = {
    DOUBLE(R, high_offset), DOUBLE(R, low_offset), INT(R, close_at_eod),
};
#undef R
#define R ms_strategy_summary
static const ms_record_field strategy_summary[] = {
    RECORD(R, mean, "ms_period_metrics"), RECORD(R, baseline_mean, "ms_period_metrics"),
    RECORD(R, optimized_mean, "ms_period_metrics"), DOUBLE(R, total_return_std),
    POINTER(R, simulation_returns, "double"), SIZE(R, simulations),
    RECORD(R, reference_mean, "ms_period_metrics"),
};
#undef R
#define R ms_forecast_error
static const ms_record_field forecast_error[] = {
    SIZE(R, count), DOUBLE(R, mae_pct), DOUBLE(R, rmse_pct), DOUBLE(R, hit_rate),
    SIZE(R, directions), DOUBLE(R, coverage), SIZE(R, covered_count), DOUBLE(R, naive_mae_pct),
    DOUBLE(R, naive_rmse_pct),
};
#undef R
#define R ms_forecast_quality
static const ms_record_field forecast_quality[] = {
    RECORD(R, close, "ms_forecast_error"), RECORD(R, high, "ms_forecast_error"),
    RECORD(R, low, "ms_forecast_error"),
};
#undef R
#define R ms_symbol_report
static const ms_record_field symbol_report[] = {
    STRING(R, symbol), INT(R, asset_class), SIZE(R, bars), INT64(R, last_timestamp),
    INT(R, stale), DOUBLE(R, last_close), DOUBLE(R, forecast_close), DOUBLE(R, forecast_high),
    DOUBLE(R, forecast_low), SIZE(R, strategy_count),
    POINTERS(R, strategies, "ms_strategy_summary"),
    RECORD(R, maxdiff_choice, "ms_maxdiff_choice"), INT(R, best_strategy),
    DOUBLE(R, composite_score), INT(R, side), DOUBLE(R, entry_price),
    DOUBLE(R, take_profit_price), DOUBLE(R, data_seconds), DOUBLE(R, inference_seconds),
    DOUBLE(R, strategy_seconds), POINTER(R, recent_close, "double"),
    POINTER(R, recent_time, "int64"), SIZE(R, recent_count), SIZE(R, incoherent_forecasts),
    SIZE(R, forecast_origins), INT(R, plan_check), SIZE(R, forecasts_cached),
    SIZE(R, forecasts_computed), POINTER(R, recent_open, "double"),
    POINTER(R, recent_high, "double"), POINTER(R, recent_low, "double"),
    POINTER(R, recent_forecast_close, "double"), POINTER(R, recent_forecast_high, "double"),
    POINTER(R, recent_forecast_low, "double"), POINTER(R, walk_forward_time, "int64"),
    POINTERS(R, walk_forward_returns, "double"),
    POINTERS(R, walk_forward_sides, "int"), SIZE(R, walk_forward_days),
    RECORD(R, forecast_quality, "ms_forecast_quality"),
};
#undef R
#define R ms_symbol_error
static const ms_record_field symbol_error[] = {
    STRING(R, symbol), INT(R, status), STRING(R, message),
};
#undef R
#define R ms_pick
static const ms_record_field pick[] = {
    STRING(R, symbol), INT(R, strategy), INT(R, side), DOUBLE(R, entry_price),
    DOUBLE(R, take_profit_price), DOUBLE(R, forecast_close), DOUBLE(R, forecast_high),
    DOUBLE(R, forecast_low), DOUBLE(R, quantity),
};
#undef R
#define R ms_timings
static const ms_record_field timings[] = {
    DOUBLE(R, warmup), DOUBLE(R, data), DOUBLE(R, inference), DOUBLE(R, strategies),
    DOUBLE(R, ranking), DOUBLE(R, total), SIZE(R, forecasts_cached), SIZE(R, forecasts_computed),
};
#undef R

/* ---- Broker records ------------------------------------------------------- */

#define R ms_account
static const ms_record_field account[] = {
    CHARS(R, id), CHARS(R, status), CHARS(R, currency), DOUBLE(R, cash),
    DOUBLE(R, buying_power), DOUBLE(R, equity), DOUBLE(R, last_equity),
    DOUBLE(R, portfolio_value), DOUBLE(R, multiplier), INT(R, pattern_day_trader),
    INT(R, trading_blocked), INT(R, account_blocked), INT(R, shorting_enabled),
    INT(R, daytrade_count),
};
#undef R
#define R ms_position
static const ms_record_field position[] = {
    CHARS(R, symbol), INT(R, asset_class), DOUBLE(R, qty), DOUBLE(R, avg_entry_price),
    DOUBLE(R, market_value), DOUBLE(R, cost_basis), DOUBLE(R, unrealized_pl),
    DOUBLE(R, current_price), DOUBLE(R, qty_available),
};
#undef R
#define R ms_market_clock
static const ms_record_field market_clock[] = {
    INT64(R, timestamp), INT(R, is_open), INT64(R, next_open), INT64(R, next_close),
};
#undef R
#define R ms_order_request
static const ms_record_field order_request[] = {
    STRING(R, symbol), DOUBLE(R, qty), INT(R, side), INT(R, type), INT(R, time_in_force),
    DOUBLE(R, limit_price), DOUBLE(R, stop_price), INT(R, order_class),
    DOUBLE(R, take_profit_limit), DOUBLE(R, stop_loss_stop), STRING(R, client_order_id),
};
#undef R
#define R ms_order
static const ms_record_field order[] = {
    CHARS(R, id), CHARS(R, client_order_id), CHARS(R, symbol), CHARS(R, status),
    DOUBLE(R, qty), DOUBLE(R, filled_qty), DOUBLE(R, filled_avg_price), DOUBLE(R, limit_price),
    DOUBLE(R, stop_price), INT(R, side), INT(R, type), INT(R, time_in_force),
    INT(R, order_class), INT64(R, created_at), INT64(R, submitted_at), INT64(R, filled_at),
    DOUBLE(R, take_profit_limit), CHARS(R, parent_id), CHARS(R, take_profit_id),
    CHARS(R, take_profit_status), DOUBLE(R, take_profit_filled_qty),
    DOUBLE(R, take_profit_filled_avg_price), INT(R, state), INT(R, take_profit_state),
};
#undef R
#define R ms_fill
static const ms_record_field fill[] = {
    CHARS(R, id), CHARS(R, order_id), CHARS(R, client_order_id), CHARS(R, symbol),
    INT(R, side), DOUBLE(R, qty), DOUBLE(R, price), INT64(R, time), INT(R, partial),
    DOUBLE(R, position_after), DOUBLE(R, realized_pl),
};
#undef R

#define DESCRIBE(type, table, version) \
    { #type, sizeof(type), version, MS_ARRAY_LEN(table), table }

static const ms_record records[] = {
    DESCRIBE(ms_model_options, model_options, MS_MODEL_OPTIONS_VERSION),
    DESCRIBE(ms_forecast_options, forecast_options, MS_FORECAST_OPTIONS_VERSION),
    DESCRIBE(ms_bar_forecast_options, bar_forecast_options, MS_BAR_FORECAST_OPTIONS_VERSION),
    DESCRIBE(ms_metrics_options, metrics_options, MS_METRICS_OPTIONS_VERSION),
    DESCRIBE(ms_bars_options, bars_options, MS_BARS_OPTIONS_VERSION),
    DESCRIBE(ms_source_options, source_options, MS_SOURCE_OPTIONS_VERSION),
    DESCRIBE(ms_analyzer_options, analyzer_options, MS_ANALYZER_OPTIONS_VERSION),
    DESCRIBE(ms_broker_options, broker_options, MS_BROKER_OPTIONS_VERSION),
    DESCRIBE(ms_trade_options, trade_options, MS_TRADE_OPTIONS_VERSION),
    DESCRIBE(ms_series, series, 0),
    DESCRIBE(ms_aggregate, aggregate, 0),
    DESCRIBE(ms_forecast_output, forecast_output, 0),
    DESCRIBE(ms_bar_context, bar_context, 0),
    DESCRIBE(ms_model_shape, model_shape, 0),
    DESCRIBE(ms_model_stats, model_stats, 0),
    DESCRIBE(ms_metrics, metrics, 0),
    DESCRIBE(ms_analysis_progress, analysis_progress, 0),
    DESCRIBE(ms_period_metrics, period_metrics, 0),
    DESCRIBE(ms_maxdiff_choice, maxdiff_choice, 0),
    DESCRIBE(ms_strategy_summary, strategy_summary, 0),
    DESCRIBE(ms_forecast_error, forecast_error, 0),
    DESCRIBE(ms_forecast_quality, forecast_quality, 0),
    DESCRIBE(ms_symbol_report, symbol_report, 0),
    DESCRIBE(ms_symbol_error, symbol_error, 0),
    DESCRIBE(ms_pick, pick, 0),
    DESCRIBE(ms_timings, timings, 0),
    DESCRIBE(ms_account, account, 0),
    DESCRIBE(ms_position, position, 0),
    DESCRIBE(ms_market_clock, market_clock, 0),
    DESCRIBE(ms_order_request, order_request, 0),
    DESCRIBE(ms_order, order, 0),
    DESCRIBE(ms_fill, fill, 0),
};

MS_API size_t ms_record_count(void)
{
    return MS_ARRAY_LEN(records);
}

MS_API const ms_record *ms_record_at(size_t i)
{
    return i < MS_ARRAY_LEN(records) ? &records[i] : NULL;
}

MS_API const ms_record *ms_record_find(const char *name)
{
    for (size_t i = 0; name != NULL && i < MS_ARRAY_LEN(records); i++)
        if (strcmp(records[i].name, name) == 0)
            return &records[i];
    return NULL;
}
