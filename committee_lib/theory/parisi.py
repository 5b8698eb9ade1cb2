"""The Parisi functional of the spherical committee machine, solved on a grid (full RSB).

x(q) is a staircase with K equal steps of the kernel clock t = kappa(q) between kappa(q_m) and
kappa(q_M) (theory "Beyond one step", eqs. T26-T28).  The entropic term is Crisanti-Sommers'
(priors.self.prior.parisi_entropy); the energetic term is the perceptron's Parisi recursion run on
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

from .energetic import log_jamming_step, rsb_inner
from ..errors import ConvergenceError, ParameterError, check_range
from .gaussian import LOG_SQRT_2PI, jit, legendre, log_ndtr
from .model import DEFAULT_QUAD_ORDER, Model, resolve_spherical
from .rs import rs_solution

#: grid spacing and half-width of the h-grid, and nodes per panel of the top-step quadrature
DEFAULT_SPACING = 0.02
HALF_WIDTH = 12.0
TOP_QUAD_ORDER = 24
DEFAULT_STEPS = 40
#: L-BFGS limits
MAX_ITER, GRAD_TOL, JAMMING_GRAD_TOL = 500, 1e-8, 1e-6
#: the grid capacity's gradient tolerance relative to alpha (1e-6 at the ReLU capacity 2.65)
JAMMING_REL_GRAD_TOL = 4e-7
#: largest top step r_K (1 - q_(K-1)) searched (optima sit at 1 to 10; see krsb.TOP_STEP_MAX)
TOP_STEP_MAX = 1e2


@jit
def discrete_gaussian(v, spacing):
    """(u, ln Z, n) of the weights w_l = exp(-l^2 d^2 / (2u)) / Z, |l| <= n = 8 sqrt(v)/d + 1, whose
    variance sum w_l l^2 d^2 is exactly v.

    For v >= (2 d)^2, u = v to round-off; for smaller v, u is found by bisection (v -> 0 gives the
    three-point stencil v/(2 d^2), 1 - v/d^2, v/(2 d^2)).  v = 0 is returned as u = 0 (no step).
    """
    n = int(math.ceil(8.0 * math.sqrt(v) / spacing)) + 1
    if v <= 0.0:
        return 0.0, 0.0, 0
    l = np.arange(-n, n + 1).astype(np.float64) * spacing
    lo, hi = math.log(v) - 40.0, math.log(max(v, spacing * spacing)) + 3.0  # u > v when v << d^2
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
    return u, math.log(np.exp(-0.5 * l * l / u).sum()), n


@jit
def _log_weight(l, u, log_z, spacing):
    return -0.5 * (l * spacing) ** 2 / u - log_z


@jit
def tilted_windows(f, m, u, log_z, n, spacing):
    """Centre c_j of the window of output point j: the peak of ln w_l + m f_(j+l) over l.

    The integrand is log-concave, so its mass lies within n points of its peak; a large tilt moves
    the peak far from l = 0 (towards the satisfied side), beyond the reach of the bare Gaussian.
    The peak is followed from one j to the next by hill climbing."""
    size = f.size
    centre = np.zeros(size, dtype=np.int64)
    c = 0
    for j in range(size):
        c = min(max(c, -j), size - 1 - j)
        best = _log_weight(c, u, log_z, spacing) + m * f[j + c]
        while True:
            moved = False
            for step in (1, -1):
                l = c + step
                if 0 <= j + l < size:
                    value = _log_weight(l, u, log_z, spacing) + m * f[j + l]
                    if value > best:
                        best, c, moved = value, l, True
                        break
            if not moved:
                break
        centre[j] = c
    return centre


#: terms of a tilted average more than this far below its peak (in log) are dropped: e^-40 ~ 4e-18
LOG_CUT = 40.0


@jit
def _log_weights(u, log_z, size, spacing):
    """ln w_l for every offset l = -size..size between two grid points (index l + size)."""
    l = np.arange(-size, size + 1).astype(np.float64) * spacing
    return -0.5 * l * l / u - log_z


#: the terms of a tilted average along its span are products of neighbour ratios (two products a
#: term instead of an exponential), each REANCHOR-th term exact: round-off ~ REANCHOR eps
REANCHOR = 16


@jit
def _neighbour_ratios(log_values):
    """exp(v_(i+1) - v_i): the factor of a term from grid point i to i + 1."""
    return np.exp(log_values[1:] - log_values[:-1])


@jit
def _tilted_span(mf, lw, n, j, c):
    """First and last grid index of the terms of output point j kept in its tilted average, and the
    peak value: out from the peak j + c while the log-integrand ln w + m f stays within LOG_CUT of
    it (it is log-concave, so it falls monotonically away from the peak), at most n points either
    side, cut at the grid edges (the grid is wide enough that no weight of P reaches them)."""
    size = mf.size
    peak = lw[c + size] + mf[j + c]
    hi = j + c
    while hi + 1 < size and hi + 1 - j - c <= n and lw[hi + 1 - j + size] + mf[hi + 1] > peak - LOG_CUT:
        hi += 1
    lo = j + c
    while lo - 1 >= 0 and j + c - lo + 1 <= n and lw[lo - 1 - j + size] + mf[lo - 1] > peak - LOG_CUT:
        lo -= 1
    return lo, hi, peak


@jit
def parisi_step(f, f1, f2, m, u, log_z, n, spacing, centre, j_lo, j_hi):
    """One Parisi step on the grid, g_j = (1/m) ln sum_l w_l exp(m f_(j+l)) over the span around the
    tilted peak, with its derivatives g' = <f'>, g'' = <f''> + m (<f'^2> - <f'>^2) and the clock
    derivative dg/dv = (<f''> + m <f'^2>)/2, tilted means over the span (module docstring).
    Only the output points j_lo..j_hi are computed (the others, where no measure P will be, are 0).
    Returns also the spans (lo, hi), which forward_measure reuses."""
    size = f.size
    g = np.zeros(size)
    g1 = np.zeros(size)
    g2 = np.zeros(size)
    dv = np.zeros(size)
    spans = np.zeros((size, 2), dtype=np.int64)
    if u == 0.0:
        for j in range(size):
            spans[j, 0], spans[j, 1] = j, j
        return f.copy(), f1.copy(), f2.copy(), np.zeros(size), spans
    lw = _log_weights(u, log_z, size, spacing)
    mf = m * f
    step_w, step_f = _neighbour_ratios(lw), _neighbour_ratios(mf)
    for j in range(j_lo, j_hi + 1):
        lo, hi, best = _tilted_span(mf, lw, n, j, centre[j])
        spans[j, 0], spans[j, 1] = lo, hi
        total = 0.0
        a1 = 0.0
        a2 = 0.0
        a11 = 0.0
        shift = size - j
        e = 0.0
        for i in range(lo, hi + 1):  # e = exp(ln w + m f - peak), in (e^-LOG_CUT, 1] on the span
            if (i - lo) % REANCHOR == 0:
                e = math.exp(lw[i + shift] + mf[i] - best)
            else:
                e *= step_w[i - 1 + shift] * step_f[i - 1]
            total += e
            a1 += e * f1[i]
            a2 += e * f2[i]
            a11 += e * f1[i] * f1[i]
        a1 /= total
        a2 /= total
        a11 /= total
        g[j] = (best + math.log(total)) / m
        g1[j] = a1
        g2[j] = a2 + m * (a11 - a1 * a1)
        dv[j] = 0.5 * (a2 + m * a11)
    return g, g1, g2, dv, spans


@jit
def forward_measure(p, f_up, f_down, m, u, log_z, spacing, spans):
    """P_i(h_l) = sum_j P_(i-1)(h_j) w_(l-j) exp(m f_i(h_l) - m f_(i-1)(h_j)) over the spans of parisi_step."""
    if u == 0.0:
        return p.copy()
    out = np.zeros(p.size)
    lw = _log_weights(u, log_z, p.size, spacing)
    mf = m * f_up
    step_w, step_f = _neighbour_ratios(lw), _neighbour_ratios(mf)
    for j in range(p.size):
        if p[j] <= 0.0:
            continue
        base = math.log(p[j]) - m * f_down[j]
        lo, shift, e = spans[j, 0], p.size - j, 0.0
        for i in range(lo, spans[j, 1] + 1):  # e <= p_j: the tilted weights of j sum to one
            if (i - lo) % REANCHOR == 0:
                e = math.exp(lw[i + shift] + mf[i] + base)
            else:
                e *= step_w[i - 1 + shift] * step_f[i - 1]
            out[i] += e
    return out


@jit
def backward_sweep(f, f1, f2, dv_top, kappas, tilts, spacing):
    """The Parisi steps K-1 .. 1 from the top-step function f = f_(K-1) (f', f'', d/dv_K): the functions
    f_0 .. f_(K-1) on the grid, their clock derivatives dvs[i-1] = d f_(i-1) / d v_i, f_0'' and, per
    step, the discrete Gaussian (u, ln Z) and the spans of its tilted averages (for forward_sweep)."""
    k = tilts.size
    size = f.size
    fs = np.empty((k, size))
    dvs = np.zeros((k, size))
    us = np.zeros(k)
    log_zs = np.zeros(k)
    spans = np.zeros((k, size, 2), dtype=np.int64)
    reach = discrete_gaussian(kappas[0], spacing)[2]  # P_0 lives within reach points of h = 0
    fs[k - 1] = f
    dvs[k - 1] = dv_top
    for i in range(k - 1, 0, -1):  # f_(i-1) from f_i over step i, tilt m_i = tilts[i-1]
        u, log_z, n = discrete_gaussian(kappas[i] - kappas[i - 1], spacing)
        centre = tilted_windows(f, tilts[i - 1], u, log_z, n, spacing) if u > 0.0 else np.zeros(size, dtype=np.int64)
        j_lo, j_hi = (0, size - 1) if i > 1 else (max(0, support_centre(size) - reach), min(size - 1, support_centre(size) + reach))
        f, f1, f2, dv, spans[i] = parisi_step(f, f1, f2, tilts[i - 1], u, log_z, n, spacing, centre, j_lo, j_hi)
        us[i], log_zs[i] = u, log_z
        fs[i - 1] = f
        dvs[i - 1] = dv
    return fs, dvs, f2, us, log_zs, spans


@jit
def forward_sweep(p0, fs, dvs, tilts, us, log_zs, spacing, spans):
    """The tilted measures P_1 .. P_(K-1) forward from P_0, and with them the gradient pieces (T28):
    means[i] = <f_i>_(P_i) (means[0] = <f_0>_(P_0)), grad_v[i-1] = <d f_(i-1)/d v_i>_(P_0) and the
    top measure P_(K-1)."""
    k = tilts.size
    means = np.zeros(k)
    grad_v = np.zeros(k)
    means[0] = (p0 * fs[0]).sum()
    for i in range(1, k):
        grad_v[i - 1] = (p0 * dvs[i - 1]).sum()
        p0 = forward_measure(p0, fs[i], fs[i - 1], tilts[i - 1], us[i], log_zs[i], spacing, spans[i])
        means[i] = (p0 * fs[i]).sum()
    grad_v[k - 1] = (p0 * dvs[k - 1]).sum()
    return means, grad_v, p0


@jit
def support_centre(size):
    """Grid index of h = 0."""
    return (size - 1) // 2


@jit
def initial_measure(kappa_0, spacing, size):
    """P_0 = N(0, kappa_m) on the grid (the discrete Gaussian of variance kappa_m, centred at h = 0)."""
    u, log_z, n = discrete_gaussian(kappa_0, spacing)
    p0 = np.zeros(size)
    centre = support_centre(size)
    if u == 0.0:
        p0[centre] = 1.0
        return p0
    for l in range(max(-n, -centre), min(n, centre) + 1):
        p0[centre + l] = math.exp(_log_weight(l, u, log_z, spacing))
    return p0 / p0.sum()


@jit
def top_step(h, margin, s, eps, m, x_ref, w_ref):
    """The top Parisi step by quadrature at every grid point: f_{K-1}, f', f'', d/dv, d/d(eps^2),
    and the tilted mean of f_K (for dG_E/dm_K)."""
    size = h.size
    f, f1, f2, dv, de, mean = np.empty((6, size))
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
    f, f1, f2, dv, de, top_mean = top_step(h, margin, math.sqrt(kappas[k] - kappas[k - 1]),
                                           math.sqrt(1.0 - kappas[k]), ms[k - 1], x_ref, w_ref)
    fs, dvs, f2_0, us, log_zs, spans = backward_sweep(f, f1, f2, dv, kappas, ms, spacing)
    p0 = initial_measure(kappas[0], spacing, h.size)
    means, grad_v, p_top = forward_sweep(p0, fs, dvs, ms, us, log_zs, spacing, spans)
    grad_m = np.empty(k)
    grad_m[:k - 1] = np.diff(means) / ms[:k - 1]  # dG_E/dm_i = (<f_i>_(P_i) - <f_(i-1)>_(P_(i-1))) / m_i
    grad_m[k - 1] = ((p_top * top_mean).sum() - means[k - 1]) / ms[k - 1]
    d_kappa0 = 0.5 * (p0 * f2_0).sum()  # d/dkappa_0 E f_0(sqrt(kappa_0) z) = E f_0'' / 2
    return means[0], grad_m, grad_v, (p_top * de).sum(), d_kappa0


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
    model: Model = field(default=None, compare=False)

    @property
    def q_min(self):
        return self.q[0]

    @property
    def q_max(self):
        return self.q[-1]


class ParisiFunctional:
    """F(q_m, q_M, m_1..m_K) = G_S + alpha G_E for one kernel, margin, load and discretisation."""

    def __init__(self, activation="relu", alpha=1.0, margin=0.0, steps=DEFAULT_STEPS, spacing=DEFAULT_SPACING, *, model=None):
        self.model = resolve_spherical(model, activation, margin, TOP_QUAD_ORDER)
        self.kernel, self.margin, self.prior = self.model.kernel, self.model.margin, self.model.prior
        self.alpha = check_range("alpha", alpha, 0.0, None, low_open=True)
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= 400:
            raise ParameterError(f"steps must be an integer in [1, 400] (got {steps!r})")
        self.steps = int(steps)
        self.spacing = check_range("spacing", spacing, 0.002, 0.05)
        n = int(round(HALF_WIDTH / self.spacing))
        self.h = np.arange(-n, n + 1) * self.spacing
        self.nodes = legendre(TOP_QUAD_ORDER)  # the top step's quadrature, whatever the model's quad_order

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
        f = self.prior.parisi_entropy(tuple(qs), tuple(ms)) + self.alpha * g_e
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
            grad[i + 2] = self.alpha * grad_m[i] + (self.prior.parisi_entropy(tuple(qs), tuple(up))
                                                    - self.prior.parisi_entropy(tuple(qs), tuple(down))) / (2 * d)
        return f, grad

    def _entropy_slope(self, q_min, q_max, ms, which):
        """d G_S / d q_m (which = 0) or d q_M (which = 1) at fixed m_i, by central differences
        (one-sided at q_m = 0, where a line search may probe)."""
        ends = [[q_min, q_max], [q_min, q_max]]
        value = ends[0][which]
        ends[0][which] = value + 1e-7
        ends[1][which] = max(value - 1e-7, 0.0)
        up, down = (self.prior.parisi_entropy(tuple(self.overlaps(*e)[0]), tuple(ms)) for e in ends)
        return (up - down) / (ends[0][which] - ends[1][which])

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


def solve_parisi(alpha, activation="relu", margin=0.0, steps=DEFAULT_STEPS, spacing=DEFAULT_SPACING, start=None, *,
                 model=None):
    """Minimise the discretised Parisi functional at load alpha over q_m, q_M and the m_i (L-BFGS).

    Starts from `start` (a ParisiSolution, e.g. at a nearby load) or from the RS overlap split
    around q_RS with x rising linearly.  Raises ConvergenceError if the gradient does not vanish.
    """
    functional = ParisiFunctional(activation, alpha, margin, steps, spacing, model=model)
    rs = rs_solution(alpha, model=functional.model.at_order(DEFAULT_QUAD_ORDER))
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
    converged = bool(res.success or gradient < JAMMING_GRAD_TOL)  # a line search may stop at round-off
    if not converged:
        raise ConvergenceError(f"Parisi functional at alpha = {alpha:g} ({functional.kernel.name}, {steps} steps): "
                               f"{res.message} (|grad| = {gradient:.1e})")
    qs, _ = functional.overlaps(q_min, q_max)
    return ParisiSolution(alpha=functional.alpha, q=tuple(map(float, qs)), m=tuple(map(float, ms)),
                          free_entropy=float(res.fun), free_entropy_rs=rs.free_entropy, q_rs=rs.q,
                          converged=converged, iterations=int(res.nit), steps=steps, spacing=spacing,
                          meta={"gradient": gradient, "evaluations": int(res.nfev)}, model=functional.model)


# ----------------------------------------------------------------------------- the jamming limit
@jit
def jamming_top(h, margin, s, y, r, step):
    """phi_(K-1) = ln J(h - k; s, y) / r_K on the grid with its h-derivatives (closed form) and the
    derivatives of ln J in y and s^2 (central differences, steps relative to y and s^2)."""
    size = h.size
    f, f1, f2, dy, ds = np.empty((5, size))
    c = 1.0 + y * s * s
    for j in range(size):
        a = h[j] - margin
        log_j = log_jamming_step(a, s, y)
        # J = Phi(a/s) + G, G = exp(-y a^2/(2c)) Phi(-a/(s sqrt c))/sqrt c, and exp(-y a^2/(2c)) phi(a/(s sqrt c)) = phi(a/s):
        # J' = (y a/(s c)) ... written as J'/J = phi(a/s)/s (1 - 1/c)/J - (y a/c) G/J, J''/J likewise
        phi_j = math.exp(-0.5 * (a / s) ** 2 - LOG_SQRT_2PI - log_j)
        g_j = math.exp(-y * a * a / (2.0 * c) - 0.5 * math.log(c) + log_ndtr(-a / (s * math.sqrt(c))) - log_j)
        d1 = phi_j / s * (1.0 - 1.0 / c) - y * a / c * g_j
        d2 = -y * a / (s * c) * (1.0 - 1.0 / c) * phi_j + ((y * a / c) ** 2 - y / c) * g_j
        f[j] = log_j / r
        f1[j] = d1 / r
        f2[j] = (d2 - d1 * d1) / r
        dy[j] = (log_jamming_step(a, s, y * (1.0 + step)) - log_jamming_step(a, s, y * (1.0 - step))) / (2.0 * step * y)
        s2 = s * s
        ds[j] = (log_jamming_step(a, math.sqrt(s2 * (1.0 + step)), y)
                 - log_jamming_step(a, math.sqrt(s2 * (1.0 - step)), y)) / (2.0 * step * s2)
    return f, f1, f2, dy, ds


@jit
def jamming_pass(h, spacing, margin, kappas, rs, dkap1):
    """E of the K-step jamming limit on the grid (eq. T31 with K steps) and its gradient:
    (E, dE/dr_i, dE/dv_i for v_i = kappa_i - kappa_(i-1), i = 1..K-1, dE/ds^2, dE/dkappa_0)."""
    k = rs.size
    r_k = rs[k - 1]  # phi_(K-1) = ln J / r_K with y = r_K / kappa'(1)
    f, f1, f2, dy, ds = jamming_top(h, margin, math.sqrt(1.0 - kappas[k - 1]), r_k / dkap1, r_k, 1e-4)
    fs, dvs, f2_0, us, log_zs, spans = backward_sweep(f, f1, f2, np.zeros(h.size), kappas, rs, spacing)
    p0 = initial_measure(kappas[0], spacing, h.size)
    means, grad_v, p_top = forward_sweep(p0, fs, dvs, rs, us, log_zs, spacing, spans)
    grad_r = np.empty(k)
    grad_r[:k - 1] = np.diff(means) / rs[:k - 1]
    grad_r[k - 1] = (p_top * (-fs[k - 1] / r_k + dy / (dkap1 * r_k))).sum()
    return means[0], grad_r, grad_v, (p_top * ds).sum() / r_k, 0.5 * (p0 * f2_0).sum()


class JammingFunctional:
    """alpha(q_0..q_(K-1), r_1..r_K) = S / (-E) of the K-step SAT/UNSAT limit on the grid.

    The same recursion as the nested quadrature of krsb.py (eq. T31), each step a convolution on
    the grid and the last step [q_(K-1), 1] the closed-form jamming step, with the gradient of E
    from the forward measure: fast enough for many steps and free overlaps.
    """

    def __init__(self, activation="relu", margin=0.0, spacing=DEFAULT_SPACING, *, model=None):
        self.model = resolve_spherical(model, activation, margin, TOP_QUAD_ORDER)
        self.kernel, self.margin, self.prior = self.model.kernel, self.model.margin, self.model.prior
        if not math.isfinite(self.kernel.dkappa_at_1):
            raise ParameterError(f"activation {self.kernel.name} has kappa'(1) = inf: its spherical capacity "
                                 "diverges; the jamming limit needs a kernel with finite kappa'(1)")
        self.spacing = check_range("spacing", spacing, 0.002, 0.05)
        n = int(round(HALF_WIDTH / self.spacing))
        self.h = np.arange(-n, n + 1) * self.spacing
        #: the width of the top step, sqrt(1 - kappa(q_(K-1))), must not fall below the grid spacing
        #: (measured: alpha then agrees with 8x finer grids to 1e-12; tests/test_parisi.py)
        gap = self.spacing ** 2
        self.q_cap = self.kernel.inverse(1.0 - gap, gap)[0]

    def _energetic(self, qs, rs):
        kappas = np.asarray(self.kernel.kappa(np.asarray(qs, dtype=float)), dtype=float).reshape(-1)
        return jamming_pass(self.h, self.spacing, self.margin, kappas, np.asarray(rs, dtype=float),
                            self.kernel.dkappa_at_1)

    def alpha(self, qs, rs):
        return self.prior.krsb_entropy(tuple(qs), tuple(rs)) / -self._energetic(qs, rs)[0]

    def __call__(self, qs, rs):
        """alpha and its gradient in (q_0..q_(K-1)) and (r_1..r_K)."""
        qs, rs = np.asarray(qs, dtype=float), np.asarray(rs, dtype=float)
        k = rs.size
        e, grad_r, grad_v, d_s2, d_kappa0 = self._energetic(qs, rs)
        s = self.prior.krsb_entropy(tuple(qs), tuple(rs))
        alpha = s / -e
        # dE/dkappa_i: kappa_0 is the variance of P_0, v_i = kappa_i - kappa_(i-1), s^2 = 1 - kappa_(K-1)
        d_kappa = np.zeros(k)
        d_kappa[0] += d_kappa0
        d_kappa[1:] += grad_v[:k - 1]
        d_kappa[:k - 1] -= grad_v[:k - 1]
        d_kappa[k - 1] -= d_s2
        grad = np.empty(2 * k)
        for i in range(k):  # the entropic term is cheap: central differences
            for j, (vec, other) in enumerate(((qs, rs), (rs, qs))):
                d = 1e-7 * (1.0 - vec[i] if j == 0 else vec[i])
                up, down = vec.copy(), vec.copy()
                up[i] += d
                down[i] -= d
                pair = (lambda v: (v, other)) if j == 0 else (lambda v: (other, v))
                ds = (self.prior.krsb_entropy(*map(tuple, pair(up))) - self.prior.krsb_entropy(*map(tuple, pair(down)))) / (2 * d)
                de = d_kappa[i] * self.kernel.dkappa(qs[i]) if j == 0 else grad_r[i]
                grad[j * k + i] = (ds + alpha * de) / -e
        return alpha, grad


def _ordered_unpack(u, q_cap, k):
    """Search variables -> (q, r): q_0 = q_cap expit(u_0), q_i = q_(i-1) + (q_cap - q_(i-1)) expit(u_i),
    ln r_1 = u_k, ln r_i = ln r_(i-1) + exp(u_(k+i-1)); and the Jacobian factors."""
    q = np.empty(k)
    e = expit(u[:k])
    q[0] = q_cap * e[0]
    for i in range(1, k):
        q[i] = q[i - 1] + (q_cap - q[i - 1]) * e[i]
    log_r = u[k] + np.concatenate([[0.0], np.cumsum(np.exp(u[k + 1:]))])
    return q, np.exp(log_r), e


def _ordered_pack(q, r, q_cap):
    k = len(q)
    u = np.empty(2 * k)
    u[0] = logit(q[0] / q_cap)
    for i in range(1, k):
        u[i] = logit((q[i] - q[i - 1]) / (q_cap - q[i - 1]))
    u[k] = math.log(r[0])
    u[k + 1:] = np.log(np.maximum(np.diff(np.log(r)), 1e-300))  # merged steps: r_i = r_(i-1)
    return u


def _ordered_gradient(grad_q, grad_r, q, r, e, u, q_cap):
    """Chain rule from (q, r) to the search variables of _ordered_unpack."""
    k = q.size
    # dq_j/du_i: q_i = q_(i-1) (1 - e_i) + q_cap e_i, so dq_i/dq_(i-1) = 1 - e_i and dq_i/du_i = (q_cap - q_(i-1)) e_i (1 - e_i)
    g = np.empty(2 * k)
    back = 0.0  # d alpha / d q_i accumulated through the later overlaps
    for i in range(k - 1, -1, -1):
        back = grad_q[i] + back
        lower = q[i - 1] if i > 0 else 0.0
        g[i] = back * (q_cap - lower) * e[i] * (1.0 - e[i])
        back *= (1.0 - e[i]) if i > 0 else 1.0
    g_log_r = grad_r * r
    g[k] = g_log_r.sum()
    tail = np.cumsum(g_log_r[::-1])[::-1]
    g[k + 1:] = tail[1:] * np.exp(u[k + 1:])
    return g


@dataclass(frozen=True)
class JammingSolution:
    """The K-step SAT/UNSAT point on the grid: alpha_c and the staircase r(q) = m(q) / (1 - q_K)."""

    alpha_c: float
    q: tuple  # q_0 .. q_(K-1); the last step runs from q_(K-1) to 1
    r: tuple
    spacing: float
    converged: bool
    at_resolution_limit: bool  # q_(K-1) pressed against 1 - kappa = spacing^2: refine the grid
    iterations: int
    model: Model = field(default=None, compare=False)


def solve_jamming(activation="relu", margin=0.0, start=None, spacing=DEFAULT_SPACING, *, model=None):
    """K-step capacity on the grid from a start (q, r) with K = len(q): minimise S/(-E) with free
    ordered overlaps (L-BFGS, analytic gradient of E).  start: anything with .q and .r tuples."""
    functional = JammingFunctional(spacing=spacing, model=resolve_spherical(model, activation, margin, TOP_QUAD_ORDER))
    q_cap = functional.q_cap
    q0, r0 = np.asarray(start.q, dtype=float), np.asarray(start.r, dtype=float)
    k = q0.size
    if k == 0 or r0.size != k:
        raise ParameterError("solve_jamming needs a start with as many overlaps q as tilts r (k >= 1)")
    q0 = np.minimum(q0, q_cap * (1.0 - 1e-6 * np.arange(k, 0, -1)))
    u0 = _ordered_pack(q0, r0, q_cap)

    def objective(u):
        q, r, e = _ordered_unpack(u, q_cap, k)
        if not np.all(np.isfinite(u)) or r[-1] * (1.0 - q[-1]) > TOP_STEP_MAX:  # not finite: r overflowed
            return math.inf, np.zeros(u.size)
        alpha, grad = functional(q, r)
        return alpha, _ordered_gradient(grad[:k], grad[k:], q, r, e, u, q_cap)

    res = minimize(objective, u0, jac=True, method="L-BFGS-B",
                   options={"maxiter": MAX_ITER, "gtol": 1e-9, "ftol": 1e-15, "maxcor": 30})
    # the q-gradient carries the O(spacing^2) difference between the discrete step and its continuum
    # derivative (~1e-5 relative), and alpha the round-off of sums of terms exp(m f) with m f of order
    # alpha, so the line search may stop short of gtol: accept a gradient small relative to alpha
    gradient = float(np.max(np.abs(res.jac)))
    converged = bool(res.success or gradient < JAMMING_REL_GRAD_TOL * abs(res.fun))
    q, r, e = _ordered_unpack(res.x, q_cap, k)
    if not (converged and math.isfinite(res.fun)):
        raise ConvergenceError(f"{k}-step capacity on the grid ({functional.kernel.name}, margin {functional.margin:g}): "
                               f"{res.message} (|grad| = {gradient:.1e})")
    return JammingSolution(alpha_c=float(res.fun), q=tuple(map(float, q)), r=tuple(map(float, r)),
                           spacing=functional.spacing, converged=converged,
                           at_resolution_limit=bool(e[-1] > 1.0 - 1e-4), iterations=int(res.nit), model=functional.model)


def refine_steps(q, r, steps):
    """A `steps`-step start from a coarser (q, r): each new overlap halves the widest gap of
    -ln(1 - q) (the top gap, from q_(K-1) to 1, counts as one unit), so the steps crowd towards
    q = 1 where r(q) grows; its r is the geometric mean of its neighbours' (e r_K above the top)."""
    q, r = list(q), list(r)
    while len(q) < steps:
        depth = -np.log1p(-np.array(q))
        gaps = np.append(np.diff(depth), 1.0)
        i = int(np.argmax(gaps))
        if i + 1 < len(q):
            q.insert(i + 1, 1.0 - math.sqrt((1.0 - q[i]) * (1.0 - q[i + 1])))
            r.insert(i + 1, math.sqrt(r[i] * r[i + 1]))
        else:
            q.append(1.0 - (1.0 - q[-1]) / math.e)
            r.append(math.e * r[-1])
    r = np.maximum.accumulate(np.array(r)) * (1.0 + 1e-3 * np.arange(len(r)))
    return np.array(q), r


class _Start:
    """A (q, r) starting point for solve_jamming."""

    def __init__(self, q, r):
        self.q, self.r = tuple(q), tuple(r)
