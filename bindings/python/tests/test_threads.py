"""Handles used from several threads: ctypes releases the GIL inside every
C call, so another thread can close a handle, or call a single-threaded
one, while a call is running. A model is shared and close() waits for its
forecasts; a broker is one thread at a time, and a second thread's call
raises marketsim.Error. Nothing crashes and no journal is damaged."""
import threading

import marketsim
import pytest

# Long, so a forecast takes a while, but within the model's maximum context.
SERIES = [100.0 + (i % 17) * 0.5 + (i % 5) * 0.1 for i in range(16000)]


@pytest.fixture(scope="module")
def report():
    with marketsim.analyze(["AAPL", "MSFT", "BTCUSD", "NVDA"], simulations=3, seed=1) as report:
        yield report


def _run_until_failure(call):
    """Runs call() in a thread until it raises; returns (thread, started,
    outcome) where outcome["error"] is what ended it."""
    outcome = {"calls": 0}
    started = threading.Event()

    def loop():
        try:
            while True:
                call()
                outcome["calls"] += 1
                started.set()
        except BaseException as error:  # checked by the test
            outcome["error"] = error
            started.set()

    thread = threading.Thread(target=loop)
    thread.start()
    return thread, started, outcome


def test_closing_a_model_during_forecasts_waits_for_them_or_they_raise_closed():
    for _ in range(5):
        model = marketsim.Model.open("baseline")
        thread, started, outcome = _run_until_failure(
            lambda: model.forecast(SERIES, horizon=30, samples=200))
        assert started.wait(30)
        model.close()
        thread.join(30)
        assert not thread.is_alive()
        assert outcome["calls"] >= 1
        assert isinstance(outcome["error"], ValueError), outcome["error"]
        assert "the model is closed" in str(outcome["error"])


def _hammer(broker, worker, rounds, submitted, failures):
    for i in range(rounds):
        calls = (lambda: broker.submit("AAPL", 1, "buy", "w%d-%d" % (worker, i),
                                       type="limit", limit_price=1.0),
                 broker.account, broker.positions, lambda: broker.orders("all"), broker.clock)
        for call in calls:
            try:
                order = call()
                if isinstance(order, dict) and "client_order_id" in order:
                    submitted.append(order["client_order_id"])
            except BaseException as error:  # the test checks each is a marketsim.Error
                failures.append(error)


def test_one_broker_used_from_eight_threads_raises_instead_of_crashing(tmp_path):
    for attempt in range(3):
        journal = "sim:%s" % (tmp_path / ("sim-%d.journal" % attempt))
        submitted, failures = [], []
        with marketsim.Broker.open(journal) as broker:
            threads = [threading.Thread(target=_hammer, args=(broker, k, 10, submitted, failures))
                       for k in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        for error in failures:
            assert isinstance(error, marketsim.Error), repr(error)
            assert "in use by another call" in error.message
        # The journal holds exactly the orders whose submit succeeded.
        with marketsim.Broker.open(journal) as again:
            assert sorted(o["client_order_id"] for o in again.orders("all")) == sorted(submitted)


def _cycle_blocked_in_on_step(broker, report):
    """Starts a trade cycle in a thread that waits in its first on_step
    (holding the broker) until `release` is set."""
    inside, release, outcome = threading.Event(), threading.Event(), {}

    def on_step(step):
        inside.set()
        release.wait(30)

    def cycle():
        try:
            with marketsim.trade_cycle(broker, report, dry_run=False, on_step=on_step) as result:
                outcome["sent"] = result.to_dict()["counts"]["sent"]
        except BaseException as error:  # checked by the test
            outcome["error"] = error

    thread = threading.Thread(target=cycle)
    thread.start()
    assert inside.wait(30)
    return thread, release, outcome


def test_a_broker_in_use_by_one_thread_raises_error_in_another(tmp_path, report):
    with marketsim.Broker.open("sim:%s" % (tmp_path / "sim.journal")) as broker:
        thread, release, outcome = _cycle_blocked_in_on_step(broker, report)
        with pytest.raises(marketsim.Error) as caught:
            broker.account()
        assert caught.value.status_name == "invalid argument"
        assert "one thread at a time" in caught.value.message
        release.set()
        thread.join(30)
        assert "error" not in outcome and outcome["sent"] > 0
        assert broker.account()["currency"] == "USD"


def test_closing_a_broker_waits_for_the_call_in_flight(tmp_path, report):
    broker = marketsim.Broker.open("sim:%s" % (tmp_path / "sim.journal"))
    thread, release, outcome = _cycle_blocked_in_on_step(broker, report)
    closer = threading.Thread(target=broker.close)
    closer.start()
    closer.join(0.3)
    assert closer.is_alive(), "close() returned while the cycle was using the broker"
    release.set()
    thread.join(30)
    closer.join(30)
    assert not closer.is_alive()
    assert "error" not in outcome and outcome["sent"] > 0
    with pytest.raises(ValueError, match="the broker is closed"):
        broker.clock()


def test_closing_a_broker_while_another_thread_calls_it_in_a_loop(tmp_path):
    for attempt in range(5):
        broker = marketsim.Broker.open("sim:%s" % (tmp_path / ("sim-%d.journal" % attempt)))
        thread, started, outcome = _run_until_failure(lambda: broker.orders("all"))
        assert started.wait(30)
        broker.close()
        thread.join(30)
        assert isinstance(outcome["error"], ValueError), outcome["error"]


def test_closing_the_broker_from_its_own_on_step_raises_instead_of_waiting(tmp_path, report):
    with marketsim.Broker.open("sim:%s" % (tmp_path / "sim.journal")) as broker:
        with pytest.raises(marketsim.Error, match="cannot be closed from inside a call"):
            marketsim.trade_cycle(broker, report, dry_run=False,
                                  on_step=lambda step: broker.close())
        assert broker.orders("all")
