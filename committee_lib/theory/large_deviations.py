"""Large-deviation measure of the paper's eq. (8) at finite y, and the analyses built on the local entropy.

Eq. (8) counts y replicas of the weights, all solutions, at fixed mutual overlap q1.  Averaged with
the replica method it is the 1RSB free entropy with Parisi parameter m = y (groups of y replicas)
and intra-group overlap q1 fixed externally, multiplied by y (book: theory_large_deviations, the measure as one-step RSB):

    F_LD = G_S + alpha G_E,   G_E = E_z0 ln E_z1 H(-(sqrt(k0) z0 + sqrt(k1 - k0) z1 - k)/sqrt(1 - k1))^y
                               = y * rsb_energetic(k0, k1, y, k)          (k_i = kappa(q_i))

    binary:    G_S = -y qhat1 (1 + (y-1) q1)/2 + y^2 qhat0 q0/2
                     + E_z0 ln sum_{k=0}^{y} C(y,k) exp(M sqrt(qhat0) z0 + (qhat1 - qhat0) M^2/2),  M = 2k - y
    spherical: G_S = [(y-1) ln(1-q1) + ln D + y q0/D]/2,  D = 1 - q1 + y (q1 - q0)
                   = y * Spherical.rsb_entropy(q0, q1, y)

The binomial sum is the exact inner (group) integral; it stays valid when qhat1 < qhat0.
Saddle point (the tilted measures are C(y,k) e^{...} for M and H^y for the output):

    q1 = (E<M^2> - y)/(y (y-1))        fixes qhat1 (q1 is an external parameter)
    q0 = E<M>^2 / y^2                  binary
    qhat0 = alpha kappa'(q0) E_z0 <g>^2, g = d/dx ln H(-x/eps), the output tilted by H^y
    spherical: q0/D^2 = alpha kappa'(q0) E_z0 <g>^2

G_E is computed by `tilted_output`: the integral of energetic.rsb_energetic with m = y (both use
gaussian.tilted_log_nodes inside), on outer panels adapted to large y; the same pass gives E<g>^2.

The binary system is solved with ln qhat0 as the only outer unknown: for a given qhat0 the
q1-equation fixes c = qhat1 - qhat0 (monotone, Newton), which gives q0, and the last equation is a
scalar residual.  The spherical system is a scalar equation in q0.

The y -> infinity limit (local entropy per replica) is in committee_lib.theory.local_entropy; this module
also holds the analyses of the chapter on top of it: the curve crossings alpha*, the alpha where
the local entropy stops being monotone, and the `committee ld` command.
"""

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize_scalar

from ..errors import ConvergenceError, ParameterError, check_range
from ..published import NOTES
from .energetic import energetic_envelope, tilted_output
from .local_entropy import LocalEntropy, local_entropy, local_entropy_curve, phi_alpha0
from .model import DEFAULT_QUAD_ORDER, GEOMETRY_MARGINS, Model, ModelResult, resolve
from .priors import PRIORS, get_prior
from .priors.binary import SYMMETRIC_PROBE
from ..roots import bisect_into_domain, find_root
from .rs import rs_overlap, rs_solution

#: the number of replicas y is an integer (binary: the group sum has y + 1 terms) in [2, Y_MAX]
Y_MAX = 2000


def binary_entropic_term(q0, q1, qhat0, qhat1, y, quad_order=DEFAULT_QUAD_ORDER):
    """The binary finite-y entropic term G_S at arbitrary (q0, q1, qhat0, qhat1) and integer y >= 1:

        -y qhat1 (1 + (y-1) q1)/2 + y^2 qhat0 q0/2 + E_z0 ln sum_k C(y,k) e^{M sqrt(qhat0) z0 + (qhat1-qhat0) M^2/2}

    (not extremised: for checks).  y = 1 gives the RS entropic term at (q0, qhat0) whatever q1, qhat1;
    q0 = q1 with qhat0 = qhat1 gives y times the RS term.  Binary.ld_entropic_term.
    """
    y = int(check_range("y", y, 1.0, Y_MAX))
    return PRIORS["binary"].ld_entropic_term(q0, q1, qhat0, qhat1, y, quad_order)


# ----------------------------------------------------------------------------- finite-y saddle point
@dataclass(frozen=True)
class LDPoint(ModelResult):
    """The finite-y saddle point of eq. (8) at (alpha, q1, y), everything per N.

    free_entropy F_LD = entropic + alpha * y * energetic; phi = F_LD / y; phi0 = F_LD(alpha=0)/y;
    phi_normalized = phi - phi0.  energetic is the 1RSB energetic term (1/y) E ln E H^y
    (rsb_energetic with m = y).  qhat1 is None for spherical weights (no conjugate needed there);
    qhat0 = alpha kappa'(q0) E<g>^2 for both priors.  The tilted measure of the stabilities chapter
    is fixed by (kappa0, kappa1, y).
    """

    alpha: float
    q1: float
    y: int
    q0: float
    qhat0: float
    qhat1: float | None
    kappa0: float
    kappa1: float
    free_entropy: float
    phi: float
    phi0: float
    phi_normalized: float
    entropic: float
    energetic: float
    model: Model = field(compare=False)


def check_y(y):
    """y: an integer number of replicas in [2, Y_MAX] (a float equal to an integer is accepted)."""
    value = check_range("y", y, 2.0, Y_MAX)
    if value != int(value):
        raise ParameterError(f"y must be an integer number of replicas in [2, {Y_MAX}] (got {y!r})")
    return int(value)


def _ld_model(model, activation, weights, margin, quad_order):
    """resolve for the large-deviation functions (margins of the geometry chapters)."""
    return resolve(model, activation, weights, margin, quad_order, GEOMETRY_MARGINS)


def finite_y_alpha0(q1, y, weights, quad_order=DEFAULT_QUAD_ORDER):
    """F_LD(alpha = 0)/y: (1/y) ln of the volume of y-tuples at mutual overlap q1 (no patterns).

    spherical: [(y-1) ln(1-q1) + ln(1 + (y-1) q1)]/(2y); binary: qhat0 = 0 and the group sum.
    """
    prior = get_prior(weights)
    q1 = check_range("q1", q1, 0.0, 1.0, low_open=True, high_open=True)
    y = check_y(y)
    return prior.finite_y_alpha0(q1, y, quad_order)


class _FiniteY:
    """Residual of the last saddle-point equation and the state evaluated along the way."""

    def __init__(self, model, alpha, q1, y):
        self.model, self.alpha, self.q1, self.y = model, alpha, q1, y
        self.kernel, self.prior, self.margin, self.nodes = model.kernel, model.prior, model.margin, model.nodes
        self.kap1 = self.kernel.kappa(q1)
        self.c_guess = None  # binary: the group coupling of the last evaluation (set by the prior)
        self.last = None

    def energetic_rhs(self, q0):
        kap0 = self.kernel.kappa(q0)
        lz, g2 = tilted_output(kap0, self.kap1, float(self.y), self.margin, *self.nodes)
        return self.alpha * self.kernel.dkappa(q0) * g2

    def point(self):
        q0, qhat0, qhat1, psi = self.last
        y = self.y
        kap0 = self.kernel.kappa(q0)
        # (1/y) E ln E H^y: rsb_energetic's integral, with the upper inner limit that stays valid at large y
        energetic = tilted_output(kap0, self.kap1, float(y), self.margin, *self.nodes)[0] / y
        entropic = self.prior.ld_entropic(q0, self.q1, qhat0, qhat1, y, psi)
        free = entropic + self.alpha * y * energetic
        phi0 = self.prior.finite_y_alpha0(self.q1, y, self.model.quad_order)
        values = (q0, qhat0, free, entropic, energetic)
        if not all(math.isfinite(v) for v in values):
            raise ConvergenceError(
                f"finite-y point at alpha={self.alpha:g}, q1={self.q1:g}, y={y} is not finite: "
                f"(q0, qhat0, F, G_S, G_E) = {values}")
        return LDPoint(
            alpha=self.alpha, q1=self.q1, y=y, q0=q0, qhat0=qhat0, qhat1=qhat1, kappa0=kap0, kappa1=self.kap1,
            free_entropy=free, phi=free / y, phi0=phi0, phi_normalized=free / y - phi0, entropic=entropic,
            energetic=energetic, model=self.model)


def ld_finite_y(alpha, q1, y, activation="relu", weights="binary", margin=0.0, quad_order=DEFAULT_QUAD_ORDER,
                start=None, *, model=None):
    """The finite-y large-deviation saddle point (eq. 8) at (alpha, q1, y): an LDPoint.

    start: a previous LDPoint to continue from.  Raises ParameterError for bad input (alpha <= 0,
    q1 outside (0, 1), y not an integer in [2, Y_MAX], ...) and ConvergenceError when no solution is
    found (q1 at or below the typical overlap) or a solver does not converge.
    """
    model = _ld_model(model, activation, weights, margin, quad_order)
    alpha = check_range("alpha", alpha, 0.0, None, low_open=True)
    q1 = check_range("q1", q1, 0.0, 1.0, low_open=True, high_open=True)
    problem = _FiniteY(model, alpha, q1, check_y(y))
    y, prior = problem.y, model.prior
    what = (f"finite-y large deviation ({model.weights}, {model.activation}) at alpha={alpha:g}, q1={q1:g}, y={y} "
            f"(a solution exists only for q1 above the typical overlap)")
    prior.ld_solve(problem, start if isinstance(start, LDPoint) else None, what)
    return problem.point()


def symmetric_load_limit(q1, y, activation="relu", margin=0.0, quad_order=DEFAULT_QUAD_ORDER, *, model=None):
    """The load above which the finite-y saddle point q0 = qhat0 = 0 of binary weights and a kernel with kappa'(0) = 0
    (the fully connected machine's, book fully_connected) is unstable; None if it never is (kappa''(0) = 0).

    The right-hand side qhat0 = alpha kappa'(q0(qhat0)) E<g>^2 is alpha times a map with slope s at qhat0 -> 0 (q0
    grows linearly with qhat0, kappa'(q0) with q0); the point is stable while alpha s < 1: alpha = 1/s, s read at
    qhat0 = SYMMETRIC_PROBE."""
    model = resolve(model, activation, "binary", margin, quad_order, GEOMETRY_MARGINS, fixed_weights=True)
    if not model.kernel.dkappa(0.0) == 0.0:
        raise ParameterError(f"q0 = 0 is not a saddle point of the {model.architecture} {model.activation} machine "
                             "(kappa'(0) > 0): no symmetric load limit")
    if abs(model.kernel.d2kappa(0.0)) < 1e-12:
        return None
    q1 = check_range("q1", q1, 0.0, 1.0, low_open=True, high_open=True)
    problem = _FiniteY(model, 1.0, q1, check_y(y))
    problem.c_guess = 1.0 / problem.y
    model.prior.ld_residual(problem, math.log(SYMMETRIC_PROBE))  # sets q0(qhat0) in problem.last
    return SYMMETRIC_PROBE / problem.energetic_rhs(problem.last[0])


def finite_y_curve(alpha, q1, ys, activation="relu", weights="binary", margin=0.0, quad_order=DEFAULT_QUAD_ORDER, *,
                   model=None):
    """LDPoints along increasing ys by continuation in y (each solution starts the next)."""
    model = _ld_model(model, activation, weights, margin, quad_order)
    points, prev = [], None
    for y in sorted(int(check_y(v)) for v in ys):
        prev = ld_finite_y(alpha, q1, y, start=prev, model=model)
        points.append(prev)
    return points


# ----------------------------------------------------------------------------- slope of the local entropy
def local_entropy_slope(point):
    """d phi / d q1 along the y -> infinity branch, by the envelope theorem (phi is stationary in its
    order parameters, so only the explicit q1 dependence counts):

        binary:    qhat/2 - gamma_hat/2 + alpha d/dq1 E M_E
        spherical: -1/(2(1-q1)) + (1 + Gamma_q)/(2 (1 - q1 + Gamma_q)^2) + alpha d/dq1 E M_E

    with E M_E = E_z M_E(sqrt(kappa(q1)) z - k; Gamma = kappa'(q1) Gamma_q, eps^2 = 1 - kappa(q1)) at
    fixed Gamma_q (central difference).  In the flat region this is d phi0/d q1.
    """
    if not isinstance(point, LocalEntropy):
        raise ParameterError(f"point must be a LocalEntropy (got {type(point).__name__})")
    q1 = point.q1
    prior, kernel, nodes = point.model.prior, point.model.kernel, point.model.nodes
    if point.flat:
        return prior.local_entropy_alpha0_slope(q1)
    h = 1e-5 * min(q1, 1.0 - q1)

    def mean_me(q):
        return energetic_envelope(kernel.kappa(q), kernel.dkappa(q) * point.gamma_q, point.margin, *nodes)[0]

    d_energetic = (mean_me(q1 + h) - mean_me(q1 - h)) / (2.0 * h)
    d_entropic = prior.envelope_entropic_slope(q1, point.qhat, point.gamma_hat, point.gamma_q)
    return d_entropic + point.alpha * d_energetic


def _curve_points(alpha, q1s, model):
    """LocalEntropy objects along decreasing q1s (continuation), stopping where the branch ends."""
    points, prev = [], None
    for q1 in sorted(q1s, reverse=True):
        try:
            prev = local_entropy(alpha, q1, start=prev, model=model)
        except ConvergenceError:
            break
        points.append(prev)
    return points


def max_slope(alpha, activation="relu", weights="binary", q1s=None, margin=0.0, quad_order=DEFAULT_QUAD_ORDER, *,
              model=None):
    """(max over q1 of d phi/d q1, the q1 where it is reached) on the y -> infinity branch.

    Negative: phi decreases with q1 (grows with the distance) everywhere: a monotone local entropy.
    (At the end of the branch, q1 -> q_typ, the slope tends to 0 from below: phi joins the RS
    entropy tangentially.  A positive maximum is always interior.)  The grid maximum (default grid:
    30 points, 1 - q1 log-spaced from 1e-3 to the typical overlap) is refined by a bounded scalar
    search between its neighbours.
    """
    model = _ld_model(model, activation, weights, margin, quad_order)
    if q1s is None:
        q_typ = rs_overlap(alpha, model=model)
        q1s = 1.0 - np.geomspace(1e-3, 0.995 * (1.0 - q_typ), 30)
    points = _curve_points(alpha, q1s, model)
    if len(points) < 3:
        raise ConvergenceError(f"max_slope at alpha={alpha:g} ({model.weights}, {model.activation}): the branch has < 3 points")
    slopes = np.array([local_entropy_slope(p) for p in points])
    i = int(np.clip(np.argmax(slopes), 1, len(points) - 2))
    lo, hi = points[i + 1].q1, points[i - 1].q1
    start = {"p": points[i]}

    def neg_slope(q1):
        start["p"] = local_entropy(alpha, q1, start=start["p"], model=model)
        return -local_entropy_slope(start["p"])

    res = minimize_scalar(neg_slope, bounds=(lo, hi), method="bounded", options={"xatol": 1e-7})
    return max((-float(res.fun), float(res.x)), (float(slopes.max()), points[int(np.argmax(slopes))].q1))


@dataclass(frozen=True)
class Breakup(ModelResult):
    """Where the y -> infinity local entropy stops being monotone (alpha_breakup).

    alpha: the smallest load with max_q1 d phi/d q1 = 0; q1: where that maximum sits;
    alphas, slopes: the scanned profile max_q1 d phi/d q1 (negative: monotone).
    """

    alpha: float
    q1: float
    alphas: tuple
    slopes: tuple
    model: Model = field(compare=False)


def alpha_breakup(activation="relu", weights="binary", alphas=None, margin=0.0, quad_order=DEFAULT_QUAD_ORDER,
                  xtol=1e-6, *, model=None):
    """The smallest alpha where the y -> infinity local entropy phi(q1) stops being monotone: a Breakup.

    The profile max_q1 d phi/d q1 is computed on `alphas` (default 0.6 to 1.0 in steps of 0.05); from
    its first change from negative to positive, max_slope(alpha) = 0 is solved with Brent, the slope
    maximised on a window of q1 around where it became positive.  Raises ConvergenceError if the
    profile does not change sign.
    """
    model = _ld_model(model, activation, weights, margin, quad_order)
    alphas = np.arange(0.6, 1.0001, 0.05) if alphas is None else np.asarray(alphas, dtype=float)
    profile = [max_slope(a, model=model) for a in alphas]
    slopes = [p[0] for p in profile]
    for k in range(1, len(alphas)):
        if slopes[k - 1] < 0.0 <= slopes[k]:
            q_at = profile[k][1]
            window = np.linspace(max(q_at - 0.08, 0.02), min(q_at + 0.05, 0.999), 14)
            state = {}

            def g(x):
                state["value"] = max_slope(x, q1s=window, model=model)
                return state["value"][0]

            root = find_root(g, alphas[k - 1], alphas[k], f"alpha_breakup ({model.weights}, {model.activation})", xtol=xtol)
            g(root)
            return Breakup(float(root), float(state["value"][1]), tuple(float(a) for a in alphas),
                           tuple(float(v) for v in slopes), model)
    raise ConvergenceError(
        f"alpha_breakup ({model.weights}, {model.activation}): max d phi/d q1 does not change sign on alpha in "
        f"[{alphas[0]:g}, {alphas[-1]:g}]")


# ----------------------------------------------------------------------------- alpha*: where sign and ReLU swap
def _pair(weights, margin, quad_order, first="relu", second="sign"):
    """The Models of the two activations compared at equal weights, margin and quadrature."""
    return tuple(_ld_model(None, activation, weights, margin, quad_order) for activation in (first, second))


def _difference(alpha, q1, pair):
    a, b = (local_entropy(alpha, q1, model=model) for model in pair)
    if a.flat and b.flat:
        return None
    return a.phi_normalized - b.phi_normalized


def normalized_difference(alpha, q1, weights="binary", margin=0.0, quad_order=DEFAULT_QUAD_ORDER, first="relu",
                          second="sign"):
    """phi_norm(first) - phi_norm(second) at (alpha, q1), or None when both are in the flat region."""
    return _difference(alpha, q1, _pair(weights, margin, quad_order, first, second))


def alpha_star_fixed_q1(q1, weights="binary", guess=None, margin=0.0, quad_order=DEFAULT_QUAD_ORDER, xtol=1e-9):
    """alpha* defined as the crossing of the normalised ReLU and sign curves at fixed q1.

    d(alpha) = phi_norm(ReLU) - phi_norm(sign) is positive at small alpha (ReLU more entropic) and
    negative at large alpha.  From `guess` (default 0.8 binary, 1.2 spherical) alpha moves in the
    direction the sign of d indicates, with doubling steps, until d changes sign (points where both
    curves are exactly flat count as 'alpha too small'); then Brent.  Returns (alpha*, the common
    value of phi_norm at the crossing).
    """
    return _alpha_star(q1, _pair(weights, margin, quad_order), guess, xtol)


def _alpha_star(q1, pair, guess=None, xtol=1e-9):
    """alpha_star_fixed_q1 for the (ReLU, sign) Models `pair`."""
    prior = pair[0].prior
    q1 = check_range("q1", q1, 0.0, 1.0, low_open=True, high_open=True)
    lo_limit, hi_limit = prior.alpha_star_range
    a = prior.alpha_star_guess if guess is None else check_range("guess", guess, lo_limit, hi_limit)
    what = f"alpha* ({prior.name}) at q1={q1:g}"

    def diff(x):
        return _difference(x, q1, pair)

    d = diff(a)
    up = d is None or d > 0.0
    step = 0.01
    while True:
        b = min(a + step, hi_limit) if up else max(a - step, lo_limit)
        step *= 2.0
        db = diff(b)
        if up and db is not None and db <= 0.0:
            lo, hi = a, b
            break
        if not up and (db is None or db > 0.0):
            if db is None:  # both flat at b: bisect towards a for a defined positive value
                a, b, db = bisect_into_domain(diff, a, b, f"{what}: the curves become flat before crossing")
            lo, hi = b, a
            break
        if b in (lo_limit, hi_limit):
            raise ConvergenceError(f"{what}: no ReLU/sign crossing for alpha in [{lo_limit:g}, {hi_limit:g}]")
        a = b

    def f(x):
        v = diff(x)
        if v is None:
            raise ConvergenceError(f"{what}: both curves flat inside the bracket")
        return v

    root = find_root(f, lo, hi, what, xtol=xtol)
    return root, local_entropy(root, q1, model=pair[0]).phi_normalized


def alpha_star_level(delta, weights="binary", q1_bracket=None, margin=0.0, quad_order=DEFAULT_QUAD_ORDER):
    """alpha* defined as equal departure from zero at level delta: both normalised curves equal -delta at
    the same q1, i.e. they cross at height -delta.

    The crossing locus (alpha*(q1), height(q1)) of alpha_star_fixed_q1 is followed in q1 until the
    height is -delta.  Returns (alpha*, q1 of the crossing).  q1_bracket: the q1 interval searched
    (default (0.85, 0.99)).
    """
    delta = check_range("delta", delta, 0.0, None, low_open=True)
    pair = _pair(weights, margin, quad_order)
    lo, hi = q1_bracket or (0.85, 0.99)
    state = {"guess": None, "last": None}

    def f(q1):
        state["last"] = _alpha_star(q1, pair, state["guess"])
        state["guess"] = state["last"][0]
        return math.log(max(-state["last"][1], 1e-300)) - math.log(delta)

    f_lo, f_hi = f(lo), f(hi)
    if not f_lo > 0.0 > f_hi:
        raise ConvergenceError(
            f"alpha* at level delta={delta:g} ({weights}): the crossing height does not pass -delta for q1 in "
            f"[{lo:g}, {hi:g}] (heights {-math.exp(f_lo) * delta:.3g} and {-math.exp(f_hi) * delta:.3g})")
    state["guess"] = None
    q1 = find_root(f, lo, hi, f"alpha* at level delta={delta:g} ({weights})", xtol=1e-10)
    f(q1)
    return state["last"][0], q1


def crossing_locus(q1s, weights="binary", margin=0.0, quad_order=DEFAULT_QUAD_ORDER):
    """alpha*(q1) and the crossing height phi_norm for each q1 (None where there is no crossing)."""
    pair = _pair(weights, margin, quad_order)
    out = {"q1": np.asarray(q1s, dtype=float), "alpha_star": [], "height": []}
    guess = None
    for q1 in out["q1"]:
        try:
            a, h = _alpha_star(q1, pair, guess)
            guess = a
        except ConvergenceError:
            a, h = math.nan, math.nan
        out["alpha_star"].append(a)
        out["height"].append(h)
    out["alpha_star"] = np.array(out["alpha_star"])
    out["height"] = np.array(out["height"])
    return out


# ----------------------------------------------------------------------------- one call for the CLI
def ld(weights, activation, alpha, q1, y=None, margin=0.0, quad_order=DEFAULT_QUAD_ORDER):
    """Local entropy per replica at (alpha, q1): y -> infinity (y None) or finite y.  A JSON-ready dict.

    Keys: weights, activation, alpha, q1, y, phi, phi_normalized, phi_alpha0, and the saddle point
    (y = None: gamma_q (None in the flat region, where it is infinite), qhat, gamma_hat, flat;
    finite y: q0, qhat0, qhat1, free_entropy).
    """
    model = _ld_model(None, activation, weights, margin, quad_order)
    if y is None:
        p = local_entropy(alpha, q1, model=model)
        return {"weights": p.weights, "activation": p.activation, "alpha": p.alpha, "q1": p.q1, "y": None,
                "margin": p.margin, "phi": p.phi, "phi_normalized": p.phi_normalized, "phi_alpha0": p.phi0,
                "gamma_q": p.gamma_q if math.isfinite(p.gamma_q) else None, "qhat": p.qhat,
                "gamma_hat": p.gamma_hat, "flat": p.flat}
    p = ld_finite_y(alpha, q1, y, model=model)
    return {"weights": p.weights, "activation": p.activation, "alpha": p.alpha, "q1": p.q1, "y": p.y,
            "margin": p.margin, "phi": p.phi, "phi_normalized": p.phi_normalized, "phi_alpha0": p.phi0,
            "q0": p.q0, "qhat0": p.qhat0, "qhat1": p.qhat1, "free_entropy": p.free_entropy}


# ----------------------------------------------------------------------------- what the chapter plots
def finite_y_convergence(alpha, q1, ys, activation="sign", weights="binary", margin=0.0,
                         quad_order=DEFAULT_QUAD_ORDER, *, model=None):
    """Finite-y solutions along ys next to the y -> infinity limit (a dict of arrays and the limit)."""
    model = _ld_model(model, activation, weights, margin, quad_order)
    points = finite_y_curve(alpha, q1, ys, model=model)
    limit = local_entropy(alpha, q1, model=model)
    return {
        "y": np.array([p.y for p in points]),
        "phi": np.array([p.phi for p in points]),
        "phi_normalized": np.array([p.phi_normalized for p in points]),
        "gamma_q": np.array([p.y * (p.q1 - p.q0) for p in points]),
        "y_qhat0": np.array([p.y * p.qhat0 for p in points]),
        "q0": np.array([p.q0 for p in points]),
        "limit": limit,
    }





# ----------------------------------------------------------------------------- the paper's figures
def _fig2_panel(weights, alphas, q1s, activations, margin, quad_order):
    """{activation: {alpha: curve}}, each curve a local_entropy_curve dict plus the end of the
    branch: q_typ (RS overlap) and phi_rs (the RS entropy, the curve's value there)."""
    out = {}
    for act in activations:
        out[act] = {}
        for alpha in alphas:
            curve = local_entropy_curve(alpha, q1s, activation=act, weights=weights, margin=margin,
                                        quad_order=quad_order)
            try:
                rs = rs_solution(alpha, activation=act, weights=weights, margin=margin, quad_order=quad_order)
                curve["q_typ"], curve["phi_rs"] = rs.q, rs.free_entropy
                curve["phi_rs_normalized"] = rs.free_entropy - phi_alpha0(rs.q, weights)
            except ConvergenceError:
                curve["q_typ"] = curve["phi_rs"] = curve["phi_rs_normalized"] = math.nan
            out[act][float(alpha)] = curve
    return out


def fig2_left(alphas, q1s, activations=("sign", "relu"), margin=0.0, quad_order=DEFAULT_QUAD_ORDER):
    """Fig. 2 (left) of the paper: the normalised local entropy phi_norm(q1), binary weights;
    {activation: {alpha: curve}} (_fig2_panel).

    Used in the book: :ref:`ld-fig2` (notebooks/large_deviations.md).
    """
    return _fig2_panel("binary", alphas, q1s, activations, margin, quad_order)


def fig2_right(alphas, q1s, activations=("sign", "relu"), margin=0.0, quad_order=DEFAULT_QUAD_ORDER):
    """Fig. 2 (right) of the paper: the normalised local entropy phi_norm(q1), spherical weights;
    {activation: {alpha: curve}} (_fig2_panel).

    Used in the book: :ref:`ld-fig2` (notebooks/large_deviations.md).
    """
    return _fig2_panel("spherical", alphas, q1s, activations, margin, quad_order)


def flat_edge(curves, level=1e-6):
    """Where the flat region near q1 = 1 begins for all `curves` (local_entropy_curve dicts): the largest q1
    at which any departs from zero by `level` or more (a curve that never does counts with its smallest q1)."""
    edges = []
    for c in curves:
        away = np.isfinite(c["phi_normalized"]) & (np.abs(c["phi_normalized"]) >= level)
        edges.append(c["q1"][away].max() if away.any() else c["q1"].min())
    return max(edges)


def notes_alpha_star():
    """The alpha* values of published.NOTES by (definition, q1 or delta, weights): definition "q1" (crossing
    at fixed q1) or "delta" (common departure at level delta)."""
    notes = NOTES["large_deviations"]
    return {(kind, key, w): printed
            for kind, table in (("q1", notes["alpha_star_fixed_q1"]), ("delta", notes["alpha_star_level"]))
            for key, by_weights in table.items() for w, printed in by_weights.items()}

