"""Sample sweeps (committee_lib/simulation/samples.py): joblib processes, the result cache (a Dask
cluster: test_dask.py)."""

import numba
import numpy as np
import pytest

from committee_lib.simulation import annealing, samples
from committee_lib.simulation.annealing import Schedule, anneal
from committee_lib.cache import cached
from committee_lib.errors import ConvergenceError

SCHEDULE = Schedule(sweeps=1500, beta1=20.0, patience=1000)
ARGS = ("relu", 6, 0.4, 4, 0.85)  # activation, K, alpha, y, q1
SEEDS = [0, 1, 2]


@pytest.fixture(autouse=True)
def tmp_cache(tmp_path, monkeypatch):
    """Results into a fresh cache; worker processes reuse this process's compiled kernels."""
    monkeypatch.setenv("COMMITTEE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(numba.config.CACHE_DIR))


@pytest.fixture(scope="module")
def serial():
    return [anneal(*ARGS, seed=s, schedule=SCHEDULE) for s in SEEDS]


def assert_same(results, expected):
    assert [r.seed for r in results] == SEEDS
    for r, e in zip(results, expected):
        assert r.summary() == e.summary()
        np.testing.assert_array_equal(r.W, e.W)
        np.testing.assert_array_equal(r.reference, e.reference)


def test_joblib_processes_give_the_serial_results_in_seed_order(serial):
    assert_same(samples.anneal_samples(*ARGS, SEEDS, SCHEDULE, n_jobs=2, progress=False), serial)


def test_an_interrupted_sweep_resumes_from_the_cache(serial, monkeypatch):
    calls = []

    def interrupted_at_seed_2(*args):
        calls.append(args[5])
        if args[5] == 2 and calls.count(2) == 1:
            raise KeyboardInterrupt
        return anneal(*args)

    monkeypatch.setattr(annealing, "anneal", interrupted_at_seed_2)
    with pytest.raises(KeyboardInterrupt):
        samples.anneal_samples(*ARGS, SEEDS, SCHEDULE, n_jobs=1, progress=False)
    sample = cached(annealing.anneal_sample)
    assert [sample.check_call_in_cache(*ARGS, s, SCHEDULE) for s in SEEDS] == [True, True, False]
    results = samples.anneal_samples(*ARGS, SEEDS, SCHEDULE, n_jobs=1, progress=False)
    assert calls == [0, 1, 2, 2]  # the rerun computed only the missing sample
    assert_same(results, serial)


def test_the_cache_key_holds_every_parameter_and_the_seed():
    sample = cached(annealing.anneal_sample)
    samples.anneal_samples(*ARGS, [0], SCHEDULE, n_jobs=1, progress=False)
    assert sample.check_call_in_cache(*ARGS, 0, SCHEDULE)
    assert not sample.check_call_in_cache(*ARGS, 1, SCHEDULE)
    assert not sample.check_call_in_cache(*ARGS[:4], 0.86, 0, SCHEDULE)
    assert not sample.check_call_in_cache(*ARGS, 0, Schedule(sweeps=1501, beta1=20.0, patience=1000))


def test_a_machine_named_with_its_fan_in_is_the_default_machine_of_the_cache(serial, monkeypatch):
    # inputs_per_unit = K is the default N = K^2 machine: the same anneal, one cache entry
    computed = []
    monkeypatch.setattr(annealing, "anneal", lambda *args: computed.append(args) or anneal(*args))
    first = samples.anneal_samples(*ARGS, SEEDS[:1], SCHEDULE, n_jobs=1, progress=False)
    named = samples.anneal_many([samples.Task(*ARGS, SEEDS[0], SCHEDULE, ARGS[1])], n_jobs=1, progress=False)
    assert len(computed) == 1
    np.testing.assert_array_equal(named[0].W, first[0].W)
    np.testing.assert_array_equal(first[0].W, serial[0].W)
    other = samples.Task(*ARGS, SEEDS[0], SCHEDULE, ARGS[1] + 1)
    assert other.canonical() == other and samples.Task(*ARGS, 0, SCHEDULE, ARGS[1]).canonical().inputs_per_unit is None


def test_unsolved_samples_are_never_counted_silently():
    short = Schedule(sweeps=2, beta0=0.1, beta1=0.2, patience=0)
    args = ("sign", 7, 0.8, 4, 0.85)
    with pytest.raises(ConvergenceError, match=r"seeds \[0, 1\]"):
        samples.anneal_samples(*args, [0, 1], short, n_jobs=1, progress=False)
    results = samples.anneal_samples(*args, [0, 1], short, n_jobs=1, progress=False, require_solved=False)
    assert [r.solved for r in results] == [False, False]


def test_groups_run_in_one_batch_and_come_back_by_name(serial, tmp_path, monkeypatch):
    progress = tmp_path / "progress.jsonl"
    monkeypatch.setenv("COMMITTEE_PROGRESS", str(progress))
    longer = Schedule(sweeps=3000, beta1=20.0, patience=1000)
    groups = {"short": [samples.Task(*ARGS, s, SCHEDULE) for s in SEEDS],
              "long": [samples.Task(*ARGS, s, longer) for s in SEEDS[:2]]}
    out = samples.anneal_groups(groups, n_jobs=2, progress=False)
    assert list(out) == ["short", "long"]
    assert_same(out["short"], serial)
    assert [(r.seed, r.schedule.sweeps) for r in out["long"]] == [(0, 3000), (1, 3000)]
    import json

    records = [json.loads(line) for line in progress.read_text().splitlines()]
    assert [r["done"] for r in records] == list(range(6)) and records[-1]["total"] == 5
    assert records[-1]["eta"] == 0.0 and records[-1]["cached"] == 0
    # again: everything is loaded from the cache, nothing is computed
    progress.write_text("")
    again = samples.anneal_groups(groups, n_jobs=2, progress=False)
    assert_same(again["short"], serial)
    records = [json.loads(line) for line in progress.read_text().splitlines()]
    assert records[-1]["cached"] == 5


def test_the_longest_anneals_start_first(monkeypatch):
    started = []

    def recording(*args):
        started.append((args[5], args[6].sweeps))
        return anneal(*args)

    monkeypatch.setattr(annealing, "anneal", recording)
    tasks = [samples.Task(*ARGS, 0, SCHEDULE), samples.Task(*ARGS, 1, Schedule(sweeps=3000, patience=1000)),
             samples.Task(*ARGS, 2, SCHEDULE), samples.Task(*ARGS, 3, Schedule(sweeps=2000, patience=1000))]
    results = samples.anneal_many(tasks, n_jobs=1, progress=False)
    assert started == [(1, 3000), (3, 2000), (0, 1500), (2, 1500)]
    assert [(r.seed, r.schedule.sweeps) for r in results] == [(0, 1500), (1, 3000), (2, 1500), (3, 2000)]


def test_a_group_that_must_be_solved_is_named_when_it_is_not():
    short = Schedule(sweeps=2, beta0=0.1, beta1=0.2, patience=0)
    groups = {"baseline": [samples.Task("sign", 7, 0.8, 1, 0.85, 0, short)],
              "production": [samples.Task("sign", 7, 0.8, 4, 0.85, 0, short)]}
    with pytest.raises(ConvergenceError, match="group 'production'"):
        samples.anneal_groups(groups, n_jobs=1, progress=False, unsolved_ok=["baseline"])
    out = samples.anneal_groups(groups, n_jobs=1, progress=False, unsolved_ok=["baseline", "production"])
    assert not out["baseline"][0].solved and not out["production"][0].solved


def test_paper_machines_are_the_shared_constants_of_the_simulation_chapters():
    m = samples.paper_machines(33, 32, 64000, 40000, 0.5, 0.05, 0.5, 0.1, 0.25, 1.0)
    activations, K, schedule, colors, labels = m
    assert activations == ["sign", "relu"] and K == {"sign": 33, "relu": 32}
    assert schedule == {"sign": Schedule(sweeps=64000, beta0=0.5, q_start=0.05, q_shape=0.25),
                        "relu": Schedule(sweeps=40000, beta0=0.5, q_start=0.1, q_shape=1.0)}
    assert set(colors) == set(labels) == set(activations) and labels["relu"] == "ReLU"
    # the two chapters' calls with the same parameters give equal tasks, hence the same cached samples
    again = samples.paper_machines(33, 32, 64000, 40000, 0.5, 0.05, 0.5, 0.1, 0.25, 1.0)
    assert samples.Task("sign", 33, 0.4, 20, 0.85, 0, again.schedule["sign"]) == \
        samples.Task("sign", 33, 0.4, 20, 0.85, 0, m.schedule["sign"])
