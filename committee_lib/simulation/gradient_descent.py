"""Gradient descent on a spherical committee machine, tree or fully connected: the continuous-weight learner.

The machine.  Tree: N = K n inputs split into K receptive fields of n inputs, xi_l the field of
unit l.  Fully connected (book: fully_connected): n inputs seen by every unit, xi_l = xi for all l.
Either way unit l has real weights w_l with `|w_l|^2 = n` (the spherical prior of the theory
chapters), the machine has N = K n weights and a load alpha is patterns per weight, p = alpha K n.
For a Gaussian pattern xi (iid N(0, 1) entries) and a label sigma = +-1,

    lambda_l = w_l . xi_l / sqrt(n),    s = sigma sum_l c_l g(lambda_l) / (sqrt(K) v),          (s)

with v = sqrt(Delta_2 - Delta_{-1}) the output scale of the activation (kernels.Kernel.output_scale),
so that s is the normalised stability of the theory chapters (unit variance for random weights).
c_l = 1, or, when E g != 0 (relu, softplus, sigmoid, gelu), +1 for the first K/2 units and -1
for the rest (sum_l c_l = 0, as committee.py does for binary ReLU machines; K must be even).
A pattern is misclassified when s <= 0.

The loss.  With a training margin k > 0 and a power a >= 1,

    E(W) = sum_mu max(0, k - s^mu)^a / a,                                                    (E)

zero exactly on the weights that classify every pattern with stability at least k (so E = 0
implies zero training errors), positive elsewhere.  Its gradient with respect to w_l is

    dE/dw_l = - sum_mu max(0, k - s^mu)^(a-1) sigma^mu c_l g'(lambda_l^mu) xi_l^mu / (sqrt(nK) v).   (G)

The learner.  Full-batch projected gradient descent on the product of spheres: the gradient of
each unit is projected on the tangent plane of its sphere, w_l <- w_l - eta (G_l - (G_l.w_l) w_l / n),
and w_l is then rescaled to `|w_l|^2 = n`.  With momentum m (heavy ball) the step is
v <- m v - eta G_tangent, w <- w + v.  The run stops at the first step at which no training pattern
is misclassified (success: `solved`), or after `steps` steps.  One pass of the numba kernel over
the patterns computes the fields, the stabilities and, for the patterns inside the margin only,
their contribution to (G): its cost is p N for the fields plus N per pattern inside the margin.

The fully connected machine is run as the tree whose units see the same input (`unit_inputs`: the
(p, n) patterns repeated along the unit axis as a view, without a copy), through the same kernel.

Randomness.  numpy.random.SeedSequence(seed) is split into three streams (spawn): the patterns
(drawn pattern after pattern, K n numbers each for the tree, n for the fully connected machine),
the labels and the initial weights (Gaussian, rescaled to the spheres).  So the training sets of one seed are nested, the first p patterns and labels being the
same for every load, and the initial weights depend on (K, n, seed) only; the descent itself is
deterministic (no fastmath, no threads), so a run is a function of its arguments only.

Largest solved load.  `largest_solved_load` bisects, on the nested training sets of one seed, the
number of patterns p between a load where the run ends solved and one where it does not; it
returns the last solved load of the bracket (a transition of this seed's runs: runs are not
guaranteed to be monotone in p, so it is a transition, not necessarily the largest solved p).
"""

import math
from dataclasses import dataclass

import numpy as np

from .annealing import _check_int
from .committee import Machine, pattern_count
from ..architectures import check_architecture_name
from ..errors import ParameterError, check_range
from ..jit import jit
from .memory import check_fits
from ..theory.kernels import get_kernel

#: activations of the spherical learner -> code of the kernel (sign has no gradient)
ACTIVATION_CODES = {"linear": 0, "relu": 1, "erf": 2, "tanh": 3, "sigmoid": 4, "softplus": 5, "gelu": 6}
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


@dataclass(frozen=True, eq=False)
class SphericalMachine(Machine):
    """A training set of a spherical committee (committee.Machine's fields and N, p): xi float64
    Gaussian, (p, K, n) for the tree, (p, n) for the fully connected machine; sigma (p,) +-1 int8."""

    @property
    def unit_inputs(self):
        """(p, K, n): the input each unit sees, xi_l of eq. (s) (fully connected: xi repeated, a view)."""
        if self.architecture == "tree":
            return self.xi
        return np.broadcast_to(self.xi[:, None, :], (self.p, self.K, self.n))

    @property
    def code(self):
        return ACTIVATION_CODES[self.activation]

    @property
    def c(self):
        """Output weights c_l (float64): all 1, or +1 / -1 halves when E g != 0."""
        return output_weights(self.activation, self.K)

    @property
    def scale(self):
        """Output scale v = sqrt(Delta_2 - Delta_{-1}) of the activation (eq. (s))."""
        return get_kernel(self.activation).output_scale


def output_weights(activation, K):
    """c_l (float64) of K units of an activation: all 1, or +1 / -1 halves when E g != 0."""
    if get_kernel(activation).needs_balanced_output:
        return np.repeat(np.array([1.0, -1.0]), K // 2)
    return np.ones(K)


def check_spherical_architecture(activation, K, n):
    """Validate (activation, K, n); (activation, K, n) as (str, int, int)."""
    if activation not in ACTIVATION_CODES:
        raise ParameterError(f"activation must be one of {', '.join(ACTIVATION_CODES)} for gradient descent "
                             f"(got {activation!r}; sign has no gradient)")
    K = _check_int("K", K, 1)
    n = _check_int("N/K", n, 1)
    if get_kernel(activation).needs_balanced_output and K % 2:
        raise ParameterError(f"{activation} needs an even K (balanced output weights; got K={K})")
    return activation, K, n


def memory_needed(K, n, alpha, architecture="tree"):
    """Peak bytes of the numpy arrays of one run, an upper estimate: the float64 patterns ((p, K, n)
    for the tree, (p, n) fully connected), the labels' uniform draws, stabilities and weights,
    gradient and velocity (K, n)."""
    N = K * n
    p = max(1, round(alpha * N))
    return 8 * p * (N if architecture == "tree" else n) + 24 * p + 48 * N


def check_memory(activation, K, alpha, inputs_per_unit=None, available=None, architecture="tree"):
    """Raise ParameterError naming K (and the largest K that fits) if the arrays of a run would not
    fit in the available memory."""
    activation, K, n = check_spherical_architecture(activation, K, K if inputs_per_unit is None else inputs_per_unit)
    alpha = check_range("alpha", alpha, 0.0, None, low_open=True)
    architecture = check_architecture_name(architecture)

    def need(k):
        return memory_needed(k, n if inputs_per_unit is not None else k, alpha, architecture)

    step = 2 if get_kernel(activation).needs_balanced_output else 1
    check_fits(need, K, step, step, f"N = {K * n} inputs, p = {pattern_count(alpha, K * n)} patterns",
               (f"N/K = {n} inputs per unit", "lower N/K"), available)


def streams(seed):
    """(patterns, labels, initial weights) generators of a seed (module docstring)."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(_check_int("seed", seed, 0)).spawn(3)]


def random_spherical_machine(activation, K, alpha, seed, inputs_per_unit=None, architecture="tree"):
    """p = round(alpha K n) Gaussian patterns and +-1 labels of a seed (nested in p); n = K by
    default; K n inputs for the tree, n for the fully connected machine."""
    activation, K, n = check_spherical_architecture(activation, K, K if inputs_per_unit is None else inputs_per_unit)
    check_memory(activation, K, alpha, inputs_per_unit, architecture=architecture)
    p = pattern_count(alpha, K * n)
    patterns, labels, _ = streams(seed)
    xi = patterns.standard_normal((p, K, n) if architecture == "tree" else (p, n))
    sigma = (2 * (labels.random(p) < 0.5) - 1).astype(np.int8)
    return SphericalMachine(activation, K, n, xi, sigma, architecture)


def initial_weights(K, n, seed):
    """The initial weights (K, n) of a seed: Gaussian, rescaled to the spheres."""
    return on_spheres(streams(seed)[2].standard_normal((K, n)))


def on_spheres(W):
    """W (K, n) with every row rescaled to |w_l|^2 = n."""
    W = np.asarray(W, dtype=float)
    return W * np.sqrt(W.shape[-1] / np.sum(W * W, axis=-1, keepdims=True))


# ----------------------------------------------------------------------------- kernels
@jit
def activate(code, x):
    """(g(x), g'(x)) of the activation with this code (ACTIVATION_CODES)."""
    if code == 0:
        return x, 1.0
    if code == 1:
        return (x, 1.0) if x > 0.0 else (0.0, 0.0)
    if code == 2:
        return math.erf(x), 2.0 / math.sqrt(math.pi) * math.exp(-x * x)
    if code == 3:
        t = math.tanh(x)
        return t, 1.0 - t * t
    if code == 4:
        e = 1.0 / (1.0 + math.exp(-x)) if x >= 0.0 else math.exp(x) / (1.0 + math.exp(x))
        return e, e * (1.0 - e)
    if code == 5:
        e = 1.0 / (1.0 + math.exp(-x)) if x >= 0.0 else math.exp(x) / (1.0 + math.exp(x))
        return max(x, 0.0) + math.log1p(math.exp(-abs(x))), e
    cdf = 0.5 * math.erfc(-x / math.sqrt(2.0))
    return x * cdf, cdf + x * math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


@jit
def loss_gradient(xi, xi_t, sigma, c, W, code, scale, margin, power, grad, stab):
    """(E, errors) of eq. (E) at W (K, n); grad (K, n) <- dE/dW, eq. (G); stab (p,) <- s, eq. (s).
    xi_t is xi laid out (K, n, p) (`by_unit`): the fields lambda_l of all patterns are then sums of
    contiguous rows, added in the same order (i = 0 .. n-1) as w_l . xi_l pattern by pattern."""
    p, K, n = xi.shape
    norm = 1.0 / (math.sqrt(n * K) * scale)
    root_n = math.sqrt(n)
    h = np.zeros((K, p))
    for l in range(K):
        for i in range(n):
            w = W[l, i]
            for mu in range(p):
                h[l, mu] += w * xi_t[l, i, mu]
    lam = np.empty(K)
    dg = np.empty(K)
    grad[:] = 0.0
    loss = 0.0
    errors = 0
    for mu in range(p):
        out = 0.0
        for l in range(K):
            g, d = activate(code, h[l, mu] / root_n)
            lam[l] = g
            dg[l] = d
            out += c[l] * g
        s = sigma[mu] * out * math.sqrt(n) * norm
        stab[mu] = s
        if s <= 0.0:
            errors += 1
        r = margin - s
        if r > 0.0:
            loss += r ** power / power
            f = -(r ** (power - 1.0)) * sigma[mu] * norm
            for l in range(K):
                a = f * c[l] * dg[l]
                if a != 0.0:
                    for i in range(n):
                        grad[l, i] += a * xi[mu, l, i]
    return loss, errors


def by_unit(xi):
    """The patterns (p, K, n) laid out (K, n, p) for the fields of `loss_gradient`; units that see
    the same input (unit axis of stride 0: `unit_inputs` of a fully connected machine) share one copy."""
    if xi.strides[1] == 0:
        return np.broadcast_to(np.ascontiguousarray(xi[:, 0, :].T), (xi.shape[1], xi.shape[2], xi.shape[0]))
    return np.ascontiguousarray(np.transpose(xi, (1, 2, 0)))


@jit
def descend(xi, xi_t, sigma, c, W, code, scale, margin, power, rate, momentum, steps):
    """Projected gradient descent from W (K, n) on its spheres, in place: at most `steps` steps,
    stopping at the first W with no misclassified pattern.  xi_t = by_unit(xi).  Returns (steps
    done, E, errors)."""
    p, K, n = xi.shape
    grad = np.empty((K, n))
    velocity = np.zeros((K, n))
    stab = np.empty(p)
    for t in range(steps + 1):
        loss, errors = loss_gradient(xi, xi_t, sigma, c, W, code, scale, margin, power, grad, stab)
        if errors == 0 or t == steps:
            return t, loss, errors
        for l in range(K):
            radial = 0.0
            for i in range(n):
                radial += grad[l, i] * W[l, i]
            radial /= n
            norm2 = 0.0
            for i in range(n):
                velocity[l, i] = momentum * velocity[l, i] - rate * (grad[l, i] - radial * W[l, i])
                W[l, i] += velocity[l, i]
                norm2 += W[l, i] * W[l, i]
            rescale = math.sqrt(n / norm2)
            for i in range(n):
                W[l, i] *= rescale
    return steps, 0.0, -1  # not reached


# ----------------------------------------------------------------------------- numpy side
def loss_and_gradient(machine, W, margin=0.1, power=2.0):
    """(E, dE/dW (K, n), stabilities s (p,), errors) of eqs. (E), (G), (s) at weights W (K, n)."""
    W = np.ascontiguousarray(W, dtype=float)
    if W.shape != (machine.K, machine.n):
        raise ParameterError(f"W must have shape (K, n) = ({machine.K}, {machine.n}) (got {W.shape})")
    margin = check_range("margin", margin, 0.0, None, low_open=True)
    power = check_range("power", power, 1.0, None)
    grad, stab = np.empty_like(W), np.empty(machine.p)
    xi = machine.unit_inputs
    loss, errors = loss_gradient(xi, by_unit(xi), machine.sigma, machine.c, W, machine.code, machine.scale, margin, power,
                                 grad, stab)
    return float(loss), grad, stab, int(errors)


def stabilities(machine, W):
    """Normalised stabilities s^mu of eq. (s) for weights W (K, n)."""
    return loss_and_gradient(machine, W)[2]


def training_errors(machine, W):
    """Number of misclassified training patterns (s <= 0)."""
    return int(np.sum(stabilities(machine, W) <= 0.0))


@dataclass(frozen=True)
class Descent:
    """Settings of the learner: step size eta, heavy-ball momentum, step budget, training margin
    k and power a of the loss (E).  Defaults: see the algorithms chapter."""

    steps: int = 2000
    rate: float = 0.05
    momentum: float = 0.9
    margin: float = 0.1
    power: float = 2.0

    def checked(self):
        return Descent(_check_int("steps", self.steps, 1), check_range("rate", self.rate, 0.0, None, low_open=True),
                       check_range("momentum", self.momentum, 0.0, 1.0, high_open=True),
                       check_range("margin", self.margin, 0.0, None, low_open=True),
                       check_range("power", self.power, 1.0, None))


@dataclass(frozen=True, eq=False)
class DescentResult:
    """Outcome of one run: solved = no misclassified training pattern when it stopped."""

    activation: str
    K: int
    n: int
    alpha: float
    seed: int
    settings: Descent
    solved: bool
    steps: int
    loss: float
    errors: int
    W: np.ndarray
    architecture: str = "tree"

    def machine(self):
        """The training set of this run, drawn again from its seed."""
        return random_spherical_machine(self.activation, self.K, self.alpha, self.seed, self.n, self.architecture)

    def summary(self):
        """JSON-ready numbers (no weights)."""
        out = {k: getattr(self, k) for k in ("activation", "architecture", "K", "n", "alpha", "seed", "solved", "steps",
                                             "loss", "errors")}
        out.update({f"settings_{k}": v for k, v in vars(self.settings).items()})
        return out


def run_descent(machine, W, settings, p=None):
    """`descend` from W (in place) on the first p patterns of machine (all by default): (steps, E, errors)."""
    xi = machine.unit_inputs[:p]
    return descend(xi, by_unit(xi), machine.sigma[:p], machine.c, W, machine.code, machine.scale, settings.margin,
                   settings.power, settings.rate, settings.momentum, settings.steps)


def gradient_descent(activation, K, alpha, seed, settings=Descent(), inputs_per_unit=None, architecture="tree"):
    """One run: training set and initial weights from the streams of seed, then `descend`."""
    s = settings.checked()
    seed = _check_int("seed", seed, 0)
    machine = random_spherical_machine(activation, K, alpha, seed, inputs_per_unit, architecture)
    W = initial_weights(machine.K, machine.n, seed)
    steps, loss, errors = run_descent(machine, W, s)
    return DescentResult(machine.activation, machine.K, machine.n, float(alpha), seed, s, bool(errors == 0), int(steps),
                         float(loss), int(errors), W, machine.architecture)


# ----------------------------------------------------------------------------- division of labour
def unit_overlaps(W, c):
    """The overlaps of different hidden units of weights W (K, n) with output weights c (book:
    fully_connected, "division of labour"): (mean of w_k . w_l / n over the pairs k < l with
    c_k = c_l, the same over the pairs with c_k = -c_l, read-out |sum_k c_k w_k|^2 / (K n));
    a mean over no pair is nan.  The read-out is 1 + sum_{k != l} c_k c_l w_k . w_l / (K n) on the spheres."""
    W, c = np.asarray(W, dtype=float), np.asarray(c, dtype=float)
    K, n = W.shape
    if K < 2 or c.shape != (K,):
        raise ParameterError(f"W must have K >= 2 rows and c K entries (got W {W.shape}, c {c.shape})")
    Q = W @ W.T / n
    k, l = np.triu_indices(K, 1)
    same = c[k] == c[l]
    v = c @ W

    def mean(x):
        return float(x.mean()) if x.size else math.nan

    return mean(Q[k, l][same]), mean(Q[k, l][~same]), float(v @ v / (K * n))


# ----------------------------------------------------------------------------- weight noise
def weight_noise(machine, W, sizes, n_draws=20, seed=0):
    """Fraction of training patterns misclassified after Gaussian noise of relative size s is added
    to each unit: w_l -> sqrt(n) (w_l + s z_l) / |w_l + s z_l| with z_l ~ N(0, I_n) (so |s z_l| ~ s |w_l|);
    mean over n_draws draws of z, the same draws (rescaled) for every size.  Array (len(sizes),)."""
    W = on_spheres(W)
    sizes = np.atleast_1d(np.asarray(sizes, dtype=float))
    if sizes.ndim != 1 or np.any(~np.isfinite(sizes)) or np.any(sizes < 0):
        raise ParameterError(f"sizes must be a 1-D sequence of numbers >= 0 (got {sizes!r})")
    n_draws = _check_int("n_draws", n_draws, 1)
    rng = np.random.default_rng(_check_int("seed", seed, 0))
    out = np.zeros(sizes.size)
    for _ in range(n_draws):
        z = rng.standard_normal(W.shape)
        for k, s in enumerate(sizes):
            out[k] += training_errors(machine, on_spheres(W + s * z)) / machine.p
    return out / n_draws


# ----------------------------------------------------------------------------- largest solved load
@dataclass(frozen=True, eq=False)
class LoadBracket:
    """Bisection of one seed's nested training sets (module docstring).

    alpha_solved   largest load of the bracket at which the run ended solved (None: not even at alpha_lo)
    alpha_failed   smallest load of the bracket at which it did not (None: solved even at alpha_hi)
    alpha          the estimate: alpha_solved, or alpha_lo / alpha_hi at an open end
    runs           (p, solved, steps, errors, ties) of every run, in the order run; ties: the errors
                   with s = 0 exactly (ReLU: every unit inactive, so the pattern has no gradient)
    W              weights of the run at alpha_solved (None if none solved)
    """

    activation: str
    K: int
    n: int
    seed: int
    settings: Descent
    alpha_lo: float
    alpha_hi: float
    alpha_solved: float | None
    alpha_failed: float | None
    runs: tuple
    W: np.ndarray | None
    architecture: str = "tree"

    @property
    def alpha(self):
        if self.alpha_solved is None:
            return self.alpha_lo
        return self.alpha_hi if self.alpha_failed is None else self.alpha_solved

    @property
    def bracketed(self):
        return self.alpha_solved is not None and self.alpha_failed is not None

    def machine(self):
        """The training set at alpha_solved (None if none)."""
        if self.alpha_solved is None:
            return None
        return random_spherical_machine(self.activation, self.K, self.alpha_solved, self.seed, self.n,
                                        self.architecture)


def loss_gradient_stabilities(machine, p, W):
    """Stabilities (s) of the first p patterns of machine at W."""
    grad, stab, xi = np.empty_like(W), np.empty(p), machine.unit_inputs[:p]
    loss_gradient(xi, by_unit(xi), machine.sigma[:p], machine.c, W, machine.code, machine.scale, 1.0, 2.0, grad, stab)
    return stab


def largest_solved_load(activation, K, seed, settings=Descent(), inputs_per_unit=None, alpha_lo=0.5, alpha_hi=3.0,
                        resolution=0.02, architecture="tree"):
    """Bisect p between round(alpha_lo N) and round(alpha_hi N) until the bracket is at most
    resolution (in load) wide: a LoadBracket.  Runs at alpha_hi first, then alpha_lo."""
    s = settings.checked()
    alpha_lo = check_range("alpha_lo", alpha_lo, 0.0, None, low_open=True)
    alpha_hi = check_range("alpha_hi", alpha_hi, alpha_lo, None, low_open=True)
    resolution = check_range("resolution", resolution, 0.0, None, low_open=True)
    big = random_spherical_machine(activation, K, alpha_hi, seed, inputs_per_unit, architecture)
    N = big.N
    W0 = initial_weights(big.K, big.n, seed)
    runs, solutions = [], {}

    def solved(p):
        W = W0.copy()
        steps, _, errors = run_descent(big, W, s, p)
        ties = 0 if errors == 0 else int(np.sum(loss_gradient_stabilities(big, p, W) == 0.0))
        runs.append((int(p), bool(errors == 0), int(steps), int(errors), ties))
        if errors == 0:
            solutions[p] = W
        return errors == 0

    lo, hi = max(1, round(alpha_lo * N)), big.p
    if solved(hi):
        return LoadBracket(big.activation, big.K, big.n, seed, s, alpha_lo, alpha_hi, hi / N, None, tuple(runs), solutions[hi],
                       big.architecture)
    if not solved(lo):
        return LoadBracket(big.activation, big.K, big.n, seed, s, alpha_lo, alpha_hi, None, lo / N, tuple(runs), None,
                       big.architecture)
    while hi - lo > max(1, resolution * N):
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if solved(mid) else (lo, mid)
    return LoadBracket(big.activation, big.K, big.n, seed, s, alpha_lo, alpha_hi, lo / N, hi / N, tuple(runs), solutions[lo],
                       big.architecture)
