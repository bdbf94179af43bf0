"""The Python examples run from the repository root, as their docstrings
say, and print what they promise."""
import os
import subprocess
import sys

import pytest


def run_example(repo_root, name, *args):
    environment = dict(os.environ, PYTHONPATH=os.path.join(repo_root, "bindings", "python"))
    completed = subprocess.run([sys.executable, os.path.join("examples", "python", name)] + list(args),
                               cwd=repo_root, env=environment, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_forecast_example_prints_each_horizon_step(repo_root):
    output = run_example(repo_root, "forecast.py")
    assert "last close" in output and "day +5:" in output


def test_analyze_example_prints_the_ranking_and_picks(repo_root):
    output = run_example(repo_root, "analyze.py", "AAPL", "BTCUSD")
    assert "AAPL" in output and "BTCUSD" in output and "picks:" in output


def test_backtest_one_example_backtests_the_fixture_csv(repo_root):
    output = run_example(repo_root, "backtest_one.py")
    assert "GOOD, simple over 20 simulations" in output and "across simulations" in output


@pytest.mark.parametrize("strategy", ["maxdiff", "buy_hold"])
def test_backtest_one_example_takes_a_strategy(repo_root, strategy):
    output = run_example(repo_root, "backtest_one.py",
                         os.path.join("tests", "fixtures", "analyze", "OTHER.csv"), strategy)
    assert "OTHER, %s" % strategy in output
