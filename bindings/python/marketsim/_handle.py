"""The lifecycle every wrapped C object shares: an owned handle freed by
close(), at the end of a `with` block, or when the wrapper is collected,
and the rules for using it from several threads.

ctypes releases the GIL during every foreign call, so other threads run
Python, close() included, while a call is inside the library. Every call
therefore goes through use(), which counts it as in flight; close() stops
new uses (they raise ValueError), waits until none is in flight, and only
then frees the handle, so a handle is never freed under a running call.

Objects the C API documents as used by one thread at a time (a broker, a
trade result) set _exclusive: a use while another is in flight raises
marketsim.Error instead of entering the library twice at once. Objects C
allows to share (a model, a data source, a report) run their calls
concurrently. A close() from inside a call on the same object (an on_step
callback closing the broker of its own cycle) would wait for itself
forever, so it raises marketsim.Error instead."""
import contextlib
import ctypes
import threading

from .errors import Error, check, take_string

_INVALID_ARG = -1  # MS_ERR_INVALID_ARG


class Handle:
    """Subclasses set _free (the C function that frees the handle), _kind
    (the object's name in "the model is closed") and, when C says the
    object is used by one thread at a time, _exclusive."""

    _free = None
    _kind = "object"
    _exclusive = False
    _handle = None   # until __init__ runs: a failed open leaves nothing to free
    _state = None

    def __init__(self, handle):
        self._state = threading.Condition(threading.Lock())
        self._calls = {}   # thread id -> its calls in flight (nested uses count)
        self._closing = False
        self._handle = handle

    @property
    def handle(self):
        """The C handle as it is now, for reading in tests; ValueError once
        closed. Unguarded: close() does not wait for calls made through it,
        so the package's own calls go through use()."""
        if not self._handle:
            raise ValueError("the %s is closed" % self._kind)
        return self._handle

    @contextlib.contextmanager
    def use(self):
        """The C handle for the calls of a `with` block, which close() waits
        for. ValueError once closed (or closing); marketsim.Error when the
        object is _exclusive and another call is using it."""
        handle = self._enter()
        try:
            yield handle
        finally:
            self._leave()

    def _enter(self):
        with self._state:
            if not self._handle or self._closing:
                raise ValueError("the %s is closed" % self._kind)
            if self._exclusive and self._calls:
                raise Error(_INVALID_ARG, "the %s is in use by another call: it is used by one"
                            " thread at a time, not from several threads at once" % self._kind)
            me = threading.get_ident()
            self._calls[me] = self._calls.get(me, 0) + 1
            return self._handle

    def _leave(self):
        with self._state:
            me = threading.get_ident()
            self._calls[me] -= 1
            if not self._calls[me]:
                del self._calls[me]
            if not self._calls:
                self._state.notify_all()

    def _render(self, render):
        """The string `render(handle, &text)` writes for this object (an
        ms_..._to_json or _to_text), decoded and freed."""
        text = ctypes.c_void_p()
        with self.use() as handle:
            check(render(handle, ctypes.byref(text)))
        return take_string(text)

    def close(self):
        """Frees the C object once no call is using it; later uses raise
        ValueError. Idempotent; a second close() waits like the first."""
        if self._state is None:
            return
        with self._state:
            if threading.get_ident() in self._calls:
                raise Error(_INVALID_ARG, "the %s cannot be closed from inside a call that is"
                            " using it" % self._kind)
            self._closing = True
            while self._calls:
                self._state.wait()
            handle, self._handle = self._handle, None
            if handle:
                self._free(handle)
                self._after_close()

    def _after_close(self):
        """What a subclass frees along with its handle."""

    def _summary(self):
        """What repr() shows of an open object (a subclass says more)."""
        return "open"

    def __repr__(self):
        if not self._handle:
            return "<marketsim.%s (closed)>" % type(self).__name__
        try:
            return "<marketsim.%s %s>" % (type(self).__name__, self._summary())
        except (Error, ValueError):
            return "<marketsim.%s (closing)>" % type(self).__name__

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __del__(self):
        self.close()
