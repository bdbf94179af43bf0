"""marketsim: Python bindings (pure ctypes) for libmarketsim.

    import marketsim
    with marketsim.Model.open("baseline") as model:
        forecast = model.forecast(closes, horizon=5)
    report = marketsim.analyze(["AAPL", "BTCUSD"], simulations=10)
    report = marketsim.backtest("AAPL", "my_forecasts.csv", data="csv:bars")
    marketsim.metrics(daily_returns, periods_per_year=252)

The library is found through $MARKETSIM_LIB, the source tree's build/lib,
or the system loader. Its log lines go to logging.getLogger("marketsim")
(level: $MARKETSIM_LOG or set_log_level). Every C error raises marketsim.Error; an argument
the bindings refuse raises marketsim.ArgumentError (an Error and a
ValueError). NumPy and pandas are optional: with them, arrays come back as
NumPy arrays and Report.to_dataframe(), Forecast.to_dataframe() and dated
Series are available.
"""
from . import _log
from ._api import lib as _library
from ._log import set_log_level
from ._version import __version__  # the package's (VERSION); version() is the library's
from .analysis import ModelChoice, Report, analyze, analyze_models
from .backtest import backtest
from .broker import Broker
from .errors import ArgumentError, Error
from .metrics import metrics
from .model import Forecast, Model
from .trade import TradeResult, trade_cycle


_log.install()


def version():
    """The loaded library's version string, e.g. "0.1.0"."""
    return _library.ms_version().decode()


__all__ = ["ArgumentError", "Broker", "Error", "Forecast", "Model", "ModelChoice", "Report",
           "TradeResult", "analyze", "analyze_models", "backtest", "metrics", "set_log_level",
           "trade_cycle", "version"]
