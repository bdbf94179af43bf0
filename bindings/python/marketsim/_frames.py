"""pandas, when it is installed: flat records into DataFrames, values into
Series indexed by date. The package imports and works without pandas;
only the methods that return pandas objects need it (tests switch
`pandas` to None to check that)."""
import datetime

try:
    import pandas
except ImportError:
    pandas = None


def require(what):
    """pandas, or ImportError naming the method that needs it."""
    if pandas is None:
        raise ImportError("%s needs pandas (Debian: apt-get install python3-pandas; "
                          "pip install pandas)" % what)
    return pandas


def flatten(document, prefix="", out=None):
    """A dict's scalar values, nested dicts as prefix_key; lists (the price
    history, per-simulation values) are left out: they are not one cell."""
    out = {} if out is None else out
    for key, value in document.items():
        if isinstance(value, dict):
            flatten(value, prefix + key + "_", out)
        elif not isinstance(value, list):
            out[prefix + key] = value
    return out


def is_pandas(value):
    return pandas is not None and isinstance(value, (pandas.Series, pandas.DataFrame))


def dates(timestamps):
    """Unix seconds as a pandas DatetimeIndex (UTC, naive), or datetimes
    without pandas."""
    if pandas is not None:
        return pandas.to_datetime(list(timestamps), unit="s")
    return [datetime.datetime.fromtimestamp(t, datetime.timezone.utc).replace(tzinfo=None)
            for t in timestamps]


def future_index(index, horizon):
    """The `horizon` dates after a pandas DatetimeIndex, stepping by its
    frequency (inferred: business days for stock bars, days for crypto),
    else by its last step; None for any other index."""
    if pandas is None or not isinstance(index, pandas.DatetimeIndex) or len(index) < 2:
        return None
    frequency = pandas.infer_freq(index) if len(index) >= 3 else None
    if frequency is not None:
        return pandas.date_range(index[-1], periods=horizon + 1, freq=frequency)[1:]
    step = index[-1] - index[-2]
    return pandas.DatetimeIndex([index[-1] + step * (h + 1) for h in range(horizon)])
