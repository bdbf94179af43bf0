#!/usr/bin/env python3
"""Forecast one symbol: load a model, warm it up, and forecast the next
five daily percent changes of a price series, printed as prices with an
80% band.

Run from the repository root after `make`:
    PYTHONPATH=bindings/python python3 examples/python/forecast.py [MODEL]
MODEL is "baseline" (the default), "toto" or a Toto checkpoint directory.
"""
import sys

import marketsim

HORIZON = 5


def price_walk():
    """A deterministic price walk: any list (or NumPy array) of closes,
    oldest first, is forecast the same way."""
    closes, price = [], 100.0
    for day in range(300):
        price *= 1.0 + 0.01 * ((day * 7919) % 13 - 6) / 6.0
        closes.append(price)
    return closes


def main():
    model_path = sys.argv[1] if len(sys.argv) > 1 else "baseline"
    closes = price_walk()
    # Models forecast percent changes, as the analyzer feeds them: prices
    # themselves are not stationary.
    changes = [after / before - 1.0 for before, after in zip(closes, closes[1:])]
    # A with block frees the model (ms_model_free) even if the forecast fails.
    with marketsim.Model.open(model_path) as model:
        # Warming up on the real shape makes the first forecast as fast as later ones.
        model.warmup(context_length=len(changes), batch_size=1)
        forecast = model.forecast(changes, HORIZON, quantiles=(0.1, 0.9))
    # Outputs are variates x horizon: one variate here, so row 0. Each step
    # is relative to the step before it, so the mean path compounds.
    price = closes[-1]
    print("last close %.2f" % price)
    for step in range(HORIZON):
        low = price * (1.0 + forecast.quantiles[0.1][0][step])
        high = price * (1.0 + forecast.quantiles[0.9][0][step])
        price *= 1.0 + forecast.mean[0][step]
        print("day +%d: %.2f  (80%% of next moves: %.2f to %.2f)" % (step + 1, price, low, high))


if __name__ == "__main__":
    main()
