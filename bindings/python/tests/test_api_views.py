"""The bindings' struct views come from the library's own descriptions
(records.h) and its options from the library's init functions."""
import ctypes

import pytest

import marketsim
from marketsim import _api


def test_every_view_matches_the_library_struct_size():
    for view in (_api.AnalyzerOptions, _api.SymbolReport, _api.Pick, _api.Timings,
                 _api.StrategySummary, _api.ModelOptions, _api.TradeOptions):
        record = _api.lib.ms_record_find(view.__name__.encode()).contents
        assert ctypes.sizeof(view) == record.size
        assert [name for name, _ in view._fields_][0] == record.fields[0].name.decode()


def test_init_fills_the_librarys_defaults_at_its_newest_version():
    options = _api.init(_api.AnalyzerOptions)
    assert options.version == _api.AnalyzerOptions.VERSION >= 3
    assert options.stock_fee == -1 and options.buying_power == -1
    assert options.parallel == -1 and options.fills == -1
    bars = _api.init(_api.BarForecastOptions)
    assert bars.top_p == 0.9 and bars.num_samples == 1


def test_an_undescribed_struct_is_an_import_error():
    with pytest.raises(ImportError, match="ms_no_such_record"):
        _api.view("ms_no_such_record")


def test_a_stock_fee_of_zero_reaches_the_analysis_as_zero(monkeypatch):
    monkeypatch.delenv("MARKETSIM_STOCK_FEE", raising=False)
    with marketsim.analyze("AAPL", simulations=3, eval_days=2, stock_fee=0) as report:
        assert report.config["stock_fee"] == 0
    with marketsim.analyze("AAPL", simulations=3, eval_days=2) as report:
        assert report.config["stock_fee"] == 0.0005
