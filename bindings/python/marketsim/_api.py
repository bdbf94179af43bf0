"""The C API as ctypes sees it: struct views and function prototypes.
Nothing here is public; the rest of the package builds the Pythonic
surface on it.

The structs' views are built from the library's own description of them
(records.h: each field's name, type and offset), so a field the library
appends reaches Python without a change here, and a view that does not
match the loaded library (an offset or a size) is an ImportError, never a
silent misread. Options structs are filled by the library's init
functions (init below), not by re-creating their defaults here; the
broker's records too are views of the library's descriptions.
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


PROGRESS_FN = ctypes.CFUNCTYPE(None, c_void_p, c_size_t, c_size_t, c_char_p)
# void (*on_step)(void *context, const ms_trade_step *step): the step is
# read through ms_trade_step_to_json, so its struct has no view here.
TradeStepCallback = ctypes.CFUNCTYPE(None, c_void_p, c_void_p)


class _Field(Structure):
    """ms_record_field."""
    _fields_ = [("name", c_char_p), ("type", c_int), ("offset", c_size_t), ("count", c_size_t),
                ("target", c_char_p)]


class _Record(Structure):
    """ms_record."""
    _fields_ = [("name", c_char_p), ("size", c_size_t), ("version", c_int),
                ("field_count", c_size_t), ("fields", POINTER(_Field))]


lib.ms_record_find.restype = POINTER(_Record)
lib.ms_record_find.argtypes = [c_char_p]

# ms_field_type -> ctypes, and the pointees and callbacks `target` names.
_SCALARS = {0: c_int, 1: c_uint, 2: c_size_t, 3: c_int64, 4: c_uint64, 5: c_double,
            6: c_char_p}
_CHARS, _RECORD, _POINTER, _FUNCTION, _POINTERS = 7, 8, 9, 10, 11
_POINTEES = {"double": c_double, "int64": c_int64, "int": c_int, "sig_atomic_t": c_int}
_FUNCTIONS = {"ms_analyzer_progress_fn": PROGRESS_FN, "ms_trade_step_fn": TradeStepCallback}
_views = {}


def _field_type(field):
    target = field.target.decode() if field.target else None
    if field.type == _CHARS:
        return c_char * field.count
    if field.type == _RECORD:
        element = view(target)
    elif field.type in (_POINTER, _POINTERS):
        element = c_void_p if target is None else POINTER(_POINTEES.get(target) or view(target))
        # A pointer to an array of such pointers (a symbol report's
        # per-strategy rows, strategy_count of them): report.strategies[s][0].
        element = POINTER(element) if field.type == _POINTERS else element
    elif field.type == _FUNCTION:
        element = _FUNCTIONS[target]
    else:
        element = _SCALARS[field.type]
    return element * field.count if field.count != 1 else element


def view(name):
    """The ctypes Structure of the library's struct `name` (e.g.
    "ms_pick"), built from its ms_record_find description and checked
    against it field by field. An options struct's view has VERSION, the
    library's newest version of it."""
    if name in _views:
        return _views[name]
    found = lib.ms_record_find(name.encode())
    if not found:
        raise ImportError("libmarketsim does not describe %s (records.h)" % name)
    record = found.contents
    fields = [record.fields[i] for i in range(record.field_count)]
    cls = type(name, (Structure,), {"_fields_": [(f.name.decode(), _field_type(f))
                                                 for f in fields],
                                    "VERSION": record.version})
    for f in fields:
        if getattr(cls, f.name.decode()).offset != f.offset:
            raise ImportError("%s.%s: ctypes puts it at %d, the library at %d"
                              % (name, f.name.decode(), getattr(cls, f.name.decode()).offset,
                                 f.offset))
    if ctypes.sizeof(cls) != record.size:
        raise ImportError("%s: ctypes makes it %d bytes, the library %d"
                          % (name, ctypes.sizeof(cls), record.size))
    _views[name] = cls
    return cls


def init(cls, **fields):
    """A new options struct of view `cls` filled by the library's
    ms_<thing>_options_init at the library's newest version, then `fields`
    set on it."""
    options = cls()
    initialise = getattr(lib, cls.__name__ + "_init")
    initialise.restype = c_status
    initialise.argtypes = [POINTER(cls), c_int]
    if initialise(ctypes.byref(options), cls.VERSION) != 0:
        raise ImportError("%s_init refused version %d" % (cls.__name__, cls.VERSION))
    for name, value in fields.items():
        setattr(options, name, value)
    return options


def field_names(cls):
    """The fields of a view, in declaration order."""
    return [name for name, _ in cls._fields_]


ModelOptions = view("ms_model_options")
Series = view("ms_series")
Aggregate = view("ms_aggregate")
ForecastOptions = view("ms_forecast_options")
ForecastOutput = view("ms_forecast_output")
BarContext = view("ms_bar_context")
BarForecastOptions = view("ms_bar_forecast_options")
BAR_FIELDS = ("open", "high", "low", "close", "volume", "amount")  # MS_BAR_FIELDS order
ModelShape = view("ms_model_shape")
ModelStats = view("ms_model_stats")
MetricsOptions = view("ms_metrics_options")
AnalysisProgress = view("ms_analysis_progress")
Metrics = view("ms_metrics")
AnalyzerOptions = view("ms_analyzer_options")
PeriodMetrics = view("ms_period_metrics")
MaxdiffChoice = view("ms_maxdiff_choice")
StrategySummary = view("ms_strategy_summary")
ForecastError = view("ms_forecast_error")
ForecastQuality = view("ms_forecast_quality")
SymbolReport = view("ms_symbol_report")
SymbolError = view("ms_symbol_error")
Pick = view("ms_pick")
Timings = view("ms_timings")
BrokerOptions = view("ms_broker_options")
TradeOptions = view("ms_trade_options")
BarsOptions = view("ms_bars_options")
SourceOptions = view("ms_source_options")


# The broker's records, also from the library's descriptions.
Account = view("ms_account")
Position = view("ms_position")
MarketClock = view("ms_market_clock")
OrderRequest = view("ms_order_request")
Order = view("ms_order")
Fill = view("ms_fill")


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
_declare("ms_strategy_from_name", c_status, c_char_p, P(c_enum))
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
_declare("ms_symbol_report_strategy", P(StrategySummary), P(SymbolReport), c_enum)
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
_declare("ms_order_is_open", c_int, c_enum)
_declare("ms_order_status_name", c_char_p, c_enum)
_declare("ms_broker_price_increment", c_double, c_void_p, c_char_p, c_double)
_declare("ms_broker_client_id_max", c_size_t, c_void_p)
_declare("ms_broker_check_client_id", c_status, c_void_p, c_char_p)
_declare("ms_broker_account", c_status, c_void_p, P(Account))
_declare("ms_broker_positions", c_status, c_void_p, P(c_void_p), P(c_size_t))
_declare("ms_broker_clock", c_status, c_void_p, P(MarketClock))
_declare("ms_broker_submit", c_status, c_void_p, P(OrderRequest), P(Order))
_declare("ms_broker_orders", c_status, c_void_p, c_char_p, P(c_void_p), P(c_size_t))
_declare("ms_broker_order_by_client_id", c_status, c_void_p, c_char_p, P(Order))
_declare("ms_broker_cancel", c_status, c_void_p, c_char_p)
_declare("ms_broker_sync", c_status, c_void_p, c_void_p, c_int64)
_declare("ms_broker_fills", c_status, c_void_p, c_int64, P(c_void_p))
_declare("ms_fills_count", c_size_t, c_void_p)
_declare("ms_fills_at", P(Fill), c_void_p, c_size_t)
_declare("ms_fills_free", None, c_void_p)

_declare("ms_trade_cycle", c_status, c_void_p, c_void_p, P(TradeOptions), P(c_void_p))
_declare("ms_trade_result_free", None, c_void_p)
_declare("ms_trade_plan_to_text", c_status, c_void_p, P(c_void_p))
_declare("ms_trade_result_to_text", c_status, c_void_p, P(c_void_p))
_declare("ms_trade_result_to_json", c_status, c_void_p, P(c_void_p))
_declare("ms_trade_step_to_json", c_status, c_void_p, P(c_void_p))

# The environment, read by the library only when asked (common.h, model.h,
# analyze.h), and the log sink (common.h).
LOG_FN = ctypes.CFUNCTYPE(None, c_enum, c_char_p, c_void_p)  # ms_log_fn
_declare("ms_log_set", None, LOG_FN, c_void_p)
_declare("ms_log_set_level", None, c_enum)
_declare("ms_log_threshold", c_enum)
_declare("ms_log_level_from_env", c_status)
_declare("ms_model_options_from_env", c_status, P(ModelOptions))
_declare("ms_model_set_plugin", c_status, c_char_p)
_declare("ms_analyzer_options_from_env", c_status, P(AnalyzerOptions))
