"""marketsim.Error and the library loader."""
import marketsim
import pytest
from marketsim import _lib


def test_version_matches_expected_major():
    assert marketsim.version().split(".")[0] == str(_lib.EXPECTED_MAJOR)


def test_error_carries_status_name_and_last_error():
    with pytest.raises(marketsim.Error) as caught:
        marketsim.Model.open("/no/such/model")
    assert caught.value.status == -6
    assert caught.value.status_name == "not found"
    assert "/no/such/model" in caught.value.message
    assert "/no/such/model" in str(caught.value)


def test_loader_names_every_path_tried(monkeypatch):
    monkeypatch.setenv("MARKETSIM_LIB", "/no/such/libmarketsim.so")
    with pytest.raises(OSError, match="/no/such/libmarketsim.so"):
        _lib.load()
