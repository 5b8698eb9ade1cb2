"""Execute the chapter notebooks with papermill, then build the book with Jupyter Book.

    python notebooks/run.py --profile paper|quick [--set NB.PARAM=VALUE ...] [--only NAME ...]

The profile notebooks/profiles/<profile>.yml maps each notebook name (in book order) to its
parameters; --set overrides one (the value is read as YAML, so numbers and lists work). Each
notebook notebooks/<name>.ipynb is executed into _build/<profile>/src/notebooks/<name>.ipynb,
first into <name>.partial.ipynb and renamed only on success; a failure is kept as
<name>.failed.ipynb. The executed copy records under metadata["committee_build"] the sha256 of
its source, the parameters and committee_lib.cache.source_hash(); a notebook whose record
matches is skipped. --only executes just the named notebooks; the book is then built only if
every other notebook is already up to date. Finally _config.yml, _toc.yml and book/ are staged
beside the executed notebooks and `jupyter-book build` (warnings are errors) writes the HTML to
_build/<profile>/_build/html.
"""

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import papermill as pm
import yaml

from committee_lib.cache import source_hash

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


class DriverError(Exception):
    """A problem to report on one line (bad profile, unknown parameter, failed notebook)."""


def load_plan(profile, overrides=(), only=(), notebooks=NOTEBOOKS):
    """Return {notebook name: parameters} for the profile with overrides applied, all checked."""
    path = notebooks / "profiles" / f"{profile}.yml"
    if not path.exists():
        raise DriverError(f"unknown profile {profile!r}: {path} does not exist")
    profile_data = yaml.safe_load(path.read_text()) or {}
    plan = {name: dict(params or {}) for name, params in profile_data.items()}
    known = ", ".join(plan)
    for item in overrides:
        key, equals, value = item.partition("=")
        name, dot, param = key.partition(".")
        if not (equals and dot and name and param):
            raise DriverError(f"--set {item!r}: expected NOTEBOOK.PARAM=VALUE")
        if name not in plan:
            raise DriverError(f"--set {item!r}: unknown notebook {name!r} (profile {profile}: {known})")
        plan[name][param] = yaml.safe_load(value)
    for name in only:
        if name not in plan:
            raise DriverError(f"--only {name!r}: unknown notebook (profile {profile}: {known})")
    for name, params in plan.items():
        source = notebooks / f"{name}.ipynb"
        if not source.exists():
            raise DriverError(f"profile {profile}: notebook {source} does not exist")
        declared = pm.inspect_notebook(source)
        for param in params:
            if param not in declared:
                raise DriverError(
                    f"notebook {name!r} has no parameter {param!r} in its parameters cell "
                    f"(it has: {', '.join(declared) or 'none'})"
                )
    return plan


def build_stamp(source, params, lib_hash):
    """What an executed copy must record to count as up to date."""
    return {
        "source_sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
        "parameters": params,
        "committee_lib": lib_hash,
    }


def is_current(target, stamp):
    """True if the executed notebook target exists and was made from exactly this stamp."""
    return target.exists() and nbformat.read(target, as_version=4).metadata.get("committee_build") == stamp


def execute(source, target, stamp, params):
    """Execute source with papermill into target (atomically); on failure keep *.failed.ipynb."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial.ipynb")
    failed = target.with_suffix(".failed.ipynb")
    nb = nbformat.read(source, as_version=4)
    nb.metadata["committee_build"] = stamp
    for cell in nb.cells:  # the book shows papermill's injected cell: the values actually used
        if "parameters" in cell.metadata.get("tags", []):
            cell.metadata["tags"] = [*cell.metadata["tags"], "remove-cell"]
    try:
        pm.execute_notebook(
            nb, partial, parameters=params, kernel_name="python3", cwd=source.parent, progress_bar=False
        )
    except Exception as exc:
        if partial.exists():
            partial.replace(failed)
        if isinstance(exc, pm.PapermillExecutionError):
            detail = f"cell In [{exc.exec_count}] raised {exc.ename}: {exc.evalue}"
        else:
            detail = f"{type(exc).__name__}: {exc}"
        raise DriverError(f"notebook {source.stem!r} failed: {detail} (partial output: {failed})") from None
    partial.replace(target)
    failed.unlink(missing_ok=True)


def build_book(out):
    """Stage the book sources beside the executed notebooks in out/src and build the HTML."""
    src = out / "src"
    src.mkdir(parents=True, exist_ok=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(ROOT / name, src / name)
    shutil.rmtree(src / "book", ignore_errors=True)
    shutil.copytree(ROOT / "book", src / "book")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [jupyter_book, "build", src, "--path-output", out, "--all", "-W", "-n", "--keep-going"]
    if subprocess.run(command).returncode:
        raise DriverError("jupyter-book build failed (warnings count as errors, see above)")
    return out / "_build" / "html" / "index.html"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="paper", help="notebooks/profiles/<PROFILE>.yml (default: paper)")
    parser.add_argument("--set", action="append", default=[], metavar="NB.PARAM=VALUE", help="override a parameter")
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="execute only this notebook")
    args = parser.parse_args(argv)
    os.environ.setdefault("COMMITTEE_CACHE", str(ROOT / "_cache"))
    out = ROOT / "_build" / args.profile
    try:
        plan = load_plan(args.profile, args.set, args.only)
        lib_hash = source_hash()
        not_run = []
        for name, params in plan.items():
            source, target = NOTEBOOKS / f"{name}.ipynb", out / "src" / "notebooks" / f"{name}.ipynb"
            stamp = build_stamp(source, params, lib_hash)
            if is_current(target, stamp):
                print(f"[run.py] {name}: up to date, skipped", flush=True)
            elif args.only and name not in args.only:
                print(f"[run.py] {name}: out of date, not executed (--only)", flush=True)
                not_run.append(name)
            else:
                print(f"[run.py] {name}: executing with {params}", flush=True)
                start = time.perf_counter()
                execute(source, target, stamp, params)
                print(f"[run.py] {name}: executed in {time.perf_counter() - start:.1f} s", flush=True)
        if not_run:
            print(f"[run.py] book not built: {', '.join(not_run)} not executed for profile {args.profile}")
            return 0
        start = time.perf_counter()
        index = build_book(out)
        print(f"[run.py] book built in {time.perf_counter() - start:.1f} s: {index}")
    except DriverError as exc:
        print(f"[run.py] error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
