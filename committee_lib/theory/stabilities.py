"""Stability distributions of the large-K committee machine (paper Fig. 3 left; book: theory_stabilities).

The normalised stability of a training pattern is lambda = sigma U / sqrt(Delta_2 - Delta_{-1}), U the
output pre-activation; the physical one of the paper is Xi = sqrt(Delta_2 - Delta_{-1}) lambda =
kernel.output_scale * lambda.  Every density here is a density in lambda; `density(x, physical=True)`
takes Xi and returns the density in Xi (P_Xi(Xi) = P_lambda(Xi/s)/s).  With a margin k every constraint
is lambda > k (the paper: k = 0).

Write Phi(t) = H(-t), R = phi/Phi (gaussian.mills), and, for a large-deviation (LD) point,
k0 = kappa(q0), k1 = kappa(q1), b = sqrt(k1 - k0), eps = sqrt(1 - k1),
m = sqrt(k0) z0 + b z1 (the field shared by a group of y replicas), t = (m - k)/eps.

* Typical RS solution (`TypicalStability`, the dashed lines)::

      P(lambda) = theta(lambda - k) E_z N(lambda; sqrt(kap) z, 1 - kap) / Phi((sqrt(kap) z - k)/sqrt(1 - kap)),

  kap = kappa(q_RS(alpha)).  A mixture over z of Gaussians truncated to lambda > k.  Exact.
* Replica of the LD measure at finite y (`ReplicaStability`, the solid lines)::

      P(lambda) = theta(lambda - k) E_z0 [int Dz1 Phi(t)^(y-1) N(lambda; m, eps^2)] / [int Dz1 Phi(t)^y].

  Given (z0, z1) drawn from the measure tilted by Phi^y, the replica's own field is a Gaussian
  truncated to lambda > k, so the moments are exact averages over the tilted measure
  (E lambda = <m + eps R(t)>, E lambda^2 = <m^2 + eps^2 + eps R(t)(m + k)>).  Exact.
* Replica as y -> infinity (`LimitStability`): P(lambda) = theta(lambda - k) E_z N(lambda - k; x*, eps^2)/Phi(x*/eps),
  x* = energetic.x_star(sqrt(k1) z - k, Gamma, eps), the maximiser of the energetic envelope.  Exact.
* A reference built from the group (`ReferenceStability`; an extra, not in the paper's theory): the
  majority vote sgn(sum_a W^a) (binary weights; ties broken by a fair coin) or the normalised
  barycenter.  Its overlaps rho_a with the replicas of its own group and rho_0 with other groups give
  a Gaussian output v with Cov(v, u_a) = kappa(rho_a), Cov(v, u_other) = kappa(rho_0), Var v = 1,
  unconstrained (its stability can be negative).  Writing v = A z0 + B z1 + C xi_bar + D zeta
  (xi_bar the mean of the y replicas' own noises, zeta independent):

    - "exact" (C = 0, possible iff D^2 = 1 - A^2 - B^2 >= 0): A = kappa(rho_0)/sqrt(k0),
      B = [kappa(rho_a) - kappa(rho_0)]/b.  The density is exact.
    - "regression" (used when D^2 < 0): v is regressed on the group-mean output, B = gamma b,
      C = gamma eps, gamma = [kappa(rho_a) - kappa(rho_0)]/(b^2 + eps^2/y), D^2 = 1 - A^2 - gamma^2 (b^2 + eps^2/y).
      Given (z0, z1), xi_bar is the mean of y independent truncated Gaussians; it is replaced by a
      Gaussian of the same conditional mean R(t) and variance [1 - R(t)(t + R(t))]/y (CLT).  The
      mean and the variance of v stay exact; the shape (mode, P(0)) is approximate.

Summary statistics (`summary`): mean and variance from the exact moment formulas above (independent
quadrature nodes), the same two by quadrature of the density over lambda (`quadrature_moments`), the
mode by maximising the density and P(0+) = density at lambda = 0 (right limit).

All quadrature-heavy numerics are the numba kernels of energetic.stabilities, vectorised over the
lambda grid (Gauss-Legendre panels, the inner group integral on the peak-centred tilted nodes).

Every distribution carries the architecture of its Model (book: fully_connected): the fully connected
machine's kernel kappa_FC has kappa_FC'(0) = 0, so its typical solution (below rs.alpha_q0_transition) and
the overlap q0 between groups (below the loads where that point turns unstable) sit at 0 (the
permutation-symmetric point; kappa0 = 0 above), and its physical scale is the output_scale of kappa_FC.

The last section is about finite K: the lattice on which a simulated machine's stabilities live.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy.integrate import quad
from scipy.optimize import minimize_scalar

from ..errors import ConvergenceError, ParameterError, check_range
from .energetic import (group_density_kernel, group_moments_kernel, group_outer, limit_density_kernel,
                        limit_moments_kernel, reference_mixture, tilted_peaks, typical_density_kernel)
from .gaussian import jit, legendre, log_normal
from .architecture import architecture_kernel
from .kernels import get_kernel
from .large_deviations import LDPoint, ld_finite_y
from .local_entropy import LocalEntropy
from .model import DEFAULT_QUAD_ORDER, GEOMETRY_MARGINS, Model, check_margin, resolve
from .rs import rs_solution

#: default Gauss-Legendre order per panel of the density kernels (the exact moments use DEFAULT_QUAD_ORDER)
DENSITY_QUAD_ORDER = 24
#: the y -> infinity density kernel is cheap and converges more slowly: a higher order
LIMIT_QUAD_ORDER = 48
#: densities are integrated from the lower end of the support (the reference: mean - TAIL sd) to
#: mean + TAIL sd, each end pushed out while the density there exceeds TAIL_DENSITY / sd
TAIL, TAIL_DENSITY = 9.0, 1e-16
#: Gauss-Legendre order and width (in sd) of the panels of the lambda quadrature
LAMBDA_ORDER, LAMBDA_PANEL = 16, 1.0
#: the reference's exact representation is used when D^2 >= this (below: regression + CLT)
D2_MIN = 1e-10


# ============================================================================= the reference mixture and a sampler
@jit
def mixture_density_kernel(t, lw, mu, var):
    """sum_c exp(lw_c) N(t; mu_c, var_c) on an array t."""
    out = np.zeros(t.size)
    for j in range(t.size):
        acc = 0.0
        for c in range(lw.size):
            acc += math.exp(lw[c] + log_normal(t[j], mu[c], var[c]))
        out[j] = acc
    return out


def sample_group_fields(n, rng, kappa0, kappa1, y, margin=0.0):
    """n independent draws of (z0, z1): z0 ~ N(0, 1) and z1 exactly from the tilted measure
    Phi((sqrt(k0) z0 - k + b z1)/eps)^y Dz1 (for Monte Carlo checks).

    Rejection from N(z*, 1) centred at the peak z*: psi(z) = -z^2/2 + y ln Phi has psi'' <= -1, so
    psi(z) + (z - z*)^2/2 is concave with its maximum psi(z*) at z*, and the acceptance
    exp(psi(z) + (z - z*)^2/2 - psi(z*)) is at most one.
    """
    from scipy.special import log_ndtr as sp_log_ndtr

    s0, b, eps = math.sqrt(kappa0), math.sqrt(kappa1 - kappa0), math.sqrt(1.0 - kappa1)
    z0 = rng.standard_normal(n)
    if b == 0.0:
        return z0, rng.standard_normal(n)
    a = s0 * z0 - margin
    zp = tilted_peaks(a, b, eps, float(y))
    psi_p = -0.5 * zp * zp + y * sp_log_ndtr((a + b * zp) / eps)
    z1 = np.empty(n)
    todo = np.arange(n)
    while todo.size:
        prop = zp[todo] + rng.standard_normal(todo.size)
        log_acc = (-0.5 * prop**2 + y * sp_log_ndtr((a[todo] + b * prop) / eps) + 0.5 * (prop - zp[todo]) ** 2
                   - psi_p[todo])
        ok = np.log(rng.random(todo.size)) < log_acc
        z1[todo[ok]] = prop[ok]
        todo = todo[~ok]
    return z0, z1


# ============================================================================= distributions
@dataclass(frozen=True)
class StabilitySummary:
    """Summary of one stability density, in normalised (physical=False) or physical units.

    mean, variance: from the exact moment formulas; mean_quadrature, variance_quadrature: by quadrature
    of the density; mode: the maximiser of the density (the lower end of the support when the density
    decreases from there); density_at_zero: P(0+) (right limit at 0).
    """

    kind: str
    activation: str
    physical: bool
    scale: float
    mean: float
    variance: float
    mode: float
    density_at_zero: float
    mean_quadrature: float
    variance_quadrature: float
    normalization: float

    @property
    def std(self):
        return math.sqrt(self.variance)

    def as_dict(self):
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


class StabilityDistribution:
    """Common interface: a density over the normalised stability lambda and its summaries.

    Subclasses provide `_density(lam)` (normalised, vectorised numba kernel), `_exact_moments()`
    (E lambda, E lambda^2), `lower` where the support does not start at the margin (the reference: -inf)
    and the attributes kind, activation, architecture, scale (the output_scale of the architecture's kernel).
    """

    kind = "stability"
    #: the variance of the truncated components (eps^2): the smallest scale of the density next to its lower end
    edge_scale = 1.0

    @property
    def lower(self):
        """The lower end of the support: the margin k (every constraint is lambda > k)."""
        return self.margin

    def _check_common(self):
        """Checks shared by the subclasses (margin, quadrature orders); sets the physical scale."""
        check_margin(self.margin, GEOMETRY_MARGINS)
        _check_order(self.quad_order)
        _check_order(self.moments_order)
        object.__setattr__(self, "scale", architecture_kernel(get_kernel(self.activation), self.architecture).output_scale)

    # -- units
    def _to_lambda(self, x, physical):
        return np.asarray(x, dtype=float) / self.scale if physical else np.asarray(x, dtype=float)

    def density(self, x, physical=False):
        """The density at x (an array or a number): x = lambda, or x = Xi = scale * lambda if physical
        (then the density in Xi, P_lambda(Xi/scale)/scale)."""
        arr = self._to_lambda(x, physical)
        if not np.all(np.isfinite(arr)):
            raise ParameterError(f"stability values must be finite (got {x!r})")
        out = self._density(np.ascontiguousarray(arr.ravel())).reshape(arr.shape)
        if physical:
            out = out / self.scale
        return float(out) if np.ndim(x) == 0 else out

    def density_at_zero(self, physical=False):
        """P(0+): the density at lambda = 0 (the right limit when the support starts there)."""
        return self.density(0.0, physical)

    # -- moments
    def moments(self, physical=False):
        """(mean, variance) from the exact moment formulas of the class docstring."""
        m1, m2 = self._exact
        if not (math.isfinite(m1) and math.isfinite(m2) and m2 - m1 * m1 > 0.0):
            raise ConvergenceError(f"{self.kind} stability moments are not finite or have no variance: ({m1!r}, {m2!r})")
        f = self.scale if physical else 1.0
        return f * m1, f * f * (m2 - m1 * m1)

    def _cached(self, key, compute):
        cache = self.__dict__.setdefault("_cache", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    def _lambda_quadrature(self):
        """Gauss-Legendre nodes, weights and density values over the support (normalised units).

        Panels of LAMBDA_PANEL sd from the lower end of the support (mean - TAIL sd for the reference)
        to mean + TAIL sd, each end pushed out by 2 sd while the density there exceeds TAIL_DENSITY
        times its typical height 1/sd; next to a truncation, geometric panels down to edge_scale/8.
        """
        def compute():
            mean, var = self.moments()
            sd = math.sqrt(var)

            def push(x, step):
                for _ in range(100):
                    if not self._density(np.array([x]))[0] * sd > TAIL_DENSITY:
                        return x
                    x += step
                raise ConvergenceError(f"{self.kind} stability density does not decay beyond {x:g}")

            lo = self.lower if math.isfinite(self.lower) else push(mean - TAIL * sd, -2.0 * sd)
            hi = push(mean + TAIL * sd, 2.0 * sd)
            n = max(math.ceil((hi - lo) / (LAMBDA_PANEL * sd)), 1)
            edges = np.linspace(lo, hi, n + 1)
            if math.isfinite(self.lower):
                # near the lower end the truncated components of far-left means m decay on the scale
                # eps^2/|m|: geometric panels from eps^2/8 up to the first regular edge
                first = min(edges[1] - lo, sd)
                small = min(self.edge_scale / 8.0, first / 3.0)
                geo = lo + np.geomspace(small, first, max(math.ceil(math.log(first / small) / math.log(3.0)), 1) + 1)
                edges = np.unique(np.concatenate([[lo], geo[:-1], edges[1:]]))
            x, w = legendre(LAMBDA_ORDER)
            half = 0.5 * np.diff(edges)[:, None]
            lam = np.ascontiguousarray((edges[:-1, None] + half * (x + 1.0)).ravel())
            return lam, (half * w).ravel(), self._density(lam)

        return self._cached("quadrature", compute)

    def quadrature_moments(self, physical=False):
        """(normalisation, mean, variance) by Gauss-Legendre quadrature of the density over lambda."""
        lam, w, dens = self._lambda_quadrature()
        p = dens * w
        norm = float(p.sum())
        mean = float((p * lam).sum() / norm)
        var = float((p * (lam - mean) ** 2).sum() / norm)
        f = self.scale if physical else 1.0
        return norm, f * mean, f * f * var

    def mode(self, physical=False):
        """The maximiser of the density: the best of the quadrature nodes (spacing < 0.1 sd), refined by a
        bounded scalar search between its neighbours (xatol 1e-8).  The lower end of the support when the
        density is largest there (a decreasing density, like the typical one)."""
        def compute():
            lam, _, dens = self._lambda_quadrature()
            i = int(np.argmax(dens))
            if math.isfinite(self.lower) and self._density(np.array([self.lower]))[0] >= dens[i]:
                return float(self.lower)
            lo = lam[i - 1] if i > 0 else (self.lower if math.isfinite(self.lower) else lam[0])
            hi = lam[min(i + 1, lam.size - 1)]
            res = minimize_scalar(lambda x: -self._density(np.array([x]))[0], bounds=(lo, hi), method="bounded",
                                  options={"xatol": 1e-8})
            return float(res.x)

        return self._cached("mode", compute) * (self.scale if physical else 1.0)

    def mass_below(self, x, physical=False):
        """P(stability < x): the density integrated from the lower end of its support to x (the
        integration runs over the quadrature's range, beyond which the density has decayed)."""
        nodes = self._lambda_quadrature()[0]
        lo = self.lower if math.isfinite(self.lower) else float(nodes[0])
        lam = min(float(self._to_lambda(x, physical)), float(nodes[-1]))
        if lam <= lo:
            return 0.0
        value, _ = quad(lambda t: self._density(np.array([t]))[0], lo, lam, limit=200, epsabs=1e-10)
        return float(value)

    def summary(self, physical=False):
        """A StabilitySummary (exact mean/variance, mode, P(0+), and the quadrature cross-check)."""
        mean, var = self.moments(physical)
        norm, qmean, qvar = self.quadrature_moments(physical)
        return StabilitySummary(kind=self.kind, activation=self.activation, physical=bool(physical), scale=self.scale,
                                mean=mean, variance=var, mode=self.mode(physical),
                                density_at_zero=self.density_at_zero(physical), mean_quadrature=qmean,
                                variance_quadrature=qvar, normalization=norm)

    def sample(self, n, rng):
        """n independent samples of lambda (normalised), for Monte Carlo checks."""
        raise NotImplementedError


def _check_kappa(name, value, low_open=True):
    return check_range(name, value, 0.0, 1.0, low_open=low_open, high_open=True)


def _check_order(quad_order):
    legendre(quad_order)
    return int(quad_order)


@dataclass(frozen=True, eq=False)
class TypicalStability(StabilityDistribution):
    """Typical (RS) solution: P(lambda) = theta(lambda - k) E_z N(lambda; sqrt(kap) z, 1 - kap)/Phi((sqrt(kap) z - k)/sqrt(1 - kap)).

    Exact.  Its density at the margin is finite and (at k = 0) it decreases, so the mode is at 0.
    kap = kappa(q) with q the RS overlap (`typical_stability`).
    """

    kappa: float
    activation: str = "relu"
    margin: float = 0.0
    q: float | None = None
    alpha: float | None = None
    quad_order: int = DENSITY_QUAD_ORDER
    architecture: str = "tree"
    moments_order: int = DEFAULT_QUAD_ORDER
    kind = "typical"

    def __post_init__(self):
        _check_kappa("kappa", self.kappa, low_open=False)
        self._check_common()
        s, e = math.sqrt(self.kappa), math.sqrt(1.0 - self.kappa)
        object.__setattr__(self, "_exact", tuple(float(v) for v in group_moments_kernel(
            s, 0.0, e, 1.0, self.margin, 0.0, 0.0, 0.0, 0.0, 0, *legendre(self.moments_order))))

    @property
    def edge_scale(self):
        return 1.0 - self.kappa

    def _density(self, lam):
        return typical_density_kernel(lam, self.kappa, self.margin, *legendre(self.quad_order))

    def sample(self, n, rng):
        """z ~ N(0, 1), then lambda from N(sqrt(kap) z, 1 - kap) truncated to lambda > k (scipy truncnorm)."""
        from scipy.stats import truncnorm

        s, e = math.sqrt(self.kappa), math.sqrt(1.0 - self.kappa)
        mu = s * rng.standard_normal(n)
        return truncnorm.rvs((self.margin - mu) / e, np.inf, loc=mu, scale=e, random_state=rng)


@dataclass(frozen=True, eq=False)
class ReplicaStability(StabilityDistribution):
    """A replica of the LD measure at finite y (theory_stabilities: a replica of the large-deviation measure, finite y); exact.

        P(lambda) = theta(lambda - k) E_z0 [int Dz1 Phi(t)^(y-1) N(lambda; m, eps^2)] / [int Dz1 Phi(t)^y]

    with m = sqrt(k0) z0 + sqrt(k1 - k0) z1, t = (m - k)/eps, eps = sqrt(1 - k1).  Any real y >= 1 is
    accepted here (y = 1 is the typical density at kappa0, whatever kappa1; kappa0 = kappa1 is the
    typical density at that kappa, whatever y).
    """

    kappa0: float
    kappa1: float
    y: float
    activation: str = "relu"
    margin: float = 0.0
    point: LDPoint | None = None
    quad_order: int = DENSITY_QUAD_ORDER
    architecture: str = "tree"
    moments_order: int = DEFAULT_QUAD_ORDER
    kind = "replica"

    def __post_init__(self):
        k0 = _check_kappa("kappa0", self.kappa0, low_open=False)
        k1 = _check_kappa("kappa1", self.kappa1)
        if k0 > k1:
            raise ParameterError(f"kappa0 must not exceed kappa1 (got {k0!r} > {k1!r})")
        check_range("y", self.y, 1.0, None)
        self._check_common()
        s0, b, eps = math.sqrt(k0), math.sqrt(k1 - k0), math.sqrt(1.0 - k1)
        object.__setattr__(self, "_params", (s0, b, eps))
        object.__setattr__(self, "_outer", group_outer(s0, b, eps, float(self.y), self.margin, *legendre(self.quad_order)))
        object.__setattr__(self, "_exact", tuple(float(v) for v in group_moments_kernel(
            s0, b, eps, float(self.y), self.margin, 0.0, 0.0, 0.0, 0.0, 0, *legendre(self.moments_order))))

    @property
    def edge_scale(self):
        return 1.0 - self.kappa1

    def sample(self, n, rng):
        """(z0, z1) from the tilted group measure (sample_group_fields), then lambda from N(m, eps^2)
        truncated to lambda > k (scipy truncnorm)."""
        from scipy.stats import truncnorm

        s0, b, eps = self._params
        z0, z1 = sample_group_fields(n, rng, self.kappa0, self.kappa1, self.y, self.margin)
        m = s0 * z0 + b * z1
        return truncnorm.rvs((self.margin - m) / eps, np.inf, loc=m, scale=eps, random_state=rng)

    def _density(self, lam):
        s0, b, eps = self._params
        return group_density_kernel(lam, s0, b, eps, float(self.y) - 1.0, True, s0, b, eps, self.margin,
                                    *self._outer, *legendre(self.quad_order))


@dataclass(frozen=True, eq=False)
class LimitStability(StabilityDistribution):
    """A replica of the LD measure as y -> infinity; exact given the LocalEntropy saddle point.

        P(lambda) = theta(lambda - k) E_z N(lambda - k; x*, eps^2)/Phi(x*/eps),
        x* = argmax_x [ln Phi(x/eps) - (x - x0)^2/(2 Gamma)],  x0 = sqrt(k1) z - k,

    Gamma = kappa'(q1) Gamma_q, eps = sqrt(1 - kappa(q1)) (energetic.x_star).
    """

    kappa1: float
    gamma: float
    activation: str = "relu"
    margin: float = 0.0
    point: LocalEntropy | None = None
    quad_order: int = LIMIT_QUAD_ORDER
    architecture: str = "tree"
    moments_order: int = DEFAULT_QUAD_ORDER
    kind = "limit"

    def __post_init__(self):
        _check_kappa("kappa1", self.kappa1)
        check_range("gamma", self.gamma, 0.0, None, low_open=True, high_open=True)
        self._check_common()
        object.__setattr__(self, "_exact", tuple(float(v) for v in limit_moments_kernel(
            self.kappa1, self.gamma, self.margin, *legendre(self.moments_order))))

    @property
    def edge_scale(self):
        return 1.0 - self.kappa1

    def _density(self, lam):
        return limit_density_kernel(lam, self.kappa1, self.gamma, self.margin, *legendre(self.quad_order))


@dataclass(frozen=True, eq=False)
class ReferenceStability(StabilityDistribution):
    """The stability of a reference built from a group of y replicas (majority or barycenter).

    v = A z0 + B z1 + C xi_bar + D zeta with (z0, z1) from the tilted group measure (see the module
    docstring).  method "exact" (C = 0, needs D^2 >= 0): the density is exact.  method "regression":
    xi_bar is replaced by a Gaussian with its exact conditional mean and variance (CLT); mean and
    variance stay exact, the shape is approximate.  The support is the whole real line.
    """

    kappa0: float
    kappa1: float
    y: float
    kappa_a: float
    kappa_ref0: float
    activation: str = "relu"
    margin: float = 0.0
    method: str = "auto"
    reference: str = "custom"
    rho_a: float | None = None
    rho_0: float | None = None
    point: LDPoint | None = None
    quad_order: int = DENSITY_QUAD_ORDER
    architecture: str = "tree"
    moments_order: int = DEFAULT_QUAD_ORDER
    kind = "reference"
    lower = -math.inf

    def __post_init__(self):
        k0 = _check_kappa("kappa0", self.kappa0, low_open=False)
        k1 = _check_kappa("kappa1", self.kappa1)
        if not k0 < k1:
            raise ParameterError(f"the reference needs kappa0 < kappa1 (got {k0!r}, {k1!r})")
        y = check_range("y", self.y, 1.0, None)
        ka = check_range("kappa_a", self.kappa_a, -1.0, 1.0)
        kr0 = check_range("kappa_ref0", self.kappa_ref0, -1.0, 1.0)
        self._check_common()
        if self.method not in ("auto", "exact", "regression"):
            raise ParameterError(f"method must be 'auto', 'exact' or 'regression' (got {self.method!r})")
        s0, b, eps = math.sqrt(k0), math.sqrt(k1 - k0), math.sqrt(1.0 - k1)
        a_coef = kr0 / s0 if s0 > 0.0 else 0.0  # kappa0 = 0: other groups are independent (kappa_ref0 = 0)
        b_exact = (ka - kr0) / b
        d2_exact = 1.0 - a_coef**2 - b_exact**2
        method = self.method
        if method == "auto":
            method = "exact" if d2_exact >= D2_MIN else "regression"
        if method == "exact":
            if d2_exact < D2_MIN:
                raise ParameterError(
                    f"the exact representation needs D^2 = 1 - A^2 - B^2 > 0 (got {d2_exact:.4g}): use method='regression'")
            coef = (a_coef, b_exact, 0.0, d2_exact)
        else:
            gam = (ka - kr0) / (b * b + eps * eps / y)
            d2 = 1.0 - a_coef**2 - gam * gam * (b * b + eps * eps / y)
            if d2 < -1e-12:
                raise ConvergenceError(
                    f"reference overlaps (kappa_a={ka:.6g}, kappa_0={kr0:.6g}) are inconsistent with the group "
                    f"(kappa0={k0:.6g}, kappa1={k1:.6g}, y={y:g}): the output covariance is not positive (D^2 = {d2:.3g})")
            coef = (a_coef, gam * b, gam * eps, max(d2, 0.0))
        object.__setattr__(self, "method_used", method)
        object.__setattr__(self, "coefficients", coef)
        object.__setattr__(self, "D2_exact", d2_exact)
        object.__setattr__(self, "_params", (s0, b, eps))
        nodes = legendre(self.quad_order)
        if method == "exact":
            object.__setattr__(self, "_outer", group_outer(s0, b, eps, y, self.margin, *nodes))
        else:
            object.__setattr__(self, "_mixture", reference_mixture(s0, b, eps, y, self.margin, *coef, *nodes, 40.0))
        object.__setattr__(self, "_exact", tuple(float(v) for v in group_moments_kernel(
            s0, b, eps, y, self.margin, *coef, 1, *legendre(self.moments_order))))

    @property
    def exact(self):
        """True when the density is exact (C = 0); False for the regression/CLT approximation."""
        return self.method_used == "exact"

    def _density(self, lam):
        s0, b, eps = self._params
        if self.method_used == "exact":
            a_coef, b_coef, _, d2 = self.coefficients
            return group_density_kernel(lam, a_coef, b_coef, math.sqrt(d2), float(self.y), False, s0, b, eps,
                                        self.margin, *self._outer, *legendre(self.quad_order))
        return mixture_density_kernel(lam, *self._mixture)

    def sample(self, n, rng):
        """Exact Monte Carlo of the Gaussian model, without the CLT: (z0, z1) from the tilted group measure
        (sample_group_fields), the y own noises xi_a truncated exactly to m + eps xi_a > k, then
        v = A z0 + B z1 + C mean(xi) + D zeta (integer y only)."""
        from scipy.stats import truncnorm

        s0, b, eps = self._params
        a_coef, b_coef, c_coef, d2 = self.coefficients
        z0, z1 = sample_group_fields(n, rng, self.kappa0, self.kappa1, self.y, self.margin)
        v = a_coef * z0 + b_coef * z1 + math.sqrt(d2) * rng.standard_normal(n)
        if c_coef != 0.0:
            y = round(self.y)
            t = (s0 * z0 + b * z1 - self.margin) / eps
            xi = truncnorm.rvs(np.repeat(-t, y), np.inf, random_state=rng).reshape(n, y)
            v = v + c_coef * xi.mean(axis=1)
        return v


# ============================================================================= constructors
def typical_stability(alpha, activation="relu", weights="binary", margin=0.0, quad_order=DENSITY_QUAD_ORDER, *,
                      model=None):
    """The typical RS solution's stability density at load alpha (rs.rs_solution): a TypicalStability.

    quad_order: the density's nodes per panel; a given model's quad_order is that of the RS solve.
    """
    model = resolve(model, activation, weights, margin, DEFAULT_QUAD_ORDER, GEOMETRY_MARGINS)
    rs = rs_solution(alpha, model=model)
    return TypicalStability(kappa=model.kernel.kappa(rs.q), activation=model.activation, margin=model.margin, q=rs.q,
                            alpha=float(rs.alpha), quad_order=quad_order, architecture=model.architecture)


def typical_stability_at(q, activation="relu", margin=0.0, quad_order=DENSITY_QUAD_ORDER):
    """The typical-solution density at a given overlap q in (0, 1) (no RS solve)."""
    q = check_range("q", q, 0.0, 1.0, low_open=True, high_open=True)
    kernel = get_kernel(activation)
    return TypicalStability(kappa=kernel.kappa(q), activation=kernel.name, margin=check_margin(margin, GEOMETRY_MARGINS), q=q,
                            quad_order=quad_order)


def replica_stability(point, quad_order=DENSITY_QUAD_ORDER):
    """A replica's density at a finite-y LDPoint (large_deviations.ld_finite_y): a ReplicaStability."""
    if not isinstance(point, LDPoint):
        raise ParameterError(f"point must be an LDPoint from ld_finite_y (got {type(point).__name__})")
    return ReplicaStability(kappa0=point.kappa0, kappa1=point.kappa1, y=float(point.y), activation=point.activation,
                            margin=point.margin, point=point, quad_order=quad_order, architecture=point.architecture)


def ld_replica_stability(alpha, q1, y, activation="relu", weights="binary", margin=0.0, quad_order=DENSITY_QUAD_ORDER,
                         *, model=None):
    """Solve the finite-y LD saddle point (ld_finite_y) and return the replica's density.

    quad_order: the density's nodes per panel; a given model's quad_order is that of the LD solve.
    """
    model = resolve(model, activation, weights, margin, DEFAULT_QUAD_ORDER, GEOMETRY_MARGINS)
    return replica_stability(ld_finite_y(alpha, q1, y, model=model), quad_order)


def limit_stability(point, quad_order=LIMIT_QUAD_ORDER):
    """A replica's density at a y -> infinity LocalEntropy point: a LimitStability.

    Raises ParameterError in the flat region (Gamma_q infinite: the constraint no longer shapes the
    stabilities at order one)."""
    if not isinstance(point, LocalEntropy):
        raise ParameterError(f"point must be a LocalEntropy from local_entropy (got {type(point).__name__})")
    if point.flat or not math.isfinite(point.gamma_q):
        raise ParameterError("the y -> infinity stability needs a finite Gamma_q (the point is in the flat region)")
    return LimitStability(kappa1=point.kappa1, gamma=point.dkappa1 * point.gamma_q, activation=point.activation,
                          margin=point.margin, point=point, quad_order=quad_order, architecture=point.architecture)


def group_overlaps(point, reference="majority", quad_order=DEFAULT_QUAD_ORDER):
    """(rho_a, rho_0): overlaps of a group's reference with the replicas of its own group and of other groups.

    majority (binary weights; ties at even y broken by a fair coin): rho_a = E<|M|>/y,
        rho_0 = E[<sgn M><M>]/y over the binary group measure of the LDPoint (qhat0, qhat1);
    barycenter (any prior): rho_a = sqrt((1 + (y - 1) q1)/y), rho_0 = q0/rho_a.
    """
    if not isinstance(point, LDPoint):
        raise ParameterError(f"point must be an LDPoint from ld_finite_y (got {type(point).__name__})")
    if reference == "barycenter":
        rho_a = math.sqrt((1.0 + (point.y - 1.0) * point.q1) / point.y)
        return rho_a, point.q0 / rho_a
    if reference != "majority":
        raise ParameterError(f"reference must be 'majority' or 'barycenter' (got {reference!r})")
    return point.model.prior.majority_overlaps(point, quad_order)


def reference_stability(point, reference="majority", method="auto", quad_order=DENSITY_QUAD_ORDER):
    """The stability density of the group's reference (majority or barycenter) at an LDPoint.

    method "auto" picks the exact representation when D^2 >= 0 and the regression/CLT one otherwise
    (ReferenceStability.exact tells which).  Raises ParameterError for the majority of spherical weights.
    """
    rho_a, rho_0 = group_overlaps(point, reference)
    kernel = point.model.kernel
    return ReferenceStability(kappa0=point.kappa0, kappa1=point.kappa1, y=float(point.y),
                              kappa_a=kernel.kappa(min(rho_a, 1.0)), kappa_ref0=kernel.kappa(min(rho_0, 1.0)),
                              activation=point.activation, margin=point.margin, method=method, reference=reference,
                              rho_a=rho_a, rho_0=rho_0, point=point, quad_order=quad_order,
                              architecture=point.architecture)


def fig3_left(grid, alpha=0.4, q1=0.85, y=20, weights="binary", activations=("sign", "relu"), reference="majority",
              physical=True, margin=0.0, architecture="tree"):
    """Fig. 3 (left) data on a grid of stabilities (physical units by default).

    Returns {activation: {"typical", "replica", "reference": density arrays, "summaries": {name:
    StabilitySummary}, "distributions": {name: StabilityDistribution}}}; reference=None skips it.
    architecture "fully-connected": the large-K kernel of the fully connected machine (theory/architecture.py).

    Used in the book: :ref:`stabilities-theory` (notebooks/stabilities.md), and as the theory of
    Fig. 3 (right) in :ref:`robustness-fig3-right` (notebooks/robustness.md).
    """
    grid = np.asarray(grid, dtype=float)
    out = {}
    for act in activations:
        model = Model.of(act, weights, margin, DEFAULT_QUAD_ORDER, GEOMETRY_MARGINS, architecture)
        point = ld_finite_y(alpha, q1, y, model=model)
        dists = {"typical": typical_stability(alpha, model=model), "replica": replica_stability(point)}
        if reference is not None:
            dists["reference"] = reference_stability(point, reference)
        entry = {name: d.density(grid, physical) for name, d in dists.items()}
        entry["summaries"] = {name: d.summary(physical) for name, d in dists.items()}
        entry["distributions"] = dists
        out[model.activation] = entry
    return out


# ============================================================================= finite K: the lattice
@dataclass(frozen=True)
class StabilityLattice:
    """The values a finite-K machine's stability can take: offset + spacing * n, n integer.

    In normalised units unless physical.  `values(lo, hi)` lists the lattice points in [lo, hi];
    `bin_edges(lo, hi)` gives histogram edges half-way between them (one point per bin).
    """

    activation: str
    K: int
    N: int
    spacing: float
    offset: float
    physical: bool

    def values(self, lo, hi):
        n_lo = math.ceil((lo - self.offset) / self.spacing - 1e-9)
        n_hi = math.floor((hi - self.offset) / self.spacing + 1e-9)
        return self.offset + self.spacing * np.arange(n_lo, n_hi + 1)

    def bin_edges(self, lo, hi):
        v = self.values(lo, hi)
        return np.concatenate([v - 0.5 * self.spacing, v[-1:] + 0.5 * self.spacing])


def stability_lattice(activation, K, N, physical=False):
    """The lattice of the stability sigma U/sqrt(Delta_2 - Delta_{-1}) of a tree machine with K branches of N/K
    binary inputs and binary weights (theory chapter, "Finite K").

    The hidden field sqrt(K/N) h_l has an integer h_l = sum_i W_li xi_li with the parity of N/K.
    sign (c_l = 1, N/K odd so that h_l != 0): U = K^(-1/2) sum_l sgn(h_l) is K^(-1/2) times an integer
        with the parity of K: spacing 2/sqrt(K), offset (K mod 2)/sqrt(K) (odd multiples of 1/sqrt(K) for odd K).
    relu (c_l = +-1): U = N^(-1/2) sum_l c_l max(0, h_l): spacing 2/sqrt(N) if N/K is even (every h_l
        even), 1/sqrt(N) if N/K is odd; offset 0.
    Normalised units divide by output_scale (1 for sign).
    """
    kernel = get_kernel(activation)
    K = int(check_range("K", K, 1, None))
    N = int(check_range("N", N, 1, None))
    if N % K:
        raise ParameterError(f"N must be a multiple of K (got N={N}, K={K})")
    n_in = N // K
    if kernel.name == "sign":
        if n_in % 2 == 0:
            raise ParameterError(f"sign needs an odd number of inputs per branch (N/K = {n_in}): with an even one a hidden "
                                 f"field can vanish and the lattice depends on the sgn(0) convention")
        spacing, offset = 2.0 / math.sqrt(K), (K % 2) / math.sqrt(K)
    elif kernel.name == "relu":
        spacing, offset = (2.0 if n_in % 2 == 0 else 1.0) / math.sqrt(N), 0.0
    else:
        raise ParameterError(f"the lattice is derived for sign and relu only (got {kernel.name!r})")
    f = 1.0 if physical else 1.0 / kernel.output_scale
    return StabilityLattice(activation=kernel.name, K=K, N=N, spacing=spacing * f, offset=offset * f,
                            physical=bool(physical))


