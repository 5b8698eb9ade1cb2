"""Franz-Parisi entropy: solutions at distance d from a typical (RS equilibrium) reference.

Book: theory_franz_parisi.  A reference W~ is drawn from the equilibrium measure (n -> 0 replicas with
the RS overlap q~ and conjugate q^ of rs.rs_solution); s -> 0 constrained replicas W sit at
overlap S = 1 - 2d with it.  Order parameters of the constrained system: t = W.W~^(a != 1),
p = W^alpha.W^beta and their conjugates t^, p^ (binary: also s^ = S^ - t^, fixing S).
F_FP(S) = G_S + alpha G_E at the saddle point.

Energetic term (kernel substitution: every overlap x enters as k_x = kappa(x))::

    G_E = int Dz0 / Phi(g z0) int_{x1 > -g z0} Dx1 int Dz1 ln Phi((A z0 + B x1 + C z1)/eps)

with g = sqrt(k_q/(1-k_q)), eps = sqrt(1-k_p), A, B, C of the notes.  The two inner integrals
collapse to one: rotating (x1, z1) -> (r, s) with B x1 + C z1 = R r, R = sqrt(B^2 + C^2), the
truncation x1 > c becomes s > (c R - B r)/C, which integrates to Phi((B r - c R)/C).  So the
triple integral is a double one (outer z0, inner r with a skew-normal weight), done by a numba
kernel whose inner panels are split at every kink: the step of the weight (r_s = c R/B, width
`C/|B|`), the kink of ln Phi (r_k = -A z0/R, width eps/R) and where the truncated mass sits.

Conjugates from the pair rule (checked against finite differences in the tests):
d G_E/d k_p = -<g_v^2>/2, d G_E/d k_t = -<g_v g_0>, so t^ = alpha kappa'(t) <g_v g_0> and
p^ = alpha kappa'(p) <g_v^2>.

The binary entropic term is a double integral (z0 of the reference, z1 of the constrained
replicas) with the non-decaying parts of tanh, tanh^2 and ln 2cosh done in closed form.

The saddle point is found by a quasi-Newton iteration (finite-difference Jacobian, Broyden
updates, backtracking), continued along S from the exact point S = q~ (t = p = q~, conjugates
q^, F_FP = F_RS).  It raises ConvergenceError when it does not converge, never returns NaN.
Toward small d the RS constrained solution can freeze (1 - p -> 0, p^ -> inf at a finite d_f):
the continuation then stops at the last converged point (`Frozen`), and fp_curve says so.
"""

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..errors import ConvergenceError, ParameterError, check_range
from .energetic import fp_energetic
from .gaussian import legendre
from .kernels import ACTIVATIONS
from .model import Model, ModelResult, resolve
from .priors import get_prior
from ..roots import find_root
from .rs import alpha_c_rs, rs_solution

#: Gauss-Legendre nodes per panel: 12 gives G_E to ~3e-9 and the entropic averages to ~3e-11
#: (16: ~1e-11); d* agrees to 9 digits between 12, 16 and 24
DEFAULT_QUAD_ORDER = 12
#: the Franz-Parisi calculation has no margin: a given Model must have margin 0
NO_MARGIN = (0.0, 0.0)
#: nodes per panel of the RS reference's own saddle point (at least)
REFERENCE_QUAD_ORDER = 64
#: tolerance on the saddle-point residuals (overlap units)
TOL = 1e-9
#: residual evaluations allowed per saddle point
MAX_EVALS = 25
#: finite-difference step of the Jacobian (in t and -ln(1-p))
FD_STEP = 1e-7
#: constrained overlaps are kept at 1 - p >= this (the RS constrained solution is frozen beyond)
ONE_MINUS_P_MIN = 1e-12
#: the branch is declared frozen (and ends) once (1 - p)/(1 - S) falls below FREEZE_RATIO while
#: 1 - p drops faster than d^FREEZE_EXPONENT over the last step: 1 - p -> 0 at a finite d
#: (ReLU, perceptron), unlike the power law 1 - p ~ d^1.6 of sign, which is followed further
FREEZE_RATIO = 1e-2
FREEZE_EXPONENT = 5.0
#: evaluation budget of one Branch (a runaway walk raises ConvergenceError)
MAX_BRANCH_EVALS = 20000


# ----------------------------------------------------------------------------- energetic term
def energetic_term(kq, kt, ks, kp, quad_order=DEFAULT_QUAD_ORDER):
    """energetic.fp_energetic at kernel values (k_q, k_t, k_S, k_p); ParameterError outside the domain."""
    kq = check_range("k_q", kq, 0.0, 1.0, low_open=True, high_open=True)
    kt = check_range("k_t", kt, 0.0, 1.0)
    ks = check_range("k_S", ks, 0.0, 1.0)
    kp = check_range("k_p", kp, 0.0, 1.0, high_open=True)
    c2 = kp - kt * kt / kq - (ks - kt) ** 2 / (1.0 - kq)
    if c2 < 0.0:
        raise ParameterError(f"k_p must be >= k_t^2/k_q + (k_S - k_t)^2/(1 - k_q) (C^2 = {c2:.3g} < 0)")
    return fp_energetic(kq, kt, ks, c2, 1.0 - kp, *legendre(quad_order))


# ----------------------------------------------------------------------------- saddle point
@dataclass(frozen=True)
class Reference(ModelResult):
    """The RS equilibrium reference: load, overlap q~, conjugate q^ and entropy F_RS."""

    alpha: float
    model: Model
    q: float
    qhat: float
    free_entropy: float

    @property
    def d_typ(self):
        """Typical distance between two equilibrium solutions, (1 - q~)/2."""
        return 0.5 * (1.0 - self.q)


@dataclass(frozen=True)
class FPPoint:
    """The Franz-Parisi saddle point at overlap S = 1 - 2d with the reference."""

    S: float
    d: float
    t: float
    p: float
    that: float
    phat: float
    shat: float  # binary: S^ - t^ (fixes S); spherical: 0 (no conjugate needed)
    free_entropy: float  # F_FP = G_S + alpha G_E
    entropic: float  # G_S
    energetic: float  # G_E
    iterations: int


@lru_cache(maxsize=None)
def _alpha_max(kernel, prior):
    """The RS capacity bounding the loads with a reference: binary F_RS = 0, spherical q -> 1."""
    return alpha_c_rs(model=Model(kernel, prior, 0.0, REFERENCE_QUAD_ORDER))


def _fp_model(model, activation, weights, quad_order):
    """resolve for the Franz-Parisi functions (margin 0)."""
    return resolve(model, activation, weights, 0.0, quad_order, NO_MARGIN)


def reference(alpha, activation="relu", weights="binary", quad_order=DEFAULT_QUAD_ORDER, *, model=None):
    """The RS reference at load alpha in [0, alpha_c^RS) (alpha = 0: q~ = q^ = 0, every configuration).

    alpha_c^RS is the RS capacity of the activation and weights (binary: where F_RS = 0; spherical:
    where q -> 1, infinite for sign); beyond it there is no typical solution to stand on.
    """
    model = _fp_model(model, activation, weights, quad_order)
    kernel, prior = model.kernel, model.prior
    alpha = check_range("alpha", alpha, 0.0, None)
    if alpha > 0.0:
        a_max = _alpha_max(kernel, prior) if kernel.name in ACTIVATIONS else math.inf
        alpha = check_range(f"alpha ({prior.name} {kernel.name}: below the RS capacity)", alpha, 0.0, a_max,
                            high_open=True)
    if alpha == 0.0:
        return Reference(0.0, model, 0.0, 0.0, prior.rs_entropy_alpha0)
    rs = rs_solution(alpha, model=model.at_order(max(model.quad_order, REFERENCE_QUAD_ORDER)))
    return Reference(alpha, model, rs.q, rs.qhat, rs.free_entropy)


def _expit(w):
    """(1/(1+e^-w), 1/(1+e^w)) without overflow, for w in [-inf, inf]."""
    if w >= 0.0:
        e = math.exp(-w)
        return 1.0 / (1.0 + e), e / (1.0 + e)
    e = math.exp(w)
    return e / (1.0 + e), 1.0 / (1.0 + e)


class _Saddle:
    """Residuals of the FP saddle-point equations at fixed S.

    Unknowns x = (t, w) for spherical weights, x = (t, w, s^) for binary ones, where
    w = logit(sigma) places k_p between its two boundaries,
    k_p = K(t) + sigma (1 - K(t)),  K(t) = k_t^2/k_q + (k_S - k_t)^2/(1 - k_q):
    sigma -> 0 is C -> 0 (reached as S -> q~), sigma -> 1 is p -> 1 (freezing); both are
    at infinite w, so Newton steps cannot leave the domain.  (alpha = 0, k_q = 0: p = sigma.)
    Residuals, in overlap units: spherical (t - q~ S - (1-p)(1-q~)^2 t^, p - c - (1-p)^2 p^);
    binary (ln[(1 - S')/(1 - S)], t' - t, ln[(1 - p')/(1 - p)]), (S', t', p') the entropic
    averages at (t^, p^, s^): relative in 1 - S and 1 - p, which vanish as d -> 0.
    """

    def __init__(self, ref, S):
        self.ref = ref
        self.S = S
        self.kernel, self.prior, self.nodes = ref.model.kernel, ref.model.prior, ref.model.nodes
        self.dim = 2 + len(self.prior.fp_exact_start)
        self.kq = self.kernel.kappa(ref.q) if ref.q > 0.0 else 0.0
        self.ks = self.kernel.kappa(S)
        self.count = 0  # residual evaluations

    def state(self, x):
        """(t, p, 1 - p, k_t, C^2, 1 - k_p) at x, or None outside the domain."""
        t, w = float(x[0]), float(x[1])
        if not (0.0 <= t < 1.0) or math.isnan(w):
            return None
        sig, one_minus_sig = _expit(w)
        kt = self.kernel.kappa(t)
        if self.kq == 0.0:
            return t, sig, one_minus_sig, kt, 0.0, 0.0
        kk = kt * kt / self.kq + (self.ks - kt) ** 2 / (1.0 - self.kq)
        if not kk < 1.0:
            return None
        eps2 = (1.0 - kk) * one_minus_sig
        p, one_minus_p = self.kernel.inverse(kk + sig * (1.0 - kk), eps2)
        if not one_minus_p >= ONE_MINUS_P_MIN:
            return None
        return t, p, one_minus_p, kt, sig * (1.0 - kk), eps2

    def evaluate(self, x):
        """Residuals and everything needed for F_FP at x, or None outside the domain."""
        self.count += 1
        st = self.state(x)
        if st is None:
            return None
        t, p, one_minus_p, kt, c2, eps2 = st
        ref, S, alpha = self.ref, self.S, self.ref.alpha
        if alpha == 0.0:
            g_e, that, phat = 0.0, 0.0, 0.0
        else:
            g_e, e2, e0 = fp_energetic(self.kq, kt, self.ks, c2, eps2, *self.nodes)
            that = alpha * self.kernel.dkappa(t) * e0
            phat = alpha * self.kernel.dkappa_near_one(one_minus_p) * e2
            if not (math.isfinite(g_e) and math.isfinite(that) and math.isfinite(phat)):
                return None
        out = {"t": t, "p": p, "that": that, "phat": phat, "g_e": g_e}
        entropic = self.prior.fp_entropic(ref, S, x, t, p, one_minus_p, that, phat, self.nodes)
        if entropic is None:
            return None
        out.update(entropic)
        out["x"] = np.array(x, dtype=float)
        return out

    def _fd_jacobian(self, x, cur):
        jac = np.empty((self.dim, self.dim))
        for j in range(2):
            h = FD_STEP
            xh = x.copy()
            xh[j] += h
            ev = self.evaluate(xh)
            if ev is None:
                h = -h
                xh[j] = x[j] + h
                ev = self.evaluate(xh)
            if ev is None:
                raise ConvergenceError(f"Franz-Parisi at S = {self.S:.10g}: Jacobian leaves the domain "
                                       f"at (t, p) = ({cur['t']:.6g}, {cur['p']:.6g})")
            jac[:, j] = (ev["res"] - cur["res"]) / h
        for j, column in enumerate(cur["columns"], 2):  # the prior's unknowns have exact columns
            jac[:, j] = column
        return jac

    def solve(self, x0, jac=None):
        """Quasi-Newton from x0; returns (FPPoint, Jacobian, x) or raises ConvergenceError.

        The Jacobian starts from `jac` if given, else from finite differences; it is updated by
        Broyden's rule (its s^ column is exact) and recomputed by finite differences whenever a
        step fails to reduce the residual enough.  `iterations` of the returned point counts
        the residual evaluations.
        """
        x = np.array(x0, dtype=float)
        cur = self.evaluate(x)
        if cur is None:
            raise ConvergenceError(f"Franz-Parisi at S = {self.S:.10g}: start outside the domain")
        fresh = jac is None
        jac = self._fd_jacobian(x, cur) if fresh else np.array(jac, dtype=float)
        evals = 1 + (2 if fresh else 0)
        while True:
            norm = float(np.max(np.abs(cur["res"])))
            if norm < TOL:
                return self._point(cur, evals), jac, x
            if evals > MAX_EVALS:
                raise ConvergenceError(f"Franz-Parisi at S = {self.S:.10g}: residual {norm:.2e} after "
                                       f"{evals} evaluations")
            try:
                step = -np.linalg.solve(jac, cur["res"])
            except np.linalg.LinAlgError:
                step = None
            accepted = None
            if step is not None and np.all(np.isfinite(step)):
                # a stale (Broyden) Jacobian gets one full step; a fresh one a backtracking search
                lam = 1.0
                while lam > (1e-3 if fresh else 0.5):
                    ev = self.evaluate(x + lam * step)
                    evals += 1
                    if ev is not None and np.max(np.abs(ev["res"])) < (1.0 - 0.1 * lam) * norm:
                        accepted = x + lam * step, ev
                        break
                    lam *= 0.25
            if accepted is None:
                if fresh:
                    raise ConvergenceError(f"Franz-Parisi at S = {self.S:.10g}: no descent from (t, p) = "
                                           f"({cur['t']:.6g}, {cur['p']:.6g}), residual {norm:.2e}")
                jac, fresh = self._fd_jacobian(x, cur), True
                evals += 2
                continue
            trial, ev = accepted
            dx, df = trial - x, ev["res"] - cur["res"]
            jac = jac + np.outer(df - jac @ dx, dx) / (dx @ dx)
            for j, column in enumerate(ev["columns"], 2):
                jac[:, j] = column
            fresh = False
            x, cur = trial, ev
            if np.max(np.abs(cur["res"])) > 0.3 * norm and np.max(np.abs(cur["res"])) >= TOL:
                jac, fresh = self._fd_jacobian(x, cur), True
                evals += 2

    def _point(self, cur, evals):
        f = cur["g_s"] + self.ref.alpha * cur["g_e"]
        if not math.isfinite(f):
            raise ConvergenceError(f"Franz-Parisi at S = {self.S:.10g}: free entropy not finite")
        return FPPoint(S=self.S, d=0.5 * (1.0 - self.S), t=cur["t"], p=cur["p"], that=cur["that"],
                       phat=cur["phat"], shat=cur["shat"], free_entropy=f, entropic=cur["g_s"],
                       energetic=cur["g_e"], iterations=evals)


def _check_S(S):
    return check_range("S", S, 0.0, 1.0, high_open=True)


def exact_point(ref):
    """The exact FP point at S = q~: t = p = q~, t^ = p^ = q^, s^ = 0 and F_FP = F_RS."""
    q = ref.q
    sad = _Saddle(ref, q)
    x = [q, -math.inf, *sad.prior.fp_exact_start]
    ev = sad.evaluate(x)
    if ev is None:
        raise ConvergenceError(f"Franz-Parisi: the exact point S = q~ = {q:.10g} is outside the domain")
    return sad._point(ev, 0)


def _lam(S):
    """Continuation abscissa ln(1 - S) = ln(2d): uniform steps in it resolve d -> 0."""
    return math.log1p(-S)


class Frozen(ConvergenceError):
    """The RS constrained solution freezes (1 - p -> 0, p^ -> inf): the branch ends here."""


class Branch:
    """Continuation of the FP saddle point along S from the exact point S = q~.

    The branch advances in the abscissa lambda = ln(1 - S) with an adaptive step (at most
    `max_step` in lambda and in S, grown after easy solves and shrunk after hard ones or
    failures).  Each solve starts from a Lagrange extrapolation in lambda through the last
    (up to three) converged points.  The first step leaves the exact
    point, where C = 0 (w = -inf), by a small step from the best of a grid of starts.  After
    `max_halvings` consecutive failures ConvergenceError is raised and the branch stays at its
    last converged point.
    """

    def __init__(self, ref, max_halvings=5, max_step=0.25, first_step=5e-3):
        self.ref = ref
        self.max_halvings = max_halvings
        self.max_step = max_step
        self.h = first_step
        self.last = exact_point(ref)
        self.history = [(self.last, None)]  # (point, its unknowns x)
        self.evaluations = 0  # residual evaluations, failed solves included
        self.path = []  # every converged (point, x), in order

    def _predict(self, sad):
        hist = [h for h in self.history[-3:] if h[1] is not None]
        lams = [_lam(h[0].S) for h in hist]
        lam = _lam(sad.S)
        guess = np.zeros_like(hist[-1][1])
        for i, (_, xi) in enumerate(hist):
            li = 1.0
            for j in range(len(hist)):
                if j != i:
                    li *= (lam - lams[j]) / (lams[i] - lams[j])
            guess += li * xi
        return guess

    def _first_starts(self, sad):
        """Starts around the exact point, best residual first."""
        q, S = self.ref.q, sad.S
        starts = []
        for theta in (0.15, 0.3):
            for w in (-12.0, -8.0, -5.0):
                x = sad.prior.fp_first_start(sad, [q + theta * (S - q), w])
                if x is None:
                    continue
                ev = sad.evaluate(x)
                if ev is not None:
                    starts.append((float(np.max(np.abs(ev["res"]))), x))
        starts.sort(key=lambda item: item[0])
        return [x for _, x in starts[:3]]

    def _solve(self, S):
        sad = _Saddle(self.ref, S)
        try:
            if len(self.history) > 1:
                return sad.solve(self._predict(sad))
            error = None
            for x in self._first_starts(sad):
                try:
                    return sad.solve(x)
                except ConvergenceError as exc:
                    error = exc
            raise error or ConvergenceError(f"Franz-Parisi at S = {S:.10g}: no valid start near S = q~")
        finally:
            self.evaluations += sad.count

    def _next(self, S):
        """The next intermediate overlap toward S, at most one step h away."""
        s0, lam0 = self.last.S, _lam(self.last.S)
        sgn = 1.0 if S > s0 else -1.0
        s_step = s0 + sgn * self.h  # the step h in S ...
        s_lam = 1.0 - math.exp(lam0 - sgn * self.h)  # ... and in lambda: take the shorter
        nxt = min(s_step, s_lam) if sgn > 0 else max(s_step, s_lam)
        return S if (nxt - S) * sgn >= 0.0 else nxt

    def step_to(self, S, stop=None):
        """Advance the branch to overlap S; returns the FPPoint there.

        With `stop` (a predicate on FPPoint), return early at the first point where it holds.
        """
        S = _check_S(S)
        failures = 0
        while self.last.S != S:
            target = self._next(S)
            try:
                pt, _, x = self._solve(target)
            except ConvergenceError:
                failures += 1
                if failures > self.max_halvings:
                    raise
                self.h *= 0.5
                continue
            failures = 0
            self.h = min(self.max_step, self.h * (2.0 if pt.iterations <= 7 else 0.7 if pt.iterations > 14 else 1.0))
            self.last = pt
            self.history = self.history[-2:] + [(pt, x)]
            self.path.append((pt, x))
            if stop is not None and stop(pt):
                break
            if self._freezing():
                raise Frozen(f"the RS constrained solution freezes at d = {pt.d:.6g}: 1 - p = {1.0 - pt.p:.2e}, "
                             f"p^ = {pt.phat:.3g}")
            if self.evaluations > MAX_BRANCH_EVALS:
                raise ConvergenceError(f"Franz-Parisi branch: {self.evaluations} evaluations, stopped at d = {pt.d:.6g}")
        return self.last

    def _freezing(self):
        """True when 1 - p vanishes at finite d (see FREEZE_RATIO, FREEZE_EXPONENT)."""
        if len(self.path) < 2:
            return False
        (p0, _), (p1, _) = self.path[-2], self.path[-1]
        if not (p1.d < p0.d and (1.0 - p1.p) < FREEZE_RATIO * (1.0 - p1.S)):
            return False
        exponent = math.log((1.0 - p1.p) / (1.0 - p0.p)) / math.log(p1.d / p0.d)
        return exponent > FREEZE_EXPONENT

    def solve_between(self, S, i):
        """Solve at S between path[i - 1] and path[i], from the linear interpolation (in lambda)."""
        (p0, x0), (p1, x1) = self.path[i - 1], self.path[i]
        u = (_lam(S) - _lam(p0.S)) / (_lam(p1.S) - _lam(p0.S))
        sad = _Saddle(self.ref, _check_S(S))
        try:
            return sad.solve((1.0 - u) * x0 + u * x1)[0]
        finally:
            self.evaluations += sad.count


def walk(ref, targets, max_halvings=5):
    """Follow the branch from S = q~ through the overlaps `targets` (monotone, away from q~).

    Returns (points, reason, branch): the converged points, None or the message of the
    ConvergenceError that stopped the walk (the branch then ends at the last point), and the
    Branch itself.
    """
    branch = Branch(ref, max_halvings)
    points = []
    for S in targets:
        try:
            points.append(branch.step_to(S))
        except ConvergenceError as exc:
            return points, str(exc), branch
    return points, None, branch


def fp_point(S, alpha, activation="relu", weights="binary", quad_order=DEFAULT_QUAD_ORDER, *, model=None):
    """The FPPoint at overlap S, reached by continuation from S = q~."""
    ref = reference(alpha, activation, weights, quad_order, model=model)
    points, reason, _ = walk(ref, [_check_S(S)])
    if reason is not None:
        raise ConvergenceError(reason)
    return points[-1]


def alpha0_entropy(d, weights="binary"):
    """F_FP at alpha = 0: H_2(d) in nats (binary), (1/2) ln(1 - S^2) with S = 1 - 2d (spherical)."""
    prior = get_prior(weights)
    d = np.asarray(d, dtype=float)
    if np.any(~(d > 0.0) | ~(d < 1.0)):
        raise ParameterError(f"d must lie in (0, 1) (got {d!r})")
    out = prior.fp_entropy_alpha0(d)
    return float(out) if out.ndim == 0 else out


def _refine_crossing(branch, i):
    """d where F_FP = 0 between branch.path[i - 1] (F > 0) and branch.path[i] (F < 0)."""
    a, b = branch.path[i - 1][0], branch.path[i][0]
    known = {a.S: a.free_entropy, b.S: b.free_entropy}

    def f(S):
        return known[S] if S in known else branch.solve_between(S, i).free_entropy

    root = find_root(f, a.S, b.S, "the zero of F_FP (d*)", xtol=1e-13, rtol=1e-15, maxiter=100)
    return 0.5 * (1.0 - root)


def _crossing_index(branch):
    for i in range(1, len(branch.path)):
        if branch.path[i - 1][0].free_entropy > 0.0 >= branch.path[i][0].free_entropy:
            return i
    return None


def d_star(alpha, activation="relu", weights="binary", quad_order=DEFAULT_QUAD_ORDER, d_min=1e-6, *, model=None):
    """Minimal distance d* < d_typ where F_FP crosses zero (binary weights).

    Walks the branch from d_typ toward d_min until F_FP < 0, then refines the crossing with
    Brent's method.  ConvergenceError if the branch ends first (freezing) or never crosses.
    """
    ref = reference(check_range("alpha", alpha, 0.0, None, low_open=True), activation, weights, quad_order, model=model)
    return _d_star(ref, d_min)


def _d_star(ref, d_min):
    """d_star from its (alpha > 0) reference."""
    alpha = ref.alpha
    if ref.free_entropy <= 0.0:
        raise ConvergenceError(f"d*: F_RS = {ref.free_entropy:.3g} <= 0 at alpha = {alpha:g} (beyond the capacity)")
    d_min = check_range("d_min", d_min, 0.0, ref.d_typ, low_open=True, high_open=True)
    branch = Branch(ref)
    try:
        branch.step_to(1.0 - 2.0 * d_min, stop=lambda pt: pt.free_entropy <= 0.0)
    except ConvergenceError as exc:
        raise ConvergenceError(f"d* at alpha = {alpha:g} ({ref.activation}): the branch ends at "
                               f"d = {branch.last.d:.4g} with F_FP = {branch.last.free_entropy:.3g} > 0: {exc}") from None
    i = _crossing_index(branch)
    if i is None:
        raise ConvergenceError(f"d* at alpha = {alpha:g} ({ref.activation}): F_FP > 0 down to d = {d_min:g}")
    return _refine_crossing(branch, i)


def fp_curve(alpha, activation="relu", weights="binary", n_points=60, d_min=1e-4, d_max=0.5,
             quad_order=DEFAULT_QUAD_ORDER, *, model=None):
    """F_FP(d) on both sides of d_typ, with d* (binary) and where the branch ends.

    About 60% of the points lie geometrically in [d_min, d_typ), the rest linearly in
    (d_typ, d_max]; d_typ itself (the exact point, F_FP = F_RS) is included.  Toward small d the
    walk may stop before d_min (freezing of the RS constrained solution): the curve then ends
    at its last converged point, `ended_early` is True and `reason` says why.  Returns a dict of
    plain floats and lists (JSON-ready), d ascending.
    """
    n_points = int(check_range("n_points", n_points, 5, 10000))
    ref = reference(alpha, activation, weights, quad_order, model=model)
    if ref.alpha == 0.0:
        raise ParameterError("alpha must be > 0 for fp_curve (alpha = 0 is alpha0_entropy)")
    d_min = check_range("d_min", d_min, 0.0, ref.d_typ, low_open=True, high_open=True)
    d_max = check_range("d_max", d_max, ref.d_typ, 0.5, low_open=True)
    n_small = int(round(0.6 * (n_points - 1)))
    n_large = n_points - 1 - n_small
    d_small = np.geomspace(ref.d_typ, d_min, n_small + 1)[1:]
    d_large = np.linspace(ref.d_typ, d_max, n_large + 1)[1:]
    small, reason, branch = walk(ref, 1.0 - 2.0 * d_small)
    large, reason_large, branch_large = walk(ref, 1.0 - 2.0 * d_large)
    if reason_large is not None:
        raise ConvergenceError(f"Franz-Parisi curve ({ref.activation}, {ref.weights}, alpha = {ref.alpha:g}): "
                               f"the branch toward d = {d_max:g} ends: {reason_large}")
    if reason is not None and (not small or branch.last.S > small[-1].S):
        small.append(branch.last)  # the curve ends at the last converged point
    points = small[::-1] + [exact_point(ref)] + large
    out = {key: [float(getattr(pt, key)) for pt in points]
           for key in ("d", "S", "free_entropy", "t", "p", "that", "phat", "shat", "entropic", "energetic")}
    out["F"] = out.pop("free_entropy")
    out["one_minus_p"] = [float(1.0 - pt.p) for pt in points]
    out.update(alpha=ref.alpha, activation=ref.activation, weights=ref.weights, quad_order=ref.quad_order,
               q_typ=ref.q, qhat=ref.qhat, d_typ=ref.d_typ, F_rs=ref.free_entropy,
               d_end=float(points[0].d), ended_early=reason is not None, reason=reason,
               evaluations=branch.evaluations + branch_large.evaluations, d_star=None)
    if ref.model.prior.discrete:  # F_FP = 0 ends the solutions at distance d
        i = _crossing_index(branch)
        if i is not None:
            out["d_star"] = _refine_crossing(branch, i)
    return out


def d_star_curve(alphas, activation="relu", quad_order=DEFAULT_QUAD_ORDER, *, model=None):
    """d*(alpha), d_typ(alpha) and F_RS(alpha) over the loads `alphas` (binary weights).

    A load where d* cannot be found gets None and the reason in `failures` (never NaN).
    """
    model = resolve(model, activation, "binary", 0.0, quad_order, NO_MARGIN, fixed_weights=True)
    out = {"alpha": [], "d_star": [], "d_typ": [], "F_rs": [], "failures": {}}
    for alpha in alphas:
        ref = reference(check_range("alpha", alpha, 0.0, None, low_open=True), model=model)
        try:
            value = _d_star(ref, 1e-6)
        except ConvergenceError as exc:
            value = None
            out["failures"][float(alpha)] = str(exc)
        out["alpha"].append(float(alpha))
        out["d_star"].append(value)
        out["d_typ"].append(ref.d_typ)
        out["F_rs"].append(ref.free_entropy)
    return out


def curves_crossing(alpha, weights="spherical", activations=("sign", "relu"), bracket=(0.1, 0.3),
                    quad_order=DEFAULT_QUAD_ORDER):
    """The distance d in `bracket` where F_FP of the two activations are equal (Brent's method).

    At equal alpha and weights the alpha = 0 normalisation is common, so this is also where the
    normalised curves cross.  ParameterError if the difference has one sign on the bracket.
    """
    lo, hi = (check_range("bracket", x, 0.0, 0.5, low_open=True, high_open=True) for x in bracket)
    first, second = (_fp_model(None, a, weights, quad_order) for a in activations)

    def gap(d):
        return (fp_point(1.0 - 2.0 * d, alpha, model=first).free_entropy
                - fp_point(1.0 - 2.0 * d, alpha, model=second).free_entropy)

    g_lo, g_hi = gap(lo), gap(hi)
    if g_lo * g_hi > 0.0:
        raise ParameterError(f"bracket {bracket} does not hold a crossing of {first.activation} and {second.activation} "
                             f"(differences {g_lo:.3g}, {g_hi:.3g})")
    return find_root(gap, lo, hi, f"the crossing of the {first.activation} and {second.activation} Franz-Parisi curves",
                     xtol=1e-10)


def fp_summary(weights="binary", activation="relu", alpha=0.6, n_points=60, quad_order=DEFAULT_QUAD_ORDER, *, model=None):
    """What `committee fp` prints: d*, d_typ and the curve F_FP(d) as plain lists.

    d_star is None for spherical weights (the entropy of the sphere has no zero crossing to
    speak of) and when the curve does not cross zero before it ends.
    """
    curve = fp_curve(alpha, activation, weights, n_points=n_points, quad_order=quad_order, model=model)
    keys = ("weights", "activation", "alpha", "quad_order", "d_star", "d_typ", "q_typ", "F_rs", "d_end",
            "ended_early", "reason", "d", "F")
    return {key: curve[key] for key in keys}


def small_d_slope(curve, window=(0.01, 0.05), quantity="energetic"):
    """Least-squares slope of ln(-Q) against ln d over the curve points with d in `window`.

    quantity "energetic": Q = alpha G_E at the saddle point; "excess": Q = F_FP - F_FP(alpha=0).
    The small-d law alpha G_E ~ -c sqrt(1 - kappa(S)) predicts 1/2 (ReLU, perceptron), 1/4 (sign).
    Returns (slope, number of points used).
    """
    lo, hi = window
    d = np.asarray(curve["d"])
    if quantity == "energetic":
        q = curve["alpha"] * np.asarray(curve["energetic"])
    elif quantity == "excess":
        q = np.asarray(curve["F"]) - alpha0_entropy(d, curve["weights"])
    else:
        raise ParameterError(f"quantity must be 'energetic' or 'excess' (got {quantity!r})")
    sel = (d >= lo) & (d <= hi) & (q < 0.0)
    if sel.sum() < 3:
        raise ParameterError(f"window {window} holds {int(sel.sum())} usable points (need >= 3)")
    slope = np.polyfit(np.log(d[sel]), np.log(-q[sel]), 1)[0]
    return float(slope), int(sel.sum())


# ----------------------------------------------------------------------------- the paper's figures
def fig1_left(alpha=0.6, activations=("sign", "relu", "linear"), n_points=60, d_min=1e-4,
              quad_order=DEFAULT_QUAD_ORDER):
    """Fig. 1 (left) of the paper: F_FP(d) for binary weights, {activation: fp_curve dict} (d* included).

    Used in the book: :ref:`fp-fig1-left` (notebooks/franz_parisi.md).
    """
    return {name: fp_curve(alpha, activation=name, weights="binary", n_points=n_points, d_min=d_min,
                           quad_order=quad_order)
            for name in activations}


def fig1_right(alpha=1.0, activations=("sign", "relu"), n_points=60, d_min=1e-4, quad_order=DEFAULT_QUAD_ORDER):
    """Fig. 1 (right) of the paper: F_FP(d) for spherical weights, {activation: fp_curve dict} with
    "F_normalized", the curve minus its alpha = 0 value (1/2) ln(1 - S^2), as drawn.

    Used in the book: :ref:`fp-fig1-right` (notebooks/franz_parisi.md).
    """
    out = {}
    for name in activations:
        curve = fp_curve(alpha, activation=name, weights="spherical", n_points=n_points, d_min=d_min,
                         quad_order=quad_order)
        normalized = np.asarray(curve["F"]) - alpha0_entropy(np.asarray(curve["d"]), "spherical")
        out[name] = {**curve, "F_normalized": [float(v) for v in normalized]}
    return out


def d_star_ratio(scan_a, scan_b):
    """d*_a / d*_b at the loads of the d_star_curve `scan_a` that lie inside the range of `scan_b`, ln d*_b
    interpolated linearly in alpha: (those loads, the ratios)."""
    inside = [(a, d) for a, d in zip(scan_a["alpha"], scan_a["d_star"])
              if scan_b["alpha"][0] <= a <= scan_b["alpha"][-1] and d is not None]
    ratios = [float(d / np.exp(np.interp(a, scan_b["alpha"], np.log(scan_b["d_star"])))) for a, d in inside]
    return [a for a, _ in inside], ratios


