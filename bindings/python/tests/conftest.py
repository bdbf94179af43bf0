"""Shared fixtures: the repository root and the CLI binary, found the way
`make test` passes them (MARKETSIM_SOURCE_DIR, MARKETSIM_BIN) or relative
to this file in a source tree."""
import os

import pytest

REPO_ROOT = os.environ.get("MARKETSIM_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", ".."))


@pytest.fixture
def repo_root():
    return REPO_ROOT


@pytest.fixture
def cli_binary():
    path = os.environ.get("MARKETSIM_BIN") or os.path.join(REPO_ROOT, "build", "bin", "marketsim")
    if not os.access(path, os.X_OK):
        pytest.fail("the marketsim CLI is not built: %s (run make first)" % path)
    return path


@pytest.fixture
def without_numpy(monkeypatch):
    """Forces the nested-list path, as on a machine without NumPy."""
    from marketsim import _arrays
    monkeypatch.setattr(_arrays, "numpy", None)
