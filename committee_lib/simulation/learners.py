"""The learners of the algorithms chapter side by side: what each one counts as finding a solution,
at what cost, and the cached sample sweeps.

Binary weights (annealing.py).  Plain simulated annealing is `anneal` with y = 1; the replicated
annealing is `anneal` with y > 1 coupled replicas.  At equal total work W (sweeps x replicas) the
plain run gets a ramp of W sweeps and the replicated one W / y sweeps; both with patience 0, so
each does exactly W N proposals (the replicated run's end condition `|q - q1| <= tolerance`, which
matters for sampling the robust ensemble, plays no part here).  A run *found a solution* when its
single machine (y = 1) or any of its replicas or their reference (majority vote) classifies every
training pattern at the end (`found_solution`).  `annealing_scans` runs the success curves of
the chapter (Curve: activation, K, work, algorithm, first seed) in two passes, a grid of loads
common to all and then loads inside each curve's bracket (thresholds.refined_loads).

Spherical weights (gradient_descent.py).  `descent_brackets` runs `largest_solved_load` for a
batch of (activation, K, n, seed, settings, bracket, architecture) tasks, cached sample by sample
like the anneals (samples.cached_batch), with the same progress lines, in local processes or on a
Dask scheduler; `division_of_labour` measures the overlaps of different hidden units on the
solutions they end with (book: fully_connected).

Both kinds of machine come as trees or fully connected (Curve.architecture, Bracket.architecture).
"""

from typing import NamedTuple

import numpy as np

from .annealing import Schedule, _check_int, anneal
from ..architectures import inputs_per_unit
from ..errors import ParameterError
from .gradient_descent import (Descent, gradient_descent, largest_solved_load, output_weights, unit_overlaps,
                               weight_noise as sphere_noise)
from .observables import over_samples
from .robustness import significantly_above, weight_noise as flip_noise
from .samples import Task, anneal_groups, cached_batch
from .thresholds import refined_loads

ALGORITHMS = ("gd", "sa", "rsa")


def found_solution(result):
    """True when a binary run (annealing.AnnealResult) ends with a solution: any replica (the single
    machine when y = 1) or the reference has zero training errors."""
    return min(result.replica_errors) == 0 or result.center_errors == 0


def solving_weights(result):
    """The weight vectors of a binary run that are solutions: the replicas with zero errors, then
    the reference if it is one (an array (m, N), m >= 0)."""
    rows = [w for w, e in zip(result.W, result.replica_errors) if e == 0]
    if result.y > 1 and result.center_errors == 0:
        rows.append(result.reference)
    return np.array(rows, dtype=np.int8).reshape(len(rows), result.W.shape[-1])


def solved_counts(groups):
    """How many runs found a solution in each group of binary runs (a list of lists): an int array."""
    return np.array([sum(found_solution(r) for r in runs) for runs in groups])


def largest_load_solved_by_all(runs, loads=None, minimum=2):
    """The largest load run by every algorithm (and one of `loads`, if given) at which each found a
    solution on at least `minimum` training sets, or None; runs: {algorithm: {load: [the runs at
    that load]}} (Scan.runs)."""
    common = set.intersection(*(set(by_load) for by_load in runs.values()))
    loads = sorted(common if loads is None else common & set(loads))
    counts = [solved_counts([by_load[a] for a in loads]) for by_load in runs.values()]
    both = [a for i, a in enumerate(loads) if all(k[i] >= minimum for k in counts)]
    return max(both) if both else None


def solution_flip_curves(results, levels, n_perturbations):
    """Training error after flipping a fraction `levels` of the weights (robustness.weight_noise) of the
    solutions of each binary run, averaged within the run, over the runs with a solution: an Estimate."""
    curves = []
    for r in results:
        W = solving_weights(r)
        if len(W):
            curves.append(flip_noise(r.machine(), W, levels, n_perturbations, seed=r.seed).error_rate.mean(axis=0))
    return over_samples(curves)


def flatness_verdict(plain, replicated, index):
    """Whether the replicated runs' solutions are more robust than the plain ones at one flip level
    (the plain curve above by more than three standard errors), as a phrase."""
    if significantly_above(plain, replicated, sigmas=3.0)[index]:
        return "more robust"
    return "not measurably more robust (within three standard errors)"


def annealing_task(algorithm, activation, K, alpha, seed, work, y=10, q1=0.85, inputs_per_unit=None,
                   architecture="tree", **schedule):
    """The samples.Task of one binary run at equal total work: algorithm "sa" (y = 1, work sweeps)
    or "rsa" (y replicas, work / y sweeps); patience 0; other Schedule fields from `schedule`."""
    work = _check_int("work", work, 1)
    y = _check_int("y", y, 2)
    if algorithm == "sa":
        return Task(activation, K, alpha, 1, q1, seed, Schedule(sweeps=work, patience=0, **schedule), inputs_per_unit,
                    architecture)
    if algorithm == "rsa":
        if work % y:
            raise ParameterError(f"work must be a multiple of y = {y} (got {work})")
        return Task(activation, K, alpha, y, q1, seed, Schedule(sweeps=work // y, patience=0, **schedule),
                    inputs_per_unit, architecture)
    raise ParameterError(f"algorithm must be 'sa' or 'rsa' for binary weights (got {algorithm!r})")


class Curve(NamedTuple):
    """One success curve of binary runs: activation, K, total work (sweeps x replicas), algorithm
    ("sa", "rsa"), the first seed of its training sets, the architecture and the input dimension
    (None: the default machine of K^2 weights, K^2 inputs for the tree, K fully connected)."""

    activation: str
    K: int
    work: int
    algorithm: str
    seed0: int = 0
    architecture: str = "tree"
    inputs: int | None = None

    def task(self, alpha, seed, y, q1):
        """The samples.Task of this curve's run at load alpha on the training set of seed."""
        return annealing_task(self.algorithm, self.activation, self.K, alpha, seed, self.work, y, q1,
                              inputs_per_unit(self.architecture, self.K, self.inputs), self.architecture)


class Scan(NamedTuple):
    """The runs of one success curve by load ({load: [AnnealResult, ...]}, one per training set)."""

    runs: dict

    @property
    def loads(self):
        """The loads run, increasing."""
        return sorted(self.runs)

    def counts(self):
        """(loads, runs that found a solution, runs) per load, loads increasing: the arguments of
        thresholds.fit_threshold."""
        loads = self.loads
        return loads, solved_counts([self.runs[a] for a in loads]), np.array([len(self.runs[a]) for a in loads])


def annealing_scans(curves, loads, n_refine, n_samples, y=10, q1=0.85, n_jobs=-1, scheduler=None, progress=True,
                    give_up=None):
    """The runs of every Curve in two passes: n_samples training sets (seeds seed0, seed0 + 1, ...)
    at the loads of `loads` in increasing order, then at n_refine loads inside the bracket where that
    curve's success fraction first drops below 1/2 (thresholds.refined_loads); {Curve: Scan}.

    give_up: a curve's first pass stops after this many consecutive loads at which no run found a
    solution (None: every load is run); the loads above them are not run for that curve.  The
    first pass runs one load at a time for all the curves still scanning; each pass of loads is
    one anneal_groups batch (cached, local processes or a Dask scheduler)."""
    curves = [Curve(*c) for c in curves]
    loads = sorted(loads)
    if give_up is not None:
        give_up = _check_int("give_up", give_up, 1)

    def run(loads_of, label):
        groups = {(c, a): [c.task(a, c.seed0 + s, y, q1) for s in range(n_samples)] for c in curves for a in loads_of[c]}
        return anneal_groups(groups, n_jobs, scheduler, progress, label, unsolved_ok=list(groups))

    scans = {c: Scan({}) for c in curves}
    passes = [loads] if give_up is None else [[a] for a in loads]
    for batch in passes:
        live = [c for c in curves if give_up is None or not _gave_up(scans[c], give_up)]
        for (c, a), runs in run({c: batch if c in live else [] for c in curves}, "anneals (scan)").items():
            scans[c].runs[a] = runs
    extra = {c: [a for a in refined_loads(*scans[c].counts(), n_refine) if a not in scans[c].runs] for c in curves}
    for (c, a), runs in run(extra, "anneals (refined)").items():
        scans[c].runs[a] = runs
    return scans


def _gave_up(scan, give_up):
    """Whether the last `give_up` loads of a scan found no solution at all."""
    loads, solved, _ = scan.counts()
    return len(loads) >= give_up and not np.any(solved[-give_up:])


class Bracket(NamedTuple):
    """The arguments of one largest_solved_load call."""

    activation: str
    K: int
    seed: int
    settings: Descent
    inputs_per_unit: int
    alpha_lo: float
    alpha_hi: float
    resolution: float
    architecture: str = "tree"

    def cost(self):
        """N times p at the top of the bracket (the scale of one failed run)."""
        N = self.K * self.inputs_per_unit
        return float(N * N * self.alpha_hi)


def descent_brackets(tasks, n_jobs=-1, scheduler=None, progress=True, label="gradient descent"):
    """largest_solved_load for every Bracket (cached ones loaded, the rest computed longest first
    in n_jobs processes, or on the Dask scheduler at address `scheduler`); the LoadBrackets in task
    order."""
    tasks = [Bracket(*t) for t in tasks]
    return cached_batch(largest_solved_load, tasks, [t.cost() for t in tasks], n_jobs, scheduler, progress, label,
                        unit="training set")


def descent_runs(tasks, n_jobs=-1, scheduler=None, progress=True, label="gradient descent runs"):
    """gradient_descent for every (activation, K, alpha, seed, settings, inputs_per_unit), cached
    (n_jobs local processes, or the Dask scheduler at address `scheduler`); the DescentResults in
    task order."""
    tasks = [tuple(t) for t in tasks]
    costs = [float(t[1] * t[5]) ** 2 * t[2] for t in tasks]  # N^2 alpha = N p
    return cached_batch(gradient_descent, tasks, costs, n_jobs, scheduler, progress, label, unit="descent")


def largest_by_shape(tasks, brackets):
    """{(activation, K, inputs per unit): Estimate over the seeds of the largest solved load}."""
    by_shape = {}
    for task, b in zip(tasks, brackets):
        by_shape.setdefault((task.activation, task.K, task.inputs_per_unit), []).append(b)
    return {key: over_samples([b.alpha for b in bs]) for key, bs in by_shape.items()}


def division_of_labour(tasks, brackets):
    """{(activation, K, inputs per unit): (equal, opposite, read-out)}: Estimates over the seeds of
    gradient_descent.unit_overlaps of the solutions at each bracket's largest solved load (pairs of
    units with equal / opposite output weights); brackets with no solution are left out, and an
    entry is None with fewer than two solutions or where no pair of units has such output weights."""
    by_shape = {}
    for task, b in zip(tasks, brackets):
        if b.W is not None:
            by_shape.setdefault((task.activation, task.K, task.inputs_per_unit), []).append(
                unit_overlaps(b.W, output_weights(task.activation, task.K)))
    return {key: tuple(None if len(rows) < 2 or np.isnan(column).any() else over_samples(column)
                       for column in np.array(rows).T) for key, rows in by_shape.items()}


def failed_descents(tasks, brackets):
    """Counts of the descent runs that ended unsolved, of those left with tied patterns only (output
    exactly 0: for ReLU every unit inactive), and of the brackets open at either end."""
    failed = [r for b in brackets for r in b.runs if not r[1]]
    relu_failed = [r for t, b in zip(tasks, brackets) if t.activation == "relu" for r in b.runs if not r[1]]
    ties_only = sum(r[3] == r[4] for r in failed)
    relu_ties_only = sum(r[3] == r[4] for r in relu_failed)
    return {"n_failed_runs": len(failed), "n_relu_failed": len(relu_failed), "n_relu_ties_only": relu_ties_only,
            "n_smooth_ties_only": ties_only - relu_ties_only,
            "n_open_low": sum(b.alpha_solved is None for b in brackets),
            "n_open_high": sum(b.alpha_failed is None for b in brackets)}


def solved_noise(runs, sizes, n_draws):
    """Estimate over the solved descents of gradient_descent.weight_noise, or None with fewer than two."""
    solved = [r for r in runs if r.solved]
    if len(solved) < 2:
        return None
    return over_samples([sphere_noise(r.machine(), r.W, sizes, n_draws, seed=r.seed) for r in solved])


def learn(algorithm, activation, K, alpha, seed, budget=None, inputs_per_unit=None, y=10, q1=0.85, architecture="tree"):
    """One learner on one training set, for the command line: a JSON-ready dict (no weights) with
    "algorithm" and "found_solution".  budget: gradient steps (gd, default Descent.steps) or total
    sweeps x replicas (sa, rsa; default 20000).  architecture: "tree" or "fully-connected"."""
    if algorithm == "gd":
        settings = Descent() if budget is None else Descent(steps=budget)
        result = gradient_descent(activation, K, alpha, seed, settings, inputs_per_unit, architecture)
        return {"algorithm": algorithm, "found_solution": result.solved, **result.summary()}
    if algorithm not in ALGORITHMS:
        raise ParameterError(f"algorithm must be one of {', '.join(ALGORITHMS)} (got {algorithm!r})")
    task = annealing_task(algorithm, activation, K, alpha, seed, 20000 if budget is None else budget, y, q1,
                          inputs_per_unit, architecture)
    result = anneal(*task)
    summary = result.summary()
    summary["work"] = result.y * result.schedule.sweeps
    summary["schedule_sweeps"] = result.schedule.sweeps
    return {"algorithm": algorithm, "found_solution": found_solution(result), **summary}
