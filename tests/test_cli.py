"""The `committee` command line (committee_lib/cli.py).

Most cases call main(argv) in-process (capsys captures the output, SystemExit carries the exit
status); a few run the module and the installed entry point in a subprocess to check the real
process boundary: exit status, a single stderr line and no traceback.
"""

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from committee_lib.theory.capacity import capacity

KEYS = {"alpha_c_rs", "alpha_at", "alpha_c_1rsb", "alpha_c_2rsb", "alpha_c_3rsb", "alpha_c_frsb", "alpha_c_frsb_error",
        "weights", "activation", "margin"}


def run_module(*args):
    return subprocess.run([sys.executable, "-m", "committee_lib.cli", *args],
                          capture_output=True, text=True, timeout=120)




def assert_values_match(result, expected):
    for key in KEYS:
        want = expected[key]
        if want is None:
            assert result[key] is None, key
        elif isinstance(want, float):
            assert result[key] == pytest.approx(want, rel=1e-12, abs=1e-14), key
        else:
            assert result[key] == want, key


# ----------------------------------------------------------------------------- subprocess
def test_capacity_json_subprocess():
    proc = run_module("capacity", "--weights", "spherical", "--activation", "relu", "--frsb-steps", "4", "--json")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert isinstance(result, dict) and KEYS <= set(result)
    assert_values_match(result, capacity("spherical", "relu", frsb_steps=(4,)))
    assert result["weights"] == "spherical" and result["activation"] == "relu" and result["margin"] == 0.0
    # and these are the physics numbers (notes table), not just whatever the library returns
    assert result["alpha_c_rs"] == pytest.approx(2.0 * math.pi / (math.pi - 1.0), rel=1e-12)
    assert result["alpha_at"] == pytest.approx(1.7211967843, abs=1e-8)
    assert result["alpha_c_1rsb"] == pytest.approx(2.6642800566, abs=1e-8)
    # full RSB from K <= 4 (the (4, 5, 6) limit of the book is 2.65064): below 3RSB, within its error bar
    assert result["alpha_c_frsb"] < result["alpha_c_3rsb"] and 0 < result["alpha_c_frsb_error"] < 1e-3
    assert abs(result["alpha_c_frsb"] - 2.65064) < result["alpha_c_frsb_error"]


@pytest.mark.parametrize("args", [
    ["capacity", "--weights", "binary", "--activation", "bogus"],
    ["capacity", "--weights", "spherical", "--activation", "relu", "--margin", "-3"],
    ["capacity", "--weights", "spherical", "--activation", "relu", "--frsb-steps", "3,4"],
])
def test_bad_arguments_subprocess(args):
    proc = run_module(*args)
    assert proc.returncode != 0
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "error" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


def _entry_point():
    found = shutil.which("committee")
    if found is None:
        candidate = Path(sys.executable).parent / "committee"
        found = str(candidate) if candidate.exists() else None
    return found


@pytest.mark.skipif(_entry_point() is None, reason="the `committee` entry point is not installed")
def test_installed_entry_point():
    exe = _entry_point()
    assert os.access(exe, os.X_OK)
    proc = subprocess.run([exe, "capacity", "--weights", "binary", "--activation", "sign", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["alpha_c_rs"] == pytest.approx(0.9469524269, abs=1e-8)
    assert result["alpha_c_1rsb"] is None
    proc = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "committee_lib" in proc.stdout


# ----------------------------------------------------------------------------- in-process
@pytest.mark.parametrize("weights, activation, margin", [
    ("spherical", "relu", 0.0),
    ("spherical", "sign", 0.0),
    ("spherical", "linear", 0.5),
    ("binary", "relu", 0.0),
    ("binary", "sign", 0.25),
])
def test_capacity_json_in_process(run_cli, weights, activation, margin):
    status, out, err = run_cli(["capacity", "--weights", weights, "--activation", activation,
                                "--margin", str(margin), "--frsb-steps", "4", "--json"])
    assert status == 0 and err == ""
    lines = out.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert KEYS <= set(result)
    assert_values_match(result, capacity(weights, activation, margin, frsb_steps=(4,)))
    assert result["weights"] == weights and result["activation"] == activation
    assert result["margin"] == margin
    if weights == "binary":
        assert result["alpha_c_1rsb"] is None
        assert 0.0 < result["alpha_c_rs"] < 1.0  # binary capacities are below the information bound 1
    if weights == "spherical" and activation == "sign":
        assert result["alpha_c_rs"] is None and result["alpha_c_1rsb"] is None
        assert result["alpha_at"] == pytest.approx(2.9878186694, abs=1e-8)
    if weights == "spherical" and activation == "linear":
        assert result["alpha_at"] is None  # RS stable up to Gardner's capacity
        assert result["alpha_c_rs"] == pytest.approx(result["alpha_c_1rsb"], rel=1e-12)


def test_json_null_for_sign_spherical_text(run_cli):
    status, out, _ = run_cli(["capacity", "--weights", "spherical", "--activation", "sign", "--json"])
    assert status == 0
    assert '"alpha_c_rs": null' in out and '"alpha_c_1rsb": null' in out


def test_human_readable_output(run_cli):
    status, out, err = run_cli(["capacity", "--weights", "spherical", "--activation", "sign"])
    assert status == 0 and err == ""
    fields = dict(line.split(":", 1) for line in out.strip().splitlines())
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    assert KEYS <= set(fields)
    assert float(fields["alpha_at"]) == pytest.approx(2.9878186694, abs=1e-8)
    assert fields["alpha_c_rs"] != "None"  # a divergence is spelled out, not printed as a Python None


def test_quad_order_option(run_cli):
    status, out, _ = run_cli(["capacity", "--weights", "binary", "--activation", "relu",
                                       "--quad-order", "128", "--json"])
    assert status == 0
    assert json.loads(out)["alpha_c_rs"] == pytest.approx(0.9039862813, abs=1e-8)


BAD = [
    ("unknown activation", ["capacity", "--weights", "binary", "--activation", "bogus"]),
    ("unknown weights", ["capacity", "--weights", "foo", "--activation", "relu"]),
    ("margin too negative", ["capacity", "--weights", "spherical", "--activation", "relu", "--margin", "-3"]),
    ("margin too large", ["capacity", "--weights", "binary", "--activation", "relu", "--margin", "5"]),
    ("margin nan", ["capacity", "--weights", "binary", "--activation", "relu", "--margin", "nan"]),
    ("margin not a number", ["capacity", "--weights", "spherical", "--activation", "relu", "--margin", "abc"]),
    ("missing weights", ["capacity", "--activation", "relu"]),
    ("quad order too small", ["capacity", "--weights", "spherical", "--activation", "relu", "--quad-order", "2"]),
    ("quad order not an integer", ["capacity", "--weights", "binary", "--activation", "relu", "--quad-order", "6.5"]),
    ("no command", []),
    ("unknown command", ["train"]),
]


@pytest.mark.parametrize("name, argv", BAD, ids=[b[0] for b in BAD])
def test_bad_arguments_in_process(run_cli, name, argv):
    status, out, err = run_cli(argv)
    assert status not in (0, None)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "error" in lines[0]
    assert "Traceback" not in err


@pytest.mark.parametrize("argv, word", [
    (["capacity", "--weights", "spherical", "--activation", "relu", "--margin", "-3"], "margin"),
    (["capacity", "--weights", "spherical", "--activation", "relu", "--quad-order", "2"], "quad_order"),
    (["capacity", "--weights", "foo", "--activation", "relu"], "weights"),
    (["capacity", "--weights", "binary", "--activation", "bogus"], "activation"),
])
def test_error_message_names_the_parameter(run_cli, argv, word):
    _, _, err = run_cli(argv)
    assert word in err
