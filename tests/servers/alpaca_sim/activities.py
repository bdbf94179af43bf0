"""activities.py - GET /v2/account/activities/FILL as Alpaca answers it: the
account's fills as trade activities ({id, activity_type "FILL",
transaction_time, type fill|partial_fill, price, qty, side, symbol,
leaves_qty, order_id, cum_qty, order_status}), the simulated book's fills
(whole, type "fill") followed by any raw activities a test added.

Query: direction asc|desc (default desc), page_size (default and most 100),
page_token (an activity id: asc starts right after it, desc ends right
before it; an unknown one is 422), after/until (RFC 3339, exclusive, on
transaction_time). Other activity types are 422 "invalid activity type"."""

import uuid

from .common import Rejection, parse_time

PAGE_SIZE = 100


def activity_id(index, fill):
    """Alpaca's "<YYYYMMDDHHMMSSmmm>::<uuid>", the same on every request."""
    moment = parse_time(fill["time"])
    digits = moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"
    key = "%d:%s" % (index, fill["id"])
    return f"{digits}::{uuid.uuid5(uuid.NAMESPACE_URL, key)}"


def fill_activity(index, fill):
    return {"id": activity_id(index, fill), "activity_type": "FILL",
            "transaction_time": fill["time"], "type": "fill", "price": fill["price"],
            "qty": fill["qty"], "side": fill["side"], "symbol": fill["symbol"],
            "leaves_qty": "0", "order_id": fill["id"], "cum_qty": fill["qty"],
            "order_status": "filled"}


def query_value(query, name, default):
    return query.get(name, [default])[0]


def list_fills(book, raw, activity_type, query):
    if activity_type != "FILL":
        raise Rejection(422, 40010001, f"invalid activity type: {activity_type}")
    activities = [fill_activity(i, fill) for i, fill in enumerate(book.fills)] + list(raw)
    activities.sort(key=lambda a: parse_time(a["transaction_time"]))
    after, until = query_value(query, "after", None), query_value(query, "until", None)
    after, until = after and parse_time(after), until and parse_time(until)
    chosen = [a for a in activities
              if (after is None or parse_time(a["transaction_time"]) > after)
              and (until is None or parse_time(a["transaction_time"]) < until)]
    if query_value(query, "direction", "desc") == "desc":
        chosen.reverse()
    token = query_value(query, "page_token", None)
    if token is not None:
        ids = [a["id"] for a in chosen]
        if token not in ids:
            raise Rejection(422, 40010001, "invalid page_token")
        chosen = chosen[ids.index(token) + 1:]
    try:
        size = min(int(query_value(query, "page_size", str(PAGE_SIZE))), PAGE_SIZE)
    except ValueError:
        raise Rejection(422, 40010001, "invalid page_size")
    return chosen[:size]
