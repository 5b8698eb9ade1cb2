"""Franz-Parisi entropy around a typical solution (committee_lib.theory.franz_parisi; book: theory_franz_parisi).

Reference values come from sources independent of the code under test:

* the derivation notes behind theory_franz_parisi (their results), to their printed digits
  (d* = 0.063861 sign, 0.017110 ReLU, 0.015775 perceptron at alpha = 0.6; d_typ; spherical
  q_typ, the normalised entropy at d = 0.05 and the crossing of the two curves);
* exact identities: at S = q~ the saddle point is t = p = q~ with conjugates q^ and
  F_FP = F_RS (rs.rs_solution, a different module); at alpha = 0, F_FP = H_2(d) (binary,
  in nats) and (1/2) ln(1 - S^2) (spherical);
* brute-force quadratures written here with numpy/scipy: the energetic term as the notes'
  triple integral (the library does a rotated double integral) and the binary entropic
  double integral on dense uniform panels; finite differences for the pair-rule derivatives.
"""

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import special

from committee_lib import published
from committee_lib.theory import franz_parisi as fp
from committee_lib.theory.priors.binary import fp_binary_entropic
from committee_lib.errors import ConvergenceError, ParameterError
from committee_lib.theory.kernels import get_kernel
from committee_lib.theory.rs import rs_solution

# the derivation notes behind theory_franz_parisi, as printed
NOTES = published.NOTES["franz_parisi"]




@pytest.fixture(scope="module")
def binary_curves():
    return {act: fp.fp_curve(0.6, act, "binary", n_points=40) for act in ("sign", "relu", "linear")}


@pytest.fixture(scope="module")
def spherical_curves():
    return {act: fp.fp_curve(1.0, act, "spherical", n_points=30) for act in ("sign", "relu")}


# ----------------------------------------------------------------------------- exact point S = q~
@pytest.mark.parametrize("weights, alpha", [("binary", 0.6), ("spherical", 1.0)])
@pytest.mark.parametrize("activation", ["sign", "relu", "linear"])
def test_typical_overlap_gives_rs_entropy(weights, alpha, activation):
    """At S = q~: t = p = q~ solves the equations, t^ = p^ = q^ and F_FP = F_RS (to 1e-8)."""
    rs = rs_solution(alpha, activation, weights, 0.0, 64)
    ref = fp.reference(alpha, activation, weights)
    pt = fp.exact_point(ref)
    assert pt.S == rs.q and pt.t == rs.q and pt.p == pytest.approx(rs.q, abs=1e-14)
    assert abs(pt.free_entropy - rs.free_entropy) < 1e-8
    assert pt.that == pytest.approx(rs.qhat, rel=1e-8) and pt.phat == pytest.approx(rs.qhat, rel=1e-8)
    sad = fp._Saddle(ref, rs.q)
    x = [rs.q, -math.inf, 0.0] if weights == "binary" else [rs.q, -math.inf]
    assert np.max(np.abs(sad.evaluate(x)["res"])) < 1e-12


def test_solver_returns_to_the_typical_point():
    """Leaving q~ and coming back along the branch lands on F_RS again."""
    ref = fp.reference(0.6, "relu", "binary")
    branch = fp.Branch(ref)
    branch.step_to(ref.q + 0.05)
    back = branch.step_to(ref.q + 1e-7)
    assert back.free_entropy == pytest.approx(ref.free_entropy, abs=1e-10)
    assert back.t == pytest.approx(ref.q, abs=1e-5) and back.p == pytest.approx(ref.q, abs=1e-5)


@pytest.mark.parametrize("activation", ["sign", "relu", "linear"])
def test_curve_is_maximal_at_d_typ(binary_curves, activation):
    c = binary_curves[activation]
    F, d = np.array(c["F"]), np.array(c["d"])
    assert np.all(np.isfinite(F)) and np.all(np.diff(d) > 0)
    assert F.max() == pytest.approx(c["F_rs"], abs=1e-12)
    assert d[np.argmax(F)] == pytest.approx(c["d_typ"], abs=1e-12)
    assert np.all(F <= c["F_rs"] + 1e-10)


# ----------------------------------------------------------------------------- alpha = 0
@pytest.mark.parametrize("d", [0.003, 0.05, 0.2, 0.45])
def test_alpha_zero_binary_is_binary_entropy(d):
    pt = fp.fp_point(1.0 - 2.0 * d, 0.0, "relu", "binary")
    h2 = -d * math.log(d) - (1.0 - d) * math.log(1.0 - d)
    assert abs(pt.free_entropy - h2) < 1e-8
    assert pt.p == pytest.approx((1.0 - 2.0 * d) ** 2, abs=1e-8)


@pytest.mark.parametrize("d", [0.003, 0.05, 0.2, 0.45])
def test_alpha_zero_spherical(d):
    S = 1.0 - 2.0 * d
    pt = fp.fp_point(S, 0.0, "sign", "spherical")
    assert abs(pt.free_entropy - 0.5 * math.log(1.0 - S * S)) < 1e-8
    assert fp.alpha0_entropy(d, "spherical") == pytest.approx(0.5 * math.log(1.0 - S * S), rel=1e-14)


def test_small_alpha_tends_to_alpha_zero():
    d = 0.2
    gaps = [abs(fp.fp_point(1.0 - 2.0 * d, a, "relu", "binary").free_entropy - fp.alpha0_entropy(d)) for a in (0.02, 0.01)]
    assert gaps[1] < gaps[0] < 0.02
    assert gaps[0] / gaps[1] == pytest.approx(2.0, rel=0.15)  # F_FP - H_2 = O(alpha)


# ----------------------------------------------------------------------------- energetic term
def _rows(cuts, n):
    """Gauss-Legendre nodes/weights on the panels between sorted cut rows: shapes (rows, panels*n)."""
    t, w = np.polynomial.legendre.leggauss(n)
    a, b = cuts[:, :-1, None], cuts[:, 1:, None]
    x = (0.5 * (b - a) * t + 0.5 * (b + a)).reshape(len(cuts), -1)
    wx = (0.5 * (b - a) * w).reshape(len(cuts), -1)
    return x, wx


def brute_energetic(kq, kt, ks, kp, n=12):
    """The notes' triple integral in plain numpy: no rotation, no code shared with the library.

    G_E = int Dz0 / H(-g z0) int_{x1 > -g z0} Dx1 int Dz1 ln H(-(A z0 + B x1 + C z1)/eps), and
    <g_v^2>, <g_v g_0> under the same measure.  Panels: z0 uniform; x1 from the truncation
    -g z0, split where A z0 + B x1 = 0 (width sqrt(eps^2 + C^2)/|B|); z1 split at its kink
    -(A z0 + B x1)/C with graded cuts at +-1, 4, 16 kink widths eps/C.
    """
    sq, s1q = math.sqrt(kq), math.sqrt(1.0 - kq)
    gam = sq / s1q
    A, B = kt / sq, (ks - kt) / s1q
    C = math.sqrt(kp - kt * kt / kq - (ks - kt) ** 2 / (1.0 - kq))
    eps = math.sqrt(1.0 - kp)
    lphi = -0.5 * math.log(2 * math.pi)
    z0, w0 = _rows(np.linspace(-11.0, 11.0, 45)[None, :], n)
    z0, w0 = z0[0], w0[0] * np.exp(-0.5 * z0[0] ** 2 + lphi)
    G = E2 = E0 = 0.0
    for zi, wi in zip(z0, w0):
        c = -gam * zi
        lo, hi = max(c, -11.0), max(c, 0.0) + 11.0
        xk, xw = -A * zi / B, math.sqrt(eps**2 + C**2) / abs(B)
        cuts = np.clip(np.sort(np.concatenate([np.linspace(lo, hi, 12), xk + xw * np.array([-16, -4, -1, 0, 1, 4, 16])])), lo, hi)
        x1, wx1 = _rows(cuts[None, :], n)
        x1, wx1 = x1[0], wx1[0]
        p1 = wx1 * np.exp(-0.5 * x1**2 + lphi - special.log_ndtr(-c))
        mu = A * zi + B * x1
        zk, zw = -mu / C, eps / C
        grid = np.concatenate([np.broadcast_to(np.linspace(-11.0, 11.0, 12), (len(mu), 12)),
                               zk[:, None] + zw * np.array([-16, -4, -1, 0, 1, 4, 16])[None, :]], axis=1)
        z1, wz1 = _rows(np.clip(np.sort(grid, axis=1), -11.0, 11.0), n)
        arg = (mu[:, None] + C * z1) / eps
        lnH = special.log_ndtr(arg)
        gv = np.exp(-0.5 * arg**2 + lphi - lnH) / eps
        wz = wz1 * np.exp(-0.5 * z1**2 + lphi)
        g0 = math.exp(-0.5 * (gam * zi) ** 2 + lphi - special.log_ndtr(gam * zi)) / s1q
        G += wi * (p1 * (lnH * wz).sum(1)).sum()
        E2 += wi * (p1 * (gv**2 * wz).sum(1)).sum()
        E0 += wi * g0 * (p1 * (gv * wz).sum(1)).sum()
    return G, E2, E0


ENERGETIC_POINTS = [  # (activation, S, t, p): generic, near S = q~ and close to freezing
    ("relu", 0.8, 0.30, 0.70),
    ("sign", 0.5, 0.22, 0.45),
    ("relu", 0.995, 0.2892, 0.998),
]


@pytest.mark.parametrize("activation, S, t, p", ENERGETIC_POINTS)
def test_energetic_rotation_matches_triple_integral(activation, S, t, p):
    k = get_kernel(activation)
    ref = fp.reference(0.6, activation, "binary")
    args = (k.kappa(ref.q), k.kappa(t), k.kappa(S), k.kappa(p))
    lib = np.array(fp.energetic_term(*args, quad_order=24))
    brute = np.array(brute_energetic(*args))
    assert np.allclose(lib, brute, rtol=1e-10, atol=1e-12), (lib, brute)  # observed: ~1e-15


@pytest.mark.parametrize("activation, S, t, p", ENERGETIC_POINTS + [("sign", 0.99, 0.2093, 0.995)])
def test_pair_rule_derivatives(activation, S, t, p):
    """dG_E/dk_p = -<g_v^2>/2 and dG_E/dk_t = -<g_v g_0> against central differences."""
    k = get_kernel(activation)
    ref = fp.reference(0.6, activation, "binary")
    kq, kt, ks, kp = k.kappa(ref.q), k.kappa(t), k.kappa(S), k.kappa(p)
    _, e2, e0 = fp.energetic_term(kq, kt, ks, kp, quad_order=32)
    h = 1e-5 * min(1.0, 1.0 - kp)
    d_kp = (fp.energetic_term(kq, kt, ks, kp + h, 32)[0] - fp.energetic_term(kq, kt, ks, kp - h, 32)[0]) / (2 * h)
    h = 1e-5
    d_kt = (fp.energetic_term(kq, kt + h, ks, kp, 32)[0] - fp.energetic_term(kq, kt - h, ks, kp, 32)[0]) / (2 * h)
    assert d_kp == pytest.approx(-0.5 * e2, rel=2e-8)  # observed: <= 8e-9 (O(h^2) of the differences)
    assert d_kt == pytest.approx(-e0, rel=2e-8)


def brute_binary_entropic(qhat, a, b, shat, n_panels=240, n=8):
    """E_{z0,z1}[(1 + m0) f(h)] on uniform panels of [-11, 11]^2 (plain numpy)."""
    t, w = np.polynomial.legendre.leggauss(n)
    edges = np.linspace(-11.0, 11.0, n_panels + 1)
    x = (0.5 * np.diff(edges)[:, None] * t + 0.5 * (edges[1:] + edges[:-1])[:, None]).ravel()
    wx = (0.5 * np.diff(edges)[:, None] * w).ravel() * np.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)
    z0, z1 = np.meshgrid(x, x, indexing="ij")
    weight = np.outer(wx, wx) * (1.0 + np.tanh(math.sqrt(qhat) * z0))
    h = a * z0 + b * z1 + shat
    th = np.tanh(h)
    lc = np.abs(h) + np.log1p(np.exp(-2.0 * np.abs(h)))
    m0 = np.tanh(math.sqrt(qhat) * z0)
    return [(weight * f).sum() for f in (th, m0 * th, th**2, lc)]


@pytest.mark.parametrize("qhat, a, b, shat", [(0.5, 0.6, 0.7, 1.3), (0.3, 0.4, 2.5, 4.0), (0.8, 0.9, 0.05, -0.3)])
def test_binary_entropic_matches_brute_force(qhat, a, b, shat):
    lib = fp_binary_entropic(qhat, a, b, shat, *fp.legendre(12))
    brute = brute_binary_entropic(qhat, a, b, shat)
    assert np.allclose([lib[0], lib[1], lib[2], lib[3]], brute, rtol=0, atol=1e-10)
    assert lib[7] == pytest.approx(1.0 - lib[0], abs=1e-13)  # 1 - S summed directly
    assert lib[8] == pytest.approx(1.0 - lib[2], abs=1e-13)  # 1 - p = dS/ds^


# ----------------------------------------------------------------------------- the notes' numbers
@pytest.mark.parametrize("activation", ["sign", "relu", "linear"])
def test_d_star_to_printed_digits(binary_curves, activation):
    assert published.agrees(binary_curves[activation]["d_star"], NOTES[("binary d*", activation)])


@pytest.mark.parametrize("activation", ["sign", "relu", "linear"])
def test_d_typ_to_printed_digits(binary_curves, activation):
    assert published.agrees(binary_curves[activation]["d_typ"], NOTES[("binary d_typ", activation)])


@pytest.mark.parametrize("activation", ["sign", "relu"])
def test_spherical_typical_overlap(spherical_curves, activation):
    assert published.agrees(spherical_curves[activation]["q_typ"], NOTES[("spherical q_typ", activation)])
    assert spherical_curves[activation]["d_star"] is None


@pytest.mark.parametrize("activation", ["sign", "relu"])
def test_spherical_normalised_entropy_at_d_005(activation):
    pt = fp.fp_point(0.9, 1.0, activation, "spherical")
    printed = NOTES[("spherical, minus normalised entropy at d = 0.05", activation)]
    assert published.agrees(fp.alpha0_entropy(0.05, "spherical") - pt.free_entropy, printed)


def test_spherical_curves_cross_near_022():
    def gap(d):
        return (fp.fp_point(1 - 2 * d, 1.0, "sign", "spherical").free_entropy
                - fp.fp_point(1 - 2 * d, 1.0, "relu", "spherical").free_entropy)
    assert gap(0.215) < 0.0 < gap(0.225)  # the notes: "cross at d ~ 0.22"


@pytest.mark.parametrize("activation", ["sign", "relu"])
def test_d_star_stable_when_quadrature_doubles(activation):
    assert fp.d_star(0.6, activation, quad_order=24) == pytest.approx(fp.d_star(0.6, activation, quad_order=12), abs=1e-8)


def test_d_star_function_matches_curve(binary_curves):
    assert fp.d_star(0.6, "sign") == pytest.approx(binary_curves["sign"]["d_star"], abs=1e-10)


def test_d_star_grows_with_alpha_and_meets_d_typ():
    scan = fp.d_star_curve([0.2, 0.5, 0.8, 0.9], "relu")
    d = np.array(scan["d_star"])
    assert np.all(np.diff(d) > 0) and np.all(d < np.array(scan["d_typ"]))
    assert not scan["failures"]
    assert d[-1] / scan["d_typ"][-1] > 0.7  # F_RS -> 0 at alpha_c: the crossing reaches d_typ


# ----------------------------------------------------------------------------- small d, freezing
def test_small_d_law_sign_quarter_relu_half(binary_curves):
    for quantity in ("energetic", "excess"):
        sign, _ = fp.small_d_slope(binary_curves["sign"], (0.01, 0.05), quantity)
        relu, _ = fp.small_d_slope(binary_curves["relu"], (0.01, 0.05), quantity)
        assert 0.2 < sign < 0.3, (quantity, sign)
        assert 0.45 < relu < 0.55, (quantity, relu)


@pytest.mark.parametrize("activation", ["relu", "linear"])
def test_relu_and_perceptron_freeze_near_1e3(binary_curves, activation):
    c = binary_curves[activation]
    assert c["ended_early"] and "freezes" in c["reason"]
    assert 0.8e-3 < c["d_end"] < 1.2e-3
    assert c["one_minus_p"][0] < 0.05 * (2.0 * c["d"][0])  # 1 - p collapsed at the end
    assert np.all(np.isfinite(c["F"]))


def test_sign_does_not_freeze_down_to_1e4(binary_curves):
    c = binary_curves["sign"]
    assert not c["ended_early"] and c["reason"] is None
    assert c["d_end"] == pytest.approx(1e-4)


def test_beyond_freezing_raises_not_nan():
    with pytest.raises(ConvergenceError):
        fp.fp_point(1.0 - 2.0 * 5e-4, 0.6, "relu", "binary")


# ----------------------------------------------------------------------------- bad parameters
@pytest.mark.parametrize("call, word", [
    (lambda: fp.reference(-0.1, "relu", "binary"), "alpha"),
    (lambda: fp.reference(0.95, "relu", "binary"), "alpha"),
    (lambda: fp.reference(3.0, "relu", "spherical"), "alpha"),
    (lambda: fp.reference(0.5, "relu", "ternary"), "weights"),
    (lambda: fp.reference(0.5, "bogus", "binary"), "activation"),
    (lambda: fp.reference(0.5, "relu", "binary", quad_order=2), "quad_order"),
    (lambda: fp.fp_point(1.0, 0.6, "relu", "binary"), "S"),
    (lambda: fp.fp_point(-0.2, 0.6, "relu", "binary"), "S"),
    (lambda: fp.fp_curve(0.6, "relu", "binary", n_points=3), "n_points"),
    (lambda: fp.fp_curve(0.6, "relu", "binary", d_min=0.4), "d_min"),
    (lambda: fp.fp_curve(0.0, "relu", "binary"), "alpha"),
    (lambda: fp.energetic_term(0.3, 0.5, 0.2, 0.3), "k_p"),
    (lambda: fp.alpha0_entropy(0.0), "d"),
    (lambda: fp.small_d_slope({"d": [0.1], "F": [0.0], "weights": "binary"}, quantity="bogus"), "quantity"),
])
def test_parameter_errors_name_the_parameter(call, word):
    with pytest.raises(ParameterError, match=word):
        call()


# ----------------------------------------------------------------------------- command line
def test_cli_json_binary(run_cli):
    status, out, err = run_cli(["fp", "--weights", "binary", "--activation", "relu", "--alpha", "0.6",
                                         "--points", "20", "--json"])
    assert status == 0 and err == ""
    lines = out.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert abs(result["d_star"] - 0.017110) <= 5e-7
    assert abs(result["d_typ"] - 0.3554) <= 5e-5
    assert len(result["d"]) == len(result["F"]) >= 10 and result["d"] == sorted(result["d"])
    assert all(math.isfinite(v) for v in result["F"])


def test_cli_json_spherical_has_null_d_star(run_cli):
    status, out, _ = run_cli(["fp", "--weights", "spherical", "--activation", "sign", "--alpha", "1",
                                       "--points", "10", "--json"])
    assert status == 0
    assert '"d_star": null' in out
    assert json.loads(out)["d_typ"] == pytest.approx(0.5 * (1 - 0.3108062040), abs=1e-9)


@pytest.mark.parametrize("argv, word", [
    (["fp", "--weights", "binary", "--activation", "relu", "--alpha", "1.2", "--json"], "alpha"),
    (["fp", "--weights", "binary", "--activation", "relu", "--alpha", "-1"], "alpha"),
    (["fp", "--weights", "binary", "--activation", "relu", "--alpha", "abc"], "alpha"),
    (["fp", "--weights", "binary", "--activation", "relu"], "alpha"),
    (["fp", "--weights", "binary", "--activation", "bogus", "--alpha", "0.5"], "activation"),
    (["fp", "--weights", "cubic", "--activation", "relu", "--alpha", "0.5"], "weights"),
    (["fp", "--weights", "binary", "--activation", "relu", "--alpha", "0.5", "--points", "2"], "n_points"),
    (["fp", "--weights", "binary", "--activation", "relu", "--alpha", "0.5", "--quad-order", "1"], "quad_order"),
])
def test_cli_bad_arguments(run_cli, argv, word):
    status, out, err = run_cli(argv)
    assert status not in (0, None) and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "error" in lines[0] and word in lines[0]
    assert "Traceback" not in err


def test_cli_subprocess_exit_status():
    proc = subprocess.run([sys.executable, "-m", "committee_lib.cli", "fp", "--weights", "binary",
                           "--activation", "sign", "--alpha", "0.99", "--json"], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode != 0 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "alpha" in proc.stderr


# ----------------------------------------------------------------------------- the paper's figures
def test_fig1_left_is_the_binary_curves_with_d_star():
    """Fig. 1 left: one fp_curve per activation, binary weights; d* is where F_FP crosses zero."""
    fig = fp.fig1_left(0.6, activations=("sign", "relu"), n_points=12)
    assert set(fig) == {"sign", "relu"}
    direct = fp.fp_curve(0.6, "sign", "binary", n_points=12)
    assert fig["sign"]["F"] == direct["F"] and fig["sign"]["d"] == direct["d"]
    for name, c in fig.items():
        assert c["weights"] == "binary" and c["activation"] == name
        assert c["d_star"] == pytest.approx(fp.d_star(0.6, name, "binary"), abs=1e-9)
    assert fig["sign"]["d_star"] > fig["relu"]["d_star"]  # sign solutions are the more isolated


def test_fig1_right_is_normalised_by_the_alpha0_entropy():
    """Fig. 1 right: spherical curves minus (1/2) ln(1 - S^2), point by point."""
    fig = fp.fig1_right(1.0, activations=("relu",), n_points=8)
    c = fig["relu"]
    assert c["weights"] == "spherical" and c["d_star"] is None
    S = np.asarray(c["S"])
    np.testing.assert_allclose(c["F_normalized"], np.asarray(c["F"]) - 0.5 * np.log(1 - S ** 2), rtol=0, atol=1e-12)
    i = c["d"].index(c["d_typ"])  # at d_typ the curve is the RS entropy
    assert c["F"][i] == pytest.approx(c["F_rs"], abs=1e-12)


def test_d_star_ratio_interpolates_the_second_scan_in_log():
    a = {"alpha": [0.1, 0.3, 0.5], "d_star": [0.01, None, 0.05]}
    b = {"alpha": [0.2, 0.6], "d_star": [0.001, 0.01]}
    alphas, ratios = fp.d_star_ratio(a, b)  # 0.1 is outside b's loads, 0.3 has no d*
    assert alphas == [0.5]
    assert ratios[0] == pytest.approx(0.05 / (0.001 * 10 ** 0.75), rel=1e-12)


def test_the_notes_values_agree_with_the_fig1_curves(binary_curves):
    ours = {("binary d*", n): c["d_star"] for n, c in binary_curves.items()}
    checks = published.against(published.NOTES["franz_parisi"], ours)
    assert len(checks) == 3 and all(ok for *_, ok in checks)
