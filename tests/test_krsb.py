"""k-step RSB capacity in the jamming limit (committee_lib/theory/krsb.py) and negative margins."""

import math

import numpy as np
import pytest

from committee_lib.theory.energetic import frozen_energetic, krsb_energetic
from committee_lib.errors import ParameterError
from committee_lib.theory.gaussian import legendre
from committee_lib.theory.kernels import get_kernel
from committee_lib.theory.krsb import alpha_c_krsb, alpha_c_krsb_sequence, krsb_alpha
from committee_lib.theory.priors import Spherical
from committee_lib.theory.rs import alpha_at, alpha_c_spherical_rs, gardner_integral
from committee_lib.theory.rsb import alpha_c_1rsb


@pytest.fixture(scope="module")
def relu_steps():
    return alpha_c_krsb_sequence("relu", 3)


# ---------------------------------------------------------------- the functional and its reductions
def test_one_step_energetic_is_the_1rsb_one():
    kernel = get_kernel("relu")
    for x, q0 in [(16.6, 0.757), (0.3, 0.1), (300.0, 0.95)]:
        e1 = frozen_energetic(x, kernel.kappa(q0), kernel.dkappa_at_1, 0.0, *legendre(64))
        ek = krsb_energetic(np.array([kernel.kappa(q0)]), np.array([x]), kernel.dkappa_at_1, 0.0, *legendre(64))
        assert ek == e1


def test_one_step_entropy_is_the_1rsb_one():
    for x, q0 in [(16.6, 0.757), (0.01, 0.0), (1e3, 0.99)]:
        assert Spherical.krsb_entropy((q0,), (x,)) == pytest.approx(Spherical.frozen_entropy(x, q0), rel=1e-14)


@pytest.mark.parametrize("activation", ["relu", "erf"])
def test_degenerate_steps_reduce_to_fewer_steps(activation):
    # q_1 = q_0: the lower step is empty, only r_2 survives; r_1 = r_2: the two steps merge
    one = krsb_alpha((0.7,), (20.0,), activation, quad_order=64)
    assert krsb_alpha((0.7, 0.7), (5.0, 20.0), activation, quad_order=64) == pytest.approx(one, abs=1e-12)
    assert krsb_alpha((0.7, 0.9), (20.0, 20.0), activation, quad_order=64) == pytest.approx(one, abs=1e-10)
    three = krsb_alpha((0.7, 0.9, 0.9), (20.0, 20.0, 20.0), activation, quad_order=48)
    assert three == pytest.approx(one, abs=1e-9)


def test_quadrature_converges_at_a_three_step_point():
    q, r = (0.676, 0.949, 0.9967), (33.5, 92.0, 654.0)
    values = [krsb_alpha(q, r, "relu", quad_order=n) for n in (32, 48, 64)]
    assert abs(values[0] - values[2]) < 1e-7 and abs(values[1] - values[2]) < 1e-11


# ---------------------------------------------------------------- capacities
def test_one_step_is_todays_1rsb_value(relu_steps):
    one = relu_steps[0]
    assert one.k == 1 and one.converged
    assert one.alpha_c == pytest.approx(alpha_c_1rsb("relu").alpha_c, abs=1e-10)
    assert one.q[0] == pytest.approx(0.75714, abs=1e-4) and one.r[0] == pytest.approx(16.635, abs=1e-2)


def test_relu_steps_lower_the_capacity(relu_steps):
    alphas = [alpha_c_spherical_rs("relu")] + [s.alpha_c for s in relu_steps]
    assert all(a > b + 1e-4 for a, b in zip(alphas, alphas[1:]))  # RS > 1RSB > 2RSB > 3RSB
    assert relu_steps[1].alpha_c == pytest.approx(2.6532742, abs=2e-7)
    assert relu_steps[2].alpha_c == pytest.approx(2.6514850, abs=2e-6)
    for s in relu_steps:
        assert s.converged and s.quadrature_error < 1e-7 and s.gradient < 1e-5
        assert all(np.diff(s.q) > 0) and all(np.diff(s.r) > 0) and 0 < s.q[0] and s.q[-1] < 1


def test_three_step_point_is_a_local_minimum(relu_steps):
    three = relu_steps[2]
    best = krsb_alpha(three.q, three.r, "relu")
    rng = np.random.default_rng(0)
    for _ in range(6):
        q = np.array(three.q) + 2e-3 * rng.standard_normal(3) * (1 - np.array(three.q))
        r = np.array(three.r) * np.exp(2e-2 * rng.standard_normal(3))
        assert krsb_alpha(np.sort(q), np.sort(r), "relu") > best


@pytest.mark.parametrize("activation", ["erf", "tanh"])
def test_smooth_activations_order_rs_1rsb_2rsb(activation):
    one, two = alpha_c_krsb_sequence(activation, 2)
    assert alpha_c_spherical_rs(activation) > one.alpha_c > two.alpha_c
    assert one.alpha_c == pytest.approx(alpha_c_1rsb(activation).alpha_c, abs=1e-10)


@pytest.mark.parametrize("margin", [0.0, 0.5, 1.5])
def test_perceptron_at_nonnegative_margin_is_rs(margin):
    # convex problem: every k collapses onto Gardner's RS capacity 1/J(k)
    for step in alpha_c_krsb_sequence("linear", 3, margin):
        assert step.alpha_c == pytest.approx(1.0 / gardner_integral(margin), rel=1e-12) and not step.q


def test_sign_capacity_diverges():
    assert alpha_c_krsb("sign", 2).alpha_c == math.inf
    with pytest.raises(ParameterError, match="kappa'\\(1\\) = inf"):
        krsb_alpha((0.5,), (1.0,), "sign")


# ---------------------------------------------------------------- negative margins
def test_negative_perceptron_breaks_replica_symmetry():
    margin = -1.0
    rs = 1.0 / gardner_integral(margin)
    assert alpha_c_spherical_rs("linear", margin) == pytest.approx(13.2732, abs=1e-4)
    assert alpha_at("linear", "spherical", margin) == pytest.approx(7.87356, abs=1e-5)  # RS unstable far below
    one, two = alpha_c_krsb_sequence("linear", 2, margin)
    assert rs > one.alpha_c > two.alpha_c > alpha_at("linear", "spherical", margin)
    assert one.alpha_c == pytest.approx(alpha_c_1rsb("linear", margin).alpha_c, abs=1e-9)


def test_gardner_integral_at_negative_margin_by_quadrature():
    z, w = np.polynomial.legendre.leggauss(400)
    for k in (-2.0, -1.0, -0.3, 0.0, 0.7):
        t = -k + 0.5 * (z + 1.0) * (12.0 + k)  # [-k, 12]
        integral = 0.5 * (12.0 + k) * np.sum(w * (t + k) ** 2 * np.exp(-0.5 * t * t)) / math.sqrt(2 * math.pi)
        assert gardner_integral(k) == pytest.approx(integral, rel=1e-12)


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("call, match", [
    (lambda: alpha_c_krsb("relu", 4), r"k \(number of RSB steps\) must be an integer in \[1, 3\]"),
    (lambda: alpha_c_krsb("relu", 2, margin=-3.0), r"margin must lie in \[-2, 4\]"),
    (lambda: krsb_alpha((0.9, 0.5), (1.0, 2.0)), "overlaps q must satisfy"),
    (lambda: krsb_alpha((0.5, 0.9), (2.0, 1.0)), "r must satisfy"),
    (lambda: krsb_alpha((0.5,), (1.0, 2.0)), "needs 1 <= k <= 3"),
])
def test_bad_input_names_the_parameter(call, match):
    with pytest.raises(ParameterError, match=match):
        call()
