"""marketsim.Model: a forecasting model (ms_model) and its forecasts."""
import ctypes
import json

from . import _api, _arrays
from ._handle import Handle
from ._api import lib
from .errors import check, encode


class Forecast:
    """One series' forecast. Arrays are variates x horizon:
    mean: the distribution's exact mean;
    quantiles: {level: variates x horizon};
    samples: samples x variates x horizon, or None without samples."""

    def __init__(self, mean, quantiles, samples):
        self.mean = mean
        self.quantiles = quantiles
        self.samples = samples

    def __repr__(self):
        return "Forecast(levels=%s, samples=%s)" % (
            sorted(self.quantiles), self.samples is not None)


class Model(Handle):
    """An open model. Use Model.open(); close() (or a with block) frees it.
    A model may be shared by threads, as in C: forecasts run concurrently,
    and close() waits for those in flight."""

    _free = staticmethod(lib.ms_model_free)
    _kind = "model"

    @classmethod
    def open(cls, path="baseline", device=None, threads=0, max_batch=0, precision=None):
        """Opens "baseline", "toto" or a Toto checkpoint directory.
        device: "cpu" (default) or "cuda"; threads: 0 = all cores;
        max_batch: contexts per forward pass, 0 = the library's default;
        precision: "fp32", "bf16" or "int8" for Toto's Linear layers, None =
        $MARKETSIM_PRECISION, else fp32.
        Raises marketsim.Error (e.g. status_name "not found", "unsupported"
        for bf16 on a CPU without AVX512_BF16 or AMX)."""
        options = _api.ModelOptions(_api.ModelOptions.VERSION, encode(device), threads, None,
                                    max_batch, 0, encode(precision))
        handle = ctypes.c_void_p()
        check(lib.ms_model_open(ctypes.byref(handle), encode(path), ctypes.byref(options)))
        return cls(handle)

    @property
    def name(self):
        """The model's kind: "baseline" or "toto"."""
        with self.use() as handle:
            return lib.ms_model_name(handle).decode()

    @property
    def precision(self):
        """What the model computes in: "fp32", "bf16" or "int8"."""
        with self.use() as handle:
            return lib.ms_model_precision(handle).decode()

    def warmup(self, context_length=512, batch_size=1):
        """Runs the model once on this shape so later calls skip first-call costs."""
        with self.use() as handle:
            check(lib.ms_model_warmup(handle, context_length, batch_size))

    def forecast(self, series, horizon, samples=0, quantiles=(0.1, 0.5, 0.9), seed=0):
        """Forecasts `horizon` steps of one series: 1-D (one variate) or
        2-D (variates x time), a list or a NumPy array, oldest first.
        `samples` > 0 draws sample paths (and takes quantiles from them);
        `seed` makes those draws reproducible."""
        values, variates, length = _arrays.matrix(series)
        levels = list(quantiles or ())
        cell = variates * horizon
        level_buffer = _arrays.doubles(levels)
        options = _api.ForecastOptions(1, horizon, samples, level_buffer, len(levels), None, 0)
        mean = (ctypes.c_double * cell)()
        quantile_out = (ctypes.c_double * (cell * len(levels)))()
        sample_out = (ctypes.c_double * (cell * samples))()
        output = _api.ForecastOutput(mean, quantile_out if levels else None, None,
                                     sample_out if samples else None)
        context = _api.Series(values, length, variates, seed)
        with self.use() as handle:
            check(lib.ms_model_forecast(handle, ctypes.byref(context), 1,
                                        ctypes.byref(options), ctypes.byref(output)))
        shape = (variates, horizon)
        return Forecast(
            _arrays.shaped(mean, shape),
            {level: _arrays.shaped(quantile_out, shape, q * cell) for q, level in enumerate(levels)},
            _arrays.shaped(sample_out, (samples,) + shape) if samples else None)

    def shape(self):
        """The shapes the model computes in (ms_model_get_shape): patch_size
        (0: no padding), single_pass_horizon (0: unlimited), max_batch."""
        shape = _api.ModelShape()
        with self.use() as handle:
            check(lib.ms_model_get_shape(handle, ctypes.byref(shape)))
        return {name: getattr(shape, name) for name, _ in _api.ModelShape._fields_}

    def stats(self):
        """Counters since the model was opened (ms_model_get_stats)."""
        stats = _api.ModelStats()
        with self.use() as handle:
            check(lib.ms_model_get_stats(handle, ctypes.byref(stats)))
        return {name: getattr(stats, name) for name, _ in _api.ModelStats._fields_}

    def describe(self):
        """The model's description (ms_model_describe) as a dict."""
        return json.loads(self._render(lib.ms_model_describe))
