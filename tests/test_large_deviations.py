"""Large-deviation (local) entropy, paper eq. (8): finite y and the y -> infinity envelope limit.

References, never a run of the code under test:

* exact limits derived in the theory chapter: alpha = 0 (binary H2((1 - sqrt q1)/2), spherical
  ln(1 - q1)/2), q1 -> q_typ (the RS entropy), y = 1 and q0 = q1 (1RSB reduces to RS), the 1/y
  approach of the finite-y free entropy to its limit;
* the derivation notes behind the book page theory_large_deviations (its results, sec. 3 and 5), to their printed digits;
* independent numerical routes written here: scipy quadrature of the RS entropic term, finite
  differences of the unextremised functionals (the saddle point must be stationary), the
  delta-term identity of the Stein pitfall;
* the literature value alpha_U ~ 0.77 of the binary perceptron (Baldassi et al., PRL 115, 128101).
"""

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import integrate, optimize

from committee_lib.theory.energetic import energetic_envelope, rs_energetic, rsb_energetic, tilted_output
from committee_lib.errors import ConvergenceError, ParameterError
from committee_lib.theory.gaussian import legendre
from committee_lib.theory.kernels import get_kernel
from committee_lib.published import NOTES as PUBLISHED_NOTES, agrees
from committee_lib.theory.large_deviations import (
    alpha_breakup, alpha_star_fixed_q1, alpha_star_level, binary_entropic_term, fig2_left, fig2_right,
    finite_y_alpha0, finite_y_curve, flat_edge, ld, ld_finite_y, local_entropy_slope, max_slope, notes_alpha_star)
from committee_lib.theory.local_entropy import (
    envelope_functional, local_entropy, local_entropy_curve, phi_alpha0, stein_form_root)
from committee_lib.theory.model import GEOMETRY_MARGINS, Model
from committee_lib.theory.priors import Spherical
from committee_lib.theory.priors.binary import entropic_envelope, group_moments
from committee_lib.theory.rs import rs_solution

NODES = legendre(64)
NOTES = PUBLISHED_NOTES["large_deviations"]
LN2 = math.log(2.0)


def h2(p):
    return -p * math.log(p) - (1 - p) * math.log(1 - p)


def rs_entropic_binary(q, qhat):
    """-qhat (1-q)/2 + E ln 2cosh(sqrt(qhat) z), by scipy quadrature (independent of the library)."""
    s = math.sqrt(qhat)
    val = integrate.quad(lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi) * math.log(2 * math.cosh(s * z)),
                         -12, 12, limit=200, epsabs=1e-13)[0]
    return -0.5 * qhat * (1 - q) + val


# ----------------------------------------------------------------------------- exact limits
@pytest.mark.parametrize("q1", [0.3, 0.7, 0.95])
def test_alpha0_binary_is_h2(q1):
    """alpha = 0: phi0 = H2((1 - sqrt q1)/2); the envelope functional at qhat -> 0, extremised over
    gamma_hat by scipy, gives the same; the finite-y value approaches it as 1/y."""
    exact = h2(0.5 * (1 - math.sqrt(q1)))
    assert phi_alpha0(q1, "binary") == pytest.approx(exact, rel=1e-14)

    def functional(gh):  # qhat -> 0: M_S(0) = max_h ln 2cosh h - h^2/(2 gh), at h = gh tanh h > 0
        h = optimize.brentq(lambda x: x - gh * math.tanh(x), 1e-9, gh + 1.0, xtol=1e-15)
        return -0.5 * gh * q1 + math.log(2 * math.cosh(h)) - h * h / (2 * gh)

    # the alpha = 0 saddle is a minimum over gamma_hat (Legendre transform)
    res = optimize.minimize_scalar(functional, bounds=(1.0 + 1e-6, 30), method="bounded", options={"xatol": 1e-10})
    assert res.fun == pytest.approx(exact, abs=1e-9)
    # finite y: above the limit by O(1/y) (reached once y q1 >> 1)
    scaled = [y * (finite_y_alpha0(q1, y, "binary") - exact) for y in (100, 400, 1600)]
    assert all(g > 0 for g in scaled)
    if q1 >= 0.7:
        assert max(scaled) / min(scaled) < 1.03


@pytest.mark.parametrize("q1", [0.3, 0.85])
def test_alpha0_spherical(q1):
    assert phi_alpha0(q1, "spherical") == pytest.approx(0.5 * math.log(1 - q1), rel=1e-14)
    for y in (2, 20, 1000):
        exact = ((y - 1) * math.log(1 - q1) + math.log(1 + (y - 1) * q1)) / (2 * y)
        assert finite_y_alpha0(q1, y, "spherical") == pytest.approx(exact, rel=1e-13)
    # the excess [ln(1 + (y-1) q1) - ln(1 - q1)]/(2y) vanishes as y -> infinity
    excess = finite_y_alpha0(q1, 2000, "spherical") - 0.5 * math.log(1 - q1)
    assert 0 < excess < (math.log(2000) - math.log(1 - q1)) / 4000


@pytest.mark.parametrize("weights", ["binary", "spherical"])
def test_small_alpha_tends_to_alpha0(weights):
    gaps = [local_entropy(a, 0.6, "relu", weights).phi_normalized for a in (0.3, 0.2, 0.1, 0.05, 0.03)]
    assert all(g <= 0 for g in gaps)
    assert all(abs(b) < abs(a) for a, b in zip(gaps, gaps[1:]))
    assert abs(gaps[-1]) < 1e-8


@pytest.mark.parametrize("weights", ["binary", "spherical"])
@pytest.mark.parametrize("activation", ["sign", "relu", "linear"])
def test_q1_to_typical_overlap_gives_rs(weights, activation):
    """As q1 -> q_typ+, Gamma_q -> 0 linearly and phi -> F_RS: y independent typical solutions."""
    rs = rs_solution(0.4, activation, weights)
    near = [local_entropy(0.4, rs.q + d, activation, weights) for d in (1e-4, 1e-5, 1e-6)]
    assert near[-1].phi == pytest.approx(rs.free_entropy, abs=1e-9)
    assert near[0].gamma_q / near[1].gamma_q == pytest.approx(10.0, rel=0.01)
    with pytest.raises(ConvergenceError, match="typical"):
        local_entropy(0.4, rs.q - 1e-3, activation, weights)


@pytest.mark.parametrize("weights", ["binary", "spherical"])
def test_margin_q1_to_typical_overlap_gives_rs(weights):
    rs = rs_solution(0.3, "relu", weights, margin=0.5)
    assert local_entropy(0.3, rs.q + 1e-6, "relu", weights, margin=0.5).phi == pytest.approx(rs.free_entropy, abs=1e-9)


@pytest.mark.parametrize("weights, activation", [("binary", "sign"), ("spherical", "sign"), ("spherical", "relu")])
def test_finite_y_converges_as_one_over_y(weights, activation):
    limit = local_entropy(0.4, 0.85, activation, weights)
    points = finite_y_curve(0.4, 0.85, [160, 320, 640], activation, weights)
    errors = [abs(p.phi - limit.phi) for p in points]
    assert errors[0] / errors[1] == pytest.approx(2.0, rel=0.1)
    assert errors[1] / errors[2] == pytest.approx(2.0, rel=0.06)
    # and the order parameters approach their scaling limits (slowly when Gamma_q is large: the
    # expansion needs y >> Gamma_q)
    distance = [abs(p.y * (p.q1 - p.q0) - limit.gamma_q) for p in points]
    assert distance[2] < distance[1] < distance[0] or distance[2] < 0.2
    assert abs(points[-1].qhat0 - limit.qhat) < abs(points[0].qhat0 - limit.qhat)


@pytest.mark.parametrize("weights, alphas", [("binary", (0.3, 0.6, 0.8)), ("spherical", (0.5, 1.0, 1.4))])
@pytest.mark.parametrize("activation", ["sign", "relu"])
def test_normalized_curves_nonpositive_and_flat_near_one(weights, alphas, activation):
    q1s = np.concatenate([np.linspace(0.3, 0.99, 24), 1 - np.geomspace(5e-3, 1e-6, 6)])
    for alpha in alphas:
        c = local_entropy_curve(alpha, q1s, activation, weights)
        phin = c["phi_normalized"]
        ok = np.isfinite(phin)
        assert ok.sum() >= 10
        assert np.all(phin[ok] <= 1e-13)
        near_one = q1s >= 0.995
        assert np.all(np.abs(phin[near_one]) < 1e-6), phin[near_one]


# ----------------------------------------------------------------------------- 1RSB reductions
@pytest.mark.parametrize("q0, qhat0, q1, qhat1", [(0.3, 0.4, 0.8, 2.0), (0.6, 1.5, 0.7, 0.2), (0.1, 0.05, 0.99, 9.0)])
def test_binary_m1_is_rs_at_q0(q0, qhat0, q1, qhat1):
    """y = m = 1: the group sum has M = +-1 and qhat1 drops out; G_S is RS at (q0, qhat0)."""
    assert binary_entropic_term(q0, q1, qhat0, qhat1, 1) == pytest.approx(rs_entropic_binary(q0, qhat0), abs=1e-11)


@pytest.mark.parametrize("q, qhat, y", [(0.4, 0.7, 3), (0.8, 3.0, 20), (0.2, 0.1, 64)])
def test_equal_overlaps_reduce_to_rs(q, qhat, y):
    """q0 = q1, qhat0 = qhat1: y independent RS replicas, entropic and energetic terms alike."""
    assert binary_entropic_term(q, q, qhat, qhat, y) == pytest.approx(y * rs_entropic_binary(q, qhat), rel=1e-10)
    sph_rs = 0.5 * math.log(1 - q) + 0.5 * q / (1 - q)
    assert y * Spherical.rsb_entropy(q, q, y) == pytest.approx(y * sph_rs, rel=1e-12)
    for act in ("sign", "relu"):
        k = get_kernel(act).kappa(q)
        assert rsb_energetic(k, k, float(y), 0.0, *NODES) == pytest.approx(rs_energetic(k, 0.0, *NODES)[0], abs=1e-11)
        assert tilted_output(k, k, float(y), 0.0, *NODES)[0] == pytest.approx(y * rs_energetic(k, 0.0, *NODES)[0], abs=1e-10)


@pytest.mark.parametrize("activation, gamma", [("sign", 5.0), ("relu", 30.0)])
def test_tilted_output_at_large_y_tends_to_the_envelope(activation, gamma):
    """With q0 = q1 - gamma/y, (1/y) E ln E H^y -> E M_E and E<g>^2 -> E(x*-x0)^2/Gamma^2, both as 1/y."""
    kernel = get_kernel(activation)
    q1 = 0.85
    me, x2, _ = energetic_envelope(kernel.kappa(q1), kernel.dkappa(q1) * gamma, 0.0, *NODES)
    scaled = []
    for y in (320, 1280, 2000):
        lz, g2 = tilted_output(kernel.kappa(q1 - gamma / y), kernel.kappa(q1), float(y), 0.0, *NODES)
        scaled.append((y * (lz / y - me), y * (g2 - x2)))
    for j in (0, 1):
        values = [row[j] for row in scaled]
        assert max(values) - min(values) < 0.05 * max(abs(v) for v in values) + 1e-3, values


def test_rsb_energetic_at_large_m():
    kernel = get_kernel("sign")
    y, q1 = 2000, 0.85
    k0, k1 = kernel.kappa(q1 - 5.0 / y), kernel.kappa(q1)
    assert rsb_energetic(k0, k1, float(y), 0.0, *NODES) == pytest.approx(
        tilted_output(k0, k1, float(y), 0.0, *NODES)[0] / y, abs=1e-8)


# ----------------------------------------------------------------------------- saddle points are stationary
@pytest.mark.parametrize("weights, activation", [("binary", "sign"), ("binary", "relu"), ("spherical", "relu")])
def test_finite_y_saddle_point_equations(weights, activation):
    p = ld_finite_y(0.4, 0.85, 20, activation, weights)
    kernel = get_kernel(activation)
    y = p.y
    # E<g>^2 from the tilted measure equals -(2/y^2) dG_E/dkappa0 (finite difference of rsb_energetic)
    h = 1e-5
    dge = (rsb_energetic(p.kappa0 + h, p.kappa1, float(y), 0.0, *NODES)
           - rsb_energetic(p.kappa0 - h, p.kappa1, float(y), 0.0, *NODES)) * y / (2 * h)
    g2 = tilted_output(p.kappa0, p.kappa1, float(y), 0.0, *NODES)[1]
    assert g2 == pytest.approx(-2 * dge / y**2, rel=1e-6)
    assert p.qhat0 == pytest.approx(0.4 * kernel.dkappa(p.q0) * g2, rel=1e-9)
    # the energetic term is energetic.rsb_energetic with m = y
    assert rsb_energetic(p.kappa0, p.kappa1, float(y), 0.0, *NODES) == pytest.approx(p.energetic, abs=1e-12)
    if weights == "binary":
        _, m1sq, m2, _ = group_moments(math.sqrt(p.qhat0), p.qhat1 - p.qhat0, y, *NODES)
        assert (m2 - y) / (y * (y - 1)) == pytest.approx(p.q1, rel=1e-11)
        assert m1sq / y**2 == pytest.approx(p.q0, rel=1e-11)
        # F is stationary in (qhat0, qhat1) at fixed (q0, q1)
        for dq0, dq1 in [(1e-5, 0), (0, 1e-5)]:
            up = binary_entropic_term(p.q0, p.q1, p.qhat0 + dq0, p.qhat1 + dq1, y)
            dn = binary_entropic_term(p.q0, p.q1, p.qhat0 - dq0, p.qhat1 - dq1, y)
            assert abs(up - dn) / 2e-5 < 1e-4  # derivatives of the two terms are ~ y^2 q0/2 ~ 100
    else:
        d = 1 - p.q1 + y * (p.q1 - p.q0)
        assert p.qhat0 == pytest.approx(p.q0 / d**2, rel=1e-9)


@pytest.mark.parametrize("weights, activation, alpha, q1", [
    ("binary", "sign", 0.4, 0.85), ("binary", "relu", 0.7, 0.9), ("binary", "linear", 0.5, 0.6),
    ("spherical", "sign", 1.0, 0.8), ("spherical", "relu", 1.2, 0.95)])
def test_envelope_solution_is_stationary(weights, activation, alpha, q1):
    """Finite differences of the unextremised y -> infinity functional vanish at the solution."""
    r = local_entropy(alpha, q1, activation, weights)
    args = dict(activation=activation, weights=weights)

    def f(qhat=r.qhat, gh=r.gamma_hat or 1.0, gq=r.gamma_q):
        return envelope_functional(alpha, q1, qhat, gh, gq, **args)

    assert f() == pytest.approx(r.phi, abs=1e-12)
    h = 1e-6
    assert abs(f(gq=r.gamma_q * (1 + h)) - f(gq=r.gamma_q * (1 - h))) / (2 * h * r.gamma_q) < 1e-6
    if weights == "binary":
        assert abs(f(qhat=r.qhat * (1 + h)) - f(qhat=r.qhat * (1 - h))) / (2 * h * r.qhat) < 1e-6
        assert abs(f(gh=r.gamma_hat * (1 + h)) - f(gh=r.gamma_hat * (1 - h))) / (2 * h * r.gamma_hat) < 1e-6


def test_slope_matches_finite_difference():
    for weights, act, alpha, q1 in [("binary", "relu", 0.8, 0.9), ("spherical", "sign", 1.0, 0.9)]:
        h = 1e-5
        up, mid, dn = (local_entropy(alpha, q, act, weights) for q in (q1 + h, q1, q1 - h))
        assert local_entropy_slope(mid) == pytest.approx((up.phi - dn.phi) / (2 * h), rel=1e-5)


# ----------------------------------------------------------------------------- the Stein pitfall
def test_stein_form_misses_the_delta_term():
    """E[z t]/sqrt(qhat) - E[(1-t^2)/(1-gh(1-t^2))] = 2 t_+ phi(0)/sqrt(qhat) for gamma_hat > 1, 0 below."""
    qhat = 0.05
    for gh, jump in [(1.6, True), (2.5, True), (0.7, False)]:
        _, zt, _, _, stein, t_plus = entropic_envelope(qhat, gh, *NODES)
        delta = 2 * t_plus / math.sqrt(2 * math.pi) / math.sqrt(qhat)
        assert (t_plus > 0) is jump
        assert zt / math.sqrt(qhat) - stein == pytest.approx(delta, abs=2e-6 * max(delta, 1.0))


def test_stein_form_root_is_unphysical_and_direct_form_is_not():
    """The pitfall guard: the Stein-form root has an entropic term above ln 2 (and phi above its
    alpha = 0 value), and is not a stationary point of the functional; the direct form is fine."""
    direct = local_entropy(0.4, 0.85, "sign", "binary")
    wrong = stein_form_root(0.4, 0.85, "sign")
    assert direct.gamma_hat > 1  # the regime where h* jumps
    assert direct.entropic < LN2 and direct.phi < direct.phi0
    assert wrong.entropic > LN2 and wrong.phi > wrong.phi0
    h = 1e-6

    def dq(r):
        f = lambda qh: envelope_functional(0.4, 0.85, qh, r.gamma_hat, r.gamma_q, "sign", "binary")
        return (f(r.qhat * (1 + h)) - f(r.qhat * (1 - h))) / (2 * h * r.qhat)

    assert abs(dq(direct)) < 1e-6
    assert abs(dq(wrong)) > 1e-2


# ----------------------------------------------------------------------------- the notes' numbers
@pytest.mark.parametrize("activation, q0, phi, phin", [
    ("sign", "0.578918", "0.140100", "-0.06088"), ("relu", "0.522108", "0.159615", "-0.04136")])
def test_notes_y20_point(activation, q0, phi, phin):
    """The derivation notes (theory_stabilities, sec. 5): y = 20, q1 = 0.85, binary, alpha = 0.4 (the stabilities chapter's point)."""
    p = ld_finite_y(0.4, 0.85, 20, activation, "binary")
    assert agrees(p.q0, q0), p.q0
    assert agrees(p.phi, phi), p.phi
    assert agrees(p.phi_normalized, phin), p.phi_normalized
    assert p.qhat1 is not None and p.kappa0 == pytest.approx(get_kernel(activation).kappa(p.q0), rel=1e-14)


def test_notes_limit_sign():
    r = local_entropy(0.4, 0.85, "sign", "binary")
    for key, printed in NOTES["limit_sign_binary_0.4_0.85"].items():
        assert agrees(getattr(r, key), printed), (key, printed)


NOTES_Y_TABLE = [(y, *row) for y, row in NOTES["finite_y_table"].items()]


def test_notes_finite_y_table():
    points = finite_y_curve(0.4, 0.85, [row[0] for row in NOTES_Y_TABLE], "sign", "binary")
    for p, (y, gq, yq, fy) in zip(points, NOTES_Y_TABLE):
        assert p.y == y
        assert agrees(y * (p.q1 - p.q0), gq), (y, y * (p.q1 - p.q0))
        assert agrees(y * p.qhat0, yq), (y, y * p.qhat0)
        assert agrees(p.phi, fy), (y, p.phi)


@pytest.mark.parametrize("q1, weights, printed", [
    (0.95, "binary", "0.815"), (0.95, "spherical", "1.268"), (0.97, "binary", "0.72"), (0.97, "spherical", "1.13"),
    (0.98, "binary", "0.67"), (0.98, "spherical", "1.05"), (0.9, "spherical", "1.40")])
def test_notes_alpha_star_fixed_q1(q1, weights, printed):
    alpha, height = alpha_star_fixed_q1(q1, weights)
    assert agrees(alpha, printed), alpha
    relu = local_entropy(alpha, q1, "relu", weights).phi_normalized
    sign = local_entropy(alpha, q1, "sign", weights).phi_normalized
    assert relu == pytest.approx(sign, abs=1e-10) and height == pytest.approx(relu, abs=1e-14)


@pytest.mark.parametrize("delta, weights, printed", [
    (1e-2, "binary", "0.797"), (1e-2, "spherical", "1.220"), (1e-3, "binary", "0.729"), (1e-3, "spherical", "1.130")])
def test_notes_alpha_star_level(delta, weights, printed):
    alpha, q1 = alpha_star_level(delta, weights)
    assert agrees(alpha, printed), alpha
    for act in ("relu", "sign"):
        assert local_entropy(alpha, q1, act, weights).phi_normalized == pytest.approx(-delta, rel=1e-6)


# ----------------------------------------------------------------------------- beyond the paper
def test_perceptron_breakup_near_literature():
    """The binary perceptron's local entropy stops being monotone near alpha_U ~ 0.77 (Baldassi et al.
    2015, a reference-based formulation): here within 0.02 of it."""
    result = alpha_breakup("linear", "binary", [0.7, 0.75, 0.8])
    alpha_u, q1 = result.alpha, result.q1
    assert abs(alpha_u - 0.77) < 0.02
    assert 0.8 < q1 < 0.99
    assert result.slopes[0] < 0 < result.slopes[-1]
    assert max_slope(alpha_u - 0.01, "linear")[0] < 0 < max_slope(alpha_u + 0.01, "linear")[0]


def test_max_slope_of_the_fully_connected_machine_runs_down_to_its_typical_overlap_zero():
    """Below the symmetry-breaking load the typical overlap (rs_overlap) is q = 0, so the default q1 grid runs
    down to 1 - 0.995 (1 - 0): the local entropy is monotone, its slope largest there (y -> infinity, binary)."""
    model = Model.of("relu", "binary", 0.0, 32, GEOMETRY_MARGINS, architecture="fully-connected")
    slope, q1 = max_slope(0.5, model=model)
    assert q1 == pytest.approx(0.005, rel=1e-9) and -0.05 < slope < -0.02


# ----------------------------------------------------------------------------- bad input, non-convergence
@pytest.mark.parametrize("kwargs, name", [
    (dict(q1=1.2), "q1"), (dict(q1=0.0), "q1"), (dict(q1=-0.1), "q1"), (dict(alpha=0.0), "alpha"),
    (dict(alpha=-1.0), "alpha"), (dict(y=0.5), "y"), (dict(y=1), "y"), (dict(y=2.5), "y"), (dict(y=10**5), "y"),
    (dict(weights="ternary"), "weights"), (dict(activation="nope"), "activation"), (dict(margin=-1.0), "margin"),
    (dict(quad_order=2), "quad_order"), (dict(alpha="a lot"), "alpha")])
def test_parameter_errors_name_the_parameter(kwargs, name):
    args = dict(alpha=0.4, q1=0.85, y=20, activation="relu", weights="binary")
    args.update(kwargs)
    with pytest.raises(ParameterError, match=name):
        ld_finite_y(**args)
    if "y" not in kwargs:
        args.pop("y")
        with pytest.raises(ParameterError, match=name):
            local_entropy(**args)


@pytest.mark.parametrize("weights", ["binary", "spherical"])
def test_no_solution_below_typical_overlap_raises(weights):
    with pytest.raises(ConvergenceError, match="typical"):
        ld_finite_y(0.4, 0.1, 20, "relu", weights)
    with pytest.raises(ConvergenceError, match="typical"):
        local_entropy(0.4, 0.1, "relu", weights)


def test_flat_region_is_reported_not_nan():
    r = local_entropy(0.6, 0.9999, "relu", "spherical")
    assert r.flat and r.phi_normalized == 0.0 and r.gamma_q == math.inf and math.isfinite(r.phi)
    d = ld("spherical", "relu", 0.6, 0.9999)
    assert d["gamma_q"] is None and json.loads(json.dumps(d))["flat"] is True


# ----------------------------------------------------------------------------- command line


def test_cli_ld_json_finite_y_subprocess():
    proc = subprocess.run([sys.executable, "-m", "committee_lib.cli", "ld", "--weights", "binary", "--activation",
                           "sign", "--alpha", "0.4", "--q1", "0.85", "--y", "20", "--json"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert {"phi", "phi_normalized", "q0"} <= set(result)
    assert agrees(result["q0"], "0.578918") and agrees(result["phi"], "0.140100")
    assert agrees(result["phi_normalized"], "-0.06088") and result["y"] == 20


def test_cli_ld_json_limit(run_cli):
    status, out, err = run_cli(["ld", "--weights", "binary", "--activation", "sign", "--alpha", "0.4",
                                         "--q1", "0.85", "--json"])
    assert status == 0 and err == ""
    result = json.loads(out)
    assert agrees(result["phi"], "0.14974") and result["y"] is None and "q0" not in result
    assert result["phi_normalized"] == pytest.approx(result["phi"] - h2(0.5 * (1 - math.sqrt(0.85))), abs=1e-14)


@pytest.mark.parametrize("args, word", [
    (["--q1", "1.5"], "q1"), (["--q1", "0.85", "--y", "0.5"], "y"), (["--q1", "0.85", "--alpha", "0"], "alpha"),
    (["--q1", "0.05"], "typical"), (["--q1", "x"], "q1"), (["--q1", "0.85", "--weights", "ternary"], "weights")])
def test_cli_ld_bad_arguments(run_cli, args, word):
    argv = ["ld", "--weights", "binary", "--activation", "relu", "--alpha", "0.4", "--json"]
    # later options override earlier ones in argparse
    status, out, err = run_cli(argv + args)
    assert status != 0 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "error" in lines[0] and word in lines[0], err


# ----------------------------------------------------------------------------- the paper's figures
@pytest.mark.parametrize("figure, weights", [(fig2_left, "binary"), (fig2_right, "spherical")])
def test_fig2_panels_are_binary_left_spherical_right(figure, weights):
    """Fig. 2: left panel binary, right spherical; each curve ends on the RS solution."""
    q1s = np.array([0.99, 0.95, 0.9])
    alpha = 0.5
    panel = figure([alpha], q1s, activations=("relu",), quad_order=32)
    c = panel["relu"][alpha]
    direct = local_entropy_curve(alpha, q1s, "relu", weights, 0.0, 32)
    np.testing.assert_array_equal(c["phi_normalized"], direct["phi_normalized"])
    rs = rs_solution(alpha, "relu", weights, 0.0, 32)
    assert c["q_typ"] == rs.q and c["phi_rs"] == rs.free_entropy


def test_flat_edge_is_the_last_departure_from_zero():
    q1 = np.array([0.99, 0.95, 0.9, 0.8])
    curves = [{"q1": q1, "phi_normalized": np.array([-1e-9, -1e-7, -1e-3, -1e-2])},
              {"q1": q1, "phi_normalized": np.array([-1e-9, -2e-6, np.nan, -1e-2])},
              {"q1": q1, "phi_normalized": np.zeros(4)}]
    assert flat_edge(curves[:1]) == 0.9
    assert flat_edge(curves) == 0.95
    assert flat_edge(curves[2:]) == 0.8  # flat everywhere: its smallest q1


def test_notes_alpha_star_flattens_both_definitions():
    notes = notes_alpha_star()
    assert notes[("q1", 0.95, "binary")] == "0.815" and notes[("delta", 1e-3, "spherical")] == "1.130"
    assert len(notes) == sum(len(v) for table in ("alpha_star_fixed_q1", "alpha_star_level")
                             for v in NOTES[table].values())
