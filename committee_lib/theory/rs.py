"""Replica-symmetric saddle point, critical capacity and de Almeida-Thouless line.

The RS solution is parametrised by its overlap q: the prior gives qhat(q), and the energetic
saddle-point equation qhat = alpha kappa'(q) A(kappa(q)) then gives alpha(q) explicitly
(book: theory_capacity, the RS sections).  Everything else (free entropy, replicon) follows at that q.

Where kappa'(0) = 0 (the fully connected machine, an even activation in the tree) q = 0 solves the RS
equations at every load, so the load of that saddle is not a function of q: rs_point(0, alpha=...)
takes it.  Which saddle is the RS solution at a load is decided by the free entropy (rs_overlap).
"""

import math
from dataclasses import dataclass, field

import numpy as np

from .energetic import rs_energetic
from .gaussian import LOG_SQRT_2PI, log_ndtr
from ..errors import ConvergenceError, ParameterError, check_range
from .model import DEFAULT_QUAD_ORDER, Model, check_margin, resolve
from ..roots import find_root

#: RS solutions are searched for 1 - q >= this (binary: the prior's own, smaller, limit)
ONE_MINUS_Q_MIN = 1e-10
#: and for q >= this
Q_START = 1e-6
#: equal steps in q of the scan for the RS saddles where kappa'(0) = 0 (alpha(q) need not be monotone there)
SYMMETRIC_SCAN = 200


@dataclass(frozen=True)
class RSPoint:
    """The RS saddle point at overlap q, with everything derived from it."""

    q: float
    qhat: float
    alpha: float
    free_entropy: float  # F = G_S + alpha G_E (eq. 3)
    entropic: float  # G_S
    energetic: float  # G_E
    replicon: float  # lambda_R = -1/gamma_S + alpha (kappa'^2 B + kappa'' A), sec. 5
    at_function: float  # alpha gamma_S (kappa'^2 B + kappa'' A) - 1: zero on the AT line
    model: Model = field(compare=False)


def rs_point(q, activation="relu", weights="spherical", margin=0.0, quad_order=DEFAULT_QUAD_ORDER,
             kappa2_term=True, *, model=None, alpha=None):
    """RS saddle point at overlap q in (0, 1): alpha(q), F, replicon (theory_capacity: the RS sections and the replicon).

    q = 0 is a saddle too where kappa'(0) = 0 (_symmetric_saddle), at every load: there the load alpha
    must be given (F = G_S(0) + alpha G_E(kappa(0)), qhat = 0), and nowhere else (alpha follows from q).
    kappa2_term=False drops the kappa'' A piece of the replicon: wrong, kept to show what it costs.
    """
    model = resolve(model, activation, weights, margin, quad_order)
    kernel = model.kernel
    q = check_range("q", q, 0.0, 1.0, low_open=not _symmetric_saddle(kernel), high_open=True)
    if (q == 0.0) != (alpha is not None):
        raise ParameterError(f"alpha (the load) must be given at q = 0 and only there: q = 0 is an RS saddle at every "
                             f"load (kappa'(0) = 0), elsewhere the load follows from q (got alpha = {alpha!r} at q = {q:g})")
    kap, dk, d2k = kernel.kappa(q), kernel.dkappa(q), kernel.d2kappa(q)
    g_e, a, b = rs_energetic(kap, model.margin, *model.nodes)
    qhat, g_s, gamma_s = model.prior.rs_terms(q, model.quad_order)
    if q == 0.0:
        alpha = check_range("alpha", alpha, 0.0, None, low_open=True)
    else:
        alpha = qhat / (dk * a)  # eq. T7 and its binary analogue
    curvature = dk * dk * b + (d2k * a if kappa2_term else 0.0)
    values = (qhat, alpha, g_s, g_e, curvature)
    if not all(math.isfinite(v) for v in values):
        raise ConvergenceError(f"RS point at q = {q!r} is not finite: (qhat, alpha, G_S, G_E, kappa'^2 B + kappa'' A) = {values}")
    return RSPoint(
        q=q, qhat=qhat, alpha=alpha, free_entropy=g_s + alpha * g_e, entropic=g_s, energetic=g_e,
        replicon=-1.0 / gamma_s + alpha * curvature, at_function=alpha * gamma_s * curvature - 1.0, model=model)


def _q_max(model):
    return min(model.prior.q_max, 1.0 - ONE_MINUS_Q_MIN)


def _q_grid(q_lo, q_hi, n_linear=34):
    """The scan of q on [q_lo, q_hi]: n_linear equal steps up to 0.99, then 17 steps in log(1 - q)."""
    return np.unique(np.concatenate([np.linspace(q_lo, 0.99, n_linear), 1.0 - np.logspace(-2, math.log10(1.0 - q_hi), 17)]))


def _root_in_q(f, model, what, q_lo=Q_START):
    """Smallest root in q of f on (q_lo, q_max): scan a grid dense near q = 1, then Brent."""
    q_hi = _q_max(model)
    grid = _q_grid(q_lo, q_hi)
    prev_q, prev_f = grid[0], f(grid[0])
    for q in grid[1:]:
        fq = f(q)
        if np.sign(fq) != np.sign(prev_f):
            return find_root(f, prev_q, q, what, xtol=1e-14, rtol=1e-15, maxiter=200)
        prev_q, prev_f = q, fq
    raise ConvergenceError(f"{what}: no root for q in [{q_lo:g}, {q_hi:g}] (value {prev_f:.3g} at q = {prev_q:g})")


def rs_overlap(alpha, activation="relu", weights="spherical", margin=0.0, quad_order=DEFAULT_QUAD_ORDER, *, model=None):
    """The RS overlap q(alpha): the saddle point of F(q) = G_S(q) + alpha G_E(kappa(q)) that RS theory selects.

    With dG_S/dq = qhat/2 (both priors: G_S is the prior's term at its own qhat) and dG_E/dkappa = -A/2,

        dF/dq = kappa'(q) A(kappa(q)) (alpha(q) - alpha) / 2:

    F falls where the branch alpha(q) = qhat/(kappa' A) lies below the load and rises where it lies above.
    As n -> 0 the RS saddle is a minimum of F in q (at alpha = 0, F = G_S is least at q = 0: the n(n-1)/2
    overlaps are a negative number of variables), and of several minima RS selects the lowest F; for
    binary weights as for spherical ones.  This keeps the quenched entropy at or below the annealed one,
    E ln Z <= ln E Z, which is F(0) where kappa(0) = 0; the largest F would break that bound between
    the spinodal and the crossing below, and would keep q = 0 at every load for ReLU (F falls from q = 0
    onto the branch: no capacity).  (Binary weights: an F < 0 then says there are no solutions.)

    kappa'(0) > 0 (the tree): alpha(q) rises from 0 and the one root is the minimum.
    kappa'(0) = 0 (book: fully_connected, permutation symmetry): q = 0 is a saddle at every load, a
    minimum while alpha < alpha(0+) (alpha_q0_instability; infinite where kappa''(0) = 0), and the
    minima with q > 0 are the roots where alpha(q) crosses the load upwards; of these and q = 0 the one
    of least F (alpha_q0_transition: where the answer leaves 0).  A root below Q_START counts as q = 0.
    ConvergenceError beyond the RS capacity, where F still falls at q_max (no saddle).
    """
    model = resolve(model, activation, weights, margin, quad_order)
    alpha = check_range("alpha", alpha, 0.0, None, low_open=True)
    what = f"RS overlap at alpha = {alpha:g}"
    if not _symmetric_saddle(model.kernel):
        return _root_in_q(lambda q: rs_point(q, model=model).alpha - alpha, model, what, q_lo=1e-9)

    def excess(q):  # alpha(q) - alpha: the sign of dF/dq
        return rs_point(q, model=model).alpha - alpha

    grid = _q_grid(Q_START, _q_max(model), SYMMETRIC_SCAN)
    slopes = np.array([excess(q) for q in grid])
    if slopes[-1] < 0.0:
        raise ConvergenceError(f"{what}: F(q) still decreases at q = {grid[-1]:g} (beyond the RS capacity, no saddle)")
    minima = [(rs_point(0.0, model=model, alpha=alpha).free_entropy, 0.0)] if slopes[0] > 0.0 else []
    for i in np.flatnonzero((slopes[:-1] < 0.0) & (slopes[1:] >= 0.0)):
        q = find_root(excess, grid[i], grid[i + 1], what, xtol=1e-14, rtol=1e-15, maxiter=200)
        minima.append((rs_point(q, model=model).free_entropy, q))
    return min(minima)[1]


def rs_solution(alpha, activation="relu", weights="spherical", margin=0.0, quad_order=DEFAULT_QUAD_ORDER, *, model=None):
    """The RSPoint at load alpha (rs_overlap: the saddle point RS selects; q = 0 carries the load itself)."""
    model = resolve(model, activation, weights, margin, quad_order)
    q = rs_overlap(alpha, model=model)
    return rs_point(q, model=model, alpha=alpha if q == 0.0 else None)


def rs_curve(qs, activation="relu", weights="spherical", margin=0.0, quad_order=DEFAULT_QUAD_ORDER, *, model=None):
    """Arrays alpha, F, replicon, at_function (every number of RSPoint) along RS overlaps qs: a parametric F(alpha) curve."""
    model = resolve(model, activation, weights, margin, quad_order)
    points = [rs_point(q, model=model) for q in qs]
    return {k: np.array([getattr(p, k) for p in points]) for k in RSPoint.__dataclass_fields__ if k != "model"}


def _symmetric_saddle(kernel):
    """True when kappa'(0) = 0, so that q = 0 solves the RS equations at every load."""
    return abs(kernel.dkappa(0.0)) < 1e-12


def _check_symmetric(model, what):
    """model, if q = 0 is an RS saddle of its kernel at every load; else a ParameterError naming `what`."""
    if not _symmetric_saddle(model.kernel):
        raise ParameterError(f"q = 0 is not an RS saddle for {model.activation} in the {model.architecture} machine "
                             f"(kappa'(0) > 0): no q = 0 {what}")
    return model


def alpha_q0_instability(activation="relu", weights="spherical", margin=0.0, quad_order=DEFAULT_QUAD_ORDER, *,
                         model=None):
    """Where the q > 0 RS branch leaves the saddle q = 0 of a kernel with kappa'(0) = 0 (book: fully_connected,
    permutation symmetry): alpha = 1 / (kappa''(0) A(0)), A(0) = (phi(k) / H(k))^2, since qhat = q + O(q^2) for
    both priors.  None when kappa''(0) = 0 too (odd activations in the fully connected machine): the branch
    then appears discontinuously, away from q = 0.
    """
    model = _check_symmetric(resolve(model, activation, weights, margin, quad_order), "instability")
    d2k = model.kernel.d2kappa(0.0)
    if abs(d2k) < 1e-12:
        return None
    k = model.margin
    mills = math.exp(-0.5 * k * k - LOG_SQRT_2PI - log_ndtr(-k))  # phi(k) / H(k)
    return 1.0 / (d2k * mills * mills)


def alpha_q0_transition(activation="relu", weights="spherical", margin=0.0, quad_order=DEFAULT_QUAD_ORDER, *,
                        model=None):
    """The load where the RS overlap (rs_overlap) leaves q = 0, for a kernel with kappa'(0) = 0 (book: fully_connected,
    permutation symmetry).  kappa''(0) > 0 (ReLU): the q > 0 branch leaves q = 0 continuously at
    alpha_q0_instability.  kappa''(0) = 0 (odd activations): alpha(q) falls from infinity at q = 0+ to a minimum
    (the spinodal, where the q > 0 minimum of F is born) and rises again; along that upper branch
    D(q) = F(q) - [G_S(0) + alpha(q) G_E(kappa(0))] has dD/dq = alpha'(q) [G_E(kappa(q)) - G_E(kappa(0))] < 0,
    positive at the spinodal (F rises from q = 0 up to there): the transition is its one root, where q jumps
    from 0 to that q.  None if D stays positive up to q_max (q = 0 up to the RS capacity).
    """
    model = _check_symmetric(resolve(model, activation, weights, margin, quad_order), "transition")
    grid = _q_grid(Q_START, _q_max(model), SYMMETRIC_SCAN)
    spinodal = int(np.argmin([rs_point(q, model=model).alpha for q in grid]))
    if spinodal == 0:
        return alpha_q0_instability(model=model)
    symmetric = rs_point(0.0, model=model, alpha=1.0)

    def excess(q):  # D(q)
        p = rs_point(q, model=model)
        return p.free_entropy - (symmetric.entropic + p.alpha * symmetric.energetic)

    try:
        q = _root_in_q(excess, model, f"q = 0 transition ({model.weights}, {model.activation})", q_lo=grid[spinodal])
    except ConvergenceError:
        if excess(grid[-1]) > 0.0:
            return None
        raise
    return rs_point(q, model=model).alpha


def alpha_c_binary_rs(activation="relu", margin=0.0, quad_order=DEFAULT_QUAD_ORDER, *, model=None):
    """Binary RS capacity: the alpha where the RS free entropy vanishes (paper eq. 5).

    Where kappa'(0) = 0 (the fully connected machine, an even activation in the tree) q = 0 solves the
    RS equations at every load; if the free entropy of the q > 0 branch is negative wherever that
    branch exists (odd activations in the fully connected machine), the capacity is where the entropy
    G_S(0) + alpha G_E(0) of the q = 0 saddle vanishes (book: fully_connected, binary weights).
    """
    model = resolve(model, activation, "binary", margin, quad_order, fixed_weights=True)
    try:
        q = _root_in_q(lambda q: rs_point(q, model=model).free_entropy, model, "binary RS capacity")
    except ConvergenceError:
        if _symmetric_saddle(model.kernel) and rs_point(1e-6, model=model).free_entropy < 0.0:
            return math.log(2.0) / -log_ndtr(-model.margin)  # G_S(0) = ln 2 (the whole prior), G_E(0) = ln H(k)
        raise
    return rs_point(q, model=model).alpha


def gardner_integral(margin):
    """J(k) = int_{-k}^inf Dt (t + k)^2 = (1 + k^2) H(-k) + k phi(k)."""
    k = check_margin(margin)
    return (1.0 + k * k) * 0.5 * math.erfc(-k / math.sqrt(2.0)) + k * math.exp(-0.5 * k * k) / math.sqrt(2.0 * math.pi)


def alpha_c_spherical_rs(activation="relu", margin=0.0, *, model=None):
    """Spherical RS capacity kappa'(1)/J(k) (eq. T9; paper eq. 6 at k = 0); inf for sign."""
    model = resolve(model, activation, "spherical", margin, DEFAULT_QUAD_ORDER, fixed_weights=True)
    return model.kernel.dkappa_at_1 / gardner_integral(model.margin)


def alpha_c_rs(activation="relu", weights="spherical", margin=0.0, quad_order=DEFAULT_QUAD_ORDER, *, model=None):
    """The RS critical capacity: where the entropy of discrete weights vanishes (alpha_c_binary_rs), where
    q -> 1 for continuous ones (alpha_c_spherical_rs)."""
    model = resolve(model, activation, weights, margin, quad_order)
    return alpha_c_binary_rs(model=model) if model.prior.discrete else alpha_c_spherical_rs(model=model)


def alpha_at(activation="relu", weights="spherical", margin=0.0, quad_order=DEFAULT_QUAD_ORDER, kappa2_term=True, *,
             model=None):
    """The de Almeida-Thouless load: alpha gamma_S (kappa'^2 B + kappa'' A) = 1 (sec. 5, eq. T12).

    None when the replicon stays negative on the whole RS branch (the spherical perceptron:
    RS is stable up to its capacity, where the AT function only tends to 0 from below).
    Where q = 0 is an RS saddle at every load (kappa'(0) = 0), the RS solution (rs_overlap) is q = 0, stable
    (there the AT function is alpha kappa''(0) A(0) - 1 < 0), up to alpha_q0_transition; if the q > 0 branch
    it then moves onto is unstable (the fully connected machine, book: fully_connected), that load:
    alpha_q0_instability for ReLU, where the branch leaves q = 0; for odd units, where q jumps.
    """
    model = resolve(model, activation, weights, margin, quad_order)

    def at(q):
        return rs_point(q, kappa2_term=kappa2_term, model=model).at_function

    q_lo = Q_START
    if _symmetric_saddle(model.kernel):
        takeover = alpha_q0_transition(model=model)
        if takeover is None:
            return None
        q_lo = max(rs_overlap(takeover * (1.0 + 1e-9), model=model), 1e-3)  # 1e-3: at ~ q^2 near 0, above its round-off
        if at(q_lo) >= 0.0:
            return takeover
    try:
        q = _root_in_q(at, model, f"AT line ({model.weights}, {model.activation})", q_lo=q_lo)
    except ConvergenceError:
        if at(_q_max(model)) < 0.0:
            return None
        raise
    return rs_point(q, model=model).alpha
