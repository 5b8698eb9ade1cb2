"""The learners of the algorithms chapter (committee_lib/simulation/learners.py) and `committee learn`."""

import json
import subprocess
import sys

import numpy as np
import pytest

from committee_lib.simulation import learners
from committee_lib.simulation.annealing import anneal
from committee_lib.simulation.committee import errors
from committee_lib.errors import ParameterError
from committee_lib.simulation.gradient_descent import Descent, output_weights, unit_overlaps
from committee_lib.simulation.thresholds import refined_loads


def test_equal_total_work():
    sa = learners.annealing_task("sa", "sign", 9, 0.3, 0, 2000, y=10)
    rsa = learners.annealing_task("rsa", "sign", 9, 0.3, 0, 2000, y=10)
    assert sa.y * sa.schedule.sweeps == rsa.y * rsa.schedule.sweeps == 2000
    assert sa.schedule.patience == rsa.schedule.patience == 0
    with pytest.raises(ParameterError, match="multiple of y"):
        learners.annealing_task("rsa", "sign", 9, 0.3, 0, 2005, y=10)


@pytest.mark.parametrize("algorithm, alpha", [("sa", 0.2), ("rsa", 0.2), ("sa", 1.5), ("rsa", 1.5)])
def test_found_solution_means_a_weight_vector_with_zero_errors(algorithm, alpha):
    result = anneal(*learners.annealing_task(algorithm, "relu", 8, alpha, 1, 2000, y=4))
    solutions = learners.solving_weights(result)
    machine = result.machine()
    assert learners.found_solution(result) == (len(solutions) > 0)
    assert np.all(errors(machine, solutions) == 0) if len(solutions) else True
    if alpha == 0.2:
        assert learners.found_solution(result)
    else:  # far above the capacity
        assert not learners.found_solution(result)


def test_descent_brackets_are_cached_and_deterministic():
    task = learners.Bracket("erf", 4, 0, Descent(steps=100), 8, 0.5, 3.0, 0.1)
    first = learners.descent_brackets([task], n_jobs=1, progress=False)[0]
    again = learners.descent_brackets([task], n_jobs=1, progress=False)[0]
    assert first.runs == again.runs and first.alpha == again.alpha


def run_learn(run_cli, *args):
    status, out, err = run_cli(["learn", *args, "--json"])
    return status, (json.loads(out) if out.strip() else None), err


def test_cli_learn_gd_solved(run_cli):
    status, result, _ = run_learn(run_cli, "--algorithm", "gd", "--activation", "erf", "--K", "8", "--alpha", "0.5",
                                  "--seed", "0", "--budget", "300")
    assert status == 0 and result["found_solution"] and result["errors"] == 0 and result["algorithm"] == "gd"
    assert "W" not in result


def test_cli_learn_unsolved_exits_1(run_cli):
    status, result, _ = run_learn(run_cli, "--algorithm", "sa", "--activation", "sign", "--K", "5", "--alpha", "2.0",
                                  "--seed", "0", "--budget", "200")
    assert status == 1 and not result["found_solution"] and result["work"] == 200


def test_cli_learn_rsa(run_cli):
    status, result, _ = run_learn(run_cli, "--algorithm", "rsa", "--activation", "relu", "--K", "6", "--alpha", "0.2",
                                  "--seed", "2", "--budget", "1000", "--y", "5")
    assert status == 0 and result["found_solution"] and result["y"] == 5 and result["schedule_sweeps"] == 200


def test_cli_learn_rsa_on_a_fully_connected_machine(run_cli):
    status, result, _ = run_learn(run_cli, "--algorithm", "rsa", "--activation", "relu", "--K", "4", "--alpha", "0.2",
                                  "--seed", "1", "--budget", "2000", "--y", "5", "--architecture", "fully-connected",
                                  "--inputs", "10")
    assert status == 0 and result["found_solution"]
    assert result["architecture"] == "fully-connected" and result["n"] == 10 and result["K"] == 4


@pytest.mark.parametrize("args, word", [
    (["--algorithm", "gd", "--activation", "relu", "--K", "3", "--alpha", "1", "--seed", "0", "--architecture",
      "fully-connected", "--inputs", "8"], "even K"),
    (["--algorithm", "gd", "--activation", "erf", "--K", "4", "--alpha", "1", "--seed", "0", "--architecture",
      "fully-connected", "--inputs", "-3"], "--inputs"),
    (["--algorithm", "gd", "--activation", "sign", "--K", "4", "--alpha", "1", "--seed", "0"], "activation"),
    (["--algorithm", "sa", "--activation", "erf", "--K", "5", "--alpha", "1", "--seed", "0"], "activation"),
    (["--algorithm", "gd", "--activation", "relu", "--K", "5", "--alpha", "1", "--seed", "0"], "even K"),
    (["--algorithm", "gd", "--activation", "erf", "--K", "4", "--alpha", "-1", "--seed", "0"], "alpha"),
    (["--algorithm", "rsa", "--activation", "sign", "--K", "5", "--alpha", "1", "--seed", "0", "--budget", "7"], "multiple"),
    (["--algorithm", "xx", "--activation", "sign", "--K", "5", "--alpha", "1", "--seed", "0"], "algorithm"),
])
def test_cli_learn_bad_input_is_one_line_and_exit_2(run_cli, args, word):
    status, out, err = run_cli(["learn", *args, "--json"])
    assert status == 2 and out == ""
    assert word in err and err.count("\n") == 1


def test_cli_learn_in_a_subprocess():
    proc = subprocess.run([sys.executable, "-m", "committee_lib.cli", "learn", "--algorithm", "gd", "--activation", "tanh",
                           "--K", "4", "--alpha", "0.5", "--seed", "1", "--budget", "200", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stderr == ""
    assert json.loads(proc.stdout)["found_solution"] is True


def test_counts_flip_curves_and_the_common_load_of_binary_runs():
    loads = [0.2, 1.5]  # solved / far above the capacity
    runs = {alg: [[anneal(*learners.annealing_task(alg, "relu", 8, a, s, 2000, y=4)) for s in (1, 2)] for a in loads]
            for alg in ("sa", "rsa")}
    np.testing.assert_array_equal(learners.solved_counts(runs["rsa"]), [2, 0])
    by_load = {alg: dict(zip(loads, runs[alg])) for alg in runs}
    assert learners.largest_load_solved_by_all(by_load) == 0.2
    assert learners.largest_load_solved_by_all(by_load, minimum=3) is None
    assert learners.largest_load_solved_by_all(by_load, loads=[1.5]) is None
    assert learners.largest_load_solved_by_all({"sa": by_load["sa"], "rsa": {1.5: runs["rsa"][1]}}) is None  # 0.2 not run by both
    curve = learners.solution_flip_curves(runs["rsa"][0], [0.0, 0.1], 5)
    assert curve.n == 2 and curve.mean[0] == 0.0 and curve.mean[1] > 0.0  # solutions: no error before the flips
    assert learners.flatness_verdict(curve, curve, 1).startswith("not measurably")


def test_descent_summaries_group_by_shape_and_count_failures():
    tasks = [learners.Bracket("relu", 4, s, Descent(steps=100), 8, 0.5, 3.0, 0.2) for s in (0, 1)]
    brackets = learners.descent_brackets(tasks, n_jobs=1, progress=False)
    largest = learners.largest_by_shape(tasks, brackets)
    assert list(largest) == [("relu", 4, 8)]
    assert largest["relu", 4, 8].mean == pytest.approx(np.mean([b.alpha for b in brackets]))
    failures = learners.failed_descents(tasks, brackets)
    assert failures["n_failed_runs"] == failures["n_relu_failed"] == sum(not r[1] for b in brackets for r in b.runs)
    assert failures["n_smooth_ties_only"] == 0


def test_solved_noise_averages_the_solved_descents_only():
    runs = learners.descent_runs([("erf", 4, 0.5, s, Descent(steps=300), 8) for s in (0, 1, 2)], n_jobs=1,
                                 progress=False)
    noise = learners.solved_noise(runs, [0.0, 0.5], 3)
    assert sum(r.solved for r in runs) >= 2 and noise.n == sum(r.solved for r in runs)
    assert noise.mean[0] == 0.0  # solutions before any noise
    assert learners.solved_noise(runs[:1], [0.0, 0.5], 3) is None


def test_annealing_scans_refine_each_curve_inside_its_bracket(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMITTEE_CACHE", str(tmp_path / "cache"))
    curves = [learners.Curve("relu", 6, 400, alg, 3) for alg in ("sa", "rsa")]
    loads = [0.2, 1.0, 2.5]  # solved, near the transition at this size, far above the capacity
    scans = learners.annealing_scans(curves, loads, 2, 3, y=4, n_jobs=1, progress=False)
    assert list(scans) == curves
    for c in curves:
        scan = scans[c]
        got, k, n = scan.counts()
        assert got == sorted(got) and set(loads) <= set(got) and np.all(n == 3)
        np.testing.assert_array_equal(k, learners.solved_counts([scan.runs[a] for a in got]))
        first_pass = learners.solved_counts([scan.runs[a] for a in loads])
        added = refined_loads(loads, first_pass, np.full(3, 3), 2)
        assert sorted(set(got) - set(loads)) == added and len(added) == 2
        assert all(r.seed in (3, 4, 5) and r.y == (1 if c.algorithm == "sa" else 4) for a in got for r in scan.runs[a])
    again = learners.annealing_scans(curves, loads, 2, 3, y=4, n_jobs=1, progress=False)  # from the cache
    assert [again[c].counts()[0] for c in curves] == [scans[c].counts()[0] for c in curves]



def test_a_scan_gives_up_after_loads_without_any_solution(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMITTEE_CACHE", str(tmp_path / "cache"))
    curves = [learners.Curve("relu", 6, 400, "sa", 3)]
    loads = [2.5, 0.2, 3.0, 3.5]  # unsorted on purpose; no run solves above the capacity (about 1 here)
    full = learners.annealing_scans(curves, loads, 0, 3, y=4, n_jobs=1, progress=False)[curves[0]]
    cut = learners.annealing_scans(curves, loads, 0, 3, y=4, n_jobs=1, progress=False, give_up=1)[curves[0]]
    _, k, _ = full.counts()
    assert k[0] >= 1 and not np.any(k[1:])  # the premise: solved at 0.2 only
    assert cut.loads == [0.2, 2.5]  # 3.0 and 3.5 not run once 2.5 found nothing
    for a in cut.loads:
        assert [r.replica_errors for r in cut.runs[a]] == [r.replica_errors for r in full.runs[a]]
    two = learners.annealing_scans(curves, loads, 0, 3, y=4, n_jobs=1, progress=False, give_up=2)[curves[0]]
    assert two.loads == [0.2, 2.5, 3.0]
    with pytest.raises(ParameterError, match="give_up"):
        learners.annealing_scans(curves, loads, 0, 3, y=4, n_jobs=1, progress=False, give_up=0)


def test_a_curve_names_its_machine_and_tree_curves_keep_their_tasks():
    plain = learners.Curve("sign", 5, 400, "rsa", 2)
    assert plain.task(0.3, 4, 4, 0.85) == learners.annealing_task("rsa", "sign", 5, 0.3, 4, 400, 4, 0.85)
    named = learners.Curve("sign", 5, 400, "rsa", 2, "tree", 25)  # N = K^2 inputs named: the same anneal
    assert named.task(0.3, 4, 4, 0.85).canonical() == plain.task(0.3, 4, 4, 0.85).canonical()
    fc = learners.Curve("relu", 4, 400, "sa", 0, "fully-connected", 10).task(0.3, 1, 4, 0.85)
    assert fc.architecture == "fully-connected" and fc.inputs_per_unit == 10 and fc.y == 1
    with pytest.raises(ParameterError, match="inputs must be a positive integer multiple of K"):
        learners.Curve("sign", 5, 400, "sa", 0, "tree", 12).task(0.3, 0, 4, 0.85)


def test_annealing_scans_run_fully_connected_curves(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMITTEE_CACHE", str(tmp_path / "cache"))
    curve = learners.Curve("relu", 4, 400, "rsa", 0, "fully-connected", 10)
    scan = learners.annealing_scans([curve], [0.2, 2.5], 0, 2, y=4, n_jobs=1, progress=False)[curve]
    runs = [r for a in scan.loads for r in scan.runs[a]]
    assert all(r.architecture == "fully-connected" and r.n == 10 and r.K == 4 for r in runs)
    assert all(r.machine().xi.shape[1] == 10 for r in runs)


def test_division_of_labour_averages_the_bracket_solutions():
    tasks = [learners.Bracket("relu", 16, s, Descent(steps=300), 8, 0.3, 3.0, 0.2, "fully-connected") for s in (0, 1)]
    brackets = learners.descent_brackets(tasks, n_jobs=1, progress=False)
    labour = learners.division_of_labour(tasks, brackets)
    assert list(labour) == [("relu", 16, 8)]
    equal, opposite, read_out = labour["relu", 16, 8]
    rows = [unit_overlaps(b.W, output_weights("relu", 16)) for b in brackets]
    assert equal.n == 2 and equal.mean == pytest.approx(np.mean([r[0] for r in rows]))
    assert opposite.mean == pytest.approx(np.mean([r[1] for r in rows]))
    assert read_out.mean == pytest.approx(np.mean([r[2] for r in rows])) and read_out.mean >= 0
    erf = [learners.Bracket("erf", 3, s, Descent(steps=300), 16, 0.3, 3.0, 0.2, "fully-connected") for s in (0, 1)]
    assert learners.division_of_labour(erf, learners.descent_brackets(erf, n_jobs=1, progress=False))["erf", 3, 16][1] is None
    assert learners.division_of_labour(tasks[:1], brackets[:1])["relu", 16, 8] == (None, None, None)  # one solution
