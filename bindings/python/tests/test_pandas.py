"""The bindings as a pandas user meets them: a report as one flat row per
symbol x strategy, per-simulation returns and forecasts as NumPy arrays or
dated pandas objects, forecasts of lists, arrays and Series alike, wrong
arguments refused instead of replaced by defaults, reprs and help(). The
package works without pandas (only the DataFrame methods need it)."""
import os
import pydoc
import subprocess
import sys

import marketsim
import numpy
import pandas
import pytest
from marketsim import _frames

from conftest import REPO_ROOT

SYMBOLS = ["AAPL", "BTCUSD"]
SIMULATIONS = 4


@pytest.fixture(scope="module")
def report():
    with marketsim.analyze(SYMBOLS, data="synthetic:seed=5", simulations=SIMULATIONS,
                           eval_days=5) as report:
        yield report


@pytest.fixture(scope="module")
def baseline():
    with marketsim.Model.open("baseline") as model:
        yield model


@pytest.fixture
def without_pandas(monkeypatch):
    monkeypatch.setattr(_frames, "pandas", None)


def test_to_dataframe_has_one_flat_row_per_symbol_and_strategy(report):
    frame = report.to_dataframe()
    strategies = report.symbols[0]["strategies"]
    assert len(frame) == len(SYMBOLS) * len(strategies)
    assert set(frame["symbol"]) == set(SYMBOLS)
    assert set(frame["strategy"]) == set(strategies)
    assert not any(frame[column].map(lambda cell: isinstance(cell, (dict, list))).any()
                   for column in frame.columns)
    for column in ("rank", "best", "total_return", "sharpe", "forecast_close", "side"):
        assert column in frame.columns
    first = report.symbols[0]
    row = frame[(frame.symbol == first["symbol"]) & (frame.strategy == "simple")].iloc[0]
    assert row["total_return"] == pytest.approx(first["strategies"]["simple"]["total_return"])
    assert row["forecast_close"] == pytest.approx(first["forecast"]["close"])
    assert frame.groupby("symbol")["best"].sum().tolist() == [1, 1]
    assert str(frame["last_date"].dtype).startswith("datetime64")


def test_to_records_need_no_pandas_and_to_dataframe_says_it_does(report, without_pandas):
    records = report.to_records()
    assert len(records) == len(SYMBOLS) * len(report.symbols[0]["strategies"])
    assert records[0]["rank"] == 1
    with pytest.raises(ImportError, match="pandas"):
        report.to_dataframe()


def test_simulation_returns_are_a_series_dated_by_each_window_end(report):
    entry = report.symbols[0]
    returns = report.simulation_returns(entry["symbol"], "simple")
    assert isinstance(returns, pandas.Series)
    assert len(returns) == SIMULATIONS
    assert returns.index.is_monotonic_increasing
    assert returns.index[-1] == pandas.Timestamp(entry["last_date"])
    assert returns.mean() == pytest.approx(entry["strategies"]["simple"]["total_return"])


def test_simulation_returns_are_a_numpy_array_without_pandas(report, without_pandas):
    returns = report.simulation_returns(SYMBOLS[0], "simple")
    assert isinstance(returns, numpy.ndarray)
    assert returns.shape == (SIMULATIONS,)
    with pytest.raises(KeyError):
        report.simulation_returns(SYMBOLS[0], "no_such_strategy")


def test_forecast_takes_a_list_an_array_and_a_series_alike(baseline):
    values = [0.01, -0.02, 0.015, 0.003, -0.004, 0.007]
    expected = baseline.forecast(values, horizon=3).mean
    for series in (tuple(values), numpy.array(values), pandas.Series(values)):
        forecast = baseline.forecast(series, horizon=3)
        assert isinstance(forecast.mean, numpy.ndarray)
        numpy.testing.assert_allclose(forecast.mean, expected)


def test_forecast_of_a_dated_series_continues_its_dates(baseline):
    dates = pandas.bdate_range("2024-03-04", periods=20)
    series = pandas.Series(numpy.linspace(-0.01, 0.01, 20), index=dates)
    forecast = baseline.forecast(series, horizon=3)
    assert list(forecast.index) == list(pandas.bdate_range("2024-04-01", periods=3))
    frame = forecast.to_dataframe()
    assert list(frame.columns) == ["mean", "q0.1", "q0.5", "q0.9"]
    assert list(frame.index) == list(forecast.index)
    undated = baseline.forecast(list(series), horizon=3).to_dataframe()
    assert list(undated.index) == [1, 2, 3]


def test_a_dataframe_is_time_by_variates(baseline):
    frame = pandas.DataFrame({"close": numpy.linspace(-0.01, 0.01, 12),
                              "volume": numpy.linspace(0.02, -0.02, 12)})
    forecast = baseline.forecast(frame, horizon=2)
    assert forecast.mean.shape == (2, 2)
    numpy.testing.assert_allclose(forecast.mean[1],
                                  baseline.forecast(frame["volume"], horizon=2).mean[0])


@pytest.mark.parametrize("call", [
    lambda model: marketsim.analyze(["AAPL"], simulations=0),
    lambda model: marketsim.analyze(["AAPL"], workers=0),
    lambda model: marketsim.analyze(["AAPL"], eval_days=-1),
    lambda model: marketsim.analyze(["AAPL"], seed=-3),
    lambda model: marketsim.analyze(["AAPL"], max_positions=0),
    lambda model: marketsim.analyze(["AAPL"], simulations=2.5),
    lambda model: marketsim.analyze(["AAPL"], equity=0),
    lambda model: marketsim.analyze([]),
    lambda model: model.forecast([0.01, 0.02], horizon=0),
    lambda model: model.forecast([0.01, 0.02], horizon=2, samples=-1),
    lambda model: model.forecast([0.01, 0.02], horizon=2, quantiles=(0.5, 1.5)),
    lambda model: model.forecast([], horizon=2),
    lambda model: marketsim.Model.open("baseline", threads=-1),
], ids=["simulations=0", "workers=0", "eval_days=-1", "seed=-3", "max_positions=0",
        "simulations=2.5", "equity=0", "no symbols", "horizon=0", "samples=-1",
        "quantile 1.5", "empty series", "threads=-1"])
def test_a_wrong_argument_raises_instead_of_becoming_the_default(baseline, call):
    with pytest.raises(marketsim.ArgumentError) as raised:
        call(baseline)
    assert isinstance(raised.value, marketsim.Error)
    assert isinstance(raised.value, ValueError)
    assert raised.value.status_name == "invalid argument"


def test_reprs_say_what_the_object_is(report, baseline):
    assert repr(report).startswith("<marketsim.Report 2 symbols, ")
    assert "%d simulations" % SIMULATIONS in repr(report)
    assert repr(baseline) == "<marketsim.Model baseline>"
    assert repr(baseline.forecast([0.01, 0.02, 0.03], horizon=2)).startswith(
        "Forecast(variates=1, horizon=2")
    model = marketsim.Model.open("baseline")
    model.close()
    assert repr(model) == "<marketsim.Model (closed)>"


def test_help_shows_type_hints_and_docstrings():
    text = pydoc.render_doc(marketsim.analyze, renderer=pydoc.plaintext)
    assert "simulations: Optional[int] = None" in text
    assert "ArgumentError" in text
    text = " ".join(pydoc.render_doc(marketsim.Report, renderer=pydoc.plaintext)
                    .replace("|", " ").split())
    assert "to_dataframe(self)" in text and "one row per symbol x strategy" in text
    text = pydoc.render_doc(marketsim.Model.forecast, renderer=pydoc.plaintext)
    assert "horizon: int" in text and "pandas Series" in text


def test_the_package_imports_and_analyzes_without_pandas():
    script = ("import sys; sys.modules['pandas'] = None\n"
              "import marketsim\n"
              "with marketsim.analyze(['AAPL'], simulations=2) as report:\n"
              "    assert report.to_records()\n"
              "    assert len(report.simulation_returns('AAPL', 'simple')) == 2\n"
              "    try:\n"
              "        report.to_dataframe()\n"
              "    except ImportError as missing:\n"
              "        print(missing)\n")
    environment = dict(os.environ, PYTHONPATH=os.path.join(REPO_ROOT, "bindings", "python"))
    completed = subprocess.run([sys.executable, "-c", script], env=environment,
                               capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    assert "needs pandas" in completed.stdout
