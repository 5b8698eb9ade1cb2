"""The package as a user gets it: sdist and wheel built from a clean copy of the repository, the
wheel installed (not editable) in a fresh virtual environment that cannot see the repository.

The clean copy holds the files git carries: the tracked ones and the untracked ones that are not
ignored (`git ls-files --cached --others --exclude-standard`), as they are in the working tree.
In CI's fresh clone that is exactly the clone; during development it is the code under test,
uncommitted edits and new modules included, without _build/, _cache/, .venv/ or __pycache__/.

About 1 min 20 s of CPU (half of it `committee capacity` compiling with numba): marked `packaging`,
it runs in `make test`; `pytest -m "not packaging"` leaves it out.
"""

import json
import math
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import committee_lib

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[1]
NAME = f"committee_lib-{committee_lib.__version__}"
# What setuptools writes into an sdist besides the files of the repository.
SDIST_GENERATED = {"PKG-INFO", "setup.cfg"}
SDIST_EGG_INFO = "committee_lib.egg-info/"
# Files of the repository that go into the sdist besides the package.
SDIST_FILES = {"README.md", "LICENSE", "CITATION.cff", "pyproject.toml", "MANIFEST.in"}


def run(args, timeout, **kwargs):
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kwargs)
    assert proc.returncode == 0, f"{' '.join(map(str, args))} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def carried_files():
    """Repository files a clone would hold (tracked, or untracked and not ignored), as they are now."""
    listed = run(["git", "-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"], 60)
    return sorted({p for p in listed.split("\0") if p and (ROOT / p).is_file()})  # deleted files are still listed


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(package modules of the repository, sdist, wheel), built by `python -m build` from a clean copy."""
    tmp = tmp_path_factory.mktemp("packaging")
    files = carried_files()
    for rel in files:
        (tmp / "src" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, tmp / "src" / rel)
    # sdist first, then the wheel from the sdist: the sdist must be complete enough to build it.
    run([sys.executable, "-m", "build", "--outdir", tmp / "dist", tmp / "src"], 600)
    modules = {p for p in files if p.startswith("committee_lib/") and p.endswith(".py")}
    assert {"committee_lib/cli.py", "committee_lib/theory/priors/base.py", "committee_lib/theory/energetic/capacity.py"} <= modules
    return modules, tmp / "dist" / f"{NAME}.tar.gz", tmp / "dist" / f"{NAME}-py3-none-any.whl"


def test_wheel_holds_every_module(built):
    modules, _, wheel = built
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        entry_points = zf.read(f"{NAME}.dist-info/entry_points.txt").decode()
    package_files = {n for n in names if not n.startswith(f"{NAME}.dist-info/")}
    assert package_files == modules, (f"missing from the wheel: {sorted(modules - package_files)}; "
                                      f"not in the repository: {sorted(package_files - modules)}")
    assert f"{NAME}.dist-info/licenses/LICENSE" in names
    assert "committee = committee_lib.cli:main" in entry_points


def test_sdist_holds_the_package_and_its_metadata_only(built):
    modules, sdist, _ = built
    with tarfile.open(sdist) as tf:
        members = {m.name.removeprefix(f"{NAME}/") for m in tf.getmembers() if m.isfile()}
    generated = {m for m in members if m in SDIST_GENERATED or m.startswith(SDIST_EGG_INFO)}
    expected = modules | SDIST_FILES
    assert members - generated == expected, (f"missing from the sdist: {sorted(expected - members)}; "
                                             f"unexpected: {sorted(members - generated - expected)}")


def test_long_description_renders(built):
    """The index page of the package is README.md: twine's check renders it (offline)."""
    _, sdist, wheel = built
    out = run([Path(sys.executable).parent / "twine", "check", "--strict", sdist, wheel], 120)
    assert out.count("PASSED") == 2, out


def test_wheel_in_a_fresh_venv_imports_and_computes(built, tmp_path):
    """Every module imports from the venv's site-packages and `committee capacity` gives the RS capacity."""
    modules, _, wheel = built
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv], 120)
    python, committee = venv / "bin" / "python", venv / "bin" / "committee"
    run([python, "-m", "pip", "install", "--disable-pip-version-check", wheel], 600)
    elsewhere = tmp_path / "elsewhere"  # the working directory: nothing of the repository on sys.path
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["COMMITTEE_CACHE"] = str(tmp_path / "cache")
    walk = ("import importlib, json, pkgutil, sysconfig, committee_lib\n"
            "names = ['committee_lib'] + [m.name for m in pkgutil.walk_packages(committee_lib.__path__, 'committee_lib.')]\n"
            "print(json.dumps({'purelib': sysconfig.get_paths()['purelib'],\n"
            "                  'files': {n: importlib.import_module(n).__file__ for n in names}}))\n")
    found = json.loads(run([python, "-c", walk], 300, cwd=elsewhere, env=env))
    site = Path(found["purelib"]).resolve()
    assert site.is_relative_to(venv.resolve())
    files = {n: Path(f).resolve() for n, f in found["files"].items()}
    outside = {n: str(f) for n, f in files.items() if not f.is_relative_to(site)}
    assert not outside, f"imported from outside the venv's site-packages: {outside}"
    assert {f.relative_to(site).as_posix() for f in files.values()} == modules

    result = json.loads(run([committee, "capacity", "--weights", "spherical", "--activation", "relu", "--json"],
                            600, cwd=elsewhere, env=env))
    assert result["alpha_c_rs"] == pytest.approx(2 / (1 - 1 / math.pi), rel=1e-10)
    assert result["alpha_c_1rsb"] < result["alpha_c_rs"]
