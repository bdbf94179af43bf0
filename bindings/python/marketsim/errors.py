"""marketsim.Error: every failing C call surfaces as one exception type
carrying the library's status code, its short name and ms_last_error().
Also the one place strings cross between Python and the library."""
import ctypes
import numbers

from ._api import lib

_INVALID_ARG = -1  # MS_ERR_INVALID_ARG


class Error(Exception):
    """A libmarketsim call failed.

    status: the negative ms_status code (e.g. -6);
    status_name: its name from ms_status_str (e.g. "not found");
    message: ms_last_error() at the time of the failure.
    """

    def __init__(self, status, message):
        self.status = status
        self.status_name = lib.ms_status_str(status).decode()
        self.message = message
        super().__init__("%s: %s" % (self.status_name, message))


class ArgumentError(Error, ValueError):
    """An argument the bindings refuse before calling C (a count of 0, a
    negative seed, a quantile outside (0, 1)): a marketsim.Error with the
    status "invalid argument" that is also a ValueError, so either except
    clause catches it. Nothing is ever silently replaced by a default."""

    def __init__(self, message: str):
        super().__init__(_INVALID_ARG, message)


def count(name, value, minimum=1, optional=True):
    """An integer argument >= minimum (None allowed when optional): the
    value, or ArgumentError saying what was wrong."""
    if value is None and optional:
        return None
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ArgumentError("%s must be an integer >= %d%s, got %r"
                            % (name, minimum, " (or None for the default)" if optional else "",
                               value))
    return int(value)


def check(status):
    """Raises Error for a non-OK status. The message is read at once: the
    next failing call on this thread replaces it."""
    if status != 0:
        raise Error(status, lib.ms_last_error().decode(errors="replace"))


def take_string(pointer):
    """Decodes a string the library allocated for the caller, then frees it
    with ms_free (the library's allocator, not Python's)."""
    try:
        return ctypes.string_at(pointer).decode()
    finally:
        lib.ms_free(pointer)


def encode(text):
    """A Python string as the library's NUL-terminated UTF-8; None stays NULL."""
    return text.encode() if text is not None else None
