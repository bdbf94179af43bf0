"""Data sources (ms_source) opened from a URI the way the CLI opens
--data: "alpaca[:TIMEFRAME]" is the broker layer's market-data source,
anything else ("synthetic[...]", "csv:DIR") goes to ms_source_open."""
import ctypes

from ._api import lib
from .errors import check


class Source:
    """An open data source; close() frees it (idempotent)."""

    def __init__(self, uri):
        self.handle = ctypes.c_void_p()
        if uri == "alpaca" or uri.startswith("alpaca:"):
            timeframe = uri.partition(":")[2] or "1Day"
            check(lib.ms_source_open_alpaca(ctypes.byref(self.handle), timeframe.encode(), None))
        else:
            check(lib.ms_source_open(ctypes.byref(self.handle), uri.encode(), None))

    def close(self):
        if self.handle:
            lib.ms_source_free(self.handle)
            self.handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
