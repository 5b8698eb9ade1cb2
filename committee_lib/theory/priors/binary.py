"""Binary weights W_i = +-1: every entropic term the theory uses, and the jitted integrals behind them.

RS (theory_capacity: binary weights, RS): G_S = -qhat (1-q)/2 + E ln 2cosh(sqrt(qhat) u), q = E tanh^2.
The y -> infinity local entropy (theory_large_deviations: the limit of many replicas): the entropic
envelope M_S(h0) = max_h [ln 2cosh h - (h - h0)^2/(2 gamma_hat)] and its conjugate gamma_hat.
Finite y (theory_large_deviations, the measure as one-step RSB): the group measure
C(y,k) exp(M sqrt(qhat0) z0 + (qhat1 - qhat0) M^2/2), M = 2k - y, and its coupling.
Franz-Parisi (theory_franz_parisi: entropic terms): the double integral over the reference's field
z0 and the constrained replicas' field z1.  Stabilities (theory_stabilities): the majority vote of a
group.  The theory modules call these through the Binary prior's methods.
"""

import math

import numpy as np

from ...errors import ConvergenceError, ParameterError, check_range
from ..gaussian import L, OUTER_CUTS, SQRT2, clamped_sorted, even_nodes, jit, legendre, outer_nodes, panel_log_nodes, split_nodes
from ...roots import increasing_root
from .base import Prior

#: qhat0 at which the stability of the saddle point q0 = 0 is probed (ld_symmetric)
SYMMETRIC_PROBE = 1e-8


# ----------------------------------------------------------------------------- RS
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

    Returns NaN if it did not converge (the caller raises ConvergenceError).
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
    return math.nan


# ----------------------------------------------------------------------------- y -> infinity: the entropic envelope
@jit
def h_star(h0, gh):
    """Maximiser of ln 2cosh h - (h - h0)^2/(2 gh) for h0 >= 0 (the one with h* >= 0).

    f = h - h0 - gh tanh h is convex on h >= 0 and positive at h0 + gh, so Newton from there
    decreases monotonically to the largest root, which is the global maximum (for gh > 1 and
    h0 -> 0+ it tends to the positive symmetric maximum: the jump of the pitfall).
    """
    h = h0 + gh
    for _ in range(400):
        th = math.tanh(h)
        f = h - h0 - gh * th
        df = 1.0 - gh * (1.0 - th * th)
        if df <= 0.0:
            break
        dh = f / df
        h -= dh
        if abs(dh) <= 1e-15 * (1.0 + h):
            break
    return h


@jit
def _log2cosh(h):
    a = abs(h)
    return a + math.log1p(math.exp(-2.0 * a))


@jit
def entropic_envelope(qhat, gh, x_ref, w_ref):
    """Binary envelope averages over h0 = sqrt(qhat) z, using t(-h0) = -t(h0) (z >= 0, doubled).

    Returns (E t^2, E[z t], E M_S, d E t^2 / d gh, E[(1-t^2)/(1-gh(1-t^2))] (Stein form, no delta
    term), t_+ = t(h0 -> 0+)).
    """
    sq = math.sqrt(qhat)
    scale = min(1.0 / sq, L)
    cuts = clamped_sorted(np.array([0.0, 0.01 * scale, 0.1 * scale, 0.5 * scale, 2.0 * scale, L]), 0.0, L)
    z, w = split_nodes(cuts, x_ref, w_ref)
    t2 = 0.0
    zt = 0.0
    ms = 0.0
    dt2 = 0.0
    stein = 0.0
    for i in range(z.size):
        if w[i] == 0.0:
            continue
        h0 = sq * z[i]
        hs = h_star(h0, gh)
        t = math.tanh(hs)
        s = 1.0 - t * t
        den = 1.0 - gh * s
        t2 += w[i] * t * t
        zt += w[i] * z[i] * t
        ms += w[i] * (_log2cosh(hs) - (hs - h0) ** 2 / (2.0 * gh))
        dt2 += w[i] * 2.0 * t * t * s / den
        stein += w[i] * s / den
    t_plus = math.tanh(h_star(0.0, gh)) if gh > 1.0 else 0.0
    return 2.0 * t2, 2.0 * zt, 2.0 * ms, 2.0 * dt2, 2.0 * stein, t_plus


@jit
def solve_gamma_hat(qhat, q1, guess, x_ref, w_ref):
    """gamma_hat > 0 with E tanh^2 h*(sqrt(qhat) z; gamma_hat) = q1 (increasing in gamma_hat).

    Newton in ln gamma_hat safeguarded by bisection; NaN if q1 is not reachable (q1 <= the RS
    value E tanh^2(sqrt(qhat) z), reached only as gamma_hat -> 0) or on non-convergence.
    """
    lo, hi = math.log(1e-12), math.log(1e9)
    f_lo = entropic_envelope(qhat, math.exp(lo), x_ref, w_ref)[0] - q1
    if f_lo >= 0.0:
        return math.nan
    u = math.log(guess) if guess > 0.0 else 0.0
    u = min(max(u, lo + 1e-3), hi - 1e-3)
    for _ in range(200):
        gh = math.exp(u)
        t2, _, _, dt2, _, _ = entropic_envelope(qhat, gh, x_ref, w_ref)
        f = t2 - q1
        if abs(f) <= 1e-14:
            return gh
        if f > 0.0:
            hi = u
        else:
            lo = u
        step = u - f / (gh * dt2) if dt2 > 0.0 else 0.5 * (lo + hi)
        u = step if lo < step < hi else 0.5 * (lo + hi)
        if hi - lo < 1e-14:
            return math.exp(u)
    return math.nan


# ----------------------------------------------------------------------------- finite y: the group measure
@jit
def group_nodes(s, y, x_ref, w_ref):
    """Nodes z0 >= 0, weights doubled, for even z0-averages of the binary group measure.

    Panels are split at the scales 1/(y s) (a bimodal group measure switches sign there) and 1/s.
    """
    a1, a2 = (1.0 / (y * s), 1.0 / s) if s > 0.0 else (L, L)
    cuts = clamped_sorted(np.array([0.0, 0.2 * a1, a1, 4.0 * a1, 0.3 * a2, a2, 3.0 * a2, L]), 0.0, L)
    z, w = split_nodes(cuts, x_ref, w_ref)
    return z, 2.0 * w


@jit
def binomial_log_coefficients(y):
    """ln C(y, k) for k = 0..y."""
    out = np.empty(y + 1)
    for k in range(y + 1):
        out[k] = math.lgamma(y + 1.0) - math.lgamma(k + 1.0) - math.lgamma(y - k + 1.0)
    return out


@jit
def group_probabilities(h, c, logb, p):
    """Fill p[k] = C(y,k) exp(M h + c M^2/2)/Z, M = 2k - y (the group measure); return ln Z."""
    y = logb.size - 1
    best = -np.inf
    for k in range(y + 1):
        mm = 2.0 * k - y
        p[k] = logb[k] + mm * h + 0.5 * c * mm * mm
        best = max(best, p[k])
    tot = 0.0
    for k in range(y + 1):
        p[k] = math.exp(p[k] - best)
        tot += p[k]
    p /= tot
    return best + math.log(tot)


@jit
def group_averages(s, c, y, x_ref, w_ref):
    """Averages over z0 of the binary group measure p(k) ~ C(y,k) exp(M s z0 + c M^2/2), M = 2k - y.

    Returns (E ln Z, E <M>^2, E <M^2>, E[<M^4> - <M^2>^2], E<|M|>, E[<sgn M><M>]) (sgn 0 = 0: a tie
    broken by a fair coin; the integrand is even in z0).
    """
    logb = binomial_log_coefficients(y)
    z, w = group_nodes(s, y, x_ref, w_ref)
    p = np.empty(y + 1)
    psi = 0.0
    m1sq = 0.0
    m2 = 0.0
    var2 = 0.0
    e_abs = 0.0
    e_sm = 0.0
    for i in range(z.size):
        if w[i] == 0.0:
            continue
        log_norm = group_probabilities(s * z[i], c, logb, p)
        e1 = 0.0
        e2 = 0.0
        e4 = 0.0
        ab = 0.0
        sg = 0.0
        for k in range(y + 1):
            mm = 2.0 * k - y
            e1 += p[k] * mm
            e2 += p[k] * mm * mm
            e4 += p[k] * mm ** 4
            ab += p[k] * abs(mm)
            sg += p[k] * (1.0 if mm > 0 else (-1.0 if mm < 0 else 0.0))
        psi += w[i] * log_norm
        m1sq += w[i] * e1 * e1
        m2 += w[i] * e2
        var2 += w[i] * (e4 - e2 * e2)
        e_abs += w[i] * ab
        e_sm += w[i] * sg * e1
    return psi, m1sq, m2, var2, e_abs, e_sm


@jit
def group_moments(s, c, y, x_ref, w_ref):
    """(E ln Z, E <M>^2, E <M^2>, E[<M^4> - <M^2>^2]) of the group measure (group_averages)."""
    psi, m1sq, m2, var2, _, _ = group_averages(s, c, y, x_ref, w_ref)
    return psi, m1sq, m2, var2


@jit
def solve_group_coupling(s, y, q1, guess, x_ref, w_ref):
    """c = qhat1 - qhat0 with E<M^2> = y + y (y-1) q1 (E<M^2> increases with c: dE<M^2>/dc = E var(M^2)/2).

    Bracket by doubling steps from `guess`, then Newton safeguarded by bisection.
    Returns c, or NaN if it did not converge (the caller raises ConvergenceError).
    """
    target = y + y * (y - 1.0) * q1
    c = guess
    f = group_moments(s, c, y, x_ref, w_ref)[2] - target
    step = 1.0 / y
    lo, hi = c, c
    if f < 0.0:
        while f < 0.0:
            lo = c
            c += step
            step *= 2.0
            if step > 1e6:
                return math.nan
            f = group_moments(s, c, y, x_ref, w_ref)[2] - target
        hi = c
    else:
        while f > 0.0:
            hi = c
            c -= step
            step *= 2.0
            if step > 1e6:
                return math.nan
            f = group_moments(s, c, y, x_ref, w_ref)[2] - target
        lo = c
    c = 0.5 * (lo + hi)
    for _ in range(200):
        _, _, m2, var2 = group_moments(s, c, y, x_ref, w_ref)
        f = m2 - target
        if abs(f) <= 1e-13 * target:
            return c
        if f > 0.0:
            hi = c
        else:
            lo = c
        step = c - f / (0.5 * var2) if var2 > 0.0 else 0.5 * (lo + hi)
        c = step if lo < step < hi else 0.5 * (lo + hi)
        if hi - lo <= 1e-15 * (1.0 + abs(c)):
            return c
    return math.nan


# ----------------------------------------------------------------------------- Franz-Parisi entropic term
#: graded cuts of the z1 panels, in units of 1/b from the kink h = 0 (the remainders decay as e^{-2|h|})
_H_CUTS = (0.5, 2.0, 5.0, 10.0, 18.0)


@jit
def _field_averages(mu, b, x_ref, w_ref, z1, lw1):
    """E tanh h, E tanh^2 h, E ln 2cosh h, E sech^2 h, E tanh h sech^2 h, E(1 - tanh h), h = mu + b z1.

    z1 ~ N(0, 1).  The parts that do not decay (sgn h, 1, |h|) are done in closed form; the
    remainders sgn(h)(1 - |tanh h|), sech^2 h, ln(1 + e^{-2|h|}), tanh h sech^2 h decay as
    e^{-2|h|} and jump or kink at h = 0: they are integrated on the outer panels (which
    resolve the Gaussian) further split at the kink z1* = -mu/b and graded at z1* +- c/b,
    c in _H_CUTS (all clamped to [-L, L]).
    """
    if b == 0.0:
        th = math.tanh(mu)
        e = math.exp(-2.0 * abs(mu))
        omt = 2.0 * e / (1.0 + e) if mu > 0.0 else 2.0 / (1.0 + e)
        return th, th * th, abs(mu) + math.log1p(e), (1.0 - th) * (1.0 + th), th * (1.0 - th) * (1.0 + th), omt
    n = x_ref.size
    zs = min(max(-mu / b, -L), L)
    nh = len(_H_CUTS)
    cuts = np.empty(OUTER_CUTS.size + 2 * nh + 1)
    cuts[:OUTER_CUTS.size] = OUTER_CUTS
    k = OUTER_CUTS.size
    cuts[k] = zs
    for j in range(nh):
        cuts[k + 1 + 2 * j] = zs - _H_CUTS[j] / b
        cuts[k + 2 + 2 * j] = zs + _H_CUTS[j] / b
    for j in range(cuts.size):
        cuts[j] = min(max(cuts[j], -L), L)
    cuts.sort()
    m_used = 0
    for j in range(cuts.size - 1):
        if cuts[j + 1] > cuts[j]:
            panel_log_nodes(cuts[j], cuts[j + 1], x_ref, w_ref, z1, lw1, m_used)
            m_used += n
    r1 = 0.0
    r2 = 0.0
    r3 = 0.0
    r4 = 0.0
    for i in range(m_used):
        h = mu + b * z1[i]
        e = math.exp(-2.0 * abs(h))
        w = math.exp(lw1[i])
        e1 = 2.0 * e / (1.0 + e)  # 1 - |tanh h|
        sech2 = e1 * (2.0 - e1)
        r1 += w * (e1 if h > 0.0 else -e1)
        r2 += w * sech2
        r3 += w * math.log1p(e)
        r4 += w * (1.0 - e1) * (sech2 if h > 0.0 else -sech2)
    x = mu / (b * SQRT2)
    sgn = math.erf(x)
    absh = b * math.sqrt(2.0 / math.pi) * math.exp(-x * x) + mu * sgn
    return sgn - r1, 1.0 - r2, absh + r3, r2, r4, math.erfc(x) + r1


@jit
def fp_binary_entropic(qhat, a, b, shat, x_ref, w_ref):
    """Binary entropic averages with m0 = tanh(sqrt(q^) z0), h = a z0 + b z1 + s^, weight (1 + m0).

    Returns (S, t, p, E[(1+m0) ln 2cosh h], dS/ds^, dt/ds^, dp/ds^, 1 - S, 1 - p) with
    S = <tanh h>, t = <m0 tanh h>, p = <tanh^2 h>; 1 - S and 1 - p are summed directly (no
    cancellation as d -> 0).  z0 on outer_nodes split at -s^/a; z1 by _field_averages.
    """
    sq = math.sqrt(qhat)
    n = x_ref.size
    z0, w0s = outer_nodes(-shat / a if a > 0.0 else 0.0, x_ref, w_ref)
    z1 = np.empty((OUTER_CUTS.size + 2 * len(_H_CUTS)) * n)
    lw1 = np.empty((OUTER_CUTS.size + 2 * len(_H_CUTS)) * n)
    s = 0.0
    t = 0.0
    p = 0.0
    lc = 0.0
    ds = 0.0
    dt = 0.0
    dp = 0.0
    oms = 0.0
    for i in range(z0.size):
        m0 = math.tanh(sq * z0[i])
        s1, p1, l1, d1, e1, o1 = _field_averages(a * z0[i] + shat, b, x_ref, w_ref, z1, lw1)
        wm = w0s[i] * (1.0 + m0)
        s += wm * s1
        t += wm * m0 * s1
        p += wm * p1
        lc += wm * l1
        ds += wm * d1
        dt += wm * m0 * d1
        dp += wm * 2.0 * e1
        oms += wm * o1
    return s, t, p, lc, ds, dt, dp, oms, ds


# ----------------------------------------------------------------------------- majority vote of a group (stabilities)
@jit
def majority_overlaps_kernel(s, c, y, x_ref, w_ref):
    """(E<|M|>, E[<sgn M><M>], E<M>^2, E<M^2>) of the group measure (group_averages), for the majority vote."""
    _, m1sq, m2, _, e_abs, e_sm = group_averages(s, c, y, x_ref, w_ref)
    return e_abs, e_sm, m1sq, m2


# ----------------------------------------------------------------------------- the prior
class Binary(Prior):
    """W_i = +-1: G_S = -qhat (1-q)/2 + E ln 2cosh(sqrt(qhat) u), q = E tanh^2 (theory_capacity: binary weights, RS)."""

    name = "binary"
    #: with finite quadrature the inversion q -> qhat saturates beyond this (theory_capacity: numerics)
    q_max = 1.0 - 1e-6
    discrete = True
    rsb_capacity = False
    rs_entropy_alpha0 = math.log(2.0)
    fp_exact_start = (0.0,)
    alpha_star_range = (0.02, 2.0)
    alpha_star_guess = 0.8

    # --- RS
    def rs_terms(self, q, quad_order):
        if check_range("q", q, 0.0, self.q_max) == 0.0:
            return 0.0, self.rs_entropy_alpha0, 1.0  # qhat = 0: the whole prior, gamma_S = E (1 - tanh^2)^2 = 1
        x_ref, w_ref = legendre(quad_order)
        qhat = binary_conjugate(q, x_ref, w_ref)
        if not qhat > 0.0:
            raise ConvergenceError(f"binary prior: no qhat found for q = {q!r}")
        _, lc, gam, _ = binary_moments(qhat, x_ref, w_ref)
        return qhat, -0.5 * qhat * (1.0 - q) + lc, gam

    # --- y -> infinity local entropy
    @staticmethod
    def local_entropy_alpha0(q1):
        """The alpha = 0 local entropy H2((1 - sqrt q1)/2) in nats: y replicas at mutual overlap q1
        (theory_large_deviations)."""
        p = 0.5 * (1.0 - math.sqrt(q1))
        return -(p * math.log(p) + (1.0 - p) * math.log1p(-p)) if p > 0.0 else 0.0

    @staticmethod
    def local_entropy_alpha0_slope(q1):
        """d/dq1 H2((1 - sqrt q1)/2)."""
        m = math.sqrt(q1)
        return -math.atanh(m) / (2.0 * m)

    @staticmethod
    def envelope_gamma_hat_alpha0(q1):
        """gamma_hat at alpha = 0: h* = gamma_hat tanh h* with tanh h* = sqrt(q1)."""
        m = math.sqrt(q1)
        return math.atanh(m) / m

    def check_envelope_form(self, stein):
        """Both forms of the Gamma_q equation exist (stein=True: the wrong one, for the pitfall)."""

    @staticmethod
    def envelope_entropic(q1, qhat, gamma_hat, gamma_q, nodes):
        """-qhat (1 - q1 + Gamma_q)/2 - gamma_hat q1/2 + E M_S(sqrt(qhat) z), at arbitrary order parameters."""
        qhat = check_range("qhat", qhat, 0.0, None, low_open=True)
        gamma_hat = check_range("gamma_hat", gamma_hat, 0.0, None, low_open=True)
        ms = entropic_envelope(qhat, gamma_hat, *nodes)[2]
        return -0.5 * qhat * (1.0 - q1 + gamma_q) - 0.5 * gamma_hat * q1 + ms

    @staticmethod
    def envelope_equation(q1, qhat, one, gh_guess, nodes, stein=False):
        """(residual, gamma_hat, entropic) of the Gamma_q equation, one = 1 - q1 + Gamma_q.

        gamma_hat solves the q1-equation; the residual is ln(E[z t]/sqrt(qhat)) - ln(one) (stein: the
        wrong Stein form), None where undefined; (None, None, None) when no gamma_hat > 0 exists.
        """
        gh = solve_gamma_hat(qhat, q1, gh_guess, *nodes)
        if not gh > 0.0:
            return None, None, None
        t2, zt, ms, _, stein_lhs, _ = entropic_envelope(qhat, gh, *nodes)
        lhs = stein_lhs if stein else zt / math.sqrt(qhat)
        entropic = -0.5 * qhat * one - 0.5 * gh * q1 + ms
        if not lhs > 0.0:
            return None, gh, entropic
        return math.log(lhs) - math.log(one), gh, entropic

    @staticmethod
    def envelope_entropic_slope(q1, qhat, gamma_hat, gamma_q):
        """Explicit d/dq1 of the entropic part at fixed order parameters: qhat/2 - gamma_hat/2."""
        return 0.5 * qhat - 0.5 * gamma_hat

    # --- finite y
    @staticmethod
    def ld_entropic(q0, q1, qhat0, qhat1, y, psi):
        """-y qhat1 (1 + (y-1) q1)/2 + y^2 qhat0 q0/2 + psi, psi = E_z0 ln sum_k C(y,k) e^{...} (group_moments)."""
        return -0.5 * y * qhat1 * (1.0 + (y - 1.0) * q1) + 0.5 * y * y * qhat0 * q0 + psi

    def ld_entropic_term(self, q0, q1, qhat0, qhat1, y, quad_order):
        """G_S at arbitrary (q0, q1, qhat0, qhat1) and integer y >= 1 (not extremised)."""
        qhat0 = check_range("qhat0", qhat0, 0.0, None)
        psi = group_moments(math.sqrt(qhat0), qhat1 - qhat0, y, *legendre(quad_order))[0]
        return self.ld_entropic(q0, q1, qhat0, qhat1, y, psi)

    @staticmethod
    def finite_y_alpha0(q1, y, quad_order):
        """F_LD(alpha = 0)/y: qhat0 = 0 and the group sum."""
        nodes = legendre(quad_order)
        c = solve_group_coupling(0.0, y, q1, 1.0 / y, *nodes)
        if not math.isfinite(c):
            raise ConvergenceError(f"binary alpha = 0 group coupling at q1={q1:g}, y={y}: not converged")
        psi = group_moments(0.0, c, y, *nodes)[0]
        return (-0.5 * y * c * (1.0 + (y - 1.0) * q1) + psi) / y

    @staticmethod
    def ld_residual(problem, u):
        """Residual at qhat0 = e^u: ln qhat0 - ln(alpha kappa'(q0) E<g>^2), q0 = E<M>^2/y^2; None if q0 >= q1.

        Sets problem.last = (q0, qhat0, qhat1, psi)."""
        qhat0 = math.exp(u)
        s = math.sqrt(qhat0)
        c = solve_group_coupling(s, problem.y, problem.q1, problem.c_guess, *problem.nodes)
        if not math.isfinite(c):
            raise ConvergenceError(
                f"binary group coupling at alpha={problem.alpha:g}, q1={problem.q1:g}, y={problem.y}, qhat0={qhat0:g}: not converged")
        problem.c_guess = c
        psi, m1sq, _, _ = group_moments(s, c, problem.y, *problem.nodes)
        q0 = m1sq / problem.y**2
        problem.last = (q0, qhat0, qhat0 + c, psi)
        if not 0.0 < q0 < problem.q1:
            return None
        return u - math.log(problem.energetic_rhs(q0))

    def ld_solve(self, problem, start, what):
        """Solve the finite-y saddle point in ln qhat0 (start: an LDPoint or None); leaves problem.last set."""
        y = problem.y
        problem.c_guess = 1.0 / y
        if problem.kernel.dkappa(0.0) == 0.0 and self.ld_symmetric(problem, what):  # the fully connected machine
            return
        if start is not None and start.qhat0 > 0.0:
            u0, step = math.log(start.qhat0), 0.05
            if start.qhat1 is not None:
                problem.c_guess = start.qhat1 - start.qhat0
        else:
            u0, step = math.log(0.1 / y), 1.0

        def residual(u):
            return self.ld_residual(problem, u)

        root = increasing_root(residual, u0, step, math.log(1e-14), math.log(1e8), what)
        if residual(root) is None:
            raise ConvergenceError(f"{what}: q0 left (0, q1) at the root")

    def ld_symmetric(self, problem, what):
        """Set the saddle point q0 = qhat0 = 0 of a kernel with kappa'(0) = 0 (book: fully_connected, permutation
        symmetry: groups uncorrelated with each other) and return True where it is stable, that is where ln qhat0
        exceeds ln of the energetic right-hand side just above qhat0 = 0 (at SYMMETRIC_PROBE); False otherwise
        (the load is above large_deviations.symmetric_load_limit: the root search looks for q0 > 0)."""
        residual = self.ld_residual(problem, math.log(SYMMETRIC_PROBE))
        if residual is None or residual <= 0.0:
            return False
        c = solve_group_coupling(0.0, problem.y, problem.q1, problem.c_guess, *problem.nodes)
        if not math.isfinite(c):
            raise ConvergenceError(f"{what}: the group coupling at qhat0 = 0 did not converge")
        problem.last = (0.0, 0.0, c, group_moments(0.0, c, problem.y, *problem.nodes)[0])
        return True

    # --- Franz-Parisi
    @staticmethod
    def fp_entropy_alpha0(d):
        """F_FP at alpha = 0: H2(d) in nats, for an array d (theory_franz_parisi)."""
        return -d * np.log(d) - (1.0 - d) * np.log1p(-d)

    @staticmethod
    def fp_entropic(ref, S, x, t, p, one_minus_p, that, phat, nodes):
        """Entropic residuals (relative in 1 - S and 1 - p), G_S and the exact s^ column of the Jacobian
        at x = (t, w, s^); None outside the domain."""
        shat = float(x[2])
        a = that / math.sqrt(ref.qhat) if ref.qhat > 0.0 else 0.0
        b2 = phat - a * a
        if b2 < -1e-12 * max(phat, 1.0) or not math.isfinite(shat):
            return None
        b = math.sqrt(max(b2, 0.0))
        _, t_new, _, lc, ds, dt, dp, oms, omp = fp_binary_entropic(ref.qhat, a, b, shat, *nodes)
        if not (oms > 0.0 and omp > 0.0):
            return None
        # relative residuals for 1 - S and 1 - p, which become small as d -> 0
        d_shat = np.array([-ds / oms, dt, -dp / omp])  # exact column of the Jacobian
        return {"res": np.array([math.log(oms / (1.0 - S)), t_new - t, math.log(omp / one_minus_p)]),
                "d_shat": d_shat, "columns": (d_shat,), "shat": shat,
                "g_s": -(shat + that) * S + that * t - 0.5 * phat * one_minus_p + lc}

    @staticmethod
    def fp_first_start(saddle, x):
        """x = [t, w] completed with s^ by one Newton step from s^ = 0; None outside the domain."""
        ev = saddle.evaluate(x + [0.0])
        if ev is None:
            return None
        return x + [-ev["res"][0] / ev["d_shat"][0]]

    # --- stabilities
    @staticmethod
    def majority_overlaps(point, quad_order):
        """(rho_a, rho_0) of the majority vote: E<|M|>/y and E[<sgn M><M>]/y over the group measure."""
        if point.qhat1 is None:
            raise ParameterError("the majority reference needs binary weights (use reference='barycenter')")
        e_abs, e_sm, _, _ = majority_overlaps_kernel(math.sqrt(point.qhat0), point.qhat1 - point.qhat0, int(point.y),
                                                     *legendre(quad_order))
        return e_abs / point.y, e_sm / point.y
