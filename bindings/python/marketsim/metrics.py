"""marketsim.metrics: every metric of docs/strategies.md over one return series."""
import ctypes

from . import _api, _arrays
from ._api import lib
from .errors import check


def metrics(returns, periods_per_year=252, risk_free=0.0, mar=0.0):
    """Computes ms_metrics over `returns` (a list or NumPy array; NaN
    periods follow docs/strategies.md). Returns a dict with one key per ms_metrics
    field; undefined values are NaN or +-inf as in C.
    Raises marketsim.Error (e.g. periods_per_year <= 0)."""
    values = _arrays.doubles(returns)
    options = _api.init(_api.MetricsOptions, periods_per_year=periods_per_year,
                        risk_free=risk_free, mar=mar)
    result = _api.Metrics()
    check(lib.ms_metrics_compute(values, len(values), ctypes.byref(options), ctypes.byref(result)))
    return {name: getattr(result, name) for name in _api.field_names(_api.Metrics)}
