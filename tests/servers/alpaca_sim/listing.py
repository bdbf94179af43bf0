"""listing.py - GET /v2/orders as Alpaca answers it: status open|closed|all
(default open), limit (default 50, at most 500), after/until (exclusive, on
submitted_at), direction asc|desc (default desc), symbols, and nested.

nested=false lists every order, legs included, as its own object with
"legs": null, each filtered by its own status. nested=true lists parents
only, each with all its legs inside, filtered by the PARENT's status: the
working take-profit leg of a filled parent is not in status=open&nested=true."""

from datetime import datetime, timezone

from .common import OPEN_STATUSES, Rejection, parse_time, symbol_key

DEFAULT_LIMIT, MAX_LIMIT = 50, 500
NEVER = datetime.min.replace(tzinfo=timezone.utc)


def submitted(order):
    stamp = order.get("submitted_at") or order.get("created_at")
    return parse_time(stamp) if stamp else NEVER


def flat_view(order):
    return dict(order, legs=None)


def status_matches(order, wanted):
    is_open = order.get("status") in OPEN_STATUSES
    return wanted == "all" or (wanted == "open") == is_open


def query_value(query, name, default):
    return query.get(name, [default])[0]


def list_orders(book, query):
    wanted = query_value(query, "status", "open")
    if wanted not in ("open", "closed", "all"):
        raise Rejection(422, 40010001, "invalid status")
    try:
        limit = min(int(query_value(query, "limit", str(DEFAULT_LIMIT))), MAX_LIMIT)
    except ValueError:
        raise Rejection(422, 40010001, "invalid limit")
    nested = query_value(query, "nested", "false").lower() == "true"
    after, until = query_value(query, "after", None), query_value(query, "until", None)
    after, until = after and parse_time(after), until and parse_time(until)
    symbols = query_value(query, "symbols", "")
    keys = {symbol_key(s) for s in symbols.split(",") if s}
    candidates = book.orders if nested else list(book.all_orders())
    chosen = [order for order in candidates
              if status_matches(order, wanted)
              and (not keys or symbol_key(order.get("symbol", "")) in keys)
              and (after is None or submitted(order) > after)
              and (until is None or submitted(order) < until)]
    ranked = sorted(enumerate(chosen), key=lambda item: (submitted(item[1]), item[0]),
                    reverse=query_value(query, "direction", "desc") == "desc")
    return [order if nested else flat_view(order) for _, order in ranked[:limit]]
