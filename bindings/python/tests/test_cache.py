"""analyze(cache=...): a second analysis with the same cache file reads
every forecast from it and returns the same document; the counts are in
Report.timings and the symbol structs."""
import marketsim
from marketsim import _api

SYMBOLS = ["AAPL", "BTCUSD"]


def without_timings(document):
    document = dict(document)
    document.pop("timings")
    document["symbols"] = [{key: value for key, value in symbol.items() if key != "timings"}
                           for symbol in document["symbols"]]
    return document


def test_a_second_analysis_reads_every_forecast_from_the_cache(tmp_path):
    cache = str(tmp_path / "forecasts.sqlite")
    with marketsim.analyze(SYMBOLS, simulations=4, cache=cache) as cold, \
            marketsim.analyze(SYMBOLS, simulations=4, cache=cache) as warm:
        assert cold.timings["forecasts_cached"] == 0
        assert cold.timings["forecasts_computed"] > 0
        assert warm.timings["forecasts_cached"] == cold.timings["forecasts_computed"]
        assert warm.timings["forecasts_computed"] == 0
        assert without_timings(warm.to_dict()) == without_timings(cold.to_dict())
        first = _api.lib.ms_report_symbol(warm.handle, 0).contents
        listed = warm.symbols[0]["timings"]
        assert first.forecasts_cached == listed["forecasts_cached"] > 0
        assert first.forecasts_computed == listed["forecasts_computed"] == 0


def test_no_cache_by_default_in_the_library(tmp_path, monkeypatch):
    monkeypatch.delenv("MARKETSIM_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with marketsim.analyze(SYMBOLS, simulations=4) as first, \
            marketsim.analyze(SYMBOLS, simulations=4) as second:
        assert second.timings["forecasts_cached"] == 0
        assert second.timings["forecasts_computed"] == first.timings["forecasts_computed"]
    assert list(tmp_path.iterdir()) == []
