"""matching.py - a day's prices played through the working orders.

Each symbol with a bar on the day walks open -> the extreme nearer the open
(ties: the low first) -> the other extreme -> close. A place on that walk is
a number: 0 is the open, k + f is the fraction f of the k-th leg of the walk.
Orders fill whole, the earliest place first (ties: submission order); a
parent's legs start working at the place their parent filled, so a take
profit can fill later on the same walk but never before its entry."""

from .book import working
from .common import EPSILON, num, symbol_key


def price_path(bar):
    opening, high, low, close = (float(bar[k]) for k in ("o", "h", "l", "c"))
    near_low = abs(opening - low) <= abs(opening - high)
    return [opening, low, high, close] if near_low else [opening, high, low, close]


def price_at(path, place):
    leg = min(int(place), len(path) - 2)
    start, end = path[leg], path[leg + 1]
    return start + (end - start) * (place - leg)


def reached(order, price, level_kind):
    """Whether `price` meets the order's limit (level_kind "limit") or stop."""
    buy = order.get("side") == "buy"
    if level_kind == "stop":
        level = num(order.get("stop_price"))
        return price >= level - EPSILON if buy else price <= level + EPSILON
    level = num(order.get("limit_price"))
    return price <= level + EPSILON if buy else price >= level - EPSILON


def first_touch(order, path, start, level_kind):
    """The first place at or after `start` where the price meets the order's
    level, with the price there: the level itself, or the price it started
    from when it was already through it. None when the walk never gets there."""
    price = price_at(path, start)
    if reached(order, price, level_kind):
        return start, price
    level = num(order.get("stop_price" if level_kind == "stop" else "limit_price"))
    for leg in range(int(start), len(path) - 1):
        begin = max(start, leg)
        low, high = sorted((price_at(path, begin), path[leg + 1]))
        if low - EPSILON <= level <= high + EPSILON and path[leg + 1] != path[leg]:
            place = leg + (level - path[leg]) / (path[leg + 1] - path[leg])
            return max(place, begin), level
    return None


def fill_point(order, path, start):
    kind = order.get("type")
    if kind == "market":
        return start, price_at(path, start)
    if kind == "limit":
        return first_touch(order, path, start, "limit")
    triggered = first_touch(order, path, start, "stop")
    if triggered is None or kind == "stop":
        return triggered
    return first_touch(order, path, triggered[0], "limit")    # stop_limit: a limit once triggered


def play_symbol(book, symbol, path):
    """Fills what the walk reaches, earliest first, until nothing more fills."""
    orders = {order["id"]: order for order in book.all_orders()
              if symbol_key(order.get("symbol", "")) == symbol}
    rank = {order_id: index for index, order_id in enumerate(orders)}
    start_of = {order_id: 0.0 for order_id, order in orders.items() if working(order)}
    while True:
        candidates = []
        for order_id, start in start_of.items():
            point = fill_point(orders[order_id], path, start) if working(orders[order_id]) else None
            if point is not None:
                candidates.append((point[0], rank[order_id], order_id, point[1]))
        if not candidates:
            return
        place, _, order_id, price = min(candidates)
        del start_of[order_id]
        book.fill(orders[order_id], price)
        for leg in orders[order_id].get("legs") or []:
            if working(leg):
                start_of[leg["id"]] = place


def play_day(book, day, bars_of_day):
    """Plays `day` (bars_of_day: symbol_key -> that day's bar), then expires
    the stocks' day orders still open and marks positions at the close. A
    stock without a bar that day had no session (a weekend or holiday): its
    day orders wait for the next one, as an order placed after Friday's
    close works on Monday."""
    for symbol, bar in sorted(bars_of_day.items()):
        play_symbol(book, symbol, price_path(bar))
    for order in list(book.all_orders()):
        if order.get("time_in_force") == "day" and order.get("asset_class") != "crypto" \
                and symbol_key(order["symbol"]) in bars_of_day \
                and order.get("status") in ("new", "held", "accepted", "pending_new", "partially_filled"):
            book.close_order(order, "expired")
        elif order.get("time_in_force") in ("ioc", "fok") and working(order):
            book.close_order(order, "canceled")
    for symbol, position in book.positions.items():
        if symbol in bars_of_day:
            position["current_price"] = float(bars_of_day[symbol]["c"])
    book.last_equity = book.equity()
