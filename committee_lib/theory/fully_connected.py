"""What the large-K theory of the fully connected machine says beyond its kernel (book: fully_connected).

The kernel itself is in architecture.py (`Model.of(..., architecture="fully-connected")`); here are the
two statements the chapter checks it against: the hidden units' correlation at the saddle point, and the
linear machine, which has no large-K kernel but is exactly a perceptron at every K.
"""

from ..errors import ParameterError
from .rs import gardner_integral


def _check_units(K, low):
    if isinstance(K, bool) or not isinstance(K, int) or K < low:
        raise ParameterError(f"K (hidden units) must be an integer >= {low} (got {K!r})")
    return K


def unit_correlation(K):
    """c_k c_l w_k . w_l / N for two hidden units k != l at the saddle point: -1/(K - 1).

    The read-out v = sum_k c_k w_k / sqrt(K) vanishes in every solution (architecture.py), and with
    |w_k|^2 = N and permutation symmetry, 0 = |v|^2 K / N = K + K (K - 1) c_k c_l w_k . w_l / N.
    """
    return -1.0 / (_check_units(K, 2) - 1)


def linear_capacity(K, margin=0.0):
    """Capacity per weight of a fully connected machine of K linear units (K N weights), at every K:
    its output is a perceptron on the N inputs, p = N / J(k) (Gardner; 2N at k = 0), so 1 / (K J(k))."""
    return 1.0 / (_check_units(K, 1) * gardner_integral(margin))
