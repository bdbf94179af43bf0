"""marketsim.backtest: a user's forecasts of handmade bars, from a CSV
path or from columns, give the CLI's document and the returns computed by
hand; bad files raise marketsim.Error naming file, line and field."""
import datetime
import json
import subprocess

import marketsim
import pytest

# Five trading days: closes 100, 100, 102 (+2%), 100.98 (-1%), 104.0094 (+3%).
BARS = """date,open,high,low,close
2024-01-02,100,101,99,100
2024-01-03,100,101,99,100
2024-01-04,102,103,101,102
2024-01-05,100.98,101.98,99.98,100.98
2024-01-08,104.0094,105.0094,103.0094,104.0094
"""
# Bars 2, 3, 4 and the next day; bar 3's close (103) above its high.
FORECASTS = """date,close,high,low
2024-01-04,101,102.5,99.5
2024-01-05,103,102.5,101
2024-01-08,100,101.5,98.5
2024-01-09,105,106,104
"""


@pytest.fixture
def files(tmp_path):
    (tmp_path / "AAA.csv").write_text(BARS)
    forecasts = tmp_path / "forecasts.csv"
    forecasts.write_text(FORECASTS)
    return "csv:%s" % tmp_path, forecasts


def without_timings(document):
    document = dict(document)
    document.pop("timings")
    document["symbols"] = [{key: value for key, value in symbol.items() if key != "timings"}
                           for symbol in document["symbols"]]
    return document


def test_simple_returns_are_the_hand_computed_ones(files):
    data, forecasts = files
    with marketsim.backtest("AAA", str(forecasts), data=data, simulations=2, eval_days=2,
                            stock_fee=0.0005, fills="reference",
                            offsets="in-sample") as report:
        # Close to close under the reference fills (five bars are too few for
        # walk-forward offsets). Simulation 0: buy (-1%), then sell (+3%);
        # simulation 1: buy +2%, hold -1%.
        returns = report.simulation_returns("AAA", "simple")
        if getattr(getattr(returns, "index", None), "name", "simulation") != "simulation":
            returns = returns.iloc[::-1]  # a Series by date, oldest first
        assert list(returns) == pytest.approx([0.9895 * 0.969 - 1, 1.0195 * 0.99 - 1], abs=1e-12)
        symbol = report.symbols[0]
        assert symbol["incoherent_forecasts"] == 1
        assert symbol["forecast_origins"] == 4
        assert symbol["forecast"]["close"] == pytest.approx(105)
        assert report.config["aggregate"] == "prices"
        assert report.config["fills"] == "reference"


def test_report_equals_the_cli_document(files, cli_binary):
    data, forecasts = files
    completed = subprocess.run(
        [cli_binary, "backtest", "--data", data, "--symbol", "AAA", "--forecasts",
         str(forecasts), "--simulations", "2", "--eval-days", "2", "--offsets", "in-sample", "--json"],
        check=True, capture_output=True, text=True)
    with marketsim.backtest("AAA", forecasts, data=data, simulations=2,
                            eval_days=2, offsets="in-sample") as report:
        python = without_timings(report.to_dict())
    cli = without_timings(json.loads(completed.stdout))
    # Both resolve the worker count from the machine; the backtest uses none.
    python["config"].pop("workers")
    cli["config"].pop("workers")
    assert python == cli


def test_columns_give_the_same_report_as_the_file(files):
    data, forecasts = files
    columns = {"date": [datetime.date(2024, 1, d) for d in (4, 5, 8, 9)],
               "close": [101, 103, 100, 105], "high": [102.5, 102.5, 101.5, 106],
               "low": [99.5, 101, 98.5, 104]}
    with marketsim.backtest("AAA", columns, data=data, simulations=2, eval_days=2,
                            units="prices", offsets="in-sample") as from_columns, \
            marketsim.backtest("AAA", forecasts, data=data, simulations=2,
                               eval_days=2, offsets="in-sample") as from_file:
        assert from_columns.symbols[0]["strategies"] == from_file.symbols[0]["strategies"]


def test_a_bad_file_raises_naming_file_line_and_field(files, tmp_path):
    data, _ = files
    bad = tmp_path / "bad.csv"
    bad.write_text("date,close,high,low\n2024-01-04,101,102.5,99.5\n2024-01-05,103,x,101\n")
    with pytest.raises(marketsim.Error) as raised:
        marketsim.backtest("AAA", bad, data=data, simulations=2, eval_days=2)
    assert "bad.csv:3: field 'high': 'x' is not a number" in raised.value.message


def test_unknown_units_are_refused():
    with pytest.raises(marketsim.Error):
        marketsim.backtest("AAA", "f.csv", units="percent")
