"""The simulations on a Dask cluster (samples.cached_batch with scheduler=): a small sweep of anneals,
a noise sweep of the robustness chapter and a sweep of the algorithms chapter's gradient descents
run on a dask.distributed.LocalCluster of two worker processes give the numbers of the local run
bit for bit, and land in the result cache (a rerun resumes from it); a bad address is a one-line ParameterError; the chapters take `scheduler` from
the build driver's --set as a string, None by default."""

import dask
import numba
import numpy as np
import papermill as pm
import pytest
from conftest import load_script

from committee_lib.cache import cached
from committee_lib.errors import ParameterError
from committee_lib.simulation import annealing, learners, samples
from committee_lib.simulation.gradient_descent import Descent, gradient_descent
from committee_lib.simulation.annealing import Schedule
from committee_lib.simulation.observables import sample_moments
from committee_lib.simulation.robustness import noise_over_samples, sample_noise

SCHEDULE = Schedule(sweeps=1500, beta1=20.0, patience=1000)
TASKS = [samples.Task("relu", 6, 0.4, 4, 0.85, s, SCHEDULE) for s in (0, 1)] + \
        [samples.Task("sign", 5, 0.4, 4, 0.85, s, SCHEDULE) for s in (0, 1)]
LEVELS = [0.0, 0.1, 0.3, 0.5]
SIMULATION_CHAPTERS = ["stabilities", "robustness", "finite_size", "algorithms"]  # every notebook that anneals,
# runs noise experiments or gradient descents


@pytest.fixture(scope="module")
def scheduler():
    """The address of a LocalCluster of 2 worker processes (1 thread each) on the loopback; the
    workers load the kernels this process compiled (NUMBA_CACHE_DIR) instead of compiling afresh."""
    from dask.distributed import LocalCluster

    with pytest.MonkeyPatch.context() as env:
        env.setenv("NUMBA_CACHE_DIR", str(numba.config.CACHE_DIR))
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, protocol="tcp", host="127.0.0.1",
                          dashboard_address=None) as cluster:
            yield cluster.scheduler_address


def use_cache(monkeypatch, folder):
    monkeypatch.setenv("COMMITTEE_CACHE", str(folder))


def test_a_sweep_of_anneals_on_a_cluster_equals_the_local_run(scheduler, tmp_path, monkeypatch):
    use_cache(monkeypatch, tmp_path / "local")
    local = samples.anneal_many(TASKS, n_jobs=1, progress=False)
    use_cache(monkeypatch, tmp_path / "cluster")
    remote = samples.anneal_many(TASKS, scheduler=scheduler, progress=False)
    assert [(r.activation, r.seed) for r in remote] == [(t.activation, t.seed) for t in TASKS]
    for r, e in zip(remote, local):
        assert r.solved and r.summary() == e.summary()
        np.testing.assert_array_equal(r.W, e.W)
        np.testing.assert_array_equal(r.reference, e.reference)
        assert sample_moments(r) == sample_moments(e)  # the stability moments, exactly
    # the workers stored every result in the cache the client reads: a rerun resumes from it
    sample = cached(annealing.anneal_sample)
    assert all(sample.in_cache(*t) for t in TASKS)
    monkeypatch.setattr(annealing, "anneal", lambda *args: pytest.fail(f"recomputed {args}"))
    again = samples.anneal_many(TASKS, n_jobs=1, progress=False)
    for r, e in zip(again, local):
        np.testing.assert_array_equal(r.W, e.W)


def test_a_noise_sweep_on_a_cluster_equals_the_local_run(scheduler, tmp_path, monkeypatch):
    runs = [annealing.anneal(*t) for t in TASKS[:3]]
    use_cache(monkeypatch, tmp_path / "local")
    local = noise_over_samples(runs, LEVELS, n_perturbations=5, progress=False)
    use_cache(monkeypatch, tmp_path / "cluster")
    remote = noise_over_samples(runs, LEVELS, n_perturbations=5, scheduler=scheduler, progress=False)
    assert list(remote) == list(local) == ["input", "input, ties by coin", "weight"]
    for exp in local:
        for kind in ("reference", "replica"):
            assert remote[exp][kind].n == local[exp][kind].n == 3
            np.testing.assert_array_equal(remote[exp][kind].mean, local[exp][kind].mean)
            np.testing.assert_array_equal(remote[exp][kind].error, local[exp][kind].error)
    assert local["input"]["reference"].mean[-1] > local["input"]["reference"].mean[0]  # not a trivial curve
    noise = cached(sample_noise)
    assert all(noise.in_cache(r, LEVELS, 5) for r in runs)


def test_a_sweep_of_descents_on_a_cluster_equals_the_local_run(scheduler, tmp_path, monkeypatch):
    tasks = [learners.Bracket("erf", 4, s, Descent(steps=100), 8, 0.5, 3.0, 0.2) for s in (0, 1)]
    use_cache(monkeypatch, tmp_path / "local")
    local = learners.descent_brackets(tasks, n_jobs=1, progress=False)
    use_cache(monkeypatch, tmp_path / "cluster")
    remote = learners.descent_brackets(tasks, scheduler=scheduler, progress=False)
    assert [b.runs for b in remote] == [b.runs for b in local] and [b.alpha for b in remote] == [b.alpha for b in local]
    assert len(local[0].runs) > 1  # a bisection, not a single run
    runs = learners.descent_runs([("erf", 4, 0.5, s, Descent(steps=300), 8) for s in (0, 1)], scheduler=scheduler,
                                 progress=False)
    assert [r.W.tolist() for r in runs] == [gradient_descent("erf", 4, 0.5, s, Descent(steps=300), 8).W.tolist()
                                             for s in (0, 1)]


@pytest.mark.parametrize("address, named", [(8786, "got 8786"), ("nonsense", "missing port"),
                                            ("tcp://127.0.0.1:1", "Timed out")])
def test_a_bad_scheduler_is_a_one_line_error(address, named, tmp_path, monkeypatch):
    use_cache(monkeypatch, tmp_path)
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), \
            pytest.raises(ParameterError, match=f"scheduler.*{named}") as error:
        samples.anneal_many(TASKS[:1], scheduler=address, progress=False)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("name", SIMULATION_CHAPTERS)
def test_every_simulation_chapter_takes_a_scheduler_from_the_build(name):
    run = load_script("run")
    assert pm.inspect_notebook(run.read_source(run.source_path(run.NOTEBOOKS, name)))["scheduler"]["default"] == "None"
    plan = run.load_plan("quick", [f"{name}.scheduler=tcp://10.0.0.1:8786"])
    assert plan[name]["scheduler"] == "tcp://10.0.0.1:8786"  # make book SET="NB.scheduler=..." (YAML: a string)
    assert run.load_plan("quick", [f"{name}.scheduler=null"])[name]["scheduler"] is None
