"""Laws of the threshold against the budget (committee_lib/simulation/budget_laws.py), on synthetic data
drawn from known laws."""

import numpy as np
import pytest

from committee_lib.errors import ConvergenceError, ParameterError
from committee_lib.simulation.budget_laws import (B_MIN, LawFit, favoured_law, fit_flat, fit_laws, fit_log, fit_power,
                                                  format_interval, law_comparison, laws_or_reason, limit_verdict,
                                                  log_reach, reach_verdict, stall_verdict)
from committee_lib.simulation.thresholds import ThresholdFit

WORKS = 2500.0 * 2.0 ** np.arange(7)  # 2500 to 160000, 64x
BOUNDS = (0.0, 0.95)


def power(W, alpha_inf=0.7, a=0.12, b=0.5, w0=WORKS[3]):
    return alpha_inf - a * (W / w0) ** -b


def test_noise_free_power_law_is_recovered_exactly():
    fit = fit_power(WORKS, power(WORKS), np.full(WORKS.size, 0.01), BOUNDS)
    assert fit.w0 == pytest.approx(WORKS[3])  # the geometric mean of the budgets
    assert fit.values["alpha_inf"] == pytest.approx(0.7, abs=1e-5)
    assert fit.values["b"] == pytest.approx(0.5, rel=1e-4)
    assert fit.values["a"] == pytest.approx(0.12, rel=1e-4)
    assert fit.chi2 < 1e-8 and fit.dof == 4
    lo, hi = fit.intervals["alpha_inf"]
    assert lo < 0.7 < hi and hi - lo < 0.1
    assert fit(WORKS) == pytest.approx(power(WORKS), abs=1e-6)


def test_power_law_intervals_cover_the_truth_about_68_percent():
    rng = np.random.default_rng(3)
    err = np.full(WORKS.size, 0.01)
    cover_limit = cover_b = 0
    fits = 30
    for _ in range(fits):
        fit = fit_power(WORKS, power(WORKS) + rng.normal(0, 0.01, WORKS.size), err, BOUNDS)
        lo, hi = fit.intervals["alpha_inf"]
        assert lo is not None and hi is not None  # 64x of budget at this precision bounds the limit
        cover_limit += lo <= 0.7 <= hi
        blo, bhi = fit.intervals["b"]
        cover_b += blo <= 0.5 <= bhi
    # 68% of 30 fits: 20.4 +- 2.6 expected
    assert 14 <= cover_limit <= 27 and 14 <= cover_b <= 27


def test_log_slope_and_its_error_are_weighted_least_squares():
    rng = np.random.default_rng(4)
    err = rng.uniform(0.005, 0.02, WORKS.size)
    alphas = 0.5 + 0.03 * np.log(WORKS / 1e4) + rng.normal(0, err)
    fit = fit_log(WORKS, alphas, err)
    # closed form of a straight line in t = ln(W / W0) with weights 1 / err^2
    t, w = np.log(WORKS / fit.w0), err ** -2
    tm = np.sum(w * t) / np.sum(w)
    slope = np.sum(w * (t - tm) * alphas) / np.sum(w * (t - tm) ** 2)
    assert fit.values["s"] == pytest.approx(slope, rel=1e-10)
    assert fit.error("s") == pytest.approx(1 / np.sqrt(np.sum(w * (t - tm) ** 2)), rel=1e-10)
    assert fit.chi2 == pytest.approx(np.sum(w * (alphas - fit(WORKS)) ** 2), rel=1e-10)
    assert fit.dof == WORKS.size - 2 and 0 < fit.p_value() < 1


def test_flat_fit_is_the_weighted_mean():
    alphas, err = np.array([0.40, 0.42, 0.41]), np.array([0.01, 0.02, 0.01])
    fit = fit_flat(WORKS[:3], alphas, err)
    w = err ** -2
    assert fit.values["c"] == pytest.approx(np.sum(w * alphas) / np.sum(w))
    assert fit.error("c") == pytest.approx(np.sum(w) ** -0.5)
    assert fit.dof == 2


def test_logarithmic_data_favour_the_log_law_and_leave_the_limit_open():
    rng = np.random.default_rng(5)
    err = np.full(WORKS.size, 0.01)
    alphas = 0.5 + 0.04 * np.log(WORKS / 1e4) + rng.normal(0, 0.01, WORKS.size)
    log, pw = fit_log(WORKS, alphas, err), fit_power(WORKS, alphas, err, BOUNDS)
    assert pw.chi2 <= log.chi2 + 1e-6  # (L) is a limit of (P)
    assert favoured_law(log, pw) == "log"
    assert law_comparison(log, pw).startswith(f"the logarithm (chi2 / dof = {log.chi2:.2f} / 5 for the logarithm and ")
    assert pw.intervals["alpha_inf"][1] is None  # the limit is not bounded above
    assert limit_verdict(pw, 0.8, "alpha_U") == "whether it reaches alpha_U = 0.800 cannot be told"
    assert "not bounded above" in format_interval(pw, "alpha_inf")


def test_strongly_saturating_data_favour_the_power_law():
    err = np.full(WORKS.size, 0.003)
    alphas = power(WORKS, a=0.03, b=1.0) + np.random.default_rng(6).normal(0, 0.003, WORKS.size)  # 0.46 to 0.70
    log, pw = fit_log(WORKS, alphas, err), fit_power(WORKS, alphas, err, BOUNDS)
    assert favoured_law(log, pw) == "power"
    assert law_comparison(log, pw).startswith("the power law")
    lo, hi = pw.intervals["alpha_inf"]
    assert lo < pw.values["alpha_inf"] < hi and abs(pw.values["alpha_inf"] - 0.7) < 3 * pw.error("alpha_inf")
    assert limit_verdict(pw, pw.values["alpha_inf"], "alpha_U").startswith("consistent with alpha_U")
    assert limit_verdict(pw, hi + 0.05, "alpha_U") == f"below alpha_U = {hi + 0.05:.3f} by 0.050 or more (68%)"
    assert limit_verdict(pw, lo - 0.05, "alpha_U") == f"above alpha_U = {lo - 0.05:.3f} by 0.050 or more (68%)"


def test_accelerating_data_push_the_exponent_to_its_bound():
    alphas = 0.4 + 0.002 * np.log(WORKS / 1e3) ** 3  # convex in ln W: no b > 0 fits
    fit = fit_power(WORKS, alphas, np.full(WORKS.size, 0.01), BOUNDS)
    assert fit.values["b"] == pytest.approx(B_MIN) or fit.values["alpha_inf"] == pytest.approx(BOUNDS[1])
    assert fit.intervals["alpha_inf"][1] is None


def test_stall_verdict_tells_flat_from_rising():
    err = np.full(3, 0.01)
    flat_data = np.array([0.45, 0.44, 0.455])
    verdict = stall_verdict(fit_log(WORKS[:3], flat_data, err), fit_flat(WORKS[:3], flat_data, err))
    assert verdict.startswith("flat within errors") and "at 0.448 ± 0.006" in verdict
    rising = np.array([0.40, 0.45, 0.50])
    assert stall_verdict(fit_log(WORKS[:3], rising, err), fit_flat(WORKS[:3], rising, err)).startswith(
        "rising by +0.050 ± 0.007 per doubling")


def test_format_interval_names_both_ends():
    fit = LawFit("power", {"alpha_inf": 0.7, "a": 0.1, "b": 0.5}, {"alpha_inf": (0.65, 0.76), "a": (0.09, 0.11),
                                                                    "b": (None, 0.9)}, 1.0, 2, 1e4)
    assert format_interval(fit, "alpha_inf") == "0.700 (68% interval 0.650 to 0.760)"
    assert format_interval(fit, "b", ".2f") == "0.50 (68% interval: below 0.90, not bounded below by the data)"
    assert fit.error("alpha_inf") == pytest.approx(0.055) and fit.error("b") is None


@pytest.mark.parametrize("works, alphas, errors", [
    ([1e3, 2e3], [0.4, 0.5], [0.01, 0.01]),                  # too few budgets for (L) and (P)
    ([2e3, 1e3, 4e3], [0.4, 0.5, 0.6], [0.01, 0.01, 0.01]),  # not increasing
    ([0, 1e3, 4e3], [0.4, 0.5, 0.6], [0.01, 0.01, 0.01]),    # not positive
    ([1e3, 2e3, 4e3], [0.4, 0.5, 0.6], [0.01, 0.0, 0.01]),   # zero error
    ([1e3, 2e3, 4e3], [0.4, np.nan, 0.6], [0.01, 0.01, 0.01]),
    ([1e3, 2e3, 4e3], [0.4, 0.5], [0.01, 0.01, 0.01]),       # lengths differ
])
def test_bad_input_raises_parameter_error(works, alphas, errors):
    with pytest.raises(ParameterError):
        fit_log(works, alphas, errors)
    with pytest.raises(ParameterError):
        fit_power(works, alphas, errors, BOUNDS)


def test_bad_bounds_raise_parameter_error():
    with pytest.raises(ParameterError, match="bounds"):
        fit_power(WORKS, power(WORKS), np.full(WORKS.size, 0.01), (0.9, 0.5))


def test_log_reach_is_where_the_band_of_the_line_meets_the_mark():
    rng = np.random.default_rng(7)
    err = np.full(WORKS.size, 0.005)
    alphas = 0.5 + 0.02 * np.log(WORKS / 2e4) + rng.normal(0, 0.005, WORKS.size)
    fit = fit_log(WORKS, alphas, err)
    centre, lo, hi = log_reach(fit, 0.7)
    c, s = fit.values["c"], fit.values["s"]
    assert centre == pytest.approx(fit.w0 * np.exp((0.7 - c) / s))
    assert fit(np.array([centre]))[0] == pytest.approx(0.7)
    assert lo < centre < hi
    V = fit.covariance
    for W in (lo, hi):  # the mark lies on the edge of the one-sigma band there
        t = np.log(W / fit.w0)
        sigma = np.sqrt(V[0, 0] + 2 * t * V[0, 1] + t * t * V[1, 1])
        assert abs(fit(np.array([W]))[0] - 0.7) == pytest.approx(sigma, rel=1e-6)
    assert abs(np.log(centre / (2e4 * np.exp(10)))) < 3 * np.log(hi / lo)  # the true crossing: ln W = ln 2e4 + 10
    assert reach_verdict(fit, 0.7, "alpha_U").startswith(f"at W = {centre:.1e} on the logarithm (68% range")


def test_log_reach_without_a_rising_slope_is_open():
    err = np.full(3, 0.01)
    flat = fit_log(WORKS[:3], np.array([0.45, 0.44, 0.455]), err)  # slope within one standard error of zero
    centre, lo, hi = log_reach(flat, 0.7)
    assert lo is None and hi is None
    falling = fit_log(WORKS[:3], np.array([0.50, 0.45, 0.40]), err)
    assert log_reach(falling, 0.7)[0] is None
    assert reach_verdict(falling, 0.7, "alpha_U").startswith("never")


def test_power_law_of_falling_thresholds_is_flat():
    """a >= 0: thresholds that fall with the budget are fitted by a = 0 at their weighted mean."""
    err = np.array([0.01, 0.02, 0.01])
    alphas = np.array([0.50, 0.47, 0.45])
    fit = fit_power(WORKS[:3], alphas, err, BOUNDS)
    assert fit.values["a"] == 0.0
    assert fit.values["alpha_inf"] == pytest.approx(np.sum(alphas / err**2) / np.sum(err**-2))
    assert fit.chi2 == pytest.approx(fit_flat(WORKS[:3], alphas, err).chi2)


def test_fit_laws_keeps_the_fitted_thresholds_and_needs_three():
    def threshold(alpha, error):
        return ThresholdFit(alpha, error, alpha - error, alpha + error, 0.05, WORKS[:2], WORKS[:2].astype(int),
                            WORKS[:2].astype(int))

    fits = [threshold(0.40, 0.01), ConvergenceError("not bracketed"), threshold(0.45, 0.02), threshold(0.47, 0.01)]
    laws = fit_laws(WORKS[:4], fits, BOUNDS)
    np.testing.assert_array_equal(laws.works, WORKS[[0, 2, 3]])
    np.testing.assert_array_equal(laws.alphas, [0.40, 0.45, 0.47])
    assert laws.log.values == fit_log(WORKS[[0, 2, 3]], [0.40, 0.45, 0.47], [0.01, 0.02, 0.01]).values
    assert laws.power.law == "power" and laws.flat.law == "flat"
    reason = laws_or_reason(WORKS[:3], fits[:3], BOUNDS)
    assert isinstance(reason, ConvergenceError) and "three budgets" in str(reason) and "got 2 of 3" in str(reason)
    with pytest.raises(ParameterError, match="one length"):
        fit_laws(WORKS[:4], fits[:3], BOUNDS)
