"""The C API as ctypes sees it: struct layouts and function prototypes,
mirroring include/marketsim/*.h field for field. Nothing here is public;
the rest of the package builds the Pythonic surface on it.

Layouts must match the headers exactly (same order, same types): ctypes
applies the C alignment rules itself, so no padding is written by hand.
Enums are C ints. Strings the library allocates for the caller are
declared as void pointers so they can be handed back to ms_free.
"""
import ctypes
from ctypes import (POINTER, Structure, c_char, c_char_p, c_double, c_int, c_int64,
                    c_size_t, c_uint, c_uint64, c_void_p)

from . import _lib

lib = _lib.load()

c_status = c_int
c_enum = c_int
STRATEGY_COUNT = 8  # MS_STRATEGY_COUNT


class ModelOptions(Structure):
    _fields_ = [("version", c_int), ("device", c_char_p), ("num_threads", c_int),
                ("dtype", c_char_p), ("max_batch", c_size_t), ("disable_kv_cache", c_int),
                ("precision", c_char_p)]
    VERSION = 2  # MS_MODEL_OPTIONS_VERSION


class Series(Structure):
    _fields_ = [("values", POINTER(c_double)), ("length", c_size_t),
                ("variates", c_size_t), ("seed", c_uint64)]


class Aggregate(Structure):
    _fields_ = [("kind", c_enum), ("param", c_double)]


class ForecastOptions(Structure):
    _fields_ = [("version", c_int), ("horizon", c_size_t), ("num_samples", c_size_t),
                ("quantiles", POINTER(c_double)), ("num_quantiles", c_size_t),
                ("aggregates", POINTER(Aggregate)), ("num_aggregates", c_size_t)]


class ForecastOutput(Structure):
    _fields_ = [("mean", POINTER(c_double)), ("quantiles", POINTER(c_double)),
                ("aggregates", POINTER(c_double)), ("samples", POINTER(c_double))]


class BarContext(Structure):
    _fields_ = [("length", c_size_t), ("timestamps", POINTER(c_int64)),
                ("open", POINTER(c_double)), ("high", POINTER(c_double)),
                ("low", POINTER(c_double)), ("close", POINTER(c_double)),
                ("volume", POINTER(c_double)), ("amount", POINTER(c_double)),
                ("future_timestamps", POINTER(c_int64)), ("seed", c_uint64)]


class BarForecastOptions(Structure):
    _fields_ = [("version", c_int), ("horizon", c_size_t), ("max_context", c_size_t),
                ("num_samples", c_size_t), ("temperature", c_double), ("top_k", c_int),
                ("top_p", c_double), ("seed", c_uint64), ("aggregate", Aggregate)]
    VERSION = 2  # MS_BAR_FORECAST_OPTIONS_VERSION


BAR_FIELDS = ("open", "high", "low", "close", "volume", "amount")  # MS_BAR_FIELDS order


class ModelShape(Structure):
    _fields_ = [("patch_size", c_size_t), ("single_pass_horizon", c_size_t),
                ("max_batch", c_size_t)]


class ModelStats(Structure):
    _fields_ = [("forecast_calls", c_uint64), ("contexts", c_uint64),
                ("forward_passes", c_uint64), ("busy_seconds", c_double)]


class MetricsOptions(Structure):
    _fields_ = [("version", c_int), ("periods_per_year", c_double),
                ("risk_free", c_double), ("mar", c_double)]


class AnalysisProgress(Structure):
    """ms_analysis_progress: where a running analysis stands."""
    _fields_ = [("running", c_int), ("symbols_total", c_size_t), ("symbols_done", c_size_t),
                ("symbols_planned", c_size_t), ("contexts_planned", c_size_t),
                ("contexts_done", c_size_t), ("elapsed", c_double), ("fraction", c_double)]


class Metrics(Structure):
    _fields_ = [("sharpe", c_double), ("sortino", c_double), ("downside_risk", c_double),
                ("max_drawdown", c_double), ("cumulative_return", c_double),
                ("annual_return", c_double), ("annual_volatility", c_double),
                ("calmar", c_double), ("win_rate", c_double), ("profit_factor", c_double),
                ("periods", c_size_t)]


PROGRESS_FN = ctypes.CFUNCTYPE(None, c_void_p, c_size_t, c_size_t, c_char_p)


ANALYZER_OPTIONS_VERSION = 3  # MS_ANALYZER_OPTIONS_VERSION
FILLS_UNSET = -1  # MS_FILLS_UNSET
OFFSETS_UNSET = -1  # MS_OFFSETS_UNSET


class AnalyzerOptions(Structure):
    _fields_ = [("version", c_int), ("simulations", c_size_t), ("eval_days", c_size_t),
                ("context_length", c_size_t), ("min_context", c_size_t),
                ("parallel", c_int), ("workers", c_int), ("aggregate", c_char_p),
                ("num_samples", c_size_t), ("seed", c_uint64),
                ("stock_fee", c_double), ("crypto_fee", c_double),
                ("max_positions", c_size_t), ("min_positions", c_size_t),
                ("equity", c_double), ("buying_power", c_double),
                ("position_size", c_double), ("as_of", c_int64), ("warmup", c_int),
                ("batch_size", c_size_t), ("ablations", c_uint),
                ("progress", PROGRESS_FN), ("progress_context", c_void_p),
                ("fills", c_enum), ("offsets", c_enum), ("coherence", c_int),
                ("cache", c_char_p), ("cache_max_entries", c_size_t)]


class PeriodMetrics(Structure):
    _fields_ = [(name, c_double) for name in
                ("total_return", "avg_daily_return", "annual_return", "sharpe",
                 "win_rate", "turnover", "trades")]


class MaxdiffChoice(Structure):
    _fields_ = [("high_offset", c_double), ("low_offset", c_double), ("close_at_eod", c_int)]


class StrategySummary(Structure):
    _fields_ = [("mean", PeriodMetrics), ("baseline_mean", PeriodMetrics),
                ("optimized_mean", PeriodMetrics), ("total_return_std", c_double),
                ("simulation_returns", POINTER(c_double)), ("simulations", c_size_t),
                ("reference_mean", PeriodMetrics)]


class ForecastError(Structure):
    _fields_ = [("count", c_size_t), ("mae_pct", c_double), ("rmse_pct", c_double),
                ("hit_rate", c_double), ("directions", c_size_t), ("coverage", c_double),
                ("covered_count", c_size_t), ("naive_mae_pct", c_double),
                ("naive_rmse_pct", c_double)]


class ForecastQuality(Structure):
    _fields_ = [("close", ForecastError), ("high", ForecastError), ("low", ForecastError)]


class SymbolReport(Structure):
    _fields_ = [("symbol", c_char_p), ("asset_class", c_enum), ("bars", c_size_t),
                ("last_timestamp", c_int64), ("stale", c_int), ("last_close", c_double),
                ("forecast_close", c_double), ("forecast_high", c_double),
                ("forecast_low", c_double), ("strategies", StrategySummary * STRATEGY_COUNT),
                ("maxdiff_choice", MaxdiffChoice), ("best_strategy", c_enum),
                ("composite_score", c_double), ("side", c_int), ("entry_price", c_double),
                ("take_profit_price", c_double), ("data_seconds", c_double),
                ("inference_seconds", c_double), ("strategy_seconds", c_double),
                ("recent_close", POINTER(c_double)), ("recent_time", POINTER(c_int64)),
                ("recent_count", c_size_t), ("incoherent_forecasts", c_size_t),
                ("forecast_origins", c_size_t), ("plan_check", c_enum),
                ("forecasts_cached", c_size_t), ("forecasts_computed", c_size_t),
                ("recent_open", POINTER(c_double)), ("recent_high", POINTER(c_double)),
                ("recent_low", POINTER(c_double)), ("recent_forecast_close", POINTER(c_double)),
                ("recent_forecast_high", POINTER(c_double)),
                ("recent_forecast_low", POINTER(c_double)),
                ("walk_forward_time", POINTER(c_int64)),
                ("walk_forward_returns", POINTER(c_double) * STRATEGY_COUNT),
                ("walk_forward_sides", POINTER(c_int) * STRATEGY_COUNT),
                ("walk_forward_days", c_size_t), ("forecast_quality", ForecastQuality)]


class SymbolError(Structure):
    _fields_ = [("symbol", c_char_p), ("status", c_status), ("message", c_char_p)]


class Pick(Structure):
    _fields_ = [("symbol", c_char_p), ("strategy", c_enum), ("side", c_int),
                ("entry_price", c_double), ("take_profit_price", c_double),
                ("forecast_close", c_double), ("forecast_high", c_double),
                ("forecast_low", c_double), ("quantity", c_double)]


class Timings(Structure):
    _fields_ = [(name, c_double) for name in
                ("warmup", "data", "inference", "strategies", "ranking", "total")] + \
               [("forecasts_cached", c_size_t), ("forecasts_computed", c_size_t)]


class BrokerOptions(Structure):
    _fields_ = [("version", c_int), ("live", c_int), ("trading_url", c_char_p),
                ("data_url", c_char_p), ("key_id", c_char_p), ("secret_key", c_char_p),
                ("key_file", c_char_p), ("connect_timeout", c_double), ("timeout", c_double),
                ("max_retries", c_int), ("requests_per_minute", c_double),
                ("cache_dir", c_char_p), ("sim_cash", c_double), ("read_only", c_int)]


class Account(Structure):
    _fields_ = [("id", c_char * 64), ("status", c_char * 32), ("currency", c_char * 8),
                ("cash", c_double), ("buying_power", c_double), ("equity", c_double),
                ("last_equity", c_double), ("portfolio_value", c_double),
                ("multiplier", c_double), ("pattern_day_trader", c_int),
                ("trading_blocked", c_int), ("account_blocked", c_int),
                ("shorting_enabled", c_int), ("daytrade_count", c_int)]


class Position(Structure):
    _fields_ = [("symbol", c_char * 32), ("asset_class", c_enum), ("qty", c_double),
                ("avg_entry_price", c_double), ("market_value", c_double),
                ("cost_basis", c_double), ("unrealized_pl", c_double),
                ("current_price", c_double), ("qty_available", c_double)]


class MarketClock(Structure):
    _fields_ = [("timestamp", c_int64), ("is_open", c_int),
                ("next_open", c_int64), ("next_close", c_int64)]


class OrderRequest(Structure):
    _fields_ = [("symbol", c_char_p), ("qty", c_double), ("side", c_int), ("type", c_enum),
                ("time_in_force", c_enum), ("limit_price", c_double), ("stop_price", c_double),
                ("order_class", c_enum), ("take_profit_limit", c_double),
                ("stop_loss_stop", c_double), ("client_order_id", c_char_p)]


class Order(Structure):
    _fields_ = [("id", c_char * 64), ("client_order_id", c_char * 64), ("symbol", c_char * 32),
                ("status", c_char * 24), ("qty", c_double), ("filled_qty", c_double),
                ("filled_avg_price", c_double), ("limit_price", c_double),
                ("stop_price", c_double), ("side", c_int), ("type", c_enum),
                ("time_in_force", c_enum), ("order_class", c_enum), ("created_at", c_int64),
                ("submitted_at", c_int64), ("filled_at", c_int64), ("take_profit_limit", c_double),
                ("parent_id", c_char * 64), ("take_profit_id", c_char * 64),
                ("take_profit_status", c_char * 24), ("take_profit_filled_qty", c_double),
                ("take_profit_filled_avg_price", c_double)]


# void (*on_step)(void *context, const ms_trade_step *step): the step is
# read through ms_trade_step_to_json, so its struct is not mirrored here.
TradeStepCallback = ctypes.CFUNCTYPE(None, c_void_p, c_void_p)


class TradeOptions(Structure):
    _fields_ = [("version", c_int), ("dry_run", c_int), ("on_step", TradeStepCallback),
                ("context", c_void_p), ("stop", POINTER(c_int)), ("ledger_path", c_char_p)]


def _declare(name, restype, *argtypes):
    function = getattr(lib, name)
    function.restype = restype
    function.argtypes = list(argtypes)


P = POINTER
_declare("ms_status_str", c_char_p, c_status)
_declare("ms_last_error", c_char_p)
_declare("ms_version", c_char_p)
_declare("ms_free", None, c_void_p)
_declare("ms_strategy_name", c_char_p, c_enum)
_declare("ms_plan_check_name", c_char_p, c_enum)

_declare("ms_model_open", c_status, P(c_void_p), c_char_p, P(ModelOptions))
_declare("ms_model_free", None, c_void_p)
_declare("ms_model_name", c_char_p, c_void_p)
_declare("ms_model_precision", c_char_p, c_void_p)
_declare("ms_model_warmup", c_status, c_void_p, c_size_t, c_size_t)
_declare("ms_model_forecast", c_status, c_void_p, P(Series), c_size_t,
         P(ForecastOptions), P(ForecastOutput))
_declare("ms_model_describe", c_status, c_void_p, P(c_void_p))
_declare("ms_model_forecast_bars", c_status, c_void_p, P(BarContext), c_size_t,
         P(BarForecastOptions), P(c_double))
_declare("ms_bars_next_times", c_status, P(c_int64), c_size_t, c_int, c_size_t, P(c_int64))
_declare("ms_model_get_shape", c_status, c_void_p, P(ModelShape))
_declare("ms_model_get_stats", c_status, c_void_p, P(ModelStats))

_declare("ms_metrics_compute", c_status, P(c_double), c_size_t, P(MetricsOptions), P(Metrics))

_declare("ms_source_open", c_status, P(c_void_p), c_char_p, c_void_p)
_declare("ms_source_open_alpaca", c_status, P(c_void_p), c_char_p, P(BrokerOptions))
_declare("ms_source_free", None, c_void_p)
_declare("ms_source_load", c_status, c_void_p, c_char_p, P(c_void_p))
_declare("ms_bars_len", c_size_t, c_void_p)
_declare("ms_bars_timestamps", P(c_int64), c_void_p)
_declare("ms_bars_free", None, c_void_p)

_declare("ms_analyzer_create", c_status, P(c_void_p), c_void_p, c_void_p, P(AnalyzerOptions))
_declare("ms_analyzer_free", None, c_void_p)
_declare("ms_analyzer_run", c_status, c_void_p, P(c_char_p), c_size_t, P(c_void_p))
_declare("ms_analyzer_cancel", None, c_void_p)  # from another thread: the run returns -15
_declare("ms_analyzer_progress", c_status, c_void_p, P(AnalysisProgress))
_declare("ms_forecasts_create", c_status, P(c_void_p), c_size_t, P(c_int64), P(c_double),
         P(c_double), P(c_double), c_enum, c_char_p)
_declare("ms_forecasts_load_csv", c_status, P(c_void_p), c_char_p, c_enum)
_declare("ms_forecasts_free", None, c_void_p)
_declare("ms_backtest_forecasts", c_status, P(c_void_p), c_void_p, c_char_p, c_void_p,
         P(AnalyzerOptions))
_declare("ms_report_free", None, c_void_p)
_declare("ms_report_symbol_count", c_size_t, c_void_p)
_declare("ms_report_symbol", P(SymbolReport), c_void_p, c_size_t)
_declare("ms_report_error_count", c_size_t, c_void_p)
_declare("ms_report_error", P(SymbolError), c_void_p, c_size_t)
_declare("ms_report_pick_count", c_size_t, c_void_p)
_declare("ms_report_pick", P(Pick), c_void_p, c_size_t)
_declare("ms_report_warning_count", c_size_t, c_void_p)
_declare("ms_report_warning", c_char_p, c_void_p, c_size_t)
_declare("ms_as_of_parse", c_status, c_char_p, P(c_int64))
_declare("ms_fill_model_parse", c_status, c_char_p, P(c_enum))
_declare("ms_offsets_parse", c_status, c_char_p, P(c_enum))
_declare("ms_report_timings", P(Timings), c_void_p)
_declare("ms_report_forecast_quality", P(ForecastQuality), c_void_p)
_declare("ms_report_options", P(AnalyzerOptions), c_void_p)
_declare("ms_report_to_json", c_status, c_void_p, P(c_void_p))
_declare("ms_report_to_text", c_status, c_void_p, P(c_void_p))
_declare("ms_report_to_html", c_status, c_void_p, P(c_void_p))
_declare("ms_model_choice_run", c_status, P(c_void_p), c_void_p, P(c_void_p), P(c_char_p),
         c_size_t, P(AnalyzerOptions), P(c_char_p), c_size_t)
_declare("ms_model_choice_free", None, c_void_p)
_declare("ms_aggregate_parse", c_status, c_char_p, P(Aggregate))
_declare("ms_model_choice_model_count", c_size_t, c_void_p)
_declare("ms_model_choice_model_name", c_char_p, c_void_p, c_size_t)
_declare("ms_model_choice_symbol_count", c_size_t, c_void_p)
_declare("ms_model_choice_symbol", c_char_p, c_void_p, c_size_t)
_declare("ms_model_choice_chosen", c_int, c_void_p, c_size_t)
_declare("ms_model_choice_score", c_double, c_void_p, c_size_t, c_size_t, P(c_enum))
_declare("ms_model_choice_to_json", c_status, c_void_p, P(c_void_p))

_declare("ms_broker_open", c_status, P(c_void_p), c_char_p, P(BrokerOptions))
_declare("ms_broker_free", None, c_void_p)
_declare("ms_broker_name", c_char_p, c_void_p)
_declare("ms_broker_account", c_status, c_void_p, P(Account))
_declare("ms_broker_positions", c_status, c_void_p, P(c_void_p), P(c_size_t))
_declare("ms_broker_clock", c_status, c_void_p, P(MarketClock))
_declare("ms_broker_submit", c_status, c_void_p, P(OrderRequest), P(Order))
_declare("ms_broker_orders", c_status, c_void_p, c_char_p, P(c_void_p), P(c_size_t))
_declare("ms_broker_order_by_client_id", c_status, c_void_p, c_char_p, P(Order))
_declare("ms_broker_cancel", c_status, c_void_p, c_char_p)
_declare("ms_broker_sync", c_status, c_void_p, c_void_p, c_int64)

_declare("ms_trade_cycle", c_status, c_void_p, c_void_p, P(TradeOptions), P(c_void_p))
_declare("ms_trade_result_free", None, c_void_p)
_declare("ms_trade_plan_to_text", c_status, c_void_p, P(c_void_p))
_declare("ms_trade_result_to_text", c_status, c_void_p, P(c_void_p))
_declare("ms_trade_result_to_json", c_status, c_void_p, P(c_void_p))
_declare("ms_trade_step_to_json", c_status, c_void_p, P(c_void_p))
