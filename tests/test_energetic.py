"""The perceptron-channel integrals of committee_lib.theory.energetic against independent routes
(scipy quadrature and optimisation written here, closed forms, limits).

capacity (rs/rsb/krsb/frozen) is checked in test_capacity, test_rsb and test_krsb, fp_energetic against
the triple integral in test_franz_parisi, the stability kernels against scipy and Monte Carlo in
test_stabilities; here: the fused ln Phi / Mills ratio, the energetic envelope of the local entropy
and the finite-y tilted output.
"""

import math

import numpy as np
import pytest
from scipy import integrate, optimize, special, stats

from committee_lib.theory.energetic import (energetic_envelope, limit_moments_kernel, log_ndtr_mills, rs_energetic,
                                            tilted_output, x_star)
from committee_lib.theory.gaussian import legendre

NODES = legendre(32)


@pytest.mark.parametrize("t", [-45.0, -30.0, -12.0, -3.0, -0.5, 0.0, 0.7, 4.0, 9.0])
def test_log_ndtr_mills_against_scipy(t):
    lf, r = log_ndtr_mills(t)
    assert lf == pytest.approx(special.log_ndtr(t), rel=1e-14, abs=1e-300)
    assert r == pytest.approx(math.exp(stats.norm.logpdf(t) - special.log_ndtr(t)), rel=1e-11)  # exp of a ~1e3 log: 1e-13


def brute_envelope_max(x0, gam, eps):
    """argmax_x ln Phi(x/eps) - (x - x0)^2/(2 gam) by a bounded scalar search (the maximiser lies in [x0, x0 + gam R/eps])."""
    res = optimize.minimize_scalar(lambda x: -(special.log_ndtr(x / eps) - (x - x0) ** 2 / (2 * gam)),
                                   bounds=(x0 - 1.0, x0 + 2.0 + gam * (abs(x0) + 3.0) / eps ** 2), method="bounded",
                                   options={"xatol": 1e-12})
    return res.x


@pytest.mark.parametrize("x0, gam, eps", [(-2.0, 0.5, 0.3), (0.3, 2.0, 0.1), (1.5, 0.1, 0.5), (-0.1, 10.0, 0.05)])
def test_x_star_is_the_maximiser(x0, gam, eps):
    xs = x_star(x0, gam, eps)
    assert xs == pytest.approx(brute_envelope_max(x0, gam, eps), abs=1e-7)
    r = math.exp(stats.norm.logpdf(xs / eps) - special.log_ndtr(xs / eps))
    assert xs - x0 - gam * r / eps == pytest.approx(0.0, abs=1e-12)  # stationarity


@pytest.mark.parametrize("kap1, gam, margin", [(0.7, 0.3, 0.0), (0.9, 2.0, 0.0), (0.5, 0.05, 0.4)])
def test_energetic_envelope_against_quad(kap1, gam, margin):
    """(E M_E, E (x* - x0)^2/Gamma^2, E (x* - x0)/Gamma) by scipy quad over z, x* from a bounded search."""
    s1, eps = math.sqrt(kap1), math.sqrt(1 - kap1)

    def parts(z):
        x0 = s1 * z - margin
        xs = brute_envelope_max(x0, gam, eps)
        d = xs - x0
        return stats.norm.pdf(z) * np.array([special.log_ndtr(xs / eps) - d * d / (2 * gam), d * d / gam**2, d / gam])

    zc = margin / s1
    brute = sum(integrate.quad_vec(parts, lo, hi, epsabs=1e-11)[0] for lo, hi in ((-12, zc), (zc, 12)))
    assert np.array(energetic_envelope(kap1, gam, margin, *NODES)) == pytest.approx(brute, abs=1e-7)


def test_energetic_envelope_at_small_gamma_is_rs():
    """Gamma -> 0: x* -> x0, so E M_E -> E ln Phi((sqrt(k1) z - k)/eps) = G_E of RS at kappa(q1)."""
    kap1 = 0.6
    me = energetic_envelope(kap1, 1e-9, 0.0, *NODES)[0]
    assert me == pytest.approx(rs_energetic(kap1, 0.0, *NODES)[0], abs=1e-8)


@pytest.mark.parametrize("kap0, kap1, y, margin", [(0.3, 0.7, 3.0, 0.0), (0.5, 0.9, 10.0, 0.0), (0.2, 0.6, 2.0, 0.3)])
def test_tilted_output_against_nested_quad(kap0, kap1, y, margin):
    """(E_z0 ln E_z1 Phi^y, E_z0 <g>^2), g = R(x/eps)/eps, by nested scipy quad."""
    s0, b, eps = math.sqrt(kap0), math.sqrt(kap1 - kap0), math.sqrt(1 - kap1)

    def log_phi(t):
        return -0.5 * t * t - 0.5 * math.log(2 * math.pi)

    def inner(z0):  # (ln E_z1 Phi^y, <g>^2) at z0, weighted by phi(z0)
        a = s0 * z0 - margin

        def lw(z1):
            return log_phi(z1) + y * special.log_ndtr((a + b * z1) / eps)

        peak = optimize.minimize_scalar(lambda z1: -lw(z1), bounds=(-15, 15), method="bounded").x
        top = lw(peak)

        def both(z1):
            t = (a + b * z1) / eps
            return math.exp(lw(z1) - top) * np.array([1.0, math.exp(log_phi(t) - special.log_ndtr(t)) / eps])

        norm, gsum = integrate.quad_vec(both, peak - 12, peak + 12, points=[peak], epsabs=1e-13)[0]
        return math.exp(log_phi(z0)) * np.array([top + math.log(norm), (gsum / norm) ** 2])

    brute = integrate.quad_vec(inner, -10, 10, epsabs=1e-10)[0]
    assert np.array(tilted_output(kap0, kap1, y, margin, *NODES)) == pytest.approx(brute, rel=1e-7, abs=1e-8)


@pytest.mark.parametrize("kap1, gam, margin", [(0.7, 0.3, 0.0), (0.85, 1.5, 0.2)])
def test_limit_moments_against_truncated_normal(kap1, gam, margin):
    """E lambda, E lambda^2 of the y -> infinity replica: lambda ~ N(x* + k, eps^2) truncated to > k,
    averaged over z by quad (scipy truncnorm moments, x* from a bounded search)."""
    s1, eps = math.sqrt(kap1), math.sqrt(1 - kap1)

    def moments(z):
        xs = brute_envelope_max(s1 * z - margin, gam, eps)
        mean, var = stats.truncnorm.stats(-xs / eps, np.inf, loc=xs + margin, scale=eps, moments="mv")
        return stats.norm.pdf(z) * np.array([mean, var + mean * mean])

    zc = margin / s1
    brute = sum(integrate.quad_vec(moments, lo, hi, epsabs=1e-10)[0] for lo, hi in ((-12, zc), (zc, 12)))
    assert np.array(limit_moments_kernel(kap1, gam, margin, *legendre(32))) == pytest.approx(brute, rel=1e-6)
