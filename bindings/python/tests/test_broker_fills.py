"""marketsim.Broker.fills on a simulated broker: a round trip bought and
sold on synthetic bars comes back as two fills, oldest first, with the
P&L the sale realised, and `since` keeps the later ones only."""
import calendar
import math

import marketsim
import pytest


@pytest.fixture
def broker(tmp_path):
    with marketsim.Broker.open("sim:%s" % (tmp_path / "sim.journal")) as broker:
        yield broker


def test_a_new_account_has_no_fills(broker):
    assert broker.fills() == []


def test_a_round_trip_is_two_fills_with_the_pl_the_sale_realised(broker):
    start = calendar.timegm((2025, 6, 2, 0, 0, 0))
    broker.sync(start)
    # A buy limit far above the price fills at the next open; a sell limit
    # far below it at the open after.
    broker.submit("AAPL", 3, "buy", "py-buy", type="limit", limit_price=10000.0)
    broker.sync(start + 3 * 86400)
    broker.submit("AAPL", 2, "sell", "py-sell", type="limit", limit_price=0.01)
    broker.sync(start + 7 * 86400)
    bought, sold = broker.order("py-buy"), broker.order("py-sell")
    fills = broker.fills()
    assert [(f["client_order_id"], f["side"], f["qty"]) for f in fills] == \
        [("py-buy", "buy", 3.0), ("py-sell", "sell", 2.0)]
    assert fills[0]["price"] == bought["filled_avg_price"]
    assert fills[1]["time"] == sold["filled_at"] > fills[0]["time"]
    assert fills[0]["realized_pl"] == 0 and fills[1]["position_after"] == 1
    expected = 2 * (sold["filled_avg_price"] - bought["filled_avg_price"])
    assert math.isclose(fills[1]["realized_pl"], expected, rel_tol=1e-12)
    assert broker.fills(since=fills[1]["time"]) == fills[1:]
