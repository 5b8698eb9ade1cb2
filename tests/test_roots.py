"""The one root-finding helper (committee_lib.roots): Brent's result unchanged, one way to fail."""

import math

import pytest
from scipy.optimize import brentq

from committee_lib.errors import ConvergenceError, NoSignChange
from committee_lib.roots import (bisect_into_domain, bracket_increasing, bracketed_root, find_root,
                                  increasing_root)


def f(x):
    return math.cos(x) - x


def test_find_root_is_brentq():
    assert find_root(f, 0.0, 1.0, "cos x = x") == brentq(f, 0.0, 1.0)
    assert find_root(f, 0.0, 1.0, "cos x = x", xtol=1e-14, rtol=1e-15, maxiter=200) == brentq(
        f, 0.0, 1.0, xtol=1e-14, rtol=1e-15, maxiter=200)


def test_find_root_not_converged_names_the_quantity():
    with pytest.raises(ConvergenceError, match="cos x = x"):
        find_root(f, 0.0, 1.0, "cos x = x", xtol=1e-15, maxiter=2)


def test_increasing_root_brackets_by_doubling():
    root = increasing_root(lambda x: x - 3.7, 0.0, 0.1, -10.0, 10.0, "x = 3.7")
    assert root == pytest.approx(3.7, abs=1e-12)
    # None (outside the domain) left of the root counts as 'too large': move left
    root = increasing_root(lambda x: None if x > 5.0 else x - 1.0, 8.0, 0.5, -10.0, 10.0, "x = 1")
    assert root == pytest.approx(1.0, abs=1e-12)


def test_increasing_root_no_sign_change():
    with pytest.raises(NoSignChange, match="x = 30: no sign change up to 10") as info:
        increasing_root(lambda x: x - 30.0, 0.0, 0.1, -10.0, 10.0, "x = 30")
    assert info.value.limit == 10.0 and info.value.value == -20.0
    with pytest.raises(NoSignChange, match="no sign change down to -10") as info:
        increasing_root(lambda x: None, 0.0, 0.1, -10.0, 10.0, "nowhere defined")
    assert info.value.limit == -10.0 and info.value.value is None


def test_bracket_then_brent_is_increasing_root():
    """increasing_root = bracket_increasing + bracketed_root; a decreasing function is bracketed in -x
    and solved by Brent in x (local_entropy does so), with the same points of evaluation."""
    lo, hi = bracket_increasing(lambda x: x - 3.7, 0.0, 0.1, -10.0, 10.0, "x = 3.7")
    assert (lo, hi) == pytest.approx((3.1, 6.3))  # x0 + 0.1 (1 + 2 + ... + 2^k)
    assert bracketed_root(lambda x: x - 3.7, lo, hi, "x = 3.7") == increasing_root(
        lambda x: x - 3.7, 0.0, 0.1, -10.0, 10.0, "x = 3.7")
    lo, hi = bracket_increasing(lambda u: 2.5 + u, 0.0, 0.1, -10.0, 10.0, "2.5 - x at x = -u")
    assert bracketed_root(lambda x: 2.5 - x, -hi, -lo, "2.5 - x") == pytest.approx(2.5, abs=1e-12)
    with pytest.raises(ConvergenceError, match="undefined at"):
        bracketed_root(lambda x: None if 0.0 < x < 1.0 else x - 0.5, -1.0, 2.0, "hole")


def test_bisect_into_domain():
    a, x, fx = bisect_into_domain(lambda v: None if v > 2.0 else v - 1.5, 0.0, 4.0, "never")
    assert 1.5 < x <= 2.0 and fx == x - 1.5 and a <= x
    with pytest.raises(ConvergenceError, match="never"):
        bisect_into_domain(lambda v: None if v > 0.0 else -1.0, -1.0, 1.0, "never")
