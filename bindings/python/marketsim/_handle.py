"""The lifecycle every wrapped C object shares: an owned handle freed by
close(), at the end of a `with` block, or when the wrapper is collected."""


class Handle:
    """Subclasses set _free (the C function that frees the handle) and
    _kind (the object's name in "the model is closed")."""

    _free = None
    _kind = "object"
    _handle = None   # until __init__ runs: a failed open leaves nothing to free

    def __init__(self, handle):
        self._handle = handle

    @property
    def handle(self):
        """The C handle; ValueError once closed."""
        if not self._handle:
            raise ValueError("the %s is closed" % self._kind)
        return self._handle

    def close(self):
        """Frees the C object; later calls raise ValueError. Idempotent."""
        if self._handle:
            self._free(self._handle)
            self._handle = None
            self._after_close()

    def _after_close(self):
        """What a subclass frees along with its handle."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __del__(self):
        self.close()
