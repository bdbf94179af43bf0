#!/usr/bin/env python3
"""Batch analysis of a symbol list: backtest every strategy on each symbol
of the built-in synthetic market and print the ranking and the picks.

Run from the repository root after `make`:
    PYTHONPATH=bindings/python python3 examples/python/analyze.py [SYMBOL ...]
"""
import sys

import marketsim


def main():
    symbols = sys.argv[1:] or ["AAPL", "MSFT", "NVDA", "SPY", "BTCUSD", "ETHUSD"]
    # Fewer simulations than the default 70 keep the example quick; the seed
    # makes the run reproducible.
    with marketsim.analyze(symbols, data="synthetic", simulations=10, seed=1) as report:
        print("%-8s %-20s %10s %8s" % ("symbol", "best strategy", "score", "side"))
        # report.symbols is already ranked by composite score.
        for symbol in report.symbols:
            print("%-8s %-20s %10.5f %8s" % (symbol["symbol"], symbol["best_strategy"],
                                             symbol["composite_score"], symbol["side"]))
        for error in report.errors:
            print("failed: %s" % error)
        print("picks: " + (", ".join("%s %s" % (p["side"], p["symbol"]) for p in report.picks)
                           or "none"))


if __name__ == "__main__":
    main()
