"""Weight priors: the entropic terms of binary and spherical weights.

The entropic terms do not know the activation (theory chapter, "kernel substitution").
Each prior gives, at an RS overlap q, the conjugate qhat, the entropic term G_S at its
saddle point and the replicon factor gamma_S whose inverse is minus the entropic replicon
eigenvalue (book: theory_capacity, the RS sections and the replicon).
"""

import math

import numpy as np

from ..errors import ConvergenceError, ParameterError, check_range
from .gaussian import even_nodes, jit, legendre


@jit
def binary_moments(qhat, x_ref, w_ref):
    """E tanh^2, E ln 2cosh, E (1 - tanh^2)^2 and d(E tanh^2)/d ln qhat at field sqrt(qhat) u."""
    sq = math.sqrt(qhat)
    u, w = even_nodes(1.0 / sq, x_ref, w_ref)
    q = 0.0
    lc = 0.0
    gam = 0.0
    dq = 0.0
    for i in range(u.size):
        h = sq * u[i]
        th = math.tanh(h)
        sech2 = 1.0 - th * th
        q += w[i] * th * th
        lc += w[i] * (abs(h) + math.log1p(math.exp(-2.0 * abs(h))))  # ln 2cosh h
        gam += w[i] * sech2 * sech2
        dq += w[i] * th * sech2 * h  # qhat d/dqhat tanh^2(sqrt(qhat) u) = tanh sech^2 h
    return q, lc, gam, dq


@jit
def binary_conjugate(q, x_ref, w_ref):
    """qhat solving q = E tanh^2(sqrt(qhat) u): Newton in ln qhat, safeguarded by bisection.

    Returns -1.0 if it did not converge (the caller raises).
    """
    lo, hi = math.log(1e-14), math.log(1e14)
    s = math.log(max(q / (1.0 - q) ** 2, 1e-12))  # exact at small q, right scaling near 1
    s = min(max(s, lo), hi)
    for _ in range(200):
        f, _, _, df = binary_moments(math.exp(s), x_ref, w_ref)
        f -= q
        if abs(f) < 1e-15:
            return math.exp(s)
        if f > 0.0:
            hi = s
        else:
            lo = s
        step = s - f / df if df > 0.0 else 0.5 * (lo + hi)
        s = step if lo < step < hi else 0.5 * (lo + hi)
        if hi - lo < 1e-15:
            return math.exp(s)
    return -1.0


class Spherical:
    """sum_i W_i^2 = N/K per branch: G_S = ln(1-q)/2 + q/(2(1-q)), qhat = q/(1-q)^2."""

    name = "spherical"
    q_max = 1.0

    def rs_terms(self, q, quad_order):
        """(qhat, G_S, gamma_S) at the RS overlap q (theory_capacity: spherical weights, RS; the replicon)."""
        return q / (1.0 - q) ** 2, 0.5 * math.log1p(-q) + 0.5 * q / (1.0 - q), (1.0 - q) ** 2

    @staticmethod
    def rsb_entropy(q0, q1, m):
        """1RSB entropic term (theory_capacity: one step of RSB), lambda = 1 - q1 + m (q1 - q0)."""
        lam = 1.0 - q1 + m * (q1 - q0)
        return 0.5 * ((1.0 - 1.0 / m) * math.log1p(-q1) + math.log(lam) / m + q0 / lam)

    @staticmethod
    def frozen_entropy(x, q0):
        """S(x, q0) of the 1RSB capacity limit: delta * G_S as delta = 1 - q1 -> 0 (eq. T23)."""
        c = 1.0 + x * (1.0 - q0)
        return 0.5 * (math.log(c) / x + q0 / c)

    @staticmethod
    def krsb_entropy(qs, rs):
        """S of the k-step capacity limit q_k -> 1, m_i = r_i (1 - q_k) (eq. T30):

        S = (1/2) [sum_i ln(L_{i-1}/L_i) / r_i + q_0 / L_0],  L_k = 1,  L_{i-1} = L_i + r_i (q_i - q_{i-1}),
        with qs = (q_0, ..., q_{k-1}), q_k = 1 and rs = (r_1, ..., r_k); k = 1 is frozen_entropy.
        """
        upper = 1.0
        lam = 1.0
        s = 0.0
        for q, r in zip(reversed(qs), reversed(rs)):
            step = r * (upper - q)
            s += math.log1p(step / lam) / r
            lam += step
            upper = q
        return 0.5 * (s + qs[0] / lam)

    @staticmethod
    def parisi_entropy(qs, ms):
        """Crisanti-Sommers entropic term of a step Parisi function x(q) = m_i on (q_{i-1}, q_i) (eq. T26):

        G_S = (1/2) [ln(1 - q_k) + q_0 / lambda_0 + sum_i ln(lambda_{i-1}/lambda_i) / m_i],
        lambda_k = 1 - q_k, lambda_{i-1} = lambda_i + m_i (q_i - q_{i-1}); qs = (q_0, ..., q_k),
        ms = (m_1, ..., m_k).  One step is rsb_entropy; no step (qs = (q,), ms = ()) is RS.
        """
        lam = 1.0 - qs[-1]
        s = math.log(lam)
        for i in range(len(ms) - 1, -1, -1):
            step = ms[i] * (qs[i + 1] - qs[i])
            s += math.log1p(step / lam) / ms[i]
            lam += step
        return 0.5 * (s + qs[0] / lam)

    @staticmethod
    def local_entropy_alpha0(q1):
        """The alpha = 0 local entropy ln(1 - q1)/2 (theory_large_deviations)."""
        return 0.5 * math.log1p(-q1)

    @staticmethod
    def fp_entropy_alpha0(d):
        """F_FP at alpha = 0: (1/2) ln(1 - S^2), S = 1 - 2d, for an array d (theory_franz_parisi)."""
        S = 1.0 - 2.0 * d
        return 0.5 * np.log1p(-S * S)


class Binary:
    """W_i = +-1: G_S = -qhat (1-q)/2 + E ln 2cosh(sqrt(qhat) u), q = E tanh^2 (theory_capacity: binary weights, RS)."""

    name = "binary"
    #: with finite quadrature the inversion q -> qhat saturates beyond this (theory_capacity: numerics)
    q_max = 1.0 - 1e-6

    def rs_terms(self, q, quad_order):
        check_range("q", q, 0.0, self.q_max, low_open=True)
        x_ref, w_ref = legendre(quad_order)
        qhat = binary_conjugate(q, x_ref, w_ref)
        if not qhat > 0.0:
            raise ConvergenceError(f"binary prior: no qhat found for q = {q!r}")
        _, lc, gam, _ = binary_moments(qhat, x_ref, w_ref)
        return qhat, -0.5 * qhat * (1.0 - q) + lc, gam

    @staticmethod
    def local_entropy_alpha0(q1):
        """The alpha = 0 local entropy H2((1 - sqrt q1)/2) in nats: y replicas at mutual overlap q1
        (theory_large_deviations)."""
        p = 0.5 * (1.0 - math.sqrt(q1))
        return -(p * math.log(p) + (1.0 - p) * math.log1p(-p)) if p > 0.0 else 0.0

    @staticmethod
    def fp_entropy_alpha0(d):
        """F_FP at alpha = 0: H2(d) in nats, for an array d (theory_franz_parisi)."""
        return -d * np.log(d) - (1.0 - d) * np.log1p(-d)


PRIORS = {"binary": Binary(), "spherical": Spherical()}


def get_prior(weights):
    """The prior for weights in {'binary', 'spherical'}."""
    if not isinstance(weights, str) or weights not in PRIORS:
        raise ParameterError(
            f"weights must be one of binary, spherical (got {weights!r})")
    return PRIORS[weights]
