"""Stability densities and moments over the perceptron channel (theory_stabilities).

Typical RS solution, a replica of the large-deviation measure at finite y and as y -> infinity, and
a reference built from a group: Gaussian averages over the measure tilted by Phi(t)^y, t = (m - k)/eps,
vectorised over the lambda grid.  The inner integral of a density is done after completing the square
in z1, so that it is again a tilted Gaussian average whose nodes follow the peak for every lambda.
"""

import math

import numpy as np

from ..gaussian import (L, clamped_sorted, jit, log_normal, log_ndtr, log_sum_exp, log_tilted_mean, mills,
                        split_log_nodes, split_nodes, tilted_log_nodes, tilted_peak)
from .local_entropy import envelope_cuts, x_star


@jit
def group_outer_nodes(s0, b, eps, y, margin, x_ref, w_ref):
    """Fixed nodes/weights (incl. phi) of the outer z0 average of a group integrand.

    Panels as in tilted_output (envelope_cuts with Gamma = y b^2: the group integrand
    changes on the scale eps right of the kink a = sqrt(k0) z0 - k = 0 and (y b^2 + eps^2)/eps left of
    it), plus cuts at 0, +-1.5, +-3, +-6 so that no panel is wider than the Gaussian bulk needs.
    """
    cuts = np.array([-L, -6.0, -3.0, -1.5, 0.0, 1.5, 3.0, 6.0, L])
    if s0 > 0.0:  # (kappa0 = 0: the integrand does not depend on z0)
        cuts = np.concatenate((envelope_cuts(s0, eps, y * b * b, margin), cuts))
    return split_nodes(clamped_sorted(cuts, -L, L), x_ref, w_ref)


@jit
def typical_density_kernel(lam, kap, margin, x_ref, w_ref):
    """P(lambda) of the typical RS solution on an array of lambda (normalised units).

    phi(z) N(lambda; s z, e^2) = phi(lambda) N(z; s lambda, e^2) (s = sqrt(kap), e = sqrt(1 - kap)), so
    for each lambda the z panels sit at s lambda (width e), at the kink z = k/s of 1/Phi (scale e/s)
    and on its left, where phi(z)/Phi decays on the scale 1.
    """
    if kap == 0.0:  # q = 0: the standard Gaussian truncated to lambda > k
        return np.where(lam >= margin, np.exp(-0.5 * lam * lam - log_ndtr(-margin)) / math.sqrt(2.0 * math.pi), 0.0)
    s = math.sqrt(kap)
    e = math.sqrt(1.0 - kap)
    zk = margin / s
    ks = 8.0 * e / s
    out = np.zeros(lam.size)
    for j in range(lam.size):
        x = lam[j]
        if x < margin:
            continue
        zp = s * x
        cuts = clamped_sorted(np.array([-L, zk - 6.0, zk - 3.0, zk - 1.5, zk - 0.5, zk - ks, zk - 0.2 * ks, zk,
                                        zk + 0.2 * ks, zk + ks, zp - 12.0 * e, zp - 5.0 * e, zp - 2.0 * e, zp - 0.5 * e,
                                        zp, zp + 0.5 * e, zp + 2.0 * e, zp + 5.0 * e, zp + 12.0 * e, L]), -L, L)
        z, lw = split_log_nodes(cuts, x_ref, w_ref)
        acc = 0.0
        for i in range(z.size):
            if lw[i] == -np.inf:
                continue
            acc += math.exp(lw[i] + log_normal(x, s * z[i], e * e) - log_ndtr((s * z[i] - margin) / e))
        out[j] = acc
    return out


@jit
def group_log_norms(zo, s0, b, eps, y, margin, x_ref, w_ref):
    """ln E_z1 Phi((sqrt(k0) z0 - k + b z1)/eps)^y at each outer node z0."""
    out = np.empty(zo.size)
    for i in range(zo.size):
        a = s0 * zo[i] - margin
        out[i] = log_tilted_mean(a, b, eps, y, x_ref, w_ref) if b > 0.0 else y * log_ndtr(a / eps)
    return out


@jit
def group_density_kernel(t, A, B, D, power, truncate, s0, b, eps, margin, zo, wo, log_norm, x_ref, w_ref):
    """E_z0 [int Dz1 Phi(tau)^power N(t; A z0 + B z1, D^2)] / [int Dz1 Phi(tau)^y], tau = (s0 z0 + b z1 - k)/eps.

    The replica (A = s0, B = b, D = eps, power = y - 1, truncate: t >= k) and the exact reference
    (power = y).  Completing the square, Dz1 N(t; A z0 + B z1, D^2) = N(t; A z0, B^2 + D^2) Du with
    z1 = c + sigma u, c = B (t - A z0)/(B^2 + D^2), sigma = D/sqrt(B^2 + D^2): the inner integral is the
    tilted mean ln E_u Phi((a + b c + b sigma u)/eps)^power, whose nodes follow its peak for every t.
    zo, wo, log_norm: outer nodes (weights incl. phi) and the denominators (group_log_norms).
    """
    v = B * B + D * D
    sig = D / math.sqrt(v)
    out = np.zeros(t.size)
    for j in range(t.size):
        x = t[j]
        if truncate and x < margin:
            continue
        acc = 0.0
        for i in range(zo.size):
            if wo[i] == 0.0:
                continue
            a = s0 * zo[i] - margin
            d = x - A * zo[i]
            num = 0.0
            if power > 0.0:
                a_shift = a + b * B * d / v
                if b * sig > 0.0:
                    num = log_tilted_mean(a_shift, b * sig, eps, power, x_ref, w_ref)
                else:
                    num = power * log_ndtr(a_shift / eps)
            acc += wo[i] * math.exp(log_normal(x, A * zo[i], v) + num - log_norm[i])
        out[j] = acc
    return out


@jit
def group_moments_kernel(s0, b, eps, y, margin, A, B, C, D2, mode, x_ref, w_ref):
    """Exact first two moments over the tilted group measure E_z0 <.>_{Phi^y Dz1}.

    mode 0 (replica): the own field given (z0, z1) is m + eps xi truncated to > k:
        <u> = m + eps R(t), <u^2> = m^2 + eps^2 + eps R(t) (m + k).
    mode 1 (reference): v = A z0 + B z1 + C xi_bar + D zeta, E[xi_bar | z0, z1] = R(t),
        Var[xi_bar | z0, z1] = (1 - R(t)(t + R(t)))/y (exact: the y noises are independent given m).
    Returns (E, E^2).
    """
    zo, wo = group_outer_nodes(s0, b, eps, y, margin, x_ref, w_ref)
    m1 = 0.0
    m2 = 0.0
    for io in range(zo.size):
        if wo[io] == 0.0:
            continue
        a = s0 * zo[io] - margin
        if b > 0.0:
            z, lw = tilted_log_nodes(a, b, eps, y, x_ref, w_ref)
            ln = log_sum_exp(lw)
        else:
            z = np.zeros(1)
            lw = np.zeros(1)
            ln = 0.0
        e1 = 0.0
        e2 = 0.0
        for i in range(z.size):
            p = math.exp(lw[i] - ln)
            if p == 0.0:
                continue
            tt = (a + b * z[i]) / eps
            r = mills(tt)
            m = s0 * zo[io] + b * z[i]
            if mode == 0:
                e1 += p * (m + eps * r)
                e2 += p * (m * m + eps * eps + eps * r * (m + margin))
            else:
                mu = A * zo[io] + B * z[i] + C * r
                e1 += p * mu
                e2 += p * (mu * mu + C * C * (1.0 - r * (tt + r)) / y + D2)
        m1 += wo[io] * e1
        m2 += wo[io] * e2
    return m1, m2


@jit
def reference_mixture(s0, b, eps, y, margin, A, B, C, D2, x_ref, w_ref, drop):
    """Components (log-weight, mean, variance) of the regression/CLT reference density.

    v | (z0, z1) ~ N(A z0 + B z1 + C R(t), C^2 (1 - R(t)(t + R(t)))/y + D^2), (z0, z1) on the outer
    nodes times the tilted inner nodes; components below exp(-drop) of their group's largest are dropped.
    """
    zo, wo = group_outer_nodes(s0, b, eps, y, margin, x_ref, w_ref)
    n_in = 14 * x_ref.size
    lw_all = np.full(zo.size * n_in, -np.inf)
    mu_all = np.zeros(zo.size * n_in)
    var_all = np.ones(zo.size * n_in)
    k = 0
    for io in range(zo.size):
        if wo[io] == 0.0:
            continue
        a = s0 * zo[io] - margin
        z, lw = tilted_log_nodes(a, b, eps, y, x_ref, w_ref)
        ln = log_sum_exp(lw)
        best = lw.max()
        for i in range(z.size):
            if lw[i] < best - drop:
                continue
            tt = (a + b * z[i]) / eps
            r = mills(tt)
            lw_all[k] = math.log(wo[io]) + lw[i] - ln
            mu_all[k] = A * zo[io] + B * z[i] + C * r
            var_all[k] = C * C * (1.0 - r * (tt + r)) / y + D2
            k += 1
    return lw_all[:k], mu_all[:k], var_all[:k]


@jit
def limit_density_kernel(lam, kap1, gam, margin, x_ref, w_ref):
    """y -> infinity replica density E_z N(lambda - k; x*, eps^2)/Phi(x*/eps), x* = x_star(sqrt(k1) z - k, Gamma, eps).

    x* increases with x0 and its inverse is explicit, x0 = x - Gamma R(x/eps)/eps: for each lambda the
    z panels sit where x* = lambda - k, with the width eps (dx0/dx)/sqrt(k1), dx0/dx = 1 + Gamma R (t + R)/eps^2,
    plus the panels of energetic_envelope (envelope_cuts).
    """
    s1 = math.sqrt(kap1)
    eps = math.sqrt(1.0 - kap1)
    envelope = envelope_cuts(s1, eps, gam, margin)
    out = np.zeros(lam.size)
    for j in range(lam.size):
        x = lam[j] - margin
        if x < 0.0:
            continue
        tt = x / eps
        r = mills(tt)
        zl = (x - gam * r / eps + margin) / s1
        wz = eps * (1.0 + gam * r * (tt + r) / (eps * eps)) / s1
        peak = np.array([zl - 12.0 * wz, zl - 5.0 * wz, zl - 2.0 * wz, zl - 0.5 * wz, zl, zl + 0.5 * wz,
                         zl + 2.0 * wz, zl + 5.0 * wz, zl + 12.0 * wz])
        z, lw = split_log_nodes(clamped_sorted(np.concatenate((envelope, peak)), -L, L), x_ref, w_ref)
        acc = 0.0
        for i in range(z.size):
            if lw[i] == -np.inf:
                continue
            xs = x_star(s1 * z[i] - margin, gam, eps)
            acc += math.exp(lw[i] + log_normal(x, xs, eps * eps) - log_ndtr(xs / eps))
        out[j] = acc
    return out


@jit
def limit_moments_kernel(kap1, gam, margin, x_ref, w_ref):
    """(E lambda, E lambda^2) of the y -> infinity replica: E_z of the truncated-Gaussian moments at x*."""
    s1 = math.sqrt(kap1)
    eps = math.sqrt(1.0 - kap1)
    cuts = np.concatenate((envelope_cuts(s1, eps, gam, margin), np.array([-6.0, -3.0, 0.0, 3.0, 6.0])))
    z, w = split_nodes(clamped_sorted(cuts, -L, L), x_ref, w_ref)
    m1 = 0.0
    m2 = 0.0
    for i in range(z.size):
        if w[i] == 0.0:
            continue
        xs = x_star(s1 * z[i] - margin, gam, eps)
        r = mills(xs / eps)
        m = xs + margin
        m1 += w[i] * (m + eps * r)
        m2 += w[i] * (m * m + eps * eps + eps * r * (m + margin))
    return m1, m2


@jit
def tilted_peaks(a, b, eps, y):
    """The peak z* of Phi((a_i + b z)/eps)^y Dz for each a_i (gaussian.tilted_peak)."""
    out = np.empty(a.size)
    for i in range(a.size):
        out[i] = tilted_peak(a[i], b, eps, y)[0]
    return out


def group_outer(s0, b, eps, y, margin, x_ref, w_ref):
    """The outer z0 nodes and weights of a group density (group_outer_nodes, empty panels dropped) and its
    denominators ln E_z1 Phi(t)^y at each node (group_log_norms): the arguments zo, wo, log_norm of
    group_density_kernel."""
    zo, wo = group_outer_nodes(s0, b, eps, y, margin, x_ref, w_ref)
    keep = wo > 0.0
    zo, wo = np.ascontiguousarray(zo[keep]), np.ascontiguousarray(wo[keep])
    return zo, wo, group_log_norms(zo, s0, b, eps, y, margin, x_ref, w_ref)
