"""The tables and summary numbers of the fully connected chapter (committee_lib/simulation/fully_connected.py),
on small hand-built inputs whose means, errors, shares and scalings are worked out by hand.

Gradient descent: the largest solved load and the division of labour of two training sets per shape
(errors of two values: |a - b| / 2), the share of the full-RSB capacity, the pair overlaps in units of
1/(K - 1), and the widths with fewer than two solved training sets.  Annealing: the threshold table,
the moments and ramp-check tables (per-sample moments given by hand), the read-out of annealed machines
and the robustness claims on hand-made curves.
"""

from types import SimpleNamespace

import numpy as np
import pytest

from committee_lib.errors import ConvergenceError
from committee_lib.simulation import fully_connected as fcs
from committee_lib.simulation.gradient_descent import Descent, LoadBracket
from committee_lib.simulation.learners import Bracket
from committee_lib.simulation.observables import Estimate
from committee_lib.simulation.thresholds import ThresholdFit

FC = "fully-connected"
SETTINGS = Descent(steps=10)
CAPACITIES = {"relu": {"RS": 3.0, "1RSB": 2.5, "full RSB": 2.4}, "erf": {"RS": 2.0, "1RSB": 1.6, "full RSB": 1.5}}


def bracket(activation, K, seed, solved, W, n=4):
    """A Bracket and its LoadBracket on [0.5, 3.0]: solved at `solved` (failed 0.2 above), or never (W None)."""
    task = Bracket(activation, K, seed, SETTINGS, n, 0.5, 3.0, 0.2, FC)
    failed = None if solved is None else solved + 0.2
    return task, LoadBracket(activation, K, n, seed, SETTINGS, 0.5, 3.0, solved, failed, (), W, FC)


def spread(K, n=4):
    """K rows on the sphere |w|^2 = n, orthogonal (K <= n): every pair overlap 0, read-out 1."""
    return 2.0 * np.eye(K, n) if K <= n else None


def aligned(K, n=4):
    """K equal rows on the sphere: every pair overlap 1; with c = (1, ..., -1, ...) the read-out is 0."""
    return np.tile(np.r_[2.0, np.zeros(n - 1)], (K, 1))


def summary():
    pairs = [bracket("relu", 4, 0, 1.0, spread(4)), bracket("relu", 4, 1, 1.4, aligned(4)),
             bracket("relu", 6, 0, 1.2, aligned(6)), bracket("relu", 6, 1, None, None),  # one solved set
             bracket("erf", 4, 0, 0.9, spread(4)), bracket("erf", 4, 1, 1.1, spread(4)),
             bracket("erf", 6, 0, None, None), bracket("erf", 6, 1, None, None)]  # none solved
    tasks, found = zip(*pairs)
    return fcs.descent_summary(tasks, found, CAPACITIES)


def test_descent_summary_means_errors_and_shares_by_hand():
    s = summary()
    assert [(w.activation, w.K) for w in s.widths] == [("relu", 4), ("relu", 6), ("erf", 4), ("erf", 6)]
    relu4, relu6, erf4, erf6 = s.widths
    assert relu4.largest.mean == pytest.approx(1.2) and relu4.largest.error == pytest.approx(0.2)
    assert relu6.largest.mean == pytest.approx((1.2 + 0.5) / 2)  # the unsolved set counts at alpha_lo
    assert erf6.largest.mean == 0.5 and erf6.largest.error == 0.0
    assert relu4.share == pytest.approx(1.2 / 2.4) and erf4.share == pytest.approx(1.0 / 1.5)
    assert s.reach("relu") == pytest.approx([0.5, 0.85 / 2.4])
    # relu, K = 4, c = (1, 1, -1, -1): spread gives overlaps (0, 0) and read-out 1, aligned (1, 1) and 0
    for e in (relu4.equal, relu4.opposite, relu4.read_out):
        assert (e.mean, e.error, e.n) == (pytest.approx(0.5), pytest.approx(0.5), 2)
    assert relu4.theory_equal == pytest.approx(-1 / 3) and relu4.theory_opposite == pytest.approx(1 / 3)
    assert relu4.scaled() == (pytest.approx(1.5), pytest.approx(-1.5))  # 0.5 x 3, with the sign of c_k c_l
    assert erf4.equal.mean == 0.0 and erf4.read_out.mean == pytest.approx(1.0)
    assert erf4.opposite is None and erf4.theory_opposite is None  # every output weight +1: no opposite pair
    assert erf4.scaled() == (0.0, None)


def test_descent_summary_leaves_out_widths_with_fewer_than_two_solutions():
    s = summary()
    relu6, erf6 = s.widths[1], s.widths[3]
    assert (relu6.equal, relu6.opposite, relu6.read_out) == (None, None, None)  # one training set solved
    assert (erf6.equal, erf6.opposite, erf6.read_out) == (None, None, None)  # none
    assert [w.K for w in s.measured("relu")] == [4] and s.read_outs("relu") == [pytest.approx(0.5)]
    assert s.read_outs("erf") == [pytest.approx(1.0)]
    assert s.pair_scaled() == [("relu", "equal", [pytest.approx(1.5)]), ("relu", "opposite", [pytest.approx(-1.5)]),
                               ("erf", "equal", [0.0])]


def test_descent_summary_rows():
    rows = summary().capacity_rows()
    assert rows[0] == ["ReLU", 4, 16, "1.200 ± 0.200", 3.0, 2.5, 2.4, pytest.approx(0.5)]
    assert rows[3][:4] == ["erf", 6, 24, "0.500 ± 0.000"]
    overlaps = summary().overlap_rows()
    assert overlaps[0] == ["ReLU", 4, "0.5000 ± 0.5000", pytest.approx(-1 / 3), "0.5000 ± 0.5000",
                           pytest.approx(1 / 3), "0.5000 ± 0.5000"]
    assert overlaps[1] == ["ReLU", 6, None, pytest.approx(-0.2), None, pytest.approx(0.2), None]
    assert overlaps[2][4:] == [None, None, "1.0000 ± 0.0000"]


def fit(alpha, error):
    return ThresholdFit(alpha, error, alpha - error, alpha + error, 0.05, np.zeros(1), np.zeros(1), np.ones(1))


def test_threshold_comparison_by_hand():
    fits = {("sign", FC, "sa"): fit(0.30, 0.01), ("sign", FC, "rsa"): fit(0.40, 0.02),
            ("sign", "tree", "sa"): fit(0.35, 0.01), ("sign", "tree", "rsa"): ConvergenceError("no bracket")}
    table = fcs.threshold_comparison(fits, {"sign": 5})
    assert [r[:5] for r in table.rows] == [["sign", "tree", 25, "0.350 ± 0.010", "not bracketed"],
                                           ["sign", "fully connected", 25, "0.300 ± 0.010", "0.400 ± 0.020"]]
    v = table.values
    assert v["sign_fc_verdict"].startswith("holds (+0.100 ± 0.022")  # 0.1 against hypot(0.01, 0.02) = 0.022
    assert v["sign_tree_verdict"].startswith("undecided") and v["sign_tree_rsa"] == "not determined on this grid"
    assert v["sign_sa_gap"] == "-0.050 ± 0.014, a difference of more than three standard errors"
    assert v["sign_rsa_gap"].startswith("cannot be compared")
    assert table.rows[1][5] == v["sign_fc_verdict"]


def fake_moments(runs):
    return {name: np.array([r.moments[name] for r in runs]) for name in fcs.OBSERVABLES}


def run(solved=True, **moments):
    return SimpleNamespace(solved=solved, moments={name: moments.get(name.replace(" ", "_"), 1.0)
                                                   for name in fcs.OBSERVABLES})


def test_moments_table_by_hand(monkeypatch):
    monkeypatch.setattr(fcs, "stability_moments", fake_moments)
    annealed = {("sign", arch): [run(replica_mean=m) for m in (1.0, 2.0, 3.0)] for arch in ("tree", FC)}
    summary = SimpleNamespace(mean=2.5, variance=0.5)
    theory = {arch: {"sign": {"summaries": {"replica": summary, "reference": summary}}} for arch in ("tree", FC)}
    table = fcs.moments_table(annealed, theory, ["sign"])
    assert len(table.rows) == 2 * len(fcs.OBSERVABLES)
    assert table.rows[0] == ["sign", "tree", "replica mean", 2.5, "2.0000 ± 0.5774"]  # 1/sqrt(3)
    assert table.rows[len(fcs.OBSERVABLES)][:2] == ["sign", "fully connected"]
    v = table.values
    assert v["sim_sign_fc_replica_mean"] == 2.0 and v["sim_sign_fc_replica_mean_err"] == pytest.approx(3 ** -0.5)
    assert v["dev_sign_fc_replica_mean"] == pytest.approx(-0.2) and v["th_sign_tree_replica_variance"] == 0.5
    assert v["dev_sign_tree_replica_variance"] == pytest.approx(1.0)  # 1 against 0.5
    assert "th_sign_tree_reference_errors" not in v and v["sim_sign_tree_reference_errors_err"] == 0.0


def test_ramp_check_table_by_hand(monkeypatch):
    monkeypatch.setattr(fcs, "stability_moments", fake_moments)
    annealed = {("relu", "tree"): [run(replica_mean=m) for m in (1.0, 2.0, 9.0)],  # the third is not checked
                ("relu", "tree", "check"): [run(replica_mean=1.5), run(False, replica_mean=2.1)],
                ("relu", FC): [run(reference_errors=0.0) for _ in range(3)],
                ("relu", FC, "check"): [run(reference_errors=1.0), run(reference_errors=1.2)]}
    table = fcs.ramp_check_table(annealed, 2, ["relu"])
    tree, fc = table.rows
    assert tree[:4] == ["ReLU", "tree", "1 of 2", pytest.approx(1.5)]  # changes 0.5, 0.1: 0.3 / 0.2
    assert tree[4:8] == [0.0] * 4 and tree[8:] == [pytest.approx(1.5), "converged"]  # no change: z = 0
    assert fc[2] == "2 of 2" and fc[7] == pytest.approx(11.0) and fc[9] == "not converged"  # 1.1 / 0.1
    assert table.values == {"z_max_relu_tree": pytest.approx(1.5), "converged_relu_tree": "passes",
                            "z_max_relu_fc": pytest.approx(11.0), "converged_relu_fc": "fails"}


def test_annealed_read_out_by_hand():
    """K = 2 units of n = 2 weights, c = (1, 1): v = w_1 + w_2 and M = |v|^2 / (K n)."""
    machine = SimpleNamespace(c=np.ones(2))
    runs = [SimpleNamespace(W=np.array([[1, 1, -1, -1], [1, 1, 1, 1]]), reference=np.array([1, 1, -1, -1]),
                            machine=lambda: machine),  # M = 0 and |(2, 2)|^2 / 4 = 2; reference 0
            SimpleNamespace(W=np.array([[1, 1, -1, -1], [1, -1, -1, 1]]), reference=np.array([1, -1, 1, 1]),
                            machine=lambda: machine)]  # M = 0 and 0; reference |(2, 0)|^2 / 4 = 1
    read_out = fcs.annealed_read_out(runs, 2, 2)
    assert read_out["replicas"] == pytest.approx(0.5) and read_out["reference"] == pytest.approx(0.5)
    assert read_out["correlation"] == pytest.approx(-0.5) and read_out["theory"] == pytest.approx(-1.0)


def curve(*means):
    return Estimate(np.array(means), np.full(len(means), 0.01), 8)


def test_noise_claims_by_hand():
    mask = np.array([False, True, True])  # the first level is never counted
    noise = {}
    for arch in ("tree", FC):
        noise["sign", arch] = {"reference": curve(0.0, 0.30, 0.40), "replica": curve(0.9, 0.35, 0.41)}
        noise["relu", arch] = {"reference": curve(0.0, 0.10, 0.20), "replica": curve(0.0, 0.05, 0.30)}
    predictions = {("sign", FC): np.array([1.0, 0.25, 0.50]), ("relu", "tree"): np.array([0.0, 0.12, 0.21])}
    v = fcs.noise_claims(noise, predictions, mask)
    for short in ("tree", "fc"):
        assert (v[f"relu_over_sign_{short}"], v[f"n_relu_better_{short}"], v[f"n_sign_better_{short}"]) == ("holds", 2, 0)
        # sign: the reference better at one level (0.05 > 2 x 0.014), tied at the other (0.01)
        assert (v[f"ref_over_rep_sign_{short}"], v[f"n_ref_better_sign_{short}"], v[f"n_rep_better_sign_{short}"]) == (
            "holds", 1, 0)
        assert (v[f"ref_over_rep_relu_{short}"], v[f"n_ref_better_relu_{short}"], v[f"n_rep_better_relu_{short}"]) == (
            "is mixed", 1, 1)
    assert v["gap_T_sign_fc"] == pytest.approx(-0.10)  # gaps (-1.0 masked), 0.05, -0.10
    assert v["gap_T_relu_tree"] == pytest.approx(-0.02)  # -0.02, -0.01
    assert "gap_T_sign_tree" not in v
