"""book.py - the simulated account: orders (parents with their legs), the
positions and cash that fills change, the fills, and the account and
position objects Alpaca would answer with."""

import uuid
from datetime import datetime, timedelta, timezone

from .common import (EPSILON, OPEN_STATUSES, Rejection, is_crypto, num, symbol_key, text,
                     time_text)

STARTING_CASH = 100000.0


def working(order):
    """Open and able to trade now: a held leg waits for its parent."""
    return order.get("status") in OPEN_STATUSES and order.get("status") != "held"


def order_price(order, last_price):
    """The price an order (or request) is valued at: its limit, else its
    stop, else the symbol's last price (None when there is none)."""
    return num(order.get("limit_price")) or num(order.get("stop_price")) or last_price(order["symbol"])


def side_sign(order):
    return 1 if order.get("side") == "buy" else -1


class Book:
    def __init__(self):
        self.orders = []          # top level, in submission order; legs inside "legs"
        self.parent_of = {}       # leg id -> its parent order
        self.positions = {}       # symbol_key -> {symbol, asset_class, qty, avg_entry_price, current_price}
        self.cash = STARTING_CASH
        self.last_equity = STARTING_CASH
        self.shorting_enabled = True
        self.fills = []
        self.now = None           # the set clock (aware datetime), None: wall time
        self.last_stamp = None

    # ---- time -----------------------------------------------------------

    def set_time(self, moment):
        """Stamps follow the set clock from now on. They stay distinct while
        it moves forward or is set again to the same time; leaving wall
        time or moving back starts them afresh."""
        if self.now is None or moment is None or moment < self.now:
            self.last_stamp = None
        self.now = moment

    def stamp(self):
        """The server's now, strictly later than the previous stamp, so that
        orders submitted at one set time still sort by submission."""
        moment = self.now or datetime.now(timezone.utc)
        if self.last_stamp is not None and moment <= self.last_stamp:
            moment = self.last_stamp + timedelta(microseconds=1)
        self.last_stamp = moment
        return time_text(moment)

    # ---- orders ---------------------------------------------------------

    def all_orders(self):
        """Every order, each parent followed by its legs (submission order)."""
        for order in self.orders:
            yield order
            yield from order.get("legs") or []

    def find(self, order_id=None, client_order_id=None):
        for order in self.all_orders():
            if (order_id is not None and order.get("id") == order_id) or \
                    (client_order_id is not None and order.get("client_order_id") == client_order_id):
                return order
        return None

    def add_raw(self, order):
        self.orders.append(order)
        for leg in order.get("legs") or []:
            self.parent_of[leg.get("id")] = order

    def new_order(self, request, order_type, side, status, limit_price=None, stop_price=None,
                  client_order_id=None):
        stamp = self.stamp()
        return {
            "id": str(uuid.uuid4()), "client_order_id": client_order_id or str(uuid.uuid4()),
            "created_at": stamp, "updated_at": stamp, "submitted_at": stamp, "filled_at": None,
            "expired_at": None, "canceled_at": None, "failed_at": None, "replaced_at": None,
            "replaced_by": None, "replaces": None, "asset_id": str(uuid.uuid5(uuid.NAMESPACE_DNS, request["symbol"])),
            "asset_class": "crypto" if is_crypto(request["symbol"]) else "us_equity",
            "symbol": request["symbol"], "notional": None, "qty": str(request["qty"]),
            "filled_qty": "0", "filled_avg_price": None,
            "order_class": request.get("order_class") or "simple", "type": order_type,
            "side": side, "time_in_force": request["time_in_force"], "limit_price": limit_price,
            "stop_price": stop_price, "status": status, "extended_hours": False, "legs": None,
        }

    def place(self, request):
        """Creates an order (and its held legs) from an accepted request."""
        order = self.new_order(request, request["type"], request["side"], "new",
                               request.get("limit_price"), request.get("stop_price"),
                               request.get("client_order_id"))
        exit_side = "sell" if request["side"] == "buy" else "buy"
        legs = []
        if order["order_class"] in ("oto", "bracket") and request.get("take_profit"):
            legs.append(self.new_order(request, "limit", exit_side, "held",
                                       request["take_profit"]["limit_price"]))
        if order["order_class"] in ("oto", "bracket") and request.get("stop_loss"):
            stop_loss = request["stop_loss"]
            legs.append(self.new_order(request, "stop_limit" if stop_loss.get("limit_price") else "stop",
                                       exit_side, "held", stop_loss.get("limit_price"),
                                       stop_loss["stop_price"]))
        order["legs"] = legs or None
        self.add_raw(order)
        return order

    def close_order(self, order, status):
        """Ends an open order (canceled, expired) with its open legs."""
        stamp = self.stamp()
        for each in [order] + (order.get("legs") or []):
            if each.get("status") in OPEN_STATUSES:
                each["status"], each["updated_at"] = status, stamp
                each[f"{status}_at"] = stamp

    def cancel(self, order_id):
        order = self.find(order_id=order_id)
        if order is None:
            raise Rejection(404, 40410000, "order not found")
        if order.get("status") not in OPEN_STATUSES:
            raise Rejection(422, 42210000, "order is not cancelable")
        self.close_order(order, "canceled")
        return order

    def fill(self, order, price):
        """Fills an order whole at `price`: its legs start working, a leg's
        siblings are canceled (one cancels the other), the position and cash move."""
        stamp = self.stamp()
        qty = num(order["qty"])
        order.update(status="filled", filled_qty=order["qty"], filled_avg_price=text(price),
                     filled_at=stamp, updated_at=stamp)
        for leg in order.get("legs") or []:
            if leg.get("status") == "held":
                leg.update(status="new", updated_at=stamp)
        parent = self.parent_of.get(order.get("id"))
        for sibling in (parent.get("legs") or []) if parent else []:
            if sibling is not order and sibling.get("status") in OPEN_STATUSES:
                self.close_order(sibling, "canceled")
        self.move_position(order["symbol"], side_sign(order) * qty, price)
        self.cash -= side_sign(order) * qty * price
        self.fills.append({"time": stamp, "id": order["id"], "client_order_id": order.get("client_order_id"),
                           "symbol": order["symbol"], "side": order["side"], "qty": order["qty"],
                           "price": text(price)})

    # ---- positions ------------------------------------------------------

    def move_position(self, symbol, change, price):
        key = symbol_key(symbol)
        position = self.positions.setdefault(key, {
            "symbol": key, "asset_class": "crypto" if is_crypto(symbol) else "us_equity",
            "qty": 0.0, "avg_entry_price": price, "current_price": price})
        held = position["qty"]
        if held * change >= 0:
            total = abs(held) + abs(change)
            position["avg_entry_price"] = (abs(held) * position["avg_entry_price"] + abs(change) * price) / total
        elif abs(change) > abs(held) + EPSILON:
            position["avg_entry_price"] = price          # through zero: the rest opens at the fill
        position["qty"] = held + change
        position["current_price"] = price
        if abs(position["qty"]) < EPSILON:
            del self.positions[key]

    def seed_position(self, seed):
        """A position made outside marketsim: nothing else changes."""
        key = symbol_key(seed["symbol"])
        price = num(seed.get("avg_entry_price"), 0.0)
        self.positions[key] = {
            "symbol": key, "qty": num(seed["qty"]), "avg_entry_price": price,
            "asset_class": seed.get("asset_class") or ("crypto" if is_crypto(seed["symbol"]) else "us_equity"),
            "current_price": num(seed.get("current_price"), price)}

    def position_qty(self, symbol):
        position = self.positions.get(symbol_key(symbol))
        return position["qty"] if position else 0.0

    def held_for_closing(self, symbol, qty):
        """Quantity that working orders on the closing side of a position of
        `qty` already hold (held legs hold nothing: their shares do not exist yet)."""
        closing = "sell" if qty > 0 else "buy"
        return sum(num(order["qty"], 0.0) for order in self.all_orders()
                   if working(order) and order.get("side") == closing
                   and symbol_key(order.get("symbol", "")) == symbol_key(symbol))

    def position_objects(self):
        result = []
        for key in sorted(self.positions):
            position = self.positions[key]
            qty, price, entry = position["qty"], position["current_price"], position["avg_entry_price"]
            available = max(0.0, abs(qty) - self.held_for_closing(key, qty))
            result.append({
                "asset_id": str(uuid.uuid5(uuid.NAMESPACE_DNS, key)), "symbol": key,
                "exchange": "CRYPTO" if position["asset_class"] == "crypto" else "NASDAQ",
                "asset_class": position["asset_class"], "qty": text(qty),
                "side": "long" if qty > 0 else "short", "avg_entry_price": text(entry),
                "market_value": text(qty * price), "cost_basis": text(qty * entry),
                "unrealized_pl": text((price - entry) * qty),
                "unrealized_plpc": text((price - entry) / entry * (1 if qty > 0 else -1)) if entry else "0",
                "current_price": text(price), "qty_available": text(available if qty > 0 else -available),
            })
        return result

    # ---- money ----------------------------------------------------------

    def market_values(self):
        values = [position["qty"] * position["current_price"] for position in self.positions.values()]
        return sum(v for v in values if v > 0), sum(v for v in values if v < 0)

    def equity(self):
        long_value, short_value = self.market_values()
        return self.cash + long_value + short_value

    def opening(self, order):
        """Whether an order adds to (or opens) its symbol's position."""
        held = self.position_qty(order.get("symbol", ""))
        return held == 0 or (held > 0) == (order.get("side") == "buy")

    def order_cost(self, order, last_price):
        return num(order.get("qty"), 0.0) * (order_price(order, last_price) or 0.0)

    def buying_power(self, last_price):
        """2 x equity - gross market value - the cost of working opening orders."""
        long_value, short_value = self.market_values()
        reserved = sum(self.order_cost(order, last_price) for order in self.all_orders()
                       if working(order) and self.opening(order))
        return max(0.0, 2 * self.equity() - (long_value - short_value) - reserved)

    def account_object(self, last_price):
        long_value, short_value = self.market_values()
        equity, power = self.equity(), self.buying_power(last_price)
        return {
            "id": "fa11ca7e-0000-4000-8000-000000000001", "account_number": "PA0FAKE00001",
            "status": "ACTIVE", "crypto_status": "ACTIVE", "currency": "USD",
            "cash": text(self.cash), "buying_power": text(power), "regt_buying_power": text(power),
            "daytrading_buying_power": "0", "non_marginable_buying_power": text(max(0.0, self.cash)),
            "equity": text(equity), "last_equity": text(self.last_equity),
            "portfolio_value": text(equity), "long_market_value": text(long_value),
            "short_market_value": text(short_value), "multiplier": "2",
            "pattern_day_trader": False, "trading_blocked": False, "transfers_blocked": False,
            "account_blocked": False, "shorting_enabled": self.shorting_enabled, "daytrade_count": 0,
        }
