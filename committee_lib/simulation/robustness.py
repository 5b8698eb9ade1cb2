"""Robustness of solutions to input and weight noise (paper Fig. 3 right and the text around it).

A weight vector W (+-1) of one training set (committee.Machine) classifies pattern mu through the
integer hidden fields and output margin of committee.py,

    h_l = sum_{i in l} W_i xi_i,    m = sigma sum_l c_l g(h_l),    misclassified iff m <= 0,     (m)

with g = sign, c_l = 1 (K, n odd: h_l != 0 and m != 0) or g = max(0, .), c_l = +1 for the first
K/2 units and -1 for the rest (a tie m = 0 is an error).  The field is symmetric in W and xi, so
flipping entry i of the pattern or of the weights moves one field by the same amount,

    h_l(i) -> h_l(i) - 2 W_i xi_i,    l(i) = i // n.                                            (dh)

Two experiments, each reporting, for every weight vector, the number of misclassified
(pattern, perturbation) pairs out of p T (T perturbations per pattern; `NoiseCurve`):

* input noise (the paper's Fig. 3 right): each training pattern is perturbed by flipping
  m = round(eta N) distinct entries chosen uniformly, and the perturbed pattern keeps its label;
* weight noise: m = round(f N) distinct weights chosen uniformly are flipped, and the whole
  training set is classified by the perturbed weights.

round is to the nearest integer, halves to even (Python's round).

Nested perturbations.  For every perturbation one random order of the N positions is drawn (a
partial Fisher-Yates shuffle up to the largest flip count, xoshiro.below), and the flip set of
level k is its first m_k positions: the sets are nested and each one is uniform among the sets
of its size.  One pass flips the positions in that order, updating the fields by (dh), and
evaluates the margins (m) at every checkpoint m_k.  Input noise costs O(p T (max m + n_eta K) n_w)
(the K fields of every weight vector are updated at each flip), weight noise
O(T n_w (max m + n_f K) p) (the fields of every pattern are updated at each flip).

Common random numbers.  Every weight vector sees the same perturbed patterns (input noise) and
has the same positions flipped (weight noise), so differences between weight vectors (replicas
against their reference) are measured with less noise than independent draws would give.

Randomness.  One xoshiro256** stream, seeded with four words of numpy default_rng(seed), draws
the orders in a fixed sequence: input noise for mu = 0 .. p - 1, for t = 0 .. T - 1; weight noise
for t = 0 .. T - 1.  Each draw shuffles the permutation left by the previous one (a partial
Fisher-Yates shuffle of any permutation is uniform), so a draw depends on the largest flip
count of the call as well as on the seed; `perturbation_orders` replays the sequence.

Full flips (eta = 1 or f = 1) negate every field, h -> -h.  For sign (an odd g) the margin
changes sign, m -> -m != 0: exactly the correctly classified patterns become errors.  ReLU is
not odd: max(0, -h) = max(0, h) - h, not -max(0, h), so m -> m - sigma sum_l c_l h_l and the
outputs are not simply inverted; at eta = 1 (and at f = 1, the same fields) the error is that of
W on the negated training set -xi.

Large-K theory.  Flipping a fraction eta of a pattern's entries leaves a perturbed pattern of
overlap rho = 1 - 2 eta with the original in every branch; flipping a fraction f of the weights
does the same with rho = 1 - 2 f (the field is symmetric in W and xi).  Branch by branch the new
field is rho lambda_l + sqrt(1 - rho^2) z_l with z_l independent of everything (a random subset of
the branch's n terms, CLT), so by kernel substitution the new normalised output u' and the old
one u are jointly Gaussian with correlation k = kernel.correlation(rho).  The constraints that
made W a solution act on the output only, so given the normalised stability lambda = sigma u the
perturbed one is N(k lambda, 1 - k^2), and

    P_err(eta) = int dlambda P(lambda) H(k lambda / sqrt(1 - k^2)),   k = kappa(1 - 2 eta),      (T)

with P(lambda) any of the stability distributions of theory/stabilities.py.  At eta = 0 it is the mass
below zero (the training error), at eta = 1/2 (k = 0) it is 1/2 whatever P, and input and weight
noise give the same curve.  `noise_theory` integrates (T) over a theory density;
`noise_from_stabilities` averages it over measured stabilities, which separates the Gaussian step
of (T) from the stability distribution itself.

The last section finds, on a curve averaged over samples (observables.over_samples), the
noise at which a curve reaches a level (`eta_at`), the points where two curves cross
(`crossings`), and the levels where two such curves differ by more than two standard errors of
their difference (`significantly_above`, `compare_curves`; sqrt(err_a^2 + err_b^2), the curves
taken as independent, which overstates the error of curves measured on the same samples).
"""

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from .annealing import _check_int
from .committee import Machine, check_architecture, margins
from ..errors import ConvergenceError, ParameterError, check_range
from ..jit import jit
from ..theory.architecture import architecture_kernel
from ..theory.kernels import get_kernel
from .observables import over_samples, panel_nodes, sample_stabilities
from .samples import cached_batch
from .xoshiro import below


@dataclass(frozen=True, eq=False)
class NoiseCurve:
    """Misclassified (pattern, perturbation) pairs per weight vector and noise level.

    parameter  the noise levels (eta or f) in the caller's order, float (n_levels,)
    flips      entries flipped at each level, round(parameter N), int64 (n_levels,)
    counts     misclassified pairs (m <= 0), int64 (n_w, n_levels), or (n_levels,) for a single W (N,)
    trials     pairs per weight vector and level, p * n_perturbations
    ties       the pairs among them with m = 0 (ReLU only: a sign machine has none), same shape
    """

    parameter: np.ndarray
    flips: np.ndarray
    counts: np.ndarray
    trials: int
    ties: np.ndarray

    @property
    def error_rate(self):
        """counts / trials: the probability that a perturbed pair is misclassified (ties are errors)."""
        return self.counts / self.trials

    @property
    def error_rate_coin(self):
        """(counts - ties / 2) / trials: the same with every tie m = 0 broken by a fair coin."""
        return (self.counts - 0.5 * self.ties) / self.trials


# ----------------------------------------------------------------------------- kernels
@jit
def draw_order(rng, order, m):
    """Partial Fisher-Yates: order[:m] becomes m distinct positions, uniform, in random order."""
    N = order.size
    for j in range(m):
        r = j + below(rng, N - j)
        order[j], order[r] = order[r], order[j]


@jit
def signed_margins(h, c, labels, relu, out):
    """out[col] = labels[col] sum_l c_l g(h[l, col]), eq. (m), for fields h (K, columns)."""
    K, M = h.shape
    out[:] = 0
    for l in range(K):
        for col in range(M):
            x = h[l, col]
            g = max(x, 0) if relu else (1 if x > 0 else (-1 if x < 0 else 0))
            out[col] += c[l] * g
    for col in range(M):
        out[col] *= labels[col]


@jit
def nested_pass(h, a, B, order, flips, wiring, n, c, labels, relu, margin):
    """Flip entries order[j] one at a time: for every weight v of wiring[i], h[v // n, col] -= 2 a_i B[v, col]
    (eq. (dh), a and B one of W, xi each); margin[k] = signed margins (m) of every column after flips[k] flips
    (sorted)."""
    done = 0
    for k in range(flips.size):
        for j in range(done, flips[k]):
            i = order[j]
            s = 2 * a[i]
            for v in wiring[i]:
                l = v // n
                for col in range(h.shape[1]):
                    h[l, col] -= s * B[v, col]
        done = flips[k]
        signed_margins(h, c, labels, relu, margin[k])


@jit
def unit_fields(a, B, n, out):
    """out[l, col] = sum_{i in l} a_i B[i, col], eq. (m) (a and B one of W, xi each)."""
    out[:] = 0
    for i in range(a.size):
        for col in range(B.shape[1]):
            out[i // n, col] += a[i] * B[i, col]


@jit
def counting_buffers(W, n, flips, positions):
    """(K, zero counts and ties (n_w, n_levels), the identity permutation of the positions)."""
    zeros = np.zeros((W.shape[0], flips.size), np.int64)
    return W.shape[1] // n, zeros, zeros.copy(), np.arange(positions)


@jit
def input_noise_counts(xi, patterns, wiring, sigma, c, relu, n, W, flips, T, rng):
    """(counts, ties)[w, k]: pairs (mu, t) misclassified by (tied for) W[w] with flips[k] entries of
    xi^mu flipped (patterns: the entry each weight multiplies; wiring: the weights of each input)."""
    p, n_w = xi.shape[0], W.shape[0]
    K, counts, ties, order = counting_buffers(W, n, flips, xi.shape[1])
    Wt = np.ascontiguousarray(W.T)
    h0, h = np.empty((K, n_w), np.int64), np.empty((K, n_w), np.int64)
    labels = np.empty(n_w, np.int64)
    margin = np.empty((flips.size, n_w), np.int64)
    for mu in range(p):
        unit_fields(patterns[mu], Wt, n, h0)
        labels[:] = sigma[mu]
        for _ in range(T):
            draw_order(rng, order, flips[-1])
            h[:] = h0
            nested_pass(h, xi[mu], Wt, order, flips, wiring, n, c, labels, relu, margin)
            for k in range(flips.size):
                for w in range(n_w):
                    counts[w, k] += margin[k, w] <= 0
                    ties[w, k] += margin[k, w] == 0
    return counts, ties


@jit
def weight_noise_counts(xi, patterns, wiring, sigma, c, relu, n, W, flips, T, rng):
    """(counts, ties)[w, k]: pairs (mu, t) misclassified by (tied for) W[w] with flips[k] of its
    weights flipped (wiring: the identity, each weight its own position; xi unused)."""
    p, n_w = patterns.shape[0], W.shape[0]
    K, counts, ties, order = counting_buffers(W, n, flips, W.shape[1])
    xit = np.ascontiguousarray(patterns.T)
    h0, h = np.empty((n_w, K, p), np.int64), np.empty((K, p), np.int64)
    for w in range(n_w):
        unit_fields(W[w], xit, n, h0[w])
    labels = sigma.astype(np.int64)
    margin = np.empty((flips.size, p), np.int64)
    for _ in range(T):
        draw_order(rng, order, flips[-1])
        for w in range(n_w):
            h[:] = h0[w]
            nested_pass(h, W[w], xit, order, flips, wiring, n, c, labels, relu, margin)
            for k in range(flips.size):
                counts[w, k] += np.sum(margin[k] <= 0)
                ties[w, k] += np.sum(margin[k] == 0)
    return counts, ties


@jit
def replay_orders(rng, N, m, draws):
    """The first m positions of `draws` successive orders drawn as the experiment kernels do."""
    order = np.arange(N)
    out = np.empty((draws, m), np.int64)
    for d in range(draws):
        draw_order(rng, order, m)
        out[d] = order[:m]
    return out


# ----------------------------------------------------------------------------- experiments (numpy)
def rng_state(seed):
    """xoshiro256** state of the experiments: four words of numpy default_rng(seed)."""
    seed = _check_int("seed", seed, 0)
    return np.random.default_rng(seed).integers(1, 2**63, size=4).astype(np.uint64)


def perturbation_orders(seed, draws, N, m):
    """(draws, m) positions: row d holds the first m positions of the d-th order an experiment
    with this seed and largest flip count m draws (input noise: d = mu T + t; weight noise: d = t)."""
    draws, N = _check_int("draws", draws, 0), _check_int("N", N, 1)
    m = _check_int("m", m, 0)
    if m > N:
        raise ParameterError(f"m must lie in [0, N] = [0, {N}] (got {m})")
    return replay_orders(rng_state(seed), N, m, draws)


def _checked_weights(machine, W):
    """W as int8 (n_w, N) of +-1, the machine validated; ParameterError otherwise."""
    check_architecture(machine.activation, machine.K, machine.n)
    W = np.asarray(W)
    if W.ndim not in (1, 2) or W.shape[-1] != machine.N or W.size == 0:
        raise ParameterError(f"W must have shape (n_w, N) or (N,) with N = {machine.N}, n_w >= 1 (got {W.shape})")
    if not np.isin(W, (-1, 1)).all():
        raise ParameterError("W must hold +-1 entries only")
    return np.ascontiguousarray(W.reshape(-1, machine.N), dtype=np.int8)


def _checked_levels(name, levels, N):
    """(levels as float (n,), flips round(levels N) as int64 (n,)); each level in [0, 1]."""
    levels = np.atleast_1d(np.asarray(levels, dtype=object))
    if levels.ndim != 1 or levels.size == 0:
        raise ParameterError(f"{name} must be a non-empty sequence of numbers in [0, 1] (got shape {levels.shape})")
    levels = np.array([check_range(name, x, 0.0, 1.0) for x in levels])
    return levels, np.rint(levels * N).astype(np.int64)


def input_wiring(machine):
    """(inputs, fan-out): the weights that multiply each input, eq. (dh): tree, weight i alone; fully
    connected, weight l n + i of every unit l."""
    weights = np.arange(machine.N, dtype=np.int64)
    return weights[:, None] if machine.architecture == "tree" else np.ascontiguousarray(weights.reshape(machine.K, -1).T)


def _experiment(kernel, name, machine, W, levels, n_perturbations, seed, wiring):
    """Validate, run `kernel` on the distinct sorted flip counts (of the len(wiring) positions) and map back
    to the caller's order."""
    single = np.ndim(W) == 1
    W = _checked_weights(machine, W)
    levels, flips = _checked_levels(name, levels, len(wiring))
    T = _check_int("n_perturbations", n_perturbations, 1)
    rng = rng_state(seed)
    distinct, position = np.unique(flips, return_inverse=True)
    relu = machine.activation == "relu"
    counts, ties = kernel(machine.xi, machine.unit_patterns, wiring, machine.sigma, machine.c.astype(np.int64), relu,
                          machine.n, W, distinct, T, rng)
    counts, ties = counts[:, position], ties[:, position]
    return NoiseCurve(levels, flips, counts[0] if single else counts, machine.p * T, ties[0] if single else ties)


def input_noise(machine, W, etas, n_perturbations=50, seed=0):
    """NoiseCurve of input noise: each pattern with round(eta N) distinct entries flipped (N its inputs: K n
    for the tree, n for the fully connected machine, where a flip moves the field of every unit), T =
    n_perturbations nested draws per pattern shared by every weight vector (module docstring)."""
    return _experiment(input_noise_counts, "etas", machine, W, etas, n_perturbations, seed, input_wiring(machine))


def weight_noise(machine, W, fractions, n_perturbations=50, seed=0):
    """NoiseCurve of weight noise: round(f N) distinct weights flipped, the whole training set
    classified; T = n_perturbations nested draws shared by every weight vector (module docstring)."""
    wiring = np.arange(machine.N, dtype=np.int64)[:, None]  # each weight flips alone
    return _experiment(weight_noise_counts, "fractions", machine, W, fractions, n_perturbations, seed, wiring)


# ----------------------------------------------------------------------------- curves over samples
# ----------------------------------------------------------------------------- annealed samples
def sample_noise(result, levels, n_perturbations=50):
    """Both experiments on one anneal (annealing.AnnealResult), perturbations seeded by its seed:
    {"input", "input, ties by coin", "weight": rates}, rates (1 + y, n_levels) with rows
    [reference, replicas]."""
    machine = result.machine()
    W = np.vstack([result.reference[None, :], result.W])
    inputs = input_noise(machine, W, levels, n_perturbations, seed=result.seed)
    return {"input": inputs.error_rate, "input, ties by coin": inputs.error_rate_coin,
            "weight": weight_noise(machine, W, levels, n_perturbations, seed=result.seed).error_rate}


def noise_over_samples(results, levels, n_perturbations=50, n_jobs=1, scheduler=None, progress=True,
                       label="noise experiments"):
    """{experiment: {"reference": Estimate, "replica": Estimate}} over the samples (>= 2): the
    reference's curve and the mean curve of the replicas, averaged over samples with error bars.

    Each sample's sample_noise is one task of samples.cached_batch: cached, run in n_jobs local
    processes (-1: every core) or on the Dask scheduler at address `scheduler`.  Its draws depend
    on its seed only, so the result is the same wherever it ran."""
    tasks = [(r, levels, n_perturbations) for r in results]
    costs = [(1 + r.y) * r.alpha * (r.K * r.n) ** 2 for r in results]  # n_w p N: either experiment's scale
    per_sample = cached_batch(sample_noise, tasks, costs, n_jobs, scheduler, progress, label, unit="sample")
    return {exp: {"reference": over_samples([s[exp][0] for s in per_sample]),
                  "replica": over_samples([s[exp][1:].mean(axis=0) for s in per_sample])}
            for exp in per_sample[0]}


def tie_fraction(machine, W, n_patterns=20000, seed=0):
    """Fraction of fresh random +-1 patterns on which the integer output sum_l c_l g(h_l) of W is
    exactly 0: a tie, an error by convention (m).  Zero for sign (K, n odd); for ReLU it lifts
    the error of an uncorrelated pattern (eta = 1/2) from 1/2 to 1/2 + tie / 2."""
    n_patterns = _check_int("n_patterns", n_patterns, 1)
    rng = np.random.default_rng(_check_int("seed", seed, 0))
    xi = (2 * rng.integers(0, 2, size=(n_patterns, machine.xi.shape[1])) - 1).astype(np.int8)
    fresh = Machine(machine.activation, machine.K, machine.n, xi, np.ones(n_patterns, np.int8), machine.architecture)
    return float(np.mean(margins(fresh, _checked_weights(machine, W)) == 0))


def mean_tie_fraction(results, n_patterns=20000):
    """tie_fraction of the reference of each annealed group (seeded by its seed), averaged over the groups."""
    return float(np.mean([tie_fraction(r.machine(), r.reference, n_patterns, seed=r.seed) for r in results]))


# ----------------------------------------------------------------------------- large-K theory
def error_given_stability(lam, level, activation, architecture="tree"):
    """P(error | lambda) after flipping a fraction `level` of the entries, eq. (T): H(k lambda /
    sqrt(1 - k^2)), k = kappa(1 - 2 level); the step theta(-lambda) at level 0 (1/2 at lambda = 0).
    kappa is the architecture's kernel (fully connected: kappa_FC, book fully_connected)."""
    level = check_range("level", level, 0.0, 1.0)
    k = architecture_kernel(get_kernel(activation), architecture).correlation(1.0 - 2.0 * level)
    lam = np.asarray(lam, dtype=float)
    spread = np.sqrt(max(1.0 - k * k, 0.0))
    if spread == 0.0:
        return np.where(lam * k > 0, 0.0, np.where(lam == 0, 0.5, 1.0))
    return ndtr(-k * lam / spread)


def noise_theory(distribution, levels, order=64, width=12.0):
    """Eq. (T) over a theory density (stabilities.StabilityDistribution, normalised units) for each
    level; Gauss-Legendre panels on [lower, width] split at 0 (its jump for the replicas)."""
    lower = max(distribution.lower, -width)
    cuts = sorted({lower, 0.0, 1.0, 3.0, width} if lower < 0 else {lower, 1.0, 3.0, width})
    lam, w = panel_nodes(cuts, order)
    w = w * distribution.density(lam)
    if abs(w.sum() - 1.0) > 1e-6:
        raise ConvergenceError(f"the {distribution.kind} stability density integrates to {w.sum():.8f} on "
                               f"[{lower:g}, {width:g}], not 1")
    return np.array([w @ error_given_stability(lam, x, distribution.activation, distribution.architecture)
                     for x in np.atleast_1d(levels)])


def noise_from_stabilities(stabilities, levels, activation, architecture="tree"):
    """Eq. (T) averaged over measured normalised stabilities (any shape) instead of a density."""
    lam = np.ravel(np.asarray(stabilities, dtype=float))
    return np.array([error_given_stability(lam, x, activation, architecture).mean() for x in np.atleast_1d(levels)])


def noise_from_sample_stabilities(results, levels, activation):
    """Eq. (T) over the measured stabilities of annealed groups (normalised units), pooled over the
    samples: {"replica": rates, "reference": rates} (robustness chapter, "Finite K")."""
    architecture = results[0].architecture
    scale = architecture_kernel(get_kernel(activation), architecture).output_scale  # physical -> normalised
    measured = [sample_stabilities(r) for r in results]
    return {"replica": noise_from_stabilities(np.concatenate([s[0].ravel() for s in measured]) / scale, levels,
                                              activation, architecture),
            "reference": noise_from_stabilities(np.concatenate([s[1] for s in measured]) / scale, levels, activation,
                                                architecture)}


def _checked_curves(parameter, *rates):
    """parameter (n,) strictly increasing and curves of the same length, as float arrays."""
    parameter = np.asarray(parameter, dtype=float)
    if parameter.ndim != 1 or parameter.size == 0 or np.any(np.diff(parameter) <= 0):
        raise ParameterError("parameter must be a non-empty, strictly increasing 1-D grid")
    curves = [np.asarray(r, dtype=float) for r in rates]
    if any(r.shape != parameter.shape for r in curves):
        raise ParameterError(f"every rate curve must have the shape of parameter {parameter.shape}")
    return parameter, *curves


def eta_at(parameter, rate, level):
    """The parameter at which `rate` first reaches `level` (rate >= level), linearly interpolated
    between grid points; NaN if it never does on the grid."""
    parameter, rate = _checked_curves(parameter, rate)
    level = check_range("level", level)
    reached = np.flatnonzero(rate >= level)
    if reached.size == 0:
        return np.nan
    k = reached[0]
    if k == 0:
        return float(parameter[0])
    x0, x1, r0, r1 = parameter[k - 1], parameter[k], rate[k - 1], rate[k]
    return float(x0 + (level - r0) * (x1 - x0) / (r1 - r0))


def crossings(parameter, rate_a, rate_b):
    """Parameters where the piecewise-linear curves a and b cross (sign changes of a - b), sorted;
    possibly empty.  Where a - b is zero on a stretch of grid points between a positive and a
    negative value, the crossing is the middle of that stretch; zeros at either end of the grid
    or between values of the same sign (curves that touch) are not crossings."""
    x, a, b = _checked_curves(parameter, rate_a, rate_b)
    d = a - b
    nonzero = np.flatnonzero(d != 0)
    points = []
    for i, j in itertools.pairwise(nonzero):
        if np.sign(d[i]) == np.sign(d[j]):
            continue
        if j == i + 1:
            points.append(x[i] + d[i] * (x[j] - x[i]) / (d[i] - d[j]))
        else:
            points.append(0.5 * (x[i + 1] + x[j - 1]))
    return np.array(points, dtype=float)


def significantly_above(a, b, mask=None, sigmas=2.0):
    """Boolean array: the levels (within `mask`, if given) where curve a lies above curve b by more
    than `sigmas` standard errors of the difference, a.mean - b.mean > sigmas hypot(a.error, b.error).
    a and b: observables.Estimate curves (mean and error arrays of one shape)."""
    above = np.asarray(a.mean) - np.asarray(b.mean) > sigmas * np.hypot(a.error, b.error)
    return above if mask is None else np.asarray(mask, dtype=bool) & above


def largest_gap(levels, difference, mask):
    """(the largest `difference` between two curves within `mask`, the level where it is)."""
    inside = np.asarray(difference)[mask]
    return float(np.max(inside)), float(np.asarray(levels)[mask][np.argmax(inside)])


@dataclass(frozen=True, eq=False)
class CurveComparison:
    """Two curves a, b compared level by level: difference = a.mean - b.mean, and `significant`
    where |difference| > sigmas hypot(a.error, b.error) (within the mask)."""

    difference: np.ndarray
    significant: np.ndarray

    @property
    def a_above(self):
        """Levels where a is significantly above b."""
        return self.significant & (self.difference > 0)

    @property
    def b_above(self):
        """Levels where b is significantly above a."""
        return self.significant & (self.difference < 0)


def compare_curves(a, b, mask=None, sigmas=2.0):
    """CurveComparison of the Estimate curves a and b (levels outside `mask` are never significant)."""
    difference = np.asarray(a.mean) - np.asarray(b.mean)
    significant = np.abs(difference) > sigmas * np.hypot(a.error, b.error)
    if mask is not None:
        significant = np.asarray(mask, dtype=bool) & significant
    return CurveComparison(difference, significant)


# ----------------------------------------------------------------------------- the paper's figure
@dataclass(frozen=True, eq=False)
class Fig3Right:
    """The data of Fig. 3 (right): measured curves and their large-K predictions, by activation."""

    noise: dict  # {activation: noise_over_samples(...)}: {experiment: {"reference", "replica": Estimate}}
    predicted: dict  # {activation: {"typical", "replica", "reference": eq. (T) rates}}


def fig3_right(runs, levels, theory, n_perturbations=50, n_jobs=1, scheduler=None):
    """Fig. 3 (right) of the paper: misclassified perturbed patterns against the noise level, for the
    annealed groups `runs` ({activation: [AnnealResult]}), beside eq. (T) over the stability
    densities of `theory` (stabilities.fig3_left's output).  A Fig3Right.  The experiments run as
    noise_over_samples runs them (n_jobs local processes, or on the Dask scheduler `scheduler`).

    Used in the book: :ref:`robustness-fig3-right` (notebooks/robustness.md).
    """
    noise = {act: noise_over_samples(results, levels, n_perturbations, n_jobs, scheduler, label=f"noise {act}")
             for act, results in runs.items()}
    predicted = {act: {kind: noise_theory(theory[act]["distributions"][kind], levels)
                       for kind in ("typical", "replica", "reference")} for act in runs}
    return Fig3Right(noise, predicted)
