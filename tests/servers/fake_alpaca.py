#!/usr/bin/env python3
"""fake_alpaca.py - a local stand-in for Alpaca's trading and market-data
REST APIs, for marketsim's tests (Python standard library only), strict
where Alpaca is strict and with a matching engine, so that days of trading
can be replayed against it. The simulated account lives in alpaca_sim/
(book, rules, listing, clock, matching) next to this file.

It binds 127.0.0.1 only, prints the port it listens on as the first line of
stdout, and exits when its stdin closes or after --max-seconds, so a test
that dies cannot leave it running.

Two layers of state, in memory:
- raw objects a test sets ("account", "clock", "positions", "orders") are
  served exactly as given. After "reset" the canned account (cash
  100000.5, buying_power 200001, last_equity 99000) and clock (2024-01-02
  10:00 New York, open) are set as raw objects; "cash" (or "account": null)
  switches the account to the simulated one, "set_time" (or "clock": null)
  the clock, "positions": null the positions (served simulated from the
  start: [] until something fills or is seeded).
- the simulated account: orders with their legs, positions, cash, fills.

Control: POST /__control with a JSON object; the keys are applied in this
order (any of them):
  "reset": true                    forget everything: orders, bars, faults,
                                   raw objects (back to the canned ones),
                                   the simulated account, clock, log
  "clear_faults": true             drop the queued faults not taken yet
  "faults": [FAULT, ...]           queue faults (below)
  "numbers": "strings"|"numbers"   how money and quantities are sent
  "page_size": N                   bars per page (before the client's limit)
  "account" / "clock": {...}|null  raw objects served as they are (null: serve
                                   the simulated ones)
  "positions": [...]|null          raw positions served as they are (null: the
                                   simulated ones)
  "orders": [...]                  raw orders added to the book as they are
  "activities": [...]              raw FILL activities served after the
                                   simulated fills, as they are
  "cash": N                        the simulated cash (and last_equity = equity);
                                   serves the simulated account
  "shorting_enabled": bool         the simulated account's (default true)
  "wash_rule": "crossing"|"opposite"  which opposite working orders refuse a
                                   new order under the strict rules (default
                                   "crossing", Alpaca's; see below)
  "strict": true|false|null        Alpaca's order rules (below) or the old
                                   fake's few; null (after reset): strict
                                   exactly while the simulated account is served
  "set_time": "RFC3339"|null       the server's now (null: wall time); serves
                                   the simulated clock. The clock stands still
                                   until set again.
  "bars": {SYMBOL: [...]}          replaces a symbol's bars with raw ones
  "generate_bars": {SYMBOL: {"start": "YYYY-MM-DD", "days": N, "price": P}}
                                   adds daily bars (weekdays for stocks)
  "reveal_until": "YYYY-MM-DD"|null  the bars endpoints serve only bars whose
                                   "t" falls on or before that New York date
  "seed_position": {"symbol", "qty" (negative: short), "avg_entry_price",
                    "current_price", "asset_class"?} or a list of them:
                                   a position made outside marketsim; cash,
                                   orders and everything else stay as they are
  "expire": [CLIENT_ORDER_ID, ...] open orders (and their legs) become
                                   "expired", as day orders do at the close
  "fill": {"id" or "client_order_id": X, "price": P} (or a list)
                                   fills one working order now at P
  "play_day": "YYYY-MM-DD" or a list of days: plays each day (below)
Control answers 200 with the record below, or Alpaca's error shape (e.g. 404
for a "fill" of an unknown order, 422 for one not working; the keys before
the failing one stay applied).

GET /__control returns {"requests": [{method, path, query}], "orders": [the
book, legs nested], "faults": [the queued faults not taken yet],
"faults_taken": {LABEL: N}, "positions": [the simulated positions],
"account": {the simulated account}, "fills": [{time, id, client_order_id,
symbol, side, qty, price}], "rejections": [{time, body, status, code,
message}: every refused POST /v2/orders]}.

The clock (simulated): /v2/clock answers timestamp = now in New York time,
is_open (Mon-Fri 09:30-16:00 America/New_York, US daylight-saving rule, NYSE
full-day holidays 2023-2026, no early closes), next_open, next_close. Order
times (created_at, submitted_at, filled_at, canceled_at, expired_at, ...) are
the server's now (or wall time), each one at least a microsecond after the
previous, so every order has its own submitted_at.

Playing a day: for every symbol with a bar dated that day (stocks and crypto)
the price walks open -> the extreme nearer the open (ties: low first) -> the
other extreme -> close. Working orders fill whole, the earliest point of the
walk first (ties: submission order): market at the open; a buy limit at its
limit when the walk gets down to it, or at the open when the open is already
at or below it (sell limits mirrored); a stop when touched, at the stop or
the open when gapped through; a stop limit becomes its limit once touched.
When a parent fills its legs go from "held" to "new" and can fill later on
the same walk, never before the parent's fill point; when one leg fills, its
siblings are canceled (OCO). After the walk, stock orders (legs too) with
time_in_force "day" still open become "expired"; gtc ones keep working (ioc
ones are canceled). Every position's current_price becomes the day's close,
and last_equity the equity then. The play is atomic: no request is served
in the middle of it. play_day does not move the clock (use set_time).

Fills move the simulated positions and cash: a buy adds (avg_entry_price
weighted), a sell reduces the long or adds to a short, cash -= qty x price
for buys and += for sells, a position that reaches 0 disappears, and the
position's current_price becomes the fill price. Positions carry symbol
("AAPL"; crypto without the slash: "BTCUSD"), asset_class, qty (negative for
shorts), side, avg_entry_price, market_value, cost_basis, unrealized_pl,
current_price, qty_available (|qty| minus what working orders on the closing
side hold: open orders and the "new" legs of filled parents; held legs hold
nothing). GET /v2/positions/{symbol} answers one (404 40410000 if none).

The simulated account: cash (100000 to start), equity = cash + sum(qty x
current_price) (shorts negative), long_market_value, short_market_value,
last_equity, buying_power = max(0, 2 x equity - (long_market_value -
short_market_value) - the cost of working opening orders), where an
order's cost is qty x (limit price, else stop price, else the last price:
the position's current_price or the last revealed bar's close) and opening
means adding to or opening the symbol's position.

Orders (POST /v2/orders) are refused with Alpaca's {"code", "message"}. In
every mode: a missing field, a client_order_id over 48 characters or used
before (below). Not strict (a raw or the canned account, the suites written
before the simulation): besides those, only an opposite open simple limit
order on the symbol refuses a simple limit order (wash trade). Strict (the
simulated account, or "strict": true): as Alpaca, checked in this order:
  422 40010001 a missing symbol/qty/side/type/time_in_force ("X is
      required"), client_order_id over 48 characters ("client_order_id must
      be no more than 48 characters"), a client_order_id used before by any
      order or leg ("client_order_id must be unique"), qty <= 0, a limit or
      stop order without its price
  422 42210000 crypto (a symbol with "/"): "crypto orders support only the
      simple order class", "invalid crypto time_in_force" (gtc, ioc only),
      "invalid crypto order type" (market, limit, stop_limit only)
  422 42210000 stocks: a fractional qty unless market and day: "fractional
      orders must be market orders with day time_in_force"; a price (limit,
      stop, take_profit, stop_loss) >= 1 not in whole cents or < 1 with more
      than 4 decimals: "sub-penny increment does not fulfill minimum pricing
      criteria"
  422 42210000 oto needs exactly one of take_profit/stop_loss, bracket both;
      a buy's take_profit.limit_price must be at least the entry (limit, else
      stop, else last price) + 0.01: "take_profit.limit_price must be >
      base_price + 0.01" (sells: "< base_price - 0.01"); a buy's
      stop_loss.stop_price at most entry - 0.01 ("stop_loss.stop_price must
      be <= base_price - 0.01", sells mirrored)
  403 40310000 a crypto sell beyond the coins held: "insufficient balance for
      BTC (requested: X, available: Y)" (no crypto shorts); a sell of a long
      (a buy of a short) beyond qty_available, which also forbids flipping
      the position: "insufficient qty available for order (requested: X,
      available: Y)"; a stock sell with no long opens a short only with a
      whole qty ("fractional orders cannot be sold short", 422 42210000) and
      shorting enabled. With raw positions set, qty and qty_available are
      read from them as given.
  403 40310000 "potential wash trade detected. use complex orders": an
      opposite-side working order on the same symbol (parents, simple orders
      and the "new" legs of filled parents; held legs, and so the new
      order's own legs, do not count) that could trade with the new one:
      either is a market order or a stop (the market order it becomes), or
      a sell limit <= a buy limit (a stop limit counts as its limit). Under
      wash_rule "opposite" any opposite working order refuses.
  403 40310000 "insufficient buying power": an opening order costing more
      than buying_power (the raw account's buying_power as given when one is
      set).
An accepted order is "new"; its take_profit (a limit) and stop_loss (a stop,
or stop_limit with a limit_price) are legs in "held", with the parent's qty
and time_in_force, each with its own id and client_order_id.

Listing: GET /v2/orders with status=open|closed|all (default open; open is
any status that is not final: new, accepted, pending_new,
accepted_for_bidding, partially_filled, held, done_for_day, pending_cancel,
pending_replace), limit (default 50, above 500 capped to 500), after/until
(RFC 3339, exclusive, on submitted_at), direction asc|desc (default desc),
symbols (comma-separated, "BTC/USD" or "BTCUSD"), nested (default false).
nested=false lists every order including legs as its own object ("legs":
null), each filtered by its own status; nested=true lists parents with all
their legs inside, filtered by the parent's status, so the working take
profit of a filled parent is not in status=open&nested=true.
Fills: GET /v2/account/activities/FILL lists the simulated fills (and the
raw activities) as Alpaca's trade activities, paged with page_token
(alpaca_sim/activities.py).
GET /v2/orders/{id} and GET /v2/orders:by_client_order_id find parents and
legs, a parent with its legs nested. DELETE /v2/orders/{id} cancels an open
order: a parent with its open legs, a leg alone; anything else is 422
42210000 "order is not cancelable", an unknown id 404. DELETE /v2/orders
cancels every open order (207, [{id, status: 200}]).

A FAULT is {"kind": K, "count": N (default 1), "method": M, "path": PREFIX,
"label": L (default K: what faults_taken counts it under)}
applied to the next N matching requests. Kinds:
  status          answer "status" (e.g. 429, 500, 401) with "body" (default:
                  an Alpaca error body) and, for 429, X-Ratelimit-Reset
                  "reset_in" seconds ahead; "process": true handles the
                  request first (an order is created) and answers the fault
  delay           handle the request, then answer after "seconds"
  malformed       answer 200 with a body that is not JSON
  truncated_json  answer 200 with half of the real body (consistent length)
  short_body      announce the full Content-Length, send half, close
  drop            send half the body, then reset the connection
  reset           reset the connection before any byte of the answer; with
                  "process": true the request is handled first (an order is
                  created), else it is lost unhandled
  bars_null       answer a bars request with {"bars": null}
"""

import argparse
import json
import os
import socket
import struct
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from alpaca_sim import activities, listing
from alpaca_sim.common import Rejection
from alpaca_sim.market import Market


class ConnectionCut(Exception):
    """Raised after a fault closed the connection on purpose."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without TCP_NODELAY each
    # answer waits for the client's delayed ACK (~40 ms).
    disable_nagle_algorithm = True
    market = None
    verbose = False

    def log_message(self, fmt, *args):
        if self.verbose:
            sys.stderr.write("fake_alpaca: " + fmt % args + "\n")

    def do_GET(self):
        self.serve("GET")

    def do_POST(self):
        self.serve("POST")

    def do_DELETE(self):
        self.serve("DELETE")

    # ---- sending --------------------------------------------------------

    def send_body(self, status, body, headers=None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def send_json(self, status, payload, headers=None):
        self.send_body(status, None if payload is None else json.dumps(payload).encode(), headers)

    def reset_connection(self):
        """Closes the connection with a reset, sending nothing more."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        raise ConnectionCut()

    def cut(self, body, reset):
        """Announces the whole body, sends half of it, then closes the
        connection (with a reset: a dropped connection)."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        if reset:
            self.reset_connection()
        self.connection.close()
        raise ConnectionCut()

    def send_fault_status(self, fault):
        status = fault["status"]
        body = fault.get("body", {"code": status * 100000 + 10000, "message": f"fault {status}"})
        headers = {}
        if status == 429:
            headers["X-Ratelimit-Limit"] = "200"
            headers["X-Ratelimit-Remaining"] = "0"
            headers["X-Ratelimit-Reset"] = str(int(time.time()) + int(fault.get("reset_in", 1)))
        self.send_json(status, body, headers)

    def send_answer(self, status, payload, fault):
        kind = fault["kind"] if fault else None
        if kind == "status":
            return self.send_fault_status(fault)
        if kind == "reset":
            return self.reset_connection()
        if kind == "delay":
            time.sleep(float(fault["seconds"]))
        body = None if payload is None else json.dumps(payload).encode()
        if kind == "malformed":
            return self.send_body(200, b'{"id": "broken", "symbol": ')
        if kind == "truncated_json":
            return self.send_body(200, body[: len(body) // 2])
        if kind in ("short_body", "drop"):
            return self.cut(body, reset=kind == "drop")
        self.send_body(status, body)

    # ---- routing --------------------------------------------------------

    def read_json(self):
        length = int(self.headers.get("Content-Length") or 0)
        text = self.rfile.read(length) if length else b""
        try:
            return json.loads(text) if text else {}
        except ValueError:
            raise Rejection(400, 40010000, "request body format is invalid")

    def authorized(self):
        market = self.market
        return (self.headers.get("APCA-API-KEY-ID") == market.key_id
                and self.headers.get("APCA-API-SECRET-KEY") == market.secret_key)

    def route(self, method, path, query, body):
        market = self.market
        if path.startswith("/v1beta3/crypto/us/bars") and method == "GET":
            return 200, market.bars_page(query)
        if not self.authorized():
            return 401, {"message": "unauthorized."}
        if path == "/v2/stocks/bars" and method == "GET":
            return 200, market.bars_page(query)
        if path == "/v2/account" and method == "GET":
            return 200, market.shaped(market.served_account())
        if path == "/v2/positions" and method == "GET":
            return 200, market.shaped(market.served_positions())
        if path.startswith("/v2/positions/") and method == "GET":
            return 200, market.shaped(market.served_position(unquote(path[len("/v2/positions/"):])))
        if path.startswith("/v2/account/activities/") and method == "GET":
            return 200, market.shaped(activities.list_fills(
                market.book, market.activities, path[len("/v2/account/activities/"):], query))
        if path == "/v2/clock" and method == "GET":
            return 200, market.served_clock()
        if path == "/v2/orders" and method == "GET":
            return 200, market.shaped(listing.list_orders(market.book, query))
        if path == "/v2/orders" and method == "POST":
            return 200, market.shaped(market.create_order(body))
        if path == "/v2/orders" and method == "DELETE":
            return 207, market.cancel_all()
        if path == "/v2/orders:by_client_order_id" and method == "GET":
            return 200, market.shaped(market.find(client_order_id=query.get("client_order_id", [""])[0]))
        if path.startswith("/v2/orders/") and method == "GET":
            return 200, market.shaped(market.find(order_id=path[len("/v2/orders/"):]))
        if path.startswith("/v2/orders/") and method == "DELETE":
            market.book.cancel(path[len("/v2/orders/"):])
            return 204, None
        raise Rejection(404, 40410000, f"no route {method} {path}")

    def serve(self, method):
        market = self.market
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        try:
            body = self.read_json()
            if url.path == "/__control":
                with market.lock:
                    if method == "POST":
                        market.control(body)
                    return self.send_json(200, market.snapshot())
            with market.lock:
                market.requests.append({"method": method, "path": url.path,
                                        "query": {k: v[0] for k, v in query.items()}})
                fault = market.take_fault(method, url.path)
            if fault and fault["kind"] == "status" and not fault.get("process"):
                return self.send_fault_status(fault)
            if fault and fault["kind"] == "reset" and not fault.get("process"):
                return self.reset_connection()
            if fault and fault["kind"] == "bars_null":
                return self.send_json(200, {"bars": None, "next_page_token": None})
            with market.lock:
                status, payload = self.route(method, url.path, query, body)
        except Rejection as rejection:
            status, payload = rejection.status, {"code": rejection.code, "message": rejection.message}
            fault = None
        except ConnectionCut:
            return
        except Exception as error:     # a bug of the server: say so, don't hang up
            traceback.print_exc()
            status, payload = 500, {"code": 50000000, "message": f"fake_alpaca failed: {error!r}"}
            fault = None
        try:
            self.send_answer(status, payload, fault)
        except (ConnectionCut, BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """Clients that time out and hang up are part of the tests."""


def exit_when_stdin_closes():
    while sys.stdin.buffer.read(4096):
        pass
    os._exit(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--key-id", default="test-key-id")
    parser.add_argument("--secret-key", default="test-secret-key")
    parser.add_argument("--max-seconds", type=float, default=300)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    Handler.market = Market(args.key_id, args.secret_key)
    Handler.verbose = args.verbose
    server = Server(("127.0.0.1", args.port), Handler)
    print(server.server_address[1], flush=True)
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    threading.Timer(args.max_seconds, lambda: os._exit(0)).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
