"""Sample sweeps: independent anneals over seeds, in parallel, cached sample by sample.

    results = anneal_samples("relu", 32, 0.4, 20, 0.85, seeds=range(20))           # local processes
    results = anneal_samples(..., scheduler="tcp://10.0.0.1:8786")                  # a Dask cluster

Every sample is `anneal_sample`, wrapped by `committee_lib.cache.cached` when the sweep starts:
its result is written to the result cache as soon as it finishes, keyed by every parameter and
the seed, so an interrupted sweep resumes where it stopped.  A run depends on its arguments
only, so the results are identical whichever executor ran them; they come back in seed order.
"""

from joblib import Parallel, delayed
from tqdm.auto import tqdm

from .annealing import Schedule, anneal
from .cache import cached
from .errors import ConvergenceError


def anneal_sample(activation, K, alpha, y, q1, seed, schedule, inputs_per_unit=None):
    """One sample of a sweep: `annealing.anneal` without a progress bar."""
    return anneal(activation, K, alpha, y, q1, seed, schedule, inputs_per_unit)


def anneal_samples(activation, K, alpha, y, q1, seeds, schedule=None, inputs_per_unit=None,
                   n_jobs=-1, scheduler=None, require_solved=True, progress=True):
    """Anneal one sample per seed; a list of AnnealResult in seed order.

    schedule: an annealing.Schedule (None: the default schedule).

    n_jobs: local joblib processes (-1: all cores), used when scheduler is None.
    scheduler: address of a dask.distributed scheduler ("tcp://host:port"); the samples then
    run as tasks on that cluster.
    require_solved: raise ConvergenceError naming the unsolved seeds if any sample did not reach
    the end condition (their results stay cached; pass False to get them back).
    """
    sample = cached(anneal_sample)
    schedule = Schedule() if schedule is None else schedule
    seeds = [int(s) for s in seeds]
    args = [(activation, K, alpha, y, q1, seed, schedule, inputs_per_unit) for seed in seeds]
    bar = tqdm(total=len(seeds), unit="sample", disable=not progress, desc=f"anneal {activation} K={K}")
    with bar:
        if scheduler is None:
            results = _run_joblib(sample, args, n_jobs, bar)
        else:
            results = _run_dask(sample, args, scheduler, bar)
    unsolved = [r.seed for r in results if not r.solved]
    if require_solved and unsolved:
        raise ConvergenceError(f"{len(unsolved)} of {len(results)} anneals did not end with every replica a "
                               f"solution at |q - q1| <= tolerance: seeds {unsolved} (lengthen the schedule)")
    return results


def _run_joblib(sample, args, n_jobs, bar):
    results = []
    for result in Parallel(n_jobs=n_jobs, return_as="generator")(delayed(sample)(*a) for a in args):
        results.append(result)
        bar.update()
    return results


def _run_dask(sample, args, scheduler, bar):
    from dask.distributed import Client, as_completed

    with Client(scheduler) as client:
        futures = [client.submit(sample, *a, pure=False) for a in args]
        for _ in as_completed(futures):
            bar.update()
        return client.gather(futures)

