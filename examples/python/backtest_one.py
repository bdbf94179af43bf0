#!/usr/bin/env python3
"""One strategy on one CSV: analyse a single symbol from a CSV file and
print that strategy's backtest results and the metrics of its returns
across the simulations.

Run from the repository root after `make`:
    PYTHONPATH=bindings/python python3 examples/python/backtest_one.py \\
        [CSV] [STRATEGY]
CSV defaults to tests/fixtures/analyze/GOOD.csv (120 hand-made bars) and STRATEGY to "simple"; the
symbol is the file's name without .csv.
"""
import os
import sys

import marketsim


def main():
    csv_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join("tests", "fixtures", "analyze",
                                                                  "GOOD.csv")
    strategy = sys.argv[2] if len(sys.argv) > 2 else "simple"
    directory, file_name = os.path.split(os.path.abspath(csv_path))
    symbol = os.path.splitext(file_name)[0]
    # A csv: source reads DIR/SYMBOL.csv, so the file's directory is the source.
    with marketsim.analyze([symbol], data="csv:" + directory, simulations=20, seed=1) as report:
        if report.errors:
            sys.exit("%s: %s" % (csv_path, report.errors[0]["message"]))
        results = report.symbols[0]["strategies"][strategy]
        print("%s, %s over 20 simulations:" % (symbol, strategy))
        for name in ("total_return", "sharpe", "win_rate", "trades"):
            print("  mean %-14s %.5f" % (name, results[name]))
        returns = report.simulation_returns(symbol, strategy)
    # The simulations' total returns as one series through the metrics of
    # docs/strategies.md: how often the strategy won across the walk-forward windows.
    summary = marketsim.metrics(returns)
    print("  across simulations: win rate %.2f, profit factor %.2f"
          % (summary["win_rate"], summary["profit_factor"]))


if __name__ == "__main__":
    main()
