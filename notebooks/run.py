"""Execute the chapter notebooks with papermill, then build the book with Jupyter Book.

    python notebooks/run.py --profile paper|quick [--set NB.PARAM=VALUE ...] [--only NAME ...]

The profile notebooks/profiles/<profile>.yml maps each notebook name (in book order) to its
parameters; --set overrides one (the value is read as YAML, so numbers and lists work). Each
notebook is a MyST Markdown text notebook notebooks/<name>.md (jupytext): it is converted to an
ipynb, staged as _build/<profile>/logs/<name>.input.ipynb, and executed from there into
_build/<profile>/src/notebooks/<name>.ipynb, first into <name>.partial.ipynb and renamed only on
success; a failure is kept as <name>.failed.ipynb. The executed copy records under
metadata["committee_build"] the sha256 of its source (the .md text), the parameters and
committee_lib.cache.source_hash(); a notebook whose record matches is skipped. --only executes
just the named notebooks; the book is then built only if every other notebook is already up to
date. Finally _config.yml, _toc.yml and book/ are staged beside the executed notebooks (the book's
source tree has no .md notebook, so the table of contents finds the executed .ipynb) and
`jupyter-book build` (warnings are errors) writes the HTML to _build/<profile>/_build/html.
The staged _config.yml is derived from the repository's (book_config): setting repository.url
turns on the repository, issue and Binder buttons; left empty, the book links nowhere outside.

Progress: while a notebook runs, the driver prints what its long computations report
(committee_lib.progress: anneals done of how many, time left), and at least once a minute a line
saying which cell is running.  A failed notebook is reported with the cell that failed, the error
and the path of the partial notebook.

Build report: every build writes _build/<profile>/build-report.json (also after each notebook, so
an interrupted build leaves one):

    {"profile": ..., "seconds": <total wall>, "book_seconds": ..., "notebooks": [
        {"name": ..., "status": "executed" | "skipped" | "failed" | "not executed",
         "seconds": ..., "cache_hits": <results reused>, "cache_misses": <results computed>,
         "by_function": {function: {"hits": n, "misses": n}}}, ...]}

"skipped": up to date, not run (0 s, no cache calls); "not executed": out of date but left out
by --only.  Cache hits and misses are the calls of committee_lib.cache.cached functions made
while the notebook ran (COMMITTEE_CACHE_STATS), a computed anneal counting as one miss.

--out DIR puts everything under DIR instead of _build/<profile> (used by the tests).

Two at a time: --jobs N (default 2) executes up to N notebooks at once, each in a process of its
own (this script with --execute-one), in profile order, except that a notebook whose metadata
lists `"committee": {"needs": [...]}` starts only after those have been executed (the robustness
chapter reuses the anneals of the stabilities chapter).  So the single-core theory chapters run
beside each other and beside the simulations, and no core idles while another works.  If a
notebook fails, the running ones finish, no new one starts, and the book is not built.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import jupytext
import nbformat
import papermill as pm
import yaml

from committee_lib.cache import STATS_ENV, source_hash
from committee_lib.progress import PROGRESS_ENV, describe, format_seconds

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
GITHUB_REPOSITORY = re.compile(r"https://github\.com/[\w.-]+/[\w.-]+")


class DriverError(Exception):
    """A problem to report on one line (bad profile, unknown parameter, failed notebook)."""


def source_path(notebooks, name):
    """The text notebook of chapter name: notebooks/<name>.md."""
    return notebooks / f"{name}.md"


def read_source(source):
    """The MyST Markdown notebook source as an ipynb notebook, without its jupytext header."""
    nb = jupytext.read(source, fmt="md:myst")
    nb.metadata.pop("jupytext", None)
    return nb


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
        source = source_path(notebooks, name)
        if not source.exists():
            raise DriverError(f"profile {profile}: notebook {source} does not exist")
        declared = pm.inspect_notebook(read_source(source))
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


def running_cell(partial):
    """(position from 1, number of code cells) of the cell papermill marks as running, else None."""
    try:
        nb = nbformat.read(partial, as_version=4)
    except Exception:  # absent, or being rewritten right now
        return None
    code = [c for c in nb.cells if c.cell_type == "code"]
    for i, cell in enumerate(code):
        if cell.metadata.get("papermill", {}).get("status") == "running":
            return i + 1, len(code)
    return None


class Watcher(threading.Thread):
    """Prints the progress lines a running notebook writes (at most every `every` seconds, and at
    once when a batch starts or ends), and a line naming the running cell when nothing was printed
    for `heartbeat` seconds."""

    def __init__(self, name, progress, partial, every=15.0, heartbeat=60.0, poll=1.0, out=sys.stdout):
        super().__init__(daemon=True)
        self.name, self.progress, self.partial = name, progress, partial
        self.every, self.heartbeat, self.poll, self.out = every, heartbeat, poll, out
        self.stop = threading.Event()
        self.start_time = self.last_print = time.monotonic()
        self.offset, self.pending = 0, None

    def say(self, text):
        print(f"[run.py] {self.name}: {text}", file=self.out, flush=True)
        self.last_print = time.monotonic()

    def read_new(self):
        """Progress records appended since the last call (complete lines only)."""
        try:
            with open(self.progress) as f:
                f.seek(self.offset)
                chunk = f.read()
        except FileNotFoundError:
            return []
        complete = chunk[: chunk.rfind("\n") + 1]
        self.offset += len(complete.encode())
        return [json.loads(line) for line in complete.splitlines() if line.strip()]

    def tick(self):
        for record in self.read_new():
            edge = record["done"] in (0, record["total"]) or (self.pending and self.pending["label"] != record["label"])
            if edge:
                self.say(describe(record))
                self.pending = None
            else:
                self.pending = record
        now = time.monotonic()
        if self.pending and now - self.last_print >= self.every:
            self.say(describe(self.pending))
            self.pending = None
        elif now - self.last_print >= self.heartbeat:
            cell = running_cell(self.partial)
            where = f"cell {cell[0]} of {cell[1]} running" if cell else "running"
            self.say(f"{where}, {format_seconds(now - self.start_time)} since the notebook started")

    def run(self):
        while not self.stop.wait(self.poll):
            self.tick()

    def finish(self):
        self.stop.set()
        self.join()
        self.tick()


def cache_stats(path):
    """Totals of a COMMITTEE_CACHE_STATS file: (hits, misses, {function: {"hits", "misses"}})."""
    by_function = {}
    try:
        lines = Path(path).read_text().splitlines()
    except FileNotFoundError:
        lines = []
    for line in lines:
        if line.strip():
            record = json.loads(line)
            entry = by_function.setdefault(record["function"], {"hits": 0, "misses": 0})
            entry["hits" if record["hit"] else "misses"] += 1
    hits = sum(e["hits"] for e in by_function.values())
    misses = sum(e["misses"] for e in by_function.values())
    return hits, misses, by_function


def execute(source, target, stamp, params, logs=None, watch=None):
    """Execute the text notebook source with papermill into target (atomically); on failure keep
    *.failed.ipynb.

    logs: folder for this notebook's side channels (the ipynb staged for papermill, cache
    statistics, progress lines); returns (hits, misses, by_function) of the cached calls it made.
    watch: Watcher options, or None for no progress printing.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial.ipynb")
    failed = target.with_suffix(".failed.ipynb")
    logs = target.parent if logs is None else logs
    logs.mkdir(parents=True, exist_ok=True)
    stats, progress = logs / f"{source.stem}.cache.jsonl", logs / f"{source.stem}.progress.jsonl"
    staged = logs / f"{source.stem}.input.ipynb"
    for path in (stats, progress):
        path.write_text("")
    nb = read_source(source)
    nb.metadata["committee_build"] = stamp
    for cell in nb.cells:  # the book shows papermill's injected cell: the values actually used
        if "parameters" in cell.metadata.get("tags", []):
            cell.metadata["tags"] = [*cell.metadata["tags"], "remove-cell"]
    nbformat.write(nb, staged)
    watcher = None if watch is None else Watcher(source.stem, progress, partial, **watch)
    saved = {k: os.environ.get(k) for k in (STATS_ENV, PROGRESS_ENV)}
    os.environ[STATS_ENV], os.environ[PROGRESS_ENV] = str(stats), str(progress)
    try:
        if watcher:
            watcher.start()
        pm.execute_notebook(
            staged, partial, parameters=params, kernel_name="python3", cwd=source.parent, progress_bar=False
        )
    except BaseException as exc:
        if partial.exists():
            partial.replace(failed)
        if isinstance(exc, pm.PapermillExecutionError):
            code_cells = [c for c in nbformat.read(failed, as_version=4).cells if c.cell_type == "code"] \
                if failed.exists() else []
            position = next((i + 1 for i, c in enumerate(code_cells)
                             if c.get("execution_count") == exc.exec_count), None)
            where = f"cell {position} of {len(code_cells)} (In [{exc.exec_count}])" if position \
                else f"cell In [{exc.exec_count}]"
            evalue = str(exc.evalue).strip().splitlines()
            detail = f"{where} raised {exc.ename}: {evalue[0] if evalue else ''}"
        elif isinstance(exc, KeyboardInterrupt):
            detail = "interrupted"
        else:
            detail = f"{type(exc).__name__}: {exc}"
        saved_to = f"partial notebook saved to {failed}" if failed.exists() else "no partial notebook was saved"
        raise DriverError(f"notebook {source.stem!r} failed: {detail}; {saved_to}") from None
    finally:
        if watcher:
            watcher.finish()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    partial.replace(target)
    failed.unlink(missing_ok=True)
    return cache_stats(stats)


def write_report(path, report):
    """Write the build report atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report, indent=2) + "\n")
    tmp.replace(path)


def book_config(config):
    """The Jupyter Book configuration to build with: config (the parsed _config.yml) unchanged while
    its repository.url is empty, so that no button links outside the book; with the url of a GitHub
    repository, its repository and issue buttons and a Binder launch button on branch main (unless
    repository.branch names another).  Binder opens notebooks/<name>.ipynb: the staged book's
    pages are notebooks/<name>.ipynb under the repository root (path_to_book ""), and Binder's
    postBuild converts the repository's notebooks/<name>.md to them."""
    repository = config.get("repository") or {}
    url = repository.get("url") or ""
    if not url:
        return config
    if not GITHUB_REPOSITORY.fullmatch(url):
        raise DriverError(f"repository.url in _config.yml must be https://github.com/OWNER/REPO (got {url!r})")
    return {
        **config,
        "repository": {"branch": "main", **repository, "path_to_book": ""},
        "html": {**config.get("html", {}), "use_repository_button": True, "use_issues_button": True},
        "launch_buttons": {**config.get("launch_buttons", {}), "binderhub_url": "https://mybinder.org",
                           "notebook_interface": "jupyterlab"},
    }


def read_book_config():
    """book_config of the repository's _config.yml (checked before any notebook runs)."""
    return book_config(yaml.safe_load((ROOT / "_config.yml").read_text()))


def build_book(out, config):
    """Stage the book sources beside the executed notebooks in out/src, with config (book_config)
    as its _config.yml, and build the HTML."""
    src = out / "src"
    src.mkdir(parents=True, exist_ok=True)
    (src / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    shutil.copy2(ROOT / "_toc.yml", src / "_toc.yml")
    shutil.rmtree(src / "book", ignore_errors=True)
    shutil.copytree(ROOT / "book", src / "book")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [jupyter_book, "build", src, "--path-output", out, "--all", "-W", "-n", "--keep-going"]
    if subprocess.run(command).returncode:
        raise DriverError("jupyter-book build failed (warnings count as errors, see above)")
    return out / "_build" / "html" / "index.html"


def needs(source):
    """Notebooks this one reuses results of (metadata["committee"]["needs"]): it starts after them."""
    return list(read_source(source).metadata.get("committee", {}).get("needs", []))


def child_command(args, name, out, notebooks):
    """The command executing one notebook in a process of its own (see --execute-one)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--profile", args.profile, "--out", str(out),
               "--notebooks", str(notebooks), "--execute-one", name]
    for item in args.set:
        command += ["--set", item]
    return command


def execute_one(args, out, notebooks):
    """Child process: execute notebook args.execute_one (its progress printed here); exit status 1
    with the one-line failure message on stderr if it fails."""
    name = args.execute_one
    plan = load_plan(args.profile, args.set, (), notebooks=notebooks)
    source, target = source_path(notebooks, name), out / "src" / "notebooks" / f"{name}.ipynb"
    execute(source, target, build_stamp(source, plan[name], source_hash()), plan[name], out / "logs", watch={})
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="paper", help="notebooks/profiles/<PROFILE>.yml (default: paper)")
    parser.add_argument("--set", action="append", default=[], metavar="NB.PARAM=VALUE", help="override a parameter")
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="execute only this notebook")
    parser.add_argument("--out", type=Path, default=None, help="build folder (default: _build/<PROFILE>)")
    parser.add_argument("--jobs", type=int, default=2,
                        help="notebooks executed at once (default 2; a notebook waits for those it needs)")
    parser.add_argument("--notebooks", type=Path, default=None, help=argparse.SUPPRESS)  # tests
    parser.add_argument("--execute-one", default=None, help=argparse.SUPPRESS)  # child process
    args = parser.parse_args(argv)
    os.environ.setdefault("COMMITTEE_CACHE", str(ROOT / "_cache"))
    out = (ROOT / "_build" / args.profile if args.out is None else args.out).resolve()
    notebooks = NOTEBOOKS if args.notebooks is None else args.notebooks.resolve()
    if args.execute_one:
        try:
            return execute_one(args, out, notebooks)
        except DriverError as exc:
            print(f"[run.py] error: {exc}", file=sys.stderr, flush=True)
            return 1
    if args.jobs < 1:
        print(f"[run.py] error: --jobs must be an integer >= 1 (got {args.jobs})", file=sys.stderr)
        return 1
    build_start = time.perf_counter()
    report = {"profile": args.profile, "seconds": None, "book_seconds": None, "notebooks": []}
    report_path = out / "build-report.json"
    running = {}  # name -> (process, start time, entry)

    def save_report():
        report["seconds"] = round(time.perf_counter() - build_start, 1)
        write_report(report_path, report)

    try:
        config = read_book_config()
        plan = load_plan(args.profile, args.set, args.only, notebooks=notebooks)
        lib_hash = source_hash()
        not_run, pending, entries = [], [], {}
        for name, params in plan.items():
            source, target = source_path(notebooks, name), out / "src" / "notebooks" / f"{name}.ipynb"
            entry = {"name": name, "status": "skipped", "seconds": 0.0, "cache_hits": 0, "cache_misses": 0,
                     "by_function": {}}
            report["notebooks"].append(entry)
            entries[name] = entry
            if is_current(target, build_stamp(source, params, lib_hash)):
                print(f"[run.py] {name}: up to date, skipped", flush=True)
            elif args.only and name not in args.only:
                print(f"[run.py] {name}: out of date, not executed (--only)", flush=True)
                entry["status"] = "not executed"
                not_run.append(name)
            else:
                entry["status"] = "pending"
                pending.append(name)
        save_report()
        failed = []
        while pending or running:
            for name in list(pending):
                if len(running) >= args.jobs:
                    break
                waits = [n for n in needs(source_path(notebooks, name)) if n in entries]
                blocked = [n for n in waits if entries[n]["status"] in ("failed", "not executed")]
                if blocked:
                    pending.remove(name)
                    entries[name]["status"] = "not executed"
                    not_run.append(name)
                    print(f"[run.py] {name}: not executed, it needs {', '.join(blocked)}", flush=True)
                elif all(entries[n]["status"] in ("executed", "skipped") for n in waits) and not failed:
                    pending.remove(name)
                    print(f"[run.py] {name}: executing with {plan[name]}", flush=True)
                    process = subprocess.Popen(child_command(args, name, out, notebooks))
                    running[name] = (process, time.perf_counter(), entries[name])
                    entries[name]["status"] = "running"
            if failed and not running:
                break
            time.sleep(0.2)
            for name, (process, start, entry) in list(running.items()):
                if process.poll() is None:
                    continue
                del running[name]
                hits, misses, by_function = cache_stats(out / "logs" / f"{name}.cache.jsonl")
                ok = process.returncode == 0
                entry.update(status="executed" if ok else "failed", seconds=round(time.perf_counter() - start, 1),
                             cache_hits=hits, cache_misses=misses, by_function=by_function)
                save_report()
                if ok:
                    print(f"[run.py] {name}: executed in {format_seconds(entry['seconds'])} "
                          f"({hits} cached results reused, {misses} computed)", flush=True)
                else:
                    failed.append(name)
        for name in pending:
            entries[name]["status"] = "not executed"
        if failed:
            save_report()
            raise DriverError(f"{', '.join(failed)} failed (see above); the book was not built")
        if not_run:
            print(f"[run.py] book not built: {', '.join(not_run)} not executed for profile {args.profile}")
            save_report()
            return 0
        start = time.perf_counter()
        index = build_book(out, config)
        report["book_seconds"] = round(time.perf_counter() - start, 1)
        save_report()
        print(f"[run.py] book built in {report['book_seconds']:.1f} s: {index}")
        print(f"[run.py] build took {format_seconds(report['seconds'])}; report: {report_path}")
    except DriverError as exc:
        save_report()
        print(f"[run.py] error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        for process, _, entry in running.values():
            process.wait()
            entry["status"] = "failed"
        save_report()
        print(f"[run.py] interrupted; finished results are cached, rerun to resume (report: {report_path})",
              file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
