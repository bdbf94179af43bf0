"""marketsim.metrics against the published values of spec/metrics.md
(empyrical's own test suite). Tolerance: 1e-12 relative, the rounding of
a few dozen floating-point operations."""
import math

import marketsim
import pytest

MIXED = [math.nan, .01, .10, -.04, .02, .03, .02, .01, -.10]
NEGATIVE = [0, -.06, -.07, -.01, -.09, -.02, -.06, -.08, -.05]


def close(expected):
    return pytest.approx(expected, rel=1e-12)


def test_mixed_returns_match_published_values():
    result = marketsim.metrics(MIXED)
    assert result["sharpe"] == close(1.7238613961706866)
    assert result["sortino"] == close(2.605531251673693)
    assert result["downside_risk"] == close(0.60448325038829653)
    assert result["annual_return"] == close(1.9135925373194231)
    assert result["annual_volatility"] == close(0.9136465399704637)
    assert result["calmar"] == close(19.135925373194233)
    assert result["max_drawdown"] == close(-0.1)
    assert result["cumulative_return"] == close(0.0389310917004804)
    assert result["periods"] == 9


def test_mar_changes_downside_risk():
    assert marketsim.metrics(MIXED, mar=0.1)["downside_risk"] == close(1.7161730681956295)


def test_weekly_periods_per_year():
    result = marketsim.metrics([0.0 if math.isnan(r) else r for r in MIXED], periods_per_year=52)
    assert result["annual_return"] == close(0.24690830513998208)
    assert result["annual_volatility"] == close(0.38851569394870583)


def test_negative_returns_and_numpy_input():
    numpy = pytest.importorskip("numpy")
    result = marketsim.metrics(numpy.array(NEGATIVE))
    assert result["sharpe"] == close(-24.406808633910085)
    assert result["sortino"] == close(-13.532743075043401)
    assert result["max_drawdown"] == close(-0.365907303498736)


def test_all_positive_returns_have_infinite_sortino():
    assert marketsim.metrics([.01, .02] + [.01] * 7)["sortino"] == math.inf


def test_every_field_is_returned_and_empty_input_is_nan():
    result = marketsim.metrics([])
    assert set(result) == {"sharpe", "sortino", "downside_risk", "max_drawdown",
                           "cumulative_return", "annual_return", "annual_volatility",
                           "calmar", "win_rate", "profit_factor", "periods"}
    assert math.isnan(result["sharpe"]) and result["cumulative_return"] == 0


def test_non_positive_periods_per_year_raises_invalid_argument():
    with pytest.raises(marketsim.Error) as caught:
        marketsim.metrics(MIXED, periods_per_year=0)
    assert caught.value.status_name == "invalid argument"
