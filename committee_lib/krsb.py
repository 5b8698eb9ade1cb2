"""k-step replica symmetry breaking in the SAT/UNSAT (jamming) limit, spherical weights.

At k steps the overlaps q_0 < ... < q_{k-1} < q_k = 1 - delta and the Parisi parameters
m_i = r_i delta (0 < r_1 <= ... <= r_k) all follow delta -> 0 at the capacity; the free entropy
is Phi / delta with Phi = S + alpha E, and the capacity is the stationary point of
alpha(q, r) = S / (-E), a minimum (theory "Beyond one step", eq. T32).  Each k is solved from
the (k-1)-step optimum with one new step split off, so that the search cannot fall back onto
the solution with fewer steps unnoticed.
"""

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit, logit

from .energetic import krsb_energetic
from .errors import ConvergenceError, ParameterError
from .gaussian import legendre
from .kernels import get_kernel
from .priors import Spherical
from .rs import alpha_c_spherical_rs, check_margin
from .rsb import alpha_c_1rsb

#: the largest number of steps solved by nested quadrature
K_MAX = 3
#: r_1 >= R_MIN (pitfall 4 of the 1RSB limit: S and E cancel as r -> 0), r_k <= R_MAX, and the
#: top step r_k (1 - q_(k-1)) <= TOP_STEP_MAX: beyond, the last step is a narrow tilted peak that
#: the nested quadrature does not resolve (optima sit at r_k (1 - q_(k-1)) of order 1 to 10)
R_MIN, R_MAX, TOP_STEP_MAX = 1e-5, 1e5, 1e2
#: the result is accepted when alpha at twice the quadrature order differs by less than this
QUAD_TOL = 1e-7
#: a stationary point is accepted when |grad alpha| in the search variables is below this
GRAD_TOL = 1e-7
#: nodes per panel of the nested averages: 32 gives alpha to ~1e-8 at three steps (64: 1e-13);
#: the search from the seeds runs at COARSE_QUAD_ORDER, the polish at the requested order
KRSB_QUAD_ORDER = 32
COARSE_QUAD_ORDER = 16


@dataclass(frozen=True)
class KStepRSB:
    """The k-step SAT/UNSAT point: alpha_c and the stationary (q_0..q_{k-1}, r_1..r_k)."""

    k: int
    alpha_c: float
    q: tuple  # q_0 < ... < q_{k-1} (q_k = 1)
    r: tuple  # r_i = m_i / (1 - q_k), non-decreasing
    y: float  # energetic tilt of the last step, r_k / kappa'(1)
    converged: bool
    gradient: float  # largest |d alpha / d variable| at the returned point
    evaluations: int
    quadrature_error: float  # |alpha(quad_order) - alpha(2 quad_order)| at the optimum


def krsb_alpha(q, r, activation="relu", margin=0.0, quad_order=KRSB_QUAD_ORDER):
    """alpha(q, r) = S / (-E) on the k-step SAT/UNSAT line (eq. T32); k = len(q) = len(r)."""
    kernel, margin = get_kernel(activation), check_margin(margin)
    q, r = _check_steps(q, r)
    if not math.isfinite(kernel.dkappa_at_1):
        raise ParameterError(f"activation {kernel.name} has kappa'(1) = inf: its spherical capacity diverges at every "
                             "number of steps; krsb_alpha needs a kernel with finite kappa'(1)")
    return _alpha(kernel, q, r, margin, legendre(quad_order))


def _check_steps(q, r):
    q, r = np.asarray(q, dtype=float), np.asarray(r, dtype=float)
    if q.ndim != 1 or q.shape != r.shape or not 1 <= q.size <= K_MAX:
        raise ParameterError(f"k-step RSB needs 1 <= k <= {K_MAX} overlaps q and as many r (got {q.size} and {r.size})")
    if not (q[0] >= 0.0 and np.all(np.diff(q) >= 0.0) and q[-1] < 1.0):
        raise ParameterError(f"overlaps q must satisfy 0 <= q_0 <= ... <= q_(k-1) < 1 (got {q.tolist()})")
    if not (r[0] > 0.0 and np.all(np.diff(r) >= 0.0) and np.all(np.isfinite(r))):
        raise ParameterError(f"r must satisfy 0 < r_1 <= ... <= r_k (got {r.tolist()})")
    return q, r


def _alpha(kernel, q, r, margin, nodes):
    e = krsb_energetic(np.asarray(kernel.kappa(q), dtype=float).reshape(-1), r, kernel.dkappa_at_1, margin, *nodes)
    return Spherical.krsb_entropy(tuple(q), tuple(r)) / -e


# search variables v -> (q, r): q_0 = expit(v_0), q_i = q_{i-1} + (1 - q_{i-1}) expit(v_i);
# ln r_1 = v_k, ln r_i = ln r_{i-1} + exp(v_{k+i-1}): every v is valid and the ordering is built in
def _unpack(v, k):
    q = np.empty(k)
    q[0] = expit(v[0])
    for i in range(1, k):
        q[i] = q[i - 1] + (1.0 - q[i - 1]) * expit(v[i])
    log_r = v[k] + np.concatenate([[0.0], np.cumsum(np.exp(v[k + 1:]))])
    return q, np.exp(log_r)


def _pack(q, r):
    k = len(q)
    v = np.empty(2 * k)
    v[0] = logit(q[0])
    for i in range(1, k):
        v[i] = logit((q[i] - q[i - 1]) / (1.0 - q[i - 1]))
    v[k] = math.log(r[0])
    v[k + 1:] = np.log(np.diff(np.log(r)))
    return v


def _seeds(previous):
    """(k)-step starting points from a (k-1)-step optimum: each step split in two.

    Splitting level i puts a new overlap halfway between q_{i-1} and q_i (or above the last one)
    and splits r_i into r_i / 2 and 2 r_i (clipped to keep the ordering).
    """
    q, r = list(previous.q), list(previous.r)
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


def _solve(kernel, margin, quad_order, seeds, k):
    """Minimise alpha over the search variables (BFGS) from every seed at a coarse quadrature
    order, rank the ends at quad_order, polish the best there.  Returns (result, evaluations)."""
    count = [0]
    fine = legendre(quad_order)

    def objective(v, nodes):
        count[0] += 1
        q, r = _unpack(v, k)
        if not (R_MIN <= r[0] and r[-1] <= R_MAX and r[-1] * (1.0 - q[-1]) <= TOP_STEP_MAX and q[-1] < 1.0 - 1e-12):
            return math.inf
        return _alpha(kernel, q, r, margin, nodes)

    coarse = legendre(min(COARSE_QUAD_ORDER, quad_order))
    ends = []
    for q, r in seeds:
        res = minimize(objective, _pack(q, r), args=(coarse,), method="BFGS", options={"gtol": 1e2 * GRAD_TOL, "maxiter": 400})
        value = objective(res.x, fine)
        if math.isfinite(value):
            ends.append((value, res))
    if not ends:
        raise ConvergenceError(f"{k}-step RSB capacity ({kernel.name}): no finite value from any start")
    best = min(ends, key=lambda end: end[0])[1]
    h_inv = 0.5 * (best.hess_inv + best.hess_inv.T)  # the coarse curvature, when usable, starts the polish
    options = {"gtol": GRAD_TOL, "maxiter": 400}
    if np.linalg.eigvalsh(h_inv).min() > 0.0:
        options["hess_inv0"] = h_inv
    res = minimize(objective, best.x, args=(fine,), method="BFGS", options=options)
    return res, count[0]


def alpha_c_krsb(activation="relu", k=2, margin=0.0, quad_order=KRSB_QUAD_ORDER, previous=None):
    """Spherical k-step RSB capacity, k in 1..3, each k seeded from the (k-1)-step optimum.

    k = 1 is polished from alpha_c_1rsb's minimum; for kernels with infinite kappa'(1) (sign) the
    capacity is infinite.  Raises ConvergenceError when no stationary point is reached.
    """
    kernel, margin = get_kernel(activation), check_margin(margin)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= K_MAX:
        raise ParameterError(f"k (number of RSB steps) must be an integer in [1, {K_MAX}] (got {k!r})")
    if not math.isfinite(kernel.dkappa_at_1):
        return KStepRSB(k, math.inf, (), (), math.nan, True, 0.0, 0, 0.0)
    alpha_rs = alpha_c_spherical_rs(kernel, margin)
    if k == 1:
        frozen = alpha_c_1rsb(kernel, margin, quad_order)
        if frozen.on_boundary:
            return KStepRSB(1, alpha_rs, (), (), math.nan, True, 0.0, 0, 0.0)
        seeds = [(np.array([frozen.q0]), np.array([frozen.x]))]
    else:
        if previous is None or previous.k != k - 1:
            previous = alpha_c_krsb(kernel, k - 1, margin, quad_order)
        if not previous.q:  # the (k-1)-step optimum is RS: nothing to split
            return KStepRSB(k, previous.alpha_c, (), (), math.nan, True, 0.0, 0, 0.0)
        seeds = _seeds(previous)
    for order in (quad_order, 2 * quad_order):  # one refinement if the quadrature check fails
        with warnings.catch_warnings(), np.errstate(over="ignore", invalid="ignore"):
            # steps outside the domain are inf: finite differences across them are nan and rejected
            warnings.simplefilter("ignore", RuntimeWarning)
            res, evaluations = _solve(kernel, margin, order, seeds, k)
        q, r = _unpack(res.x, k)
        check = _alpha(kernel, q, r, margin, legendre(2 * order))
        if abs(check - res.fun) <= QUAD_TOL:
            break
        seeds = [(q, r)]
    gradient = float(np.max(np.abs(res.jac)))
    converged = bool(res.success or gradient < 1e2 * GRAD_TOL)
    if not converged:
        raise ConvergenceError(f"{k}-step RSB capacity ({kernel.name}, margin {margin:g}): {res.message} "
                               f"(|grad| = {gradient:.1e} at alpha = {res.fun:.10g})")
    if not abs(check - res.fun) <= QUAD_TOL:
        raise ConvergenceError(f"{k}-step RSB capacity ({kernel.name}): quadrature not converged at the optimum "
                               f"(alpha {res.fun:.10g} with {order} nodes, {check:.10g} with {2 * order})")
    if k > 1 and res.fun > previous.alpha_c + 1e-12:
        raise ConvergenceError(f"{k}-step RSB capacity ({kernel.name}): the optimum {res.fun:.12g} lies above "
                               f"the {k - 1}-step value {previous.alpha_c:.12g}")
    return KStepRSB(k, float(res.fun), tuple(map(float, q)), tuple(map(float, r)),
                    float(r[-1] / kernel.dkappa_at_1), converged, gradient, evaluations, abs(check - res.fun))


def alpha_c_krsb_sequence(activation="relu", k_max=K_MAX, margin=0.0, quad_order=KRSB_QUAD_ORDER):
    """[1-step, ..., k_max-step] capacities, each seeded from the one before."""
    out, previous = [], None
    for k in range(1, k_max + 1):
        previous = alpha_c_krsb(activation, k, margin, quad_order, previous)
        out.append(previous)
    return out
