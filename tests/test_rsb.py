"""One-step RSB for spherical weights (book: theory_capacity, one step of RSB).

References: the derivation notes behind theory_capacity (alpha_c^1RSB = 2.6642800566 at
x* = 16.635, q0* = 0.75714; the finite-delta minimisation table; the frozen-limit differences)
and exact reductions written here (q0 = q1 and m = 1 give back RS; the entropic term of the
frozen limit is known in closed form at every delta).  Printed table digits are checked to half a
unit of their last decimal.
"""

import math

import numpy as np
import pytest

from committee_lib.theory.energetic import frozen_energetic, rs_energetic, rsb_energetic
from committee_lib.theory.gaussian import legendre
from committee_lib.theory.kernels import get_kernel
from committee_lib.theory.priors import Spherical
from committee_lib.theory.rs import alpha_at, alpha_c_spherical_rs
from committee_lib.theory.rsb import alpha_c_1rsb, frozen_alpha, minimize_rsb, replicon_curvature, rsb_free_entropy

X_STAR, Q0_STAR, ALPHA_STAR = 16.635, 0.75714, 2.6642800566  # notes sec. 6


def rs_free_entropy(alpha, q, activation, margin=0.0, quad_order=64):
    """Spherical RS free entropy at overlap q (not necessarily the saddle): G_S + alpha G_E."""
    kernel = get_kernel(activation)
    _, g_s, _ = Spherical().rs_terms(q, quad_order)
    return g_s + alpha * rs_energetic(kernel.kappa(q), margin, *legendre(quad_order))[0]


def half_unit(printed):
    return 0.5 * 10.0 ** (-len(printed.split(".")[1]))


# ----------------------------------------------------------------------------- reductions to RS
@pytest.mark.parametrize("activation, alpha, q, m, margin", [
    ("relu", 1.5, 0.6, 0.3, 0.0),
    ("relu", 2.5, 0.95, 0.8, 0.0),
    ("sign", 2.0, 0.4, 0.5, 0.0),
    ("linear", 1.0, 0.7, 2.0, 0.5),   # m > 1 (large-deviation use) too
    ("erf", 1.2, 0.3, 0.05, 1.0),
])
def test_equal_overlaps_reduce_to_rs(activation, alpha, q, m, margin):
    value = rsb_free_entropy(alpha, q, q, m, activation, margin)
    assert value == pytest.approx(rs_free_entropy(alpha, q, activation, margin), abs=1e-10)


@pytest.mark.parametrize("activation, alpha, q0", [("relu", 1.5, 0.6), ("sign", 2.5, 0.5), ("linear", 1.0, 0.3)])
@pytest.mark.parametrize("q1_of", [
    lambda q0: q0 + 0.1 * (1 - q0),
    lambda q0: 0.99,
    lambda q0: 1.0 - 1e-5,
], ids=["q1-near", "q1=0.99", "q1=1-1e-5"])
def test_m_equal_one_gives_rs_at_q0(activation, alpha, q0, q1_of):
    value = rsb_free_entropy(alpha, q0, q1_of(q0), 1.0, activation)
    assert value == pytest.approx(rs_free_entropy(alpha, q0, activation), abs=1e-10)


# ----------------------------------------------------------------------------- frozen limit q1 -> 1, m = x delta
def frozen_parts(delta, x=X_STAR, q0=Q0_STAR, activation="relu", exact_tilt=False):
    """delta G_S - S and delta G_E - E at q1 = 1 - delta, m = x delta.

    exact_tilt: evaluate E with y = m/(1 - kappa(q1)) instead of its limit x/kappa'(1).
    """
    kernel = get_kernel(activation)
    nodes = legendre(64)
    q1 = 1.0 - delta
    dk1 = (1.0 - kernel.kappa(q1)) / delta if exact_tilt else kernel.dkappa_at_1
    s = Spherical.frozen_entropy(x, q0)
    e = frozen_energetic(x, kernel.kappa(q0), dk1, 0.0, *nodes)
    g_s = Spherical.rsb_entropy(q0, q1, x * delta)
    g_e = rsb_energetic(kernel.kappa(q0), kernel.kappa(q1), x * delta, 0.0, *nodes)
    return delta * g_s - s, delta * g_e - e


def test_frozen_limit_notes_differences():
    """Notes sec. 6 (i): differences -5.6e-5 (entropic) and -3.2e-5 (energetic) at delta = 1e-5."""
    ds, de = frozen_parts(1e-5)
    assert ds == pytest.approx(-5.6e-5, abs=0.05e-5)
    assert de == pytest.approx(-3.2e-5, abs=0.05e-5)


@pytest.mark.parametrize("x, q0", [(X_STAR, Q0_STAR), (2.0, 0.3), (50.0, 0.9)])
def test_frozen_entropy_exact_at_finite_delta(x, q0):
    """delta G_S = (delta ln delta)/2 + [ln(1 + x(q1-q0))/x + q0/(1 + x(q1-q0))]/2 exactly (notes sec. 6)."""
    for delta in (1e-2, 1e-4, 1e-6):
        q1 = 1.0 - delta
        c = 1.0 + x * (q1 - q0)
        exact = 0.5 * delta * math.log(delta) + 0.5 * (math.log(c) / x + q0 / c)
        assert delta * Spherical.rsb_entropy(q0, q1, x * delta) == pytest.approx(exact, abs=1e-11)
    c = 1.0 + x * (1.0 - q0)
    assert Spherical.frozen_entropy(x, q0) == pytest.approx(0.5 * (math.log(c) / x + q0 / c), rel=1e-14)


def test_frozen_limit_converges():
    """delta * F_1RSB(alpha, q0, 1-delta, x delta) -> S + alpha E, the gap shrinking ~linearly in delta.

    For ReLU the gap is delta ln delta (entropic) plus an O(delta^1.5) energetic piece coming from
    1 - kappa(1 - delta) = kappa'(1) delta (1 + O(sqrt delta)) (kappa'' diverges at 1), so the
    decrease per decade is a bit below 10 (about 6-7 for delta in [1e-6, 1e-3]); we require > 4.
    """
    kernel = get_kernel("relu")
    nodes = legendre(64)
    s = Spherical.frozen_entropy(X_STAR, Q0_STAR)
    e = frozen_energetic(X_STAR, kernel.kappa(Q0_STAR), kernel.dkappa_at_1, 0.0, *nodes)
    gaps = []
    for delta in (1e-3, 1e-4, 1e-5, 1e-6):
        total = rsb_free_entropy(ALPHA_STAR, Q0_STAR, 1.0 - delta, X_STAR * delta, "relu")
        gaps.append(abs(delta * total - (s + ALPHA_STAR * e)))
    assert gaps[-1] < 5e-5
    for big, small in zip(gaps, gaps[1:]):
        assert big > 4.0 * small, gaps


@pytest.mark.parametrize("activation, x, q0", [("relu", X_STAR, Q0_STAR), ("linear", 3.0, 0.5)])
def test_frozen_energetic_converges_linearly_with_exact_tilt(activation, x, q0):
    """With the exact tilt y = m/(1 - kappa(q1)) the energetic gap is O(delta): ~10x per decade."""
    gaps = [abs(frozen_parts(d, x, q0, activation, exact_tilt=True)[1]) for d in (1e-4, 1e-5, 1e-6, 1e-7)]
    for big, small in zip(gaps, gaps[1:]):
        assert big > 6.0 * small, gaps


# ----------------------------------------------------------------------------- 1RSB capacity
@pytest.fixture(scope="module")
def relu_frozen():
    return alpha_c_1rsb("relu")


def test_relu_1rsb_capacity(relu_frozen):
    assert relu_frozen.alpha_c == pytest.approx(ALPHA_STAR, abs=1e-8)
    assert abs(relu_frozen.x - X_STAR) <= half_unit("16.635")
    assert abs(relu_frozen.q0 - Q0_STAR) <= half_unit("0.75714")
    assert abs(relu_frozen.y - 11.340) <= half_unit("11.340")
    assert relu_frozen.y == pytest.approx(relu_frozen.x / get_kernel("relu").dkappa_at_1, rel=1e-14)
    assert relu_frozen.on_boundary is False
    # ordering of the three thresholds: AT < 1RSB < RS
    assert alpha_at("relu") < relu_frozen.alpha_c < alpha_c_spherical_rs("relu")


def test_relu_1rsb_point_is_a_stationary_minimum(relu_frozen):
    u0, q0, a0 = math.log(relu_frozen.x), relu_frozen.q0, relu_frozen.alpha_c

    def f(u, q):
        return frozen_alpha(math.exp(u), q, "relu")

    assert f(u0, q0) == pytest.approx(a0, abs=1e-14)
    for h in (1e-2, 1e-3):
        for du, dq in [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)]:
            assert f(u0 + h * du, q0 + h * dq) > a0, (h, du, dq)
    h = 1e-4
    grad_u = (f(u0 + h, q0) - f(u0 - h, q0)) / (2 * h)
    grad_q = (f(u0, q0 + h) - f(u0, q0 - h)) / (2 * h)
    curv_u = (f(u0 + h, q0) - 2 * a0 + f(u0 - h, q0)) / h**2
    curv_q = (f(u0, q0 + h) - 2 * a0 + f(u0, q0 - h)) / h**2
    # |gradient| / curvature = distance to the true stationary point
    assert abs(grad_u) / curv_u < 1e-6 and abs(grad_q) / curv_q < 1e-6


def test_frozen_alpha_recovers_rs_on_the_boundary():
    """x -> 0 or q0 -> 1 give back alpha_c^RS = 2 kappa'(1) (notes sec. 6)."""
    rs = alpha_c_spherical_rs("relu")
    assert frozen_alpha(1e-5, 0.5, "relu") == pytest.approx(rs, rel=1e-5)
    assert frozen_alpha(5.0, 1.0 - 1e-8, "relu") == pytest.approx(rs, rel=1e-8)


@pytest.mark.parametrize("margin", [0.0, 1.0])
def test_perceptron_1rsb_is_rs(margin):
    result = alpha_c_1rsb("linear", margin)
    assert result.on_boundary is True
    assert result.alpha_c == pytest.approx(alpha_c_spherical_rs("linear", margin), rel=1e-13)
    if margin == 0.0:
        assert result.alpha_c == pytest.approx(2.0, rel=1e-13)
    # alpha(x, q0) >= alpha_c^RS over the whole domain (convex problem)
    grid = [frozen_alpha(x, q0, "linear", margin) for x in np.logspace(-3, 3, 7) for q0 in np.linspace(0.0, 0.99, 6)]
    assert min(grid) >= result.alpha_c * (1.0 - 1e-8)


def test_sign_1rsb_capacity_diverges():
    assert alpha_c_1rsb("sign").alpha_c == math.inf
    assert frozen_alpha(10.0, 0.5, "sign") == math.inf


# ----------------------------------------------------------------------------- finite-delta minimisation
@pytest.fixture(scope="module")
def minimum_at_2():
    return minimize_rsb(2.0, "relu")


@pytest.mark.parametrize("key, printed", [
    ("q0", "0.70745"), ("q1", "0.86288"), ("m", "0.3207"),
    ("free_entropy", "-1.92790"), ("free_entropy_rs", "-1.92477"),
])
def test_minimize_rsb_notes_row_alpha_2(minimum_at_2, key, printed):
    assert abs(minimum_at_2[key] - float(printed)) <= half_unit(printed), (key, minimum_at_2[key])


def test_minimize_rsb_alpha_2_is_below_rs_and_consistent(minimum_at_2):
    r = minimum_at_2
    assert r["free_entropy"] < r["free_entropy_rs"] - 1e-3
    assert r["x"] == pytest.approx(r["m"] / (1.0 - r["q1"]), rel=1e-12)
    assert rsb_free_entropy(2.0, r["q0"], r["q1"], r["m"], "relu") == pytest.approx(r["free_entropy"], abs=1e-12)
    assert rs_free_entropy(2.0, r["q_rs"], "relu") == pytest.approx(r["free_entropy_rs"], abs=1e-12)


def test_minimize_rsb_alpha_1_is_rs():
    r = minimize_rsb(1.0, "relu")
    assert abs(r["free_entropy"] - r["free_entropy_rs"]) < 1e-7


# ----------------------------------------------------------------------------- replicon curvature
@pytest.fixture(scope="module")
def curvatures():
    cases = [("relu", 1.5), ("relu", 1.70), ("relu", 1.75), ("relu", 2.0), ("sign", 2.5), ("sign", 2.97), ("sign", 3.0)]
    return {case: replicon_curvature(case[1], activation=case[0]) for case in cases}


@pytest.mark.parametrize("activation, stable, unstable", [("relu", 1.70, 1.75), ("sign", 2.97, 3.0)])
def test_replicon_curvature_changes_sign_across_at(curvatures, activation, stable, unstable):
    assert curvatures[(activation, stable)]["c2"] > 0.0
    assert curvatures[(activation, unstable)]["c2"] < 0.0
    assert stable < alpha_at(activation) < unstable


@pytest.mark.parametrize("case", [("relu", 1.5), ("relu", 2.0), ("sign", 2.5)])
def test_replicon_curvature_matches_prediction(curvatures, case):
    c = curvatures[case]
    assert c["c2"] == pytest.approx(c["predicted"], rel=0.1)


@pytest.mark.parametrize("case", [("relu", 1.5), ("relu", 1.70), ("relu", 1.75), ("relu", 2.0),
                                  ("sign", 2.5), ("sign", 2.97), ("sign", 3.0)])
def test_replicon_curvature_no_linear_term(curvatures, case):
    """The RS point is a saddle point of the 1RSB functional: no linear term along the replicon."""
    assert abs(curvatures[case]["c1"]) < 1e-5
