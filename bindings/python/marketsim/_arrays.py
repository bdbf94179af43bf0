"""Moving numbers between Python and C buffers. NumPy is optional: inputs
may be lists, tuples, NumPy arrays or pandas Series/DataFrames, and outputs
are NumPy arrays when NumPy can be imported, nested lists otherwise (tests
switch `numpy` to None to check the list path)."""
import ctypes

try:
    import numpy
except ImportError:
    numpy = None


def _is_sequence(value):
    return hasattr(value, "__len__") and not isinstance(value, (str, bytes))


def matrix(series):
    """A 1-D series (one variate) or 2-D one (variates x time) as a C
    double buffer, row-major, with its (variates, length)."""
    if hasattr(series, "to_numpy") and hasattr(series, "index"):
        # pandas: a Series is one variate; a DataFrame has time down its
        # rows and one column per variate, so it is transposed.
        values = series.to_numpy(dtype="float64")
        return _numpy_matrix(values.T if values.ndim == 2 else values)
    if numpy is not None and isinstance(series, numpy.ndarray):
        return _numpy_matrix(series)
    if not _is_sequence(series):
        series = list(series)
    nested = len(series) > 0 and _is_sequence(series[0])
    rows = [list(row) for row in series] if nested else [list(series)]
    length = len(rows[0]) if rows else 0
    if any(len(row) != length for row in rows):
        raise ValueError("every variate of a series must have the same length")
    flat = [float(value) for row in rows for value in row]
    return (ctypes.c_double * len(flat))(*flat), len(rows), length


def _numpy_matrix(series):
    # A C-ordered float64 copy the ctypes array shares without copying again
    # (and keeps alive: from_buffer holds a reference to it).
    values = numpy.array(series, dtype=numpy.float64, order="C")
    if values.ndim == 1:
        values = values.reshape(1, -1)
    if values.ndim != 2:
        raise ValueError("series must be 1-D or 2-D, got %d dimensions" % values.ndim)
    return (ctypes.c_double * values.size).from_buffer(values), values.shape[0], values.shape[1]


def doubles(values):
    """A flat sequence of numbers as a C double buffer."""
    flat = [float(value) for value in values]
    return (ctypes.c_double * len(flat))(*flat)


def shaped(buffer, shape, offset=0):
    """The values of `buffer` from `offset` as an array of `shape`:
    a NumPy copy, or nested lists."""
    count = 1
    for size in shape:
        count *= size
    if numpy is not None:
        return numpy.frombuffer(buffer, dtype=numpy.float64, count=count,
                                offset=offset * ctypes.sizeof(ctypes.c_double)).reshape(shape).copy()
    return _nest(list(buffer[offset:offset + count]), shape)


def _nest(flat, shape):
    if len(shape) == 1:
        return flat
    step = len(flat) // shape[0]
    return [_nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]
