"""The energetic term of the Franz-Parisi entropy (theory_franz_parisi: the energetic term).

    G_E = int Dz0 / Phi(g z0) int_{x1 > -g z0} Dx1 int Dz1 ln Phi((A z0 + B x1 + C z1)/eps)

with g = sqrt(k_q/(1-k_q)), eps = sqrt(1-k_p).  Rotating (x1, z1) -> (r, s) with B x1 + C z1 = R r,
R = sqrt(B^2 + C^2), the truncation x1 > c integrates to Phi((B r - c R)/C): a double integral (outer
z0, inner r with a skew-normal weight) whose inner panels are split at every kink.
"""

import math

import numpy as np

from ..gaussian import L, LOG_SQRT_2PI, SQRT2, jit, log_ndtr, mills, outer_nodes, panel_log_nodes

#: cuts of the inner r panels (_inner_r)
_NCUT = 17


@jit
def log_ndtr_mills(t):
    """(ln Phi(t), phi(t)/Phi(t)) from one erfc: gaussian.log_ndtr and gaussian.mills fused."""
    if t > 0.0:
        e = 0.5 * math.erfc(t / SQRT2)
        return math.log1p(-e), math.exp(-0.5 * t * t - LOG_SQRT_2PI) / (1.0 - e)
    if t > -30.0:
        ph = 0.5 * math.erfc(-t / SQRT2)
        return math.log(ph), math.exp(-0.5 * t * t - LOG_SQRT_2PI) / ph
    return log_ndtr(t), mills(t)


@jit
def _inner_r(z0, c, a, b, cc, rn, eps, x_ref, w_ref, cuts, rz, rlw):
    """Normalised E[ln Phi(m/eps)], E[g_v^2], E[g_v] over r given x1 > c, with m = a z0 + rn r.

    r = (b x1 + cc z1)/rn, rn = sqrt(b^2 + cc^2), has density phi(r) Phi((b r - c rn)/cc)/Phi(-c)
    (a step at r = c rn/b when cc = 0).  Panels: the support of that density (from the ranges
    of x1 and z1), the Gaussian cuts 0, +-2, +-5, +-L, the kink of ln Phi at rk = -a z0/rn
    (+- 8 widths eps/rn), graded cuts around the step of the weight (+- 1.5 and 6 widths
    cc/|b|) and the centre b c/rn of the weight's Gaussian left tail.
    """
    n = x_ref.size
    x_lo = max(c, -L)
    x_hi = max(c, 0.0) + L
    if b >= 0.0:
        lo = (b * x_lo - cc * L) / rn
        hi = (b * x_hi + cc * L) / rn
    else:
        lo = (b * x_hi - cc * L) / rn
        hi = (b * x_lo + cc * L) / rn
    rk = -a * z0 / rn
    wk = 8.0 * eps / rn
    cuts[0] = lo
    cuts[1] = hi
    cuts[2] = 0.0
    cuts[3] = rk
    cuts[4] = rk - wk
    cuts[5] = rk + wk
    cuts[6] = -L
    cuts[7] = L
    cuts[12] = -5.0
    cuts[13] = -2.0
    cuts[14] = 2.0
    cuts[15] = 5.0
    if b != 0.0 and cc > 0.0:
        rs = c * rn / b
        ws = cc / abs(b)
        cuts[8] = rs - 6.0 * ws
        cuts[9] = rs - 1.5 * ws
        cuts[10] = rs + 1.5 * ws
        cuts[11] = rs + 6.0 * ws
        cuts[16] = b * c / rn
    else:
        for j in range(8, 12):
            cuts[j] = lo
        cuts[16] = lo
    for j in range(_NCUT):
        cuts[j] = min(max(cuts[j], lo), hi)
    cuts.sort()
    m_used = 0
    for j in range(_NCUT - 1):
        if cuts[j + 1] > cuts[j]:
            panel_log_nodes(cuts[j], cuts[j + 1], x_ref, w_ref, rz, rlw, m_used)
            m_used += n
    best = -np.inf
    for i in range(m_used):
        if cc > 0.0:
            rlw[i] += log_ndtr((b * rz[i] - c * rn) / cc)
        best = max(best, rlw[i])
    s0 = 0.0
    sf = 0.0
    sg2 = 0.0
    sg = 0.0
    for i in range(m_used):
        w = math.exp(rlw[i] - best)
        lf, gv = log_ndtr_mills((a * z0 + rn * rz[i]) / eps)
        gv /= eps
        s0 += w
        sf += w * lf
        sg2 += w * gv * gv
        sg += w * gv
    return sf / s0, sg2 / s0, sg / s0


@jit
def fp_energetic(kq, kt, ks, c2, eps2, x_ref, w_ref):
    """(G_E, <g_v^2>, <g_v g_0>) of the Franz-Parisi energetic term.

    kq = kappa(q~) in (0, 1), kt = kappa(t), ks = kappa(S); c2 = C^2 = k_p - k_t^2/k_q
    - (k_S - k_t)^2/(1 - k_q) >= 0 and eps2 = 1 - k_p > 0 are passed separately so that
    neither loses precision near the boundaries C -> 0 (S -> q~) and k_p -> 1 (freezing).
    Outer z0 on outer_nodes; inner r on up to 16 panels split at the kinks (_inner_r).
    """
    sq = math.sqrt(kq)
    s1q = math.sqrt(1.0 - kq)
    gam = sq / s1q
    a = kt / sq
    b = (ks - kt) / s1q
    cc = math.sqrt(c2)
    eps = math.sqrt(eps2)
    rn = math.sqrt(b * b + cc * cc)
    z, w = outer_nodes(0.0, x_ref, w_ref)
    n = x_ref.size
    cuts = np.empty(_NCUT)
    rz = np.empty((_NCUT - 1) * n)
    rlw = np.empty((_NCUT - 1) * n)
    g = 0.0
    e2 = 0.0
    e0 = 0.0
    for i in range(z.size):
        z0 = z[i]
        g0 = mills(gam * z0) / s1q
        if rn <= 1e-300:  # S = t = p = q~: the constrained copy is one more reference
            f, gv = log_ndtr_mills(a * z0 / eps)
            gv /= eps
            gv2 = gv * gv
        else:
            f, gv2, gv = _inner_r(z0, -gam * z0, a, b, cc, rn, eps, x_ref, w_ref, cuts, rz, rlw)
        g += w[i] * f
        e2 += w[i] * gv2
        e0 += w[i] * g0 * gv
    return g, e2, e0

