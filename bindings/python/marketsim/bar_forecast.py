"""Bar forecasts with a bar model (Kronos): ms_model_forecast_bars over one
context of bars, and ms_bars_next_times for the times to predict. Used by
marketsim.Model.forecast_bars."""
import ctypes
import datetime
import numbers
from typing import Dict, List, Optional, Sequence

from . import _api
from ._api import lib
from .errors import ArgumentError, check, count, encode

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def to_seconds(value) -> int:
    """UTC seconds of an int, an ISO 8601 string, a datetime or a pandas
    Timestamp (naive times are UTC)."""
    if isinstance(value, bool):
        raise ArgumentError("a timestamp cannot be a bool")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        value = datetime.datetime(value.year, value.month, value.day)
    if not isinstance(value, datetime.datetime):
        raise ArgumentError("not a timestamp: %r" % (value,))
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return int((value - _EPOCH).total_seconds())


def to_datetime(seconds: int) -> datetime.datetime:
    return _EPOCH + datetime.timedelta(seconds=seconds)


def _times(values) -> ctypes.Array:
    return (ctypes.c_int64 * len(values))(*[to_seconds(v) for v in values])


def _column(bars, name: str, length: int, optional: bool):
    values = bars.get(name) if hasattr(bars, "get") else None
    if values is None:
        if optional:
            return None
        raise ArgumentError("bars need a %r column" % name)
    values = [float(v) for v in values]
    if len(values) != length:
        raise ArgumentError("bars column %r has %d values for %d timestamps"
                            % (name, len(values), length))
    return (ctypes.c_double * length)(*values)


def next_times(timestamps: Sequence, horizon: int, every_day: bool = False) -> List[int]:
    """The UTC seconds of the `horizon` bars after the last timestamp
    (ms_bars_next_times): the next US sessions for daily bars, the bar
    interval within the series' hours for intraday ones; every_day (crypto)
    without a calendar."""
    horizon = count("horizon", horizon, optional=False)
    times = _times(list(timestamps))
    out = (ctypes.c_int64 * horizon)()
    check(lib.ms_bars_next_times(times, len(times), int(bool(every_day)), horizon, out))
    return list(out)


def forecast_bars(handle, bars, future_timestamps: Optional[Sequence], horizon: Optional[int],
                  context_length: int, samples: int, temperature: float, top_k: int,
                  top_p: float, seed: int, aggregate: str = "mean") -> Dict[str, list]:
    """See Model.forecast_bars."""
    if _is_frame(bars):
        frame = bars
        bars = {name: list(frame[name]) for name in frame.columns}
        bars.setdefault("timestamps", list(frame.index))
    timestamps = bars.get("timestamps")
    timestamps = list(timestamps) if timestamps is not None else []
    if not timestamps:
        raise ArgumentError("bars need at least one timestamp (a context of one bar or more)")
    if future_timestamps is None:
        if horizon is None:
            raise ArgumentError("give future_timestamps or a horizon")
        future = next_times(timestamps, horizon)
    else:
        future = [to_seconds(v) for v in future_timestamps]
    steps = len(future)
    if steps == 0 or (horizon is not None and horizon != steps):
        raise ArgumentError("horizon %r but %d future timestamps" % (horizon, steps))
    length = len(timestamps)
    columns = [_column(bars, name, length, name in ("volume", "amount"))
               for name in _api.BAR_FIELDS]
    future_buffer = (ctypes.c_int64 * steps)(*future)
    context = _api.BarContext(length, _times(timestamps), *columns, future_buffer, 0)
    options = _api.init(
        _api.BarForecastOptions, horizon=steps,
        max_context=count("context_length", context_length, minimum=0, optional=False),
        num_samples=count("samples", samples, optional=False), temperature=float(temperature),
        top_k=count("top_k", top_k, minimum=0, optional=False), top_p=float(top_p),
        seed=count("seed", seed, minimum=0, optional=False))
    check(lib.ms_aggregate_parse(encode(aggregate), ctypes.byref(options.aggregate)))
    out = (ctypes.c_double * (steps * len(_api.BAR_FIELDS)))()
    check(lib.ms_model_forecast_bars(handle, ctypes.byref(context), 1, ctypes.byref(options),
                                     out))
    width = len(_api.BAR_FIELDS)
    result = {"timestamps": [to_datetime(t) for t in future]}
    for f, name in enumerate(_api.BAR_FIELDS):
        result[name] = [out[h * width + f] for h in range(steps)]
    return result


def _is_frame(value) -> bool:
    return hasattr(value, "columns") and hasattr(value, "index")
