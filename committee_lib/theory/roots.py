"""One root-finding helper: bracket by doubling steps, then Brent (scipy.optimize.brentq).

Every failure is a ConvergenceError whose message names the quantity sought (`what`).
"""

from scipy.optimize import brentq

from ..errors import ConvergenceError


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


def increasing_root(f, x0, step, lo_limit, hi_limit, what):
    """Root of a function increasing through zero, bracketed from x0 by doubling steps, then Brent.

    f may return None left of its domain's right end (treated as 'too large': move left).
    """
    fx = f(x0)
    x = x0
    if fx is None or fx > 0.0:
        while True:
            b = x
            if x <= lo_limit:
                raise ConvergenceError(f"{what}: no sign change down to {lo_limit:g}")
            x = max(x - step, lo_limit)
            step *= 2.0
            fx = f(x)
            if fx is not None and fx <= 0.0:
                lo, hi = x, b
                break
    else:
        while True:
            a = x
            if x >= hi_limit:
                raise ConvergenceError(f"{what}: no sign change up to {hi_limit:g}")
            x = min(x + step, hi_limit)
            step *= 2.0
            fx = f(x)
            if fx is None:  # past the domain: bisect back into it
                a, x, fx = bisect_into_domain(f, a, x, f"{what}: the residual leaves its domain before changing sign")
            if fx >= 0.0:
                lo, hi = a, x
                break

    def g(v):
        value = f(v)
        if value is None:
            raise ConvergenceError(f"{what}: residual undefined at {v:g} inside the bracket")
        return value

    if lo == hi:
        return lo
    root, info = brentq(g, lo, hi, xtol=1e-13, rtol=1e-14, maxiter=200, full_output=True, disp=False)
    if not info.converged:
        raise ConvergenceError(f"{what}: {info.flag}")
    return root
