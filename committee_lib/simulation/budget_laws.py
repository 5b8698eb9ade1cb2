"""How far an algorithm gets as its budget grows: laws of the threshold alpha_alg against the work W.

Data: the thresholds alpha_i +- e_i (thresholds.fit_threshold) of one learner at one size, at
budgets W_i (sweeps x replicas), independent of each other.  Three laws, each fitted by weighted
least squares, chi2 = sum_i ((alpha_i - f(W_i)) / e_i)^2:

    flat    f = c                                                              (F)
    log     f = c + s ln(W / W0)                                               (L)
    power   f = alpha_inf - a (W / W0)^(-b),   a >= 0,  B_MIN <= b <= B_MAX      (P)

W0 is the geometric mean of the budgets, so that c and a describe the middle of the data.  In (P)
the thresholds rise towards alpha_inf (a >= 0): more work does not make an annealing worse, and a
fall within the errors is fitted by a = 0, a flat law.  (L) is
the b -> 0 limit of (P) at fixed a b = s, so (P), with one parameter more, fits about as well or
better unless the bound on alpha_inf (below) keeps it from following a steep logarithm: the data
favour (P) when it lowers chi2 by more than DELTA_CHI2 = 4 (a likelihood-ratio test at about two
standard deviations) and (L) otherwise.  At fixed b, (P) is linear in (alpha_inf, a), so
its fit is a one-dimensional search over b of closed-form least squares.

Errors.  (F) and (L) are linear: their parameters get the standard errors of weighted least
squares.  For (P), alpha_inf and b get 68% profile intervals (chi2, minimised over the other
parameters, within 1 of its minimum), as the thresholds do, and a the standard error at the
fitted b.  alpha_inf is confined to bounds given by the caller (the book: zero and the RS
capacity, above which no solutions exist at large N).  An interval that reaches a bound or the
end of b's range is open there (None): then the data do not bound the extrapolation, and
`limit_verdict` says so instead of quoting a number.
"""

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.stats import chi2 as chi2_distribution

from ..errors import ConvergenceError, ParameterError
from ..roots import find_root
from .thresholds import ThresholdFit

#: range of the exponent b of (P)
B_MIN, B_MAX = 0.01, 5.0
#: chi2 drop that favours (P) over (L) (one extra parameter, about two standard deviations)
DELTA_CHI2 = 4.0
#: profile rise that bounds a 68% interval (one parameter)
DROP = 1.0
#: a slope or a difference within this many standard errors of zero is "within errors"
SIGMAS = 2.0
_B_GRID = np.geomspace(B_MIN, B_MAX, 120)


@dataclass(frozen=True)
class LawFit:
    """A law of alpha_alg(W) fitted to thresholds (module docstring).

    law: "flat", "log" or "power"; values: {parameter: value} ("c"; "c", "s"; "alpha_inf", "a",
    "b"); intervals: {parameter: (lower, upper)} 68%, None at an open end; chi2 and dof
    (points - parameters); w0: the budget W0 of the law; covariance: of the parameters in the
    order of `values`, for the linear laws (None for the power law).
    """

    law: str
    values: dict
    intervals: dict
    chi2: float
    dof: int
    w0: float
    covariance: np.ndarray | None = field(default=None, compare=False)

    def __call__(self, works):
        """The law at budgets `works`."""
        x = np.asarray(works, dtype=float) / self.w0
        v = self.values
        if self.law == "flat":
            return np.full(x.shape, v["c"])
        if self.law == "log":
            return v["c"] + v["s"] * np.log(x)
        return v["alpha_inf"] - v["a"] * x ** -v["b"]

    def error(self, name):
        """Half-width of the 68% interval of a parameter (None when the interval is open)."""
        lo, hi = self.intervals[name]
        return None if lo is None or hi is None else 0.5 * (hi - lo)

    def p_value(self):
        """Probability of a chi2 at least this large if the law holds (None without degrees of freedom)."""
        return float(chi2_distribution.sf(self.chi2, self.dof)) if self.dof > 0 else None


def _data(works, alphas, errors, n_min):
    W = np.asarray(works, dtype=float)
    y = np.asarray(alphas, dtype=float)
    e = np.asarray(errors, dtype=float)
    if W.ndim != 1 or W.size < n_min or y.shape != W.shape or e.shape != W.shape:
        raise ParameterError(f"works, alphas and errors must be 1-D of one length >= {n_min} (got shapes "
                             f"{W.shape}, {y.shape}, {e.shape})")
    if not (np.all(np.isfinite(W)) and np.all(W > 0) and np.all(np.diff(W) > 0)):
        raise ParameterError("works must be positive and strictly increasing")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(e)) and np.all(e > 0)):
        raise ParameterError("alphas must be finite and errors finite and > 0")
    w0 = float(np.exp(np.mean(np.log(W))))
    return W / w0, y, 1.0 / e**2, w0


def _linear(columns, y, w):
    """Weighted least squares of y on the columns: (coefficients, covariance, chi2)."""
    A = np.column_stack(columns)
    normal = A.T @ (w[:, None] * A)
    cov = np.linalg.inv(normal)
    coef = cov @ (A.T @ (w * y))
    return coef, cov, float(np.sum(w * (y - A @ coef) ** 2))


def _linear_fit(law, names, columns, y, w, w0):
    coef, cov, chi2 = _linear(columns, y, w)
    err = np.sqrt(np.diag(cov))
    return LawFit(law, {n: float(c) for n, c in zip(names, coef)},
                  {n: (float(c - s), float(c + s)) for n, c, s in zip(names, coef, err)}, chi2, y.size - len(names), w0,
                  cov)


def fit_flat(works, alphas, errors):
    """Law (F): the weighted mean of the thresholds, its standard error and chi2 (n - 1 dof)."""
    x, y, w, w0 = _data(works, alphas, errors, 2)
    return _linear_fit("flat", ["c"], [np.ones_like(x)], y, w, w0)


def fit_log(works, alphas, errors):
    """Law (L): alpha = c + s ln(W / W0), weighted least squares (n - 2 dof)."""
    x, y, w, w0 = _data(works, alphas, errors, 3)
    return _linear_fit("log", ["c", "s"], [np.ones_like(x), np.log(x)], y, w, w0)


class _Power:
    """chi2 of (P) with some parameters held fixed, the others at their best (a >= 0, alpha_inf
    within the bounds)."""

    def __init__(self, x, y, w, bounds):
        self.x, self.y, self.w, self.bounds = x, y, w, bounds

    def at_b(self, b):
        """(chi2, alpha_inf, a) minimised over alpha_inf and a at exponent b."""
        u = self.x ** -b
        (c, a), _, chi2 = _linear([np.ones_like(u), -u], self.y, self.w)
        lo, hi = self.bounds
        if a >= 0.0 and lo <= c <= hi:
            return float(chi2), float(c), float(a)
        # chi2 is a convex quadratic: outside the feasible set its minimum lies on an edge of it
        flat = min(max(np.sum(self.w * self.y) / np.sum(self.w), lo), hi)
        edges = [(float(np.sum(self.w * (self.y - flat) ** 2)), float(flat), 0.0)]
        edges += [self._a_at(edge, u) for edge in (lo, hi)]
        return min(edges)

    def _a_at(self, c, u):
        """(chi2, c, a) at alpha_inf = c with a >= 0 at its best."""
        a = max(np.sum(self.w * u * (c - self.y)) / np.sum(self.w * u * u), 0.0)
        return float(np.sum(self.w * (self.y - c + a * u) ** 2)), float(c), float(a)

    def at_limit(self, c):
        """(chi2, b) minimised over a and b at alpha_inf = c."""
        u = self.x[None, :] ** -_B_GRID[:, None]
        a = np.maximum(np.sum(self.w * u * (c - self.y), axis=1) / np.sum(self.w * u * u, axis=1), 0.0)
        chi2 = np.sum(self.w * (self.y - c + a[:, None] * u) ** 2, axis=1)
        return _refine(lambda b: self._a_at(c, self.x ** -b)[0], chi2)


def _refine(f, on_grid):
    """(min, argmin) of f(b) over [B_MIN, B_MAX] from its values on _B_GRID, refined around the best."""
    i = int(np.argmin(on_grid))
    if 0 < i < _B_GRID.size - 1:
        res = minimize_scalar(lambda t: f(np.exp(t)), bounds=(np.log(_B_GRID[i - 1]), np.log(_B_GRID[i + 1])),
                              method="bounded", options={"xatol": 1e-8})
        if res.fun < on_grid[i]:
            return float(res.fun), float(np.exp(res.x))
    return float(on_grid[i]), float(_B_GRID[i])


def _interval(profile, grid, best_x, best):
    """The 68% interval of a parameter from its profile on a grid (None at an end the interval reaches)."""
    grid = np.union1d(grid, [best_x])
    values = np.array([profile(g) for g in grid])
    inside = np.flatnonzero(values <= best + DROP)

    def excess(g):
        return profile(g) - (best + DROP)

    i0, i1 = inside[0], inside[-1]
    lower = None if i0 == 0 else find_root(excess, grid[i0 - 1], grid[i0], "the lower end of a 68% interval",
                                           xtol=1e-9)
    upper = None if i1 == grid.size - 1 else find_root(excess, grid[i1], grid[i1 + 1], "the upper end of a 68% "
                                                       "interval", xtol=1e-9)
    return (None if lower is None else float(lower), None if upper is None else float(upper))


def fit_power(works, alphas, errors, bounds, grid=200):
    """Law (P): alpha = alpha_inf - a (W / W0)^(-b), alpha_inf within bounds = (lower, upper), with
    profile intervals for alpha_inf and b (module docstring); n - 3 dof."""
    x, y, w, w0 = _data(works, alphas, errors, 3)
    lo, hi = (float(v) for v in bounds)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ParameterError(f"bounds must be finite with lower < upper (got {bounds!r})")
    power = _Power(x, y, w, (lo, hi))
    chi2, b = _refine(lambda b: power.at_b(b)[0], np.array([power.at_b(b)[0] for b in _B_GRID]))
    _, c, a = power.at_b(b)
    # a's standard error at the fitted b (the model is linear in alpha_inf and a there)
    _, cov, _ = _linear([np.ones_like(x), -x ** -b], y, w)
    a_err = float(np.sqrt(cov[1, 1]))
    limit = _interval(lambda g: power.at_limit(g)[0], np.linspace(lo, hi, grid), c, chi2)
    exponent = _interval(lambda g: power.at_b(g)[0], _B_GRID, b, chi2)
    return LawFit("power", {"alpha_inf": float(c), "a": float(a), "b": b},
                  {"alpha_inf": limit, "a": (float(a - a_err), float(a + a_err)), "b": exponent}, chi2, y.size - 3, w0)


class BudgetLaws(NamedTuple):
    """The thresholds of one learner at one size against the budget and the three laws fitted to them."""

    works: np.ndarray
    alphas: np.ndarray
    errors: np.ndarray
    flat: LawFit
    log: LawFit
    power: LawFit


def fit_laws(works, thresholds, bounds):
    """BudgetLaws of the thresholds at budgets `works` (ThresholdFits; entries that are not, fits that
    failed, are left out); alpha_inf of the power law within bounds.  ConvergenceError when fewer
    than three budgets have a threshold."""
    if len(works) != len(thresholds):
        raise ParameterError(f"works and thresholds must have one length (got {len(works)} and {len(thresholds)})")
    kept = [(w, t) for w, t in zip(works, thresholds) if isinstance(t, ThresholdFit)]
    if len(kept) < 3:
        raise ConvergenceError(f"a law of the budget needs thresholds at three budgets or more (got {len(kept)} of "
                               f"{len(works)})")
    W = np.array([w for w, _ in kept], dtype=float)
    alphas, errors = np.array([t.alpha for _, t in kept]), np.array([t.error for _, t in kept])
    return BudgetLaws(W, alphas, errors, fit_flat(W, alphas, errors), fit_log(W, alphas, errors),
                      fit_power(W, alphas, errors, bounds))


# ----------------------------------------------------------------------------- reported in the algorithms chapter
def laws_or_reason(works, thresholds, bounds):
    """fit_laws, or the ConvergenceError saying why there is no law."""
    try:
        return fit_laws(works, thresholds, bounds)
    except ConvergenceError as exc:
        return exc


def favoured_law(log, power):
    """The law the data favour: "power" when (P) lowers chi2 by more than DELTA_CHI2, else "log"."""
    return "power" if log.chi2 - power.chi2 > DELTA_CHI2 else "log"


def law_comparison(log, power):
    """Which law the data favour, with both chi2 and their degrees of freedom, as a phrase."""
    both = f"chi2 / dof = {log.chi2:.2f} / {log.dof} for the logarithm and {power.chi2:.2f} / {power.dof} for the power law"
    if favoured_law(log, power) == "power":
        return f"the power law ({both}: the extra parameter lowers chi2 by more than {DELTA_CHI2:g})"
    return f"the logarithm ({both}: the power law's extra parameter lowers chi2 by less than {DELTA_CHI2:g})"


def format_interval(fit, name, spec=".3f"):
    """"value (lower to upper)" of a parameter's 68% interval, an open end written as the bound it
    reached ("above 0.62", "below 0.1")."""
    v, (lo, hi) = fit.values[name], fit.intervals[name]
    if lo is None and hi is None:
        return f"{v:{spec}} (not bounded by the data)"
    if hi is None:
        return f"{v:{spec}} (68% interval: above {lo:{spec}}, not bounded above by the data)"
    if lo is None:
        return f"{v:{spec}} (68% interval: below {hi:{spec}}, not bounded below by the data)"
    return f"{v:{spec}} (68% interval {lo:{spec}} to {hi:{spec}})"


def limit_verdict(power, mark, mark_name):
    """Where the extrapolated alpha_inf of a power-law fit lies relative to a load `mark`, as a phrase."""
    lo, hi = power.intervals["alpha_inf"]
    if hi is None:  # alpha_inf reaches the upper bound of its search within one unit of chi2
        return f"whether it reaches {mark_name} = {mark:.3f} cannot be told"
    if lo is not None and lo > mark:
        return f"above {mark_name} = {mark:.3f} by {lo - mark:.3f} or more (68%)"
    if hi < mark:
        return f"below {mark_name} = {mark:.3f} by {mark - hi:.3f} or more (68%)"
    return f"consistent with {mark_name} = {mark:.3f} (inside the 68% interval)"


def log_reach(log, mark):
    """The budget at which the logarithm (L) reaches the load `mark`, W* = W0 exp((mark - c) / s), and
    its 68% range: the budgets at which the 68% band of the fitted line, c + s t +- sigma(t) with
    t = ln(W / W0), contains the mark (an inverse prediction).  (W*, lower, upper); W* is None when
    the slope is not positive and an end None when the band never leaves the mark on that side."""
    (c, s), V = (log.values["c"], log.values["s"]), log.covariance
    d = c - mark
    # (d + s t)^2 = V_cc + 2 V_cs t + V_ss t^2, a quadratic A t^2 + 2 B t + C = 0
    A, B, C = s * s - V[1, 1], s * d - V[0, 1], d * d - V[0, 0]
    centre = None if s <= 0 else log.w0 * float(np.exp(-d / s))
    if A <= 0:  # the slope is within one standard error of zero: the band contains the mark on one side forever
        return centre, None, None
    root = np.sqrt(max(B * B - A * C, 0.0))
    t1, t2 = (-B - root) / A, (-B + root) / A
    return centre, log.w0 * float(np.exp(t1)), log.w0 * float(np.exp(t2))


def reach_verdict(log, mark, mark_name):
    """log_reach as a phrase: the budget at which the logarithm reaches the mark, with its range."""
    centre, lo, hi = log_reach(log, mark)
    if centre is None:
        return "never, on the logarithm (its slope is not positive)"
    if lo is None or hi is None:
        return (f"at W = {centre:.1e} on the logarithm, not bounded by the data (its slope is within one standard "
                f"error of zero)")
    return f"at W = {centre:.1e} on the logarithm (68% range {lo:.1e} to {hi:.1e})"


def stall_verdict(log, flat):
    """Whether the thresholds are flat in the budget: the slope s of (L) per doubling of W against
    SIGMAS standard errors, and the level of (F) when it is flat, as a phrase."""
    s, e = log.values["s"] * np.log(2.0), log.error("s") * np.log(2.0)
    if abs(s) <= SIGMAS * e:
        return (f"flat within errors (slope {s:+.3f} ± {e:.3f} per doubling of the budget), at "
                f"{flat.values['c']:.3f} ± {flat.error('c'):.3f}")
    return f"{'rising' if s > 0 else 'falling'} by {s:+.3f} ± {e:.3f} per doubling of the budget"
