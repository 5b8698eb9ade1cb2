"""The energetic envelope of the y -> infinity local entropy (theory_large_deviations: the limit of many replicas).

M_E(x0) = max_x [ln Phi(x/eps) - (x - x0)^2/(2 Gamma)], x0 = sqrt(kappa(q1)) z - k, eps = sqrt(1 - kappa(q1)),
Gamma = kappa'(q1) Gamma_q; its maximiser x* and its Gaussian averages.
"""

import math

import numpy as np

from ..gaussian import L, clamped_sorted, jit, log_ndtr, mills, split_nodes


@jit
def x_star(x0, gam, eps):
    """Maximiser of ln Phi(x/eps) - (x - x0)^2/(2 gam): root of f = x - x0 - gam R(x/eps)/eps.

    f is increasing and concave (the Mills ratio R is decreasing and convex), and f <= 0 at
    max(x0, x0/(1 + gam/eps^2)) (because R(t) >= -t), so Newton from there increases monotonically
    to the root.
    """
    x = x0 if x0 >= 0.0 else x0 / (1.0 + gam / (eps * eps))
    for _ in range(200):
        t = x / eps
        r = mills(t)
        f = x - x0 - gam * r / eps
        df = 1.0 + gam * r * (t + r) / (eps * eps)
        dx = -f / df
        x += dx
        if abs(dx) <= 1e-15 * (1.0 + abs(x)):
            break
    return x


@jit
def envelope_cuts(s, eps, gam, margin):
    """Panel cuts in z of E_z f(s z - k) for f shaped like M_E: [-L, L] split at the kink z_c = k/s and
    at z_c +- a few eps/s (the scale of the step), z_c - (Gamma + eps^2)/(eps s) (end of the smooth
    quadratic left region)."""
    zc = margin / s
    right = 8.0 * eps / s
    left = min((gam + eps * eps) / eps, 3.0 * L) / s
    return np.array([-L, zc - left, zc - 0.1 * left, zc - right, zc, zc + 0.2 * right, zc + right, L])


@jit
def energetic_envelope(kap1, gam, margin, x_ref, w_ref):
    """(E M_E, E (x* - x0)^2 / Gamma^2, E (x* - x0)/Gamma) over x0 = sqrt(kap1) z - margin.

    M_E is flat (~0) for x0 >> eps and quadratic for x0 << -eps: panels at envelope_cuts.
    """
    s1 = math.sqrt(kap1)
    eps = math.sqrt(1.0 - kap1)
    z, w = split_nodes(clamped_sorted(envelope_cuts(s1, eps, gam, margin), -L, L), x_ref, w_ref)
    me = 0.0
    x2 = 0.0
    x1 = 0.0
    for i in range(z.size):
        if w[i] == 0.0:
            continue
        x0 = s1 * z[i] - margin
        xs = x_star(x0, gam, eps)
        d = xs - x0
        me += w[i] * (log_ndtr(xs / eps) - d * d / (2.0 * gam))
        x2 += w[i] * d * d
        x1 += w[i] * d
    return me, x2 / (gam * gam), x1 / gam
