"""Spherical weights sum_i W_i^2 = N/K per branch: every entropic term the theory uses, in closed form."""

import math

import numpy as np

from ...errors import ParameterError
from ...roots import increasing_root
from .base import Prior

#: finite y: q0 = q1 (1 - e^-w) is searched for w in [W_MIN, W_MAX], i.e. q0/q1 in [1e-14, 1 - 2e-12]
W_MIN, W_MAX = 1e-14, 27.0


class Spherical(Prior):
    """sum_i W_i^2 = N/K per branch: G_S = ln(1-q)/2 + q/(2(1-q)), qhat = q/(1-q)^2."""

    name = "spherical"
    q_max = 1.0
    discrete = False
    rsb_capacity = True
    rs_entropy_alpha0 = 0.0
    fp_exact_start = ()
    alpha_star_range = (0.02, 3.0)
    alpha_star_guess = 1.2

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

    # --- y -> infinity local entropy
    @staticmethod
    def local_entropy_alpha0(q1):
        """The alpha = 0 local entropy ln(1 - q1)/2 (theory_large_deviations)."""
        return 0.5 * math.log1p(-q1)

    @staticmethod
    def local_entropy_alpha0_slope(q1):
        """d/dq1 of ln(1 - q1)/2."""
        return -0.5 / (1.0 - q1)

    @staticmethod
    def envelope_gamma_hat_alpha0(q1):
        """No gamma_hat: the spherical envelope needs no conjugate."""
        return None

    def check_envelope_form(self, stein):
        """Only the direct form exists (stein=True is a binary pitfall)."""
        if stein:
            raise ParameterError("stein=True applies to binary weights only")

    @staticmethod
    def envelope_entropic(q1, qhat, gamma_hat, gamma_q, nodes):
        """ln(1 - q1)/2 + q1/(2 (1 - q1 + Gamma_q)) (qhat, gamma_hat ignored)."""
        return 0.5 * math.log1p(-q1) + 0.5 * q1 / (1.0 - q1 + gamma_q)

    @staticmethod
    def envelope_equation(q1, qhat, one, gh_guess, nodes, stein=False):
        """(residual ln(q1/one^2) - ln qhat, None, entropic), one = 1 - q1 + Gamma_q."""
        return math.log(q1 / one**2) - math.log(qhat), None, 0.5 * math.log1p(-q1) + 0.5 * q1 / one

    @staticmethod
    def envelope_entropic_slope(q1, qhat, gamma_hat, gamma_q):
        """Explicit d/dq1 of the entropic part at fixed Gamma_q."""
        one = 1.0 - q1 + gamma_q
        return -0.5 / (1.0 - q1) + 0.5 * (1.0 + gamma_q) / one**2

    # --- finite y
    def ld_entropic(self, q0, q1, qhat0, qhat1, y, psi):
        """y * rsb_entropy(q0, q1, y): [(y-1) ln(1-q1) + ln D + y q0/D]/2, D = 1 - q1 + y (q1 - q0)."""
        return y * self.rsb_entropy(q0, q1, y)

    def finite_y_alpha0(self, q1, y, quad_order):
        """F_LD(alpha = 0)/y = [(y-1) ln(1-q1) + ln(1 + (y-1) q1)]/(2y) (quad_order unused)."""
        return y * self.rsb_entropy(0.0, q1, y) / y

    @staticmethod
    def ld_residual(problem, q0):
        """Residual ln(q0/D^2) - ln(alpha kappa'(q0) E<g>^2); sets problem.last = (q0, qhat0, None, None)."""
        d = 1.0 - problem.q1 + problem.y * (problem.q1 - q0)
        problem.last = (q0, q0 / d**2, None, None)
        return math.log(q0 / d**2) - math.log(problem.energetic_rhs(q0))

    def ld_solve(self, problem, start, what):
        """Solve the finite-y saddle point in w, q0 = q1 (1 - e^-w) (start: an LDPoint or None); leaves
        problem.last set.  The substitution makes the approach to q1 resolvable; the residual increases with q0."""
        q1 = problem.q1

        def f(w):
            return self.ld_residual(problem, q1 * -math.expm1(-w))

        w0, step = (-math.log1p(-start.q0 / q1), 0.05) if start is not None and 0.0 < start.q0 < q1 else (1.0, 1.0)
        root = increasing_root(f, w0, step, W_MIN, W_MAX, what)
        f(root)

    # --- Franz-Parisi
    @staticmethod
    def fp_entropy_alpha0(d):
        """F_FP at alpha = 0: (1/2) ln(1 - S^2), S = 1 - 2d, for an array d (theory_franz_parisi)."""
        S = 1.0 - 2.0 * d
        return 0.5 * np.log1p(-S * S)

    @staticmethod
    def fp_c(q, S, t):
        """c of the entropic term (theory_franz_parisi: entropic terms); c = S^2 - t^2 at q~ = 0."""
        return (S * S - t * t - q * (S - t) ** 2 / (1.0 - q)) / (1.0 - q)

    def fp_entropic(self, ref, S, x, t, p, one_minus_p, that, phat, nodes):
        """Residuals (t - q~ S - (1-p)(1-q~)^2 t^, p - c - (1-p)^2 p^) and G_S = [ln(1-p) + (p - c)/(1-p)]/2."""
        q = ref.q
        c = self.fp_c(q, S, t)
        return {"res": np.array([t - q * S - one_minus_p * (1.0 - q) ** 2 * that,
                                 p - c - one_minus_p ** 2 * phat]),
                "columns": (), "shat": 0.0, "g_s": 0.5 * (math.log(one_minus_p) + (p - c) / one_minus_p)}

    @staticmethod
    def fp_first_start(saddle, x):
        """x = [t, w]: no further unknown."""
        return x

    # --- stabilities
    @staticmethod
    def majority_overlaps(point, quad_order):
        """No majority vote for continuous weights."""
        raise ParameterError("the majority reference needs binary weights (use reference='barycenter')")
