"""libmarketsim's log lines, routed to Python's logging: the logger
"marketsim" gets each line at its level (debug, info, warning, error).
Installed when the package is imported. The level the library logs at
comes from MARKETSIM_LOG as for the CLI (warn by default), or
marketsim.set_log_level; with no handler configured, Python's last-resort
handler prints warnings and errors to stderr, as the library did.

Threads: the library calls back from whichever thread logs, the C worker
threads of an analysis included. ctypes gives such a thread a Python
thread state and the GIL for the call (every library call made through
ctypes.CDLL releases the GIL, so a worker never waits on a caller that
holds it), and the library makes the calls one at a time. An exception
cannot propagate into C, so _forward never lets one out. At exit the
sink is removed first: a C thread still logging then writes to stderr
instead of calling into an interpreter that is shutting down.
"""
import atexit
import logging

from ._api import LOG_FN, lib

logger = logging.getLogger("marketsim")

_LEVELS = {0: logging.DEBUG, 1: logging.INFO, 2: logging.WARNING, 3: logging.ERROR}
_NAMES = {"debug": 0, "info": 1, "warning": 2, "warn": 2, "error": 3}


def _forward(level, message, _user_data):
    try:
        logger.log(_LEVELS.get(level, logging.ERROR), "%s",
                   message.decode("utf-8", "replace"))
    except Exception:  # pylint: disable=broad-except
        pass


# Referenced for as long as the library may call it: the module lives until exit.
_callback = LOG_FN(_forward)


def set_log_level(level: str) -> None:
    """Sets the level the library logs at: "debug", "info", "warning" or
    "error" (the logger's own level filters further)."""
    try:
        lib.ms_log_set_level(_NAMES[level.lower()])
    except (KeyError, AttributeError):
        raise ValueError("log level must be debug, info, warning or error, got %r"
                         % (level,)) from None


def install():
    """Takes MARKETSIM_LOG and routes the lines to the "marketsim" logger."""
    if lib.ms_log_level_from_env() != 0:
        logger.warning("%s", lib.ms_last_error().decode())
    lib.ms_log_set(_callback, None)
    atexit.register(lib.ms_log_set, LOG_FN(), None)  # LOG_FN(): a NULL ms_log_fn
