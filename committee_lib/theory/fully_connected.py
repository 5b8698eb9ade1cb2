"""What the large-K theory of the fully connected machine says beyond its kernel (book: fully_connected).

The kernel itself is in architecture.py (Model.of(..., architecture="fully-connected")); here are the
two statements the chapter checks it against: the hidden units' correlation at the saddle point, and the
linear machine, which has no large-K kernel but is exactly a perceptron at every K.
"""

import math

import numpy as np
from scipy.special import erf

from ..errors import ParameterError, check_range
from .rs import gardner_integral


def _check_units(K, low):
    if isinstance(K, bool) or not isinstance(K, int) or K < low:
        raise ParameterError(f"K (hidden units) must be an integer >= {low} (got {K!r})")
    return K


def unit_correlation(K):
    """c_k c_l w_k . w_l / N for two hidden units k != l at the saddle point: -1/(K - 1).

    The read-out v = sum_k c_k w_k / sqrt(K) vanishes in every solution (architecture.py), and with
    w_k . w_k = N and permutation symmetry, 0 = K v . v / N = K + K (K - 1) c_k c_l w_k . w_l / N.
    """
    return -1.0 / (_check_units(K, 2) - 1)


def linear_capacity(K, margin=0.0):
    """Capacity per weight of a fully connected machine of K linear units (K N weights), at every K:
    its output is a perceptron on the N inputs, p = N / J(k) (Gardner; 2N at k = 0), so 1 / (K J(k))."""
    return 1.0 / (_check_units(K, 1) * gardner_integral(margin))


#: the activations of the sampled check, as numpy functions
_UNITS = {"sign": np.sign, "relu": lambda x: np.maximum(x, 0.0), "erf": erf, "tanh": np.tanh, "abs": np.abs}


def _unit_rows(rng, c, N, read_out_free):
    """K weight vectors of norm sqrt(N), Gaussian, with sum_k c_k w_k = 0 when read_out_free."""
    W = rng.standard_normal((c.size, N))
    if read_out_free:
        W -= np.outer(c, c @ W) / c.size
    return W * math.sqrt(N) / np.linalg.norm(W, axis=1, keepdims=True)


def sampled_output_correlation(activation, K, N, q, n_inputs, seed, read_out_free=True, chunk=2000):
    """The correlation of the outputs of two sampled fully connected machines, unit by unit at overlap ~q,
    over n_inputs Gaussian inputs: (sampled, predicted).

    read_out_free: both machines have sum_k c_k w_k = 0 (the saddle point), prediction kappa_FC(q);
    otherwise their units are independent (chat = 0), prediction the tree's kappa(q).  The check of the
    covariance of the derivation, up to O(1/K) and O(n_inputs^(-1/2)) (book: fully_connected).
    """
    from .model import Model

    if activation not in _UNITS:
        raise ParameterError(f"activation must be one of {', '.join(_UNITS)} here (got {activation!r})")
    K, N = _check_units(K, 2), _check_units(N, 2)
    check_range("q", q, 0.0, 1.0)
    model = Model.of(activation, architecture="fully-connected" if read_out_free else "tree")
    rng = np.random.default_rng(seed)
    c = np.where(np.arange(K) % 2 == 0, 1.0, -1.0) if model.kernel.needs_balanced_output else np.ones(K)
    Wa = _unit_rows(rng, c, N, read_out_free)
    Wb = q * Wa + math.sqrt(1.0 - q * q) * _unit_rows(rng, c, N, read_out_free)
    Wb *= math.sqrt(N) / np.linalg.norm(Wb, axis=1, keepdims=True)
    g, outputs = _UNITS[activation], []
    for start in range(0, n_inputs, chunk):
        X = rng.standard_normal((min(chunk, n_inputs - start), N)) / math.sqrt(N)
        outputs.append(np.stack([g(X @ W.T) @ c for W in (Wa, Wb)]) / math.sqrt(K))
    sampled = float(np.corrcoef(np.concatenate(outputs, axis=1))[0, 1])
    return sampled, model.kernel.kappa(q)
