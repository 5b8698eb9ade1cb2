"""The Parisi functional on the h-grid (committee_lib/theory/parisi.py): reductions, gradients, routes."""

import math

import numpy as np
import pytest
from scipy.special import log_ndtr, logsumexp

from committee_lib.errors import ParameterError
from committee_lib.theory.kernels import get_kernel
from committee_lib.theory.krsb import krsb_alpha
from committee_lib.theory.parisi import JammingFunctional, ParisiFunctional, discrete_gaussian, refine_steps
from committee_lib.theory.priors import Spherical
from committee_lib.theory.rs import rs_point
from committee_lib.theory.rsb import rsb_free_entropy


# ---------------------------------------------------------------- finite load
def test_one_step_is_the_1rsb_free_entropy():
    functional = ParisiFunctional("relu", 2.0, steps=1)
    assert functional(0.70745, 0.86288, [0.3207]) == pytest.approx(
        rsb_free_entropy(2.0, 0.70745, 0.86288, 0.3207, "relu"), abs=1e-12)


@pytest.mark.parametrize("steps", [4, 16])
def test_constant_x_is_one_step(steps):
    # Gaussian steps with one Parisi parameter compose into a single 1RSB step
    functional = ParisiFunctional("relu", 2.0, steps=steps)
    assert functional(0.70745, 0.86288, [0.3207] * steps) == pytest.approx(
        rsb_free_entropy(2.0, 0.70745, 0.86288, 0.3207, "relu"), abs=1e-12)


@pytest.mark.parametrize("activation", ["relu", "erf"])
def test_x_equal_to_one_is_rs(activation):
    # m = 1 everywhere: the states carry no weight and F is the RS free entropy at q_m
    functional = ParisiFunctional(activation, 1.5, steps=8)
    q = 0.6
    rs = rs_point(q, activation)
    expected = 0.5 * math.log1p(-q) + 0.5 * q / (1 - q) + 1.5 * rs.energetic
    assert functional(q, 0.9, [1.0] * 8) == pytest.approx(expected, abs=1e-12)


def test_finite_load_gradient_matches_differences():
    functional = ParisiFunctional("relu", 2.0, steps=5)
    x = np.array([0.65, 0.9, 0.1, 0.2, 0.3, 0.4, 0.5])
    _, grad = functional(x[0], x[1], x[2:], gradient=True)
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = 1e-6
        numeric = (functional((x + e)[0], (x + e)[1], (x + e)[2:]) - functional((x - e)[0], (x - e)[1], (x - e)[2:])) / 2e-6
        assert grad[i] == pytest.approx(numeric, rel=1e-5, abs=1e-9)


# ---------------------------------------------------------------- jamming limit
@pytest.mark.parametrize("q, r", [((0.757,), (16.6,)), ((0.6966, 0.9807), (23.79, 132.6)),
                                  ((0.6761, 0.9494, 0.99668), (33.49, 91.97, 653.8))])
def test_grid_and_nested_quadrature_agree(q, r):
    grid = JammingFunctional("relu", spacing=0.01).alpha(np.array(q), np.array(r))
    assert grid == pytest.approx(krsb_alpha(q, r, "relu", quad_order=64), abs=1e-9)


def test_grid_at_a_large_tilt_against_brute_force():
    # r_1 / r_2 close to 1 with large r: the tilted peak sits far from the bare Gaussian window
    kernel = get_kernel("relu")
    q, r = (0.9773, 0.99576), (81.85, 100.0)
    k0, k1 = kernel.kappa(q[0]), kernel.kappa(q[1])
    s1, sl, y, rho = math.sqrt(k1 - k0), math.sqrt(1 - k1), r[1] / kernel.dkappa_at_1, r[0] / r[1]
    c = 1 + y * sl * sl

    def ln_j(a):
        return np.logaddexp(log_ndtr(a / sl), -y * a * a / (2 * c) - 0.5 * np.log(c) + log_ndtr(-a / (sl * np.sqrt(c))))

    z = np.linspace(-40, 40, 160001)
    lw = -0.5 * z * z - 0.5 * np.log(2 * np.pi) + np.log(z[1] - z[0])
    z0 = np.linspace(-12, 12, 2401)
    w0 = np.exp(-0.5 * z0 ** 2) / np.sqrt(2 * np.pi) * (z0[1] - z0[0])
    e = (w0 * np.array([logsumexp(lw + rho * ln_j(np.sqrt(k0) * a + s1 * z)) for a in z0])).sum() / r[0]
    brute = Spherical.krsb_entropy(q, r) / -e
    assert JammingFunctional("relu", spacing=0.01).alpha(np.array(q), np.array(r)) == pytest.approx(brute, abs=1e-8)


def test_jamming_gradient_matches_differences():
    functional = JammingFunctional("relu", spacing=0.01)
    q, r = np.array([0.68, 0.95, 0.997]), np.array([33.0, 92.0, 650.0])
    _, grad = functional(q, r)
    x = np.concatenate([q, r])
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = 1e-7 if i < 3 else 1e-6 * x[i]
        numeric = (functional.alpha((x + e)[:3], (x + e)[3:]) - functional.alpha((x - e)[:3], (x - e)[3:])) / (2 * e[i])
        assert grad[i] == pytest.approx(numeric, rel=2e-4)


# ---------------------------------------------------------------- pieces
@pytest.mark.parametrize("v", [1e-6, 3e-5, 4e-4, 0.01, 0.3])
def test_discrete_gaussian_has_the_exact_variance(v):
    spacing = 0.01
    u, log_z, n = discrete_gaussian(v, spacing)
    l = np.arange(-n, n + 1) * spacing
    w = np.exp(-0.5 * l * l / u - log_z)
    assert w.sum() == pytest.approx(1.0, abs=1e-14)
    assert (w * l * l).sum() == pytest.approx(v, rel=1e-10)


def test_refined_steps_keep_the_staircase():
    q, r = refine_steps((0.68, 0.95, 0.997), (33.0, 92.0, 650.0), 8)
    assert len(q) == len(r) == 8 and np.all(np.diff(q) > 0) and np.all(np.diff(r) > 0)
    assert set(np.round([0.68, 0.95, 0.997], 12)) <= set(np.round(q, 12))


def test_bad_input():
    with pytest.raises(ParameterError, match="steps must be an integer in \\[1, 400\\]"):
        ParisiFunctional("relu", 2.0, steps=0)
    with pytest.raises(ParameterError, match="kappa'\\(1\\) = inf"):
        JammingFunctional("sign")
    with pytest.raises(ParameterError, match="spacing must lie in"):
        JammingFunctional("relu", spacing=0.5)
