"""marketsim.Model with the kronos-tiny pair: bars predicted from a dict
and a pandas frame, the official greedy predict reproduced, future times
from the bars' calendar (daily and 30-minute), and refused input."""
import json
import math
import os

import marketsim
import pytest
from marketsim import bar_forecast

from conftest import REPO_ROOT

PAIR = os.path.join(REPO_ROOT, "tests", "fixtures", "kronos-tiny")


@pytest.fixture(scope="module")
def kronos():
    with marketsim.Model.open(PAIR) as model:
        yield model


@pytest.fixture(scope="module")
def case():
    with open(os.path.join(PAIR, "expected.json")) as f:
        return json.load(f)["cases"]["predict_ctx40"]


def _bars(case):
    inputs = case["inputs"]
    bars = {name: inputs["df"][name]["data"]
            for name in ("open", "high", "low", "close", "volume", "amount")}
    bars["timestamps"] = inputs["x_timestamp"]
    return bars


def test_a_kronos_pair_opens_as_a_bar_model(kronos):
    assert kronos.name == "kronos"


def test_greedy_bars_reproduce_the_official_predict(kronos, case):
    result = kronos.forecast_bars(_bars(case), future_timestamps=case["inputs"]["y_timestamp"],
                                  context_length=24, top_k=1)
    reference = case["outputs"]["pred"]["data"]
    for h in range(8):
        for f, name in enumerate(("open", "high", "low", "close", "volume", "amount")):
            expected = reference[h * 6 + f]
            assert math.isclose(result[name][h], expected, rel_tol=1e-4, abs_tol=1e-4)
    assert result["timestamps"][0].isoformat() == "2024-03-26T00:00:00+00:00"


def test_a_pandas_frame_gives_the_same_bars_as_a_dict(kronos, case):
    pandas = pytest.importorskip("pandas")
    bars = _bars(case)
    frame = pandas.DataFrame({k: v for k, v in bars.items() if k != "timestamps"},
                             index=pandas.to_datetime(bars["timestamps"]))
    future = case["inputs"]["y_timestamp"]
    from_frame = kronos.forecast_bars(frame, future_timestamps=future, top_k=1)
    from_dict = kronos.forecast_bars(bars, future_timestamps=future, top_k=1)
    assert from_frame == from_dict


def test_without_future_times_daily_bars_continue_on_sessions(kronos, case):
    result = kronos.forecast_bars(_bars(case), horizon=3, samples=2, seed=4)
    # The context ends Monday 2024-03-25; Good Friday (03-29) is skipped later.
    assert [t.date().isoformat() for t in result["timestamps"]] == \
        ["2024-03-26", "2024-03-27", "2024-03-28"]
    assert all(math.isfinite(v) for v in result["close"])


def test_thirty_minute_bars_continue_at_the_next_session():
    times = ["2024-06-04T%02d:%02d:00Z" % divmod(13 * 60 + 30 + 30 * i, 60) for i in range(13)]
    after = bar_forecast.next_times(times, 2)
    assert [bar_forecast.to_datetime(t).isoformat() for t in after] == \
        ["2024-06-05T13:30:00+00:00", "2024-06-05T14:00:00+00:00"]


def test_a_nan_price_is_refused_naming_the_column(kronos, case):
    bars = _bars(case)
    bars["close"] = list(bars["close"])
    bars["close"][2] = float("nan")
    with pytest.raises(marketsim.Error) as error:
        kronos.forecast_bars(bars, horizon=2)
    assert "close" in str(error.value)


def test_a_series_model_refuses_bars(case):
    with marketsim.Model.open("baseline") as baseline:
        with pytest.raises(marketsim.Error) as error:
            baseline.forecast_bars(_bars(case), horizon=2)
    assert error.value.status_name == "unsupported"


def test_an_analysis_with_kronos_is_reproducible_alone_and_among_others():
    data = "csv:" + os.path.join(REPO_ROOT, "tests", "fixtures", "analyze")
    with marketsim.Model.open(PAIR) as model:
        with marketsim.analyze(["GOOD"], data=data, model=model, simulations=3, samples=2,
                               seed=5, parallel=False) as alone, \
                marketsim.analyze(["GOOD", "OTHER"], data=data, model=model, simulations=3,
                                  samples=2, seed=5, workers=4) as among:
            first = [s for s in alone.symbols if s["symbol"] == "GOOD"][0]
            second = [s for s in among.symbols if s["symbol"] == "GOOD"][0]
    assert math.isfinite(first["forecast"]["close"])
    assert first["forecast"] == second["forecast"]


def test_numpy_columns_and_integer_times_give_the_same_bars_as_lists(kronos, case):
    numpy = pytest.importorskip("numpy")
    bars = _bars(case)
    seconds = [bar_forecast.to_seconds(t) for t in bars["timestamps"]]
    arrays = {k: numpy.array(v) for k, v in bars.items() if k != "timestamps"}
    arrays["timestamps"] = numpy.array(seconds, dtype=numpy.int64)
    future = case["inputs"]["y_timestamp"]
    assert kronos.forecast_bars(arrays, future_timestamps=future, top_k=1) == \
        kronos.forecast_bars(bars, future_timestamps=future, top_k=1)


ANALYZE_FIXTURES = "csv:" + os.path.join(REPO_ROOT, "tests", "fixtures", "analyze")


def test_analyze_models_chooses_the_model_with_the_better_best_strategy():
    with marketsim.analyze_models(["GOOD", "OTHER"], ["baseline", PAIR],
                                  data=ANALYZE_FIXTURES, simulations=3, cache="off") as choice:
        assert choice.models == ["baseline", PAIR]
        for symbol, chosen in choice.chosen.items():
            scores = {}
            for model in choice.models:
                best, score = choice.score(symbol, model)
                row = next(s for s in choice.report(model)["symbols"] if s["symbol"] == symbol)
                assert best == row["best_strategy"]
                assert score == row["strategies"][best]["avg_daily_return"]
                scores[model] = score
            assert chosen == max(choice.models, key=lambda m: (scores[m], -choice.models.index(m)))
        assert choice.to_dict()["choice"][0]["symbol"] == "GOOD"


def test_analyze_models_with_open_models_is_the_cli_choice(kronos):
    with marketsim.Model.open("baseline") as baseline:
        with marketsim.analyze_models("GOOD,OTHER", [baseline, kronos], data=ANALYZE_FIXTURES,
                                      simulations=3, cache="off") as choice:
            assert choice.models == ["baseline", "kronos"]
            assert set(choice.chosen) == {"GOOD", "OTHER"}
        assert kronos.name == "kronos"   # borrowed models stay open


def test_analyze_models_refuses_two_models_named_alike():
    with pytest.raises(marketsim.ArgumentError):
        marketsim.analyze_models(["GOOD"], ["baseline", "baseline"], data=ANALYZE_FIXTURES)


def test_forecast_bars_aggregates_the_sample_paths(kronos, case):
    bars = _bars(case)
    kwargs = dict(horizon=3, samples=9, seed=4, top_k=0, top_p=0.9)
    low = kronos.forecast_bars(bars, aggregate="quantile_0.1", **kwargs)
    median = kronos.forecast_bars(bars, aggregate="median", **kwargs)
    high = kronos.forecast_bars(bars, aggregate="quantile_0.9", **kwargs)
    mean = kronos.forecast_bars(bars, **kwargs)
    for field in ("open", "high", "low", "close"):
        for a, b, c in zip(low[field], median[field], high[field]):
            assert a <= b <= c
    assert any(a < c for a, c in zip(low["close"], high["close"]))
    assert median["close"] != mean["close"]
    with pytest.raises(marketsim.Error):
        kronos.forecast_bars(bars, aggregate="loudest", **kwargs)
