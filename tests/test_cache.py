"""The on-disk result cache: hits, misses, invalidation by version/source, exact round trips."""

import json

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


def test_closure_follows_imports_transitively_and_only_them():
    closure = cache.module_closure("simulation.samples")
    assert {"simulation.samples", "simulation.annealing", "simulation.committee", "simulation.bitplanes",
            "simulation.xoshiro", "jit", "errors", "cache"} <= set(closure)
    assert "theory.stabilities" not in closure and "theory.large_deviations" not in closure
    assert {"theory.large_deviations", "theory.local_entropy", "theory.rs",
            "theory.kernels"} <= set(cache.module_closure("theory.stabilities"))


def test_code_hash_ignores_docstrings_and_comments_but_not_code(tmp_path, monkeypatch):
    base = '"""Module doc."""\n\ndef f(x):\n    """Doc."""\n    return x + 1  # comment\n'
    variants = {
        "same": '"""Other doc."""\n\ndef f(x):\n    """Changed doc."""\n    # new comment\n    return x + 1\n',
        "code": '"""Module doc."""\n\ndef f(x):\n    """Doc."""\n    return x + 2  # comment\n',
    }
    monkeypatch.setattr(cache, "_PACKAGE_DIR", tmp_path)
    (tmp_path / "m.py").write_text(base)
    before = cache.code_hash(["m"])
    hashes = {}
    for name, text in variants.items():
        (tmp_path / "m.py").write_text(text)
        hashes[name] = cache.code_hash(["m"])
    assert hashes["same"] == before and hashes["code"] != before


def test_a_package_function_is_keyed_by_its_closure_only():
    from committee_lib.simulation import annealing
    from committee_lib.theory import stabilities

    anneal_dir = cache.cached(annealing.anneal_sample).store_backend.location
    theory_dir = cache.cached(stabilities.typical_stability).store_backend.location
    assert anneal_dir != theory_dir
    assert cache.code_hash(cache.module_closure("simulation.annealing")) in str(anneal_dir)


def test_the_anneals_are_keyed_by_the_engine_not_by_the_code_scheduling_them():
    closure = cache.module_closure("simulation.annealing")
    assert {"simulation.annealing", "simulation.committee", "simulation.bitplanes", "simulation.xoshiro",
            "simulation", "jit"} <= set(closure)
    assert "simulation.samples" not in closure and "progress" not in closure
    assert not any(m.startswith("theory") for m in closure)  # the engine does not run the theory


def test_the_closure_follows_imports_across_subpackages():
    closure = set(cache.module_closure("theory.stabilities"))
    assert {"theory", "theory.large_deviations", "theory.local_entropy", "theory.gaussian", "errors", "jit",
            "cache", "__init__"} <= closure
    assert not any(m.startswith("simulation") for m in closure)
    assert set(cache.module_names()) >= closure | {"simulation.samples", "cli", "theory"}


def test_hits_and_misses_are_counted_here_and_in_the_stats_file(log, tmp_path, monkeypatch):
    stats = tmp_path / "stats.jsonl"
    monkeypatch.setenv(cache.STATS_ENV, str(stats))
    before = cache.counts()
    f = cache.cached(_expensive)
    f(2, log)
    f(2, log)
    f(3, log)
    after = cache.counts()
    assert (after["hits"] - before["hits"], after["misses"] - before["misses"]) == (1, 2)
    lines = [json.loads(line) for line in stats.read_text().splitlines()]
    assert [line["hit"] for line in lines] == [False, True, False]
    assert {line["function"] for line in lines} == {f"{__name__}._expensive"}
    assert _runs(log) == ["2", "3"]  # the counting did not change what was computed
    assert f.in_cache(3, log) and not f.in_cache(4, log)


def test_the_chapters_entry_points_are_keyed_by_the_wrapped_functions_module():
    """committee_lib.chapters wraps each function once; its results live where a cached() of the same
    function anywhere else would put them (keyed by the function's closure, not by chapters.py)."""
    from committee_lib import chapters
    from committee_lib.theory import frsb, rs

    for wrapped, func in ((chapters.alpha_at, rs.alpha_at), (chapters.alpha_c_frsb, frsb.alpha_c_frsb)):
        assert wrapped.__wrapped__ is func
        assert wrapped.store_backend.location == cache.cached(func).store_backend.location
    assert "chapters" not in cache.module_closure("theory.rs")
