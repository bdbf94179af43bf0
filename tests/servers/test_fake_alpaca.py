"""test_fake_alpaca.py - the test Alpaca server (fake_alpaca.py) behaves as
Alpaca does where marketsim's replay depends on it: order rules, listings,
the clock, bars revealed day by day and days played through the order book.
Each test talks HTTP to one server started for the module (pytest or
python3 -m unittest)."""

import http.client
import json
import os
import subprocess
import sys
import unittest
from urllib.parse import quote, urlencode

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_alpaca.py")
KEYS = {"APCA-API-KEY-ID": "test-key-id", "APCA-API-SECRET-KEY": "test-secret-key"}


class Server:
    """The server as a child process; it exits when its stdin closes."""

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, SCRIPT, "--max-seconds", "600"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.port = int(self.process.stdout.readline())
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def stop(self):
        self.connection.close()
        self.process.stdin.close()
        self.process.wait(timeout=10)
        self.process.stdout.close()

    def call(self, method, path, body=None, **query):
        if query:
            path += "?" + urlencode(query)
        payload = None if body is None else json.dumps(body).encode()
        self.connection.request(method, path, body=payload, headers=dict(KEYS))
        answer = self.connection.getresponse()
        text = answer.read()
        return answer.status, json.loads(text) if text else None

    def control(self, command):
        status, record = self.call("POST", "/__control", command)
        assert status == 200, record
        return record


server = None


def setUpModule():
    global server
    server = Server()


def tearDownModule():
    server.stop()


def bar(day, o, h, low, c):
    return {"t": f"{day}T05:00:00Z", "o": o, "h": h, "l": low, "c": c, "v": 1000, "n": 10, "vw": o}


def order(symbol="AAPL", qty=10, side="buy", kind="limit", tif="gtc", **fields):
    return dict(symbol=symbol, qty=qty, side=side, type=kind, time_in_force=tif, **fields)


def oto(limit, take_profit, **fields):
    return order(limit_price=limit, order_class="oto", take_profit={"limit_price": take_profit}, **fields)


class FakeAlpacaTest(unittest.TestCase):
    def setUp(self):
        server.control({"reset": True, "cash": 100000, "set_time": "2024-01-03T14:00:00Z"})

    def submit(self, body):
        return server.call("POST", "/v2/orders", body)

    def accepted(self, body):
        status, placed = self.submit(body)
        self.assertEqual(status, 200, placed)
        return placed

    def get_order(self, client_order_id):
        status, found = server.call("GET", "/v2/orders:by_client_order_id", client_order_id=client_order_id)
        self.assertEqual(status, 200, found)
        return found

    def assert_refused(self, body, status, code, message):
        self.assertEqual(self.submit(body), (status, {"code": code, "message": message}))

    def position(self, symbol):
        status, found = server.call("GET", "/v2/positions/" + quote(symbol, safe=""))
        return found if status == 200 else None

    def entry_with_working_take_profit(self):
        """A filled OTO buy of 10 AAPL at 99 whose take profit at 110 works."""
        self.accepted(oto(99, 110, client_order_id="ms-entry"))
        server.control({"fill": {"client_order_id": "ms-entry", "price": 99}})
        return self.get_order("ms-entry")["legs"][0]

    # ---- order rules ----------------------------------------------------

    def test_crypto_oto_is_refused_with_alpacas_exact_message(self):
        self.assert_refused(oto(40000, 42000, symbol="BTC/USD", qty=0.5), 422, 42210000,
                            "crypto orders support only the simple order class")
        record = server.control({})
        self.assertEqual(len(record["rejections"]), 1)
        self.assertEqual(record["rejections"][0]["body"]["symbol"], "BTC/USD")
        self.assertEqual(record["orders"], [])

    def test_crypto_day_order_is_refused_and_a_fractional_gtc_limit_is_accepted(self):
        self.assert_refused(order("BTC/USD", 0.25, tif="day", limit_price=40000), 422, 42210000,
                            "invalid crypto time_in_force")
        self.accepted(order("BTC/USD", 0.25, limit_price=40000.123))

    def test_crypto_sell_without_the_coins_is_refused(self):
        self.assert_refused(order("BTC/USD", 0.5, side="sell", limit_price=41000), 403, 40310000,
                            "insufficient balance for BTC (requested: 0.5, available: 0)")

    def test_sub_penny_limit_price_is_refused(self):
        self.assert_refused(order(limit_price=99.123), 422, 42210000,
                            "sub-penny increment does not fulfill minimum pricing criteria")
        self.accepted(order("PENNY", 100, limit_price=0.1234))

    def test_fractional_stock_limit_is_refused(self):
        self.assert_refused(order(qty=1.5, limit_price=99), 422, 42210000,
                            "fractional orders must be market orders with day time_in_force")

    def test_take_profit_below_the_entry_is_refused(self):
        self.assert_refused(oto(99, 99), 422, 42210000,
                            "take_profit.limit_price must be > base_price + 0.01")

    def test_client_order_id_over_48_characters_is_refused(self):
        self.assert_refused(order(limit_price=99, client_order_id="x" * 49), 422, 40010001,
                            "client_order_id must be no more than 48 characters")

    def test_close_is_refused_while_a_take_profit_leg_holds_the_shares_and_accepted_after_cancelling_it(self):
        leg = self.entry_with_working_take_profit()
        self.assertEqual(self.position("AAPL")["qty_available"], "0")
        close = order(side="sell", kind="market", tif="day", client_order_id="ms-close")
        self.assert_refused(close, 403, 40310000,
                            "insufficient qty available for order (requested: 10, available: 0)")
        self.assertEqual(server.call("DELETE", "/v2/orders/" + leg["id"])[0], 204)
        self.assertEqual(self.get_order("ms-entry")["status"], "filled")
        self.accepted(close)

    def test_sell_beyond_the_long_is_refused_rather_than_flipping_it(self):
        server.control({"seed_position": {"symbol": "AAPL", "qty": 5, "avg_entry_price": 100}})
        self.assert_refused(order(side="sell", limit_price=101), 403, 40310000,
                            "insufficient qty available for order (requested: 10, available: 5)")

    def test_opposite_crossing_order_is_refused_as_a_wash_trade(self):
        self.accepted(order(limit_price=99, client_order_id="resting-buy"))
        self.accepted(order(side="sell", limit_price=110, qty=1))   # a short that cannot cross
        self.assert_refused(order(side="sell", limit_price=98.5, qty=1), 403, 40310000,
                            "potential wash trade detected. use complex orders")
        self.assert_refused(order(side="sell", kind="market", tif="day", qty=1), 403, 40310000,
                            "potential wash trade detected. use complex orders")

    def test_opposite_rule_refuses_any_opposite_working_order(self):
        server.control({"wash_rule": "opposite"})
        self.accepted(order(limit_price=99))
        self.assert_refused(order(side="sell", limit_price=110), 403, 40310000,
                            "potential wash trade detected. use complex orders")

    def test_held_legs_do_not_count_as_wash_trades_but_working_legs_do(self):
        self.accepted(oto(99, 110, client_order_id="ms-entry"))
        self.accepted(order("AAPL", 1, side="buy", limit_price=120, client_order_id="buy-over-held-leg"))
        server.control({"fill": {"client_order_id": "ms-entry", "price": 99}})
        self.assert_refused(order("AAPL", 1, limit_price=111), 403, 40310000,
                            "potential wash trade detected. use complex orders")

    def test_opening_order_beyond_buying_power_is_refused(self):
        self.assertEqual(server.call("GET", "/v2/account")[1]["buying_power"], "200000")
        self.accepted(order(qty=1000, limit_price=150))
        self.assertEqual(server.call("GET", "/v2/account")[1]["buying_power"], "50000")
        self.assert_refused(order("MSFT", 200, limit_price=250.01), 403, 40310000,
                            "insufficient buying power")
        self.accepted(order("MSFT", 200, limit_price=250))

    # ---- listings -------------------------------------------------------

    def test_nested_listing_hides_the_working_leg_of_a_filled_parent_and_flat_listing_shows_it(self):
        leg = self.entry_with_working_take_profit()
        self.assertEqual(leg["status"], "new")
        status, nested = server.call("GET", "/v2/orders", status="open", nested="true", limit=500)
        self.assertEqual((status, nested), (200, []))
        flat = server.call("GET", "/v2/orders", status="open", nested="false")[1]
        self.assertEqual([(o["id"], o["legs"]) for o in flat], [(leg["id"], None)])
        closed = server.call("GET", "/v2/orders", status="closed", nested="true")[1]
        self.assertEqual([o["legs"][0]["id"] for o in closed], [leg["id"]])

    def test_pages_of_500_with_after_and_asc_return_every_order_exactly_once(self):
        placed = [self.accepted(order(qty=1, limit_price=1, client_order_id=f"o{i}"))["id"]
                  for i in range(520)]
        self.assertEqual(len(server.call("GET", "/v2/orders", limit=900)[1]), 500)
        seen, after = [], "2000-01-01T00:00:00Z"
        while True:
            page = server.call("GET", "/v2/orders", status="all", limit=500, direction="asc", after=after)[1]
            if not page:
                break
            seen += [o["id"] for o in page]
            after = page[-1]["submitted_at"]
        self.assertEqual(seen, placed)
        newest = server.call("GET", "/v2/orders", limit=1)[1]
        self.assertEqual(newest[0]["id"], placed[-1])

    def test_fill_activities_page_with_page_token_in_either_direction(self):
        for i in range(3):
            self.accepted(order(limit_price=99, client_order_id=f"fill-{i}"))
            server.control({"fill": {"client_order_id": f"fill-{i}", "price": 99 + i}})
        status, first = server.call("GET", "/v2/account/activities/FILL", direction="asc", page_size=2)
        self.assertEqual(status, 200, first)
        self.assertEqual([a["price"] for a in first], ["99", "100"])
        self.assertEqual({a["activity_type"] for a in first}, {"FILL"})
        _, rest = server.call("GET", "/v2/account/activities/FILL", direction="asc", page_size=2,
                              page_token=first[-1]["id"])
        self.assertEqual([a["price"] for a in rest], ["101"])
        _, newest = server.call("GET", "/v2/account/activities/FILL", page_size=1)
        self.assertEqual(newest[0]["id"], rest[0]["id"])
        _, later = server.call("GET", "/v2/account/activities/FILL", direction="asc",
                               after=first[0]["transaction_time"])
        self.assertEqual(len(later), 2)
        self.assertEqual(server.call("GET", "/v2/account/activities/DIV")[0], 422)

    def test_symbols_filter_takes_crypto_with_its_slash(self):
        self.accepted(order("BTC/USD", 0.1, limit_price=40000))
        self.accepted(order(limit_price=99))
        listed = server.call("GET", "/v2/orders", symbols="BTC/USD,MSFT")[1]
        self.assertEqual([o["symbol"] for o in listed], ["BTC/USD"])

    # ---- a day played through the book -----------------------------------

    def play(self, day, bars):
        server.control({"bars": bars, "play_day": day})

    def test_day_order_expires_after_its_day_is_played(self):
        self.accepted(order(limit_price=90, tif="day", client_order_id="day-buy"))
        self.accepted(order("MSFT", 1, limit_price=90, client_order_id="gtc-buy"))
        self.play("2024-01-03", {"AAPL": [bar("2024-01-03", 100, 102, 97, 101)]})
        self.assertEqual(self.get_order("day-buy")["status"], "expired")
        self.assertEqual(self.get_order("gtc-buy")["status"], "new")

    def test_take_profit_fills_later_on_the_same_day_after_its_entry(self):
        self.accepted(oto(98, 105, client_order_id="ms-entry"))
        self.play("2024-01-03", {"AAPL": [bar("2024-01-03", 100, 106, 97, 104)]})
        entry = self.get_order("ms-entry")
        self.assertEqual((entry["status"], entry["filled_avg_price"]), ("filled", "98"))
        self.assertEqual((entry["legs"][0]["status"], entry["legs"][0]["filled_avg_price"]), ("filled", "105"))
        self.assertIsNone(self.position("AAPL"))
        self.assertEqual(server.call("GET", "/v2/account")[1]["cash"], "100070")

    def test_take_profit_does_not_fill_on_prices_before_its_entry(self):
        self.accepted(oto(98, 101, client_order_id="ms-entry"))
        self.play("2024-01-03", {"AAPL": [bar("2024-01-03", 100, 101.5, 97, 98.5)]})
        entry = self.get_order("ms-entry")
        self.assertEqual((entry["status"], entry["legs"][0]["status"]), ("filled", "new"))
        held = self.position("AAPL")
        self.assertEqual((held["qty"], held["current_price"], held["qty_available"]), ("10", "98.5", "0"))

    def test_bracket_with_both_legs_reachable_fills_the_leg_reached_first(self):
        self.accepted(order(limit_price=99, order_class="bracket", take_profit={"limit_price": 103},
                            stop_loss={"stop_price": 96.5}, client_order_id="ms-bracket"))
        self.play("2024-01-03", {"AAPL": [bar("2024-01-03", 100, 105, 96, 100)]})
        take_profit, stop_loss = self.get_order("ms-bracket")["legs"]
        self.assertEqual((stop_loss["status"], stop_loss["filled_avg_price"]), ("filled", "96.5"))
        self.assertEqual(take_profit["status"], "canceled")
        self.assertEqual(server.call("GET", "/v2/account")[1]["cash"], "99975")

    def test_foreign_seed_position_is_unchanged_by_fills_of_other_symbols(self):
        server.control({"seed_position": {"symbol": "NIO", "qty": -1000, "avg_entry_price": 5,
                                          "current_price": 5.5}})
        self.accepted(order(kind="market", tif="day", client_order_id="aapl-buy"))
        self.play("2024-01-03", {"AAPL": [bar("2024-01-03", 100, 102, 97, 101)]})
        nio = self.position("NIO")
        self.assertEqual((nio["qty"], nio["side"], nio["avg_entry_price"], nio["current_price"]),
                         ("-1000", "short", "5", "5.5"))
        account = server.call("GET", "/v2/account")[1]
        self.assertEqual((account["cash"], account["equity"]), ("99000", str(99000 + 1010 - 5500)))

    def test_crypto_gtc_order_keeps_working_across_days_and_fills_when_reached(self):
        self.accepted(order("BTC/USD", 0.5, limit_price=39000, client_order_id="btc-buy"))
        self.play("2024-01-03", {"BTC/USD": [bar("2024-01-03", 40000, 40500, 39500, 40200)]})
        self.assertEqual(self.get_order("btc-buy")["status"], "new")
        self.play("2024-01-04", {"BTC/USD": [bar("2024-01-04", 40200, 40300, 38000, 38500)]})
        self.assertEqual(self.get_order("btc-buy")["filled_avg_price"], "39000")
        self.assertEqual(self.position("BTCUSD")["qty"], "0.5")

    # ---- clock and bars ---------------------------------------------------

    def clock_at(self, moment):
        server.control({"set_time": moment})
        return server.call("GET", "/v2/clock")[1]

    def test_clock_is_closed_over_a_weekend_and_opens_after_a_holiday(self):
        saturday = self.clock_at("2024-03-30T15:00:00Z")
        self.assertFalse(saturday["is_open"])
        self.assertEqual(saturday["next_open"], "2024-04-01T09:30:00-04:00")
        good_friday = self.clock_at("2024-03-29T15:00:00Z")
        self.assertFalse(good_friday["is_open"])
        thursday = self.clock_at("2024-03-28T19:59:00Z")
        self.assertTrue(thursday["is_open"])
        self.assertEqual(thursday["next_close"], "2024-03-28T16:00:00-04:00")
        self.assertEqual(thursday["next_open"], "2024-04-01T09:30:00-04:00")

    def test_order_times_follow_the_set_clock_and_never_repeat(self):
        first = self.accepted(order(limit_price=99))
        server.control({"set_time": "2024-01-03T14:00:00Z"})
        second = self.accepted(order(limit_price=98))
        self.assertEqual(first["submitted_at"], "2024-01-03T14:00:00.000000Z")
        self.assertEqual(second["submitted_at"], "2024-01-03T14:00:00.000001Z")

    def test_reveal_until_hides_later_bars(self):
        server.control({"generate_bars": {"AAPL": {"start": "2024-01-02", "days": 5, "price": 100}},
                        "reveal_until": "2024-01-04"})
        page = server.call("GET", "/v2/stocks/bars", symbols="AAPL", timeframe="1Day")[1]
        self.assertEqual([b["t"][:10] for b in page["bars"]["AAPL"]], ["2024-01-02", "2024-01-03", "2024-01-04"])
        server.control({"reveal_until": None})
        page = server.call("GET", "/v2/stocks/bars", symbols="AAPL", timeframe="1Day")[1]
        self.assertEqual(len(page["bars"]["AAPL"]), 5)

    def test_canned_account_keeps_the_old_lenient_rules_unless_strict_is_asked(self):
        server.control({"reset": True})
        self.accepted(oto(40000, 42000, symbol="BTC/USD", qty=0.5, client_order_id="lenient"))
        server.control({"strict": True})
        self.assert_refused(oto(40000, 42000, symbol="BTC/USD", qty=0.5), 422, 42210000,
                            "crypto orders support only the simple order class")

    def test_reset_serves_the_canned_account_until_cash_is_set(self):
        server.control({"reset": True})
        self.assertEqual(server.call("GET", "/v2/account")[1]["cash"], "100000.5")
        server.control({"cash": 5000})
        self.assertEqual(server.call("GET", "/v2/account")[1]["equity"], "5000")


if __name__ == "__main__":
    unittest.main()
