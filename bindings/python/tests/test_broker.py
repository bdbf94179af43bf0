"""marketsim.Broker and trade_cycle on a simulated broker in a temporary
directory: account, clock, positions, orders, submit and cancel, a dry
run and an executed cycle, and errors."""
import calendar
import math
import threading

import marketsim
import pytest


@pytest.fixture
def broker(tmp_path):
    with marketsim.Broker.open("sim:%s" % (tmp_path / "sim.journal"), sim_cash=50000) as broker:
        yield broker


@pytest.fixture(scope="module")
def report():
    with marketsim.analyze(["AAPL", "MSFT", "BTCUSD", "NVDA"], simulations=3, seed=1) as report:
        yield report


def test_new_sim_account_starts_with_its_cash(broker):
    account = broker.account()
    assert broker.name == "sim"
    assert account["cash"] == 50000 and account["currency"] == "USD"
    assert broker.positions() == [] and broker.orders() == []
    assert set(broker.clock()) == {"timestamp", "is_open", "next_open", "next_close"}


def test_submit_lookup_and_cancel_an_order(broker):
    order = broker.submit("AAPL", 2, "buy", "py-test-1", type="limit", limit_price=100.0)
    assert (order["status"], order["side"], order["type"]) == ("new", "buy", "limit")
    assert (order["state"], order["is_open"]) == ("new", True)
    assert math.isnan(order["stop_price"])
    assert broker.order("py-test-1")["id"] == order["id"]
    assert [o["client_order_id"] for o in broker.orders("open")] == ["py-test-1"]
    broker.cancel(order["id"])
    canceled = broker.order("py-test-1")
    assert (canceled["status"], canceled["state"], canceled["is_open"]) == ("canceled", "canceled", False)
    assert broker.orders("open") == []


def test_sync_moves_the_clock_and_fills_a_reachable_limit(broker):
    start = calendar.timegm((2025, 6, 2, 0, 0, 0))
    broker.sync(start)
    assert broker.clock()["timestamp"] == start
    # A buy limit far above the synthetic price fills at the next bar's open.
    broker.submit("AAPL", 1, "buy", "py-fill-1", type="limit", limit_price=10000.0)
    broker.sync(start + 10 * 86400, data="synthetic")
    assert broker.order("py-fill-1")["status"] == "filled"
    [position] = broker.positions()
    assert (position["symbol"], position["qty"], position["asset_class"]) == ("AAPL", 1.0, "stock")


def test_sync_with_a_bad_data_uri_raises(broker):
    with pytest.raises(marketsim.Error) as caught:
        broker.sync(0, data="ftp://prices")
    assert caught.value.status_name == "invalid argument"


def test_unknown_client_order_id_raises_not_found(broker):
    with pytest.raises(marketsim.Error) as caught:
        broker.order("nobody")
    assert caught.value.status_name == "not found"


def test_unknown_broker_raises_invalid_argument():
    with pytest.raises(marketsim.Error) as caught:
        marketsim.Broker.open("carrier-pigeon")
    assert caught.value.status_name == "invalid argument"


def test_bad_order_words_are_refused_before_the_call(broker):
    with pytest.raises(ValueError, match="time_in_force"):
        broker.submit("AAPL", 1, "buy", "py-test-2", time_in_force="forever")


def test_dry_run_plans_without_sending(broker, report):
    with marketsim.trade_cycle(broker, report) as result:
        document = result.to_dict()
        assert document["executed"] is False and document["steps"]
        assert all(step["outcome"] == "pending" for step in document["steps"])
        assert "plan" in result.plan_text()
    assert broker.orders("all") == []


def test_executed_cycle_sends_each_entry_once(broker, report):
    with marketsim.trade_cycle(broker, report, dry_run=False) as first:
        sent = first.to_dict()["counts"]["sent"]
        assert sent > 0 and "sent" in first.text()
    with marketsim.trade_cycle(broker, report, dry_run=False) as again:
        assert again.to_dict()["counts"]["sent"] == 0
    # Each OTO entry also rests its take-profit leg, under the broker's own id.
    entries = [o for o in broker.orders("all") if o["client_order_id"].startswith("ms-")]
    assert len(entries) == sent


def test_on_step_sees_each_sent_step_as_in_the_result(broker, report):
    seen = []
    with marketsim.trade_cycle(broker, report, dry_run=False, on_step=seen.append) as result:
        steps = result.to_dict()["steps"]
    sent = [step for step in steps if step["outcome"] != "pending"]
    assert seen and seen == sent


def test_stop_set_by_on_step_leaves_the_rest_pending(broker, report):
    stop = threading.Event()
    with marketsim.trade_cycle(broker, report, dry_run=False,
                               on_step=lambda step: stop.set(), stop=stop) as result:
        document = result.to_dict()
    assert document["stopped"] is True
    assert document["counts"]["sent"] == 1
    assert len(broker.orders("all")) >= 1
    assert any(step["outcome"] == "pending" for step in document["steps"])


def test_stop_already_set_sends_nothing(broker, report):
    stop = threading.Event()
    stop.set()
    with marketsim.trade_cycle(broker, report, dry_run=False, stop=stop) as result:
        assert result.to_dict()["stopped"] is True
    assert broker.orders("all") == []


def test_exception_in_on_step_stops_the_cycle_and_is_raised(broker, report):
    def refuse(step):
        raise RuntimeError("operator said no")

    with pytest.raises(RuntimeError, match="operator said no"):
        marketsim.trade_cycle(broker, report, dry_run=False, on_step=refuse)
    entries = [o for o in broker.orders("all") if o["client_order_id"].startswith("ms-")]
    assert len(entries) == 1


def test_second_open_of_one_journal_in_one_process_raises(tmp_path):
    uri = "sim:%s" % (tmp_path / "sim.journal")
    with marketsim.Broker.open(uri) as first:
        with pytest.raises(marketsim.Error, match="is in use") as caught:
            marketsim.Broker.open(uri)
        assert caught.value.status_name == "i/o error"
        # The refused open released nothing: the first handle still works
        # and the journal still refuses another handle.
        first.submit("AAPL", 1, "buy", "py-lock-1", type="limit", limit_price=100.0)
        with pytest.raises(marketsim.Error, match="is in use"):
            marketsim.Broker.open(uri)
    with marketsim.Broker.open(uri) as reopened:
        assert reopened.order("py-lock-1")["id"] == "sim-000001"


def test_open_of_a_text_file_as_a_journal_raises_and_leaves_it(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"line one\nno newline here")
    with pytest.raises(marketsim.Error, match="not a marketsim sim journal"):
        marketsim.Broker.open("sim:%s" % notes)
    assert notes.read_bytes() == b"line one\nno newline here"


def test_read_only_sim_broker_refuses_orders_and_writes_nothing(tmp_path):
    journal = tmp_path / "sim.journal"
    with marketsim.Broker.open("sim:%s" % journal, read_only=True) as broker:
        assert broker.account()["cash"] == 100000
        with pytest.raises(marketsim.Error, match="read-only"):
            broker.submit("AAPL", 1, "buy", "ms-read-only", type="limit", limit_price=10)
    assert not journal.exists()


def test_broker_states_its_price_increments_and_id_limit(broker):
    assert broker.price_increment("AAPL", 150.0) == 0.01
    assert broker.price_increment("AAPL", 0.5) == 0.0001
    assert broker.price_increment("BTCUSD", 60000.0) == 0
    assert broker.client_id_max() == 48


def test_a_broker_must_be_named():
    with pytest.raises(marketsim.Error, match="no broker named"):
        marketsim.Broker.open(None)
