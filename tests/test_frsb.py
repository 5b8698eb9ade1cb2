"""Full RSB (committee_lib/theory/frsb.py): the extrapolation in K, the capacity's budget, the AT branch point."""

import math

import numpy as np
import pytest

from committee_lib.errors import ConvergenceError, ParameterError
from committee_lib.theory import frsb
from committee_lib.theory.frsb import alpha_c_frsb, branch_point, power_law_limit
from committee_lib.theory.parisi import solve_parisi
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


# ----------------------------------------------------------------------------- what the chapter reports
def test_capacity_ladder_and_limit_table_of_relu(relu_frsb):
    ladder = frsb.capacity_ladder(alpha_c_spherical_rs("relu"), relu_frsb.kstep, relu_frsb)
    assert ladder.alphas[1:4] == relu_frsb.alphas[:3] and ladder.alphas[-1] == relu_frsb.alpha_c
    assert ladder.ordered and all(c < 0 for c in ladder.changes)
    assert ladder.changes[0] == 100 * (relu_frsb.alphas[0] / alpha_c_spherical_rs("relu") - 1)
    assert not frsb.CapacityLadder((2.0, 1.9, 1.95, 1.8, 1.7), 1e-3).ordered
    rows = frsb.limit_table(relu_frsb)
    assert [r[0] for r in rows] == list(relu_frsb.steps) and rows[0][2] == "nested" and math.isnan(rows[0][3])
    assert rows[-1][4] == pytest.approx(relu_frsb.alpha_c, abs=1e-12)  # the estimate: the limit through the last three K
    assert rows[-1][5] == pytest.approx(relu_frsb.exponent)
    assert frsb.within_errors(relu_frsb, relu_frsb)


def test_staircase_path_steps_between_the_breakpoints():
    xs, ys = frsb.staircase_path(np.array([0.2, 0.5]), np.array([1.0, 2.0]))
    a, b, c = -np.log1p(-np.array([0.2, 0.5, 1 - 1e-6]))
    np.testing.assert_allclose(xs, [a, b, b, c])
    np.testing.assert_array_equal(ys, [1.0, 1.0, 2.0, 2.0])


def test_finite_load_solutions_continue_from_the_highest_load():
    sols = frsb.finite_load_solutions((2.1, 2.4), 4, activation="relu", margin=0.0)
    assert list(sols) == [2.4, 2.1]
    assert sols[2.4].free_entropy == solve_parisi(2.4, "relu", 0.0, 4).free_entropy  # the first has no start
    for sol in sols.values():
        assert sol.free_entropy <= sol.free_entropy_rs + 1e-9
    assert frsb.minima_ordered(-1.0, -0.5, 0.0) and not frsb.minima_ordered(-0.5, -1.0, 0.0)


def test_margin_scan_summaries():
    nan = math.nan
    scan = np.array([[-1.0, 3.0, 1.0, 2.8, 2.7, 1e-3], [-0.5, 2.5, 1.5, 2.45, nan, nan], [0.0, 2.0, 2.5, 2.0, 2.0, 0.0]])
    gain, margin = frsb.largest_rsb_gain(scan)
    assert gain == pytest.approx(10.0) and margin == -1.0
    assert frsb.rs_exact_at_nonnegative_margins(scan)
    scan[2, 4] = 1.99
    assert not frsb.rs_exact_at_nonnegative_margins(scan)
