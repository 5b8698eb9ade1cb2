"""Algorithmic thresholds: where a success probability drops from 1 to 0, with its uncertainty.

Data: at loads alpha_i, k_i runs of n_i ended with a solution.  Model: independent Bernoulli
trials with

    P(success | alpha) = H((alpha - alpha_alg) / w),    H(x) = (1/2) erfc(x / sqrt 2),         (P)

a step at alpha_alg smeared over a width w > 0 (finite-size and sample-to-sample scatter).  The
log-likelihood is

    log L = sum_i k_i log H(z_i) + (n_i - k_i) log H(-z_i),    z_i = (alpha_i - alpha_alg) / w.

alpha_alg is estimated from its profile likelihood, maximised over w at each alpha_alg: the 68%
interval is where the profile lies within 1/2 of its maximum (Wilks), and the estimate is the
centre of that interval, the error its half-width.  For a smooth likelihood the centre is the
maximum-likelihood value; when the data separate perfectly (every run solved up to some load, none
above it) the likelihood is flat between the last all-solved load and the first all-failed one,
and the interval is that gap.  w is confined to [w_min, w_max] = [1e-3, 10] times the span of the
loads (below w_min the likelihood no longer changes; above w_max there is no transition).

The data must bracket a transition: some run solved and some run failed, the success fraction at
the lowest load at least 1/2 and at the highest at most 1/2, and the interval inside the span of
the loads widened by its own half-width.  Otherwise `ConvergenceError` says which condition fails.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_ndtr, ndtr

from ..errors import ConvergenceError, ParameterError
from ..roots import find_root

#: w in [W_MIN, W_MAX] x span of the loads
W_MIN, W_MAX = 1e-3, 10.0
#: profile drop that bounds the interval: 1/2 for 68% (one standard error)
DROP = 0.5


@dataclass(frozen=True)
class ThresholdFit:
    """alpha_alg +- error (centre and half-width of the 68% profile interval [lower, upper])."""

    alpha: float
    error: float
    lower: float
    upper: float
    width: float  # w at the maximum of the likelihood
    loads: np.ndarray
    successes: np.ndarray
    trials: np.ndarray

    def curve(self, alphas):
        """The fitted P(success) of eq. (P) at alphas."""
        return ndtr(-(np.asarray(alphas, dtype=float) - self.alpha) / self.width)


def _checked(loads, successes, trials):
    loads = np.asarray(loads, dtype=float)
    k = np.asarray(successes)
    n = np.asarray(trials)
    if loads.ndim != 1 or loads.size < 2 or k.shape != loads.shape or n.shape != loads.shape:
        raise ParameterError(f"loads, successes and trials must be 1-D of one length >= 2 (got shapes {loads.shape}, "
                             f"{k.shape}, {n.shape})")
    if not np.all(np.isfinite(loads)) or np.any(np.diff(loads) <= 0):
        raise ParameterError("loads must be finite and strictly increasing")
    if not (np.issubdtype(k.dtype, np.integer) and np.issubdtype(n.dtype, np.integer)) or np.any(n < 1) \
            or np.any(k < 0) or np.any(k > n):
        raise ParameterError("successes and trials must be integers with trials >= 1 and 0 <= successes <= trials")
    return loads, k.astype(float), n.astype(float)


def log_likelihood(alpha_alg, width, loads, successes, trials):
    """log L of eq. (P) (binomial coefficients left out)."""
    z = (np.asarray(loads, dtype=float) - alpha_alg) / width
    k, n = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    return float(np.sum(k * log_ndtr(-z) + (n - k) * log_ndtr(z)))


def fit_threshold(loads, successes, trials, grid=400):
    """ThresholdFit of eq. (P) to the counts (module docstring); ConvergenceError if the data do not
    bracket a transition."""
    loads, k, n = _checked(loads, successes, trials)
    frac = k / n
    if k.sum() == 0 or k.sum() == n.sum():
        raise ConvergenceError(f"no transition: {'no' if k.sum() == 0 else 'every'} run ended with a solution at loads "
                               f"{loads[0]:g} to {loads[-1]:g}")
    if frac[0] < 0.5 or frac[-1] > 0.5:
        raise ConvergenceError(f"the loads do not bracket the transition: success fraction {frac[0]:.2f} at "
                               f"{loads[0]:g} (needs >= 1/2) and {frac[-1]:.2f} at {loads[-1]:g} (needs <= 1/2)")
    span = loads[-1] - loads[0]
    log_w = (np.log(W_MIN * span), np.log(W_MAX * span))

    def profile(a):  # max over w of log L at alpha_alg = a: (value, w)
        res = minimize_scalar(lambda u: -log_likelihood(a, np.exp(u), loads, k, n), bounds=log_w, method="bounded",
                              options={"xatol": 1e-6})
        return -res.fun, float(np.exp(res.x))

    grid_a = np.linspace(loads[0] - 0.5 * span, loads[-1] + 0.5 * span, grid)
    values = np.array([profile(a)[0] for a in grid_a])
    best = int(np.argmax(values))
    if 0 < best < grid - 1:
        res = minimize_scalar(lambda a: -profile(a)[0], bounds=(grid_a[best - 1], grid_a[best + 1]), method="bounded",
                              options={"xatol": 1e-9})
        a_max, top = (float(res.x), -float(res.fun)) if -res.fun >= values[best] else (grid_a[best], values[best])
    else:
        a_max, top = grid_a[best], values[best]
    inside = np.flatnonzero(values >= top - DROP)
    i0, i1 = inside[0], inside[-1]
    if i0 == 0 or i1 == grid - 1:
        raise ConvergenceError(f"the threshold is not bounded by the loads {loads[0]:g} to {loads[-1]:g}: the profile "
                               f"likelihood stays within {DROP} of its maximum at the edge of the search")

    def excess(a):
        return profile(a)[0] - (top - DROP)

    lower = find_root(excess, grid_a[i0 - 1], grid_a[i0] if grid_a[i0] < a_max else a_max,
                      "the lower end of the threshold's 68% interval", xtol=1e-9)
    upper = find_root(excess, grid_a[i1] if grid_a[i1] > a_max else a_max, grid_a[i1 + 1],
                      "the upper end of the threshold's 68% interval", xtol=1e-9)
    centre, half = 0.5 * (lower + upper), 0.5 * (upper - lower)
    if centre - half < loads[0] - half or centre + half > loads[-1] + half:
        raise ConvergenceError(f"the threshold {centre:.4g} +- {half:.2g} lies outside the loads {loads[0]:g} to "
                               f"{loads[-1]:g}")
    return ThresholdFit(float(centre), float(half), float(lower), float(upper), profile(a_max)[1], loads,
                        k.astype(int), n.astype(int))


def success_fraction(successes, trials):
    """(fraction, standard error) per load: k/n and the binomial error sqrt(f (1 - f) / n), with
    f = (k + 1/2) / (n + 1) inside the square root so that 0/n and n/n get a non-zero error bar."""
    k, n = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    f = (k + 0.5) / (n + 1.0)
    return k / n, np.sqrt(f * (1.0 - f) / n)


def refined_loads(loads, successes, trials, n_new, decimals=4):
    """n_new loads evenly inside the bracket of a scan where the success fraction first drops below
    1/2 (between that load and the one before), rounded to `decimals`: where a second scan adds the
    most to the fit.  Empty when the fraction is below 1/2 at the first load or never drops below it
    (fit_threshold then says why there is no threshold)."""
    loads, k, n = _checked(loads, successes, trials)
    if isinstance(n_new, bool) or not isinstance(n_new, (int, np.integer)) or n_new < 0:
        raise ParameterError(f"n_new must be an integer >= 0 (got {n_new!r})")
    below = np.flatnonzero(k / n < 0.5)
    if below.size == 0 or below[0] == 0:
        return []
    lo, hi = loads[below[0] - 1], loads[below[0]]
    return [round(float(lo + (hi - lo) * j / (n_new + 1)), decimals) for j in range(1, n_new + 1)]


# ----------------------------------------------------------------------------- reported in the algorithms chapter
def fit_or_reason(loads, successes, trials):
    """fit_threshold, or the ConvergenceError saying why these counts give no threshold."""
    try:
        return fit_threshold(loads, successes, trials)
    except ConvergenceError as exc:
        return exc


def format_threshold(fit, missing="not determined on this grid"):
    """"alpha_alg ± error" of a ThresholdFit (three decimals), or `missing` when there is none."""
    return f"{fit.alpha:.3f} ± {fit.error:.3f}" if isinstance(fit, ThresholdFit) else missing


def threshold_difference(a, b):
    """a.alpha - b.alpha and its standard error (independent ThresholdFits)."""
    return a.alpha - b.alpha, float(np.hypot(a.error, b.error))


def compare_thresholds(a, b):
    """a.alpha - b.alpha ± its standard error, and whether it exceeds three standard errors, as a phrase."""
    if not (isinstance(a, ThresholdFit) and isinstance(b, ThresholdFit)):
        return "cannot be compared on this grid (a threshold is not bracketed)"
    d, e = threshold_difference(a, b)
    verdict = ("a difference of more than three standard errors" if abs(d) > 3 * e else
               "a difference the data cannot separate from zero at three standard errors")
    return f"{d:+.3f} ± {e:.3f}, {verdict}"


def beats_verdict(a, b):
    """The verdict on "the algorithm of threshold a goes further than that of b": "holds" when
    a.alpha - b.alpha exceeds three standard errors, "fails" when it is below minus three, "undecided"
    in between or when a threshold is not bracketed; followed by the difference (compare_thresholds)."""
    if not (isinstance(a, ThresholdFit) and isinstance(b, ThresholdFit)):
        return f"undecided: {compare_thresholds(a, b)}"
    d, e = threshold_difference(a, b)
    word = "holds" if d > 3 * e else "fails" if d < -3 * e else "undecided"
    return f"{word} ({compare_thresholds(a, b)})"
