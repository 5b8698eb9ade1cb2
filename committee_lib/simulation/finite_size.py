"""Finite size and finite budget of the Fig. 3 simulations (book: the finite-size chapter).

Two estimators of a sample's stability moments (observables.sample_moments):

* end state: the configuration at which the anneal stopped, the first sweep at which every
  replica is a solution and abs(q - q1) is within the band (annealing.anneal).  A first hitting
  time, not a draw from the stationary measure;
* time average (`time_average`): the chain continued from that configuration at the final beta
  and gamma (no feedback), the moments averaged over the configurations seen every `every`
  sweeps in which every replica is a solution (the reference is their majority, ties broken by
  the continuation's generator).

`study_groups` lays out the anneals of one size (Point: K hidden units of n = N/K inputs): the
production ramp on the training sets, and ramps 1/4 (and 4) times as long on some of them.
`extrapolate` fits a moment measured at several sizes with a straight line in the finite-size
variables (1/K, K/N, ...) by weighted least squares and returns its value at the limit (all
variables 0) with the fit's standard error, inflated by sqrt(chi2 / dof) when the points
scatter more than their error bars allow.  `compare` turns the extrapolation and a theory value
into a verdict.
"""

import dataclasses
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .annealing import anneal_sample, build_problem, initial_state, majority, metropolis_sweeps
from .committee import stabilities
from .observables import moments_of, sample_moments
from .samples import Task
from ..cache import cached
from ..errors import ParameterError


class Point(NamedTuple):
    """A machine size: K hidden units of n = N/K inputs each (N = K^2 on the diagonal)."""

    K: int
    n: int

    @property
    def N(self):
        return self.K * self.n


def ramp(schedule, factor):
    """The schedule with its ramp `factor` times as long (same start, same end)."""
    return dataclasses.replace(schedule, sweeps=max(1, round(factor * schedule.sweeps)))


def study_groups(activation, point, alpha, y, q1, seeds, schedule, checks):
    """Task groups of one size of the finite-size study, {factor: [Task, ...]}: the production ramp
    (factor 1) on `seeds`, and for each {factor: n} of `checks` the ramp `factor` times as long
    on the first n of them (the same training sets: the convergence check compares them set by set)."""
    K, n = point
    groups = {1.0: [Task(activation, K, alpha, y, q1, s, schedule, n).canonical() for s in seeds]}
    for factor, count in checks.items():
        groups[factor] = [Task(activation, K, alpha, y, q1, s, ramp(schedule, factor), n).canonical()
                          for s in seeds[:count]]
    return groups


def time_average(result, sweeps, every):
    """Moments averaged over the chain continued from result's end state at its final beta and
    gamma for `sweeps` sweeps, read every `every` sweeps where every replica is a solution.

    Returns {moment: time average} (the keys of observables.sample_moments) and "configurations",
    the number averaged; a continuation that never sees every replica a solution raises."""
    if not (isinstance(sweeps, int) and isinstance(every, int) and 1 <= every <= sweeps):
        raise ParameterError(f"time average needs integers 1 <= every <= sweeps (got every={every!r}, sweeps={sweeps!r})")
    machine = result.machine()
    rng = np.random.default_rng([result.seed, 1])  # a stream of its own, after the anneal's
    problem = build_problem(machine, result.y)
    state = initial_state(machine, problem, result.W.copy(), rng.integers(1, 2**63, size=4))  # result stays as it was
    readings = []
    for _ in range(sweeps // every):
        metropolis_sweeps(problem, state, result.beta, result.gamma, every)
        if np.all(state.E == 0):
            readings.append(moments_of(stabilities(machine, state.W), stabilities(machine, majority(state.W, rng))))
    if not readings:
        raise ParameterError(f"no configuration with every replica a solution in {sweeps} sweeps at beta = "
                             f"{result.beta:g} (seed {result.seed}): the end state is not stable there")
    out = {key: float(np.mean([r[key] for r in readings])) for key in readings[0]}
    out["configurations"] = len(readings)
    return out


def time_average_sample(activation, K, alpha, y, q1, seed, schedule, inputs_per_unit, architecture, sweeps, every):
    """time_average of one (cached) anneal_sample (the fields of a samples.Task, then sweeps and every),
    with its end-state moments for comparison: {"end": sample_moments, "time": time_average}."""
    result = cached(anneal_sample)(activation, K, alpha, y, q1, seed, schedule, inputs_per_unit, architecture)
    return {"end": sample_moments(result), "time": time_average(result, sweeps, every)}


@dataclass(frozen=True)
class Extrapolation:
    """Value at the limit (all finite-size variables 0) of a weighted straight-line fit.

    limit, error: the intercept and its standard error (inflated by sqrt(chi2 / dof) when > 1);
    slopes: the coefficient of each variable; chi2, dof of the fit."""

    limit: float
    error: float
    slopes: np.ndarray
    chi2: float
    dof: int


def extrapolate(variables, means, errors):
    """Weighted least squares of means = limit + sum_k slope_k variables[:, k]; variables (n, m)."""
    X = np.atleast_2d(np.asarray(variables, dtype=float).T).T
    means, errors = np.asarray(means, dtype=float), np.asarray(errors, dtype=float)
    n, m = X.shape
    if means.shape != (n,) or errors.shape != (n,) or np.any(errors <= 0):
        raise ParameterError(f"extrapolate needs one mean and one positive error per point (got {n} points, "
                             f"means {means.shape}, errors {errors.shape})")
    if n <= m:
        raise ParameterError(f"a fit in {m} variables needs at least {m + 1} points (got {n})")
    A = np.column_stack([np.ones(n), X]) / errors[:, None]
    b = means / errors
    coef, *_ = np.linalg.lstsq(A, b, rcond=None)
    covariance = np.linalg.inv(A.T @ A)
    chi2 = float(np.sum((A @ coef - b) ** 2))
    dof = n - m - 1
    scale = max(1.0, chi2 / dof) if dof > 0 else 1.0
    return Extrapolation(float(coef[0]), float(np.sqrt(covariance[0, 0] * scale)), coef[1:], chi2, dof)


def extrapolate_points(points, estimates, floors=None):
    """extrapolate a moment measured at `points` (observables.Estimate each) in the variables
    1/K (finite number of hidden units) and 1/n = K/N (finite fan-in): the limit K, N/K -> infinity.

    floors: per point, the smallest error an estimate can have (a fraction of misclassified
    patterns that is 0 in every training set has standard error 0 but a resolution of one pattern
    in all of them); None: errors used as they are."""
    X = np.array([[1.0 / p.K, 1.0 / p.n] for p in points])
    errors = np.array([e.error for e in estimates])
    if floors is not None:
        errors = np.maximum(errors, floors)
    return extrapolate(X, [e.mean for e in estimates], errors)


def compare(extrapolation, theory, z_threshold=2.0):
    """(z = (limit - theory) / error, True if abs(z) < z_threshold): does the extrapolation land on the theory?"""
    z = (extrapolation.limit - theory) / extrapolation.error
    return float(z), bool(abs(z) < z_threshold)
