"""Observables of annealed samples (annealing.AnnealResult) with error bars over samples.

A sample is one training set and its annealed group of y replicas plus their reference.  Every
observable is first computed within a sample (all y p replica stabilities pooled, or the p
stabilities of the reference), then averaged over samples; its error bar is the standard error
of that average, std / sqrt(n_samples), because the samples are independent while the patterns
and replicas of one sample are not.

* `sample_stabilities`: the paper's stabilities Xi (physical units, committee.stabilities);
  `sample_moments` their moments for one sample, `stability_moments` per sample over many.
* `lattice_histogram`: the density of stabilities on the lattice a finite machine can reach
  (stabilities.stability_lattice), one bin per lattice value, so no bin straddles two values
  and none is empty by construction; per sample the density is count / (values * spacing).
* `bin_average`: a theoretical density averaged over those bins, the quantity a histogram
  estimates (at the sign lattice's spacing the density varies a lot within one bin).
* `over_samples`: mean and standard error of one number per sample.
* `paired_difference`: mean and standard error of per-seed differences between two runs of the
  same seeds (same training sets), used for the convergence check of a schedule: the training
  set's own scatter cancels, so the check is sharper than comparing two independent means.
* `ramp_check`: that check for a set of observables between two ramp lengths (the book's rule:
  at least 4x apart), z = change / its standard error per observable, and the verdict
  `converged` (max abs(z) below a threshold, 3 by default).
"""

import itertools
from dataclasses import dataclass

import numpy as np

from .committee import stabilities
from ..errors import ParameterError


@dataclass(frozen=True)
class Estimate:
    """A mean over samples and its standard error (floats, or arrays for per-sample curves)."""

    mean: float | np.ndarray
    error: float | np.ndarray
    n: int


def over_samples(values):
    """Mean and standard error (ddof = 1) over axis 0, one entry per sample (>= 2 samples); floats
    for one value per sample, arrays for per-sample curves (n_samples, ...)."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 0 or values.shape[0] < 2:
        raise ParameterError(f"an error bar needs one value per sample for at least 2 samples (got shape {values.shape})")
    n = values.shape[0]
    mean, error = values.mean(axis=0), values.std(axis=0, ddof=1) / np.sqrt(n)
    if values.ndim == 1:
        return Estimate(float(mean), float(error), n)
    return Estimate(mean, error, n)


def paired_difference(first, second):
    """Estimate of mean(second - first) over paired samples (the same seeds in the same order)."""
    first, second = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    if first.shape != second.shape:
        raise ParameterError(f"paired samples need equal shapes (got {first.shape} and {second.shape})")
    return over_samples(second - first)


@dataclass(frozen=True)
class RampCheck:
    """The convergence check of a ramp: per observable the paired change (an Estimate of
    other - base) and z = change / error (0 where the error is 0), z_max = max abs(z), and the
    verdict `converged` (z_max < z_threshold)."""

    changes: dict
    z: dict
    z_max: float
    z_threshold: float

    @property
    def converged(self):
        return bool(self.z_max < self.z_threshold)


#: two ramps test convergence only if they are at least this many times apart (the book's rule)
RAMP_RATIO = 4.0


def check_ramp_factor(factor):
    """factor (the other ramp's length over the ramp used) as a float, if the two ramps are at
    least RAMP_RATIO apart (factor <= 1/4 or >= 4); ParameterError otherwise."""
    factor = float(factor)
    if not (0 < factor <= 1 / RAMP_RATIO or factor >= RAMP_RATIO):
        raise ParameterError(f"check_factor must be in (0, {1 / RAMP_RATIO:g}] or >= {RAMP_RATIO:g}: ramps at "
                             f"least {RAMP_RATIO:g}x apart (got {factor:g})")
    return factor


def ramp_check(base_moments, other_moments, observables, z_threshold=3.0):
    """Compare per-sample observables of the ramp used (`base_moments`, {name: array over samples})
    with those of the same training sets annealed with another ramp (`other_moments`, the same
    seeds in the same order): a RampCheck of the paired changes."""
    if not observables:
        raise ParameterError("the ramp check needs at least one observable")
    changes, z = {}, {}
    for name in observables:
        change = paired_difference(base_moments[name], other_moments[name])
        changes[name] = change
        z[name] = change.mean / change.error if change.error > 0 else 0.0
    return RampCheck(changes, z, max(abs(v) for v in z.values()), z_threshold)


def longer_ramps(factors):
    """The factors among `factors` (ramp lengths over the ramp used) of ramps at least RAMP_RATIO times
    longer: where a profile anneals them, the convergence check compares the ramp used with them too."""
    return sorted(float(f) for f in factors if f >= RAMP_RATIO)


def combined_check(checks):
    """(largest z_max, every check converged) over RampChecks of one ramp against several others."""
    if not checks:
        raise ParameterError("a convergence verdict needs at least one ramp check")
    return max(c.z_max for c in checks), all(c.converged for c in checks)


def sample_stabilities(result):
    """(replica stabilities (y, p), reference stabilities (p,)) of one AnnealResult, physical units."""
    machine = result.machine()
    return stabilities(machine, result.W), stabilities(machine, result.reference)


#: the moments of one sample, as `committee anneal --json` prints them (Fig. 3's normalisation)
SAMPLE_MOMENTS = {"replica mean": "replica_stability_mean", "replica variance": "replica_stability_var",
                  "reference mean": "reference_stability_mean", "reference variance": "reference_stability_var",
                  "reference errors": "reference_error_fraction"}


def moments_of(replicas, reference):
    """Moments of Fig. 3 from stabilities: mean and variance over all replica stabilities (y, p),
    over the reference's (p,), and the reference's fraction of misclassified patterns (<= 0)."""
    return {"replica_stability_mean": float(replicas.mean()), "replica_stability_var": float(replicas.var()),
            "reference_stability_mean": float(reference.mean()), "reference_stability_var": float(reference.var()),
            "reference_error_fraction": float(np.mean(reference <= 0))}


def sample_moments(result):
    """moments_of the end state of one AnnealResult (its replicas and majority reference)."""
    return moments_of(*sample_stabilities(result))


def stability_moments(results):
    """Per-sample mean and variance of the pooled replica and the reference stabilities, and the
    reference's training errors: {observable: array over samples} (observables named as in the
    chapters' tables: the keys of SAMPLE_MOMENTS)."""
    per_sample = [sample_moments(r) for r in results]
    return {name: np.array([m[key] for m in per_sample]) for name, key in SAMPLE_MOMENTS.items()}


def _increasing(values):
    """values as a float array, checked to be increasing, 1-D, with at least 2 entries."""
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size < 2 or np.any(np.diff(values) <= 0):
        raise ParameterError("cuts (or edges) must be an increasing 1-D array of at least 2 values")
    return values


def panel_nodes(cuts, order=16):
    """Gauss-Legendre nodes and weights (dx, not a Gaussian measure) with `order` nodes on each
    panel between consecutive cuts (sorted, distinct)."""
    cuts = _increasing(cuts)
    x, w = np.polynomial.legendre.leggauss(order)
    half, mid = 0.5 * np.diff(cuts)[:, None], 0.5 * (cuts[1:] + cuts[:-1])[:, None]
    return (mid + half * x).ravel(), (half * w).ravel()


def bin_average(density, edges, cut=0.0, order=16):
    """Mean of density(x) over each bin [edges[i], edges[i+1]] (Gauss-Legendre with `order` nodes
    on each side of `cut`, where a stability density may jump: the lower end of its support)."""
    edges = _increasing(edges)
    out = np.empty(edges.size - 1)
    for i, (a, b) in enumerate(itertools.pairwise(edges)):
        x, w = panel_nodes([a, cut, b] if a < cut < b else [a, b], order)
        out[i] = w @ density(x) / (b - a)
    return out


def lattice_histogram(samples, lattice, lo, hi):
    """Density of stabilities on the lattice points in [lo, hi], averaged over samples.

    samples: one array of stabilities per sample (any shape; all of them count in the
    normalisation, also those outside [lo, hi]).  Returns (lattice values, mean density, standard
    error).  Raises ParameterError if a value is not on the lattice (wrong K, N or units).
    """
    edges, values = lattice.bin_edges(lo, hi), lattice.values(lo, hi)
    densities = []
    for x in samples:
        x = np.ravel(np.asarray(x, dtype=float))
        steps = (x - lattice.offset) / lattice.spacing
        if np.any(np.abs(steps - np.round(steps)) > 1e-6):
            raise ParameterError(f"stabilities are not on the {lattice.activation} lattice of K={lattice.K}, "
                                 f"N={lattice.N} (physical={lattice.physical})")
        counts, _ = np.histogram(x, edges)
        densities.append(counts / (x.size * lattice.spacing))
    est = over_samples(np.array(densities))
    return values, est.mean, est.error
