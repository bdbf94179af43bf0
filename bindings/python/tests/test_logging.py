"""The library's log lines reach logging.getLogger("marketsim") (marketsim/_log.py),
from the calling thread and from the analysis' C worker threads, while
Python threads run analyses at the same time; MARKETSIM_LOG sets the level
as it does for the CLI."""
import logging
import os
import subprocess
import sys
import threading

import marketsim

SYMBOLS = ["AAPL", "BTCUSD", "MSFT"]


def unusable_cache(tmp_path, name):
    # A path below a regular file: the cache cannot be created, and the
    # library warns and forecasts without it.
    blocker = tmp_path / name
    blocker.write_text("not a directory")
    return str(blocker / "forecasts.sqlite")


def marketsim_records(caplog, level):
    return [record for record in caplog.records
            if record.name == "marketsim" and record.levelno == level]


def test_a_library_warning_reaches_the_marketsim_logger(tmp_path, caplog):
    caplog.set_level(logging.DEBUG, logger="marketsim")
    with marketsim.analyze(SYMBOLS[:1], simulations=2, cache=unusable_cache(tmp_path, "a")):
        pass
    warnings = marketsim_records(caplog, logging.WARNING)
    assert any("forecasting without" in record.getMessage() for record in warnings), \
        [record.getMessage() for record in caplog.records]


def test_python_threads_running_analyses_all_log_without_crashing(tmp_path, caplog):
    caplog.set_level(logging.DEBUG, logger="marketsim")
    failures = []

    def run(index):
        try:
            with marketsim.analyze(SYMBOLS, simulations=2, workers=4, parallel=True,
                                   cache=unusable_cache(tmp_path, "t%d" % index)):
                pass
        except Exception as error:  # pylint: disable=broad-except
            failures.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    warned = [record for record in marketsim_records(caplog, logging.WARNING)
              if "forecasting without" in record.getMessage()]
    assert len(warned) >= 4


def test_set_log_level_lets_info_lines_through(tmp_path, caplog):
    caplog.set_level(logging.DEBUG, logger="marketsim")
    marketsim.set_log_level("error")
    try:
        with marketsim.analyze(SYMBOLS[:1], simulations=2, cache=unusable_cache(tmp_path, "e")):
            pass
        assert marketsim_records(caplog, logging.WARNING) == []
    finally:
        marketsim.set_log_level("warning")


def run_python(code, **environment):
    env = dict(os.environ, **environment)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def test_marketsim_log_sets_the_level_as_for_the_cli():
    code = "import marketsim; from marketsim._api import lib; print(lib.ms_log_threshold())"
    assert run_python(code, MARKETSIM_LOG="debug").stdout.strip() == "0"
    assert run_python(code, MARKETSIM_LOG="error").stdout.strip() == "3"
    loud = run_python(code, MARKETSIM_LOG="loud")
    assert loud.stdout.strip() == "2"
    assert "MARKETSIM_LOG=loud is not one of debug|info|warn|error" in loud.stderr


def test_without_a_handler_warnings_still_reach_stderr(tmp_path):
    cache = unusable_cache(tmp_path, "s")
    code = ("import marketsim\n"
            "with marketsim.analyze(['AAPL'], simulations=2, cache=%r): pass\n" % cache)
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert "forecasting without" in result.stderr


def test_exiting_while_c_workers_log_does_not_crash(tmp_path):
    # The analysis runs in a daemon thread that the interpreter does not
    # wait for: its C workers may still be logging while Python exits.
    cache = unusable_cache(tmp_path, "x")
    code = ("import threading, marketsim\n"
            "def run():\n"
            "    while True:\n"
            "        marketsim.analyze(['AAPL', 'MSFT'], simulations=2, workers=4, cache=%r)\n"
            "threading.Thread(target=run, daemon=True).start()\n"
            "import time; time.sleep(0.5)\n" % cache)
    for _ in range(3):
        result = run_python(code)
        assert result.returncode == 0, result.stderr
