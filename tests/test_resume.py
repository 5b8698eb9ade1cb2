"""An interrupted build resumes from what finished (quick profile, the stabilities chapter).

The build is killed (SIGKILL, the driver and every process under it) in the middle of the
chapter's sample sweep, then run again.  The rerun must load every anneal that had finished (the
build report's cache counts, against the results found on disk after the kill), compute only
the others, and glue exactly the numbers of an uninterrupted build with the same parameters and
its own empty cache.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from committee_lib.cache import source_hash

ROOT = Path(__file__).resolve().parents[1]
ANNEAL = "committee_lib.simulation.annealing.anneal_sample"
# longer ramps than the quick profile's, so that the sweep lasts long enough to be interrupted
SETTINGS = ["--set", "stabilities.sweeps_sign=6000", "--set", "stabilities.sweeps_relu=6000"]
TOTAL = 2 * (4 + 3 * 2)  # quick profile: 4 samples and 3 check samples at 2 other ramps, per activation


def command(out):
    return [sys.executable, str(ROOT / "notebooks" / "run.py"), "--profile", "quick", "--only", "stabilities",
            "--out", str(out), *SETTINGS]


def environment(cache):
    env = dict(os.environ, COMMITTEE_CACHE=str(cache))
    env["NUMBA_CACHE_DIR"] = str(ROOT / "_cache" / "numba" / source_hash())  # compiled kernels shared
    return env


def build(out, cache):
    proc = subprocess.run(command(out), cwd=ROOT, env=environment(cache), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def progress(out):
    path = out / "logs" / "stabilities.progress.jsonl"
    lines = path.read_text().splitlines() if path.exists() else []
    return json.loads(lines[-1]) if lines else None


def kill_tree(proc):
    """SIGKILL the driver and all its descendants (the kernel runs in a session of its own)."""
    parent = psutil.Process(proc.pid)
    family = [parent, *parent.children(recursive=True)]
    for p in family:
        try:
            p.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(family, timeout=30)


def finished_anneals(cache):
    """Anneal results stored in the cache: one output.pkl per finished call."""
    return len(list(cache.glob("*/**/anneal_sample/*/output.pkl")))


def glued(notebook):
    """{name: data} of every glued value in an executed notebook."""
    values = {}
    for cell in nbformat.read(notebook, as_version=4).cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name is not None:
                values[name] = output["data"]
    return values


def entry(out):
    report = json.loads((out / "build-report.json").read_text())
    return next(n for n in report["notebooks"] if n["name"] == "stabilities")


def test_an_interrupted_build_resumes_without_recomputing_and_glues_the_same_numbers(tmp_path):
    out, cache = tmp_path / "interrupted", tmp_path / "cache"
    proc = subprocess.Popen(command(out), cwd=ROOT, env=environment(cache),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and proc.poll() is None:
            record = progress(out)
            if record and record["total"] == TOTAL and record["done"] >= 2:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the build ended or stalled before its sample sweep was half way")
    finally:
        kill_tree(proc)
    finished = finished_anneals(cache)
    assert 2 <= finished < TOTAL, finished  # interrupted in the middle of the sweep
    assert not (out / "src" / "notebooks" / "stabilities.ipynb").exists()

    resumed = build(out, cache)
    counts = entry(out)["by_function"][ANNEAL]
    assert counts == {"hits": finished, "misses": TOTAL - finished}  # nothing finished was computed again
    assert "from the cache" in resumed.stdout  # and the progress said so

    reference_out = tmp_path / "uninterrupted"
    build(reference_out, tmp_path / "reference-cache")
    assert entry(reference_out)["by_function"][ANNEAL] == {"hits": 0, "misses": TOTAL}
    resumed_values = glued(out / "src" / "notebooks" / "stabilities.ipynb")
    reference_values = glued(reference_out / "src" / "notebooks" / "stabilities.ipynb")
    assert len(reference_values) > 50 and {"z_max_sign", "z_max_relu", "solved_sign"} <= set(reference_values)
    assert resumed_values == reference_values
