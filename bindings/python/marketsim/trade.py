"""marketsim.trade_cycle: one trade cycle (ms_trade_cycle) of a report
against a broker, and its result as the JSON document of docs/cli.md."""
import ctypes
import json

from . import _api
from ._api import lib
from ._handle import Handle
from .errors import check, encode, take_string


class TradeResult(Handle):
    """What a cycle planned and did. summary and steps are read from
    to_dict(), the same document as `marketsim trade --json`; plan_text()
    and text() are the CLI's human-readable forms. One thread at a time, as
    in C (a concurrent call raises marketsim.Error)."""

    _free = staticmethod(lib.ms_trade_result_free)
    _kind = "trade result"
    _exclusive = True

    def __init__(self, handle):
        super().__init__(handle)
        self._document = json.loads(self._render(lib.ms_trade_result_to_json))

    def to_dict(self):
        return json.loads(json.dumps(self._document))

    def plan_text(self):
        """The plan: what the cycle saw and each step with its reason."""
        return self._render(lib.ms_trade_plan_to_text)

    def text(self):
        """What was sent: each order and cancel with the broker's answer."""
        return self._render(lib.ms_trade_result_to_text)


class _Progress:
    """The C on_step callback and stop flag of one cycle. `stop` is any
    object with is_set() (a threading.Event): it is read before the cycle
    and after each step, and raising the C flag (a sig_atomic_t, an int on
    the platforms Python runs on) stops execution before the next step. An
    exception raised by on_step stops the cycle too and is re-raised once
    the cycle has returned: ctypes would otherwise print and drop it."""

    def __init__(self, on_step, stop):
        self.on_step, self.stop = on_step, stop
        self.flag = ctypes.c_int(int(stop is not None and stop.is_set()))
        self.error = None
        self.callback = _api.TradeStepCallback(self._step)

    def _step(self, _context, step):
        try:
            if self.on_step is not None and self.error is None:
                text = ctypes.c_void_p()
                check(lib.ms_trade_step_to_json(step, ctypes.byref(text)))
                self.on_step(json.loads(take_string(text)))
        except BaseException as error:  # re-raised by trade_cycle
            self.error = error
        if self.error is not None or (self.stop is not None and self.stop.is_set()):
            self.flag.value = 1


def trade_cycle(broker, report, dry_run=True, on_step=None, stop=None, ledger_path=None):
    """Plans a cycle from `report` (a Report) against `broker` (a Broker)
    and, unless dry_run (the default: nothing is sent), executes it.

    on_step(step) is called after each step is sent, with the step as the
    dict it is in to_dict()["steps"]. stop (e.g. a threading.Event set by
    another thread or a signal handler) ends execution before the next
    step once set; the rest stays pending and the summary says "stopped".
    Steps the broker refuses are marked failed in the result, as in C;
    a cycle that cannot be planned raises marketsim.Error, and so does a
    broker another thread is using. on_step runs while the cycle uses the
    broker: calling or closing the broker there raises marketsim.Error.
    ledger_path: where marketsim records its own orders in this account
    (None: the default, docs/trading.md); a dry run never writes it."""
    progress = _Progress(on_step, stop)
    options = _api.init(_api.TradeOptions, dry_run=int(bool(dry_run)), on_step=progress.callback,
                        stop=ctypes.pointer(progress.flag),
                        ledger_path=None if ledger_path is None else encode(ledger_path))
    result = ctypes.c_void_p()
    with broker.use() as broker_handle, report.use() as report_handle:
        check(lib.ms_trade_cycle(broker_handle, report_handle, ctypes.byref(options),
                                 ctypes.byref(result)))
    cycle = TradeResult(result)
    if progress.error is not None:
        cycle.close()
        raise progress.error
    return cycle
