"""Success-curve fits (committee_lib/simulation/thresholds.py)."""

import numpy as np
import pytest
from scipy.special import ndtr

from committee_lib.errors import ConvergenceError, ParameterError
from committee_lib.simulation.thresholds import (ThresholdFit, beats_verdict, compare_thresholds, fit_or_reason, fit_threshold,
                                                 format_threshold, log_likelihood, refined_loads, success_fraction,
                                                 threshold_difference)

LOADS = np.linspace(0.3, 0.9, 7)


def draw(rng, alpha, width, trials):
    n = np.full(LOADS.size, trials)
    return rng.binomial(n, ndtr(-(LOADS - alpha) / width)), n


def test_the_threshold_of_a_known_curve_is_recovered_within_its_error():
    rng = np.random.default_rng(0)
    inside, fits = 0, 30
    for _ in range(fits):
        k, n = draw(rng, 0.6, 0.05, 10)
        fit = fit_threshold(LOADS, k, n)
        assert abs(fit.alpha - 0.6) < 4 * fit.error
        assert 0.0 < fit.error < 0.1
        inside += abs(fit.alpha - 0.6) <= fit.error
    # one standard error covers 68%; 30 fits: 20.4 +- 2.6 expected
    assert 14 <= inside <= 27


def test_many_trials_give_a_small_error_and_the_true_width():
    rng = np.random.default_rng(1)
    k, n = draw(rng, 0.55, 0.08, 2000)
    fit = fit_threshold(LOADS, k, n)
    assert fit.alpha == pytest.approx(0.55, abs=0.01)
    assert fit.error < 0.005
    assert fit.width == pytest.approx(0.08, rel=0.15)
    assert fit.curve([0.55])[0] == pytest.approx(0.5, abs=0.05)


def test_a_sharp_step_gives_the_gap_between_the_loads():
    fit = fit_threshold(LOADS, np.array([10, 10, 10, 10, 0, 0, 0]), np.full(7, 10))
    assert 0.6 - 1e-3 <= fit.lower < fit.alpha < fit.upper <= 0.7 + 1e-3
    assert fit.alpha == pytest.approx(0.65, abs=0.01)


def test_the_maximum_is_the_profile_maximum():
    k, n = np.array([10, 9, 9, 6, 2, 1, 0]), np.full(7, 10)
    fit = fit_threshold(LOADS, k, n)
    best = log_likelihood(fit.alpha, fit.width, LOADS, k, n)
    for da in (-0.02, 0.02):
        for w in (0.5 * fit.width, fit.width, 2 * fit.width):
            assert log_likelihood(fit.alpha + da, w, LOADS, k, n) < best


@pytest.mark.parametrize("k", [[0] * 7, [10] * 7, [3, 10, 10, 10, 0, 0, 0], [10, 10, 10, 10, 10, 10, 9]])
def test_data_without_a_bracketed_transition_raise(k):
    with pytest.raises(ConvergenceError):
        fit_threshold(LOADS, np.array(k), np.full(7, 10))


@pytest.mark.parametrize("loads, k, n", [
    ([0.5], [1], [2]),
    ([0.5, 0.4], [1, 0], [2, 2]),
    ([0.4, 0.5], [3, 0], [2, 2]),
    ([0.4, 0.5], [1, 0], [0, 2]),
    ([0.4, 0.5], [1.5, 0], [2, 2]),
])
def test_bad_input_raises_parameter_error(loads, k, n):
    with pytest.raises(ParameterError):
        fit_threshold(np.array(loads), np.array(k), np.array(n))


def test_success_fraction_has_nonzero_error_bars_at_the_ends():
    f, e = success_fraction(np.array([0, 5, 10]), np.array([10, 10, 10]))
    assert list(f) == [0.0, 0.5, 1.0]
    assert np.all(e > 0) and e[1] == pytest.approx(np.sqrt(0.25 / 10), rel=0.01)


def test_fit_or_reason_returns_the_fit_or_the_error_and_both_format():
    trials = np.full(LOADS.size, 10)
    fit = fit_or_reason(LOADS, np.array([10, 10, 9, 5, 1, 0, 0]), trials)
    assert isinstance(fit, ThresholdFit) and fit.alpha == fit_threshold(LOADS, np.array([10, 10, 9, 5, 1, 0, 0]), trials).alpha
    assert format_threshold(fit) == f"{fit.alpha:.3f} ± {fit.error:.3f}"
    none = fit_or_reason(LOADS, np.zeros(LOADS.size, dtype=int), trials)  # no run solved: no transition
    assert isinstance(none, ConvergenceError)
    assert format_threshold(none) == "not determined on this grid"
    assert compare_thresholds(fit, none).startswith("cannot be compared")


def test_compare_thresholds_counts_standard_errors():
    def fit(alpha, error):
        return ThresholdFit(alpha, error, alpha - error, alpha + error, 0.05, LOADS, LOADS.astype(int), LOADS.astype(int))

    assert compare_thresholds(fit(0.60, 0.01), fit(0.50, 0.01)) == \
        "+0.100 ± 0.014, a difference of more than three standard errors"
    assert compare_thresholds(fit(0.50, 0.03), fit(0.55, 0.04)).startswith("-0.050 ± 0.050, a difference the data cannot")
    d, e = threshold_difference(fit(0.50, 0.03), fit(0.55, 0.04))
    assert d == pytest.approx(-0.05) and e == pytest.approx(0.05)
    assert beats_verdict(fit(0.60, 0.01), fit(0.50, 0.01)).startswith("holds (+0.100 ± 0.014")
    assert beats_verdict(fit(0.50, 0.01), fit(0.60, 0.01)).startswith("fails (-0.100 ± 0.014")
    assert beats_verdict(fit(0.50, 0.03), fit(0.55, 0.04)).startswith("undecided (-0.050 ± 0.050")
    assert beats_verdict(fit(0.50, 0.03), ConvergenceError("no transition")).startswith("undecided: cannot be compared")


def test_refined_loads_split_the_bracket_where_the_fraction_first_drops_below_one_half():
    trials = np.full(LOADS.size, 4)
    # fractions 1, 1, 3/4, 1/4, 1/2, 0, 0: the first drop below 1/2 is at 0.6, after 0.5
    k = np.array([4, 4, 3, 1, 2, 0, 0])
    assert refined_loads(LOADS, k, trials, 1) == [0.55]
    assert refined_loads(LOADS, k, trials, 3) == [0.525, 0.55, 0.575]
    assert refined_loads(LOADS, k, trials, 0) == []
    assert refined_loads(LOADS, np.full(7, 4), trials, 2) == []  # never below 1/2
    assert refined_loads(LOADS, np.array([1, 4, 4, 0, 0, 0, 0]), trials, 2) == []  # below 1/2 at the first load
    with pytest.raises(ParameterError, match="n_new"):
        refined_loads(LOADS, k, trials, 1.5)
