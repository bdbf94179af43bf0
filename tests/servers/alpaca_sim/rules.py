"""rules.py - what Alpaca refuses on POST /v2/orders, checked in the order
Alpaca reports them: the request's shape, crypto's and fractional orders'
limits, sub-penny prices, the legs' prices, the quantity a position has
free, wash trades, buying power. Each refusal is a Rejection with Alpaca's
HTTP status, code and message."""

from .book import order_price, working
from .common import EPSILON, Rejection, is_crypto, num, symbol_key, text

CRYPTO_TYPES = {"market", "limit", "stop_limit"}
CLIENT_ID_LIMIT = 48


def invalid(message):
    return Rejection(422, 42210000, message)


def forbidden(message):
    return Rejection(403, 40310000, message)


def check_shape(request, book):
    """Required fields and the client_order_id: checked in every mode."""
    for field in ("symbol", "qty", "side", "type", "time_in_force"):
        if field not in request:
            raise Rejection(422, 40010001, f"{field} is required")
    client_order_id = request.get("client_order_id")
    if client_order_id and len(client_order_id) > CLIENT_ID_LIMIT:
        raise Rejection(422, 40010001, "client_order_id must be no more than 48 characters")
    if client_order_id and book.find(client_order_id=client_order_id) is not None:
        raise Rejection(422, 40010001, "client_order_id must be unique")


def check_fields(request):
    if num(request["qty"], 0.0) <= 0:
        raise Rejection(422, 40010001, "qty must be > 0")
    kind = request["type"]
    if kind in ("limit", "stop_limit") and num(request.get("limit_price")) is None:
        raise Rejection(422, 40010001, "limit_price is required for limit orders")
    if kind in ("stop", "stop_limit") and num(request.get("stop_price")) is None:
        raise Rejection(422, 40010001, "stop_price is required for stop orders")


def check_asset_class(request):
    qty = num(request["qty"])
    if is_crypto(request["symbol"]):
        if (request.get("order_class") or "simple") != "simple":
            raise invalid("crypto orders support only the simple order class")
        if request["time_in_force"] not in ("gtc", "ioc"):
            raise invalid("invalid crypto time_in_force")
        if request["type"] not in CRYPTO_TYPES:
            raise invalid("invalid crypto order type")
    elif qty != int(qty) and (request["type"] != "market" or request["time_in_force"] != "day"):
        raise invalid("fractional orders must be market orders with day time_in_force")


def sub_penny(price):
    """Prices of a dollar or more in whole cents, below a dollar in 1/100 cents."""
    places = 2 if price >= 1 else 4
    return abs(round(price, places) - price) > EPSILON


def check_prices(request):
    if is_crypto(request["symbol"]):
        return
    prices = [request.get("limit_price"), request.get("stop_price"),
              (request.get("take_profit") or {}).get("limit_price"),
              (request.get("stop_loss") or {}).get("stop_price"),
              (request.get("stop_loss") or {}).get("limit_price")]
    if any(price is not None and sub_penny(num(price)) for price in prices):
        raise invalid("sub-penny increment does not fulfill minimum pricing criteria")


def check_legs(request, last_price):
    order_class = request.get("order_class") or "simple"
    take_profit, stop_loss = request.get("take_profit"), request.get("stop_loss")
    if order_class == "oto" and bool(take_profit) == bool(stop_loss):
        raise invalid("oto orders must have exactly one of take_profit or stop_loss")
    if order_class == "bracket" and not (take_profit and stop_loss):
        raise invalid("bracket orders must have both take_profit and stop_loss")
    if order_class not in ("oto", "bracket"):
        return
    base = order_price(request, last_price)
    buy = request["side"] == "buy"
    if take_profit and base is not None:
        target = num(take_profit["limit_price"])
        if buy and target < base + 0.01 - EPSILON:
            raise invalid("take_profit.limit_price must be > base_price + 0.01")
        if not buy and target > base - 0.01 + EPSILON:
            raise invalid("take_profit.limit_price must be < base_price - 0.01")
    if stop_loss and base is not None:
        stop = num(stop_loss["stop_price"])
        if buy and stop > base - 0.01 + EPSILON:
            raise invalid("stop_loss.stop_price must be <= base_price - 0.01")
        if not buy and stop < base + 0.01 - EPSILON:
            raise invalid("stop_loss.stop_price must be >= base_price + 0.01")


def check_position(request, held_qty, available, shorting_enabled):
    """A closing order fits in what the position has free and does not flip
    it; a sell without a long opens a short (stocks, whole shares) or is refused."""
    qty, buy = num(request["qty"]), request["side"] == "buy"
    closing = (held_qty > 0 and not buy) or (held_qty < 0 and buy)
    crypto = is_crypto(request["symbol"])
    if crypto and not buy and qty > available + EPSILON:
        coin = request["symbol"].split("/")[0]
        raise forbidden(f"insufficient balance for {coin} (requested: {text(qty)}, "
                        f"available: {text(available if held_qty > 0 else 0)})")
    if closing and qty > available + EPSILON:
        raise forbidden(f"insufficient qty available for order (requested: {text(qty)}, "
                        f"available: {text(available)})")
    if not buy and held_qty <= 0 and not crypto:
        if qty != int(qty):
            raise invalid("fractional orders cannot be sold short")
        if not shorting_enabled:
            raise forbidden(f"insufficient qty available for order (requested: {text(qty)}, available: 0)")


def crosses(new, resting, rule):
    """Whether two opposite orders could trade with each other (Alpaca's
    rule, "crossing"). A stop acts as the market order it becomes; a stop
    limit as its limit. Under the "opposite" rule any two opposite working
    orders do."""
    if rule == "opposite":
        return True
    def price(order):
        return None if order.get("type") in ("market", "stop") else num(order.get("limit_price"))
    new_price, resting_price = price(new), price(resting)
    if new_price is None or resting_price is None:
        return True
    return new_price >= resting_price if new["side"] == "buy" else new_price <= resting_price


def check_wash_trade(request, book, rule):
    for resting in book.all_orders():
        if (working(resting) and resting.get("side") != request["side"]
                and symbol_key(resting.get("symbol", "")) == symbol_key(request["symbol"])
                and crosses(request, resting, rule)):
            raise forbidden("potential wash trade detected. use complex orders")


def check_simple_limits_wash_trade(request, book):
    """The old fake's one rule: opposite open simple limit orders."""
    if (request.get("order_class") or "simple") != "simple" or request["type"] != "limit":
        return
    for resting in book.orders:
        if (resting.get("symbol") == request["symbol"] and resting.get("side") != request["side"]
                and resting.get("type") == "limit" and (resting.get("order_class") or "simple") == "simple"
                and working(resting)):
            raise forbidden("potential wash trade detected. use complex orders")


def check_buying_power(opening, cost, buying_power):
    if opening and cost > buying_power + EPSILON:
        raise forbidden("insufficient buying power")
