"""marketsim.trade_cycle: one trade cycle (ms_trade_cycle) of a report
against a broker, and its result as the JSON document of docs/cli.md."""
import ctypes
import json

from . import _api
from ._api import lib
from ._handle import Handle
from .errors import check, take_string


class TradeResult(Handle):
    """What a cycle planned and did. summary and steps are read from
    to_dict(), the same document as `marketsim trade --json`; plan_text()
    and text() are the CLI's human-readable forms."""

    _free = staticmethod(lib.ms_trade_result_free)
    _kind = "trade result"

    def __init__(self, handle):
        super().__init__(handle)
        self._document = json.loads(self._text(lib.ms_trade_result_to_json))

    def _text(self, render):
        text = ctypes.c_void_p()
        check(render(self.handle, ctypes.byref(text)))
        return take_string(text)

    def to_dict(self):
        return json.loads(json.dumps(self._document))

    def plan_text(self):
        """The plan: what the cycle saw and each step with its reason."""
        return self._text(lib.ms_trade_plan_to_text)

    def text(self):
        """What was sent: each order and cancel with the broker's answer."""
        return self._text(lib.ms_trade_result_to_text)



def trade_cycle(broker, report, dry_run=True):
    """Plans a cycle from `report` (a Report) against `broker` (a Broker)
    and, unless dry_run (the default: nothing is sent), executes it.
    Steps the broker refuses are marked failed in the result, as in C;
    a cycle that cannot be planned raises marketsim.Error."""
    options = _api.TradeOptions(1, int(bool(dry_run)), None, None, None)
    result = ctypes.c_void_p()
    check(lib.ms_trade_cycle(broker.handle, report.handle, ctypes.byref(options),
                             ctypes.byref(result)))
    return TradeResult(result)
