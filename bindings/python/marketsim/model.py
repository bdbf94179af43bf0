"""marketsim.Model: a forecasting model (ms_model) and its forecasts."""
import ctypes
import json
import os
from typing import Dict, Optional, Sequence

from . import _api, _arrays, _frames, bar_forecast
from ._handle import Handle
from ._api import lib
from .errors import ArgumentError, check, count, encode


# The libtorch plugin the CLI's MARKETSIM_TORCH_PLUGIN names: the library
# reads no environment unless asked, so the bindings ask, as the CLI does.
if os.environ.get("MARKETSIM_TORCH_PLUGIN"):
    check(lib.ms_model_set_plugin(encode(os.environ["MARKETSIM_TORCH_PLUGIN"])))


class Forecast:
    """One series' forecast. Arrays are variates x horizon (NumPy arrays
    when NumPy is installed, nested lists otherwise):
    mean: the distribution's exact mean;
    quantiles: {level: variates x horizon};
    samples: samples x variates x horizon, or None without samples;
    index: the horizon's dates when the input was a pandas object indexed
    by date (its frequency continued), else None.
    to_dataframe() lays one variate out as a pandas DataFrame."""

    def __init__(self, mean, quantiles, samples, index=None):
        self.mean = mean
        self.quantiles = quantiles
        self.samples = samples
        self.index = index

    @property
    def horizon(self) -> int:
        return len(self.mean[0]) if len(self.mean) else 0

    def to_dataframe(self, variate: int = 0):
        """One variate's forecast as a pandas DataFrame: a row per step
        (indexed by date when `index` is known, else by step 1..horizon),
        columns "mean" and "q0.1", "q0.5", ... Needs pandas."""
        pandas = _frames.require("Forecast.to_dataframe()")
        columns = {"mean": list(self.mean[variate])}
        for level in sorted(self.quantiles):
            columns["q%g" % level] = list(self.quantiles[level][variate])
        index = self.index if self.index is not None else \
            pandas.RangeIndex(1, self.horizon + 1, name="step")
        return pandas.DataFrame(columns, index=index)

    def __repr__(self):
        return "Forecast(variates=%d, horizon=%d, levels=%s, samples=%s%s)" % (
            len(self.mean), self.horizon, sorted(self.quantiles),
            len(self.samples) if self.samples is not None else None,
            ", from %s" % self.index[0].date() if self.index is not None else "")


class Model(Handle):
    """An open model. Use Model.open(); close() (or a with block) frees it.
    A model may be shared by threads, as in C: forecasts run concurrently,
    and close() waits for those in flight."""

    _free = staticmethod(lib.ms_model_free)
    _kind = "model"

    @classmethod
    def open(cls, path: str = "baseline", device: Optional[str] = None, threads: int = 0,
             max_batch: int = 0, precision: Optional[str] = None) -> "Model":
        """Opens "baseline", "toto", a Toto checkpoint directory, or a Kronos
        pair ("kronos-mini", "kronos-small", "kronos-base" or a directory
        holding tokenizer/ and model/; Kronos predicts bars: forecast_bars).
        device: "cpu" (default) or "cuda"; threads: 0 = all cores;
        max_batch: contexts per forward pass, 0 = the library's default;
        precision: "fp32", "bf16" or "int8" for Toto's Linear layers, None =
        $MARKETSIM_PRECISION, else fp32. "toto" and the Kronos names are
        looked up as the CLI does: $MARKETSIM_TOTO_DIR, $MARKETSIM_KRONOS_DIR,
        then the Hugging Face cache ($HF_HOME or ~/.cache/huggingface).
        Raises marketsim.Error (e.g. status_name "not found", "unsupported"
        for bf16 on a CPU without AVX512_BF16 or AMX); a negative count
        raises marketsim.ArgumentError (also a ValueError)."""
        threads = count("threads", threads, minimum=0, optional=False)
        max_batch = count("max_batch", max_batch, minimum=0, optional=False)
        options = _api.init(_api.ModelOptions, device=encode(device), num_threads=threads,
                            max_batch=max_batch, precision=encode(precision))
        # The bindings opt in to the environment, as the CLI does.
        check(lib.ms_model_options_from_env(ctypes.byref(options)))
        handle = ctypes.c_void_p()
        check(lib.ms_model_open(ctypes.byref(handle), encode(path), ctypes.byref(options)))
        return cls(handle)

    @property
    def name(self) -> str:
        """The model's kind: "baseline", "toto" or "kronos"."""
        with self.use() as handle:
            return lib.ms_model_name(handle).decode()

    @property
    def precision(self) -> str:
        """What the model computes in: "fp32", "bf16" or "int8"."""
        with self.use() as handle:
            return lib.ms_model_precision(handle).decode()

    def _summary(self):
        return self.name

    def warmup(self, context_length: int = 512, batch_size: int = 1) -> None:
        """Runs the model once on this shape so later calls skip first-call costs."""
        context_length = count("context_length", context_length, optional=False)
        batch_size = count("batch_size", batch_size, optional=False)
        with self.use() as handle:
            check(lib.ms_model_warmup(handle, context_length, batch_size))

    def forecast(self, series, horizon: int, samples: int = 0,
                 quantiles: Sequence[float] = (0.1, 0.5, 0.9), seed: int = 0) -> Forecast:
        """Forecasts `horizon` steps of one series, oldest first: 1-D (one
        variate: a list, tuple, NumPy array or pandas Series) or 2-D
        (variates x time as nested lists or an array; a pandas DataFrame
        has time down its rows, a column per variate). A pandas object
        indexed by date gives the forecast the following dates (index).
        `samples` > 0 draws sample paths (and takes quantiles from them);
        `seed` makes those draws reproducible. A bad argument raises
        marketsim.ArgumentError (also a ValueError)."""
        horizon = count("horizon", horizon, optional=False)
        samples = count("samples", samples, minimum=0, optional=False)
        seed = count("seed", seed, minimum=0, optional=False)
        levels = [float(level) for level in (quantiles or ())]
        if any(not 0 < level < 1 for level in levels):
            raise ArgumentError("quantiles must be levels in (0, 1), got %r" % (levels,))
        values, variates, length = _arrays.matrix(series)
        if length == 0:
            raise ArgumentError("the series is empty")
        cell = variates * horizon
        level_buffer = _arrays.doubles(levels)
        options = _api.init(_api.ForecastOptions, horizon=horizon, num_samples=samples,
                            quantiles=level_buffer, num_quantiles=len(levels))
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
        index = _frames.future_index(series.index, horizon) if _frames.is_pandas(series) else None
        return Forecast(
            _arrays.shaped(mean, shape),
            {level: _arrays.shaped(quantile_out, shape, q * cell) for q, level in enumerate(levels)},
            _arrays.shaped(sample_out, (samples,) + shape) if samples else None, index)

    def shape(self) -> Dict[str, int]:
        """The shapes the model computes in (ms_model_get_shape): patch_size
        (0: no padding), single_pass_horizon (0: unlimited), max_batch."""
        shape = _api.ModelShape()
        with self.use() as handle:
            check(lib.ms_model_get_shape(handle, ctypes.byref(shape)))
        return {name: getattr(shape, name) for name in _api.field_names(_api.ModelShape)}

    def stats(self) -> Dict[str, float]:
        """Counters since the model was opened (ms_model_get_stats)."""
        stats = _api.ModelStats()
        with self.use() as handle:
            check(lib.ms_model_get_stats(handle, ctypes.byref(stats)))
        return {name: getattr(stats, name) for name in _api.field_names(_api.ModelStats)}

    def describe(self) -> dict:
        """The model's description (ms_model_describe) as a dict."""
        return json.loads(self._render(lib.ms_model_describe))

    def forecast_bars(self, bars, future_timestamps: Optional[Sequence] = None,
                      horizon: Optional[int] = None, context_length: int = 0,
                      samples: int = 1, temperature: float = 1.0, top_k: int = 0,
                      top_p: float = 0.9, seed: int = 0,
                      aggregate: str = "mean") -> Dict[str, list]:
        """Predicts whole bars with a bar model (Kronos): `bars` is a dict
        (or pandas DataFrame indexed by time) with "timestamps" and
        "open", "high", "low", "close" columns, "volume" and "amount"
        optional (no volume: volume = amount = 0; no amount: volume x
        mean price, as the official predictor fills them). Times are UTC
        seconds, ISO strings or datetimes. The bars to predict are at
        `future_timestamps`, or the `horizon` next ones of the bars'
        calendar (marketsim.bar_forecast.next_times). context_length is the
        predictor's window (0 = the model's); samples paths are averaged
        with temperature, top_k (> 0 ignores top_p) and top_p; seed picks
        the random stream; aggregate summarises the paths per field and step
        ("mean", the official average; "median", "quantile_Q",
        "trimmed_mean_X"). Returns {"timestamps": [datetime],
        "open": [...], ..., "amount": [...]}. Raises marketsim.Error
        ("unsupported" for a series model; "invalid argument" naming the
        column and bar of a NaN or negative value)."""
        with self.use() as handle:
            return bar_forecast.forecast_bars(handle, bars, future_timestamps, horizon,
                                              context_length, samples, temperature, top_k,
                                              top_p, seed, aggregate)
