"""Replicated simulated annealing of the robust ensemble (paper, Fig. 3 and its ref. [6]).

y replicas W^a of one machine (committee.py) are coupled through a center that is traced out:

    H = sum_a E(W^a) - (1/beta) sum_i ln 2 cosh(gamma S_i),    S_i = sum_a W_i^a        (H)

with E the hinge loss of committee.py.  A Metropolis step picks a replica a and an input j
uniformly and flips W_j^a with probability

    min(1, exp(-beta dE) cosh(gamma (S_j - 2 W_j^a)) / cosh(gamma S_j))                  (M)

dE is computed bit-parallel over the p patterns (bitplanes.py).  Per replica and hidden unit the
kernel keeps the bit-sliced field counter (relu h/2; sign (g - 1)/2 of the gauge field g = sigma h,
so every label is +1) and the two sets a flip of that unit can move (relu: h <= 0 and h < 0, the
counter <= 0 and < 0; sign: g = +1 and -1, the counter 0 and -1); per replica the bit-sliced
margin counter (m - 1) // 2 and the two sets where the loss moves: a drop of the margin by 2 costs
one step on {m <= 2} (counter <= 0), a rise saves one on {m <= 0} (counter < 0), so

    `dE = |drops & {m <= 2}| - |rises & {m <= 0}|`.                                         (dE)

A replica with E = 0 cannot lower its loss: a proposal with u >= the cosh ratio is rejected
before dE is computed (most proposals late in an anneal; the decision is the one (M) would
take).  An accepted flip steps the field counters of one unit and the margin counters of its
replica by +-1 and reads their sets off the planes, O(p / 512) vector operations per plane
(lanes.py: a block of 8 words is one 512-bit value).  `flip` is inlined into the proposal loop
(inlined_jit): called, it would receive the named tuples flattened into some 130 words per call.

Schedule (explicit in `Schedule`): over `sweeps` sweeps of N y proposals beta rises geometrically
from beta0 to beta1 and the target overlap rises from q_start to q1 as (t / T)^q_shape (linearly
by default; "scoping": the replicas start far apart and are drawn together while the temperature
drops, which lets the group settle in a dense region; with the target held at q1 from the start
the stabilities come out lower).  q_shape < 1 draws the group together early, while beta is still
low: the book's Fig. 3 chapters use q_shape = 1/4 from q_start near 0, which at the paper's sizes
drifts less with the ramp length than the linear target at the same cost (book: stabilities,
"Is the schedule converged?").  After every sweep the mean replica overlap q feeds back on gamma,

    ln gamma += gain (q_target(t) - q).                                                     (F)

After the ramp the run stays at beta1 and q1 for at most `patience` sweeps and ends after the
first sweep at which every replica is a solution and `|q - q1| <= tolerance`; otherwise it is
returned unsolved with its final state.  The reference is the majority vote
W~ = sign(sum_a W^a), ties broken by the run's generator.

The paper sampled the same measure with the reduced-rejection-rate Monte Carlo of its ref. [21];
plain Metropolis has the same stationary measure (tests: exact enumeration on tiny systems).

Randomness: numpy.random.default_rng(seed) draws the patterns, labels, initial replicas, the
seed of the kernel's xoshiro256** stream and the ties of the reference, so a run is a function
of its parameters and seed only (identical in any process or thread).
"""

import math
from collections import namedtuple
from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from .bitplanes import ONES, ZERO, pack, signed_bits, step, to_planes
from .committee import check_architecture, errors, hidden_fields, loss, margins, random_machine
from ..errors import ParameterError, check_range
from ..jit import inlined_jit, jit
from .lanes import load, popcount, splat, store
from .memory import check_fits
from .xoshiro import below, uniform

#: constants of one anneal seen by the kernel (see build_problem)
Problem = namedtuple("Problem", "relu K p y unit Y label valid out_mask")
#: mutable state of the y replicas (see initial_state)
State = namedtuple("State", "W S E field near margin risk rng tally")


@dataclass(frozen=True)
class Schedule:
    """Annealing schedule (module docstring), all of it explicit::

        sweeps     length of the ramp, in sweeps of N y proposals
        beta0      inverse temperature at the start (loss units: one margin step)
        beta1      inverse temperature at the end of the ramp and during the patience tail
        q_start    target overlap at the start; it rises to q1 (min(q_start, q1) is used)
        gain       feedback gain on ln gamma per sweep, eq. (F)
        patience   sweeps allowed after the ramp to reach the end condition
        tolerance  |q - q1| allowed at the end (paper: 0.01)
        gamma0     initial coupling; None: atanh(sqrt(q_start)), for which the beta = 0 measure of
                   (H) has mean overlap q_start (the replicas start as a sample of it)
        q_shape    the target rises as q_start + (q1 - q_start) (t / T)^q_shape, 0 < q_shape <= 1

    The defaults (a linear target from 0.5, beta from 0.2) are those of the algorithms chapter.
    How long a ramp must be is measured, not assumed: the stabilities chapter compares each ramp it
    uses with one four times shorter on the same training sets, and at the paper's sizes the
    observables still drift at the longest ramps the paper build affords (book: stabilities and
    finite_size).  A ramp can also start part way along a longer one (beta0 and q_start set to
    the values that ramp has there), skipping its hot start, the most expensive part per sweep
    (benchmarks/bench_schedule.py).
    """

    sweeps: int = 100_000
    beta0: float = 0.2
    beta1: float = 20.0
    q_start: float = 0.5
    gain: float = 0.1
    patience: int = 5000
    tolerance: float = 0.01
    gamma0: float | None = None
    q_shape: float = 1.0

    def checked(self, q1):
        """A copy with validated values, q_start <= q1 and gamma0 resolved."""
        sweeps = _check_int("schedule.sweeps", self.sweeps, 1)
        patience = _check_int("schedule.patience", self.patience, 0)
        beta0 = check_range("schedule.beta0", self.beta0, 0.0, None, low_open=True)
        beta1 = check_range("schedule.beta1", self.beta1, beta0, None)
        q_start = min(check_range("schedule.q_start", self.q_start, 0.0, 1.0, low_open=True, high_open=True), q1)
        gain = check_range("schedule.gain", self.gain, 0.0, None)
        tolerance = check_range("schedule.tolerance", self.tolerance, 0.0, 1.0, low_open=True)
        gamma0 = math.atanh(math.sqrt(q_start)) if self.gamma0 is None else self.gamma0
        gamma0 = check_range("schedule.gamma0", gamma0, 0.0, None, low_open=True)
        q_shape = check_range("schedule.q_shape", self.q_shape, 0.0, 1.0, low_open=True)
        return Schedule(sweeps, beta0, beta1, q_start, gain, patience, tolerance, gamma0, q_shape)

    def ramp(self, q1):
        """(beta0, beta1, sweeps, q_start, q1, gain, tolerance, q_shape) for run_schedule (a checked copy)."""
        return (self.beta0, self.beta1, float(self.sweeps), self.q_start, q1, self.gain, self.tolerance, self.q_shape)


@dataclass(frozen=True, eq=False)
class AnnealResult:
    """Outcome of one anneal; `solved` is False when the end condition was not reached."""

    activation: str
    K: int
    n: int
    alpha: float
    y: int
    q1: float
    seed: int
    schedule: Schedule
    solved: bool
    sweeps: int
    q: float
    gamma: float
    beta: float
    replica_errors: list
    center_errors: int
    W: np.ndarray
    reference: np.ndarray
    architecture: str = "tree"

    def machine(self):
        """The training set of this run, drawn again from default_rng(seed)."""
        return random_machine(self.activation, self.K, self.alpha, np.random.default_rng(self.seed), self.n,
                              self.architecture)

    def summary(self):
        """JSON-ready numbers (no weights)."""
        keys = ("activation", "architecture", "K", "n", "alpha", "y", "q1", "seed", "solved", "sweeps", "q", "gamma",
                "beta", "replica_errors", "center_errors")
        return {k: getattr(self, k) for k in keys}


# ----------------------------------------------------------------------------- kernel
@jit
def flip_mask(w):
    """All ones when w = -1, so that Y[j] ^ flip_mask(w) = {w xi_j sigma = +1}."""
    return splat(ZERO if w > 0 else ONES)


@jit
def margin_moves(problem, near0, near1, yw, c, l):
    """Block c of (margin drops, margin rises, field rises) when a weight of unit l flips.

    yw = {w xi sigma = +1}, w the weight before the flip.  sign (gauge field g = sigma h,
    near = {g = +1}, {g = -1}): g falls by 2 on yw, so g = +1 -> -1 drops the margin by 2 and
    g = -1 -> +1 raises it.  relu (near = {h <= 0}, {h < 0}): h rises on {w xi = -1}; the unit's
    output moves by 2 where h > 0 or h = 0 rises, and the margin falls where c_l w xi sigma = +1.
    """
    if problem.relu:
        h_up = yw ^ load(problem.label, c)
        moving = ~near0 | (~near1 & h_up)
        falls = yw ^ splat(problem.out_mask[l])
        return moving & falls, moving & ~falls, h_up
    return near0 & yw, near1 & ~yw, ~yw


@jit
def loss_steps(drops, rises, risk_drop, risk_rise):
    """Loss change of one block, eq. (dE): drops on {m <= 2} cost a step, rises on {m <= 0} save one."""
    return popcount(drops & risk_drop) - popcount(rises & risk_rise)


@inlined_jit
def flip(problem, state, a, j):
    """Flip W_j^a: step, block by block, its unit's field counters and its replica's margin
    counters and read their sets off the planes; then E, S and W.  Returns dE."""

    l = problem.unit[j]
    row = a * problem.K + l
    w = state.W[a, j]
    risk, near = state.risk, state.near
    d = 0
    for c in range(problem.Y.shape[1]):
        drops, rises, h_up = margin_moves(problem, load(near, (row, 0, c)), load(near, (row, 1, c)),
                                          load(problem.Y, (j, c)) ^ flip_mask(w), c, l)
        d += loss_steps(drops, rises, load(risk, (a, 0, c)), load(risk, (a, 1, c)))
        valid = load(problem.valid, c)
        negative, zero, _ = step(state.margin, a, c, (rises | drops) & valid, rises)  # m += 2 on rises, -= 2 on drops
        store(risk, (a, 0, c), (negative | zero) & valid)  # {m <= 2}
        store(risk, (a, 1, c), negative & valid)  # {m <= 0}
        negative, zero, minus_one = step(state.field, row, c, splat(ONES), h_up)  # h += 2 on h_up, -= 2 elsewhere
        if problem.relu:
            store(near, (row, 0, c), negative | zero)  # {h <= 0}
            store(near, (row, 1, c), negative)  # {h < 0}
        else:
            store(near, (row, 0, c), zero)  # {g = +1}
            store(near, (row, 1, c), minus_one)  # {g = -1}
    state.E[a] += d
    state.S[j] -= 2 * w
    state.W[a, j] = -w
    return d


@jit
def coupling_ratios(gamma, y):
    """cosh(gamma (v - 2)) / cosh(gamma v) for v = w S = -y, -y + 2, ..., y, without overflow."""
    ratio = np.empty(y + 1)
    for i in range(y + 1):
        x, z = abs(gamma * (2 * i - y - 2)), abs(gamma * (2 * i - y))
        ratio[i] = math.exp(x - z) * (1.0 + math.exp(-2.0 * x)) / (1.0 + math.exp(-2.0 * z))
    return ratio


@jit
def mean_overlap(S, y):
    """Mean overlap over replica pairs: (sum_i S_i^2 - N y) / (N y (y - 1)); 1 for a single replica."""
    if y == 1:
        return 1.0
    n_inputs = S.size
    return (np.sum(S * S) - n_inputs * y) / (n_inputs * y * (y - 1.0))


@jit
def boltzmann_factors(beta, p):
    """exp(-beta d) for d = -p, ..., p (index d + p); exponents capped at 700 (accept anyway)."""
    return np.exp(np.minimum(-beta * np.arange(-p, p + 1), 700.0))


@jit
def metropolis_sweeps(problem, state, beta, gamma, count):
    """count sweeps of N y proposals of eq. (M) at fixed beta and gamma; dE is summed here, eq. (dE).

    state.tally counts the proposals whose dE was evaluated and those accepted (the others were
    rejected early by the coupling test; benchmarks/profile_annealing.py)."""
    ratio = coupling_ratios(gamma, problem.y)
    boltzmann = boltzmann_factors(beta, problem.p)
    rng, W, S, E, near, risk, Y = state.rng, state.W, state.S, state.E, state.near, state.risk, problem.Y
    evaluated = accepted = 0
    for _ in range(count * problem.unit.size * problem.y):
        a = below(rng, problem.y)
        j = below(rng, problem.unit.size)
        l = problem.unit[j]
        row = a * problem.K + l
        mask = flip_mask(W[a, j])
        r = ratio[(W[a, j] * S[j] + problem.y) // 2]
        u = uniform(rng)
        if E[a] == 0 and u >= r:
            continue  # a solution cannot lower its loss: rejected whatever dE
        d = 0
        for c in range(Y.shape[1]):
            drops, rises, _ = margin_moves(problem, load(near, (row, 0, c)), load(near, (row, 1, c)), load(Y, (j, c)) ^ mask, c, l)
            d += loss_steps(drops, rises, load(risk, (a, 0, c)), load(risk, (a, 1, c)))
        evaluated += 1
        if u < r * boltzmann[d + problem.p]:
            accepted += 1
            flip(problem, state, a, j)
    state.tally[0] += evaluated
    state.tally[1] += accepted


@jit
def ramp_at(t, start, end, sweeps, geometric, shape=1.0):
    """start at t = 0 to end at t = sweeps - 1 (geometric, or linear in x^shape, x = t / (sweeps - 1)), then end."""
    if t >= sweeps - 1:
        return end
    x = t / (sweeps - 1.0)
    return start * (end / start) ** x if geometric else start + (end - start) * x ** shape


@jit
def run_schedule(problem, state, control, ramp, t0, t1):
    """Sweeps t0 .. t1 - 1 of the schedule ramp (Schedule.ramp); control = [gamma, q, beta].

    Returns the number of sweeps done when the end condition is met (every replica a solution
    and |q - q1| <= tolerance, checked from the end of the ramp on), else -1.  A single replica
    (y = 1) has no coupling to steer: the feedback is off and the end condition is E = 0.
    """
    beta0, beta1, sweeps, q_start, q1, gain, tolerance, q_shape = ramp
    for t in range(t0, t1):
        beta = ramp_at(t, beta0, beta1, sweeps, True)
        metropolis_sweeps(problem, state, beta, control[0], 1)
        q = mean_overlap(state.S, problem.y)
        if problem.y > 1:
            control[0] *= math.exp(gain * (ramp_at(t, q_start, q1, sweeps, False, q_shape) - q))  # eq. (F)
        control[1] = q
        control[2] = beta
        if t >= sweeps - 1 and (problem.y == 1 or abs(q - q1) <= tolerance) and np.all(state.E == 0):
            return t + 1
    return -1


# ----------------------------------------------------------------------------- set-up (numpy)
def build_problem(machine, y):
    """Kernel constants: pattern sets per input, unit of each input.

    Y[j] = {xi_j sigma = +1}; label = {sigma = +1}; valid = {mu < p}; out_mask[l] = ones if
    c_l = -1.  A set is bitplanes.blocks(p) blocks of 8 words (512 bits; the bits past p invalid).
    """
    relu = machine.activation == "relu"
    return Problem(
        relu=relu,
        K=machine.K,
        p=machine.p,
        y=y,
        unit=np.repeat(np.arange(machine.K, dtype=np.int64), machine.n),
        Y=pack(machine.unit_patterns.T * machine.sigma == 1),
        label=pack(machine.sigma == 1),
        valid=pack(np.ones(machine.p, bool)),
        out_mask=np.where(machine.c > 0, ZERO, ONES).astype(np.uint64),
    )


def initial_state(machine, problem, W, rng_state):
    """Kernel state for replicas W (y, N) of +-1, every counter computed from scratch (module
    docstring: field counter relu h/2, sign (sigma h - 1)/2; margin counter (m - 1) // 2)."""
    W = np.ascontiguousarray(W, dtype=np.int8)
    h = hidden_fields(machine, W)
    n, y, K = machine.n, W.shape[0], machine.K
    if problem.relu:
        field, near = h // 2, (h <= 0, h < 0)
        bits = signed_bits(-n // 2, n // 2)
    else:
        h = h * machine.sigma  # gauge field g = sigma h
        field, near = (h - 1) // 2, (h == 1, h == -1)
        bits = signed_bits(-(n + 1) // 2, (n - 1) // 2)
    m = margins(machine, W)
    top = machine.K * n // 2 if problem.relu else machine.K  # |m| <= top
    return State(
        W=W,
        S=W.sum(axis=0, dtype=np.int64),
        E=loss(machine, W).astype(np.int64),
        field=to_planes(field, bits).reshape(y * K, *problem.Y.shape[1:2], bits, -1),
        near=np.stack([pack(s) for s in near], axis=-3).reshape(y * K, 2, *problem.Y.shape[1:]),
        margin=to_planes((m - 1) // 2, signed_bits((-top - 1) // 2, (top - 1) // 2)),
        risk=np.stack([pack(m <= 2), pack(m <= 0)], axis=-3),
        rng=np.array(rng_state, np.uint64),
        tally=np.zeros(2, np.int64),
    )


def replicas_around_center(rng, y, n_inputs, gamma):
    """y replicas drawn from the beta = 0 measure of (H): a uniform center c_i, W_i^a = c_i with
    probability (1 + tanh gamma) / 2 (so the mean overlap is tanh^2 gamma)."""
    center = 2 * rng.integers(0, 2, size=n_inputs) - 1
    agree = rng.random((y, n_inputs)) < 0.5 * (1.0 + math.tanh(gamma))
    return np.where(agree, center, -center).astype(np.int8)


def majority(W, rng):
    """Reference W~ = sign(sum_a W^a); a tie (y even) is broken by a fair draw from rng."""
    S = np.asarray(W, np.int64).sum(axis=0)
    ties = S == 0
    S[ties] = 2 * rng.integers(0, 2, size=int(ties.sum())) - 1
    return np.sign(S).astype(np.int8)


def _check_int(name, value, low):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ParameterError(f"{name} must be an integer >= {low} (got {value!r})")
    return int(value)


def memory_needed(K, n, alpha, y):
    """Peak bytes of the numpy arrays of one anneal (set-up and final checks), an upper estimate.

    Drawing the patterns makes int64 arrays of p x N (8 + 8 bytes per entry, then 1 for the int8
    copy); the fields of the set-up and the final check are int64 (y, K, p) arrays, a few at once;
    the replicas (y, N).
    """
    N = K * n
    p = max(1, round(alpha * N))
    return 17 * p * N + 32 * y * K * p + 24 * y * N


def check_memory(activation, K, alpha, y, inputs_per_unit=None, available=None):
    """Raise ParameterError naming K (and the largest K that fits) if the arrays of an anneal
    would not fit in the available memory."""
    activation, K, n = check_architecture(activation, K, K if inputs_per_unit is None else inputs_per_unit)
    alpha = check_range("alpha", alpha, 0.0, None, low_open=True)

    def need(k):
        return memory_needed(k, n if inputs_per_unit is not None else k, alpha, y)

    culprit = f"y = {y} replicas" + (f" of N/K = {n} inputs per unit" if inputs_per_unit is not None else "")
    check_fits(need, K, 1 if activation == "sign" else 2, 2, f"N = {K * n} inputs, p = {round(alpha * K * n)} patterns",
               (culprit, "lower y" + (" or N/K" if inputs_per_unit is not None else "")), available)


def anneal(activation, K, alpha, y, q1, seed, schedule=Schedule(), inputs_per_unit=None, architecture="tree",
           progress=False):
    """One replicated anneal: machine from default_rng(seed), y replicas driven to overlap q1.
    architecture "fully-connected": every unit sees the same inputs_per_unit inputs (committee.py);
    the kernel is the same, each weight carrying the pattern entries of its input.

    Returns an AnnealResult; `solved` is False (with the final state) when the end condition
    was not reached within schedule.sweeps + schedule.patience sweeps.  y = 1 is plain simulated
    annealing of the loss (the coupling term of (H) is constant; q1 is then only validated).
    """
    y = _check_int("y", y, 1)
    seed = _check_int("seed", seed, 0)
    q1 = check_range("q1", q1, 0.0, 1.0, low_open=True, high_open=True)
    s = schedule.checked(q1)
    check_memory(activation, K, alpha, y, inputs_per_unit)
    rng = np.random.default_rng(seed)
    machine = random_machine(activation, K, alpha, rng, inputs_per_unit, architecture)
    W = replicas_around_center(rng, y, machine.N, s.gamma0)
    problem = build_problem(machine, y)
    state = initial_state(machine, problem, W, rng.integers(1, 2**63, size=4))
    control = np.array([s.gamma0, mean_overlap(state.S, y), s.beta0])
    total = s.sweeps + s.patience
    chunk = max(1, total // 200)
    done = -1
    with tqdm(total=total, unit="sweep", disable=not progress, desc=f"anneal {activation} K={K} seed={seed}") as bar:
        for t0 in range(0, total, chunk):
            t1 = min(t0 + chunk, total)
            done = run_schedule(problem, state, control, s.ramp(q1), t0, t1)
            bar.update((t1 if done < 0 else done) - t0)
            if done >= 0:
                break
    reference = majority(state.W, rng)
    return AnnealResult(
        activation=machine.activation, K=machine.K, n=machine.n, alpha=float(alpha), y=y, q1=q1, seed=seed,
        schedule=s, solved=done >= 0, sweeps=done if done >= 0 else total,
        q=float(control[1]), gamma=float(control[0]), beta=float(control[2]),
        replica_errors=[int(e) for e in errors(machine, state.W)],
        center_errors=int(errors(machine, reference)),
        W=state.W.copy(), reference=reference, architecture=machine.architecture,
    )


def anneal_sample(activation, K, alpha, y, q1, seed, schedule, inputs_per_unit=None, architecture="tree"):
    """One sample of a sweep (samples.py): `anneal` without a progress bar.  It is defined here,
    with the engine, so that the result cache is keyed by the code of the engine only
    (cache.module_closure("annealing")), not by the code that schedules the samples."""
    return anneal(activation, K, alpha, y, q1, seed, schedule, inputs_per_unit, architecture)
