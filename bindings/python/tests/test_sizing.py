"""The sizing, fee and freshness keywords of marketsim.analyze: they reach
the report's config, 0 is a real fee, bad values raise marketsim.Error,
picks spend the buying power once, spellings of one instrument are merged
with a warning and stale symbols are flagged and never picked."""
import datetime
import os

import marketsim
import pytest
from marketsim import _api

UNIVERSE = ["AAPL", "MSFT", "BTCUSD", "NVDA", "ETHUSD", "SPY", "QQQ", "AMZN"]


def analyze(symbols, **options):
    return marketsim.analyze(symbols, simulations=4, eval_days=5, **options)


def test_sizing_keywords_reach_the_report_config():
    with analyze(["AAPL"], position_size=0.2, max_positions=3, stock_fee=0.0001,
                 crypto_fee=0.002, equity=50000, buying_power=60000) as report:
        config = report.config
    assert (config["position_size"], config["max_positions"]) == (0.2, 3)
    assert (config["stock_fee"], config["crypto_fee"]) == (0.0001, 0.002)
    assert (config["equity"], config["buying_power"]) == (50000, 60000)


def test_fee_zero_is_a_real_fee_not_the_default():
    with analyze(["AAPL"], stock_fee=0, crypto_fee=0) as report:
        assert (report.config["stock_fee"], report.config["crypto_fee"]) == (0, 0)
    with analyze(["AAPL"]) as report:
        assert (report.config["stock_fee"], report.config["crypto_fee"]) == (0.0005, 0.001)


def test_negative_fee_is_refused():
    with pytest.raises(marketsim.Error, match="stock_fee"):
        analyze(["AAPL"], stock_fee=-0.001)


def test_position_size_above_one_is_refused_by_the_library():
    with pytest.raises(marketsim.Error, match="position_size"):
        analyze(["AAPL"], position_size=1.5)


def test_picks_spend_the_buying_power_once_in_composite_order():
    with analyze(UNIVERSE, buying_power=15000) as report:
        costs = [pick["quantity"] * pick["entry_price"] for pick in report.picks]
    assert costs and sum(costs) <= 15000
    assert all(cost <= 0.1 * 100000 for cost in costs)


def test_spellings_of_one_instrument_are_merged_with_a_warning():
    with analyze(["SUIUSD", "SUI-USD", "SUI/USD"]) as report:
        assert [s["symbol"] for s in report.symbols] == ["SUIUSD"]
        assert report.errors == []
        assert report.warnings == [
            "SUI-USD: the same instrument as SUIUSD; analysed once, as SUIUSD",
            "SUI/USD: the same instrument as SUIUSD; analysed once, as SUIUSD"]


@pytest.mark.parametrize("as_of", ["2024-06-18T13:30", 1718717400,
                                   datetime.datetime(2024, 6, 18, 13, 30),
                                   datetime.datetime(2024, 6, 18, 9, 30,
                                                     tzinfo=datetime.timezone(
                                                         datetime.timedelta(hours=-4)))])
def test_as_of_takes_text_seconds_and_datetimes(as_of):
    with analyze(["AAPL"], as_of=as_of) as report:
        assert report.config["as_of"] == "2024-06-18T13:30:00Z"


def test_as_of_date_is_the_end_of_that_day():
    with analyze(["AAPL"], as_of=datetime.date(2024, 6, 18)) as report:
        assert report.config["as_of"] == "2024-06-18T23:59:59Z"


def test_malformed_as_of_is_refused():
    with pytest.raises(marketsim.Error, match="month out of range"):
        analyze(["AAPL"], as_of="2024-13-01")


def test_stale_symbol_is_flagged_and_never_picked(repo_root):
    data = "csv:" + os.path.join(repo_root, "tests", "fixtures", "analyze")
    with marketsim.analyze(["GOOD", "STALE"], data=data, simulations=10) as report:
        flags = {s["symbol"]: (s["stale"], s["last_bar"]) for s in report.symbols}
        assert flags == {"GOOD": (False, "2024-06-17T00:00:00Z"),
                         "STALE": (True, "2024-06-06T00:00:00Z")}
        assert "STALE" not in [pick["symbol"] for pick in report.picks]
        assert report.warnings[0].startswith("STALE: stale data")
        # The struct layout agrees with the document (a drifted mirror would
        # read a neighbouring field).
        for i in range(2):
            entry = _api.lib.ms_report_symbol(report.handle, i).contents
            assert bool(entry.stale) == flags[entry.symbol.decode()][0]
        assert _api.lib.ms_report_warning_count(report.handle) == len(report.warnings)
        assert _api.lib.ms_report_warning(report.handle, 0).decode() == report.warnings[0]
