"""common.py - what every part of the simulated account shares: Alpaca's
error answer, order statuses, symbols and number/time formats."""

from datetime import datetime, timezone

# Statuses of an order that is not final (Alpaca's status=open). "held" is a
# leg waiting for its parent; it is open but works (and holds) nothing.
OPEN_STATUSES = {"new", "accepted", "pending_new", "accepted_for_bidding", "partially_filled",
                 "held", "done_for_day", "pending_cancel", "pending_replace"}

EPSILON = 1e-9


class Rejection(Exception):
    """An Alpaca error answer: HTTP status, Alpaca code, message."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def is_crypto(symbol):
    return "/" in symbol


def symbol_key(symbol):
    """One spelling per instrument: positions say "BTCUSD" where orders and
    bars say "BTC/USD"."""
    return symbol.replace("/", "")


def num(value, default=None):
    """A quantity or price sent as a string or a number; default when absent."""
    if value is None or value == "":
        return default
    return float(value)


def text(value):
    """A number as Alpaca writes it: a string without trailing zeros."""
    if value is None:
        return None
    formatted = f"{value:.10f}".rstrip("0").rstrip(".")
    return "0" if formatted in ("", "-0") else formatted


def parse_time(value):
    """An RFC 3339 time (Z or an offset, up to nanoseconds) as an aware datetime."""
    value = value.replace("Z", "+00:00")
    if "." in value:
        head, rest = value.split(".", 1)
        cut = next((i for i, c in enumerate(rest) if not c.isdigit()), len(rest))
        value = f"{head}.{rest[:cut][:6].ljust(6, '0')}{rest[cut:]}"
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def time_text(moment):
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
