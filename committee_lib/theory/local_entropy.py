"""Local entropy in the y -> infinity limit: the envelope ("Moreau") formulation (theory_large_deviations: the limit of many replicas).

The large-deviation measure (paper eq. 8) is the 1RSB measure with the Parisi parameter m = y and
the intra-group overlap q1 fixed.  Dividing its free entropy by y and letting y -> infinity with

    q0 = q1 - Gamma_q / y,   qhat0 = qhat,   qhat1 = qhat + gamma_hat / y

turns both the entropic and the energetic inner integrals into maximisations (Laplace), i.e. two
envelope problems, with Gamma = kappa'(q1) Gamma_q and eps = sqrt(1 - kappa(q1)):

    M_E(x0) = max_x [ ln H(-x/eps) - (x - x0)^2 / (2 Gamma) ],     x0 = sqrt(kappa(q1)) z - k
    M_S(h0) = max_h [ ln 2cosh h  - (h - h0)^2 / (2 gamma_hat) ],  h0 = sqrt(qhat) z  (binary)

    phi_bin = extr { -qhat (1 - q1 + Gamma_q)/2 - gamma_hat q1/2 + E M_S + alpha E M_E }
    phi_sph = extr { ln(1 - q1)/2 + q1 / (2 (1 - q1 + Gamma_q)) + alpha E M_E }

Saddle point (t = tanh h*, x* the maximisers):  q1 = E t^2;  1 - q1 + Gamma_q = E[z t]/sqrt(qhat)
(the *direct* form, see below);  qhat = alpha kappa'(q1) E[(x* - x0)^2]/Gamma^2 (spherical:
q1/(1 - q1 + Gamma_q)^2 = the same right-hand side).

Pitfall.  For gamma_hat > 1 the maximiser h*(h0) jumps at h0 = 0 between two symmetric maxima.
Integrating E[z t] by parts (Stein) then misses the delta term 2 t_+ phi(0)/sqrt(qhat); the Stein
form E[(1 - t^2)/(1 - gamma_hat (1 - t^2))] has a spurious root with an entropic term above ln 2.
The solver uses the direct form; `stein_form_root` exists only to show (and test) the difference.

Solution strategy.  Gamma_q is the only outer unknown: given it, the energetic envelope gives qhat
explicitly, the binary q1-equation gives gamma_hat (monotone, Newton in ln gamma_hat), and the
remaining equation is a residual in ln Gamma_q, solved by bracketing + Brent.  All Gaussian
averages are Gauss-Legendre panels split where the integrands change scale (the jitted kernels of
energetic.local_entropy and of the binary prior).
"""

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import ConvergenceError, NoSignChange, ParameterError, check_range
from .energetic import energetic_envelope
from .model import DEFAULT_QUAD_ORDER, GEOMETRY_MARGINS, Model, ModelResult, resolve
from .priors import get_prior
from ..roots import bracket_increasing, bracketed_root

#: q1 is accepted in (0, 1 - Q1_GAP]: closer to 1 the binary envelope saturates in double precision
Q1_GAP = 1e-9
#: ln Gamma_q is searched in [LOG_GQ_MIN, LOG_GQ_MAX]
LOG_GQ_MIN, LOG_GQ_MAX = math.log(1e-12), math.log(1e40)
LN2 = math.log(2.0)


# ----------------------------------------------------------------------------- the saddle point
@dataclass(frozen=True)
class LocalEntropy(ModelResult):
    """y -> infinity local entropy and its saddle point at (alpha, q1).

    phi: lim F_LD / y; phi0: its alpha = 0 value (binary H2((1 - sqrt q1)/2), spherical
    ln(1 - q1)/2); phi_normalized = phi - phi0 (Fig. 2).  gamma_q = lim y (q1 - q0);
    qhat = lim qhat0; gamma_hat = lim y (qhat1 - qhat0) (binary only, None for spherical).
    entropic and energetic are the two parts of phi (phi = entropic + alpha * energetic).

    flat: the root lies beyond Gamma_q = 1e40, i.e. in the flat region near q1 = 1 where the
    solution is the alpha = 0 one (Gamma_q = inf, qhat = 0) up to terms far below double
    precision; phi = phi0 is then returned.
    """

    alpha: float
    q1: float
    phi: float
    phi0: float
    phi_normalized: float
    gamma_q: float
    qhat: float
    gamma_hat: float | None
    entropic: float
    energetic: float
    kappa1: float
    dkappa1: float
    flat: bool
    model: Model = field(compare=False)


def phi_alpha0(q1, weights):
    """The alpha = 0 local entropy: binary H2((1 - sqrt q1)/2), spherical ln(1 - q1)/2."""
    prior = get_prior(weights)
    q1 = check_range("q1", q1, 0.0, 1.0, low_open=True, high_open=True)
    return prior.local_entropy_alpha0(q1)


def _check(alpha, q1):
    alpha = check_range("alpha", alpha, 0.0, None, low_open=True)
    q1 = check_range("q1", q1, 0.0, 1.0, low_open=True, high_open=True)
    if q1 > 1.0 - Q1_GAP:
        raise ParameterError(f"q1 must lie in (0, {1.0 - Q1_GAP:.9f}] (got {q1!r})")
    return alpha, q1


class _Problem:
    """The residual in v = ln Gamma_q and everything evaluated along the way.

    The residual ln(lhs / (1 - q1 + Gamma_q)) (binary; spherical: ln(q1/(1-q1+Gamma_q)^2 / qhat))
    decreases with v: it tends to the sign of the RS equation at q1 as Gamma_q -> 0 (positive
    iff q1 is above the typical overlap) and becomes negative for large Gamma_q.  None marks the
    region left of its domain (binary: gamma_hat would have to be negative).
    """

    def __init__(self, model, alpha, q1, stein=False):
        self.model, self.alpha, self.q1 = model, alpha, q1
        self.kernel, self.prior, self.margin, self.nodes = model.kernel, model.prior, model.margin, model.nodes
        self.kap1 = self.kernel.kappa(q1)
        self.dk1 = self.kernel.dkappa(q1)
        self.stein = stein
        self.gh_guess = 1.0
        self.last = None

    def evaluate(self, v):
        gq = math.exp(v)
        gam = self.dk1 * gq
        me, x2, _ = energetic_envelope(self.kap1, gam, self.margin, *self.nodes)
        qhat = self.alpha * self.dk1 * x2
        if not (qhat > 0.0 and math.isfinite(qhat)):
            return None
        one = 1.0 - self.q1 + gq
        residual, gh, entropic = self.prior.envelope_equation(self.q1, qhat, one, self.gh_guess, self.nodes, self.stein)
        if entropic is None:
            return None
        if gh is not None:
            self.gh_guess = gh
        self.last = (gq, qhat, gh, me, entropic)
        return residual

    def _make(self, gq, qhat, gh, me, entropic, flat=False):
        phi = entropic + self.alpha * me
        phi0 = self.prior.local_entropy_alpha0(self.q1)
        if flat:
            phi = phi0
        values = (phi, gq, qhat, me, entropic)
        if not all(math.isfinite(x) for x in values[:1] + values[2:]):
            raise ConvergenceError(
                f"local entropy at alpha={self.alpha:g}, q1={self.q1:g} is not finite: (phi, Gamma_q, qhat, E M_E, "
                f"entropic) = {values}")
        return LocalEntropy(
            alpha=self.alpha, q1=self.q1, phi=phi, phi0=phi0, phi_normalized=phi - phi0, gamma_q=gq, qhat=qhat,
            gamma_hat=gh, entropic=entropic, energetic=me, kappa1=self.kap1, dkappa1=self.dk1, flat=flat,
            model=self.model)

    def result(self, v):
        if self.evaluate(v) is None:
            raise ConvergenceError(f"local entropy at alpha={self.alpha:g}, q1={self.q1:g}: undefined at the root")
        return self._make(*self.last)

    def flat_result(self):
        phi0 = self.prior.local_entropy_alpha0(self.q1)
        gh = self.prior.envelope_gamma_hat_alpha0(self.q1)
        return self._make(math.inf, 0.0, gh, 0.0, phi0, flat=True)

    def no_branch(self):
        return ConvergenceError(
            f"local entropy ({self.prior.name}, {self.kernel.name}) at alpha={self.alpha:g}, q1={self.q1:g}: "
            f"no solution with Gamma_q in [{math.exp(LOG_GQ_MIN):.0e}, {math.exp(LOG_GQ_MAX):.0e}]; the branch "
            f"exists only for q1 above the typical (RS) overlap")


def _solve(problem, v0, step):
    """The root of the residual, decreasing in v = ln Gamma_q and undefined (None) left of its domain:
    bracketed in u = -v (bracket_increasing, steps doubling from v0), then Brent in v.  Still positive
    at Gamma_q = 1e40: the flat region; undefined at a smaller Gamma_q than where it was defined (the
    residual still negative at the edge of its domain): no branch.  Returns a LocalEntropy."""
    what = f"local entropy at alpha={problem.alpha:g}, q1={problem.q1:g}"
    edge = -math.inf  # the largest v where the residual was defined

    def residual(v):
        nonlocal edge
        value = problem.evaluate(v)
        if value is not None:
            edge = max(edge, v)
        elif v < edge:
            raise problem.no_branch()
        return value

    try:
        lo, hi = bracket_increasing(lambda u: residual(-u), -v0, step, -LOG_GQ_MAX, -LOG_GQ_MIN, what)
    except NoSignChange as exc:
        if exc.limit == -LOG_GQ_MAX and exc.value is not None:
            return problem.flat_result()
        raise problem.no_branch() from exc
    return problem.result(bracketed_root(residual, -hi, -lo, what))


def local_entropy(alpha, q1, activation="relu", weights="binary", margin=0.0, quad_order=DEFAULT_QUAD_ORDER,
                  start=None, stein=False, *, model=None):
    """The y -> infinity local entropy at (alpha, q1): a LocalEntropy (theory_large_deviations: the limit of many replicas).

    start: a previous LocalEntropy (or a Gamma_q value) to continue from (bracketing starts there
    with small steps).  stein=True solves the *wrong* Stein form of the Gamma_q equation (binary
    only; for the pitfall demonstration and its test).
    Raises ParameterError for bad input and ConvergenceError when no solution exists (q1 at or
    below the typical overlap, where the branch ends) or the root finder fails.
    """
    model = resolve(model, activation, weights, margin, quad_order, GEOMETRY_MARGINS)
    alpha, q1 = _check(alpha, q1)
    model.prior.check_envelope_form(stein)
    problem = _Problem(model, alpha, q1, stein=stein)
    step = 1.0
    v0 = 0.0
    if isinstance(start, LocalEntropy):
        if start.flat:
            v0 = LOG_GQ_MAX
        else:
            v0, step = math.log(start.gamma_q), 0.05
            if start.gamma_hat:
                problem.gh_guess = start.gamma_hat
    elif start is not None:
        v0, step = math.log(check_range("start", start, 0.0, None, low_open=True)), 0.05
    v0 = min(max(v0, LOG_GQ_MIN), LOG_GQ_MAX)
    return _solve(problem, v0, step)


def stein_form_root(alpha, q1, activation="relu", margin=0.0, quad_order=DEFAULT_QUAD_ORDER, start=None, *, model=None):
    """The binary solution of the Stein (integrated-by-parts) form of the Gamma_q equation: WRONG
    for gamma_hat > 1 (it misses the delta term of the jump of h*).  For the pitfall test only."""
    model = resolve(model, activation, "binary", margin, quad_order, GEOMETRY_MARGINS, fixed_weights=True)
    return local_entropy(alpha, q1, start=start, stein=True, model=model)


CURVE_KEYS = ("phi", "phi0", "phi_normalized", "gamma_q", "qhat", "gamma_hat")


def local_entropy_curve(alpha, q1s, activation="relu", weights="binary", margin=0.0,
                        quad_order=DEFAULT_QUAD_ORDER, *, model=None):
    """Local entropies along q1s by continuation, from the largest q1 down.

    Points below the end of the branch (q1 at or below the typical overlap) are NaN.  Returns a
    dict of arrays: q1 and CURVE_KEYS (gamma_q = inf in the flat region, gamma_hat NaN for
    spherical weights).
    """
    model = resolve(model, activation, weights, margin, quad_order, GEOMETRY_MARGINS)
    q1s = np.asarray(q1s, dtype=float)
    points = [None] * q1s.size
    prev = None
    for i in np.argsort(-q1s):
        try:
            prev = local_entropy(alpha, q1s[i], start=prev, model=model)
        except ConvergenceError:
            break  # the branch ends at the typical overlap: all smaller q1 have no solution
        points[i] = prev
    out = {"q1": q1s}
    for k in CURVE_KEYS:
        out[k] = np.array([np.nan if p is None or getattr(p, k) is None else getattr(p, k) for p in points])
    return out


def envelope_functional(alpha, q1, qhat, gamma_hat, gamma_q, activation="relu", weights="binary", margin=0.0,
                        quad_order=DEFAULT_QUAD_ORDER, *, model=None):
    """The y -> infinity functional at arbitrary order parameters (not necessarily a saddle point):

        binary:    -qhat (1 - q1 + Gamma_q)/2 - gamma_hat q1/2 + E M_S(sqrt(qhat) z) + alpha E M_E
        spherical: ln(1 - q1)/2 + q1/(2 (1 - q1 + Gamma_q)) + alpha E M_E   (qhat, gamma_hat ignored)

    Its stationary point is the LocalEntropy; differentiating it numerically checks the saddle-point
    equations independently (in particular the qhat-equation, whose Stein form is wrong for
    gamma_hat > 1).
    """
    model = resolve(model, activation, weights, margin, quad_order, GEOMETRY_MARGINS)
    alpha, q1 = _check(alpha, q1)
    kernel, nodes = model.kernel, model.nodes
    gamma_q = check_range("gamma_q", gamma_q, 0.0, None, low_open=True)
    me = energetic_envelope(kernel.kappa(q1), kernel.dkappa(q1) * gamma_q, model.margin, *nodes)[0]
    return model.prior.envelope_entropic(q1, qhat, gamma_hat, gamma_q, nodes) + alpha * me
