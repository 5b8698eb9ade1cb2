"""Errors raised by the package: bad parameters and solvers that do not converge."""


class ParameterError(ValueError):
    """A parameter is outside its allowed range; the message names it and the range."""


class ConvergenceError(RuntimeError):
    """A solver did not reach its tolerance; never returned as a silent NaN."""


class NoSignChange(ConvergenceError):
    """A bracketing search reached its limit without the residual changing sign: `limit` is where it
    stopped and `value` the residual there (None where it is undefined)."""

    def __init__(self, message, limit, value):
        super().__init__(message)
        self.limit = limit
        self.value = value


def check_range(name, value, low=None, high=None, low_open=False, high_open=False):
    """Return float(value) if it lies in the interval, else raise ParameterError naming it."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a number (got {value!r})") from None
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    interval = f"{'(' if low_open or low is None else '['}{lo}, {hi}{')' if high_open or high is None else ']'}"
    bad = x != x
    if low is not None:
        bad |= x <= low if low_open else x < low
    if high is not None:
        bad |= x >= high if high_open else x > high
    if bad:
        raise ParameterError(f"{name} must lie in {interval} (got {value!r})")
    return x
