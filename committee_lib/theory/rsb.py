"""One-step replica symmetry breaking for spherical weights (book: theory_capacity, one step of RSB).

Three routes to the same physics, each checking the others:
* the SAT/UNSAT limit q1 -> 1, m = x (1 - q1): alpha_c^1RSB = min over (x, q0) of S/(-E) (eq. T23);
* the full 1RSB free entropy at finite 1 - q1, minimised directly over (q0, q1, m);
* its curvature along the replicon direction at the RS point, -m(1-m) lambda_R / 4 (sec. 5).
"""

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize, minimize_scalar
from scipy.special import expit, logit

from .energetic import frozen_energetic, rsb_energetic
from ..errors import ConvergenceError, check_range
from .model import DEFAULT_QUAD_ORDER, Model, resolve_spherical
from .rs import alpha_c_spherical_rs, rs_solution

#: x = m/(1 - q1) is searched in [X_MIN, X_MAX]: below, S and E cancel catastrophically (pitfall 4)
X_MIN, X_MAX = 1e-5, 1e5
Q0_MAX = 1.0 - 1e-8
#: the direct minimisation keeps m >= M_MIN: its 1/m terms cancel catastrophically as m -> 0
M_MIN = 1e-4


def frozen_alpha(x, q0, activation="relu", margin=0.0, quad_order=DEFAULT_QUAD_ORDER, *, model=None):
    """alpha(x, q0) = S(x, q0) / (-E(x, q0)) on the q1 -> 1 line (eq. T23)."""
    model = resolve_spherical(model, activation, margin, quad_order)
    x = check_range("x", x, X_MIN, X_MAX)
    q0 = check_range("q0", q0, 0.0, Q0_MAX)
    dk1 = model.kernel.dkappa_at_1
    if not math.isfinite(dk1):
        return math.inf
    e = frozen_energetic(x, model.kernel.kappa(q0), dk1, model.margin, *model.nodes)
    return model.prior.frozen_entropy(x, q0) / -e


def frozen_alpha_grid(xs, q0s, activation="relu", margin=0.0, quad_order=DEFAULT_QUAD_ORDER, *, model=None):
    """alpha(x, q0) on a grid: rows follow q0s, columns xs (the 1RSB SAT/UNSAT landscape)."""
    model = resolve_spherical(model, activation, margin, quad_order)
    return np.array([[frozen_alpha(x, q0, model=model) for x in xs] for q0 in q0s])


def frozen_alpha_min_q0(x, activation="relu", margin=0.0, quad_order=DEFAULT_QUAD_ORDER, *, model=None):
    """(min over q0 of alpha(x, q0), argmin q0) at fixed x: the q0-optimised 1RSB curve."""
    model = resolve_spherical(model, activation, margin, quad_order)
    res = minimize_scalar(lambda q0: frozen_alpha(x, q0, model=model),
                          bounds=(0.0, Q0_MAX), method="bounded", options={"xatol": 1e-10})
    if not res.success:
        raise ConvergenceError(f"q0-optimised 1RSB curve at x = {x:g}: {res.message}")
    return float(res.fun), float(res.x)


def frozen_alpha_min_x(q0, activation="relu", margin=0.0, quad_order=DEFAULT_QUAD_ORDER, *, model=None):
    """(min over x of alpha(x, q0), argmin x) at fixed q0 (q0 = 0: no inter-state correlation)."""
    model = resolve_spherical(model, activation, margin, quad_order)
    res = minimize_scalar(lambda u: frozen_alpha(math.exp(u), q0, model=model),
                          bounds=(math.log(X_MIN), math.log(X_MAX)), method="bounded", options={"xatol": 1e-10})
    if not res.success:
        raise ConvergenceError(f"1RSB curve at q0 = {q0:g}: {res.message}")
    return float(res.fun), math.exp(res.x)


@dataclass(frozen=True)
class FrozenRSB:
    """The 1RSB SAT/UNSAT point: alpha_c and where it is reached."""

    alpha_c: float
    x: float  # m / (1 - q1)
    q0: float
    y: float  # energetic tilt m / (1 - kappa(q1)) = x / kappa'(1)
    on_boundary: bool  # minimum at x -> 0 or q0 -> 1: 1RSB gives back RS (a physical answer, not a failure)
    model: Model = field(compare=False)


def alpha_c_1rsb(activation="relu", margin=0.0, quad_order=DEFAULT_QUAD_ORDER, *, model=None):
    """Spherical 1RSB capacity: minimum of alpha(x, q0) over x in [1e-5, 1e5], q0 in [0, 1).

    Infinite when kappa'(1) is (sign). A minimum on the boundary means RS is exact there.
    """
    model = resolve_spherical(model, activation, margin, quad_order)
    kernel, margin, nodes = model.kernel, model.margin, model.nodes
    alpha_rs = alpha_c_spherical_rs(model=model)
    if not math.isfinite(alpha_rs):
        return FrozenRSB(math.inf, math.nan, math.nan, math.nan, False, model)

    dk1 = kernel.dkappa_at_1

    def objective(v):  # frozen_alpha without the argument checks: the bounds keep v valid
        x, q0 = math.exp(v[0]), v[1]
        return model.prior.frozen_entropy(x, q0) / -frozen_energetic(x, kernel.kappa(q0), dk1, margin, *nodes)

    # coarse scan, then a bounded local refinement from the best grid point
    bounds = [(math.log(X_MIN), math.log(X_MAX)), (0.0, Q0_MAX)]
    grid = [(u, q0) for u in np.linspace(-4.0, 8.0, 7) for q0 in np.linspace(0.0, 0.9, 6)]
    start = min(grid, key=objective)
    res = minimize(objective, start, method="Nelder-Mead", bounds=bounds,
                   options={"xatol": 1e-6, "fatol": 1e-13 * alpha_rs, "maxiter": 4000,
                            "initial_simplex": [start, (start[0] + 1.0, start[1]), (start[0], start[1] + 0.09)]})
    if not res.success:
        raise ConvergenceError(f"1RSB capacity ({model.activation}): {res.message}")
    x, q0 = math.exp(res.x[0]), float(res.x[1])
    on_boundary = res.fun >= alpha_rs or x < 1.01 * X_MIN or q0 > 1.0 - 1e-5
    if on_boundary:
        return FrozenRSB(alpha_rs, x, q0, x / kernel.dkappa_at_1, True, model)
    return FrozenRSB(float(res.fun), x, q0, x / kernel.dkappa_at_1, False, model)


def rsb_free_entropy(alpha, q0, q1, m, activation="relu", margin=0.0, quad_order=DEFAULT_QUAD_ORDER, *, model=None):
    """Full spherical 1RSB free entropy G_S(q0, q1, m) + alpha G_E(q0, q1, m) (sec. 6)."""
    model = resolve_spherical(model, activation, margin, quad_order)
    alpha = check_range("alpha", alpha, 0.0, None, low_open=True)
    q1 = check_range("q1", q1, 0.0, 1.0, high_open=True)
    q0 = check_range("q0", q0, 0.0, q1)
    m = check_range("m", m, 0.0, None, low_open=True)
    g_e = rsb_energetic(model.kernel.kappa(q0), model.kernel.kappa(q1), m, model.margin, *model.nodes)
    return model.prior.rsb_entropy(q0, q1, m) + alpha * g_e


def minimize_rsb(alpha, activation="relu", margin=0.0, quad_order=DEFAULT_QUAD_ORDER, starts=None, *, model=None):
    """Direct minimisation of the 1RSB free entropy over 0 <= q0 < q1 < 1, M_MIN <= m <= 1.

    Variables are mapped to the real line (q0 = expit(u0), q1 = q0 + (1 - q0) expit(u1),
    m = M_MIN + (1 - M_MIN) expit(u2)).  Starts: the RS overlap split symmetrically, and the frozen 1RSB point
    (q0*, q1 = 1 - 1e-3, m = x* 1e-3), plus any given (q0, q1, m).  Returns a dict with the
    minimiser, its free entropy and the RS free entropy at the same alpha.
    """
    model = resolve_spherical(model, activation, margin, quad_order)
    rs = rs_solution(alpha, model=model)
    frozen = alpha_c_1rsb(model=model)
    guesses = [(0.9 * rs.q, rs.q + 0.5 * (1.0 - rs.q), 0.5)]
    if not frozen.on_boundary and math.isfinite(frozen.alpha_c):
        guesses.append((frozen.q0, 1.0 - 1e-3, min(frozen.x * 1e-3, 0.9)))
    guesses += list(starts or [])

    def unpack(u):
        q0 = expit(u[0])
        q1 = q0 + (1.0 - q0) * expit(u[1])
        return q0, q1, M_MIN + (1.0 - M_MIN) * expit(u[2])

    def objective(u):
        q0, q1, m = unpack(u)
        if not (m > 0.0 and q0 < q1 < 1.0):  # expit saturated: outside the open domain
            return math.inf
        return rsb_free_entropy(alpha, q0, q1, m, model=model)

    best = None
    for q0, q1, m in guesses:
        u0 = [logit(q0), logit((q1 - q0) / (1.0 - q0)), logit((m - M_MIN) / (1.0 - M_MIN))]
        res = minimize(objective, u0, method="Nelder-Mead",
                       options={"xatol": 1e-8, "fatol": 1e-12, "maxiter": 20000, "maxfev": 20000})
        if best is None or res.fun < best.fun:
            best = res
    if not math.isfinite(best.fun):
        raise ConvergenceError(f"1RSB minimisation at alpha = {alpha:g} found no finite value")
    q0, q1, m = unpack(best.x)
    return {"alpha": alpha, "q0": q0, "q1": q1, "m": m, "x": m / (1.0 - q1),
            "free_entropy": float(best.fun), "free_entropy_rs": rs.free_entropy, "q_rs": rs.q, "model": model}


def replicon_curvature(alpha, m=0.5, activation="relu", margin=0.0, quad_order=DEFAULT_QUAD_ORDER,
                       steps=(0.004, 0.008, 0.012, 0.016), *, model=None):
    """Curvature of the full 1RSB free entropy along the replicon direction at the RS point.

    Along q1 = q + m t, q0 = q - (1 - m) t, F_1RSB(t) - F_RS = c1 t + c2 t^2 + c3 t^3 + ...;
    the fit over the given steps returns c1 (zero at a saddle point), c2 and the prediction
    -m (1 - m) lambda_R / 4 of the replicon eigenvalue (sec. 5).  c2 changes sign on the AT line.
    """
    m = check_range("m", m, 0.0, 1.0, low_open=True, high_open=True)
    model = resolve_spherical(model, activation, margin, quad_order)
    rs = rs_solution(alpha, model=model)
    t = np.asarray(steps, dtype=float)
    df = np.array([rsb_free_entropy(alpha, rs.q - (1.0 - m) * s, rs.q + m * s, m, model=model)
                   for s in t]) - rs.free_entropy
    c1, c2, c3 = np.linalg.lstsq(np.vander(t, 4, increasing=True)[:, 1:], df, rcond=None)[0]
    return {"alpha": alpha, "q": rs.q, "c1": float(c1), "c2": float(c2),
            "predicted": -m * (1.0 - m) * rs.replicon / 4.0, "replicon": rs.replicon, "model": model}

