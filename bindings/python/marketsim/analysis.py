"""marketsim.analyze and its Report: the batch analyzer (ms_analyzer) over
a data source and a model, and the report it returns.

The report's dict form is ms_report_to_json parsed, so it is exactly the
document `marketsim analyze --json` prints; the C report stays open so it
can be handed to trade_cycle."""
import ctypes
import json

from . import _api
from ._api import lib
from ._handle import Handle
from .errors import Error, check, encode
from .model import Model
from .source import Source

# The C API's "not set" for its tri-state fields (parallel, warmup).
_UNSET_TRISTATE = -1


def _options(simulations, workers, eval_days, parallel, aggregate, samples, seed):
    # None leaves a field 0 (unset), so the environment (MARKETSIM_*) and
    # then the library's defaults decide, as for the CLI without the flag.
    options = _api.AnalyzerOptions()
    options.version = 1
    options.parallel = _UNSET_TRISTATE if parallel is None else int(bool(parallel))
    options.warmup = _UNSET_TRISTATE
    options.simulations = simulations or 0
    options.workers = workers or 0
    options.eval_days = eval_days or 0
    options.aggregate = encode(aggregate)
    options.num_samples = samples or 0
    options.seed = seed or 0
    return options


def analyze(symbols, data="synthetic", model="baseline", simulations=None, workers=None,
            eval_days=None, parallel=None, aggregate=None, samples=None, seed=None):
    """Analyses `symbols` (a list, or one comma-separated string) and returns
    a Report. `data` is a source URI ("synthetic[:seed=N][,bars=N]",
    "csv:DIR", "alpaca[:TIMEFRAME]"); `model` a path for Model.open or an
    open Model (borrowed, not closed). Options left None come from the
    environment, then the defaults. Symbols that fail are in Report.errors;
    bad options, data URIs or models raise marketsim.Error."""
    if isinstance(symbols, str):
        symbols = [name for name in symbols.split(",") if name]
    options = _options(simulations, workers, eval_days, parallel, aggregate, samples, seed)
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
    dicts as in `marketsim analyze --json`; timings a dict of seconds;
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
    def config(self):
        return self._document["config"]

    @property
    def timings(self):
        """Wall-clock seconds per phase, read from ms_report_timings."""
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
