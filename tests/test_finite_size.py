"""Finite-size tools (simulation/finite_size.py): the time-average estimator against exact
enumeration on a tiny machine, and the extrapolation on synthetic data with known limits."""

import dataclasses
import itertools

import numpy as np
import pytest

from committee_lib.errors import ParameterError
from committee_lib.simulation import committee
from committee_lib.simulation.annealing import Schedule, anneal
from committee_lib.simulation.finite_size import compare, extrapolate, time_average


def exact_solution_averages(machine, y, gamma):
    """E[moment | every replica a solution] under the measure of eq. (H) (beta drops out: E = 0),
    by enumeration of all solution y-tuples; the moments of one configuration as time_average
    reads them: replica mean and variance over the y p stabilities, reference mean."""
    configs = np.array(list(itertools.product([-1, 1], repeat=machine.N)))
    solutions = configs[committee.errors(machine, configs) == 0]
    tuples = np.array(list(itertools.product(range(len(solutions)), repeat=y)))  # (T, y)
    W = solutions[tuples]  # (T, y, N)
    S = W.sum(axis=1)
    weight = np.prod(np.cosh(gamma * S), axis=1)
    replicas = committee.stabilities(machine, W).reshape(len(tuples), -1)
    reference = committee.stabilities(machine, np.sign(S))
    moments = np.column_stack([replicas.mean(axis=1), replicas.var(axis=1), reference.mean(axis=1)])
    return weight @ moments / weight.sum()


def test_time_average_samples_the_measure_restricted_to_solutions():
    # relu, K = 2, N = 8 inputs, p = 2 patterns (25 solutions), y = 3 (odd: the majority has no ties)
    result = anneal("relu", 2, 2 / 8, 3, 0.5, seed=2, schedule=Schedule(sweeps=200, patience=200, tolerance=0.5),
                    inputs_per_unit=4)
    assert result.solved
    result = dataclasses.replace(result, beta=3.0, gamma=0.4)  # solutions and errors both visited
    averages = time_average(result, sweeps=60_000, every=3)
    assert 0.2 * 20_000 < averages["configurations"] < 20_000
    machine = result.machine()
    exact = exact_solution_averages(machine, 3, 0.4)
    got = [averages["replica_stability_mean"], averages["replica_stability_var"], averages["reference_stability_mean"]]
    np.testing.assert_allclose(got, exact, atol=0.01)
    # and it differs from the same measure at another gamma (the test has power)
    other = exact_solution_averages(machine, 3, 1.5)
    assert np.max(np.abs(np.array(got) - other)) > 0.03
    assert time_average(result, sweeps=600, every=3) == time_average(result, sweeps=600, every=3)  # deterministic


def test_time_average_refuses_bad_stretches():
    result = anneal("relu", 2, 2 / 8, 3, 0.5, seed=2, schedule=Schedule(sweeps=200, patience=200, tolerance=0.5),
                    inputs_per_unit=4)
    for sweeps, every in ((10, 0), (10, 20), (10.0, 2)):
        with pytest.raises(ParameterError, match="every"):
            time_average(result, sweeps, every)


def test_extrapolation_recovers_a_known_limit_and_its_error():
    rng = np.random.default_rng(0)
    K = np.array([9, 13, 17, 25, 33, 9, 33], float)
    n = np.array([9, 13, 17, 25, 33, 33, 9], float)
    X = np.column_stack([1 / K, 1 / n])
    exact = extrapolate(X, 1.3 - 0.8 / K + 0.5 / n, np.full(7, 0.01))
    assert exact.limit == pytest.approx(1.3, abs=1e-12) and exact.chi2 == pytest.approx(0, abs=1e-18)
    np.testing.assert_allclose(exact.slopes, [-0.8, 0.5], atol=1e-10)
    # with noise of known size the limit is off by about its stated error (coverage over many draws)
    pulls = []
    for _ in range(400):
        fit = extrapolate(X, 1.3 - 0.8 / K + 0.5 / n + rng.normal(0, 0.01, 7), np.full(7, 0.01))
        pulls.append((fit.limit - 1.3) / fit.error)
    assert 0.8 < np.std(pulls) < 1.1
    z, agrees = compare(exact, 1.3 + 5 * exact.error)
    assert z == pytest.approx(-5) and not agrees


def test_extrapolation_inflates_the_error_of_scattered_points():
    x = np.array([0.1, 0.2, 0.3, 0.4])
    tight = extrapolate(x, 1 + x, np.full(4, 0.01))
    scattered = extrapolate(x, 1 + x + np.array([0.05, -0.05, 0.05, -0.05]), np.full(4, 0.01))
    assert scattered.chi2 / scattered.dof > 10 and scattered.error > 3 * tight.error
    with pytest.raises(ParameterError):
        extrapolate(x[:1], [1], [0.1])  # one point cannot fix a line


def test_points_extrapolate_in_one_over_K_and_K_over_N_with_an_error_floor():
    from committee_lib.simulation.finite_size import Point, extrapolate_points
    from committee_lib.simulation.observables import Estimate
    points = [Point(9, 9), Point(13, 13), Point(25, 25), Point(9, 33), Point(33, 9)]
    estimates = [Estimate(0.5 + 1.0 / p.K - 2.0 / p.n, 0.01, 4) for p in points]
    fit = extrapolate_points(points, estimates)
    assert fit.limit == pytest.approx(0.5, abs=1e-10)
    np.testing.assert_allclose(fit.slopes, [1.0, -2.0], atol=1e-9)
    zeros = [Estimate(0.0, 0.0, 4) for _ in points]
    with pytest.raises(ParameterError):
        extrapolate_points(points, zeros)
    floored = extrapolate_points(points, zeros, floors=np.full(5, 0.001))
    assert floored.limit == 0.0 and floored.error > 0
