"""marketsim.analyze and its Report: the batch analyzer (ms_analyzer) over
a data source and a model, and the report it returns.

The report's dict form is ms_report_to_json parsed, so it is exactly the
document `marketsim analyze --json` prints; the C report stays open so it
can be handed to trade_cycle."""
import ctypes
import datetime
import json

from . import _api
from ._api import lib
from ._handle import Handle
from .errors import Error, check, encode
from .model import Model
from .source import Source

# The C API's "not set" for its tri-state fields (parallel, warmup) and for
# the money fields where 0 is a real value (fees, buying power, position size).
_UNSET = -1
_INVALID_ARG = -1  # MS_ERR_INVALID_ARG


def _amount(name, value):
    """A fee, buying power or position size: None is unset (-1 in C), so the
    environment and then the default decide; a negative value would read as
    unset in C, so it is refused here."""
    if value is None:
        return _UNSET
    value = float(value)
    if not value >= 0:
        raise Error(_INVALID_ARG, "%s must be a number >= 0, got %r" % (name, value))
    return value


def _as_of(value):
    """as_of as UTC seconds: None (0: the newest bar's day), an int, a
    datetime (naive ones are UTC), a date (its end) or the CLI's text."""
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return int(value.timestamp())
    if isinstance(value, datetime.date):
        value = value.isoformat()
    if isinstance(value, str):
        seconds = ctypes.c_int64()
        check(lib.ms_as_of_parse(encode(value), ctypes.byref(seconds)))
        return seconds.value
    return int(value)


def _options(simulations, workers, eval_days, parallel, aggregate, samples, seed, sizing,
             cache):
    # None leaves a field unset (0, or -1 where 0 is a real value), so the
    # environment (MARKETSIM_*) and then the library's defaults decide, as
    # for the CLI without the flag.
    options = _api.AnalyzerOptions()
    options.version = _api.ANALYZER_OPTIONS_VERSION
    options.parallel = _UNSET if parallel is None else int(bool(parallel))
    options.warmup = _UNSET
    options.simulations = simulations or 0
    options.workers = workers or 0
    options.eval_days = eval_days or 0
    options.aggregate = encode(aggregate)
    options.num_samples = samples or 0
    options.seed = seed or 0
    options.max_positions = sizing.get("max_positions") or 0
    options.equity = sizing.get("equity") or 0
    for name in ("position_size", "stock_fee", "crypto_fee", "buying_power"):
        setattr(options, name, _amount(name, sizing.get(name)))
    options.as_of = _as_of(sizing.get("as_of"))
    options.cache = encode(cache)
    return options


def analyze(symbols, data="synthetic", model="baseline", simulations=None, workers=None,
            eval_days=None, parallel=None, aggregate=None, samples=None, seed=None,
            position_size=None, max_positions=None, stock_fee=None, crypto_fee=None,
            equity=None, buying_power=None, as_of=None, cache=None):
    """Analyses `symbols` (a list, or one comma-separated string) and returns
    a Report. `data` is a source URI ("synthetic[:seed=N][,bars=N]",
    "csv:DIR", "alpaca[:TIMEFRAME]"); `model` a path for Model.open or an
    open Model (borrowed, not closed). Options left None come from the
    environment, then the defaults.

    Sizing (docs/strategies.md, "Sizing"): position_size is each pick's
    share of equity in (0, 1] (default 1 / max_positions), max_positions
    the most picks (default 10), equity and buying_power the account (default
    100000 and 2 x equity; 0 buying power is none), stock_fee and crypto_fee
    the fee per side as a fraction (defaults 0.0005 and 0.001; 0 is no fee).
    as_of is the time freshness is judged at: UTC seconds, a datetime (naive
    is UTC), a date or "YYYY-MM-DD[THH:MM]" (a date is its end); None is the
    newest bar's day. cache is the forecast cache: a file path, "default"
    ($XDG_CACHE_HOME/marketsim/forecasts.sqlite) or "off"; None is
    MARKETSIM_CACHE, else off. Symbols that fail are in Report.errors; spellings of one
    instrument merged and stale symbols are in Report.warnings; bad options,
    data URIs or models raise marketsim.Error."""
    if isinstance(symbols, str):
        symbols = [name for name in symbols.split(",") if name]
    sizing = {"position_size": position_size, "max_positions": max_positions,
              "stock_fee": stock_fee, "crypto_fee": crypto_fee, "equity": equity,
              "buying_power": buying_power, "as_of": as_of}
    options = _options(simulations, workers, eval_days, parallel, aggregate, samples, seed,
                       sizing, cache)
    source = Source(data)
    owned = [source]
    try:
        if not isinstance(model, Model):
            model = Model.open(model)
            owned.append(model)
        return Report(_run(source, model, symbols, options), owned)
    except BaseException:
        for resource in owned:
            resource.close()
        raise


def _run(source, model, symbols, options):
    # The analyzer borrows the source and the model for its whole life.
    names = (ctypes.c_char_p * len(symbols))(*[name.encode() for name in symbols])
    with source.use() as source_handle, model.use() as model_handle:
        analyzer = ctypes.c_void_p()
        check(lib.ms_analyzer_create(ctypes.byref(analyzer), source_handle, model_handle,
                                     ctypes.byref(options)))
        try:
            report = ctypes.c_void_p()
            check(lib.ms_analyzer_run(analyzer, names, len(symbols), ctypes.byref(report)))
            return report
        finally:
            lib.ms_analyzer_free(analyzer)


class Report(Handle):
    """An analysis report. symbols (ranked), picks and errors are lists of
    dicts as in `marketsim analyze --json`, warnings a list of lines;
    timings a dict of seconds (and the forecasts_cached and
    forecasts_computed counts);
    to_dict() the whole JSON document; text() the CLI's table; html() the
    page with charts. close() (or a with block) frees it. A report may be
    read from several threads, as in C; close() waits for reads in flight."""

    _free = staticmethod(lib.ms_report_free)
    _kind = "report"

    def __init__(self, handle, owned):
        # The source and model the analysis opened are freed with the report:
        # it may still refer to them (their names) while it is open.
        super().__init__(handle)
        self._owned = owned
        try:
            self._document = json.loads(self._render(lib.ms_report_to_json))
        except Error:
            self.close()
            raise

    def to_dict(self):
        """The report as `marketsim analyze --json` prints it (a fresh copy)."""
        return json.loads(json.dumps(self._document))

    @property
    def symbols(self):
        return self._document["symbols"]

    @property
    def picks(self):
        return self._document["picks"]

    @property
    def errors(self):
        return self._document["errors"]

    @property
    def warnings(self):
        """Spellings of one instrument merged, stale symbols: one line each."""
        return self._document["warnings"]

    @property
    def config(self):
        return self._document["config"]

    @property
    def timings(self):
        """Wall-clock seconds per phase and the forecast counts, read from
        ms_report_timings."""
        with self.use() as handle:
            timings = lib.ms_report_timings(handle).contents
            return {name: getattr(timings, name) for name, _ in _api.Timings._fields_}

    def simulation_returns(self, symbol, strategy):
        """The total return of each simulation of `strategy` (a report name
        such as "simple") on `symbol`: not in the JSON document, so read
        from the report's structs. Raises KeyError for an unknown pair."""
        with self.use() as handle:
            for i in range(lib.ms_report_symbol_count(handle)):
                entry = lib.ms_report_symbol(handle, i).contents
                if entry.symbol.decode() != symbol:
                    continue
                for index, summary in enumerate(entry.strategies):
                    if lib.ms_strategy_name(index).decode() == strategy:
                        return [summary.simulation_returns[k] for k in range(summary.simulations)]
        raise KeyError("no strategy %r for symbol %r in this report" % (strategy, symbol))

    def text(self):
        """The human-readable ranked table (ms_report_to_text)."""
        return self._render(lib.ms_report_to_text)

    def html(self):
        """The report as one self-contained HTML page with charts
        (ms_report_to_html), as `marketsim analyze --html` writes it."""
        return self._render(lib.ms_report_to_html)

    def _after_close(self):
        for resource in self._owned:
            resource.close()
