"""The one root-finding helper (committee_lib.theory.roots): Brent's result unchanged, one way to fail."""

import math

import pytest
from scipy.optimize import brentq

from committee_lib.errors import ConvergenceError
from committee_lib.theory.roots import bisect_into_domain, find_root, increasing_root


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
    with pytest.raises(ConvergenceError, match="x = 30: no sign change up to 10"):
        increasing_root(lambda x: x - 30.0, 0.0, 0.1, -10.0, 10.0, "x = 30")


def test_bisect_into_domain():
    a, x, fx = bisect_into_domain(lambda v: None if v > 2.0 else v - 1.5, 0.0, 4.0, "never")
    assert 1.5 < x <= 2.0 and fx == x - 1.5 and a <= x
    with pytest.raises(ConvergenceError, match="never"):
        bisect_into_domain(lambda v: None if v > 0.0 else -1.0, -1.0, 1.0, "never")
