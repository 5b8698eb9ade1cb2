"""Gaussian averages: log Phi, the Mills ratio and kink-split Gauss-Legendre quadrature.

All energetic terms are averages over standard Gaussians of functions with a kink (the
label step smoothed on a scale sqrt(1 - kappa)); plain Gauss-Hermite converges badly there,
so every average splits [-L, L] into two Gauss-Legendre panels at the kink (theory chapter,
"Numerics").

`jit` is the single numba decorator of the package: `cache=True` stores the machine code on
disk, and `error_model="numpy"` makes 1/0 give inf instead of raising inside kernels (solvers
check their inputs before calling them).  Numba does not invalidate a cached caller when a
helper in another file changes, so unless NUMBA_CACHE_DIR is set the cache goes to a folder
named by the package's source hash (as the result cache does): any edit starts afresh.
"""

import math
import os
from functools import lru_cache

import numpy as np
from numba import config, njit

from .cache import cache_root, source_hash
from .errors import ParameterError

if not os.environ.get("NUMBA_CACHE_DIR"):
    config.CACHE_DIR = str(cache_root() / "numba" / source_hash())

jit = njit(cache=True, error_model="numpy", fastmath=False)

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
def panel_log_nodes(lo, hi, x_ref, w_ref, out_z, out_lw, offset):
    """Map reference nodes to [lo, hi]; log-weights include the Gaussian density phi(z)."""
    half = 0.5 * (hi - lo)
    for i in range(x_ref.size):
        z = lo + half * (x_ref[i] + 1.0)
        out_z[offset + i] = z
        out_lw[offset + i] = math.log(half * w_ref[i]) - 0.5 * z * z - LOG_SQRT_2PI


@jit
def gauss_nodes(cut, x_ref, w_ref):
    """Nodes and weights for E_z f(z), z ~ N(0, 1), split at the kink `cut` (clamped to [-L, L])."""
    c = min(max(cut, -L), L)
    n = x_ref.size
    z = np.empty(2 * n)
    w = np.empty(2 * n)
    panel_log_nodes(-L, c, x_ref, w_ref, z, w, 0)
    panel_log_nodes(c, L, x_ref, w_ref, z, w, n)
    return z, np.exp(w)


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
def log_tilted_mean(a, b, eps, m, x_ref, w_ref):
    """ln E_z Phi((a + b z)/eps)^m for b >= 0, eps > 0, m > 0 (1RSB inner integral).

    The integrand has a kink at z* = -a/b.  Left of it ln Phi ~ -t^2/2 makes it a Gaussian of
    precision P = 1 + m b^2/eps^2 centred near mu = -m a b/(eps^2 P); right of it Phi^m rises to
    1 over a width eps/b, then the bare Gaussian remains.  The range [min(mu, z*) - L/sqrt(P),
    max(z*, 0) + L] is split at mu, z* -+ 8 eps/b, z*, 0 and +-L, one Gauss-Legendre panel
    per piece, so the mass is resolved wherever the outer variables put it (q1 -> q0 puts z* far
    out, q1 -> 1 makes eps/b tiny); the sum is done in log space (m can be large).
    """
    if b == 0.0:  # q0 = q1: no inner disorder left
        return m * log_ndtr(a / eps)
    zs = -a / b
    prec = 1.0 + m * b * b / (eps * eps)
    mu = -m * a * b / (eps * eps * prec)
    width = 8.0 * eps / b
    lo = min(mu, zs) - L / math.sqrt(prec)
    hi = max(zs, 0.0) + L
    cuts = np.array([lo, mu, zs - width, zs, zs + width, -L, 0.0, L, hi])
    cuts = np.sort(np.minimum(np.maximum(cuts, lo), hi))
    n = x_ref.size
    z = np.empty(8 * n)
    lw = np.empty(8 * n)
    for j in range(8):
        panel_log_nodes(cuts[j], cuts[j + 1], x_ref, w_ref, z, lw, j * n)
    best = -np.inf
    for i in range(8 * n):
        lw[i] += m * log_ndtr((a + b * z[i]) / eps)
        best = max(best, lw[i])
    s = 0.0
    for i in range(8 * n):
        s += math.exp(lw[i] - best)
    return best + math.log(s)
