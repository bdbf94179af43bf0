"""marketsim.analyze and its Report: the batch analyzer (ms_analyzer) over
a data source and a model, and the report it returns.

The report's dict form is ms_report_to_json parsed, so it is exactly the
document `marketsim analyze --json` prints; the C report stays open so it
can be handed to trade_cycle. analyze_models and its ModelChoice: every
symbol analysed with several models and the better one chosen per symbol
(ms_model_choice, `marketsim analyze --model A,B`)."""
import contextlib
import ctypes
import datetime
import json
from typing import Dict, List, Optional, Sequence, Union

from . import _api, _arrays, _frames
from ._api import lib
from ._handle import Handle
from .errors import ArgumentError, Error, check, count, encode
from .model import Model
from .source import Source

_INVALID_ARG = -1  # MS_ERR_INVALID_ARG


def _amount(name, value, unset):
    """A fee, buying power or position size: None is `unset` (as
    ms_analyzer_options_init left it), so the environment and then the
    default decide; a negative value would read as unset in C, so it is
    refused here."""
    if value is None:
        return unset
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
             cache=None):
    # None leaves a field unset (0, or -1 where 0 is a real value), so the
    # environment (MARKETSIM_*) and then the library's defaults decide, as
    # for the CLI without the flag. A value given is checked here: 0
    # simulations must not quietly mean "the default 70".
    equity = sizing.get("equity")
    if equity is not None and not float(equity) > 0:
        raise ArgumentError("equity must be a number > 0 (or None for the default), got %r"
                            % (equity,))
    options = _api.init(_api.AnalyzerOptions)
    if parallel is not None:
        options.parallel = int(bool(parallel))
    options.simulations = count("simulations", simulations) or 0
    options.workers = count("workers", workers) or 0
    options.eval_days = count("eval_days", eval_days) or 0
    options.aggregate = encode(aggregate)
    options.num_samples = count("samples", samples, minimum=0) or 0
    options.seed = count("seed", seed, minimum=0) or 0
    options.max_positions = count("max_positions", sizing.get("max_positions")) or 0
    options.equity = float(equity) if equity is not None else 0
    for name in ("position_size", "stock_fee", "crypto_fee", "buying_power"):
        setattr(options, name, _amount(name, sizing.get(name), getattr(options, name)))
    options.as_of = _as_of(sizing.get("as_of"))
    options.fills = _rule(lib.ms_fill_model_parse, sizing.get("fills"), options.fills)
    options.offsets = _rule(lib.ms_offsets_parse, sizing.get("offsets"), options.offsets)
    options.cache = encode(cache)
    # The bindings opt in to the environment, as the CLI does: it fills
    # only the fields left unset above.
    check(lib.ms_analyzer_options_from_env(ctypes.byref(options)))
    return options


def _rules(fills, offsets, reference):
    # The sizing entries of the backtest's rules; reference=True is the
    # original's: reference fills and in-sample offsets.
    return {"fills": "reference" if reference else fills,
            "offsets": "in-sample" if reference else offsets}


def _rule(parse, name, unset):
    # A fill model or offsets mode by name, parsed by the library.
    if name is None:
        return unset
    value = ctypes.c_int()
    check(parse(encode(name), ctypes.byref(value)))
    return value.value


def analyze(symbols: Union[str, Sequence[str]], data: str = "synthetic",
            model: Union[str, Model] = "baseline", simulations: Optional[int] = None,
            workers: Optional[int] = None, eval_days: Optional[int] = None,
            parallel: Optional[bool] = None, aggregate: Optional[str] = None,
            samples: Optional[int] = None, seed: Optional[int] = None,
            position_size: Optional[float] = None, max_positions: Optional[int] = None,
            stock_fee: Optional[float] = None, crypto_fee: Optional[float] = None,
            equity: Optional[float] = None, buying_power: Optional[float] = None,
            as_of=None, fills: Optional[str] = None, offsets: Optional[str] = None,
            reference: bool = False, cache: Optional[str] = None) -> "Report":
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
    newest bar's day. fills is the limit orders' fill model ("bar-path", the
    default, "worst" or "reference") and offsets where the MaxDiff offsets
    are fitted ("walk-forward", the default, or "in-sample");
    reference=True is both at the original's rules (docs/strategies.md,
    "Fill models"). cache is the forecast cache: a file path, "default"
    ($XDG_CACHE_HOME/marketsim/forecasts.sqlite) or "off"; None is
    MARKETSIM_CACHE, else off. Symbols that fail are in Report.errors; spellings of one
    instrument merged and stale symbols are in Report.warnings; bad options,
    data URIs or models raise marketsim.Error. A value the bindings can
    tell is wrong (simulations=0, a negative seed, no symbols) raises
    marketsim.ArgumentError, also a ValueError: None, never 0, means
    "the default"."""
    if isinstance(symbols, str):
        symbols = [name for name in symbols.split(",") if name]
    symbols = list(symbols)
    if not symbols or not all(isinstance(name, str) and name for name in symbols):
        raise ArgumentError("symbols must be a non-empty list of names, got %r" % (symbols,))
    sizing = {"position_size": position_size, "max_positions": max_positions,
              "stock_fee": stock_fee, "crypto_fee": crypto_fee, "equity": equity,
              "buying_power": buying_power, "as_of": as_of}
    sizing.update(_rules(fills, offsets, reference))
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


def analyze_models(symbols: Union[str, Sequence[str]], models: Sequence[Union[str, Model]],
                   data: str = "synthetic", **settings) -> "ModelChoice":
    """Analyses `symbols` once with each of `models` (paths for Model.open
    or open Models, borrowed) and chooses per symbol the model whose best
    strategy scores higher in the walk-forward backtest (its mean average
    daily return; ties and failures keep the model listed first), as
    `marketsim analyze --model A,B` does (ms_model_choice_run). `settings`
    are analyze()'s options except model (simulations, samples, seed,
    cache, ...). Returns a ModelChoice."""
    if isinstance(symbols, str):
        symbols = [name for name in symbols.split(",") if name]
    symbols = list(symbols)
    models = list(models)
    if not symbols or not models:
        raise ArgumentError("analyze_models needs symbols and at least one model")
    sizing = {key: settings.pop(key, None) for key in (
        "position_size", "max_positions", "stock_fee", "crypto_fee", "equity",
        "buying_power", "as_of")}
    sizing.update(_rules(settings.pop("fills", None), settings.pop("offsets", None),
                         settings.pop("reference", False)))
    core = [settings.pop(key, None) for key in (
        "simulations", "workers", "eval_days", "parallel", "aggregate", "samples", "seed")]
    options = _options(*core, sizing, settings.pop("cache", None))
    if settings:
        raise ArgumentError("analyze_models: unknown options %s" % sorted(settings))
    names = [model.name if isinstance(model, Model) else str(model) for model in models]
    if len(set(names)) != len(names):
        raise ArgumentError("analyze_models: two models named alike in %s" % names)
    owned = [Source(data)]
    try:
        opened = []
        for model in models:
            opened.append(model if isinstance(model, Model) else Model.open(model))
            if opened[-1] is not model:
                owned.append(opened[-1])
        return ModelChoice(_run_choice(owned[0], opened, names, symbols, options), owned)
    except BaseException:
        for resource in owned:
            resource.close()
        raise


def _run_choice(source, models, names, symbols, options):
    with contextlib.ExitStack() as stack:
        handles = [stack.enter_context(model.use()) for model in models]
        source_handle = stack.enter_context(source.use())
        choice = ctypes.c_void_p()
        check(lib.ms_model_choice_run(
            ctypes.byref(choice), source_handle, (ctypes.c_void_p * len(handles))(*handles),
            (ctypes.c_char_p * len(names))(*[name.encode() for name in names]), len(names),
            ctypes.byref(options),
            (ctypes.c_char_p * len(symbols))(*[name.encode() for name in symbols]),
            len(symbols)))
        return choice


class ModelChoice(Handle):
    """The model chosen per symbol over several analyses (ms_model_choice):
    models (names, in the order given), chosen ({symbol: model name or
    None}), score(symbol, model) ((best strategy, mean daily return) or
    None when the symbol failed under that model), report(model) that
    model's report as a dict (`marketsim analyze --json`), to_dict() the
    whole document `marketsim analyze --model A,B --json` prints. close()
    (or a with block) frees it."""

    _free = staticmethod(lib.ms_model_choice_free)
    _kind = "model choice"

    def __init__(self, handle, owned):
        # As a Report, the reports may refer to the source and models the
        # call opened: they are freed with the choice.
        super().__init__(handle)
        self._owned = owned
        try:
            self._document = json.loads(self._render(lib.ms_model_choice_to_json))
        except Error:
            self.close()
            raise

    @property
    def models(self) -> List[str]:
        with self.use() as handle:
            return [lib.ms_model_choice_model_name(handle, m).decode()
                    for m in range(lib.ms_model_choice_model_count(handle))]

    @property
    def chosen(self) -> Dict[str, Optional[str]]:
        with self.use() as handle:
            result = {}
            for i in range(lib.ms_model_choice_symbol_count(handle)):
                m = lib.ms_model_choice_chosen(handle, i)
                name = lib.ms_model_choice_model_name(handle, m) if m >= 0 else None
                result[lib.ms_model_choice_symbol(handle, i).decode()] = (
                    name.decode() if name is not None else None)
            return result

    def score(self, symbol: str, model: str):
        """(best strategy name, its mean average daily return) of `symbol`
        under `model`; None when the symbol failed there. KeyError for a
        symbol or model not in the choice."""
        for row in self._document["choice"]:
            if row["symbol"] == symbol:
                entry = row["models"][model]
                return None if entry is None else (entry["best_strategy"],
                                                   entry["avg_daily_return"])
        raise KeyError(symbol)

    def report(self, model: str) -> dict:
        """`model`'s report as `marketsim analyze --json` prints it."""
        return json.loads(json.dumps(self._document["reports"][model]))

    def to_dict(self) -> dict:
        return json.loads(json.dumps(self._document))

    def _after_close(self):
        for resource in self._owned:
            resource.close()


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
    timings a dict of seconds; forecast_quality the pooled forecast errors;
    to_dict() the whole JSON document; to_records() / to_dataframe() one
    flat row per symbol x strategy (pandas for the DataFrame);
    simulation_returns() a strategy's per-simulation returns (NumPy, or a
    pandas Series by date); text() the CLI's table; html() the
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

    def to_dict(self) -> dict:
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
            return {name: getattr(timings, name) for name in _api.field_names(_api.Timings)}

    @property
    def forecast_quality(self):
        """Every symbol's one-step forecast errors pooled, read from
        ms_report_forecast_quality: {"close", "high", "low"}, each a dict of
        count, mae_pct, rmse_pct, hit_rate, directions, coverage (NaN without
        quantiles), covered_count, naive_mae_pct and naive_rmse_pct. A
        symbol's own are its entry's "forecast_quality"."""
        with self.use() as handle:
            quality = lib.ms_report_forecast_quality(handle).contents
            return {column: {name: getattr(getattr(quality, column), name)
                             for name in _api.field_names(_api.ForecastError)}
                    for column in _api.field_names(_api.ForecastQuality)}

    def simulation_returns(self, symbol: str, strategy: str):
        """The total return of each simulation of `strategy` (a report name
        such as "simple") on `symbol`, simulation 0 (the latest window)
        first: a NumPy array (a list without NumPy), or with pandas a
        Series indexed by the date of each simulation's last evaluated bar,
        oldest first. Not in the JSON document, so read from the report's
        structs. Raises KeyError for an unknown pair."""
        with self.use() as handle:
            returns = self._returns(handle, symbol, strategy)
        if _frames.pandas is None:
            return _arrays.shaped((ctypes.c_double * len(returns))(*returns), (len(returns),))
        ends = self._simulation_ends(symbol, len(returns))
        index = _frames.dates(ends) if ends is not None else \
            _frames.pandas.RangeIndex(len(returns), name="simulation")
        series = _frames.pandas.Series(returns, index=index, name="%s %s" % (symbol, strategy))
        return series.iloc[::-1] if ends is not None else series

    @staticmethod
    def _returns(handle, symbol, strategy):
        for i in range(lib.ms_report_symbol_count(handle)):
            entry = lib.ms_report_symbol(handle, i)
            if entry.contents.symbol.decode() != symbol:
                continue
            index = ctypes.c_int()
            if lib.ms_strategy_from_name(encode(strategy), ctypes.byref(index)) == 0:
                summary = lib.ms_symbol_report_strategy(entry, index.value).contents
                return [summary.simulation_returns[k] for k in range(summary.simulations)]
        raise KeyError("no strategy %r for symbol %r in this report" % (strategy, symbol))

    def _simulation_ends(self, symbol, simulations):
        """The timestamp of each simulation's last evaluated bar: simulation
        k ends at bar n-1-k of the symbol's n bars (lib/analyze/plan.c),
        read from the analysis' own source; None when the report has none
        or the bars no longer match it."""
        sources = [owned for owned in self._owned if isinstance(owned, Source)]
        expected = next((entry["bars"] for entry in self.symbols if entry["symbol"] == symbol), 0)
        if not sources:
            return None
        try:
            timestamps = sources[0].timestamps(symbol)
        except Error:
            return None
        if len(timestamps) != expected or simulations > len(timestamps):
            return None
        return [timestamps[len(timestamps) - 1 - k] for k in range(simulations)]

    def to_records(self) -> List[Dict[str, object]]:
        """One flat dict per symbol x strategy, ranked symbols first: rank,
        symbol, strategy, best (whether it is the symbol's best strategy),
        the strategy's metrics (nested ones as baseline_sharpe, ...), then
        the symbol's fields (forecast_close, side, entry_price, ...). Lists
        (the price history) are left out. Needs neither NumPy nor pandas."""
        records = []
        for rank, entry in enumerate(self.symbols, start=1):
            symbol_fields = _frames.flatten({key: value for key, value in entry.items()
                                             if key != "strategies"})
            for strategy, metrics in entry["strategies"].items():
                record = {"rank": rank, "symbol": entry["symbol"], "strategy": strategy,
                          "best": strategy == entry.get("best_strategy")}
                for key, value in _frames.flatten(metrics).items():
                    record[key if key not in symbol_fields else "strategy_" + key] = value
                for key, value in symbol_fields.items():
                    record.setdefault(key, value)
                records.append(record)
        return records

    def to_dataframe(self):
        """to_records() as a pandas DataFrame: one row per symbol x
        strategy, flat columns, last_date and last_bar as datetimes. Needs
        pandas (ImportError saying so otherwise)."""
        pandas = _frames.require("Report.to_dataframe()")
        frame = pandas.DataFrame.from_records(self.to_records())
        for column in ("last_date", "last_bar"):
            if column in frame:
                frame[column] = pandas.to_datetime(frame[column]).dt.tz_localize(None)
        return frame

    def _summary(self):
        config = self._document.get("config", {})
        return "%d symbols, %d picks, %d errors (data %s, model %s, %s simulations)" % (
            len(self.symbols), len(self.picks), len(self.errors), config.get("data"),
            config.get("model"), config.get("simulations"))

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
