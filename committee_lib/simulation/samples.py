"""Sample sweeps: independent anneals over seeds, in parallel, cached sample by sample.

    results = anneal_samples("relu", 32, 0.4, 20, 0.85, seeds=range(20))           # local processes
    results = anneal_samples(..., scheduler="tcp://10.0.0.1:8786")                  # a Dask cluster
    results = anneal_many([Task("sign", 33, 0.4, 20, 0.85, seed, schedule), ...])   # one mixed batch

Every sample is `annealing.anneal_sample`, wrapped by `committee_lib.cache.cached`: its result is
written to the result cache as soon as it finishes, keyed by every parameter, the seed and the
code of the annealing engine, so an interrupted sweep resumes where it stopped.  A run depends on
its arguments only, so the results are identical whichever executor ran them, in whatever order;
they come back in the order of the tasks.

`anneal_many` runs a whole batch (a chapter's production samples and its convergence check
together) in one pool: the samples already in the cache are loaded at once, and the others are
started longest first (their cost is the proposals of their ramp, N y sweeps), so that no core
idles at the end while another finishes a long anneal that started late.  Its progress (tqdm, and
lines for the build driver in the file named by COMMITTEE_PROGRESS, see progress.py) counts anneals done of the batch
with an estimate of the time left.

`paper_machines` builds the constants the two simulation chapters (stabilities, robustness)
share from their parameters: the activations, K and the annealing schedule of each, and the
colours and labels of their figures.
"""

from typing import NamedTuple

from joblib import Parallel, delayed

from .annealing import Schedule, anneal_sample
from ..cache import cached, record
from ..errors import ConvergenceError, ParameterError
from ..progress import Progress
from ..report import LABELS


class PaperMachines(NamedTuple):
    """The machines of the simulation chapters: activations (list), and per activation K (hidden
    units, N = K^2 inputs), schedule (annealing.Schedule), color and label of the figures."""

    activations: list
    K: dict
    schedule: dict
    colors: dict
    labels: dict


def paper_machines(K_sign, K_relu, sweeps_sign, sweeps_relu, beta0_sign, q_start_sign, beta0_relu, q_start_relu,
                   q_shape_sign, q_shape_relu):
    """The sign and ReLU machines of the paper's Fig. 3 from a chapter's parameters (one place for
    both simulation chapters, so that the robustness chapter reuses the stabilities chapter's
    cached samples); unpack as ``ACTIVATIONS, K, SCHEDULE, COLORS, LABELS = paper_machines(...)``."""
    return PaperMachines(
        activations=["sign", "relu"],
        K={"sign": K_sign, "relu": K_relu},
        schedule={"sign": Schedule(sweeps=sweeps_sign, beta0=beta0_sign, q_start=q_start_sign, q_shape=q_shape_sign),
                  "relu": Schedule(sweeps=sweeps_relu, beta0=beta0_relu, q_start=q_start_relu, q_shape=q_shape_relu)},
        colors={"sign": "tab:blue", "relu": "tab:red"},
        labels={a: LABELS[a] for a in ("sign", "relu")},
    )


class Task(NamedTuple):
    """The arguments of one anneal_sample call."""

    activation: str
    K: int
    alpha: float
    y: int
    q1: float
    seed: int
    schedule: Schedule
    inputs_per_unit: int | None = None
    architecture: str = "tree"

    def canonical(self):
        """The same anneal with inputs_per_unit None when it is K (N = K^2, the default machine), so
        that one machine has one cache key whichever way it was named."""
        return self._replace(inputs_per_unit=None) if self.inputs_per_unit == self.K else self

    def cost(self):
        """Proposals of the ramp: N y sweeps (the scale of its run time)."""
        n = self.K if self.inputs_per_unit is None else self.inputs_per_unit
        return float(self.K * n * self.y * self.schedule.sweeps)


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
    schedule = Schedule() if schedule is None else schedule
    tasks = [Task(activation, K, alpha, y, q1, int(s), schedule, inputs_per_unit) for s in seeds]
    return anneal_many(tasks, n_jobs, scheduler, require_solved, progress, label=f"anneal {activation} K={K}")


def anneal_many(tasks, n_jobs=-1, scheduler=None, require_solved=True, progress=True, label="anneals"):
    """Run a batch of Tasks (cached ones are loaded, the rest computed longest first); their
    AnnealResults in the order of the tasks.  Arguments as for anneal_samples."""
    tasks = [Task(*t).canonical() for t in tasks]
    results = cached_batch(anneal_sample, tasks, [t.cost() for t in tasks], n_jobs, scheduler, progress, label)
    unsolved = [(t.activation, t.seed, t.schedule.sweeps) for t, r in zip(tasks, results) if not r.solved]
    if require_solved and unsolved:
        seeds = sorted({seed for _, seed, _ in unsolved})
        raise ConvergenceError(f"{len(unsolved)} of {len(results)} anneals did not end with every replica a "
                               f"solution at |q - q1| <= tolerance: seeds {seeds} (activation, seed, ramp: "
                               f"{unsolved}; lengthen the schedule)")
    return results


def cached_batch(function, tasks, costs, n_jobs=-1, scheduler=None, progress=True, label="tasks", unit="anneal"):
    """function(*task) for every task through the result cache: cached results are loaded at once,
    the others computed longest first (by costs) in n_jobs local processes (scheduler None) or as
    tasks on the Dask scheduler at address `scheduler`, each stored as soon as it finishes; the
    results in the order of the tasks, with progress.  The one parallel map of the simulations
    (anneals, noise experiments, descents), so every chapter can run on a cluster."""
    if scheduler is not None and not isinstance(scheduler, str):
        raise ParameterError(f"scheduler must be None (local processes) or the address of a Dask scheduler, "
                             f"'tcp://host:port' (got {scheduler!r})")
    sample = cached(function)
    results = [None] * len(tasks)
    with Progress(label, costs, bar=progress, unit=unit) as bar:
        todo = []
        for i, task in enumerate(tasks):
            if sample.in_cache(*task):
                results[i] = sample(*task)  # counted as a hit
                bar.update(i, cached=True)
            else:
                todo.append(i)
        todo.sort(key=lambda i: -costs[i])  # longest first; sort is stable: ties in task order
        for i in todo:
            record(sample.name, False)  # computed (and stored) by a worker
        run = _run_joblib if scheduler is None else _run_dask
        for i, result in run(sample.memorized, [(i, tasks[i]) for i in todo], n_jobs if scheduler is None else scheduler):
            results[i] = result
            bar.update(i)
    return results


def anneal_groups(groups, n_jobs=-1, scheduler=None, progress=True, label="anneals", unsolved_ok=()):
    """anneal_many over several named groups of Tasks at once (one pool, one progress count):
    {name: [AnnealResult, ...]} for {name: [Task, ...]}.

    Every group must end solved (ConvergenceError naming the group otherwise) except those named
    in unsolved_ok (a baseline that may stall).
    """
    names = list(groups)
    flat = [Task(*t) for name in names for t in groups[name]]
    results = anneal_many(flat, n_jobs, scheduler, require_solved=False, progress=progress, label=label)
    out, start = {}, 0
    for name in names:
        out[name] = results[start:start + len(groups[name])]
        start += len(groups[name])
        unsolved = [(r.seed, r.schedule.sweeps) for r in out[name] if not r.solved]
        if unsolved and name not in unsolved_ok:
            raise ConvergenceError(f"group {name!r}: {len(unsolved)} of {len(out[name])} anneals did not end with "
                                   f"every replica a solution at |q - q1| <= tolerance: (seed, ramp) {unsolved} "
                                   f"(lengthen the schedule)")
    return out


def _indexed(memorized, i, task):
    return i, memorized(*task)


def _run_joblib(memorized, jobs, n_jobs):
    if not jobs:
        return
    parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered", pre_dispatch="n_jobs")
    yield from parallel(delayed(_indexed)(memorized, i, task) for i, task in jobs)


def _run_dask(memorized, jobs, scheduler):
    if not jobs:
        return
    try:
        from dask.distributed import Client, as_completed
    except ImportError as exc:
        raise ParameterError(f"scheduler={scheduler!r} needs dask.distributed: pip install "
                             f"'committee_lib[cluster]' ({exc})") from None
    try:
        client = Client(scheduler)
    except (OSError, ValueError) as exc:  # not an address, or nobody answers (connect timeout: 30 s by default)
        raise ParameterError(f"scheduler={scheduler!r}: no Dask scheduler at that address ({exc})") from None
    with client:
        futures = [client.submit(_indexed, memorized, i, task, pure=False, priority=-k)
                   for k, (i, task) in enumerate(jobs)]
        for future in as_completed(futures):
            yield future.result()
