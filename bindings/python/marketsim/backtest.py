"""marketsim.backtest: the strategies evaluated on your own forecasts of one
symbol (ms_backtest_forecasts), into the same Report as marketsim.analyze.

Forecasts are a CSV path (the file `marketsim backtest --forecasts` reads)
or columns: a mapping, or anything indexable by column name such as a
pandas DataFrame, with "date", "close", "high" and "low"."""
import ctypes
import datetime
import os

from ._api import lib
from .analysis import Report, _options, _rules
from .errors import Error, check, encode
from .source import Source

_UNITS = {"auto": 0, "prices": 1, "changes": 2}  # ms_forecast_units
_INVALID_ARG = -1  # MS_ERR_INVALID_ARG


def _seconds(value):
    """A forecast's date as UTC seconds: a date (its 00:00 UTC), a datetime
    (naive is UTC), "YYYY-MM-DD[THH:MM[:SS]]" text, or seconds."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return int(value.timestamp())
    if isinstance(value, datetime.date):
        return _seconds(datetime.datetime(value.year, value.month, value.day))
    return int(value)


def _open_forecasts(forecasts, units):
    handle = ctypes.c_void_p()
    if isinstance(forecasts, (str, os.PathLike)):
        check(lib.ms_forecasts_load_csv(ctypes.byref(handle), os.fsencode(forecasts), units))
        return handle
    dates = list(forecasts["date"])
    n = len(dates)
    times = (ctypes.c_int64 * n)(*[_seconds(date) for date in dates])
    columns = [(ctypes.c_double * n)(*[float(v) for v in forecasts[name]])
               for name in ("close", "high", "low")]
    check(lib.ms_forecasts_create(ctypes.byref(handle), n, times, *columns, units, None))
    return handle


def backtest(symbol, forecasts, data="synthetic", units="auto", simulations=None,
             eval_days=None, position_size=None, max_positions=None, stock_fee=None,
             crypto_fee=None, equity=None, buying_power=None, as_of=None, fills=None,
             offsets=None, reference=False):
    """Backtests every strategy on `forecasts` of `symbol`'s bars from
    `data` (a source URI, as for analyze) and returns a Report of that one
    symbol: the document `marketsim backtest --json` prints.

    The row dated D forecasts D's bar, made before it; a row after the last
    bar is the next-day forecast. `units` is "prices", "changes" (each
    column's one-step change from its value on the bar before, 0.01 = +1%)
    or "auto" (docs/cli.md, "marketsim backtest"). The other options are
    analyze's; None leaves them to the environment, then the defaults.
    A bad file or row raises marketsim.Error naming its file, line and
    field."""
    if units not in _UNITS:
        raise Error(_INVALID_ARG, "units must be auto, prices or changes, got %r" % (units,))
    sizing = {"position_size": position_size, "max_positions": max_positions,
              "stock_fee": stock_fee, "crypto_fee": crypto_fee, "equity": equity,
              "buying_power": buying_power, "as_of": as_of}
    sizing.update(_rules(fills, offsets, reference))
    options = _options(simulations, None, eval_days, None, None, None, None, sizing)
    handle = _open_forecasts(forecasts, _UNITS[units])
    try:
        with Source(data) as source, source.use() as source_handle:
            report = ctypes.c_void_p()
            check(lib.ms_backtest_forecasts(ctypes.byref(report), source_handle, encode(symbol),
                                            handle, ctypes.byref(options)))
    finally:
        lib.ms_forecasts_free(handle)
    # The report copies what it keeps of the source: nothing else to own.
    return Report(report, [])
