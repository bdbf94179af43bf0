"""marketsim.Error: every failing C call surfaces as one exception type
carrying the library's status code, its short name and ms_last_error().
Also the one place strings cross between Python and the library."""
import ctypes

from ._api import lib


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
