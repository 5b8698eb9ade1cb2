"""Observables of annealed samples: error bars over samples, lattice histograms, paired checks."""

import numpy as np
import pytest

from committee_lib.simulation import committee
from committee_lib.simulation.annealing import Schedule, anneal
from committee_lib.errors import ParameterError
from committee_lib.simulation.observables import (
    bin_average,
    combined_check,
    lattice_histogram,
    longer_ramps,
    over_samples,
    paired_difference,
    ramp_check,
    sample_stabilities,
    stability_moments,
)
from committee_lib.theory.stabilities import stability_lattice

QUICK = Schedule(sweeps=3000, patience=2000)


@pytest.fixture(scope="module")
def runs():
    return {act: [anneal(act, K, 0.4, 5, 0.85, seed=s, schedule=QUICK) for s in range(3)]
            for act, K in (("sign", 5), ("relu", 6))}


def test_over_samples_is_mean_and_standard_error():
    est = over_samples([1.0, 2.0, 3.0, 6.0])
    assert est.mean == 3.0 and est.n == 4
    assert est.error == pytest.approx(np.sqrt(((4 + 1 + 0 + 9) / 3) / 4))
    with pytest.raises(ParameterError, match="at least 2"):
        over_samples([1.0])


def test_paired_difference_cancels_the_common_scatter():
    base = np.array([0.0, 10.0, 20.0, 30.0])
    est = paired_difference(base, base + np.array([1.0, 1.1, 0.9, 1.0]))
    assert est.mean == pytest.approx(1.0) and est.error < 0.1
    with pytest.raises(ParameterError, match="equal shapes"):
        paired_difference([1.0, 2.0], [1.0, 2.0, 3.0])


def _ramp_moments(drift, n=6, seed=1):
    """Synthetic per-sample observables of a base ramp and of the doubled one on the same training
    sets: a large common scatter, a small paired noise (standard error of the change 0.01 / sqrt n
    times about 1) and a drift of the mean of `drift`."""
    rng = np.random.default_rng(seed)
    base = {"a": rng.normal(1.0, 1.0, n), "b": rng.normal(-2.0, 1.0, n)}
    doubled = {name: values + drift + 0.01 * rng.standard_normal(n) for name, values in base.items()}
    return base, doubled


def test_ramp_check_passes_without_drift():
    base, doubled = _ramp_moments(0.0)
    check = ramp_check(base, doubled, ["a", "b"])
    assert check.converged and check.z_max < 3.0
    for name in ("a", "b"):
        change = paired_difference(base[name], doubled[name])
        assert check.changes[name] == change
        assert check.z[name] == change.mean / change.error
    assert check.z_max == max(abs(z) for z in check.z.values())


def test_ramp_check_fails_on_a_drift_of_several_standard_errors():
    base, doubled = _ramp_moments(0.05)  # about ten standard errors of the change
    check = ramp_check(base, doubled, ["a", "b"])
    assert not check.converged and check.z_max > 3.0
    assert all(z > 3.0 for z in check.z.values())
    assert ramp_check(base, doubled, ["a"], z_threshold=np.inf).converged


def test_the_verdict_combines_the_shorter_ramp_with_longer_ones():
    base, same = _ramp_moments(0.0)
    _, drifted = _ramp_moments(0.05)
    passing, failing = ramp_check(base, same, ["a", "b"]), ramp_check(base, drifted, ["a", "b"])
    assert combined_check([passing]) == (passing.z_max, True)
    # a longer ramp that still moves the observables fails the verdict, whatever the shorter one says
    assert combined_check([passing, failing]) == (failing.z_max, False)
    assert longer_ramps([0.0625, 0.25, 2.0, 4.0, 16]) == [4.0, 16.0]  # 2x longer is no test
    assert longer_ramps([0.125, 0.25]) == []
    with pytest.raises(ParameterError, match="at least one ramp check"):
        combined_check([])


def test_ramp_check_of_identical_runs_has_z_zero():
    base, _ = _ramp_moments(0.0)
    check = ramp_check(base, base, ["a"])
    assert check.z == {"a": 0.0} and check.z_max == 0.0 and check.converged
    with pytest.raises(ParameterError, match="equal shapes"):
        ramp_check(base, {"a": base["a"][:3]}, ["a"])
    with pytest.raises(ParameterError, match="at least one"):
        ramp_check(base, base, [])


@pytest.mark.parametrize("activation", ["sign", "relu"])
def test_stabilities_are_positive_on_solutions_and_on_the_lattice(runs, activation):
    for result in runs[activation]:
        replicas, reference = sample_stabilities(result)
        assert replicas.shape == (result.y, round(0.4 * result.K * result.n)) and np.all(replicas > 0)
        assert np.sum(reference <= 0) == result.center_errors
        lattice = stability_lattice(activation, result.K, result.K * result.n, physical=True)
        values, density, error = lattice_histogram([replicas, reference], lattice, -3.0, 5.0)
        # every value is in range here, so the histogram integrates to one in each sample
        assert np.sum(density) * lattice.spacing == pytest.approx(1.0)
        assert np.all(error >= 0) and values.size == density.size


def test_histogram_is_the_sample_average_of_per_sample_densities():
    lattice = stability_lattice("sign", 3, 9, physical=True)  # odd multiples of 1/sqrt(3)
    u = 1 / np.sqrt(3)
    first, second = np.array([u, u, 3 * u, -u]), np.array([3 * u, 3 * u])
    values, density, error = lattice_histogram([first, second], lattice, -1.0, 1.0)
    np.testing.assert_allclose(values, [-u, u])  # 3u lies outside [lo, hi] but counts in the norm
    spacing = 2 * u
    np.testing.assert_allclose(density, [(1 / 4) / 2 / spacing, (2 / 4) / 2 / spacing])
    np.testing.assert_allclose(error, np.std([[1 / 4, 2 / 4], [0, 0]], axis=0, ddof=1) / spacing / np.sqrt(2))


def test_values_off_the_lattice_are_refused():
    lattice = stability_lattice("sign", 3, 9, physical=True)
    with pytest.raises(ParameterError, match="lattice"):
        lattice_histogram([np.array([0.1]), np.array([0.2])], lattice, -1.0, 1.0)


def test_moments_match_a_direct_computation(runs):
    result = runs["relu"][0]
    moments = stability_moments(runs["relu"])
    machine = result.machine()
    m = committee.margins(machine, result.W.astype(np.int64)) / np.sqrt(machine.n * machine.K)
    assert moments["replica mean"][0] == pytest.approx(m.mean())
    assert moments["replica variance"][0] == pytest.approx(m.var())
    assert moments["reference errors"][0] == result.center_errors / machine.p
    assert all(v.shape == (3,) for v in moments.values())


def test_bin_average_integrates_a_density_that_jumps_at_the_cut():
    density = lambda x: np.where(x > 0, np.exp(-x), 0.0)
    edges = np.array([-0.5, 0.5, 1.5, 4.0])
    means = bin_average(density, edges)
    exact = np.array([1 - np.exp(-0.5), np.exp(-0.5) - np.exp(-1.5), np.exp(-1.5) - np.exp(-4.0)]) / np.diff(edges)
    np.testing.assert_allclose(means, exact, rtol=1e-12)
    with pytest.raises(ParameterError, match="edges"):
        bin_average(density, [1.0, 0.0])


def test_over_samples_of_curves_is_pointwise():
    est = over_samples([[1.0, 2.0], [3.0, 6.0]])
    np.testing.assert_allclose(est.mean, [2.0, 4.0])
    np.testing.assert_allclose(est.error, [1.0, 2.0])  # std (ddof 1) sqrt(2) and 2 sqrt(2), over sqrt(2)
    with pytest.raises(ParameterError, match="at least 2"):
        over_samples([[0.5, 1.0]])


def test_a_convergence_check_needs_ramps_four_times_apart():
    from committee_lib.simulation.observables import check_ramp_factor
    assert check_ramp_factor(0.25) == 0.25 and check_ramp_factor(4) == 4.0
    for bad in (0.5, 2.0, 3.9, 0.26, 0.0, -4.0):
        with pytest.raises(ParameterError, match="check_factor"):
            check_ramp_factor(bad)
