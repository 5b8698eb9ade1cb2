"""Stability distributions (paper Fig. 3 left; theory_stabilities): typical RS solution, LD replica at
finite y and as y -> infinity, and a reference built from the group (majority / barycenter).

References, never a run of the code under test:

* exact reductions derived in the theory chapter: at y = 1 the LD replica density is the typical one at
  kappa0 (whatever kappa1); at kappa0 = kappa1 it is the typical one (whatever y); both reference
  representations (exact, regression) give the same first two moments;
* exact moment formulas (truncated-Gaussian moments under the tilted measure) against quadrature of
  the densities over lambda, on different nodes;
* independent routes: scipy quadrature of the typical density and of the finite-y density at a few
  points, Monte Carlo samplers (scipy truncnorm, exact rejection for the tilted group measure), a
  brute-force finite-K machine for the lattice;
* the derivation notes behind theory_stabilities (sec. 5), to their printed digits.
"""

import math

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.interpolate import CubicSpline
from scipy.special import log_ndtr as sp_log_ndtr
from scipy.special import ndtr

from committee_lib.errors import ConvergenceError, ParameterError
from committee_lib.theory.gaussian import legendre
from committee_lib.theory.kernels import get_kernel
from committee_lib.theory.large_deviations import finite_y_curve, ld_finite_y
from committee_lib.theory.local_entropy import local_entropy
from committee_lib.theory.priors.binary import majority_overlaps_kernel
from committee_lib.published import NOTES as PUBLISHED_NOTES, agrees
from committee_lib.theory.stabilities import (
    ReferenceStability, ReplicaStability, TypicalStability, group_overlaps, limit_stability,
    reference_stability, replica_stability, stability_lattice, typical_stability,
    typical_stability_at)

ACTIVATIONS = ("sign", "relu")


NOTES = PUBLISHED_NOTES["stabilities"]


@pytest.fixture(scope="module")
def points():
    """The y = 20, q1 = 0.85, alpha = 0.4 binary LD points (the derivation notes behind theory_stabilities, sec. 5)."""
    return {act: ld_finite_y(0.4, 0.85, 20, act, "binary") for act in ACTIVATIONS}


@pytest.fixture(scope="module")
def dists(points):
    out = {}
    for act in ACTIVATIONS:
        out[act, "typical"] = typical_stability(0.4, act, "binary")
        out[act, "replica"] = replica_stability(points[act])
        out[act, "limit"] = limit_stability(local_entropy(0.4, 0.85, act, "binary"))
        out[act, "majority"] = reference_stability(points[act], "majority")
        out[act, "barycenter"] = reference_stability(points[act], "barycenter")
    return out


ALL = [(a, k) for a in ACTIVATIONS for k in ("typical", "replica", "limit", "majority", "barycenter")]


# ----------------------------------------------------------------------------- normalisation and moments
@pytest.mark.parametrize("key", ALL)
def test_normalised_and_quadrature_moments_equal_exact(dists, key):
    d = dists[key]
    norm, mean_q, var_q = d.quadrature_moments()
    assert norm == pytest.approx(1.0, abs=1e-8)
    mean, var = d.moments()
    assert mean_q == pytest.approx(mean, rel=1e-8)
    assert var_q == pytest.approx(var, rel=1e-8)


@pytest.mark.parametrize("kappa, margin", [(0.3, 0.0), (0.9, 0.5), (0.99, 0.0)])
def test_typical_normalised_for_any_overlap_and_margin(kappa, margin):
    d = TypicalStability(kappa, "sign", margin=margin)
    norm, mean_q, var_q = d.quadrature_moments()
    assert norm == pytest.approx(1.0, abs=1e-8)
    assert (mean_q, var_q) == pytest.approx(d.moments(), rel=1e-8)
    assert d.density(margin - 1e-9) == 0.0 and d.density(margin) > 0.0


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_typical_against_scipy(activation):
    """P(lambda) = int Dz N(lambda; s z, e^2)/Phi(s z/e) by scipy quad, and the closed-form truncated
    moments integrated by scipy."""
    d = typical_stability(0.4, activation, "binary")
    s, e = math.sqrt(d.kappa), math.sqrt(1 - d.kappa)

    def dens(lam):
        f = lambda z: stats.norm.pdf(z) * stats.norm.pdf(lam, s * z, e) / ndtr(s * z / e)
        return integrate.quad(f, -12, 12, points=[0.0, s * lam], limit=400, epsabs=1e-13, epsrel=1e-12)[0]

    for lam in (0.0, 0.3, 1.0, 2.5):
        assert d.density(lam) == pytest.approx(dens(lam), rel=1e-9)

    def mills(t):
        return math.exp(stats.norm.logpdf(t) - sp_log_ndtr(t))

    m1 = integrate.quad(lambda z: stats.norm.pdf(z) * (s * z + e * mills(s * z / e)), -12, 12, limit=400)[0]
    m2 = integrate.quad(lambda z: stats.norm.pdf(z) * (s * s * z * z + e * e + s * z * e * mills(s * z / e)), -12, 12,
                        limit=400)[0]
    assert d.moments() == pytest.approx((m1, m2 - m1 * m1), rel=1e-10)


def test_replica_density_against_scipy(points):
    """The finite-y density from the defining formula without the completed square: the two z1 integrals
    by Simpson's rule on a fine grid, the z0 integral by adaptive scipy quad."""
    d = replica_stability(points["sign"])
    y = 20
    s0, b, eps = math.sqrt(d.kappa0), math.sqrt(d.kappa1 - d.kappa0), math.sqrt(1 - d.kappa1)
    z1 = np.linspace(-12, 12, 8001)

    def ratio(z0, lam):
        m = s0 * z0 + b * z1
        log_den = stats.norm.logpdf(z1) + y * sp_log_ndtr(m / eps)
        log_num = log_den - sp_log_ndtr(m / eps) + stats.norm.logpdf(lam, m, eps)
        top = log_den.max()
        return integrate.simpson(np.exp(log_num - top), x=z1) / integrate.simpson(np.exp(log_den - top), x=z1)

    for lam in (0.15, 1.1):
        ref = integrate.quad(lambda z0, lam=lam: stats.norm.pdf(z0) * ratio(z0, lam), -10, 10, limit=200, epsrel=1e-11)[0]
        assert d.density(lam) == pytest.approx(ref, rel=1e-8)


# ----------------------------------------------------------------------------- the notes' numbers
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("kind", ["typical", "replica", "majority"])
def test_notes_reference_numbers(dists, activation, kind):
    s = dists[activation, kind].summary(physical=True)
    printed = NOTES[activation][kind]
    assert agrees(s.mean, printed["mean"]), (s.mean, printed)
    assert agrees(s.variance, printed["variance"]), (s.variance, printed)
    if kind == "typical":
        assert s.mode == 0.0
        assert agrees(s.density_at_zero, printed["density_at_zero"]), (s.density_at_zero, printed)
    else:  # the modes to the resolution of their printed digits
        assert agrees(s.mode, printed["mode"]), (s.mode, printed)


def test_majority_is_exact_and_overlaps_are_consistent(points):
    """The group measure of the majority kernel is the LD one (E<M>^2/y^2 = q0, E<M^2> = y + y(y-1) q1);
    the normalised barycenter is the unit vector closest to the group, so its rho_a is larger."""
    for p in points.values():
        _, _, e_m1sq, e_m2 = majority_overlaps_kernel(math.sqrt(p.qhat0), p.qhat1 - p.qhat0, p.y,
                                                             *legendre(64))
        assert e_m1sq / p.y**2 == pytest.approx(p.q0, rel=1e-9)
        assert (e_m2 - p.y) / (p.y * (p.y - 1)) == pytest.approx(p.q1, rel=1e-9)
        rho_a, rho_0 = group_overlaps(p, "majority")
        bary_a, bary_0 = group_overlaps(p, "barycenter")
        assert rho_0 < rho_a < bary_a < 1 and p.q0 < rho_0
        assert bary_0 * bary_a == pytest.approx(p.q0, rel=1e-14)
        ref = reference_stability(p, "majority")
        assert ref.exact and ref.D2_exact > 0


def test_reference_representations_share_moments(points):
    """When D^2 >= 0 both representations are exact in law for (v, u); the regression one replaces the
    mean of the truncated noises by a Gaussian of the same conditional mean and variance: equal first
    two moments, nearly equal densities."""
    p = points["sign"]
    exact = reference_stability(p, "barycenter", method="exact")
    regr = reference_stability(p, "barycenter", method="regression")
    assert exact.exact and not regr.exact
    assert regr.moments() == pytest.approx(exact.moments(), rel=1e-10)
    grid = np.linspace(-1, 4, 51)
    assert np.abs(regr.density(grid) - exact.density(grid)).max() < 2e-3
    # ReLU's barycenter needs the regression (D^2 < 0) and says so
    relu = reference_stability(points["relu"], "barycenter")
    assert relu.D2_exact < 0 and not relu.exact
    with pytest.raises(ParameterError, match="regression"):
        reference_stability(points["relu"], "barycenter", method="exact")


# ----------------------------------------------------------------------------- exact reductions and limits
@pytest.mark.parametrize("kappa0, kappa1, y", [(0.4, 0.7, 1.0), (0.2, 0.95, 1.0), (0.55, 0.55, 20.0), (0.3, 0.3, 3.5)])
def test_replica_reduces_to_typical(kappa0, kappa1, y):
    """y = 1: int Dz1 N(lambda; m, eps^2) = N(lambda; sqrt(k0) z0, 1 - k0) and int Dz1 H = H(-sqrt(k0/(1-k0)) z0),
    so the density is the typical one at kappa0, whatever kappa1.  kappa0 = kappa1: z1 drops out and
    H^(y-1)/H^y = 1/H, the typical density whatever y."""
    typ = TypicalStability(kappa0, "relu")
    rep = ReplicaStability(kappa0, kappa1, y, "relu")
    grid = np.linspace(0, 5, 41)
    assert np.abs(rep.density(grid) - typ.density(grid)).max() < 1e-12
    assert rep.moments() == pytest.approx(typ.moments(), rel=1e-12)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_finite_y_approaches_the_limit(activation):
    limit = limit_stability(local_entropy(0.4, 0.85, activation, "binary"))
    grid = np.linspace(0, 6, 121)
    ref = limit.density(grid)
    dist = []
    mom = []
    for p in finite_y_curve(0.4, 0.85, [20, 80, 320], activation, "binary"):
        d = replica_stability(p)
        dist.append(np.abs(d.density(grid) - ref).max())
        mom.append(np.abs(np.array(d.moments()) - np.array(limit.moments())).max())
    assert dist[0] > dist[1] > dist[2]
    assert dist[2] < 0.3 * dist[0]
    assert mom[2] < mom[0]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_typical_mode_at_zero_ld_pushed_away(dists, activation):
    """The typical density decreases from a finite P(0+); the LD densities have an interior mode, a
    smaller density at 0 and a larger mean; the group's reference is pushed further."""
    typ = dists[activation, "typical"]
    grid = np.linspace(0, 4, 81)
    p = typ.density(grid)
    assert np.all(np.diff(p) < 0) and np.isfinite(p[0]) and typ.mode() == 0.0
    rep, lim, maj = dists[activation, "replica"], dists[activation, "limit"], dists[activation, "majority"]
    for d in (rep, lim):
        assert d.mode() > 0.3 and d.density_at_zero() < 0.5 * typ.density_at_zero()
        assert d.moments()[0] > typ.moments()[0]
    assert maj.moments()[0] > rep.moments()[0] and maj.moments()[1] < rep.moments()[1]
    assert maj.density(-0.2) > 0.0  # the reference's stability can be negative


# ----------------------------------------------------------------------------- units
@pytest.mark.parametrize("key", [("relu", "typical"), ("relu", "replica"), ("relu", "majority"), ("sign", "limit")])
def test_physical_is_scale_times_normalised(dists, key):
    d = dists[key]
    s = get_kernel(key[0]).output_scale
    assert s == pytest.approx(math.sqrt(0.5 - 0.5 / math.pi) if key[0] == "relu" else 1.0, rel=1e-14)
    lam = np.linspace(0.01, 3, 17)
    assert np.allclose(d.density(s * lam, physical=True), d.density(lam) / s, rtol=1e-14, atol=0)
    a, b = d.summary(), d.summary(physical=True)
    assert b.mean == pytest.approx(s * a.mean, rel=1e-14)
    assert b.variance == pytest.approx(s * s * a.variance, rel=1e-14)
    assert b.mode == pytest.approx(s * a.mode, rel=1e-14)
    assert b.density_at_zero == pytest.approx(a.density_at_zero / s, rel=1e-14)
    assert b.normalization == pytest.approx(1.0, abs=1e-8)


# ----------------------------------------------------------------------------- Monte Carlo
def _cdf(d):
    """The CDF of a density by 4-point Gauss-Legendre on 150 panels over its bulk, a cubic spline between."""
    mean, var = d.moments()
    sd = math.sqrt(var)
    lo = d.lower if math.isfinite(d.lower) else mean - 12 * sd
    edges = np.linspace(lo, mean + 12 * sd, 151)
    x, w = legendre(4)
    half = 0.5 * np.diff(edges)[:, None]
    nodes = edges[:-1, None] + half * (x + 1)
    mass = (d.density(nodes.ravel()).reshape(nodes.shape) * half * w).sum(axis=1)
    cum = np.concatenate([[0.0], np.cumsum(mass)])
    spline = CubicSpline(edges, cum)
    return lambda t: np.clip(spline(np.clip(t, edges[0], edges[-1])), 0.0, 1.0)


@pytest.mark.parametrize("activation, margin", [("sign", 0.0), ("relu", 0.0), ("relu", 0.5)])
def test_typical_monte_carlo(activation, margin):
    """z ~ N(0,1), lambda from N(sqrt(k) z, 1-k) truncated to lambda > k (scipy truncnorm): KS test and a
    chi-square on 30 bins, fixed seed."""
    d = typical_stability_at(0.25, activation, margin=margin)
    rng = np.random.default_rng(12345)
    x = np.sort(d.sample(40000, rng))
    ks = stats.kstest(x, _cdf(d))
    assert ks.pvalue > 0.01, ks
    edges = np.quantile(x, np.linspace(0, 1, 31))
    edges[0], edges[-1] = margin, x.max() + 1.0
    expected = np.diff(_cdf(d)(edges)) * x.size
    observed = np.histogram(x, edges)[0]
    chi2 = ((observed - expected) ** 2 / expected).sum()
    assert stats.chi2.sf(chi2, 29) > 0.01


def test_replica_monte_carlo(points):
    """(z0, z1) from the tilted measure by exact rejection, the own field truncated: KS against the density."""
    d = replica_stability(points["relu"])
    x = np.sort(d.sample(30000, np.random.default_rng(7)))
    ks = stats.kstest(x, _cdf(d))
    assert ks.pvalue > 0.01, ks
    m, v = d.moments()
    assert abs(x.mean() - m) < 4 * math.sqrt(v / x.size)


@pytest.mark.parametrize("activation, reference", [("sign", "majority"), ("relu", "barycenter")])
def test_reference_monte_carlo(points, activation, reference):
    """The Gaussian model sampled without the CLT (the y truncated noises drawn one by one): mean and
    variance agree with the exact formulas; the distribution agrees with the density (exact for the
    sign majority, the CLT approximation for the ReLU barycenter: KS distance below 1%)."""
    d = reference_stability(points[activation], reference)
    x = np.sort(d.sample(40000, np.random.default_rng(2024)))
    m, v = d.moments()
    assert abs(x.mean() - m) < 4 * math.sqrt(v / x.size)
    assert abs(x.var() - v) < 4 * v * math.sqrt(2.0 / x.size)
    ks = stats.kstest(x, _cdf(d))
    if d.exact:
        assert ks.pvalue > 0.01, ks
    else:
        assert ks.statistic < 0.01, ks


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_mass_below_zero_of_the_reference_matches_its_samples(dists, activation):
    """The reference's training-error fraction in the limit, P(Xi < 0), against the fraction of
    Monte Carlo samples of its Gaussian model below zero; the typical and replica ones are 0."""
    d = dists[activation, "majority"]
    x = d.sample(40000, np.random.default_rng(7))
    p = d.mass_below(0.0)
    assert 0 < p < 0.5
    assert abs(np.mean(x < 0) - p) < 4 * math.sqrt(p * (1 - p) / x.size) + 0.002
    assert d.mass_below(0.0, physical=True) == pytest.approx(p)
    assert d.mass_below(1e6) == pytest.approx(1.0, abs=1e-6)
    assert dists[activation, "replica"].mass_below(0.0) == 0.0


# ----------------------------------------------------------------------------- finite K lattice
def _machine_stabilities(activation, K, N, patterns, rng):
    """Brute force: a random tree machine with binary weights and patterns, its stabilities sigma U
    (physical units; output weights c_l = 1 for sign, alternating +-1 for ReLU)."""
    n = N // K
    W = rng.choice([-1, 1], size=(K, n))
    xi = rng.choice([-1, 1], size=(patterns, K, n))
    h = np.einsum("kn,pkn->pk", W, xi) * math.sqrt(K / N)
    if activation == "sign":
        out = np.sign(h).sum(axis=1) / math.sqrt(K)
    else:
        c = np.where(np.arange(K) % 2 == 0, 1.0, -1.0)
        out = (np.maximum(h, 0.0) * c).sum(axis=1) / math.sqrt(K)
    sigma = rng.choice([-1, 1], size=patterns)
    return sigma * out


@pytest.mark.parametrize("activation, K, N", [("sign", 33, 1089), ("sign", 4, 12), ("relu", 32, 1024), ("relu", 4, 12)])
def test_lattice_matches_brute_force(activation, K, N):
    lat = stability_lattice(activation, K, N, physical=True)
    stab = _machine_stabilities(activation, K, N, 4000, np.random.default_rng(3))
    n = (stab - lat.offset) / lat.spacing
    assert np.allclose(n, np.round(n), atol=1e-9)
    assert np.gcd.reduce(np.abs(np.round(n - n.min()).astype(int))) == 1  # the spacing is the finest one
    if activation == "sign" and K % 2:
        k = stab * math.sqrt(K)
        assert np.allclose(k, np.round(k)) and np.all(np.round(k).astype(int) % 2 == 1)
    norm = stability_lattice(activation, K, N)
    assert norm.spacing == pytest.approx(lat.spacing / get_kernel(activation).output_scale, rel=1e-14)
    edges = lat.bin_edges(0.0, 2.0)
    counts = np.histogram(stab, edges)[0]
    assert counts.sum() == np.sum((stab >= edges[0]) & (stab < edges[-1]))


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("make, word", [
    (lambda: TypicalStability(1.2, "sign"), "kappa"),
    (lambda: TypicalStability(0.5, "sign", margin=-1), "margin"),
    (lambda: TypicalStability(0.5, "nonsense"), "activation"),
    (lambda: ReplicaStability(0.7, 0.4, 20, "sign"), "kappa0"),
    (lambda: ReplicaStability(0.4, 0.7, 0.5, "sign"), "y"),
    (lambda: ReplicaStability(0.4, 0.7, 20, "sign", quad_order=2), "quad_order"),
    (lambda: ReferenceStability(0.4, 0.4, 20, 0.5, 0.3, "sign"), "kappa0 < kappa1"),
    (lambda: ReferenceStability(0.4, 0.7, 20, 0.5, 0.3, "sign", method="best"), "method"),
    (lambda: typical_stability(-0.1, "sign"), "alpha"),
    (lambda: typical_stability_at(1.0, "sign"), "q"),
    (lambda: replica_stability("not a point"), "LDPoint"),
    (lambda: limit_stability(None), "LocalEntropy"),
    (lambda: TypicalStability(0.5, "sign").density(float("nan")), "finite"),
    (lambda: stability_lattice("relu", 32, 1000), "multiple"),
    (lambda: stability_lattice("sign", 4, 16), "sgn"),
    (lambda: stability_lattice("tanh", 4, 12), "sign and relu"),
])
def test_parameter_errors(make, word):
    with pytest.raises(ParameterError, match=word):
        make()


def test_errors_from_the_model():
    sph = ld_finite_y(0.4, 0.85, 20, "relu", "spherical")
    with pytest.raises(ParameterError, match="binary"):
        group_overlaps(sph, "majority")
    assert reference_stability(sph, "barycenter").moments()[1] > 0  # the barycenter works for any prior
    with pytest.raises(ParameterError, match="reference"):
        group_overlaps(sph, "median")
    with pytest.raises(ParameterError, match="flat"):
        limit_stability(local_entropy(0.4, 1 - 1e-8, "relu", "binary"))
    with pytest.raises(ConvergenceError, match="not positive"):  # overlaps no group can have
        ReferenceStability(0.4, 0.7, 20, 1.0, 0.0, "sign")
    with pytest.raises(ConvergenceError):  # q1 below the typical overlap: no LD solution
        from committee_lib.theory.stabilities import ld_replica_stability
        ld_replica_stability(0.4, 0.1, 20, "relu")


def test_fig3_left_bundle():
    """The notebook's one call: densities on a physical grid plus summaries, consistent with the objects."""
    from committee_lib.theory.stabilities import fig3_left

    grid = np.linspace(0, 2.5, 26)
    out = fig3_left(grid, activations=("relu",))
    entry = out["relu"]
    assert set(entry["summaries"]) == {"typical", "replica", "reference"}
    for name in ("typical", "replica", "reference"):
        d = entry["distributions"][name]
        assert np.allclose(entry[name], d.density(grid, physical=True), rtol=1e-14, atol=0)
        assert entry["summaries"][name].physical and entry["summaries"][name].normalization == pytest.approx(1, abs=1e-8)


def test_densities_at_kappa0_zero_are_the_limit_of_small_kappa0():
    """kappa0 = 0 (the permutation-symmetric point of the fully connected machine): the outer z0 average
    drops out, and the replica's and the reference's summaries are the limit kappa0 -> 0."""
    from committee_lib.theory.stabilities import ReferenceStability, ReplicaStability

    for cls, extra in ((ReplicaStability, {}), (ReferenceStability, {"kappa_a": 0.7, "kappa_ref0": 0.0})):
        at, near = (cls(kappa0=k0, kappa1=0.6, y=20.0, activation="sign", **extra).summary() for k0 in (0.0, 1e-12))
        for field in ("mean", "variance", "density_at_zero", "normalization"):
            assert getattr(at, field) == pytest.approx(getattr(near, field), abs=1e-9)
