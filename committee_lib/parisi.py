"""The Parisi functional of the spherical committee machine, solved on a grid (full RSB).

x(q) is a staircase with K equal steps of the kernel clock t = kappa(q) between kappa(q_m) and
kappa(q_M) (theory "Beyond one step", eqs. T26-T28).  The entropic term is Crisanti-Sommers'
(priors.Spherical.parisi_entropy); the energetic term is the perceptron's Parisi recursion run on
the clock: f_K(h) = ln H((k - h)/sqrt(1 - kappa_M)),
f_{i-1}(h) = (1/m_i) ln E_z exp[m_i f_i(h + sqrt(t_i - t_{i-1}) z)], G_E = E_{h ~ N(0, kappa_m)} f_0(h).
The top step, where f_K is a sharp step of width sqrt(1 - kappa_M), is integrated at each grid
point by the 1RSB quadrature; every lower step is a Gaussian convolution on a uniform h-grid,
in log space, with a discrete Gaussian whose variance is exactly the step's (so that steps much
narrower than the grid spacing stay exact to second order).  The gradient in the m_i comes
from the forward (tilted) measure P_i: dG_E/dm_i = (<f_i>_{P_i} - <f_{i-1}>_{P_{i-1}}) / m_i.
"""

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit, logit

from .energetic import rsb_inner
from .errors import ConvergenceError, ParameterError, check_range
from .gaussian import jit, legendre
from .kernels import get_kernel
from .priors import Spherical
from .rs import check_margin, rs_solution

#: grid spacing and half-width of the h-grid, and nodes per panel of the top-step quadrature
DEFAULT_SPACING = 0.02
HALF_WIDTH = 16.0
TOP_QUAD_ORDER = 24
DEFAULT_STEPS = 40
#: L-BFGS limits
MAX_ITER, GRAD_TOL = 500, 1e-8


@jit
def discrete_gaussian(v, spacing):
    """Weights w_l, l = -n..n, proportional to exp(-l^2 d^2 / (2u)) with variance sum w_l l^2 d^2 = v exactly.

    For v >= (2 d)^2, u = v to round-off; for smaller v, u is found by bisection (v -> 0 gives the
    three-point stencil v/(2 d^2), 1 - v/d^2, v/(2 d^2)).
    """
    n = int(math.ceil(8.0 * math.sqrt(v) / spacing)) + 1
    l = np.arange(-n, n + 1).astype(np.float64) * spacing
    if v <= 0.0:
        w = np.zeros(2 * n + 1)
        w[n] = 1.0
        return w
    lo, hi = math.log(v) - 40.0, math.log(v) + 1.0
    u = v
    for _ in range(200):
        w = np.exp(-0.5 * l * l / u)
        var = (w * l * l).sum() / w.sum()
        if v >= 4.0 * spacing * spacing and abs(var - v) <= 1e-15 * v:
            break
        if var > v:
            hi = math.log(u)
        else:
            lo = math.log(u)
        u = math.exp(0.5 * (lo + hi))
        if hi - lo < 1e-13:
            break
    w = np.exp(-0.5 * l * l / u)
    return w / w.sum()


@jit
def parisi_step(f, f1, f2, m, w):
    """One Parisi step on the grid, g_j = (1/m) ln sum_l w_l exp(m f_{j+l}) (windows cut at the
    edges), with its derivatives g' = <f'>, g'' = <f''> + m (<f'^2> - <f'>^2) and the clock
    derivative dg/dv = (<f''> + m <f'^2>)/2, tilted means over the window (module docstring)."""
    n = (w.size - 1) // 2
    size = f.size
    g = np.empty(size)
    g1 = np.empty(size)
    g2 = np.empty(size)
    dv = np.empty(size)
    for j in range(size):
        lo, hi = max(0, j - n), min(size - 1, j + n)
        best = -math.inf
        for i in range(lo, hi + 1):
            best = max(best, m * f[i])
        total = 0.0
        norm = 0.0
        a1 = 0.0
        a2 = 0.0
        a11 = 0.0
        for i in range(lo, hi + 1):
            e = w[i - j + n] * math.exp(m * f[i] - best)
            total += e
            norm += w[i - j + n]
            a1 += e * f1[i]
            a2 += e * f2[i]
            a11 += e * f1[i] * f1[i]
        a1 /= total
        a2 /= total
        a11 /= total
        g[j] = (best + math.log(total / norm)) / m
        g1[j] = a1
        g2[j] = a2 + m * (a11 - a1 * a1)
        dv[j] = 0.5 * (a2 + m * a11)
    return g, g1, g2, dv


@jit
def forward_measure(p, f_up, f_down, m, w):
    """P_i(h_l) = sum_j P_{i-1}(h_j) w_{l-j} exp(m f_i(h_l) - m f_{i-1}(h_j)) / (window norm at j)."""
    n = (w.size - 1) // 2
    size = p.size
    out = np.zeros(size)
    for j in range(size):
        if p[j] == 0.0:
            continue
        lo, hi = max(0, j - n), min(size - 1, j + n)
        norm = 0.0
        for i in range(lo, hi + 1):
            norm += w[i - j + n]
        scale = p[j] / norm
        for i in range(lo, hi + 1):
            out[i] += scale * w[i - j + n] * math.exp(m * (f_up[i] - f_down[j]))
    return out


@jit
def top_step(h, margin, s, eps, m, x_ref, w_ref):
    """The top Parisi step by quadrature at every grid point: f_{K-1}, f', f'', d/dv, d/d(eps^2),
    and the tilted mean of f_K (for dG_E/dm_K)."""
    size = h.size
    f = np.empty(size)
    f1 = np.empty(size)
    f2 = np.empty(size)
    dv = np.empty(size)
    de = np.empty(size)
    mean = np.empty(size)
    for j in range(size):
        total, mf, a1, a2, a11 = rsb_inner(h[j] - margin, s, eps, m, x_ref, w_ref)
        f[j] = total / m
        mean[j] = mf
        f1[j] = a1
        f2[j] = a2 + m * (a11 - a1 * a1)
        dv[j] = 0.5 * (a2 + m * a11)
        de[j] = 0.5 * (a2 + a11)  # heat equation of ln H in its variance 1 - kappa_M
    return f, f1, f2, dv, de, mean


@jit
def energetic_pass(h, spacing, margin, kappas, ms, x_ref, w_ref):
    """G_E of the staircase (kappa_0..kappa_K, m_1..m_K) and its gradient (dG_E/dm_i, dG_E/dv_i for
    the step variances v_i = kappa_i - kappa_(i-1), dG_E/d(1 - kappa_K), dG_E/dkappa_0)."""
    k = ms.size
    size = h.size
    fs = np.empty((k, size))  # f_0 .. f_(K-1) on the grid
    dvs = np.empty((k, size))  # dvs[i-1] = d f_(i-1) / d v_i
    f, f1, f2, dv, de, top_mean = top_step(h, margin, math.sqrt(kappas[k] - kappas[k - 1]),
                                           math.sqrt(1.0 - kappas[k]), ms[k - 1], x_ref, w_ref)
    fs[k - 1] = f
    dvs[k - 1] = dv
    weights = []
    for i in range(k - 1, 0, -1):  # f_(i-1) from f_i over step i (m_i = ms[i-1])
        w = discrete_gaussian(kappas[i] - kappas[i - 1], spacing)
        weights.append(w)
        f, f1, f2, dv = parisi_step(f, f1, f2, ms[i - 1], w)
        fs[i - 1] = f
        dvs[i - 1] = dv
    p = discrete_gaussian(kappas[0], spacing)  # P_0 = N(0, kappa_m) on the grid, centred at h = 0
    p0 = np.zeros(size)
    centre = (size - 1) // 2
    n = (p.size - 1) // 2
    for l in range(max(-n, -centre), min(n, centre) + 1):
        p0[centre + l] = p[n + l]
    p0 /= p0.sum()
    g_e = (p0 * fs[0]).sum()
    d_kappa0 = 0.5 * (p0 * f2).sum()  # d/dkappa_0 E f_0(sqrt(kappa_0) z) = E f_0'' / 2
    grad_m = np.zeros(k)
    grad_v = np.zeros(k)
    prev_mean = g_e
    for i in range(1, k + 1):  # step i takes P_(i-1) to P_i
        grad_v[i - 1] = (p0 * dvs[i - 1]).sum()
        if i == k:
            grad_m[k - 1] = ((p0 * top_mean).sum() - prev_mean) / ms[k - 1]
            d_eps = (p0 * de).sum()
        else:
            p0 = forward_measure(p0, fs[i], fs[i - 1], ms[i - 1], weights[k - 1 - i])
            mean = (p0 * fs[i]).sum()
            grad_m[i - 1] = (mean - prev_mean) / ms[i - 1]
            prev_mean = mean
    return g_e, grad_m, grad_v, d_eps, d_kappa0


@dataclass(frozen=True)
class ParisiSolution:
    """Minimiser of the discretised Parisi functional at load alpha: x(q) as a staircase."""

    alpha: float
    q: tuple  # q_0 = q_m < ... < q_K = q_M (equal steps of kappa between them)
    m: tuple  # x(q) = m_i on (q_{i-1}, q_i)
    free_entropy: float
    free_entropy_rs: float
    q_rs: float
    converged: bool
    iterations: int
    steps: int
    spacing: float
    meta: dict = field(default_factory=dict, compare=False)

    @property
    def q_min(self):
        return self.q[0]

    @property
    def q_max(self):
        return self.q[-1]


class ParisiFunctional:
    """F(q_m, q_M, m_1..m_K) = G_S + alpha G_E for one kernel, margin, load and discretisation."""

    def __init__(self, activation, alpha, margin=0.0, steps=DEFAULT_STEPS, spacing=DEFAULT_SPACING):
        self.kernel = get_kernel(activation)
        self.alpha = check_range("alpha", alpha, 0.0, None, low_open=True)
        self.margin = check_margin(margin)
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= 400:
            raise ParameterError(f"steps must be an integer in [1, 400] (got {steps!r})")
        self.steps = int(steps)
        self.spacing = check_range("spacing", spacing, 0.002, 0.05)
        n = int(round(HALF_WIDTH / self.spacing))
        self.h = np.arange(-n, n + 1) * self.spacing
        self.nodes = legendre(TOP_QUAD_ORDER)

    def overlaps(self, q_min, q_max):
        """q_0..q_K at equal steps of kappa between kappa(q_min) and kappa(q_max)."""
        k_lo, k_hi = self.kernel.kappa(q_min), self.kernel.kappa(q_max)
        kappas = k_lo + (k_hi - k_lo) * np.arange(self.steps + 1) / self.steps
        qs = np.array([self.kernel.inverse(t, 1.0 - t)[0] for t in kappas[:-1]] + [q_max])
        qs[0] = q_min
        return qs, kappas

    def __call__(self, q_min, q_max, ms, gradient=False):
        """F, and if asked (dF/dq_m, dF/dq_M, dF/dm_i): analytic for G_E, central differences for G_S."""
        qs, kappas = self.overlaps(q_min, q_max)
        ms = np.asarray(ms, dtype=float)
        g_e, grad_m, grad_v, d_eps, d_kappa0 = energetic_pass(self.h, self.spacing, self.margin, kappas, ms, *self.nodes)
        f = Spherical.parisi_entropy(tuple(qs), tuple(ms)) + self.alpha * g_e
        if not gradient:
            return f
        k = self.steps
        d_kappa_max = grad_v.sum() / k - d_eps  # v_i = (kappa_M - kappa_m)/K, eps^2 = 1 - kappa_M
        d_kappa_min = d_kappa0 - grad_v.sum() / k
        grad = np.empty(k + 2)
        grad[0] = self.alpha * d_kappa_min * self.kernel.dkappa(q_min) + self._entropy_slope(q_min, q_max, ms, 0)
        grad[1] = self.alpha * d_kappa_max * self.kernel.dkappa(q_max) + self._entropy_slope(q_min, q_max, ms, 1)
        for i in range(k):  # the entropic term is cheap: central differences in each m_i
            d = 1e-6 * ms[i]
            up, down = ms.copy(), ms.copy()
            up[i] += d
            down[i] -= d
            grad[i + 2] = self.alpha * grad_m[i] + (Spherical.parisi_entropy(tuple(qs), tuple(up))
                                                    - Spherical.parisi_entropy(tuple(qs), tuple(down))) / (2 * d)
        return f, grad

    def _entropy_slope(self, q_min, q_max, ms, which):
        """d G_S / d q_m (which = 0) or d q_M (which = 1) at fixed m_i, by central differences."""
        d = 1e-7
        ends = [[q_min, q_max], [q_min, q_max]]
        ends[0][which] += d
        ends[1][which] -= d
        up, down = (Spherical.parisi_entropy(tuple(self.overlaps(*e)[0]), tuple(ms)) for e in ends)
        return (up - down) / (2 * d)

# search variables: q_M = expit(u_0), q_m = q_M expit(u_1), m_i = expit(u_(i+1)) (0 < x < 1)
def _unpack(u):
    q_max = float(expit(u[0]))
    return q_max * float(expit(u[1])), q_max, expit(u[2:])


def _pack(q_min, q_max, ms):
    return np.concatenate([[logit(q_max), logit(q_min / q_max)], logit(np.asarray(ms, dtype=float))])


def _objective(functional, u):
    """F and its gradient in the search variables."""
    q_min, q_max, ms = _unpack(u)
    f, grad = functional(q_min, q_max, ms, gradient=True)
    q_ratio = q_min / q_max
    return f, np.concatenate([[(grad[1] + grad[0] * q_ratio) * q_max * (1.0 - q_max),
                               grad[0] * q_max * q_ratio * (1.0 - q_ratio)], grad[2:] * ms * (1.0 - ms)])


def solve_parisi(alpha, activation="relu", margin=0.0, steps=DEFAULT_STEPS, spacing=DEFAULT_SPACING, start=None):
    """Minimise the discretised Parisi functional at load alpha over q_m, q_M and the m_i (L-BFGS).

    Starts from `start` (a ParisiSolution, e.g. at a nearby load) or from the RS overlap split
    around q_RS with x rising linearly.  Raises ConvergenceError if the gradient does not vanish.
    """
    functional = ParisiFunctional(activation, alpha, margin, steps, spacing)
    rs = rs_solution(alpha, functional.kernel, "spherical", functional.margin)
    if start is not None:
        ms = np.interp(np.linspace(0.5, len(start.m) - 0.5, steps) / len(start.m),
                       (np.arange(len(start.m)) + 0.5) / len(start.m), start.m)
        u0 = _pack(start.q_min, start.q_max, np.clip(ms, 1e-6, 1 - 1e-6))
    else:
        q_lo, q_hi = 0.9 * rs.q, rs.q + 0.5 * (1.0 - rs.q)
        u0 = _pack(q_lo, q_hi, np.linspace(0.1, 0.5, steps))
    res = minimize(lambda u: _objective(functional, u), u0, jac=True, method="L-BFGS-B",
                   options={"maxiter": MAX_ITER, "gtol": GRAD_TOL, "ftol": 1e-15, "maxcor": 30})
    q_min, q_max, ms = _unpack(res.x)
    gradient = float(np.max(np.abs(res.jac)))
    converged = bool(res.success and gradient < 1e2 * GRAD_TOL)
    if not converged:
        raise ConvergenceError(f"Parisi functional at alpha = {alpha:g} ({functional.kernel.name}, {steps} steps): "
                               f"{res.message} (|grad| = {gradient:.1e})")
    qs, _ = functional.overlaps(q_min, q_max)
    return ParisiSolution(alpha=functional.alpha, q=tuple(map(float, qs)), m=tuple(map(float, ms)),
                          free_entropy=float(res.fun), free_entropy_rs=rs.free_entropy, q_rs=rs.q,
                          converged=converged, iterations=int(res.nit), steps=steps, spacing=spacing,
                          meta={"gradient": gradient, "evaluations": int(res.nfev)})
