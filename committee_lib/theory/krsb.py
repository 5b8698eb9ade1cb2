"""k-step replica symmetry breaking in the SAT/UNSAT (jamming) limit, spherical weights.

At k steps the overlaps q_0 < ... < q_{k-1} < q_k = 1 - delta and the Parisi parameters
m_i = r_i delta (0 < r_1 <= ... <= r_k) all follow delta -> 0 at the capacity; the free entropy
is Phi / delta with Phi = S + alpha E, and the capacity is the stationary point of
alpha(q, r) = S / (-E), a minimum (theory "Beyond one step", eq. T32).  Each k is solved from
the (k-1)-step optimum with one new step split off, so that the search cannot fall back onto
the solution with fewer steps unnoticed.
"""

import math
from dataclasses import dataclass, field, replace

import numpy as np

from .energetic import krsb_energetic
from ..errors import ConvergenceError, ParameterError
from .model import DEFAULT_QUAD_ORDER, Model, resolve_spherical
from .parisi import JammingFunctional, _Start, solve_jamming
from .rs import alpha_c_spherical_rs
from .rsb import alpha_c_1rsb

#: the largest number of steps solved by nested quadrature
K_MAX = 3
#: the result is accepted when alpha at twice the quadrature order differs by less than this
QUAD_TOL = 1e-7
#: nodes per panel of the nested averages: 32 gives alpha to ~1e-8 at three steps (64: 1e-13)
KRSB_QUAD_ORDER = 32
#: h-grid spacings: each start is minimised on the coarsest grid that resolves its top step
#: (parisi.solve_jamming), the best one is then polished on the finest of them that does; GRID_TOL
#: is the largest accepted difference between that grid and the nested quadrature at the optimum
SEARCH_SPACINGS, GRID_SPACING, GRID_TOL = (0.015, 0.01, 0.005), 0.01, 1e-6
#: where the routes disagree, the grid value is taken if halving the spacing changes it by less than this
GRID_CONVERGED = 1e-10
#: relative slack of the check that k steps do not lie above k - 1 (both carry ~1e-9 quadrature error)
ORDER_TOL = 1e-8
#: seeds keep their overlaps q_i at least (i + 1) Q_FLOOR (the search variables are logits of q_0 and of
#: the gaps): a (k-1)-step optimum at q_0 = 0 (odd activations in the fully connected machine) seeds
#: distinct overlaps above 0
Q_FLOOR = 1e-9


@dataclass(frozen=True)
class KStepRSB:
    """The k-step SAT/UNSAT point: alpha_c and the stationary (q_0..q_{k-1}, r_1..r_k)."""

    k: int
    alpha_c: float
    q: tuple  # q_0 < ... < q_{k-1} (q_k = 1)
    r: tuple  # r_i = m_i / (1 - q_k), non-decreasing
    y: float  # energetic tilt of the last step, r_k / kappa'(1)
    converged: bool
    grid_difference: float  # |alpha on the grid - alpha by nested quadrature at twice the nodes| at the optimum
    quadrature_error: float  # change of alpha_c at twice the nodes (nested) or half the spacing (grid)
    gradient: float  # largest |d alpha / d ln(1 - q_i)|, |d alpha / d ln r_i| at the optimum
    route: str = "nested quadrature"  # of alpha_c: "grid" where a large tilt puts the peak out of the nested windows
    model: Model = field(default=None, compare=False)  # quad_order: the nodes per panel of the nested averages


def krsb_alpha(q, r, activation="relu", margin=0.0, quad_order=KRSB_QUAD_ORDER, *, model=None):
    """alpha(q, r) = S / (-E) on the k-step SAT/UNSAT line (eq. T32); k = len(q) = len(r)."""
    model = resolve_spherical(model, activation, margin, quad_order)
    q, r = _check_steps(q, r)
    if not math.isfinite(model.kernel.dkappa_at_1):
        raise ParameterError(f"activation {model.activation} has kappa'(1) = inf: its spherical capacity diverges at every "
                             "number of steps; krsb_alpha needs a kernel with finite kappa'(1)")
    return _alpha(model, q, r)


def _check_steps(q, r):
    q, r = np.asarray(q, dtype=float), np.asarray(r, dtype=float)
    if q.ndim != 1 or q.shape != r.shape or not 1 <= q.size <= K_MAX:
        raise ParameterError(f"k-step RSB needs 1 <= k <= {K_MAX} overlaps q and as many r (got {q.size} and {r.size})")
    if not (q[0] >= 0.0 and np.all(np.diff(q) >= 0.0) and q[-1] < 1.0):
        raise ParameterError(f"overlaps q must satisfy 0 <= q_0 <= ... <= q_(k-1) < 1 (got {q.tolist()})")
    if not (r[0] > 0.0 and np.all(np.diff(r) >= 0.0) and np.all(np.isfinite(r))):
        raise ParameterError(f"r must satisfy 0 < r_1 <= ... <= r_k (got {r.tolist()})")
    return q, r


def _alpha(model, q, r):
    kernel = model.kernel
    e = krsb_energetic(np.asarray(kernel.kappa(q), dtype=float).reshape(-1), r, kernel.dkappa_at_1, model.margin, *model.nodes)
    return model.prior.krsb_entropy(tuple(q), tuple(r)) / -e


def _seeds(previous):
    """(k)-step starting points from a (k-1)-step optimum: each step split in two.

    Splitting level i puts a new overlap halfway between q_{i-1} and q_i (or above the last one)
    and splits r_i into r_i / 2 and 2 r_i (clipped to keep the ordering).
    """
    q, r = list(np.maximum(previous.q, Q_FLOOR * np.arange(1, len(previous.q) + 1))), list(previous.r)
    seeds = []
    for i in range(len(q) + 1):
        lo = q[i - 1] if i > 0 else 0.0
        hi = q[i] if i < len(q) else 1.0
        new_q = q[:i] + [0.5 * (lo + hi)] + q[i:]
        if i < len(q):  # a new, lower overlap below q_i: its r sits below r_i
            new_r = r[:i] + [0.5 * r[i]] + r[i:]
        else:  # a new top overlap: r_k splits into r_k and a larger last r
            new_r = r + [2.0 * r[-1]]
        new_r = np.maximum.accumulate(np.array(new_r))
        new_r[1:] = np.maximum(new_r[1:], new_r[:-1] * (1.0 + 1e-3))
        seeds.append((np.array(new_q), new_r))
    return seeds


def alpha_c_krsb(activation="relu", k=2, margin=0.0, quad_order=KRSB_QUAD_ORDER, previous=None, *, model=None):
    """Spherical k-step RSB capacity, k in 1..3, each k seeded from the (k-1)-step optimum.

    k = 1 is alpha_c_1rsb's minimum.  For k >= 2 every split of the (k-1)-step optimum is minimised
    on the grid (parisi.solve_jamming, analytic gradient); alpha_c is then the nested quadrature of
    eq. T31 at the best stationary point, checked at twice the quadrature order (two independent
    numerical routes).  Where they disagree by more than GRID_TOL (large tilts: the nested windows
    miss the peak) the grid value is taken if it is converged in the spacing (route = "grid").
    Kernels with infinite kappa'(1) (sign) have an infinite capacity.
    Raises ConvergenceError when no stationary point is reached or the checks fail.
    """
    model = resolve_spherical(model, activation, margin, quad_order)
    kernel, margin, quad_order = model.kernel, model.margin, model.quad_order
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= K_MAX:
        raise ParameterError(f"k (number of RSB steps) must be an integer in [1, {K_MAX}] (got {k!r})")
    unbroken = replace(KStepRSB(k, math.inf, (), (), math.nan, True, 0.0, 0.0, 0.0), model=model)
    if not math.isfinite(kernel.dkappa_at_1):
        return unbroken
    alpha_rs = alpha_c_spherical_rs(model=model)
    if k == 1:
        frozen = alpha_c_1rsb(model=model.at_order(DEFAULT_QUAD_ORDER))
        if frozen.on_boundary:
            return replace(unbroken, alpha_c=alpha_rs)
        q, r = np.array([frozen.q0]), np.array([frozen.x])
        alpha, grid_alpha = frozen.alpha_c, frozen.alpha_c
        check = _alpha(model.at_order(2 * quad_order), q, r)
    else:
        if previous is None or previous.k != k - 1:
            previous = alpha_c_krsb(k=k - 1, model=model)
        if not previous.q:  # the (k-1)-step optimum is RS: nothing to split
            return replace(unbroken, alpha_c=previous.alpha_c)
        best = None
        for seed_q, seed_r in _seeds(previous):
            try:
                found = _solve_resolved(model, _Start(seed_q, seed_r), SEARCH_SPACINGS)
            except ConvergenceError:
                continue  # another start may converge
            if best is None or found.alpha_c < best.alpha_c:
                best = found
        if best is None:
            raise ConvergenceError(f"{k}-step RSB capacity ({kernel.name}, margin {margin:g}): no start converged")
        # polish on the grid of the accuracy check
        best = _solve_resolved(model, best, tuple(h for h in SEARCH_SPACINGS if h <= min(best.spacing, GRID_SPACING)))
        q, r, grid_alpha = np.array(best.q), np.array(best.r), best.alpha_c
        for attempt in range(2):  # overlaps close to 1 need more nodes: double once if the check fails
            alpha = _alpha(model.at_order(quad_order), q, r)
            check = _alpha(model.at_order(2 * quad_order), q, r)
            if abs(check - alpha) <= QUAD_TOL or attempt == 1:
                break
            quad_order *= 2
    if not abs(check - alpha) <= QUAD_TOL:
        raise ConvergenceError(f"{k}-step RSB capacity ({kernel.name}): quadrature not converged at the optimum "
                               f"(alpha {alpha:.10g} with {quad_order} nodes, {check:.10g} with {2 * quad_order})")
    route, error = "nested quadrature", abs(check - alpha)
    if not abs(grid_alpha - alpha) <= GRID_TOL:
        # the nested windows sit on the bare Gaussian, and a large tilt (large r, large margin) moves
        # the integrand's peak out of them; the grid follows the peak: take it if it is converged
        finer = JammingFunctional(spacing=best.spacing / 2, model=model).alpha(q, r)
        if not abs(finer - grid_alpha) <= GRID_CONVERGED:
            raise ConvergenceError(f"{k}-step RSB capacity ({kernel.name}): grid ({grid_alpha:.10g}, {finer:.10g} at "
                                   f"half the spacing) and nested quadrature ({alpha:.10g}) disagree")
        route, error, alpha = "grid", abs(finer - grid_alpha), grid_alpha
    if k > 1 and alpha > previous.alpha_c * (1.0 + ORDER_TOL):  # a merged step returns the (k-1)-step value
        raise ConvergenceError(f"{k}-step RSB capacity ({kernel.name}): the optimum {alpha:.12g} lies above "
                               f"the {k - 1}-step value {previous.alpha_c:.12g}")
    return KStepRSB(k, float(alpha), tuple(map(float, q)), tuple(map(float, r)), float(r[-1] / kernel.dkappa_at_1),
                    True, abs(grid_alpha - check), error, _stationarity(model, q, r), route, model)


def _solve_resolved(model, start, spacings):
    """solve_jamming from start on the first of the spacings whose grid resolves the top step of the
    solution (each finer one started from the last); ConvergenceError if one does not converge or none
    resolves it."""
    for spacing in spacings:
        start = solve_jamming(start=start, spacing=spacing, model=model)
        if not start.at_resolution_limit:
            return start
    raise ConvergenceError(f"{len(start.q)}-step jamming solution ({model.activation}): the top step is not resolved on "
                           f"the grid spacings {spacings}")


def _stationarity(model, q, r):
    """Largest |d alpha / d ln(1 - q_i)|, |d alpha / d ln r_i| at (q, r) on the grid: 0 at a stationary point."""
    _, grad = JammingFunctional(spacing=GRID_SPACING / 2, model=model)(q, r)
    return float(np.max(np.abs(np.concatenate([grad[:q.size] * (1.0 - q), grad[q.size:] * r]))))


def alpha_c_krsb_sequence(activation="relu", k_max=K_MAX, margin=0.0, quad_order=KRSB_QUAD_ORDER, *, model=None):
    """[1-step, ..., k_max-step] capacities, each seeded from the one before."""
    model = resolve_spherical(model, activation, margin, quad_order)
    out, previous = [], None
    for k in range(1, k_max + 1):
        previous = alpha_c_krsb(k=k, previous=previous, model=model)
        out.append(previous)
    return out
