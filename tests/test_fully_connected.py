"""The fully connected machine at large K (committee_lib/theory/architecture.py, fully_connected.py).

Its kernel is the activation's with the linear Hermite component removed; the checks: identities of
that kernel (ReLU and leaky ReLU give the absolute value's, even activations keep the tree's, erf
agrees with an independent Hermite expansion of erf minus its linear part), the covariance it comes
from measured on sampled machines, the perceptron and the linear machine at finite K, closed forms of
the capacities and of the permutation-symmetry-breaking load, and the command line.
"""

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from scipy.special import erf

from committee_lib.cli import main
from committee_lib.errors import ParameterError
from committee_lib.theory import rs, rsb
from committee_lib.theory.capacity import capacity
from committee_lib.theory.fully_connected import linear_capacity, sampled_output_correlation, unit_correlation
from committee_lib.theory.kernels import Hermite, get_kernel
from committee_lib.theory.model import Model

FC = "fully-connected"
QS = np.array([0.0, 0.1, 0.37, 0.5, 0.8, 0.95, 0.999, 1.0])


def fc_kernel(activation):
    return Model.of(activation, architecture=FC).kernel


# ----------------------------------------------------------------------------- the kernel
@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "abs"])
def test_piecewise_linear_units_give_the_absolute_value_kernel(activation):
    """g = b x + c |x| minus its linear part is c |x|: the fully connected ReLU is the tree of |x|."""
    fc, ab = fc_kernel(activation), get_kernel("abs")
    np.testing.assert_allclose(fc.kappa(QS), ab.kappa(QS), rtol=0, atol=1e-14)
    np.testing.assert_allclose(fc.dkappa(QS[:-1]), ab.dkappa(QS[:-1]), rtol=1e-13)
    np.testing.assert_allclose(fc.d2kappa(QS[:-1]), ab.d2kappa(QS[:-1]), rtol=1e-13)
    assert fc.dkappa_at_1 == pytest.approx(math.pi / (math.pi - 2.0), rel=1e-14)
    for y in [1e-12, 1e-6, 0.3]:
        assert fc.one_minus_kappa(y) == pytest.approx(ab.one_minus_kappa(y), rel=1e-10)


def test_even_activation_keeps_the_tree_kernel_bit_for_bit():
    """mu_1 = 0: nothing to remove, the fully connected machine is the tree."""
    assert fc_kernel("abs").dkappa(0.0) == 0.0
    assert np.array_equal(fc_kernel("abs").kappa(QS), get_kernel("abs").kappa(QS))


def test_erf_kernel_agrees_with_the_hermite_series_of_erf_minus_its_linear_part():
    """An independent route: mu_1 = E[z erf(z)] = 2/sqrt(3 pi), the series of erf(x) - mu_1 x by quadrature."""
    mu1 = 2.0 / math.sqrt(3.0 * math.pi)
    series = Hermite(lambda x: erf(x) - mu1 * x, "erf minus linear")
    np.testing.assert_allclose(fc_kernel("erf").kappa(QS), series.kappa(QS), atol=1e-9)
    assert fc_kernel("erf").dkappa_at_1 == pytest.approx(series.dkappa_at_1, rel=1e-8)


def test_sign_kernel_closed_form():
    np.testing.assert_allclose(fc_kernel("sign").kappa(QS), (np.arcsin(QS) - QS) / (math.pi / 2.0 - 1.0), atol=1e-15)
    assert math.isinf(fc_kernel("sign").dkappa_at_1)


@pytest.mark.parametrize("activation", ["sign", "relu", "erf", "tanh", "gelu", "softplus", "sigmoid"])
def test_kernel_is_normalised_and_has_no_linear_part(activation):
    k = fc_kernel(activation)
    assert k.kappa(0.0) == pytest.approx(0.0, abs=1e-14) and k.kappa(1.0) == pytest.approx(1.0, abs=1e-12)
    assert abs(k.dkappa(0.0)) < 1e-12
    assert np.all(np.diff(k.kappa(QS)) > 0)


def test_output_scale_is_the_nonlinear_standard_deviation():
    """Var g - mu_1^2: ReLU's (pi - 1)/(2 pi) - 1/4 = (pi - 2)/(4 pi), the variance of |x|/2."""
    assert fc_kernel("relu").output_scale ** 2 == pytest.approx((math.pi - 2.0) / (4.0 * math.pi), rel=1e-14)


@pytest.mark.parametrize("activation, q, seed", [("relu", 0.5, 1), ("erf", 0.9, 2)])
def test_sampled_machines_have_the_predicted_output_correlation(activation, q, seed):
    """The covariance of the derivation on sampled machines (K = 64, N = 400): with sum_k c_k w_k = 0 the
    outputs correlate as kappa_FC(q), with independent units as the tree's kappa(q), and the two differ."""
    free, fc = sampled_output_correlation(activation, 64, 400, q, 20000, seed)
    assert free == pytest.approx(fc, abs=0.03)
    tied, tree = sampled_output_correlation(activation, 64, 400, q, 20000, seed, read_out_free=False)
    assert tied == pytest.approx(tree, abs=0.04)
    assert tree - fc > 0.08 and tied - free > 0.05


# ----------------------------------------------------------------------------- finite K: perceptron, linear machine
def test_one_linear_unit_is_the_perceptron_and_the_linear_machine_loses_capacity_as_1_over_K():
    assert linear_capacity(1) == pytest.approx(rs.alpha_c_rs("linear"), rel=1e-14) == pytest.approx(2.0)
    assert linear_capacity(1, margin=1.0) == pytest.approx(rs.alpha_c_rs("linear", margin=1.0), rel=1e-14)
    assert [linear_capacity(K) for K in (2, 10, 1000)] == pytest.approx([1.0, 0.2, 0.002], rel=1e-14)


def test_linear_activation_has_no_large_k_kernel():
    with pytest.raises(ParameterError, match="2/K"):
        Model.of("linear", architecture=FC)


def test_unit_correlation():
    assert unit_correlation(2) == -1.0 and unit_correlation(33) == pytest.approx(-1.0 / 32)
    for bad in [1, 2.5, True]:
        with pytest.raises(ParameterError, match="K"):
            unit_correlation(bad)


# ----------------------------------------------------------------------------- capacities
def test_spherical_rs_capacity_closed_forms():
    assert rs.alpha_c_rs(model=Model.of("relu", architecture=FC)) == pytest.approx(2.0 * math.pi / (math.pi - 2.0), rel=1e-14)
    assert math.isinf(rs.alpha_c_rs(model=Model.of("sign", architecture=FC)))


@pytest.mark.parametrize("weights", ["binary", "spherical"])
def test_continuous_permutation_symmetry_breaking_is_the_at_load(weights):
    """ReLU: the q > 0 branch leaves q = 0 at 1/(kappa''(0) A(0)) = pi (pi - 2)/4 and is unstable from there."""
    model = Model.of("relu", weights, architecture=FC)
    psb = rs.alpha_q0_instability(model=model)
    assert psb == pytest.approx(math.pi * (math.pi - 2.0) / 4.0, rel=1e-12)
    assert rs.rs_point(1e-5, model=model).alpha == pytest.approx(psb, rel=1e-4)
    assert rs.alpha_at(model=model) == psb
    assert rs.rs_point(0.3, model=model).at_function > 0.0


@pytest.mark.parametrize("weights", ["binary", "spherical"])
def test_odd_activations_have_no_continuous_transition_and_their_at_load_is_the_jump(weights):
    """q = 0 is stable at every load (AT function -1), but the RS solution jumps off it onto an unstable branch."""
    model = Model.of("erf", weights, architecture=FC)
    jump = rs.alpha_q0_transition(model=model)
    assert rs.alpha_q0_instability(model=model) is None and rs.alpha_at(model=model) == jump
    below, above = rs.rs_solution(jump * (1 - 1e-6), model=model), rs.rs_solution(jump * (1 + 1e-6), model=model)
    assert below.q == 0.0 and below.at_function == -1.0 and above.q > 0.5 and above.at_function > 0.5
    with pytest.raises(ParameterError, match="q = 0 is not an RS saddle"):
        rs.alpha_q0_instability("relu")


@pytest.mark.parametrize("margin", [0.0, 0.7])
def test_binary_capacity_of_odd_units_is_the_entropy_zero_of_the_q0_saddle(margin):
    """The q > 0 branch has negative entropy wherever it exists: the q = 0 saddle holds up to ln 2 / -ln H(k)."""
    expected = math.log(2.0) / -math.log(0.5 * math.erfc(margin / math.sqrt(2.0)))
    for activation in ["erf", "sign"]:
        assert rs.alpha_c_binary_rs(model=Model.of(activation, "binary", margin, architecture=FC)) == pytest.approx(expected, rel=1e-12)
    relu = rs.alpha_c_binary_rs(model=Model.of("relu", "binary", architecture=FC))
    assert rs.alpha_q0_instability("relu", "binary", model=Model.of("relu", "binary", architecture=FC)) < relu < 1.0


def test_one_step_rsb_of_the_fully_connected_relu_is_the_trees_absolute_value():
    fc = rsb.alpha_c_1rsb(model=Model.of("relu", quad_order=32, architecture=FC))
    assert fc.alpha_c == pytest.approx(rsb.alpha_c_1rsb("abs", quad_order=32).alpha_c, rel=1e-9)
    assert fc.alpha_c == pytest.approx(3.8121313349, abs=1e-6)


def test_one_step_rsb_of_erf_has_q0_zero():
    """Odd units: kappa_FC ~ q^3 near 0, the states are uncorrelated (q0 = 0), alpha_c below RS."""
    res = rsb.alpha_c_1rsb(model=Model.of("erf", quad_order=32, architecture=FC))
    assert res.q0 < 1e-6 and not res.on_boundary
    assert res.alpha_c == pytest.approx(4.1863713103, abs=1e-6)


# ----------------------------------------------------------------------------- command line
def test_cli_round_trip(capsys):
    assert main(["capacity", "--architecture", FC, "--weights", "binary", "--activation", "relu", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result == capacity("binary", "relu", architecture=FC)
    assert result["architecture"] == FC and result["alpha_at"] == pytest.approx(math.pi * (math.pi - 2) / 4, rel=1e-12)
    assert main(["capacity", "--weights", "binary", "--activation", "relu", "--json"]) == 0
    tree = json.loads(capsys.readouterr().out)
    assert set(tree) == set(result) and tree["architecture"] == "tree"
    assert tree["alpha_c_rs"] == capacity("binary", "relu")["alpha_c_rs"] != result["alpha_c_rs"]


def test_cli_sign_on_the_sphere_is_null_not_nan(capsys):
    assert main(["capacity", "--architecture", FC, "--weights", "spherical", "--activation", "sign", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert all(result[k] is None for k in ("alpha_c_rs", "alpha_c_1rsb", "alpha_c_3rsb", "alpha_c_frsb"))


@pytest.mark.parametrize("args, words", [
    (["--activation", "linear", "--architecture", FC], ["linear", "2/K"]),
    (["--activation", "relu", "--architecture", "dense"], ["--architecture", "fully-connected"]),
])
def test_cli_bad_input_is_one_line(args, words):
    proc = subprocess.run([sys.executable, "-m", "committee_lib.cli", "capacity", "--weights", "spherical", *args, "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert all(w in lines[0] for w in words)


def test_bad_architecture_names_the_parameter():
    with pytest.raises(ParameterError, match="architecture must be one of tree, fully-connected"):
        Model.of("relu", architecture="dense")


# ----------------------------------------------------------------------------- stabilities and annealing (chapter: replicated annealing)
def test_fig3_left_passes_the_architecture_and_keeps_the_tree_unchanged():
    from committee_lib.theory.stabilities import fig3_left

    grid = np.linspace(-1.0, 3.0, 41)
    default = fig3_left(grid, alpha=0.2, activations=("sign",), reference=None)["sign"]
    tree = fig3_left(grid, alpha=0.2, activations=("sign",), reference=None, architecture="tree")["sign"]
    fc = fig3_left(grid, alpha=0.2, activations=("sign",), architecture=FC)["sign"]
    for kind in ("typical", "replica"):
        assert np.array_equal(default[kind], tree[kind])  # bit for bit
        assert default["summaries"][kind].as_dict() == tree["summaries"][kind].as_dict()
    for kind in ("typical", "replica", "reference"):
        assert fc["distributions"][kind].architecture == FC and fc["summaries"][kind].scale == fc_kernel("sign").output_scale
    assert fc["distributions"]["replica"].point.model.architecture == FC
    assert fc["distributions"]["replica"].point.q0 == 0.0  # the permutation-symmetric saddle point
    typical = fc["distributions"]["typical"].summary()  # q = 0: a half-normal (normalised units)
    assert typical.mean == pytest.approx(math.sqrt(2 / math.pi), abs=1e-10)
    assert typical.variance == pytest.approx(1 - 2 / math.pi, abs=1e-10)
    assert fc["summaries"]["replica"].mean != tree["summaries"]["replica"].mean


def test_the_symmetric_large_deviation_point_of_fc_relu_ends_where_a_q0_branch_starts():
    from committee_lib.theory.large_deviations import ld_finite_y, symmetric_load_limit

    model = Model.of("relu", "binary", 0.0, 64, (0.0, 4.0), architecture=FC)
    limit = symmetric_load_limit(0.85, 20, model=model)
    assert 0.1 < limit < 0.3
    assert ld_finite_y(0.97 * limit, 0.85, 20, model=model).q0 == 0.0
    above = ld_finite_y(1.03 * limit, 0.85, 20, model=model).q0
    assert 0.0 < above < 0.03  # continuous: the branch q0 > 0 leaves 0 there (kappa_FC''(0) > 0)
    assert symmetric_load_limit(0.85, 20, model=Model.of("sign", "binary", architecture=FC)) is None  # kappa''(0) = 0
    with pytest.raises(ParameterError, match="kappa'\\(0\\) > 0"):
        symmetric_load_limit(0.85, 20, "relu")  # the tree


def test_the_typical_fc_solution_is_the_rs_overlap_on_both_sides_of_the_transition():
    """q = 0 below rs.alpha_q0_transition (ReLU: the symmetry-breaking load; erf: the jump), the q > 0 branch above,
    where the stabilities crowd towards the margin (a smaller mean than q = 0's half-normal, normalised units)."""
    from committee_lib.theory.stabilities import typical_stability

    for activation in ["relu", "erf"]:
        model = Model.of(activation, "binary", 0.0, 64, (0.0, 4.0), architecture=FC)
        at = rs.alpha_q0_transition(model=model)
        below, above = typical_stability(0.9 * at, model=model), typical_stability(1.1 * at, model=model)
        assert (below.q, below.kappa, below.alpha) == (0.0, 0.0, 0.9 * at)
        assert below.summary().mean == pytest.approx(math.sqrt(2.0 / math.pi), abs=1e-10)
        assert above.q == rs.rs_overlap(1.1 * at, model=model) > 0.0 and above.alpha == pytest.approx(1.1 * at, rel=1e-12)
        assert above.summary().mean < below.summary().mean - 1e-4


def test_pair_groups_lay_out_both_architectures_on_the_same_training_sets():
    from committee_lib.simulation.annealing import Schedule
    from committee_lib.simulation.fully_connected import pair_groups

    schedule = Schedule(sweeps=400)
    groups = pair_groups({"sign": (3, 5)}, 0.2, 4, 0.85, [0, 1, 2], {"sign": schedule}, 2, 0.25)
    assert set(groups) == {("sign", a, *tail) for a in ("tree", FC) for tail in ((), ("check",), ("y = 1",))}
    for arch in ("tree", FC):
        assert [t.seed for t in groups["sign", arch]] == [0, 1, 2] and {t.architecture for t in groups["sign", arch]} == {arch}
        assert [t.schedule.sweeps for t in groups["sign", arch, "check"]] == [100, 100]
        assert {t.y for t in groups["sign", arch, "y = 1"]} == {1}
        assert groups["sign", arch][0].K * (groups["sign", arch][0].inputs_per_unit or 3) == 15  # K n weights each


def test_moments_against_theory_and_claim_verdicts():
    from committee_lib.simulation.annealing import Schedule, anneal
    from committee_lib.simulation.fully_connected import MOMENTS, claim_verdict, moments_against_theory
    from committee_lib.simulation.observables import Estimate, stability_moments
    from committee_lib.simulation.robustness import compare_curves
    from committee_lib.theory.stabilities import StabilitySummary

    runs = [anneal("sign", 3, 0.2, 4, 0.85, s, Schedule(sweeps=300), 5, FC) for s in (0, 1, 2)]
    summary = StabilitySummary("replica", "sign", True, 1.0, 1.5, 0.25, 1.0, 0.1, 1.5, 0.25, 1.0)
    rows = moments_against_theory(runs, {"replica": summary, "reference": summary})
    assert [r[0] for r in rows] == [m[0] for m in MOMENTS]
    assert rows[0][1] == 1.5 and rows[1][1] == 0.25 and rows[-1][1] is None
    assert rows[0][2].mean == pytest.approx(np.mean(stability_moments(runs)["replica mean"]))

    def curve(*means):
        return Estimate(np.array(means), np.full(len(means), 0.01), 8)

    low, high = curve(0.1, 0.2, 0.3), curve(0.1, 0.3, 0.4)
    assert claim_verdict(compare_curves(high, low)) == "holds"
    assert claim_verdict(compare_curves(low, high)) == "is contradicted"
    assert claim_verdict(compare_curves(curve(0.1, 0.3, 0.2), curve(0.1, 0.2, 0.3))) == "is mixed"
    assert claim_verdict(compare_curves(low, low)) == "is not resolved"
