"""Data sources (ms_source) opened from a URI by the library's scheme
table (ms_source_open), as the CLI opens --data: "csv:DIR",
"synthetic[...]", "alpaca[:TIMEFRAME]"."""
import ctypes

from . import _api
from ._api import lib
from ._handle import Handle
from .errors import check


class Source(Handle):
    """An open data source; close() frees it (idempotent). timestamps()
    reads a symbol's bar times."""

    _free = staticmethod(lib.ms_source_free)
    _kind = "data source"

    def __init__(self, uri):
        # The library's defaults, with the environment read as the CLI reads
        # it (alpaca: keys, URLs and cache directory).
        options = _api.init(_api.SourceOptions, from_env=1)
        handle = ctypes.c_void_p()
        check(lib.ms_source_open(ctypes.byref(handle), uri.encode(), ctypes.byref(options)))
        super().__init__(handle)

    def timestamps(self, symbol):
        """The times (Unix seconds, oldest first) of `symbol`'s bars as the
        source serves them now. Raises marketsim.Error when it has none."""
        bars = ctypes.c_void_p()
        with self.use() as handle:
            check(lib.ms_source_load(handle, symbol.encode(), ctypes.byref(bars)))
        try:
            times = lib.ms_bars_timestamps(bars)
            return [times[i] for i in range(lib.ms_bars_len(bars))]
        finally:
            lib.ms_bars_free(bars)
