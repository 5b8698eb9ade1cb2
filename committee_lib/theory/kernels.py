"""Activation kernels: the normalised output covariance kappa(q) of a large-K committee.

For two replicas whose branches have overlap q, the output pre-activation of a tree committee
machine with K -> infinity hidden units is Gaussian with covariance Delta(q) - Delta_{-1}
(paper eq. 4), where Delta(q) = E[g(x) g(y)] for standard Gaussians of correlation q,
Delta_{-1} = (E g)^2 and Delta_2 = E g^2.  The label constraint is scale invariant, so every
energetic term is the perceptron's with q replaced by (theory chapter, "kernel substitution")

    kappa(q) = (Delta(q) - Delta_{-1}) / (Delta_2 - Delta_{-1}),   kappa(0) = 0, kappa(1) = 1.

A kernel provides kappa, its first two derivatives, kappa'(1) (infinite for sign) and the
Delta constants (physical stabilities are normalised ones times sqrt(Delta_2 - Delta_{-1})).
"""

import math

import numpy as np
from scipy.special import roots_hermitenorm

from ..errors import ConvergenceError, ParameterError


def _as_overlap(q, low=0.0, name="overlap q"):
    """Overlaps as a float array, checked to lie in [low, 1]."""
    arr = np.asarray(q, dtype=float)
    if np.any(~np.isfinite(arr)) or np.any(arr < low) or np.any(arr > 1.0):
        raise ParameterError(f"{name} must lie in [{low:g}, 1] (got {q!r})")
    return arr


def _out(value, q):
    """Return a float for scalar input, an array otherwise."""
    return float(value) if np.ndim(q) == 0 else value


class Kernel:
    """Base class: subclasses implement _kappa, _dkappa, _d2kappa on arrays in [0, 1]."""

    name = "kernel"
    #: (E g)^2 and E g^2 of the activation for a standard Gaussian input
    delta_m1 = 0.0
    delta_2 = 1.0

    def kappa(self, q):
        """kappa(q), the normalised output covariance, at overlaps q in [0, 1] (a number or an array)."""
        return _out(self._kappa(_as_overlap(q)), q)

    def dkappa(self, q):
        """kappa'(q) at overlaps q in [0, 1]."""
        return _out(self._dkappa(_as_overlap(q)), q)

    def correlation(self, rho):
        """kappa continued to rho in [-1, 1]: the normalised correlation of the outputs of one network
        on two inputs whose branches have overlap rho (or of two networks on one input).  Every
        closed form and the Hermite series hold on the whole interval; rho = -1 is a negated input
        (sign: -1; ReLU: -1/(pi - 1), since max(0, -x) is not -max(0, x))."""
        return _out(self._kappa(_as_overlap(rho, -1.0, "correlation rho")), rho)

    def d2kappa(self, q):
        """kappa''(q) at overlaps q in [0, 1]."""
        return _out(self._d2kappa(_as_overlap(q)), q)

    def one_minus_kappa(self, y):
        """1 - kappa(1 - y) for a scalar y in [0, 1], without the cancellation of 1 - kappa near q = 1."""
        return 1.0 - self.kappa(1.0 - y)

    def dkappa_near_one(self, y):
        """kappa'(1 - y) for a scalar y in (0, 1], with 1 - q given exactly (sign diverges as q -> 1)."""
        return self.dkappa(1.0 - y)

    def inverse(self, k, one_minus_k):
        """(q, 1 - q) with kappa(q) = k; 1 - k is passed separately to keep its precision near 1.

        Newton on kappa (increasing and convex), in y = 1 - q close to q = 1.
        """
        if one_minus_k < 0.1:
            dk1 = self.dkappa_at_1
            y = one_minus_k / dk1 if math.isfinite(dk1) else one_minus_k
            for _ in range(60):
                f = self.one_minus_kappa(y) - one_minus_k
                y_new = min(max(y - f / self.dkappa_near_one(y), 0.5 * y), 2.0 * y)
                if abs(y_new - y) <= 1e-12 * y or abs(f) <= 1e-15 * one_minus_k + 4e-16:  # 4e-16: round-off of 1 - kappa
                    return 1.0 - y_new, y_new
                y = y_new
        else:
            q = k
            for _ in range(60):
                f = self.kappa(q) - k
                q_new = min(max(q - f / self.dkappa(q), 0.0), 1.0)
                if abs(q_new - q) <= 1e-14 or abs(f) <= 1e-16:
                    return q_new, 1.0 - q_new
                q = q_new
        raise ConvergenceError(f"inverse of the {self.name} kernel did not converge at 1 - kappa = {one_minus_k:.3g}")

    @property
    def dkappa_at_1(self):
        """kappa'(1) = E[g'^2]/Var g (Price): finite iff g' is square integrable."""
        return float(self._dkappa(np.array(1.0)))

    @property
    def output_scale(self):
        """sqrt(Delta_2 - Delta_{-1}): physical stability = this times normalised stability."""
        return math.sqrt(self.delta_2 - self.delta_m1)

    @property
    def needs_balanced_output(self):
        """True when E g != 0, so that the output weights must satisfy sum_l c_l = 0.

        |E g| below 1e-6 of the output scale is quadrature round-off of an odd activation.
        """
        return self.delta_m1 > 1e-12 * self.delta_2

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}>"


class Sign(Kernel):
    """g = sign(x): kappa = (2/pi) arcsin q; kappa'(1) diverges as (1-q)^(-1/2)."""

    name = "sign"

    def _kappa(self, q):
        return 2.0 / np.pi * np.arcsin(q)

    def _dkappa(self, q):
        with np.errstate(divide="ignore"):
            return 2.0 / np.pi / np.sqrt((1.0 - q) * (1.0 + q))

    def _d2kappa(self, q):
        with np.errstate(divide="ignore"):
            return 2.0 / np.pi * q / ((1.0 - q) * (1.0 + q)) ** 1.5

    def one_minus_kappa(self, y):
        return 4.0 / math.pi * math.asin(math.sqrt(0.5 * y))  # (2/pi) arccos(1 - y)

    def dkappa_near_one(self, y):
        return 2.0 / math.pi / math.sqrt(y * (2.0 - y))

    def inverse(self, k, one_minus_k):
        return math.sin(0.5 * math.pi * k), 2.0 * math.sin(0.25 * math.pi * one_minus_k) ** 2


class PiecewiseLinear(Kernel):
    """g = b x + c |x|: linear (c = 0), ReLU (b = c = 1/2), leaky ReLU, absolute value.

    Delta(q) - Delta_{-1} = b^2 q + c^2 (2/pi) (sqrt(1-q^2) + q arcsin q - 1)
    (E[|x||y|] = (2/pi)(sqrt(1-q^2) + q arcsin q); cross terms vanish by parity).
    """

    def __init__(self, b, c, name):
        if b == 0.0 and c == 0.0:
            raise ParameterError("a piecewise-linear activation needs b != 0 or c != 0")
        self.b, self.c, self.name = float(b), float(c), name
        self.delta_m1 = self.c**2 * 2.0 / np.pi
        self.delta_2 = self.b**2 + self.c**2
        self._norm = self.delta_2 - self.delta_m1

    def _kappa(self, q):
        s = np.sqrt((1.0 - q) * (1.0 + q))
        return (self.b**2 * q + self.c**2 * 2.0 / np.pi * (s + q * np.arcsin(q) - 1.0)) / self._norm

    def _dkappa(self, q):
        return (self.b**2 + self.c**2 * 2.0 / np.pi * np.arcsin(q)) / self._norm

    def _d2kappa(self, q):
        with np.errstate(divide="ignore"):
            return self.c**2 * 2.0 / np.pi / np.sqrt((1.0 - q) * (1.0 + q)) / self._norm

    def one_minus_kappa(self, y):
        # with kappa(1) = 1: 1 - kappa(1-y) = [b^2 y + c^2 (2/pi)(y pi/2 + (1-y) arccos(1-y) - sqrt(y(2-y)))]/norm
        acos = 2.0 * math.asin(math.sqrt(0.5 * y))
        return (self.b**2 * y + self.c**2 * 2.0 / math.pi
                * (0.5 * math.pi * y + (1.0 - y) * acos - math.sqrt(y * (2.0 - y)))) / self._norm

    def inverse(self, k, one_minus_k):
        if self.c == 0.0:  # linear: kappa(q) = q
            return k, one_minus_k
        return super().inverse(k, one_minus_k)


def leaky_relu(slope):
    """g = max(x, slope x) = (1+slope)/2 x + (1-slope)/2 |x|; slope in [0, 1)."""
    if not 0.0 <= slope < 1.0:
        raise ParameterError(f"leaky_relu slope must lie in [0, 1) (got {slope!r})")
    return PiecewiseLinear(0.5 * (1.0 + slope), 0.5 * (1.0 - slope), f"leaky_relu({slope:g})")


class Erf(Kernel):
    """g = erf(s x): kappa = arcsin(2 s^2 q / (1 + 2 s^2)) / arcsin(2 s^2 / (1 + 2 s^2))."""

    def __init__(self, scale=1.0):
        if not scale > 0:
            raise ParameterError(f"erf scale must be > 0 (got {scale!r})")
        self.scale, self.name = float(scale), "erf" if scale == 1.0 else f"erf({scale:g})"
        self._r = 2.0 * scale**2 / (1.0 + 2.0 * scale**2)
        self.delta_2 = 2.0 / np.pi * math.asin(self._r)

    def _kappa(self, q):
        return np.arcsin(self._r * q) / math.asin(self._r)

    def _dkappa(self, q):
        return self._r / np.sqrt(1.0 - (self._r * q) ** 2) / math.asin(self._r)

    def _d2kappa(self, q):
        return self._r**3 * q / (1.0 - (self._r * q) ** 2) ** 1.5 / math.asin(self._r)


class Hermite(Kernel):
    """Any smooth activation through the Mehler expansion kappa(q) = sum_k p_k q^k.

    With g = sum_k c_k He_k / sqrt(k!), Delta(q) = sum_k c_k^2 q^k, so p_k = c_k^2 / Var g.
    The coefficients come from Gauss-Hermite quadrature; the truncation is checked:
    an activation whose series has not converged by k_max (a kinked g) is refused,
    since the series then converges too slowly near q = 1 (use a closed form instead).
    """

    def __init__(self, func, name=None, k_max=150, n_nodes=400, tol=1e-10):
        self.name = name or getattr(func, "__name__", "custom")
        x, w = roots_hermitenorm(n_nodes)
        w = w / math.sqrt(2.0 * math.pi)
        with np.errstate(all="ignore"):
            gx = np.asarray(func(x), dtype=float)
        if gx.shape != x.shape or not np.all(np.isfinite(gx)):
            raise ParameterError(
                f"activation {self.name!r} must map a float array to finite floats of the same shape")
        mean = float(w @ gx)
        self.delta_m1 = mean**2
        self.delta_2 = float(w @ gx**2)
        var = self.delta_2 - self.delta_m1
        if not var > 1e-14:
            raise ParameterError(f"activation {self.name!r} is constant: kappa is undefined")
        # normalised probabilists' Hermite functions by the recurrence h_{k+1} = (x h_k - sqrt(k) h_{k-1})/sqrt(k+1)
        c = np.empty(k_max + 1)
        h_prev, h = np.zeros_like(x), np.ones_like(x)
        for k in range(k_max + 1):
            c[k] = w @ (gx * h)
            h_prev, h = h, (x * h - math.sqrt(k) * h_prev) / math.sqrt(k + 1)
        p = c[1:] ** 2 / var
        tail = 1.0 - p.sum()
        if abs(tail) > tol or p[-10:].sum() > tol:
            raise ParameterError(
                f"activation {self.name!r}: Hermite series not converged at k_max={k_max} "
                f"(missing weight {tail:.1e}); kinked activations need a closed-form kernel")
        self.p = p / p.sum()  # p[k-1] multiplies q^k
        k = np.arange(1, k_max + 1)
        self._powers = np.arange(k_max + 1)
        self._coef = (np.concatenate([[0.0], self.p]), np.append(k * self.p, 0.0),
                      np.append((k * (k - 1) * self.p)[1:], [0.0, 0.0]))

    def _series(self, q, j):
        """sum_n coef_j[n] q^n, vectorised over the powers (no Python loop)."""
        return np.power.outer(q, self._powers) @ self._coef[j]

    def _kappa(self, q):
        return self._series(q, 0)

    def _dkappa(self, q):
        return self._series(q, 1)

    def _d2kappa(self, q):
        return self._series(q, 2)


def _softplus(x):
    return np.logaddexp(0.0, x)


def _gelu(x):
    from scipy.special import ndtr

    return x * ndtr(x)


def _sigmoid(x):
    from scipy.special import expit

    return expit(x)


#: name -> factory of the built-in activations
ACTIVATIONS = {
    "linear": lambda: PiecewiseLinear(1.0, 0.0, "linear"),
    "sign": Sign,
    "relu": lambda: PiecewiseLinear(0.5, 0.5, "relu"),
    "leaky_relu": lambda: leaky_relu(0.1),
    "abs": lambda: PiecewiseLinear(0.0, 1.0, "abs"),
    "erf": Erf,
    "tanh": lambda: Hermite(np.tanh, "tanh"),
    "sigmoid": lambda: Hermite(_sigmoid, "sigmoid"),
    "gelu": lambda: Hermite(_gelu, "gelu"),
    "softplus": lambda: Hermite(_softplus, "softplus"),
}

_CACHE = {}


def get_kernel(activation):
    """A Kernel from a name in ACTIVATIONS, a Kernel instance, or a smooth callable g(x)."""
    if isinstance(activation, Kernel):
        return activation
    if callable(activation):
        return Hermite(activation)
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ParameterError(
            f"activation must be one of {', '.join(ACTIVATIONS)} or a callable (got {activation!r})")
    if activation not in _CACHE:
        _CACHE[activation] = ACTIVATIONS[activation]()
    return _CACHE[activation]
