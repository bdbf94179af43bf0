"""marketsim.Model: opening, warm-up, forecasts from lists and NumPy
arrays, output shapes, describe, closing, and errors."""
import math
import os

import marketsim
import pytest

SERIES = [100.0 + 0.5 * t + (t % 7) for t in range(80)]


@pytest.fixture
def baseline():
    with marketsim.Model.open("baseline") as model:
        yield model


def test_forecast_of_a_list_has_variates_by_horizon_shapes(baseline):
    numpy = pytest.importorskip("numpy")
    forecast = baseline.forecast(SERIES, horizon=4)
    assert forecast.mean.shape == (1, 4)
    assert set(forecast.quantiles) == {0.1, 0.5, 0.9}
    assert all(q.shape == (1, 4) for q in forecast.quantiles.values())
    assert forecast.samples is None
    assert numpy.all(forecast.quantiles[0.1] <= forecast.quantiles[0.9])


def test_forecast_of_a_2d_numpy_array_keeps_variates(baseline):
    numpy = pytest.importorskip("numpy")
    series = numpy.array([SERIES, [2 * v for v in SERIES], SERIES[::-1]])
    forecast = baseline.forecast(series, horizon=3, samples=5, quantiles=(0.5,))
    assert forecast.mean.shape == (3, 3)
    assert forecast.quantiles[0.5].shape == (3, 3)
    assert forecast.samples.shape == (5, 3, 3)
    assert numpy.all(numpy.isfinite(forecast.samples))


def test_list_and_numpy_inputs_give_the_same_forecast(baseline):
    numpy = pytest.importorskip("numpy")
    from_list = baseline.forecast(SERIES, horizon=2)
    from_array = baseline.forecast(numpy.array(SERIES), horizon=2)
    assert numpy.array_equal(from_list.mean, from_array.mean)


def test_without_numpy_outputs_are_nested_lists(baseline, without_numpy):
    forecast = baseline.forecast([SERIES, SERIES], horizon=2, samples=3)
    assert isinstance(forecast.mean, list) and len(forecast.mean) == 2
    assert len(forecast.mean[0]) == 2 and all(math.isfinite(v) for v in forecast.mean[1])
    assert len(forecast.samples) == 3 and len(forecast.samples[0]) == 2
    assert len(forecast.quantiles[0.9][1]) == 2


def test_same_seed_gives_the_same_samples(baseline, without_numpy):
    first = baseline.forecast(SERIES, horizon=2, samples=4, seed=7).samples
    assert baseline.forecast(SERIES, horizon=2, samples=4, seed=7).samples == first


def test_warmup_describe_and_name(baseline):
    baseline.warmup(context_length=64, batch_size=2)
    assert baseline.name == "baseline"
    description = baseline.describe()
    assert description["name"] == "baseline"
    assert description["single_pass_horizon"] is None


def test_shape_and_stats_count_forecasts(baseline):
    assert baseline.shape() == {"patch_size": 0, "single_pass_horizon": 0, "max_batch": 64}
    baseline.forecast([SERIES, SERIES], horizon=2)
    stats = baseline.stats()
    assert (stats["forecast_calls"], stats["contexts"]) == (1, 1)
    assert stats["busy_seconds"] >= 0


def test_non_finite_context_raises_invalid_argument(baseline):
    with pytest.raises(marketsim.Error) as caught:
        baseline.forecast([1.0, math.nan, 3.0], horizon=1)
    assert caught.value.status_name == "invalid argument"


def test_zero_horizon_raises_invalid_argument(baseline):
    with pytest.raises(marketsim.Error) as caught:
        baseline.forecast(SERIES, horizon=0)
    assert caught.value.status_name == "invalid argument"


def test_strided_numpy_views_are_forecast_as_their_values(baseline):
    numpy = pytest.importorskip("numpy")
    wide = numpy.array([SERIES, SERIES])
    from_view = baseline.forecast(wide[:, ::2], horizon=2)
    from_copy = baseline.forecast(numpy.array([SERIES[::2], SERIES[::2]]), horizon=2)
    assert numpy.array_equal(from_view.mean, from_copy.mean)


def test_three_dimensional_arrays_are_refused(baseline):
    numpy = pytest.importorskip("numpy")
    with pytest.raises(ValueError, match="1-D or 2-D"):
        baseline.forecast(numpy.ones((2, 2, 8)), horizon=1)


def test_ragged_variates_are_refused_before_the_call(baseline):
    with pytest.raises(ValueError, match="same length"):
        baseline.forecast([[1.0, 2.0], [1.0]], horizon=1)


def test_closed_model_refuses_use():
    model = marketsim.Model.open()
    model.close()
    model.close()
    with pytest.raises(ValueError, match="closed"):
        model.forecast(SERIES, horizon=1)


def test_toto_fixture_opens_and_forecasts(repo_root):
    numpy = pytest.importorskip("numpy")
    path = os.path.join(repo_root, "tests", "fixtures", "toto-tiny")
    with marketsim.Model.open(path, device="cpu", threads=1, max_batch=4) as model:
        assert model.name == "toto"
        assert model.describe()["config"]["patch_size"] == 16
        assert model.shape() == {"patch_size": 16, "single_pass_horizon": 16, "max_batch": 4}
        model.warmup(context_length=32, batch_size=1)
        forecast = model.forecast(numpy.array([SERIES[:64], SERIES[16:]]), horizon=3,
                                  samples=2, quantiles=(0.25, 0.75))
    assert forecast.mean.shape == (2, 3)
    assert forecast.samples.shape == (2, 2, 3)
    assert numpy.all(numpy.isfinite(forecast.mean))


def test_unknown_device_raises():
    with pytest.raises(marketsim.Error):
        marketsim.Model.open("baseline", device="abacus")


def test_int8_precision_is_reported_and_changes_the_toto_forecast(repo_root):
    path = os.path.join(repo_root, "tests", "fixtures", "toto-tiny")
    means = {}
    for precision in ("fp32", "int8"):
        with marketsim.Model.open(path, threads=1, precision=precision) as model:
            assert model.precision == precision
            assert model.describe()["precision"] == precision
            means[precision] = model.forecast(SERIES, horizon=2, quantiles=()).mean
    assert means["fp32"] is not None and means["int8"] is not None
    assert list(means["fp32"][0]) != list(means["int8"][0])


def test_baseline_refuses_a_reduced_precision():
    with pytest.raises(marketsim.Error) as caught:
        marketsim.Model.open("baseline", precision="int8")
    assert caught.value.status_name == "unsupported"
