"""market.py - everything the server knows: the raw objects a test sets,
the simulated account (book), bars, faults and the request log, and which
of them each endpoint serves (fake_alpaca.py documents the behaviour)."""

import threading
from datetime import date, datetime, timedelta, timezone

from . import clock, matching, rules
from .book import Book, working
from .common import OPEN_STATUSES, Rejection, num, parse_time, symbol_key

NUMERIC_FIELDS = {"qty", "filled_qty", "filled_avg_price", "limit_price", "stop_price", "cash",
                  "buying_power", "equity", "last_equity", "portfolio_value", "multiplier",
                  "avg_entry_price", "market_value", "cost_basis", "unrealized_pl",
                  "current_price", "qty_available", "long_market_value", "short_market_value",
                  "regt_buying_power", "daytrading_buying_power", "non_marginable_buying_power",
                  "unrealized_plpc", "notional", "price", "cum_qty", "leaves_qty"}

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


def bar_date(bar):
    return clock.new_york_date(parse_time(bar["t"]))


def as_list(value):
    return value if isinstance(value, list) else [value]


class Market:
    """Everything the server knows, behind one lock."""

    def __init__(self, key_id, secret_key):
        self.lock = threading.Lock()
        self.key_id, self.secret_key = key_id, secret_key
        self.reset()

    def reset(self):
        self.numbers = "strings"
        self.page_size = 10000
        self.account = dict(DEFAULT_ACCOUNT)
        self.clock = dict(DEFAULT_CLOCK)
        self.positions = None
        self.book = Book()
        self.wash_rule = "crossing"
        self.strict_rules = None
        self.bars = {}
        self.reveal_until = None
        self.faults = []
        self.faults_taken = {}
        self.requests = []
        self.rejections = []
        self.activities = []

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
        for order in command.get("orders", []):
            self.book.add_raw(order)
        self.activities.extend(command.get("activities", []))
        if "cash" in command:
            self.book.cash = float(command["cash"])
            self.book.last_equity = self.book.equity()
            self.account = None
        self.book.shorting_enabled = command.get("shorting_enabled", self.book.shorting_enabled)
        self.wash_rule = command.get("wash_rule", self.wash_rule)
        self.strict_rules = command.get("strict", self.strict_rules)
        if "set_time" in command:
            self.book.set_time(command["set_time"] and parse_time(command["set_time"]))
            self.clock = None
        for symbol, bars in command.get("bars", {}).items():
            self.bars[symbol] = list(bars)
        for symbol, shape in command.get("generate_bars", {}).items():
            self.generate_bars(symbol, shape)
        if "reveal_until" in command:
            until = command["reveal_until"]
            self.reveal_until = until and date.fromisoformat(until)
        for seed in as_list(command.get("seed_position", [])):
            self.book.seed_position(seed)
        self.expire(command.get("expire", []))
        for fill in as_list(command.get("fill", [])):
            self.fill(fill)
        for day in as_list(command.get("play_day", [])):
            self.play_day(date.fromisoformat(day))

    def snapshot(self):
        return {"requests": self.requests, "orders": self.book.orders, "faults": self.faults,
                "faults_taken": self.faults_taken, "positions": self.book.position_objects(),
                "account": self.book.account_object(self.last_price), "fills": self.book.fills,
                "rejections": self.rejections}

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

    # ---- what is served: raw objects, else the simulation --------------

    def served_account(self):
        return self.account if self.account is not None else self.book.account_object(self.last_price)

    def served_clock(self):
        if self.clock is not None:
            return self.clock
        return clock.clock_object(self.book.now or datetime.now(timezone.utc))

    def served_positions(self):
        return self.positions if self.positions is not None else self.book.position_objects()

    def served_position(self, symbol):
        for position in self.served_positions():
            if symbol_key(position.get("symbol", "")) == symbol_key(symbol):
                return position
        raise Rejection(404, 40410000, "position does not exist")

    def revealed(self, bar):
        return self.reveal_until is None or bar_date(bar) <= self.reveal_until

    def last_price(self, symbol):
        position = self.book.positions.get(symbol_key(symbol))
        if position:
            return position["current_price"]
        bars = [bar for name, series in self.bars.items() if symbol_key(name) == symbol_key(symbol)
                for bar in series if self.revealed(bar)]
        return float(max(bars, key=lambda bar: bar["t"])["c"]) if bars else None

    def position_of(self, symbol):
        """(signed qty, qty available to close) of the served position."""
        if self.positions is None:
            held = self.book.position_qty(symbol)
            return held, max(0.0, abs(held) - self.book.held_for_closing(symbol, held))
        for position in self.positions:
            if symbol_key(position.get("symbol", "")) == symbol_key(symbol):
                qty = abs(num(position.get("qty"), 0.0))
                held = -qty if position.get("side") == "short" else qty
                return held, abs(num(position.get("qty_available"), qty))
        return 0.0, 0.0

    # ---- orders ---------------------------------------------------------

    def strict(self):
        """Alpaca's rules on the simulated account; the old fake's few on a
        raw (or the canned) account, unless "strict" says otherwise."""
        return self.strict_rules if self.strict_rules is not None else self.account is None

    def check_alpaca_rules(self, request):
        rules.check_fields(request)
        rules.check_asset_class(request)
        rules.check_prices(request)
        rules.check_legs(request, self.last_price)
        held, available = self.position_of(request["symbol"])
        account = self.served_account()
        rules.check_position(request, held, available, account.get("shorting_enabled", True))
        rules.check_wash_trade(request, self.book, self.wash_rule)
        opening = held == 0 or (held > 0) == (request["side"] == "buy")
        power = num(account.get("buying_power"), float("inf"))
        rules.check_buying_power(opening, self.book.order_cost(request, self.last_price), power)

    def create_order(self, request):
        try:
            rules.check_shape(request, self.book)
            if self.strict():
                self.check_alpaca_rules(request)
            else:
                rules.check_simple_limits_wash_trade(request, self.book)
        except Rejection as rejection:
            self.rejections.append({"time": self.book.stamp(), "body": request, "status": rejection.status,
                                    "code": rejection.code, "message": rejection.message})
            raise
        return self.book.place(request)

    def find(self, order_id=None, client_order_id=None):
        order = self.book.find(order_id, client_order_id)
        if order is None:
            raise Rejection(404, 40410000, f"order not found for {client_order_id or order_id}")
        return order

    def expire(self, client_order_ids):
        for order in self.book.orders:
            if order.get("client_order_id") in client_order_ids and order["status"] in OPEN_STATUSES:
                self.book.close_order(order, "expired")

    def fill(self, command):
        order = self.find(command.get("id"), command.get("client_order_id"))
        if not working(order):
            raise Rejection(422, 42210000, "order is not working")
        self.book.fill(order, float(command["price"]))

    def cancel_all(self):
        canceled = [self.book.cancel(order["id"]) for order in list(self.book.all_orders())
                    if order.get("status") in OPEN_STATUSES]
        return [{"id": order["id"], "status": 200} for order in canceled]

    def play_day(self, day):
        bars_of_day = {symbol_key(symbol): bar for symbol, series in self.bars.items()
                       for bar in series if bar_date(bar) == day}
        matching.play_day(self.book, day, bars_of_day)

    # ---- bars -----------------------------------------------------------

    def bars_page(self, query):
        symbols = sorted(query["symbols"][0].split(","))
        start = parse_time(query["start"][0]) if "start" in query else None
        limit = min(int(query.get("limit", ["1000"])[0]), self.page_size)
        offset = int(query.get("page_token", ["0"])[0])
        flat = [(symbol, bar) for symbol in symbols for bar in self.bars.get(symbol, [])
                if (start is None or parse_time(bar["t"]) >= start) and self.revealed(bar)]
        page = {}
        for symbol, bar in flat[offset:offset + limit]:
            page.setdefault(symbol, []).append(bar)
        more = offset + limit < len(flat)
        return {"bars": page, "next_page_token": str(offset + limit) if more else None}
