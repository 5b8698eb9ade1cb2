"""Perceptron-form energetic terms, written once in terms of the effective overlap kappa.

Every function takes kernel values kappa = kappa(q) (theory chapter, "kernel substitution"),
the margin k and Gauss-Legendre reference nodes; the activation never appears here.
"""

import math

from .gaussian import gauss_nodes, jit, log_ndtr, log_tilted_mean, mills


@jit
def rs_energetic(kap, margin, x_ref, w_ref):
    """(G_E, A, B) of the RS perceptron with overlap kappa (capacity.md sec. 2).

    Z(w) = H((k - w)/sqrt(1-kappa)), w = sqrt(kappa) z, t = (sqrt(kappa) z - k)/sqrt(1-kappa):
    G_E = E ln Phi(t),  A = E R^2/(1-kappa),  B = E [R (t+R)]^2/(1-kappa)^2,  R = phi/Phi.
    """
    sk = math.sqrt(kap)
    sd = math.sqrt(1.0 - kap)
    z, w = gauss_nodes(margin / sk, x_ref, w_ref)
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

    Valid for any m > 0 (m = y > 1 is the large-deviation measure); capacity.md sec. 6.
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
def frozen_energetic(x, kap0, dkap1, margin, x_ref, w_ref):
    """E(x, q0) of the 1RSB capacity limit q1 -> 1, m = x (1 - q1) (capacity.md eq. T23).

    The energetic tilt is y = x / kappa'(1); with a = sqrt(k0) z - k, s^2 = 1 - k0, c = 1 + y s^2:
    E = (1/x) E_z ln[ H(-a/s) + exp(-y a^2/(2c)) H(a/(s sqrt c)) / sqrt(c) ].
    """
    y = x / dkap1
    s0 = math.sqrt(kap0)
    s = math.sqrt(1.0 - kap0)
    c = 1.0 + y * s * s
    z, w = gauss_nodes(margin / s0 if s0 > 0.0 else math.inf, x_ref, w_ref)
    e = 0.0
    for i in range(z.size):
        a = s0 * z[i] - margin
        l1 = log_ndtr(a / s)
        l2 = -y * a * a / (2.0 * c) - 0.5 * math.log(c) + log_ndtr(-a / (s * math.sqrt(c)))
        hi = max(l1, l2)
        e += w[i] * (hi + math.log1p(math.exp(min(l1, l2) - hi)))
    return e / x
