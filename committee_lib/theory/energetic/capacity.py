"""The energetic terms of the capacity calculations: RS, 1RSB (any m), its q1 -> 1 limit and k steps (theory_capacity).
"""

import math

import numpy as np

from ..gaussian import L, LOG_SQRT_2PI, gauss_nodes, jit, log_ndtr, log_sum_exp, log_tilted_mean, mills, tilted_log_nodes


@jit
def rs_energetic(kap, margin, x_ref, w_ref):
    """(G_E, A, B) of the RS perceptron with overlap kappa (theory_capacity: energetic building blocks, eq. T5).

    Z(w) = H((k - w)/sqrt(1-kappa)), w = sqrt(kappa) z, t = (sqrt(kappa) z - k)/sqrt(1-kappa):
    G_E = E ln Phi(t),  A = E R^2/(1-kappa),  B = E [R (t+R)]^2/(1-kappa)^2,  R = phi/Phi.
    """
    sk = math.sqrt(kap)
    sd = math.sqrt(1.0 - kap)
    z, w = gauss_nodes(margin / sk if sk > 0.0 else math.inf, x_ref, w_ref)  # kappa = 0: no kink
    g = 0.0
    a = 0.0
    b = 0.0
    for i in range(z.size):
        t = (sk * z[i] - margin) / sd
        r = mills(t)
        g += w[i] * log_ndtr(t)
        a += w[i] * r * r
        b += w[i] * (r * (t + r)) ** 2
    return g, a / (1.0 - kap), b / (1.0 - kap) ** 2


@jit
def rsb_energetic(kap0, kap1, m, margin, x_ref, w_ref):
    """1RSB energetic term (1/m) E_z0 ln E_z1 H((k - sqrt(k0) z0 - sqrt(k1-k0) z1)/sqrt(1-k1))^m.

    Valid for any m > 0 (m = y > 1 is the large-deviation measure); theory_capacity: one step of RSB.
    """
    s0 = math.sqrt(kap0)
    b = math.sqrt(kap1 - kap0)
    eps = math.sqrt(1.0 - kap1)
    z, w = gauss_nodes(margin / s0 if s0 > 0.0 else math.inf, x_ref, w_ref)
    g = 0.0
    for i in range(z.size):
        g += w[i] * log_tilted_mean(s0 * z[i] - margin, b, eps, m, x_ref, w_ref)
    return g / m


@jit
def rsb_inner(a, b, eps, m, x_ref, w_ref):
    """ln E_z Phi(t)^m, t = (a + b z)/eps, and tilted means of the functions of f = ln Phi(t) that
    the Parisi recursion needs: (<f>, <f'>, <f''>, <f'^2>), ' = d/da (f' = R/eps, f'' = -R(t+R)/eps^2).

    The inner integral of 1RSB (b = sqrt(k1 - k0), eps = sqrt(1 - k1)) and of the top step of the
    Parisi recursion; <f> is the Parisi-parameter derivative, the others its clock derivatives.
    """
    if b == 0.0:
        t = a / eps
        r = mills(t)
        f1 = r / eps
        return m * log_ndtr(t), log_ndtr(t), f1, -r * (t + r) / (eps * eps), f1 * f1
    z, lw = tilted_log_nodes(a, b, eps, m, x_ref, w_ref)
    total = log_sum_exp(lw)
    mf = 0.0
    m1 = 0.0
    m2 = 0.0
    m11 = 0.0
    for i in range(z.size):
        p = math.exp(lw[i] - total)
        t = (a + b * z[i]) / eps
        r = mills(t)
        f1 = r / eps
        mf += p * log_ndtr(t)
        m1 += p * f1
        m2 += p * (-r * (t + r) / (eps * eps))
        m11 += p * f1 * f1
    return total, mf, m1, m2, m11


@jit
def log_jamming_step(a, s, y):
    """ln J of the last RSB step in the jamming limit, a = h - k, s^2 = 1 - kappa of the step below:

    J = E_z exp[-(y/2) (k - h - s z)^2 theta(k - h - s z)]
      = H(-a/s) + exp(-y a^2/(2c)) H(a/(s sqrt c)) / sqrt(c),   c = 1 + y s^2   (eq. T23, T31).
    """
    c = 1.0 + y * s * s
    l1 = log_ndtr(a / s)
    l2 = -y * a * a / (2.0 * c) - 0.5 * math.log(c) + log_ndtr(-a / (s * math.sqrt(c)))
    hi = max(l1, l2)
    return hi + math.log1p(math.exp(min(l1, l2) - hi))


@jit
def frozen_energetic(x, kap0, dkap1, margin, x_ref, w_ref):
    """E(x, q0) of the 1RSB capacity limit q1 -> 1, m = x (1 - q1) (theory_capacity, eq. T23).

    The energetic tilt is y = x / kappa'(1); with a = sqrt(k0) z - k, s^2 = 1 - k0:
    E = (1/x) E_z ln J(a), J the jamming step of log_jamming_step.
    """
    y = x / dkap1
    s0 = math.sqrt(kap0)
    s = math.sqrt(1.0 - kap0)
    z, w = gauss_nodes(margin / s0 if s0 > 0.0 else math.inf, x_ref, w_ref)
    e = 0.0
    for i in range(z.size):
        e += w[i] * log_jamming_step(s0 * z[i] - margin, s, y)
    return e / x


@jit
def _panel_node(j, lo, hi, x_ref, w_ref):
    """Node j of the Gauss-Legendre panel [lo, hi] and its log-weight, the density phi(z) included."""
    half = 0.5 * (hi - lo)
    z = lo + half * (x_ref[j] + 1.0)
    return z, math.log(half * w_ref[j]) - 0.5 * z * z - LOG_SQRT_2PI


@jit
def _log_sum_exp_add(best, total, v):
    """One term of a streaming log-sum-exp: the sum is best + ln(total), kept with best = the largest term."""
    if v > best:
        return v, total * math.exp(best - v) + 1.0
    return best, total + math.exp(v - best)


@jit
def _kink_cuts(h, s, margin):
    """Two Gauss-Legendre panels [-L, c], [c, L] split at the step c = (k - h)/s of the integrand."""
    c = min(max((margin - h) / s, -L), L)
    return np.array([-L, c, L])


@jit
def _log_mean_jamming(h, s, rho, s_last, y, margin, x_ref, w_ref):
    """ln E_z exp[rho ln J(h + s z - k; s_last, y)], split at the kink h + s z = k (eq. T31)."""
    if s == 0.0:
        return rho * log_jamming_step(h - margin, s_last, y)
    cuts = _kink_cuts(h, s, margin)
    best = -math.inf
    total = 0.0
    for p in range(cuts.size - 1):
        lo, hi = cuts[p], cuts[p + 1]
        if hi <= lo:
            continue
        for j in range(x_ref.size):
            z, lw = _panel_node(j, lo, hi, x_ref, w_ref)
            v = lw + rho * log_jamming_step(h + s * z - margin, s_last, y)
            best, total = _log_sum_exp_add(best, total, v)
    return best + math.log(total)


@jit
def _log_mean_level(h, s, rho, s_inner, rho_inner, s_last, y, margin, x_ref, w_ref):
    """ln E_z exp[rho psi(h + s z)], psi = _log_mean_jamming one level further in (eq. T31)."""
    if s == 0.0:
        return rho * _log_mean_jamming(h, s_inner, rho_inner, s_last, y, margin, x_ref, w_ref)
    cuts = _kink_cuts(h, s, margin)
    best = -math.inf
    total = 0.0
    for p in range(cuts.size - 1):
        lo, hi = cuts[p], cuts[p + 1]
        if hi <= lo:
            continue
        for j in range(x_ref.size):
            z, lw = _panel_node(j, lo, hi, x_ref, w_ref)
            v = lw + rho * _log_mean_jamming(h + s * z, s_inner, rho_inner, s_last, y, margin, x_ref, w_ref)
            best, total = _log_sum_exp_add(best, total, v)
    return best + math.log(total)


@jit
def krsb_energetic(kaps, rs, dkap1, margin, x_ref, w_ref):
    """E of the k-step capacity limit q_k -> 1, m_i = r_i (1 - q_k), k = 1, 2, 3 (eq. T31):

    E = (1/r_1) E_{h ~ N(0, kappa_0)} psi_0(h), with psi_{k-1}(h) = ln J(h - k; 1 - kappa_{k-1},
    r_k / kappa'(1)) and psi_i(h) = ln E_z exp[(r_{i+1}/r_{i+2}) psi_{i+1}(h + sqrt(kappa_{i+1} - kappa_i) z)];
    kaps = (kappa_0, ..., kappa_{k-1}), rs = (r_1, ..., r_k).  For k = 1 this is frozen_energetic.
    """
    k = rs.size
    s0 = math.sqrt(kaps[0])
    s_last = math.sqrt(1.0 - kaps[k - 1])
    y = rs[k - 1] / dkap1
    z, w = gauss_nodes(margin / s0 if s0 > 0.0 else math.inf, x_ref, w_ref)
    e = 0.0
    for i in range(z.size):
        h = s0 * z[i]
        if k == 1:
            psi = log_jamming_step(h - margin, s_last, y)
        elif k == 2:
            psi = _log_mean_jamming(h, math.sqrt(kaps[1] - kaps[0]), rs[0] / rs[1], s_last, y, margin, x_ref, w_ref)
        else:
            psi = _log_mean_level(h, math.sqrt(kaps[1] - kaps[0]), rs[0] / rs[1], math.sqrt(kaps[2] - kaps[1]),
                                  rs[1] / rs[2], s_last, y, margin, x_ref, w_ref)
        e += w[i] * psi
    return e / rs[0]
