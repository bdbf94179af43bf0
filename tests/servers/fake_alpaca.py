#!/usr/bin/env python3
"""fake_alpaca.py - a local stand-in for Alpaca's trading and market-data
REST APIs, for marketsim's tests (Python standard library only).

It binds 127.0.0.1 only, prints the port it listens on as the first line of
stdout, and exits when its stdin closes or after --max-seconds, so a test
that dies cannot leave it running.

State is in memory: an account, positions, a clock, orders (client_order_id
unique forever: 422 40010001; two opposite resting simple limit orders on
one symbol: 403 40310000 wash trade) and bars per symbol, paged like
Alpaca's (page size configurable).

Tests steer it through POST /__control with a JSON object (any of):
  "reset": true                    forget orders, bars, faults, overrides, log
  "clear_faults": true             drop the queued faults not taken yet
  "faults": [FAULT, ...]           queue faults (below)
  "numbers": "strings"|"numbers"   how money and quantities are sent
  "page_size": N                   bars per page (before the client's limit)
  "account" / "clock": {...}       raw objects served as they are
  "positions" / "orders": [...]    raw objects served as they are
  "generate_bars": {SYMBOL: {"start": "YYYY-MM-DD", "days": N, "price": P}}
                                   adds daily bars (weekdays for stocks)
  "bars": {SYMBOL: [...]}          replaces a symbol's bars with raw ones
  "expire": [CLIENT_ORDER_ID, ...] open orders (and their legs) become
                                   "expired", as day orders do at the close
GET /__control returns {"requests": [{method, path, query}], "orders": [...],
"faults": [the queued faults not taken yet], "faults_taken": {LABEL: N}}.

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
import uuid
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

OPEN_STATUSES = {"new", "accepted", "pending_new", "partially_filled", "held"}
NUMERIC_FIELDS = {"qty", "filled_qty", "filled_avg_price", "limit_price", "stop_price", "cash",
                  "buying_power", "equity", "last_equity", "portfolio_value", "multiplier",
                  "avg_entry_price", "market_value", "cost_basis", "unrealized_pl",
                  "current_price", "qty_available"}

DEFAULT_ACCOUNT = {
    "id": "fa11ca7e-0000-4000-8000-000000000001", "status": "ACTIVE", "currency": "USD",
    "cash": "100000.5", "buying_power": "200001", "equity": "100000.5", "last_equity": "99000",
    "portfolio_value": "100000.5", "multiplier": "2", "pattern_day_trader": False,
    "trading_blocked": False, "account_blocked": False, "shorting_enabled": True,
    "daytrade_count": 0,
}

DEFAULT_CLOCK = {
    "timestamp": "2024-01-02T10:00:00.123456789-05:00", "is_open": True,
    "next_open": "2024-01-03T09:30:00-05:00", "next_close": "2024-01-02T16:00:00-05:00",
}


class Rejection(Exception):
    """An Alpaca error answer: HTTP status, Alpaca code, message."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class ConnectionCut(Exception):
    """Raised after a fault closed the connection on purpose."""


def now_text():
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Market:
    """Everything the server knows, behind one lock."""

    def __init__(self, args):
        self.lock = threading.Lock()
        self.key_id, self.secret_key = args.key_id, args.secret_key
        self.reset()

    def reset(self):
        self.numbers = "strings"
        self.page_size = 10000
        self.account = dict(DEFAULT_ACCOUNT)
        self.clock = dict(DEFAULT_CLOCK)
        self.positions = []
        self.orders = []
        self.bars = {}
        self.faults = []
        self.faults_taken = {}
        self.requests = []

    def control(self, command):
        if command.get("reset"):
            self.reset()
        if command.get("clear_faults"):
            self.faults = []
        self.faults.extend(dict(fault, count=fault.get("count", 1)) for fault in command.get("faults", []))
        self.numbers = command.get("numbers", self.numbers)
        self.page_size = command.get("page_size", self.page_size)
        self.account = command.get("account", self.account)
        self.clock = command.get("clock", self.clock)
        self.positions = command.get("positions", self.positions)
        self.orders.extend(command.get("orders", []))
        for symbol, bars in command.get("bars", {}).items():
            self.bars[symbol] = list(bars)
        for symbol, shape in command.get("generate_bars", {}).items():
            self.generate_bars(symbol, shape)
        self.expire(command.get("expire", []))

    def snapshot(self):
        return {"requests": self.requests, "orders": self.orders, "faults": self.faults,
                "faults_taken": self.faults_taken}

    def generate_bars(self, symbol, shape):
        day = date.fromisoformat(shape["start"])
        price = float(shape.get("price", 100))
        bars = self.bars.setdefault(symbol, [])
        made = 0
        while made < shape["days"]:
            if "/" in symbol or day.weekday() < 5:
                open_price = price + made
                bars.append({"t": f"{day.isoformat()}T05:00:00Z", "o": open_price,
                             "h": open_price + 2, "l": open_price - 1, "c": open_price + 1,
                             "v": 1000 + made, "n": 10, "vw": open_price + 0.5})
                made += 1
            day += timedelta(days=1)
        bars.sort(key=lambda bar: bar["t"])

    def take_fault(self, method, path):
        for fault in self.faults:
            if fault.get("method", method) == method and path.startswith(fault.get("path", "")):
                fault["count"] -= 1
                if fault["count"] <= 0:
                    self.faults.remove(fault)
                label = fault.get("label", fault["kind"])
                self.faults_taken[label] = self.faults_taken.get(label, 0) + 1
                return fault
        return None

    def shaped(self, value):
        """Money and quantities as strings (Alpaca's way) or as numbers."""
        if isinstance(value, list):
            return [self.shaped(item) for item in value]
        if not isinstance(value, dict):
            return value
        result = {}
        for key, item in value.items():
            if key in NUMERIC_FIELDS and isinstance(item, (str, int, float)) and self.numbers == "numbers":
                item = float(item)
            elif key in NUMERIC_FIELDS and isinstance(item, (int, float)) and self.numbers == "strings":
                item = repr(item)
            result[key] = self.shaped(item)
        return result

    # ---- orders ---------------------------------------------------------

    def all_orders(self):
        for order in self.orders:
            yield order
            yield from order.get("legs") or []

    def find_by_client_id(self, client_order_id):
        for order in self.orders:
            if order.get("client_order_id") == client_order_id:
                return order
        raise Rejection(404, 40410000, f"order not found for {client_order_id}")

    def check_wash_trade(self, order):
        if order["order_class"] != "simple" or order["type"] != "limit":
            return
        for resting in self.orders:
            if (resting["symbol"] == order["symbol"] and resting["side"] != order["side"]
                    and resting["type"] == "limit" and resting["order_class"] == "simple"
                    and resting["status"] in OPEN_STATUSES):
                raise Rejection(403, 40310000, "potential wash trade detected. use complex orders")

    def make_order(self, request, order_type, side, status, limit_price=None, stop_price=None):
        return {
            "id": str(uuid.uuid4()), "client_order_id": request.get("client_order_id", str(uuid.uuid4())),
            "created_at": now_text(), "updated_at": now_text(), "submitted_at": now_text(),
            "filled_at": None, "expired_at": None, "canceled_at": None, "asset_class":
            "crypto" if "/" in request["symbol"] else "us_equity", "symbol": request["symbol"],
            "qty": str(request["qty"]), "filled_qty": "0", "filled_avg_price": None,
            "order_class": request.get("order_class") or "simple", "type": order_type,
            "side": side, "time_in_force": request["time_in_force"], "limit_price": limit_price,
            "stop_price": stop_price, "status": status, "extended_hours": False, "legs": None,
        }

    def create_order(self, request):
        for field in ("symbol", "qty", "side", "type", "time_in_force"):
            if field not in request:
                raise Rejection(422, 40010001, f"{field} is required")
        client_order_id = request.get("client_order_id")
        if client_order_id and any(o.get("client_order_id") == client_order_id for o in self.all_orders()):
            raise Rejection(422, 40010001, "client_order_id must be unique")
        order = self.make_order(request, request["type"], request["side"], "new",
                                request.get("limit_price"), request.get("stop_price"))
        self.check_wash_trade(order)
        exit_side = "sell" if request["side"] == "buy" else "buy"
        legs = []
        if order["order_class"] in ("oto", "bracket") and "take_profit" in request:
            legs.append(self.make_order(dict(request, client_order_id=str(uuid.uuid4())), "limit",
                                        exit_side, "held", request["take_profit"]["limit_price"]))
        if order["order_class"] in ("oto", "bracket") and "stop_loss" in request:
            legs.append(self.make_order(dict(request, client_order_id=str(uuid.uuid4())), "stop",
                                        exit_side, "held", None, request["stop_loss"]["stop_price"]))
        order["legs"] = legs or None
        self.orders.append(order)
        return order

    def expire(self, client_order_ids):
        for order in self.orders:
            if order.get("client_order_id") in client_order_ids and order["status"] in OPEN_STATUSES:
                for each in [order] + (order.get("legs") or []):
                    each["status"] = "expired"

    def list_orders(self, query):
        wanted = query.get("status", ["open"])[0]
        limit = int(query.get("limit", ["50"])[0])
        def matches(order):
            is_open = order["status"] in OPEN_STATUSES
            return wanted == "all" or (wanted == "open") == is_open
        return [order for order in self.orders if matches(order)][:limit]

    def cancel(self, order_id):
        for order in self.orders:
            if order["id"] == order_id:
                if order["status"] not in OPEN_STATUSES:
                    raise Rejection(422, 42210000, "order is not cancelable")
                for each in [order] + (order.get("legs") or []):
                    each["status"] = "canceled"
                return
        raise Rejection(404, 40410000, "order not found")

    # ---- bars -----------------------------------------------------------

    def bars_page(self, query):
        symbols = sorted(query["symbols"][0].split(","))
        start = parse_time(query["start"][0]) if "start" in query else None
        limit = min(int(query.get("limit", ["1000"])[0]), self.page_size)
        offset = int(query.get("page_token", ["0"])[0])
        flat = [(symbol, bar) for symbol in symbols for bar in self.bars.get(symbol, [])
                if start is None or parse_time(bar["t"]) >= start]
        page = {}
        for symbol, bar in flat[offset:offset + limit]:
            page.setdefault(symbol, []).append(bar)
        more = offset + limit < len(flat)
        return {"bars": page, "next_page_token": str(offset + limit) if more else None}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
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
            return 200, market.shaped(market.account)
        if path == "/v2/positions" and method == "GET":
            return 200, market.shaped(market.positions)
        if path == "/v2/clock" and method == "GET":
            return 200, market.clock
        if path == "/v2/orders" and method == "GET":
            return 200, market.shaped(market.list_orders(query))
        if path == "/v2/orders" and method == "POST":
            return 200, market.shaped(market.create_order(body))
        if path == "/v2/orders:by_client_order_id" and method == "GET":
            return 200, market.shaped(market.find_by_client_id(query.get("client_order_id", [""])[0]))
        if path.startswith("/v2/orders/") and method == "DELETE":
            market.cancel(path[len("/v2/orders/"):])
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
    Handler.market = Market(args)
    Handler.verbose = args.verbose
    server = Server(("127.0.0.1", args.port), Handler)
    print(server.server_address[1], flush=True)
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    threading.Timer(args.max_seconds, lambda: os._exit(0)).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
