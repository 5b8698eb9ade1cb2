"""Independent checks of committee_lib.theory.kernels (book: theory_capacity, kernel substitution).

kappa(q) = (Delta(q) - Delta_{-1}) / (Delta_2 - Delta_{-1}),  Delta(q) = E[g(x) g(y)], corr(x, y) = q.

The reference values come from a brute-force 2-D Gauss-Legendre quadrature written here
(`brute_delta`): y = q x + sqrt(1-q^2) z, x and z integrated over [-12, 12] (Gaussian tail
< 1e-32), with breakpoints at the kinks x = 0 and y = 0 (z = -q x / sqrt(1-q^2)), so every
panel has a smooth (piecewise-analytic) integrand.  With 120 nodes per panel the result is
converged to ~1e-14 absolute (checked in `test_brute_force_quadrature_is_converged`:
120 vs 180 nodes differ by < 1e-13 and Delta = q for g(x) = x, E[sin x sin y] = sinh(q)/e,
are reproduced to < 1e-13); the observed agreement with the closed forms is ~1e-13, so the
tolerance KAPPA_TOL = 1e-10 leaves a wide margin while still failing on any real error.
"""

import math

import numpy as np
import pytest
from scipy.special import erf, expit, ndtr

from committee_lib.errors import ParameterError
from committee_lib.theory.kernels import ACTIVATIONS, Erf, Hermite, Kernel, get_kernel, leaky_relu

L = 12.0  # integration half-width in units of the standard deviation
N_NODES = 120  # Gauss-Legendre nodes per panel
KAPPA_TOL = 1e-10
SQRT2PI = math.sqrt(2.0 * math.pi)


# ----------------------------------------------------------------------------- helpers
def _panel(a, b, n=N_NODES):
    """Gauss-Legendre nodes and weights on [a, b]; a, b arrays -> shape (len, n)."""
    t, w = np.polynomial.legendre.leggauss(n)
    a = np.asarray(a, float)[..., None]
    b = np.asarray(b, float)[..., None]
    return a + 0.5 * (b - a) * (t + 1.0), 0.5 * (b - a) * w


def _gauss_1d(f, n=N_NODES):
    """E f(x), x ~ N(0, 1), panels [-L, 0] and [0, L] (breakpoint at the kink x = 0)."""
    x, w = _panel(np.array([-L, 0.0]), np.array([0.0, L]), n)
    x, w = x.ravel(), w.ravel()
    return float(np.sum(w * np.exp(-0.5 * x * x) / SQRT2PI * f(x)))


def brute_delta(g, q, n=N_NODES):
    """Delta(q), Delta_{-1}, Delta_2 for activation g by independent 2-D quadrature."""
    mean, second = _gauss_1d(g, n), _gauss_1d(lambda x: g(x) ** 2, n)
    s = math.sqrt(1.0 - q * q)
    x, wx = _panel(np.array([-L, 0.0]), np.array([0.0, L]), n)
    x, wx = x.ravel(), (wx * np.exp(-0.5 * x * x) / SQRT2PI).ravel()
    z0 = np.clip(-q * x / s, -L, L)  # kink of g(y) in z
    inner = np.zeros_like(x)
    for a, b in ((np.full_like(x, -L), z0), (z0, np.full_like(x, L))):
        z, wz = _panel(a, b, n)
        inner += np.sum(wz * np.exp(-0.5 * z * z) / SQRT2PI * g(q * x[:, None] + s * z), axis=1)
    return float(wx @ (g(x) * inner)), mean**2, second


def brute_kappa(g, q):
    d, dm1, d2 = brute_delta(g, q)
    return (d - dm1) / (d2 - dm1)


def _leaky(a):
    return lambda x: np.maximum(x, a * x)


def _erf(s):
    return lambda x: erf(s * x)


# (kernel factory, activation g, g') -- g and g' written independently of the module
CLOSED_FORM = {
    "linear": (lambda: get_kernel("linear"), lambda x: x, lambda x: np.ones_like(x)),
    "sign": (lambda: get_kernel("sign"), np.sign, None),
    "relu": (lambda: get_kernel("relu"), lambda x: np.maximum(x, 0.0), lambda x: (x > 0) * 1.0),
    "leaky_relu": (lambda: get_kernel("leaky_relu"), _leaky(0.1), lambda x: np.where(x > 0, 1.0, 0.1)),
    "leaky_relu(0.3)": (lambda: leaky_relu(0.3), _leaky(0.3), lambda x: np.where(x > 0, 1.0, 0.3)),
    "abs": (lambda: get_kernel("abs"), np.abs, lambda x: np.sign(x) ** 2),
    "erf(0.5)": (lambda: Erf(0.5), _erf(0.5), lambda x: 1.0 / math.sqrt(math.pi) * np.exp(-0.25 * x * x)),
    "erf": (lambda: get_kernel("erf"), _erf(1.0), lambda x: 2.0 / math.sqrt(math.pi) * np.exp(-x * x)),
    "erf(2)": (lambda: Erf(2.0), _erf(2.0), lambda x: 4.0 / math.sqrt(math.pi) * np.exp(-4.0 * x * x)),
}
SMOOTH = {  # Hermite-expanded built-ins
    "tanh": (lambda: get_kernel("tanh"), np.tanh, lambda x: 1.0 - np.tanh(x) ** 2),
    "sigmoid": (lambda: get_kernel("sigmoid"), expit, lambda x: expit(x) * (1.0 - expit(x))),
    "gelu": (lambda: get_kernel("gelu"), lambda x: x * ndtr(x),
             lambda x: ndtr(x) + x * np.exp(-0.5 * x * x) / SQRT2PI),
    "softplus": (lambda: get_kernel("softplus"), lambda x: np.log1p(np.exp(x)), expit),
}
ALL = {**CLOSED_FORM, **SMOOTH}
EXTRA_KERNELS = {"leaky_relu(0.3)": lambda: leaky_relu(0.3), "erf(0.5)": lambda: Erf(0.5), "erf(2)": lambda: Erf(2.0)}
KERNELS = {**{n: (lambda n=n: get_kernel(n)) for n in ACTIVATIONS}, **EXTRA_KERNELS}
Q_GRID = [0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 0.97, 0.99]


# ----------------------------------------------------------------------------- 0. the reference
def test_brute_force_quadrature_is_converged():
    for g in (np.sign, np.abs, _erf(2.0)):
        for q in (0.3, 0.99):
            assert abs(brute_delta(g, q)[0] - brute_delta(g, q, n=180)[0]) < 1e-13
    for q in (0.0, 0.5, 0.99):
        assert abs(brute_delta(lambda x: x, q)[0] - q) < 1e-13
        assert abs(brute_delta(np.sin, q)[0] - math.sinh(q) / math.e) < 1e-13


# ----------------------------------------------------------------------------- 1. kappa vs brute force
@pytest.mark.parametrize("name", list(ALL))
def test_kappa_matches_brute_force(name):
    factory, g, _ = ALL[name]
    k = factory()
    _, dm1, d2 = brute_delta(g, 0.5)
    assert k.delta_m1 == pytest.approx(dm1, abs=1e-12)
    assert k.delta_2 == pytest.approx(d2, abs=1e-12)
    got = k.kappa(np.array(Q_GRID))
    want = np.array([brute_kappa(g, q) for q in Q_GRID])
    np.testing.assert_allclose(got, want, rtol=0, atol=KAPPA_TOL)


@pytest.mark.parametrize("name", list(ALL))
def test_correlation_continues_kappa_to_negative_overlaps(name):
    factory, g, _ = ALL[name]
    k = factory()
    rhos = [-0.99, -0.7, -0.3, 0.4]
    brute = np.array([brute_kappa(g, r) for r in rhos])
    np.testing.assert_allclose(k.correlation(np.array(rhos)), brute, rtol=0, atol=KAPPA_TOL)
    assert k.correlation(0.4) == k.kappa(0.4)


def test_correlation_of_a_negated_input():
    assert get_kernel("sign").correlation(-1.0) == pytest.approx(-1.0, abs=1e-14)
    assert get_kernel("relu").correlation(-1.0) == pytest.approx(-1.0 / (math.pi - 1.0), abs=1e-14)
    with pytest.raises(ParameterError, match=r"correlation rho must lie in \[-1, 1\]"):
        get_kernel("relu").correlation(-1.5)


# ----------------------------------------------------------------------------- 2. shape of kappa
@pytest.mark.parametrize("name", list(KERNELS))
def test_kappa_endpoints_monotone_convex(name):
    k = KERNELS[name]()
    assert k.kappa(0.0) == pytest.approx(0.0, abs=1e-14)
    assert k.kappa(1.0) == pytest.approx(1.0, abs=1e-12)
    q = np.linspace(0.0, 0.999, 400)
    kap = k.kappa(q)
    assert np.all(np.diff(kap) > 0.0)
    assert np.all(np.diff(kap, 2) > -1e-13)
    assert np.all(k.dkappa(q[1:]) > 0.0) and k.dkappa(0.0) >= 0.0  # abs: kappa'(0) = p_1 = 0
    assert np.all(k.d2kappa(q) >= 0.0)
    assert np.all((kap >= 0.0) & (kap <= 1.0))


# ----------------------------------------------------------------------------- 3. derivatives
@pytest.mark.parametrize("name", list(KERNELS))
@pytest.mark.parametrize("q", [0.05, 0.2, 0.5, 0.8, 0.95])
def test_derivatives_vs_finite_differences(name, q):
    k, h = KERNELS[name](), 1e-5
    fd1 = (k.kappa(q + h) - k.kappa(q - h)) / (2 * h)
    fd2 = (k.dkappa(q + h) - k.dkappa(q - h)) / (2 * h)
    assert k.dkappa(q) == pytest.approx(fd1, rel=1e-6, abs=1e-9)
    assert k.d2kappa(q) == pytest.approx(fd2, rel=1e-6, abs=1e-9)


# ----------------------------------------------------------------------------- 4. Price's theorem
@pytest.mark.parametrize("name", [n for n in ALL if n != "sign"])
def test_price_theorem_slope_at_one(name):
    factory, g, gp = ALL[name]
    var = _gauss_1d(lambda x: g(x) ** 2) - _gauss_1d(g) ** 2
    want = _gauss_1d(lambda x: gp(x) ** 2) / var
    assert factory().dkappa_at_1 == pytest.approx(want, rel=1e-9)


def test_price_relu_exact_and_poincare():
    assert get_kernel("relu").dkappa_at_1 == pytest.approx(math.pi / (math.pi - 1.0), rel=1e-13)
    assert get_kernel("linear").dkappa_at_1 == pytest.approx(1.0, abs=1e-14)
    for name, factory in KERNELS.items():
        assert factory().dkappa_at_1 >= 1.0 - 1e-14, name
        if name != "linear":
            assert factory().dkappa_at_1 > 1.0 + 1e-3, name
    sign = get_kernel("sign")
    assert math.isinf(sign.dkappa_at_1) and sign.dkappa_at_1 > 0
    assert math.isinf(sign.dkappa(1.0))


# ----------------------------------------------------------------------------- 5. Hermite route
@pytest.mark.parametrize("s", [0.5, 1.0])
def test_hermite_reproduces_erf(s):
    h, e = Hermite(lambda x: erf(s * x)), Erf(s)
    q = np.linspace(0.0, 1.0, 21)
    for f in ("kappa", "dkappa", "d2kappa"):
        np.testing.assert_allclose(getattr(h, f)(q), getattr(e, f)(q), rtol=0, atol=1e-12, err_msg=f)
    assert h.delta_2 == pytest.approx(e.delta_2, abs=1e-13)


def test_user_callable_through_get_kernel():
    k = get_kernel(np.sin)  # E[sin x sin y] = sinh(q)/e  ->  kappa = sinh q / sinh 1
    assert isinstance(k, Hermite) and get_kernel(k) is k
    q = np.linspace(0.0, 1.0, 11)
    np.testing.assert_allclose(k.kappa(q), np.sinh(q) / math.sinh(1.0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(k.dkappa(q), np.cosh(q) / math.sinh(1.0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(k.d2kappa(q), np.sinh(q) / math.sinh(1.0), rtol=0, atol=1e-12)
    g = lambda x: np.tanh(x) + 0.2 * x + 0.3  # noqa: E731  (non-zero mean, no symmetry)
    k = get_kernel(g)
    for q in (0.2, 0.6, 0.95):
        assert k.kappa(q) == pytest.approx(brute_kappa(g, q), abs=KAPPA_TOL)


@pytest.mark.parametrize("g", [lambda x: np.maximum(x, 0.0), np.abs], ids=["relu", "abs"])
def test_hermite_refuses_kinked(g):
    with pytest.raises(ParameterError, match="Hermite"):
        get_kernel(g)


@pytest.mark.parametrize("g", [lambda x: np.full_like(x, 2.0), lambda x: 0.0 * x], ids=["two", "zero"])
def test_hermite_refuses_constant(g):
    with pytest.raises(ParameterError, match="constant"):
        get_kernel(g)


# ----------------------------------------------------------------------------- 6. bad input
@pytest.mark.parametrize("bad", ["nonsense", 3])
def test_unknown_activation(bad):
    with pytest.raises(ParameterError) as exc:
        get_kernel(bad)
    msg = str(exc.value)
    assert "activation" in msg
    assert all(name in msg for name in ACTIVATIONS)


@pytest.mark.parametrize("name", ["sign", "relu", "erf", "tanh"])
@pytest.mark.parametrize("q", [-0.1, 1.1, float("nan"), [0.5, 1.1]])
def test_overlap_out_of_range(name, q):
    k = get_kernel(name)
    for f in (k.kappa, k.dkappa, k.d2kappa):
        with pytest.raises(ParameterError) as exc:
            f(q)
        assert "q" in str(exc.value) and "[0, 1]" in str(exc.value)


@pytest.mark.parametrize("slope", [1.5, 1.0, -0.1])
def test_leaky_relu_bad_slope(slope):
    with pytest.raises(ParameterError, match="slope"):
        leaky_relu(slope)


# ----------------------------------------------------------------------------- 7. physical scale
def test_output_scale_and_balance():
    relu = get_kernel("relu")
    assert relu.output_scale == pytest.approx(math.sqrt(0.5 - 0.5 / math.pi), abs=1e-12)
    assert relu.output_scale == pytest.approx(0.58382, abs=1e-5)
    assert get_kernel("sign").output_scale == pytest.approx(1.0, abs=1e-14)
    for name in ("relu", "abs", "softplus", "sigmoid", "gelu"):
        assert get_kernel(name).needs_balanced_output is True, name
    for name in ("sign", "linear", "erf", "tanh"):
        assert get_kernel(name).needs_balanced_output is False, name


def test_scalar_in_scalar_out():
    k = get_kernel("relu")
    assert isinstance(k.kappa(0.5), float) and isinstance(k.d2kappa(0.5), float)
    assert k.kappa(np.array([0.5, 0.6])).shape == (2,)
    assert isinstance(k, Kernel)


# ----------------------------------------------------------------------------- 8. q -> 1
EPS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4]
# Absolute accuracy allowed for kappa(q) near q = 1.  The piecewise-linear closed form
# evaluates sqrt(1 - q*q) and cancels O(1) terms, so it is accurate to ~2e-14 (relu) and
# ~7e-14 (abs) absolute near q = 1 (measured against 40-digit mpmath): 1 - kappa loses
# ~1e-6 relative at 1 - q = 1e-8.  The ratio tolerances below include ABS_NEAR1 / (1 - kappa).
ABS_NEAR1 = 2e-13


@pytest.mark.parametrize("eps", EPS)
def test_relu_linear_approach_to_one(eps):
    # 1 - kappa = [pi eps - (2 sqrt2/3) eps^1.5 + O(eps^2.5)] / (pi - 1)
    k = get_kernel("relu")
    q = 1.0 - eps
    e = 1.0 - q  # exact in floating point
    ratio = (1.0 - k.kappa(q)) / (k.dkappa_at_1 * e)
    slack = ABS_NEAR1 / (k.dkappa_at_1 * e)
    assert ratio == pytest.approx(1.0, abs=0.31 * math.sqrt(e) + slack)
    assert ratio == pytest.approx(1.0 - 2.0 * math.sqrt(2.0) / (3.0 * math.pi) * math.sqrt(e), abs=e + slack)


@pytest.mark.parametrize("eps", EPS)
def test_sign_sqrt_approach_to_one(eps):
    # 1 - kappa = (2/pi) arccos q = (2 sqrt2/pi) sqrt(eps) (1 + eps/12 + ...)
    k = get_kernel("sign")
    q = 1.0 - eps
    e = 1.0 - q
    lead = 2.0 * math.sqrt(2.0) / math.pi * math.sqrt(e)
    ratio = (1.0 - k.kappa(q)) / lead
    slack = ABS_NEAR1 / lead
    assert ratio == pytest.approx(1.0 + e / 12.0, abs=e**2 + slack)
    assert ratio == pytest.approx(1.0, abs=0.1 * e + slack)


# ----------------------------------------------------------------------------- near q = 1 and the inverse
@pytest.mark.parametrize("name", ["sign", "relu", "linear", "leaky_relu", "tanh", "erf"])
def test_inverse_round_trip_and_one_minus_kappa(name):
    k = get_kernel(name)
    for q in (0.0, 0.3, 0.9, 1.0 - 1e-6, 1.0 - 1e-10):
        y = 1.0 - q
        # 1 - kappa(1 - y): the direct difference where it has no cancellation, the leading law otherwise
        if y > 1e-3:
            assert k.one_minus_kappa(y) == pytest.approx(1.0 - k.kappa(q), rel=1e-12)
        elif np.isfinite(k.dkappa_at_1):
            assert k.one_minus_kappa(y) == pytest.approx(k.dkappa_at_1 * y, rel=10 * np.sqrt(y))
        else:
            assert k.one_minus_kappa(y) == pytest.approx(2 * np.sqrt(2) / np.pi * np.sqrt(y), rel=y)
        if 0.0 < y < 1.0:
            assert k.dkappa_near_one(y) == pytest.approx(k.dkappa(q), rel=1e-6)
        back, one_minus = k.inverse(k.kappa(q), k.one_minus_kappa(y))
        assert back == pytest.approx(q, abs=1e-12)
        if y > 0.0:
            assert one_minus == pytest.approx(y, rel=1e-9 if name in ("sign", "relu", "linear", "leaky_relu") else 1e-6)
