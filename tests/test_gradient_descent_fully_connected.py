"""Gradient descent on fully connected spherical machines (committee_lib/simulation/gradient_descent.py):
the same kernel as the tree, units seeing one shared input."""

import json
import math

import numpy as np
import pytest
from scipy.special import erf

from committee_lib.errors import ParameterError
from committee_lib.simulation import gradient_descent as gd
from committee_lib.theory.fully_connected import unit_correlation

FC = "fully-connected"
G = {"relu": lambda x: np.maximum(x, 0.0), "erf": erf, "tanh": np.tanh}


def machine(act, K=4, n=6, alpha=1.0, seed=3):
    return gd.random_spherical_machine(act, K, alpha, seed, n, FC)


def test_the_units_share_one_input_without_a_copy():
    m = machine("erf", K=5, n=7, alpha=2.0)
    assert m.xi.shape == (m.p, 7) and m.p == round(2.0 * 35)
    unit = m.unit_inputs
    assert unit.shape == (m.p, 5, 7) and np.shares_memory(unit, m.xi)
    assert all(np.array_equal(unit[:, l], m.xi) for l in range(5))
    layout = gd.by_unit(unit)
    assert layout.shape == (5, 7, m.p) and layout.strides[0] == 0
    assert np.array_equal(layout, np.transpose(unit, (1, 2, 0)))


@pytest.mark.parametrize("act", ["relu", "erf", "tanh"])
def test_stabilities_are_the_normalised_output_of_units_on_the_same_input(act):
    m = machine(act, K=4, n=5, alpha=2.0)
    W = gd.initial_weights(m.K, m.n, 1)
    lam = m.xi @ W.T / np.sqrt(m.n)  # (p, K): every unit on the whole input
    s = m.sigma * (G[act](lam) @ m.c) / np.sqrt(m.K) / m.scale
    np.testing.assert_allclose(gd.stabilities(m, W), s, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("act", ["relu", "erf", "tanh"])
def test_gradient_matches_central_differences(act):
    m = machine(act, K=4, n=5, alpha=1.5, seed=2)
    W = gd.initial_weights(m.K, m.n, 5)
    loss, grad, _, _ = gd.loss_and_gradient(m, W, 0.5, 2.0)
    assert loss > 0
    h, fd = 1e-6, np.empty_like(W)
    for idx in np.ndindex(W.shape):
        up, down = W.copy(), W.copy()
        up[idx] += h
        down[idx] -= h
        fd[idx] = (gd.loss_and_gradient(m, up, 0.5, 2.0)[0] - gd.loss_and_gradient(m, down, 0.5, 2.0)[0]) / (2 * h)
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-7)  # no ReLU field within h of its kink here


@pytest.mark.parametrize("act", ["erf", "tanh"])
def test_one_unit_fully_connected_is_the_tree(act):
    tree = gd.random_spherical_machine(act, 1, 1.5, 4, 9)
    fc = gd.random_spherical_machine(act, 1, 1.5, 4, 9, FC)
    assert np.array_equal(tree.xi[:, 0, :], fc.xi) and np.array_equal(tree.sigma, fc.sigma)
    a = gd.gradient_descent(act, 1, 1.5, 4, gd.Descent(steps=200), 9)
    b = gd.gradient_descent(act, 1, 1.5, 4, gd.Descent(steps=200), 9, FC)
    assert np.array_equal(a.W, b.W) and (a.steps, a.loss, a.errors) == (b.steps, b.loss, b.errors)
    assert b.architecture == FC and b.summary()["architecture"] == FC


@pytest.mark.parametrize("act", ["relu", "erf"])
def test_loss_is_zero_exactly_when_no_pattern_is_inside_the_margin(act):
    m = machine(act, K=4, n=8, alpha=1.5, seed=2)
    teacher = gd.initial_weights(m.K, m.n, 9)
    raw = gd.stabilities(m, teacher) * m.sigma
    keep = np.abs(raw) > 1e-9
    taught = gd.SphericalMachine(act, m.K, m.n, m.xi[keep].copy(), np.where(raw[keep] > 0, 1, -1).astype(np.int8), FC)
    s = gd.stabilities(taught, teacher)
    assert np.all(s > 0)
    for margin in (s.min(), 0.5 * s.min()):
        loss, grad, _, errors = gd.loss_and_gradient(taught, teacher, margin=margin)
        assert loss == 0.0 and errors == 0 and np.all(grad == 0.0)
    assert gd.loss_and_gradient(taught, teacher, margin=s.min() * (1 + 1e-6))[0] > 0.0


def test_runs_solve_an_easy_load_deterministically_and_the_bracket_is_fully_connected():
    a = gd.gradient_descent("erf", 8, 0.5, 0, gd.Descent(steps=500), 16, FC)
    b = gd.gradient_descent("erf", 8, 0.5, 0, gd.Descent(steps=500), 16, FC)
    assert a.solved and np.array_equal(a.W, b.W) and a.summary() == b.summary()
    assert gd.training_errors(a.machine(), a.W) == 0 and a.machine().architecture == FC
    tree = gd.gradient_descent("erf", 8, 0.5, 0, gd.Descent(steps=500), 16)
    assert not np.array_equal(tree.W, a.W)  # a different machine
    bracket = gd.largest_solved_load("erf", 4, 0, gd.Descent(steps=300), 8, 0.5, 4.0, 0.1, FC)
    assert bracket.bracketed and bracket.architecture == FC
    assert gd.training_errors(bracket.machine(), bracket.W) == 0


def test_unit_overlaps_of_a_read_out_free_machine_are_the_theory_s():
    rng = np.random.default_rng(0)
    for act, K in (("relu", 6), ("erf", 5)):
        c = gd.output_weights(act, K)
        W = rng.standard_normal((K, 400))
        W = gd.on_spheres(W - np.outer(c, c @ W) / K)  # sum_k c_k w_k = 0, then rescaled to the spheres
        equal, opposite, read_out = gd.unit_overlaps(W, c)
        assert read_out < 0.05  # v = 0 up to the rescaling to the spheres
        assert equal == pytest.approx(unit_correlation(K), abs=0.03)
        if act == "relu":
            assert opposite == pytest.approx(-unit_correlation(K), abs=0.03)
        else:
            assert math.isnan(opposite)
    # read-out = sum_{k, l} c_k c_l Q_kl / K, the pair means over the right pairs, on random spheres
    c = gd.output_weights("relu", 4)
    W = gd.on_spheres(rng.standard_normal((4, 50)))
    Q = W @ W.T / 50
    equal, opposite, read_out = gd.unit_overlaps(W, c)
    assert equal == pytest.approx((Q[0, 1] + Q[2, 3]) / 2)
    assert opposite == pytest.approx((Q[0, 2] + Q[0, 3] + Q[1, 2] + Q[1, 3]) / 4)
    assert read_out == pytest.approx((np.outer(c, c) * Q).sum() / 4)


@pytest.mark.parametrize("call, name", [
    (lambda: gd.gradient_descent("erf", 4, 1.0, 0, architecture="dense"), "architecture"),
    (lambda: gd.random_spherical_machine("relu", 3, 1.0, 0, 8, FC), "even K"),
    (lambda: gd.largest_solved_load("erf", 4, 0, inputs_per_unit=0, architecture=FC), "N/K"),
    (lambda: gd.unit_overlaps(np.ones((1, 4)), np.ones(1)), "K >= 2"),
])
def test_bad_input_is_one_parameter_error_naming_it(call, name):
    with pytest.raises(ParameterError, match=name) as info:
        call()
    assert "\n" not in str(info.value)


def test_cli_learn_gd_fully_connected_round_trip(run_cli):
    status, out, _ = run_cli(["learn", "--algorithm", "gd", "--activation", "erf", "--K", "4", "--alpha", "0.5",
                              "--seed", "1", "--budget", "300", "--architecture", FC, "--inputs", "12", "--json"])
    result = json.loads(out)
    assert status == 0 and result["found_solution"] and result["architecture"] == FC
    assert result["K"] == 4 and result["n"] == 12 and result["alpha"] == 0.5
    run = gd.gradient_descent("erf", 4, 0.5, 1, gd.Descent(steps=300), 12, FC)
    assert result["steps"] == run.steps and result["loss"] == run.loss
    status, out, err = run_cli(["learn", "--algorithm", "gd", "--activation", "erf", "--K", "4", "--alpha", "0.5",
                                "--seed", "1", "--architecture", FC, "--inputs", "0", "--json"])
    assert status == 2 and out == "" and "--inputs must be a positive integer" in err and err.count("\n") == 1
