"""Full RSB from the K-step solutions of parisi.py: the SAT/UNSAT point alpha_c^fRSB, extrapolated in
the number of steps K with its error budget (theory "Beyond one step", eq. T33), and the load where
the finite-load order parameter x(q) branches off the RS overlap (an independent route to alpha_AT).
"""

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import ConvergenceError, ParameterError
from ..roots import find_root
from .krsb import KRSB_QUAD_ORDER, alpha_c_krsb_sequence
from .model import Model, resolve_spherical
from .parisi import JammingFunctional, _Start, refine_steps, solve_jamming, solve_parisi

#: numbers of steps of the sequence, the h-grid spacing of the first try and the finest one used
#: when a top step presses against the grid's resolution (parisi.JammingFunctional.q_cap)
FRSB_STEPS, FRSB_SPACING, FINEST_SPACING = (4, 5, 6), 0.01, 0.0025
#: steps of the finite-load staircases used for the branch point
BRANCH_STEPS = 6


@dataclass(frozen=True)
class FullRSBCapacity:
    """alpha_c^fRSB = lim alpha_K, estimated from alpha_K = alpha_inf + A K^-p through the last three K."""

    alpha_c: float
    error: float  # error budget: extrapolation + grid (+ nested quadrature of the 3-step point)
    upper_bound: float  # the lowest computed alpha_K (each K-step minimum lies above full RSB)
    steps: tuple  # K = 1, 2, 3 (nested quadrature, krsb) and the grid solutions
    alphas: tuple  # alpha_K
    spacings: tuple  # h-grid spacing of each solution (0 for the nested K <= 3)
    exponent: float  # p of the fit through the last three K
    extrapolation_error: float  # |alpha_inf(last three K) - alpha_inf(the three before)|
    grid_error: float  # |alpha_K at spacing h/2 - at h| at the largest K
    solutions: tuple  # the JammingSolution of each grid K
    kstep: tuple = ()  # the KStepRSB results of K = 1, 2, 3
    model: Model = field(default=None, compare=False)


def power_law_limit(ks, alphas):
    """(alpha_inf, A, p) of alpha_K = alpha_inf + A K^-p through three points (K increasing, alpha
    decreasing with a shrinking decrement); ConvergenceError if no such law passes through them."""
    (k1, k2, k3), (a1, a2, a3) = ks, alphas
    d12, d23 = a1 - a2, a2 - a3
    if not (d12 > 0.0 and d23 > 0.0):
        raise ConvergenceError(f"alpha_K is not decreasing in K ({alphas}): no power-law limit")
    ratio = d12 / d23

    def mismatch(p):  # (K1^-p - K2^-p) / (K2^-p - K3^-p) = d12 / d23
        return (k1 ** -p - k2 ** -p) / (k2 ** -p - k3 ** -p) - ratio

    lo, hi = 1e-3, 40.0
    if mismatch(lo) * mismatch(hi) > 0.0:
        raise ConvergenceError(f"alpha_K = {alphas} at K = {ks} follows no power law in K")
    p = find_root(mismatch, lo, hi, "the power-law exponent of alpha_K", xtol=1e-12)
    amplitude = d23 / (k2 ** -p - k3 ** -p)
    return a3 - amplitude * k3 ** -p, amplitude, p


def _resolved(model, start, spacing):
    """solve_jamming from start, halving the grid spacing while the top step presses against it."""
    while True:
        solution = solve_jamming(start=start, spacing=spacing, model=model)
        if not solution.at_resolution_limit:
            return solution
        if spacing / 2 < FINEST_SPACING:
            raise ConvergenceError(f"{len(solution.q)}-step capacity ({model.activation}): the top step is narrower than the "
                                   f"finest grid (spacing {spacing:g})")
        start, spacing = solution, spacing / 2


def alpha_c_frsb(activation="relu", margin=0.0, steps=FRSB_STEPS, spacing=FRSB_SPACING, *, model=None):
    """The full-RSB SAT/UNSAT point from the K-step capacities (eq. T33).

    K = 1, 2, 3 are the nested-quadrature optima of krsb; each larger K (steps) is minimised on the
    h-grid from the one before (parisi.refine_steps), on a finer grid when its top step needs it.
    alpha_K decreases towards alpha_c^fRSB; the limit is the power law through the last three K and
    its error the change from the three before, plus the grid error (the last solution re-evaluated
    on a grid twice as fine) and the nested quadrature's (model.quad_order: its nodes per panel).  Kernels with infinite kappa'(1) return
    alpha_c = inf; where the steps merge (RS exact, as for the perceptron at margin >= 0, or no
    further step lowers alpha) the last value is returned with its quadrature error.
    """
    model = resolve_spherical(model, activation, margin, KRSB_QUAD_ORDER)
    steps = tuple(int(k) for k in steps)
    if not steps or steps[0] <= 3 or any(b <= a for a, b in zip(steps, steps[1:])):
        raise ParameterError(f"steps must be increasing numbers of steps above 3 (got {steps})")
    krsb = alpha_c_krsb_sequence(k_max=3, model=model)
    three = krsb[-1]
    alphas = [s.alpha_c for s in krsb]
    if not math.isfinite(three.alpha_c) or not three.q or _merged(alphas):  # no step left to add
        return FullRSBCapacity(three.alpha_c, three.quadrature_error, three.alpha_c, (1, 2, 3), tuple(alphas),
                               (0.0,) * 3, math.nan, 0.0, 0.0, (), tuple(krsb), model)
    previous, solutions = three, []
    for k in steps:
        q, r = refine_steps(previous.q, previous.r, k)
        previous = _resolved(model, _Start(q, r), spacing)
        solutions.append(previous)
    ks = (1, 2, 3) + steps
    alphas = tuple(alphas) + tuple(s.alpha_c for s in solutions)
    limit, _, p = power_law_limit(ks[-3:], alphas[-3:])
    before, _, _ = power_law_limit(ks[-4:-1], alphas[-4:-1])
    last = solutions[-1]
    finer = JammingFunctional(spacing=last.spacing / 2, model=model).alpha(np.array(last.q), np.array(last.r))
    grid_error = abs(finer - last.alpha_c)
    extrapolation_error = abs(limit - before)
    return FullRSBCapacity(alpha_c=float(limit), error=float(extrapolation_error + grid_error + three.quadrature_error),
                           upper_bound=float(min(alphas)), steps=ks, alphas=tuple(map(float, alphas)),
                           spacings=(0.0,) * 3 + tuple(s.spacing for s in solutions), exponent=float(p),
                           extrapolation_error=float(extrapolation_error), grid_error=float(grid_error),
                           solutions=tuple(solutions), kstep=tuple(krsb), model=model)


def _merged(alphas):
    """True when a step of the k-step sequence did not lower alpha (to the quadrature's 1e-9)."""
    return any(b > a * (1.0 - 1e-9) for a, b in zip(alphas, alphas[1:]))


def branch_point(activation="relu", loads=(), margin=0.0, steps=BRANCH_STEPS, *, model=None):
    """The load where the finite-load x(q) branches off the RS overlap: the root nearest the loads of
    the quadratic through (alpha, q_M - q_m) of the K-step Parisi solutions at three or more loads
    just above it (eq. T28; replica symmetric below it, so that q_M - q_m -> 0 at alpha_AT).
    Returns (root, widths)."""
    loads = tuple(sorted(float(a) for a in loads))
    if len(loads) < 3:
        raise ParameterError(f"branch_point needs at least three loads (got {len(loads)})")
    solutions = finite_load_solutions(loads, steps, activation, margin, model=model)
    widths = tuple(solutions[load].q_max - solutions[load].q_min for load in loads)
    roots = np.roots(np.polyfit(loads, widths, 2))
    roots = roots[np.isreal(roots)].real
    if roots.size == 0:
        raise ConvergenceError(f"q_M - q_m = {widths} at loads {loads} has no real zero: no branch point")
    return float(roots[np.argmin(np.abs(roots - loads[0]))]), widths


# ----------------------------------------------------------------------------- what the chapter reports
@dataclass(frozen=True)
class CapacityLadder:
    """The capacities of one activation step by step: RS, k = 1, 2, ... steps, full RSB (with its error)."""

    alphas: tuple  # RS, the k-step capacities, full RSB
    error: float  # of the full-RSB value

    @property
    def changes(self):
        """The change of each capacity over the one before, in %."""
        a = self.alphas
        return tuple(100 * (a[i + 1] / a[i] - 1) for i in range(len(a) - 1))

    @property
    def ordered(self):
        """Each capacity at most the one before (a minimum over a larger family), full RSB within its error."""
        *steps, full = self.alphas
        return all(a >= b for a, b in zip(steps, steps[1:])) and steps[-1] >= full - self.error


def capacity_ladder(alpha_rs, steps, full):
    """CapacityLadder from the RS capacity, the KStepRSB results of k = 1, 2, ... and a FullRSBCapacity."""
    return CapacityLadder((alpha_rs, *(s.alpha_c for s in steps), full.alpha_c), full.error)


def staircase_path(q, r):
    """r(q) as a staircase against -ln(1 - q), the last step closed at q = 1 - 1e-6: (xs, ys) to plot."""
    edges = np.concatenate([q, [1 - 1e-6]])
    return np.repeat(-np.log1p(-edges), 2)[1:-1], np.repeat(r, 2)


def limit_table(capacity):
    """Rows [K, alpha_K, grid spacing ("nested" for K <= 3), alpha_{K-1} - alpha_K, the limit (T33)
    through K-2, K-1, K, its exponent p] of a FullRSBCapacity, NaN where a column is undefined."""
    ks, alphas = capacity.steps, capacity.alphas
    rows = []
    for i in range(len(ks)):
        row = [ks[i], alphas[i], capacity.spacings[i] or "nested", alphas[i - 1] - alphas[i] if i else math.nan]
        if i >= 2:
            limit, _, p = power_law_limit(ks[i - 2:i + 1], alphas[i - 2:i + 1])
            row += [limit, p]
        else:
            row += [math.nan, math.nan]
        rows.append(row)
    return rows


def within_errors(a, b):
    """Whether two FullRSBCapacity estimates agree within the sum of their errors."""
    return abs(a.alpha_c - b.alpha_c) <= a.error + b.error


def finite_load_solutions(loads, steps, activation="relu", margin=0.0, *, model=None):
    """{load: the `steps`-step solve_parisi solution}, each started from the solution at the next higher
    load (from the widest x(q) down)."""
    model = resolve_spherical(model, activation, margin, KRSB_QUAD_ORDER)
    solutions, start = {}, None
    for load in sorted(loads, reverse=True):
        start = solutions[load] = solve_parisi(load, steps=steps, start=start, model=model)
    return solutions


def minima_ordered(full, one_step, rs, tol=1e-9):
    """F_fRSB <= F_1RSB <= F_RS (to tol): each free entropy a minimum over a larger family."""
    return full <= one_step + tol and one_step <= rs + tol


# a margin scan: rows (margin, RS, AT, 1RSB, fRSB, fRSB error), fRSB NaN where not computed
def largest_rsb_gain(scan):
    """(the largest % by which full RSB lowers the RS capacity at a negative margin, that margin)."""
    gain = np.where((scan[:, 0] < 0) & np.isfinite(scan[:, 4]), 100 * (1 - scan[:, 4] / scan[:, 1]), -np.inf)
    return float(np.max(gain)), float(scan[np.argmax(gain), 0])


def rs_exact_at_nonnegative_margins(scan):
    """Whether full RSB gives the RS capacity (to 1e-12) at every non-negative margin where it is computed."""
    full = (scan[:, 0] >= 0) & np.isfinite(scan[:, 4])
    return bool(np.allclose(scan[full, 4], scan[full, 1], rtol=1e-12))
