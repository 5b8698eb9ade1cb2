"""The annealing engine (committee.py, bitplanes.py, annealing.py).

- the bit-parallel incremental state equals a recomputation from scratch after random moves
  (hypothesis), and every flip reports the loss change a recomputation sees;
- detailed balance: on tiny systems the sampled histogram of all y N weights matches the exact
  Boltzmann measure of H (chi-square; fixed seeds, so deterministic), and the same samples fail
  against the measure with beta or gamma 10% off (the test has power);
- the same seed gives identical runs; final solutions are checked by a plain-numpy classifier
  written here, independent of the package.
"""

import dataclasses
import json
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit
from scipy.stats import chi2

from committee_lib.architectures import ARCHITECTURES
from committee_lib.simulation import committee
from committee_lib.simulation.annealing import (
    Schedule,
    anneal,
    build_problem,
    check_memory,
    flip,
    initial_state,
    majority,
    mean_overlap,
    memory_needed,
    metropolis_sweeps,
    ramp_at,
    replicas_around_center,
)
from committee_lib.errors import ParameterError
from committee_lib.simulation.bitplanes import from_planes, signed_bits, to_planes
from committee_lib.simulation.xoshiro import below, next_u64, uniform

QUICK = Schedule(sweeps=3000, beta0=0.2, beta1=20.0, patience=2000)


# ----------------------------------------------------------------------------- independent numpy
def plain_outputs(activation, K, xi, W):
    """sign(sum_l c_l g(h_l)) for every pattern, from the definition (paper eq. 1); 0 on a tie."""
    p, N = xi.shape
    n = N // K
    h = np.array([[xi[mu, l * n:(l + 1) * n] @ W[l * n:(l + 1) * n] for l in range(K)] for mu in range(p)])
    if activation == "sign":
        return np.sign(np.sign(h).sum(axis=1))
    c = np.where(np.arange(K) < K // 2, 1, -1)
    return np.sign(np.maximum(h, 0) @ c)


def plain_errors(activation, K, xi, sigma, W):
    return int(np.sum(plain_outputs(activation, K, xi, W) != sigma))


def plain_loss(activation, K, xi, sigma, W, architecture="tree"):
    """Hinge of the module docstring, from the integer margin computed here (tree: unit l sees its own
    slice of xi; fully connected: every unit sees all of xi)."""
    p = xi.shape[0]
    n = W.size // K
    if architecture == "tree":
        h = (xi.reshape(p, K, n) * W.reshape(K, n)).sum(axis=2)
    else:
        h = xi.astype(np.int64) @ W.reshape(K, n).T.astype(np.int64)
    if activation == "sign":
        m = sigma * np.sign(h).sum(axis=1)
    else:
        m = sigma * (np.maximum(h, 0) @ np.where(np.arange(K) < K // 2, 1, -1))
    return int(np.maximum(0, (2 - m) // 2).sum())


def tiny(activation, K, n, alpha, y, seed, architecture="tree"):
    rng = np.random.default_rng(seed)
    machine = committee.random_machine(activation, K, alpha, rng, n, architecture)
    W = (2 * rng.integers(0, 2, size=(y, machine.N)) - 1).astype(np.int8)
    problem = build_problem(machine, y)
    return machine, problem, initial_state(machine, problem, W, rng.integers(1, 2**63, size=4))


def assert_state_is_fresh(machine, problem, state):
    fresh = initial_state(machine, problem, state.W, state.rng)
    p = machine.p
    np.testing.assert_array_equal(state.E, fresh.E)
    np.testing.assert_array_equal(state.S, fresh.S)
    np.testing.assert_array_equal(from_planes(state.field, p), from_planes(fresh.field, p))
    np.testing.assert_array_equal(from_planes(state.margin, p), from_planes(fresh.margin, p))
    np.testing.assert_array_equal(state.near & problem.valid, fresh.near & problem.valid)
    np.testing.assert_array_equal(state.risk, fresh.risk)
    for a in range(state.W.shape[0]):
        assert state.E[a] == plain_loss(machine.activation, machine.K, machine.xi, machine.sigma, state.W[a],
                                        machine.architecture)


architectures = st.one_of(
    st.tuples(st.just("sign"), st.sampled_from([1, 3, 5]), st.sampled_from([1, 3, 5, 9, 13])),
    st.tuples(st.just("relu"), st.sampled_from([2, 4, 6]), st.sampled_from([2, 4, 8, 12])),
)


# ----------------------------------------------------------------------------- incremental state
@settings(max_examples=40, deadline=None)
@given(arch=architectures, layout=st.sampled_from(ARCHITECTURES), p=st.integers(1, 150),
       y=st.integers(2, 4), seed=st.integers(0, 2**32 - 1), beta=st.floats(0.05, 4.0), gamma=st.floats(0.0, 2.0),
       sweeps=st.integers(1, 4))
def test_incremental_state_equals_recomputation_after_sweeps(arch, layout, p, y, seed, beta, gamma, sweeps):
    activation, K, n = arch
    machine, problem, state = tiny(activation, K, n, p / (K * n), y, seed, layout)
    assert machine.p == p
    metropolis_sweeps(problem, state, beta, gamma, sweeps)
    assert_state_is_fresh(machine, problem, state)


@settings(max_examples=40, deadline=None)
@given(arch=architectures, layout=st.sampled_from(ARCHITECTURES), p=st.integers(1, 150),
       seed=st.integers(0, 2**32 - 1),
       moves=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 10**6)), min_size=1, max_size=30))
def test_every_flip_reports_the_recomputed_loss_change(arch, layout, p, seed, moves):
    activation, K, n = arch
    machine, problem, state = tiny(activation, K, n, p / (K * n), 3, seed, layout)
    for a, j in moves:
        j %= machine.N
        before = plain_loss(activation, K, machine.xi, machine.sigma, state.W[a], layout)
        d = flip(problem, state, a, j)
        assert d == plain_loss(activation, K, machine.xi, machine.sigma, state.W[a], layout) - before
    assert_state_is_fresh(machine, problem, state)


def test_patterns_spanning_several_blocks_and_an_exact_multiple_of_a_block():
    for alpha in (64 / 36, 512 / 36, 600 / 36, 1100 / 36):  # p = 64, 512 (one block), 600 and 1100 on N = 36
        machine, problem, state = tiny("relu", 6, 6, alpha, 3, 7)
        assert problem.Y.shape[1:] == ({64: 1, 512: 1, 600: 2, 1100: 3}[machine.p], 8)
        metropolis_sweeps(problem, state, 1.0, 0.5, 5)
        assert_state_is_fresh(machine, problem, state)


# ----------------------------------------------------------------------------- detailed balance
@njit
def sampled_histogram(problem, state, beta, gamma, samples, thin):
    """Histogram of the configuration index sum_k bit_k 2^k (bit_k = (W_flat[k] + 1) / 2)."""
    counts = np.zeros(2 ** state.W.size, np.int64)
    for _ in range(samples):
        metropolis_sweeps(problem, state, beta, gamma, thin)
        index = 0
        for k, w in enumerate(state.W.ravel()):
            if w > 0:
                index += 1 << k
        counts[index] += 1
    return counts


def exact_measure(machine, y, beta, gamma):
    """exp(-beta H) over all 2^(y N) configurations, H of eq. (H), from the plain-numpy loss."""
    N = machine.N
    configs = 1 - 2 * ((np.arange(2**N)[:, None] >> np.arange(N)) & 1 == 0)  # bit 1 -> +1
    E = np.array([plain_loss(machine.activation, machine.K, machine.xi, machine.sigma, w, machine.architecture)
                  for w in configs])
    index = np.arange(2 ** (y * N))
    parts = [(index >> (a * N)) & (2**N - 1) for a in range(y)]  # replica a = bits a N ... a N + N - 1
    S = sum(configs[part] for part in parts)
    log_w = -beta * sum(E[part] for part in parts) + np.log(np.cosh(gamma * S)).sum(axis=1)
    w = np.exp(log_w - log_w.max())
    return w / w.sum()


def chi_square_pvalue(counts, probs, min_expected=5.0):
    """Pearson chi-square, bins with expected count < min_expected pooled into one."""
    expected = probs * counts.sum()
    small = expected < min_expected
    obs, exp = counts[~small], expected[~small]
    if small.any():
        obs, exp = np.append(obs, counts[small].sum()), np.append(exp, expected[small].sum())
    stat = np.sum((obs - exp) ** 2 / exp)
    return chi2.sf(stat, obs.size - 1)


@pytest.mark.parametrize("activation, K, n, y, samples, layout", [
    ("sign", 1, 7, 2, 150_000, "tree"),   # N = 7, 2^14 configurations
    ("sign", 3, 1, 3, 50_000, "tree"),    # N = 3, committee of three single-input units, y = 3
    ("relu", 2, 4, 2, 300_000, "tree"),   # N = 8, 2^16 configurations
    ("relu", 2, 2, 3, 100_000, "tree"),   # N = 4, y = 3
    ("relu", 2, 4, 1, 100_000, "tree"),   # N = 8, y = 1: plain Metropolis on the loss
    ("sign", 3, 3, 1, 100_000, "fully-connected"),  # 9 weights, three units on the same 3 inputs
    ("relu", 2, 4, 2, 300_000, "fully-connected"),  # 8 weights, two units on the same 4 inputs, y = 2
])
def test_detailed_balance_against_exact_enumeration(activation, K, n, y, samples, layout):
    beta, gamma = 0.8, 0.5
    machine, problem, state = tiny(activation, K, n, 0.6, y, seed=2024, architecture=layout)
    counts = sampled_histogram(problem, state, beta, gamma, samples, 3)  # a sample every 3 sweeps
    assert chi_square_pvalue(counts, exact_measure(machine, y, beta, gamma)) > 1e-3
    # power: the same histogram is rejected against the measure with beta or gamma 10% off
    assert chi_square_pvalue(counts, exact_measure(machine, y, 1.1 * beta, gamma)) < 1e-6
    if y > 1:  # a single replica does not feel gamma
        assert chi_square_pvalue(counts, exact_measure(machine, y, beta, 1.1 * gamma)) < 1e-6


# ----------------------------------------------------------------------------- random numbers
def python_xoshiro256ss(state):
    """Reference xoshiro256** in plain Python integers."""
    mask = 2**64 - 1
    s = [int(x) for x in state]

    def rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & mask

    while True:
        result = rotl(s[1] * 5 & mask, 7) * 9 & mask
        t = s[1] << 17 & mask
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        yield result


def test_xoshiro_matches_a_plain_python_reference():
    seed = np.random.default_rng(5).integers(1, 2**63, size=4).astype(np.uint64)
    state = seed.copy()
    reference = python_xoshiro256ss(seed)
    assert [int(next_u64(state)) for _ in range(200)] == [next(reference) for _ in range(200)]
    assert int(next_u64(np.array([1, 2, 3, 4], np.uint64))) == 11520  # rotl(2 * 5, 7) * 9


def test_bounded_draws_are_uniform_and_uniform_is_in_unit_interval():
    state = np.array([9, 8, 7, 6], np.uint64)
    counts = np.bincount([below(state, 7) for _ in range(70_000)], minlength=7)
    assert counts.size == 7 and chi2.sf(np.sum((counts - 10_000) ** 2 / 10_000), 6) > 1e-3
    u = np.array([uniform(state) for _ in range(10_000)])
    assert u.min() >= 0.0 and u.max() < 1.0 and abs(u.mean() - 0.5) < 0.01


# ----------------------------------------------------------------------------- whole anneals
@pytest.mark.parametrize("activation, K", [("sign", 5), ("relu", 6)])
def test_final_replicas_are_solutions_for_an_independent_classifier(activation, K):
    result = anneal(activation, K, 0.4, 5, 0.85, seed=3, schedule=QUICK)
    assert result.solved and abs(result.q - 0.85) <= 0.01
    machine = result.machine()
    xi, sigma = machine.xi.astype(np.int64), machine.sigma
    for a in range(result.y):
        assert plain_errors(activation, K, xi, sigma, result.W[a].astype(np.int64)) == 0
    assert result.replica_errors == [0] * result.y
    assert result.center_errors == plain_errors(activation, K, xi, sigma, result.reference.astype(np.int64))
    W = result.W.astype(np.int64)
    q = ((W @ W.T).sum() - W.size) / (W.shape[1] * result.y * (result.y - 1))
    assert q == pytest.approx(result.q, abs=1e-12)


@pytest.mark.parametrize("activation, K", [("sign", 5), ("relu", 6)])
def test_a_single_replica_anneals_to_a_solution_without_overlap_feedback(activation, K):
    result = anneal(activation, K, 0.4, 1, 0.85, seed=4, schedule=QUICK)
    assert result.solved and result.replica_errors == [0] and result.q == 1.0
    assert result.gamma == QUICK.checked(0.85).gamma0  # no feedback without a second replica
    np.testing.assert_array_equal(result.reference, result.W[0])
    machine = result.machine()
    assert plain_errors(activation, K, machine.xi.astype(np.int64), machine.sigma, result.W[0].astype(np.int64)) == 0


def test_same_seed_same_run_other_seed_other_run():
    first = anneal("relu", 4, 0.5, 4, 0.8, seed=11, schedule=QUICK)
    second = anneal("relu", 4, 0.5, 4, 0.8, seed=11, schedule=QUICK)
    other = anneal("relu", 4, 0.5, 4, 0.8, seed=12, schedule=QUICK)
    assert first.summary() == second.summary()
    np.testing.assert_array_equal(first.W, second.W)
    np.testing.assert_array_equal(first.reference, second.reference)
    assert not np.array_equal(first.W, other.W)


def test_a_run_that_does_not_finish_is_reported_unsolved_with_its_state():
    result = anneal("sign", 7, 0.8, 4, 0.85, seed=1, schedule=Schedule(sweeps=2, beta0=0.1, beta1=0.2, patience=0))
    assert not result.solved and result.sweeps == 2
    assert sum(result.replica_errors) > 0
    machine = result.machine()
    assert result.replica_errors == [plain_errors("sign", 7, machine.xi.astype(np.int64), machine.sigma, w)
                                     for w in result.W.astype(np.int64)]


def test_majority_reference_breaks_ties_with_the_generator():
    W = np.array([[1, 1, -1, 1], [1, -1, -1, -1]], np.int8)
    ref = majority(W, np.random.default_rng(0))
    assert ref[0] == 1 and ref[2] == -1 and set(ref[[1, 3]]) <= {-1, 1}
    np.testing.assert_array_equal(ref, majority(W, np.random.default_rng(0)))
    draws = {tuple(majority(W, np.random.default_rng(s))[[1, 3]]) for s in range(20)}
    assert len(draws) > 1


def test_default_gamma0_gives_the_starting_overlap_at_beta_zero():
    schedule = Schedule(q_start=0.4).checked(0.85)
    assert math.tanh(schedule.gamma0) ** 2 == pytest.approx(0.4)
    W = replicas_around_center(np.random.default_rng(0), 20, 20000, schedule.gamma0)
    assert mean_overlap(W.sum(axis=0).astype(np.int64), 20) == pytest.approx(0.4, abs=0.01)
    assert Schedule(q_start=0.9).checked(0.85).q_start == 0.85  # never above q1


def test_the_overlap_target_scopes_from_q_start_to_q1_and_beta_is_geometric():
    assert ramp_at(0, 0.5, 0.85, 101.0, False) == 0.5
    assert ramp_at(50, 0.5, 0.85, 101.0, False) == pytest.approx(0.675)
    assert ramp_at(100, 0.5, 0.85, 101.0, False) == ramp_at(500, 0.5, 0.85, 101.0, False) == 0.85
    assert ramp_at(50, 0.2, 20.0, 101.0, True) == pytest.approx(2.0)
    # q_shape = 1/4: the target rises early, (t / T)^(1/4) of the way at sweep t
    assert ramp_at(0, 0.05, 0.85, 10001.0, False, 0.25) == 0.05
    assert ramp_at(625, 0.05, 0.85, 10001.0, False, 0.25) == pytest.approx(0.05 + 0.8 * 0.5)
    assert ramp_at(10000, 0.05, 0.85, 10001.0, False, 0.25) == 0.85


def test_the_schedule_shape_is_checked_and_reaches_the_kernel():
    for bad in (0.0, -1.0, 1.5):
        with pytest.raises(ParameterError, match=r"schedule.q_shape.*\(0, 1\]"):
            Schedule(q_shape=bad).checked(0.85)
    assert Schedule(q_shape=0.25).checked(0.85).ramp(0.85)[-1] == 0.25
    # a different shape is a different anneal: same seed, other path (end state and coupling)
    a = anneal("relu", 4, 0.4, 3, 0.8, seed=2, schedule=QUICK)
    b = anneal("relu", 4, 0.4, 3, 0.8, seed=2, schedule=dataclasses.replace(QUICK, q_shape=0.25))
    assert not np.array_equal(a.W, b.W) and a.gamma != b.gamma


@pytest.mark.parametrize("args", [
    ("sign", 4, 0.4, 3, 0.8),    # sign needs odd K
    ("relu", 5, 0.4, 3, 0.8),    # relu needs even K
    ("tanh", 4, 0.4, 3, 0.8),
    ("relu", 4, 0.0, 3, 0.8),
    ("relu", 4, 0.4, 0, 0.8),    # y >= 1
    ("relu", 4, 0.4, 3, 1.0),    # q1 < 1
])
def test_bad_parameters_raise(args):
    with pytest.raises(ParameterError):
        anneal(*args, seed=0, schedule=QUICK)


def test_relu_needs_even_inputs_per_unit_and_sign_odd():
    with pytest.raises(ParameterError, match="N/K"):
        anneal("relu", 4, 0.4, 3, 0.8, seed=0, inputs_per_unit=5)
    with pytest.raises(ParameterError, match="N/K"):
        anneal("sign", 3, 0.4, 3, 0.8, seed=0, inputs_per_unit=4)


# ----------------------------------------------------------------------------- command line
def test_cli_anneal_prints_the_run_as_json(run_cli):
    status, out, _ = run_cli(["anneal", "--activation", "relu", "--K", "6", "--alpha", "0.4", "--y", "4",
                              "--q1", "0.85", "--seed", "1", "--sweeps", "1500", "--json"])
    assert status == 0
    result = json.loads(out)
    assert {"solved", "q", "sweeps", "replica_errors", "center_errors"} <= set(result)
    run = anneal("relu", 6, 0.4, 4, 0.85, seed=1, schedule=Schedule(sweeps=1500))
    assert {k: result[k] for k in run.summary()} == run.summary()
    assert result["solved"] and result["replica_errors"] == [0, 0, 0, 0]
    # the sample's moments, from the definition: stability = sigma sum_l c_l relu(h_l) / sqrt(n K)
    machine = run.machine()
    h = np.einsum("ali,mli->alm", run.W.reshape(4, 6, 6).astype(float), machine.xi.reshape(-1, 6, 6))
    c = np.repeat([1.0, -1.0], 3)
    replicas = machine.sigma * np.einsum("l,alm->am", c, np.maximum(h, 0)) / 6.0
    h_ref = np.einsum("li,mli->lm", run.reference.reshape(6, 6).astype(float), machine.xi.reshape(-1, 6, 6))
    reference = machine.sigma * (c @ np.maximum(h_ref, 0)) / 6.0
    assert result["replica_stability_mean"] == pytest.approx(replicas.mean(), abs=1e-12)
    assert result["replica_stability_var"] == pytest.approx(replicas.var(), abs=1e-12)
    assert result["reference_stability_mean"] == pytest.approx(reference.mean(), abs=1e-12)
    assert result["reference_stability_var"] == pytest.approx(reference.var(), abs=1e-12)
    assert result["reference_error_fraction"] == np.mean(reference <= 0)
    assert replicas.min() > 0  # every replica is a solution


def test_one_unit_fully_connected_is_the_tree_and_more_units_share_the_inputs():
    tree = anneal("sign", 1, 0.6, 3, 0.85, seed=4, schedule=Schedule(sweeps=800), inputs_per_unit=9)
    full = anneal("sign", 1, 0.6, 3, 0.85, seed=4, schedule=Schedule(sweeps=800), inputs_per_unit=9,
                  architecture="fully-connected")
    np.testing.assert_array_equal(tree.W, full.W)  # K = 1: the perceptron either way, the same chain
    run = anneal("relu", 4, 0.3, 3, 0.85, seed=2, schedule=Schedule(sweeps=1500, tolerance=0.05), inputs_per_unit=6,
                 architecture="fully-connected")  # q moves in steps of 1/18 here: a band of 0.01 may hold none
    machine = run.machine()
    assert machine.xi.shape == (round(0.3 * 24), 6) and run.W.shape == (3, 24)  # load per weight, 6 inputs
    assert run.solved and machine.architecture == "fully-connected"
    h = np.einsum("ali,mi->alm", run.W.reshape(3, 4, 6).astype(int), machine.xi.astype(int))
    m = machine.sigma * np.einsum("l,alm->am", np.array([1, 1, -1, -1]), np.maximum(h, 0))
    assert (m > 0).all()  # every replica classifies the training set, fields from the shared inputs


def test_cli_anneal_fully_connected(run_cli):
    args = ["anneal", "--activation", "sign", "--K", "3", "--alpha", "0.4", "--y", "5", "--q1", "0.85", "--seed", "1",
            "--sweeps", "1500", "--architecture", "fully-connected", "--inputs", "11", "--json"]
    status, out, _ = run_cli(args)
    result = json.loads(out)
    run = anneal("sign", 3, 0.4, 5, 0.85, seed=1, schedule=Schedule(sweeps=1500), inputs_per_unit=11,
                 architecture="fully-connected")
    assert status == 0 and {k: result[k] for k in run.summary()} == run.summary()
    assert result["architecture"] == "fully-connected" and result["n"] == 11
    status, _, err = run_cli(args[:-5] + ["--inputs", "8", "--json"])  # a tree of K = 3 needs a multiple of 3
    assert status == 2 and "--inputs must be a positive integer multiple of K" in err


def test_cli_anneal_bad_parameter_exits_2(run_cli):
    status, _, err = run_cli(["anneal", "--activation", "relu", "--K", "5", "--alpha", "0.4", "--y", "4",
                              "--q1", "0.85", "--seed", "1", "--json"])
    assert status == 2
    assert "K and N/K even" in err


def test_cli_anneal_unsolved_run_exits_1_and_still_prints_its_state(run_cli):
    status, out, _ = run_cli(["anneal", "--activation", "sign", "--K", "7", "--alpha", "0.8", "--y", "4",
                              "--q1", "0.85", "--seed", "1", "--sweeps", "1", "--json"])
    result = json.loads(out)
    assert status == 1 and not result["solved"] and sum(result["replica_errors"]) > 0


def test_cli_anneal_refuses_a_size_that_does_not_fit_in_memory(run_cli):
    # K = 20000: N = 4e8 inputs and 1.6e8 patterns, some 1e18 bytes; numpy used to end in a MemoryError
    status, out, err = run_cli(["anneal", "--activation", "relu", "--K", "20000", "--alpha", "0.4", "--y", "20",
                                "--q1", "0.85", "--seed", "0", "--json"])
    assert status == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert re.search(r"K = 20000 needs about .* GiB .* K must be even, from 2 to \d+ here", lines[0])


def test_the_memory_guard_allows_exactly_the_sizes_that_fit():
    available = memory_needed(33, 33, 0.4, 20) + 1  # the paper's sign machine just fits
    check_memory("sign", 33, 0.4, 20, available=available)
    with pytest.raises(ParameterError, match=r"K = 35 .* K must be odd, from 1 to 33 here"):
        check_memory("sign", 35, 0.4, 20, available=available)
    with pytest.raises(ParameterError, match=r"K = 36 .* K must be even, from 2 to 32 here"):
        check_memory("relu", 36, 0.4, 20, available=memory_needed(33, 33, 0.4, 20))
    with pytest.raises(ParameterError, match=r"y = 10\d* replicas .* lower y"):
        check_memory("sign", 3, 0.4, 10**12, available=available)
    # the estimate bounds what numpy really allocates to set up and check an anneal, whether the
    # patterns (p N) or the fields (y K p) dominate
    import tracemalloc

    for activation, K, y in (("sign", 33, 20), ("relu", 64, 4), ("sign", 15, 100)):
        args = (activation, K, 0.4, y, 0.85, 0, Schedule(sweeps=1, patience=0))
        anneal(*args)  # kernels compiled or loaded before measuring
        tracemalloc.start()
        anneal(*args)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert 0.3 * memory_needed(K, K, 0.4, y) <= peak <= memory_needed(K, K, 0.4, y)


def test_signed_planes_round_trip_at_the_ends_of_their_range():
    for low, high in ((-17, 16), (-16, 16), (-257, 255), (0, 0), (-1, 0)):
        bits = signed_bits(low, high)
        values = np.array([[low, high, 0, -1 if low < 0 else 0] * 40])
        np.testing.assert_array_equal(from_planes(to_planes(values, bits), values.shape[-1]), values)
        for outside in (1 << (bits - 1), -(1 << (bits - 1)) - 1):
            with pytest.raises(ValueError):
                to_planes(np.array([outside]), bits)
