"""Gaussian averages: log Phi, the Mills ratio and kink-split Gauss-Legendre quadrature.

All energetic terms are averages over standard Gaussians of functions with a kink (the
label step smoothed on a scale sqrt(1 - kappa)); plain Gauss-Hermite converges badly there,
so every average splits [-L, L] into two Gauss-Legendre panels at the kink (theory chapter,
"Numerics").
"""

import math
from functools import lru_cache

import numpy as np

from ..errors import ParameterError
from ..jit import jit

#: half-width of the Gaussian integration window: phi(12) ~ 5e-33
L = 12.0
LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
SQRT2 = math.sqrt(2.0)


@lru_cache(maxsize=None)
def legendre(n):
    """Gauss-Legendre nodes and weights on [-1, 1] for n points per panel (n >= 4)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer, float)) or int(n) != n or not 4 <= n <= 2000:
        raise ParameterError(f"quad_order must be an integer in [4, 2000] (got {n!r})")
    x, w = np.polynomial.legendre.leggauss(int(n))
    x.flags.writeable = False
    w.flags.writeable = False
    return x, w


@jit
def _asymptotic_series(t):
    # Phi(t) = phi(t)/|t| * (1 - 1/t^2 + 3/t^4 - 15/t^6 + 105/t^8 - 945/t^10 + ...), t -> -inf
    u = 1.0 / (t * t)
    return 1.0 - u * (1.0 - 3.0 * u * (1.0 - 5.0 * u * (1.0 - 7.0 * u * (1.0 - 9.0 * u))))


@jit
def log_ndtr(t):
    """ln Phi(t) = ln H(-t), accurate to ~1e-15 relative for every real t."""
    if t > 0.0:
        return math.log1p(-0.5 * math.erfc(t / SQRT2))
    if t > -30.0:
        return math.log(0.5 * math.erfc(-t / SQRT2))
    return -0.5 * t * t - math.log(-t) - LOG_SQRT_2PI + math.log(_asymptotic_series(t))


@jit
def mills(t):
    """R(t) = phi(t)/Phi(t) = d ln Phi / dt; R(t) ~ -t for t -> -inf."""
    if t > -30.0:
        return math.exp(-0.5 * t * t - LOG_SQRT_2PI) / (0.5 * math.erfc(-t / SQRT2))
    return -t / _asymptotic_series(t)


@jit
def log_normal(x, mu, var):
    """ln N(x; mu, var), the Gaussian density of mean mu and variance var."""
    d = x - mu
    return -0.5 * d * d / var - 0.5 * math.log(var) - LOG_SQRT_2PI


@jit
def panel_log_nodes(lo, hi, x_ref, w_ref, out_z, out_lw, offset):
    """Map reference nodes to [lo, hi]; log-weights include the Gaussian density phi(z)."""
    half = 0.5 * (hi - lo)
    for i in range(x_ref.size):
        z = lo + half * (x_ref[i] + 1.0)
        out_z[offset + i] = z
        out_lw[offset + i] = math.log(half * w_ref[i]) - 0.5 * z * z - LOG_SQRT_2PI


@jit
def split_log_nodes(cuts, x_ref, w_ref):
    """Nodes and log-weights of E_z f(z), one Gauss-Legendre panel between consecutive sorted cuts.

    Log-weights include phi(z); an empty panel (equal cuts) gets weight zero (log-weight -inf).
    """
    n = x_ref.size
    k = cuts.size - 1
    z = np.empty(k * n)
    lw = np.empty(k * n)
    for j in range(k):
        panel_log_nodes(cuts[j], cuts[j + 1], x_ref, w_ref, z, lw, j * n)
        if cuts[j + 1] <= cuts[j]:
            lw[j * n:(j + 1) * n] = -np.inf
    return z, lw


@jit
def split_nodes(cuts, x_ref, w_ref):
    """Nodes and weights of E_z f(z) with a panel between consecutive sorted cuts."""
    z, lw = split_log_nodes(cuts, x_ref, w_ref)
    return z, np.exp(lw)


@jit
def clamped_sorted(cuts, lo, hi):
    """The cuts sorted and clamped to [lo, hi]."""
    return np.minimum(np.maximum(np.sort(cuts), lo), hi)


@jit
def gauss_nodes(cut, x_ref, w_ref):
    """Nodes and weights for E_z f(z), z ~ N(0, 1), split at the kink `cut` (clamped to [-L, L])."""
    return split_nodes(np.array([-L, min(max(cut, -L), L), L]), x_ref, w_ref)


@jit
def even_nodes(scale, x_ref, w_ref):
    """Nodes and weights for E_u f(u) with f even and varying on the scale `scale` near 0.

    Panels [0, min(20 scale, L)] and [min(20 scale, L), L], weights doubled for the mirror half.
    """
    c = min(20.0 * scale, L)
    n = x_ref.size
    u = np.empty(2 * n)
    w = np.empty(2 * n)
    panel_log_nodes(0.0, c, x_ref, w_ref, u, w, 0)
    panel_log_nodes(c, L, x_ref, w_ref, u, w, n)
    return u, 2.0 * np.exp(w)


@jit
def tilted_peak(a, b, eps, m):
    """Maximiser z* and width 1/sqrt(-psi''(z*)) of psi(z) = -z^2/2 + m ln Phi((a + b z)/eps), b > 0.

    psi'' = -1 - m (b/eps)^2 R(t)(t + R(t)) <= -1: psi is strongly concave, so the tilted density
    e^psi has Gaussian tails around z* and its mass lies in z* +- L.  psi'(z) = -z + m (b/eps) R(t)
    is positive for z <= 0, so z* > 0: bracket by doubling, then Newton safeguarded by bisection.
    """
    c = m * b / eps
    lo = 0.0
    hi = 1.0
    while -hi + c * mills((a + b * hi) / eps) > 0.0:
        lo = hi
        hi *= 2.0
    z = 0.5 * (lo + hi)
    d2 = -1.0
    for _ in range(200):
        t = (a + b * z) / eps
        r = mills(t)
        d1 = -z + c * r
        d2 = -1.0 - c * (b / eps) * r * (t + r)
        if d1 > 0.0:
            lo = z
        else:
            hi = z
        step = z - d1 / d2
        z = step if lo < step < hi else 0.5 * (lo + hi)
        if abs(d1) <= 1e-13 * (1.0 + abs(z)) or hi - lo <= 1e-14 * (1.0 + abs(z)):
            break
    return z, 1.0 / math.sqrt(-d2)


@jit
def tilted_log_nodes(a, b, eps, m, x_ref, w_ref):
    """Nodes z and log-weights of the tilted measure Phi((a + b z)/eps)^m Dz, b > 0, m > 0.

    Panels sit at the peak z* of the log-concave integrand, at z* + (0, +-0.5, +-2, +-5, +-12)
    times its width (at most 1), at the kink -a/b and -+ 8 eps/b around it (the step of Phi^m),
    and end at z* +- L, so the mass is resolved for any m: large m makes the peak narrow,
    q1 -> q0 (small b) moves it far out, q1 -> 1 (small eps) sharpens the step.
    """
    zp, sig = tilted_peak(a, b, eps, m)
    w = min(sig, 1.0)
    zs, step = -a / b, 8.0 * eps / b
    cuts = clamped_sorted(np.array([zp - L, zp - 12.0 * w, zp - 5.0 * w, zp - 2.0 * w, zp - 0.5 * w, zp,
                                    zp + 0.5 * w, zp + 2.0 * w, zp + 5.0 * w, zp + 12.0 * w, zp + L,
                                    zs - step, zs, zs + step]), zp - L, zp + L)
    z, lw = split_log_nodes(cuts, x_ref, w_ref)
    for i in range(z.size):
        lw[i] += m * log_ndtr((a + b * z[i]) / eps)
    return z, lw


@jit
def log_sum_exp(lw):
    """ln sum_i exp(lw_i), stable for very negative entries."""
    best = lw.max()
    return best + math.log(np.exp(lw - best).sum())


@jit
def log_tilted_mean(a, b, eps, m, x_ref, w_ref):
    """ln E_z Phi((a + b z)/eps)^m for b >= 0, eps > 0, m > 0 (1RSB inner integral)."""
    if b == 0.0:  # q0 = q1: no inner disorder left
        return m * log_ndtr(a / eps)
    return log_sum_exp(tilted_log_nodes(a, b, eps, m, x_ref, w_ref)[1])


# outer N(0, 1) averages of the Franz-Parisi terms (energetic and binary entropic)
#: fixed cuts of every outer N(0, 1) average: Gauss-Legendre panels of length <= 3 near the bulk
OUTER_CUTS = np.array([-L, -5.0, -2.0, 0.0, 2.0, 5.0, L])


@jit
def outer_nodes(kink, x_ref, w_ref):
    """Nodes and weights for E_z f(z), z ~ N(0, 1): panels at -L, -5, -2, 0, 2, 5, L and at `kink`."""
    return split_nodes(clamped_sorted(np.append(OUTER_CUTS, kink), -L, L), x_ref, w_ref)
