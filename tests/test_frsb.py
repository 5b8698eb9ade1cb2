"""Full RSB (committee_lib/theory/frsb.py): the extrapolation in K, the capacity's budget, the AT branch point."""

import math

import numpy as np
import pytest

from committee_lib.errors import ConvergenceError, ParameterError
from committee_lib.theory.frsb import alpha_c_frsb, branch_point, power_law_limit
from committee_lib.theory.kernels import ACTIVATIONS, get_kernel
from committee_lib.theory.krsb import alpha_c_krsb_sequence
from committee_lib.theory.rs import alpha_at, alpha_c_spherical_rs


def test_power_law_limit_recovers_a_known_law():
    ks = (4, 6, 8)
    limit, amplitude, p = power_law_limit(ks, [2.5 + 0.3 * k ** -2.7 for k in ks])
    assert (limit, amplitude, p) == pytest.approx((2.5, 0.3, 2.7), rel=1e-9)


def test_power_law_limit_refuses_a_non_decreasing_sequence():
    with pytest.raises(ConvergenceError):
        power_law_limit((4, 6, 8), (2.65, 2.64, 2.645))


def test_fewer_steps_than_four_are_refused():
    with pytest.raises(ParameterError, match="steps"):
        alpha_c_frsb("relu", steps=(3,))


def test_perceptron_at_non_negative_margin_is_rs():
    result = alpha_c_frsb("linear", 0.5)
    assert result.alpha_c == pytest.approx(alpha_c_spherical_rs("linear", 0.5), rel=1e-12) and result.error == 0.0


def test_sign_diverges():
    assert alpha_c_frsb("sign").alpha_c == math.inf


@pytest.fixture(scope="module")
def relu_frsb():
    return alpha_c_frsb("relu", steps=(4, 5, 6))


def test_relu_full_rsb_lies_below_every_k_step_value(relu_frsb):
    three = alpha_c_krsb_sequence("relu", 3)[-1].alpha_c
    assert relu_frsb.alphas[2] == three
    assert all(b < a for a, b in zip(relu_frsb.alphas, relu_frsb.alphas[1:]))
    assert relu_frsb.alpha_c < relu_frsb.upper_bound < three
    assert 0 < relu_frsb.error < 1e-3 and relu_frsb.grid_error < 1e-9


@pytest.mark.parametrize("activation, margin", [("erf", 0.0), ("linear", -1.0)])
def test_full_rsb_lies_below_three_steps(activation, margin):
    # a smooth activation, and the non-convex perceptron where RS is unstable below its capacity
    result = alpha_c_frsb(activation, margin, (4,))
    assert all(b < a for a, b in zip(result.alphas, result.alphas[1:]))
    assert result.alpha_c < result.upper_bound == result.alphas[-1] < alpha_c_spherical_rs(activation, margin)
    assert 0 < result.error < 1e-3 * result.alpha_c and 1.5 < result.exponent < 5


def test_relu_branch_point_is_the_at_line():
    # an independent route to alpha_AT: where the continuous part of x(q) shrinks to nothing
    at = alpha_at("relu", "spherical", 0.0)
    root, widths = branch_point("relu", [at + d for d in (0.005, 0.01, 0.02)])
    assert np.all(np.diff(widths) > 0)
    assert root == pytest.approx(at, abs=1e-4)


FINITE_CAPACITY = sorted(name for name in ACTIVATIONS if math.isfinite(get_kernel(name).dkappa_at_1))


@pytest.mark.parametrize("activation", [name for name in FINITE_CAPACITY if name not in ("relu", "linear")])
def test_every_finite_capacity_activation_orders_rs_1rsb_2rsb_3rsb_frsb(activation):
    # RS >= 1RSB >= 2RSB >= 3RSB >= fRSB: each step is a minimum over a larger family (eq. T33 limit
    # within its error); relu and the perceptron have their own tests above
    result = alpha_c_frsb(activation, 0.0, (4,))
    chain = [alpha_c_spherical_rs(activation, 0.0), *result.alphas[:3], result.alpha_c - result.error]
    assert all(b <= a for a, b in zip(chain, chain[1:])), chain
    assert result.alphas[0] < chain[0]  # one step breaks RS: the kernel is not linear
