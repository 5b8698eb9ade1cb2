"""The on-disk result cache: hits, misses, invalidation by version/source, exact round trips."""

import numpy as np
import pytest

from committee_lib import cache


def _expensive(x, log):
    """Module-level (joblib needs its source); each real execution appends a line to log."""
    with open(log, "a") as f:
        f.write(f"{x}\n")
    return {"x": x, "grid": np.linspace(0.0, 1.0, 7) ** x, "labels": ["sign", "relu"]}


def _runs(log):
    return log.read_text().splitlines() if log.exists() else []


@pytest.fixture
def log(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMITTEE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "runs.log"


def test_cache_root_follows_env(log, tmp_path):
    assert cache.cache_root() == tmp_path / "cache"
    assert str(cache.memory().location).startswith(str(tmp_path / "cache"))


def test_second_call_does_not_recompute(log):
    first = cache.cached(_expensive)(3, log)
    second = cache.cached(_expensive)(3, log)  # a fresh wrapper: the hit comes from disk
    assert _runs(log) == ["3"]
    assert second.keys() == first.keys()
    assert second["x"] == 3 and second["labels"] == ["sign", "relu"]
    assert second["grid"].dtype == first["grid"].dtype
    np.testing.assert_array_equal(second["grid"], first["grid"])  # bit-exact round trip


def test_changed_argument_recomputes(log):
    f = cache.cached(_expensive)
    f(2, log)
    f(3, log)
    f(2, log)
    assert _runs(log) == ["2", "3"]


@pytest.mark.parametrize("attribute, value", [("__version__", "99.0"), ("source_hash", lambda: "0" * 12)])
def test_version_or_source_change_uses_new_directory(log, monkeypatch, attribute, value):
    cache.cached(_expensive)(2, log)
    old_location = cache.memory().location
    monkeypatch.setattr(cache, attribute, value)
    assert cache.memory().location != old_location
    cache.cached(_expensive)(2, log)
    assert _runs(log) == ["2", "2"]


def test_source_hash_is_stable_and_short():
    assert cache.source_hash() == cache.source_hash()
    assert len(cache.source_hash()) == 12
    int(cache.source_hash(), 16)
