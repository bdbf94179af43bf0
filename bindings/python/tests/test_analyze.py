"""marketsim.analyze and Report: the same document as the CLI's --json,
struct access agreeing with it, symbol failures, and option errors."""
import ctypes
import json
import subprocess

import marketsim
import pytest
from marketsim import _api

SYMBOLS = ["AAPL", "MSFT", "BTCUSD", "NVDA"]
DATA = "synthetic:seed=3"


def without_timings(document):
    """The document less its wall-clock times, the report's and each symbol's."""
    document = dict(document)
    document.pop("timings")
    document["symbols"] = [{key: value for key, value in symbol.items() if key != "timings"}
                           for symbol in document["symbols"]]
    return document


@pytest.fixture(scope="module")
def report():
    with marketsim.analyze(SYMBOLS, data=DATA, simulations=4, eval_days=5, seed=11,
                           workers=2) as report:
        yield report


def test_report_equals_cli_json_for_the_same_analysis(report, cli_binary):
    # Workers are pinned on both sides: the config records them.
    completed = subprocess.run(
        [cli_binary, "analyze", "--symbols", ",".join(SYMBOLS), "--data", DATA,
         "--simulations", "4", "--eval-days", "5", "--seed", "11", "--workers", "2", "--json"],
        check=True, capture_output=True, text=True)
    assert without_timings(report.to_dict()) == without_timings(json.loads(completed.stdout))


def test_symbols_picks_and_errors_come_from_the_document(report):
    document = report.to_dict()
    assert report.symbols == document["symbols"]
    assert report.picks == document["picks"]
    assert report.errors == [] and report.config["simulations"] == 4
    assert sorted(s["symbol"] for s in report.symbols) == sorted(SYMBOLS)


def test_timings_struct_has_every_phase(report):
    timings = report.timings
    assert set(timings) == {"warmup", "data", "inference", "strategies", "ranking", "total",
                            "forecasts_cached", "forecasts_computed"}
    assert timings["total"] >= timings["ranking"] >= 0


def test_report_structs_agree_with_the_json(report):
    # Reads the C structs directly: a layout that drifted from the header
    # would read other fields' values here.
    first = _api.lib.ms_report_symbol(report.handle, 0).contents
    listed = report.symbols[0]
    assert first.symbol.decode() == listed["symbol"]
    assert first.bars == listed["bars"] and first.last_close == listed["last_close"]
    assert first.forecast_low == listed["forecast"]["low"]
    assert first.strategy_count == len(listed["strategies"])
    maxdiff = first.strategies[0].contents
    assert ctypes.addressof(maxdiff) == \
        ctypes.addressof(_api.lib.ms_symbol_report_strategy(first, 0).contents)
    assert maxdiff.simulations == 4
    assert maxdiff.mean.total_return == listed["strategies"]["maxdiff"]["total_return"]
    assert maxdiff.total_return_std == listed["strategies"]["maxdiff"]["total_return_std"]
    pick = _api.lib.ms_report_pick(report.handle, 0).contents
    assert pick.symbol.decode() == report.picks[0]["symbol"]
    assert pick.quantity == report.picks[0]["quantity"]
    options = _api.lib.ms_report_options(report.handle).contents
    assert (options.simulations, options.eval_days, options.seed) == (4, 5, 11)


def test_forecast_quality_and_walk_forward_structs_agree_with_the_json(report):
    # The fields appended to the symbol report: a drifted mirror reads
    # other fields' values here.
    first = _api.lib.ms_report_symbol(report.handle, 0).contents
    listed = report.symbols[0]
    close = listed["forecast_quality"]["close"]
    assert first.forecast_quality.close.count == close["count"]
    assert first.forecast_quality.close.mae_pct == close["mae_pct"]
    assert first.forecast_quality.low.naive_rmse_pct == \
        listed["forecast_quality"]["low"]["naive"]["rmse_pct"]
    walk = listed["series"]["walk_forward"]
    assert first.walk_forward_days == len(walk["date"]) == 5
    hold = walk["strategies"]["buy_hold"]["returns"]
    assert [first.walk_forward_returns[4][d] for d in range(5)] == hold
    assert [first.walk_forward_sides[2][d] for d in range(5)] == \
        walk["strategies"]["simple"]["sides"]
    recent = listed["series"]["recent"]
    assert first.recent_open[0] == recent["open"][0]
    assert report.forecast_quality["high"]["count"] == \
        report.to_dict()["forecast_quality"]["high"]["count"]


def test_text_is_the_ranked_table(report):
    assert report.symbols[0]["symbol"] in report.text()


def test_html_is_one_page_naming_every_symbol(report):
    page = report.html()
    assert page.lstrip().lower().startswith("<!doctype html")
    assert all(symbol in page for symbol in SYMBOLS)


def test_recent_closes_end_at_the_last_close(report):
    first = _api.lib.ms_report_symbol(report.handle, 0).contents
    assert 0 < first.recent_count <= 60
    assert first.recent_close[first.recent_count - 1] == report.symbols[0]["last_close"]


def test_failing_symbols_are_reported_not_raised(tmp_path):
    (tmp_path / "AAPL.csv").write_text("date,open,high,low,close\n2024-01-02,1,2,0.5,1.5\n")
    with marketsim.analyze("AAPL,ZZZZ", data="csv:%s" % tmp_path, simulations=2) as report:
        assert report.symbols == []
        assert [error["symbol"] for error in report.errors] == ["AAPL", "ZZZZ"]


def test_an_open_model_is_borrowed_not_closed():
    with marketsim.Model.open() as model:
        with marketsim.analyze(["SPY"], model=model, simulations=2, samples=4, parallel=False,
                               aggregate="median") as report:
            assert report.config["aggregate"] == "median"
        assert model.name == "baseline"


def test_bad_aggregate_raises_invalid_argument():
    with pytest.raises(marketsim.Error) as caught:
        marketsim.analyze(["AAPL"], aggregate="loudest", simulations=2)
    assert caught.value.status_name == "invalid argument"
    assert "loudest" in caught.value.message


def test_bad_data_uri_raises_invalid_argument():
    with pytest.raises(marketsim.Error) as caught:
        marketsim.analyze(["AAPL"], data="ftp://prices")
    assert caught.value.status_name == "invalid argument"


def test_unknown_data_scheme_message_lists_the_library_schemes():
    with pytest.raises(marketsim.Error) as caught:
        marketsim.analyze(["AAPL"], data="ftp://prices")
    for shape in ("csv:DIR", "synthetic[", "alpaca[:TIMEFRAME]"):
        assert shape in caught.value.message


def test_alpaca_uri_is_opened_by_the_library_with_its_timeframe_checked():
    with pytest.raises(marketsim.Error) as caught:
        marketsim.analyze(["AAPL"], data="alpaca:2Day")
    assert caught.value.status_name == "invalid argument"
    assert "alpaca timeframe '2Day'" in caught.value.message


def test_missing_csv_directory_raises_not_found(tmp_path):
    with pytest.raises(marketsim.Error) as caught:
        marketsim.analyze(["AAPL"], data="csv:%s" % (tmp_path / "absent"))
    assert caught.value.status_name == "not found"


def test_bad_model_path_raises_not_found():
    with pytest.raises(marketsim.Error) as caught:
        marketsim.analyze(["AAPL"], model="/no/such/checkpoint")
    assert caught.value.status_name == "not found"


def test_fill_rules_are_options_and_the_original_figure_rides_along():
    with marketsim.analyze(["AAPL"], data=DATA, simulations=4, reference=True) as original, \
            marketsim.analyze(["AAPL"], data=DATA, simulations=4, fills="worst") as worst:
        assert (original.config["fills"], original.config["offsets"]) == ("reference", "in-sample")
        assert (worst.config["fills"], worst.config["offsets"]) == ("worst", "walk-forward")
        ours = worst.symbols[0]["strategies"]["maxdiff"]
        theirs = original.symbols[0]["strategies"]["maxdiff"]
        assert ours["reference"]["total_return"] == theirs["total_return"]
        summary = _api.lib.ms_symbol_report_strategy(_api.lib.ms_report_symbol(worst.handle, 0),
                                                     0).contents
        assert summary.reference_mean.total_return == theirs["total_return"]
    with pytest.raises(marketsim.Error):
        marketsim.analyze(["AAPL"], data=DATA, simulations=4, offsets="hindsight")
