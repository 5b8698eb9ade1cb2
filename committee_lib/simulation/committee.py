"""The binary committee machines: random patterns, integer fields, the loss, classification.

Tree (the paper's): N = K n inputs are split into K disjoint receptive fields of n = N/K inputs;
hidden unit l sees inputs l n, ..., l n + n - 1 through binary weights W = +-1.  Fully connected
(book: fully_connected): every unit sees all n inputs, through weights l n, ..., l n + n - 1 of W.
Either way W has K n weights, unit l owns weights l n .. l n + n - 1 and sees n inputs through them
(`Machine.unit_patterns`: the pattern entry each weight multiplies), and a load alpha is patterns
per weight, p = round(alpha K n).  For pattern mu the hidden field is the integer
h_l = sum_i W_li xi_li (the paper's lambda_l = h_l / sqrt(n)) and the output is
sign(sum_l c_l g(h_l)) (paper eq. 1):

    sign:  g = sign,        c_l = 1;                          K odd,  n odd  (no ties anywhere)
    relu:  g = max(0, .),   c_l = +1 (first K/2), -1 (rest);  K even, n even

The integer output margin m = sigma sum_l c_l g(h_l) is positive exactly on correctly classified
patterns (a ReLU tie m = 0 counts as an error).

Loss.  A weight flip moves one hidden field by 2, hence the margin by 0 or +-2: a sign unit
changes sign (m moves by 2), an active ReLU unit (h > 0, or h = 0 rising) moves its output by 2
(n even keeps every h even, so g(h) moves by exactly 0 or 2).  The loss of a pattern is the
number of such steps its margin still needs to become positive,

    loss(m) = max(0, (2 - m) // 2),

for sign the least number of hidden units that must change, for ReLU a hinge on the integer
margin m / 2.  Counting errors instead (1 if m <= 0) changes only for flips that cross the
boundary and tells a misclassified pattern nothing about how far it is from it; annealing on it
is reported to stall at tens to hundreds of errors.  Both vanish exactly on solutions and are
positive elsewhere, so as beta -> infinity exp(-beta E) tends to the same indicator of solutions
and the sampled measure (the robust ensemble of annealing.py) is the same.
"""

from dataclasses import dataclass

import numpy as np

from ..architectures import check_architecture_name
from ..errors import ParameterError, check_range

ACTIVATIONS = ("sign", "relu")


def check_architecture(activation, K, n):
    """Validate (activation, K, n) and return (activation, K, n) as (str, int, int)."""
    if activation not in ACTIVATIONS:
        raise ParameterError(f"activation must be one of {ACTIVATIONS} (got {activation!r})")
    for name, value in (("K", K), ("N/K", n)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ParameterError(f"{name} must be a positive integer (got {value!r})")
    parity = 1 if activation == "sign" else 0
    if K % 2 != parity or n % 2 != parity or (activation == "relu" and K < 2):
        word = "odd" if parity else "even (and K >= 2)"
        raise ParameterError(f"{activation} needs K and N/K {word} (got K={K}, N/K={n})")
    return activation, int(K), int(n)


@dataclass(frozen=True, eq=False)
class Machine:
    """A training set: xi (p, inputs) and sigma (p,) of +-1 (int8); inputs = K n for the tree, n
    for the fully connected machine."""

    activation: str
    K: int
    n: int
    xi: np.ndarray
    sigma: np.ndarray
    architecture: str = "tree"

    @property
    def N(self):
        """The number of weights, K n (W has shape (..., N))."""
        return self.K * self.n

    @property
    def unit_patterns(self):
        """(p, N): the pattern entry each weight multiplies (tree: xi itself; fully connected: xi
        repeated once per unit, since every unit sees every input)."""
        return self.xi if self.architecture == "tree" else np.tile(self.xi, (1, self.K))

    @property
    def p(self):
        return self.sigma.size

    @property
    def c(self):
        """Output weights c_l (int8): all 1 for sign, +1 then -1 halves for relu."""
        if self.activation == "sign":
            return np.ones(self.K, np.int8)
        return np.repeat(np.array([1, -1], np.int8), self.K // 2)


def pattern_count(alpha, N):
    """p = round(alpha N) for a load alpha > 0; ParameterError unless it is at least one pattern."""
    alpha = check_range("alpha", alpha, 0.0, None, low_open=True)
    p = round(alpha * N)
    if p < 1:
        raise ParameterError(f"alpha N must round to at least one pattern (got alpha={alpha}, N={N})")
    return p


def random_machine(activation, K, alpha, rng, inputs_per_unit=None, architecture="tree"):
    """p = round(alpha K n) patterns and labels, iid +-1 from rng; n inputs per unit (K by default),
    K n inputs in all for the tree, n for the fully connected machine."""
    activation, K, n = check_architecture(activation, K, K if inputs_per_unit is None else inputs_per_unit)
    architecture = check_architecture_name(architecture)
    p = pattern_count(alpha, K * n)
    xi = (2 * rng.integers(0, 2, size=(p, K * n if architecture == "tree" else n)) - 1).astype(np.int8)
    sigma = (2 * rng.integers(0, 2, size=p) - 1).astype(np.int8)
    return Machine(activation, K, n, xi, sigma, architecture)


def hidden_fields(machine, W):
    """Integer hidden fields h[..., l, mu] = sum_i W_li xi^mu_li for weights W of shape (..., N)."""
    W = np.asarray(W, np.int64)
    blocks = W.reshape(*W.shape[:-1], machine.K, machine.n)
    patterns = machine.unit_patterns.reshape(machine.p, machine.K, machine.n).astype(np.int64)
    return np.einsum("...li,mli->...lm", blocks, patterns)


def margins(machine, W):
    """Integer output margins m[..., mu] = sigma^mu sum_l c_l g(h_l^mu) (eq. 1 times sqrt(K), unscaled)."""
    h = hidden_fields(machine, W)
    g = np.sign(h) if machine.activation == "sign" else np.maximum(h, 0)
    return machine.sigma * np.einsum("l,...lm->...m", machine.c.astype(np.int64), g)


def pattern_loss(m):
    """Steps of 2 the margin needs to become positive: max(0, (2 - m) // 2) (module docstring)."""
    return np.maximum(0, (2 - np.asarray(m)) // 2)


def loss(machine, W):
    """Training loss E(W) = sum_mu loss(m^mu), zero exactly on solutions."""
    return pattern_loss(margins(machine, W)).sum(axis=-1)


def errors(machine, W):
    """Number of misclassified training patterns (margin <= 0)."""
    return (margins(machine, W) <= 0).sum(axis=-1)


def stabilities(machine, W):
    """Stabilities sigma K^{-1/2} sum_l c_l g(lambda_l), lambda_l = h_l / sqrt(n) (paper's Xi)."""
    scale = 1.0 if machine.activation == "sign" else 1.0 / np.sqrt(machine.n)
    return margins(machine, W) * scale / np.sqrt(machine.K)
