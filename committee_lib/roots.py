"""Root finding: scipy's Brent (find_root) and a bracket-by-doubling search in front of it (bracket_increasing,
bracketed_root; increasing_root is the two in a row).

Every failure to converge is a ConvergenceError whose message names the quantity sought (`what`).
Jitted Newton loops elsewhere return NaN when they fail; their one Python caller raises ConvergenceError.
"""

import numpy as np
from scipy.optimize import brentq

from .errors import ConvergenceError, NoSignChange

#: scipy.optimize.brentq's default tolerances (find_root keeps them, so results are unchanged)
XTOL, RTOL, MAXITER = 2e-12, 4 * np.finfo(float).eps, 100


def find_root(f, lo, hi, what, xtol=XTOL, rtol=RTOL, maxiter=MAXITER):
    """The root of f in [lo, hi] by scipy.optimize.brentq (f(lo), f(hi) of opposite signs: else brentq's
    ValueError); ConvergenceError naming `what` when Brent does not converge in maxiter iterations."""
    root, info = brentq(f, lo, hi, xtol=xtol, rtol=rtol, maxiter=maxiter, full_output=True, disp=False)
    if not info.converged:
        raise ConvergenceError(f"{what}: {info.flag} after {info.iterations} iterations")
    return root


def bisect_into_domain(f, a, b, message):
    """Between a (f defined and <= 0) and b (f undefined: None), bisect for a point x where f is
    defined and > 0.  Returns (a, x, f(x)), a the last point seen with f <= 0; raises
    ConvergenceError(message) after 60 halvings."""
    for _ in range(60):
        mid = 0.5 * (a + b)
        fm = f(mid)
        if fm is None:
            b = mid
        elif fm > 0.0:
            return a, mid, fm
        else:
            a = mid
    raise ConvergenceError(message)


def bracket_increasing(f, x0, step, lo_limit, hi_limit, what):
    """A bracket [lo, hi], f(lo) <= 0 <= f(hi), of the root of a function increasing through zero, by steps
    doubling from x0.

    f may return None right of its domain's right end (treated as 'too large': move left).  Reaching
    lo_limit or hi_limit without a sign change raises NoSignChange (its limit and the value of f there).
    """
    fx = f(x0)
    x = x0
    if fx is None or fx > 0.0:
        while True:
            b = x
            if x <= lo_limit:
                raise NoSignChange(f"{what}: no sign change down to {lo_limit:g}", lo_limit, fx)
            x = max(x - step, lo_limit)
            step *= 2.0
            fx = f(x)
            if fx is not None and fx <= 0.0:
                return x, b
    while True:
        a = x
        if x >= hi_limit:
            raise NoSignChange(f"{what}: no sign change up to {hi_limit:g}", hi_limit, fx)
        x = min(x + step, hi_limit)
        step *= 2.0
        fx = f(x)
        if fx is None:  # past the domain: bisect back into it
            a, x, fx = bisect_into_domain(f, a, x, f"{what}: the residual leaves its domain before changing sign")
        if fx >= 0.0:
            return a, x


def bracketed_root(f, lo, hi, what):
    """The root of f in a bracket from bracket_increasing, by Brent to xtol 1e-13; ConvergenceError where
    f is undefined (None) inside it."""
    def g(v):
        value = f(v)
        if value is None:
            raise ConvergenceError(f"{what}: residual undefined at {v:g} inside the bracket")
        return value

    if lo == hi:
        return lo
    return find_root(g, lo, hi, what, xtol=1e-13, rtol=1e-14, maxiter=200)


def increasing_root(f, x0, step, lo_limit, hi_limit, what):
    """Root of a function increasing through zero: bracket_increasing from x0, then bracketed_root."""
    return bracketed_root(f, *bracket_increasing(f, x0, step, lo_limit, hi_limit, what), what)
