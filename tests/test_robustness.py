"""Input and weight noise (robustness.py; paper Fig. 3 right).

- brute force: the orders the kernels draw are replayed (perturbation_orders), every perturbed
  pattern or weight vector is built explicitly and classified by a plain-numpy classifier written
  here (independent of the package); the counts match exactly, for both activations;
- the draws: distinct positions, uniform ordered pairs (chi-square), round(eta N) flips;
- exact limits: eta = 0 and f = 0 give the training error; eta = 1 and f = 1 negate every field,
  which inverts a sign network and gives a ReLU network its error on the negated patterns;
- common random numbers (a vector in a stack sees what it sees alone), level order and
  duplicates, seeds, the error rising with eta on annealed solutions, bad parameters;
- eta_at and crossings on hand-made curves; the significance of differences between curves.
"""

import numpy as np
import pytest
from scipy.special import ndtr
from scipy.stats import chi2

from committee_lib.simulation import committee
from committee_lib.simulation.annealing import Schedule, anneal
from committee_lib.errors import ParameterError
from committee_lib.theory.kernels import get_kernel
from committee_lib.simulation.robustness import (
    NoiseCurve,
    compare_curves,
    crossings,
    error_given_stability,
    eta_at,
    fig3_right,
    input_noise,
    largest_gap,
    mean_tie_fraction,
    noise_from_sample_stabilities,
    noise_from_stabilities,
    noise_over_samples,
    noise_theory,
    perturbation_orders,
    sample_noise,
    significantly_above,
    tie_fraction,
    weight_noise,
)
from committee_lib.simulation.observables import sample_stabilities
from committee_lib.theory.stabilities import fig3_left, ld_replica_stability, typical_stability

SHAPES = {"sign": (3, 5), "relu": (4, 4)}  # (K, n)
QUICK = Schedule(sweeps=3000, patience=2000)


# ----------------------------------------------------------------------------- independent numpy
def plain_wrong(activation, K, xi, sigma, W):
    """Misclassified patterns of xi (p, N) by W (N,), from the definition: sigma sum_l c_l g(h_l) <= 0."""
    p, N = xi.shape
    h = (xi.reshape(p, K, N // K) * W.reshape(K, N // K)).sum(axis=2)
    if activation == "sign":
        out = np.sign(h).sum(axis=1)
    else:
        out = np.maximum(h, 0) @ np.where(np.arange(K) < K // 2, 1, -1)
    return sigma * out <= 0


def plain_ties(activation, K, xi, W):
    """Patterns of xi on which the output sum_l c_l g(h_l) of W is exactly 0."""
    p, N = xi.shape
    h = (xi.reshape(p, K, N // K) * W.reshape(K, N // K)).sum(axis=2)
    out = np.sign(h).sum(axis=1) if activation == "sign" else np.maximum(h, 0) @ np.where(np.arange(K) < K // 2, 1, -1)
    return out == 0


def plain_errors(activation, K, xi, sigma, W):
    return int(plain_wrong(activation, K, xi, sigma, W).sum())


def setup(activation, seed, n_w=3, alpha=0.6, architecture="tree"):
    """A tiny machine and random weights (n_w, N): training errors of every kind."""
    K, n = SHAPES[activation]
    rng = np.random.default_rng(seed)
    machine = committee.random_machine(activation, K, alpha, rng, n, architecture)
    W = (2 * rng.integers(0, 2, size=(n_w, machine.N)) - 1).astype(np.int8)
    return machine, W


def seen_by_units(machine, x):
    """The pattern entries (..., K n) the weights multiply: the tree's pattern itself, or the fully
    connected pattern (..., n) once per unit (every unit sees every input)."""
    return x if machine.architecture == "tree" else np.tile(x, machine.K)


def training_errors(machine, W):
    return np.array([plain_errors(machine.activation, machine.K, machine.xi, machine.sigma, w) for w in W])


# ----------------------------------------------------------------------------- brute force
@pytest.mark.parametrize("architecture", ["tree", "fully-connected"])
@pytest.mark.parametrize("activation", ["sign", "relu"])
def test_input_noise_matches_brute_force(activation, architecture):
    """Flip the inputs of each pattern, then classify it from scratch (in a fully connected machine
    the flip of one input moves the field of every unit)."""
    machine, W = setup(activation, 11, architecture=architecture)
    etas, T, seed = [0.3, 0.0, 0.1, 0.5, 0.3, 1.0], 6, 5
    curve = input_noise(machine, W, etas, T, seed)
    inputs = machine.xi.shape[1]
    flips = [round(eta * inputs) for eta in etas]
    orders = perturbation_orders(seed, machine.p * T, inputs, max(flips))
    expected = np.zeros((len(W), len(etas)), np.int64)
    tied = np.zeros_like(expected)
    for mu in range(machine.p):
        for t in range(T):
            order = orders[mu * T + t]
            for k, m in enumerate(flips):
                x = machine.xi[mu].astype(np.int64)
                x[order[:m]] *= -1
                x = seen_by_units(machine, x)
                for w in range(len(W)):
                    expected[w, k] += plain_wrong(activation, machine.K, x[None], machine.sigma[mu:mu + 1], W[w])[0]
                    tied[w, k] += plain_ties(activation, machine.K, x[None], W[w])[0]
    assert np.array_equal(curve.counts, expected)
    assert np.array_equal(curve.ties, tied) and (activation == "sign") == (tied.sum() == 0)
    assert curve.trials == machine.p * T
    assert np.array_equal(curve.flips, flips)
    assert np.array_equal(curve.parameter, etas)


@pytest.mark.parametrize("architecture", ["tree", "fully-connected"])
@pytest.mark.parametrize("activation", ["sign", "relu"])
def test_weight_noise_matches_brute_force(activation, architecture):
    machine, W = setup(activation, 12, architecture=architecture)
    xi = seen_by_units(machine, machine.xi)
    fractions, T, seed = [0.2, 0.0, 0.05, 1.0, 0.5], 7, 9
    curve = weight_noise(machine, W, fractions, T, seed)
    flips = [round(f * machine.N) for f in fractions]
    orders = perturbation_orders(seed, T, machine.N, max(flips))
    expected = np.zeros((len(W), len(fractions)), np.int64)
    tied = np.zeros_like(expected)
    for t in range(T):
        for w in range(len(W)):
            for k, m in enumerate(flips):
                v = W[w].astype(np.int64)
                v[orders[t, :m]] *= -1
                expected[w, k] += plain_errors(activation, machine.K, xi, machine.sigma, v)
                tied[w, k] += plain_ties(activation, machine.K, xi, v).sum()
    assert np.array_equal(curve.counts, expected)
    assert np.array_equal(curve.ties, tied) and (activation == "sign") == (tied.sum() == 0)
    assert curve.trials == machine.p * T


def test_orders_are_distinct_uniform_positions():
    N, m = 6, 4
    orders = perturbation_orders(3, 30000, N, m)
    assert orders.shape == (30000, m)
    assert orders.min() >= 0 and orders.max() < N
    assert all(len(set(row)) == m for row in orders[:2000])
    # ordered pairs (first, second) uniform over the N (N - 1) of them: chi-square, fixed seed
    counts = np.bincount(orders[:, 0] * N + orders[:, 1], minlength=N * N).reshape(N, N)
    assert np.all(np.diag(counts) == 0)
    observed = counts[~np.eye(N, dtype=bool)]
    expected = len(orders) / (N * (N - 1))
    assert chi2.sf(((observed - expected) ** 2 / expected).sum(), N * (N - 1) - 1) > 1e-3
    assert np.array_equal(perturbation_orders(3, 5, N, m), orders[:5])
    with pytest.raises(ParameterError, match="m must"):
        perturbation_orders(3, 5, N, N + 1)


def test_flips_round_half_to_even():
    machine, W = setup("relu", 1)  # N = 16
    curve = input_noise(machine, W, [0.03125, 0.09375, 0.5, 0.25], 1)  # 0.5, 1.5, 8, 4 entries
    assert np.array_equal(curve.flips, [0, 2, 8, 4])


# ----------------------------------------------------------------------------- exact limits
@pytest.mark.parametrize("activation", ["sign", "relu"])
@pytest.mark.parametrize("experiment", [input_noise, weight_noise])
def test_no_noise_is_training_error(activation, experiment):
    machine, W = setup(activation, 21)
    errors = training_errors(machine, W)
    assert errors.min() > 0 and errors.max() < machine.p  # a real test of both outcomes
    curve = experiment(machine, W, [0.0, 0.0], 9, seed=4)
    assert np.array_equal(curve.counts, np.stack([errors * 9] * 2, axis=1))
    assert np.allclose(curve.error_rate[:, 0], errors / machine.p)


@pytest.mark.parametrize("experiment", [input_noise, weight_noise])
def test_full_flip_inverts_sign_network(experiment):
    machine, W = setup("sign", 22)
    errors = training_errors(machine, W)
    curve = experiment(machine, W, [1.0], 5, seed=2)
    assert np.array_equal(curve.counts[:, 0], (machine.p - errors) * 5)


def test_full_flip_of_relu_is_error_on_negated_patterns():
    machine, W = setup("relu", 23, n_w=6)
    negated = training_errors(committee.Machine("relu", machine.K, machine.n, -machine.xi, machine.sigma), W)
    inverted = machine.p - training_errors(machine, W)
    assert not np.array_equal(negated, inverted)  # ReLU is not odd: not a plain inversion
    inputs = input_noise(machine, W, [1.0], 4, seed=1)
    weights = weight_noise(machine, W, [1.0], 4, seed=8)
    assert np.array_equal(inputs.counts[:, 0], negated * 4)
    assert np.array_equal(weights.counts, inputs.counts)  # -W and -xi give the same fields


# ----------------------------------------------------------------------------- randomness, layout
@pytest.mark.parametrize("experiment", [input_noise, weight_noise])
def test_common_random_numbers_and_layout(experiment):
    machine, W = setup("relu", 31)
    W = np.concatenate([W, W[:1]])
    levels = [0.5, 0.125, 0.25, 0.125]
    stack = experiment(machine, W, levels, 8, seed=6)
    assert np.array_equal(stack.counts[0], stack.counts[-1])  # equal vectors, equal perturbations
    for w in range(len(W)):
        alone = experiment(machine, W[w], levels, 8, seed=6)
        assert alone.counts.shape == (len(levels),)
        assert np.array_equal(alone.counts, stack.counts[w])
    # order and duplicates of the levels do not change the draws (they depend on the largest count)
    sorted_curve = experiment(machine, W, [0.125, 0.25, 0.5], 8, seed=6)
    assert np.array_equal(stack.counts, sorted_curve.counts[:, [2, 0, 1, 0]])


@pytest.mark.parametrize("experiment", [input_noise, weight_noise])
def test_seeds(experiment):
    machine, W = setup("sign", 41)
    first = experiment(machine, W, [0.2, 0.4], 20, seed=1)
    assert np.array_equal(first.counts, experiment(machine, W, [0.2, 0.4], 20, seed=1).counts)
    assert not np.array_equal(first.counts, experiment(machine, W, [0.2, 0.4], 20, seed=2).counts)


@pytest.mark.parametrize("activation, K", [("relu", 6), ("sign", 5)])
def test_error_rises_with_input_noise_on_solutions(activation, K):
    result = anneal(activation, K, 0.4, 5, 0.85, seed=3, schedule=QUICK)
    assert result.solved
    machine = result.machine()
    W = np.concatenate([result.W, result.reference[None]])
    etas = np.linspace(0.0, 0.5, 11)
    rate = input_noise(machine, W, etas, 200, seed=1).error_rate.mean(axis=0)
    assert rate[0] == 0.0
    assert np.all(np.diff(rate) > -0.02)  # nested sets: monotone up to sampling noise
    assert rate[-1] > rate[2] + 0.1
    weights = weight_noise(machine, W, etas, 50, seed=1).error_rate.mean(axis=0)
    assert weights[0] == 0.0 and np.all(np.diff(weights) > -0.02) and weights[-1] > weights[2] + 0.1


def test_bad_parameters():
    machine, W = setup("sign", 51)
    for etas in ([-0.1], [1.5], [float("nan")], ["x"], []):
        with pytest.raises(ParameterError, match="etas"):
            input_noise(machine, W, etas)
    with pytest.raises(ParameterError, match="fractions"):
        weight_noise(machine, W, [0.1, 2.0])
    for T in (0, 2.5, True):
        with pytest.raises(ParameterError, match="n_perturbations"):
            input_noise(machine, W, [0.1], T)
    with pytest.raises(ParameterError, match="seed"):
        weight_noise(machine, W, [0.1], seed=-1)
    for bad in (W[:, :-1], W[None], np.zeros_like(W), 2 * W):
        with pytest.raises(ParameterError, match="W must"):
            input_noise(machine, bad, [0.1])
    tanh = committee.Machine("tanh", machine.K, machine.n, machine.xi, machine.sigma)
    with pytest.raises(ParameterError, match="activation"):
        weight_noise(tanh, W, [0.1])


# ----------------------------------------------------------------------------- curves over samples
def test_noise_curve_rate():
    curve = NoiseCurve(np.array([0.0, 0.5]), np.array([0, 2]), np.array([[0, 3], [1, 4]]), 8,
                       np.array([[0, 2], [0, 0]]))
    assert np.array_equal(curve.error_rate, [[0, 0.375], [0.125, 0.5]])
    assert np.array_equal(curve.error_rate_coin, [[0, 0.25], [0.125, 0.5]])


def test_eta_at():
    x = [0.0, 0.1, 0.2, 0.3]
    rate = [0.0, 0.1, 0.3, 0.5]
    assert eta_at(x, rate, 0.2) == pytest.approx(0.15)
    assert eta_at(x, rate, 0.0) == 0.0
    assert eta_at(x, rate, 0.5) == pytest.approx(0.3)
    assert np.isnan(eta_at(x, rate, 0.6))
    assert eta_at(x, [0.0, 0.3, 0.1, 0.4], 0.2) == pytest.approx(0.2 / 3)  # the first time it is reached
    with pytest.raises(ParameterError, match="parameter"):
        eta_at([0.0, 0.2, 0.1, 0.3], rate, 0.2)
    with pytest.raises(ParameterError, match="shape"):
        eta_at(x, rate[:3], 0.2)


def test_crossings():
    x = [0.0, 1.0, 2.0, 3.0, 4.0]
    assert np.allclose(crossings(x, [0, 0.1, 0.3, 0.5, 0.6], [0, 0.2, 0.2, 0.2, 0.2]), [1.5])
    assert np.allclose(crossings(x, [0, 1, 0, -1, 1], [0, 0, 0, 0, 0]), [2.0, 3.5])  # through a grid point
    assert np.allclose(crossings(x, [1, 0, 0, -1, -2], [0, 0, 0, 0, 0]), [1.5])  # equal on a stretch
    assert crossings(x, [1, 0, 1, 2, 3], [0, 0, 0, 0, 0]).size == 0  # touching is not crossing
    assert crossings(x, [0, 0, 0, 1, 2], [0, 0, 0, 0, 0]).size == 0  # equal at the start (no noise)
    assert crossings([0.0], [1.0], [2.0]).size == 0
    with pytest.raises(ParameterError, match="parameter"):
        crossings([[0.0, 1.0]], [[0, 1]], [[1, 0]])


# ----------------------------------------------------------------------------- annealed samples
@pytest.fixture
def tmp_cache(tmp_path, monkeypatch):
    """noise_over_samples stores each sample's curves in the result cache: a fresh one per test;
    call with a name to switch to another (a run that computes rather than loads)."""

    def use(name):
        monkeypatch.setenv("COMMITTEE_CACHE", str(tmp_path / name))

    use("cache")
    return use


def test_sample_noise_rows_are_reference_then_replicas(tmp_cache):
    runs = [anneal("relu", 6, 0.4, 4, 0.85, seed=s, schedule=QUICK) for s in (1, 2)]
    levels = [0.0, 0.2, 0.5]
    one = sample_noise(runs[0], levels, n_perturbations=7)
    machine = runs[0].machine()
    W = np.vstack([runs[0].reference[None, :], runs[0].W])
    np.testing.assert_array_equal(one["input"], input_noise(machine, W, levels, 7, seed=1).error_rate)
    np.testing.assert_array_equal(one["weight"], weight_noise(machine, W, levels, 7, seed=1).error_rate)
    assert one["input"][0, 0] == runs[0].center_errors / machine.p and np.all(one["input"][1:, 0] == 0)
    summary = noise_over_samples(runs, levels, n_perturbations=7)
    second = sample_noise(runs[1], levels, n_perturbations=7)
    np.testing.assert_allclose(summary["weight"]["replica"].mean,
                               0.5 * (one["weight"][1:].mean(axis=0) + second["weight"][1:].mean(axis=0)))
    assert summary["input"]["reference"].n == 2
    tmp_cache("parallel")  # computed again, not loaded
    parallel = noise_over_samples(runs, levels, n_perturbations=7, n_jobs=2)  # same draws in any process
    for exp in summary:
        for kind in ("reference", "replica"):
            np.testing.assert_array_equal(parallel[exp][kind].mean, summary[exp][kind].mean)


# ----------------------------------------------------------------------------- large-K theory, eq. (T)
class HalfNormal:
    """The stabilities of a network labelling its own random patterns: 2 phi(lambda), lambda > 0."""

    kind, lower = "half-normal", 0.0

    def __init__(self, activation, architecture="tree"):
        self.activation, self.architecture = activation, architecture

    def density(self, lam):
        return 2.0 * np.exp(-0.5 * lam**2) / np.sqrt(2.0 * np.pi) * (lam > 0)


@pytest.mark.parametrize("activation", ["sign", "relu"])
def test_theory_for_a_self_labelled_network_is_arccos_over_pi(activation):
    # int 2 phi(l) H(k l / sqrt(1 - k^2)) dl over l > 0 = arccos(k) / pi (the angle between u and u')
    levels = np.array([0.0, 0.05, 0.2, 0.4, 0.5, 0.8, 1.0])
    k = get_kernel(activation).correlation(1.0 - 2.0 * levels)
    np.testing.assert_allclose(noise_theory(HalfNormal(activation), levels), np.arccos(k) / np.pi, atol=1e-9)


@pytest.mark.parametrize("activation, K", [("sign", 33), ("relu", 32)])
def test_theory_predicts_input_noise_on_a_large_self_labelled_machine(activation, K):
    # independent route: random weights and patterns, labels = the network's own outputs, so that
    # P(lambda) is half-normal up to finite-K corrections; the simulated flips follow eq. (T)
    rng = np.random.default_rng(7)
    machine = committee.random_machine(activation, K, 2.0, rng)
    W = (2 * rng.integers(0, 2, size=machine.N) - 1).astype(np.int8)
    m = committee.margins(machine, W)
    keep = m != 0
    sigma = np.where(m > 0, machine.sigma, -machine.sigma)[keep].astype(np.int8)
    machine = committee.Machine(activation, K, K, machine.xi[keep], sigma)
    levels = [0.05, 0.15, 0.3]
    measured = input_noise(machine, W, levels, n_perturbations=10, seed=3).error_rate
    k = get_kernel(activation).correlation(1.0 - 2.0 * np.array(levels))
    np.testing.assert_allclose(measured, np.arccos(k) / np.pi, atol=0.02)


@pytest.mark.parametrize("activation, K", [("sign", 33), ("relu", 32)])
def test_theory_predicts_input_noise_on_a_fully_connected_machine_without_read_out(activation, K):
    """The same on a fully connected machine (n = K inputs) whose units cancel their linear read-out
    v = sum_k c_k w_k / sqrt(K), as the theory says solutions do: each input's K weights sum (with the
    output weights) to 0 (ReLU) or +-1 (sign, K odd: |v|^2 / N = 1 / K).  The output correlation is then
    (kappa - p1 rho (1 - M)) / (1 - p1 (1 - M)), M = |v|^2 / N (book: fully_connected), kappa_FC at M = 0,
    and eq. (T) of a self-labelled network is its arccos / pi."""
    rng = np.random.default_rng(8)
    if activation == "sign":
        W = np.stack([rng.permutation(np.repeat([1, -1], [(K + 1) // 2, K // 2])) for _ in range(K)], axis=1)
    else:
        half = 2 * rng.integers(0, 2, size=(K // 2, K)) - 1
        W = np.vstack([half, np.stack([rng.permutation(column) for column in half.T], axis=1)])
    W = W.reshape(-1).astype(np.int8)  # unit l owns weights l n .. l n + n - 1
    machine = committee.random_machine(activation, K, 2.0, rng, K, "fully-connected")
    m = committee.margins(machine, W)
    keep = m != 0
    sigma = np.where(m > 0, machine.sigma, -machine.sigma)[keep].astype(np.int8)
    machine = committee.Machine(activation, K, K, machine.xi[keep], sigma, "fully-connected")
    levels = np.array([0.05, 0.15, 0.3])
    measured = input_noise(machine, W, levels, n_perturbations=10, seed=3).error_rate_coin  # (T) has no ties
    c = machine.c.astype(float)
    M = np.sum((c @ W.reshape(K, K).astype(float)) ** 2) / (K * K)  # |v|^2 / N
    kernel, rho = get_kernel(activation), 1.0 - 2.0 * levels
    p1 = kernel.dkappa(0.0)
    k = (kernel.correlation(rho) - p1 * rho * (1.0 - M)) / (1.0 - p1 * (1.0 - M))
    np.testing.assert_allclose(measured, np.arccos(k) / np.pi, atol=0.02)
    tree_k = kernel.correlation(rho)  # the tree's kernel is a different prediction here
    assert np.max(np.abs(np.arccos(tree_k) / np.pi - measured)) > 0.03


def test_theory_limits():
    for activation in ("sign", "relu"):
        for dist in (typical_stability(0.4, activation), ld_replica_stability(0.4, 0.85, 20, activation)):
            at = noise_theory(dist, [0.0, 0.5, 1.0])
            assert at[0] == pytest.approx(0.0, abs=1e-12) and at[1] == pytest.approx(0.5, abs=1e-12)
            if activation == "sign":
                assert at[2] == pytest.approx(1.0, abs=1e-9)  # solutions: every pattern flips
            else:
                assert 0.5 < at[2] < 1.0  # ReLU on negated inputs: correlation -1/(pi - 1) only


def test_error_given_stability_and_the_measured_average():
    lam = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(error_given_stability(lam, 0.0, "sign"), [1.0, 0.5, 0.0])
    np.testing.assert_allclose(error_given_stability(lam, 0.5, "relu"), 0.5)
    np.testing.assert_allclose(noise_from_stabilities(lam, [0.0, 0.5], "sign"), [0.5, 0.5])
    with pytest.raises(ParameterError, match="level"):
        error_given_stability(lam, 1.5, "sign")


def test_ties_are_absent_for_sign_and_lift_relu_above_one_half():
    machine, W = setup("sign", 5, n_w=2)
    assert tie_fraction(machine, W, 2000, seed=1) == 0.0
    machine, W = setup("relu", 5, n_w=1)
    rng = np.random.default_rng(1)
    xi = (2 * rng.integers(0, 2, size=(2000, machine.N)) - 1).astype(np.int8)
    K, n = SHAPES["relu"]
    h = (xi.reshape(-1, K, n) * W[0].reshape(K, n)).sum(axis=2)
    tie = tie_fraction(machine, W, 2000, seed=1)
    assert tie == np.mean(np.maximum(h, 0) @ np.where(np.arange(K) < K // 2, 1, -1) == 0) and tie > 0.05
    # patterns labelled by W itself: no error at eta = 0; at eta = 1/2 the perturbed pattern is
    # uncorrelated with its label, an error with probability 1/2 + tie / 2 (ties are errors)
    big = committee.random_machine("relu", 4, 16.0, np.random.default_rng(2), 4)
    m = committee.margins(big, W[0].astype(np.int64)) * big.sigma
    big = committee.Machine("relu", 4, 4, big.xi[m != 0], np.sign(m[m != 0]).astype(np.int8))
    rates = input_noise(big, W[0], [0.0, 0.5], n_perturbations=100, seed=4).error_rate
    assert rates[0] == 0.0
    assert rates[1] == pytest.approx(0.5 + 0.5 * tie_fraction(big, W[0], 20000, seed=3), abs=0.02)


def test_significance_of_curve_differences():
    from committee_lib.simulation.observables import Estimate

    # differences 0, 0.3, -0.3, 0.1, -0.5 with a combined error hypot(0.06, 0.08) = 0.1 at every level
    a = Estimate(np.array([0.5, 0.6, 0.2, 0.4, 0.0]), np.full(5, 0.06), 10)
    b = Estimate(np.array([0.5, 0.3, 0.5, 0.3, 0.5]), np.full(5, 0.08), 10)
    assert significantly_above(a, b).tolist() == [False, True, False, False, False]
    assert significantly_above(b, a).tolist() == [False, False, True, False, True]
    mask = np.array([True, True, True, True, False])
    assert significantly_above(b, a, mask).tolist() == [False, False, True, False, False]
    assert significantly_above(a, b, sigmas=0.5).tolist() == [False, True, False, True, False]
    c = compare_curves(a, b, mask)
    assert np.allclose(c.difference, [0.0, 0.3, -0.3, 0.1, -0.5])
    assert c.significant.tolist() == [False, True, True, False, False]
    assert c.a_above.tolist() == significantly_above(a, b, mask).tolist()
    assert c.b_above.tolist() == significantly_above(b, a, mask).tolist()
    assert compare_curves(a, b).significant.tolist() == [False, True, True, False, True]
    # curves without error bars (theory): any difference is significant
    exact = Estimate(np.array([0.1, 0.2]), np.zeros(2), 1)
    assert significantly_above(exact, Estimate(np.array([0.1, 0.1]), np.zeros(2), 1)).tolist() == [False, True]


# ----------------------------------------------------------------------------- the paper's figure
def test_fig3_right_is_the_noise_curves_beside_eq_T(tmp_cache):
    """Fig. 3 right: noise_over_samples per activation, and eq. (T) over each theory density."""
    runs = {"relu": [anneal("relu", 6, 0.4, 4, 0.85, seed=s, schedule=QUICK) for s in (1, 2)]}
    levels = [0.0, 0.2, 0.5]
    theory = fig3_left(np.linspace(0.0, 2.5, 11), activations=("relu",))
    fig = fig3_right(runs, levels, theory, n_perturbations=5)
    direct = noise_over_samples(runs["relu"], levels, n_perturbations=5)
    np.testing.assert_array_equal(fig.noise["relu"]["input"]["reference"].mean, direct["input"]["reference"].mean)
    for kind in ("typical", "replica", "reference"):
        expected = noise_theory(theory["relu"]["distributions"][kind], levels)
        np.testing.assert_array_equal(fig.predicted["relu"][kind], expected)
        assert fig.predicted["relu"][kind][-1] == pytest.approx(0.5, abs=1e-6)  # eta = 1/2: a coin


def test_noise_from_sample_stabilities_pools_the_normalised_stabilities():
    runs = [anneal("sign", 5, 0.4, 4, 0.85, seed=s, schedule=QUICK) for s in (1, 2)]
    levels = [0.0, 0.1]
    out = noise_from_sample_stabilities(runs, levels, "sign")
    scale = get_kernel("sign").output_scale
    reference = np.concatenate([sample_stabilities(r)[1] for r in runs]) / scale
    np.testing.assert_array_equal(out["reference"], noise_from_stabilities(reference, levels, "sign"))
    assert out["replica"][0] == 0.0  # every replica is a solution: no error without noise


def test_largest_gap_reads_the_level_inside_the_mask():
    levels = np.array([0.0, 0.1, 0.2, 0.3, 0.5])
    difference = np.array([0.9, 0.02, 0.05, 0.01, 0.7])  # the ends are outside the mask
    mask = (levels > 0) & (levels < 0.5)
    assert largest_gap(levels, difference, mask) == (0.05, 0.2)


def test_mean_tie_fraction_averages_the_references():
    runs = [anneal("relu", 6, 0.4, 4, 0.85, seed=s, schedule=QUICK) for s in (1, 2)]
    each = [tie_fraction(r.machine(), r.reference, 500, seed=r.seed) for r in runs]
    assert mean_tie_fraction(runs, 500) == pytest.approx(np.mean(each), abs=1e-15)


def test_fully_connected_input_noise_counts_flips_of_the_inputs():
    """eta is a fraction of the n inputs of a fully connected machine (not of its K n weights), and a
    full flip inverts a sign machine there too."""
    machine, W = setup("sign", 4, architecture="fully-connected")
    curve = input_noise(machine, W, [0.2, 1.0], 3, seed=1)
    assert np.array_equal(curve.flips, [round(0.2 * machine.n), machine.n])
    assert np.array_equal(curve.counts[:, 1], 3 * (machine.p - training_errors_fc(machine, W)))


def training_errors_fc(machine, W):
    return np.array([plain_errors("sign", machine.K, seen_by_units(machine, machine.xi), machine.sigma, w) for w in W])


def test_fully_connected_theory_uses_the_fully_connected_kernel():
    """Eq. (T) with kappa_FC: at a given stability the error differs from the tree's, and the
    correlation is kappa_FC(1 - 2 eta) = (kappa - kappa'(0) q)/(1 - kappa'(0))."""
    kernel = get_kernel("relu")
    q = 1.0 - 2.0 * 0.1
    k_fc = (kernel.kappa(q) - kernel.dkappa(0.0) * q) / (1.0 - kernel.dkappa(0.0))
    lam = np.array([0.3, 1.0])
    expected = 1.0 - ndtr(k_fc * lam / np.sqrt(1.0 - k_fc**2))
    assert error_given_stability(lam, 0.1, "relu", "fully-connected") == pytest.approx(expected, rel=1e-12)
    assert not np.allclose(error_given_stability(lam, 0.1, "relu"), expected)
